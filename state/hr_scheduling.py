"""HR's scheduling page (/hr/schedule): find a candidate (or invite a new one), pick a
job, interviewers and a duration, book one of the suggested slots; a CSV batch; the
upcoming interviews, moved or cancelled. Thin: portal/services/interviews/scheduling.py
decides and audits; the lists are other people's data (``per_view``, ``_vars``)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import reflex as rx

from portal import routes
from portal.services.accounts import access, auth
from portal.services.interviews import preparation, reminders, scheduling
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from state.base import BaseState, current_actor, per_view, requires

SCHEDULED = N_("The interview is scheduled; the candidate gets an e-mail with a calendar file.")
MOVED = N_("The interview is moved; the candidate gets an updated calendar file.")
CANCELLED = N_("The interview is cancelled; the candidate and the interviewers are told by e-mail.")
BATCH_DONE = N_("{count} interviews are scheduled.")
INVITED = N_("An invitation to create an account is sent to {email}. Schedule the interview once they have signed up.")
CHOOSE_CANDIDATE = N_("Choose a candidate first.")
NO_SLOTS = N_("No suggested slot fits; try other interviewers or a shorter interview.")
ROW_ERROR = N_("Row {row}: {error}")
BAD_MOVE_TIME = N_("Enter the new date and time.")


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


@per_view(routes.HR_SCHEDULE)
class HrScheduleState(BaseState):
    loaded: bool = False
    candidate_id: int = 0
    job_id: int = 0
    duration: int = 45
    batch_errors: list[str] = []
    _tz: str = ""
    _found: list[dict] = []
    _candidate: dict = {}
    _jobs: list[dict] = []
    _people: list[dict] = []
    _chosen: list[int] = []
    _slots: list[datetime] = []
    _upcoming: list[dict] = []

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._jobs, self._people = scheduling.options(s, user, ip=self._ip())
            self._upcoming = scheduling.upcoming(s, user, ip=self._ip())
        if not self.job_id and self._jobs:
            self.job_id = self._jobs[0]["id"]
        self._tz, self.loaded = user.timezone, True

    def _fmt(self, value: datetime) -> str:
        return i18n.format_datetime(preparation.in_zone(value, self._tz), self.lang, "full")

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def load(self):
        self._load()

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def search(self, form: dict):
        form = form if isinstance(form, dict) else {}
        with db.session_scope() as s:
            self._found = scheduling.find_candidates(s, current_actor(), str(form.get("query", "")), ip=self._ip())

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def choose(self, candidate_id: str):
        found = [c for c in self._found if str(c["id"]) == str(candidate_id)]
        if found:
            self._candidate, self.candidate_id, self._slots = found[0], found[0]["id"], []

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def pick_job(self, job_id: str):
        """The chosen position's stages show at once, before slots are suggested."""
        chosen = _int(job_id)
        if any(j["id"] == chosen for j in self._jobs):
            self.job_id = chosen

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def invite_new(self, form: dict):
        form = form if isinstance(form, dict) else {}
        email = str(form.get("email", ""))[:254]
        try:
            with db.session_scope() as s:
                auth.create_invitation(s, current_actor(), email, "candidate", self.job_id or None,
                                       ip=self._ip(), locale=self.lang)
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        self._flash(INVITED, email=email)

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def suggest(self, form: dict):
        form = form if isinstance(form, dict) else {}
        if not self.candidate_id:
            self._flash(CHOOSE_CANDIDATE, kind="error")
            return
        self.job_id = _int(form.get("job")) or self.job_id
        self.duration = _int(form.get("duration")) or 45
        self._chosen = [p["id"] for p in self._people if form.get(f"iv_{p['id']}")]
        try:
            with db.session_scope() as s:
                self._slots = scheduling.suggested_slots(s, current_actor(), self.candidate_id, tuple(self._chosen),
                                                         self.duration, ip=self._ip())
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        if not self._slots:
            self._flash(NO_SLOTS, kind="error")

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def book(self, iso: str):
        try:
            at = datetime.fromisoformat(str(iso))
            if at not in self._slots:  # only a slot the page suggested (and may still be free)
                raise ValueError(iso)
            with db.session_scope() as s:
                scheduling.schedule_interview(s, current_actor(), self.candidate_id, self.job_id, at,
                                              duration_min=self.duration, interviewer_ids=tuple(self._chosen),
                                              ip=self._ip())
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        except ValueError:
            self._flash(scheduling.TIME_IN_PAST, kind="error")
            return
        self._slots = []
        self._load()
        self._flash(SCHEDULED)

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def batch(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.batch_errors = []
        try:
            with db.session_scope() as s:
                done = scheduling.schedule_batch(s, current_actor(), str(form.get("csv", ""))[:200_000],
                                                 ip=self._ip())
        except scheduling.BatchErrors as exc:
            self.batch_errors = [i18n.gettext(self.lang, ROW_ERROR, row=row, error=i18n.gettext(self.lang, msgid))
                                 for row, msgid in sorted(exc.rows.items())]
            return
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        self._load()
        self._flash(BATCH_DONE, count=len(done))

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def move(self, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            local = datetime.fromisoformat(str(form.get("at", "")).strip())
        except ValueError:
            self._flash(BAD_MOVE_TIME, kind="error")
            return
        zone = preparation.zone(self._tz) if self._tz else ZoneInfo("Asia/Shanghai")
        at = local.replace(tzinfo=zone) if local.tzinfo is None else local
        try:
            with db.session_scope() as s:
                scheduling.reschedule_interview(s, current_actor(), _int(form.get("interview")), at, ip=self._ip())
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        self._load()
        self._flash(MOVED)

    @requires(access.INTERVIEW_SCHEDULE)
    @rx.event
    def cancel(self, interview_id: str):
        try:
            with db.session_scope() as s:
                scheduling.cancel_interview(s, current_actor(), _int(interview_id), ip=self._ip())
        except ServiceError as exc:
            self._flash(exc.msgid, kind="error", **exc.params)
            return
        self._load()
        self._flash(CANCELLED)

    @rx.var
    def found(self) -> list[dict[str, str]]:
        return [{"id": str(c["id"]), "label": f"{c['name'] or ''} <{c['email']}>"} for c in self._found]

    @rx.var
    def candidate(self) -> str:
        c = self._candidate
        return f"{c.get('name') or ''} <{c.get('email', '')}>" if c else ""

    @rx.var
    def jobs(self) -> list[dict[str, str]]:
        return [{"id": str(j["id"]), "label": f"{j['code']} · {i18n.pick(self.lang, j['title_zh'], j['title_en'])}"}
                for j in self._jobs]

    @rx.var
    def stages(self) -> list[str]:
        for j in self._jobs:
            if j["id"] == self.job_id:
                return [f"{n + 1}. {i18n.pick(self.lang, zh, en)} ({minutes} min)"
                        for n, (zh, en, minutes) in enumerate(j["stages"])]
        return []

    @rx.var
    def interviewers(self) -> list[dict[str, str]]:
        return [{"name": f"iv_{p['id']}", "label": i18n.pick(self.lang, p["name_zh"], p["name_en"])}
                for p in self._people]

    @rx.var
    def slots(self) -> list[dict[str, str]]:
        return [{"iso": s.astimezone(timezone.utc).isoformat(), "label": self._fmt(s)} for s in self._slots]

    @rx.var
    def checklist(self) -> str:
        return reminders.checklist(self.lang)

    @rx.var
    def upcoming(self) -> list[dict[str, str]]:
        zone = preparation.zone(self._tz) if self._tz else ZoneInfo("Asia/Shanghai")
        return [{"id": str(r["id"]), "candidate": f"{r['candidate']} <{r['email']}>",
                 "job": i18n.pick(self.lang, r["job_zh"], r["job_en"]), "when": self._fmt(r["at"]),
                 "local": r["at"].astimezone(zone).strftime("%Y-%m-%dT%H:%M"), "sequence": str(r["sequence"])}
                for r in self._upcoming]
