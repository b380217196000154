"""Browser helpers shared by the account tests."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from portal.services.demo import DEMO_PASSWORD, demo_email


def sign_in_demo(page: Page, portal, role: str, secrets: dict[str, str]) -> pyotp.TOTP:
    """Sign a demo account in, enrolling its authenticator on first use.
    ``secrets`` remembers each role's key across tests (one portal per session)."""
    email = demo_email(role)
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
        secrets[role + ":codes"] = " ".join(page.frame_locator("#codes-frame").locator("li").all_inner_texts())
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
