"""A candidate's preferred time slots for future interviews (weekday and time
range in their own time zone), which HR reads when scheduling.

A slot is a weekday (0 = Monday) and a range of minutes from midnight
[start, end) within that day. Saving replaces all of a candidate's slots at
once, and only when every slot is valid: end after start, on one day, at least
15 minutes, at most ``MAX_SLOTS``, no two overlapping on the same weekday
(touching is fine). Never imports reflex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from portal.models import SchedulingPreference, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

MAX_SLOTS = 20
MIN_MINUTES = 15
DAY = 24 * 60

TOO_MANY = N_("At most {max} time slots.")
BAD_WEEKDAY = N_("Choose a day of the week.")
BAD_TIME = N_("Enter times as hours and minutes, e.g. 09:30.")
END_BEFORE_START = N_("The end must be after the start.")
TOO_SHORT = N_("A time slot lasts at least 15 minutes.")
OVERLAP = N_("This time slot overlaps another one on the same day.")
NOT_A_CANDIDATE = N_("Choose an active candidate.")

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int
    start_minute: int
    end_minute: int

    @property
    def start(self) -> str:
        return hhmm(self.start_minute)

    @property
    def end(self) -> str:
        return hhmm(self.end_minute)


class SlotErrors(ServiceError):
    """Some slots are invalid: ``rows`` maps each bad slot's position to its msgid."""

    def __init__(self, rows: dict[int, str]) -> None:
        first = rows[min(rows)]
        super().__init__(first)
        self.rows = rows


def hhmm(minute: int) -> str:
    return "24:00" if minute >= DAY else f"{minute // 60:02d}:{minute % 60:02d}"


def _minute(value: object, *, end: bool) -> int | None:
    text = str(value or "").strip()
    if end and text in ("24:00", "00:00"):
        return DAY  # "until midnight"
    m = _TIME.match(text)
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None


def parse(rows: list[dict]) -> list[Slot]:
    """Check the slots as the form sends them ({"weekday", "start", "end"}, strings);
    raises SlotErrors with a message for each bad one, or ServiceError for too many."""
    if len(rows) > MAX_SLOTS:
        raise ServiceError(TOO_MANY, max=MAX_SLOTS)
    errors: dict[int, str] = {}
    slots: list[tuple[int, Slot]] = []
    for index, row in enumerate(rows):
        weekday = str(row.get("weekday", "")).strip()
        start, end = _minute(row.get("start"), end=False), _minute(row.get("end"), end=True)
        if not (weekday.isdigit() and 0 <= int(weekday) <= 6):
            errors[index] = BAD_WEEKDAY
        elif start is None or end is None:
            errors[index] = BAD_TIME
        elif end <= start:
            errors[index] = END_BEFORE_START
        elif end - start < MIN_MINUTES:
            errors[index] = TOO_SHORT
        else:
            slots.append((index, Slot(int(weekday), start, end)))
    for i, (index, slot) in enumerate(slots):
        for other_index, other in slots[:i]:
            if slot.weekday == other.weekday and slot.start_minute < other.end_minute \
                    and other.start_minute < slot.end_minute:
                errors.setdefault(index, OVERLAP)
    if errors:
        raise SlotErrors(errors)
    return sorted(slot for _, slot in slots)


def own_slots(session, user: User) -> list[Slot]:
    access.require(user, access.AVAILABILITY_EDIT, session=session)
    return _slots(session, user.id)


def _slots(session, user_id: int) -> list[Slot]:
    rows = session.execute(select(SchedulingPreference).where(SchedulingPreference.user_id == user_id)).scalars()
    return sorted(Slot(r.weekday, r.start_minute, r.end_minute) for r in rows)


def save_slots(session, user: User, rows: list[dict], *, ip: str = "") -> list[Slot]:
    """Replace the candidate's slots with ``rows`` (all valid, or nothing changes)."""
    access.require(user, access.AVAILABILITY_EDIT, session=session, ip=ip)
    slots = parse(rows)
    session.execute(delete(SchedulingPreference).where(SchedulingPreference.user_id == user.id))
    for slot in slots:
        session.add(SchedulingPreference(user_id=user.id, weekday=slot.weekday, start_minute=slot.start_minute,
                                         end_minute=slot.end_minute))
    audit.record(session, "availability.update", actor_id=user.id, actor=user.email,
                 object_type="user", object_id=user.id, ip=ip)
    return slots


def candidate_slots(session, actor: User, candidate_id: int, *, ip: str = "") -> tuple[str, list[Slot]]:
    """HR, scheduling: (the candidate's time zone, their preferred slots). The read of
    another person's data is audited."""
    access.require(actor, access.INTERVIEW_SCHEDULE, session=session, ip=ip)
    candidate = session.get(User, candidate_id)
    if candidate is None or candidate.role != "candidate":
        raise ServiceError(NOT_A_CANDIDATE)
    audit.record(session, "availability.view", actor_id=actor.id, actor=actor.email,
                 object_type="user", object_id=candidate.id, ip=ip)
    return candidate.timezone, _slots(session, candidate.id)
