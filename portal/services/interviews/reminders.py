"""E-mails around a scheduled interview: the invitation, reminders 24 hours and
1 hour before, and the cancellation, each with an .ics calendar file.

Exactly once, across restarts and several portal processes: an e-mail is
claimed by inserting its InterviewReminder row (unique on interview, kind and
the interview time it is about) and queued in the outbox in the same
transaction, so either both exist or neither. A reschedule is a new interview
time, hence new rows: an updated invitation (same UID, SEQUENCE raised) and
fresh reminders; reminders for the old time are never sent, because only the
interview's current time is considered.

When reminders are sent (``due_kinds``):
- the invitation as soon as the interview is scheduled (the scheduling service
  sends it in its own transaction; ``run_due`` catches up with interviews that
  were created any other way);
- the 24-hour reminder once the interview is less than 24 hours away, but only
  when the invitation went out more than 24 hours before the interview (else
  the candidate just got the invitation, which says the same), and not in the
  last hour (the 1-hour reminder replaces it);
- the 1-hour reminder once the interview is less than an hour away, always: it is
  the last call and the join link opens 15 minutes before. An interview
  scheduled 50 minutes ahead thus gets the invitation and the 1-hour reminder;
- nothing once the interview has started, or when it is no longer scheduled.

Never imports reflex.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal import routes
from portal.models import Interview, InterviewReminder, Job, User
from portal.services.interviews import preparation
from portal.services.platform import db as _db
from portal.services.platform import notifications
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_, gettext, normalize_locale, pick
from portal.services.platform.settings import get_settings

log = logging.getLogger("portal.reminders")

INVITATION, REMINDER_24H, REMINDER_1H, CANCELLATION = "invitation", "24h", "1h", "cancellation"
# How long before the interview each reminder is due.
LEAD = {REMINDER_24H: timedelta(hours=24), REMINDER_1H: timedelta(hours=1)}

# Template keys (EmailTemplate rows, seeded from portal/demo_content/email_templates.json);
# the fallbacks below are used when a template is missing (a clean install).
TEMPLATES = {
    INVITATION: "interview_invitation",
    "rescheduled": "interview_rescheduled",
    REMINDER_24H: "interview_reminder_24h",
    REMINDER_1H: "interview_reminder_1h",
    CANCELLATION: "interview_cancelled",
}
FALLBACK = {
    INVITATION: (N_("Interview invitation: {job}, {date} {time}"),
                 N_("Hello {name},\n\nYour interview for {job} is scheduled for {date} at {time} "
                    "({timezone}) and takes about {duration} minutes.\n\nYour interviews: {link}\n\n"
                    "{checklist}\n\nThe attached calendar file adds it to your calendar.")),
    "rescheduled": (N_("Interview moved: {job}, now {date} {time}"),
                    N_("Hello {name},\n\nYour interview for {job} has moved to {date} at {time} "
                       "({timezone}) and takes about {duration} minutes.\n\nYour interviews: {link}\n\n"
                       "{checklist}\n\nThe attached calendar file updates the entry in your calendar.")),
    REMINDER_24H: (N_("Reminder: your interview for {job}, {date} {time}"),
                   N_("Hello {name},\n\nYour interview for {job} is on {date} at {time} ({timezone}).\n\n"
                      "Your interviews: {link}\n\n{checklist}")),
    REMINDER_1H: (N_("Starting soon: your interview for {job} at {time}"),
                  N_("Hello {name},\n\nYour interview for {job} starts at {time} ({timezone}). You can join "
                     "from 15 minutes before: {link}\n\n{checklist}")),
    CANCELLATION: (N_("Interview cancelled: {job}, {date} {time}"),
                   N_("Hello {name},\n\nYour interview for {job} on {date} at {time} ({timezone}) has been "
                      "cancelled. The attached calendar file removes it from your calendar.\n\n"
                      "Your interviews: {link}")),
}
SUMMARY = N_("Interview: {job}")
CHECKLIST_TITLE = N_("Before your interview:")
JOIN_FROM = N_("from 15 minutes before")
WITH_NOTE = N_("{step} ({note})")
STEP_LINE = N_("{number}. {step}: {link}")
ZONE = N_("{zone}, UTC{offset}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def zone_of(user: User) -> ZoneInfo:
    """The candidate's time zone (User.timezone), or Beijing time when it is unknown."""
    return preparation.zone(user.timezone)


def _url(path: str) -> str:
    return get_settings().public_url + path


def _host() -> str:
    return urlsplit(get_settings().public_url).hostname or "localhost"


def uid(interview: Interview) -> str:
    """The calendar UID: stable for the interview's whole life, so a calendar updates one entry."""
    return f"interview-{interview.id}@{_host()}"


def _organizer() -> str:
    configured = parseaddr(os.environ.get("TALENT_SMTP_FROM", "").strip())[1]
    return configured or f"no-reply@{_host()}"


def when_values(interview: Interview, candidate: User) -> dict[str, str]:
    """Date, time and zone of the interview as the candidate reads them."""
    locale = normalize_locale(candidate.locale)
    zone = zone_of(candidate)
    local = as_utc(interview.scheduled_at).astimezone(zone)
    offset = local.strftime("%z")
    return {
        "date": format_date(local, "full", locale=locale),
        "time": format_time(local, "short", locale=locale),
        "timezone": gettext(locale, ZONE, zone=get_timezone_name(local, locale=locale),
                            offset=f"{offset[:3]}:{offset[3:]}"),
    }


def checklist(locale: str) -> str:
    """The candidate's checklist (the one their pages tick off), each step with its link."""
    lines = [gettext(locale, CHECKLIST_TITLE)]
    for number, step in enumerate(preparation.STEPS, start=1):
        label = gettext(locale, preparation.STEP_LABELS[step])
        if step == "interview":
            label = gettext(locale, WITH_NOTE, step=label, note=gettext(locale, JOIN_FROM))
        lines.append(gettext(locale, STEP_LINE, number=number, step=label,
                             link=_url(preparation.STEP_ROUTES[step])))
    return "\n".join(lines)


def build_ics(interview: Interview, candidate: User, job: Job, *, cancel: bool = False,
              now: datetime | None = None) -> str:
    """The interview as an iCalendar object (RFC 5545/5546): METHOD:REQUEST, or
    METHOD:CANCEL with STATUS:CANCELLED; times in the candidate's zone with its VTIMEZONE."""
    locale = normalize_locale(candidate.locale)
    title = pick(locale, job.title_zh, job.title_en)
    start = as_utc(interview.scheduled_at).astimezone(zone_of(candidate))
    cal = Calendar()
    cal.add("prodid", "-//Talent Portal//Interviews//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid(interview))
    event.add("sequence", interview.sequence)
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=interview.duration_min))
    event.add("summary", gettext(locale, SUMMARY, job=title))
    link = _url(routes.CANDIDATE_INTERVIEWS)
    event.add("url", link)
    event.add("location", link)
    event.add("description", f"{link}\n\n{checklist(locale)}")
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_organizer()}")
    organizer.params["cn"] = vText("Talent Portal")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{candidate.email}")
    attendee.params["cn"] = vText(candidate.display_name or candidate.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()  # the VTIMEZONE of the candidate's zone
    return cal.to_ical().decode("utf-8")


def compose(session, interview: Interview, kind: str, *, now: datetime | None = None
            ) -> tuple[str, str, str, list[dict]]:
    """(to, subject, body, attachments) of the ``kind`` e-mail about ``interview``."""
    candidate = session.get(User, interview.candidate_id)
    job = session.get(Job, interview.job_id)
    locale = normalize_locale(candidate.locale)
    template = "rescheduled" if kind == INVITATION and interview.sequence > 0 else kind
    values = {
        "name": candidate.display_name or candidate.email,
        "job": pick(locale, job.title_zh, job.title_en),
        "duration": interview.duration_min,
        "link": _url(routes.CANDIDATE_INTERVIEWS),
        "checklist": checklist(locale),
        **when_values(interview, candidate),
    }
    rendered = notifications.render_template(session, TEMPLATES[template], locale, values)
    if rendered is None:
        subject_msgid, body_msgid = FALLBACK[template]
        rendered = gettext(locale, subject_msgid, **values), gettext(locale, body_msgid, **values)
    cancel = kind == CANCELLATION
    ics = {"filename": "interview.ics", "content_type": f"text/calendar; method={'CANCEL' if cancel else 'REQUEST'}",
           "content": build_ics(interview, candidate, job, cancel=cancel, now=now)}
    return candidate.email, rendered[0], rendered[1], [ics]


def _enqueue(session, interview: Interview, kind: str, now: datetime | None) -> None:
    to, subject, body, attachments = compose(session, interview, kind, now=now)
    notifications.enqueue(session, to, subject, body, kind=f"interview_{kind}", attachments=attachments)


def send_now(session, interview: Interview, kind: str, *, now: datetime | None = None) -> bool:
    """Claim and queue the ``kind`` e-mail for the interview's current time in the caller's
    transaction (the scheduling service's); False when it was claimed before."""
    now = now or utcnow()
    try:
        with session.begin_nested():  # a savepoint: a lost race leaves the caller's work intact
            session.add(InterviewReminder(interview_id=interview.id, kind=kind,
                                          scheduled_at=as_utc(interview.scheduled_at), claimed_at=now,
                                          sent_at=now))
    except IntegrityError:
        return False
    _enqueue(session, interview, kind, now)
    return True


def forget_claims(session, interview: Interview) -> None:
    """Before an interview moves back to a time it had once: the old claims for that time
    were about an announcement the candidate has since seen replaced."""
    session.execute(delete(InterviewReminder).where(
        InterviewReminder.interview_id == interview.id,
        InterviewReminder.scheduled_at == as_utc(interview.scheduled_at)))


def due_kinds(scheduled_at: datetime, claimed: dict[str, datetime], now: datetime) -> list[str]:
    """Which e-mails are due now for an interview at ``scheduled_at`` (see the module's
    docstring); ``claimed`` maps the kinds already claimed for that time to their claim time."""
    scheduled_at = as_utc(scheduled_at)
    if now >= scheduled_at:
        return []
    due = []
    invited_at = claimed.get(INVITATION)
    if invited_at is None:
        due.append(INVITATION)
        invited_at = now
    to_go = scheduled_at - now
    if (REMINDER_24H not in claimed and LEAD[REMINDER_1H] < to_go <= LEAD[REMINDER_24H]
            and scheduled_at - as_utc(invited_at) > LEAD[REMINDER_24H]):
        due.append(REMINDER_24H)
    if REMINDER_1H not in claimed and to_go <= LEAD[REMINDER_1H]:
        due.append(REMINDER_1H)
    return due


def _claim_due(session, interview_id: int, scheduled_at: datetime, kind: str, now: datetime) -> bool:
    # The insert comes first: it takes the write lock, so what is read next is current.
    session.add(InterviewReminder(interview_id=interview_id, kind=kind, scheduled_at=scheduled_at,
                                  claimed_at=now, sent_at=now))
    try:
        session.flush()
    except IntegrityError:  # another process (or an earlier run) claimed it
        session.rollback()
        return False
    interview = session.get(Interview, interview_id)
    candidate = session.get(User, interview.candidate_id) if interview is not None else None
    if (interview is None or interview.status != "scheduled" or as_utc(interview.scheduled_at) != scheduled_at
            or candidate is None or not candidate.is_active):
        session.rollback()  # moved or cancelled since we looked, or the account is disabled
        return False
    _enqueue(session, interview, kind, now)
    return True


def run_due(db=None, *, now: datetime | None = None) -> int:
    """Claim and queue every e-mail that is due; returns how many were queued.
    ``db``: a database URL (None: the configured one) or a callable returning a session scope.
    Safe to run in several processes at once (each e-mail is claimed by one)."""
    factory = _db.scope_factory(db)
    now = now or utcnow()
    with _db.unit_of_work(factory) as session:
        upcoming = session.execute(
            select(Interview.id, Interview.scheduled_at)
            .where(Interview.status == "scheduled", Interview.scheduled_at > now)
        ).all()
        claims: dict[tuple[int, datetime], dict[str, datetime]] = {}
        for row in session.execute(
            select(InterviewReminder.interview_id, InterviewReminder.scheduled_at,
                   InterviewReminder.kind, InterviewReminder.claimed_at)
            .join(Interview, Interview.id == InterviewReminder.interview_id)
            .where(Interview.status == "scheduled", Interview.scheduled_at > now)
        ):
            claims.setdefault((row[0], as_utc(row[1])), {})[row[2]] = as_utc(row[3])
    queued = 0
    for interview_id, scheduled_at in upcoming:
        scheduled_at = as_utc(scheduled_at)
        for kind in due_kinds(scheduled_at, claims.get((interview_id, scheduled_at), {}), now):
            try:
                with _db.unit_of_work(factory) as session:
                    queued += _claim_due(session, interview_id, scheduled_at, kind, now)
            except ServiceError:  # an address the outbox refuses: nothing was claimed; the others go on
                log.warning("interview %s: %s e-mail not queued", interview_id, kind)
    return queued
