"""Privacy pages (issue 12 · privacy): one's own data (/account/privacy), HR's deletion
requests (/hr/privacy) and the admin's retention periods (/admin/retention). Thin: the
services (accounts/privacy.py, platform/retention.py) check permissions, decide and
audit; the request lists are other people's data (``per_view``, ``_vars``)."""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from portal import routes
from portal.services.accounts import access, privacy
from portal.services.interviews import consent
from portal.services.platform import db, i18n, navigation, retention
from portal.services.platform.errors import FieldErrors, ServiceError
from portal.services.platform.i18n import LOCALES, N_
from state.base import BaseState, current_actor, per_view, requires

REQUESTED = N_("Your request is sent. HR decides on it; this page shows the outcome.")
APPROVED = N_("The request is approved: the person's data is deleted and their account closed.")
REFUSED = N_("The request is refused; the person sees your reason.")
SAVED = N_("The retention periods are saved.")
PURGED = N_("The purge ran: {summary}.")
NO_RUN = N_("The purge has not run yet.")
LAST_RUN = N_("Last purge {when} ({trigger}): {summary}")
REMOVED = N_("{what}: {count}")
TRIGGERS = {"daily": N_("daily"), "admin": N_("from this page"), "cli": N_("command line")}
STATUS = {privacy.OPEN: N_("Waiting for HR's decision"), privacy.APPROVED: N_("Approved"),
          privacy.REFUSED: N_("Refused")}
USER_REF = N_("User {id}")


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


def _when(value: datetime | None, lang: str) -> str:
    return i18n.format_datetime(value, lang, "short") if value else ""


@per_view(routes.ACCOUNT_PRIVACY)
class MyDataState(BaseState):
    loaded: bool = False
    may_ask: bool = False
    reason_error: str = ""
    _request: dict = {}

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            found = privacy.latest_request(s, user)
            self._request = ({"status": found.status, "note": found.decision_note, "at": found.created_at}
                             if found else {})
        self.may_ask, self.reason_error, self.loaded = privacy.may_ask(user), "", True

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def load(self):
        self._load()

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def request_deletion(self, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            with db.session_scope() as s:
                privacy.request_deletion(s, current_actor(), str(form.get("reason", ""))[:5000], ip=self._ip())
        except ServiceError as exc:
            self.reason_error = exc.translate(self.lang)
            return
        self._load()
        self._flash(REQUESTED)

    @rx.var
    def request_status(self) -> str:
        """"" (none), open, approved or refused."""
        return self._request.get("status", "")

    @rx.var
    def request_text(self) -> str:
        if not self._request:
            return ""
        return (i18n.gettext(self.lang, STATUS[self._request["status"]]) + " · "
                + _when(self._request["at"], self.lang))

    @rx.var
    def request_note(self) -> str:
        return self._request.get("note", "")

    @rx.var
    def export_url(self) -> str:
        return routes.PRIVACY_EXPORT


@per_view(routes.HR_PRIVACY)
class HrPrivacyState(BaseState):
    loaded: bool = False
    error_request: str = ""  # the request whose refusal lacks a reason
    error_text: str = ""
    confirming: str = ""  # the request whose approval waits for its confirmation
    _open: list[dict] = []
    _recent: list[dict] = []

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._open, self._recent = privacy.queue(s, user, ip=self._ip())
        self.loaded = True

    @requires(access.PRIVACY_APPROVE)
    @rx.event
    def load(self):
        self.error_request, self.error_text, self.confirming = "", "", ""
        self._load()

    @requires(access.PRIVACY_APPROVE)
    @rx.event
    def approve(self, request_id: str):
        """The first click asks to confirm (deleting cannot be undone); only a second,
        on the same request's confirmation, deletes."""
        self.error_request, self.error_text = "", ""
        if self.confirming != str(request_id):
            self.confirming = str(request_id) if str(request_id) in {str(r["id"]) for r in self._open} else ""
            return
        self.confirming = ""
        with db.session_scope() as s:
            privacy.approve(s, current_actor(), _int(request_id), ip=self._ip())
        self._load()
        self._flash(APPROVED)

    @requires(access.PRIVACY_APPROVE)
    @rx.event
    def cancel_approve(self):
        self.confirming = ""

    @requires(access.PRIVACY_APPROVE)
    @rx.event
    def refuse(self, form: dict):
        form = form if isinstance(form, dict) else {}
        request_id = _int(form.get("request"))
        try:
            with db.session_scope() as s:
                privacy.refuse(s, current_actor(), request_id, str(form.get("note", ""))[:5000], ip=self._ip())
        except ServiceError as exc:
            self.error_request, self.error_text = str(request_id), exc.translate(self.lang)
            return
        self.error_request, self.error_text = "", ""
        self._load()
        self._flash(REFUSED)

    @rx.var
    def requests(self) -> list[dict[str, str]]:
        return [{"id": str(r["id"]), "who": f"{r['name']} <{r['email']}>".strip(),
                 "role": navigation.role_name(r["role"], self.lang), "reason": r["reason"],
                 "at": _when(r["created_at"], self.lang)} for r in self._open]

    @rx.var
    def decisions(self) -> list[dict[str, str]]:
        return [{"id": str(r["id"]), "who": i18n.gettext(self.lang, USER_REF, id=r["user_id"]),
                 "role": navigation.role_name(r["role"], self.lang),
                 "status": i18n.gettext(self.lang, STATUS[r["status"]]), "note": r["note"],
                 "at": _when(r["decided_at"], self.lang)} for r in self._recent]


def _summary(counts: dict, lang: str) -> str:
    return ", ".join(i18n.gettext(lang, REMOVED, what=i18n.gettext(lang, retention.CLASS_NAMES[c]),
                                  count=counts.get(c, 0)) for c in retention.CLASSES)


@per_view(routes.ADMIN_RETENTION)
class RetentionState(BaseState):
    loaded: bool = False
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    _last: dict = {}

    # consent text versions (not personal data): the history and the publish form
    consent_values: dict[str, str] = {}
    consent_errors: dict[str, str] = {}
    _consent_history: list[dict] = []

    def _load(self) -> None:
        with db.session_scope() as s:
            days = retention.settings(s, current_actor(), ip=self._ip())
            run = retention.last_run(s)
            self._last = ({"at": run.finished_at, "trigger": run.trigger, "counts": dict(run.counts)}
                          if run else {})
            self._consent_history = consent.history(s)
            current = consent.texts(s)
        self.values = {c: "" if d is None else str(d) for c, d in days.items()}
        # the form starts from the current text: a new version is usually an edit of it
        self.consent_values = {"version": ""} | {
            f"{loc}.{name}": (consent.sections_markup(current[loc]["sections"]) if name == "sections"
                              else current[loc][name])
            for loc in LOCALES for name in CONSENT_FIELDS}
        self.loaded = True

    @requires(access.RETENTION_MANAGE)
    @rx.event
    def load(self):
        self.errors = {}
        self._load()

    @requires(access.RETENTION_MANAGE)
    @rx.event
    def save(self, form: dict):
        form = form if isinstance(form, dict) else {}
        values = {c: str(form.get(c, ""))[:20] for c in retention.CLASSES}
        try:
            with db.session_scope() as s:
                retention.save(s, current_actor(), values, ip=self._ip())
        except retention.RetentionErrors as exc:
            self.values = values  # what was typed stays in the fields, the refusal beside it
            self.errors = {c: i18n.gettext(self.lang, msgid, **params) for c, (msgid, params) in exc.fields.items()}
            return
        self.errors = {}
        self._load()
        self._flash(SAVED)

    @requires(access.RETENTION_MANAGE)
    @rx.event
    def publish_consent(self, form: dict):
        form = form if isinstance(form, dict) else {}
        values = {k: str(form.get(k, ""))[:consent.MAX["sections"] + 1] for k in self.consent_values}
        texts = {loc: {name: values.get(f"{loc}.{name}", "") for name in CONSENT_FIELDS} for loc in LOCALES}
        try:
            with db.session_scope() as s:
                consent.publish(s, current_actor(), values.get("version", ""), texts, ip=self._ip())
        except FieldErrors as exc:
            self.consent_values = values  # what was typed stays, the refusal beside its field
            self.consent_errors = {k: i18n.gettext(self.lang, msgid, **params)
                                   for k, (msgid, params) in exc.fields.items()}
            return
        self.consent_errors = {}
        self._load()
        self._flash(CONSENT_PUBLISHED, version=values["version"].strip())

    @rx.var
    def consent_history(self) -> list[dict[str, str]]:
        current = self._consent_history[0]["version"] if self._consent_history else ""
        return [{"version": h["version"],
                 "when": (_when(h["published_at"], self.lang) if h["published_at"]
                          else i18n.gettext(self.lang, CONSENT_BUILTIN)),
                 "current": i18n.gettext(self.lang, CONSENT_CURRENT) if h["version"] == current else ""}
                for h in self._consent_history]

    @rx.var
    def consent_fields(self) -> list[dict[str, str]]:
        version = {"name": "version", "id": "consent-version", "label": i18n.gettext(self.lang, CONSENT_VERSION),
                   "value": self.consent_values.get("version", ""), "error": self.consent_errors.get("version", ""),
                   "multiline": "", "hint": ""}
        return [version] + [{"name": f"{loc}.{name}", "id": f"consent-{loc}-{name}",
                 "label": i18n.gettext(self.lang, CONSENT_LABELS[name], language=i18n.gettext(self.lang, LANGUAGE[loc])),
                 "value": self.consent_values.get(f"{loc}.{name}", ""),
                 "error": self.consent_errors.get(f"{loc}.{name}", ""),
                 "multiline": "1" if name in ("intro", "sections") else "",
                 "hint": i18n.gettext(self.lang, consent.SECTIONS_FORMAT) if name == "sections" else ""}
                for loc in LOCALES for name in CONSENT_FIELDS]

    @requires(access.RETENTION_MANAGE)
    @rx.event
    def run_now(self):
        with db.session_scope() as s:
            counts = retention.purge(s, trigger="admin", user=current_actor(), ip=self._ip())
        self._load()
        self._flash(PURGED, summary=_summary(counts, self.lang))

    @rx.var
    def fields(self) -> list[dict[str, str]]:
        return [{"name": c, "label": i18n.gettext(self.lang, retention.CLASS_NAMES[c]),
                 "value": self.values.get(c, ""), "error": self.errors.get(c, ""),
                 "min": str(retention.MINIMUM_DAYS[c]),
                 "hint": i18n.gettext(self.lang, MIN_HINT, min=retention.MINIMUM_DAYS[c])}
                for c in retention.CLASSES]

    @rx.var
    def last_run(self) -> str:
        if not self._last:
            return i18n.gettext(self.lang, NO_RUN)
        return i18n.gettext(self.lang, LAST_RUN, when=_when(self._last["at"], self.lang),
                            trigger=i18n.gettext(self.lang, TRIGGERS.get(self._last["trigger"], "daily")),
                            summary=_summary(self._last["counts"], self.lang))


CONSENT_FIELDS = ("title", "intro", "sections", "agree_label")
CONSENT_LABELS = {"title": N_("Title ({language})"), "intro": N_("Introduction ({language})"),
                  "sections": N_("Sections ({language})"), "agree_label": N_("Agree button ({language})")}
LANGUAGE = {"zh_CN": N_("Chinese"), "en": N_("English")}
CONSENT_PUBLISHED = N_("Consent text {version} is published; everyone is asked to agree to it.")
CONSENT_BUILTIN = N_("built in")
CONSENT_VERSION = N_("Version, e.g. 2027-01")
CONSENT_CURRENT = N_("current")
MIN_HINT = N_("Days; at least {min}. Empty: kept until you set a period.")
