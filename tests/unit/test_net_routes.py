"""The network check's endpoints: signed-in candidates only, capped sizes, a
per-user budget per minute, nothing cached."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal import routes
from portal.models import User
from portal.net_routes import LIMITS, MAX_BYTES, net_app
from portal.services.accounts import auth
from portal.services.platform import db, settings

ORIGIN = "https://hr.example.cn"


@pytest.fixture
def client(db_url, isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_DB_URL", db_url)
    monkeypatch.setenv("TALENT_PUBLIC_URL", ORIGIN)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()  # the endpoints use the configured database: this test's
    with TestClient(net_app(), base_url=ORIGIN) as c:
        yield c
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _signed_in(db_url, role: str = "candidate", *, mfa: bool = True) -> dict[str, str]:
    with db.session_scope(db_url) as s:
        user = User(email=f"{role}-{mfa}@example.cn", role=role)
        s.add(user)
        s.flush()
        token = auth._create_session(s, user, mfa_passed=mfa)
    return {routes.SESSION_COOKIE: token}


def _as(client, cookies):
    client.cookies.clear()
    client.cookies.update(cookies)
    return client


def _upload(client, cookies, body, **headers):
    return _as(client, cookies).post(routes.NET_UPLOAD, content=body, headers={"origin": ORIGIN, **headers})


def test_a_candidate_measures_and_nothing_is_cached(client, db_url):
    cookies = _signed_in(db_url)
    ping = _as(client, cookies).get(routes.NET_PING)
    assert ping.status_code == 204 and ping.headers["cache-control"] == "no-store"
    down = _as(client, cookies).get(routes.NET_DOWNLOAD, params={"bytes": MAX_BYTES})
    assert down.status_code == 200 and len(down.content) == MAX_BYTES
    assert down.headers["cache-control"] == "no-store"
    assert len(set(down.content[:4096])) > 200  # random bytes: no compression can flatter the link
    up = _upload(client, cookies, b"x" * MAX_BYTES)
    assert up.status_code == 200 and up.json() == {"bytes": MAX_BYTES}
    assert up.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("who", ["anonymous", "pre-mfa", "hr", "employee", "admin", "bad token"])
def test_only_signed_in_candidates_are_served(client, db_url, who):
    if who == "anonymous":
        cookies = {}
    elif who == "bad token":
        cookies = {routes.SESSION_COOKIE: "forged"}
    elif who == "pre-mfa":  # the password was right, the second factor not given yet
        cookies = _signed_in(db_url, "candidate", mfa=False)
    else:
        cookies = _signed_in(db_url, who)
    expected = 403 if who in ("hr", "employee", "admin") else 401
    assert _as(client, cookies).get(routes.NET_PING).status_code == expected
    down = _as(client, cookies).get(routes.NET_DOWNLOAD, params={"bytes": 1000})
    assert down.status_code == expected and len(down.content) < 100
    assert _upload(client, cookies, b"x" * 1000).status_code == expected


def test_sizes_are_capped(client, db_url):
    cookies = _signed_in(db_url)
    for asked in (MAX_BYTES + 1, 0, "-5", "1e9", "abc", ""):
        assert _as(client, cookies).get(routes.NET_DOWNLOAD, params={"bytes": asked}).status_code == 400
    # refused from the announced length, before the body is read
    assert _upload(client, cookies, b"x" * (MAX_BYTES + 1)).status_code == 413

    # a body without a length (chunked) is cut off at the cap
    def chunks():
        for _ in range(3):
            yield b"y" * (MAX_BYTES // 2 + 1)

    assert _upload(client, cookies, chunks()).status_code == 413


def test_a_foreign_origin_may_not_upload(client, db_url):
    cookies = _signed_in(db_url)
    refused = _as(client, cookies).post(routes.NET_UPLOAD, content=b"x", headers={"origin": "https://evil.example"})
    assert refused.status_code == 403


@pytest.mark.parametrize("kind", ["ping", "download", "upload"])
def test_each_user_has_a_budget_per_minute(client, db_url, kind):
    cookies = _signed_in(db_url)
    with db.session_scope(db_url) as s:
        user = User(email="second@example.cn", role="candidate")
        s.add(user)
        s.flush()
        other = {routes.SESSION_COOKIE: auth._create_session(s, user, mfa_passed=True)}

    def call(who):
        if kind == "ping":
            return _as(client, who).get(routes.NET_PING)
        if kind == "download":
            return _as(client, who).get(routes.NET_DOWNLOAD, params={"bytes": 10})
        return _upload(client, who, b"x" * 10)

    for _ in range(LIMITS[kind]):
        assert call(cookies).status_code in (200, 204)
    refused = call(cookies)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    assert call(other).status_code in (200, 204)  # per user, not for everyone
