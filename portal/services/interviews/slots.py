"""Suggested interview slots: times that fit the candidate's preferred slots (their
own time zone), the interviewers' working hours (9-18 Beijing time, weekdays) and
nobody's other scheduled interview. Cancelled interviews free their slot.
Never imports reflex.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.models import Interview, InterviewAssignment, User
from portal.services.interviews import availability, reminders

WORK_ZONE = ZoneInfo("Asia/Shanghai")
WORK_START, WORK_END = 9 * 60, 18 * 60  # interviewers' working hours, minutes in WORK_ZONE
STEP = timedelta(minutes=30)
HORIZON = timedelta(days=21)


def _busy(session, candidate_id: int, interviewer_ids, exclude_interview: int | None = None
          ) -> list[tuple[datetime, datetime]]:
    """Time ranges (UTC) of the scheduled interviews of the candidate and of the interviewers."""
    ids = set(session.execute(select(Interview.id).where(
        Interview.candidate_id == candidate_id, Interview.status == "scheduled")).scalars())
    if interviewer_ids:
        ids |= set(session.execute(select(InterviewAssignment.interview_id).where(
            InterviewAssignment.interviewer_id.in_(list(interviewer_ids)))).scalars())
    ids.discard(exclude_interview)
    if not ids:
        return []
    rows = session.execute(select(Interview).where(Interview.id.in_(ids), Interview.status == "scheduled")).scalars()
    out = []
    for row in rows:
        start = reminders.as_utc(row.scheduled_at)
        out.append((start, start + timedelta(minutes=row.duration_min)))
    return out


def _in_preferences(start: datetime, end: datetime, zone, prefs: list[availability.Slot]) -> bool:
    if not prefs:
        return True  # no preference recorded: any working time
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() != local_end.date() and local_end.time() != datetime.min.time():
        return False
    a = local_start.hour * 60 + local_start.minute
    b = a + int((end - start).total_seconds() // 60)
    return any(p.weekday == local_start.weekday() and p.start_minute <= a and b <= p.end_minute for p in prefs)


def _working(start: datetime, end: datetime) -> bool:
    local = start.astimezone(WORK_ZONE)
    if local.weekday() >= 5:
        return False
    a = local.hour * 60 + local.minute
    return WORK_START <= a and a + int((end - start).total_seconds() // 60) <= WORK_END


def suggest(session, candidate_id: int, interviewer_ids=(), duration_min: int = 45, *,
            now: datetime | None = None, limit: int = 12, exclude_interview: int | None = None,
            prefs: list[availability.Slot] | None = None) -> list[datetime]:
    """The first ``limit`` start times (aware UTC) on the half hour from tomorrow on that
    suit everyone. The caller checks permissions (HR's scheduling services)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    candidate = session.get(User, candidate_id)
    if candidate is None:
        return []
    zone = reminders.zone_of(candidate)
    if prefs is None:
        prefs = availability._slots(session, candidate_id)
    busy = _busy(session, candidate_id, interviewer_ids, exclude_interview)
    length = timedelta(minutes=duration_min)
    # start at the next half hour at least an hour from now: nobody is invited for right now
    start = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    start += timedelta(minutes=(30 - start.minute % 30) % 30)
    out: list[datetime] = []
    while start < now + HORIZON and len(out) < limit:
        end = start + length
        if _working(start, end) and _in_preferences(start, end, zone, prefs) \
                and not any(b0 < end and start < b1 for b0, b1 in busy):
            out.append(start)
        start += STEP
    return out
