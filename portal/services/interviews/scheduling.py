"""HR schedules, moves and cancels interviews; the candidate hears of each by
e-mail with a calendar file (portal/services/interviews/reminders.py), queued
in the same transaction as the change. Every change is audited.

Used by the tests now and by HR's pages later. Never imports reflex.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.models import CompetencyModel, Interview, InterviewAssignment, InterviewerProfile, Job, User
from portal.services.accounts import access
from portal.services.interviews import reminders
from portal.services.platform import audit
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

MIN_DURATION, MAX_DURATION = 10, 240
MAX_AHEAD = timedelta(days=366)

NOT_A_CANDIDATE = N_("Choose an active candidate.")
UNKNOWN_JOB = N_("Choose an existing position.")
NO_MODEL = N_("This position has no competency model yet.")
TIME_IN_PAST = N_("Choose a time in the future.")
TIME_TOO_FAR = N_("Choose a time within the next year.")
BAD_DURATION = N_("An interview lasts between 10 and 240 minutes.")
UNKNOWN_INTERVIEW = N_("This interview does not exist.")
NOT_SCHEDULED = N_("Only a scheduled interview can be moved or cancelled.")
SAME_TIME = N_("The interview is already at that time.")
UNKNOWN_INTERVIEWER = N_("Choose active interviewers.")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _check_time(value: datetime, now: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ServiceError(TIME_IN_PAST)  # a time without a zone is ambiguous: refuse it
    value = value.astimezone(timezone.utc).replace(second=0, microsecond=0)  # interviews start on the minute
    if value <= now:
        raise ServiceError(TIME_IN_PAST)
    if value > now + MAX_AHEAD:
        raise ServiceError(TIME_TOO_FAR)
    return value


def _scheduled(session, interview_id: int) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise ServiceError(UNKNOWN_INTERVIEW)
    if interview.status != "scheduled":
        raise ServiceError(NOT_SCHEDULED)
    return interview


def schedule_interview(session, actor: User, candidate_id: int, job_id: int, scheduled_at: datetime, *,
                       duration_min: int = 45, interviewer_ids: tuple[int, ...] = (), ip: str = "",
                       now: datetime | None = None) -> Interview:
    """A new interview for ``candidate_id`` at ``scheduled_at`` (aware); the invitation is queued."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    now = now or utcnow()
    candidate = session.get(User, candidate_id)
    if candidate is None or candidate.role != "candidate" or not candidate.is_active:
        raise ServiceError(NOT_A_CANDIDATE)
    if session.get(Job, job_id) is None:
        raise ServiceError(UNKNOWN_JOB)
    model = session.execute(select(CompetencyModel).where(
        CompetencyModel.job_id == job_id, CompetencyModel.is_current.is_(True))).scalars().first()
    if model is None:
        raise ServiceError(NO_MODEL)
    if not isinstance(duration_min, int) or not MIN_DURATION <= duration_min <= MAX_DURATION:
        raise ServiceError(BAD_DURATION)
    at = _check_time(scheduled_at, now)
    profiles = set(interviewer_ids)
    if profiles:
        found = set(session.execute(select(InterviewerProfile.id).where(
            InterviewerProfile.id.in_(profiles), InterviewerProfile.is_active.is_(True))).scalars())
        if found != profiles:
            raise ServiceError(UNKNOWN_INTERVIEWER)
    interview = Interview(candidate_id=candidate.id, job_id=job_id, model_id=model.id, scheduled_at=at,
                          duration_min=duration_min, status="scheduled", sequence=0)
    session.add(interview)
    session.flush()
    for profile_id in sorted(profiles):
        session.add(InterviewAssignment(interview_id=interview.id, interviewer_id=profile_id))
    audit.record(session, "interview.schedule", actor_id=actor.id, actor=actor.email,
                 object_type="interview", object_id=interview.id, ip=ip)
    reminders.send_now(session, interview, reminders.INVITATION, now=now)
    return interview


def reschedule_interview(session, actor: User, interview_id: int, scheduled_at: datetime, *,
                         ip: str = "", now: datetime | None = None) -> Interview:
    """Move an interview: SEQUENCE is raised and an updated invitation is queued; the
    reminders follow the new time."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    now = now or utcnow()
    interview = _scheduled(session, interview_id)
    at = _check_time(scheduled_at, now)
    if reminders.as_utc(interview.scheduled_at) == at:
        raise ServiceError(SAME_TIME)
    interview.scheduled_at = at
    interview.sequence += 1
    session.add(interview)
    reminders.forget_claims(session, interview)  # moved back to a time it had once: announce it again
    audit.record(session, "interview.reschedule", actor_id=actor.id, actor=actor.email,
                 object_type="interview", object_id=interview.id, ip=ip)
    reminders.send_now(session, interview, reminders.INVITATION, now=now)
    return interview


def cancel_interview(session, actor: User, interview_id: int, *, ip: str = "",
                     now: datetime | None = None) -> Interview:
    """Cancel a scheduled interview; the candidate gets a METHOD:CANCEL calendar update."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    interview = _scheduled(session, interview_id)
    interview.status = "cancelled"
    interview.sequence += 1  # RFC 5546: a CANCEL carries a higher SEQUENCE than the request
    session.add(interview)
    audit.record(session, "interview.cancel", actor_id=actor.id, actor=actor.email,
                 object_type="interview", object_id=interview.id, ip=ip)
    reminders.send_now(session, interview, reminders.CANCELLATION, now=now)
    return interview
