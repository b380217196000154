"""A candidate's score report for one interview: the numbers (scores.py), the radar chart
(charts.py) and the sentences of their own answers that supported each competency.

Who sees it: the candidate themself (their own data), the interviewers assigned to the
interview and HR (the access policy's REPORT_VIEW); evidence quotes only to those who
may read them (the candidate, the assigned interviewer, a re-authenticated HR
manager). Every viewing is audited. A report is ready once the interview is completed
and every answer is scored; it is then published to the candidate automatically, or,
for a job whose reports HR publishes (``Job.report_publishing == "hr"``), when HR
publishes it from the interview's review page. Nothing here imports reflex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal import models
from portal.models import aware, utcnow
from portal.services.accounts import access
from portal.services.development import courses as course_rules
from portal.services.development import plan, recommendations
from portal.services.interviews import rules
from portal.services.interviews.recordings import _valid_id
from portal.services.platform import audit, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_, format_number, gettext, pick
from portal.services.reports import charts, human_review
from portal.services.reports.scores import (CompetencyResult, ReportNumbers, has_unscored_answer, report_numbers,
                                            report_numbers_from, report_scores_query)

HR = "hr"  # Job.report_publishing: HR publishes the job's reports
PUBLISHED_ALREADY = N_("This report is already published.")
YOU = N_("You")
REQUIRED = N_("Required level")
MEDIAN = N_("Median of candidates for this job")
CHART_TITLE = N_("Your competency scores against the job's required levels")
HIGHER_THAN = N_("Higher than {percent}% of candidates for this job")
SMALL_COHORT = N_("Compared with other candidates once at least 5 have been interviewed for this job.")
ABOVE = N_("{name}: {score}, {margin} above the required {required}")
BELOW = N_("{name}: {score}, {margin} below the required {required}")
AT = N_("{name}: {score}, at the required level")


@dataclass
class CandidateReport:
    interview_id: int
    candidate_id: int
    title_zh: str
    title_en: str
    scheduled_at: datetime
    ready: bool  # completed and every answer scored
    numbers: ReportNumbers | None
    review_status: str = ""  # the latest human review request: "" none, open, resolved
    review_response: str = ""
    published_at: datetime | None = None
    # decisions a person confirmed or overrode on HR's rules (rules.FiringView); never a pending one
    decisions: list = field(default_factory=list)
    names: dict = field(default_factory=dict)  # competency key -> (Chinese, English) name, for the rules
    recommended: list = field(default_factory=list)  # courses for the report's gaps (the candidate's own view only)
    awaiting_hr: bool = False  # scored, but HR publishes this job's reports and has not yet



def _head(interview_id: int):
    """(interview, job, whether every answer is scored, the recorded report, its latest
    review request); no row for an unknown interview."""
    asked = aliased(models.ReviewRequest)
    latest = select(func.max(asked.id)).where(asked.report_id == models.Report.id).scalar_subquery()
    return (select(models.Interview, models.Job, has_unscored_answer(models.Interview.id), models.Report,
                   models.ReviewRequest)
            .join(models.Job, models.Job.id == models.Interview.job_id)
            .outerjoin(models.Report, models.Report.interview_id == models.Interview.id)
            .outerjoin(models.ReviewRequest, models.ReviewRequest.id == latest)
            .where(models.Interview.id == interview_id))


def candidate_report(session, user: models.User, interview_id: int, *,
                     user_session: models.UserSession | None = None, ip: str = "") -> CandidateReport:
    if not _valid_id(interview_id):
        raise PermissionDenied()
    # One statement for all the report may show; what the caller may not see is dropped
    # unread (the quotes stay encrypted), the courses are the candidate's own only.
    head, scored, runs, pref, decisions = db.together(
        session, _head(interview_id), report_scores_query(interview_id, evidence=True),
        course_rules.open_runs_not_taken(user.id, course_rules.competency_tags(session), utcnow()),
        select(models.LearningPreference).where(models.LearningPreference.user_id == user.id),
        rules.decisions_query(interview_id))
    if not head:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    interview, job, unscored, recorded, review = head[0]
    access.require(user, access.REPORT_VIEW, interview, session=session, ip=ip)
    ready = interview.status == "completed" and not unscored
    quotes = access.can_view_field(user, "evidence_enc", interview, session=session, user_session=user_session)
    numbers = report_numbers_from(session, interview, scored, evidence=quotes) if ready else None
    recommended = []
    awaiting = False
    if numbers is not None:  # recorded as it is first shown; a human review refers to it
        shown = recorded
        recorded = human_review.record_report(session, interview, numbers, publish=job.report_publishing != HR,
                                              found=recorded)
        if recorded is not shown:
            review = None  # recorded just now: nobody can have asked about it
        if recorded.published_at is None and user.id == interview.candidate_id:
            numbers, awaiting, review = None, True, None  # the job's reports are published by HR: not yet
        if numbers is not None and user.id == interview.candidate_id:
            recommended = recommendations.recommend(session, user, plan.report_gaps(numbers),
                                                    pref=pref[0] if pref else None,
                                                    runs=course_rules.open_runs_by_course(runs))
    else:
        recorded = review = None
    decided = rules.firing_views_from(decisions) if numbers is not None else []
    audit.record(session, "report.view", actor_id=user.id, actor=user.email or "", object_type="interview",
                 object_id=interview.id, ip=ip)
    return CandidateReport(interview_id=interview.id, candidate_id=interview.candidate_id, title_zh=job.title_zh,
                           title_en=job.title_en, scheduled_at=aware(interview.scheduled_at),
                           ready=ready and numbers is not None, numbers=numbers, awaiting_hr=awaiting,
                           review_status=review.status if review else "",
                           review_response=review.response if review else "",
                           published_at=aware(recorded.published_at) if recorded and recorded.published_at else None,
                           decisions=decided, names=rules.competency_names(session, job.id) if decided else {},
                           recommended=recommended)


def is_ready(session, interview: models.Interview) -> bool:
    """Completed, and every answer of it scored."""
    unscored = session.exec(
        select(models.Answer.id).outerjoin(models.AnswerScore, models.AnswerScore.answer_id == models.Answer.id)
        .where(models.Answer.interview_id == interview.id, models.Answer.is_practice.is_(False),
               models.AnswerScore.id.is_(None))).first()
    return interview.status == "completed" and unscored is None


NOT_PUBLISHED, PUBLISHED = "waiting", "published"


def publication(session, interview_id: int) -> str:
    """"" while the report is not ready, else whether it is published to the candidate."""
    interview = session.get(models.Interview, interview_id)
    if interview is None or not is_ready(session, interview):
        return ""
    row = session.exec(select(models.Report).where(models.Report.interview_id == interview_id)).first()
    return PUBLISHED if row is not None and row.published_at is not None else NOT_PUBLISHED


def publish(session, user: models.User, interview_id: int, *, ip: str = "") -> models.Report:
    """HR publishes a ready report to its candidate (jobs whose reports HR publishes)."""
    access.require(user, access.REPORT_PUBLISH, session=session, ip=ip)
    interview = session.get(models.Interview, interview_id) if _valid_id(interview_id) else None
    if interview is None:
        raise PermissionDenied()
    numbers = report_numbers(session, interview) if is_ready(session, interview) else None
    if numbers is None:
        raise ServiceError(human_review.NOT_A_REPORT)
    if publication(session, interview.id) == PUBLISHED:
        raise ServiceError(PUBLISHED_ALREADY)
    row = human_review.record_report(session, interview, numbers, publish=True)
    audit.record(session, "report.publish", actor_id=user.id, actor=user.email or "", object_type="report",
                 object_id=row.id, ip=ip)
    return row


def candidate_of(session, found: CandidateReport) -> models.User:
    """The person the report is about (its cover names them)."""
    return session.get(models.User, found.candidate_id)


def radar(numbers: ReportNumbers, locale: str) -> str:
    """The report's radar chart in ``locale``: the candidate, the required levels, and the
    cohort's median when the cohort is large enough to be shown."""
    comps = numbers.competencies
    series = [(gettext(locale, YOU), [c.score for c in comps], "#3e63dd", False),
              (gettext(locale, REQUIRED), [c.required for c in comps], "#e5484d", True)]
    if all(c.cohort_median is not None for c in comps):
        series.append((gettext(locale, MEDIAN), [c.cohort_median for c in comps], "#8e8c99", True))
    return charts.radar_svg([pick(locale, c.name_zh, c.name_en) for c in comps], series,
                            gettext(locale, CHART_TITLE))


def _n(value: float, locale: str) -> str:
    return format_number(round(value), locale)


def percentile_words(percentile: float | None, locale: str) -> str:
    """"Higher than 80% of candidates for this job", or why there is no comparison yet."""
    if percentile is None:
        return gettext(locale, SMALL_COHORT)
    return gettext(locale, HIGHER_THAN, percent=_n(percentile, locale))


def plain_words(c: CompetencyResult, locale: str) -> str:
    """A strength or an area to improve in plain words: the score against the requirement."""
    margin = round(c.score) - round(c.required)  # of the numbers as shown
    msgid = ABOVE if margin > 0 else BELOW if margin < 0 else AT
    return gettext(locale, msgid, name=pick(locale, c.name_zh, c.name_en), score=_n(c.score, locale),
                   margin=_n(abs(margin), locale), required=_n(c.required, locale))
