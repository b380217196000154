"""HTTP endpoints the device check measures the network against: round trip
(``NET_PING``), download (``NET_DOWNLOAD``) and upload (``NET_UPLOAD``).

They must not become a way to load the server, so every request is cheap to
refuse: only people who may open the device check page (signed-in candidates,
by the session cookie) are served, each endpoint has a per-user budget per
minute kept in the database (several processes share it), a download is at most
``MAX_BYTES`` cut from one random buffer made once per process, and an upload
over ``MAX_BYTES`` is refused with 413 from its Content-Length, or as soon as
the streamed body passes the cap, without reading the rest. Nothing is cached.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal import routes
from portal.auth_routes import _origin_ok
from portal.services.accounts import access, auth, throttle
from portal.services.platform import db
from portal.services.platform.errors import ServiceError

log = logging.getLogger("portal.net")

MAX_BYTES = 2 * 1024 * 1024
# Per user and minute: a check is 12 pings, 2 downloads and 2 uploads, so about five checks.
LIMITS = {"ping": 60, "download": 10, "upload": 10}
WINDOW_MINUTES = 1
NO_STORE = {"cache-control": "no-store"}


@lru_cache(maxsize=1)
def _payload() -> bytes:
    # Random bytes: no compression on the way can make the link look faster than it is.
    return os.urandom(MAX_BYTES)


def _status(code: int, message: str, **headers: str) -> Response:
    return JSONResponse({"error": message}, status_code=code, headers={**NO_STORE, **headers})


def _admit(token: str, kind: str) -> int:
    """200 when the caller may measure now; else 401 (not signed in), 403 (not a
    candidate) or 429 (budget spent)."""
    with db.session_scope() as s:
        found = auth.resolve_session(s, token)
        if found is None:
            return 401
        user = found[0]
        if not access.can_open(user, routes.CANDIDATE_DEVICE_CHECK):
            return 403
        try:
            throttle.rate_limit(s, f"net-{kind}:{user.id}", LIMITS[kind], WINDOW_MINUTES)
        except ServiceError:
            return 429
    return 200


async def _check(request: Request, kind: str) -> Response | None:
    """None when the request may go on, else the refusal to send."""
    try:
        code = await run_in_threadpool(_admit, request.cookies.get(routes.SESSION_COOKIE, ""), kind)
    except Exception:  # noqa: BLE001 - a measurement endpoint never shows a stack trace
        log.exception("network check %s failed", kind)
        return _status(500, "error")
    if code == 200:
        return None
    words = {401: "sign in", 403: "forbidden", 429: "too many requests"}[code]
    return _status(code, words, **({"retry-after": str(60 * WINDOW_MINUTES)} if code == 429 else {}))


async def ping(request: Request) -> Response:
    refused = await _check(request, "ping")
    return refused or Response(status_code=204, headers=NO_STORE)


async def download(request: Request) -> Response:
    raw = request.query_params.get("bytes", "")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_BYTES:
        return _status(400, f"bytes must be 1..{MAX_BYTES}")
    refused = await _check(request, "download")
    if refused:
        return refused
    return Response(_payload()[: int(raw)], media_type="application/octet-stream",
                    headers={**NO_STORE, "content-encoding": "identity"})


async def upload(request: Request) -> Response:
    if not _origin_ok(request):
        return _status(403, "forbidden")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BYTES):
        return _status(413, f"at most {MAX_BYTES} bytes")
    refused = await _check(request, "upload")
    if refused:
        return refused
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_BYTES:  # a body longer than it said, or sent without a length
            return _status(413, f"at most {MAX_BYTES} bytes", connection="close")
    return JSONResponse({"bytes": received}, headers=NO_STORE)


_SCRIPT_PATH = Path(__file__).with_name("static") / "device_check.js"


def script(request: Request) -> Response:
    """The device check's own script (the page's policy allows no inline code)."""
    return Response(_SCRIPT_PATH.read_text(encoding="utf-8"), media_type="text/javascript; charset=utf-8",
                    headers={"cache-control": "no-cache"})


def net_app() -> Starlette:
    return Starlette(routes=[
        Route(routes.DEVICE_CHECK_SCRIPT, script, methods=["GET"]),
        Route(routes.NET_PING, ping, methods=["GET"]),
        Route(routes.NET_DOWNLOAD, download, methods=["GET"]),
        Route(routes.NET_UPLOAD, upload, methods=["POST"]),
    ])
