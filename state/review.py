"""Reviewing interviews: "my candidates" (/interviewer) and one interview's answers
(/interviewer/interview/<id>) with the recording, transcript, the AI's scores and
evidence, and the reviewer's own rating per competency. Thin: who sees what is decided
by portal/services/interviews/review.py and the access policy. Both pages hold other
people's data, so their vars are emptied when another page loads (``per_view``).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import preparation, review
from portal.services.platform import db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_
from portal.services.reports import report
from state.base import BaseState, current_actor, current_session, per_view, requires

REVIEW_PAGE = routes.REVIEW_INTERVIEW + "/[interview_id]"
RATED = N_("Your rating is saved.")
PUBLISHED = N_("The report is published: the candidate can read it and gets its summary by e-mail.")
SCORED_OF = N_("{scored} of {answers} answers scored")
ANSWER_STATUS = {
    "pending": N_("Being transcribed and scored"),
    "failed": N_("Could not be scored"),
    "no_consent": N_("Not scored: no consent"),
    "scored": N_("Scored"),
}
DELIVERY = N_("{duration} s · {rate} {unit} · {pauses} pauses (longest {longest} s)")
RATE_UNITS = {"chars_per_min": N_("characters/min"), "words_per_min": N_("words/min")}
LEVEL_OF = N_("level {level}")
UNNAMED = N_("Candidate without a name")


@dataclasses.dataclass
class CompetencyRow:
    key: str
    name: str
    ai: str  # "82 · level 4.1", or "" while not scored
    required: str
    evidence: list[str]
    my_level: str  # "1".."5" or ""
    my_note: str
    disagrees: bool
    form_id: str


@dataclasses.dataclass
class AnswerRow:
    id: str
    question: str
    submitted: str
    status: str
    spoken: bool
    media: str  # the playback URL
    transcript: str
    delivery: str
    overall: str
    competencies: list[CompetencyRow]


def _number(value: float, locale: str, digits: int = 0) -> str:
    return i18n.format_number(round(value, digits) if digits else round(value), locale, digits)


def _answer_rows(found: review.InterviewReview, locale: str, tz: str) -> list[AnswerRow]:
    rows = []
    for a in found.answers:
        d = a.delivery
        delivery = i18n.gettext(
            locale, DELIVERY, duration=_number(d.get("duration_s", 0), locale),
            rate=_number(d.get("speaking_rate", 0), locale),
            unit=i18n.gettext(locale, RATE_UNITS.get(d.get("rate_unit", ""), RATE_UNITS["words_per_min"])),
            pauses=_number(d.get("pause_count", 0), locale),
            longest=_number(d.get("longest_pause_s", 0), locale, 1)) if d else ""
        comps = [CompetencyRow(
            key=c.key, name=i18n.pick(locale, c.name_zh, c.name_en),
            ai=(f"{_number(c.ai_score, locale)} · " + i18n.gettext(locale, LEVEL_OF, level=_number(c.ai_level, locale, 1))
                if c.ai_score is not None else ""),
            required=_number(c.required_level, locale), evidence=c.evidence,
            my_level=str(c.my_level or ""), my_note=c.my_note, disagrees=c.disagrees,
            form_id=f"rate-{a.id}-{c.key}") for c in a.competencies]
        rows.append(AnswerRow(
            id=str(a.id), question=i18n.pick(locale, a.question_zh, a.question_en),
            submitted=i18n.format_datetime(preparation.in_zone(a.submitted_at, tz), locale, "short"),
            status=i18n.gettext(locale, ANSWER_STATUS.get(a.status, ANSWER_STATUS["pending"])),
            spoken=a.spoken and found.sensitive, media=f"{routes.REC_MEDIA}?answer={a.id}",
            transcript=a.transcript or "", delivery=delivery,
            overall=_number(a.overall, locale) if a.overall is not None else "", competencies=comps))
    return rows


@per_view(routes.REVIEW_HOME)
class MyCandidatesState(BaseState):
    loaded: bool = False
    _rows: dict[str, list[dict[str, str]]] = {}

    @requires(access.REPORT_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            found = review.my_interviews(s, user)
        tz = user.timezone
        self._rows = {locale: [{
            "id": str(r.id), "candidate": r.candidate or i18n.gettext(locale, UNNAMED),
            "job": i18n.pick(locale, r.title_zh, r.title_en),
            "when": i18n.format_datetime(preparation.in_zone(r.scheduled_at, tz), locale, "medium"),
            "status": i18n.gettext(locale, preparation.STATUS_LABELS.get(r.status, r.status)),
            "progress": i18n.gettext(locale, SCORED_OF, scored=r.scored, answers=r.answers),
            "href": routes.interview_review(r.id)} for r in found] for locale in i18n.LOCALES}
        self.loaded = True

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return self._rows.get(self.lang, [])


@per_view(REVIEW_PAGE)
class InterviewReviewState(BaseState):
    loaded: bool = False
    refused: bool = False
    sensitive: bool = False
    may_rate: bool = False
    needs_reauth: bool = False  # an hr_manager who may see more after confirming it is them
    reauth_href: str = ""
    publication: str = ""  # for HR: "" report not ready, "waiting" to be published, "published"
    _found: review.InterviewReview | None = None
    _tz: str = ""

    def _load(self) -> None:
        user = current_actor()
        try:
            with db.session_scope() as s:
                found = review.review(s, user, self._path_id(), user_session=current_session(),
                                      ip=self._ip())
        except PermissionDenied as exc:
            self._found, self.refused, self.loaded = None, True, True
            self._flash(exc.msgid, kind="error")
            return
        self._found, self._tz, self.refused = found, user.timezone, False
        self.sensitive, self.may_rate = found.sensitive, found.may_rate
        self.needs_reauth = not found.sensitive and user.role == access.HR_MANAGER
        here = routes.interview_review(found.id)
        self.reauth_href = f"{routes.REAUTH}?next={quote(here)}"
        self.publication = found.publication if access.can(user, access.REPORT_PUBLISH) else ""
        self.loaded = True

    @requires(access.REPORT_VIEW)
    @rx.event
    def load(self):
        self.loaded = False
        self._load()

    @requires(access.NOTE_ADD)
    @rx.event
    def rate(self, form: dict):
        form = form if isinstance(form, dict) else {}
        answer = str(form.get("answer", ""))
        try:
            with db.session_scope() as s:
                review.rate(s, current_actor(), int(answer) if answer.isdigit() else 0,
                            str(form.get("competency", ""))[:60], form.get("level", ""),
                            str(form.get("note", "")), ip=self._ip())
        except PermissionDenied:
            raise  # @requires shows it (and the service audited it)
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return None
        self._load()
        self._flash(RATED)
        return None

    @requires(access.REPORT_PUBLISH)
    @rx.event
    def publish(self):
        """HR publishes the score report to the candidate (jobs whose reports HR publishes)."""
        with db.session_scope() as s:
            report.publish(s, current_actor(), self._path_id(), ip=self._ip())
        self._load()
        self._flash(PUBLISHED)

    @rx.var
    def title(self) -> str:
        found = self._found
        if found is None:
            return ""
        name = found.candidate or i18n.gettext(self.lang, UNNAMED)
        return f"{name} · {i18n.pick(self.lang, found.title_zh, found.title_en)}"

    @rx.var
    def when(self) -> str:
        found = self._found
        if found is None:
            return ""
        return i18n.format_datetime(preparation.in_zone(found.scheduled_at, self._tz), self.lang, "medium")

    @rx.var
    def answers(self) -> list[AnswerRow]:
        return _answer_rows(self._found, self.lang, self._tz) if self._found else []
