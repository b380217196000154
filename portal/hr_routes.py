"""Interviewer photos (issue 12).

    POST HR_INTERVIEWER_PHOTO_UPLOAD   multipart: profile=<id>, photo=<file>   from /hr/interviewers
    GET  INTERVIEWER_PHOTO/<name>      the cleaned JPEG, to any signed-in user

The upload is a plain HTML form (no script): our own Origin only, the session cookie
says who posts, interviewer_profiles.set_photo checks the permission, the bytes and the
size, and the browser goes back to /hr/interviewers with a message key in the URL
(the page shows only catalogue messages). A body announced above the cap is refused
before it is read.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from portal import routes
from portal.auth_routes import GENERIC_ERROR, _back, _ip, _locale, _origin_ok
from portal.services.accounts import auth
from portal.services.interviews import interviewer_profiles
from portal.services.platform import audit, db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError

log = logging.getLogger("portal.hr")
PHOTO_SAVED = i18n.N_("The photo is saved.")
NO_FILE = i18n.N_("Choose a photo to upload.")
_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields


async def upload_photo(request: Request) -> Response:
    back = routes.HR_INTERVIEWERS
    if not _origin_ok(request):
        with db.session_scope() as s:
            audit.record(s, "csrf.refused", object_type="route", object_id=request.url.path[:60],
                         ip=_ip(request), outcome="denied")
        return PlainTextResponse("Forbidden", status_code=403)
    try:
        announced = int(request.headers.get("content-length", "0"))
    except ValueError:
        announced = 0
    if announced > interviewer_profiles.MAX_UPLOAD + _FORM_OVERHEAD:
        return _back(back, interviewer_profiles.TOO_LARGE)
    try:
        form = await request.form(max_files=1, max_fields=4)
        raw_id, upload = form.get("profile", ""), form.get("photo")
        if not isinstance(raw_id, str) or not raw_id.isdigit() or len(raw_id) > 9:
            return _back(back, interviewer_profiles.NOT_FOUND)
        if upload is None or isinstance(upload, str):
            return _back(back, NO_FILE)
        data = await upload.read(interviewer_profiles.MAX_UPLOAD + 1)
        if not data:
            return _back(back, NO_FILE)

        def store() -> None:
            with db.session_scope() as s:
                found = auth.resolve_session(s, request.cookies.get(routes.SESSION_COOKIE, ""))
                user = found[0] if found else None
                interviewer_profiles.set_photo(s, user, int(raw_id), data, ip=_ip(request))

        await run_in_threadpool(store)
    except (ServiceError, PermissionDenied) as exc:
        return _back(back, exc.msgid)
    except Exception:  # noqa: BLE001 - logged here, a generic message for the browser
        log.exception("interviewer photo upload failed")
        return _back(back, GENERIC_ERROR)
    return _back(back, PHOTO_SAVED, param="m")


async def photo(request: Request) -> Response:
    def find():
        with db.session_scope() as s:
            if auth.resolve_session(s, request.cookies.get(routes.SESSION_COOKIE, "")) is None:
                return None
        return interviewer_profiles.photo_path(request.path_params["name"])

    path = await run_in_threadpool(find)
    if path is None:
        return PlainTextResponse(i18n.gettext(_locale(request), i18n.N_("Page not found")), status_code=404)
    # names are random and never reused: a browser may keep the file
    return FileResponse(path, media_type="image/jpeg", headers={"cache-control": "private, max-age=86400"})


def hr_app() -> Starlette:
    return Starlette(routes=[
        Route(routes.HR_INTERVIEWER_PHOTO_UPLOAD, upload_photo, methods=["POST"]),
        Route(routes.INTERVIEWER_PHOTO + "/{name}", photo, methods=["GET"]),
    ])
