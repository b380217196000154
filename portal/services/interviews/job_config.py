"""HR edits a job's competency model (issue 12 · content).

Weights are entered as percentages that must sum to 100 and stored as fractions
(Competency.weight). A model any Interview points at is never rewritten: saving
creates a new CompetencyModel version and moves is_current to it, so old interviews
and reports keep theirs; a model not yet used is edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from portal.models import BehaviouralAnchor, Competency, CompetencyModel, Interview, Job, Question, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

ANCHOR_LEVELS = (1, 3, 5)


def validate_model(competencies: list[dict]) -> None:
    """Raise ServiceError on the first problem; nothing is changed."""
    if not competencies:
        raise ServiceError(N_("A competency model needs at least one competency."))
    keys: set[str] = set()
    total = 0.0
    for c in competencies:
        key = str(c.get("key", "")).strip()
        if not key:
            raise ServiceError(N_("Every competency needs a key."))
        if key in keys:
            raise ServiceError(N_("The key {key} is used twice."), key=key)
        keys.add(key)
        if not str(c.get("name_zh", "")).strip() or not str(c.get("name_en", "")).strip():
            raise ServiceError(N_("Competency {key} needs a name in both languages."), key=key)
        try:
            level = float(c.get("required_level", ""))
            weight = float(c.get("weight_pct", ""))
        except (TypeError, ValueError):
            raise ServiceError(N_("Competency {key}: weight and required level must be numbers."), key=key) from None
        if not 0 <= level <= 100:
            raise ServiceError(N_("Competency {key}: the required level must be between 0 and 100."), key=key)
        if weight <= 0:
            raise ServiceError(N_("Competency {key}: the weight must be above 0."), key=key)
        total += weight
        anchors = c.get("anchors") or {}
        for lv in ANCHOR_LEVELS:
            a = anchors.get(lv) or anchors.get(str(lv)) or {}
            if not str(a.get("zh", "")).strip() or not str(a.get("en", "")).strip():
                raise ServiceError(N_("Competency {key} needs behavioural anchors at levels 1, 3 and 5 in both languages."),
                                   key=key)
    if abs(total - 100) > 0.01:
        raise ServiceError(N_("The weights add up to {total}%, not 100%."), total=f"{round(total, 2):g}")


def _in_use(session, model_id: int) -> bool:
    return bool(session.execute(select(func.count()).select_from(Interview)
                                .where(Interview.model_id == model_id)).scalar_one())


def _write_competencies(session, model_id: int, competencies: list[dict]) -> None:
    for pos, c in enumerate(competencies):
        row = Competency(model_id=model_id, key=c["key"].strip(), name_zh=c["name_zh"].strip(),
                         name_en=c["name_en"].strip(), description_zh=c.get("description_zh", ""),
                         description_en=c.get("description_en", ""), weight=float(c["weight_pct"]) / 100,
                         required_level=float(c["required_level"]),
                         keywords=[k.strip() for k in c.get("keywords", []) if k.strip()], position=pos)
        session.add(row)
        session.flush()
        anchors = c["anchors"]
        for lv in ANCHOR_LEVELS:
            a = anchors.get(lv) or anchors.get(str(lv))
            session.add(BehaviouralAnchor(competency_id=row.id, level=lv, text_zh=a["zh"], text_en=a["en"]))


def save_model(session, user: User | None, job_id: int, competencies: list[dict], *, ip: str = "") -> CompetencyModel:
    """Validate, then edit the current model in place or create a new version."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    validate_model(competencies)
    current = session.execute(select(CompetencyModel).where(CompetencyModel.job_id == job_id,
                                                            CompetencyModel.is_current.is_(True))).scalars().first()
    if current is not None and not _in_use(session, current.id):
        old = select(Competency.id).where(Competency.model_id == current.id)
        session.execute(delete(BehaviouralAnchor).where(BehaviouralAnchor.competency_id.in_(old)))
        session.execute(delete(Competency).where(Competency.model_id == current.id))
        model, action = current, "competency_model.edit"
    else:
        latest = session.execute(select(func.max(CompetencyModel.version))
                                 .where(CompetencyModel.job_id == job_id)).scalar_one() or 0
        if current is not None:
            current.is_current = False
            session.add(current)
        model = CompetencyModel(job_id=job_id, version=latest + 1, is_current=True)
        session.add(model)
        action = "competency_model.version"
    session.flush()
    _write_competencies(session, model.id, competencies)
    audit.record(session, action, actor_id=user.id, actor=user.email or "", object_type="competency_model",
                 object_id=model.id, ip=ip)
    session.flush()
    return model


JOB_FIELDS = ("code", "title_zh", "title_en", "department_zh", "department_en", "location_zh", "location_en",
              "description_zh", "description_en")


def save_job(session, user: User | None, values: dict, *, job_id: int | None = None, ip: str = ""):
    """Create (job_id None) or edit a job; refuses bad values with nothing changed."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    code = str(values.get("code", "")).strip()
    if not code or not str(values.get("title_zh", "")).strip() or not str(values.get("title_en", "")).strip():
        raise ServiceError(N_("A job needs a code and a title in both languages."))
    clash = session.execute(select(Job).where(Job.code == code)).scalars().first()
    if clash is not None and clash.id != job_id:
        raise ServiceError(N_("The job code {code} is already used."), code=code)
    try:
        reading, retakes = int(values.get("reading_time_s", 30)), int(values.get("retakes", 1))
    except (TypeError, ValueError):
        raise ServiceError(N_("Reading time and retakes must be whole numbers.")) from None
    mode, publishing = values.get("answer_mode", "video_or_text"), values.get("report_publishing", "auto")
    if not (0 <= reading <= 600 and 0 <= retakes <= 5) or mode not in ("video", "video_or_text") \
            or publishing not in ("auto", "hr"):
        raise ServiceError(N_("Reading time must be 0-600 s, retakes 0-5, and the modes from the list."))
    job = session.get(Job, job_id) if job_id else Job(code=code, title_zh="", title_en="")
    if job is None:
        raise ServiceError(N_("This job does not exist."))
    for f in JOB_FIELDS:
        setattr(job, f, str(values.get(f, getattr(job, f)) or "").strip())
    job.reading_time_s, job.retakes, job.answer_mode, job.report_publishing = reading, retakes, mode, publishing
    job.is_open = bool(values.get("is_open", job.is_open if job_id else True))
    session.add(job)
    session.flush()
    audit.record(session, "job.edit" if job_id else "job.create", actor_id=user.id, actor=user.email or "",
                 object_type="job", object_id=job.id, ip=ip)
    return job


STAGE_FIELDS = ("name_zh", "name_en", "description_zh", "description_en")
MAX_STAGES = 10
TOO_MANY_STAGES = N_("An interview has at most {max} stages.")


def save_stages(session, user: User | None, job_id: int, stages: list[dict], *, ip: str = "") -> list:
    """Replace a job's interview stages (what candidates read under "how it runs" and HR
    sees when scheduling). Rows with every field empty are dropped; refuses bad rows with
    nothing changed. Stages are not versioned: they describe interviews still to come."""
    from portal.models import InterviewStage

    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    if session.get(Job, job_id) is None:
        raise ServiceError(N_("This job does not exist."))
    rows = [s for s in stages if any(str(s.get(f, "")).strip() for f in (*STAGE_FIELDS, "duration_min"))]
    if not rows:
        raise ServiceError(N_("An interview needs at least one stage."))
    if len(rows) > MAX_STAGES:
        raise ServiceError(TOO_MANY_STAGES, max=MAX_STAGES)
    clean = []
    for n, row in enumerate(rows, start=1):
        if not str(row.get("name_zh", "")).strip() or not str(row.get("name_en", "")).strip():
            raise ServiceError(N_("Stage {n} needs a name in both languages."), n=n)
        try:
            minutes = int(str(row.get("duration_min", "")).strip())
        except ValueError:
            minutes = 0
        if not 1 <= minutes <= 240:
            raise ServiceError(N_("Stage {n}: the duration must be a whole number of minutes from 1 to 240."), n=n)
        clean.append({f: str(row.get(f, "")).strip() for f in STAGE_FIELDS} | {"duration_min": minutes})
    session.execute(delete(InterviewStage).where(InterviewStage.job_id == job_id))
    for position, row in enumerate(clean):
        session.add(InterviewStage(job_id=job_id, position=position, **row))
    session.flush()
    audit.record(session, "job.stages", actor_id=user.id, actor=user.email or "", object_type="job",
                 object_id=job_id, ip=ip)
    return clean


def job_stages(session, job_id: int) -> list[dict]:
    """The job's stages in the shape save_stages takes (for the edit page)."""
    from portal.models import InterviewStage

    return [{f: getattr(st, f) for f in STAGE_FIELDS} | {"duration_min": st.duration_min}
            for st in session.execute(select(InterviewStage).where(InterviewStage.job_id == job_id)
                                      .order_by(InterviewStage.position)).scalars()]


def try_answer(session, user: User | None, question: str, answer: str, competencies: list[dict], *,
               language: str = "auto", client=None, ip: str = "") -> dict:
    """Score a sample answer against the draft model being edited (nothing stored).

    Slow (an HTTP call to the worker): callers run it in a background event."""
    import uuid

    from portal.services.interviews import scoring_client

    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    if not answer.strip():
        raise ServiceError(N_("Type a sample answer first."))
    validate_model(competencies)
    zh = language == "zh"
    body = {"request_id": f"try-{uuid.uuid4().hex}", "language": language, "question": question, "answer": answer,
            "competencies": [{"key": c["key"], "name": c["name_zh"] if zh else c["name_en"],
                              "description": c.get("description_zh" if zh else "description_en", ""),
                              "keywords": list(c.get("keywords", [])), "weight": float(c["weight_pct"]) / 100,
                              "required_level": float(c["required_level"]),
                              "anchors": {str(lv): (c["anchors"].get(lv) or c["anchors"].get(str(lv)))["zh" if zh else "en"]
                                          for lv in ANCHOR_LEVELS}}
                             for c in competencies]}
    own = client is None
    client = client or scoring_client.default_client()
    try:
        return client.score(body)
    except scoring_client.ScoringError:
        raise ServiceError(N_("The scoring service is not reachable. Try again in a moment.")) from None
    finally:
        if own:
            client.close()


# ---------------------------------------------------------------- what HR's pages read


@dataclass(frozen=True)
class JobRow:
    id: int
    code: str
    title_zh: str
    title_en: str
    is_open: bool
    reading_time_s: int
    retakes: int
    model_id: int | None  # the current model's
    version: int  # the current model's, 0 without one
    questions: int


def _job_rows(session) -> tuple[JobRow, ...]:
    current = CompetencyModel.is_current.is_(True)
    model = select(func.max(CompetencyModel.id)).where(CompetencyModel.job_id == Job.id, current).scalar_subquery()
    version = select(func.max(CompetencyModel.version)).where(CompetencyModel.job_id == Job.id, current).scalar_subquery()
    count = select(func.count()).select_from(Question).where(Question.job_id == Job.id).scalar_subquery()
    return tuple(JobRow(j.id, j.code, j.title_zh, j.title_en, j.is_open, j.reading_time_s, j.retakes, m, v or 0, n)
                 for j, m, v, n in session.execute(select(Job, model, version, count).order_by(Job.code, Job.id)))


# Jobs, their current models and their questions change only by HR's edits.
_JOB_ROWS = ContentCache("hr_job_list", (Job, CompetencyModel, Question), _job_rows)


def job_rows(session) -> tuple[JobRow, ...]:
    """Every job (closed ones too) by code, with its current model and question count,
    from the per-process copy; the caller has checked the permission."""
    return _JOB_ROWS.get(session)


def list_jobs(session, user: User | None, *, ip: str = "") -> list[dict]:
    """Every job (closed ones too) with its current model version and question count, by code."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    return [{"id": j.id, "code": j.code, "title_zh": j.title_zh, "title_en": j.title_en, "is_open": j.is_open,
             "version": j.version, "questions": j.questions} for j in job_rows(session)]


def model_draft(session, model_id: int) -> list[dict]:
    """A stored model in the shape save_model and try_answer take (weights as percentages)."""
    comps = session.execute(select(Competency).where(Competency.model_id == model_id)
                            .order_by(Competency.position, Competency.id)).scalars().all()
    anchors: dict[int, dict] = {}
    if comps:
        for a in session.execute(select(BehaviouralAnchor)
                                 .where(BehaviouralAnchor.competency_id.in_([c.id for c in comps]))).scalars():
            anchors.setdefault(a.competency_id, {})[a.level] = {"zh": a.text_zh, "en": a.text_en}
    return [{"key": c.key, "name_zh": c.name_zh, "name_en": c.name_en, "description_zh": c.description_zh,
             "description_en": c.description_en, "weight_pct": round(c.weight * 100, 2),
             "required_level": c.required_level, "keywords": list(c.keywords or []),
             "anchors": {lv: anchors.get(c.id, {}).get(lv, {"zh": "", "en": ""}) for lv in ANCHOR_LEVELS}}
            for c in comps]


def job_for_edit(session, user: User | None, job_id: int, *, ip: str = "") -> tuple:
    """(job, the current model's draft, its version history newest first) for the edit page.

    Each history entry: version, created_at, is_current, interviews (how many were scored
    or are scheduled with it: a model with any is never rewritten)."""
    access.require(user, access.CONFIG_EDIT, session=session, ip=ip)
    job = session.get(Job, job_id) if job_id else None
    if job is None:
        raise ServiceError(N_("This job does not exist."))
    used = dict(session.execute(select(Interview.model_id, func.count()).where(Interview.job_id == job_id)
                                .group_by(Interview.model_id)).all())
    models = session.execute(select(CompetencyModel).where(CompetencyModel.job_id == job_id)
                             .order_by(CompetencyModel.version.desc())).scalars().all()
    history = [{"version": m.version, "created_at": m.created_at, "is_current": m.is_current,
                "interviews": used.get(m.id, 0)} for m in models]
    current = next((m for m in models if m.is_current), None)
    return job, (model_draft(session, current.id) if current else []), history
