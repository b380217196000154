"""HR's interviewer profiles (/hr/interviewers). Thin: the service validates, stores
and audits; photos go through portal/hr_routes.py (a plain multipart form)."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import access
from portal.services.interviews import interviewer_profiles
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, requires

SAVED = N_("The interviewer profile is saved.")
_FIELDS = ("name_zh", "name_en", "title_zh", "title_en", "years_experience", "background_zh",
           "background_en", "focus_zh", "focus_en")


def _blank() -> dict[str, str]:
    return {k: "" for k in _FIELDS} | {"years_experience": "0", "is_active": "1"}


class HrInterviewersState(BaseState):
    loaded: bool = False
    profiles: list[dict[str, str]] = []
    editing_id: int = 0  # 0: a new profile
    form: dict[str, str] = _blank()
    error: str = ""
    notice: str = ""

    def _load(self) -> None:
        zh = self.lang == "zh_CN"
        with db.session_scope() as s:
            rows = interviewer_profiles.list_profiles(s, current_actor(), ip=self._ip())
            self.profiles = [{
                "id": str(p.id), "name": p.name_zh if zh else p.name_en,
                "title": p.title_zh if zh else p.title_en, "years": str(p.years_experience),
                "photo": p.photo, "active": "1" if p.is_active else "",
            } for p in rows]
        self.loaded = True

    @requires(access.CONFIG_EDIT)
    @rx.event
    def load(self):
        # the photo form comes back here with a message key (only catalogue messages show)
        params = self.router.url.query_parameters
        error, notice = i18n.msgid_for_key(params.get("e")), i18n.msgid_for_key(params.get("m"))
        self.error = i18n.gettext(self.lang, error) if error else ""
        self.notice = i18n.gettext(self.lang, notice) if notice else ""
        self._load()

    @requires(access.CONFIG_EDIT)
    @rx.event
    def edit(self, profile_id: str):
        self.error = self.notice = ""
        if not str(profile_id).isdigit():
            return
        with db.session_scope() as s:
            found = [p for p in interviewer_profiles.list_profiles(s, current_actor(), ip=self._ip())
                     if p.id == int(profile_id)]
            if not found:
                self.error = i18n.gettext(self.lang, interviewer_profiles.NOT_FOUND)
                return
            p = found[0]
            self.form = {k: str(getattr(p, k)) for k in _FIELDS} | {"is_active": "1" if p.is_active else ""}
            self.editing_id = p.id

    @requires(access.CONFIG_EDIT)
    @rx.event
    def new(self):
        self.editing_id, self.form, self.error, self.notice = 0, _blank(), "", ""

    @requires(access.CONFIG_EDIT)
    @rx.event
    def save(self, form: dict):
        form = form if isinstance(form, dict) else {}
        fields = {k: str(form.get(k, ""))[:2000] for k in _FIELDS}
        fields["is_active"] = bool(form.get("is_active"))
        self.notice = ""
        try:
            with db.session_scope() as s:
                profile = interviewer_profiles.save_profile(s, current_actor(), fields, self.editing_id or None,
                                                            ip=self._ip())
                self.editing_id = profile.id
        except ServiceError as exc:
            # what was typed stays in the form; nothing is stored
            self.form = {k: str(v) for k, v in fields.items()} | {"is_active": "1" if fields["is_active"] else ""}
            self.error = exc.translate(self.lang)
            return None
        self.error = ""
        self.form = {k: str(v) for k, v in fields.items()} | {"is_active": "1" if fields["is_active"] else ""}
        self._load()
        self._flash(SAVED)
        return None
