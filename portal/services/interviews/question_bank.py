"""Question banks per job: CSV import (all or nothing, row-by-row errors) and export.

CSV is UTF-8 with a BOM so Excel opens Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from portal.models import Answer, Competency, CompetencyModel, Job, Question, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.errors import FieldErrors, PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

COLUMNS = ("job_code", "competency_key", "type", "text_zh", "text_en", "reading_s", "answer_s")
MAX_BYTES = 1_000_000
MAX_ROWS = 2000


NO_TEXT = N_("The question needs a text in both languages.")
BAD_ANSWER_TIME = N_("The answer time must be whole seconds from 10 to 1800.")
UNKNOWN_KEY = N_("Unknown competency {key} for this job.")
ANSWERED_KEY = N_("The question has been answered: its competency and type stay as they were (import a new "
                  "question instead).")
MAX_TEXT = 2000
TEXT_TOO_LONG = N_("At most {max} characters.")


class ImportRefused(ServiceError):
    """The file as a whole was refused; ``rows`` lists (row number, msgid, params)."""

    def __init__(self, rows: list[tuple[int, str, dict]]) -> None:
        super().__init__(N_("Nothing was imported: {count} rows have errors."), count=len(rows))
        self.rows = rows


def _competency_keys(session, job_id: int) -> set[str]:
    return set(session.execute(select(Competency.key).join(CompetencyModel, Competency.model_id == CompetencyModel.id)
                               .where(CompetencyModel.job_id == job_id,
                                      CompetencyModel.is_current.is_(True))).scalars())


def parse(session, data: bytes) -> list[dict]:
    """Validate every row; raise ImportRefused listing all bad rows."""
    if len(data) > MAX_BYTES:
        raise ServiceError(N_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(N_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(COLUMNS) - {f.strip() for f in reader.fieldnames}:
        raise ServiceError(N_("The file needs the columns {columns}."), columns=",".join(COLUMNS))
    jobs = {j.code: j for j in session.execute(select(Job)).scalars()}
    keys: dict[int, set[str]] = {}
    rows, errors = [], []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise ServiceError(N_("The file has more than {max} rows."), max=MAX_ROWS)
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        job = jobs.get(r["job_code"])
        if job is None:
            errors.append((n, N_("Unknown job code {code}."), {"code": r["job_code"]}))
            continue
        if job.id not in keys:
            keys[job.id] = _competency_keys(session, job.id)
        if r["competency_key"] not in keys[job.id]:
            errors.append((n, UNKNOWN_KEY, {"key": r["competency_key"]}))
            continue
        if r["type"] not in ("practice", "interview"):
            errors.append((n, N_("Type must be practice or interview."), {}))
            continue
        if not r["text_zh"] or not r["text_en"]:
            errors.append((n, NO_TEXT, {}))
            continue
        try:
            reading, answer = int(r["reading_s"]), int(r["answer_s"])
        except ValueError:
            errors.append((n, N_("Reading and answer time must be whole seconds."), {}))
            continue
        if not (0 <= reading <= 600 and 10 <= answer <= 1800):
            errors.append((n, N_("Reading time must be 0-600 s and answer time 10-1800 s."), {}))
            continue
        rows.append({"job_id": job.id, "competency_key": r["competency_key"], "is_practice": r["type"] == "practice",
                     "text_zh": r["text_zh"], "text_en": r["text_en"], "time_limit_s": answer})
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ServiceError(N_("The file has no questions."))
    return rows


def import_csv(session, user: User | None, data: bytes, *, ip: str = "") -> int:
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    try:
        rows = parse(session, data)
    except ServiceError:
        audit.record(session, "question.import", actor_id=user.id, actor=user.email or "",
                     object_type="question", ip=ip, outcome="failure")
        raise
    for r in rows:
        session.add(Question(**r))
    audit.record(session, "question.import", actor_id=user.id, actor=user.email or "",
                 object_type="question", object_id=len(rows), ip=ip)
    session.flush()
    return len(rows)


def update(session, user: User | None, question_id: int, *, text_zh: str, text_en: str, answer_s: str,
           competency_key: str, practice: bool, ip: str = "") -> Question:
    """HR corrects one question: its texts and answer time always; its competency and
    type only while nobody has answered it (the scores and the interviews refer to them).
    Raises FieldErrors (field -> message) and changes nothing when a field is wrong."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    question = session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None:
        raise PermissionDenied()
    texts = {"text_zh": " ".join(str(text_zh).split()), "text_en": " ".join(str(text_en).split())}
    errors: dict[str, tuple[str, dict]] = {}
    for field, text in texts.items():
        if not text:
            errors[field] = (NO_TEXT, {})
        elif len(text) > MAX_TEXT:
            errors[field] = (TEXT_TOO_LONG, {"max": MAX_TEXT})
    answer = str(answer_s).strip()
    if not answer.isdigit() or not 10 <= int(answer) <= 1800:
        errors["answer_s"] = (BAD_ANSWER_TIME, {})
    key, practice = str(competency_key).strip(), bool(practice)
    if (key, practice) != (question.competency_key, question.is_practice):
        if session.execute(select(Answer.id).where(Answer.question_id == question.id).limit(1)).first():
            errors["competency_key"] = (ANSWERED_KEY, {})
        elif key not in _competency_keys(session, question.job_id):
            errors["competency_key"] = (UNKNOWN_KEY, {"key": key})
    if errors:
        raise FieldErrors(errors)
    question.text_zh, question.text_en = texts["text_zh"], texts["text_en"]
    question.time_limit_s, question.competency_key, question.is_practice = int(answer), key, practice
    session.add(question)
    session.flush()
    audit.record(session, "question.edit", actor_id=user.id, actor=user.email or "", object_type="question",
                 object_id=question.id, ip=ip)
    return question


def list_questions(session, user: User | None, job_id: int, *, ip: str = "") -> list[Question]:
    """One job's question bank in its order."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    return list(session.execute(select(Question).where(Question.job_id == job_id)
                                .order_by(Question.position, Question.id)).scalars())


@dataclass(frozen=True)
class BankQuestion:
    id: int
    competency_key: str
    is_practice: bool
    text_zh: str
    text_en: str
    time_limit_s: int


def _all_questions(session) -> dict[int, tuple[BankQuestion, ...]]:
    found: dict[int, list[BankQuestion]] = {}
    for q in session.execute(select(Question).order_by(Question.job_id, Question.position, Question.id)).scalars():
        found.setdefault(q.job_id, []).append(
            BankQuestion(q.id, q.competency_key, q.is_practice, q.text_zh, q.text_en, q.time_limit_s))
    return {job_id: tuple(rows) for job_id, rows in found.items()}


# The banks change only by HR's edits (platform/content_cache.py).
_QUESTIONS = ContentCache("question_banks", (Question,), _all_questions)


@dataclass(frozen=True)
class Bank:
    """What the question bank page shows: every job, and the one shown (the chosen job, else
    the first by code) with its current competencies and questions."""

    jobs: tuple  # job_config.JobRow, by code
    job: object | None  # the JobRow shown
    competencies: tuple  # scores.ModelCompetency of its current model, in order
    questions: tuple[BankQuestion, ...]


def bank(session, user: User | None, job_id: int | None, *, ip: str = "") -> Bank:
    """The question bank page, from per-process copies of what only HR's edits change (the
    jobs, the banks, the models' competencies): no statement once they are warm."""
    from portal.services.interviews import job_config
    from portal.services.reports import scores

    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    jobs = job_config.job_rows(session)
    job = next((j for j in jobs if j.id == job_id), jobs[0] if jobs else None)
    if job is None:
        return Bank((), None, (), ())
    comps = scores.model_competencies(session, job.model_id) if job.model_id else ()
    return Bank(jobs, job, comps, _QUESTIONS.get(session).get(job.id, ()))


def export_csv(session, user: User | None, *, job_id: int | None = None, ip: str = "") -> bytes:
    """Every job's questions, or one job's (``job_id``), in the columns import_csv reads."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    q = select(Question, Job).join(Job, Question.job_id == Job.id).order_by(Job.code, Question.position, Question.id)
    if job_id is not None:
        q = q.where(Job.id == job_id)
    for question, job in session.execute(q):
        w.writerow([job.code, question.competency_key, "practice" if question.is_practice else "interview",
                    question.text_zh, question.text_en, job.reading_time_s, question.time_limit_s])
    audit.record(session, "question.export", actor_id=user.id, actor=user.email or "", object_type="job" if job_id else "question",
                 object_id=job_id or "", ip=ip)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
