"""Every table of the product, in one place.

Names follow HR's words (competency, required_level, anchor, enrollment).
Columns ending in ``_enc`` hold AES-256-GCM ciphertext (see services/crypto.py);
columns ending in ``_hash`` hold one-way hashes of secrets. Neither ever reaches
a public state var. Times are timezone-aware UTC (sqlmodel stores them as
UTCDateTime and returns them aware).
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Optional

import sqlmodel
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

ROLES = ("candidate", "employee", "interviewer", "hr", "hr_manager", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands columns back naive); None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def detached(cls, values):
    """A ``cls`` row from a Core statement's values (its table's columns, in order), built
    as the ORM builds a loaded one (no __init__, whose checks cost more than a query) and
    detached, as from a closed session: session.add() takes it back to change it. Hot
    reads run as Core on a connection: the ORM's loading costs twice the statement."""
    from sqlalchemy.orm import make_transient_to_detached

    manager, keys = _layout(cls)
    obj = manager.new_instance()
    obj.__dict__.update(zip(keys, values))
    make_transient_to_detached(obj)
    return obj


@functools.cache
def _layout(cls) -> tuple:
    from sqlalchemy import inspect

    return inspect(cls).class_manager, tuple(cls.__table__.c.keys())


class Base(SQLModel):
    """Common id column. Not rx.Model, so services stay free of reflex imports;
    rx.Model is itself a SQLModel with the same id column."""

    id: Optional[int] = Field(default=None, primary_key=True)


def json_field(default_factory=list):
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


# ---------------------------------------------------------------- accounts


class User(Base, table=True):
    email: str = Field(index=True, unique=True, max_length=254)
    display_name: str = Field(default="", max_length=120)
    role: str = Field(default="candidate", max_length=20, index=True)
    locale: str = Field(default="zh_CN", max_length=10)
    is_active: bool = True
    password_hash: Optional[str] = None
    password_changed_at: Optional[datetime] = None
    totp_secret_enc: Optional[str] = None
    totp_last_step: int = 0
    mfa_enrolled_at: Optional[datetime] = None
    failed_attempts: int = 0
    locked_until: Optional[datetime] = None
    oidc_issuer: Optional[str] = Field(default=None, max_length=500)
    oidc_subject: Optional[str] = Field(default=None, max_length=255)
    phone_enc: Optional[str] = None
    id_number_enc: Optional[str] = None
    hired_at: Optional[datetime] = None
    timezone: str = Field(default="Asia/Shanghai", max_length=64)  # IANA name; times are shown in it
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)


class UserSession(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    mfa_passed: bool = False
    reauth_at: Optional[datetime] = None
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: Optional[datetime] = None


class RecoveryCode(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=200)
    used_at: Optional[datetime] = None


class Invitation(Base, table=True):
    email: str = Field(index=True, max_length=254)
    role: str = Field(max_length=20)
    token_hash: str = Field(unique=True, max_length=64)
    invited_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class PasswordReset(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class LoginThrottle(Base, table=True):
    """Failure counters per account or per IP, in the database so they hold
    across processes and restarts."""

    key: str = Field(unique=True, max_length=300)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: Optional[datetime] = None


class Consent(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(max_length=60)  # e.g. "ai_scoring", "video_retention"
    version: str = Field(max_length=20)
    granted_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: Optional[datetime] = None


class ConsentText(Base, table=True):
    """A consent text the admin published on /admin/retention (the built-in ones are in
    portal/content/consent.json); the newest is the one people agree to."""
    version: str = Field(unique=True, max_length=20)
    texts: dict = json_field(dict)  # locale -> {title, intro, sections: [{heading, body}], agree_label}
    published_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    published_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- jobs and competency models


class Job(Base, table=True):
    code: str = Field(unique=True, max_length=60)
    title_zh: str
    title_en: str
    department_zh: str = ""
    department_en: str = ""
    location_zh: str = ""
    location_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    is_open: bool = True
    # How the interview room runs this job's questions (HR configures them in issue 12; seeded now):
    # seconds to read a question before recording starts, and whether a typed answer is
    # offered beside the recorded one ("video_or_text") or only a recording ("video").
    reading_time_s: int = Field(default=30, sa_column_kwargs={"server_default": "30"})
    answer_mode: str = Field(default="video_or_text", max_length=20,
                             sa_column_kwargs={"server_default": "video_or_text"})
    retakes: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # per question, before submitting
    # Who publishes a score report: "auto" once every answer is scored, or "hr" after reviewing it.
    report_publishing: str = Field(default="auto", max_length=10, sa_column_kwargs={"server_default": "auto"})
    created_at: datetime = Field(default_factory=utcnow)


class CompetencyModel(Base, table=True):
    """A versioned set of competencies for a job. Scores always point at the
    version they were made with, so editing the model never rewrites history."""

    job_id: int = Field(foreign_key="job.id", index=True)
    version: int = 1
    is_current: bool = True
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("job_id", "version"),)


class Competency(Base, table=True):
    model_id: int = Field(foreign_key="competencymodel.id", index=True)
    key: str = Field(max_length=60)  # stable across jobs, e.g. "communication"
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    weight: float = 0.2
    required_level: float = 70.0  # on the 0-100 score scale
    keywords: list[str] = json_field()
    position: int = 0

    __table_args__ = (UniqueConstraint("model_id", "key"),)


class BehaviouralAnchor(Base, table=True):
    competency_id: int = Field(foreign_key="competency.id", index=True)
    level: int  # 1, 3 or 5 (BARS)
    text_zh: str
    text_en: str

    __table_args__ = (UniqueConstraint("competency_id", "level"),)


class Question(Base, table=True):
    job_id: int = Field(foreign_key="job.id", index=True)
    competency_key: str = Field(default="", max_length=60)
    text_zh: str
    text_en: str
    is_practice: bool = False
    time_limit_s: int = 180
    position: int = 0


class InterviewStage(Base, table=True):
    job_id: int = Field(foreign_key="job.id", index=True)
    position: int = 0
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    duration_min: int = 10


class InterviewGuide(Base, table=True):
    """What a candidate is told about how a job's interview runs: what the AI analyses
    and what it does not, what is recorded, who sees it and how long it is kept.
    One per job, configured by HR (seeded from demo content for now)."""

    job_id: int = Field(foreign_key="job.id", unique=True)
    analysed_zh: str = ""
    analysed_en: str = ""
    not_analysed_zh: str = ""
    not_analysed_en: str = ""
    recorded_zh: str = ""
    recorded_en: str = ""
    access_zh: str = ""  # who sees the recordings and scores
    access_en: str = ""
    retention_days: int = 180


class InterviewerProfile(Base, table=True):
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    name_zh: str
    name_en: str
    title_zh: str = ""
    title_en: str = ""
    background_zh: str = ""
    background_en: str = ""
    focus_zh: str = ""  # what they look for in an answer
    focus_en: str = ""
    years_experience: int = 0
    photo: str = ""  # path under assets/
    is_active: bool = True


class Interview(Base, table=True):
    candidate_id: int = Field(foreign_key="user.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    model_id: int = Field(foreign_key="competencymodel.id")
    scheduled_at: datetime
    duration_min: int = 45
    status: str = Field(default="scheduled", max_length=20)  # scheduled|in_progress|completed|cancelled
    meeting_link: str = ""
    sequence: int = 0  # iCalendar SEQUENCE: raised on every reschedule
    created_at: datetime = Field(default_factory=utcnow)


class InterviewReminder(Base, table=True):
    """One row per e-mail that is due (invitation, 24 h, 1 h) for one scheduled time.
    The unique key is the claim: whichever process inserts it sends it, so a restart or
    a second portal process never sends the same reminder twice; a reschedule makes
    new rows for the new time."""

    interview_id: int = Field(foreign_key="interview.id", index=True)
    kind: str = Field(max_length=20)  # invitation|24h|1h
    scheduled_at: datetime  # the interview time this reminder is about
    claimed_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None

    __table_args__ = (UniqueConstraint("interview_id", "kind", "scheduled_at"),)


class SchedulingPreference(Base, table=True):
    """A time slot a candidate prefers for future interviews (weekday 0 = Monday, minutes
    from midnight in the candidate's time zone)."""

    user_id: int = Field(foreign_key="user.id", index=True)
    weekday: int
    start_minute: int
    end_minute: int


class ChecklistMark(Base, table=True):
    """A step of the candidate's checklist that only the candidate's own action can
    tick and no other row records (today: "process", having opened how the interview
    runs). Not an audit event: it is the candidate's progress, not a security record."""

    user_id: int = Field(foreign_key="user.id", index=True)
    step: str = Field(max_length=30)
    marked_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "step"),)


class InterviewAssignment(Base, table=True):
    """Which interviewer may see which candidate's interview."""

    interview_id: int = Field(foreign_key="interview.id", index=True)
    interviewer_id: int = Field(foreign_key="interviewerprofile.id", index=True)

    __table_args__ = (UniqueConstraint("interview_id", "interviewer_id"),)


class InterviewerRating(Base, table=True):
    """A reviewer's own level (1-5, the anchors' scale) for one competency of one answer,
    with an optional note (encrypted: it is about a person). One per reviewer, answer and
    competency; saved again, it is updated."""

    __table_args__ = (UniqueConstraint("answer_id", "competency_key", "rater_id"),)
    answer_id: int = Field(foreign_key="answer.id", index=True)
    competency_key: str = Field(max_length=60)
    rater_id: int = Field(foreign_key="user.id")
    level: int
    note_enc: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InterviewerNote(Base, table=True):
    interview_id: int = Field(foreign_key="interview.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body_enc: str
    created_at: datetime = Field(default_factory=utcnow)


class DeviceCheck(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    interview_id: Optional[int] = Field(default=None, foreign_key="interview.id")
    camera_ok: bool = False
    camera_width: Optional[int] = None
    camera_height: Optional[int] = None
    camera_fps: Optional[float] = None
    microphone_ok: bool = False
    microphone_level: Optional[float] = None  # peak level 0..1 while the candidate spoke
    latency_ms: Optional[float] = None  # median round trip to the portal
    download_mbps: Optional[float] = None
    upload_mbps: Optional[float] = None
    network_ok: bool = False
    browser: str = Field(default="", max_length=200)
    browser_ok: bool = False
    problems: list[str] = json_field()  # codes of what fell short, shown as advice
    checked_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- answers and scoring


class Answer(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    question_id: int = Field(foreign_key="question.id")
    interview_id: Optional[int] = Field(default=None, foreign_key="interview.id", index=True)
    model_id: int = Field(foreign_key="competencymodel.id")
    is_practice: bool = False
    language: str = Field(default="zh", max_length=5)
    transcript_enc: str
    video_ref_enc: Optional[str] = None
    duration_s: Optional[float] = None
    submitted_at: datetime = Field(default_factory=utcnow)
    # Delivery figures of a spoken answer, from transcription (duration, speaking rate, pauses):
    # shown to reviewers, never folded into content scores. None for typed answers.
    delivery: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))


class Recording(Base, table=True):
    """A spoken answer as it is uploaded: one per interview and question. Its chunks
    (RecordingChunk) are files under the data directory; ``finish`` links the Answer."""

    __table_args__ = (UniqueConstraint("interview_id", "question_id"),)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    question_id: int = Field(foreign_key="question.id")
    candidate_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="open", max_length=20, sa_column_kwargs={"server_default": "open"})  # open|finished
    chunk_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    total_bytes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    duration_s: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})  # read from the media
    retakes_used: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    stream_state: dict = json_field(dict)  # where the WebM check stands between chunks (no media bytes)
    answer_id: Optional[int] = Field(default=None, foreign_key="answer.id", unique=True)
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None


class RecordingChunk(Base, table=True):
    """One uploaded chunk: ``file_name`` under the recording's directory holds it
    AES-GCM encrypted under key ``key_id`` (key rotation re-encrypts the files)."""

    __table_args__ = (UniqueConstraint("recording_id", "sequence"),)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    sequence: int
    size: int  # plaintext bytes
    sha256: str = Field(max_length=64)  # of the plaintext: a repeated upload is recognised
    key_id: str = Field(max_length=40, index=True)
    file_name: str = Field(max_length=80)
    received_at: datetime = Field(default_factory=utcnow)


class ScoringJob(Base, table=True):
    """Transactional outbox for the scoring worker: written with the answer,
    dispatched later, retried with backoff, idempotent by request_id."""

    answer_id: int = Field(foreign_key="answer.id", unique=True)
    request_id: str = Field(unique=True, max_length=64)
    status: str = Field(default="pending", max_length=20, index=True)  # pending|done|failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None


class TranscriptionJob(Base, table=True):
    """Outbox for transcribing a spoken answer (services/interviews/transcription.py):
    written with the answer, sent to the worker later, retried with backoff; its success
    stores the transcript and writes the answer's ScoringJob in one transaction."""

    answer_id: int = Field(foreign_key="answer.id", unique=True)
    request_id: str = Field(unique=True, max_length=64)
    status: str = Field(default="pending", max_length=20, index=True)  # pending|sending|done|failed|no_consent
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None


class AnswerScore(Base, table=True):
    answer_id: int = Field(foreign_key="answer.id", unique=True)
    model_version: str = ""
    overall: float
    relevance: float
    coherence: float
    keyword_density: float
    structure: dict = json_field(dict)
    created_at: datetime = Field(default_factory=utcnow)


class CompetencyScore(Base, table=True):
    answer_id: int = Field(foreign_key="answer.id", index=True)
    competency_id: int = Field(foreign_key="competency.id")
    score: float
    level: float
    evidence_enc: str = ""  # quoted sentences are personal data
    keywords_hit: list[str] = json_field()


class Report(Base, table=True):
    interview_id: int = Field(foreign_key="interview.id", unique=True)
    candidate_id: int = Field(foreign_key="user.id", index=True)
    overall: float
    percentile: Optional[float] = None
    strengths: list[str] = json_field()
    improvements: list[str] = json_field()
    next_steps: list[str] = json_field()
    # the job's rule that moved the candidate, with the numbers it compared ({} when none did)
    decision: dict = json_field(dict)
    published_at: Optional[datetime] = None
    summary_sent_at: Optional[datetime] = None  # the e-mail summary after scoring, sent once
    created_at: datetime = Field(default_factory=utcnow)


class ReviewRequest(Base, table=True):
    report_id: int = Field(foreign_key="report.id", index=True)
    requester_id: int = Field(foreign_key="user.id")
    reason: str = ""
    status: str = Field(default="open", max_length=20)  # open|in_review|resolved
    resolver_id: Optional[int] = Field(default=None, foreign_key="user.id")
    response: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: Optional[datetime] = None


# ---------------------------------------------------------------- development


class Course(Base, table=True):
    code: str = Field(unique=True, max_length=60)
    title_zh: str
    title_en: str
    summary_zh: str = ""
    summary_en: str = ""
    provider: str = ""
    format: str = Field(default="online", max_length=20)  # online|classroom|blended
    duration_hours: float = 1.0
    level: int = 1  # 1 (foundation) .. 5 (expert)
    modules: int = 1
    # what the course works on, the end of "communication: 12 below → this course works on ..."
    focus_zh: str = ""
    focus_en: str = ""
    is_active: bool = True


class CourseOffering(Base, table=True):
    """One run of a course: its dates, until when one may enrol, and its seats (None: no
    limit, e.g. self-paced online). ``seats_taken`` is counted by conditional updates."""

    course_id: int = Field(foreign_key="course.id", index=True)
    starts_at: datetime
    ends_at: datetime
    enrol_by: datetime
    seats: Optional[int] = None
    seats_taken: int = 0
    location_zh: str = ""
    location_en: str = ""


class CourseCompetency(Base, table=True):
    course_id: int = Field(foreign_key="course.id", index=True)
    competency_key: str = Field(max_length=60, index=True)

    __table_args__ = (UniqueConstraint("course_id", "competency_key"),)


class Enrollment(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    course_id: int = Field(foreign_key="course.id")
    offering_id: Optional[int] = Field(default=None, foreign_key="courseoffering.id")
    # enrolled|in_progress|completed|waitlisted|withdrawn
    status: str = Field(default="enrolled", max_length=20)
    progress_pct: int = 0
    modules_done: int = 0
    enrolled_at: datetime = Field(default_factory=utcnow)
    completed_at: Optional[datetime] = None

    __table_args__ = (UniqueConstraint("user_id", "course_id"),)


class DevelopmentGoal(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    competency_key: str = Field(default="", max_length=60)
    title: str
    description: str = ""
    target_level: Optional[float] = None
    due_date: Optional[datetime] = None
    is_probation: bool = False
    status: str = Field(default="open", max_length=20)  # open|achieved|missed
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class LearningPreference(Base, table=True):
    """How a person prefers to learn: a format ("" any) and the most hours a course may take."""

    user_id: int = Field(foreign_key="user.id", unique=True)
    format: str = Field(default="", max_length=20)
    max_hours: Optional[float] = None


class DevelopmentDigest(Base, table=True):
    """A periodic development report sent (monthly, or asked for): "what changed since" starts here."""

    user_id: int = Field(foreign_key="user.id", index=True)
    period: str = Field(max_length=20)  # "2026-12" for the monthly one, "asked-<timestamp>" on demand
    sent_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "period"),)


class ProgressSnapshot(Base, table=True):
    user_id: int = Field(foreign_key="user.id", index=True)
    competency_key: str = Field(max_length=60)
    score: float
    source: str = Field(default="interview", max_length=30)
    taken_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (Index("ix_progress_user_key_time", "user_id", "competency_key", "taken_at"),)


# ---------------------------------------------------------------- HR configuration


class AutoAdvanceRule(Base, table=True):
    job_id: int = Field(foreign_key="job.id", index=True)
    min_overall: float = 75.0
    require_all_required_levels: bool = True
    action: str = Field(default="invite_next_stage", max_length=40)
    is_active: bool = True


class EmailTemplate(Base, table=True):
    key: str = Field(max_length=60)  # e.g. "invitation", "password_reset"
    locale: str = Field(max_length=10)
    subject: str
    body: str

    __table_args__ = (UniqueConstraint("key", "locale"),)


class AppSetting(Base, table=True):
    key: str = Field(unique=True, max_length=100)
    value: str = ""


# ---------------------------------------------------------------- outbox and audit


class EmailOutbox(Base, table=True):
    to_addr: str = Field(max_length=254)
    subject: str
    body_text: str
    kind: str = Field(default="", max_length=40)
    # [{"filename", "content_type", "content"}] with text content (an .ics invitation)
    attachments: list[dict] = json_field()
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
    attempts: int = 0
    last_error: str = ""


class AuditEvent(Base, table=True):
    """Append-only and hash-chained: hash = sha256(prev_hash + canonical fields)."""

    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: Optional[int] = None
    actor: str = Field(default="", max_length=254)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=60)
    object_id: str = Field(default="", max_length=60)
    ip: str = Field(default="", max_length=64)
    outcome: str = Field(default="success", max_length=20)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(max_length=64)


class AuditRepeat(Base, table=True):
    """Repeated refusals (denied, locked, rate-limited) of one source and action: the
    audit log gets the first of each window and one summary event with the count
    (services/audit.py), so a flood cannot push real events off the page. A plain
    counter outside the hash chain, updated in place."""

    key: str = Field(unique=True, max_length=64)  # sha256 of action, outcome, actor and ip
    action: str = Field(max_length=60)
    outcome: str = Field(max_length=20)
    actor_id: Optional[int] = None
    actor: str = Field(default="", max_length=254)
    ip: str = Field(default="", max_length=64)
    window_start: datetime = Field(default_factory=utcnow)
    repeats: int = 0

# ================================================================ HR's back office (issue 12)

# ---------------------------------------------------------------- issue 12 · content
# (content: tables go below this line)



# ---------------------------------------------------------------- issue 12 · rules
# (rules: tables go below this line)


class DecisionRule(Base, table=True):
    """One version of HR's rule for a job ("overall ≥ 80 AND 客户导向 ≥ 70" → advance).
    Versions of one rule share ``rule_no`` (the first version's id); editing a rule that
    has been active adds a version, so every firing points at the exact text it used.
    ``expression`` is what HR wrote; ``canonical`` the same with competency keys, which
    is what is evaluated (renaming a competency never changes a rule)."""

    job_id: int = Field(foreign_key="job.id", index=True)
    rule_no: int = Field(default=0, index=True)
    version: int = 1
    expression: str = Field(max_length=500)
    canonical: str = Field(max_length=1000)
    action: str = Field(max_length=20)  # advance|reject
    status: str = Field(default="draft", max_length=20)  # draft|active|inactive|superseded
    previewed_at: Optional[datetime] = None  # activation needs a preview of this version
    preview_matched: int = 0
    preview_total: int = 0
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    activated_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    activated_at: Optional[datetime] = None


class RuleFiring(Base, table=True):
    """A rule version met by a scored interview: the numbers it compared and the outcome it
    proposes. Nothing moves the candidate until a person confirms or overrides it (PIPL
    art. 24); ``outcome`` is then what was decided, by whom, when and why."""

    interview_id: int = Field(foreign_key="interview.id", index=True)
    rule_id: int = Field(foreign_key="decisionrule.id", index=True)
    rule_version: int
    numbers: dict = json_field(dict)  # {"overall": 82, "communication": 86}: as shown, rounded
    proposed: str = Field(max_length=20)  # advance|reject
    status: str = Field(default="pending", max_length=20, index=True)  # pending|confirmed|overridden
    outcome: str = Field(default="", max_length=20)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = None
    reason: str = Field(default="", max_length=1000)
    fired_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("interview_id", "rule_id"),)



# ---------------------------------------------------------------- issue 12 · scheduling
# (scheduling: tables go below this line)



# ---------------------------------------------------------------- issue 12 · analytics
# (analytics: tables go below this line)
class RecordedGroup(Base, table=True):
    """The group HR records for a candidate (as the company's fairness policy defines it,
    e.g. an age band), only for the adverse-impact view of /hr/analytics. Optional, one per
    person, set and read by hr/hr_manager only; the label is encrypted (it is about a person)."""

    candidate_id: int = Field(foreign_key="user.id", unique=True)
    label_enc: str
    recorded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class PerformanceReview(Base, table=True):
    """A hired employee's later performance on the 0-100 scale (e.g. the probation review),
    set beside their interview score in HR's analytics."""

    user_id: int = Field(foreign_key="user.id", index=True)
    period: str = Field(default="", max_length=40)  # "probation", "2027-H1"
    score: float
    reviewed_at: datetime = Field(default_factory=utcnow)



# ---------------------------------------------------------------- issue 12 · privacy
# (privacy: tables go below this line)
class DeletionRequest(Base, table=True):
    """A person's request that everything the portal holds about them be deleted; HR
    approves or refuses it (services/accounts/privacy.py). ``user_id`` is no foreign key:
    the row outlives the account. Once approved it keeps the user id and role only (the
    reason, the person's own words, is deleted with the rest)."""

    user_id: int = Field(index=True)
    role: str = Field(max_length=20)
    reason: str = Field(default="", max_length=1000)
    status: str = Field(default="open", max_length=20, index=True)  # open|approved|refused
    decided_by_id: Optional[int] = None  # HR's user id (no foreign key: kept as a plain number)
    decision_note: str = Field(default="", max_length=1000)  # HR's reason, shown to the person
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: Optional[datetime] = None


class RetentionSetting(Base, table=True):
    """How many days one data class is kept (recordings, transcripts, scores, audit), set
    by the admin; a class without a row is kept until a period is set."""

    data_class: str = Field(unique=True, max_length=20)
    days: int
    updated_by_id: Optional[int] = None
    updated_at: datetime = Field(default_factory=utcnow)


class PurgeRun(Base, table=True):
    """One run of the retention purge (daily, from the admin page or the CLI) and what it
    removed per data class."""

    trigger: str = Field(default="daily", max_length=20)  # daily|admin|cli
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: Optional[datetime] = None
    counts: dict = json_field(dict)


class AuditAnchor(Base, table=True):
    """Where the audit chain starts once the retention purge removed its oldest events:
    every event up to ``last_id`` is gone and ``last_hash`` was the last one's hash, so
    the first kept event still verifies (audit.verify_chain starts here). The database
    refuses to delete any event after the newest anchor."""

    last_id: int
    last_hash: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


class AuditReseal(Base, table=True):
    """A marker that exists only inside the transaction that removes a deleted person's
    identifying text from the audit events and re-seals the chain; the database lets
    events be updated only while it exists (alembic 12privacy0001)."""

    started_at: datetime = Field(default_factory=utcnow)




# ---------------------------------------------------------------- issue 12 · catalogue
# (catalogue: tables go below this line)



metadata = SQLModel.metadata
_ = sqlmodel  # re-exported for migrations' sqlmodel types
