"""A new candidate's whole account life in a real browser: invitation → password →
authenticator → sign out → sign in → replayed code refused → recovery code once
→ ten wrong codes lock the account."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models
from portal.services.platform import db
from tests.e2e.accounts import assert_frame_fits, invite_link

PASSWORD = "blue harbour lantern 42"


def _frame_text(page: Page, frame_id: str, selector: str) -> str:
    return page.frame_locator(f"#{frame_id}").locator(selector).inner_text()


def _sign_in(page: Page, portal, email: str, password: str = PASSWORD) -> None:
    page.goto(portal.url + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/login/code"))


def _enter_code(page: Page, code: str) -> None:
    page.fill("#f-code", code)
    with page.expect_navigation():  # the answer is a new page, even when it shows the same error
        page.click("#code-submit")


def _sign_out(page: Page) -> None:
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login/?\?m="))


def test_candidate_account_life(page: Page, portal):
    email = "new.candidate@example.cn"
    page.goto(invite_link(portal, email))
    expect(page).to_have_url(re.compile(r"/welcome/?$"))
    # the invitation token left the address bar
    assert "/invite/" not in page.url

    # a weak password is refused with a translated message and changes nothing
    page.fill("#f-name", "陈晨")
    page.fill("#f-password", "password")
    page.fill("#f-password2", "password")
    page.click("#invite-submit")
    expect(page.locator("#form-error")).to_contain_text("常见")
    page.fill("#f-name", "陈晨")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password2", PASSWORD)
    page.click("#invite-submit")

    # enrol the authenticator from the displayed key
    expect(page).to_have_url(re.compile(r"/mfa/setup"))
    key = page.frame_locator("#totp-frame").locator("#totp-key").get_attribute("data-key")
    shown = _frame_text(page, "totp-frame", "#totp-key")
    assert key and shown.replace(" ", "") == key
    totp = pyotp.TOTP(key)
    page.fill("#f-code", totp.now())
    page.click("#mfa-confirm")
    expect(page).to_have_url(re.compile(r"/mfa/recovery-codes"))
    expect(page.frame_locator("#codes-frame").locator("li")).to_have_count(10)
    codes = [c.strip() for c in page.frame_locator("#codes-frame").locator("li").all_inner_texts()]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert_frame_fits(page, "codes-frame")  # on the desktop too: one column, nothing clipped
    page.click("#codes-done")
    expect(page.locator("#user-name")).to_have_text("陈晨")
    # the codes are shown once: the frame is empty now
    page.goto(portal.url + "/mfa/recovery-codes")
    expect(page.frame_locator("#codes-frame").locator("#codes-gone")).to_be_visible()

    _sign_out(page)
    expect(page.locator("#form-notice")).to_have_text("您已退出登录。")

    # sign in with password and the next code (the enrolment used the current step)
    _sign_in(page, portal, email)
    code = totp.at(time.time() + 30)
    _enter_code(page, code)
    expect(page.locator("#user-name")).to_have_text("陈晨")
    _sign_out(page)

    # the same code is refused the second time
    _sign_in(page, portal, email)
    _enter_code(page, code)
    expect(page.locator("#form-error")).to_have_text("验证码不正确。")

    # a recovery code works once ...
    _enter_code(page, codes[0])
    expect(page.locator("#user-name")).to_have_text("陈晨")
    _sign_out(page)
    # ... and only once
    _sign_in(page, portal, email)
    _enter_code(page, codes[0])
    expect(page.locator("#form-error")).to_have_text("验证码不正确。")

    # ten consecutive wrong codes lock the account (the reused recovery code was the first)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(2, 11):
        _enter_code(page, wrong)
        expect(page.locator("#form-error")).to_have_text("验证码不正确。")
    # locked: even an unused recovery code is refused now
    _enter_code(page, codes[1])
    expect(page.locator("#form-error")).to_have_text("尝试次数过多，请稍后再试。")
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        assert user.locked_until is not None
