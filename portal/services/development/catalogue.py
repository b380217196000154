"""HR keeps the training catalogue: courses and their sessions, one by one or from CSV.

A CSV import is all or nothing: every row is checked first and, when any is bad, the
report lists each bad row (line number and what is wrong) and nothing is written.
Columns: code,title_zh,title_en,format,duration_hours,level,competencies and, for one
session per row, optionally starts,ends,enrol_by (YYYY-MM-DD),seats,location_zh,location_en.
Competencies are ``;``-separated keys of existing competencies.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from portal.models import Competency, Course, CourseCompetency, CourseOffering, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

FORMATS = ("online", "classroom", "blended")
REQUIRED = ("code", "title_zh", "title_en", "format", "duration_hours", "level", "competencies")
MAX_ROWS = 500
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RowError:
    line: int  # line of the file, the header being line 1
    msgid: str
    params: dict


@dataclass
class ImportResult:
    errors: list[RowError]
    imported: int = 0


def _date(value: str) -> datetime:
    return datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc)


def _check_row(row: dict, known: set[str], seen: set[str], existing: set[str]) -> tuple[list, dict]:
    errors: list[tuple[str, dict]] = []
    values: dict = {}
    for col in REQUIRED:
        if not (row.get(col) or "").strip():
            errors.append((N_("Column {column} is empty."), {"column": col}))
    if errors:
        return errors, values
    code = row["code"].strip()
    if code in seen or code in existing:
        errors.append((N_("Course code {code} already exists."), {"code": code}))
    seen.add(code)
    if row["format"].strip() not in FORMATS:
        errors.append((N_("Format must be one of {choices}."), {"choices": ", ".join(FORMATS)}))
    try:
        hours = float(row["duration_hours"])
        if not 0 < hours <= 1000:
            raise ValueError
    except ValueError:
        errors.append((N_("Duration must be a number of hours above 0."), {}))
        hours = 0
    try:
        level = int(row["level"])
        if not 1 <= level <= 5:
            raise ValueError
    except ValueError:
        errors.append((N_("Level must be a whole number from 1 to 5."), {}))
        level = 0
    keys = [k.strip() for k in row["competencies"].split(";") if k.strip()]
    for key in keys:
        if key not in known:
            errors.append((N_("Unknown competency {key}."), {"key": key}))
    values = {"code": code, "title_zh": row["title_zh"].strip(), "title_en": row["title_en"].strip(),
              "format": row["format"].strip(), "duration_hours": hours, "level": level, "keys": keys}
    if (row.get("starts") or "").strip():
        try:
            starts, ends = _date(row["starts"]), _date(row.get("ends") or row["starts"])
            enrol_by = _date(row.get("enrol_by") or row["starts"])
            if ends < starts or enrol_by > ends:
                raise ValueError
            seats = int(row["seats"]) if (row.get("seats") or "").strip() else None
            if seats is not None and seats < 1:
                raise ValueError
            values["offering"] = {"starts_at": starts, "ends_at": ends, "enrol_by": enrol_by,
                                  "seats": seats,
                                  "location_zh": (row.get("location_zh") or "").strip(),
                                  "location_en": (row.get("location_en") or "").strip()}
        except ValueError:
            errors.append((N_("Session dates must be YYYY-MM-DD, ending after the start with enrol-by "
                              "before the end, and seats a positive number."), {}))
    return errors, values


def import_csv(session, actor: User, data: bytes, *, ip: str = "") -> ImportResult:
    """Check every row; import all of them only when none is bad."""
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    if len(data) > MAX_BYTES:
        raise ServiceError(N_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(N_("The file is not UTF-8 text.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceError(N_("Missing columns: {columns}."), columns=", ".join(missing))
    known = set(session.execute(select(Competency.key)).scalars())
    existing = set(session.execute(select(Course.code)).scalars())
    seen: set[str] = set()
    errors: list[RowError] = []
    rows = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise ServiceError(N_("At most {count} rows per file."), count=MAX_ROWS)
        row_errors, values = _check_row(row, known, seen, existing)
        errors += [RowError(line, msgid, params) for msgid, params in row_errors]
        rows.append(values)
    if not rows:
        raise ServiceError(N_("The file has no rows."))
    if errors:
        audit.record(session, "course.import", actor_id=actor.id, actor=actor.email,
                     object_type="course", ip=ip, outcome="refused")
        return ImportResult(errors=errors)
    for values in rows:
        course = Course(**{k: v for k, v in values.items() if k not in ("keys", "offering")})
        session.add(course)
        session.flush()
        for key in dict.fromkeys(values["keys"]):
            session.add(CourseCompetency(course_id=course.id, competency_key=key))
        if "offering" in values:
            session.add(CourseOffering(course_id=course.id, **values["offering"]))
    session.flush()
    audit.record(session, "course.import", actor_id=actor.id, actor=actor.email,
                 object_type="course", object_id=len(rows), ip=ip)
    return ImportResult(errors=[], imported=len(rows))


def set_active(session, actor: User, course_id: int, active: bool, *, ip: str = "") -> Course:
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    course = session.get(Course, course_id)
    if course is None:
        raise ServiceError(N_("Course not found."))
    course.is_active = active
    session.add(course)
    session.flush()
    audit.record(session, "course.activate" if active else "course.deactivate", actor_id=actor.id,
                 actor=actor.email, object_type="course", object_id=course_id, ip=ip)
    return course


def list_courses(session, actor: User, *, ip: str = "") -> list[tuple[Course, list[str]]]:
    """Every course (inactive too) with its competency keys, by code."""
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    tags: dict[int, list[str]] = {}
    for cc in session.execute(select(CourseCompetency).order_by(CourseCompetency.competency_key)).scalars():
        tags.setdefault(cc.course_id, []).append(cc.competency_key)
    courses = session.execute(select(Course).order_by(Course.code)).scalars().all()
    return [(c, tags.get(c.id, [])) for c in courses]
