"""Spoken answers to text, through the same transactional outbox as scoring.

``recordings.finish`` writes the Answer (empty transcript) and, in the same
transaction, a pending ``TranscriptionJob`` (``enqueue``). ``dispatch_due``
(run in the background by ``run_dispatcher``) claims due jobs one at a time, reads
the answer's media (``recordings.answer_audio``), keeps only its audio track,
sends it to the worker's ``/v1/transcribe`` and, in ONE transaction, stores the
transcript encrypted in ``Answer.transcript_enc``, the delivery figures in
``Answer.delivery``, marks the job done and writes the answer's pending
``ScoringJob``; the scoring dispatcher takes it from there.

Same guarantees as scoring_client: a claim is an UPDATE … WHERE status IN
(pending, sending) AND next_attempt_at <= now, so one dispatcher wins; while the
worker is down (network error, 5xx, 503 busy/not ready/model unavailable) the
job goes back to pending with exponential backoff; a result is stored only by
the dispatcher that still finds its job in ``sending`` and ScoringJob.answer_id
is unique, so an answer is transcribed into the database and queued for scoring
exactly once. Consent is asked under the claim: without active consent the
audio is never sent and the job ends ``no_consent``.

The worker receives the audio track (Opus) and the language: not the video (the
candidate's face), and no name, e-mail, id number or user id; request_id is a
random hex string. Log lines and ``last_error`` carry job ids and error codes only.

Plain Python: never imports reflex.
"""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from portal.models import Answer, ScoringJob, TranscriptionJob, aware
from portal.services.interviews import recordings
from portal.services.interviews import scoring_client as sc
# the scoring outbox's statuses: its claim_job and release_job run this outbox too
from portal.services.interviews.scoring_client import DONE, FAILED, NO_CONSENT, PENDING, SENDING  # noqa: F401
from portal.services.platform import crypto
from portal.services.platform import db as _db

log = logging.getLogger("portal.transcription")

# A 10-minute answer takes about 2 minutes on two cores; the claim must outlive the call.
HTTP_TIMEOUT_S = 900.0
CLAIM_TTL = timedelta(minutes=20)
DISPATCH_LIMIT = 4


def enqueue(session, answer: Answer, now: datetime | None = None) -> TranscriptionJob:
    """Add the answer's pending transcription job to the caller's transaction."""
    now = aware(now or sc.utcnow())
    job = TranscriptionJob(answer_id=answer.id, request_id=uuid.uuid4().hex, status=PENDING,
                           attempts=0, next_attempt_at=now, created_at=now)
    session.add(job)
    session.flush()
    return job


class NoAudio(ValueError):
    """The recording holds no audio track that can be read."""


def audio_track(media: bytes) -> bytes:
    """The first audio track of a WebM recording, remuxed (not re-encoded) into a WebM of its
    own: a tenth of the bytes, and no picture of the candidate leaves the portal."""
    import av

    out = io.BytesIO()
    try:
        with av.open(io.BytesIO(media), metadata_errors="ignore") as src:
            if not src.streams.audio:
                raise NoAudio("no audio track")
            audio = src.streams.audio[0]
            with av.open(out, "w", format="webm") as dst:
                track = dst.add_stream_from_template(audio)
                for packet in src.demux(audio):
                    if packet.dts is None:  # the demuxer's end-of-stream marker
                        continue
                    packet.stream = track
                    dst.mux(packet)
    except av.FFmpegError as exc:
        raise NoAudio(type(exc).__name__) from None
    return out.getvalue()


def transcribe_request(client: sc.ScoringClient, audio: bytes, language: str, request_id: str) -> dict:
    """POST /v1/transcribe; raises sc.WorkerUnavailable (try later) or sc.RequestRejected."""
    try:
        response = client._http.post("/v1/transcribe", content=audio,
                                     params={"language": language, "request_id": request_id},
                                     headers={"Content-Type": "audio/webm"},
                                     timeout=HTTP_TIMEOUT_S)
    except httpx.TimeoutException:
        raise sc.WorkerUnavailable("timeout") from None
    except httpx.HTTPError as exc:
        raise sc.WorkerUnavailable(f"network_{type(exc).__name__}") from None
    code = "http_error"
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200 and isinstance(data, dict) and isinstance(data.get("error"), dict):
        code = str(data["error"].get("code") or code)[:60]
    # 400 (undecodable, too long) and 413 (over the worker's limit) stay so: not retried
    if response.status_code in (400, 413):
        raise sc.RequestRejected(code, status=response.status_code)
    if response.status_code != 200:
        raise sc.WorkerUnavailable(code, status=response.status_code)
    if (not isinstance(data, dict) or data.get("request_id") != request_id
            or not isinstance(data.get("text"), str) or not isinstance(data.get("delivery"), dict)):
        raise sc.WorkerUnavailable("bad_response", status=200)
    return data


def _claim(factory, job_id: int, now: datetime) -> sc.Claimed | None:
    return sc.claim_job(factory, job_id, now, job=TranscriptionJob, ttl=CLAIM_TTL, label="transcription")


def _release(factory, claim: sc.Claimed, now: datetime, error: sc.ScoringError | str) -> None:
    sc.release_job(factory, claim, now, error, job=TranscriptionJob, label="transcription")


def _store(factory, claim: sc.Claimed, result: dict, now: datetime) -> bool:
    """Transcript, delivery figures, job done and the scoring job, in one transaction, once."""
    text = result["text"].strip()[:sc.MAX_ANSWER_CHARS]
    delivery = {k: v for k, v in result["delivery"].items()
                if isinstance(k, str) and isinstance(v, (int, float, str))}
    with _db.unit_of_work(factory) as session:
        done = session.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.id == claim.job_id, TranscriptionJob.status == SENDING)
            .values(status=DONE, last_error="", finished_at=now, attempts=claim.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not done:
            return False
        session.execute(
            update(Answer).where(Answer.id == claim.answer_id)
            .values(transcript_enc=crypto.encrypt(text), delivery=delivery)
            .execution_options(synchronize_session=False))
        if session.execute(select(ScoringJob.id).where(ScoringJob.answer_id == claim.answer_id)).first():
            return True
        # Nothing was said (only silence): there is nothing to score, and a reviewer sees why.
        session.add(ScoringJob(
            answer_id=claim.answer_id, request_id=uuid.uuid4().hex,
            status=sc.PENDING if text else sc.FAILED, attempts=0, next_attempt_at=now,
            last_error="" if text else "empty_transcript", created_at=now,
            finished_at=None if text else now))
        session.flush()
    if text:
        sc.wake()  # the scoring dispatcher of this process takes it at once
    return True


def _language(answer_language: str) -> str:
    return answer_language if answer_language in ("zh", "en") else "zh"


def dispatch_due(session_factory, client: sc.ScoringClient, *, now: datetime | None = None,
                 limit: int = DISPATCH_LIMIT) -> int:
    """Transcribe up to ``limit`` due jobs, one after another; returns how many were stored."""
    factory = _db.scope_factory(session_factory)
    now = aware(now or sc.utcnow())
    with _db.unit_of_work(factory) as session:
        due = session.execute(
            select(TranscriptionJob.id)
            .where(TranscriptionJob.status.in_((PENDING, SENDING)),
                   TranscriptionJob.next_attempt_at <= now)
            .order_by(TranscriptionJob.next_attempt_at, TranscriptionJob.id).limit(limit)
        ).scalars().all()
    stored = 0
    for job_id in due:
        claim = _claim(factory, job_id, now)
        if claim is None:
            continue
        try:
            with _db.unit_of_work(factory) as session:
                answer = session.get(Answer, claim.answer_id)
                language = _language(answer.language)
                media = recordings.answer_audio(session, answer)
            audio = audio_track(media)
        except (recordings.NoRecording, NoAudio) as exc:
            _release(factory, claim, now, sc.RequestRejected(f"no_audio_{type(exc).__name__}"))
            continue
        except Exception as exc:  # noqa: BLE001 - keep the job; the error names no content
            _release(factory, claim, now, f"read_{type(exc).__name__}")
            continue
        try:
            result = transcribe_request(client, audio, language, claim.request_id)
        except sc.ScoringError as exc:
            _release(factory, claim, now, exc)
            if exc.retryable:
                break  # the worker is down or busy: the other jobs wait too
            continue
        except Exception as exc:  # noqa: BLE001 - a bug must not strand a claimed job
            _release(factory, claim, now, f"unexpected_{type(exc).__name__}")
            continue
        if _store(factory, claim, result, now):
            stored += 1
            log.info("transcription job %s: stored (%.1f s of audio)", claim.job_id,
                     float(result["delivery"].get("duration_s", 0) or 0))
    return stored


def status(session, answer_id: int) -> str | None:
    """The answer's transcription job status (pending/sending/done/failed/no_consent), None
    for a typed answer. For server-side code that has already checked access."""
    return session.execute(select(TranscriptionJob.status)
                           .where(TranscriptionJob.answer_id == answer_id)).scalar_one_or_none()


async def run_dispatcher(stop: asyncio.Event | None = None, *, interval: float = 5.0,
                         session_factory=None, client: sc.ScoringClient | None = None) -> None:
    """The background loop: transcribe due answers, sleep, repeat until ``stop`` is set.
    Survives any error (logged by type only)."""
    own_client = client is None
    try:
        while stop is None or not stop.is_set():
            busy = False
            try:
                if client is None:
                    client = sc.default_client()
                stored = await asyncio.to_thread(dispatch_due, session_factory, client)
                busy = stored >= DISPATCH_LIMIT
            except Exception as exc:  # noqa: BLE001 - the loop must not die
                log.error("transcription round failed: %s", type(exc).__name__)
            if busy:
                await asyncio.sleep(0)
                continue
            if stop is None:
                await asyncio.sleep(interval)
            else:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=interval)
                except asyncio.TimeoutError:
                    pass
    finally:
        if own_client and client is not None:
            client.close()
