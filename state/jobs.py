"""Open positions, shown on the home page and the positions page."""

from __future__ import annotations

import reflex as rx

from portal.services.platform import i18n
from portal.services.interviews import jobs
from portal import routes
from state.base import BaseState, public, shown_on


@shown_on(routes.HOME, routes.JOBS)
class JobsState(BaseState):
    # Both languages are kept so the language switch needs no reload. The content
    # comes from the service's per-process copy and is assigned only when its
    # version changed: an assignment recomputes the vars and resends the list.
    _jobs: dict[str, list[dict[str, str]]] = {}
    _jobs_version: str = ""

    @public
    @rx.event
    def load(self):
        content = jobs.open_jobs_content()
        if content.version != self._jobs_version:
            self._jobs, self._jobs_version = content.by_locale, content.version

    @rx.var
    def jobs(self) -> list[dict[str, str]]:
        return self._jobs.get(self.lang, [])

    @rx.var
    def open_count(self) -> str:
        return i18n.format_number(len(self._jobs.get(self.lang, [])), self.lang)
