"""Spoken interview answers, uploaded in chunks while the candidate records.

A recording belongs to one interview and one of its questions (and so to the
interview's candidate). The room sends MediaRecorder's WebM in numbered chunks
from 0; each chunk is checked and stored at once, so a network drop, a reload
or a closed tab loses at most the chunk in flight, and ``resume_point`` tells
the room where to go on. ``finish`` turns the recording into the Answer
(``Answer.video_ref_enc`` = ``recording:<id>``, ``Recording.answer_id``);
``answer_audio`` gives the transcription job the decrypted media.

Rules, all checked before anything is written (a refusal saves nothing):
only the interview's own candidate (anyone else is refused and audited), only
while the interview is open (the join window of preparation.py), only with
active consent, only a question of the interview's job; the first chunk must be
a WebM file and every later one must continue its stream (webm.py says why
that is checked across chunks rather than per chunk); a chunk, the recording
and its duration (read from the media's own timecodes) are capped by settings
and by the question's time limit; a chunk number sent again with the same
bytes is accepted without change, with other bytes refused; a gap is refused
with the number expected next; a finished recording takes no more chunks and
an answer is submitted once.

Storage: ``<data_dir>/recordings/<recording id>/<sequence>-<random>.chunk``,
directories 0700 and files 0600, each file AES-256-GCM under the key ring's
current key (the key id is kept in RecordingChunk, the associated data binds
recording and sequence). Key rotation re-encrypts them (crypto.FILE_STORES).
No route serves these files; nothing lives under a static path.
Nothing here imports reflex.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.interviews import consent, transcription, webm
from portal.services.interviews.preparation import InterviewPrep
from portal.services.platform import audit, crypto
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_
from portal.services.platform.settings import get_settings

OPEN, FINISHED = "open", "finished"
# How a job's interview is answered (Job.answer_mode): recorded or typed, recorded only, typed only.
VIDEO_OR_TEXT, VIDEO, TEXT = "video_or_text", "video", "text"
ANSWER_MODES = (VIDEO_OR_TEXT, VIDEO, TEXT)
# Seconds a recording may run past the question's time limit (the recorder stops a little late).
GRACE_S = 15
# After the interview closes, a recording whose chunks all arrived in time may still be
# submitted for this long (the last request may be under way when the slot ends).
FINISH_GRACE = timedelta(minutes=5)
BATCH = 200
MAX_SEQUENCE = 100_000  # far beyond any answer (a chunk every second for a day)

NOT_OPEN = N_("The interview is not open: answers can be recorded from 15 minutes before it "
              "starts until it ends.")
NEEDS_CONSENT = N_("Your answers are recorded and analysed only with your consent. Give it on the "
                   "consent page first.")
NOT_A_QUESTION = N_("This question is not part of this interview.")
BAD_SEQUENCE = N_("The part number of the recording is not valid.")
EMPTY_CHUNK = N_("This part of the recording is empty.")
CHUNK_TOO_LARGE = N_("This part of the recording is too large: at most {max} MB.")
TOO_LARGE = N_("The recording is too large: at most {max} MB per answer.")
TOO_LONG = N_("The recording is too long: at most {max} seconds for this question.")
NOT_WEBM = N_("This is not a WebM recording. Record the answer in the interview room.")
GAP = N_("A part of the recording is missing: part {expected} is expected next.")
DIFFERENT = N_("Part {sequence} of this recording was already received with other content.")
ALREADY_SUBMITTED = N_("This answer has already been submitted.")
NOTHING_RECORDED = N_("Nothing has been recorded for this question yet.")
BUSY = N_("This part arrived twice at once. Ask where the recording stands and go on from there.")
NO_RETAKES = N_("No retake is left for this question: submit what was recorded.")
TYPED_ONLY = N_("This interview asks for typed answers: nothing is recorded.")


class RecordingError(ServiceError):
    """A refusal of an upload, with the HTTP status the endpoint answers with."""

    def __init__(self, msgid: str, status: int = 422, **params: object) -> None:
        super().__init__(msgid, **params)
        self.status = status


class NoRecording(LookupError):
    """The answer was not recorded (typed, or not an interview answer)."""


@dataclass(frozen=True)
class ResumePoint:
    """What the server holds of a recording: the room resumes at ``next_sequence``."""

    next_sequence: int
    total_bytes: int
    duration_s: float
    finished: bool

    def to_json(self) -> dict:
        return {"next_sequence": self.next_sequence, "bytes": self.total_bytes,
                "duration_s": round(self.duration_s, 2), "finished": self.finished}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def _mb(n: int) -> int:
    return max(1, n // (1024 * 1024))


# ---------------------------------------------------------------- files


def storage_root() -> Path:
    return get_settings().data_dir / "recordings"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _chunk_path(recording_id: int, file_name: str) -> Path:
    return storage_root() / str(recording_id) / file_name


def _context(recording_id: int, sequence: int) -> str:
    return f"recording:{recording_id}:{sequence}"


def _track_files(session) -> None:
    """Files written in a transaction are removed if it rolls back; files replaced in it
    are removed once it commits (before, the rows still point at them)."""
    info = session.info
    if info.get("recording_files_tracked"):
        return
    info["recording_files_tracked"] = True
    info["recording_new_files"], info["recording_old_files"] = [], []

    def committed(s) -> None:
        for path in s.info["recording_old_files"]:
            Path(path).unlink(missing_ok=True)
        s.info["recording_new_files"].clear()
        s.info["recording_old_files"].clear()

    def rolled_back(s) -> None:
        for path in s.info["recording_new_files"]:
            Path(path).unlink(missing_ok=True)
        s.info["recording_new_files"].clear()
        s.info["recording_old_files"].clear()

    sa_event.listen(session, "after_commit", committed)
    sa_event.listen(session, "after_rollback", rolled_back)


def _write_chunk(session, recording_id: int, sequence: int, data: bytes) -> tuple[str, str]:
    """Encrypt and write one chunk (temp file, fsync, rename); returns (key id, file name)."""
    _track_files(session)
    folder = _private_dir(_private_dir(storage_root()) / str(recording_id))
    kid, blob = crypto.encrypt_bytes(data, _context(recording_id, sequence))
    name = f"{sequence:06d}-{secrets.token_hex(6)}.chunk"
    tmp = folder / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)
    session.info["recording_new_files"].append(str(folder / name))
    return kid, name


def _read_chunk(chunk: models.RecordingChunk) -> bytes:
    blob = _chunk_path(chunk.recording_id, chunk.file_name).read_bytes()
    return crypto.decrypt_bytes(chunk.key_id, blob, _context(chunk.recording_id, chunk.sequence))


# ---------------------------------------------------------------- checks


def _deny(session, user: models.User, obj, ip: str) -> None:
    """Refuse like ``access.require`` does: audited, committed, then PermissionDenied."""
    audit.record(session, "access_denied", actor_id=user.id, actor=user.email or "",
                 object_type=f"recording.upload:{type(obj).__name__}",
                 object_id=str(getattr(obj, "id", "") or ""), ip=ip, outcome="denied")
    session.commit()
    raise PermissionDenied()


def _valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def own_interview(session, user: models.User, interview_id: int, ip: str) -> models.Interview:
    """The interview, only for its own candidate: anyone else (interviewers and HR too,
    who may view it but never answer in it) is refused and audited."""
    interview = session.get(models.Interview, interview_id) if _valid_id(interview_id) else None
    if interview is None:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    check_own(session, user, interview, ip)
    return interview


def check_own(session, user: models.User, interview: models.Interview, ip: str) -> None:
    access.require(user, access.INTERVIEW_VIEW, interview, session=session, ip=ip)
    if interview.candidate_id != user.id:
        _deny(session, user, interview, ip)


def join_state(interview: models.Interview, now: datetime) -> str:
    # The room's rule is the join link's rule: the same InterviewPrep decides both.
    return InterviewPrep(
        id=interview.id, job_id=interview.job_id, title_zh="", title_en="", description_zh="",
        description_en="", scheduled_at=aware(interview.scheduled_at), duration_min=interview.duration_min,
        status=interview.status,
    ).join_state(now)


def _question(session, interview: models.Interview, question_id: int) -> models.Question:
    question = session.get(models.Question, question_id) if _valid_id(question_id) else None
    if question is None or question.job_id != interview.job_id or question.is_practice:
        raise RecordingError(NOT_A_QUESTION, 404)
    return question


def recording_for(session, interview_id: int, question_id: int) -> models.Recording | None:
    return session.exec(select(models.Recording).where(
        models.Recording.interview_id == interview_id, models.Recording.question_id == question_id)).first()


def answered(session, user: models.User, interview_id: int, question_id: int) -> bool:
    """An answer to this question of this interview exists (recorded or typed)."""
    return session.exec(select(models.Answer.id).where(
        models.Answer.user_id == user.id, models.Answer.interview_id == interview_id,
        models.Answer.question_id == question_id, models.Answer.is_practice.is_(False))).first() is not None


def admit(session, user, interview_id, question_id, ip, now, *, finishing=False):
    """(interview, question) when the caller may record this answer now; else a refusal."""
    interview = own_interview(session, user, interview_id, ip)
    state = join_state(interview, now)
    if state != "open" and not (
        finishing and state == "closed" and interview.status not in ("completed", "cancelled")
        and now <= aware(interview.scheduled_at) + timedelta(minutes=interview.duration_min) + FINISH_GRACE
    ):
        raise RecordingError(NOT_OPEN, 403)
    if not consent.has_consent(session, user.id):
        raise RecordingError(NEEDS_CONSENT, 403)
    return interview, _question(session, interview, question_id)


def _point(recording: models.Recording | None) -> ResumePoint:
    if recording is None:
        return ResumePoint(0, 0, 0.0, False)
    return ResumePoint(recording.chunk_count, recording.total_bytes, recording.duration_s,
                       recording.status == FINISHED)


def complete_when_all_answered(session, interview: models.Interview) -> bool:
    """Mark the interview completed once each of its questions has an answer (recorded or
    typed); True when it is completed now."""
    missing = session.exec(select(func.count(models.Question.id)).where(
        models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False),
        ~select(models.Answer.id).where(
            models.Answer.interview_id == interview.id, models.Answer.question_id == models.Question.id,
            models.Answer.is_practice.is_(False)).exists())).one()
    if missing:
        return False
    session.execute(update(models.Interview).where(
        models.Interview.id == interview.id, models.Interview.status.in_(("scheduled", "in_progress")))
        .values(status="completed"))
    session.refresh(interview)
    return interview.status == "completed"


def max_seconds(question: models.Question) -> int:
    return min(get_settings().recording_max_seconds, question.time_limit_s + GRACE_S)


# ---------------------------------------------------------------- the candidate's calls


def append_chunk(session, user: models.User, interview_id: int, question_id: int, sequence: int,
                 data: bytes, *, ip: str = "", now: datetime | None = None) -> ResumePoint:
    """Store chunk ``sequence`` (0, 1, 2, …) of the answer to ``question_id``; returns what is
    saved now. A chunk sent again with the same bytes changes nothing and succeeds."""
    now = aware(now or utcnow())
    cfg = get_settings()
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 <= sequence <= MAX_SEQUENCE:
        raise RecordingError(BAD_SEQUENCE, 400)
    if not isinstance(data, bytes | bytearray) or not data:
        raise RecordingError(EMPTY_CHUNK, 400)
    if len(data) > cfg.recording_chunk_bytes:
        raise RecordingError(CHUNK_TOO_LARGE, 413, max=_mb(cfg.recording_chunk_bytes))
    interview, question = admit(session, user, interview_id, question_id, ip, now)
    recording = recording_for(session, interview.id, question.id)
    if (recording is not None and recording.status == FINISHED) or (
            recording is None and answered(session, user, interview.id, question.id)):
        raise RecordingError(ALREADY_SUBMITTED, 409)
    if recording is None and session.get(models.Job, interview.job_id).answer_mode == TEXT:
        raise RecordingError(TYPED_ONLY, 403)
    expected = recording.chunk_count if recording else 0
    digest = hashlib.sha256(data).hexdigest()
    if sequence < expected:
        earlier = session.exec(select(models.RecordingChunk).where(
            models.RecordingChunk.recording_id == recording.id,
            models.RecordingChunk.sequence == sequence)).one()
        if earlier.sha256 != digest:
            raise RecordingError(DIFFERENT, 409, sequence=sequence)
        return _point(recording)  # the answer to a retry whose first response was lost
    if sequence > expected:
        raise RecordingError(GAP, 409, expected=expected)
    total = (recording.total_bytes if recording else 0) + len(data)
    if total > cfg.recording_max_bytes:
        raise RecordingError(TOO_LARGE, 413, max=_mb(cfg.recording_max_bytes))
    try:
        stream = webm.feed(webm.StreamState.from_json(recording.stream_state if recording else None),
                           bytes(data))
    except webm.NotWebm:
        raise RecordingError(NOT_WEBM, 415) from None
    if stream.duration_s > max_seconds(question):
        raise RecordingError(TOO_LONG, 413, max=max_seconds(question))
    if recording is None:
        recording = models.Recording(interview_id=interview.id, question_id=question.id,
                                     candidate_id=user.id, started_at=now, updated_at=now)
        session.add(recording)
        try:
            session.flush()
        except IntegrityError:  # another request started this recording meanwhile
            raise RecordingError(BUSY, 409) from None
    kid, name = _write_chunk(session, recording.id, sequence, bytes(data))
    # Counted with a conditional UPDATE: of two requests racing for one number, one wins.
    won = session.execute(update(models.Recording).where(
        models.Recording.id == recording.id, models.Recording.chunk_count == expected,
        models.Recording.status == OPEN,
    ).values(chunk_count=expected + 1, total_bytes=total, duration_s=stream.duration_s,
             stream_state=stream.to_json(), updated_at=now)).rowcount
    if won != 1:
        raise RecordingError(BUSY, 409)
    session.add(models.RecordingChunk(recording_id=recording.id, sequence=sequence, size=len(data),
                                      sha256=digest, key_id=kid, file_name=name, received_at=now))
    session.flush()
    session.refresh(recording)
    return _point(recording)


def retakes_left(job: models.Job, recording: models.Recording | None) -> int:
    return max(0, job.retakes - (recording.retakes_used if recording else 0))


def retake(session, user: models.User, interview_id: int, question_id: int, *, ip: str = "",
           now: datetime | None = None) -> ResumePoint:
    """Discard what was recorded of an answer not yet submitted, to record it again from
    chunk 0: as often as the job's retake policy allows per question. The chunks' files
    are removed once this commits."""
    now = aware(now or utcnow())
    interview, question = admit(session, user, interview_id, question_id, ip, now)
    recording = recording_for(session, interview.id, question.id)
    if (recording is not None and recording.status == FINISHED) or answered(
            session, user, interview.id, question.id):
        raise RecordingError(ALREADY_SUBMITTED, 409)
    if recording is None or recording.chunk_count == 0:
        raise RecordingError(NOTHING_RECORDED, 409)
    if not retakes_left(session.get(models.Job, interview.job_id), recording):
        raise RecordingError(NO_RETAKES, 409)
    won = session.execute(update(models.Recording).where(
        models.Recording.id == recording.id, models.Recording.status == OPEN,
        models.Recording.chunk_count == recording.chunk_count,
    ).values(chunk_count=0, total_bytes=0, duration_s=0.0, stream_state={},
             retakes_used=recording.retakes_used + 1, updated_at=now)).rowcount
    if won != 1:  # a chunk or a submit came in meanwhile
        raise RecordingError(BUSY, 409)
    _track_files(session)
    chunks = session.exec(select(models.RecordingChunk).where(
        models.RecordingChunk.recording_id == recording.id)).all()
    for chunk in chunks:
        session.info["recording_old_files"].append(str(_chunk_path(recording.id, chunk.file_name)))
        session.delete(chunk)
    session.flush()
    session.refresh(recording)
    return _point(recording)


def resume_point(session, user: models.User, interview_id: int, question_id: int, *,
                 ip: str = "") -> ResumePoint:
    """What is saved of the caller's answer to ``question_id`` (the room resumes from it).
    Only the interview's own candidate may ask (at any time: it reveals only their own)."""
    interview = own_interview(session, user, interview_id, ip)
    question = _question(session, interview, question_id)
    return _point(recording_for(session, interview.id, question.id))


def finish(session, user: models.User, interview_id: int, question_id: int, *, language: str | None = None,
           ip: str = "", now: datetime | None = None) -> models.Answer:
    """Submit the recorded answer: creates the Answer (transcript empty until the
    transcription job fills it) and links the recording. Refused a second time."""
    now = aware(now or utcnow())
    interview, question = admit(session, user, interview_id, question_id, ip, now, finishing=True)
    recording = recording_for(session, interview.id, question.id)
    if (recording is not None and recording.status == FINISHED) or answered(
            session, user, interview.id, question.id):
        raise RecordingError(ALREADY_SUBMITTED, 409)
    if recording is None or recording.chunk_count == 0:
        raise RecordingError(NOTHING_RECORDED, 409)
    won = session.execute(update(models.Recording).where(
        models.Recording.id == recording.id, models.Recording.status == OPEN,
        models.Recording.chunk_count == recording.chunk_count,
    ).values(status=FINISHED, finished_at=now, updated_at=now)).rowcount
    if won != 1:  # finished (or appended to) by another request meanwhile
        raise RecordingError(ALREADY_SUBMITTED, 409)
    if language not in ("zh", "en"):
        language = "en" if (user.locale or "").startswith("en") else "zh"
    answer = models.Answer(user_id=user.id, question_id=question.id, interview_id=interview.id,
                           model_id=interview.model_id, is_practice=False, language=language,
                           transcript_enc=crypto.encrypt(""),
                           video_ref_enc=crypto.encrypt(f"recording:{recording.id}"),
                           duration_s=recording.duration_s, submitted_at=now)
    session.add(answer)
    session.flush()
    session.execute(update(models.Recording).where(models.Recording.id == recording.id)
                    .values(answer_id=answer.id))
    # the outbox: transcribed, then scored, by the background dispatchers
    transcription.enqueue(session, answer, now)
    audit.record(session, "answer.submit", actor_id=user.id, actor=user.email or "", object_type="answer",
                 object_id=answer.id, ip=ip)
    session.flush()
    complete_when_all_answered(session, interview)
    session.refresh(recording)
    return answer


# ---------------------------------------------------------------- server-side jobs


def recording_of(session, answer_id: int) -> models.Recording | None:
    return session.exec(select(models.Recording).where(models.Recording.answer_id == answer_id)).first()


def answer_audio(session, answer: models.Answer) -> bytes:
    """The answer's recorded media (WebM with opus audio), decrypted and joined, for the
    transcription job. Raises NoRecording for a typed answer. For server-side jobs only:
    it checks no caller, so no request handler may call it without an access check."""
    recording = recording_of(session, answer.id)
    if recording is None:
        raise NoRecording(answer.id)
    chunks = session.exec(select(models.RecordingChunk).where(
        models.RecordingChunk.recording_id == recording.id).order_by(models.RecordingChunk.sequence)).all()
    if [c.sequence for c in chunks] != list(range(recording.chunk_count)):
        raise crypto.CryptoError(f"recording {recording.id} is missing chunks")
    return b"".join(_read_chunk(c) for c in chunks)


def playable(session, user: models.User, answer_id: int, *, user_session: models.UserSession | None = None,
             ip: str = "") -> tuple[models.Recording, list[models.RecordingChunk]]:
    """The finished recording of an interview answer, for someone who may see it: the
    candidate themself, the interviewer assigned to the interview, an hr_manager after a
    recent re-authentication. Anyone else is refused and audited."""
    answer = session.get(models.Answer, answer_id) if _valid_id(answer_id) else None
    if answer is None or answer.interview_id is None:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    access.require(user, access.REPORT_VIEW, answer, session=session, ip=ip)
    if not access.can_view_field(user, "video_ref_enc", answer, session=session, user_session=user_session):
        _deny(session, user, answer, ip)
    recording = recording_of(session, answer.id)
    if recording is None or recording.status != FINISHED:
        raise NoRecording(answer.id)
    chunks = session.exec(select(models.RecordingChunk).where(
        models.RecordingChunk.recording_id == recording.id).order_by(models.RecordingChunk.sequence)).all()
    return recording, list(chunks)


def read_range(chunks: list[models.RecordingChunk], start: int, end: int):
    """The media's bytes start..end (inclusive), decrypting only the chunks they cross."""
    offset = 0
    for chunk in chunks:
        first, last = offset, offset + chunk.size - 1
        offset += chunk.size
        if last < start:
            continue
        if first > end:
            break
        data = _read_chunk(chunk)
        yield data[max(0, start - first):end - first + 1]


def reencrypt_files(session) -> int:
    """Re-encrypt every chunk file not under the current key (key rotation); returns
    files changed. New files replace old ones only when the transaction commits."""
    current = crypto.load_keyring(refresh=True).current
    changed, last = 0, 0
    while True:
        rows = session.exec(select(models.RecordingChunk).where(
            models.RecordingChunk.key_id != current, models.RecordingChunk.id > last)
            .order_by(models.RecordingChunk.id).limit(BATCH)).all()
        if not rows:
            return changed
        for chunk in rows:
            last = chunk.id
            old = _chunk_path(chunk.recording_id, chunk.file_name)
            kid, name = _write_chunk(session, chunk.recording_id, chunk.sequence, _read_chunk(chunk))
            session.execute(update(models.RecordingChunk).where(models.RecordingChunk.id == chunk.id)
                            .values(key_id=kid, file_name=name))
            session.info["recording_old_files"].append(str(old))
            changed += 1


def files_per_key(session) -> dict[str, int]:
    return dict(session.execute(select(models.RecordingChunk.key_id, func.count())
                                .group_by(models.RecordingChunk.key_id)).all())
