"""HR's decision rules (/hr/rules) and the decisions a person takes on them
(/hr/decisions). Thin: portal/services/interviews/rules.py parses, versions, previews,
fires, checks permissions and audits. The lists name candidates: they are loaded per
view (``per_view``) and kept in ``_vars``; the page gets display strings only."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import preparation, rules
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, per_view, requires

SAVED = N_("The rule is saved as a draft. Preview it, then activate it.")
NEW_VERSION = N_("A new version of the rule is saved as a draft; the version in force stays active until you "
                 "activate the new one.")
ACTIVATED = N_("The rule is active: it proposes an outcome for every interview of this position scored from now on.")
DEACTIVATED = N_("The rule is no longer active.")
CONFIRMED = N_("Decision confirmed. The candidate's report now shows it.")
OVERRIDDEN = N_("Decision overridden. The candidate's report now shows your decision and reason.")
PREVIEW = {rules.ADVANCE: N_("Would have advanced {matched} of {total} past scored interviews."),
           rules.REJECT: N_("Would have rejected {matched} of {total} past scored interviews.")}
STATUS = {rules.DRAFT: N_("Draft"), rules.ACTIVE: N_("Active"), rules.INACTIVE: N_("Inactive"),
          rules.SUPERSEDED: N_("Replaced by a newer version")}
VERSION = N_("Version {version}")
DECIDED = {rules.CONFIRMED: N_("Confirmed by {name} on {date}"),
           rules.OVERRIDDEN: N_("Overridden by {name} on {date}: {reason}")}


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


@per_view(routes.HR_RULES)
class HrRulesState(BaseState):
    loaded: bool = False
    job_id: str = ""
    error: str = ""  # next to the new rule's field
    edit_rule: str = ""  # the rule whose edit field shows ``edit_error``
    edit_error: str = ""
    preview_rule: str = ""  # the version whose preview is listed
    _tz: str = ""
    _jobs: list[dict] = []
    _names: dict = {}
    _rules: list[list[dict]] = []
    _preview: list[dict] = []
    _preview_total: int = 0

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._jobs = [{"id": j.id, "code": j.code, "zh": j.title_zh, "en": j.title_en}
                          for j in rules.jobs(s, user, ip=self._ip())]
            if _int(self.job_id) not in {j["id"] for j in self._jobs}:
                self.job_id = str(self._jobs[0]["id"]) if self._jobs else ""
            job_id = _int(self.job_id)
            self._names = rules.competency_names(s, job_id) if job_id else {}
            self._rules = [[{"id": r.id, "no": r.rule_no, "version": r.version, "expression": r.expression,
                             "canonical": r.canonical, "action": r.action, "status": r.status,
                             "previewed": r.previewed_at is not None, "matched": r.preview_matched,
                             "total": r.preview_total, "created_at": r.created_at} for r in versions]
                           for versions in rules.rules_of_job(s, user, job_id, ip=self._ip())] if job_id else []
        self._tz, self.loaded = user.timezone, True

    @requires(access.RULE_MANAGE)
    @rx.event
    def load(self):
        self.error = self.edit_error = self.edit_rule = self.preview_rule = ""
        self._preview = []
        self._load()

    @requires(access.RULE_MANAGE)
    @rx.event
    def choose_job(self, job_id: str):
        self.job_id = str(_int(job_id))
        self.error = self.edit_error = self.edit_rule = self.preview_rule = ""
        self._preview = []
        self._load()

    @requires(access.RULE_MANAGE)
    @rx.event
    def create(self, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            with db.session_scope() as s:
                rules.create(s, current_actor(), _int(self.job_id), str(form.get("expression", ""))[:2000],
                             str(form.get("action", "")), ip=self._ip())
        except ServiceError as exc:
            self.error = exc.translate(self.lang)
            return None
        self.error = ""
        self._load()
        self._flash(SAVED)
        return rx.set_value("rule-expression", "")

    @requires(access.RULE_MANAGE)
    @rx.event
    def edit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        rule_id = _int(form.get("rule"))
        try:
            with db.session_scope() as s:
                row = rules.edit(s, current_actor(), rule_id, str(form.get("expression", ""))[:2000],
                                 str(form.get("action", "")), ip=self._ip())
                added = row.id != rule_id
        except ServiceError as exc:
            self.edit_rule, self.edit_error = str(rule_id), exc.translate(self.lang)
            return
        self.edit_rule = self.edit_error = ""
        self._load()
        self._flash(NEW_VERSION if added else SAVED)

    @requires(access.RULE_MANAGE)
    @rx.event
    def preview(self, rule_id: str):
        with db.session_scope() as s:
            shown = rules.preview(s, current_actor(), _int(rule_id), ip=self._ip())
        self._preview = [{"candidate": r.candidate, "at": r.scheduled_at, "numbers": r.numbers}
                         for r in shown.matched]
        self._preview_total, self.preview_rule = shown.total, str(shown.rule_id)
        self._load()

    @requires(access.RULE_MANAGE)
    @rx.event
    def activate(self, rule_id: str):
        with db.session_scope() as s:
            rules.activate(s, current_actor(), _int(rule_id), ip=self._ip())
        self._load()
        self._flash(ACTIVATED)

    @requires(access.RULE_MANAGE)
    @rx.event
    def deactivate(self, rule_id: str):
        with db.session_scope() as s:
            rules.deactivate(s, current_actor(), _int(rule_id), ip=self._ip())
        self._load()
        self._flash(DEACTIVATED)

    def _date(self, value) -> str:
        return i18n.format_date(preparation.in_zone(value, self._tz).date(), self.lang, "medium")

    @rx.var
    def jobs(self) -> list[dict[str, str]]:
        return [{"id": str(j["id"]), "label": f"{j['code']} · {i18n.pick(self.lang, j['zh'], j['en'])}"}
                for j in self._jobs]

    @rx.var
    def names(self) -> str:
        parts = ["overall / 总分"] + [" / ".join(dict.fromkeys((key, zh, en))) for key, (zh, en) in self._names.items()]
        return ", ".join(parts)

    @rx.var
    def rule_cards(self) -> list[dict[str, str]]:
        cards = []
        for versions in self._rules:
            r = versions[0]  # the latest version
            summary = i18n.gettext(self.lang, PREVIEW[r["action"]], matched=r["matched"], total=r["total"]) \
                if r["previewed"] else ""
            history = "\n".join(
                f"{i18n.gettext(self.lang, VERSION, version=v['version'])} · {self._date(v['created_at'])} · "
                f"{i18n.gettext(self.lang, STATUS[v['status']])} · {v['expression']}" for v in versions)
            cards.append({
                "id": str(r["id"]), "no": str(r["no"]), "version": str(r["version"]), "expression": r["expression"],
                "described": rules.describe(r["canonical"], self.lang, self._names),
                "action": r["action"], "action_label": rules.action_words(r["action"], self.lang),
                "status": r["status"], "status_label": i18n.gettext(self.lang, STATUS[r["status"]]),
                "summary": summary, "can_activate": "1" if r["status"] != rules.ACTIVE else "",
                "active": "1" if r["status"] == rules.ACTIVE else "", "history": history,
                "edit_error": self.edit_error if self.edit_rule == str(r["id"]) else "",
                "previewing": "1" if self.preview_rule == str(r["id"]) else ""})
        return cards

    @rx.var
    def preview_summary(self) -> str:
        for versions in self._rules:
            if str(versions[0]["id"]) == self.preview_rule:
                return i18n.gettext(self.lang, PREVIEW[versions[0]["action"]], matched=len(self._preview),
                                    total=self._preview_total)
        return ""

    @rx.var
    def preview_rows(self) -> list[str]:
        return [f"{p['candidate']} · {self._date(p['at'])} · {rules.numbers_words(p['numbers'], self.lang, self._names)}"
                for p in self._preview]


@per_view(routes.HR_DECISIONS)
class HrDecisionsState(BaseState):
    loaded: bool = False
    error_firing: str = ""  # the firing whose reason field shows ``error``
    error: str = ""
    _tz: str = ""
    _waiting: list = []
    _decided: list = []
    _names: dict = {}

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._waiting, self._decided = rules.pending(s, user, ip=self._ip())
            self._names = {job_id: rules.competency_names(s, job_id)
                           for job_id in {v.job_id for v in self._waiting + self._decided}}
        self._tz, self.loaded = user.timezone, True

    @requires(access.DECISION_CONFIRM)
    @rx.event
    def load(self):
        self.error = self.error_firing = ""
        self._load()

    @requires(access.DECISION_CONFIRM)
    @rx.event
    def confirm(self, firing_id: str):
        with db.session_scope() as s:
            rules.decide(s, current_actor(), _int(firing_id), confirm=True, ip=self._ip())
        self.error = self.error_firing = ""
        self._load()
        self._flash(CONFIRMED)

    @requires(access.DECISION_CONFIRM)
    @rx.event
    def override(self, form: dict):
        form = form if isinstance(form, dict) else {}
        firing_id = _int(form.get("firing"))
        try:
            with db.session_scope() as s:
                rules.decide(s, current_actor(), firing_id, confirm=False, reason=str(form.get("reason", ""))[:5000],
                             ip=self._ip())
        except ServiceError as exc:
            self.error_firing, self.error = str(firing_id), exc.translate(self.lang)
            return
        self.error = self.error_firing = ""
        self._load()
        self._flash(OVERRIDDEN)

    def _row(self, v: rules.FiringView) -> dict[str, str]:
        names = self._names.get(v.job_id, {})
        when = lambda value: i18n.format_date(preparation.in_zone(value, self._tz).date(), self.lang, "medium")  # noqa: E731
        decided = ""
        if v.status in DECIDED:
            decided = i18n.gettext(self.lang, DECIDED[v.status], name=v.decided_by, reason=v.reason,
                                   date=when(v.decided_at) if v.decided_at else "")
        return {"id": str(v.id), "candidate": v.candidate, "job": i18n.pick(self.lang, v.job_zh, v.job_en),
                "when": when(v.scheduled_at), "rule": rules.describe(v.canonical, self.lang, names),
                "version": i18n.gettext(self.lang, VERSION, version=v.version), "rule_no": str(v.rule_no),
                "numbers": rules.numbers_words(v.numbers, self.lang, names),
                "proposed": rules.action_words(v.proposed, self.lang),
                "outcome": rules.action_words(v.outcome, self.lang) if v.outcome else "", "decided": decided,
                "error": self.error if self.error_firing == str(v.id) else ""}

    @rx.var
    def waiting(self) -> list[dict[str, str]]:
        return [self._row(v) for v in self._waiting]

    @rx.var
    def decided(self) -> list[dict[str, str]]:
        return [self._row(v) for v in self._decided]
