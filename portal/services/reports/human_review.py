"""Asking for a human review of a score report (PIPL art. 24: a person may refuse a
decision made by automated means alone), HR's queue, and the answer, which comes back
to the candidate's report and by e-mail (through the outbox).

A report that a candidate has seen is recorded (``Report``, once, when it is first
shown ready); a review request belongs to it. One open request per report; a reason of
REASON_MIN..REASON_MAX characters; HR (REVIEW_RESOLVE) answers with an explanation of
RESPONSE_MIN..REASON_MAX characters. Everything is audited. Nothing here imports reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import access
from portal.services.platform import audit, notifications
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_, gettext, pick
from portal.services.platform.settings import get_settings
from portal.services.reports.scores import ReportNumbers

REASON_MIN, REASON_MAX, RESPONSE_MIN = 10, 2000, 10
OPEN, RESOLVED = "open", "resolved"

REASON_SHORT = N_("Tell us in a few words why you ask for a review (at least {min} characters).")
REASON_LONG = N_("The reason is too long: at most {max} characters.")
ALREADY_ASKED = N_("You have already asked for a review of this report; you will hear back by e-mail.")
NOT_A_REPORT = N_("This report is not ready yet.")
RESPONSE_SHORT = N_("Explain the outcome to the candidate (at least {min} characters).")
DONE_ALREADY = N_("This review request has been answered already.")
MAIL_SUBJECT = N_("The human review of your score report: {job}")
MAIL_BODY = N_("Hello {name},\n\na person has reviewed your score report for {job}, as you asked.\n\n{response}\n\n"
               "You can read it with your report: {link}\n")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class RequestView:
    id: int
    interview_id: int
    candidate: str
    title_zh: str
    title_en: str
    reason: str
    status: str
    response: str
    created_at: datetime
    resolved_at: datetime | None


def record_report(session, interview: models.Interview, numbers: ReportNumbers, *,
                  publish: bool = True, found: models.Report | None = ...) -> models.Report:
    """The report as it was first recorded; published (to its candidate) now when
    ``publish`` and not yet. No rule decides here: a person confirms each rule's
    proposal (services/interviews/rules.py), and the report reads those decisions.
    ``found``: the interview's Report row (or None) when the caller has read it already."""
    if found is ...:
        found = session.exec(select(models.Report).where(models.Report.interview_id == interview.id)).first()
    if found is not None and (found.published_at is not None or not publish):
        return found
    now = utcnow()
    if found is None:
        found = models.Report(interview_id=interview.id, candidate_id=interview.candidate_id,
                              overall=numbers.overall, percentile=numbers.overall_percentile,
                              strengths=numbers.strengths, improvements=numbers.improvements)
    if publish:
        found.published_at = now
    session.add(found)
    session.flush()  # the unique interview_id keeps a report shown twice at once to one row
    return found


def latest_request(session, report_id: int) -> models.ReviewRequest | None:
    return session.exec(select(models.ReviewRequest).where(models.ReviewRequest.report_id == report_id)
                        .order_by(models.ReviewRequest.id.desc())).first()


def ask(session, user: models.User, interview_id: int, reason: str, *, ip: str = "") -> models.ReviewRequest:
    """The candidate asks for a human review of their (recorded) report."""
    report = session.exec(select(models.Report).where(models.Report.interview_id == interview_id)).first() \
        if isinstance(interview_id, int) else None
    if report is None:
        raise ServiceError(NOT_A_REPORT)
    access.require(user, access.REVIEW_REQUEST, report, session=session, ip=ip)
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < REASON_MIN:
        raise ServiceError(REASON_SHORT, min=REASON_MIN)
    if len(text) > REASON_MAX:
        raise ServiceError(REASON_LONG, max=REASON_MAX)
    earlier = latest_request(session, report.id)
    if earlier is not None and earlier.status != RESOLVED:
        raise ServiceError(ALREADY_ASKED)
    row = models.ReviewRequest(report_id=report.id, requester_id=user.id, reason=text, status=OPEN,
                               created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "review.request", actor_id=user.id, actor=user.email or "", object_type="report",
                 object_id=report.id, ip=ip)
    return row


def _view(request: models.ReviewRequest, report: models.Report, job: models.Job, candidate: models.User
          ) -> RequestView:
    return RequestView(id=request.id, interview_id=report.interview_id, candidate=candidate.display_name,
                       title_zh=job.title_zh, title_en=job.title_en, reason=request.reason, status=request.status,
                       response=request.response, created_at=request.created_at, resolved_at=request.resolved_at)


def queue(session, user: models.User, *, ip: str = "") -> list[RequestView]:
    """HR's queue: open requests first, oldest first; then the answered ones, newest first."""
    access.require(user, access.REVIEW_RESOLVE, session=session, ip=ip)
    rows = session.exec(
        select(models.ReviewRequest, models.Report, models.Job, models.User)
        .join(models.Report, models.Report.id == models.ReviewRequest.report_id)
        .join(models.Interview, models.Interview.id == models.Report.interview_id)
        .join(models.Job, models.Job.id == models.Interview.job_id)
        .join(models.User, models.User.id == models.Report.candidate_id)
        .order_by(models.ReviewRequest.created_at)).all()
    views = [_view(*row) for row in rows]
    audit.record(session, "review.queue", actor_id=user.id, actor=user.email or "", object_type="review",
                 object_id=len(views), ip=ip)
    return [v for v in views if v.status != RESOLVED] + sorted(
        (v for v in views if v.status == RESOLVED), key=lambda v: v.resolved_at or v.created_at, reverse=True)


def resolve(session, user: models.User, request_id: int, response: str, *, ip: str = "") -> models.ReviewRequest:
    """HR answers a request: the explanation goes to the candidate's report and by e-mail."""
    access.require(user, access.REVIEW_RESOLVE, session=session, ip=ip)
    request = session.get(models.ReviewRequest, request_id) if isinstance(request_id, int) else None
    if request is None:
        raise PermissionDenied()
    text = response.strip() if isinstance(response, str) else ""
    if len(text) < RESPONSE_MIN:
        raise ServiceError(RESPONSE_SHORT, min=RESPONSE_MIN)
    if len(text) > REASON_MAX:
        raise ServiceError(REASON_LONG, max=REASON_MAX)
    now = utcnow()
    won = session.execute(update(models.ReviewRequest).where(
        models.ReviewRequest.id == request.id, models.ReviewRequest.status != RESOLVED)
        .values(status=RESOLVED, resolver_id=user.id, response=text, resolved_at=now)).rowcount
    if won != 1:
        raise ServiceError(DONE_ALREADY)
    session.refresh(request)
    report = session.get(models.Report, request.report_id)
    candidate = session.get(models.User, report.candidate_id)
    job = session.get(models.Job, session.get(models.Interview, report.interview_id).job_id)
    locale = candidate.locale
    title = pick(locale, job.title_zh, job.title_en)
    notifications.enqueue(
        session, candidate.email, gettext(locale, MAIL_SUBJECT, job=title),
        gettext(locale, MAIL_BODY, name=candidate.display_name or candidate.email, job=title, response=text,
                link=get_settings().public_url.rstrip("/") + routes.candidate_report(report.interview_id)),
        kind="review.resolved")
    audit.record(session, "review.resolve", actor_id=user.id, actor=user.email or "", object_type="review",
                 object_id=request.id, ip=ip)
    return request
