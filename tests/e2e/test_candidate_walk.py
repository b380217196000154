"""The demo candidate's day before the interview, in one walk through the browser (issue
8's "done when"): my interviews → consent → device check with Chromium's fake camera
and microphone → interviewer cards → how it runs → a practice answer scored by the real
worker with its feedback → the invitation, the updated invitation and the 1-hour
reminder read from the real SMTP server, each with its calendar file. The overview's
checklist ticks itself off on the way."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.interviews import preparation, scheduling
from portal.services.platform import db, i18n
from portal.services.platform.demo import INTERVIEWER_ACCOUNT_PROFILE, INTERVIEWERS, demo_email
from tests.e2e.accounts import sign_in_demo, wait_hydrated
from tests.e2e.test_practice import BETTER


def _zh(message: str) -> str:
    return i18n.gettext("zh_CN", message)


def _checklist(page) -> dict[str, bool]:
    """Each step of the overview's checklist → whether the page shows it done."""
    items = page.locator("#home-checklist li")
    expect(items).to_have_count(len(preparation.STEPS))
    done = _zh("Done")
    return {items.nth(i).locator("a").inner_text(): items.nth(i).get_by_text(done, exact=True).count() == 1
            for i in range(items.count())}


def _menu(page, label: str, path: str) -> None:
    """Open a page from the candidate menu, as a user would."""
    page.locator(f"header a[href='{path}']:visible").first.click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"/?(\?.*)?$"))
    wait_hydrated(page)
    expect(page.locator("#page-title")).to_have_text(label)


def _calendar(message) -> Calendar:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    return Calendar.from_ical(part.get_payload(decode=True))


def test_the_demo_candidate_prepares_end_to_end(page, portal, portal_services, smtp_inbox, secrets):
    email = demo_email("candidate")
    with db.session_scope(portal.db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.email == email)).one()
        # the overview's next interview: the demo's own, or an earlier one another test scheduled
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == candidate.id,
                                                          models.Interview.status == "scheduled")
                           .order_by(models.Interview.scheduled_at, models.Interview.id)).first()
        interview_id, job = interview.id, s.get(models.Job, interview.job_id)
        job_title = job.title_zh
    steps = {key: _zh(preparation.STEP_LABELS[key]) for key in preparation.STEPS}

    # signing in lands on the overview: the position, and nothing done yet
    sign_in_demo(page, portal, "candidate", secrets)
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_HOME) + r"/?$"))
    wait_hydrated(page)
    expect(page.locator("#home-position")).to_have_text(job_title)
    assert not any(_checklist(page).values())

    # my interviews: the demo interview with its date, stages and readiness
    page.click("#home-details")
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_INTERVIEWS)))
    wait_hydrated(page)
    card = page.locator(f"#interview-{interview_id}")
    expect(card.get_by_role("heading", name=job_title)).to_be_visible()
    expect(card.locator(".interview-time")).to_contain_text(":")
    expect(card.locator(".stages li")).to_have_count(3)
    expect(card.get_by_role("button", name=_zh("Join the interview"))).to_be_disabled()

    # consent, from the interview's checklist
    card.get_by_role("link", name=steps["consent"]).click()
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_CONSENT)))
    wait_hydrated(page)
    page.click("#consent-agree")
    expect(page.locator("#flash-text")).to_have_text(_zh("Thank you. Your consent is recorded."))

    # the device check with the fake camera and microphone, saved with the interview
    _menu(page, _zh("Device check"), routes.CANDIDATE_DEVICE_CHECK)
    page.click("#dc-start")
    expect(page.locator("#dc-saved")).to_have_text(_zh("Your device check was saved."), timeout=60_000)
    expect(page.locator("#dc-camera-result")).to_have_text(re.compile(r"^\d+ × \d+ · \d+ fps$"))
    expect(page.locator("#dc-microphone-result")).not_to_have_text("")
    expect(page.locator("#dc-network-result")).not_to_have_text("")
    with db.session_scope(portal.db_url) as s:
        [check] = s.exec(select(models.DeviceCheck).where(models.DeviceCheck.user_id == candidate.id)).all()
        assert check.interview_id == interview_id and check.camera_ok and check.microphone_ok

    # the interviewers of this interview only
    _menu(page, _zh("Meet your interviewers"), routes.CANDIDATE_INTERVIEWERS)
    assigned = INTERVIEWERS[INTERVIEWER_ACCOUNT_PROFILE]
    expect(page.locator(".interviewer-card")).to_have_count(1)
    expect(page.locator(".interviewer-name")).to_have_text(assigned["name_zh"])
    expect(page.locator(".interviewer-focus")).to_have_text(assigned["focus_zh"])

    # how it runs: the job's guide, and a person decides
    _menu(page, _zh("How the interview runs"), routes.CANDIDATE_PROCESS)
    expect(page.locator(".guide").get_by_role("heading", name=job_title)).to_be_visible()
    expect(page.locator("#human-decides")).to_be_visible()

    # a practice answer, scored by the worker: scores, the sentences that counted, a tip
    _menu(page, _zh("Practice"), routes.CANDIDATE_PRACTICE)
    page.click("#practice-start-0")
    page.fill("#practice-answer", BETTER)
    page.click("#practice-submit")
    expect(page.locator("#practice-feedback")).to_be_visible(timeout=20_000)
    expect(page.locator(".practice-score").first).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator(".practice-evidence").first).to_be_visible()
    expect(page.locator("#practice-tip")).not_to_have_text("")
    expect(page.locator("#practice-retry")).to_be_visible()

    # the overview has ticked off everything but the interview itself
    page.goto(portal.url + routes.CANDIDATE_HOME)
    wait_hydrated(page)
    assert _checklist(page) == {steps["consent"]: True, steps["device_check"]: True, steps["process"]: True,
                                steps["practice"]: True, steps["interview"]: False}

    # the invitation the portal sent when it first started, then HR moves the interview
    # to 50 minutes from now: the updated invitation and at once the 1-hour reminder
    # (only the interview's e-mails: signing in for the first time sends an account notice)
    # (and only this interview's: other tests schedule the demo candidate too)
    def about_the_interview(message) -> bool:
        return any(p.get_content_type() == "text/calendar"
                   and f"UID:interview-{interview_id}@" in p.get_payload(decode=True).decode()
                   for p in message.iter_attachments())

    [invitation] = smtp_inbox.wait_for_all(email, 1, where=about_the_interview)
    with db.session_scope(portal.db_url) as s:
        hr = s.exec(select(models.User).where(models.User.role == "hr")).first()
        at = (models.utcnow() + timedelta(minutes=50)).replace(second=0, microsecond=0)
        scheduling.reschedule_interview(s, hr, interview_id, at)
    moved, reminder = smtp_inbox.wait_for_all(email, 3, where=about_the_interview)[1:]
    assert "面试邀请" in invitation["Subject"] and "时间变更" in moved["Subject"] and "即将开始" in reminder["Subject"]
    for message, sequence in ((invitation, 0), (moved, 1), (reminder, 1)):
        body = message.get_body(("plain",)).get_content()
        assert f"{portal.url}{routes.CANDIDATE_INTERVIEWS}" in body
        event = _calendar(message).events[0]
        assert str(event["uid"]) == f"interview-{interview_id}@localhost"
        assert int(event["sequence"]) == sequence
    assert _calendar(reminder).events[0]["dtstart"].dt == at
