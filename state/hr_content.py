"""HR's content pages (issue 12 · content): jobs (/hr/jobs), one job's settings and
competency model (/hr/jobs/<id>, with "try an answer"), question banks (/hr/questions).

Thin: portal/services/interviews/job_config.py and question_bank.py check permissions,
validate, version and audit. The model being edited is a draft kept here, on the
server, one flat row of strings per competency (what the inputs show); it is job
content, not anybody's personal data, and it is what "try an answer" scores."""

from __future__ import annotations

import asyncio
import re

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import job_config, question_bank
from portal.services.platform import db, i18n
from portal.services.platform.errors import FieldErrors, ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, per_view, requires

JOB_PAGE = routes.HR_JOBS + "/[job_id]"

SETTINGS_SAVED = N_("The position's settings are saved.")
MODEL_EDITED = N_("The competency model is saved (version {version}).")
MODEL_VERSIONED = N_("The competency model is saved as version {version}; interviews already held keep "
                     "the version they were scored with.")
NO_MODEL = N_("This position has no competency model yet: saving creates version 1.")
IN_USE = N_("Version {version} is used by {count} interviews: saving creates version {next}, and those "
            "interviews and their reports keep version {version}.")
NOT_IN_USE = N_("Version {version} is not used by any interview yet: saving changes it in place.")
WEIGHTS_TOTAL = N_("Total of the weights: {total}%")
TOO_MANY = N_("A model has at most {max} competencies.")
STAGES_SAVED = N_("The interview stages are saved.")
STAGE_TEXT = (*job_config.STAGE_FIELDS, "duration_min")
LINE = N_("Line {line}:")
NOTHING_IMPORTED = N_("Nothing was imported: correct these rows and import the file again.")
IMPORTED = N_("{count} questions imported.")
QUESTION_SAVED = N_("The question is saved.")

# One competency as the editor holds it: every value a string, anchors flattened.
TEXT_FIELDS = ("key", "name_zh", "name_en", "description_zh", "description_en", "weight_pct", "required_level",
               "keywords", "a1_zh", "a1_en", "a3_zh", "a3_en", "a5_zh", "a5_en")
MAX_COMPETENCIES = 12
MAX_FIELD = 2000
MAX_ANSWER = 20_000
_KEYWORD_SPLIT = re.compile(r"[,，、;；\n]+")


def _num(value: object) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value or "")


def draft_rows(competencies: list[dict], first_uid: int = 1) -> list[dict[str, str]]:
    """The service's model (job_config.model_draft) as the editor's rows; ``uid`` keeps
    each row's inputs in place when another row is added or removed."""
    rows = []
    for n, c in enumerate(competencies):
        anchors = c.get("anchors") or {}
        row = {"uid": str(first_uid + n), "key": str(c.get("key", "")), "name_zh": str(c.get("name_zh", "")),
               "name_en": str(c.get("name_en", "")), "description_zh": str(c.get("description_zh", "")),
               "description_en": str(c.get("description_en", "")), "weight_pct": _num(c.get("weight_pct")),
               "required_level": _num(c.get("required_level")), "keywords": ", ".join(c.get("keywords") or [])}
        for lv in job_config.ANCHOR_LEVELS:
            a = anchors.get(lv) or anchors.get(str(lv)) or {}
            row[f"a{lv}_zh"], row[f"a{lv}_en"] = str(a.get("zh", "")), str(a.get("en", ""))
        rows.append(row)
    return rows


def service_model(rows: list[dict[str, str]]) -> list[dict]:
    """The editor's rows in the shape job_config.save_model and try_answer validate."""
    return [{"key": r.get("key", "").strip(), "name_zh": r.get("name_zh", ""), "name_en": r.get("name_en", ""),
             "description_zh": r.get("description_zh", "").strip(), "description_en": r.get("description_en", "").strip(),
             "weight_pct": r.get("weight_pct", "").strip(), "required_level": r.get("required_level", "").strip(),
             "keywords": [k.strip() for k in _KEYWORD_SPLIT.split(r.get("keywords", "")) if k.strip()],
             "anchors": {lv: {"zh": r.get(f"a{lv}_zh", "").strip(), "en": r.get(f"a{lv}_en", "").strip()}
                         for lv in job_config.ANCHOR_LEVELS}}
            for r in rows]


def weight_total(rows: list[dict[str, str]]) -> float:
    """The running sum of the weights typed so far (a field that is not a number counts 0)."""
    total = 0.0
    for r in rows:
        try:
            total += float(r.get("weight_pct", "") or 0)
        except ValueError:
            continue
    return round(total, 2)


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


# ---------------------------------------------------------------- /hr/jobs


@per_view(routes.HR_JOBS)
class HrJobsState(BaseState):
    loaded: bool = False
    jobs: list[dict[str, str]] = []
    create_error: str = ""

    def _load(self) -> None:
        with db.session_scope() as s:
            rows = job_config.list_jobs(s, current_actor(), ip=self._ip())
        self.jobs = [{"id": str(j["id"]), "code": j["code"], "title_zh": j["title_zh"], "title_en": j["title_en"],
                      "open": "1" if j["is_open"] else "", "version": str(j["version"] or ""),
                      "questions": str(j["questions"]), "href": f"{routes.HR_JOBS}/{j['id']}"} for j in rows]
        self.loaded = True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        self.create_error = ""
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def create(self, form: dict):
        form = form if isinstance(form, dict) else {}
        values = {k: str(form.get(k, ""))[:200] for k in ("code", "title_zh", "title_en")}
        try:
            with db.session_scope() as s:
                job = job_config.save_job(s, current_actor(), values, ip=self._ip())
                job_id = job.id
        except ServiceError as exc:
            self.create_error = exc.translate(self.lang)
            return None
        self.create_error = ""  # the guard clears messages on the next page: the page itself says what is next
        return rx.redirect(f"{routes.HR_JOBS}/{job_id}")


# ---------------------------------------------------------------- /hr/jobs/<id>


@per_view(JOB_PAGE)
class JobEditState(BaseState):
    loaded: bool = False
    missing: bool = False
    job: dict[str, str] = {}
    form_key: str = ""
    settings_error: str = ""
    competencies: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []
    stages: list[dict[str, str]] = []
    stages_error: str = ""
    current_version: int = 0
    current_uses: int = 0
    model_error: str = ""
    trying: bool = False
    try_error: str = ""
    try_overall: str = ""
    try_rows: list[dict[str, str]] = []
    _job_id: int = 0
    _next_uid: int = 1
    _loads: int = 0

    def _load(self) -> None:
        self.loaded, self.missing = False, False
        try:
            with db.session_scope() as s:
                job, draft, history = job_config.job_for_edit(s, current_actor(), self._job_id, ip=self._ip())
                stored = job_config.job_stages(s, self._job_id)
                self.job = {f: str(getattr(job, f) or "") for f in job_config.JOB_FIELDS} | {
                    "reading_time_s": str(job.reading_time_s), "retakes": str(job.retakes),
                    "answer_mode": job.answer_mode, "report_publishing": job.report_publishing,
                    "is_open": "1" if job.is_open else ""}
        except ServiceError:
            self.missing, self.loaded = True, True
            return
        self._loads += 1
        self.form_key = f"{self._job_id}-{self._loads}"
        self.competencies = draft_rows(draft, self._next_uid)
        self._next_uid += len(draft)
        self.stages = [{f: str(st[f]) for f in STAGE_TEXT} | {"uid": str(self._next_uid + n)}
                       for n, st in enumerate(stored)]
        self._next_uid += len(stored)
        self.versions = [{"version": str(h["version"]), "created": i18n.format_datetime(h["created_at"], self.lang,
                                                                                           "short"),
                          "current": "1" if h["is_current"] else "", "interviews": str(h["interviews"])}
                         for h in history]
        current = next((h for h in history if h["is_current"]), None)
        self.current_version = current["version"] if current else 0
        self.current_uses = current["interviews"] if current else 0
        self.loaded = True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        self._job_id = self._path_id()
        self.settings_error = self.model_error = self.try_error = self.stages_error = ""
        self.try_rows, self.try_overall = [], ""
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save_settings(self, form: dict):
        form = form if isinstance(form, dict) else {}
        values = {f: str(form.get(f, ""))[:MAX_FIELD * 5 if f.startswith("description") else 200]
                  for f in (*job_config.JOB_FIELDS, "reading_time_s", "retakes", "answer_mode", "report_publishing")}
        values["is_open"] = bool(form.get("is_open"))
        try:
            with db.session_scope() as s:
                job_config.save_job(s, current_actor(), values, job_id=self._job_id, ip=self._ip())
        except ServiceError as exc:
            self.settings_error = exc.translate(self.lang)
            return
        self.settings_error = ""
        self._flash(SETTINGS_SAVED)
        self._load()

    # -- the interview stages: edited here like the model, stored by "Save the stages"

    @requires(access.CONFIG_EDIT)
    @rx.event
    def set_stage(self, index: int, field: str, value: str):
        if field not in STAGE_TEXT or not isinstance(index, int) or not 0 <= index < len(self.stages):
            return
        rows = list(self.stages)
        rows[index] = {**rows[index], field: str(value)[:MAX_FIELD]}
        self.stages = rows

    @requires(access.CONFIG_EDIT)
    @rx.event
    def add_stage(self):
        if len(self.stages) >= job_config.MAX_STAGES:
            self.stages_error = i18n.gettext(self.lang, job_config.TOO_MANY_STAGES, max=job_config.MAX_STAGES)
            return
        self.stages = [*self.stages, {f: "" for f in STAGE_TEXT} | {"uid": str(self._next_uid), "duration_min": "10"}]
        self._next_uid += 1

    @requires(access.CONFIG_EDIT)
    @rx.event
    def remove_stage(self, index: int):
        if isinstance(index, int) and 0 <= index < len(self.stages):
            self.stages = [r for n, r in enumerate(self.stages) if n != index]

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save_stages(self):
        try:
            with db.session_scope() as s:
                job_config.save_stages(s, current_actor(), self._job_id, [dict(r) for r in self.stages],
                                       ip=self._ip())
        except ServiceError as exc:
            self.stages_error = exc.translate(self.lang)
            return
        self.stages_error = ""
        self._flash(STAGES_SAVED)
        self._load()

    # -- the draft model: every change stays here until "Save the model"

    @requires(access.CONFIG_EDIT)
    @rx.event
    def set_field(self, index: int, field: str, value: str):
        if field not in TEXT_FIELDS or not isinstance(index, int) or not 0 <= index < len(self.competencies):
            return
        rows = list(self.competencies)
        rows[index] = {**rows[index], field: str(value)[:MAX_FIELD]}
        self.competencies = rows

    @requires(access.CONFIG_EDIT)
    @rx.event
    def add_competency(self):
        if len(self.competencies) >= MAX_COMPETENCIES:
            self.model_error = i18n.gettext(self.lang, TOO_MANY, max=MAX_COMPETENCIES)
            return
        row = {f: "" for f in TEXT_FIELDS} | {"uid": str(self._next_uid), "required_level": "70"}
        self._next_uid += 1
        self.competencies = [*self.competencies, row]

    @requires(access.CONFIG_EDIT)
    @rx.event
    def remove_competency(self, index: int):
        if isinstance(index, int) and 0 <= index < len(self.competencies):
            self.competencies = [r for n, r in enumerate(self.competencies) if n != index]

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save_model(self):
        before = self.current_version
        try:
            with db.session_scope() as s:
                model = job_config.save_model(s, current_actor(), self._job_id, service_model(self.competencies),
                                              ip=self._ip())
                version = model.version
        except ServiceError as exc:
            self.model_error = exc.translate(self.lang)
            return
        self.model_error = ""
        self._flash(MODEL_VERSIONED if version != before and before else MODEL_EDITED, version=version)
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event(background=True)
    async def try_answer(self, form: dict):
        """Score a sample answer against the draft (not the saved model) through the worker."""
        form = form if isinstance(form, dict) else {}
        user = current_actor()
        question, answer = str(form.get("question", ""))[:MAX_FIELD], str(form.get("answer", ""))[:MAX_ANSWER]
        language = str(form.get("language", "auto"))
        language = language if language in ("auto", "zh", "en") else "auto"
        async with self:
            if self.trying:
                return
            self.trying, self.try_error, self.try_rows, self.try_overall = True, "", [], ""
            draft, ip, lang = service_model(self.competencies), self._ip(), self.lang

        def score() -> dict:
            with db.session_scope() as s:
                return job_config.try_answer(s, user, question, answer, draft, language=language, ip=ip)

        try:
            result, error = await asyncio.to_thread(score), ""
        except ServiceError as exc:
            result, error = {}, exc.translate(lang)
        except Exception:
            async with self:
                self.trying = False
            raise  # the app's exception handler logs it and shows an incident number
        async with self:
            self.trying, self.try_error = False, error
            if result:
                names = {c["key"]: c for c in draft}
                self.competencies = [{"key": c["key"], "name_zh": c["name_zh"], "name_en": c["name_en"]}
                                     for c in draft]
                self.try_overall = f"{float(result.get('overall', 0)):.0f}"
                self.try_rows = [_try_row(c, names.get(c.get("key"), {})) for c in result.get("competencies", [])]

    # -- what the page shows

    @rx.var
    def weight_sum(self) -> str:
        return i18n.gettext(self.lang, WEIGHTS_TOTAL, total=f"{weight_total(self.competencies):g}")

    @rx.var
    def weights_ok(self) -> bool:
        return abs(weight_total(self.competencies) - 100) <= 0.01

    @rx.var
    def weight_message(self) -> str:
        total = weight_total(self.competencies)
        if abs(total - 100) <= 0.01:
            return ""
        return i18n.gettext(self.lang, "The weights add up to {total}%, not 100%.", total=f"{total:g}")

    @rx.var
    def version_note(self) -> str:
        v = self.current_version
        if not v:
            return i18n.gettext(self.lang, NO_MODEL)
        if self.current_uses:
            return i18n.gettext(self.lang, IN_USE, version=v, count=self.current_uses, next=v + 1)
        return i18n.gettext(self.lang, NOT_IN_USE, version=v)

    @rx.var
    def title(self) -> str:
        return i18n.pick(self.lang, self.job.get("title_zh", ""), self.job.get("title_en", ""))


def _try_row(scored: dict, competency: dict) -> dict[str, str]:
    evidence = [str(e.get("sentence", "")) for e in scored.get("evidence") or [] if e.get("sentence")]
    return {"key": str(scored.get("key", "")), "name_zh": competency.get("name_zh", ""),
            "name_en": competency.get("name_en", ""), "score": f"{float(scored.get('score', 0)):.0f}",
            "level": f"{float(scored.get('level', 0)):.1f}", "required": _num(competency.get("required_level")),
            "evidence": "\n".join(f"“{e}”" for e in evidence), "keywords": ", ".join(scored.get("keywords_hit") or [])}


# ---------------------------------------------------------------- /hr/questions


@per_view(routes.HR_QUESTIONS)
class QuestionBankState(BaseState):
    loaded: bool = False
    job_id: str = ""
    jobs: list[dict[str, str]] = []
    questions: list[dict[str, str]] = []
    reading_time: str = ""
    retakes: str = ""
    has_model: bool = False
    error: str = ""
    row_errors: list[str] = []
    competencies: list[dict[str, str]] = []  # the current model's, for the edit form's select
    editing: str = ""  # the question whose edit form is open
    edit_errors: dict[str, str] = {}  # field -> message of the last refused save

    def _load(self) -> None:
        with db.session_scope() as s:
            found = question_bank.bank(s, current_actor(), _int(self.job_id), ip=self._ip())
        self.jobs = [{"id": str(j.id), "code": j.code, "title_zh": j.title_zh, "title_en": j.title_en}
                     for j in found.jobs]
        job = found.job
        self.job_id = str(job.id) if job else ""
        self.reading_time, self.retakes = (str(job.reading_time_s), str(job.retakes)) if job else ("", "")
        self.has_model = bool(found.competencies)
        self.competencies = [{"key": c.key, "name_zh": c.name_zh, "name_en": c.name_en} for c in found.competencies]
        names = {c.key: c for c in found.competencies}
        self.questions = [
            {"id": str(q.id), "practice": "1" if q.is_practice else "", "key": q.competency_key,
             "competency_zh": names[q.competency_key].name_zh if q.competency_key in names else q.competency_key,
             "competency_en": names[q.competency_key].name_en if q.competency_key in names else q.competency_key,
             "text_zh": q.text_zh, "text_en": q.text_en, "answer_s": str(q.time_limit_s)}
            for q in found.questions]
        self.loaded = True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        self.error, self.row_errors, self.editing, self.edit_errors = "", [], "", {}
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def choose(self, job_id: str):
        self.job_id, self.error, self.row_errors = str(job_id)[:12], "", []
        self.editing, self.edit_errors = "", {}
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def edit(self, question_id: str):
        """Open one question's edit form (one at a time)."""
        if str(question_id) in {q["id"] for q in self.questions}:
            self.editing, self.edit_errors = str(question_id), {}

    @requires(access.CONFIG_EDIT)
    @rx.event
    def cancel_edit(self):
        self.editing, self.edit_errors = "", {}

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save_question(self, form: dict):
        form = form if isinstance(form, dict) else {}
        question_id = _int(self.editing)  # the open form's question, not one the browser names
        if not question_id:
            return None
        try:
            with db.session_scope() as s:
                question_bank.update(
                    s, current_actor(), question_id, text_zh=str(form.get("text_zh", ""))[:5000],
                    text_en=str(form.get("text_en", ""))[:5000], answer_s=str(form.get("answer_s", ""))[:12],
                    competency_key=str(form.get("competency_key", ""))[:60],
                    practice=str(form.get("type", "")) == "practice", ip=self._ip())
        except FieldErrors as exc:
            self.edit_errors = {k: i18n.gettext(self.lang, msgid, **params) for k, (msgid, params) in exc.fields.items()}
            return None
        self.editing, self.edit_errors = "", {}
        self._load()
        self._flash(QUESTION_SAVED)
        return None

    @requires(access.CONFIG_EDIT)
    @rx.event
    def import_csv(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.error, self.row_errors = "", []
        try:
            with db.session_scope() as s:
                count = question_bank.import_csv(s, current_actor(), str(form.get("csv", "")).encode("utf-8"),
                                                 ip=self._ip())
        except question_bank.ImportRefused as exc:
            self.error = i18n.gettext(self.lang, NOTHING_IMPORTED)
            self.row_errors = [i18n.gettext(self.lang, LINE, line=n) + " " + i18n.gettext(self.lang, msgid, **params)
                               for n, msgid, params in exc.rows]
            return None
        except ServiceError as exc:
            self.error = exc.translate(self.lang)
            return None
        self._load()
        self._flash(IMPORTED, count=count)
        return None

    @requires(access.CONFIG_EDIT)
    @rx.event
    def export(self):
        job_id = _int(self.job_id)
        code = next((j["code"] for j in self.jobs if j["id"] == self.job_id), "")
        if not job_id:
            return None
        with db.session_scope() as s:
            data = question_bank.export_csv(s, current_actor(), job_id=job_id, ip=self._ip())
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", code) or "job"
        return rx.download(data=data, filename=f"questions-{safe}.csv", mime_type="text/csv")
