"""The signed-in person's own data as a ZIP download (issue 12 · privacy).

    GET PRIVACY_EXPORT      the ZIP (portal/services/accounts/privacy.py), report PDFs in the
                            language of the locale cookie

The session cookie says who asks; only their own data is ever exported. Building it
renders report PDFs and decrypts recordings, so it runs off the event loop and each
person has a small budget per ten minutes. Every export is audited. A refusal is a short
translated text, never a stack trace.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal import routes
from portal.auth_routes import GENERIC_ERROR, _ip, _locale
from portal.services.accounts import auth, privacy, throttle
from portal.services.platform import db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError

log = logging.getLogger("portal.privacy")
PER_WINDOW, WINDOW_MINUTES = 5, 10


def _text(request: Request, status: int, msgid: str) -> Response:
    return PlainTextResponse(i18n.gettext(_locale(request), msgid), status_code=status,
                             headers={"cache-control": "no-store"})


async def export(request: Request) -> Response:
    locale = _locale(request)

    def build() -> bytes | Response:
        with db.session_scope() as s:
            found = auth.resolve_session(s, request.cookies.get(routes.SESSION_COOKIE, ""))
            if found is None:
                return _text(request, 401, auth.SIGNIN_EXPIRED)
            user, user_session = found
            try:
                throttle.rate_limit(s, f"privacy-export:{user.id}", PER_WINDOW, WINDOW_MINUTES)
            except ServiceError as exc:
                return _text(request, 429, exc.msgid)
            s.commit()
            return privacy.export_zip(s, user, locale=locale, ip=_ip(request), user_session=user_session)

    try:
        body = await run_in_threadpool(build)
    except PermissionDenied as exc:
        return _text(request, 403, exc.msgid)
    except Exception:  # noqa: BLE001 - logged here, a generic message for the browser
        log.exception("privacy export failed")
        return _text(request, 500, GENERIC_ERROR)
    if isinstance(body, Response):
        return body
    return Response(body, media_type="application/zip", headers={
        "cache-control": "no-store", "content-disposition": 'attachment; filename="my-talent-portal-data.zip"'})


def privacy_app() -> Starlette:
    return Starlette(routes=[Route(routes.PRIVACY_EXPORT, export, methods=["GET"])])
