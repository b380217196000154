"""HR's scheduling: suggested slots (candidate's preferred times, interviewers' working
hours and other interviews), the CSV batch (all rows or none), a move raising SEQUENCE,
a cancellation reaching the candidate and every interviewer with METHOD:CANCEL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select

from portal.models import AuditEvent, EmailOutbox, Interview, InterviewerProfile, Job, SchedulingPreference, User
from portal.services.interviews import scheduling, slots
from portal.services.platform import db, demo
from portal.services.platform.errors import PermissionDenied

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Beijing
BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def env(isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_PUBLIC_URL", "https://talent.example.cn")


@pytest.fixture
def world(db_url):
    with db.session_scope(db_url) as s:
        demo.load_demo(s, now=T0)
        for interview in s.exec(select(Interview)).all():
            interview.status = "completed"
            s.add(interview)
        cand = User(email="li.na@example.cn", display_name="李娜", role="candidate", locale="zh_CN",
                    timezone="Asia/Shanghai")
        s.add(cand)
        s.flush()
        # Tuesdays 14:00-16:00 Beijing time
        s.add(SchedulingPreference(user_id=cand.id, weekday=1, start_minute=14 * 60, end_minute=16 * 60))
        hr = s.exec(select(User).where(User.role == "hr")).one()
        job = s.exec(select(Job).order_by(Job.id)).first()
        linked = s.exec(select(InterviewerProfile).where(InterviewerProfile.user_id.is_not(None))).first()
        interviewer = s.get(User, linked.user_id)
        return {"url": db_url, "hr": hr.id, "cand": cand.id, "job": job.id, "code": job.code,
                "profile": linked.id, "interviewer_email": interviewer.email}


def test_suggested_slots_fit_the_candidates_preferences_and_skip_busy_interviewers(world):
    with db.session_scope(world["url"]) as s:
        hr = s.get(User, world["hr"])
        found = scheduling.suggested_slots(s, hr, world["cand"], (world["profile"],), 45, now=T0, limit=5)
        local = [f.astimezone(BJ) for f in found]
        # Tuesday 24 Nov: 14:00, 14:30, 15:00 (15:15 ends within 16:00), then the next Tuesday
        assert [d.strftime("%a %d %H:%M") for d in local[:3]] == ["Tue 24 14:00", "Tue 24 14:30", "Tue 24 15:00"]
        assert local[3].strftime("%a %d %H:%M") == "Tue 01 14:00"
        # the interviewer is now busy 14:00-14:45 on the 24th (another candidate)
        other = User(email="other@example.cn", role="candidate")
        s.add(other)
        s.flush()
        scheduling.schedule_interview(s, hr, other.id, world["job"], found[0], interviewer_ids=(world["profile"],),
                                      now=T0)
        again = scheduling.suggested_slots(s, hr, world["cand"], (world["profile"],), 45, now=T0, limit=2)
        assert [d.astimezone(BJ).strftime("%d %H:%M") for d in again] == ["24 15:00", "01 14:00"]
        # without that interviewer, the slot is free again
        assert scheduling.suggested_slots(s, hr, world["cand"], (), 45, now=T0, limit=1) == [found[0]]
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "availability.view")).first() is not None


def test_without_preferences_any_working_hour_on_a_weekday(world):
    with db.session_scope(world["url"]) as s:
        s.exec(select(SchedulingPreference)).one()
        for p in s.exec(select(SchedulingPreference)).all():
            s.delete(p)
        s.flush()
        found = slots.suggest(s, world["cand"], (), 60, now=datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc),
                              limit=40)  # Friday 17:00 Beijing
        local = [f.astimezone(BJ) for f in found]
        assert local[0].strftime("%a %d %H:%M") == "Mon 30 09:00"
        assert all(d.weekday() < 5 and 9 <= d.hour and d.hour * 60 + d.minute + 60 <= 18 * 60 for d in local)


def test_a_cancelled_interview_frees_its_slot(world):
    with db.session_scope(world["url"]) as s:
        hr = s.get(User, world["hr"])
        [first] = slots.suggest(s, world["cand"], (), 45, now=T0, limit=1)
        interview = scheduling.schedule_interview(s, hr, world["cand"], world["job"], first, now=T0)
        assert slots.suggest(s, world["cand"], (), 45, now=T0, limit=1) != [first]
        scheduling.cancel_interview(s, hr, interview.id, now=T0)
        assert slots.suggest(s, world["cand"], (), 45, now=T0, limit=1) == [first]


def _count(url) -> int:
    with db.session_scope(url) as s:
        return len(s.exec(select(Interview).where(Interview.status == "scheduled")).all())


def test_a_csv_batch_schedules_every_row_or_none(world):
    good = (f"email,job_code,start,interviewers\n"
            f"li.na@example.cn,{world['code']},2026-12-10 14:00,{world['interviewer_email']}\n"
            f"li.na@example.cn,{world['code']},auto,\n")
    bad = good + f"nobody@example.cn,{world['code']},auto,\nli.na@example.cn,NOPE,2026-12-11 10:00,\n" \
                 f"li.na@example.cn,{world['code']},tomorrow,\n"
    with db.session_scope(world["url"]) as s, pytest.raises(scheduling.BatchErrors) as caught:
        scheduling.schedule_batch(s, s.get(User, world["hr"]), bad, now=T0)
    assert caught.value.rows == {3: scheduling.UNKNOWN_EMAIL, 4: scheduling.UNKNOWN_CODE, 5: scheduling.BAD_START}
    assert _count(world["url"]) == 0
    with db.session_scope(world["url"]) as s:
        assert s.exec(select(EmailOutbox).where(EmailOutbox.to_addr == "li.na@example.cn")).all() == []
    with db.session_scope(world["url"]) as s:
        done = scheduling.schedule_batch(s, s.get(User, world["hr"]), good, now=T0)
        assert [d.scheduled_at.astimezone(BJ).strftime("%m-%d %H:%M") for d in done] == ["12-10 14:00", "11-24 14:00"]
    assert _count(world["url"]) == 2
    with db.session_scope(world["url"]) as s:
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.to_addr == "li.na@example.cn")).all()
        assert len(mails) == 2 and all(m.attachments[0]["filename"] == "interview.ics" for m in mails)
    with db.session_scope(world["url"]) as s, pytest.raises(PermissionDenied):
        scheduling.schedule_batch(s, s.get(User, world["cand"]), good, now=T0)


def test_a_move_raises_sequence_and_a_cancel_reaches_everyone(world):
    with db.session_scope(world["url"]) as s:
        hr = s.get(User, world["hr"])
        at = T0 + timedelta(days=2)
        interview = scheduling.schedule_interview(s, hr, world["cand"], world["job"], at,
                                                  interviewer_ids=(world["profile"],), now=T0)
        scheduling.reschedule_interview(s, hr, interview.id, at + timedelta(hours=1), now=T0)
        [listed] = scheduling.upcoming(s, hr, now=T0)
        assert listed["sequence"] == 1 and listed["at"] == at + timedelta(hours=1)
        scheduling.cancel_interview(s, hr, interview.id, now=T0)
        assert scheduling.upcoming(s, hr, now=T0) == []
        iid = interview.id
    with db.session_scope(world["url"]) as s:
        cand_mails = s.exec(select(EmailOutbox).where(EmailOutbox.to_addr == "li.na@example.cn")
                            .order_by(EmailOutbox.id)).all()
        sequences = [int(Calendar.from_ical(m.attachments[0]["content"]).events[0]["sequence"]) for m in cand_mails]
        assert sequences == [0, 1, 2]
        for to in ("li.na@example.cn", world["interviewer_email"]):
            [mail] = s.exec(select(EmailOutbox).where(EmailOutbox.to_addr == to,
                                                      EmailOutbox.kind == "interview_cancellation")).all()
            cal = Calendar.from_ical(mail.attachments[0]["content"])
            assert str(cal["method"]) == "CANCEL" and str(cal.events[0]["uid"]).startswith(f"interview-{iid}@")
        actions = {e.action for e in s.exec(select(AuditEvent).where(AuditEvent.object_id == iid))}
        assert {"interview.schedule", "interview.reschedule", "interview.cancel"} <= actions


def test_nobody_is_booked_twice_at_once_until_the_first_is_cancelled(world):
    from portal.services.platform.errors import ServiceError

    with db.session_scope(world["url"]) as s:
        hr = s.get(User, world["hr"])
        at = T0 + timedelta(days=2)
        first = scheduling.schedule_interview(s, hr, world["cand"], world["job"], at,
                                              interviewer_ids=(world["profile"],), now=T0)
        other = User(email="other@example.cn", role="candidate")
        s.add(other)
        s.flush()
        with pytest.raises(ServiceError) as caught:  # the interviewer is busy
            scheduling.schedule_interview(s, hr, other.id, world["job"], at + timedelta(minutes=30),
                                          interviewer_ids=(world["profile"],), now=T0)
        assert caught.value.msgid == scheduling.SLOT_TAKEN
        second = scheduling.schedule_interview(s, hr, other.id, world["job"], at + timedelta(hours=1),
                                               interviewer_ids=(world["profile"],), now=T0)
        with pytest.raises(ServiceError):  # moved onto the first: refused
            scheduling.reschedule_interview(s, hr, second.id, at, now=T0)
        scheduling.reschedule_interview(s, hr, first.id, at + timedelta(minutes=15), now=T0)  # itself: fine
        scheduling.cancel_interview(s, hr, first.id, now=T0)
        scheduling.reschedule_interview(s, hr, second.id, at, now=T0)
