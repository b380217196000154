"""The interview room: the candidate answers the interview's questions one by one,
recorded (recordings.py takes the chunks) or typed where the job allows it.

``open_room`` says where the candidate stands: the interview's questions in order
(the job's non-practice bank), which are answered, how much of an unfinished
recording is saved (a reload or a dropped connection resumes at the same question
with what was saved), the job's reading time, answer mode and retakes left, and whether the room
is open now (the join link's window, which the room keeps: opening it does not
extend it). The last answer, recorded or typed, marks the interview completed
(recordings.py). ``submit_typed`` saves a typed answer with its
scoring job, under the same rules as a recorded one: the interview's own candidate
only (anyone else is refused and audited), only while open, only with consent,
once per question. Nothing here imports reflex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from portal import models
from portal.services.interviews import consent, recordings, scoring_client
from portal.models import aware
from portal.services.interviews.recordings import ALREADY_SUBMITTED, RecordingError, utcnow
from portal.services.platform import audit
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

VIDEO_OR_TEXT, VIDEO, TEXT = recordings.VIDEO_OR_TEXT, recordings.VIDEO, recordings.TEXT
ANSWER_MODES = recordings.ANSWER_MODES
MAX_TYPED_CHARS = 5000

TYPED_NOT_ALLOWED = N_("This interview asks for recorded answers: a typed answer is not accepted.")
EMPTY = N_("Write your answer first.")
TOO_LONG = N_("Your answer is too long: at most {max} characters.")
RECORDING_STARTED = N_("A recording of this answer has begun: submit what was saved instead.")


@dataclass
class RoomQuestion:
    id: int
    text_zh: str
    text_en: str
    time_limit_s: int
    answered: bool = False
    saved_chunks: int = 0  # of an unfinished recording
    saved_seconds: float = 0.0
    retakes_left: int = 0


@dataclass
class Room:
    interview_id: int
    title_zh: str
    title_en: str
    join_state: str  # open | not_yet | closed
    status: str
    scheduled_at: datetime
    consent: bool
    reading_time_s: int
    answer_mode: str
    questions: list[RoomQuestion] = field(default_factory=list)

    @property
    def current(self) -> int | None:
        """The index of the first unanswered question; None once all are answered."""
        return next((i for i, q in enumerate(self.questions) if not q.answered), None)

    @property
    def finished(self) -> bool:
        return bool(self.questions) and self.current is None


def _room_rows(session, user: models.User, interview_id: int):
    """The interview, its job, the caller's consent and each question with what is saved of
    its answer: one statement (a page load is the caller's session and this)."""
    answered = select(func.count(models.Answer.id)).where(
        models.Answer.interview_id == models.Interview.id, models.Answer.question_id == models.Question.id,
        models.Answer.is_practice.is_(False)).scalar_subquery()
    return session.exec(
        select(models.Interview, models.Job, consent.given_clause(user.id, consent.current_version(session)), models.Question, answered,
               models.Recording)
        .join(models.Job, models.Job.id == models.Interview.job_id)
        .outerjoin(models.Question, (models.Question.job_id == models.Interview.job_id)
                   & models.Question.is_practice.is_(False))
        .outerjoin(models.Recording, (models.Recording.question_id == models.Question.id)
                   & (models.Recording.interview_id == models.Interview.id))
        .where(models.Interview.id == interview_id)
        .order_by(models.Question.position, models.Question.id)).all()


def open_room(session, user: models.User, interview_id: int, *, ip: str = "",
              now: datetime | None = None) -> Room:
    """Where the caller stands in their interview. Refuses (and audits) anyone but its candidate."""
    now = aware(now or utcnow())
    rows = _room_rows(session, user, interview_id) if recordings._valid_id(interview_id) else []
    if not rows:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    interview, job, given = rows[0][0], rows[0][1], bool(rows[0][2])
    recordings.check_own(session, user, interview, ip)
    room = Room(interview_id=interview.id, title_zh=job.title_zh, title_en=job.title_en,
                join_state=recordings.join_state(interview, now), status=interview.status,
                scheduled_at=aware(interview.scheduled_at), consent=given,
                reading_time_s=max(0, job.reading_time_s),
                answer_mode=job.answer_mode if job.answer_mode in ANSWER_MODES else VIDEO_OR_TEXT)
    for _i, _j, _c, question, answers, recording in rows:
        if question is None:
            continue
        unfinished = recording is not None and recording.status == recordings.OPEN
        room.questions.append(RoomQuestion(
            id=question.id, text_zh=question.text_zh, text_en=question.text_en,
            time_limit_s=question.time_limit_s, answered=bool(answers),
            saved_chunks=recording.chunk_count if unfinished else 0,
            saved_seconds=recording.duration_s if unfinished else 0.0,
            retakes_left=recordings.retakes_left(job, recording)))
    return room


def submit_typed(session, user: models.User, interview_id: int, question_id: int, text: str, *,
                 ip: str = "", now: datetime | None = None) -> models.Answer:
    """Save a typed answer to one of the interview's questions and its scoring job (the
    dispatcher is woken once the caller commits). Refused, with nothing written, outside
    the room's rules, where the job asks for recordings, for a question answered already or
    one whose recording has begun, and for an empty or over-long text."""
    now = aware(now or utcnow())
    interview, question = recordings.admit(session, user, interview_id, question_id, ip, now, finishing=True)
    job = session.get(models.Job, interview.job_id)
    if job.answer_mode == VIDEO:
        raise ServiceError(TYPED_NOT_ALLOWED)
    recording = recordings.recording_for(session, interview.id, question.id)
    if (recording is not None and recording.status == recordings.FINISHED) or recordings.answered(
            session, user, interview.id, question.id):
        raise RecordingError(ALREADY_SUBMITTED, 409)
    if recording is not None and recording.chunk_count:
        raise ServiceError(RECORDING_STARTED)
    body = text.strip() if isinstance(text, str) else ""
    if not body:
        raise ServiceError(EMPTY)
    if len(body) > MAX_TYPED_CHARS:
        raise ServiceError(TOO_LONG, max=MAX_TYPED_CHARS)
    answer = scoring_client.submit_answer(session, user, question.id, body, language="auto",
                                          interview_id=interview.id, is_practice=False)
    recordings.complete_when_all_answered(session, interview)
    audit.record(session, "answer.submit", actor_id=user.id, actor=user.email or "", object_type="answer",
                 object_id=answer.id, ip=ip)
    scoring_client.wake_after_commit(session)
    return answer
