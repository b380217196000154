"""Open positions, shown on the home page and the positions page."""

from __future__ import annotations

import reflex as rx

from portal.services import i18n, jobs
from state.base import BaseState, public


class JobsState(BaseState):
    # Both languages are loaded once so the language switch needs no reload.
    _jobs: dict[str, list[dict[str, str]]] = {}

    @public
    @rx.event
    def load(self):
        self._jobs = {locale: jobs.open_jobs(locale) for locale in i18n.LOCALES}

    @rx.var
    def jobs(self) -> list[dict[str, str]]:
        return self._jobs.get(self.lang, [])

    @rx.var
    def open_count(self) -> str:
        return i18n.format_number(len(self._jobs.get(self.lang, [])), self.lang)
