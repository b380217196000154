"""The review pages through their registered on_load events against a real database: the
page shows an HR manager transcripts only after they confirmed it is them (the state
passes the caller's own session to the service), HR never, and rating from the page
saves the reviewer's level."""

from __future__ import annotations

from sqlmodel import select

from portal import models, routes
from tests.state.test_page_queries import Tab, portal_db, statements  # noqa: F401 - fixtures

TEXT = "我先倾听客户的顾虑，再确认需求。"


def _answered_interview() -> int:
    from portal.services.platform import crypto, db

    with db.session_scope() as s:
        interview = s.exec(select(models.Interview).order_by(models.Interview.id)).first()
        question = s.exec(select(models.Question).where(models.Question.job_id == interview.job_id,
                                                        models.Question.is_practice.is_(False))).first()
        s.add(models.Answer(user_id=interview.candidate_id, question_id=question.id, interview_id=interview.id,
                            model_id=interview.model_id, transcript_enc=crypto.encrypt(TEXT)))
        return interview.id


def _cookie(role: str, *, reauth: bool = False) -> str:
    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope() as s:
        user = models.User(email=f"review-{role}-{reauth}@example.cn", display_name=role, role=role, is_active=True)
        s.add(user)
        s.flush()
        started = auth.start_sso_session(s, user, mfa_satisfied=True)
        if reauth:
            s.exec(select(models.UserSession).where(models.UserSession.user_id == user.id)).one().reauth_at = \
                models.utcnow()
        return f"{routes.SESSION_COOKIE}={started.token}"


def test_an_hr_manager_sees_transcripts_after_confirming_and_hr_never(portal_db):  # noqa: F811
    from state.review import InterviewReviewState

    interview_id = _answered_interview()
    shown = {}
    for who, cookie in (("hr", _cookie("hr", reauth=True)), ("manager", _cookie("hr_manager")),
                        ("confirmed manager", _cookie("hr_manager", reauth=True))):
        tab = Tab(cookie)
        assert tab.load(routes.interview_review(interview_id)) == [None]
        page = tab.state(InterviewReviewState)
        [answer] = page.answers
        shown[who] = (answer.transcript, page.needs_reauth)
    assert shown == {"hr": ("", False), "manager": ("", True), "confirmed manager": (TEXT, False)}


def test_rating_from_the_page_saves_the_reviewers_level(portal_db):  # noqa: F811
    from portal.services.platform import db
    from state.review import InterviewReviewState

    interview_id = _answered_interview()
    tab = Tab(_cookie("hr_manager", reauth=True))
    tab.load(routes.interview_review(interview_id))
    page = tab.state(InterviewReviewState)
    [answer] = page.answers
    key = answer.competencies[0].key
    InterviewReviewState.rate.fn(page, {"answer": answer.id, "competency": key, "level": "4", "note": "清楚"})
    assert page.flash_msgid == "Your rating is saved." and page.answers[0].competencies[0].my_level == "4"
    InterviewReviewState.rate.fn(page, {"answer": answer.id, "competency": key, "level": "9"})
    assert page.flash_kind == "error" and page.answers[0].competencies[0].my_level == "4"
    with db.session_scope() as s:
        assert s.exec(select(models.InterviewerRating.level)).all() == [4]
