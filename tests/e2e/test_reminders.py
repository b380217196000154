"""Interview e-mails from the running portal through a real SMTP server, and the
candidate's preferred times page."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.interviews import availability, scheduling
from portal.services.platform import db
from tests.e2e.accounts import new_candidate_with_interview, sign_in, wait_hydrated
from tests.e2e.test_phone import _assert_fits


# the time inputs themselves (a class name lands on Radix's wrapper around them)
START, END = "input[name^='start-']", "input[name^='end-']"


def _calendar(message) -> Calendar:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_filename() == "interview.ics"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["method"]) == part.get_param("method")
    return cal


def _hr(s) -> models.User:
    return s.exec(select(models.User).where(models.User.role == "hr")).first()


def test_invitation_reminder_reschedule_and_cancellation_arrive_with_calendar_files(portal, portal_services,
                                                                                    smtp_inbox):
    # a candidate whose first interview (a month ahead, created without the service) the
    # portal's loop announces by itself
    email, first_id = new_candidate_with_interview(portal, days_ahead=30)
    [first] = smtp_inbox.wait_for_all(email, 1)
    assert "面试邀请" in first["Subject"]
    assert str(_calendar(first).events[0]["uid"]) == f"interview-{first_id}@localhost"

    # HR schedules a second one 50 minutes ahead: the invitation, then at once the 1-hour reminder
    with db.session_scope(portal.db_url) as s:
        interview = s.get(models.Interview, first_id)
        at = (models.utcnow() + timedelta(minutes=50)).replace(second=0, microsecond=0)
        second = scheduling.schedule_interview(s, _hr(s), interview.candidate_id, interview.job_id, at,
                                               duration_min=30)
        second_id = second.id
    invitation, reminder = smtp_inbox.wait_for_all(email, 3)[1:]
    assert "面试邀请" in invitation["Subject"] and "即将开始" in reminder["Subject"]
    link = f"{portal.url}{routes.CANDIDATE_INTERVIEWS}"
    for message in (invitation, reminder):
        body = message.get_body(("plain",)).get_content()
        assert link in body and f"{portal.url}{routes.CANDIDATE_DEVICE_CHECK}" in body
        event = _calendar(message).events[0]
        assert str(event["uid"]) == f"interview-{second_id}@localhost"
        assert int(event["sequence"]) == 0
        assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
        assert event["dtstart"].dt == at and event["dtstart"].dt.utcoffset() == timedelta(hours=8)
    beijing = at.astimezone(event["dtstart"].dt.tzinfo)
    assert f"{beijing:%H:%M}" in reminder["Subject"]

    # moved by 10 minutes: an updated invitation (same UID, SEQUENCE 1) and a new 1-hour reminder
    with db.session_scope(portal.db_url) as s:
        scheduling.reschedule_interview(s, _hr(s), second_id, at + timedelta(minutes=10))
    moved, moved_reminder = smtp_inbox.wait_for_all(email, 5)[3:]
    assert "时间变更" in moved["Subject"] and "即将开始" in moved_reminder["Subject"]
    for message in (moved, moved_reminder):
        event = _calendar(message).events[0]
        assert str(event["uid"]) == f"interview-{second_id}@localhost" and int(event["sequence"]) == 1
        assert event["dtstart"].dt == at + timedelta(minutes=10)

    with db.session_scope(portal.db_url) as s:
        scheduling.cancel_interview(s, _hr(s), second_id)
    cancelled = smtp_inbox.wait_for_all(email, 6)[5]
    cal = _calendar(cancelled)
    assert str(cal["method"]) == "CANCEL" and str(cal.events[0]["status"]) == "CANCELLED"
    assert int(cal.events[0]["sequence"]) == 2

    # nothing is sent twice: each e-mail is claimed once however often the loop runs
    import time

    time.sleep(3)
    assert len([m for m in smtp_inbox.messages if email in m[0]]) == 6


def test_a_candidate_sets_preferred_times_with_the_keyboard_and_hr_reads_them(browser, portal, portal_services,
                                                                             secrets):
    email, _ = new_candidate_with_interview(portal)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.CANDIDATE_AVAILABILITY)
    wait_hydrated(page)
    expect(page.locator("h1")).to_have_text("偏好时间")
    expect(page.locator("#zone-text")).to_contain_text("Asia/Shanghai")
    expect(page.locator("#no-slots")).to_be_visible()
    expect(page.locator(f"a[href='{routes.CANDIDATE_AVAILABILITY}']").first).to_be_attached()  # in the menu

    # keyboard only: "add" twice with Enter, then from the day to the start with Tab
    page.locator("#add-slot").focus()
    page.keyboard.press("Enter")
    slots = page.locator(".slot")
    expect(slots).to_have_count(1)
    page.keyboard.press("Enter")
    expect(slots).to_have_count(2)
    first, second = slots.nth(0), slots.nth(1)
    first.locator(".slot-weekday").focus()
    page.keyboard.press("ArrowDown")  # Monday → Tuesday
    expect(first.locator(".slot-weekday")).to_have_value("1")
    page.keyboard.press("Tab")
    expect(first.locator(START)).to_be_focused()
    first.locator(START).fill("09:00")
    first.locator(END).fill("11:30")
    second.locator(".slot-weekday").select_option("1")
    second.locator(START).fill("11:00")
    second.locator(END).fill("12:00")
    page.locator("#save-slots").focus()
    page.keyboard.press("Enter")

    # the overlap is announced next to the second row, and nothing is saved
    error = second.locator(".slot-error")
    expect(error).to_have_text("该时间段与同一天的另一个时间段重叠。")
    expect(error).to_have_attribute("role", "alert")
    assert second.locator(START).get_attribute("aria-describedby") == error.get_attribute("id")
    expect(first.locator(".slot-error")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        user_id = user.id
        assert availability.own_slots(s, user) == []

    second.locator(START).fill("13:00")
    second.locator(END).fill("14:00")
    page.click("#save-slots")
    expect(page.get_by_text("您的偏好时间已保存。")).to_be_visible()
    expect(page.locator(".slot-error")).to_have_count(0)

    with db.session_scope(portal.db_url) as s:
        zone, saved = availability.candidate_slots(s, _hr(s), user_id)
    assert zone == "Asia/Shanghai"
    assert [(x.weekday, x.start, x.end) for x in saved] == [(1, "09:00", "11:30"), (1, "13:00", "14:00")]

    # a reload shows what was saved; it fits a phone; a removal is saved too
    page.reload()
    wait_hydrated(page)
    expect(slots).to_have_count(2)
    expect(slots.nth(0).locator(".slot-weekday")).to_have_value("1")
    expect(slots.nth(0).locator(START)).to_have_value("09:00")
    expect(slots.nth(1).locator(END)).to_have_value("14:00")
    page.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(page, "/candidate/availability with two slots")
    slots.nth(0).locator(".slot-remove").click()
    expect(slots).to_have_count(1)
    expect(slots.nth(0).locator(START)).to_have_value("13:00")  # the right row went
    page.click("#save-slots")
    expect(page.get_by_text("您的偏好时间已保存。")).to_be_visible()
    with db.session_scope(portal.db_url) as s:
        rows = s.exec(select(models.SchedulingPreference).where(
            models.SchedulingPreference.user_id == user_id)).all()
    assert [(r.weekday, r.start_minute, r.end_minute) for r in rows] == [(1, 780, 840)]
    assert re.search(r"/candidate/availability/?$", page.url)
    context.close()
