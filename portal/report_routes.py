"""The score report as a PDF download (issue 10).

    GET REPORT_PDF ?interview=<id>     the PDF, in the language of the locale cookie

Who may download it is the report's own rule (portal/services/reports/report.py: the
candidate, the interview's reviewers; every download audited as a viewing); only a
ready report has a PDF. Rendering takes about a second, so it runs off the event loop,
and each user has a budget per minute. A refusal is a short translated text, never a
stack trace.
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
from portal.services.accounts import auth, throttle
from portal.services.interviews.preparation import in_zone
from portal.services.platform import db, i18n
from portal.services.platform.errors import PERMISSION_DENIED, PermissionDenied, ServiceError
from portal.services.reports import pdf, report

log = logging.getLogger("portal.reports")
PER_MINUTE = 10
NOT_READY = i18n.N_("This report is not ready yet.")


def _text(request: Request, status: int, msgid: str) -> Response:
    return PlainTextResponse(i18n.gettext(_locale(request), msgid), status_code=status,
                             headers={"cache-control": "no-store"})


async def report_pdf(request: Request) -> Response:
    raw = request.query_params.get("interview", "")
    if not raw.isdigit() or len(raw) > 12:
        return _text(request, 403, PERMISSION_DENIED)
    locale = _locale(request)

    def build() -> bytes | Response:
        with db.session_scope() as s:
            found = auth.resolve_session(s, request.cookies.get(routes.SESSION_COOKIE, ""))
            if found is None:
                return _text(request, 401, auth.SIGNIN_EXPIRED)
            user, user_session = found
            try:
                throttle.rate_limit(s, f"report-pdf:{user.id}", PER_MINUTE, 1)
            except ServiceError as exc:
                return _text(request, 429, exc.msgid)
            s.commit()
            shown = report.candidate_report(s, user, int(raw), user_session=user_session, ip=_ip(request))
            if not shown.ready:
                return _text(request, 409, NOT_READY)
            candidate = report.candidate_of(s, shown)
            name, tz = candidate.display_name or candidate.email, candidate.timezone
        return pdf.render(shown, name, locale, in_zone(shown.scheduled_at, tz).date(), tz)

    try:
        body = await run_in_threadpool(build)
    except PermissionDenied as exc:
        return _text(request, 403, exc.msgid)
    except Exception:  # noqa: BLE001 - logged here, a generic message for the browser
        log.exception("report PDF failed")
        return _text(request, 500, GENERIC_ERROR)
    if isinstance(body, Response):
        return body
    return Response(body, media_type="application/pdf", headers={
        "cache-control": "no-store", "content-disposition": f'attachment; filename="report-{int(raw)}.pdf"'})


def report_app() -> Starlette:
    return Starlette(routes=[Route(routes.REPORT_PDF, report_pdf, methods=["GET"])])
