"""db.together runs independent reads as one statement and hands back each one's rows
exactly as running it alone would: entities as objects that can still be changed, an
absent outer-joined row as None, booleans, times and JSON typed, each read in its own
order and with its own LIMIT, an empty read as no rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Row
from sqlmodel import select

from portal import models
from portal.services.platform import db
from tests.sql import counted_statements


def _reads():
    courses = select(models.Course).order_by(models.Course.code.desc())
    runs = (select(models.Course.code, models.CourseOffering)
            .outerjoin(models.CourseOffering, models.CourseOffering.course_id == models.Course.id)
            .order_by(models.Course.code, models.CourseOffering.starts_at))
    newest = select(models.Course.title_en, models.Course.is_active).order_by(models.Course.id.desc()).limit(2)
    nothing = select(models.User.email).where(models.User.id < 0)
    mails = select(models.EmailOutbox.attachments, models.EmailOutbox.created_at)
    return courses, runs, newest, nothing, mails


def test_independent_reads_in_one_statement_answer_as_each_alone(db_url):
    start = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    with db.session_scope(db_url) as s:
        for i, code in enumerate(("B", "A", "C")):
            course = models.Course(code=code, title_zh=f"课{code}", title_en=f"Course {code}",
                                   is_active=code != "C", duration_hours=1.5 * (i + 1))
            s.add(course)
            s.flush()
            if code != "C":  # C has no run: its outer-joined run is None
                s.add(models.CourseOffering(course_id=course.id, starts_at=start + timedelta(days=9 - i),
                                            ends_at=start + timedelta(days=10), enrol_by=start, seats=3))
                s.add(models.CourseOffering(course_id=course.id, starts_at=start + timedelta(days=i),
                                            ends_at=start + timedelta(days=10), enrol_by=start,
                                            location_zh="上海"))
        s.add(models.EmailOutbox(to_addr="a@example.cn", subject="邀请", body_text="…",
                                 attachments=[{"filename": "invite.ics", "content": "BEGIN"}], created_at=start))
    with db.session_scope(db_url) as s:
        alone = [s.exec(read).all() for read in _reads()]
    with db.session_scope(db_url) as s, counted_statements() as seen:
        both = db.together(s, *_reads())
    assert len(seen) == 1
    assert [[_plain(r) for r in rows] for rows in both] == [[_plain(r) for r in rows] for rows in alone]
    [courses, runs, newest, nothing, mails] = both
    assert [c.code for c in courses] == ["C", "B", "A"]
    assert [(code, run is None) for code, run in runs] == [("A", False), ("A", False), ("B", False),
                                                           ("B", False), ("C", True)]
    assert runs[0][1].starts_at < runs[1][1].starts_at and runs[0][1].location_zh == "上海"
    assert newest == [("Course C", False), ("Course A", True)]  # typed, limited, in its order
    assert nothing == []  # and a one-column read gives its values
    [(attachments, created)] = mails
    assert attachments[0]["filename"] == "invite.ics" and models.aware(created) == start
    with db.session_scope(db_url) as s:  # an object read together can be changed and saved
        renamed = courses[0]
        renamed.title_en = "Renamed"
        s.add(renamed)
    with db.session_scope(db_url) as s:
        assert s.exec(select(models.Course.title_en).where(models.Course.code == "C")).one() == "Renamed"


def _plain(row):
    if not isinstance(row, (tuple, Row)):
        return _plain((row,))
    return tuple({k: v for k, v in vars(x).items() if not k.startswith("_")}
                 if isinstance(x, models.SQLModel) else x for x in row)
