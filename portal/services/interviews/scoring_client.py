"""The portal's client of the scoring worker: a transactional outbox.

``submit_answer`` writes the answer (transcript encrypted) and a pending
``ScoringJob`` in one transaction and returns at once; it never calls the
worker. ``dispatch_due`` (run in the background by ``run_dispatcher``) claims due
jobs, sends them to the worker (``/v1/score`` or ``/v1/score:batch``), stores the
scores and marks the jobs done. While the worker is down a job stays pending
and is retried with exponential backoff; nothing the user submitted is lost.

Claims: a job is taken with ``UPDATE … SET status='sending',
next_attempt_at=now+CLAIM_TTL WHERE id=? AND status IN ('pending','sending')
AND next_attempt_at <= now``: only one dispatcher's UPDATE matches, and a claim
whose dispatcher died becomes due again after ``CLAIM_TTL``. Results are stored
only by the dispatcher that still finds the job in ``sending`` (and
``AnswerScore.answer_id`` is unique), so a result is stored at most once even if
the worker was called twice for one ``request_id``.

Consent: the claim asks ``consent.has_consent`` for the answer's owner; without
active consent (never given, withdrawn, or given to an older text) the answer is
never sent and the job ends as ``no_consent`` (not retried, not audited: nobody
was refused anything). ``wake()`` ends a dispatcher's pause at once (a practice
answer whose feedback is awaited), ``wake_after_commit`` does so when the
answer's transaction commits.

The worker receives the question, the answer text, delivery features and the
competency model: never a name, e-mail, id number or user id. Log lines and
``last_error`` carry status codes, error codes and job ids only.

Plain Python: never imports reflex.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.models import (aware, 
    Answer,
    AnswerScore,
    BehaviouralAnchor,
    Competency,
    CompetencyModel,
    CompetencyScore,
    Interview,
    Question,
    ScoringJob,
    TranscriptionJob,
    User,
)
from portal.services.accounts import access
from portal.services.interviews import consent
from portal.services.platform import crypto
from portal.services.platform import db as _db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

log = logging.getLogger("portal.scoring_client")

MAX_ANSWER_CHARS = 20_000
MAX_DURATION_S = 4 * 3600.0
LANGUAGES = ("zh", "en", "auto")
MAX_BATCH = 256  # the worker's limit per /v1/score:batch
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
DISPATCH_LIMIT = 20
CLAIM_TTL = timedelta(minutes=2)  # a claim older than this belonged to a dispatcher that died

PENDING, SENDING, DONE, FAILED = "pending", "sending", "done", "failed"
# The person behind the answer has no active consent (never given, withdrawn, or given to
# an older text): the answer is never sent, and the job is not retried.
NO_CONSENT = "no_consent"

EMPTY_ANSWER = N_("The answer is empty.")
ANSWER_TOO_LONG = N_("The answer is too long: at most {max} characters.")
UNKNOWN_LANGUAGE = N_("The language must be Chinese, English or automatic.")
BAD_DURATION = N_("The answer's duration is not valid.")
QUESTION_NOT_FOUND = N_("This question does not exist.")
NOT_A_PRACTICE_QUESTION = N_("This question is not a practice question.")
INTERVIEW_REQUIRED = N_("An interview answer must name its interview.")
INTERVIEW_NOT_FOUND = N_("This interview does not exist.")
INTERVIEW_CLOSED = N_("This interview no longer accepts answers.")
QUESTION_NOT_IN_INTERVIEW = N_("This question does not belong to this interview.")
NO_COMPETENCY_MODEL = N_("This job has no competency model yet.")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



# ---------------------------------------------------------------- submitting


def submit_answer(session, user: User, question_id: int, transcript: str, *,
                  language: str = "auto", interview_id: int | None = None,
                  is_practice: bool = False, duration_s: float | None = None) -> Answer:
    """Save an answer and its pending scoring job in the caller's transaction.

    Refuses (ServiceError, nothing written) an empty or over-long transcript, an
    unknown language, a bad duration, a missing question, a practice answer to
    a non-practice question, or an interview answer outside the user's own open
    interview for the question's job. Never calls the worker."""
    text = transcript.strip() if isinstance(transcript, str) else ""
    if not text:
        raise ServiceError(EMPTY_ANSWER)
    if len(text) > MAX_ANSWER_CHARS:
        raise ServiceError(ANSWER_TOO_LONG, max=MAX_ANSWER_CHARS)
    if language not in LANGUAGES:
        raise ServiceError(UNKNOWN_LANGUAGE)
    if duration_s is not None:
        try:
            duration_s = float(duration_s)
        except (TypeError, ValueError):
            raise ServiceError(BAD_DURATION) from None
        if not (0 < duration_s <= MAX_DURATION_S):  # also refuses NaN
            raise ServiceError(BAD_DURATION)

    me = session.get(User, getattr(user, "id", None)) if getattr(user, "id", None) else None
    if me is None or not me.is_active:
        raise PermissionDenied()
    question = session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None:
        raise ServiceError(QUESTION_NOT_FOUND)

    if is_practice:
        access.require(me, access.PRACTICE_USE, session=session)
        if not question.is_practice:
            raise ServiceError(NOT_A_PRACTICE_QUESTION)
        if interview_id is not None:
            raise ServiceError(QUESTION_NOT_IN_INTERVIEW)
        model_id = _current_model_id(session, question.job_id)
    else:
        if interview_id is None:
            raise ServiceError(INTERVIEW_REQUIRED)
        interview = session.get(Interview, interview_id) if isinstance(interview_id, int) else None
        if interview is None:
            raise ServiceError(INTERVIEW_NOT_FOUND)
        access.require(me, access.INTERVIEW_VIEW, interview, session=session)
        if access.owner_id(interview) != me.id:  # HR may view an interview, not answer in it
            _deny(session, me, interview)
        if interview.status in ("cancelled", "completed"):
            raise ServiceError(INTERVIEW_CLOSED)
        if question.job_id != interview.job_id or question.is_practice:
            raise ServiceError(QUESTION_NOT_IN_INTERVIEW)
        # The interview pins its model version: every answer in it is scored on the same
        # rubric even if HR edits the job's model meanwhile.
        model_id = interview.model_id

    now = utcnow()
    answer = Answer(user_id=me.id, question_id=question.id, interview_id=interview_id,
                    model_id=model_id, is_practice=bool(is_practice), language=language,
                    transcript_enc=crypto.encrypt(text), duration_s=duration_s, submitted_at=now)
    session.add(answer)
    session.flush()
    session.add(ScoringJob(answer_id=answer.id, request_id=uuid.uuid4().hex, status=PENDING,
                           attempts=0, next_attempt_at=now, created_at=now))
    session.flush()
    return answer


def _deny(session, user: User, obj) -> None:
    """Refuse like ``access.require`` does: audited, committed, then PermissionDenied."""
    from portal.services.platform import audit

    audit.record(session, "access_denied", actor_id=user.id, actor=user.email or "",
                 object_type=f"answer.submit:{type(obj).__name__}",
                 object_id=str(getattr(obj, "id", "") or ""), outcome="denied")
    session.commit()
    raise PermissionDenied()


def _current_model_id(session, job_id: int) -> int:
    model_id = session.execute(
        select(CompetencyModel.id).where(CompetencyModel.job_id == job_id,
                                         CompetencyModel.is_current.is_(True))
        .order_by(CompetencyModel.version.desc()).limit(1)
    ).scalar_one_or_none()
    if model_id is None:
        raise ServiceError(NO_COMPETENCY_MODEL)
    return model_id


def scoring_status(session, answer_id: int, user: User) -> str:
    """"pending", "scored", "failed" or "no_consent" for a page (a sending job is still pending;
    a spoken answer not yet transcribed is pending, or failed/no_consent as its transcription).
    Only people who may see the answer may ask; others get PermissionDenied."""
    answer = session.get(Answer, answer_id) if isinstance(answer_id, int) else None
    if answer is None:
        raise PermissionDenied()
    access.require(user, access.REPORT_VIEW, answer, session=session)
    scored = session.execute(select(AnswerScore.id).where(AnswerScore.answer_id == answer.id)).first() is not None
    scoring = None if scored else session.execute(
        select(ScoringJob.status).where(ScoringJob.answer_id == answer.id)).scalar_one_or_none()
    transcription = None if scored or scoring is not None else session.execute(
        select(TranscriptionJob.status).where(TranscriptionJob.answer_id == answer.id)).scalar_one_or_none()
    return status_of(scored, scoring, transcription)


def status_of(scored: bool, scoring_status: str | None, transcription_status: str | None) -> str:
    """``scoring_status`` from what a page has read already: a spoken answer's scoring job
    comes with its transcript, so until then its transcription job speaks for it."""
    if scored:
        return "scored"
    status = scoring_status if scoring_status is not None else transcription_status
    return status if status in (FAILED, NO_CONSENT) else "pending"


# ---------------------------------------------------------------- the request


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def text_language(answer_text: str, language: str) -> str:
    """Which of the bilingual texts (zh/en) to send with this answer."""
    if language in ("zh", "en"):
        return language
    return "zh" if len(_CJK.findall(answer_text)) >= len(_LATIN_WORD.findall(answer_text)) else "en"


def build_request(session, job: ScoringJob) -> dict:
    """The v1 request body for ``job``: request_id, language, question, answer,
    competencies (of the model version the answer points at) and, when known,
    delivery. Nothing that identifies the person."""
    answer = session.get(Answer, job.answer_id)
    question = session.get(Question, answer.question_id)
    text = crypto.decrypt_or_none(answer.transcript_enc) or ""  # "" once retention emptied it
    lang = text_language(text, answer.language)
    competencies = session.execute(
        select(Competency).where(Competency.model_id == answer.model_id)
        .order_by(Competency.position, Competency.id)
    ).scalars().all()
    anchors: dict[int, dict[str, str]] = {}
    if competencies:
        for anchor in session.execute(
            select(BehaviouralAnchor)
            .where(BehaviouralAnchor.competency_id.in_([c.id for c in competencies]))
        ).scalars():
            anchors.setdefault(anchor.competency_id, {})[str(anchor.level)] = (
                anchor.text_zh if lang == "zh" else anchor.text_en)
    body = {
        "request_id": job.request_id,
        "language": answer.language if answer.language in LANGUAGES else "auto",
        "question": question.text_zh if lang == "zh" else question.text_en,
        "answer": text,
        "competencies": [
            {"key": c.key,
             "name": c.name_zh if lang == "zh" else c.name_en,
             "description": c.description_zh if lang == "zh" else c.description_en,
             "keywords": list(c.keywords or []),
             "weight": float(c.weight),
             "required_level": float(c.required_level),
             "anchors": {lvl: anchors.get(c.id, {}).get(lvl, "") for lvl in ("1", "3", "5")
                         if lvl in anchors.get(c.id, {})}}
            for c in competencies
        ],
    }
    if answer.duration_s is not None:
        body["delivery"] = {"duration_s": float(answer.duration_s)}
    return body


# ---------------------------------------------------------------- the HTTP client


class ScoringError(Exception):
    """The worker could not score: ``code`` is short and never personal.
    ``retryable`` False means the request itself was refused (HTTP 400)."""

    def __init__(self, code: str, *, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(code if status is None else f"{status} {code}")
        self.code = code
        self.status = status
        self.retryable = retryable


class WorkerUnavailable(ScoringError):
    """Network error, timeout, 401, 413, 5xx or an unreadable answer: try again later."""


class RequestRejected(ScoringError):
    """HTTP 400: the request is invalid and will stay invalid."""

    def __init__(self, code: str, *, status: int = 400) -> None:
        super().__init__(code, status=status, retryable=False)


class ScoringClient:
    """A small synchronous client of the worker's v1 API (thread-safe, keeps connections)."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ScoringClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _post(self, path: str, body: dict) -> dict:
        try:
            response = self._http.post(path, json=body)
        except httpx.TimeoutException:
            raise WorkerUnavailable("timeout") from None
        except httpx.HTTPError as exc:
            raise WorkerUnavailable(f"network_{type(exc).__name__}") from None
        code = "http_error"
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code != 200 and isinstance(data, dict) and isinstance(data.get("error"), dict):
            code = str(data["error"].get("code") or code)[:60]
        if response.status_code == 400:
            raise RequestRejected(code)
        if response.status_code != 200:
            raise WorkerUnavailable(code, status=response.status_code)
        if not isinstance(data, dict):
            raise WorkerUnavailable("bad_response", status=200)
        return data

    def score(self, body: dict) -> dict:
        data = self._post("/v1/score", body)
        if data.get("request_id") != body.get("request_id") or "competencies" not in data:
            raise WorkerUnavailable("bad_response", status=200)
        return data

    def score_batch(self, items: list[dict]) -> list[dict]:
        data = self._post("/v1/score:batch", {"items": items})
        results = data.get("results")
        if (not isinstance(results, list) or len(results) != len(items)
                or any(not isinstance(r, dict) or r.get("request_id") != i.get("request_id")
                       for r, i in zip(results, items))):
            raise WorkerUnavailable("bad_response", status=200)
        return results

    def healthy(self) -> bool:
        try:
            return self._http.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False


def default_client(timeout: float = 10.0) -> ScoringClient:
    """The client the portal uses: URL from settings, token from the secret store."""
    from portal.services.platform import secrets, settings

    return ScoringClient(settings.get_settings().worker_url,
                         secrets.read_secret("scoring_token", "SCORING_TOKEN"), timeout=timeout)


# ---------------------------------------------------------------- dispatching




def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries (1, 2, …), with jitter."""
    delay = BACKOFF_BASE_S * 2 ** max(0, min(attempts - 1, 20))
    delay *= 1 + random.uniform(0, 0.25)
    return timedelta(seconds=min(BACKOFF_CAP_S, delay))


@dataclass
class Claimed:
    job_id: int
    answer_id: int
    request_id: str
    attempts: int
    body: dict | None = None


def claim_job(factory, job_id: int, now: datetime, job=ScoringJob, ttl: timedelta = CLAIM_TTL,
              label: str = "scoring") -> Claimed | None:
    """Claim one outbox row (``job``: ScoringJob, or TranscriptionJob, which has the same
    columns) for ``ttl``; None when another dispatcher has it or its owner has no consent."""
    with _db.unit_of_work(factory) as session:
        claimed = session.execute(
            update(job)
            .where(job.id == job_id, job.status.in_((PENDING, SENDING)), job.next_attempt_at <= now)
            .values(status=SENDING, next_attempt_at=now + ttl)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not claimed:
            return None
        row = session.execute(
            select(job.answer_id, job.request_id, job.attempts, Answer.user_id)
            .join(Answer, Answer.id == job.answer_id)
            .where(job.id == job_id)
        ).one()
        # Asked under the claim, right before sending: a withdrawal stops every answer
        # not yet sent. Not audited: nothing was refused to anybody.
        if not consent.has_consent(session, row.user_id):
            session.execute(
                update(job).where(job.id == job_id)
                .values(status=NO_CONSENT, last_error=NO_CONSENT, finished_at=now)
                .execution_options(synchronize_session=False))
            log.info("%s job %s: not sent, no active consent", label, job_id)
            return None
        return Claimed(job_id, row.answer_id, row.request_id, row.attempts)


def release_job(factory, claim: Claimed, now: datetime, error: ScoringError | str, job=ScoringJob,
                label: str = "scoring") -> None:
    """The try failed: back to pending with backoff, or failed for a refused request."""
    attempts = claim.attempts + 1
    if isinstance(error, ScoringError) and not error.retryable:
        values = {"status": FAILED, "attempts": attempts, "last_error": str(error)[:200],
                  "finished_at": now}
    else:
        values = {"status": PENDING, "attempts": attempts, "last_error": str(error)[:200],
                  "next_attempt_at": now + backoff(attempts)}
    with _db.unit_of_work(factory) as session:
        session.execute(
            update(job).where(job.id == claim.job_id, job.status == SENDING)
            .values(**values).execution_options(synchronize_session=False))
    log.warning("%s job %s: %s (attempt %s, %s)", label, claim.job_id, values["status"], attempts,
                values["last_error"])


def _store(factory, claim: Claimed, result: dict, now: datetime) -> bool:
    """Store a result once; False when another dispatcher already finished the job."""
    try:
        with _db.unit_of_work(factory) as session:
            done = session.execute(
                update(ScoringJob).where(ScoringJob.id == claim.job_id, ScoringJob.status == SENDING)
                .values(status=DONE, last_error="", finished_at=now,
                        attempts=claim.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            if not done:
                return False
            if session.execute(select(AnswerScore.id)
                               .where(AnswerScore.answer_id == claim.answer_id)).first():
                return False
            model_id = session.execute(
                select(Answer.model_id).where(Answer.id == claim.answer_id)).scalar_one()
            if result.get("language") in ("zh", "en"):  # what "auto" was detected as
                session.execute(
                    update(Answer).where(Answer.id == claim.answer_id, Answer.language == "auto")
                    .values(language=result["language"])
                    .execution_options(synchronize_session=False))
            by_key = {c.key: c.id for c in session.execute(
                select(Competency).where(Competency.model_id == model_id)).scalars()}
            session.add(AnswerScore(
                answer_id=claim.answer_id, model_version=str(result.get("model_version", ""))[:200],
                overall=float(result["overall"]), relevance=float(result["relevance"]),
                coherence=float(result["coherence"]),
                keyword_density=float(result["keyword_density"]),
                structure=dict(result.get("structure") or {}), created_at=now))
            for comp in result["competencies"]:
                competency_id = by_key.get(comp.get("key"))
                if competency_id is None:
                    continue
                evidence = [{"sentence": str(e.get("sentence", "")),
                             "similarity": float(e.get("similarity", 0.0))}
                            for e in comp.get("evidence") or []]
                session.add(CompetencyScore(
                    answer_id=claim.answer_id, competency_id=competency_id,
                    score=float(comp["score"]), level=float(comp["level"]),
                    evidence_enc=crypto.encrypt(json.dumps(evidence, ensure_ascii=False)),
                    keywords_hit=[str(k) for k in comp.get("keywords_hit") or []]))
            session.flush()
            _fire_rules(session, claim.answer_id, now)
        return True
    except IntegrityError:  # a concurrent dispatcher stored this answer's score first
        with _db.unit_of_work(factory) as session:
            session.execute(
                update(ScoringJob).where(ScoringJob.id == claim.job_id, ScoringJob.status == SENDING)
                .values(status=DONE, last_error="", finished_at=now)
                .execution_options(synchronize_session=False))
        return False
    except (KeyError, TypeError, ValueError):
        release_job(factory, claim, now, ScoringError("bad_response", status=200))
        return False


def _fire_rules(session, answer_id: int, now: datetime) -> None:
    """HR's rules on the interview, once its last answer is scored (issue 12 · rules). In a
    savepoint: a failing rule never costs the score just stored."""
    from portal.services.interviews import rules

    try:
        with session.begin_nested():
            rules.fire_for_answer(session, answer_id, now=now)
    except Exception:  # noqa: BLE001 - the score stands; the rule is logged, not half-fired
        log.exception("rules on answer %s failed", answer_id)


def _send(client: ScoringClient, claims: list[Claimed]) -> list[dict | ScoringError]:
    """One outcome per claim: the result, or the error for that claim."""
    if len(claims) == 1:
        try:
            return [client.score(claims[0].body)]
        except ScoringError as exc:
            return [exc]
    try:
        return list(client.score_batch([c.body for c in claims]))
    except ScoringError as exc:
        if exc.retryable and exc.status != 413:
            return [exc] * len(claims)  # the worker is unavailable: all wait
    # The batch was refused (400: one bad item refuses all; 413): find which, one by one.
    outcomes: list[dict | ScoringError] = []
    for claim in claims:
        try:
            outcomes.append(client.score(claim.body))
        except ScoringError as exc:
            outcomes.append(exc)
            if exc.retryable:  # unavailable now: the rest wait too
                outcomes.extend([exc] * (len(claims) - len(outcomes)))
                break
    return outcomes


def dispatch_due(session_factory, client: ScoringClient, *, now: datetime | None = None,
                 limit: int = 20) -> int:
    """Send up to ``limit`` due jobs to the worker; returns how many were scored and stored.

    ``session_factory`` is a callable returning a session context manager (e.g.
    ``lambda: db.session_scope(url)``), or a database URL / None."""
    factory = _db.scope_factory(session_factory)
    now = aware(now or utcnow())
    with _db.unit_of_work(factory) as session:
        due = session.execute(
            select(ScoringJob.id)
            .where(ScoringJob.status.in_((PENDING, SENDING)), ScoringJob.next_attempt_at <= now)
            .order_by(ScoringJob.next_attempt_at, ScoringJob.id).limit(limit)
        ).scalars().all()

    claims: list[Claimed] = []
    for job_id in due:
        claim = claim_job(factory, job_id, now)
        if claim is None:
            continue  # another dispatcher took it
        try:
            with _db.unit_of_work(factory) as session:
                claim.body = build_request(session, session.get(ScoringJob, job_id))
        except Exception as exc:  # noqa: BLE001 - keep the job; the error names no content
            release_job(factory, claim, now, f"build_{type(exc).__name__}")
            continue
        claims.append(claim)

    stored = 0
    for start in range(0, len(claims), MAX_BATCH):
        chunk = claims[start:start + MAX_BATCH]
        try:
            outcomes = _send(client, chunk)
        except Exception as exc:  # noqa: BLE001 - a bug must not strand claimed jobs
            log.error("scoring client failed: %s", type(exc).__name__)
            outcomes = [ScoringError(f"unexpected_{type(exc).__name__}")] * len(chunk)
        for claim, outcome in zip(chunk, outcomes):
            if isinstance(outcome, ScoringError):
                release_job(factory, claim, now, outcome)
            elif _store(factory, claim, outcome, now):
                stored += 1
    if claims:
        log.info("scoring dispatch: %s claimed, %s stored", len(claims), stored)
    return stored


# The dispatchers running in this process, each woken by its own event on its own loop.
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def wake() -> None:
    """Ask the dispatchers of this process to look for due jobs now instead of at the
    end of their interval (a practice answer's feedback is awaited). Thread-safe; a
    process without a running dispatcher ignores it."""
    for loop, event in list(_wakers):
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # that loop has closed
            _wakers.discard((loop, event))


def wake_after_commit(session) -> None:
    """Wake the dispatchers once ``session`` commits (before, they could not see the job)."""
    sa_event.listen(session, "after_commit", lambda _session: wake(), once=True)


async def _pause(stop: asyncio.Event | None, woken: asyncio.Event, interval: float) -> None:
    """Sleep ``interval`` seconds, or less when woken or stopped."""
    waits = [asyncio.ensure_future(woken.wait())]
    if stop is not None:
        waits.append(asyncio.ensure_future(stop.wait()))
    try:
        await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def run_dispatcher(stop: asyncio.Event | None = None, *, interval: float = 2.0,
                         session_factory=None, client: ScoringClient | None = None) -> None:
    """The background loop: dispatch due jobs, sleep (until ``wake()``), repeat until
    ``stop`` is set. Survives any error (logged by type only, never with answer text)."""
    own_client = client is None
    woken = asyncio.Event()
    waker = (asyncio.get_running_loop(), woken)
    _wakers.add(waker)
    try:
        while stop is None or not stop.is_set():
            woken.clear()  # a wake during the round below starts the next one at once
            busy = False
            try:
                if client is None:
                    client = default_client()
                stored = await asyncio.to_thread(dispatch_due, session_factory, client,
                                                 limit=DISPATCH_LIMIT)
                busy = stored >= DISPATCH_LIMIT  # more may be due: go again at once
            except Exception as exc:  # noqa: BLE001 - the loop must not die
                log.error("scoring dispatch round failed: %s", type(exc).__name__)
            if busy:
                await asyncio.sleep(0)
                continue
            await _pause(stop, woken, interval)
    finally:
        _wakers.discard(waker)
        if own_client and client is not None:
            client.close()
