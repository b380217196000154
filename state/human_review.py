"""HR's queue of human review requests (/hr/reviews): each request with the candidate,
the job and the reason, answered with an explanation that goes back to the candidate's
report and by e-mail. Thin: portal/services/reports/human_review.py decides; the list
is other people's data and is emptied when another page loads (``per_view``)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import preparation
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from portal.services.reports import human_review
from state.base import BaseState, current_actor, per_view, requires

ANSWERED = N_("Your answer is sent to the candidate.")
STATUS = {human_review.OPEN: N_("Waiting for an answer"), human_review.RESOLVED: N_("Answered")}


@per_view(routes.HR_REVIEWS)
class HumanReviewsState(BaseState):
    loaded: bool = False
    _rows: list[human_review.RequestView] = []
    _tz: str = ""

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._rows = human_review.queue(s, user, ip=self._ip())
        self._tz, self.loaded = user.timezone, True

    @requires(access.REVIEW_RESOLVE)
    @rx.event
    def load(self):
        self._load()

    @requires(access.REVIEW_RESOLVE)
    @rx.event
    def resolve(self, form: dict):
        form = form if isinstance(form, dict) else {}
        raw = str(form.get("request", ""))
        try:
            with db.session_scope() as s:
                human_review.resolve(s, current_actor(), int(raw) if raw.isdigit() else 0,
                                     str(form.get("response", "")), ip=self._ip())
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return None
        self._load()
        self._flash(ANSWERED)
        return None

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return [{
            "id": str(r.id), "candidate": r.candidate, "job": i18n.pick(self.lang, r.title_zh, r.title_en),
            "asked": i18n.format_datetime(preparation.in_zone(r.created_at, self._tz), self.lang, "short"),
            "reason": r.reason, "response": r.response, "open": "1" if r.status != human_review.RESOLVED else "",
            "status": i18n.gettext(self.lang, STATUS.get(r.status, STATUS[human_review.OPEN])),
        } for r in self._rows]
