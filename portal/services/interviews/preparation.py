"""The candidate's preparation: their interviews (upcoming and past), what is ready
for each, and the "what's next" checklist that ticks itself off from the database.

Checklist, in this order: consent (Consent, see consent.py) → device check (a
DeviceCheck row for the interview, or one not tied to any interview) → how it runs
(a ChecklistMark the process page writes when the candidate opens it) → practice
(a practice Answer to a question of the interview's job) → the interview itself
(its status is completed).

Times are stored in UTC and shown in the candidate's own time zone (User.timezone)
and language. The join link opens JOIN_OPENS_BEFORE before the slot and closes at
its end. Loading returns locale-free rows (``InterviewPrep``); ``present`` formats
one for a locale and a moment, so a page can keep both languages and switch without
reloading. Every interview passes the access policy (INTERVIEW_VIEW on the object):
a candidate reaches only their own. Nothing here imports reflex.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_timezone_name
from babel.units import format_unit
from sqlalchemy import and_, bindparam, case, exists
from sqlmodel import select

from portal import models, routes
from portal.models import aware
from portal.services.accounts import access
from portal.services.interviews import consent
from portal.services.platform.errors import PermissionDenied
from portal.services.platform.i18n import LOCALES, N_, gettext, normalize_locale, pick

JOIN_OPENS_BEFORE = timedelta(minutes=15)
DEFAULT_TIMEZONE = "Asia/Shanghai"
PROCESS_STEP = "process"  # ChecklistMark.step written when the process page is opened

STEPS = ("consent", "device_check", "process", "practice", "interview")
STEP_LABELS = {
    "consent": N_("Give your consent"),
    "device_check": N_("Check your camera, microphone and network"),
    "process": N_("Read how the interview runs"),
    "practice": N_("Practise a question"),
    "interview": N_("Take the interview"),
}
STEP_ROUTES = {
    "consent": routes.CANDIDATE_CONSENT,
    "device_check": routes.CANDIDATE_DEVICE_CHECK,
    "process": routes.CANDIDATE_PROCESS,
    "practice": routes.CANDIDATE_PRACTICE,
    "interview": routes.CANDIDATE_INTERVIEWS,
}
STATUS_LABELS = {
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "missed": N_("Time has passed"),  # scheduled, but the slot is over without the interview
}
STARTS_IN = N_("Starts in {countdown}")
UNDER_WAY = N_("Under way now")
JOIN_OPENS_AT = N_("The link opens at {time}")
DURATION = N_("Duration: {duration}")
REPORT_FOLLOWS = N_("Your score report is published once every answer is scored.")
DEVICE_PROBLEMS = N_("Problems found: run the check again")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def zone(name: str | None) -> ZoneInfo:
    """The candidate's time zone; an unknown or empty name falls back to Beijing time."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def in_zone(value: datetime, tz_name: str | None) -> datetime:
    """A stored time (UTC, aware or naive) in the candidate's time zone."""
    return aware(value).astimezone(zone(tz_name))


@dataclass
class InterviewPrep:
    """One interview of the candidate with everything the pages show, in both languages."""

    id: int
    job_id: int
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    scheduled_at: datetime  # aware UTC
    duration_min: int
    status: str
    stages: list[dict] = field(default_factory=list)  # name_zh/_en, description_zh/_en, duration_min
    consent: bool = False
    device_check: bool = False
    device_ok: bool = False  # the latest check found no problem
    process: bool = False
    practice: bool = False

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_min)

    def is_past(self, now: datetime) -> bool:
        return self.status in ("completed", "cancelled") or (self.status != "in_progress" and self.ends_at <= now)

    def join_state(self, now: datetime) -> str:
        """'open' from JOIN_OPENS_BEFORE before the slot to its end, 'not_yet' before, 'closed' after."""
        if self.status in ("completed", "cancelled"):
            return "closed"
        if now < self.scheduled_at - JOIN_OPENS_BEFORE:
            return "not_yet"
        if now < self.ends_at or self.status == "in_progress":
            return "open"
        return "closed"

    def steps_done(self) -> dict[str, bool]:
        return {"consent": self.consent, "device_check": self.device_check, "process": self.process,
                "practice": self.practice, "interview": self.status == "completed"}


# ---------------------------------------------------------------- loading


def process_read(session, user_id: int) -> bool:
    return bool(session.exec(select(_read_clause(user_id))).one())


def _read_clause(user_id):
    return exists().where(models.ChecklistMark.user_id == user_id, models.ChecklistMark.step == PROCESS_STEP)


def _stage(stage: models.InterviewStage) -> dict:
    return {"name_zh": stage.name_zh, "name_en": stage.name_en, "description_zh": stage.description_zh,
            "description_en": stage.description_en, "duration_min": stage.duration_min}


def _latest_check_ok(user_id, which):
    """Whether the latest of the user's device checks matching ``which`` passed (1/0), NULL without one."""
    check = models.DeviceCheck
    passed = and_(check.camera_ok, check.microphone_ok, check.network_ok, check.browser_ok)
    return (select(case((passed, 1), else_=0)).where(check.user_id == user_id, which)
            .order_by(check.checked_at.desc(), check.id.desc()).limit(1).scalar_subquery())


@dataclass
class Overview:
    """The candidate's interviews (earliest first) and the checklist steps that need none."""

    interviews: list[InterviewPrep]
    consent: bool
    process: bool


def _statement(one: bool):
    """Everything the preparation pages show, in ONE statement (a page load may cost two:
    this and the caller's session): the candidate's row, outer-joined to their interviews
    (or the one ``interview_id``), each interview's job and stages; the consent, the
    "how it runs" mark, practice and the latest device checks as subqueries. Built once
    (building it costs more than running it)."""
    interview, job, stage, user_id = models.Interview, models.Job, models.InterviewStage, bindparam("user_id")
    joined = interview.candidate_id == models.User.id
    if one:
        joined = and_(joined, interview.id == bindparam("interview_id"))
    practised = exists().where(
        models.Answer.user_id == user_id, models.Answer.is_practice.is_(True),
        models.Question.id == models.Answer.question_id, models.Question.job_id == job.id)
    return (select(consent.given_clause(user_id, bindparam("consent_version")), _read_clause(user_id), interview, job, stage, practised,
                   _latest_check_ok(user_id, models.DeviceCheck.interview_id == interview.id),
                   _latest_check_ok(user_id, models.DeviceCheck.interview_id.is_(None)))
            .select_from(models.User)
            .outerjoin(interview, joined)
            .outerjoin(job, job.id == interview.job_id)
            .outerjoin(stage, stage.job_id == job.id)
            .where(models.User.id == user_id)
            .order_by(interview.scheduled_at, interview.id, stage.position, stage.id))


_ALL_INTERVIEWS, _ONE_INTERVIEW = _statement(False), _statement(True)


# Where each row's interview, job and stage columns end (the statement runs as Core: flat rows).
_ENDS = tuple(itertools.accumulate((2, len(models.Interview.__table__.c), len(models.Job.__table__.c),
                                    len(models.InterviewStage.__table__.c))))


def _load(session, user: models.User, interview_id: int | None = None) -> Overview:
    version = consent.current_version(session)  # cached: no statement
    params = {"user_id": user.id, "consent_version": version}
    if interview_id is not None:
        params["interview_id"] = interview_id
    # On the session's connection: the ORM would build three objects per row (twice the statement).
    rows = session.connection().execute(_ALL_INTERVIEWS if interview_id is None else _ONE_INTERVIEW, params).all()
    if not rows:
        return Overview([], False, False)
    found: dict[int, InterviewPrep] = {}
    consented, read = rows[0][0], rows[0][1]
    a, b, c, d = _ENDS
    for flat in rows:
        iv_id, stage_id, (practice, bound_ok, unbound_ok) = flat[a], flat[c], flat[d:]  # ids come first
        if iv_id is None:
            continue
        prep = found.get(iv_id)
        if prep is None:
            row, row_job = models.detached(models.Interview, flat[a:b]), models.detached(models.Job, flat[b:c])
            access.require(user, access.INTERVIEW_VIEW, row, session=session)
            # A check made for this interview counts; else one not tied to any interview.
            check_ok = bound_ok if bound_ok is not None else unbound_ok
            prep = found[row.id] = InterviewPrep(
                id=row.id, job_id=row_job.id, title_zh=row_job.title_zh, title_en=row_job.title_en,
                description_zh=row_job.description_zh, description_en=row_job.description_en,
                scheduled_at=aware(row.scheduled_at), duration_min=row.duration_min,
                status=row.status, consent=bool(consented), device_check=check_ok is not None,
                device_ok=bool(check_ok), process=bool(read), practice=bool(practice),
            )
        if stage_id is not None:
            prep.stages.append(_stage(models.detached(models.InterviewStage, flat[c:d])))
    return Overview(list(found.values()), bool(consented), bool(read))


def candidate_overview(session, user: models.User) -> Overview:
    """The candidate's own interviews, earliest first, with consent and "how it runs"."""
    access.require(user, access.INTERVIEW_VIEW, session=session)
    return _load(session, user)


def candidate_interviews(session, user: models.User) -> list[InterviewPrep]:
    """The candidate's own interviews, earliest first."""
    return candidate_overview(session, user).interviews


def candidate_interview(session, user: models.User, interview_id: int) -> InterviewPrep:
    """One interview by id, only if it is the caller's: anyone else's (or no such id)
    is refused alike, and the refusal is audited."""
    interview = session.get(models.Interview, interview_id) if isinstance(interview_id, int) else None
    if interview is None:
        raise PermissionDenied()  # the same answer as for someone else's: ids reveal nothing
    access.require(user, access.INTERVIEW_VIEW, interview, session=session)
    return _load(session, user, interview.id).interviews[0]


def next_interview(preps: list[InterviewPrep], now: datetime | None = None) -> InterviewPrep | None:
    """The interview the candidate prepares for: the first that is not over; else the latest past one."""
    now = now or utcnow()
    upcoming = [p for p in preps if not p.is_past(now)]
    if upcoming:
        return upcoming[0]
    return preps[-1] if preps else None


def mark_process_read(session, user: models.User) -> bool:
    """Record that the candidate opened how the interview runs; True the first time."""
    access.require(user, access.INTERVIEW_VIEW, session=session)
    if process_read(session, user.id):
        return False
    session.add(models.ChecklistMark(user_id=user.id, step=PROCESS_STEP, marked_at=utcnow()))
    session.flush()
    return True


# ---------------------------------------------------------------- presenting


def _unit(value: int, unit: str, locale: str) -> str:
    text = format_unit(value, unit, length="long", locale=locale)
    if unit in text:  # some locales (zh) have no long form of durations
        text = format_unit(value, unit, length="short", locale=locale)
    return text


def format_duration(minutes: int, locale: str | None) -> str:
    return _unit(int(minutes), "duration-minute", normalize_locale(locale))


def countdown(delta: timedelta, locale: str | None) -> str:
    """The time left in its two largest units ("2 days 3 hours", "3 hours 5 minutes", "1 minute").
    Rounded up to the minute, so nothing says "0 minutes" before the start."""
    locale = normalize_locale(locale)
    minutes = max(1, -(-int(delta.total_seconds()) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = ([("duration-day", days), ("duration-hour", hours)] if days
             else [("duration-hour", hours), ("duration-minute", mins)] if hours
             else [("duration-minute", mins)])
    separator = "" if locale == "zh_CN" else " "
    return separator.join(_unit(n, unit, locale) for unit, n in parts if n)


def status_key(prep: InterviewPrep, now: datetime) -> str:
    if prep.status == "scheduled" and prep.is_past(now):
        return "missed"
    return prep.status if prep.status in STATUS_LABELS else "scheduled"


def checklist(prep: InterviewPrep | None, locale: str | None, *, consent_given: bool = False,
              process_done: bool = False) -> list[dict[str, str]]:
    """The "what's next" steps: label, link, done ("1"/""), next ("1" on the first open step).
    Without an interview, the steps that do not depend on one still tick."""
    done = prep.steps_done() if prep else {"consent": consent_given, "process": process_done}
    found, next_marked = [], False
    for step in STEPS:
        is_done = bool(done.get(step))
        is_next = not is_done and not next_marked
        next_marked = next_marked or is_next
        found.append({"step": step, "label": gettext(locale, STEP_LABELS[step]), "href": STEP_ROUTES[step],
                      "done": "1" if is_done else "", "next": "1" if is_next else ""})
    return found


def present(prep: InterviewPrep, locale: str | None, tz_name: str | None, now: datetime | None = None) -> dict:
    """Everything a page shows of one interview, as text in ``locale`` and the candidate's time zone."""
    locale = normalize_locale(locale)
    now = aware(now or utcnow())
    tz = zone(tz_name)
    start, end = prep.scheduled_at.astimezone(tz), prep.ends_at.astimezone(tz)
    join = prep.join_state(now)
    past = prep.is_past(now)
    if past:
        when = ""
    elif now < prep.scheduled_at:
        when = gettext(locale, STARTS_IN, countdown=countdown(prep.scheduled_at - now, locale))
    else:
        when = gettext(locale, UNDER_WAY)
    opens = (prep.scheduled_at - JOIN_OPENS_BEFORE).astimezone(tz)
    opens_time = format_time(opens, "short", locale=locale)
    if opens.date() != start.date():
        opens_time = f"{format_date(opens.date(), 'medium', locale=locale)} {opens_time}"
    device = (N_("Device check done") if prep.device_ok else DEVICE_PROBLEMS) if prep.device_check \
        else N_("Device check not done yet")
    readiness = [
        {"label": gettext(locale, N_("Consent given") if prep.consent else N_("Consent not given yet")),
         "done": "1" if prep.consent else ""},
        {"label": gettext(locale, device), "done": "1" if prep.device_check and prep.device_ok else ""},
        {"label": gettext(locale, N_("Practice done") if prep.practice else N_("No practice yet")),
         "done": "1" if prep.practice else ""},
    ]
    return {
        "id": str(prep.id),
        "title": pick(locale, prep.title_zh, prep.title_en),
        "description": pick(locale, prep.description_zh, prep.description_en),
        "date": format_date(start.date(), "full", locale=locale),
        "time": f"{format_time(start, 'short', locale=locale)} – {format_time(end, 'short', locale=locale)}",
        "timezone": get_timezone_name(tz, locale=locale),
        "duration": gettext(locale, DURATION, duration=format_duration(prep.duration_min, locale)),
        "status": gettext(locale, STATUS_LABELS[status_key(prep, now)]),
        "countdown": when,
        "past": "1" if past else "",
        "join": join,
        "join_href": routes.interview_room(prep.id) if join == "open" else "",
        "join_opens": gettext(locale, JOIN_OPENS_AT, time=opens_time) if join == "not_yet" else "",
        "report_note": gettext(locale, REPORT_FOLLOWS) if past and prep.status == "completed" else "",
        # the report page says whether it is ready (every answer scored) without another query here
        "report_href": routes.candidate_report(prep.id) if past and prep.status == "completed" else "",
        "stages": [{"name": pick(locale, s["name_zh"], s["name_en"]),
                    "description": pick(locale, s["description_zh"], s["description_en"]),
                    "duration": format_duration(s["duration_min"], locale) if s["duration_min"] else ""}
                   for s in prep.stages],
        "readiness": readiness,
        "checklist": checklist(prep, locale),
    }


# ---------------------------------------------------------------- interviewers and guides


def _active_interviews_of(user: models.User) -> tuple:
    """The conditions on Interview for the candidate's interviews that are not cancelled."""
    return models.Interview.candidate_id == user.id, models.Interview.status != "cancelled"


def my_interviewers(session, user: models.User) -> dict[str, list[dict[str, str]]]:
    """Per locale, a card for each interviewer assigned to the candidate's own interviews
    (and no one else's): photo, name, title, experience, background, focus, the positions."""
    access.require(user, access.INTERVIEW_VIEW, session=session)
    rows = session.exec(  # one query: the candidate's own interviews are a condition of the join
        select(models.InterviewerProfile, models.Job)
        .join(models.InterviewAssignment, models.InterviewAssignment.interviewer_id == models.InterviewerProfile.id)
        .join(models.Interview, models.Interview.id == models.InterviewAssignment.interview_id)
        .join(models.Job, models.Job.id == models.Interview.job_id)
        .where(*_active_interviews_of(user), models.InterviewerProfile.is_active.is_(True))
        .order_by(models.InterviewerProfile.id, models.Job.id)
    ).all()
    profiles: dict[int, tuple[models.InterviewerProfile, list[models.Job]]] = {}
    for profile, job in rows:
        jobs = profiles.setdefault(profile.id, (profile, []))[1]
        if job not in jobs:
            jobs.append(job)
    return {
        locale: [
            {"id": str(p.id), "photo": p.photo, "name": pick(locale, p.name_zh, p.name_en),
             "title": pick(locale, p.title_zh, p.title_en),
             "experience": gettext(locale, EXPERIENCE, years=_unit(p.years_experience, "duration-year", locale))
             if p.years_experience else "",
             "background": pick(locale, p.background_zh, p.background_en),
             "focus": pick(locale, p.focus_zh, p.focus_en),
             "positions": gettext(locale, INTERVIEWS_FOR,
                                  positions=" · ".join(pick(locale, j.title_zh, j.title_en) for j in jobs))}
            for p, jobs in profiles.values()
        ]
        for locale in LOCALES
    }


EXPERIENCE = N_("{years} of experience")
TOTAL_TIME = N_("Total time: {duration}")
INTERVIEWS_FOR = N_("Interviews you for: {positions}")


def process_guides(session, user: models.User, *, mark_read: bool = False) -> dict[str, list[dict]]:
    """Per locale, how the interview runs for each position the candidate interviews for:
    stages with durations, what the AI analyses and what not, what is recorded, who sees
    it and how long it is kept. A position without a guide says so rather than guessing.
    One query (jobs, guides, stages and whether it was read); ``mark_read``: record that
    the candidate opened it (the checklist's step), written only the first time."""
    access.require(user, access.INTERVIEW_VIEW, session=session)
    job, guide_row, stage = models.Job, models.InterviewGuide, models.InterviewStage
    rows = session.execute(
        select(_read_clause(user.id), job, guide_row, stage)
        .select_from(models.User)
        .outerjoin(job, job.id.in_(select(models.Interview.job_id).where(*_active_interviews_of(user))))
        .outerjoin(guide_row, guide_row.job_id == job.id)
        .outerjoin(stage, stage.job_id == job.id)
        .where(models.User.id == user.id)
        .order_by(job.id, stage.position, stage.id)
    ).all()
    if mark_read and not (rows and rows[0][0]):
        session.add(models.ChecklistMark(user_id=user.id, step=PROCESS_STEP, marked_at=utcnow()))
        session.flush()
    jobs: dict[int, models.Job] = {}
    guides: dict[int, models.InterviewGuide] = {}
    stages: dict[int, list[dict]] = {}
    for _read, row_job, row_guide, row_stage in rows:
        if row_job is None:
            continue
        jobs[row_job.id] = row_job
        if row_guide is not None:  # one guide per job: a row per stage
            guides[row_job.id] = row_guide
        job_stages = stages.setdefault(row_job.id, [])
        if row_stage is not None:
            job_stages.append(_stage(row_stage))
    jobs = [jobs[job_id] for job_id in sorted(jobs)]
    found: dict[str, list[dict]] = {}
    for locale in LOCALES:
        found[locale] = []
        for job in jobs:
            guide = guides.get(job.id)
            total = sum(s["duration_min"] for s in stages[job.id])
            found[locale].append({
                "job_id": str(job.id),
                "title": pick(locale, job.title_zh, job.title_en),
                "total": gettext(locale, TOTAL_TIME, duration=format_duration(total, locale)) if total else "",
                "stages": [{"name": pick(locale, s["name_zh"], s["name_en"]),
                            "description": pick(locale, s["description_zh"], s["description_en"]),
                            "duration": format_duration(s["duration_min"], locale) if s["duration_min"] else ""}
                           for s in stages[job.id]],
                "has_guide": "1" if guide else "",
                "analysed": pick(locale, guide.analysed_zh, guide.analysed_en) if guide else "",
                "not_analysed": pick(locale, guide.not_analysed_zh, guide.not_analysed_en) if guide else "",
                "recorded": pick(locale, guide.recorded_zh, guide.recorded_en) if guide else "",
                "access": pick(locale, guide.access_zh, guide.access_en) if guide else "",
                "retention": gettext(locale, RETENTION, days=guide.retention_days) if guide else "",
            })
    return found


RETENTION = N_("Recordings and transcripts are deleted {days} days after the decision on your application.")
