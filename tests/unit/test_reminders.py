"""Interview e-mails: invitation, 24 h and 1 h reminders and cancellation, each with an
.ics read back with icalendar; claimed exactly once across threads, processes and restarts."""

from __future__ import annotations

import email
import multiprocessing
import threading
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
from icalendar import Calendar
from sqlmodel import select

from portal.models import AuditEvent, EmailOutbox, Interview, InterviewReminder, Job, User
from portal.services.interviews import reminders, scheduling
from portal.services.platform import db, demo, notifications
from portal.services.platform.errors import PermissionDenied, ServiceError

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


@pytest.fixture(autouse=True)
def env(isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_PUBLIC_URL", "https://talent.example.cn")


@pytest.fixture
def world(db_url):
    """Demo content (jobs, templates, HR) and a candidate of our own; returns ids."""
    with db.session_scope(db_url) as s:
        demo.load_demo(s, now=T0)
        # the demo candidate's interview is not what these tests count
        for interview in s.exec(select(Interview)).all():
            interview.status = "completed"
            s.add(interview)
        cand = User(email="li.na@example.cn", display_name="李娜", role="candidate", locale="zh_CN")
        s.add(cand)
        s.flush()
        hr = s.exec(select(User).where(User.role == "hr")).one()
        job = s.exec(select(Job).order_by(Job.id)).first()
        return {"url": db_url, "hr": hr.id, "cand": cand.id, "job": job.id, "job_zh": job.title_zh,
                "job_en": job.title_en}


def _schedule(w, at: datetime, now: datetime = T0, **kw) -> int:
    with db.session_scope(w["url"]) as s:
        return scheduling.schedule_interview(s, s.get(User, w["hr"]), w["cand"], w["job"], at, now=now, **kw).id


def _mails(w, to: str = "li.na@example.cn") -> list[EmailOutbox]:
    with db.session_scope(w["url"]) as s:
        return list(s.exec(select(EmailOutbox).where(EmailOutbox.to_addr == to).order_by(EmailOutbox.id)))


def _ics(row: EmailOutbox) -> Calendar:
    [attachment] = row.attachments
    assert attachment["filename"] == "interview.ics"
    return Calendar.from_ical(attachment["content"])


def test_the_invitation_carries_a_calendar_entry_in_the_candidates_zone_and_language(world):
    at = T0 + timedelta(days=3)
    interview_id = _schedule(world, at, duration_min=45)
    [mail] = _mails(world)
    assert mail.kind == "interview_invitation"
    assert mail.subject == f"【Talent Portal】面试邀请：{world['job_zh']}，2026年11月26日星期四 10:00"
    assert "2026年11月26日星期四 10:00（中国标准时间，UTC+08:00）" in mail.body_text
    assert "https://talent.example.cn/candidate/interviews" in mail.body_text
    # the checklist, in its order, with links
    steps = ["/candidate/consent", "/candidate/device-check", "/candidate/how-it-works",
             "/candidate/practice", "/candidate/interviews"]
    positions = [mail.body_text.index(f"https://talent.example.cn{path}", mail.body_text.index("面试前请完成"))
                 for path in steps]
    assert positions == sorted(positions)
    assert mail.attachments[0]["content_type"] == "text/calendar; method=REQUEST"

    cal = _ics(mail)
    assert str(cal["method"]) == "REQUEST"
    [event] = cal.events
    assert str(event["uid"]) == f"interview-{interview_id}@talent.example.cn"
    assert int(event["sequence"]) == 0
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event["dtstart"].dt == at and event["dtstart"].dt.utcoffset() == timedelta(hours=8)
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=45)
    assert [str(tz["tzid"]) for tz in cal.timezones] == ["Asia/Shanghai"]
    assert str(event["attendee"]) == "mailto:li.na@example.cn"
    assert str(event["summary"]) == f"面试：{world['job_zh']}"


def test_an_english_speaker_in_berlin_reads_english_and_berlin_time(world):
    with db.session_scope(world["url"]) as s:
        cand = s.get(User, world["cand"])
        cand.locale, cand.timezone = "en", "Europe/Berlin"
        s.add(cand)
    _schedule(world, T0 + timedelta(days=3))
    [mail] = _mails(world)
    assert mail.subject == f"[Talent Portal] Interview invitation: {world['job_en']}, Thursday, November 26, 2026 3:00\u202fAM"
    assert "Before your interview:" in mail.body_text and "(Central European Standard Time, UTC+01:00)" in mail.body_text
    event = _ics(mail).events[0]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event["dtstart"].dt.hour == 3 and str(event["summary"]) == f"Interview: {world['job_en']}"


def test_without_templates_the_built_in_texts_are_used(world):
    from portal.models import EmailTemplate

    with db.session_scope(world["url"]) as s:
        for row in s.exec(select(EmailTemplate)).all():
            s.delete(row)
    _schedule(world, T0 + timedelta(days=3))
    [mail] = _mails(world)
    assert mail.subject.startswith(f"面试邀请：{world['job_zh']}")
    assert "面试前请完成" in mail.body_text


def test_reminders_come_24_hours_and_1_hour_before_once_each_even_after_a_restart(world):
    at = T0 + timedelta(days=3)
    _schedule(world, at)
    assert reminders.run_due(world["url"], now=T0 + timedelta(minutes=1)) == 0  # invitation already sent
    assert reminders.run_due(world["url"], now=at - timedelta(hours=25)) == 0
    assert reminders.run_due(world["url"], now=at - timedelta(hours=23, minutes=59)) == 1
    # a restart (a fresh call, nothing kept in memory) sends nothing again
    assert reminders.run_due(world["url"], now=at - timedelta(hours=23)) == 0
    assert reminders.run_due(world["url"], now=at - timedelta(minutes=59)) == 1
    assert reminders.run_due(world["url"], now=at - timedelta(minutes=30)) == 0
    assert reminders.run_due(world["url"], now=at + timedelta(minutes=1)) == 0
    mails = _mails(world)
    assert [m.kind for m in mails] == ["interview_invitation", "interview_24h", "interview_1h"]
    assert "面试提醒" in mails[1].subject and "即将开始" in mails[2].subject
    assert len({str(_ics(m).events[0]["uid"]) for m in mails}) == 1  # one calendar entry


@pytest.mark.parametrize(("ahead", "kinds"), [
    (timedelta(minutes=50), ["interview_invitation", "interview_1h"]),
    (timedelta(minutes=30), ["interview_invitation", "interview_1h"]),
    (timedelta(hours=20), ["interview_invitation", "interview_1h"]),  # no 24 h right after the invitation
    (timedelta(hours=25), ["interview_invitation", "interview_24h", "interview_1h"]),
])
def test_reminders_already_overtaken_when_the_interview_is_scheduled_are_skipped(world, ahead, kinds):
    at = T0 + ahead
    _schedule(world, at)
    moment = T0
    while moment < at + timedelta(minutes=5):
        reminders.run_due(world["url"], now=moment)
        moment += timedelta(minutes=10)
    assert [m.kind for m in _mails(world)] == kinds


def test_a_reschedule_sends_an_updated_invitation_and_moves_the_reminders(world):
    first = T0 + timedelta(days=3)
    second = T0 + timedelta(days=5)
    interview_id = _schedule(world, first)
    with db.session_scope(world["url"]) as s:
        scheduling.reschedule_interview(s, s.get(User, world["hr"]), interview_id, second, now=T0)
    # the old time's reminders never go out
    assert reminders.run_due(world["url"], now=first - timedelta(hours=2)) == 0
    assert reminders.run_due(world["url"], now=first - timedelta(minutes=30)) == 0
    assert reminders.run_due(world["url"], now=second - timedelta(hours=2)) == 1
    assert reminders.run_due(world["url"], now=second - timedelta(minutes=30)) == 1
    mails = _mails(world)
    assert [m.kind for m in mails] == ["interview_invitation", "interview_invitation", "interview_24h",
                                       "interview_1h"]
    assert "时间变更" in mails[1].subject
    old, new = _ics(mails[0]).events[0], _ics(mails[1]).events[0]
    assert str(old["uid"]) == str(new["uid"])
    assert int(old["sequence"]) == 0 and int(new["sequence"]) == 1
    assert new["dtstart"].dt == second
    assert all(int(_ics(m).events[0]["sequence"]) == 1 for m in mails[2:])
    with db.session_scope(world["url"]) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.object_type == "interview"))]
    assert actions == ["interview.schedule", "interview.reschedule"]


def test_moving_back_to_an_earlier_time_announces_it_again(world):
    first, second = T0 + timedelta(days=3), T0 + timedelta(days=4)
    interview_id = _schedule(world, first)
    with db.session_scope(world["url"]) as s:
        hr = s.get(User, world["hr"])
        scheduling.reschedule_interview(s, hr, interview_id, second, now=T0)
        scheduling.reschedule_interview(s, hr, interview_id, first, now=T0)
    mails = _mails(world)
    assert len(mails) == 3
    event = _ics(mails[2]).events[0]
    assert int(event["sequence"]) == 2 and event["dtstart"].dt == first


def test_a_cancellation_sends_method_cancel_and_stops_the_reminders(world):
    at = T0 + timedelta(days=3)
    interview_id = _schedule(world, at)
    with db.session_scope(world["url"]) as s:
        scheduling.cancel_interview(s, s.get(User, world["hr"]), interview_id, now=T0)
    with db.session_scope(world["url"]) as s, pytest.raises(ServiceError):
        scheduling.cancel_interview(s, s.get(User, world["hr"]), interview_id, now=T0)
    for hours in (23, 1, 0.5):
        assert reminders.run_due(world["url"], now=at - timedelta(hours=hours)) == 0
    invitation, cancellation = _mails(world)
    assert cancellation.kind == "interview_cancellation" and "取消" in cancellation.subject
    assert cancellation.attachments[0]["content_type"] == "text/calendar; method=CANCEL"
    cal = _ics(cancellation)
    event = cal.events[0]
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == str(_ics(invitation).events[0]["uid"])
    assert int(event["sequence"]) == 1


def test_an_interview_created_another_way_gets_its_invitation_from_the_loop(world):
    with db.session_scope(world["url"]) as s:
        demo_interview = s.exec(select(Interview)).first()
        s.add(Interview(candidate_id=world["cand"], job_id=demo_interview.job_id, model_id=demo_interview.model_id,
                        scheduled_at=T0 + timedelta(days=2)))
    assert reminders.run_due(world["url"], now=T0) == 1
    assert reminders.run_due(world["url"], now=T0) == 0
    assert [m.kind for m in _mails(world)] == ["interview_invitation"]


def test_a_disabled_account_gets_no_reminder(world):
    at = T0 + timedelta(days=3)
    _schedule(world, at)
    with db.session_scope(world["url"]) as s:
        s.get(User, world["cand"]).is_active = False
    assert reminders.run_due(world["url"], now=at - timedelta(minutes=30)) == 0


def test_only_hr_schedules_and_bad_input_changes_nothing(world):
    at = T0 + timedelta(days=1)
    with db.session_scope(world["url"]) as s:
        cand = s.get(User, world["cand"])
        with pytest.raises(PermissionDenied):
            scheduling.schedule_interview(s, cand, cand.id, world["job"], at, now=T0)
    cases = [
        (dict(scheduled_at=T0 - timedelta(minutes=1)), scheduling.TIME_IN_PAST),
        (dict(scheduled_at=datetime(2026, 12, 1, 10, 0)), scheduling.TIME_IN_PAST),  # no zone
        (dict(scheduled_at=T0 + timedelta(days=400)), scheduling.TIME_TOO_FAR),
        (dict(duration_min=5), scheduling.BAD_DURATION),
        (dict(job_id=99999), scheduling.UNKNOWN_JOB),
        (dict(candidate_id=world["hr"]), scheduling.NOT_A_CANDIDATE),
        (dict(interviewer_ids=(99999,)), scheduling.UNKNOWN_INTERVIEWER),
    ]
    for change, msgid in cases:
        args = {"candidate_id": world["cand"], "job_id": world["job"], "scheduled_at": at, **change}
        with db.session_scope(world["url"]) as s, pytest.raises(ServiceError) as refused:
            hr = s.get(User, world["hr"])
            scheduling.schedule_interview(s, hr, args.pop("candidate_id"), args.pop("job_id"),
                                          args.pop("scheduled_at"), now=T0, **args)
        assert refused.value.msgid == msgid, change
    assert _mails(world) == []
    with db.session_scope(world["url"]) as s:
        assert s.exec(select(Interview).where(Interview.candidate_id == world["cand"])).all() == []


def _many_interviews(w, count: int, at: datetime) -> None:
    with db.session_scope(w["url"]) as s:
        demo_interview = s.exec(select(Interview)).first()
        for _ in range(count):
            s.add(Interview(candidate_id=w["cand"], job_id=demo_interview.job_id,
                            model_id=demo_interview.model_id, scheduled_at=at))


def _claims_are_unique(w, expected: int) -> None:
    mails = _mails(w)
    assert len(mails) == expected
    with db.session_scope(w["url"]) as s:
        rows = s.exec(select(InterviewReminder)).all()
    assert len(rows) == expected
    assert len({(r.interview_id, r.kind) for r in rows}) == expected


def test_two_threads_running_the_reminders_at_once_send_each_email_once(world):
    at = T0 + timedelta(minutes=40)
    _many_interviews(world, 12, at)  # each due for its invitation and its 1 h reminder
    start = threading.Barrier(4)
    counts, errors = [], []

    def run():
        try:
            start.wait()
            counts.append(reminders.run_due(world["url"], now=T0))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(counts) == 24
    _claims_are_unique(world, 24)


def _process_run(url: str, data_dir: str, go) -> None:
    import os

    os.environ["TALENT_DATA_DIR"] = data_dir
    os.environ["TALENT_PUBLIC_URL"] = "https://talent.example.cn"
    go.wait()
    reminders.run_due(url, now=T0)


def test_two_portal_processes_running_the_reminders_at_once_send_each_email_once(world, isolated_data_dir):
    at = T0 + timedelta(minutes=40)
    _many_interviews(world, 12, at)
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    processes = [ctx.Process(target=_process_run, args=(world["url"], str(isolated_data_dir), go))
                 for _ in range(2)]
    for process in processes:
        process.start()
    go.set()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    _claims_are_unique(world, 24)


def test_the_ics_travels_as_an_attachment_through_smtp(world):
    from aiosmtpd.controller import Controller

    from tests.e2e.harness import free_port

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope.original_content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        _schedule(world, T0 + timedelta(days=3))
        assert notifications.deliver_pending(world["url"], "127.0.0.1", controller.port) == 1
    finally:
        controller.stop()
    msg = email.message_from_bytes(received[0], policy=policy.default)
    assert "面试邀请" in msg["Subject"]
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert part.get_filename() == "interview.ics"
    raw = part.get_payload(decode=True)
    assert b"\r\n" in raw  # RFC 5545 line ends survive the trip
    assert Calendar.from_ical(raw).events[0]["dtstart"].params["TZID"] == "Asia/Shanghai"


def test_interviews_start_on_the_minute(world):
    interview_id = _schedule(world, T0 + timedelta(days=2, seconds=47, microseconds=5))
    with db.session_scope(world["url"]) as s:
        assert s.get(Interview, interview_id).scheduled_at == T0 + timedelta(days=2)
    assert _ics(_mails(world)[0]).events[0]["dtstart"].dt == T0 + timedelta(days=2)
