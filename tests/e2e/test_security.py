"""Security seen from the browser: what state deltas carry, and what a crafted
websocket event can do."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from portal import models
from portal.services.accounts.access import can_open
from portal.services.platform.demo import DEMO_PASSWORD, demo_email
from portal.services.platform.navigation import nav_items
from tests.e2e.accounts import sign_in_demo


def _db(portal):
    return create_engine(portal.db_url)


@pytest.mark.parametrize("role", list(models.ROLES))
def test_state_deltas_never_carry_secrets_or_other_peoples_data(browser, portal, secrets, role):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(str(p))))

    sign_in_demo(page, portal, role, secrets)
    user = models.User(id=0, email=demo_email(role), role=role, is_active=True)
    pages = [item["href"] for item in nav_items(role, "en")] + ["/account/security"]
    for path in pages:
        assert can_open(user, path)
        page.goto(portal.url + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#user-name")).to_have_count(1)
    deltas = "\n".join(received)
    assert "state___base____base_state" in deltas  # we really recorded the state deltas

    cookies = [c["value"] for c in context.cookies() if c["name"].startswith("tp_")
               and c["name"] != "tp_locale"]
    with _db(portal).connect() as conn:
        row = conn.execute(text("select id, password_hash, totp_secret_enc from user where email = :e"),
                           {"e": demo_email(role)}).one()
        others = {r[0] for r in conn.execute(text("select email from user where email != :e"),
                                             {"e": demo_email(role)})}
        # HR legitimately sees the people it invited itself
        others -= {r[0] for r in conn.execute(text("select email from invitation where invited_by_id = :u"),
                                              {"u": row.id})}
        if role in ("hr", "hr_manager"):  # ...and the candidates it schedules (/hr/schedule), never staff
            others -= {r[0] for r in conn.execute(text("select email from user where role = 'candidate'"))}
        sessions = [r[0] for r in conn.execute(text("select token_hash from usersession"))]
        codes = [r[0] for r in conn.execute(text("select code_hash from recoverycode"))]
    forbidden = [DEMO_PASSWORD, row.password_hash, row.totp_secret_enc, secrets[role],
                 *secrets[role + ":codes"].split(), *cookies, *sessions, *codes]
    for value in forbidden:
        assert value and value not in deltas, f"a secret reached the browser as {role}"
    if role != "admin":  # only administrators manage other people's accounts
        for email in others:
            assert email not in deltas, f"{role} received another person's e-mail"
    context.close()


def test_raw_websocket_event_for_an_hr_handler_from_a_candidate_is_refused_and_audited(
        browser, portal, secrets):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    servers = []
    # Sit between the page and the server, as an attacker's own script could.
    page.route_web_socket(re.compile(r".*/_event.*"),
                          lambda ws: servers.append((ws, ws.connect_to_server())))
    sign_in_demo(page, portal, "candidate", secrets)
    page.goto(portal.url + "/")
    expect(page.locator("#user-name")).to_have_count(1)
    page.wait_for_timeout(500)
    _client, server = servers[-1]
    event = {"name": "reflex___state____state.state___base____base_state."
                     "state___admin____invitations_state.invite",
             "payload": {"form": {"email": "planted.hr@example.cn", "role": "hr"}},
             "router_data": {"pathname": "/", "asPath": "/"}}
    server.send("42/_event," + json.dumps(["event", event]))
    page.wait_for_timeout(2000)
    with _db(portal).connect() as conn:
        planted = conn.execute(text("select count(*) from invitation where email = 'planted.hr@example.cn'")).scalar()
        denied = conn.execute(text(
            "select count(*) from auditevent where action = 'access_denied' and actor = :e "
            "and object_id like '%invite%'"), {"e": demo_email("candidate")}).scalar()
    assert planted == 0
    assert denied >= 1
    context.close()


def test_event_websocket_from_a_foreign_origin_is_refused_and_audited(browser, portal):
    """A page on another site opens our event websocket (the browser sends its own Origin):
    refused at the handshake, and the refusals are audited, aggregated per source."""
    import http.server
    import threading

    class EvilSite(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>another site</title>")

        def log_message(self, *args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EvilSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    evil = f"http://127.0.0.1:{site.server_address[1]}"
    context = browser.new_context()
    page = context.new_page()
    page.goto(evil + "/")
    ws_url = portal.url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket"
    outcomes = page.evaluate("""async (url) => {
        const one = () => new Promise(done => {
            const ws = new WebSocket(url);
            ws.onopen = () => { ws.close(); done("open"); };
            ws.onerror = () => done("refused");
        });
        const out = [];
        for (let i = 0; i < 5; i++) out.push(await one());
        return out;
    }""", ws_url)
    assert outcomes == ["refused"] * 5
    with _db(portal).connect() as conn:
        rows = conn.execute(text(
            "select object_id from auditevent where action = 'websocket.refused' and outcome = 'denied'"
        )).scalars().all()
    assert rows == [evil]  # the first one; the other four are counted
    context.close()
    site.shutdown()
