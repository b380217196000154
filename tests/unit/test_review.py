"""Reviewing an interview (issue 9): who sees which interviews and which fields, the
AI's scores beside the reviewer's own levels, disagreements flagged, ratings validated,
encrypted and audited; against a real database file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    Answer,
    AnswerScore,
    AuditEvent,
    Competency,
    CompetencyScore,
    InterviewerRating,
    User,
    UserSession,
)
from portal.services.interviews import review, room
from portal.services.platform import crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError

TEXT = "我先倾听客户的顾虑，然后确认需求，并在一周后回访。"


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture
def scored(interview_now):
    """The demo interview with one typed answer, scored by hand (as the worker would)."""
    demo = interview_now
    with db.session_scope(demo["url"]) as s:
        answer = room.submit_typed(s, demo["users"]["candidate"], demo["interview"].id,
                                   demo["questions"][0].id, TEXT)
        competencies = s.execute(select(Competency).where(Competency.model_id == answer.model_id)
                                 .order_by(Competency.position)).scalars().all()
        s.add(AnswerScore(answer_id=answer.id, overall=71.0, relevance=80.0, coherence=70.0, keyword_density=0.1))
        for n, c in enumerate(competencies):
            evidence = [{"sentence": "我先倾听客户的顾虑", "similarity": 0.6}] if n == 0 else []
            s.add(CompetencyScore(answer_id=answer.id, competency_id=c.id, score=60.0 + n, level=4.2 - n * 0.5,
                                  evidence_enc=crypto.encrypt(json.dumps(evidence, ensure_ascii=False))))
        manager = User(email="mgr@example.cn", role="hr_manager", is_active=True)
        other_iv = User(email="iv2@example.cn", role="interviewer", is_active=True)
        s.add_all([manager, other_iv])
        s.flush()
        demo["users"].update(manager=manager, other_interviewer=other_iv)
        demo["answer_id"], demo["keys"] = answer.id, [c.key for c in competencies]
    return demo


def _review(demo, role, **kw) -> review.InterviewReview:
    with db.session_scope(demo["url"]) as s:
        return review.review(s, demo["users"][role], demo["interview"].id, **kw)


def _rate(demo, role, key, level, note=""):
    with db.session_scope(demo["url"]) as s:
        return review.rate(s, demo["users"][role], demo["answer_id"], key, level, note).id


def test_the_assigned_interviewer_sees_everything_of_the_answers(scored):
    found = _review(scored, "interviewer")
    assert found.sensitive and found.may_rate
    [answer] = found.answers
    assert answer.transcript == TEXT and answer.status == "scored" and answer.overall == 71.0
    first = answer.competencies[0]
    assert first.ai_score == 60.0 and first.evidence == ["我先倾听客户的顾虑"] and first.my_level is None
    with db.session_scope(scored["url"]) as s:
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "interview.review", AuditEvent.actor_id == scored["users"]["interviewer"].id)
        ).scalar_one() == 1
        rows = review.my_interviews(s, scored["users"]["interviewer"])
    assert scored["interview"].id in {r.id for r in rows}
    assert scored["theirs"].id not in {r.id for r in rows}  # not assigned to them
    mine = next(r for r in rows if r.id == scored["interview"].id)
    assert mine.answers == 1 and mine.scored == 1


def test_hr_sees_scores_but_no_sensitive_field_and_a_manager_after_reauth(scored):
    hr = _review(scored, "hr")
    assert not hr.sensitive and hr.answers[0].transcript is None and hr.answers[0].competencies[0].evidence == []
    assert hr.answers[0].competencies[0].ai_score == 60.0
    assert not _review(scored, "manager").sensitive
    fresh = UserSession(user_id=scored["users"]["manager"].id, token_hash="m" * 64, mfa_passed=True,
                        reauth_at=review.utcnow())
    stale = UserSession(user_id=scored["users"]["manager"].id, token_hash="n" * 64, mfa_passed=True,
                        reauth_at=review.utcnow() - timedelta(minutes=10))
    assert _review(scored, "manager", user_session=fresh).answers[0].transcript == TEXT
    assert _review(scored, "manager", user_session=stale).answers[0].transcript is None
    with db.session_scope(scored["url"]) as s:
        assert {r.id for r in review.my_interviews(s, scored["users"]["hr"])} >= {
            scored["interview"].id, scored["theirs"].id}


def test_nobody_else_reviews_or_rates(scored):
    for role in ("other_interviewer", "candidate", "other"):
        with pytest.raises(PermissionDenied):
            _review(scored, role)
        with pytest.raises(PermissionDenied):
            _rate(scored, role, scored["keys"][0], 3)
    with db.session_scope(scored["url"]) as s:
        assert review.my_interviews(s, scored["users"]["other_interviewer"]) == []
        assert s.execute(select(func.count()).select_from(InterviewerRating)).scalar_one() == 0


def test_a_rating_is_validated_encrypted_updated_and_compared_with_the_ai(scored):
    first, second = scored["keys"][:2]
    for level in (0, 6, "x", None, True, 2.5):
        with pytest.raises(ServiceError) as bad:
            _rate(scored, "interviewer", first, level)
        assert bad.value.msgid == review.BAD_LEVEL
    with pytest.raises(ServiceError) as long_note:
        _rate(scored, "interviewer", first, 3, "很" * (review.MAX_NOTE + 1))
    assert long_note.value.msgid == review.NOTE_TOO_LONG
    with pytest.raises(ServiceError) as unknown:
        _rate(scored, "interviewer", "not-a-competency", 3)
    assert unknown.value.msgid == review.NOT_A_COMPETENCY
    _rate(scored, "interviewer", first, 2, "回答中倾听的例子很具体")  # AI 4.2: more than one level apart
    _rate(scored, "interviewer", second, "4")  # AI 3.7: close
    rating_id = _rate(scored, "interviewer", first, 4, "再看一遍，给 4 分")  # changed, not added
    with db.session_scope(scored["url"]) as s:
        rows = s.execute(select(InterviewerRating)).scalars().all()
        assert len(rows) == 2 and s.get(InterviewerRating, rating_id).level == 4
        stored = s.get(InterviewerRating, rating_id).note_enc
        assert "再看" not in stored and crypto.decrypt(stored) == "再看一遍，给 4 分"
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "rating.save")).scalar_one() == 3
    comps = {c.key: c for c in _review(scored, "interviewer").answers[0].competencies}
    assert comps[first].my_level == 4 and comps[first].my_note == "再看一遍，给 4 分"
    assert not comps[first].disagrees and not comps[second].disagrees
    _rate(scored, "interviewer", first, 3)  # 1.2 levels below the AI's 4.2
    assert {c.key: c for c in _review(scored, "interviewer").answers[0].competencies}[first].disagrees
    # HR's own ratings are separate from the interviewer's
    _rate(scored, "hr", first, 5)
    assert {c.key: c for c in _review(scored, "hr").answers[0].competencies}[first].my_level == 5
    assert {c.key: c for c in _review(scored, "interviewer").answers[0].competencies}[first].my_level == 3


def test_a_practice_answer_cannot_be_rated(scored):
    with db.session_scope(scored["url"]) as s:
        practice = Answer(user_id=scored["users"]["candidate"].id, question_id=scored["practice"].id,
                          model_id=scored["interview"].model_id, is_practice=True, transcript_enc=crypto.encrypt("x"))
        s.add(practice)
        s.flush()
        with pytest.raises(PermissionDenied):
            review.rate(s, scored["users"]["interviewer"], practice.id, scored["keys"][0], 3)
