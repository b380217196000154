"""Spoken answers through the transcription outbox (issue 9), against the REAL worker process
(the session's ``speech_worker``), a real database file and real encrypted recordings: a
Chromium recording of real speech is uploaded, the answer submitted, transcribed, stored
encrypted, then scored."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta
from pathlib import Path

import av
import httpx
import pytest
from sqlalchemy import func, select

from portal.models import (
    Answer,
    AnswerScore,
    Interview,
    Question,
    ScoringJob,
    TranscriptionJob,
    User,
)
from portal.services.interviews import consent, recordings
from portal.services.interviews import scoring_client as sc
from portal.services.interviews import transcription as tx
from portal.services.platform import crypto, db
from portal.services.platform.demo import demo_email, load_demo
from tests import aio
from tests.unit.worker import conftest as worker_helpers

DATA = Path(__file__).resolve().parents[1] / "data"
CLIPS = json.loads((DATA / "speech" / "clips.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture
def demo(db_url):
    """The demo candidate with consent and an interview open now."""
    with db.session_scope(db_url) as s:
        load_demo(s)
        cand = s.execute(select(User).where(User.email == demo_email("candidate"))).scalar_one()
        interview = s.execute(select(Interview).where(Interview.candidate_id == cand.id)
                              .order_by(Interview.id)).scalars().first()
        interview.scheduled_at = recordings.utcnow()
        interview.status = "scheduled"
        s.add(interview)
        questions = s.execute(select(Question).where(Question.job_id == interview.job_id,
                                                     Question.is_practice.is_(False))
                              .order_by(Question.position)).scalars().all()
        consent.grant(s, cand, consent.current_version(s))
        s.flush()
    return {"url": db_url, "candidate": cand, "interview": interview, "questions": questions,
            "factory": lambda: db.session_scope(db_url)}


def _record(demo, media: bytes, question_index: int = 0, language: str = "zh") -> int:
    """Upload ``media`` as the room does (1 MB chunks) and submit it; returns the answer id."""
    question = demo["questions"][question_index]
    with db.session_scope(demo["url"]) as s:
        for n, start in enumerate(range(0, len(media), 1 << 20)):
            recordings.append_chunk(s, demo["candidate"], demo["interview"].id, question.id, n,
                                    media[start:start + (1 << 20)])
    with db.session_scope(demo["url"]) as s:
        return recordings.finish(s, demo["candidate"], demo["interview"].id, question.id,
                                 language=language).id


class Recorder(httpx.HTTPTransport):
    """Passes requests through and keeps what went over the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        self.requests.append(request)
        return super().handle_request(request)


def _client(worker, transport=None) -> sc.ScoringClient:
    return sc.ScoringClient(worker.url, worker.token, timeout=120, transport=transport)


def _dead_client() -> sc.ScoringClient:
    return sc.ScoringClient(f"http://127.0.0.1:{worker_helpers.free_port()}", "x" * 32, timeout=2)


def _rows(demo, model, answer_id):
    with db.session_scope(demo["url"]) as s:
        return s.execute(select(model).where(model.answer_id == answer_id)).scalars().all()


def _answer(demo, answer_id) -> Answer:
    with db.session_scope(demo["url"]) as s:
        return s.get(Answer, answer_id)


def test_worker_down_then_up_transcribes_once_then_scores(demo, speech_worker):
    meta = CLIPS["zh_team"]
    answer_id = _record(demo, (DATA / "speech" / meta["file"]).read_bytes())
    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.PENDING and not _rows(demo, ScoringJob, answer_id)
    assert crypto.decrypt(_answer(demo, answer_id).transcript_enc) == ""

    # worker down: the job waits with backoff, nothing is lost or half-written
    with _dead_client() as dead:
        assert tx.dispatch_due(demo["factory"], dead) == 0
    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.PENDING and job.attempts == 1 and job.last_error.startswith("network_")
    assert crypto.decrypt(_answer(demo, answer_id).transcript_enc) == ""
    assert not _rows(demo, ScoringJob, answer_id)

    # worker up: two dispatchers at once after the backoff; the answer is transcribed once
    later = sc.utcnow() + timedelta(minutes=10)
    wire = Recorder()
    stored: list[int] = []
    with _client(speech_worker, wire) as client:
        threads = [threading.Thread(target=lambda: stored.append(
            tx.dispatch_due(demo["factory"], client, now=later))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(stored) == [0, 1]
        assert tx.dispatch_due(demo["factory"], client, now=later + timedelta(hours=1)) == 0
    assert len(wire.requests) == 1  # the loser never called the worker

    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.DONE and job.attempts == 2 and job.last_error == ""
    answer = _answer(demo, answer_id)
    text = crypto.decrypt(answer.transcript_enc)
    assert sum(w in text for w in meta["words"]) >= len(meta["words"]) - 2, text
    assert text not in answer.transcript_enc  # stored encrypted
    assert answer.delivery["pause_count"] >= 1 and answer.delivery["rate_unit"] == "chars_per_min"
    assert 80 <= answer.delivery["speaking_rate"] <= 320
    [scoring] = _rows(demo, ScoringJob, answer_id)
    assert scoring.status == sc.PENDING

    # what the worker got: the audio track and the language, nothing about the person
    [request] = wire.requests
    assert request.url.path == "/v1/transcribe"
    assert set(request.url.params) == {"language", "request_id"}
    assert request.url.params["language"] == "zh" and request.url.params["request_id"] == job.request_id
    with av.open(io.BytesIO(wire.bodies[0])) as sent:
        assert [s.type for s in sent.streams] == ["audio"]  # no video: no face
    email = demo["candidate"].email
    assert email.encode() not in wire.bodies[0] and email not in str(request.url)
    assert email.encode() not in b"".join(f"{k}: {v}".encode() for k, v in request.headers.items())

    # then the normal scoring job scores the transcript, and the delivery stays out of it
    with _client(speech_worker) as client:
        assert sc.dispatch_due(demo["factory"], client, now=later + timedelta(hours=1)) == 1
    [score] = _rows(demo, AnswerScore, answer_id)
    assert 0 <= score.overall <= 100
    assert _answer(demo, answer_id).delivery == answer.delivery


def test_no_consent_means_the_audio_is_never_sent(demo, speech_worker):
    answer_id = _record(demo, (DATA / "speech" / "en_complaints.webm").read_bytes(), language="en")
    with db.session_scope(demo["url"]) as s:
        consent.withdraw(s, s.get(User, demo["candidate"].id))
    wire = Recorder()
    with _client(speech_worker, wire) as client:
        assert tx.dispatch_due(demo["factory"], client) == 0
    assert wire.requests == []
    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.NO_CONSENT and job.finished_at is not None
    assert not _rows(demo, ScoringJob, answer_id)
    assert crypto.decrypt(_answer(demo, answer_id).transcript_enc) == ""
    with db.session_scope(demo["url"]) as s:  # what a page shows for the answer
        assert sc.scoring_status(s, answer_id, s.get(User, demo["candidate"].id)) == "no_consent"


def test_the_background_loop_transcribes_and_stops(demo, speech_worker):
    import asyncio

    answer_id = _record(demo, (DATA / "speech" / "zh_team.webm").read_bytes())
    with db.session_scope(demo["url"]) as s:
        assert sc.scoring_status(s, answer_id, s.get(User, demo["candidate"].id)) == "pending"

    async def main():
        stop = asyncio.Event()
        with _client(speech_worker) as client:
            task = asyncio.create_task(tx.run_dispatcher(stop, interval=0.05,
                                                         session_factory=demo["factory"], client=client))
            for _ in range(600):
                if _rows(demo, ScoringJob, answer_id):
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.wait_for(task, 5)

    aio.run(main())
    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.DONE and len(_rows(demo, ScoringJob, answer_id)) == 1


def test_a_recording_without_speech_is_transcribed_empty_and_not_scored(demo, speech_worker):
    beep = b"".join((DATA / "chrome_recording" / f"chunk-{n}.webm").read_bytes() for n in range(4))
    answer_id = _record(demo, beep, question_index=1)
    with _client(speech_worker) as client:
        assert tx.dispatch_due(demo["factory"], client) == 1
    [job] = _rows(demo, TranscriptionJob, answer_id)
    assert job.status == tx.DONE
    [scoring] = _rows(demo, ScoringJob, answer_id)
    assert scoring.status == sc.FAILED and scoring.last_error == "empty_transcript"
    answer = _answer(demo, answer_id)
    assert answer.delivery["speech_s"] <= 1.0 and answer.delivery["duration_s"] > 2
    with db.session_scope(demo["url"]) as s:
        assert sc.scoring_status(s, answer_id, s.get(User, demo["candidate"].id)) == "failed"


def test_a_typed_answer_gets_no_transcription_job(demo):
    with db.session_scope(demo["url"]) as s:
        answer = sc.submit_answer(s, s.get(User, demo["candidate"].id), demo["questions"][2].id,
                                  "我先倾听客户，再同步给仓库。", interview_id=demo["interview"].id,
                                  language="zh")
        answer_id = answer.id
    assert not _rows(demo, TranscriptionJob, answer_id)
    with db.session_scope(demo["url"]) as s:
        assert s.execute(select(func.count()).select_from(TranscriptionJob)).scalar_one() == 0
