"""Enrolling in a course run and leaving it. One click enrols: the seat is taken by a
conditional update (two people cannot take the last seat), the unique (person, course)
row keeps a double click to one enrolment, and a full run puts the person on its
waiting list (as long as the run has seats); whoever leaves hands their seat to the
first person waiting, who is told by e-mail. Nothing here imports reflex."""

from __future__ import annotations

from collections import defaultdict

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal import models, routes
from portal.models import aware
from portal.services.accounts import access
from portal.services.platform import audit, notifications
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_, format_date, gettext, pick
from portal.services.platform.settings import get_settings

ENROLLED, IN_PROGRESS, COMPLETED, WAITLISTED, WITHDRAWN = (
    "enrolled", "in_progress", "completed", "waitlisted", "withdrawn")
HOLDS_SEAT = (ENROLLED, IN_PROGRESS)
ACTIVE = (ENROLLED, IN_PROGRESS, WAITLISTED)

UNKNOWN = N_("This course does not exist or is no longer offered.")
CLOSED = N_("Enrolment for this course is closed: no run of it is open for enrolment.")
FULL = N_("This course is full and so is its waiting list. Choose another course or a later run.")
ALREADY = N_("You are already enrolled in this course.")
DONE_ALREADY = N_("You have already completed this course.")
NOT_ACTIVE = N_("This enrolment has already ended.")
MAIL_SUBJECT = N_("[Talent Portal] A seat is free for you: {course}")
MAIL_BODY = N_("Hello {name},\n\na seat came free in \"{course}\" (starts {date}) and it is yours: you were first on "
               "the waiting list. You find it in your development plan:\n{link}\n\nIf you cannot take part, leave "
               "the course there so the next person gets the seat.")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



class _Full(Exception):
    pass


class _Taken(Exception):
    pass


@dataclass
class Outcome:
    enrollment: models.Enrollment
    offering: models.CourseOffering
    waitlist_position: int  # 0 when enrolled


def _tags(session) -> dict[int, tuple[str, ...]]:
    found = defaultdict(list)
    for course_id, key in session.exec(select(models.CourseCompetency.course_id,
                                              models.CourseCompetency.competency_key)).all():
        found[course_id].append(key)
    return {course_id: tuple(keys) for course_id, keys in found.items()}


def _active_courses(session) -> dict[int, models.Course]:
    # detached copies: shared by every caller of the process, never written back
    return {c.id: models.Course(**c.model_dump()) for c in session.exec(
        select(models.Course).where(models.Course.is_active.is_(True))).all()}


# The catalogue changes only when HR edits it (seats live on the runs, read each time).
_TAGS = ContentCache("course_tags", (models.CourseCompetency,), _tags)
_COURSES = ContentCache("active_courses", (models.Course,), _active_courses)


def competency_tags(session) -> dict[int, tuple[str, ...]]:
    """Course id → the competency keys it is tagged with (from the per-process copy)."""
    return _TAGS.get(session)


def active_courses(session) -> dict[int, models.Course]:
    """Active courses by id (from the per-process copy; do not change them)."""
    return _COURSES.get(session)


def _open_runs(*columns, course_ids, now: datetime):
    run = models.CourseOffering
    return (select(run, *columns).where(run.course_id.in_(list(course_ids)), run.enrol_by > now)
            .order_by(run.starts_at, run.id))


def open_offerings(session, course_ids, now: datetime | None = None) -> dict[int, list[models.CourseOffering]]:
    """Per course, its runs still open for enrolment, soonest first."""
    if not course_ids:
        return {}
    out: dict[int, list[models.CourseOffering]] = {}
    for row in session.exec(_open_runs(course_ids=course_ids, now=now or utcnow())).all():
        out.setdefault(row.course_id, []).append(row)
    return out


def open_runs_not_taken(user_id: int, course_ids, now: datetime):
    """The runs still open of the courses ``user_id`` is not enrolled in, soonest first
    (a query, for db.together; ``open_runs_by_course`` reads its rows)."""
    taken = exists().where(models.Enrollment.user_id == user_id, models.Enrollment.status != WITHDRAWN,
                           models.Enrollment.course_id == models.CourseOffering.course_id)
    return _open_runs(course_ids=course_ids, now=now).where(~taken)


def open_runs_by_course(rows) -> dict[int, list[models.CourseOffering]]:
    out: dict[int, list[models.CourseOffering]] = {}
    for row in rows:
        out.setdefault(row.course_id, []).append(row)
    return out


def open_offerings_for(session, user_id: int, course_ids, now: datetime | None = None
                       ) -> tuple[dict[int, list[models.CourseOffering]], models.LearningPreference | None]:
    """``open_offerings`` of the courses ``user_id`` is not enrolled in, with their learning
    preference (None without one, or without any open run), in one statement."""
    if not course_ids:
        return {}, None
    taken = exists().where(models.Enrollment.user_id == user_id, models.Enrollment.status != WITHDRAWN,
                           models.Enrollment.course_id == models.CourseOffering.course_id)
    pref = models.LearningPreference
    out: dict[int, list[models.CourseOffering]] = {}
    found = None
    for row, is_taken, row_pref in session.exec(
            _open_runs(taken, pref, course_ids=course_ids, now=now or utcnow())
            .outerjoin(pref, pref.user_id == user_id)).all():
        found = found or row_pref
        if not is_taken:
            out.setdefault(row.course_id, []).append(row)
    return out, found


def has_seat(offering: models.CourseOffering) -> bool:
    return offering.seats is None or offering.seats_taken < offering.seats


def waiting(session, offering_id: int) -> int:
    return session.exec(select(func.count(models.Enrollment.id)).where(
        models.Enrollment.offering_id == offering_id, models.Enrollment.status == WAITLISTED)).one()


def waitlist_position(session, enrollment: models.Enrollment) -> int:
    """1 for the first person waiting; 0 when not waiting."""
    if enrollment.status != WAITLISTED or enrollment.offering_id is None:
        return 0
    ahead = session.exec(select(func.count(models.Enrollment.id)).where(
        models.Enrollment.offering_id == enrollment.offering_id, models.Enrollment.status == WAITLISTED,
        or_(models.Enrollment.enrolled_at < enrollment.enrolled_at,
            (models.Enrollment.enrolled_at == enrollment.enrolled_at) & (models.Enrollment.id < enrollment.id)))).one()
    return ahead + 1


def _take_seat(session, offering: models.CourseOffering) -> bool:
    won = session.execute(update(models.CourseOffering).where(
        models.CourseOffering.id == offering.id,
        or_(models.CourseOffering.seats.is_(None), models.CourseOffering.seats_taken < models.CourseOffering.seats))
        .values(seats_taken=models.CourseOffering.seats_taken + 1)).rowcount
    return won == 1


def enrol(session, user: models.User, course_id: int, *, ip: str = "", now: datetime | None = None) -> Outcome:
    """Enrol ``user`` in the soonest open run of the course with a free seat, or on the
    waiting list of the soonest open run when all are full."""
    access.require(user, access.COURSE_ENROL, session=session, ip=ip)
    now = now or utcnow()
    course = session.get(models.Course, course_id) if isinstance(course_id, int) and course_id > 0 else None
    if course is None or not course.is_active:
        raise ServiceError(UNKNOWN)
    runs = open_offerings(session, [course.id], now).get(course.id, [])
    if not runs:
        raise ServiceError(CLOSED)
    existing = session.exec(select(models.Enrollment).where(
        models.Enrollment.user_id == user.id, models.Enrollment.course_id == course.id)).first()
    if existing is not None and existing.status == COMPLETED:
        raise ServiceError(DONE_ALREADY)
    if existing is not None and existing.status != WITHDRAWN:
        raise ServiceError(ALREADY)
    offering = next((o for o in runs if has_seat(o)), runs[0])
    # The row first (the unique person-course pair stops a second click), then the seat; a
    # place on the waiting list is checked after the row is written, when the count is true.
    try:
        with session.begin_nested():
            if existing is None:
                row = models.Enrollment(user_id=user.id, course_id=course.id, offering_id=offering.id,
                                        status=WAITLISTED, enrolled_at=now)
                session.add(row)
                session.flush()
            else:
                if session.execute(update(models.Enrollment).where(
                        models.Enrollment.id == existing.id, models.Enrollment.status == WITHDRAWN)
                        .values(status=WAITLISTED, offering_id=offering.id, enrolled_at=now, progress_pct=0,
                                modules_done=0, completed_at=None)).rowcount != 1:
                    raise _Taken()
                row = existing
                session.refresh(row)
            if _take_seat(session, offering):
                row.status = ENROLLED
                session.add(row)
                session.flush()
            elif waiting(session, offering.id) > (offering.seats or 0):  # this row included
                raise _Full()
    except (IntegrityError, _Taken):
        raise ServiceError(ALREADY) from None
    except _Full:
        raise ServiceError(FULL) from None
    session.refresh(offering)
    audit.record(session, "course.enrol" if row.status == ENROLLED else "course.waitlist", actor_id=user.id,
                 actor=user.email or "", object_type="course", object_id=course.id, ip=ip)
    return Outcome(enrollment=row, offering=offering, waitlist_position=waitlist_position(session, row))


def withdraw(session, user: models.User, enrollment_id: int, *, ip: str = "") -> models.Enrollment:
    """Leave a course (or its waiting list); a seat given up goes to the first person waiting."""
    row = session.get(models.Enrollment, enrollment_id) if isinstance(enrollment_id, int) and enrollment_id > 0 \
        else None
    if row is None:
        raise PermissionDenied()  # the same answer as for someone else's
    access.require(user, access.COURSE_ENROL, row, session=session, ip=ip)
    held = row.status in HOLDS_SEAT
    won = session.execute(update(models.Enrollment).where(
        models.Enrollment.id == row.id, models.Enrollment.status.in_(ACTIVE)).values(status=WITHDRAWN)).rowcount
    if won != 1:
        raise ServiceError(NOT_ACTIVE)
    session.refresh(row)
    if held and row.offering_id is not None:
        _hand_on_seat(session, row.offering_id)
    audit.record(session, "course.withdraw", actor_id=user.id, actor=user.email or "", object_type="course",
                 object_id=row.course_id, ip=ip)
    return row


def _hand_on_seat(session, offering_id: int) -> None:
    first = session.exec(select(models.Enrollment).where(
        models.Enrollment.offering_id == offering_id, models.Enrollment.status == WAITLISTED)
        .order_by(models.Enrollment.enrolled_at, models.Enrollment.id)).first()
    if first is not None and session.execute(update(models.Enrollment).where(
            models.Enrollment.id == first.id, models.Enrollment.status == WAITLISTED)
            .values(status=ENROLLED)).rowcount == 1:
        _tell_seat_is_free(session, first)
        return  # the seat passes on: still taken
    session.execute(update(models.CourseOffering).where(
        models.CourseOffering.id == offering_id, models.CourseOffering.seats_taken > 0)
        .values(seats_taken=models.CourseOffering.seats_taken - 1))


def _tell_seat_is_free(session, enrollment: models.Enrollment) -> None:
    person = session.get(models.User, enrollment.user_id)
    course = session.get(models.Course, enrollment.course_id)
    offering = session.get(models.CourseOffering, enrollment.offering_id)
    if person is None or not notifications.valid_address(person.email or ""):
        return
    locale = person.locale
    title = pick(locale, course.title_zh, course.title_en)
    notifications.enqueue(
        session, person.email, gettext(locale, MAIL_SUBJECT, course=title),
        gettext(locale, MAIL_BODY, name=person.display_name or person.email, course=title,
                date=format_date(aware(offering.starts_at), locale, "long"),
                link=get_settings().public_url.rstrip("/") + routes.DEVELOPMENT),
        kind="course.seat")
