"""A candidate's preferred time slots: validated as a whole, replaced at once, read by HR (audited)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import AuditEvent, SchedulingPreference, User
from portal.services.interviews import availability
from portal.services.interviews.availability import Slot, SlotErrors
from portal.services.platform import db
from portal.services.platform.errors import PermissionDenied, ServiceError


@pytest.fixture
def people(db_url, isolated_data_dir):
    with db.session_scope(db_url) as s:
        users = {role: User(email=f"{role}@example.cn", role=role) for role in ("candidate", "hr", "employee")}
        users["other"] = User(email="other@example.cn", role="candidate")
        for user in users.values():
            s.add(user)
        s.flush()
        return {name: user.id for name, user in users.items()}


def _row(weekday, start, end) -> dict:
    return {"weekday": str(weekday), "start": start, "end": end}


def test_slots_are_saved_sorted_and_replace_the_previous_ones(db_url, people):
    with db.session_scope(db_url) as s:
        cand = s.get(User, people["candidate"])
        availability.save_slots(s, cand, [_row(2, "14:00", "17:30"), _row(0, "09:00", "12:00"),
                                          _row(0, "12:00", "13:00")])  # touching is not overlapping
    with db.session_scope(db_url) as s:
        assert availability.own_slots(s, s.get(User, people["candidate"])) == [
            Slot(0, 540, 720), Slot(0, 720, 780), Slot(2, 840, 1050)]
        availability.save_slots(s, s.get(User, people["candidate"]), [_row(4, "19:00", "24:00")])
    with db.session_scope(db_url) as s:
        [slot] = availability.own_slots(s, s.get(User, people["candidate"]))
        assert (slot.start, slot.end) == ("19:00", "24:00")
        assert [e.action for e in s.exec(select(AuditEvent))] == ["availability.update"] * 2


@pytest.mark.parametrize(("rows", "errors"), [
    ([_row(0, "10:00", "09:00")], {0: availability.END_BEFORE_START}),
    ([_row(0, "10:00", "10:00")], {0: availability.END_BEFORE_START}),
    ([_row(0, "10:00", "10:10")], {0: availability.TOO_SHORT}),
    ([_row(7, "10:00", "11:00")], {0: availability.BAD_WEEKDAY}),
    ([_row("", "10:00", "11:00")], {0: availability.BAD_WEEKDAY}),
    ([_row(1, "25:00", "26:00")], {0: availability.BAD_TIME}),
    ([_row(1, "9", "10:00")], {0: availability.BAD_TIME}),
    ([_row(1, "", "10:00")], {0: availability.BAD_TIME}),
    ([_row(3, "09:00", "11:00"), _row(4, "09:00", "11:00"), _row(3, "10:30", "12:00")],
     {2: availability.OVERLAP}),
    ([_row(3, "09:00", "11:00"), _row(3, "08:00", "10:00"), _row(1, "11:00", "10:00")],
     {1: availability.OVERLAP, 2: availability.END_BEFORE_START}),
])
def test_bad_slots_are_named_and_change_nothing(db_url, people, rows, errors):
    with db.session_scope(db_url) as s:
        availability.save_slots(s, s.get(User, people["candidate"]), [_row(5, "10:00", "11:00")])
    with db.session_scope(db_url) as s, pytest.raises(SlotErrors) as refused:
        availability.save_slots(s, s.get(User, people["candidate"]), rows)
    assert refused.value.rows == errors
    with db.session_scope(db_url) as s:
        assert availability.own_slots(s, s.get(User, people["candidate"])) == [Slot(5, 600, 660)]


def test_at_most_twenty_slots(db_url, people):
    rows = [_row(day, f"{hour:02d}:00", f"{hour:02d}:30") for day in range(7) for hour in range(8, 11)]
    assert len(rows) == 21
    with db.session_scope(db_url) as s, pytest.raises(ServiceError) as refused:
        availability.save_slots(s, s.get(User, people["candidate"]), rows)
    assert refused.value.msgid == availability.TOO_MANY and refused.value.params == {"max": 20}
    with db.session_scope(db_url) as s:
        assert len(availability.save_slots(s, s.get(User, people["candidate"]), rows[:20])) == 20


def test_hr_reads_a_candidates_slots_and_the_read_is_audited(db_url, people):
    with db.session_scope(db_url) as s:
        availability.save_slots(s, s.get(User, people["candidate"]), [_row(1, "09:00", "10:00")])
    with db.session_scope(db_url) as s:
        zone, slots = availability.candidate_slots(s, s.get(User, people["hr"]), people["candidate"])
        assert (zone, slots) == ("Asia/Shanghai", [Slot(1, 540, 600)])
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "availability.view")).one()
        assert event.object_id == str(people["candidate"])


def test_nobody_else_reads_or_writes_them(db_url, people):
    with db.session_scope(db_url) as s:
        for who in ("other", "employee"):
            with pytest.raises(PermissionDenied):
                availability.candidate_slots(s, s.get(User, people[who]), people["candidate"])
        with pytest.raises(PermissionDenied):
            availability.save_slots(s, s.get(User, people["employee"]), [_row(1, "09:00", "10:00")])
        with pytest.raises(PermissionDenied):
            availability.save_slots(s, s.get(User, people["hr"]), [_row(1, "09:00", "10:00")])
    with db.session_scope(db_url) as s:
        assert s.exec(select(SchedulingPreference)).all() == []
