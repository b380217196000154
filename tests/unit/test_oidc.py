"""OpenID Connect sign-in against a real provider over HTTP on loopback."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, parse_qsl, urlsplit

import shutil

import httpx
import pytest
from sqlalchemy import select

from portal.models import User
from portal.services.platform import audit, db
from portal.services.accounts import oidc
from portal.services.platform.errors import ServiceError
from tests.oidc_provider import OidcTestProvider

REDIRECT = "http://portal.test/auth/oidc/callback"
IP = "10.0.0.8"


@pytest.fixture(scope="module")
def _migrated_db(tmp_path_factory):
    """conftest's ``db_url`` (a migrated temp SQLite), migrated once per module: running
    alembic for each of these tests would cost more than the tests themselves."""
    path = tmp_path_factory.mktemp("oidc-db") / "template.db"
    url = f"sqlite:///{path}"
    db.migrate(url)
    db.get_engine(url).dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def db_url(_migrated_db, tmp_path):
    """Overrides conftest's fixture with a copy of the migrated template: same result, faster."""
    path = tmp_path / "test.db"
    shutil.copyfile(_migrated_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def provider():
    p = OidcTestProvider().start()
    yield p
    p.stop()


@pytest.fixture
def idp(provider, monkeypatch):
    provider.reset()
    oidc.clear_caches()
    for name in ("TALENT_OIDC_ROLE_MAP", "TALENT_OIDC_TRUST_IDP_MFA", "TALENT_OIDC_TOKEN_AUTH",
                 "TALENT_OIDC_CLIENT_SECRET_FILE", "TALENT_OIDC_ROLE_CLAIM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TALENT_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("TALENT_OIDC_CLIENT_ID", provider.client_id)
    monkeypatch.setenv("TALENT_OIDC_CLIENT_SECRET", provider.client_secret)
    yield provider
    oidc.clear_caches()


def authorize(store: dict, redirect_uri: str = REDIRECT) -> dict:
    """begin_login, then the browser's trip to the provider and back: the callback's query."""
    url, pending = oidc.begin_login(redirect_uri)
    store[pending.state] = pending
    response = httpx.get(url, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(redirect_uri + "?")
    return dict(parse_qsl(urlsplit(location).query))


def login(db_url: str, store: dict | None = None) -> oidc.SsoResult:
    store = {} if store is None else store
    params = authorize(store)
    with db.session_scope(db_url) as session:
        return oidc.complete_login(session, store, params, REDIRECT, IP)


def refused(db_url: str, params: dict, store: dict) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        with db.session_scope(db_url) as session:
            oidc.complete_login(session, store, params, REDIRECT, IP)
    return info.value


def sso_events(db_url: str, outcome: str) -> list:
    with db.session_scope(db_url) as session:
        return audit.search(session, action="sso_login", outcome=outcome)


def users(db_url: str) -> list[User]:
    with db.session_scope(db_url) as session:
        return list(session.execute(select(User)).scalars())


# ---------------------------------------------------------------- happy path


def test_first_login_provisions_an_employee_bound_to_issuer_and_subject(idp, db_url):
    result = login(db_url)
    user = result.user
    assert (user.oidc_issuer, user.oidc_subject) == (idp.issuer, "e1001")
    assert user.email == "zhang.wei@example.cn"
    assert user.display_name == "张伟"
    assert user.role == "employee"
    assert user.password_hash is None
    assert result.mfa_satisfied is False  # no amr in the token
    # PKCE verifier and client authentication really went to the token endpoint
    (request,) = idp.token_requests
    assert request["auth_method"] == "client_secret_basic"
    assert len(request["code_verifier"]) >= 43 and "client_secret" not in request
    (event,) = sso_events(db_url, "success")
    assert (event.actor_id, event.ip, event.object_id) == (user.id, IP, str(user.id))
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (True, None)


def test_second_login_finds_the_same_user(idp, db_url):
    first = login(db_url).user
    idp.user = {**idp.user, "email": "wei.zhang@example.cn", "name": "Zhang Wei"}  # details changed at the IdP
    second = login(db_url).user
    assert second.id == first.id
    assert len(users(db_url)) == 1
    assert len(sso_events(db_url, "success")) == 2


def test_amr_mfa_satisfies_the_portals_mfa_step(idp, db_url):
    idp.amr = ["pwd", "mfa"]
    assert login(db_url).mfa_satisfied is True
    idp.amr = ["otp"]
    assert login(db_url).mfa_satisfied is True
    idp.amr = ["pwd"]
    assert login(db_url).mfa_satisfied is False


def test_idp_mfa_not_trusted_when_configured_off(idp, db_url, monkeypatch):
    monkeypatch.setenv("TALENT_OIDC_TRUST_IDP_MFA", "0")
    idp.amr = ["mfa"]
    assert login(db_url).mfa_satisfied is False


def test_role_comes_from_the_mapped_claim_and_never_defaults_to_admin(idp, db_url, monkeypatch):
    monkeypatch.setenv("TALENT_OIDC_ROLE_MAP", '{"hr-team": "hr"}')
    idp.user = {**idp.user, "sub": "e2001", "email": "li.na@example.cn", "talent_role": "hr-team"}
    assert login(db_url).user.role == "hr"
    idp.user = {**idp.user, "sub": "e2002", "email": "wang.fang@example.cn", "talent_role": "admin"}
    assert login(db_url).user.role == "employee"  # "admin" is not mapped, so it means nothing


def test_client_secret_post(idp, db_url, monkeypatch):
    monkeypatch.setenv("TALENT_OIDC_TOKEN_AUTH", "client_secret_post")
    login(db_url)
    assert idp.token_requests[0]["auth_method"] == "client_secret_post"
    assert idp.token_requests[0]["client_secret"] == idp.client_secret


def test_authorize_url_uses_pkce_s256_and_fresh_state_and_nonce(idp):
    url1, p1 = oidc.begin_login(REDIRECT)
    url2, p2 = oidc.begin_login(REDIRECT)
    q = {k: v[0] for k, v in parse_qs(urlsplit(url1).query).items()}
    assert q["code_challenge_method"] == "S256"
    assert q["code_challenge"] != p1.code_verifier
    assert (q["state"], q["nonce"]) == (p1.state, p1.nonce)
    assert p1.code_verifier not in url1
    assert len({p1.state, p2.state, p1.nonce, p2.nonce}) == 4
    assert oidc.PendingLogin.from_json(p1.to_json()) == p1


# ---------------------------------------------------------------- forgeries and refusals


@pytest.mark.parametrize(
    "forge, msgid",
    [
        ("alg_none", oidc.MSG_TOKEN_INVALID),
        ("wrong_signature", oidc.MSG_TOKEN_INVALID),
        ("unknown_key", oidc.MSG_TOKEN_INVALID),
        ("hs256_public_key", oidc.MSG_TOKEN_INVALID),
        ("tampered_payload", oidc.MSG_TOKEN_INVALID),
        ("wrong_audience", oidc.MSG_TOKEN_INVALID),
        ("multiple_audiences_no_azp", oidc.MSG_TOKEN_INVALID),
        ("expired", oidc.MSG_TOKEN_EXPIRED),
        ("wrong_nonce", oidc.MSG_TOKEN_INVALID),
        ("wrong_issuer", oidc.MSG_TOKEN_INVALID),
    ],
)
def test_forged_id_token_is_refused(idp, db_url, forge, msgid):
    idp.forge = forge
    store: dict = {}
    params = authorize(store)
    err = refused(db_url, params, store)
    assert err.msgid == msgid
    assert len(idp.token_requests) == 1  # it got as far as the token endpoint
    assert users(db_url) == []
    (event,) = sso_events(db_url, "failure")
    assert event.ip == IP


def test_replayed_state_is_refused(idp, db_url):
    store: dict = {}
    params = authorize(store)
    with db.session_scope(db_url) as session:
        oidc.complete_login(session, store, params, REDIRECT, IP)
    err = refused(db_url, params, store)
    assert err.msgid == oidc.MSG_STATE_INVALID
    assert len(idp.token_requests) == 1  # the replay never reached the provider
    assert len(sso_events(db_url, "failure")) == 1


def test_unknown_and_expired_state_are_refused(idp, db_url, monkeypatch):
    store: dict = {}
    params = authorize(store)
    assert refused(db_url, {**params, "state": "made-up"}, store).msgid == oidc.MSG_STATE_INVALID
    assert refused(db_url, {"code": params["code"]}, store).msgid == oidc.MSG_STATE_INVALID
    later = oidc.utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(oidc, "utcnow", lambda: later)
    assert refused(db_url, params, store).msgid == oidc.MSG_STATE_INVALID
    assert store == {}  # the expired one was consumed too
    assert idp.token_requests == []


def test_error_from_the_provider_is_refused(idp, db_url):
    store: dict = {}
    params = authorize(store)
    err = refused(db_url, {"state": params["state"], "error": "access_denied"}, store)
    assert err.msgid == oidc.MSG_PROVIDER_REFUSED


def test_wrong_pkce_verifier_is_refused_by_the_provider(idp, db_url):
    store: dict = {}
    params = authorize(store)
    pending = store[params["state"]]
    store[params["state"]] = oidc.PendingLogin(
        state=pending.state, nonce=pending.nonce, code_verifier="x" * 64,
        redirect_uri=pending.redirect_uri, created_at=pending.created_at,
    )
    assert refused(db_url, params, store).msgid == oidc.MSG_PROVIDER_REFUSED


def test_existing_local_account_with_the_same_email_is_not_taken_over(idp, db_url):
    with db.session_scope(db_url) as session:
        session.add(User(email="zhang.wei@example.cn", role="hr_manager", password_hash="x"))
    store: dict = {}
    err = refused(db_url, authorize(store), store)
    assert err.msgid == oidc.MSG_EMAIL_TAKEN
    (local,) = users(db_url)
    assert (local.oidc_issuer, local.oidc_subject, local.role) == (None, None, "hr_manager")
    assert len(sso_events(db_url, "failure")) == 1


def test_email_match_is_exact_not_a_pattern(idp, db_url):
    with db.session_scope(db_url) as session:
        session.add(User(email="zhangxwei@example.cn", role="candidate"))
    idp.user = {**idp.user, "email": "Zhang_Wei@Example.cn"}
    user = login(db_url).user  # "_" is not a wildcard: this is someone else
    assert user.email == "zhang_wei@example.cn" and user.oidc_subject == "e1001"
    idp.user = {**idp.user, "sub": "e1002", "email": "ZHANGXWEI@example.cn"}
    store: dict = {}
    assert refused(db_url, authorize(store), store).msgid == oidc.MSG_EMAIL_TAKEN  # case-insensitive


def test_disabled_user_is_refused(idp, db_url):
    user = login(db_url).user
    with db.session_scope(db_url) as session:
        session.get(User, user.id).is_active = False
    store: dict = {}
    err = refused(db_url, authorize(store), store)
    assert err.msgid == oidc.MSG_DISABLED
    (event,) = sso_events(db_url, "failure")
    assert event.actor_id == user.id


def test_unverified_or_missing_email_is_refused(idp, db_url):
    idp.user = {**idp.user, "email_verified": False}
    store: dict = {}
    assert refused(db_url, authorize(store), store).msgid == oidc.MSG_EMAIL_UNVERIFIED
    idp.user = {"sub": "e1001"}
    assert refused(db_url, authorize(store), store).msgid == oidc.MSG_NO_EMAIL


def test_not_configured(monkeypatch):
    monkeypatch.delenv("TALENT_OIDC_ISSUER", raising=False)
    assert oidc.load_config() is None
    with pytest.raises(ServiceError) as info:
        oidc.begin_login(REDIRECT)
    assert info.value.msgid == oidc.MSG_NOT_CONFIGURED


def test_config_checks():
    base = {"TALENT_OIDC_ISSUER": "https://sso.example.cn/", "TALENT_OIDC_CLIENT_ID": "portal"}
    config = oidc.load_config(base)
    assert config.issuer == "https://sso.example.cn" and config.trust_idp_mfa is True
    assert oidc.role_for_claims(config, {"talent_role": "admin"}) == "employee"
    with pytest.raises(ValueError):
        oidc.load_config({**base, "TALENT_OIDC_ISSUER": "http://sso.example.cn"})  # no TLS
    with pytest.raises(ValueError):
        oidc.load_config({**base, "TALENT_OIDC_ROLE_MAP": '{"x": "superuser"}'})
    mapped = oidc.load_config({**base, "TALENT_OIDC_ROLE_MAP": '{"hr": "hr", "mgr": "hr_manager"}'})
    assert oidc.role_for_claims(mapped, {"talent_role": ["hr", "mgr", "other"]}) == "hr_manager"
