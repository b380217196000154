"""A first-time user on a phone (375 px): every page fits in both languages, the
header's controls are large enough to tap, the menu holds sign-out and the
language, the authenticator can be set up on the phone itself, recovery codes
can be kept, nothing shows before the user's state has arrived, and a wrong
password keeps the e-mail address."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from portal import models, routes
from portal.services.accounts import access
from portal.services.platform.demo import DEMO_PASSWORD, JOBS, demo_email
from tests.e2e.accounts import (
    assert_frame_fits,
    invite_link,
    new_candidate_with_interview,
    sign_in,
    sign_in_demo,
    wait_hydrated,
)

WIDTH = 375
LOCALES = ("zh_CN", "en")
# A URL for each route whose pattern is not a plain path (the catch-all 404 page;
# routes with parameters get a demo object here).
ROUTE_URLS = {"/404": "/no/such/page", "/candidate/interview/[interview_id]": "/candidate/interview/{interview}",
              "/interviewer/interview/[interview_id]": "/interviewer/interview/{interview}",
              "/candidate/report/[interview_id]": "/candidate/report/{interview}",
              "/hr/jobs/[job_id]": "/hr/jobs/1"}


def _context(browser: Browser, portal, locale: str, **options):
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, **options)
    context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _set_locale(page: Page, portal, locale: str) -> None:
    page.context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])


def _app_routes() -> list[str]:
    """Every page route, enumerated from the app (as tests/state/test_access_matrix.py does)."""
    from portal.portal import app

    found = sorted("/" + r.strip("/") if r != "index" else "/" for r in app._unevaluated_pages)
    unknown = [r for r in found if "[" in r and r not in ROUTE_URLS]
    assert not unknown, f"give these routes a demo object in ROUTE_URLS: {unknown}"
    return found


# Every visible control and the page itself within [0, 375]. A control inside a box
# that scrolls sideways on its own (wide tables) is reachable by scrolling that box,
# so the box is what must fit.
_LAYOUT = """(width) => {
  const out = {scrollWidth: document.scrollingElement.scrollWidth, outside: [], header: []};
  const describe = (el) => (el.id ? '#' + el.id : el.tagName.toLowerCase()) + ' "' +
      (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  const controls = document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, iframe, [role=button], [role=combobox]');
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('[aria-hidden=true]') && el.tagName === 'SELECT') continue;  // Radix's native mirror
    let box = r;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll') { box = p.getBoundingClientRect(); break; }
    }
    if (box.left < -0.5 || box.right > width + 0.5) {
      out.outside.push(describe(el) + ' at ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
    if (el.closest('header')) {
      out.header.push({what: describe(el), width: r.width, height: r.height});
    }
  }
  return out;
}"""


def _assert_fits(page: Page, where: str) -> None:
    layout = page.evaluate(_LAYOUT, WIDTH)
    assert layout["scrollWidth"] <= WIDTH, f"{where} is {layout['scrollWidth']}px wide at phone width"
    assert not layout["outside"], f"{where}: controls outside the screen: {layout['outside']}"
    small = [h for h in layout["header"] if h["width"] < 44 or h["height"] < 44]
    assert not small, f"{where}: header tap targets under 44 px: {small}"
    assert layout["header"], f"{where}: no header controls found"


def fits_at_phone_width(page: Page, where: str) -> None:
    """The page as it is now (a form open, a refusal shown) fits a phone; then the desktop size again."""
    page.set_viewport_size({"width": WIDTH, "height": 740})
    try:
        _assert_fits(page, where)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def _url(route: str, interview: int = 0) -> str:
    return ROUTE_URLS.get(route, route).format(interview=interview)


def _open(page: Page, portal, route: str, interview: int = 0) -> None:
    page.goto(portal.url + _url(route, interview))
    wait_hydrated(page)
    page.wait_for_load_state("networkidle")


def _check_menu(page: Page, locale: str, signed_in: bool) -> None:
    page.click("#menu-button")
    menu = page.locator("#menu")
    expect(menu).to_be_visible()
    page.wait_for_timeout(400)  # the drawer slides in
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5, box
    # in words, not only icons, and large enough to tap
    expect(menu.locator("#menu-language-switch")).to_have_text("English" if locale == "zh_CN" else "中文")
    if signed_in:
        expect(menu.locator("#menu-sign-out")).to_have_text("退出登录" if locale == "zh_CN" else "Sign out")
    for control in menu.locator("a, button").all():
        b = control.bounding_box()
        assert b["height"] >= 44 and b["x"] >= 0 and b["x"] + b["width"] <= WIDTH + 0.5, (control.inner_text(), b)
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)


def test_every_page_fits_a_phone_in_both_languages(browser, portal, secrets):
    """Visitors on every page anyone may open; the administrator, who has the longest
    menu, on every page an administrator may open; a candidate of their own on the
    candidate's pages."""
    all_routes = _app_routes()
    public = [r for r in all_routes if access.can_open(None, r)]
    admin = models.User(id=1, email="a@example.cn", role="admin", is_active=True)
    candidate = models.User(id=2, email="c@example.cn", role="candidate", is_active=True)
    hr = models.User(id=3, email="h@example.cn", role="hr", is_active=True)
    candidates_only = [r for r in all_routes if not access.can_open(admin, r) and access.can_open(candidate, r)]
    reviewers_only = [r for r in all_routes if not access.can_open(admin, r) and not access.can_open(candidate, r)]
    assert all(access.can_open(hr, r) for r in reviewers_only), "pick a role that may open each route"

    for locale in LOCALES:
        context, page = _context(browser, portal, locale)
        for route in public:
            _open(page, portal, route)
            _assert_fits(page, f"{route} ({locale}, visitor)")
        _open(page, portal, "/")
        _check_menu(page, locale, signed_in=False)
        context.close()

    context, page = _context(browser, portal, "zh_CN")
    sign_in_demo(page, portal, "admin", secrets)
    for locale in LOCALES:
        _set_locale(page, portal, locale)
        for route in all_routes:
            if route in candidates_only:
                continue
            _open(page, portal, route)
            _assert_fits(page, f"{route} ({locale}, admin)")
        _open(page, portal, "/")
        _check_menu(page, locale, signed_in=True)
    context.close()

    # the demo candidate is kept for the walk-through: a candidate of this test's own
    email, interview = new_candidate_with_interview(portal)
    context, page = _context(browser, portal, "zh_CN")
    sign_in(page, portal, email, email, secrets)
    for locale in LOCALES:
        _set_locale(page, portal, locale)
        for route in candidates_only:
            _open(page, portal, route, interview)
            # the page itself, not a redirect away from it
            expect(page).to_have_url(re.compile(re.escape(_url(route, interview)) + r"/?(\?.*)?$"))
            _assert_fits(page, f"{route} ({locale}, candidate)")
        _check_menu(page, locale, signed_in=True)
    context.close()

    # HR's and the reviewers' pages, as the demo HR (who may open every interview's review)
    context, page = _context(browser, portal, "zh_CN")
    sign_in_demo(page, portal, "hr", secrets)
    for locale in LOCALES:
        _set_locale(page, portal, locale)
        for route in reviewers_only:
            _open(page, portal, route, interview)
            expect(page).to_have_url(re.compile(re.escape(_url(route, interview)) + r"/?(\?.*)?$"))
            _assert_fits(page, f"{route} ({locale}, hr)")
    context.close()


def test_the_menu_navigates_switches_language_and_signs_out(browser, portal, secrets):
    context, page = _context(browser, portal, "en")
    sign_in_demo(page, portal, "interviewer", secrets)
    page.goto(portal.url + "/")
    wait_hydrated(page)
    # the header keeps only what fits: sign-out and the language moved into the menu
    expect(page.locator("#menu-button")).to_be_in_viewport()
    expect(page.locator("#sign-out")).to_be_hidden()
    expect(page.locator("#language-switch")).to_be_hidden()

    page.click("#menu-button")
    page.locator("#menu").get_by_role("link", name="Open positions").click()
    expect(page).to_have_url(re.compile(r"/jobs/?$"))

    page.click("#menu-button")
    page.click("#menu-language-switch")
    expect(page.locator("main h1")).to_have_text("开放职位")
    page.keyboard.press("Escape")

    page.click("#menu-button")
    page.click("#menu-sign-out")
    expect(page).to_have_url(re.compile(r"/login/?\?m="))
    expect(page.locator("#form-notice")).to_have_text("您已退出登录。")
    context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_new_user_sets_up_the_authenticator_on_a_phone(browser, portal, locale):
    context, page = _context(browser, portal, locale, permissions=["clipboard-read", "clipboard-write"])
    page.goto(invite_link(portal, f"phone.{locale.lower()}@example.cn"))
    page.fill("#f-name", "Lin")
    page.fill("#f-password", "blue harbour lantern 42")
    page.fill("#f-password2", "blue harbour lantern 42")
    page.click("#invite-submit")
    expect(page).to_have_url(re.compile(r"/mfa/setup"))
    wait_hydrated(page)
    _assert_fits(page, f"/mfa/setup ({locale})")

    totp = page.frame_locator("#totp-frame")
    key = totp.locator("#totp-key").get_attribute("data-key")
    # the whole key is on screen (not cut off under the QR code) ...
    assert_frame_fits(page, "totp-frame")
    expect(totp.locator("#totp-key")).to_have_text(" ".join(key[i:i + 4] for i in range(0, len(key), 4)))
    # ... a phone user opens it in the app directly ...
    link = totp.locator("#otpauth-link")
    href = link.get_attribute("href")
    assert href.startswith("otpauth://totp/") and f"secret={key}" in href, href
    assert link.get_attribute("target") == "_top"
    expect(link).to_have_text("在身份验证器应用中打开" if locale == "zh_CN" else "Open in the authenticator app")
    # ... or copies it
    totp.locator("#copy-key").click()
    expect(totp.locator("#frame-status")).to_have_text("已复制。" if locale == "zh_CN" else "Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == key

    page.fill("#f-code", pyotp.TOTP(key).now())
    page.click("#mfa-confirm")
    expect(page).to_have_url(re.compile(r"/mfa/recovery-codes"))
    wait_hydrated(page)
    _assert_fits(page, f"/mfa/recovery-codes ({locale})")
    frame = page.frame_locator("#codes-frame")
    expect(frame.locator("li")).to_have_count(10)
    codes = [c.strip() for c in frame.locator("li").all_inner_texts()]
    assert len(codes) == 10

    # one column, one line per code, nothing clipped
    geometry = assert_frame_fits(page, "codes-frame")
    lefts = {round(i["left"]) for i in geometry["items"]}
    assert len(lefts) == 1, f"codes are not in one column: {geometry['items']}"
    assert all(i["lines"] == 1 for i in geometry["items"]), geometry["items"]
    tops = [i["top"] for i in geometry["items"]]
    assert tops == sorted(tops) and len(set(tops)) == 10

    frame.locator("#copy-codes").click()
    expect(frame.locator("#frame-status")).to_have_text("已复制。" if locale == "zh_CN" else "Copied.")
    assert page.evaluate("navigator.clipboard.readText()").split("\n") == codes

    with page.expect_download() as download:
        frame.locator("#download-codes").click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    text = open(download.value.path(), encoding="utf-8").read()
    assert [line for line in text.splitlines() if line in codes] == codes

    codes_frame = page.frame(url=re.compile(re.escape(routes.AUTH_RECOVERY_FRAME)))
    codes_frame.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    frame.locator("#print-codes").click()
    assert codes_frame.evaluate("window.__printed") == 1

    # the page's language switch changes the frame's words in place: the codes stay
    page.click("#menu-button")
    page.click("#menu-language-switch")
    page.keyboard.press("Escape")
    expect(frame.locator("#print-codes")).to_have_text("Print" if locale == "zh_CN" else "打印")
    expect(frame.locator("#copy-codes")).to_have_text("Copy the codes" if locale == "zh_CN" else "复制恢复码")
    expect(frame.locator("li")).to_have_count(10)
    context.close()


def test_before_its_state_arrives_a_signed_in_page_shows_a_neutral_skeleton(browser, portal, secrets):
    """The websocket is held back: until the state arrives nothing says "Sign in",
    "0 recovery codes" or anything in the default language."""
    context, page = _context(browser, portal, "en")
    sign_in_demo(page, portal, "hr", secrets)
    held: list = []
    hold = {"on": True, "socket": None}

    def handler(ws):
        server = ws.connect_to_server()
        hold["socket"] = ws

        def from_server(message):
            if hold["on"]:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/_event"), handler)
    page.goto(portal.url + "/account/security")
    expect(page.locator("#skeleton")).to_be_visible()
    page.wait_for_timeout(1500)
    assert held, "the state was not held back"
    body = page.locator("body").inner_text()
    for shown in ("登录", "Sign in", "剩余恢复码", "Recovery codes left", "人才门户"):
        assert shown not in body, f"{shown!r} visible before the state arrived: {body!r}"
    assert not re.search(r"[\u4e00-\u9fff]", body), body  # nothing in the wrong language either
    expect(page.locator("#sign-in")).to_have_count(0)
    expect(page.locator("#menu-button")).to_have_count(0)

    hold["on"] = False
    for message in held:
        hold["socket"].send(message)
    expect(page.locator("#recovery-left")).to_have_text(re.compile(r"^Recovery codes left: (10|[1-9])$"))
    expect(page.locator("#skeleton")).to_have_count(0)
    expect(page.locator("#sign-in")).to_have_count(0)
    context.close()


def test_a_wrong_password_keeps_the_email_and_focuses_the_password(browser, portal):
    context, page = _context(browser, portal, "zh_CN")
    email = "nobody.here@example.cn"
    page.goto(portal.url + "/login")
    wait_hydrated(page)
    page.fill("#f-email", email)
    page.fill("#f-password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#f-email")).to_have_value(email)
    expect(page.locator("#f-password")).to_have_value("")
    expect(page.locator("#f-password")).to_be_focused()
    # kept server-side in an HttpOnly cookie: not in the address bar or its history
    assert email not in page.url and "example" not in page.url
    kept = [c for c in context.cookies() if c["name"] == routes.LOGIN_EMAIL_COOKIE]
    assert kept and kept[0]["httpOnly"] and "not the password" not in kept[0]["value"]
    # a fresh visit to the sign-in page starts empty, with the e-mail field first
    page.goto(portal.url + "/login")
    wait_hydrated(page)
    expect(page.locator("#f-email")).to_have_value("")
    expect(page.locator("#f-password")).not_to_be_focused()

    # the right password then needs only the password typed again; the address is forgotten
    page.goto(portal.url + "/login")
    page.fill("#f-email", demo_email("candidate"))
    page.fill("#f-password", "wrong again")
    page.click("#login-submit")
    expect(page.locator("#f-email")).to_have_value(demo_email("candidate"))
    page.keyboard.type(DEMO_PASSWORD)  # the focus is in the password field
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/(login/code|mfa/setup)"))
    assert not [c for c in context.cookies() if c["name"] == routes.LOGIN_EMAIL_COOKIE]
    context.close()


def test_job_descriptions_keep_their_line_breaks(browser, portal):
    context, page = _context(browser, portal, "zh_CN")
    page.goto(portal.url + "/jobs")
    wait_hydrated(page)
    description = page.locator(".job-description").first
    expect(description).to_contain_text("岗位职责：")
    lines = description.inner_text().split("\n")
    assert lines == JOBS[0]["description_zh"].split("\n"), lines
    context.close()
