"""The candidate's preferred time slots (portal/services/interviews/availability.py).

The form's inputs are the browser's own (uncontrolled, keyed per row), so typing
costs no round trip; saving sends them all at once and the service checks them
together. Only the candidate's own slots are ever held here.
"""

from __future__ import annotations

import reflex as rx
from babel.dates import get_day_names, get_timezone_name

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import availability, preparation
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, per_view, requires

SAVED = N_("Your preferred times are saved.")
TIMEZONE = N_("Times are in your time zone: {zone}.")
NEW_SLOT = {"weekday": "0", "start": "09:00", "end": "12:00"}


@per_view(routes.CANDIDATE_AVAILABILITY)
class AvailabilityState(BaseState):
    # One dict per row: key (stable per row, so the browser keeps what was typed),
    # weekday ("0" = Monday), start and end ("HH:MM"), error (a msgid or "").
    rows: list[dict[str, str]] = []
    form_error: str = ""  # a msgid
    zone_name: str = ""  # the candidate's own IANA time zone
    _next_key: int = 0

    def _row(self, weekday: str, start: str, end: str) -> dict[str, str]:
        self._next_key += 1
        return {"key": str(self._next_key), "weekday": weekday, "start": start, "end": end, "error": ""}

    @requires(access.AVAILABILITY_EDIT)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            slots = availability.own_slots(s, user)
        self.zone_name = user.timezone or preparation.DEFAULT_TIMEZONE
        self.rows = [self._row(str(slot.weekday), slot.start, slot.end) for slot in slots]
        self.form_error = ""

    @requires(access.AVAILABILITY_EDIT)
    @rx.event
    def add_slot(self):
        if len(self.rows) >= availability.MAX_SLOTS:
            self.form_error = availability.TOO_MANY
            return
        self.rows = [*self.rows, self._row(**NEW_SLOT)]

    @requires(access.AVAILABILITY_EDIT)
    @rx.event
    def remove_slot(self, key: str):
        self.rows = [row for row in self.rows if row["key"] != str(key)]
        self.form_error = ""

    @requires(access.AVAILABILITY_EDIT)
    @rx.event
    def save(self, form: dict):
        # What the browser shows, in the rows' order; anything else in the form is ignored.
        submitted = [{"key": row["key"], "weekday": str(form.get(f"weekday-{row['key']}", ""))[:2],
                      "start": str(form.get(f"start-{row['key']}", ""))[:8],
                      "end": str(form.get(f"end-{row['key']}", ""))[:8], "error": ""}
                     for row in self.rows]
        self.form_error = ""
        try:
            with db.session_scope() as s:
                availability.save_slots(s, current_actor(), submitted, ip=self._ip())
        except availability.SlotErrors as refused:
            self.rows = [{**row, "error": refused.rows.get(index, "")} for index, row in enumerate(submitted)]
            return
        except ServiceError as refused:
            self.rows = submitted
            self.form_error = refused.msgid
            return
        self._flash(SAVED)
        return AvailabilityState.load

    @rx.var
    def slot_rows(self) -> list[dict[str, str]]:
        return [{**row, "error_text": i18n.gettext(self.lang, row["error"]) if row["error"] else ""}
                for row in self.rows]

    @rx.var
    def form_error_text(self) -> str:
        if not self.form_error:
            return ""
        return i18n.gettext(self.lang, self.form_error, max=availability.MAX_SLOTS)

    @rx.var
    def weekday_options(self) -> list[list[str]]:
        names = get_day_names("wide", locale=self.lang)
        return [[str(day), names[day]] for day in range(7)]

    @rx.var
    def zone_text(self) -> str:
        if not self.zone_name:
            return ""
        zone = preparation.zone(self.zone_name)
        label = get_timezone_name(zone, locale=self.lang)
        return i18n.gettext(self.lang, TIMEZONE, zone=f"{label} ({zone.key})")

    @rx.var
    def can_add(self) -> bool:
        return len(self.rows) < availability.MAX_SLOTS
