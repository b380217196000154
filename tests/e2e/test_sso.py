"""Employees sign in through the company's OpenID Connect provider."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, text


def _start(browser: Browser, portal):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(portal.url + "/login")
    page.click("#sso-start")
    return context, page


def test_sso_without_idp_mfa_still_requires_the_authenticator(browser, portal, oidc_provider):
    oidc_provider.amr, oidc_provider.forge = None, None
    oidc_provider.user = {"sub": "e2001", "email": "li.lei@example.cn", "email_verified": True, "name": "李雷"}
    context, page = _start(browser, portal)
    expect(page).to_have_url(re.compile(r"/mfa/setup"))
    key = page.frame_locator("#totp-frame").locator("#totp-key").get_attribute("data-key")
    page.fill("#f-code", pyotp.TOTP(key).now())
    page.click("#mfa-confirm")
    expect(page).to_have_url(re.compile(r"/mfa/recovery-codes"))
    page.click("#codes-done")
    expect(page.locator("#user-name")).to_have_text("李雷")
    with create_engine(portal.db_url).connect() as conn:
        row = conn.execute(text("select role, oidc_issuer, oidc_subject from user where email='li.lei@example.cn'")).one()
    assert row.role == "employee" and row.oidc_issuer == oidc_provider.issuer and row.oidc_subject == "e2001"
    context.close()


def test_sso_with_idp_mfa_signs_in_directly(browser, portal, oidc_provider):
    oidc_provider.amr, oidc_provider.forge = ["pwd", "mfa"], None
    oidc_provider.user = {"sub": "e2002", "email": "han.mei@example.cn", "email_verified": True, "name": "韩梅"}
    context, page = _start(browser, portal)
    expect(page.locator("#user-name")).to_have_text("韩梅")
    context.close()


def test_a_forged_token_is_refused_with_a_clear_message(browser, portal, oidc_provider):
    oidc_provider.amr, oidc_provider.forge = ["mfa"], "alg_none"
    oidc_provider.user = {"sub": "e2003", "email": "mallory@example.cn", "email_verified": True, "name": "M"}
    try:
        context, page = _start(browser, portal)
        expect(page).to_have_url(re.compile(r"/login/?\?e="))
        expect(page.locator("#form-error")).to_be_visible()
        expect(page.locator("#user-name")).to_have_count(0)
    finally:
        oidc_provider.forge = None
    with create_engine(portal.db_url).connect() as conn:
        assert conn.execute(text("select count(*) from user where email='mallory@example.cn'")).scalar() == 0
    context.close()
