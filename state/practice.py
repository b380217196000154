"""The practice page: choose a question of the practice bank, answer it against its
timer, wait a moment for the scoring worker, read the feedback, try again.

The service (portal/services/interviews/practice.py) holds every rule. After a
submit, a short background event asks for the answer's status every
FEEDBACK_POLL_S (the dispatcher was woken by the commit) and shows the feedback, or
after FEEDBACK_TIMEOUT_S says the scoring service is not answering. The timer runs
in the browser (assets/practice_timer.js) from the key and limit this state sets:
no event per second. Everything shown is the candidate's own, in both languages,
and the state is emptied when another page loads (``per_view``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time

import reflex as rx

from portal import models, routes
from portal.services.accounts import access
from portal.services.interviews import practice
from portal.services.interviews.preparation import zone
from portal.services.platform import db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError
from state.base import BaseState, current_actor, per_view, requires

SCORING = i18n.N_("Scoring your answer… the feedback appears here in a few seconds.")
TIMED_OUT = i18n.N_("The scoring service is not answering right now. Your answer is saved and will be "
                    "scored when it is back: look at your practice history later.")
FAILED = i18n.N_("This answer could not be scored. Change it a little and try again.")
NO_CONSENT = i18n.N_("This answer was not scored: your consent was withdrawn.")
STATUS_LABELS = {
    "pending": i18n.N_("Being scored"),
    "failed": i18n.N_("Could not be scored"),
    "no_consent": i18n.N_("Not scored: no consent"),
}

_keys = itertools.count(1)


@dataclasses.dataclass
class CompetencyView:
    key: str
    name: str
    score: str
    required: str
    value: int  # 0-100, for the bar
    met: bool
    evidence: list[str]


@dataclasses.dataclass
class AttemptView:
    number: str
    when: str
    overall: str  # "" while not scored
    status: str  # the word for an unscored attempt
    change: str  # "+12" / "−3" / ""
    improved: bool
    scores: str  # "Communication 72 · Customer Focus 65"


@dataclasses.dataclass
class QuestionHistoryView:
    question: str
    summary: str
    attempts: list[AttemptView]


def _signed(value: int, locale: str) -> str:
    return ("+" if value >= 0 else "−") + i18n.format_number(abs(value), locale)


def _whole(value: float, locale: str) -> str:
    # Scores are shown whole, and changes are the difference of what is shown.
    return i18n.format_number(round(value), locale)


def _feedback_views(fb: practice.Feedback) -> dict[str, dict]:
    views = {}
    for locale in i18n.LOCALES:
        views[locale] = {
            "overall": _whole(fb.overall, locale),
            "tip": fb.tip[locale],
            "rows": [CompetencyView(key=c.key, name=i18n.pick(locale, c.name_zh, c.name_en),
                                    score=_whole(c.score, locale), required=_whole(c.required_level, locale),
                                    value=max(0, min(100, round(c.score))), met=c.score >= c.required_level,
                                    evidence=c.evidence)
                     for c in fb.competencies],
        }
    return views


def _history_views(found: list[practice.QuestionHistory], tz: str) -> dict[str, list[QuestionHistoryView]]:
    views: dict[str, list[QuestionHistoryView]] = {}
    for locale in i18n.LOCALES:
        out = []
        for h in found:
            scored = [a for a in h.attempts if a.overall is not None]
            if h.improvement is not None:
                summary = i18n.gettext(locale, i18n.N_("From {first} to {last} ({change}) over {count} scored attempts"),
                                       first=_whole(scored[0].overall, locale), last=_whole(scored[-1].overall, locale),
                                       change=_signed(round(scored[-1].overall) - round(scored[0].overall), locale),
                                       count=len(scored))
            else:
                summary = i18n.gettext(locale, i18n.N_("Attempts: {count}"), count=len(h.attempts))
            attempts = []
            previous = None  # the previous scored attempt's overall, as shown
            for n, a in enumerate(h.attempts, 1):
                when = a.submitted_at.astimezone(zone(tz)).replace(tzinfo=None)
                attempts.append(AttemptView(
                    number=i18n.gettext(locale, i18n.N_("Attempt {n}"), n=n),
                    when=i18n.format_datetime(when, locale, "short"),
                    overall=_whole(a.overall, locale) if a.overall is not None else "",
                    status="" if a.overall is not None else i18n.gettext(locale, STATUS_LABELS.get(a.status, "")),
                    change=_signed(round(a.overall) - previous, locale)
                    if a.overall is not None and previous is not None else "",
                    improved=a.overall is not None and previous is not None and round(a.overall) > previous,
                    scores=" · ".join(f"{i18n.pick(locale, *h.names[k])} {_whole(v, locale)}"
                                      for k, v in a.scores.items()),
                ))
                if a.overall is not None:
                    previous = round(a.overall)
            out.append(QuestionHistoryView(question=i18n.pick(locale, h.text_zh, h.text_en), summary=summary,
                                           attempts=list(reversed(attempts))))  # newest first
        views[locale] = out
    return views


def _check(user: models.User, answer_id: int) -> tuple[str, dict, dict]:
    """Runs in a thread: the answer's status and, once scored, its feedback and the history."""
    with db.session_scope() as s:
        status = practice.status(s, user, answer_id)
        if status == "pending":
            return status, {}, {}
        fb = practice.feedback(s, user, answer_id) if status == "scored" else None
        history = _history_views(practice.history(s, user), user.timezone or "")
    return status, _feedback_views(fb) if fb else {}, history


@per_view(routes.CANDIDATE_PRACTICE)
class PracticeState(BaseState):
    loaded: bool = False
    has_consent: bool = False
    selected_id: str = ""  # a practice question's id: not personal
    # The browser's timer restarts whenever the key changes; "" stops it.
    timer_key: str = ""
    time_limit_s: int = 0
    phase: str = ""  # "" answering | scoring | feedback | timeout | failed | no_consent
    error_msgid: str = ""
    error_params: dict[str, str] = {}
    consent_missing: bool = False  # the last submit was refused for want of consent
    # Backend only: both languages of the page's content, and the answer awaited.
    _questions: dict[str, list[dict[str, str]]] = {}
    _feedback: dict[str, dict] = {}
    _history: dict[str, list[QuestionHistoryView]] = {}
    _answer_id: int = 0
    _polling: int = 0  # the answer a background event is waiting for

    def _load_history(self, session, user: models.User) -> None:
        self._history = _history_views(practice.history(session, user), user.timezone or "")

    @requires(access.PRACTICE_USE)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            offered, self.has_consent, history = practice.page(s, user)
            self._questions = {
                locale: [{"id": str(q.id), "job": i18n.pick(locale, q.job_title_zh, q.job_title_en),
                          "text": i18n.pick(locale, q.text_zh, q.text_en),
                          "limit": i18n.gettext(locale, i18n.N_("{minutes} min"),
                                                minutes=i18n.format_number(q.time_limit_s / 60, locale, 1)
                                                .rstrip("0").rstrip(".")),
                          "seconds": str(q.time_limit_s)} for q in offered]
                for locale in i18n.LOCALES}
        self._history = _history_views(history, user.timezone or "")
        if self.selected_id not in {q["id"] for q in self._questions.get("en", [])}:
            self._reset_answer("")
        self.loaded = True

    def _reset_answer(self, question_id: str) -> None:
        self.selected_id = question_id
        limit = next((q["seconds"] for q in self._questions.get("en", []) if q["id"] == question_id), "0")
        self.time_limit_s = int(limit)
        self.timer_key = f"{question_id}-{next(_keys)}" if question_id else ""
        self.phase, self.error_msgid, self.error_params, self.consent_missing = "", "", {}, False
        self._feedback, self._answer_id = {}, 0

    @requires(access.PRACTICE_USE)
    @rx.event
    def choose(self, question_id: str):
        """Start answering a question (its timer starts now)."""
        if str(question_id) not in {q["id"] for q in self._questions.get("en", [])}:
            return
        self._reset_answer(str(question_id))
        return rx.set_focus("practice-answer")

    @requires(access.PRACTICE_USE)
    @rx.event
    def retry(self):
        """The same question again: the text stays to be improved, the timer restarts."""
        if self.selected_id:
            self._reset_answer(self.selected_id)
            return rx.set_focus("practice-answer")

    @requires(access.PRACTICE_USE)
    @rx.event
    def submit(self, form_data: dict):
        user = current_actor()
        if not self.selected_id:
            return
        text = form_data.get("answer", "") if isinstance(form_data, dict) else ""
        try:
            with db.session_scope() as s:
                answer_id = practice.submit(s, user, int(self.selected_id), text if isinstance(text, str) else "")
        except ServiceError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            self.error_msgid, self.error_params = exc.msgid, {k: str(v) for k, v in exc.params.items()}
            self.consent_missing = isinstance(exc, practice.ConsentRequired)
            return
        self.error_msgid, self.error_params, self.consent_missing = "", {}, False
        self._answer_id, self.phase, self.timer_key = answer_id, "scoring", ""
        self._feedback = {}
        return PracticeState.wait_for_feedback

    @requires(access.PRACTICE_USE)
    @rx.event(background=True)
    async def wait_for_feedback(self):
        user = current_actor()
        async with self:
            answer_id = self._answer_id
            if not answer_id or self._polling == answer_id:
                return  # nothing awaited, or already awaited: one poller per answer and tab
            self._polling = answer_id
        deadline = time.monotonic() + practice.FEEDBACK_TIMEOUT_S
        while True:
            await asyncio.sleep(practice.FEEDBACK_POLL_S)
            status, feedback, history = await asyncio.to_thread(_check, user, answer_id)
            async with self:
                if self._answer_id != answer_id:
                    return  # another answer, another page, or signed out meanwhile
                if status != "pending":
                    if self.error_msgid == practice.STILL_SCORING:  # a double click's message is now moot
                        self.error_msgid, self.error_params = "", {}
                    self._history = history
                    self._feedback = feedback
                    self.phase = {"scored": "feedback"}.get(status, status)
                    return
                if time.monotonic() > deadline:
                    self.phase = "timeout"
                    return

    # ---------------------------------------------------------------- what the page shows

    @rx.var
    def questions(self) -> list[dict[str, str]]:
        return self._questions.get(self.lang, [])

    @rx.var
    def selected(self) -> dict[str, str]:
        return next((q for q in self._questions.get(self.lang, []) if q["id"] == self.selected_id), {})

    @rx.var
    def answer_hint(self) -> str:
        return i18n.gettext(self.lang, i18n.N_("Type your answer, up to {max} characters."),
                            max=i18n.format_number(practice.MAX_CHARS, self.lang))

    @rx.var
    def error_text(self) -> str:
        return i18n.gettext(self.lang, self.error_msgid, **self.error_params) if self.error_msgid else ""

    @rx.var
    def status_text(self) -> str:
        msgid = {"scoring": SCORING, "timeout": TIMED_OUT, "failed": FAILED, "no_consent": NO_CONSENT}.get(self.phase)
        return i18n.gettext(self.lang, msgid) if msgid else ""

    @rx.var
    def overall(self) -> str:
        return self._feedback.get(self.lang, {}).get("overall", "")

    @rx.var
    def tip(self) -> str:
        return self._feedback.get(self.lang, {}).get("tip", "")

    @rx.var
    def competencies(self) -> list[CompetencyView]:
        return self._feedback.get(self.lang, {}).get("rows", [])

    @rx.var
    def history(self) -> list[QuestionHistoryView]:
        return self._history.get(self.lang, [])
