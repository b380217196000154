"""HR's e-mail templates (/hr/templates). Thin: portal/services/platform/templates.py
validates, stores, audits and previews."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import access
from portal.services.development import catalogue
from portal.services.platform import db, i18n, templates
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, requires

SAVED = N_("The template is saved.")
NOTHING_IMPORTED = N_("Nothing was imported: correct these rows and import the file again.")
LINE = N_("Line {line}:")
IMPORTED = N_("{count} courses imported.")


class TemplatesState(BaseState):
    loaded: bool = False
    key: str = ""
    keys: list[str] = []
    # locale -> {"subject", "body", "preview_subject", "preview_body"}
    forms: list[dict[str, str]] = []
    allowed: str = ""
    error: str = ""

    def _load(self) -> None:
        with db.session_scope() as s:
            rows = templates.list_templates(s, current_actor(), ip=self._ip())
            by = {(r.key, r.locale): (r.subject, r.body) for r in rows}
        self.keys = sorted({k for k, _ in by})
        if self.key not in self.keys:
            self.key = self.keys[0] if self.keys else ""
        self.allowed = " ".join("{" + p + "}" for p in sorted(templates.allowed_placeholders().get(self.key, ())))
        forms = []
        for locale in templates.LOCALES:
            subject, body = by.get((self.key, locale), ("", ""))
            try:
                ps, pb = templates.preview(self.key, locale, subject, body)
            except ServiceError:
                ps, pb = "", ""
            forms.append({"locale": locale, "subject": subject, "body": body,
                          "preview_subject": ps, "preview_body": pb})
        self.forms, self.loaded = forms, True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        self.error = ""
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def choose(self, key: str):
        self.key, self.error = str(key), ""
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save(self, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            with db.session_scope() as s:
                templates.save(s, current_actor(), self.key, str(form.get("locale", "")),
                               str(form.get("subject", "")), str(form.get("body", "")), ip=self._ip())
        except ServiceError as exc:
            self.error = exc.translate(self.lang)
            return None
        self.error = ""
        self._load()
        self._flash(SAVED)
        return None


class CoursesState(BaseState):
    loaded: bool = False
    courses: list[dict[str, str]] = []
    row_errors: list[str] = []
    error: str = ""

    def _load(self) -> None:
        with db.session_scope() as s:
            rows = catalogue.list_courses(s, current_actor(), ip=self._ip())
            self.courses = [{"code": c.code, "title": c.title_zh if self.lang == "zh_CN" else c.title_en,
                             "format": c.format, "level": str(c.level), "tags": ", ".join(tags),
                             "hours": f"{c.duration_hours:g}", "active": "1" if c.is_active else ""}
                            for c, tags in rows]
        self.loaded = True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        self.error, self.row_errors = "", []
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def import_csv(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.error, self.row_errors = "", []
        try:
            with db.session_scope() as s:
                result = catalogue.import_csv(s, current_actor(), str(form.get("csv", "")).encode("utf-8"),
                                              ip=self._ip())
        except ServiceError as exc:
            self.error = exc.translate(self.lang)
            return None
        if result.errors:
            self.error = i18n.gettext(self.lang, NOTHING_IMPORTED)
            self.row_errors = [i18n.gettext(self.lang, LINE, line=e.line) + " "
                               + i18n.gettext(self.lang, e.msgid, **e.params) for e in result.errors]
            return None
        self._load()
        self._flash(IMPORTED, count=result.imported)
        return None
