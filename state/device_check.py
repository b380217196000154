"""The device check page: which interview it is for, and the latest saved result.

The measuring runs in the browser (portal/static/device_check.js); it hands the
figures back by filling the page's hidden form field and submitting the form, so
they arrive here as an ordinary event (no eval, which the Content-Security-Policy
forbids). The service validates them and decides the verdicts.
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from portal import models, routes
from portal.services.accounts import access
from portal.services.interviews import device_check
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from state.base import BaseState, current_actor, per_view, requires


@per_view(routes.CANDIDATE_DEVICE_CHECK)
class DeviceCheckState(BaseState):
    has_interview: bool = False
    save_error_msgid: str = ""
    saved_msgid: str = ""
    # Backend only: the interview chosen on load (checked there, and again on save).
    _interview_id: int = 0
    _interview_label: dict[str, str] = {}
    _latest: dict[str, dict[str, str]] = {}  # locale -> summary
    _advice: dict[str, list[str]] = {}
    _checked_at: str = ""  # ISO, UTC
    _timezone: str = ""

    def _show(self, check: models.DeviceCheck | None) -> None:
        self._latest = {loc: device_check.summary(check, loc) for loc in i18n.LOCALES} if check else {}
        self._advice = {loc: device_check.advice(check.problems, loc) for loc in i18n.LOCALES} if check else {}
        self._checked_at = device_check.as_utc(check.checked_at).isoformat() if check else ""

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        raw = self.router.url.query_parameters.get("interview", "")
        requested = int(raw) if raw.isdigit() and len(raw) < 12 else None
        # Nothing of a previous load stays if this one is refused (e.g. someone else's interview).
        self.save_error_msgid = self.saved_msgid = ""
        self.has_interview, self._interview_id, self._interview_label = False, 0, {}
        self._latest, self._advice, self._checked_at = {}, {}, ""
        with db.session_scope() as s:
            interview, job, check = device_check.page_view(s, user, requested, ip=self._ip())  # one query
        self._interview_id = interview.id if interview else 0
        self.has_interview = interview is not None
        self._timezone = user.timezone or ""
        self._interview_label = device_check.describe(interview, job, user.timezone) if interview else {}
        self._show(check)

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def save(self, form_data: dict):
        user = current_actor()
        payload = form_data.get("result", "") if isinstance(form_data, dict) else ""
        self.saved_msgid = ""
        try:
            with db.session_scope() as s:
                check = device_check.save(s, user, self._interview_id or None, payload, ip=self._ip())
        except ServiceError as exc:
            self.save_error_msgid = exc.msgid
            return
        self.save_error_msgid = ""
        self.saved_msgid = device_check.SAVED
        self._show(check)  # the newest check is the one just saved

    @rx.var
    def interview_label(self) -> str:
        return self._interview_label.get(self.lang, "")

    @rx.var
    def result(self) -> dict[str, str]:
        return self._latest.get(self.lang, {})

    @rx.var
    def has_result(self) -> bool:
        return bool(self._latest)

    @rx.var
    def advice(self) -> list[str]:
        return self._advice.get(self.lang, [])

    @rx.var
    def checked_at(self) -> str:
        if not self._checked_at:
            return ""
        when = device_check.local_time(datetime.fromisoformat(self._checked_at), self.lang, self._timezone)
        return i18n.gettext(self.lang, device_check.CHECKED_AT, when=when)

    @rx.var
    def save_error(self) -> str:
        return i18n.gettext(self.lang, self.save_error_msgid) if self.save_error_msgid else ""

    @rx.var
    def saved_text(self) -> str:
        return i18n.gettext(self.lang, self.saved_msgid) if self.saved_msgid else ""
