"""HR schedules the demo candidate into a suggested slot on /hr/schedule, the invitation
with its .ics reaches a real SMTP server, HR moves it (SEQUENCE raised) and the
candidate's page shows the new time, then HR cancels it (METHOD:CANCEL to the candidate
and to the interviewer)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from portal.services.platform.demo import INTERVIEWER_ACCOUNT_PROFILE, demo_email
from tests.e2e.accounts import new_page, sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits

BJ = ZoneInfo("Asia/Shanghai")


def _ics(message) -> Calendar:
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "interview.ics"
    return Calendar.from_ical(part.get_payload(decode=True))


def _about(uid: str, sequence: int, method: str):
    def accept(message) -> bool:
        if not list(message.iter_attachments()):
            return False
        cal = _ics(message)
        event = cal.events[0]
        return str(event["uid"]) == uid and int(event["sequence"]) == sequence and str(cal["method"]) == method
    return accept


def test_hr_schedules_moves_and_cancels_the_demo_candidates_interview(browser, portal, secrets, smtp_inbox):
    candidate_email = demo_email("candidate")
    with db.session_scope(portal.db_url) as s:
        profiles = s.exec(select(models.InterviewerProfile).order_by(models.InterviewerProfile.id)).all()
        profile = profiles[INTERVIEWER_ACCOUNT_PROFILE]
        interviewer_email = s.get(models.User, profile.user_id).email
        before = {i.id for i in s.exec(select(models.Interview)).all()}

    page = new_page(browser)
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_SCHEDULE)
    wait_hydrated(page)
    expect(page.locator("h1")).to_have_text("面试排期")

    page.fill("#schedule-query", candidate_email)
    page.click("#schedule-search")
    page.locator(".schedule-found").first.click()
    expect(page.locator("#schedule-candidate")).to_contain_text(candidate_email)
    expect(page.locator(".schedule-stage").first).to_be_visible()  # the job's stages are shown
    # choosing another position shows its stages at once, and back
    with db.session_scope(portal.db_url) as s:
        first_stage = {}
        for st in s.exec(select(models.InterviewStage).order_by(models.InterviewStage.job_id,
                                                                models.InterviewStage.position)):
            first_stage.setdefault(st.job_id, st.name_zh)
    (first_job, first_name), (other_job, other_name) = sorted(first_stage.items())[:2]
    expect(page.locator(".schedule-stage").first).to_contain_text(first_name)
    page.select_option("#schedule-job", str(other_job))
    expect(page.locator(".schedule-stage").first).to_contain_text(other_name)
    page.select_option("#schedule-job", str(first_job))
    expect(page.locator(".schedule-stage").first).to_contain_text(first_name)
    page.get_by_label(profile.name_zh).check()
    page.click("#schedule-suggest")
    slot = page.locator(".schedule-slot").first
    expect(slot).to_be_visible()
    expect(page.locator("#schedule-checklist")).to_contain_text("/candidate/device-check")
    slot.click()
    expect(page.get_by_text("面试已安排；候选人将收到附有日历文件的邮件。")).to_be_visible()

    with db.session_scope(portal.db_url) as s:
        [interview] = [i for i in s.exec(select(models.Interview)).all() if i.id not in before]
        interview_id = interview.id
        assert {a.interviewer_id for a in s.exec(select(models.InterviewAssignment).where(
            models.InterviewAssignment.interview_id == interview_id))} == {profile.id}
    uid = f"interview-{interview_id}@localhost"
    [invitation] = smtp_inbox.wait_for_all(candidate_email, 1, where=_about(uid, 0, "REQUEST"))
    local = _ics(invitation).events[0]["dtstart"].dt.astimezone(BJ)
    assert local.weekday() < 5 and 9 <= local.hour < 18  # inside the interviewers' working hours

    # move it a day later at 10:00 Beijing time
    new_local = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), BJ).replace(hour=10)
    row = page.locator(".upcoming-interview").filter(has=page.locator(f"input[name='interview'][value='{interview_id}']"))
    row.locator("input[name='at']").fill(new_local.strftime("%Y-%m-%dT%H:%M"))
    row.locator(".upcoming-move").click()
    expect(page.get_by_text("面试已改期；候选人将收到更新后的日历文件。")).to_be_visible()
    [moved] = smtp_inbox.wait_for_all(candidate_email, 1, where=_about(uid, 1, "REQUEST"))
    assert _ics(moved).events[0]["dtstart"].dt.astimezone(BJ) == new_local

    # the candidate's page reads the new time from the database
    cand = new_page(browser)
    sign_in_demo(cand, portal, "candidate", secrets)
    cand.goto(portal.url + routes.CANDIDATE_INTERVIEWS)
    wait_hydrated(cand)
    new_date = format_date(new_local.date(), "full", locale="zh_CN")
    expect(cand.locator(".interview-date", has_text=new_date)).to_have_count(1)
    expect(cand.locator(".interview-time", has_text="10:00")).not_to_have_count(0)

    # cancel: the candidate and the interviewer get METHOD:CANCEL
    row.locator(".upcoming-cancel").click()
    expect(page.get_by_text("面试已取消；已通过邮件通知候选人和面试官。")).to_be_visible()
    expect(page.locator(f"input[name='interview'][value='{interview_id}']")).to_have_count(0)
    smtp_inbox.wait_for_all(candidate_email, 1, where=_about(uid, 2, "CANCEL"))
    smtp_inbox.wait_for_all(interviewer_email, 1, where=_about(uid, 2, "CANCEL"))
    cand.reload()
    wait_hydrated(cand)
    expect(cand.locator(".interview-date", has_text=new_date)).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        actions = {e.action for e in s.exec(select(models.AuditEvent).where(
            models.AuditEvent.object_id == interview_id, models.AuditEvent.object_type == "interview"))}
    assert {"interview.schedule", "interview.reschedule", "interview.cancel"} <= actions
    # the page, with its suggested slots shown, fits a phone
    page.set_viewport_size({"width": 375, "height": 740})
    page.click("#schedule-suggest")
    expect(page.locator(".schedule-slot").first).to_be_visible()
    _assert_fits(page, "/hr/schedule with suggested slots")
    cand.context.close()
    page.context.close()
