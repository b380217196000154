"""Content only HR edits change is read once per process: a second read runs no
statement, an edit committed here shows on the next read, an uncommitted or
rolled-back edit is never cached, and each database has its own copy."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import models
from portal.services.development import courses
from portal.services.platform import content_cache, db
from tests.sql import counted_statements


@pytest.fixture
def statements():
    with counted_statements() as seen:
        yield seen


def _course(code: str, **values) -> models.Course:
    return models.Course(code=code, title_zh=f"课程{code}", title_en=f"Course {code}", **values)


def test_a_cached_read_runs_no_statement_and_an_edit_shows_at_once(db_url, statements):
    content_cache.reset_all()
    with db.session_scope(db_url) as s:
        s.add(_course("C1"))
    with db.session_scope(db_url) as s:
        assert [c.code for c in courses.active_courses(s).values()] == ["C1"]
    statements.clear()
    with db.session_scope(db_url) as s:
        assert [c.code for c in courses.active_courses(s).values()] == ["C1"]
    assert statements == []
    with db.session_scope(db_url) as s:  # HR renames it and adds one
        course = next(iter(s.exec(select(models.Course)).all()))
        course.title_en = "Renamed"
        s.add(_course("C2"))
    with db.session_scope(db_url) as s:
        found = courses.active_courses(s)
    assert sorted(c.code for c in found.values()) == ["C1", "C2"]
    assert "Renamed" in {c.title_en for c in found.values()}


def test_an_uncommitted_or_rolled_back_edit_is_never_cached(db_url):
    content_cache.reset_all()
    with pytest.raises(RuntimeError):
        with db.session_scope(db_url) as s:
            s.add(_course("GONE"))
            s.flush()
            assert "GONE" in {c.code for c in courses.active_courses(s).values()}  # its own edit
            raise RuntimeError("rolled back")
    with db.session_scope(db_url) as s:
        assert courses.active_courses(s) == {}


def test_each_database_has_its_own_copy(db_url, tmp_path):
    content_cache.reset_all()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    db.migrate(other)
    with db.session_scope(db_url) as s:
        s.add(_course("HERE"))
    with db.session_scope(db_url) as s:
        assert len(courses.active_courses(s)) == 1
    with db.session_scope(other) as s:
        assert courses.active_courses(s) == {}
