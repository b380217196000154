"""The decisions on a score report and the report's next steps with dates.

HR's rules (services/interviews/rules.py) only propose; the report shows a decision once
a person has confirmed or overridden it (PIPL art. 24), with what makes it traceable:
the rule and its version, the numbers it compared, who decided and when. The candidate
can still ask for a human review. Nothing here imports reflex."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.services.interviews import rules
from portal.services.platform.i18n import N_, format_date, gettext, pick

NEXT_ROUND_DAYS, OUTCOME_DAYS, REVIEW_DAYS = 3, 5, 30
DECISION = {rules.ADVANCE: N_("Decision on your application: you advance to the next round."),
            rules.REJECT: N_("Decision on your application: you do not advance this time.")}
PROPOSED_BY = N_("Proposed by HR's rule for this position “{rule}” (rule {rule_no}, version {version}), "
                 "which compared your numbers: {numbers}.")
CONFIRMED_BY = N_("Confirmed by {name} on {date}.")
OVERRIDDEN_BY = N_("{name} decided otherwise than the rule on {date}: {reason}")
NEXT_ROUND = N_("HR invites you to the next round by {date}.")
OUTCOME = N_("HR tells you the outcome of your interview by {date}.")
COURSE = N_("Enrol in \"{course}\" for your largest gap: it starts on {date}.")
REVIEW = N_("If a score seems wrong to you, ask for a human review by {date}.")


def decision_words(views: list, locale: str, names: dict[str, tuple[str, str]],
                   when=lambda value: value) -> list[str]:
    """Per decided firing (rules.FiringView): the outcome, the rule with its version and
    numbers, who decided and when, in ``locale``; ``when`` puts a time in the reader's zone."""
    lines = []
    for v in views:
        date = format_date(when(v.decided_at).date(), locale, "long") if v.decided_at else ""
        lines.append(gettext(locale, DECISION.get(v.outcome, DECISION[rules.REJECT])))
        lines.append(gettext(locale, PROPOSED_BY, rule=rules.describe(v.canonical, locale, names),
                             rule_no=v.rule_no, version=v.version,
                             numbers=rules.numbers_words(v.numbers, locale, names)))
        if v.status == rules.OVERRIDDEN:
            lines.append(gettext(locale, OVERRIDDEN_BY, name=v.decided_by, date=date, reason=v.reason))
        else:
            lines.append(gettext(locale, CONFIRMED_BY, name=v.decided_by, date=date))
    return lines


def advanced(views: list) -> dict:
    """What next_steps reads: {"outcome": "advance"} once a person decided to advance."""
    return {"outcome": rules.ADVANCE} if any(v.outcome == rules.ADVANCE for v in views) else {}


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
