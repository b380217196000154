"""Reviewing an interview: the interviewer's "my candidates", and per answer the
recording, the transcript, the delivery figures, the AI's score per competency with the
sentences that supported it, and the reviewer's own level per competency with a note,
side by side with the AI's; a disagreement of more than one level is flagged.

Who sees what is the access policy's: an interviewer only the interviews assigned to
them (transcripts, evidence and recordings included); HR every interview but no
sensitive field; an hr_manager everything after a recent re-authentication. Every
opening of an interview's answers is audited (personal data), and so is every rating.
Nothing here imports reflex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.interviews import recordings, scoring_client
from portal.services.interviews.practice import evidence_sentences
from portal.services.reports.scores import has_unscored_answer, model_competencies
from portal.services.platform import audit, crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

LEVELS = (1, 2, 3, 4, 5)  # the anchors' scale
MAX_NOTE = 2000
DISAGREEMENT = 1.0  # levels: more than this apart is flagged

BAD_LEVEL = N_("Choose a level from 1 to 5.")
NOTE_TOO_LONG = N_("The note is too long: at most {max} characters.")
NOT_A_COMPETENCY = N_("This competency is not part of the answer's model.")
SAVED_TWICE = N_("This rating was saved twice at once. Reload the page to see which one was kept.")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class InterviewRow:
    id: int
    candidate: str
    title_zh: str
    title_en: str
    scheduled_at: datetime
    status: str
    answers: int
    scored: int


@dataclass
class CompetencyReview:
    key: str
    name_zh: str
    name_en: str
    required_level: float
    ai_score: float | None  # None while not scored
    ai_level: float | None
    evidence: list[str]
    my_level: int | None
    my_note: str

    @property
    def disagrees(self) -> bool:
        return (self.ai_level is not None and self.my_level is not None
                and abs(self.ai_level - self.my_level) > DISAGREEMENT)


@dataclass
class AnswerReview:
    id: int
    question_zh: str
    question_en: str
    submitted_at: datetime
    spoken: bool  # a recording exists (playable by those who may see it)
    status: str  # pending | scored | failed | no_consent
    transcript: str | None  # None: not shown to this reviewer
    delivery: dict
    overall: float | None
    competencies: list[CompetencyReview] = field(default_factory=list)


@dataclass
class InterviewReview:
    id: int
    candidate: str
    title_zh: str
    title_en: str
    scheduled_at: datetime
    status: str
    sensitive: bool  # transcripts, evidence and recordings are shown
    may_rate: bool
    publication: str = ""  # as reports.report.publication: "" not ready, "waiting", "published"
    answers: list[AnswerReview] = field(default_factory=list)



def my_interviews(session, user: models.User) -> list[InterviewRow]:
    """The interviews the caller reviews: an interviewer's assigned ones, every one for HR."""
    access.require(user, access.REPORT_VIEW, session=session)
    if user.role not in (access.INTERVIEWER, access.HR, access.HR_MANAGER):
        return []
    answer = models.Answer
    own = and_(answer.interview_id == models.Interview.id, answer.is_practice.is_(False))
    answers = select(func.count(answer.id)).where(own).scalar_subquery()
    scored = (select(func.count(models.AnswerScore.id))
              .join(answer, answer.id == models.AnswerScore.answer_id).where(own).scalar_subquery())
    # one statement: the interviews with their jobs, candidates and how many answers are scored
    query = (select(models.Interview, models.Job, models.User, answers, scored)
             .join(models.Job, models.Job.id == models.Interview.job_id)
             .join(models.User, models.User.id == models.Interview.candidate_id)
             .where(models.Interview.status != "cancelled"))
    if user.role == access.INTERVIEWER:
        query = query.where(models.Interview.id.in_(access.assigned_interviews(user)))
    rows = session.exec(query.order_by(models.Interview.scheduled_at.desc())).all()
    audit.record(session, "review.list", actor_id=user.id, actor=user.email or "", object_type="interview",
                 object_id=len(rows))
    # the name only, never the e-mail: reviewers need no address (data minimisation)
    return [InterviewRow(id=i.id, candidate=c.display_name, title_zh=j.title_zh, title_en=j.title_en,
                         scheduled_at=aware(i.scheduled_at), status=i.status, answers=n_answers or 0,
                         scored=n_scored or 0) for i, j, c, n_answers, n_scored in rows]


def _interview(session, user: models.User, interview_id: int, ip: str) -> models.Interview:
    interview = session.get(models.Interview, interview_id) if recordings._valid_id(interview_id) else None
    if interview is None or user.role not in (access.INTERVIEWER, access.HR, access.HR_MANAGER):
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    access.require(user, access.REPORT_VIEW, interview, session=session, ip=ip)
    return interview


def review(session, user: models.User, interview_id: int, *, user_session: models.UserSession | None = None,
           ip: str = "") -> InterviewReview:
    """Everything the reviewer sees of one interview's answers; audited as an access to
    personal data. One statement reads it all (with an interviewer's assignments, which
    the checks below then reuse); what the reviewer may not see stays encrypted."""
    if not recordings._valid_id(interview_id) or user.role not in (access.INTERVIEWER, access.HR, access.HR_MANAGER):
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    mine_only = models.InterviewerRating.rater_id == user.id
    of_it = (models.Answer.interview_id == interview_id) & models.Answer.is_practice.is_(False)
    reads = [
        select(models.Interview, models.Job.title_zh, models.Job.title_en, models.User.display_name,
               has_unscored_answer(models.Interview.id), models.Report.published_at)
        .join(models.Job, models.Job.id == models.Interview.job_id)
        .join(models.User, models.User.id == models.Interview.candidate_id)
        .outerjoin(models.Report, models.Report.interview_id == models.Interview.id)
        .where(models.Interview.id == interview_id),
        select(models.Answer, models.Question, models.AnswerScore, models.Recording.id, models.ScoringJob.status,
               models.TranscriptionJob.status)
        .join(models.Question, models.Question.id == models.Answer.question_id)
        .outerjoin(models.AnswerScore, models.AnswerScore.answer_id == models.Answer.id)
        .outerjoin(models.Recording, models.Recording.answer_id == models.Answer.id)
        .outerjoin(models.ScoringJob, models.ScoringJob.answer_id == models.Answer.id)
        .outerjoin(models.TranscriptionJob, models.TranscriptionJob.answer_id == models.Answer.id)
        .where(of_it).order_by(models.Question.position, models.Question.id),
        select(models.CompetencyScore, models.Competency.key)
        .join(models.Answer, models.Answer.id == models.CompetencyScore.answer_id)
        .join(models.Competency, models.Competency.id == models.CompetencyScore.competency_id).where(of_it),
        select(models.InterviewerRating).join(models.Answer, models.Answer.id == models.InterviewerRating.answer_id)
        .where(of_it, mine_only)]
    if user.role == access.INTERVIEWER:
        reads.append(access.assigned_interviews(user))
    head, answers, score_rows, ratings, *assigned = db.together(session, *reads)
    if assigned:
        access.remember_assignments(session, user, assigned[0])
    if not head:
        raise PermissionDenied()
    interview, title_zh, title_en, candidate_name, unscored, published_at = head[0]
    access.require(user, access.REPORT_VIEW, interview, session=session, ip=ip)
    # the same rule for every answer of the interview: asked of the interview itself
    sensitive = access.can_view_field(user, "transcript_enc", interview, session=session,
                                      user_session=user_session)
    competencies = model_competencies(session, interview.model_id)
    scores = {(c.answer_id, key): c for c, key in score_rows}
    mine = {(r.answer_id, r.competency_key): r for r in ratings}
    ready = interview.status == "completed" and not unscored
    out = InterviewReview(id=interview.id, candidate=candidate_name,
                          title_zh=title_zh, title_en=title_en, scheduled_at=aware(interview.scheduled_at),
                          status=interview.status, sensitive=sensitive,
                          may_rate=access.can(user, access.NOTE_ADD, interview, session=session),
                          publication=("published" if published_at else "waiting") if ready else "")
    for answer, question, score, recording_id, scoring, transcription in answers:
        rows = []
        for c in competencies:
            found = scores.get((answer.id, c.key))
            rating = mine.get((answer.id, c.key))
            rows.append(CompetencyReview(
                key=c.key, name_zh=c.name_zh, name_en=c.name_en, required_level=c.required_level,
                ai_score=found.score if found else None, ai_level=found.level if found else None,
                evidence=evidence_sentences(found.evidence_enc) if found and sensitive else [],
                my_level=rating.level if rating else None,
                my_note=crypto.decrypt(rating.note_enc) if rating and rating.note_enc else ""))
        out.answers.append(AnswerReview(
            id=answer.id, question_zh=question.text_zh, question_en=question.text_en,
            submitted_at=aware(answer.submitted_at), spoken=recording_id is not None,
            status=scoring_client.status_of(score is not None, scoring, transcription),
            transcript=(crypto.decrypt_or_none(answer.transcript_enc) or "") if sensitive else None,
            delivery=dict(answer.delivery or {}), overall=score.overall if score else None, competencies=rows))
    audit.record(session, "interview.review", actor_id=user.id, actor=user.email or "", object_type="interview",
                 object_id=interview.id, ip=ip)
    return out


def rate(session, user: models.User, answer_id: int, competency_key: str, level, note: str = "", *,
         ip: str = "", now: datetime | None = None) -> models.InterviewerRating:
    """Save (or change) the caller's level for one competency of an answer they may review.
    Refused, with nothing written, for a level outside 1-5, an over-long note or a competency
    that is not in the answer's model."""
    answer = session.get(models.Answer, answer_id) if recordings._valid_id(answer_id) else None
    if answer is None or answer.interview_id is None or answer.is_practice:
        raise PermissionDenied()
    interview = _interview(session, user, answer.interview_id, ip)
    access.require(user, access.NOTE_ADD, interview, session=session, ip=ip)
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level)
    if not isinstance(level, int) or isinstance(level, bool) or level not in LEVELS:
        raise ServiceError(BAD_LEVEL)
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > MAX_NOTE:
        raise ServiceError(NOTE_TOO_LONG, max=MAX_NOTE)
    keys = set(session.exec(select(models.Competency.key).where(models.Competency.model_id == answer.model_id)).all())
    if competency_key not in keys:
        raise ServiceError(NOT_A_COMPETENCY)
    now = now or utcnow()
    rating = session.exec(select(models.InterviewerRating).where(
        models.InterviewerRating.answer_id == answer.id, models.InterviewerRating.competency_key == competency_key,
        models.InterviewerRating.rater_id == user.id)).first()
    if rating is None:
        rating = models.InterviewerRating(answer_id=answer.id, competency_key=competency_key, rater_id=user.id,
                                          level=level, created_at=now)
        session.add(rating)
    rating.level, rating.updated_at = level, now
    rating.note_enc = crypto.encrypt(note) if note else ""
    try:
        session.flush()
    except IntegrityError:  # the same rating saved twice at once (a double click): the first one stands
        raise ServiceError(SAVED_TWICE) from None
    audit.record(session, "rating.save", actor_id=user.id, actor=user.email or "", object_type="answer",
                 object_id=answer.id, ip=ip)
    return rating
