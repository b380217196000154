"""A candidate of their own signs in and lands on their overview, then reads their
interviews (another candidate's is refused), agrees to and withdraws the consent
(both audited), reads how the interview runs and meets only their own interviewers;
the checklist ticks itself off on the way."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date
from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from portal.services.platform.demo import INTERVIEWER_ACCOUNT_PROFILE, INTERVIEWERS
from portal.services.interviews import preparation
from tests.e2e.accounts import new_candidate_with_interview, sign_in, wait_hydrated


def _steps(page, checklist_id: str) -> dict[str, str]:
    """Each checklist step's label → "done" / "next" / "" as the page shows it."""
    items = page.locator(f"#{checklist_id} li")
    shown = {}
    for i in range(items.count()):
        item = items.nth(i)
        badge = item.locator(".rt-Badge")
        shown[item.locator("a").inner_text()] = badge.inner_text() if badge.count() else ""
    return shown


def _open(page, portal, path: str) -> None:
    page.goto(portal.url + path)
    wait_hydrated(page)


def test_a_candidate_prepares_for_their_interview(browser, portal, secrets):
    email, interview_id = new_candidate_with_interview(portal, name="Lin Prep")
    with db.session_scope(portal.db_url) as s:
        interview = s.get(models.Interview, interview_id)
        others = s.exec(select(models.Interview.id).where(models.Interview.candidate_id != interview.candidate_id)
                        ).all()
        local_day = preparation.in_zone(interview.scheduled_at, "Asia/Shanghai").date()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "en", "url": portal.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)

    # signing in lands on the candidate's overview, not the marketing page
    sign_in(page, portal, email, "prep-candidate", secrets)
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_HOME) + r"/?$"))
    expect(page.locator("#page-title")).to_have_text("Welcome, Lin Prep")
    expect(page.locator("#home-position")).to_have_text("Account Manager")
    expect(page.locator("#home-status")).to_have_text("Scheduled")
    expect(page.locator("#home-countdown")).to_have_text(re.compile(r"^Starts in (2 days 23 hours|3 days)$"))
    assert _steps(page, "home-checklist") == {
        "Give your consent": "Next", "Check your camera, microphone and network": "",
        "Read how the interview runs": "", "Practise a question": "", "Take the interview": ""}
    _open(page, portal, "/")  # "/" keeps sending a signed-in candidate to the overview
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_HOME) + r"/?$"))

    # my interviews: the time in the candidate's zone, the join link not open yet
    page.click("#home-details")
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_INTERVIEWS)))
    card = page.locator(f"#interview-{interview_id}")
    expect(card.get_by_role("heading", name="Account Manager")).to_be_visible()
    expect(card.locator(".interview-date")).to_have_text(format_date(local_day, "full", locale="en"))
    expect(card.locator(".interview-time")).to_contain_text("China Time")
    join = card.get_by_role("button", name="Join the interview")
    expect(join).to_be_disabled()
    expect(card.locator(".join-opens")).to_have_text(re.compile(r"^The link opens at \d{1,2}:\d\d\s?[AP]M$"))
    expect(card.locator(".readiness")).to_contain_text("Consent not given yet")
    expect(card.locator(".stages li")).to_have_count(3)
    expect(card.locator(".stages")).to_contain_text("AI video interview · 30 minutes")

    # another candidate's interview, by its id in the address: refused, nothing shown
    _open(page, portal, f"{routes.CANDIDATE_INTERVIEWS}?interview={others[0]}")
    expect(page.locator("#flash-text")).to_have_text("You do not have permission to do this.")
    expect(page.locator(".upcoming-interview")).to_have_count(0)
    expect(page.locator(".past-interview")).to_have_count(0)

    # consent: read, agree (with the keyboard), withdraw
    _open(page, portal, routes.CANDIDATE_INTERVIEWS)
    page.locator(f"#checklist-{interview_id}").get_by_role("link", name="Give your consent").click()
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_CONSENT)))
    expect(page.locator("#consent-status")).to_have_text("You have not given this consent yet.")
    expect(page.locator("main")).to_contain_text("Article 29 of China's Personal Information Protection Law")
    expect(page.locator("#consent-version")).to_have_text("Version 2026-11")
    page.locator("#consent-agree").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#flash-text")).to_have_text("Thank you. Your consent is recorded.")
    expect(page.locator("#consent-status")).to_have_text(re.compile(r"^You agreed to version 2026-11 on .+\.$"))
    page.click("#consent-withdraw")
    expect(page.locator("#flash-text")).to_have_text(
        "Your consent is withdrawn. Your answers will not be analysed from now on.")
    expect(page.locator("#consent-status")).to_have_text(re.compile(r"^You withdrew your consent on .+\.$"))
    expect(page.locator("#consent-agree")).to_be_visible()
    with db.session_scope(portal.db_url) as s:
        actions = [e.action for e in s.exec(select(models.AuditEvent).where(models.AuditEvent.actor == email)
                                            .order_by(models.AuditEvent.id)).all()]
    assert [a for a in actions if a.startswith("consent.")] == ["consent.grant", "consent.withdraw"]
    page.locator("#consent-agree").click()  # and agreed again, for the rest of the walk
    expect(page.locator("#consent-status")).to_have_text(re.compile(r"^You agreed to version 2026-11"))

    # how it runs: from the job's guide, and a person decides
    page.get_by_role("link", name="How it runs").first.click()
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_PROCESS)))
    expect(page.locator("#human-decides")).to_contain_text("A person makes every decision.")
    guide = page.locator(".guide")
    expect(guide).to_have_count(1)
    expect(guide.get_by_role("heading", name="Account Manager")).to_be_visible()
    expect(guide.locator(".guide-not-analysed")).to_contain_text("never scored")
    expect(guide.locator(".guide-retention")).to_have_text(
        "Recordings and transcripts are deleted 180 days after the decision on your application.")

    # the overview has ticked off consent and how it runs
    _open(page, portal, routes.CANDIDATE_HOME)
    assert _steps(page, "home-checklist") == {
        "Give your consent": "Done", "Check your camera, microphone and network": "Next",
        "Read how the interview runs": "Done", "Practise a question": "", "Take the interview": ""}

    # interviewers: only the one assigned to this candidate's interview
    page.get_by_role("link", name="Interviewers").first.click()
    expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_INTERVIEWERS)))
    assigned = INTERVIEWERS[INTERVIEWER_ACCOUNT_PROFILE]
    expect(page.locator(".interviewer-card")).to_have_count(1)
    expect(page.locator(".interviewer-name")).to_have_text(assigned["name_en"])
    expect(page.locator(".interviewer-experience")).to_have_text(f"{assigned['years_experience']} years of experience")
    expect(page.locator(".interviewer-focus")).to_have_text(assigned["focus_en"])
    for other in INTERVIEWERS:
        if other is not assigned:
            expect(page.locator("main")).not_to_contain_text(other["name_en"])
    expect(page.get_by_role("img", name=assigned["name_en"])).to_be_visible()

    # the language switched on another page: the overview, hidden meanwhile, comes in Chinese
    page.click("#language-switch")
    expect(page.locator(".interviewer-name")).to_have_text(assigned["name_zh"])
    page.locator(f'a[href="{routes.CANDIDATE_HOME}"]:visible').first.click()  # no reload
    expect(page.locator("#page-title")).to_have_text("欢迎，Lin Prep")
    expect(page.locator("#home-checklist li a").first).to_have_text("同意数据处理")
    page.click("#language-switch")  # back to English
    expect(page.locator("#page-title")).to_have_text("Welcome, Lin Prep")

    # the same overview in Chinese
    context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "zh_CN", "url": portal.url}])
    _open(page, portal, routes.CANDIDATE_HOME)
    expect(page.locator("#home-position")).to_have_text("客户经理")
    expect(page.locator("#home-countdown")).to_have_text(re.compile(r"^距开始还有 (2天23小时|3天)$"))

    # an interview about to start: the join link opens while the page stays open
    with db.session_scope(portal.db_url) as s:
        soon = models.Interview(candidate_id=interview.candidate_id, job_id=interview.job_id,
                                model_id=interview.model_id, duration_min=interview.duration_min,
                                scheduled_at=models.utcnow() + timedelta(minutes=15, seconds=20))
        s.add(soon)
        s.flush()
        soon_id = soon.id
    _open(page, portal, routes.CANDIDATE_INTERVIEWS)
    card = page.locator(f"#interview-{soon_id}")
    expect(card.get_by_role("button", name="进入面试")).to_be_disabled()
    expect(card.locator(".countdown")).to_have_text(re.compile(r"^距开始还有 1[56]分钟$"))
    # the page's clock (assets/clock.js, every 30 s) recomputes it: no reload, no click
    join = card.get_by_role("link", name="进入面试")
    expect(join).to_be_visible(timeout=45_000)
    assert join.get_attribute("href") == routes.interview_room(soon_id)
    expect(card.locator(".countdown")).to_have_text(re.compile(r"^距开始还有 1[45]分钟$"))
    context.close()
