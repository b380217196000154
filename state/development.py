"""The development plan (/development): recommended courses with one-click enrolment,
goals (probation goals marked), courses with their progress, the timeline of each
competency's score with the course completions marked, what changed since the last
development report, and the person's learning preferences. Thin: the services in
portal/services/development decide; the vars are the person's own and are emptied
when another page loads."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import reflex as rx

from portal import models, routes
from portal.services.accounts import access
from portal.services.development import courses, digest, plan, recommendations
from portal.services.development.progress import PlanCourse
from portal.services.interviews import preparation
from portal.services.platform import db, i18n
from portal.services.platform.i18n import N_
from portal.services.reports import charts
from state.base import BaseState, current_actor, per_view, requires

ENROLLED = N_("You are enrolled in {course}. It is in your development plan.")
WAITLISTED = N_("{course} is full: you are number {position} on its waiting list. We e-mail you when a seat is free.")
WITHDRAWN = N_("You left {course}.")
SENT = N_("Your development report is on its way to your e-mail address.")
SENT_ALREADY = N_("Your development report was sent a moment ago.")
SAVED = N_("Your learning preferences are saved. The recommendations follow them.")
BAD_FORMAT = N_("Choose a format from the list.")
BAD_HOURS = N_("Enter the most hours a course may take as a whole number from 1 to 200, or leave it empty.")
STATUS = {courses.ENROLLED: N_("Enrolled"), courses.IN_PROGRESS: N_("In progress"),
          courses.COMPLETED: N_("Completed"), courses.WAITLISTED: N_("On the waiting list")}
FORMATS = {"online": N_("Online"), "classroom": N_("Classroom"), "blended": N_("Blended")}
GOAL_STATUS = {"open": N_("Open"), "achieved": N_("Achieved"), "missed": N_("Missed")}
MARK_DONE = N_("{course} completed")
MARK_STARTS = N_("{course} starts")
TIMELINE_TITLE = N_("Your competency scores over time, with your courses")
TREND = N_("{competency}: {first} → {last}")
SEATS_LEFT = N_("{seats} seats left")
OPEN_SEATS = N_("Open to everyone")
FULL_WAITLIST = N_("Full: one click puts you on the waiting list")
HOURS = N_("{hours} hours")
MODULES = N_("{done} of {total} modules")
WAITING = N_("Number {position} on the waiting list")
TARGET = N_("Target {target}")
LATEST = N_("latest {score}")
DUE = N_("due {date}")
STARTS = N_("Starts {date}")
DATES = N_("{start} – {end}")


def _n(value: float, locale: str) -> str:
    return i18n.format_number(round(value), locale)


def _stamp(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def course_dates(c: PlanCourse | models.CourseOffering, locale: str, tz: str) -> str:
    start = c.starts_at
    end = c.ends_at
    if start is None:
        return ""
    first = i18n.format_date(preparation.in_zone(start, tz).date(), locale, "medium")
    if end is None:
        return i18n.gettext(locale, STARTS, date=first)
    return i18n.gettext(locale, DATES, start=first,
                        end=i18n.format_date(preparation.in_zone(end, tz).date(), locale, "medium"))


@dataclasses.dataclass
class CourseCard:
    id: str
    code: str
    title: str
    format: str
    hours: str
    dates: str
    location: str
    seats: str
    reasons: list[str]
    waitlist: str


@dataclasses.dataclass
class PlanCourseRow:
    id: str
    code: str
    title: str
    status: str
    status_label: str
    progress: int
    modules: str
    dates: str
    location: str
    waiting: str
    can_leave: bool


def recommendation_rows(found: list[recommendations.Recommendation], locale: str, tz: str) -> list[CourseCard]:
    """What a recommendation card shows (the report page shows the same cards)."""
    rows = []
    for rec in found:
        o, course = rec.offering, rec.course
        seats = (i18n.gettext(locale, FULL_WAITLIST) if rec.waitlist_only else
                 i18n.gettext(locale, OPEN_SEATS) if o.seats is None else
                 i18n.gettext(locale, SEATS_LEFT, seats=_n(o.seats - o.seats_taken, locale)))
        rows.append(CourseCard(
            id=str(course.id), code=course.code, title=i18n.pick(locale, course.title_zh, course.title_en),
            format=i18n.gettext(locale, FORMATS.get(course.format, FORMATS["online"])),
            hours=i18n.gettext(locale, HOURS, hours=i18n.format_number(course.duration_hours, locale)),
            dates=course_dates(o, locale, tz), location=i18n.pick(locale, o.location_zh, o.location_en),
            seats=seats, reasons=recommendations.reasons(rec, locale), waitlist="1" if rec.waitlist_only else ""))
    return rows


def enrol_from_card(course_id: str, shown: list[recommendations.Recommendation], ip: str,
                    locale: str) -> tuple[int, str, dict] | None:
    """One click on a recommendation card: (course id, message, its parameters); None for a
    card no longer shown (a second click: the service refuses doubles anyway)."""
    raw = str(course_id)
    if raw not in {str(r.course.id) for r in shown}:
        return None
    with db.session_scope() as s:
        outcome = courses.enrol(s, current_actor(), int(raw), ip=ip)
        course = s.get(models.Course, outcome.enrollment.course_id)
        title = i18n.pick(locale, course.title_zh, course.title_en)
    if outcome.enrollment.status == courses.WAITLISTED:
        return course.id, WAITLISTED, {"course": title, "position": outcome.waitlist_position}
    return course.id, ENROLLED, {"course": title}


@per_view(routes.DEVELOPMENT)
class DevelopmentState(BaseState):
    loaded: bool = False
    pref_format: str = ""
    pref_hours: str = ""
    pref_error_msgid: str = ""
    _plan: plan.Plan | None = None
    _tz: str = ""

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            self._plan = plan.development_plan(s, user, ip=self._ip())
        pref = self._plan.preference
        self.pref_format = pref.format if pref else ""
        self.pref_hours = str(int(pref.max_hours)) if pref and pref.max_hours else ""
        self._tz, self.loaded = user.timezone, True

    @requires(access.DEVELOPMENT_VIEW)
    @rx.event
    def load(self):
        self.pref_error_msgid = ""
        self._load()

    @requires(access.COURSE_ENROL)
    @rx.event
    def enrol(self, course_id: str):
        """One click: enrol in the course's soonest open run (or its waiting list)."""
        done = enrol_from_card(course_id, self._plan.recommended if self._plan else [], self._ip(), self.lang)
        if done is not None:
            self._load()
            self._flash(done[1], **done[2])

    @requires(access.COURSE_ENROL)
    @rx.event
    def withdraw(self, enrollment_id: str):
        raw = str(enrollment_id)
        with db.session_scope() as s:
            row = courses.withdraw(s, current_actor(), int(raw) if raw.isdigit() and len(raw) < 12 else 0,
                                   ip=self._ip())
            course = s.get(models.Course, row.course_id)
            title = i18n.pick(self.lang, course.title_zh, course.title_en)
        self._load()
        self._flash(WITHDRAWN, course=title)

    @requires(access.DEVELOPMENT_VIEW)
    @rx.event
    def save_preference(self, form: dict):
        form = form if isinstance(form, dict) else {}
        chosen = str(form.get("format", ""))
        hours = str(form.get("max_hours", "")).strip()
        if chosen not in ("", *FORMATS):
            self.pref_error_msgid = BAD_FORMAT
            return
        if hours and not (hours.isdigit() and 1 <= int(hours) <= 200):
            self.pref_error_msgid = BAD_HOURS
            return
        user = current_actor()
        with db.session_scope() as s:
            row = recommendations.preference(s, user) or models.LearningPreference(user_id=user.id)
            row.format, row.max_hours = chosen, float(hours) if hours else None
            s.add(row)
        self.pref_error_msgid = ""
        self._load()
        self._flash(SAVED)

    @requires(access.DEVELOPMENT_VIEW)
    @rx.event
    def send_report(self):
        """The development report now, by e-mail ("what changed since last time")."""
        now = datetime.now(timezone.utc)
        with db.session_scope() as s:
            sent = digest.send(s, current_actor(), f"asked-{int(now.timestamp())}", now, ip=self._ip())
        self._load()
        self._flash(SENT if sent else SENT_ALREADY)

    # ---------------------------------------------------------------- what the page shows

    @rx.var
    def pref_error(self) -> str:
        return i18n.gettext(self.lang, self.pref_error_msgid) if self.pref_error_msgid else ""

    @rx.var
    def recommended(self) -> list[CourseCard]:
        return recommendation_rows(self._plan.recommended, self.lang, self._tz) if self._plan else []

    def _name(self, key: str) -> str:
        names = self._plan.names if self._plan else {}
        return i18n.pick(self.lang, *names.get(key, (key, key))) if key else ""

    @rx.var
    def goals(self) -> list[dict[str, str]]:
        if self._plan is None:
            return []
        out = []
        for g in self._plan.goals:
            latest = self._plan.points.get(g.competency_key, [])
            facts = [self._name(g.competency_key)]
            if g.target_level is not None:
                facts.append(i18n.gettext(self.lang, TARGET, target=_n(g.target_level, self.lang)))
            if latest:
                facts.append(i18n.gettext(self.lang, LATEST, score=_n(latest[-1].score, self.lang)))
            if g.due_date:
                facts.append(i18n.gettext(self.lang, DUE, date=i18n.format_date(
                    preparation.in_zone(g.due_date, self._tz).date(), self.lang, "medium")))
            out.append({"title": g.title, "description": g.description, "facts": " · ".join(f for f in facts if f),
                        "probation": "1" if g.is_probation else "", "status": g.status,
                        "status_label": i18n.gettext(self.lang, GOAL_STATUS.get(g.status, GOAL_STATUS["open"]))})
        return out

    @rx.var
    def courses(self) -> list[PlanCourseRow]:
        if self._plan is None:
            return []
        out = []
        for c in self._plan.courses:
            out.append(PlanCourseRow(
                id=str(c.enrollment_id), code=c.code, title=i18n.pick(self.lang, c.title_zh, c.title_en),
                status=c.status, status_label=i18n.gettext(self.lang, STATUS.get(c.status, STATUS["enrolled"])),
                progress=c.progress_pct,
                modules=i18n.gettext(self.lang, MODULES, done=_n(c.modules_done, self.lang),
                                     total=_n(c.modules, self.lang)),
                dates=course_dates(c, self.lang, self._tz),
                location=i18n.pick(self.lang, c.location_zh, c.location_en),
                waiting=i18n.gettext(self.lang, WAITING, position=_n(c.waitlist_position, self.lang))
                if c.waitlist_position else "",
                can_leave=c.status in courses.ACTIVE))
        return out

    @rx.var
    def timeline(self) -> str:
        p = self._plan
        if p is None or not p.points:
            return ""
        keys = sorted(p.points, key=lambda k: (-len(p.points[k]), k))[:len(charts.PALETTE)]
        series = [(self._name(k), [(_stamp(pt.taken_at), pt.score) for pt in p.points[k]], charts.PALETTE[n])
                  for n, k in enumerate(keys)]
        markers = []
        for c in p.courses:
            title = i18n.pick(self.lang, c.title_zh, c.title_en)
            if c.completed_at:
                markers.append((_stamp(c.completed_at), i18n.gettext(self.lang, MARK_DONE, course=title)))
            elif c.status in courses.HOLDS_SEAT and c.starts_at:
                markers.append((_stamp(c.starts_at), i18n.gettext(self.lang, MARK_STARTS, course=title)))
        stamps = sorted({x for _n, pts, _c in series for x, _v in pts} | {x for x, _l in markers})
        picks = sorted({stamps[0], stamps[-1], *stamps[len(stamps) // 3: len(stamps) // 3 + 1],
                        *stamps[2 * len(stamps) // 3: 2 * len(stamps) // 3 + 1]})
        ticks = [(x, i18n.format_date(preparation.in_zone(datetime.fromtimestamp(x, timezone.utc), self._tz).date(),
                                      self.lang, "short")) for x in picks]
        return charts.line_svg(series, markers, ticks, i18n.gettext(self.lang, TIMELINE_TITLE))

    @rx.var
    def trends(self) -> list[str]:
        p = self._plan
        if p is None:
            return []
        return [i18n.gettext(self.lang, TREND, competency=self._name(k), first=_n(v[0].score, self.lang),
                             last=_n(v[-1].score, self.lang))
                for k, v in sorted(p.points.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

    @rx.var
    def since(self) -> str:
        p = self._plan
        return i18n.format_date(preparation.in_zone(p.digest.since, self._tz).date(), self.lang, "long") if p else ""

    @rx.var
    def changes(self) -> list[str]:
        return digest.lines(self._plan.names, self._plan.digest, self.lang) if self._plan else []
