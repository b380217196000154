"""HR schedules, moves and cancels interviews; the candidate hears of each by
e-mail with a calendar file (portal/services/interviews/reminders.py), queued
in the same transaction as the change. Every change is audited.

Used by the tests now and by HR's pages later. Never imports reflex.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.models import (CompetencyModel, Interview, InterviewAssignment, InterviewerProfile, InterviewStage, Job,
                           User)
from portal.services.accounts import access
from portal.services.interviews import reminders
from portal.services.platform import audit
from portal.services.platform.content_cache import ContentCache
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
SLOT_TAKEN = N_("The candidate or an interviewer has another interview at that time.")


def _check_free(session, candidate_id: int, interviewer_ids, at: datetime, duration_min: int,
                exclude: int | None = None) -> None:
    """Nobody is in two interviews at once (a cancelled one no longer counts)."""
    from portal.services.interviews import slots

    end = at + timedelta(minutes=duration_min)
    if any(b0 < end and at < b1 for b0, b1 in slots._busy(session, candidate_id, interviewer_ids, exclude)):
        raise ServiceError(SLOT_TAKEN)


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
    _check_free(session, candidate.id, profiles, at, duration_min)
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
    assigned = set(session.execute(select(InterviewAssignment.interviewer_id).where(
        InterviewAssignment.interview_id == interview.id)).scalars())
    _check_free(session, interview.candidate_id, assigned, at, interview.duration_min, exclude=interview.id)
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
    if reminders.send_now(session, interview, reminders.CANCELLATION, now=now):
        _tell_interviewers(session, interview, now)
    return interview


INTERVIEWER_CANCEL_SUBJECT = N_("Interview cancelled: {job}, {date} {time}")
INTERVIEWER_CANCEL_BODY = N_("The interview with {name} for {job} on {date} {time} is cancelled; "
                             "the time is free again.")


def _tell_interviewers(session, interview: Interview, now: datetime | None) -> None:
    """Each assigned interviewer with an account hears of the cancellation too, with the
    same METHOD:CANCEL calendar file (same UID and SEQUENCE) as the candidate."""
    from portal.services.platform import notifications
    from portal.services.platform.i18n import gettext, normalize_locale, pick

    _, _, _, attachments = reminders.compose(session, interview, reminders.CANCELLATION, now=now)
    candidate = session.get(User, interview.candidate_id)
    job = session.get(Job, interview.job_id)
    users = session.execute(select(User).join(InterviewerProfile, InterviewerProfile.user_id == User.id)
                            .join(InterviewAssignment, InterviewAssignment.interviewer_id == InterviewerProfile.id)
                            .where(InterviewAssignment.interview_id == interview.id)).scalars()
    for user in users:
        if not user.is_active or user.email == candidate.email:
            continue
        locale = normalize_locale(user.locale)
        values = {"name": candidate.display_name or candidate.email, "job": pick(locale, job.title_zh, job.title_en),
                  **reminders.when_values(interview, user)}
        notifications.enqueue(session, user.email, gettext(locale, INTERVIEWER_CANCEL_SUBJECT, **values),
                              gettext(locale, INTERVIEWER_CANCEL_BODY, **values),
                              kind="interview_cancellation", attachments=attachments)


def suggested_slots(session, actor: User, candidate_id: int, interviewer_ids=(), duration_min: int = 45, *,
                    ip: str = "", now: datetime | None = None, limit: int = 12) -> list[datetime]:
    """HR: start times that suit the candidate's preferred slots and the interviewers."""
    from portal.services.interviews import availability, slots

    _, prefs = availability.candidate_slots(session, actor, candidate_id, ip=ip)  # checks and audits the read
    return slots.suggest(session, candidate_id, interviewer_ids, duration_min, now=now, limit=limit, prefs=prefs)


def upcoming(session, actor: User, *, ip: str = "", now: datetime | None = None) -> list[dict]:
    """HR: scheduled interviews from an hour ago on, soonest first, with who and what."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    now = now or utcnow()
    rows = session.execute(select(Interview, User, Job).join(User, User.id == Interview.candidate_id)
                           .join(Job, Job.id == Interview.job_id)
                           .where(Interview.status == "scheduled",
                                  Interview.scheduled_at >= now - timedelta(hours=1))
                           .order_by(Interview.scheduled_at)).all()
    return [{"id": i.id, "candidate": u.display_name or u.email, "email": u.email, "job_zh": j.title_zh,
             "job_en": j.title_en, "at": reminders.as_utc(i.scheduled_at), "duration": i.duration_min,
             "sequence": i.sequence} for i, u, j in rows]


BATCH_HEADER = N_("The file needs the columns email, job_code, start (and optionally interviewers).")
BATCH_EMPTY = N_("The file has no rows.")
BATCH_TOO_MANY = N_("At most {max} rows at once.")
UNKNOWN_EMAIL = N_("No active candidate has this e-mail address.")
UNKNOWN_CODE = N_("No position has this code.")
BAD_START = N_("Write the start as 2026-12-10 14:00 (Beijing time) or auto.")
NO_FREE_SLOT = N_("No suggested slot is free for this candidate and these interviewers.")
UNKNOWN_INTERVIEWER_EMAIL = N_("No active interviewer has this e-mail address.")
MAX_BATCH = 200
BATCH_ZONE = "Asia/Shanghai"


class BatchErrors(ServiceError):
    """Some rows are bad: ``rows`` maps each bad row's number (1 = first data row) to its msgid."""

    def __init__(self, rows: dict[int, str]) -> None:
        super().__init__(rows[min(rows)])
        self.rows = rows


def schedule_batch(session, actor: User, text: str, *, duration_min: int = 45, ip: str = "",
                   now: datetime | None = None) -> list[Interview]:
    """Schedule every row of a CSV (email,job_code,start[,interviewers]), each with its
    invitation and .ics, or none of them when any row is bad (BatchErrors)."""
    import csv
    import io
    from zoneinfo import ZoneInfo

    from portal.services.interviews import slots

    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    now = now or utcnow()
    reader = csv.DictReader(io.StringIO((text or "").lstrip("\ufeff")))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or ()}
    if not {"email", "job_code", "start"} <= fields:
        raise ServiceError(BATCH_HEADER)
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    rows = [r for r in rows if any(r.values())]
    if not rows:
        raise ServiceError(BATCH_EMPTY)
    if len(rows) > MAX_BATCH:
        raise ServiceError(BATCH_TOO_MANY, max=MAX_BATCH)
    errors: dict[int, str] = {}
    done: list[Interview] = []
    savepoint = session.begin_nested()  # all rows or none: a bad row rolls back the good ones
    for number, row in enumerate(rows, start=1):
        try:
            candidate = session.execute(select(User).where(User.email == row.get("email", "").lower(),
                                                           User.role == "candidate")).scalars().first()
            if candidate is None or not candidate.is_active:
                raise ServiceError(UNKNOWN_EMAIL)
            job = session.execute(select(Job).where(Job.code == row.get("job_code", ""))).scalars().first()
            if job is None:
                raise ServiceError(UNKNOWN_CODE)
            profile_ids: list[int] = []
            for address in filter(None, (a.strip().lower() for a in row.get("interviewers", "").replace(";", " ")
                                         .replace(",", " ").split())):
                profile = session.execute(select(InterviewerProfile).join(User, User.id == InterviewerProfile.user_id)
                                          .where(User.email == address, InterviewerProfile.is_active.is_(True))
                                          ).scalars().first()
                if profile is None:
                    raise ServiceError(UNKNOWN_INTERVIEWER_EMAIL)
                profile_ids.append(profile.id)
            start = row.get("start", "")
            if start.lower() == "auto":
                found = slots.suggest(session, candidate.id, profile_ids, duration_min, now=now, limit=1)
                if not found:
                    raise ServiceError(NO_FREE_SLOT)
                at = found[0]
            else:
                try:
                    at = datetime.strptime(start, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(BATCH_ZONE))
                except ValueError:
                    raise ServiceError(BAD_START) from None
            with session.begin_nested():
                done.append(schedule_interview(session, actor, candidate.id, job.id, at, duration_min=duration_min,
                                               interviewer_ids=tuple(profile_ids), ip=ip, now=now))
        except ServiceError as exc:
            errors[number] = exc.msgid
    if errors:
        savepoint.rollback()
        raise BatchErrors(errors)
    savepoint.commit()
    audit.record(session, "interview.schedule_batch", actor_id=actor.id, actor=actor.email,
                 object_type="interview", object_id=None, ip=ip)
    return done


def find_candidates(session, actor: User, query: str, *, ip: str = "", limit: int = 20) -> list[dict]:
    """HR: active candidates whose e-mail or name contains ``query`` (audited: a read of
    other people's data)."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    text = (query or "").strip()[:100]
    if not text:
        return []
    pattern = f"%{text}%"
    rows = session.execute(select(User).where(User.role == "candidate", User.is_active.is_(True),
                                              (User.email.ilike(pattern)) | (User.display_name.ilike(pattern)))
                           .order_by(User.email).limit(limit)).scalars()
    audit.record(session, "candidate.search", actor_id=actor.id, actor=actor.email, object_type="user", ip=ip)
    return [{"id": u.id, "email": u.email, "name": u.display_name} for u in rows]


def _options(session) -> tuple[tuple, tuple]:
    # The jobs with a current model and their stages in one statement (was one per job).
    current = select(CompetencyModel.job_id).where(CompetencyModel.is_current.is_(True))
    found: dict[int, tuple] = {}
    for job, stage in session.execute(
            select(Job, InterviewStage).outerjoin(InterviewStage, InterviewStage.job_id == Job.id)
            .where(Job.id.in_(current)).order_by(Job.id, InterviewStage.position, InterviewStage.id)):
        entry = found.setdefault(job.id, (job.id, job.code, job.title_zh, job.title_en, []))
        if stage is not None:
            entry[4].append((stage.name_zh, stage.name_en, stage.duration_min))
    people = session.execute(select(InterviewerProfile.id, InterviewerProfile.name_zh, InterviewerProfile.name_en)
                             .where(InterviewerProfile.is_active.is_(True)).order_by(InterviewerProfile.id)).all()
    return (tuple((*job[:4], tuple(job[4])) for job in found.values()), tuple(tuple(p) for p in people))


# Positions, their models and stages, and the interviewers change only by HR's edits.
_OPTIONS = ContentCache("schedule_options", (Job, CompetencyModel, InterviewStage, InterviewerProfile), _options)


def options(session, actor: User, *, ip: str = "") -> tuple[list[dict], list[dict]]:
    """HR: (jobs with a current competency model and their stages, active interviewers),
    from the per-process copy."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    jobs, people = _OPTIONS.get(session)
    return ([{"id": i, "code": code, "title_zh": zh, "title_en": en, "stages": list(stages)}
             for i, code, zh, en, stages in jobs],
            [{"id": i, "name_zh": zh, "name_en": en} for i, zh, en in people])
