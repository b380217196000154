"""Single sign-on for employees with OpenID Connect (authorization code + PKCE).

Plain Python (never imports reflex). The flow, as the portal uses it:

1. ``begin_login(redirect_uri)`` returns the identity provider's authorize URL
   and a ``PendingLogin`` (state, nonce, PKCE verifier, time). The caller keeps
   the pending login on the server, keyed by its ``state`` (a dict in tests, a
   table or Redis later: anything with ``store[state] = pending`` and
   ``store.pop(state, None)``), and sends the browser to the URL. Only ``state``
   ever reaches the browser.
2. The provider sends the browser back to ``redirect_uri`` with ``code`` and
   ``state``. ``complete_login(session, store, params, redirect_uri, ip)``
   consumes the pending login (a state works once, for ten minutes), exchanges
   the code with the PKCE verifier, verifies the ID token (RS256/ES256 signature
   against the provider's JWKS, issuer, audience, authorized party, expiry,
   issue time, nonce) and finds the user bound to (issuer, subject), creating an
   employee on first sign-in. It returns ``SsoResult(user, mfa_satisfied)``.

Users are bound by (issuer, subject) only: an e-mail address is never enough to
take over a local account. Every refusal raises ``ServiceError`` with a
translatable message and leaves an audit event (``sso_login``, outcome
``failure``); a success leaves one with outcome ``success``.

Configuration (environment):

    TALENT_OIDC_ISSUER              https://sso.example.com/realms/corp (https, except on loopback)
    TALENT_OIDC_CLIENT_ID           talent-portal
    TALENT_OIDC_CLIENT_SECRET       or TALENT_OIDC_CLIENT_SECRET_FILE (a 0600 file); none = public client
    TALENT_OIDC_TOKEN_AUTH          client_secret_basic | client_secret_post (default: what discovery offers, basic first)
    TALENT_OIDC_ROLE_CLAIM          claim holding the portal role (default "talent_role")
    TALENT_OIDC_ROLE_MAP            JSON {"claim value": "role"}; unmapped values give "employee"
    TALENT_OIDC_TRUST_IDP_MFA       1 (default): the portal's own MFA step is skipped when the
                                    ID token's "amr" says "mfa" or "otp"; 0: never skipped
    TALENT_OIDC_SCOPES              default "openid email profile"
    TALENT_OIDC_CA_BUNDLE           CA file for an identity provider with an in-house certificate
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import ssl
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, MutableMapping
from urllib.parse import quote, urlencode, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.models import ROLES, User
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

# ---------------------------------------------------------------- messages

MSG_NOT_CONFIGURED = N_("Sign-in with your company account is not set up on this portal.")
MSG_PROVIDER_UNAVAILABLE = N_(
    "Your company's sign-in service cannot be reached. Please try again in a few minutes."
)
MSG_PROVIDER_REFUSED = N_("Your company's sign-in service did not let you in. Please try again.")
MSG_STATE_INVALID = N_(
    "This sign-in link is no longer valid (it was already used or is too old). Please sign in again."
)
MSG_TOKEN_INVALID = N_(
    "The sign-in answer from your company's identity provider could not be verified. "
    "Please sign in again."
)
MSG_TOKEN_EXPIRED = N_(
    "The sign-in answer from your company's identity provider has expired. Please sign in again."
)
MSG_NO_EMAIL = N_(
    "Your company's identity provider did not send an e-mail address, so no account can be "
    "created. Please ask HR for help."
)
MSG_EMAIL_UNVERIFIED = N_(
    "Your company's identity provider has not verified your e-mail address, so no account can be "
    "created. Please ask HR for help."
)
MSG_EMAIL_TAKEN = N_(
    "An account with your e-mail address already exists on this portal. Please ask HR to link it "
    "to your company sign-in."
)
MSG_DISABLED = N_("Your account is disabled. Please contact HR.")

# ---------------------------------------------------------------- constants

PENDING_TTL = timedelta(minutes=10)
ALLOWED_ALGS = ("RS256", "ES256")
LEEWAY_S = 60  # clock skew tolerated on exp / iat / nbf
MAX_IAT_AGE_S = 600  # an ID token issued longer ago than this is refused
MFA_AMR = frozenset({"mfa", "otp"})
DEFAULT_ROLE = "employee"
HTTP_TIMEOUT_S = 10.0
DISCOVERY_TTL_S = 3600
JWKS_TTL_S = 3600
JWKS_MIN_REFRESH_S = 30  # an unknown kid refetches the JWKS at most this often
AUDIT_ACTION = "sso_login"


def utcnow() -> datetime:  # module-level so tests can pin the clock
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    token_auth_method: str = ""  # "" = choose from discovery
    role_claim: str = "talent_role"
    role_map: Mapping[str, str] = field(default_factory=dict)
    trust_idp_mfa: bool = True
    scopes: str = "openid email profile"
    ca_bundle: str = ""

    def __post_init__(self) -> None:
        parts = urlsplit(self.issuer)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError("TALENT_OIDC_ISSUER must be an https URL")
        if not self.client_id:
            raise ValueError("TALENT_OIDC_CLIENT_ID is required")
        for value, role in self.role_map.items():
            if role not in ROLES:
                raise ValueError(f"TALENT_OIDC_ROLE_MAP maps {value!r} to unknown role {role!r}")
        if self.token_auth_method not in ("", "client_secret_basic", "client_secret_post"):
            raise ValueError("TALENT_OIDC_TOKEN_AUTH must be client_secret_basic or client_secret_post")

    def http_verify(self) -> bool | ssl.SSLContext:
        """TLS verification for calls to the provider: the system CAs, or the given bundle."""
        return ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else True


def _env(env: Mapping[str, str], name: str, default: str = "") -> str:
    return (env.get(name) or "").strip() or default


def load_config(env: Mapping[str, str] | None = None) -> OidcConfig | None:
    """The configuration from the environment, or None when SSO is not set up.
    A half or wrong configuration raises ValueError (an operator's mistake)."""
    env = os.environ if env is None else env
    issuer = _env(env, "TALENT_OIDC_ISSUER").rstrip("/")
    if not issuer:
        return None
    secret = _env(env, "TALENT_OIDC_CLIENT_SECRET")
    secret_file = _env(env, "TALENT_OIDC_CLIENT_SECRET_FILE")
    if not secret and secret_file:
        with open(secret_file, encoding="utf-8") as f:
            secret = f.read().strip()
    raw_map = _env(env, "TALENT_OIDC_ROLE_MAP", "{}")
    try:
        role_map = json.loads(raw_map)
    except json.JSONDecodeError as exc:
        raise ValueError(f"TALENT_OIDC_ROLE_MAP is not JSON: {exc}") from None
    if not isinstance(role_map, dict) or not all(isinstance(v, str) for v in role_map.values()):
        raise ValueError('TALENT_OIDC_ROLE_MAP must be a JSON object {"claim value": "role"}')
    return OidcConfig(
        issuer=issuer,
        client_id=_env(env, "TALENT_OIDC_CLIENT_ID"),
        client_secret=secret,
        token_auth_method=_env(env, "TALENT_OIDC_TOKEN_AUTH"),
        role_claim=_env(env, "TALENT_OIDC_ROLE_CLAIM", "talent_role"),
        role_map={str(k): v for k, v in role_map.items()},
        trust_idp_mfa=_env(env, "TALENT_OIDC_TRUST_IDP_MFA", "1").lower() not in ("0", "false", "no"),
        scopes=_env(env, "TALENT_OIDC_SCOPES", "openid email profile"),
        ca_bundle=_env(env, "TALENT_OIDC_CA_BUNDLE"),
    )


def is_enabled(env: Mapping[str, str] | None = None) -> bool:
    return load_config(env) is not None


def _require_config(config: OidcConfig | None) -> OidcConfig:
    config = config or load_config()
    if config is None:
        raise ServiceError(MSG_NOT_CONFIGURED)
    return config


# ---------------------------------------------------------------- discovery and keys


class _Cache:
    """Discovery documents and JWKS per issuer, shared by the process's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.discovery: dict[str, tuple[float, dict]] = {}
        self.jwks: dict[str, tuple[float, KeySet]] = {}

    def clear(self) -> None:
        with self.lock:
            self.discovery.clear()
            self.jwks.clear()


_cache = _Cache()


def clear_caches() -> None:
    """Forget discovery documents and keys (tests; or after changing the provider)."""
    _cache.clear()


def _get_json(config: OidcConfig, url: str) -> dict:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT_S, verify=config.http_verify())
        response.raise_for_status()
        doc = response.json()
    except (httpx.HTTPError, ValueError):
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE) from None
    if not isinstance(doc, dict):
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE)
    return doc


def discovery(config: OidcConfig) -> dict:
    """The provider's metadata from ``<issuer>/.well-known/openid-configuration``, cached."""
    now = time.monotonic()
    with _cache.lock:
        hit = _cache.discovery.get(config.issuer)
    if hit and now - hit[0] < DISCOVERY_TTL_S:
        return hit[1]
    doc = _get_json(config, config.issuer + "/.well-known/openid-configuration")
    # The metadata must be about the issuer we trust (OIDC Discovery 4.3).
    if doc.get("issuer", "").rstrip("/") != config.issuer:
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE)
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise ServiceError(MSG_PROVIDER_UNAVAILABLE)
    with _cache.lock:
        _cache.discovery[config.issuer] = (now, doc)
    return doc


def _jwks(config: OidcConfig, *, refresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _cache.lock:
        hit = _cache.jwks.get(config.issuer)
    if hit and (now - hit[0] < JWKS_TTL_S) and not (refresh and now - hit[0] >= JWKS_MIN_REFRESH_S):
        return hit[1]
    doc = _get_json(config, discovery(config)["jwks_uri"])
    # Only public signing keys: an "oct" (shared secret) key can never verify an ID token here.
    keys = [k for k in doc.get("keys", []) if isinstance(k, dict) and k.get("kty") in ("RSA", "EC")]
    keys = [{k: v for k, v in key.items() if k != "d"} for key in keys if key.get("use", "sig") == "sig"]
    try:
        key_set = KeySet.import_key_set({"keys": keys})
    except JoseError:
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE) from None
    with _cache.lock:
        _cache.jwks[config.issuer] = (now, key_set)
    return key_set


# ---------------------------------------------------------------- pending logins


@dataclass(frozen=True)
class PendingLogin:
    """What the server keeps between the redirect to the provider and its answer.
    Only ``state`` is shown to the browser; ``nonce`` and ``code_verifier`` stay here."""

    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str
    created_at: datetime

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) - self.created_at > PENDING_TTL

    def to_json(self) -> str:
        doc = asdict(self)
        doc["created_at"] = self.created_at.isoformat()
        return json.dumps(doc)

    @classmethod
    def from_json(cls, text: str) -> "PendingLogin":
        doc = json.loads(text)
        doc["created_at"] = datetime.fromisoformat(doc["created_at"])
        return cls(**doc)


PendingStore = MutableMapping[str, PendingLogin]


def consume_pending(store: PendingStore, state: str | None) -> PendingLogin:
    """Take the pending login for ``state`` out of ``store``: the same state never works
    twice, and one older than ten minutes never works. Refuses with ServiceError."""
    if not state or not isinstance(state, str):
        raise ServiceError(MSG_STATE_INVALID)
    pending = store.pop(state, None)
    if pending is None or not secrets.compare_digest(pending.state, state) or pending.is_expired():
        raise ServiceError(MSG_STATE_INVALID)
    return pending


def begin_login(redirect_uri: str, *, config: OidcConfig | None = None) -> tuple[str, PendingLogin]:
    """The provider's authorize URL to send the browser to, and the pending login the
    caller stores server-side with ``store[pending.state] = pending``."""
    config = _require_config(config)
    meta = discovery(config)
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # 86 characters, within RFC 7636's 43..128
        redirect_uri=redirect_uri,
        created_at=utcnow(),
    )
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": config.scopes,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": create_s256_code_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
    }
    endpoint = meta["authorization_endpoint"]
    sep = "&" if urlsplit(endpoint).query else "?"
    return endpoint + sep + urlencode(query), pending


# ---------------------------------------------------------------- token exchange and verification


def _token_auth_method(config: OidcConfig, meta: dict) -> str:
    if not config.client_secret:
        return "none"
    if config.token_auth_method:
        return config.token_auth_method
    offered = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in offered else "client_secret_post"


def _exchange_code(config: OidcConfig, code: str, pending: PendingLogin, redirect_uri: str) -> dict:
    meta = discovery(config)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": pending.code_verifier,
    }
    auth = None
    method = _token_auth_method(config, meta)
    if method == "client_secret_basic":
        # RFC 6749 2.3.1: id and secret are form-urlencoded before the basic scheme.
        auth = httpx.BasicAuth(quote(config.client_id, safe=""), quote(config.client_secret, safe=""))
    else:
        data["client_id"] = config.client_id
        if method == "client_secret_post":
            data["client_secret"] = config.client_secret
    try:
        response = httpx.post(
            meta["token_endpoint"],
            data=data,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=HTTP_TIMEOUT_S,
            verify=config.http_verify(),
        )
    except httpx.HTTPError:
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE) from None
    if response.status_code >= 500:
        raise ServiceError(MSG_PROVIDER_UNAVAILABLE)
    try:
        doc = response.json()
    except ValueError:
        raise ServiceError(MSG_PROVIDER_REFUSED) from None
    if response.status_code != 200 or not isinstance(doc, dict) or not isinstance(doc.get("id_token"), str):
        raise ServiceError(MSG_PROVIDER_REFUSED)
    return doc


def _b64_json(segment: str) -> dict:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def verify_id_token(config: OidcConfig, id_token: str, nonce: str, *, now: float | None = None) -> dict:
    """The ID token's claims after every check of OIDC Core 3.1.3.7 that applies to
    the code flow; refuses with ServiceError."""
    parts = id_token.split(".")
    if len(parts) != 3:
        raise ServiceError(MSG_TOKEN_INVALID)
    try:
        header = _b64_json(parts[0])
    except (ValueError, UnicodeError):
        raise ServiceError(MSG_TOKEN_INVALID) from None
    # Only asymmetric signatures: "none" and HS* (an HMAC keyed with the public key) are refused
    # before any key is looked at.
    if header.get("alg") not in ALLOWED_ALGS or "crit" in header or not parts[2]:
        raise ServiceError(MSG_TOKEN_INVALID)
    token = None
    for refresh in (False, True):  # an unknown kid may mean the provider rotated its keys
        key_set = _jwks(config, refresh=refresh)
        kid = header.get("kid")
        if kid is not None and not any(k.kid == kid for k in key_set.keys) and not refresh:
            continue
        try:
            token = jwt.decode(id_token, key_set, algorithms=list(ALLOWED_ALGS))
            break
        except BadSignatureError:
            raise ServiceError(MSG_TOKEN_INVALID) from None
        except (JoseError, ValueError, TypeError):
            if refresh:
                raise ServiceError(MSG_TOKEN_INVALID) from None
    if token is None:
        raise ServiceError(MSG_TOKEN_INVALID)
    claims = token.claims
    now = time.time() if now is None else now

    if claims.get("iss") != config.issuer:
        raise ServiceError(MSG_TOKEN_INVALID)
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise ServiceError(MSG_TOKEN_INVALID)
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if config.client_id not in audiences:
        raise ServiceError(MSG_TOKEN_INVALID)
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != config.client_id:
        raise ServiceError(MSG_TOKEN_INVALID)
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise ServiceError(MSG_TOKEN_INVALID)
    if exp + LEEWAY_S < now or iat - LEEWAY_S > now or now - iat > MAX_IAT_AGE_S + LEEWAY_S:
        raise ServiceError(MSG_TOKEN_EXPIRED)
    if isinstance(nbf, (int, float)) and nbf - LEEWAY_S > now:
        raise ServiceError(MSG_TOKEN_INVALID)
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not secrets.compare_digest(token_nonce, nonce):
        raise ServiceError(MSG_TOKEN_INVALID)
    return claims


# ---------------------------------------------------------------- users


@dataclass(frozen=True)
class SsoResult:
    user: User
    mfa_satisfied: bool  # the provider did MFA and the portal trusts it: skip the portal's own step


def role_for_claims(config: OidcConfig, claims: Mapping[str, Any]) -> str:
    """The portal role of a new SSO user: the mapped claim value, else "employee".
    A list claim (groups) gives the most privileged role the operator mapped."""
    value = claims.get(config.role_claim)
    values = value if isinstance(value, list) else [value]
    mapped = [config.role_map[v] for v in values if isinstance(v, str) and v in config.role_map]
    return max(mapped, key=ROLES.index) if mapped else DEFAULT_ROLE


def mfa_satisfied(config: OidcConfig, claims: Mapping[str, Any]) -> bool:
    amr = claims.get("amr")
    if not config.trust_idp_mfa or not isinstance(amr, list):
        return False
    return any(isinstance(m, str) and m.lower() in MFA_AMR for m in amr)


def _display_name(claims: Mapping[str, Any]) -> str:
    for key in ("name", "preferred_username", "nickname"):
        if isinstance(claims.get(key), str) and claims[key].strip():
            return claims[key].strip()[:120]
    family, given = claims.get("family_name"), claims.get("given_name")
    if isinstance(family, str) and isinstance(given, str):
        return (family + given)[:120]  # 张 + 伟 → 张伟
    return ""


def _locale(claims: Mapping[str, Any]) -> str:
    from portal.services.platform.i18n import normalize_locale

    value = claims.get("locale")
    return normalize_locale(value if isinstance(value, str) else None)


def _bind_user(session, config: OidcConfig, claims: Mapping[str, Any]) -> User:
    subject = claims["sub"]
    user = session.execute(
        select(User).where(User.oidc_issuer == config.issuer, User.oidc_subject == subject)
    ).scalar_one_or_none()
    if user is not None:
        if not user.is_active:
            raise ServiceError(MSG_DISABLED)
        return user
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise ServiceError(MSG_NO_EMAIL)
    if claims.get("email_verified") is False:  # absent is fine: many company IdPs never send it
        raise ServiceError(MSG_EMAIL_UNVERIFIED)
    email = email.strip().lower()
    taken = session.execute(select(User.id).where(func.lower(User.email) == email)).first()
    if taken is not None:
        # Never taken over by e-mail: HR links the local account to (issuer, subject).
        raise ServiceError(MSG_EMAIL_TAKEN)
    user = User(
        email=email,
        display_name=_display_name(claims),
        role=role_for_claims(config, claims),
        locale=_locale(claims),
        is_active=True,
        password_hash=None,  # signs in through SSO only
        oidc_issuer=config.issuer,
        oidc_subject=subject,
    )
    try:
        with session.begin_nested():  # a savepoint: a lost race leaves the caller's work intact
            session.add(user)
    except IntegrityError:
        # The same person's other tab provisioned the account a moment ago (or the e-mail
        # was taken meanwhile): look again instead of failing with a database error.
        user = session.execute(
            select(User).where(User.oidc_issuer == config.issuer, User.oidc_subject == subject)
        ).scalar_one_or_none()
        if user is None:
            raise ServiceError(MSG_EMAIL_TAKEN) from None
        if not user.is_active:
            raise ServiceError(MSG_DISABLED) from None
    return user


# ---------------------------------------------------------------- audit


def _audit_success(session, user: User, ip: str) -> None:
    from portal.services.platform import audit

    audit.record(
        session, AUDIT_ACTION, actor_id=user.id, actor=user.email,
        object_type="user", object_id=str(user.id), ip=ip, outcome="success",
    )


def _audit_failure(session, actor: str, ip: str, user_id: int | None = None) -> None:
    """The refusal is written in its own transaction, so it stays when the caller's
    unit of work rolls back on the ServiceError we are about to raise."""
    from sqlmodel import Session

    from portal.services.platform import audit

    with Session(session.get_bind()) as own:
        audit.record(
            own, AUDIT_ACTION, actor_id=user_id, actor=actor,
            object_type="user", object_id="" if user_id is None else str(user_id),
            ip=ip, outcome="failure",
        )
        own.commit()


# ---------------------------------------------------------------- the callback


def complete_login(
    session,
    pending_store: PendingStore,
    params: Mapping[str, str],
    redirect_uri: str,
    ip: str = "",
    *,
    config: OidcConfig | None = None,
) -> SsoResult:
    """Finish a sign-in from the provider's redirect (``params`` is its query string).
    Returns the bound (or newly created) user; refuses with ServiceError.

    ``session`` should not have written anything yet: a refusal is audited in a
    transaction of its own (see ``_audit_failure``), which on SQLite would wait
    for the caller's write lock."""
    actor = ""
    user_id = None
    try:
        config = _require_config(config)
        pending = consume_pending(pending_store, params.get("state"))
        if params.get("error"):
            raise ServiceError(MSG_PROVIDER_REFUSED)
        code = params.get("code")
        if not code or not isinstance(code, str) or redirect_uri != pending.redirect_uri:
            raise ServiceError(MSG_PROVIDER_REFUSED)
        tokens = _exchange_code(config, code, pending, redirect_uri)
        claims = verify_id_token(config, tokens["id_token"], pending.nonce)
        actor = f"sso:{claims['sub']}"[:254]
        existing = session.execute(
            select(User.id).where(User.oidc_issuer == config.issuer, User.oidc_subject == claims["sub"])
        ).first()
        user_id = existing[0] if existing else None
        user = _bind_user(session, config, claims)
        _audit_success(session, user, ip)
        return SsoResult(user=user, mfa_satisfied=mfa_satisfied(config, claims))
    except ServiceError:
        _audit_failure(session, actor, ip, user_id)
        raise
