"""Reflex keeps state per browser tab (a client token in sessionStorage), not per
person. An administrator fills it with other people's data (outbox, users,
invitations, audit log, sessions); whoever uses that tab or that token next,
without the administrator's session cookie, must receive none of it."""

from __future__ import annotations

import asyncio
import json
import re
import secrets as pysecrets

import socketio
from playwright.sync_api import expect

from portal import models
from portal.services.platform import audit, i18n
from portal.services.platform.demo import demo_email
from tests import aio
from tests.e2e.accounts import sign_in_demo

HYDRATE = "reflex___state____state.hydrate_and_load"


def _admin_fills_the_tab(page, portal, secrets) -> list[str]:
    """Sign the administrator in and open every page that lists other people's
    data; returns strings that belong to those people (checked on the page first)."""
    invitee = f"state-walk-{pysecrets.token_hex(4)}@example.cn"
    sign_in_demo(page, portal, "admin", secrets)
    page.goto(portal.url + "/hr/invitations")
    page.fill("#invite-email", invitee)
    page.click("#invite-send")
    expect(page.locator("#invitations-table")).to_contain_text(invitee)
    page.goto(portal.url + "/admin/outbox")
    expect(page.locator("body")).to_contain_text(invitee)
    page.goto(portal.url + "/admin/users")
    expect(page.locator("#users-table")).to_contain_text(demo_email("candidate"))
    page.goto(portal.url + "/admin/audit")
    sent = i18n.gettext("zh_CN", audit.ACTION_LABELS["invitation.create"])
    expect(page.locator("#audit-table")).to_contain_text(sent)
    page.goto(portal.url + "/account/security")
    expect(page.locator("body")).to_contain_text(demo_email("admin"))
    others = [demo_email(r) for r in models.ROLES]  # every account, the admin's own included
    # the action labels themselves are public (the audit filter's options); the rows name people
    return [invitee, *others]


def _assert_nothing_of(deltas: str, private: list[str]) -> None:
    assert "state___base____base_state" in deltas  # the state really arrived
    for value in private:
        at = deltas.find(value)
        assert at < 0, f"the tab's next use received {value!r}: …{deltas[max(0, at - 150):at + 50]}…"


def test_next_visitor_in_the_same_tab_receives_nothing_of_the_signed_out_admin(browser, portal, secrets):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(str(p))))
    private = _admin_fills_the_tab(page, portal, secrets)
    token = page.evaluate("window.sessionStorage.getItem('token')")

    received.clear()
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login"))
    # the next person at this desk opens the home page in the same tab
    page.goto(portal.url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#user-name")).to_have_count(0)
    assert page.evaluate("window.sessionStorage.getItem('token')") == token  # the same Reflex state
    page.wait_for_timeout(500)
    _assert_nothing_of("\n".join(received), private)
    context.close()
    # and no copy of it waits on disk: state is kept in memory
    states = portal.data_dir / "states"
    assert not states.exists() or not any(states.iterdir())


def test_an_admins_lists_do_not_outlive_their_page(browser, portal, secrets):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(str(p))))
    private = _admin_fills_the_tab(page, portal, secrets)
    page.goto(portal.url + "/")
    expect(page.locator("#user-name")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    received.clear()
    page.reload()  # a reload hydrates the tab's whole state again
    expect(page.locator("#user-name")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    # the administrator is still signed in, but left the pages that listed other people
    _assert_nothing_of("\n".join(received), [p for p in private if p != demo_email("admin")])
    context.close()


async def _hydrate_without_cookie(url: str, token: str) -> str:
    """Connect as Reflex's frontend does (token in the query, the hydrate event in
    the CONNECT packet), but with no cookie at all, and collect every reply."""
    received: list[str] = []
    done = asyncio.Event()
    client = socketio.AsyncClient(reconnection=False)

    async def on_event(data):
        received.append(json.dumps(data, ensure_ascii=False))
        if "state___base____base_state" in received[-1]:  # the state snapshot
            done.set()

    client.on("event", on_event, namespace="/_event")
    boot = {"name": HYDRATE, "payload": {}, "router_data": {"pathname": "/", "asPath": "/"}}
    await client.connect(f"{url}?token={token}", socketio_path="/_event", namespaces=["/_event"],
                         transports=["websocket"], headers={"Origin": url}, auth={"event": boot})
    try:
        await asyncio.wait_for(done.wait(), 10)
        await asyncio.sleep(2.0)  # the home page's on_load events answer too
    finally:
        await client.disconnect()
    return "\n".join(received)


def test_borrowed_client_token_without_cookie_receives_nothing_of_the_admin(browser, portal, secrets):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    private = _admin_fills_the_tab(page, portal, secrets)
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token
    context.close()  # the tab is gone; its state stays on the server under the token

    deltas = aio.run(_hydrate_without_cookie(portal.url, token))
    _assert_nothing_of(deltas, private)
