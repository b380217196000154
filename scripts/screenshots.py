"""Screenshots for docs/screenshots/: the home page at desktop and phone width,
a first-time user's authenticator set-up and recovery codes at phone width
(375 px), in both languages, and the demo candidate's preparation pages (desktop and
phone, Chinese) after they have given consent, run the device check with Chromium's
fake camera and microphone and had a practice answer scored by the real worker,
the score report and the development plans of the demo candidate and employee (both
sizes, both languages), the interview room with the first question in its reading
time, the demo interviewer's candidates and review page once a typed answer of the
room is scored, and HR's back office (every section, both sizes, Chinese; desktop English).
Runs the real production build with its worker (tests/e2e/harness.py)."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyotp  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from portal import routes  # noqa: E402
from portal.services.platform.demo import DEMO_PASSWORD, demo_email  # noqa: E402
from tests.e2e.harness import ROOT, launch_chromium, running_portal  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": (1280, 900), "phone": (375, 812)}
PAGES = {"home": "/"}
LOCALES = ("zh_CN", "en")
# a demo account per language that has not set up its authenticator yet
FIRST_TIMERS = {"zh_CN": "candidate", "en": "employee"}
# the candidate's preparation pages, shot in Chinese at both sizes
CANDIDATE_PAGES = {
    "candidate-home": routes.CANDIDATE_HOME, "candidate-interviews": routes.CANDIDATE_INTERVIEWS,
    "candidate-consent": routes.CANDIDATE_CONSENT, "candidate-device-check": routes.CANDIDATE_DEVICE_CHECK,
    "candidate-how-it-works": routes.CANDIDATE_PROCESS, "candidate-interviewers": routes.CANDIDATE_INTERVIEWERS,
    "candidate-practice": routes.CANDIDATE_PRACTICE, "candidate-availability": routes.CANDIDATE_AVAILABILITY,
}
# HR's back office, shot as the demo HR user
HR_PAGES = {
    "hr-home": routes.HR_HOME, "hr-schedule": routes.HR_SCHEDULE, "hr-jobs": routes.HR_JOBS,
    "hr-job": routes.HR_JOBS + "/1", "hr-questions": routes.HR_QUESTIONS, "hr-interviewers": routes.HR_INTERVIEWERS,
    "hr-courses": routes.HR_COURSES, "hr-templates": routes.HR_TEMPLATES, "hr-rules": routes.HR_RULES,
    "hr-decisions": routes.HR_DECISIONS, "hr-analytics": routes.HR_ANALYTICS, "hr-privacy": routes.HR_PRIVACY,
}
PRACTICE_ANSWER = ("去年双十一期间，我负责的一位大客户因为物流延误非常不满。我的任务是挽回这个客户。"
                   "我先耐心倾听并复述确认了他的核心诉求，然后当天同步物流和仓库团队，制定了补发方案，"
                   "每天向客户更新进度。最终订单在两天内送达，客户续签了下一年的合同。")


def _context(browser, portal, locale: str, width: int, height: int):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("#skeleton")).to_have_count(0)
    page.wait_for_timeout(800)


def _shoot(page, name: str) -> None:
    target = OUT / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    print(target.relative_to(ROOT))


def _first_sign_in(browser, portal, locale: str) -> dict:
    """MFA set-up and recovery codes as a first-time user sees them on a phone; returns
    the signed-in browser state."""
    ctx, page = _context(browser, portal, locale, *SIZES["phone"])
    page.goto(portal.url + routes.LOGIN)
    _settle(page)
    page.fill("#f-email", demo_email(FIRST_TIMERS[locale]))
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(routes.MFA_SETUP)))
    _settle(page)
    expect(page.frame_locator("#totp-frame").locator("#totp-key")).to_be_visible()
    _shoot(page, f"mfa-setup-phone-{locale}")
    key = page.frame_locator("#totp-frame").locator("#totp-key").get_attribute("data-key")
    page.fill("#f-code", pyotp.TOTP(key).now())
    page.click("#mfa-confirm")
    page.wait_for_url(re.compile(re.escape(routes.RECOVERY_CODES)))
    _settle(page)
    expect(page.frame_locator("#codes-frame").locator("li")).to_have_count(10)
    _shoot(page, f"recovery-codes-phone-{locale}")
    page.click("#codes-done")
    expect(page.locator("#user-name")).to_have_count(1)
    signed_in = ctx.storage_state()
    ctx.close()
    return signed_in


def _open(page, portal, path: str) -> None:
    page.goto(portal.url + path)
    _settle(page)


def _candidate_pages(browser, portal, signed_in: dict) -> None:
    """The demo candidate prepares (consent, device check, a scored practice answer),
    then every preparation page is shot at both sizes in Chinese."""
    for size, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                  storage_state=signed_in)
        ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "zh_CN", "url": portal.url}])
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        if size == "desktop":
            _open(page, portal, routes.CANDIDATE_CONSENT)
            page.click("#consent-agree")
            expect(page.locator("#consent-withdraw")).to_be_visible()
            _open(page, portal, routes.CANDIDATE_DEVICE_CHECK)
            page.click("#dc-start")
            expect(page.locator("#dc-saved")).not_to_have_text("")
        # a practice question of its own per size: the same text twice in a row is refused
        _open(page, portal, routes.CANDIDATE_PRACTICE)
        page.click(f"#practice-start-{list(SIZES).index(size)}")
        page.fill("#practice-answer", PRACTICE_ANSWER)
        page.click("#practice-submit")
        expect(page.locator("#practice-feedback")).to_be_visible()
        page.wait_for_timeout(800)
        _shoot(page, f"candidate-practice-feedback-{size}-zh_CN")
        for name, path in {**CANDIDATE_PAGES, "candidate-report": _report_path(portal)}.items():
            _open(page, portal, path)
            _shoot(page, f"{name}-{size}-zh_CN")
        ctx.close()


def _report_path(portal) -> str:
    """The demo candidate's past, scored interview (demo content): its score report."""
    from sqlmodel import select

    from portal import models
    from portal.services.platform import db

    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == demo_email("candidate"))).one()
        past = s.exec(select(models.Interview).where(models.Interview.candidate_id == user.id,
                                                     models.Interview.status == "completed")).one()
        return routes.candidate_report(past.id)


def _room(browser, portal, signed_in: dict) -> int:
    """The interview room as the demo candidate meets it: their interview moved to now (in
    this run's own database), the camera on, the first question in its reading time."""
    from sqlmodel import select

    from portal import models
    from portal.services.platform import db

    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == demo_email("candidate"))).one()
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == user.id,
                                                          models.Interview.status == "scheduled")).one()
        interview.scheduled_at = models.utcnow()
        interview_id = interview.id
    for size, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                  storage_state=signed_in)
        ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "zh_CN", "url": portal.url}])
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        _open(page, portal, routes.interview_room(interview_id))
        expect(page.locator("#room-phase-reading")).to_be_visible()
        page.wait_for_timeout(1500)  # a few frames of the fake camera
        _shoot(page, f"candidate-room-{size}-zh_CN")
        if size == "desktop":  # one typed answer, for the interviewer's page
            page.click("#room-choose-typing")
            page.fill("#room-answer", PRACTICE_ANSWER)
            page.click("#room-submit-typed")
            expect(page.locator("#room-progress-text")).to_contain_text("第 2 题")
        ctx.close()
    return interview_id


def _reviewer(browser, portal, interview_id: int) -> None:
    """The demo interviewer's candidates and the interview's answers, once the worker scored them."""
    import time

    from sqlmodel import select

    from portal import models
    from portal.services.platform import db
    from tests.e2e.accounts import sign_in

    deadline = time.monotonic() + 120
    while True:
        with db.session_scope(portal.db_url) as s:
            if s.exec(select(models.AnswerScore).join(models.Answer, models.Answer.id == models.AnswerScore.answer_id)
                      .where(models.Answer.interview_id == interview_id)).first():
                break
        assert time.monotonic() < deadline, "the interview answer was not scored"
        time.sleep(1)
    signed_in = None
    for size, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                  **({"storage_state": signed_in} if signed_in else {}))
        ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "zh_CN", "url": portal.url}])
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        if signed_in is None:
            sign_in(page, portal, demo_email("interviewer"), "interviewer", {})
            signed_in = ctx.storage_state()
        _open(page, portal, routes.REVIEW_HOME)
        _shoot(page, f"interviewer-candidates-{size}-zh_CN")
        _open(page, portal, routes.interview_review(interview_id))
        expect(page.locator(".review-answer")).to_have_count(1)
        _shoot(page, f"interviewer-review-{size}-zh_CN")
        ctx.close()


def _development(browser, portal, signed_in: dict) -> None:
    """The score report and the development plan in both languages at both sizes: the demo
    candidate's (zh_CN sign-in) and the demo employee's (en sign-in)."""
    report = _report_path(portal)
    for size, (w, h) in SIZES.items():
        for locale in LOCALES:
            for who, state in (("candidate", signed_in["zh_CN"]), ("employee", signed_in["en"])):
                ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                          storage_state=state)
                ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                if who == "candidate":
                    _open(page, portal, report)
                    _shoot(page, f"candidate-report-{size}-{locale}")
                _open(page, portal, routes.DEVELOPMENT)
                expect(page.locator("#plan-timeline")).to_be_visible()
                _shoot(page, f"{who}-development-{size}-{locale}")
                ctx.close()


def _hr(browser, portal) -> None:
    from tests.e2e.accounts import sign_in

    signed_in = None
    for size, locale in (("desktop", "zh_CN"), ("phone", "zh_CN"), ("desktop", "en")):
        ctx = browser.new_context(viewport=dict(zip(("width", "height"), SIZES[size])), device_scale_factor=1,
                                  **({"storage_state": signed_in} if signed_in else {}))
        ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        if signed_in is None:
            sign_in(page, portal, demo_email("hr"), "hr", {})
            signed_in = ctx.storage_state()
        for name, path in HR_PAGES.items():
            _open(page, portal, path)
            _shoot(page, f"{name}-{size}-{locale}")
        ctx.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_portal(Path(tmp)) as portal, sync_playwright() as p:
        browser = launch_chromium(p)
        for size, (w, h) in SIZES.items():
            for locale in LOCALES:
                ctx, page = _context(browser, portal, locale, w, h)
                for name, path in PAGES.items():
                    page.goto(portal.url + path)
                    _settle(page)
                    _shoot(page, f"{name}-{size}-{locale}")
                ctx.close()
        signed_in = {locale: _first_sign_in(browser, portal, locale) for locale in LOCALES}
        _candidate_pages(browser, portal, signed_in["zh_CN"])
        _development(browser, portal, signed_in)
        interview_id = _room(browser, portal, signed_in["zh_CN"])
        _reviewer(browser, portal, interview_id)
        _hr(browser, portal)
        browser.close()


if __name__ == "__main__":
    main()
