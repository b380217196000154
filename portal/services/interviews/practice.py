"""Scored practice: a candidate answers questions of the practice bank of the jobs
they are interviewing for, gets feedback from the scoring worker within seconds,
tries again and sees how they improved.

- Only practice questions (Question.is_practice) of jobs of the candidate's own
  interviews (not cancelled) are offered or accepted: never the real questions.
- Nothing is saved without the person's active consent (consent.py): the refusal
  (``ConsentRequired``) tells the page to link to the consent page. Scoring itself
  is gated again by the dispatcher (scoring_client), so a withdrawal stops answers
  already waiting too.
- Bad input changes nothing: an empty or over-long answer, an answer while the
  previous one to the same question is still being scored (a double click), and
  the same text again for the same question within ``DUPLICATE_WINDOW``.
- Submitting wakes this process's scoring dispatcher after the commit, so the
  answer reaches the worker at once instead of at the next polling round.
- Feedback: score per competency of the answer's competency model, the sentences
  that counted (decrypted for the answer's owner only), and one thing to do better
  (``one_thing_to_do_better``). History: every attempt per question with its
  scores and the change from the attempt before.

Locale-free results carry both languages, so a page can switch without reloading.
Nothing here imports reflex.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.interviews import consent, scoring_client
from portal.services.platform import crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import LOCALES, N_, gettext, pick

# A typed practice answer: a three-minute spoken answer is 600-900 Chinese characters or
# 400-500 English words; this leaves room for a long one and keeps feedback fast.
MAX_CHARS = 5000
# The same text again for the same question within this window is a resubmission, not a retry.
DUPLICATE_WINDOW = timedelta(minutes=10)
# How the page waits for feedback: it asks for the answer's status this often, and after
# FEEDBACK_TIMEOUT_S says the scoring service is not answering (the answer stays saved).
FEEDBACK_POLL_S = 0.25
FEEDBACK_TIMEOUT_S = 20.0

NEEDS_CONSENT = N_("Practice answers are analysed only with your consent. Give it on the consent page first.")
EMPTY = N_("Type your answer first.")
TOO_LONG = N_("Your answer is too long: at most {max} characters (now {count}).")
NOT_OFFERED = N_("This practice question is not available to you.")
STILL_SCORING = N_("Your previous answer to this question is still being scored. Wait for its feedback.")
SAME_AGAIN = N_("You already submitted exactly this answer a moment ago. Change something and try again.")

STAR_PARTS = ("situation", "task", "action", "result")
STAR_TIPS = {
    "situation": N_("Start by setting the scene in one or two sentences: when and where it happened "
                    "and what was at stake."),
    "task": N_("Say what you yourself were responsible for before you describe what you did."),
    "action": N_("Describe the steps you took yourself, one by one: say \"I\", not only \"we\"."),
    "result": N_("Finish with how it ended: what changed, in numbers if you can, and what you learned."),
}
ANCHOR_TIP = N_("{competency} scored {score}, the role asks for {required}. To reach the next level: {anchor}")
KEEP_GOING_TIP = N_("Every competency meets the role's level. To stand out in {competency}: {anchor}")
NO_ANCHOR_TIP = N_("{competency} scored {score}, the role asks for {required}. Give a concrete example "
                   "that shows it, with what you did and what came of it.")


class ConsentRequired(ServiceError):
    """No active consent: nothing was saved; the page links to the consent page."""

    def __init__(self) -> None:
        super().__init__(NEEDS_CONSENT)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def _same_text(a: str, b: str) -> bool:
    """Equal but for spacing: pasting the same answer again is not a new attempt."""
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


# ---------------------------------------------------------------- questions


@dataclass
class PracticeQuestion:
    id: int
    job_id: int
    job_title_zh: str
    job_title_en: str
    text_zh: str
    text_en: str
    time_limit_s: int
    competency_key: str


def _offered(session, user: models.User) -> tuple[list[PracticeQuestion], bool]:
    """The questions offered, and whether the caller's consent is active, in one statement."""
    return _offered_from(session.exec(_offered_query(session, user)).all())


def _offered_query(session, user: models.User):
    upcoming = select(models.Interview.job_id).where(  # practising for an interview that is over helps nobody
        models.Interview.candidate_id == user.id, models.Interview.status.in_(("scheduled", "in_progress")))
    return (select(consent.given_clause(user.id, consent.current_version(session)), models.Question, models.Job)
            .select_from(models.User)
            .outerjoin(models.Question, and_(models.Question.is_practice.is_(True),
                                             models.Question.job_id.in_(upcoming)))
            .outerjoin(models.Job, models.Job.id == models.Question.job_id)
            .where(models.User.id == user.id)
            .order_by(models.Job.id, models.Question.position, models.Question.id))


def _offered_from(rows) -> tuple[list[PracticeQuestion], bool]:
    offered = [PracticeQuestion(id=q.id, job_id=job.id, job_title_zh=job.title_zh, job_title_en=job.title_en,
                                text_zh=q.text_zh, text_en=q.text_en, time_limit_s=int(q.time_limit_s or 180),
                                competency_key=q.competency_key) for _c, q, job in rows if q is not None]
    return offered, bool(rows and rows[0][0])


def questions(session, user: models.User) -> list[PracticeQuestion]:
    """The practice questions of the jobs of the caller's own interviews still ahead."""
    return questions_and_consent(session, user)[0]


def questions_and_consent(session, user: models.User) -> tuple[list[PracticeQuestion], bool]:
    """``questions``, and whether the caller's consent to scoring is active."""
    access.require(user, access.PRACTICE_USE, session=session)
    return _offered(session, user)


# ---------------------------------------------------------------- submitting


def submit(session, user: models.User, question_id: int, text: str, *,
           now: datetime | None = None) -> int:
    """Save a practice answer and its scoring job in the caller's transaction and wake
    the dispatcher once it commits; returns the answer's id. Refuses (nothing written)
    without consent, a question not offered to the caller, bad text and duplicates."""
    access.require(user, access.PRACTICE_USE, session=session)
    offered, consented = _offered(session, user)
    if not consented:
        raise ConsentRequired()
    if not isinstance(question_id, int) or question_id not in {q.id for q in offered}:
        raise ServiceError(NOT_OFFERED)
    body = text.strip() if isinstance(text, str) else ""
    if not body:
        raise ServiceError(EMPTY)
    if len(body) > MAX_CHARS:
        raise ServiceError(TOO_LONG, max=MAX_CHARS, count=len(body))
    now = aware(now or utcnow())
    earlier = session.exec(
        select(models.Answer, models.ScoringJob.status)
        .join(models.ScoringJob, models.ScoringJob.answer_id == models.Answer.id)
        .where(models.Answer.user_id == user.id, models.Answer.question_id == question_id,
               models.Answer.is_practice.is_(True))
        .order_by(models.Answer.id.desc())
    ).all()
    for answer, status in earlier:
        if status in (scoring_client.PENDING, scoring_client.SENDING):
            raise ServiceError(STILL_SCORING)
        if now - aware(answer.submitted_at) <= DUPLICATE_WINDOW and _same_text(
                crypto.decrypt_or_none(answer.transcript_enc) or "", body):
            raise ServiceError(SAME_AGAIN)
    # The worker tells the language from the text; no duration: typing has no speaking pace.
    answer = scoring_client.submit_answer(session, user, question_id, body, language="auto", is_practice=True)
    scoring_client.wake_after_commit(session)
    return answer.id


def _own_practice_answer(session, user: models.User, answer_id: int) -> models.Answer:
    answer = session.get(models.Answer, answer_id) if isinstance(answer_id, int) else None
    if answer is None or not answer.is_practice:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    access.require(user, access.PRACTICE_USE, answer, session=session)
    return answer


def status(session, user: models.User, answer_id: int) -> str:
    """"pending", "scored", "failed" or "no_consent" for the caller's own practice answer."""
    answer = _own_practice_answer(session, user, answer_id)
    return scoring_client.scoring_status(session, answer.id, user)


# ---------------------------------------------------------------- feedback


@dataclass
class CompetencyResult:
    key: str
    name_zh: str
    name_en: str
    score: float
    required_level: float
    level: float  # 0-5, the scale of the behavioural anchors
    evidence: list[str] = field(default_factory=list)  # the answer's own sentences that counted
    anchors: dict[int, tuple[str, str]] = field(default_factory=dict)  # level -> (zh, en)

    @property
    def gap(self) -> float:
        return self.required_level - self.score


@dataclass
class Feedback:
    answer_id: int
    question_id: int
    overall: float
    competencies: list[CompetencyResult]
    structure: dict[str, bool]
    tip: dict[str, str]  # locale -> the one thing to do better


def one_thing_to_do_better(competencies: list[CompetencyResult], structure: dict) -> dict[str, str]:
    """One piece of advice, in every locale.

    The focus is the competency furthest below its required level (or, when all meet
    it, the one closest to falling short). If the answer misses a part of the STAR
    structure, the advice is that part, first missing first: without it the
    competency cannot show. Otherwise it is the behavioural anchor of the next level
    above the focus competency's level."""
    if not competencies:
        return {locale: "" for locale in LOCALES}
    focus = max(competencies, key=lambda c: c.gap)  # max() keeps the first of equals: model order
    missing = [part for part in STAR_PARTS if not (structure or {}).get(part, False)]
    if missing:
        return {locale: gettext(locale, STAR_TIPS[missing[0]]) for locale in LOCALES}
    higher = sorted(level for level in focus.anchors if level > focus.level)
    anchor_level = higher[0] if higher else max(focus.anchors, default=None)
    tips = {}
    for locale in LOCALES:
        name = pick(locale, focus.name_zh, focus.name_en)
        params = {"competency": name, "score": f"{focus.score:.0f}", "required": f"{focus.required_level:.0f}"}
        if anchor_level is None:
            tips[locale] = gettext(locale, NO_ANCHOR_TIP, **params)
            continue
        anchor = pick(locale, *focus.anchors[anchor_level])
        msgid = ANCHOR_TIP if focus.gap > 0 else KEEP_GOING_TIP
        tips[locale] = gettext(locale, msgid, anchor=anchor, **params)
    return tips


def evidence_sentences(enc: str) -> list[str]:
    if not enc:
        return []
    try:
        items = json.loads(crypto.decrypt(enc))
    except (ValueError, TypeError):
        return []
    found: list[str] = []
    for item in items if isinstance(items, list) else []:
        sentence = str(item.get("sentence", "")).strip() if isinstance(item, dict) else ""
        if sentence and sentence not in found:
            found.append(sentence)
    return found


def feedback(session, user: models.User, answer_id: int) -> Feedback | None:
    """The scored feedback of the caller's own practice answer; None while not scored."""
    answer = _own_practice_answer(session, user, answer_id)
    score = session.exec(select(models.AnswerScore).where(models.AnswerScore.answer_id == answer.id)).first()
    if score is None:
        return None
    competencies = session.exec(
        select(models.Competency).where(models.Competency.model_id == answer.model_id)
        .order_by(models.Competency.position, models.Competency.id)).all()
    scores = {cs.competency_id: cs for cs in session.exec(
        select(models.CompetencyScore).where(models.CompetencyScore.answer_id == answer.id)).all()}
    anchors: dict[int, dict[int, tuple[str, str]]] = {}
    if competencies:
        for a in session.exec(select(models.BehaviouralAnchor).where(
                models.BehaviouralAnchor.competency_id.in_([c.id for c in competencies]))).all():
            anchors.setdefault(a.competency_id, {})[a.level] = (a.text_zh, a.text_en)
    # Evidence quotes are sensitive: only their subject reads them here (checked above too).
    may_read = access.can_view_field(user, "evidence_enc", answer, session=session)
    results = [
        CompetencyResult(key=c.key, name_zh=c.name_zh, name_en=c.name_en, score=float(scores[c.id].score),
                         required_level=float(c.required_level), level=float(scores[c.id].level),
                         evidence=evidence_sentences(scores[c.id].evidence_enc) if may_read else [],
                         anchors=anchors.get(c.id, {}))
        for c in competencies if c.id in scores
    ]
    structure = {part: bool((score.structure or {}).get(part)) for part in STAR_PARTS}
    return Feedback(answer_id=answer.id, question_id=answer.question_id, overall=float(score.overall),
                    competencies=results, structure=structure,
                    tip=one_thing_to_do_better(results, structure))


# ---------------------------------------------------------------- history


@dataclass
class Attempt:
    answer_id: int
    submitted_at: datetime
    status: str  # pending | scored | failed | no_consent
    overall: float | None = None
    scores: dict[str, float] = field(default_factory=dict)  # competency key -> score
    change: float | None = None  # overall minus the previous scored attempt's


@dataclass
class QuestionHistory:
    question_id: int
    text_zh: str
    text_en: str
    attempts: list[Attempt]  # oldest first
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # competency key -> (zh, en)

    @property
    def improvement(self) -> float | None:
        """Latest scored attempt minus the first; None with fewer than two scored."""
        scored = [a.overall for a in self.attempts if a.overall is not None]
        return scored[-1] - scored[0] if len(scored) >= 2 else None


def history(session, user: models.User) -> list[QuestionHistory]:
    """Every practice attempt of the caller, grouped by question (most recently
    practised first), oldest attempt first within each."""
    access.require(user, access.PRACTICE_USE, session=session)
    return _history_from(session.exec(_history_query(user)).all())


def page(session, user: models.User) -> tuple[list[PracticeQuestion], bool, list[QuestionHistory]]:
    """The practice page's questions, consent and history, in one statement."""
    access.require(user, access.PRACTICE_USE, session=session)
    offered, attempts = db.together(session, _offered_query(session, user), _history_query(user))
    return (*_offered_from(offered), _history_from(attempts))


def _history_query(user: models.User):
    # a row per attempt and competency scored (one with none while not scored)
    return (select(models.Answer, models.ScoringJob.status, models.Question, models.AnswerScore.overall,
                   models.Competency.key, models.Competency.name_zh, models.Competency.name_en,
                   models.CompetencyScore.score)
            .join(models.Question, models.Question.id == models.Answer.question_id)
            .outerjoin(models.ScoringJob, models.ScoringJob.answer_id == models.Answer.id)
            .outerjoin(models.AnswerScore, models.AnswerScore.answer_id == models.Answer.id)
            .outerjoin(models.CompetencyScore, models.CompetencyScore.answer_id == models.Answer.id)
            .outerjoin(models.Competency, models.Competency.id == models.CompetencyScore.competency_id)
            .where(models.Answer.user_id == user.id, models.Answer.is_practice.is_(True))
            .order_by(models.Answer.submitted_at, models.Answer.id, models.Competency.position, models.Competency.id))


def _history_from(rows) -> list[QuestionHistory]:
    if not rows:
        return []
    overall: dict[int, float] = {}
    per_answer: dict[int, dict[str, float]] = {}
    names: dict[str, tuple[str, str]] = {}
    attempts = {}  # answer id -> (answer, its scoring job's status, question), in order
    for answer, job_status, question, total, key, name_zh, name_en, score in rows:
        attempts.setdefault(answer.id, (answer, job_status, question))
        if total is not None:
            overall[answer.id] = total
        if key is not None:
            per_answer.setdefault(answer.id, {})[key] = float(score)
            names.setdefault(key, (name_zh, name_en))
    rows = list(attempts.values())
    by_question: dict[int, QuestionHistory] = {}
    for answer, job_status, question in rows:
        entry = by_question.setdefault(question.id, QuestionHistory(
            question_id=question.id, text_zh=question.text_zh, text_en=question.text_en, attempts=[]))
        if answer.id in overall:
            state = "scored"
        elif job_status in (scoring_client.FAILED, scoring_client.NO_CONSENT):
            state = job_status
        else:
            state = "pending"
        previous = next((a.overall for a in reversed(entry.attempts) if a.overall is not None), None)
        value = float(overall[answer.id]) if answer.id in overall else None
        entry.attempts.append(Attempt(
            answer_id=answer.id, submitted_at=aware(answer.submitted_at), status=state, overall=value,
            scores=per_answer.get(answer.id, {}),
            change=value - previous if value is not None and previous is not None else None))
        for key in per_answer.get(answer.id, {}):
            entry.names.setdefault(key, names[key])
    return sorted(by_question.values(), key=lambda h: (h.attempts[-1].submitted_at, h.attempts[-1].answer_id),
                  reverse=True)
