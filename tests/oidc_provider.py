"""A real, small OpenID Connect provider for tests, served over HTTP on loopback.

    provider = OidcTestProvider().start()      # 127.0.0.1:<free port>, uvicorn in a thread
    provider.issuer                            # http://127.0.0.1:<port>
    provider.user = {"sub": "e1001", "email": "…", "name": "…"}
    provider.amr = ["pwd", "mfa"]              # put into the next ID tokens (None: no amr)
    provider.forge = "alg_none"                # the next ID token is forged that way (see FORGERIES)
    provider.stop()

Endpoints: ``/.well-known/openid-configuration``, ``/authorize`` (approves the
configured user at once and redirects with ``code`` and ``state``), ``/token``
(authorization code grant; checks client authentication, redirect URI and the
PKCE S256 verifier; a code works once) and ``/jwks``. ID tokens are RS256,
signed with joserfc, unless ``forge`` asks for a bad one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

FORGERIES = (
    "alg_none",  # unsigned token, header {"alg": "none"}
    "wrong_signature",  # signed by another RSA key carrying the real key's kid
    "unknown_key",  # signed by another RSA key with a kid the JWKS does not have
    "hs256_public_key",  # HMAC-SHA256 keyed with the provider's public key (alg confusion)
    "wrong_audience",  # aud is another client
    "multiple_audiences_no_azp",  # aud = [client, other], no azp
    "expired",  # exp an hour ago
    "wrong_nonce",  # nonce not the one the client sent
    "wrong_issuer",  # iss is another provider
    "tampered_payload",  # a valid token whose claims were edited afterwards
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_json(doc: dict) -> str:
    return _b64(json.dumps(doc, separators=(",", ":")).encode())


class OidcTestProvider:
    def __init__(self, client_id: str = "talent-portal", client_secret: str = "portal-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"}, private=True)
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"}, private=True)
        self.user: dict[str, Any] = {
            "sub": "e1001",
            "email": "zhang.wei@example.cn",
            "email_verified": True,
            "name": "张伟",
        }
        self.amr: list[str] | None = None
        self.forge: str | None = None
        self.extra_claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, Any]] = []  # what /token received, for assertions
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks", self._jwks),
            ]
        )

    # ------------------------------------------------------------ lifecycle

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OidcTestProvider":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="oidc-test-provider"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test OIDC provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def reset(self) -> None:
        self.user = {"sub": "e1001", "email": "zhang.wei@example.cn", "email_verified": True, "name": "张伟"}
        self.amr = None
        self.forge = None
        self.extra_claims = {}
        self.codes.clear()
        self.token_requests.clear()

    # ------------------------------------------------------------ tokens

    def claims_for(self, nonce: str) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": nonce,
            **self.user,
            **self.extra_claims,
        }
        if self.amr is not None:
            claims["amr"] = list(self.amr)
        return claims

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key, algorithms=["RS256"])

    def id_token(self, nonce: str, forge: str | None = None) -> str:
        """A signed ID token for the configured user, or the forgery asked for."""
        claims = self.claims_for(nonce)
        if forge is None:
            return self.sign(claims)
        if forge not in FORGERIES:
            raise ValueError(f"unknown forgery {forge!r}")
        if forge == "alg_none":
            return _b64_json({"alg": "none", "typ": "JWT"}) + "." + _b64_json(claims) + "."
        if forge == "wrong_signature":
            return self.sign(claims, self.other_key)
        if forge == "unknown_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "attacker-key"}, private=True)
            return self.sign(claims, key)
        if forge == "hs256_public_key":
            header = _b64_json({"alg": "HS256", "typ": "JWT", "kid": self.key.kid})
            signing_input = header + "." + _b64_json(claims)
            secret = self.key.as_pem(private=False)
            mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
            return signing_input + "." + _b64(mac)
        if forge == "wrong_audience":
            claims["aud"] = "another-client"
        elif forge == "multiple_audiences_no_azp":
            claims["aud"] = [self.client_id, "another-client"]
            claims.pop("azp", None)
        elif forge == "expired":
            claims["iat"] = claims["auth_time"] = int(time.time()) - 3600
            claims["exp"] = int(time.time()) - 1800
        elif forge == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(32)
        elif forge == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/evil"
        elif forge == "tampered_payload":
            token = self.sign(claims)
            header, _payload, signature = token.split(".")
            return header + "." + _b64_json({**claims, "sub": "e9999"}) + "." + signature
        return self.sign(claims)

    # ------------------------------------------------------------ endpoints

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [{**self.key.as_dict(private=False), "alg": "RS256", "use": "sig"}]})

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        redirect_uri = q.get("redirect_uri", "")
        if (
            q.get("response_type") != "code"
            or q.get("client_id") != self.client_id
            or not redirect_uri
            or "openid" not in q.get("scope", "").split()
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "code_challenge": q["code_challenge"],
            "nonce": q.get("nonce", ""),
            "forge": self.forge,
        }
        query = {"code": code}
        if "state" in q:
            query["state"] = q["state"]
        sep = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(redirect_uri + sep + urlencode(query), status_code=302)

    def _client_authenticated(self, request: Request, form) -> tuple[bool, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(header[6:]).decode()
                client_id, _, secret = raw.partition(":")
                client_id, secret = unquote(client_id), unquote(secret)
            except ValueError:
                return False, "basic"
            return (
                hmac.compare_digest(client_id, self.client_id) and hmac.compare_digest(secret, self.client_secret),
                "client_secret_basic",
            )
        ok = form.get("client_id") == self.client_id and hmac.compare_digest(
            str(form.get("client_secret", "")), self.client_secret
        )
        return ok, "client_secret_post"

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        ok, method = self._client_authenticated(request, form)
        self.token_requests.append({"auth_method": method, **{k: str(v) for k, v in form.items()}})
        if not ok:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        grant = self.codes.pop(str(form.get("code", "")), None)  # a code works once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
        if not verifier or not hmac.compare_digest(challenge, grant["code_challenge"]):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant["nonce"], grant["forge"]),
            },
            headers={"Cache-Control": "no-store"},
        )
