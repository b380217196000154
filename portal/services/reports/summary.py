"""The e-mail summary of a score report, sent once when scoring finishes (or, for a job
whose reports HR publishes, once HR has published it): the strengths,
one thing to improve, the next step and a link to the report, in the candidate's
language, through the outbox. The portal's background loop runs ``send_due`` every
minute, well inside the hour the candidate waits at most. Claiming is a conditional
update of ``Report.summary_sent_at``, so two portal processes never send it twice.
Nothing here imports reflex."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import select

from portal import models, routes
from portal.services.development import plan, recommendations
from portal.services.interviews.preparation import in_zone
from portal.services.platform import audit, notifications
from portal.services.platform.i18n import N_, gettext, pick
from portal.services.platform.settings import get_settings
from portal.services.reports import decisions, human_review, report
from portal.services.reports.scores import report_numbers

SUBJECT = N_("[Talent Portal] Your score report is ready: {job}")
BODY = N_("Hello {name},\n\nyour interview for {job} is scored and your report is ready.\n\n"
          "Your strengths:\n{strengths}\n\nOne thing to improve:\n{improve}\n\nNext step: {next}\n\n"
          "Read your report, with the sentences that counted and the courses for your gaps:\n{link}\n\n"
          "A person makes every decision; you can ask for a human review of your report there.")
NOTHING_TO_IMPROVE = N_("Nothing below the job's requirement: keep it up.")
BATCH = 50


def _due(session) -> list[models.Interview]:
    """Completed interviews with every answer scored whose summary has not gone out."""
    sent = select(models.Report.interview_id).where(models.Report.summary_sent_at.is_not(None))
    unscored = (select(models.Answer.interview_id)
                .outerjoin(models.AnswerScore, models.AnswerScore.answer_id == models.Answer.id)
                .where(models.Answer.interview_id.is_not(None), models.Answer.is_practice.is_(False),
                       models.AnswerScore.id.is_(None)))
    scored = select(models.Answer.interview_id).where(models.Answer.is_practice.is_(False))
    return list(session.exec(select(models.Interview).where(
        models.Interview.status == "completed", models.Interview.id.not_in(sent),
        models.Interview.id.not_in(unscored), models.Interview.id.in_(scored)).limit(BATCH)).all())


def send_due(session, now: datetime | None = None) -> int:
    """Send the summaries that are due; returns how many went into the outbox."""
    now = now or datetime.now(timezone.utc)
    sent = 0
    for interview in _due(session):
        numbers = report_numbers(session, interview)
        if numbers is None:
            continue
        job = session.get(models.Job, interview.job_id)
        row = human_review.record_report(session, interview, numbers, publish=job.report_publishing != report.HR)
        if row.published_at is None:
            continue  # HR publishes this job's reports: the summary goes when they do
        if session.execute(update(models.Report).where(models.Report.id == row.id,
                                                       models.Report.summary_sent_at.is_(None))
                           .values(summary_sent_at=now)).rowcount != 1:
            continue  # another process sent it
        person = session.get(models.User, interview.candidate_id)
        if person is None or not person.is_active or not notifications.valid_address(person.email or ""):
            continue
        _mail(session, person, interview, numbers, row)
        audit.record(session, "report.summary", object_type="report", object_id=row.id, actor="portal")
        sent += 1
    return sent


def _mail(session, person: models.User, interview: models.Interview, numbers, row: models.Report) -> None:
    locale = person.locale
    job = session.get(models.Job, interview.job_id)
    title = pick(locale, job.title_zh, job.title_en)
    by_key = {c.key: c for c in numbers.competencies}
    strengths = "\n".join(f"- {report.plain_words(by_key[k], locale)}" for k in numbers.strengths)
    improve = (f"- {report.plain_words(by_key[numbers.improvements[0]], locale)}" if numbers.improvements
               else gettext(locale, NOTHING_TO_IMPROVE))
    recs = recommendations.recommend(session, person, plan.report_gaps(numbers), limit=1)
    course = ((recs[0].course.title_zh, recs[0].course.title_en, in_zone(recs[0].offering.starts_at, person.timezone))
              if recs else None)
    published = in_zone(row.published_at or datetime.now(timezone.utc), person.timezone)
    steps = decisions.next_steps(row.decision or {}, published, locale, course)
    notifications.enqueue(
        session, person.email, gettext(locale, SUBJECT, job=title),
        gettext(locale, BODY, name=person.display_name or person.email, job=title, strengths=strengths,
                improve=improve, next=steps[0],
                link=get_settings().public_url.rstrip("/") + routes.candidate_report(interview.id)),
        kind="report.summary")
