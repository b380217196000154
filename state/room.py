"""The interview room (/candidate/interview/<id>): one question at a time, a reading
time, then a recorded answer (assets/interview_room.js records with MediaRecorder and
uploads the chunks to the recording endpoints while recording) or, where the job allows
it, a typed one. Thin: every rule is in portal/services/interviews/room.py and
recordings.py. The page's vars are the candidate's own interview, both languages kept
so the switch needs no reload, and emptied when another page loads (``per_view``).
"""

from __future__ import annotations

import itertools

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.interviews import preparation, room
from portal.services.platform import db, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, per_view, requires

ROOM_PAGE = routes.INTERVIEW_ROOM + "/[interview_id]"
SAVED = N_("Your answer is saved. The next question follows.")
ALL_DONE = N_("All your answers are saved. Thank you: your report follows once they are scored and reviewed.")
QUESTION_OF = N_("Question {n} of {total}")
SAVED_PART = N_("{seconds} seconds of your answer to this question were saved before the connection ended.")
OPENS_AT = N_("The room opens 15 minutes before your interview: {time}.")
CLOSED = N_("This interview is over: answers can no longer be given.")
SECONDS = N_("{seconds} s")
RETAKES = N_("Retakes left for this question: {count}")

_keys = itertools.count(1)


@per_view(ROOM_PAGE)
class InterviewRoomState(BaseState):
    loaded: bool = False
    refused: bool = False  # not the caller's interview (or none such): nothing is shown
    has_consent: bool = False
    join_state: str = ""  # open | not_yet | closed
    finished: bool = False
    typed_allowed: bool = False
    typed_only: bool = False  # the job asks for typed answers
    typing: bool = False  # the candidate chose to type this answer (or must)
    # What the browser's recorder needs (the candidate's own interview): ids, seconds, a key
    # that changes with every question so the recorder starts over.
    interview_id: int = 0
    question_id: int = 0
    reading_s: int = 0
    limit_s: int = 0
    saved_chunks: int = 0
    retakes_left: int = 0
    recorder_key: str = ""
    error_msgid: str = ""
    error_params: dict[str, str] = {}
    # Backend only: the room in both languages.
    _room: room.Room | None = None
    _opens_at: dict[str, str] = {}

    def _show(self, found: room.Room) -> None:
        self._room, self.refused, self.has_consent = found, False, found.consent
        self.join_state, self.finished = found.join_state, found.finished
        self.typed_allowed = found.answer_mode in (room.VIDEO_OR_TEXT, room.TEXT)
        self.typed_only = found.answer_mode == room.TEXT
        index = found.current
        question = found.questions[index] if index is not None else None
        new_id = question.id if question else 0
        if new_id != self.question_id or not self.recorder_key:
            self.typing = self.typed_only
            self.recorder_key = f"{new_id}-{next(_keys)}" if new_id else ""
        self.interview_id, self.question_id = found.interview_id, new_id
        self.reading_s = found.reading_time_s
        self.limit_s = question.time_limit_s if question else 0
        self.saved_chunks = question.saved_chunks if question else 0
        self.retakes_left = question.retakes_left if question else 0

    def _load(self, user) -> None:
        interview_id = self._path_id()
        self.error_msgid, self.error_params = "", {}
        try:
            with db.session_scope() as s:
                found = room.open_room(s, user, interview_id, ip=self._ip())
        except PermissionDenied as exc:
            self._room, self.refused, self.question_id, self.recorder_key = None, True, 0, ""
            self._flash(exc.msgid, kind="error")
            self.loaded = True
            return
        local = preparation.in_zone(found.scheduled_at - preparation.JOIN_OPENS_BEFORE, user.timezone)
        self._opens_at = {locale: i18n.format_datetime(local, locale, "medium") for locale in i18n.LOCALES}
        self._show(found)
        self.loaded = True

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        self.loaded = False
        self._load(current_actor())

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def answer_saved(self):
        """The recorder submitted the answer (assets/interview_room.js presses #room-saved):
        go on to the next question, or to the end."""
        self._load(current_actor())
        if not self.refused:
            self._flash(ALL_DONE if self.finished else SAVED)

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def retaken(self):
        """The recorder discarded the answer to record it again (#room-retaken): the same
        question, its recorder started over."""
        self.recorder_key = ""
        self._load(current_actor())

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def choose_typing(self, value: bool):
        self.typing = self.typed_only or (bool(value) and self.typed_allowed)

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def submit_typed(self, form: dict):
        text = form.get("answer", "") if isinstance(form, dict) else ""
        user = current_actor()
        try:
            with db.session_scope() as s:
                room.submit_typed(s, user, self.interview_id, self.question_id, text, ip=self._ip())
        except PermissionDenied:
            raise  # @requires shows it (and the service audited it)
        except ServiceError as exc:
            self.error_msgid, self.error_params = exc.msgid, {k: str(v) for k, v in exc.params.items()}
            return None
        self._load(user)
        self._flash(ALL_DONE if self.finished else SAVED)
        return None

    # ---------------------------------------------------------------- shown

    @rx.var
    def title(self) -> str:
        return i18n.pick(self.lang, self._room.title_zh, self._room.title_en) if self._room else ""

    @rx.var
    def question_text(self) -> str:
        found = self._room
        if found is None or found.current is None:
            return ""
        q = found.questions[found.current]
        return i18n.pick(self.lang, q.text_zh, q.text_en)

    @rx.var
    def progress_text(self) -> str:
        found = self._room
        if found is None or found.current is None:
            return ""
        return i18n.gettext(self.lang, QUESTION_OF, n=found.current + 1, total=len(found.questions))

    @rx.var
    def progress_value(self) -> int:
        found = self._room
        if found is None or not found.questions:
            return 0
        done = sum(1 for q in found.questions if q.answered)
        return round(100 * done / len(found.questions))

    @rx.var
    def saved_text(self) -> str:
        found = self._room
        if found is None or found.current is None or not self.saved_chunks:
            return ""
        seconds = round(found.questions[found.current].saved_seconds)
        return i18n.gettext(self.lang, SAVED_PART, seconds=i18n.format_number(seconds, self.lang))

    @rx.var
    def window_text(self) -> str:
        if self.join_state == "not_yet":
            return i18n.gettext(self.lang, OPENS_AT, time=self._opens_at.get(self.lang, ""))
        if self.join_state == "closed" and not self.finished:
            return i18n.gettext(self.lang, CLOSED)
        return ""

    @rx.var
    def limits_text(self) -> str:
        if not self.question_id:
            return ""
        fmt = lambda n: i18n.gettext(self.lang, SECONDS, seconds=i18n.format_number(n, self.lang))  # noqa: E731
        return i18n.gettext(self.lang, N_("Reading time {reading} · answer time {answer}"),
                            reading=fmt(self.reading_s), answer=fmt(self.limit_s))

    @rx.var
    def retakes_text(self) -> str:
        if not self.question_id:
            return ""
        return i18n.gettext(self.lang, RETAKES, count=i18n.format_number(self.retakes_left, self.lang))

    @rx.var
    def error_text(self) -> str:
        return i18n.gettext(self.lang, self.error_msgid, **self.error_params) if self.error_msgid else ""
