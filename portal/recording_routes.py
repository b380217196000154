"""HTTP endpoints the interview room uploads recorded answers to (issue 9).

    POST REC_CHUNK   ?interview=<id>&question=<id>&seq=<n>   raw body: the chunk's bytes
    GET  REC_RESUME  ?interview=<id>&question=<id>           what is saved: where to go on
    POST REC_FINISH  ?interview=<id>&question=<id>[&language=zh|en]   submit the answer
    POST REC_RETAKE  ?interview=<id>&question=<id>           discard it to record again (job's policy)
    GET  REC_MEDIA   ?answer=<id>   (Range: bytes=a-b)        play a submitted answer back (reviewers)

Mounted beside the device check's endpoints and built the same way: the session
cookie says who calls (only people who may open the room, i.e. candidates; the
service then admits only the interview's own candidate and audits anyone else),
POSTs must come from our own Origin, each endpoint has a per-user budget per
minute kept in the database, and a body over the chunk cap is refused with 413
from its Content-Length, or as soon as the streamed body passes the cap, before
the sign-in is even looked up for a too-long announced body. Every answer is JSON;
a refusal is ``{"error": <translated message>, "code": <word>}`` in the language
of the locale cookie (plus ``expected`` for a gap), never a stack trace.

Recorded media is served only by REC_MEDIA: a submitted answer, decrypted chunk by
chunk for the requested byte range, to those the access policy lets see it (the
candidate, the assigned interviewer, an hr_manager after re-authentication), each
viewing audited; nothing lies under a static path.
"""

from __future__ import annotations

import logging
import re

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.auth_routes import GENERIC_ERROR, _ip, _locale, _origin_ok
from portal.services.accounts import access, auth, throttle
from portal.services.interviews import recordings
from portal.services.platform import audit, db, i18n
from portal.services.platform.errors import PERMISSION_DENIED, PermissionDenied, ServiceError
from portal.services.platform.settings import get_settings

log = logging.getLogger("portal.recordings")

# Per user and minute. A chunk every 1-5 s is 12-60; retries after drops fit in the rest.
LIMITS = {"chunk": 120, "resume": 60, "finish": 20, "retake": 20, "media": 600}
WINDOW_MINUTES = 1
NO_STORE = {"cache-control": "no-store"}
BAD_RANGE = i18n.N_("This part of the recording does not exist.")
NO_MEDIA = i18n.N_("This answer has no recording.")
CODES = {416: "bad_range", 400: "bad_request", 401: "sign_in", 403: "forbidden", 404: "not_found", 409: "conflict",
         413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many", 500: "error"}


class _Refused(Exception):
    def __init__(self, status: int, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.status, self.msgid, self.params = status, msgid, params


def _error(request: Request, status: int, msgid: str, extra: dict | None = None, **params) -> Response:
    headers = dict(NO_STORE)
    if status == 429:
        headers["retry-after"] = str(60 * WINDOW_MINUTES)
    if status == 413:
        headers["connection"] = "close"
    body = {"error": i18n.gettext(_locale(request), msgid, **params), "code": CODES.get(status, "error")}
    return JSONResponse({**body, **(extra or {})}, status_code=status, headers=headers)


def _ids(request: Request) -> tuple[int, int]:
    """interview and question ids from the query; a malformed one is refused (400)."""
    found = []
    for name in ("interview", "question"):
        raw = request.query_params.get(name, "")
        if not raw.isdigit() or len(raw) > 12:  # answered like an unknown id of either kind
            raise _Refused(404, recordings.NOT_A_QUESTION) if name == "question" else _Refused(403, PERMISSION_DENIED)
        found.append(int(raw))
    return found[0], found[1]


def _caller(s, token: str, kind: str):
    """The signed-in user who may use the room, after counting this call against their budget."""
    found = auth.resolve_session(s, token)
    if found is None:
        raise _Refused(401, auth.SIGNIN_EXPIRED)
    user = found[0]
    if not access.can_open(user, routes.INTERVIEW_ROOM):
        raise _Refused(403, PERMISSION_DENIED)
    try:
        throttle.rate_limit(s, f"rec-{kind}:{user.id}", LIMITS[kind], WINDOW_MINUTES)
    except ServiceError as exc:
        raise _Refused(429, exc.msgid) from None
    return user


def _admit(token: str, kind: str) -> None:
    with db.session_scope() as s:
        _caller(s, token, kind)


async def _run(request: Request, fn, *args) -> Response | dict:
    """Run ``fn`` off the event loop; turn every refusal into its JSON answer."""
    try:
        return await run_in_threadpool(fn, *args)
    except _Refused as exc:
        return _error(request, exc.status, exc.msgid, **exc.params)
    except recordings.RecordingError as exc:
        extra = {"expected": exc.params["expected"]} if exc.msgid == recordings.GAP else None
        return _error(request, exc.status, exc.msgid, extra, **exc.params)
    except PermissionDenied as exc:
        return _error(request, 403, exc.msgid, **exc.params)
    except ServiceError as exc:
        return _error(request, 422, exc.msgid, **exc.params)
    except Exception:  # noqa: BLE001 - logged here, a generic message for the browser
        log.exception("recording endpoint %s failed", request.url.path)
        return _error(request, 500, GENERIC_ERROR)


def _token(request: Request) -> str:
    return request.cookies.get(routes.SESSION_COOKIE, "")


async def chunk(request: Request) -> Response:
    if not _origin_ok(request):
        return _error(request, 403, PERMISSION_DENIED)
    cap = get_settings().recording_chunk_bytes
    too_large = recordings.CHUNK_TOO_LARGE
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > cap):
        return _error(request, 413, too_large, max=recordings._mb(cap))
    try:
        interview_id, question_id = _ids(request)
    except _Refused as exc:
        return _error(request, exc.status, exc.msgid)
    raw_seq = request.query_params.get("seq", "")
    if not raw_seq.isdigit() or len(raw_seq) > 9:
        return _error(request, 400, recordings.BAD_SEQUENCE)
    refused = await _run(request, _admit, _token(request), "chunk")
    if isinstance(refused, Response):
        return refused
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > cap:  # a body longer than it said, or sent without a length
            return _error(request, 413, too_large, max=recordings._mb(cap))

    def store():
        with db.session_scope() as s:
            user = _caller_again(s, request)
            return recordings.append_chunk(s, user, interview_id, question_id, int(raw_seq), bytes(body),
                                           ip=_ip(request)).to_json()

    found = await _run(request, store)
    return found if isinstance(found, Response) else JSONResponse(found, headers=NO_STORE)


def _caller_again(s, request: Request):
    """The same check after the body arrived (the session may have ended meanwhile); not counted twice."""
    found = auth.resolve_session(s, _token(request), touch=False)
    if found is None:
        raise _Refused(401, auth.SIGNIN_EXPIRED)
    if not access.can_open(found[0], routes.INTERVIEW_ROOM):
        raise _Refused(403, PERMISSION_DENIED)
    return found[0]


async def _room_call(request: Request, kind: str, action, *, post: bool, status: int = 200) -> Response:
    """One of the room's small calls on (interview, question): the caller is counted against
    their budget even when the service then refuses; ``action(s, user, interview_id,
    question_id)`` returns the JSON answer."""
    if post and not _origin_ok(request):
        return _error(request, 403, PERMISSION_DENIED)
    try:
        interview_id, question_id = _ids(request)
    except _Refused as exc:
        return _error(request, exc.status, exc.msgid)

    def call():
        with db.session_scope() as s:
            user = _caller(s, _token(request), kind)
            s.commit()  # the call is counted even when the service refuses
            return action(s, user, interview_id, question_id)

    found = await _run(request, call)
    return found if isinstance(found, Response) else JSONResponse(found, status_code=status, headers=NO_STORE)


async def resume(request: Request) -> Response:
    return await _room_call(request, "resume", lambda s, user, i, q: recordings.resume_point(
        s, user, i, q, ip=_ip(request)).to_json(), post=False)


async def finish(request: Request) -> Response:
    language = request.query_params.get("language") or None

    def submit(s, user, interview_id, question_id):
        answer = recordings.finish(s, user, interview_id, question_id, language=language, ip=_ip(request))
        return {"answer_id": answer.id, **recordings.resume_point(s, user, interview_id, question_id).to_json()}

    return await _room_call(request, "finish", submit, post=True, status=201)


async def retake(request: Request) -> Response:
    return await _room_call(request, "retake", lambda s, user, i, q: recordings.retake(
        s, user, i, q, ip=_ip(request)).to_json(), post=True)


_RANGE = re.compile(r"^bytes=(\d{0,15})-(\d{0,15})$")


def _byte_range(header: str | None, total: int) -> tuple[int, int] | None:
    """(start, end) of a single "bytes=a-b" range within total; None for the whole file.
    Raises _Refused(416) for a range outside it or one we do not serve (several ranges)."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if not found or not (found.group(1) or found.group(2)):
        raise _Refused(416, BAD_RANGE)
    first, last = found.group(1), found.group(2)
    if first:
        start, end = int(first), min(int(last), total - 1) if last else total - 1
    else:  # the last N bytes
        start, end = max(0, total - int(last)), total - 1
    if start > end or start >= total:
        raise _Refused(416, BAD_RANGE)
    return start, end


async def media(request: Request) -> Response:
    """An answer's recording for playback (range requests, so the browser can seek), after
    the same access check as the review page. A request from the start is a new viewing and
    is audited; the browser's follow-up ranges are not counted again."""
    raw = request.query_params.get("answer", "")
    if not raw.isdigit() or len(raw) > 12:
        return _error(request, 403, PERMISSION_DENIED)

    def load():
        with db.session_scope() as s:
            found = auth.resolve_session(s, _token(request))
            if found is None:
                raise _Refused(401, auth.SIGNIN_EXPIRED)
            user, user_session = found
            try:
                throttle.rate_limit(s, f"rec-media:{user.id}", LIMITS["media"], WINDOW_MINUTES)
            except ServiceError as exc:
                raise _Refused(429, exc.msgid) from None
            s.commit()
            try:
                recording, chunks = recordings.playable(s, user, int(raw), user_session=user_session, ip=_ip(request))
            except recordings.NoRecording:
                raise _Refused(404, NO_MEDIA) from None
            span = _byte_range(request.headers.get("range"), recording.total_bytes)
            if span is None or span[0] == 0:
                audit.record(s, "recording.view", actor_id=user.id, actor=user.email or "", object_type="answer",
                             object_id=int(raw), ip=_ip(request))
            return recording.total_bytes, chunks, span

    found = await _run(request, load)
    if isinstance(found, Response):
        return found
    total, chunks, span = found
    start, end = span or (0, total - 1)
    headers = {**NO_STORE, "accept-ranges": "bytes", "content-length": str(end - start + 1),
               "x-content-type-options": "nosniff"}
    if span is not None:
        headers["content-range"] = f"bytes {start}-{end}/{total}"
    body = iterate_in_threadpool(recordings.read_range(chunks, start, end))
    return StreamingResponse(body, status_code=206 if span else 200, media_type="video/webm", headers=headers)


def recording_app() -> Starlette:
    return Starlette(routes=[
        Route(routes.REC_CHUNK, chunk, methods=["POST"]),
        Route(routes.REC_RESUME, resume, methods=["GET"]),
        Route(routes.REC_FINISH, finish, methods=["POST"]),
        Route(routes.REC_RETAKE, retake, methods=["POST"]),
        Route(routes.REC_MEDIA, media, methods=["GET"]),
    ])
