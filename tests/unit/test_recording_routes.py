"""The interview room's upload endpoints over real HTTP (uvicorn on a local port):
who may call them, size caps before the body is read, bytes checked, refusals as
translated JSON, resuming after a lost chunk, one submission per answer."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from portal import routes
from portal.models import Answer, AuditEvent, Interview, Recording, RecordingChunk, User
from portal.recording_routes import BAD_RANGE, LIMITS, recording_app
from portal.services.accounts import auth
from portal.services.interviews import recordings
from portal.services.platform import db, i18n, settings
from tests import media

ORIGIN = "https://hr.example.cn"


@pytest.fixture(scope="module")
def server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(recording_app(), log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def demo(db_url, isolated_data_dir, monkeypatch, server, interview_now):
    """The endpoints use the configured database and data directory: this test's."""
    monkeypatch.setenv("TALENT_DB_URL", db_url)
    monkeypatch.setenv("TALENT_PUBLIC_URL", ORIGIN)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    world = interview_now
    users = world["users"]
    with db.session_scope(db_url) as s:
        cookies = {role: auth._create_session(s, s.get(User, user.id), mfa_passed=True)
                   for role, user in users.items()}
    interview, theirs, questions = world["interview"], world["theirs"], world["questions"]
    yield {"url": db_url, "base": server, "users": users, "cookies": cookies, "interview": interview,
           "theirs": theirs, "questions": questions, "data": isolated_data_dir}
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _client(demo, role="candidate", locale=None, token=None) -> httpx.Client:
    cookies = {}
    if role:
        cookies[routes.SESSION_COOKIE] = token or demo["cookies"][role]
    if locale:
        cookies[routes.LOCALE_COOKIE] = locale
    return httpx.Client(base_url=demo["base"], cookies=cookies, headers={"origin": ORIGIN}, timeout=20)


def _params(demo, seq=None, interview=None, question=None) -> dict:
    params = {"interview": (interview or demo["interview"]).id, "question": (question or demo["questions"][0]).id}
    if seq is not None:
        params["seq"] = seq
    return params


def _chunk(client, demo, seq, body, **kw):
    return client.post(routes.REC_CHUNK, params=_params(demo, seq, **kw), content=body,
                       headers={"content-type": "video/webm"})


def _count(demo, model) -> int:
    with db.session_scope(demo["url"]) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _files(demo) -> list:
    root = demo["data"] / "recordings"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _says(response, status, msgid, locale="zh_CN", **params):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == i18n.gettext(locale, msgid, **params)
    assert "Traceback" not in response.text


def test_upload_resume_after_a_lost_chunk_and_submit_once(demo):
    stream = media.recording(4, block_bytes=300)
    parts = media.chunks(stream, 6000)
    with _client(demo) as c:
        for n in (0, 1):
            ok = _chunk(c, demo, n, parts[n])
            assert ok.status_code == 200 and ok.json()["next_sequence"] == n + 1
        assert ok.headers["cache-control"] == "no-store"
        # part 2 is lost when the network drops; the room sends part 3
        gap = _chunk(c, demo, 3, parts[3])
        _says(gap, 409, recordings.GAP, expected=2)
        assert gap.json()["expected"] == 2
        # after a reload the room asks what was saved and goes on from there
        point = c.get(routes.REC_RESUME, params=_params(demo))
        assert point.status_code == 200
        assert point.json() == {"next_sequence": 2, "bytes": len(parts[0]) + len(parts[1]),
                                "duration_s": point.json()["duration_s"], "finished": False}
        again = _chunk(c, demo, 1, parts[1])  # a chunk whose answer was lost: accepted once
        assert again.status_code == 200 and again.json()["next_sequence"] == 2
        for n in range(2, len(parts)):
            assert _chunk(c, demo, n, parts[n]).status_code == 200
        done = c.post(routes.REC_FINISH, params=_params(demo))
        assert done.status_code == 201 and done.json()["finished"] and done.json()["next_sequence"] == len(parts)
        _says(c.post(routes.REC_FINISH, params=_params(demo)), 409, recordings.ALREADY_SUBMITTED)
        _says(_chunk(c, demo, len(parts), media.cluster(5000)), 409, recordings.ALREADY_SUBMITTED)
    with _client(demo, locale="en") as c:  # in the language of the locale cookie
        _says(c.post(routes.REC_FINISH, params=_params(demo)), 409, recordings.ALREADY_SUBMITTED, "en")
    assert _count(demo, Answer) == 1 and len(_files(demo)) == len(parts)
    with db.session_scope(demo["url"]) as s:
        answer = s.execute(select(Answer)).scalar_one()
        assert answer.id == done.json()["answer_id"]
        assert recordings.answer_audio(s, answer) == stream


def test_a_retake_over_http_discards_the_answer_once(demo):
    parts = media.chunks(media.recording(3, block_bytes=300), 6000)
    with _client(demo) as c:
        _says(c.post(routes.REC_RETAKE, params=_params(demo)), 409, recordings.NOTHING_RECORDED)
        for n, part in enumerate(parts):
            assert _chunk(c, demo, n, part).status_code == 200
        done = c.post(routes.REC_RETAKE, params=_params(demo))
        assert done.status_code == 200 and done.json()["next_sequence"] == 0
        assert _files(demo) == []
        assert _chunk(c, demo, 0, parts[0]).status_code == 200
        _says(c.post(routes.REC_RETAKE, params=_params(demo)), 409, recordings.NO_RETAKES)
    with _client(demo, locale="en") as c:
        _says(c.post(routes.REC_RETAKE, params=_params(demo)), 409, recordings.NO_RETAKES, "en")


def test_a_submitted_answer_plays_back_in_ranges_for_those_who_may_see_it(demo):
    stream = media.recording(4, block_bytes=300)
    parts = media.chunks(stream, 6000)
    with _client(demo) as c:
        for n, part in enumerate(parts):
            assert _chunk(c, demo, n, part).status_code == 200
        assert c.get(routes.REC_MEDIA, params={"answer": 1}).status_code in (403, 404)  # nothing submitted yet
        answer_id = c.post(routes.REC_FINISH, params=_params(demo)).json()["answer_id"]
        whole = c.get(routes.REC_MEDIA, params={"answer": answer_id})  # the candidate's own
        assert whole.status_code == 200 and whole.content == stream
        assert whole.headers["content-type"] == "video/webm" and whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["cache-control"] == "no-store"
    views = lambda: _count_where(demo, AuditEvent.action == "recording.view")  # noqa: E731
    assert views() == 1
    with _client(demo, role="interviewer") as c:  # assigned to this interview
        part = c.get(routes.REC_MEDIA, params={"answer": answer_id}, headers={"range": "bytes=100-6099"})
        assert part.status_code == 206 and part.content == stream[100:6100]
        assert part.headers["content-range"] == f"bytes 100-6099/{len(stream)}"
        tail = c.get(routes.REC_MEDIA, params={"answer": answer_id}, headers={"range": "bytes=-500"})
        assert tail.status_code == 206 and tail.content == stream[-500:]
        assert views() == 1  # seeking within a viewing is not a new one
        assert c.get(routes.REC_MEDIA, params={"answer": answer_id},
                     headers={"range": "bytes=0-"}).content == stream
        assert views() == 2
        _says(c.get(routes.REC_MEDIA, params={"answer": answer_id}, headers={"range": f"bytes={len(stream)}-"}),
              416, BAD_RANGE)
        _says(c.get(routes.REC_MEDIA, params={"answer": answer_id}, headers={"range": "bytes=0-1,5-9"}),
              416, BAD_RANGE)
    for role, status in (("hr", 403), ("other", 403), (None, 401)):  # HR sees no recording
        with _client(demo, role=role) as c:
            refused = c.get(routes.REC_MEDIA, params={"answer": answer_id})
            assert refused.status_code == status and "Traceback" not in refused.text, role
    with _client(demo) as c:
        assert c.get(routes.REC_MEDIA, params={"answer": "x"}).status_code == 403


def _count_where(demo, clause) -> int:
    with db.session_scope(demo["url"]) as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(clause)).scalar_one()


def test_another_candidates_interview_is_refused_and_audited(demo):
    denied_before = _count(demo, AuditEvent)
    with _client(demo) as c:
        refused = _chunk(c, demo, 0, media.recording(1), interview=demo["theirs"])
        _says(refused, 403, i18n.N_("You do not have permission to do this."))
        _says(c.get(routes.REC_RESUME, params=_params(demo, interview=demo["theirs"])), 403,
              i18n.N_("You do not have permission to do this."))
        _says(c.post(routes.REC_FINISH, params=_params(demo, interview=demo["theirs"])), 403,
              i18n.N_("You do not have permission to do this."))
    with db.session_scope(demo["url"]) as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.id > 0, AuditEvent.action == "access_denied")
                           .order_by(AuditEvent.id)).scalars().all()
        assert _count(demo, AuditEvent) > denied_before
        assert events[0].actor_id == demo["users"]["candidate"].id
        assert events[0].object_id == str(demo["theirs"].id) and events[0].outcome == "denied"
    assert _count(demo, Recording) == 0 and _files(demo) == []


def test_too_large_is_refused_before_the_body_is_read(demo, monkeypatch):
    monkeypatch.setenv("TALENT_RECORDING_CHUNK_BYTES", str(64 * 1024))
    settings.get_settings.cache_clear()
    big = media.recording(4, block_bytes=400)[:64 * 1024 + 1]
    with _client(demo) as c:
        _says(_chunk(c, demo, 0, big), 413, recordings.CHUNK_TOO_LARGE, max=1)

        def without_length():  # chunked transfer: no Content-Length to refuse it by
            for i in range(0, len(big), 8192):
                yield big[i:i + 8192]

        _says(_chunk(c, demo, 0, without_length()), 413, recordings.CHUNK_TOO_LARGE, max=1)
    with _client(demo, role=None) as c:  # refused by its announced length, even before sign-in
        assert _chunk(c, demo, 0, big).status_code == 413
    assert _count(demo, Recording) == 0 and _files(demo) == []


def test_wrong_bytes_are_refused_whatever_the_content_type_says(demo):
    with _client(demo) as c:
        png = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
        _says(_chunk(c, demo, 0, png), 415, recordings.NOT_WEBM)
        assert _chunk(c, demo, 0, media.start() + media.cluster(0)).status_code == 200
        _says(_chunk(c, demo, 1, b"%PDF-1.7\n" + os.urandom(500)), 415, recordings.NOT_WEBM)
    assert _count(demo, RecordingChunk) == 1


def test_after_the_window_uploads_are_refused(demo):
    with db.session_scope(demo["url"]) as s:
        interview = s.get(Interview, demo["interview"].id)
        interview.scheduled_at = recordings.utcnow() - timedelta(minutes=interview.duration_min + 1)
    with _client(demo) as c:
        _says(_chunk(c, demo, 0, media.recording(1)), 403, recordings.NOT_OPEN)
    with _client(demo, locale="en") as c:
        _says(_chunk(c, demo, 0, media.recording(1)), 403, recordings.NOT_OPEN, "en")
    assert _files(demo) == []


@pytest.mark.parametrize("who", ["anonymous", "bad token", "pre-mfa", "interviewer", "hr", "employee",
                                 "hr_manager", "admin"])
def test_only_signed_in_candidates_reach_the_endpoints(demo, who):
    token = None
    if who == "bad token":
        token = "forged"
    elif who not in ("anonymous", "interviewer", "hr"):
        with db.session_scope(demo["url"]) as s:
            user = User(email=f"{who}@example.cn", role="candidate" if who == "pre-mfa" else who)
            s.add(user)
            s.flush()
            token = auth._create_session(s, user, mfa_passed=who != "pre-mfa")
    role = None if who == "anonymous" else (who if who in ("interviewer", "hr") else "candidate")
    expected = 401 if who in ("anonymous", "bad token", "pre-mfa") else 403
    with _client(demo, role=role, token=token) as c:
        assert _chunk(c, demo, 0, media.recording(1)).status_code == expected
        assert c.get(routes.REC_RESUME, params=_params(demo)).status_code == expected
        assert c.post(routes.REC_FINISH, params=_params(demo)).status_code == expected
        assert c.post(routes.REC_RETAKE, params=_params(demo)).status_code == expected
    assert _files(demo) == []


def test_a_foreign_origin_may_not_post(demo):
    with _client(demo) as c:
        for path in (routes.REC_CHUNK, routes.REC_FINISH, routes.REC_RETAKE):
            refused = c.post(path, params=_params(demo, 0), content=media.recording(1),
                             headers={"origin": "https://evil.example"})
            assert refused.status_code == 403
    assert _files(demo) == []


def test_bad_parameters_get_a_message(demo):
    with _client(demo) as c:
        for seq in ("-1", "abc", "", "1e3", "9999999999"):
            _says(_chunk(c, demo, seq, media.recording(1)), 400, recordings.BAD_SEQUENCE)
        _says(c.get(routes.REC_RESUME, params={"interview": demo["interview"].id, "question": "x"}), 404,
              recordings.NOT_A_QUESTION)
        _says(c.get(routes.REC_RESUME, params={"interview": "1;drop", "question": 1}), 403,
              i18n.N_("You do not have permission to do this."))


def test_each_user_has_a_budget_per_minute(demo):
    with _client(demo) as c:
        for _ in range(LIMITS["resume"]):
            assert c.get(routes.REC_RESUME, params=_params(demo)).status_code == 200
        refused = c.get(routes.REC_RESUME, params=_params(demo))
        assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    with _client(demo, role="other") as c:  # per user, not for everyone
        assert c.get(routes.REC_RESUME, params=_params(demo, interview=demo["theirs"])).status_code == 200


def test_every_route_is_decided_here():
    # A new upload route fails this until someone adds it to the role test above.
    assert {(r.path, tuple(sorted(r.methods - {"HEAD"}))) for r in recording_app().routes} == {
        (routes.REC_CHUNK, ("POST",)), (routes.REC_RESUME, ("GET",)), (routes.REC_FINISH, ("POST",)),
        (routes.REC_RETAKE, ("POST",)), (routes.REC_MEDIA, ("GET",))}


def test_a_fault_is_a_generic_message_and_saves_nothing(demo):
    (demo["data"]).mkdir(parents=True, exist_ok=True)
    (demo["data"] / "recordings").write_text("not a directory")  # the disk refuses the write
    with _client(demo, locale="en") as c:
        failed = _chunk(c, demo, 0, media.recording(1))
        _says(failed, 500, i18n.N_("Something went wrong. Please try again."), "en")
    assert _count(demo, Recording) == 0 and _count(demo, RecordingChunk) == 0


CHROME = sorted((Path(__file__).resolve().parents[1] / "data" / "chrome_recording").glob("chunk-*.webm"),
                key=lambda p: int(p.stem.split("-")[1]))


def test_a_real_chromium_recording_is_accepted_as_it_was_cut(demo):
    # MediaRecorder's own chunks (scripts/record_test_webm.py): cut inside element headers
    parts = [p.read_bytes() for p in CHROME]
    assert len(parts) >= 3
    with _client(demo) as c:
        _says(_chunk(c, demo, 0, parts[1]), 415, recordings.NOT_WEBM)  # a middle part cannot start a recording
        for n, part in enumerate(parts):
            saved = _chunk(c, demo, n, part)
            assert saved.status_code == 200, saved.text
        assert 3.0 <= saved.json()["duration_s"] <= 3.6  # recorded for 3.5 s
        assert c.post(routes.REC_FINISH, params=_params(demo)).status_code == 201
    with db.session_scope(demo["url"]) as s:
        assert recordings.answer_audio(s, s.execute(select(Answer)).scalar_one()) == b"".join(parts)


def test_two_uploads_of_one_number_at_once_keep_one_and_leave_no_stray_file(demo):
    from concurrent.futures import ThreadPoolExecutor

    # two streams of the same structure with other media bytes: either may continue the other
    stream, other = media.recording(3), media.recording(3)
    with _client(demo) as first, _client(demo) as second:
        assert _chunk(first, demo, 0, stream[:500]).status_code == 200
        for n in range(1, 6):
            mine, changed = stream[500 * n:500 * (n + 1)], other[500 * n:500 * (n + 1)]
            assert mine != changed
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(lambda pair: _chunk(pair[0], demo, n, pair[1]),
                                        [(first, mine), (second, changed)]))
            assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
            kept = mine if answers[0].status_code == 200 else changed
            assert _chunk(first, demo, n, kept).status_code == 200  # the kept one is idempotent
    assert len(_files(demo)) == _count(demo, RecordingChunk) == 6


def test_two_first_chunks_at_once_start_one_recording(demo):
    from concurrent.futures import ThreadPoolExecutor

    start = media.start() + media.cluster(0)
    for question in demo["questions"][:4]:
        with _client(demo) as first, _client(demo) as second, ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda c: _chunk(c, demo, 0, start, question=question), [first, second]))
        # both 200 (the second found the same bytes saved) or one 200 and one 409: never a fault
        assert 200 in [r.status_code for r in answers] and {r.status_code for r in answers} <= {200, 409}
    assert _count(demo, Recording) == 4 and len(_files(demo)) == _count(demo, RecordingChunk) == 4
