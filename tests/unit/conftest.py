"""Fixtures shared by the unit tests of the interview services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Interview, Question, User
from portal.services.interviews import consent, recordings
from portal.services.platform import db, settings
from portal.services.platform.demo import demo_email, load_demo


@pytest.fixture
def interview_now(db_url):
    """The demo candidate with consent and an interview starting now; another candidate
    with an interview of their own; the demo interviewer (assigned) and HR."""
    with db.session_scope(db_url) as s:
        load_demo(s)
        users = {role: s.execute(select(User).where(User.email == demo_email(role))).scalar_one()
                 for role in ("candidate", "interviewer", "hr")}
        interview = s.execute(select(Interview).where(Interview.candidate_id == users["candidate"].id)
                              .order_by(Interview.id)).scalars().first()
        interview.scheduled_at = recordings.utcnow()
        interview.status = "scheduled"
        s.add(interview)
        questions = s.execute(select(Question).where(Question.job_id == interview.job_id,
                                                     Question.is_practice.is_(False))
                              .order_by(Question.position)).scalars().all()
        practice_q = s.execute(select(Question).where(Question.job_id == interview.job_id,
                                                      Question.is_practice.is_(True))).scalars().first()
        other = User(email="other@example.cn", role="candidate")
        s.add(other)
        s.flush()
        theirs = Interview(candidate_id=other.id, job_id=interview.job_id, model_id=interview.model_id,
                           scheduled_at=recordings.utcnow())
        s.add(theirs)
        consent.grant(s, users["candidate"], consent.current_version(s))
        consent.grant(s, other, consent.current_version(s))
        s.flush()
        users["other"] = other
    return {"url": db_url, "users": users, "interview": interview, "theirs": theirs,
            "questions": questions, "practice": practice_q}




@pytest.fixture
def scored_demo(db_url, isolated_data_dir, monkeypatch):
    """The demo with its scored interviews, as the portal's own database: (the demo user
    of each role, the id of the demo candidate's completed, scored interview)."""
    monkeypatch.setenv("TALENT_DB_URL", db_url)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with db.session_scope() as s:
        load_demo(s, scored_interviews=True)
        users = {role: s.execute(select(User).where(User.email == demo_email(role))).scalar_one()
                 for role in ("candidate", "employee", "hr", "hr_manager", "interviewer", "admin")}
        past = s.execute(select(Interview).where(Interview.candidate_id == users["candidate"].id,
                                                 Interview.status == "completed")).scalar_one()
    yield users, past.id
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
