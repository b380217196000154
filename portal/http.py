"""HTTP layer around the Reflex app: security headers on every response.

The Content-Security-Policy allows only our own origin. Reflex's prerendered
pages carry a few fixed inline scripts (theme bootstrap, router context); they
are allowed by their sha256 hashes, computed from the built HTML at start, not
by 'unsafe-inline'. Styles need 'unsafe-inline' because Emotion injects <style>
tags at run time.

The event websocket (``/_event``) from a foreign Origin is refused here, before
Reflex's Socket.IO server would refuse it silently, so the refusal is audited
(``websocket.refused``, aggregated per source like every denial).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVENT_PATH = "/_event"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _audit_refused_handshake(scope: Scope, origin: str) -> None:
    from portal.services.platform import audit, db
    from portal.services.platform.settings import client_ip

    peer = (scope.get("client") or ("", 0))[0]
    with db.session_scope() as s:
        audit.record(s, "websocket.refused", object_type="origin", object_id=origin[:60],
                     ip=client_ip(peer, _header(scope, b"x-forwarded-for")), outcome="denied")

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


@lru_cache(maxsize=1)
def inline_script_hashes(static_dir: str) -> tuple[str, ...]:
    hashes: set[str] = set()
    for page in Path(static_dir).rglob("*.html"):
        for body in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8", errors="replace")):
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return tuple(sorted(hashes))


def content_security_policy(static_dir: str | None) -> str:
    scripts = " ".join(inline_script_hashes(static_dir)) if static_dir else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {scripts}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, static_dir: str | None = None):
        self.app = app
        self.static_dir = static_dir

    def _headers(self, path: str) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-security-policy", content_security_policy(self.static_dir).encode()),
            (b"x-content-type-options", b"nosniff"),
            # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our
            # own form POSTs, and the CSRF check needs the real origin.
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
        ]
        # Content-hashed bundles may be cached; pages and API answers may carry
        # personal data and must not be stored anywhere.
        if not path.startswith("/assets/"):
            headers.append((b"cache-control", b"no-store"))
        return headers

    async def _refuse_foreign_origin(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """True when the event websocket's handshake came from a foreign Origin and was refused.
        Like the Socket.IO server, a handshake without an Origin (not a browser) is let through."""
        if scope["type"] != "websocket" or not scope.get("path", "").startswith(EVENT_PATH):
            return False
        from portal.services.platform.settings import get_settings

        origin = _header(scope, b"origin")
        if origin is None or origin == get_settings().origin:
            return False
        try:
            await run_in_threadpool(_audit_refused_handshake, scope, origin)
        finally:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if not await self._refuse_foreign_origin(scope, receive, send):
                await self.app(scope, receive, send)
            return
        extra = self._headers(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A route may set its own policy (e.g. a frame our own page embeds).
                own = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in own]
                message = {**message, "headers": list(message.get("headers", [])) + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(app: ASGIApp) -> ASGIApp:
    """api_transformer for rx.App: wraps the whole ASGI app, frontend mount included."""
    static_dir = None
    try:
        from reflex.utils import prerequisites
        from reflex_base import constants

        candidate = prerequisites.get_web_dir() / constants.Dirs.STATIC
        if candidate.exists():
            static_dir = str(candidate.resolve())
    except Exception:  # noqa: BLE001 - headers must never stop the app from starting
        static_dir = None
    return SecurityHeaders(app, static_dir)
