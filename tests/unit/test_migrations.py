"""Migrating an empty database yields exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import models
from portal.services.platform import db


def test_migrated_schema_equals_the_models(db_url):
    engine = db.get_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), models.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(models.metadata.tables)


def test_every_table_of_the_design_exists():
    names = set(models.metadata.tables)
    for table in ("user", "usersession", "recoverycode", "invitation", "consent", "job", "competencymodel",
                  "competency", "behaviouralanchor", "question", "interviewerprofile", "interview",
                  "interviewstage", "devicecheck", "answer", "scoringjob", "answerscore", "competencyscore",
                  "report", "reviewrequest", "course", "coursecompetency", "enrollment", "developmentgoal",
                  "progresssnapshot", "emailoutbox", "auditevent"):
        assert table in names, table


def test_migrate_twice_is_harmless(db_url):
    db.migrate(db_url)  # already at head: no error, nothing changes
    with db.get_engine(db_url).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
