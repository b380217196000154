"""HR's rules on score reports ("overall ≥ 75 and every required level met → next
round"), the decision they took on a report, and the report's next steps with dates.
A rule only records the decision and says so on the report, with the numbers it
compared; a person (HR) still sends the invitation to the next round, and the candidate
can ask for a human review. Nothing here imports reflex."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from portal import models
from portal.services.platform.i18n import N_, format_date, format_number, gettext, pick
from portal.services.reports.scores import ReportNumbers

NEXT_ROUND_DAYS, OUTCOME_DAYS, REVIEW_DAYS = 3, 5, 30
ACTIONS = {"invite_next_stage": N_("the next round")}
RULE_ALL = N_("HR's rule for this job: an overall match of at least {min} with every required level met moves a "
              "candidate to {action}.")
RULE_OVERALL = N_("HR's rule for this job: an overall match of at least {min} moves a candidate to {action}.")
YOUR_NUMBERS = N_("Your numbers: overall match {overall}, every required level met. The rule applied.")
YOUR_NUMBERS_OVERALL = N_("Your numbers: overall match {overall}. The rule applied.")
NEXT_ROUND = N_("HR invites you to the next round by {date}.")
OUTCOME = N_("HR tells you the outcome of your interview by {date}.")
COURSE = N_("Enrol in \"{course}\" for your largest gap: it starts on {date}.")
REVIEW = N_("If a score seems wrong to you, ask for a human review by {date}.")


def evaluate(session, interview: models.Interview, numbers: ReportNumbers) -> dict:
    """The first active rule of the job the numbers meet, with what it compared; {} when none."""
    met_all = all(round(c.score) >= round(c.required) for c in numbers.competencies)
    for rule in session.exec(select(models.AutoAdvanceRule).where(
            models.AutoAdvanceRule.job_id == interview.job_id, models.AutoAdvanceRule.is_active.is_(True))
            .order_by(models.AutoAdvanceRule.id)).all():
        if round(numbers.overall) >= rule.min_overall and (met_all or not rule.require_all_required_levels):
            return {"rule_id": rule.id, "min_overall": rule.min_overall,
                    "require_all_required_levels": rule.require_all_required_levels, "action": rule.action,
                    "overall": round(numbers.overall), "all_required_met": met_all}
    return {}


def decision_words(decision: dict, locale: str) -> list[str]:
    """The rule and the numbers, in ``locale`` ([] when no rule applied)."""
    if not decision:
        return []
    action = gettext(locale, ACTIONS.get(decision["action"], ACTIONS["invite_next_stage"]))
    minimum = format_number(decision["min_overall"], locale)
    overall = format_number(decision["overall"], locale)
    if decision["require_all_required_levels"]:
        return [gettext(locale, RULE_ALL, min=minimum, action=action),
                gettext(locale, YOUR_NUMBERS, overall=overall)]
    return [gettext(locale, RULE_OVERALL, min=minimum, action=action),
            gettext(locale, YOUR_NUMBERS_OVERALL, overall=overall)]


def next_steps(decision: dict, published_at: datetime, locale: str,
               course: tuple[str, str, datetime] | None = None) -> list[str]:
    """What happens next, with dates from when the report was published; ``course``:
    (Chinese title, English title, start) of the first recommended course."""
    def day(days: int | datetime) -> str:
        value = published_at + timedelta(days=days) if isinstance(days, int) else days
        return format_date(value.date(), locale, "long")

    steps = [gettext(locale, NEXT_ROUND, date=day(NEXT_ROUND_DAYS)) if decision
             else gettext(locale, OUTCOME, date=day(OUTCOME_DAYS))]
    if course is not None:
        steps.append(gettext(locale, COURSE, course=pick(locale, course[0], course[1]), date=day(course[2])))
    steps.append(gettext(locale, REVIEW, date=day(REVIEW_DAYS)))
    return steps
