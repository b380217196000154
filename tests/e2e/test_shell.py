"""The shell a visitor sees: language, 404, error page, theme (phone width: test_phone.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal import routes


def test_home_renders_in_chinese_by_default(page: Page, portal):
    page.goto(portal.url + "/")
    expect(page.locator("#hero-title")).to_have_text("面试之前心中有数，面试之后清清楚楚")
    expect(page.get_by_role("link", name="开放职位").first).to_be_visible()
    # babel's full Chinese date, e.g. 2026年11月22日星期日
    expect(page.locator("#today")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日星期."))
    # the open positions of the database, in Chinese (HR's tests may have opened more than
    # the demo's three)
    from sqlmodel import func, select

    from portal import models
    from portal.services.platform import db

    with db.session_scope(portal.db_url) as s:
        open_jobs = s.exec(select(func.count()).select_from(models.Job).where(models.Job.is_open.is_(True))).one()
    assert open_jobs >= 3
    expect(page.locator("#open-count")).to_have_text(str(open_jobs))
    expect(page.get_by_role("heading", name="客户经理")).to_be_visible()


def test_language_switch_changes_every_string_without_reload(page: Page, portal):
    page.goto(portal.url + "/")
    expect(page.locator("#hero-title")).to_have_text("面试之前心中有数，面试之后清清楚楚")
    page.evaluate("window.__noReload = true")
    page.click("#language-switch")
    expect(page.locator("#hero-title")).to_have_text("Your interview, prepared and explained")
    expect(page.get_by_role("heading", name="Account Manager")).to_be_visible()
    expect(page.locator("#today")).to_have_text(re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "))
    assert page.evaluate("window.__noReload") is True  # same document: no reload happened
    body = page.locator("main").inner_text() + page.locator("header").inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", body.replace("中文", "")), body
    # remembered in the cookie that the plain HTTP pages read too
    assert {c["name"]: c["value"] for c in page.context.cookies()}[routes.LOCALE_COOKIE] == "en"
    # a navigation costs no event for the language (it is no Reflex cookie var)
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(str(p))))
    page.reload()  # the choice survives a reload
    expect(page.locator("#hero-title")).to_have_text("Your interview, prepared and explained")
    page.get_by_role("link", name="Open positions").first.click()
    expect(page).to_have_url(re.compile(r"/jobs$"))
    page.wait_for_load_state("networkidle")
    assert any("on_load_internal" in frame for frame in sent), sent
    assert not any("update_vars_internal" in frame for frame in sent), sent
    page.click("#language-switch")
    expect(page.get_by_role("link", name="开放职位").first).to_be_visible()
    assert {c["name"]: c["value"] for c in page.context.cookies()}[routes.LOCALE_COOKIE] == "zh_CN"


def test_unknown_url_shows_the_404_page(page: Page, portal):
    response = page.goto(portal.url + "/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator("#error-title")).to_have_text("页面不存在")
    page.get_by_role("link", name="返回首页").click()
    expect(page.locator("#hero-title")).to_be_visible()


def test_error_page_shows_no_technical_detail(page: Page, portal):
    page.goto(portal.url + "/error")
    expect(page.locator("#error-title")).to_have_text("出错了")
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "Error:" not in text


def test_dark_theme_toggle(page: Page, portal):
    page.goto(portal.url + "/")
    expect(page.locator("#hero-title")).to_be_visible()
    html = page.locator("html")
    before = html.get_attribute("class") or ""
    page.click("#theme-toggle")
    expect(html).not_to_have_class(before)
    assert ("dark" in (html.get_attribute("class") or "")) != ("dark" in before)


def test_every_response_carries_the_security_headers(page: Page, portal):
    import httpx

    for path in ("/", "/jobs", "/no/such/page", "/ping"):
        r = httpx.get(portal.url + path)
        assert "content-security-policy" in r.headers, (path, r.status_code, dict(r.headers))
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["cache-control"] == "no-store", path
    # the strict CSP does not break the page: it renders and the websocket works
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(portal.url + "/")
    page.click("#language-switch")
    expect(page.locator("#hero-title")).to_have_text("Your interview, prepared and explained")
    assert errors == []


def _websocket_handshake(url: str, origin: str) -> str:
    """Send a raw websocket upgrade for the event endpoint; return the status line."""
    import base64
    import os
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_websocket_from_another_origin_is_refused(portal):
    assert " 101 " in _websocket_handshake(portal.url, portal.url)
    refused = _websocket_handshake(portal.url, "http://evil.example")
    assert " 101 " not in refused and refused.startswith("HTTP/1.1 4"), refused
