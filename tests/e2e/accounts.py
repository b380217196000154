"""Browser helpers shared by the account tests."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from portal.services.platform.demo import DEMO_PASSWORD, demo_email


def new_page(browser, *, downloads: bool = False) -> Page:
    """A desktop tab (1280 × 900, Chinese) in a context of its own, so its cookies are its
    own person's; ``page.context.close()`` ends it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  accept_downloads=downloads)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def sign_in_demo(page: Page, portal, role: str, secrets: dict[str, str]) -> pyotp.TOTP:
    """Sign a demo account in, enrolling its authenticator on first use.
    ``secrets`` remembers each role's key across tests (one portal per session)."""
    return sign_in(page, portal, demo_email(role), role, secrets)


def sign_in(page: Page, portal, email: str, role: str, secrets: dict[str, str]) -> pyotp.TOTP:
    """Sign ``email`` in with the demo password (or ``secrets[role + ':password']``);
    ``role`` is the key under which ``secrets`` keeps its authenticator."""
    page.goto(portal.url + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", secrets.get(role + ":password", DEMO_PASSWORD))
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/(login/code|mfa/setup)"))
    if "/mfa/setup" in page.url:
        key = page.frame_locator("#totp-frame").locator("#totp-key").get_attribute("data-key")
        secrets[role] = key
        page.fill("#f-code", pyotp.TOTP(key).now())
        page.click("#mfa-confirm")
        expect(page).to_have_url(re.compile(r"/mfa/recovery-codes"))
        codes = page.frame_locator("#codes-frame").locator("li")
        expect(codes).to_have_count(10)  # the page shows the frame once its state has arrived
        secrets[role + ":codes"] = " ".join(codes.all_inner_texts())
        page.click("#codes-done")
        secrets[role + ":step"] = str(int(time.time() // 30))
    else:
        page.fill("#f-code", next_code(secrets, role))
        page.click("#code-submit")
    expect(page.locator("#user-name")).to_have_count(1)
    return pyotp.TOTP(secrets[role])


def next_code(secrets: dict[str, str], role: str) -> str:
    """A code for a time step this account has not used yet: each step is accepted
    once, and the server accepts one step ahead."""
    totp = pyotp.TOTP(secrets[role])
    now_step = int(time.time() // 30)
    step = max(now_step, int(secrets.get(role + ":step", now_step - 1)) + 1)
    while step > now_step + 1:  # both usable steps are spent: wait for the clock
        time.sleep(1)
        now_step = int(time.time() // 30)
    secrets[role + ":step"] = str(step)
    return totp.at(step * 30)


def invite_link(portal, email: str, role: str = "candidate") -> str:
    """An invitation link for ``email`` as HR would send it."""
    from sqlmodel import select

    from portal import models
    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope(portal.db_url) as s:
        hr = s.exec(select(models.User).where(models.User.role == "hr")).first()
        token = auth.create_invitation(s, hr, email, role)
    return f"{portal.url}/invite/{token}"


def new_candidate_with_interview(portal, *, days_ahead: float = 3, name: str = "测试候选人") -> tuple[str, int]:
    """A candidate of their own for a test (the demo candidate stays untouched for the
    walk-through), with the demo password and an interview for the first demo job,
    assigned to the demo interviewer; returns (e-mail, interview id)."""
    import secrets as pysecrets
    from datetime import timedelta

    from sqlmodel import select

    from portal import models
    from portal.services.accounts import passwords
    from portal.services.platform import db

    email = f"cand-{pysecrets.token_hex(4)}@example.cn"
    with db.session_scope(portal.db_url) as s:
        user = models.User(email=email, display_name=name, role="candidate", locale="zh_CN",
                           password_hash=passwords.hash_password(DEMO_PASSWORD), password_changed_at=models.utcnow())
        s.add(user)
        demo = s.exec(select(models.Interview).order_by(models.Interview.id)).first()
        s.flush()
        interview = models.Interview(candidate_id=user.id, job_id=demo.job_id, model_id=demo.model_id,
                                     scheduled_at=models.utcnow() + timedelta(days=days_ahead),
                                     duration_min=demo.duration_min, status="scheduled")
        s.add(interview)
        s.flush()
        for assignment in s.exec(select(models.InterviewAssignment).where(
                models.InterviewAssignment.interview_id == demo.id)).all():
            s.add(models.InterviewAssignment(interview_id=interview.id, interviewer_id=assignment.interviewer_id))
        interview_id = interview.id
    return email, interview_id


def answer_interview(session, person, interview, text: str) -> None:
    """``person`` answers every question of the interview's job with ``text`` and the
    interview ends; the portal's dispatcher then has the real worker score the answers."""
    from sqlmodel import select

    from portal import models
    from portal.services.interviews import scoring_client

    for q in session.exec(select(models.Question).where(models.Question.job_id == interview.job_id,
                                                        models.Question.is_practice.is_(False))).all():
        scoring_client.submit_answer(session, person, q.id, text, language="zh", interview_id=interview.id)
    interview.status = "completed"
    session.add(interview)


def wait_hydrated(page: Page) -> None:
    """The page's state has arrived: the shell replaced its neutral skeleton."""
    expect(page.locator("#skeleton-header")).to_have_count(0)
    expect(page.locator("#skeleton")).to_have_count(0)


# What a user would check in a frame that shows a secret: nothing is cut off or
# needs scrolling, and every line of the secret is one unbroken line.
_FRAME_GEOMETRY = """(_html) => {
  const doc = document.scrollingElement;
  const items = [...document.querySelectorAll('#codes li code, #totp-key')].map(e => {
    const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, lines: e.getClientRects().length,
            text: e.textContent};
  });
  const controls = [...document.querySelectorAll('a, button')].map(e => {
    const r = e.getBoundingClientRect();
    return {id: e.id, left: r.left, right: r.right, bottom: r.bottom, height: r.height};
  });
  return {scrollWidth: doc.scrollWidth, scrollHeight: doc.scrollHeight, width: window.innerWidth,
          height: window.innerHeight, items, controls};
}"""


def assert_frame_fits(page: Page, frame_id: str) -> dict:
    frame = page.frame_locator(f"#{frame_id}").locator("html")
    expect(frame).to_be_visible()
    page.wait_for_timeout(300)  # the frame's script sizes it on load
    geometry = frame.evaluate(_FRAME_GEOMETRY)
    outer = page.locator(f"#{frame_id}").bounding_box()
    viewport = page.viewport_size["width"]
    assert outer["x"] >= 0 and outer["x"] + outer["width"] <= viewport + 0.5, (frame_id, outer)
    assert geometry["scrollWidth"] <= geometry["width"], (frame_id, geometry)
    assert geometry["scrollHeight"] <= geometry["height"] + 1, f"{frame_id} cuts its content off: {geometry}"
    for item in geometry["items"]:
        assert item["left"] >= 0 and item["right"] <= geometry["width"] + 0.5, (frame_id, item)
        assert item["bottom"] <= geometry["height"] + 0.5, (frame_id, item)
    for control in geometry["controls"]:
        assert control["left"] >= 0 and control["right"] <= geometry["width"] + 0.5, (frame_id, control)
        assert control["height"] >= 44, (frame_id, control)
    return geometry
