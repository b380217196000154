"""The candidate's pages through their registered on_load events against a real
database: the countdown moves and the join link opens on the page's clock tick,
without a reload and without reading the interviews again."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal import models, routes
from tests.state.test_page_queries import Tab, portal_db, statements  # noqa: F401 - fixtures


def _candidate_with_interview(minutes_ahead: float) -> tuple[str, int]:
    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope() as s:
        user = models.User(email="prep@example.cn", display_name="Prep", role="candidate")
        s.add(user)
        demo = s.exec(select(models.Interview).order_by(models.Interview.id)).first()
        s.flush()
        interview = models.Interview(candidate_id=user.id, job_id=demo.job_id, model_id=demo.model_id,
                                     scheduled_at=models.utcnow() + timedelta(minutes=minutes_ahead),
                                     duration_min=40)
        s.add(interview)
        s.flush()
        token = auth.start_sso_session(s, user, mfa_satisfied=True).token
        return f"{routes.SESSION_COOKIE}={token}", interview.id


def test_the_join_link_opens_on_the_clock_tick(statements, monkeypatch):  # noqa: F811
    from portal.services.interviews import preparation
    from state.candidate import CandidateHomeState, CandidateInterviewsState

    cookie, interview_id = _candidate_with_interview(minutes_ahead=16)
    tab = Tab(cookie)
    assert tab.load(routes.CANDIDATE_INTERVIEWS)[0] is None  # the guard let the candidate in
    page = tab.state(CandidateInterviewsState)
    [shown] = page.upcoming
    assert (shown["id"], shown["join"], shown["join_href"]) == (str(interview_id), "not_yet", "")

    later = preparation.utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(preparation, "utcnow", lambda: later)
    statements.clear()
    CandidateInterviewsState.tick.fn(page)
    tab.root.get_delta()  # what is sent after the event: the recomputed vars
    [shown] = page.upcoming
    assert shown["join"] == "open" and shown["join_href"] == routes.interview_room(interview_id)
    assert not [q for q in statements if "interview" in q.lower()], statements  # nothing read again

    tab.load(routes.CANDIDATE_HOME)
    home = tab.state(CandidateHomeState)
    before = home.interview["countdown"]
    monkeypatch.setattr(preparation, "utcnow", lambda: later + timedelta(minutes=5))
    CandidateHomeState.tick.fn(home)
    tab.root.get_delta()
    assert home.interview["countdown"] != before and home.interview["countdown"] == "距开始还有 9分钟"


def test_the_clock_does_not_hold_off_the_idle_timeout_and_an_ended_session_empties_the_page(portal_db):  # noqa: F811
    from portal.services.platform import db
    from state.candidate import CandidateInterviewsState

    cookie, _interview_id = _candidate_with_interview(minutes_ahead=60)
    tab = Tab(cookie)
    tab.load(routes.CANDIDATE_INTERVIEWS)
    page = tab.state(CandidateInterviewsState)
    assert len(page.upcoming) == 1
    idle_since = models.utcnow() - timedelta(minutes=10)
    with db.session_scope() as s:
        user_session = s.exec(select(models.UserSession).order_by(models.UserSession.id.desc())).first()
        user_session.last_seen_at = idle_since
        session_id = user_session.id
    assert CandidateInterviewsState.tick.fn(page) is None
    with db.session_scope() as s:
        # the timer is not the person: ten minutes idle stay ten minutes idle
        assert abs((s.get(models.UserSession, session_id).last_seen_at - idle_since).total_seconds()) < 1
        s.get(models.UserSession, session_id).ended_at = models.utcnow()  # e.g. ended under Security

    back = CandidateInterviewsState.tick.fn(page)
    assert f'"{routes.LOGIN}?next={routes.CANDIDATE_INTERVIEWS}"' in str(back.args)  # sign in, then back
    tab.root.get_delta()
    assert page.upcoming == [] and not page.has_any  # nothing of the candidate stays in the tab
    with db.session_scope() as s:
        assert not s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "access_denied")).all()
