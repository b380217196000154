"""A user ends a session from another device; a forgotten password is reset by
e-mail link and the next sign-in still needs the authenticator."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from portal.services.platform.demo import DEMO_PASSWORD, demo_email
from tests.e2e.accounts import next_code, sign_in_demo


def _page(browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_ending_a_session_signs_that_device_out(browser, portal, secrets):
    laptop_ctx, laptop = _page(browser)
    phone_ctx, phone = _page(browser)
    sign_in_demo(laptop, portal, "employee", secrets)
    sign_in_demo(phone, portal, "employee", secrets)
    laptop.goto(portal.url + "/account/security")
    rows = laptop.locator(".session-row")
    expect(rows.filter(has_text="当前设备")).to_have_count(1)
    expect(rows.filter(has_not_text="当前设备").first).to_be_visible()  # the phone (and earlier tests' sessions)
    before = rows.count()
    rows.filter(has_not_text="当前设备").first.get_by_role("button", name="结束").click()
    expect(rows).to_have_count(before - 1)
    laptop.click("#end-others")
    expect(rows).to_have_count(1)
    # the other device is signed out on the server: its next page asks it to sign in
    phone.goto(portal.url + "/account/security")
    expect(phone).to_have_url(re.compile(r"/login/?\?next="))
    laptop.reload()
    expect(laptop.locator("#page-title")).to_have_text("账号安全")
    laptop_ctx.close()
    phone_ctx.close()


def test_password_reset_by_email_link_then_sign_in_with_code(browser, portal, secrets, smtp_inbox):
    context, page = _page(browser)
    sign_in_demo(page, portal, "interviewer", secrets)  # enrols the authenticator
    context.close()

    context, page = _page(browser)
    page.goto(portal.url + "/forgot")
    page.fill("#f-email", demo_email("interviewer"))
    page.click("#reset-submit")
    expect(page.locator("#form-notice")).to_contain_text("30 分钟")
    # an unknown address gets the very same answer
    page.fill("#f-email", "nobody@example.cn")
    page.click("#reset-submit")
    expect(page.locator("#form-notice")).to_contain_text("30 分钟")

    def plain(message):
        return message.get_body(("plain",)).get_content()

    body = plain(smtp_inbox.wait_for(demo_email("interviewer"), where=lambda m: "/reset/" in plain(m)))
    link = re.search(r"https?://\S+/reset/[\w-]+", body).group(0)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/password/new"))
    page.fill("#f-password", "a brand new river song")
    page.fill("#f-password2", "a brand new river song")
    page.click("#reset-new-submit")
    expect(page.locator("#form-notice")).to_contain_text("密码已修改")
    secrets["interviewer:password"] = "a brand new river song"  # for later tests
    # the link works once
    page.goto(link)
    page.fill("#f-password", "another river song here")
    page.fill("#f-password2", "another river song here")
    page.click("#reset-new-submit")
    expect(page.locator("#form-error")).to_be_visible()

    # the old password no longer works; the new one still needs the code
    page.goto(portal.url + "/login")
    page.fill("#f-email", demo_email("interviewer"))
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_have_text("邮箱或密码不正确。")
    page.fill("#f-email", demo_email("interviewer"))
    page.fill("#f-password", "a brand new river song")
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/login/code"))
    page.fill("#f-code", next_code(secrets, "interviewer"))
    page.click("#code-submit")
    expect(page.locator("#user-name")).to_have_count(1)
    context.close()
