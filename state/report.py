"""The candidate's score report (/candidate/report/<interview id>): overall match, the radar
chart against the job's required levels (and the cohort's median), per competency the
score, the gap, the percentile and the sentences that supported it, strengths and areas
to improve in plain words. Thin: portal/services/reports decides and computes; the
page's vars are the candidate's own and are emptied when another page loads."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import preparation
from portal.services.platform import db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_
from portal.services.reports import decisions, human_review, report
from state.development import CourseCard, enrol_from_card, recommendation_rows
from state.base import BaseState, current_actor, current_session, per_view, requires

REPORT_PAGE = routes.CANDIDATE_REPORT + "/[interview_id]"
ASKED = N_("Your request is sent. A person reviews your report and answers you by e-mail.")
GAP_BELOW = N_("{gap} below")
GAP_ABOVE = N_("{gap} above")


@dataclasses.dataclass
class ReportRow:
    key: str
    name: str
    score: str
    required: str
    gap: str
    below: bool
    percentile: str
    evidence: list[str]


def _n(value: float, locale: str) -> str:
    return i18n.format_number(round(value), locale)


@per_view(REPORT_PAGE)
class ReportState(BaseState):
    loaded: bool = False
    refused: bool = False
    ready: bool = False
    awaiting_hr: bool = False  # scored, waiting for HR to publish it
    review_status: str = ""  # the candidate's own latest human review request
    review_response: str = ""
    review_error_msgid: str = ""
    review_error_params: dict[str, str] = {}
    _found: report.CandidateReport | None = None
    _tz: str = ""

    @requires(access.REPORT_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        self.loaded = False
        try:
            with db.session_scope() as s:
                self._found = report.candidate_report(s, user, self._path_id(),
                                                      user_session=current_session(), ip=self._ip())
        except PermissionDenied as exc:
            self._found, self.refused, self.ready, self.loaded = None, True, False, True
            self.awaiting_hr = False
            self._flash(exc.msgid, kind="error")
            return
        self._tz, self.refused, self.ready, self.loaded = user.timezone, False, self._found.ready, True
        self.awaiting_hr = self._found.awaiting_hr
        self.review_status, self.review_response = self._found.review_status, self._found.review_response

    @requires(access.REVIEW_REQUEST)
    @rx.event
    def ask_review(self, form: dict):
        """Ask for a human review of this report (PIPL art. 24), with a reason."""
        if self._found is None:
            return None
        reason = form.get("reason", "") if isinstance(form, dict) else ""
        try:
            with db.session_scope() as s:
                human_review.ask(s, current_actor(), self._found.interview_id, reason, ip=self._ip())
        except PermissionDenied:
            raise  # @requires shows it (and the service audited it)
        except ServiceError as exc:
            self.review_error_msgid = exc.msgid
            self.review_error_params = {k: str(v) for k, v in exc.params.items()}
            return None
        self.review_error_msgid, self.review_error_params, self.review_status = "", {}, human_review.OPEN
        self._flash(ASKED)
        return None

    @requires(access.COURSE_ENROL)
    @rx.event
    def enrol(self, course_id: str):
        """One click from the report: enrol in a course recommended for its gaps."""
        found = self._found
        done = enrol_from_card(course_id, found.recommended if found else [], self._ip(), self.lang)
        if done is not None:  # the recommendations without the course now taken
            self._found = dataclasses.replace(found, recommended=[r for r in found.recommended
                                                                 if r.course.id != done[0]])
            self._flash(done[1], **done[2])

    @rx.var
    def recommended(self) -> list[CourseCard]:
        return recommendation_rows(self._found.recommended, self.lang, self._tz) if self._found else []

    @rx.var
    def decision(self) -> list[str]:
        found = self._found
        if found is None or not found.decisions:
            return []
        return decisions.decision_words(found.decisions, self.lang, found.names,
                                        lambda value: preparation.in_zone(value, self._tz))

    @rx.var
    def next_steps(self) -> list[str]:
        found = self._found
        if found is None or found.published_at is None:
            return []
        first = found.recommended[0] if found.recommended else None
        course = (first.course.title_zh, first.course.title_en,
                  preparation.in_zone(first.offering.starts_at, self._tz)) if first else None
        return decisions.next_steps(decisions.advanced(found.decisions), preparation.in_zone(found.published_at, self._tz),
                                    self.lang, course)

    @rx.var
    def review_error(self) -> str:
        if not self.review_error_msgid:
            return ""
        return i18n.gettext(self.lang, self.review_error_msgid, **self.review_error_params)

    @rx.var
    def pdf_href(self) -> str:
        return f"{routes.REPORT_PDF}?interview={self._found.interview_id}" if self._found else ""

    @rx.var
    def title(self) -> str:
        found = self._found
        if found is None:
            return ""
        when = i18n.format_date(preparation.in_zone(found.scheduled_at, self._tz).date(), self.lang, "long")
        return f"{i18n.pick(self.lang, found.title_zh, found.title_en)} · {when}"

    @rx.var
    def overall(self) -> str:
        numbers = self._found.numbers if self._found else None
        return _n(numbers.overall, self.lang) if numbers else ""

    @rx.var
    def overall_percentile(self) -> str:
        numbers = self._found.numbers if self._found else None
        return report.percentile_words(numbers.overall_percentile, self.lang) if numbers else ""

    @rx.var
    def chart(self) -> str:
        numbers = self._found.numbers if self._found else None
        return report.radar(numbers, self.lang) if numbers else ""

    @rx.var
    def rows(self) -> list[ReportRow]:
        numbers = self._found.numbers if self._found else None
        if numbers is None:
            return []
        out = []
        for c in numbers.competencies:
            gap = round(c.score) - round(c.required)  # of the numbers as shown
            out.append(ReportRow(
                key=c.key, name=i18n.pick(self.lang, c.name_zh, c.name_en), score=_n(c.score, self.lang),
                required=_n(c.required, self.lang),
                gap=i18n.gettext(self.lang, GAP_BELOW if gap < 0 else GAP_ABOVE, gap=_n(abs(gap), self.lang))
                if gap else "",
                below=gap < 0,
                percentile=report.percentile_words(c.percentile, self.lang) if c.percentile is not None else "",
                evidence=c.evidence))
        return out

    @rx.var
    def strengths(self) -> list[str]:
        numbers = self._found.numbers if self._found else None
        if numbers is None:
            return []
        by_key = {c.key: c for c in numbers.competencies}
        return [report.plain_words(by_key[k], self.lang) for k in numbers.strengths]

    @rx.var
    def improvements(self) -> list[str]:
        numbers = self._found.numbers if self._found else None
        if numbers is None:
            return []
        by_key = {c.key: c for c in numbers.competencies}
        return [report.plain_words(by_key[k], self.lang) for k in numbers.improvements]
