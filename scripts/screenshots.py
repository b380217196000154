"""Screenshots for docs/screenshots/: the home page at desktop and phone width,
and a first-time user's authenticator set-up and recovery codes at phone width
(375 px), in both languages. Runs the real production build (tests/e2e/harness.py)."""

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


def _first_sign_in(browser, portal, locale: str) -> None:
    """MFA set-up and recovery codes as a first-time user sees them on a phone."""
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
        for locale in LOCALES:
            _first_sign_in(browser, portal, locale)
        browser.close()


if __name__ == "__main__":
    main()
