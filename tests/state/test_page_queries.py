"""A page load is at most two SQL queries: the home and positions pages run their
registered on_load handler (the guard, which runs the open positions) against a real
database, with a signed-in session cookie, while an engine listener counts every
statement. Positions are cached per process, and an HR edit shows on the next load."""

from __future__ import annotations

import inspect

import pytest
from sqlmodel import select

from portal import models, routes
from tests import aio
from tests.sql import counted_statements


@pytest.fixture
def portal_db(isolated_data_dir):
    from portal.services.platform import db, demo
    from portal.services.interviews import consent, jobs

    db.get_engine.cache_clear()
    jobs.reset_cache()
    db.migrate()
    with db.session_scope() as s:
        demo.load_demo(s)
    with db.session_scope() as s:  # warm, as in a running portal (reloaded at most every 30 s)
        consent.current_version(s)
    yield
    db.get_engine.cache_clear()
    jobs.reset_cache()



@pytest.fixture
def statements(portal_db):
    with counted_statements() as seen:
        yield seen


def _signed_in_cookie(role: str = "employee") -> str:
    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope() as s:
        user = models.User(email=f"reader-{role}@example.cn", display_name="Reader", role=role)
        s.add(user)
        s.flush()
        token = auth.start_sso_session(s, user, mfa_satisfied=True).token
    return f"{routes.SESSION_COOKIE}={token}"


class Tab:
    """One browser tab's state tree, driven through the page's registered on_load events."""

    def __init__(self, cookie: str):
        from portal.portal import app
        from reflex.state import State

        self.app, self.cookie = app, cookie
        self.root = State(_reflex_internal_init=True)

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    def load(self, path: str) -> list:
        self.root._update_router_vars(
            {"pathname": path, "asPath": path,
             "headers": {"cookie": self.cookie, "origin": "http://localhost:3000"}},
            self.root.router_data or {})
        results = []
        for handler in self.app.get_load_events(path):
            handler = getattr(handler, "handler", handler)  # an EventSpec wraps its handler
            owner = self.root.get_substate(handler.state_full_name.split(".")[1:])
            result = handler.fn(owner)
            results.append(aio.run(result) if inspect.iscoroutine(result) else result)
        return results


@pytest.mark.parametrize("path", [routes.HOME, routes.JOBS])
def test_a_page_load_is_at_most_two_queries(statements, path):
    from state.base import BaseState
    from state.jobs import JobsState

    tab = Tab(_signed_in_cookie())
    statements.clear()
    assert tab.load(path) == [None]  # one event, no redirect: the page opened
    assert len(statements) <= 2, statements  # cold: who is calling, then the positions
    assert tab.state(BaseState).signed_in and tab.state(JobsState).open_count == "3"

    statements.clear()
    tab.load(routes.JOBS if path == routes.HOME else routes.HOME)
    assert len(statements) <= 1, statements  # the positions come from the cache
    another = Tab("")  # a visitor, in another tab
    statements.clear()
    another.load(path)
    assert statements == [] and another.state(JobsState).open_count == "3"


def test_a_signed_in_candidate_is_sent_from_home_to_their_overview_without_a_query(statements):
    tab = Tab(_signed_in_cookie("candidate"))
    tab.load(routes.JOBS)  # who is calling, and the positions, are known from here on
    statements.clear()
    [events] = tab.load(routes.HOME)  # the guard, with the page's loaders in its event
    [landing] = events
    assert routes.CANDIDATE_HOME in str(landing.args)
    assert len(statements) <= 1, statements  # only the guard's session lookup
    assert Tab(_signed_in_cookie("hr")).load(routes.HOME) == [None]  # others stay


def test_the_language_switch_needs_no_query_and_shows_the_cached_other_language(statements):
    from state.base import BaseState
    from state.jobs import JobsState

    tab = Tab(_signed_in_cookie())
    tab.load(routes.HOME)
    statements.clear()
    BaseState.toggle_locale.fn(tab.state(BaseState))
    titles = [j["title"] for j in tab.state(JobsState).jobs]
    assert statements == []
    assert "Account Manager" in titles


def test_an_hr_edit_shows_on_the_next_page_load(portal_db):
    from portal.services.platform import db
    from state.jobs import JobsState

    tab = Tab("")
    tab.load(routes.JOBS)
    assert tab.state(JobsState).jobs[0]["title"] == "客户经理"
    with db.session_scope() as s:
        job = s.exec(select(models.Job).where(models.Job.code == "SALES-AM-001")).one()
        job.title_zh = "大客户经理"
        second = s.exec(select(models.Job).where(models.Job.code != "SALES-AM-001")).first()
        second.is_open = False
    tab.load(routes.HOME)
    shown = tab.state(JobsState)
    assert shown.jobs[0]["title"] == "大客户经理"
    assert shown.open_count == "2"


def test_the_language_cookie_sent_with_every_navigation_recomputes_nothing(portal_db):
    from state.base import BaseState
    from state.jobs import JobsState

    tab = Tab("")
    tab.load(routes.HOME)
    base = tab.state(BaseState)
    base.locale = "en"
    tab.root._clean()
    base.locale = "en"  # what the hydrate of every reconnection does
    assert not base.dirty_vars and not tab.state(JobsState).dirty_vars
    base.locale = "zh_CN"  # a real switch still re-translates
    assert {"lang", "nav_items"} <= base.dirty_vars


def test_the_date_in_a_tab_open_across_midnight_moves_on(portal_db, monkeypatch):
    from datetime import datetime as real_datetime
    from datetime import timedelta

    import state.base
    from state.base import BaseState

    tab = Tab("")
    tab.load(routes.HOME)
    base = tab.state(BaseState)
    shown = base.today

    class Tomorrow(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime.now(tz) + timedelta(days=1)

    monkeypatch.setattr(state.base, "datetime", Tomorrow)
    var = BaseState.computed_vars["today"]
    setattr(base, var._last_updated_attr, real_datetime.now() - timedelta(minutes=2))
    assert base.today != shown


def _interview_for(cookie: str) -> None:
    """An upcoming interview, for the job with stages, of the user behind ``cookie``."""
    from datetime import datetime, timedelta, timezone

    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope() as s:
        user, _us = auth.resolve_session(s, cookie.split("=", 1)[1])
        stage = s.exec(select(models.InterviewStage)).first()
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == stage.job_id)).first()
        s.add(models.Interview(candidate_id=user.id, job_id=stage.job_id, model_id=model.id,
                               scheduled_at=datetime.now(timezone.utc) + timedelta(days=2), duration_min=45))


@pytest.mark.parametrize("with_interview", [False, True])
def test_the_candidate_overview_is_at_most_two_queries(statements, with_interview):
    """The caller, then the interviews with their jobs, stages, consent, "how it runs",
    practice and device checks in one statement (it was six without an interview:
    the consent and checklist lookups ran twice)."""
    from state.candidate import CandidateHomeState

    cookie = _signed_in_cookie("candidate")
    if with_interview:
        _interview_for(cookie)
    tab = Tab(cookie)
    statements.clear()
    assert tab.load(routes.CANDIDATE_HOME) == [None]
    assert len(statements) <= 2, statements
    home = tab.state(CandidateHomeState)
    assert home.has_interview is with_interview
    assert [step["done"] for step in home.checklist] == ["", "", "", "", ""]
    if with_interview:
        assert home.interview["countdown"] and home.interview["duration"]


def test_the_security_page_is_at_most_two_queries(statements):
    """The caller, then the open sessions with the count of unused recovery codes (was three)."""
    from state.account import AccountState

    tab = Tab(_signed_in_cookie("candidate"))
    statements.clear()
    assert tab.load(routes.ACCOUNT_SECURITY) == [None]
    assert len(statements) <= 2, statements
    shown = tab.state(AccountState)
    assert len(shown.sessions) == 1 and shown.sessions[0]["current"] == "1"
    assert shown.recovery_left == 0


def test_the_language_switch_leaves_hidden_pages_out_and_sends_them_when_shown(portal_db):
    """A switch re-translates the page shown, not every page's texts; a page shown again
    after a switch arrives in the new language."""
    from state.base import BaseState
    from state.candidate import CandidateHomeState
    from state.jobs import JobsState

    home = CandidateHomeState.get_full_name()
    tab = Tab(_signed_in_cookie("candidate"))
    tab.load(routes.CANDIDATE_HOME)
    zh_label = tab.state(CandidateHomeState).checklist[0]["label"]
    assert tab.state(BaseState).lang == "zh_CN" and zh_label != "Give your consent"
    tab.load(routes.JOBS)
    tab.root._clean()
    BaseState.toggle_locale.fn(tab.state(BaseState))
    delta = tab.root.get_delta()
    assert home not in delta  # hidden: nothing of the overview is recomputed or sent
    assert delta[JobsState.get_full_name()]["jobs_rx_state_"][0]["title"] == "Account Manager"  # shown
    tab.root._clean()

    tab.load(routes.CANDIDATE_HOME)
    sent = tab.root.get_delta()[home]
    assert sent["checklist_rx_state_"][0]["label"] == "Give your consent" != zh_label
    assert sent["greeting_rx_state_"].startswith("Welcome")


def test_a_page_switched_while_shown_and_again_while_hidden_comes_back_in_the_current_language(portal_db):
    """A hidden page's texts are left stale by a switch and recomputed when shown: after
    one switch on the page and one elsewhere, it is back in Chinese, sent and held."""
    from state.base import BaseState
    from state.candidate import CandidateHomeState
    from state.jobs import JobsState

    home = CandidateHomeState.get_full_name()
    tab = Tab(_signed_in_cookie("candidate"))
    tab.load(routes.CANDIDATE_HOME)
    zh_label = tab.state(CandidateHomeState).checklist[0]["label"]
    tab.root._clean()
    BaseState.toggle_locale.fn(tab.state(BaseState))  # on the page: sent in English at once
    assert tab.root.get_delta()[home]["checklist_rx_state_"][0]["label"] == "Give your consent"
    tab.root._clean()
    tab.load(routes.JOBS)
    tab.root._clean()
    BaseState.toggle_locale.fn(tab.state(BaseState))  # elsewhere: back to Chinese
    assert home not in tab.root.get_delta()
    tab.root._clean()
    tab.load(routes.CANDIDATE_HOME)
    assert tab.root.get_delta()[home]["checklist_rx_state_"][0]["label"] == zh_label
    assert tab.state(CandidateHomeState).checklist[0]["label"] == zh_label

    # the positions, whose loader assigns nothing when they have not changed
    zh_title = tab.state(JobsState).jobs[0]["title"]
    tab.load(routes.JOBS)
    BaseState.toggle_locale.fn(tab.state(BaseState))
    assert tab.state(JobsState).jobs[0]["title"] == "Account Manager"
    tab.load(routes.CANDIDATE_HOME)
    BaseState.toggle_locale.fn(tab.state(BaseState))
    tab.root._clean()
    tab.load(routes.JOBS)
    assert tab.root.get_delta()[JobsState.get_full_name()]["jobs_rx_state_"][0]["title"] == zh_title


def test_after_a_sign_out_no_state_of_the_tab_holds_the_name_even_a_hidden_pages(portal_db):
    """What a next holder of the tab would be sent whole (a hydrate) names nobody: the
    name's change reaches hidden pages' texts too, also those a switch left stale."""
    from state.base import BaseState
    from state.candidate import CandidateHomeState

    tab = Tab(_signed_in_cookie("candidate"))
    tab.load(routes.CANDIDATE_HOME)
    assert "Reader" in tab.state(CandidateHomeState).greeting
    tab.load(routes.JOBS)
    BaseState.toggle_locale.fn(tab.state(BaseState))  # the overview's texts left stale
    tab.cookie = ""  # signed out
    tab.load(routes.JOBS)
    assert not tab.state(BaseState).signed_in
    assert "Reader" not in repr(tab.root.dict())


@pytest.mark.parametrize("path", [routes.CANDIDATE_INTERVIEWS, routes.CANDIDATE_CONSENT,
                                  routes.CANDIDATE_INTERVIEWERS, routes.CANDIDATE_PROCESS])
def test_the_other_preparation_pages_are_at_most_two_queries(statements, path):
    """Consent was three (the latest record, then whether one is active), the interviewers
    three and how it runs six (the interviews, then the jobs, guides, stages and the mark
    one by one). How it runs also writes its checklist mark, once."""
    from state.candidate import ConsentState, InterviewersState, ProcessState

    from portal.services.platform import db

    cookie = _signed_in_cookie("candidate")
    _interview_for(cookie)
    with db.session_scope() as s:  # an interviewer for the new interview
        interview = s.exec(select(models.Interview).order_by(models.Interview.id.desc())).first()
        profile = s.exec(select(models.InterviewerProfile).where(models.InterviewerProfile.is_active)).first()
        s.add(models.InterviewAssignment(interview_id=interview.id, interviewer_id=profile.id))
        name = profile.name_zh
    tab = Tab(cookie)
    for visit in range(2):
        statements.clear()
        assert tab.load(path) == [None]
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        writes = [s for s in statements if s not in reads]
        assert len(reads) <= 2, statements
        assert len(writes) == (1 if path == routes.CANDIDATE_PROCESS and visit == 0 else 0), statements
    if path == routes.CANDIDATE_CONSENT:
        assert not tab.state(ConsentState).given and tab.state(ConsentState).status_text
    elif path == routes.CANDIDATE_PROCESS:
        [guide] = tab.state(ProcessState).guides
        assert guide["stages"] and guide["total"]
    elif path == routes.CANDIDATE_INTERVIEWERS:
        assert [card["name"] for card in tab.state(InterviewersState).cards] == [name]


def test_the_interview_room_is_at_most_two_queries(statements):
    """The caller, then the interview with its job, the consent and every question with
    what is saved of its answer, in one statement."""
    from state.room import InterviewRoomState

    from portal.services.platform import db

    cookie = _signed_in_cookie("candidate")
    _interview_for(cookie)
    with db.session_scope() as s:
        interview_id = s.exec(select(models.Interview.id).order_by(models.Interview.id.desc())).first()
    tab = Tab(cookie)
    statements.clear()
    assert tab.load(routes.interview_room(interview_id)) == [None]
    assert len(statements) <= 2, statements
    shown = tab.state(InterviewRoomState)
    assert not shown.refused and shown.join_state == "not_yet" and not shown.has_consent
    assert shown.question_id and shown.progress_text.startswith("第 1 题")


@pytest.mark.parametrize("with_interview", [False, True])
def test_the_device_check_page_is_at_most_two_queries(statements, with_interview):
    """The caller, then the interview with its job and the newest check in one statement (was four)."""
    from state.device_check import DeviceCheckState

    cookie = _signed_in_cookie("candidate")
    if with_interview:
        _interview_for(cookie)
    tab = Tab(cookie)
    statements.clear()
    assert tab.load(routes.CANDIDATE_DEVICE_CHECK) == [None]
    assert len(statements) <= 2, statements
    shown = tab.state(DeviceCheckState)
    assert shown.has_interview is with_interview and (shown.interview_label != "") is with_interview


def test_no_state_keeps_a_var_in_browser_storage():
    """A Cookie or LocalStorage var makes the frontend send an extra event
    (update_vars_internal) with every navigation: the language cookie cost a quarter of
    a page load's events. The language is read from the handshake instead."""
    from portal.portal import app  # noqa: F401 - registers every state
    from reflex.compiler.utils import compile_client_storage
    from reflex.state import State

    assert compile_client_storage(State) == {"cookies": {}, "local_storage": {}, "session_storage": {}}


@pytest.fixture
def scored_statements(isolated_data_dir):
    """The demo content with the demo candidate's scored interview and a cohort of six
    (as ``make run`` seeds it), and every statement counted; caches warm as in a running portal."""
    from portal.services.platform import content_cache, db, demo

    db.get_engine.cache_clear()
    content_cache.reset_all()
    db.migrate()
    with db.session_scope() as s:
        demo.load_demo(s, scored_interviews=True)
    with counted_statements() as seen:
        yield seen
    db.get_engine.cache_clear()
    content_cache.reset_all()


def _demo_cookie(role: str) -> str:
    from portal.services.accounts import auth
    from portal.services.platform import db, demo

    with db.session_scope() as s:
        user = s.exec(select(models.User).where(models.User.email == demo.demo_email(role))).one()
        return f"{routes.SESSION_COOKIE}={auth.start_sso_session(s, user, mfa_satisfied=True).token}"


def _reads(statements: list[str]) -> list[str]:
    # the audit chain's read of the previous hash is part of its write, not of the page
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and "auditevent" not in s]


def test_the_score_report_reads_two_statements(scored_statements):
    """The caller; then, together (db.together), the interview with its job, whether every
    answer is scored, the recorded report and its latest review request; its scores with the
    cohort's and the evidence; the open runs of the courses not taken; the learning
    preference; the decisions (was 5, and 14 before: the competencies, the cohort and the
    catalogue each on their own). The model's competencies and the course catalogue come
    from the per-process copies."""
    from state.report import ReportState

    from portal.services.platform import db, demo

    with db.session_scope() as s:
        candidate = s.exec(select(models.User).where(models.User.email == demo.demo_email("candidate"))).one()
        interview_id = s.exec(select(models.Interview.id).where(
            models.Interview.candidate_id == candidate.id, models.Interview.status == "completed")).one()
    tab = Tab(_demo_cookie("candidate"))
    tab.load(routes.candidate_report(interview_id))  # the first view records the report
    for _visit in range(2):
        scored_statements.clear()
        assert tab.load(routes.candidate_report(interview_id)) == [None]
        assert len(_reads(scored_statements)) <= 2, scored_statements
        shown = tab.state(ReportState)
        assert shown.ready and not shown.refused
        found = shown._found
        assert found.numbers.cohort_size == 6 and found.numbers.overall_percentile is not None
        assert any(c.evidence for c in found.numbers.competencies)  # the candidate reads their own quotes
        assert found.recommended  # courses for the gaps


@pytest.mark.parametrize("role", ["hr", "interviewer"])
def test_reviewing_an_interview_reads_two_statements(scored_statements, role):
    """The caller; then, together, the interview with its job, candidate and report, its
    answers, their scores, the reviewer's own ratings and an interviewer's assignments, which
    every check of the page reuses (HR's was 11: the publication read its rows again)."""
    from state.review import InterviewReviewState

    from portal.services.platform import db, demo

    with db.session_scope() as s:
        candidate = s.exec(select(models.User).where(models.User.email == demo.demo_email("candidate"))).one()
        interview_id = s.exec(select(models.Interview.id).where(
            models.Interview.candidate_id == candidate.id, models.Interview.status == "completed")).one()
        reviewer = s.exec(select(models.User).where(models.User.email == demo.demo_email("interviewer"))).one()
        profile = s.exec(select(models.InterviewerProfile).where(
            models.InterviewerProfile.user_id == reviewer.id)).first()
        s.add(models.InterviewAssignment(interview_id=interview_id, interviewer_id=profile.id))
    tab = Tab(_demo_cookie(role))
    path = routes.interview_review(interview_id)
    tab.load(path)
    scored_statements.clear()
    assert tab.load(path) == [None]
    assert len(_reads(scored_statements)) <= 2, scored_statements
    shown = tab.state(InterviewReviewState)
    assert not shown.refused and shown._found.answers
    assert all(c.ai_score is not None for a in shown._found.answers for c in a.competencies)
    assert shown.sensitive == (role == "interviewer") and shown.may_rate
    from portal.services.reports import report

    with db.session_scope() as s:  # HR sees whether it is published, as the report service tells it
        expected = report.publication(s, interview_id) if role == "hr" else ""
    assert shown.publication == expected and (expected or role != "hr")
    if role == "interviewer":
        assert all(a.transcript for a in shown._found.answers)  # reviewing an assigned interview


@pytest.mark.parametrize("role", ["employee", "candidate"])
def test_the_development_plan_reads_two_statements(scored_statements, role):
    """The caller; then, together (db.together), the goals with the learning preference and
    the last development report, the courses taken with their runs and waiting lists, the
    interviews' scores with the latest model, the practice scores, the later assessments and
    the open runs of the courses not taken (was 6; 11 for an employee, 13 for a candidate)."""
    from state.development import DevelopmentState

    tab = Tab(_demo_cookie(role))
    tab.load(routes.DEVELOPMENT)
    scored_statements.clear()
    assert tab.load(routes.DEVELOPMENT) == [None]
    assert len(_reads(scored_statements)) <= 2, scored_statements
    plan = tab.state(DevelopmentState)._plan
    assert plan.points and plan.gaps and plan.recommended
    if role == "employee":
        assert plan.goals and plan.courses


def test_the_practice_page_reads_two_statements(statements):
    """The caller; then the questions offered with the consent and every attempt with its
    scores, together (db.together; was three, and four without any attempt, six with one)."""
    from datetime import datetime, timezone

    from state.practice import PracticeState

    from portal.services.accounts import auth
    from portal.services.platform import db

    cookie = _signed_in_cookie("candidate")
    _interview_for(cookie)
    with db.session_scope() as s:
        user, _us = auth.resolve_session(s, cookie.split("=", 1)[1])
        question = s.exec(select(models.Question).where(models.Question.is_practice.is_(True))).first()
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == question.job_id)).first()
        comps = s.exec(select(models.Competency).where(models.Competency.model_id == model.id)).all()
        for text in ("first", "second"):
            answer = models.Answer(user_id=user.id, question_id=question.id, model_id=model.id, is_practice=True,
                                   transcript_enc=text, submitted_at=datetime.now(timezone.utc))
            s.add(answer)
            s.flush()
            s.add(models.AnswerScore(answer_id=answer.id, overall=60.0 if text == "first" else 70.0,
                                     relevance=0.5, coherence=0.5, keyword_density=0.1))
            for comp in comps[:2]:
                s.add(models.CompetencyScore(answer_id=answer.id, competency_id=comp.id, score=60.0, level=3.0))
    tab = Tab(cookie)
    statements.clear()
    assert tab.load(routes.CANDIDATE_PRACTICE) == [None]
    assert len(_reads(statements)) <= 2, statements
    shown = tab.state(PracticeState)
    assert shown._questions["en"] and not shown.has_consent
    [history] = shown._history["en"]
    assert len(history.attempts) == 2


def test_the_switch_sends_no_hidden_positions_and_a_page_shown_again_unchanged_sends_nothing(portal_db):
    """The open positions (shown on home and /jobs only, kept across pages) were re-sent
    whole with every language switch, about 5 KB, whatever page was shown. Now they come
    in the new language when /jobs is shown again, and a page shown again with nothing
    changed resends none of its texts."""
    from state.base import BaseState
    from state.candidate import CandidateHomeState
    from state.jobs import JobsState

    jobs, home = JobsState.get_full_name(), CandidateHomeState.get_full_name()
    tab = Tab(_signed_in_cookie("candidate"))
    tab.load(routes.JOBS)
    tab.load(routes.CANDIDATE_HOME)
    tab.root._clean()
    BaseState.toggle_locale.fn(tab.state(BaseState))
    assert jobs not in tab.root.get_delta()
    tab.root._clean()
    tab.load(routes.JOBS)
    sent = tab.root.get_delta()[jobs]
    assert sent["jobs_rx_state_"][0]["title"] == "Account Manager"
    tab.root._clean()
    tab.load(routes.CANDIDATE_HOME)
    tab.root._clean()
    tab.load(routes.JOBS)
    assert jobs not in tab.root.get_delta()  # nothing changed: nothing resent
    tab.root._clean()
    tab.load(routes.CANDIDATE_HOME)
    assert "greeting_rx_state_" not in tab.root.get_delta().get(home, {})


def test_a_new_connection_is_not_emptied_twice(portal_db):
    """SessionBinding empties a fresh connection's states; the guard's own emptying for
    the signed-in user then sets nothing more, so the first page does not resend every
    state's defaults (about 16 KB)."""
    from state.base import BaseState

    tab = Tab(_signed_in_cookie("candidate"))
    base = tab.state(BaseState)
    base._forget_everything()  # what SessionBinding does on the connection's first event
    tab.root._clean()
    tab.load(routes.CANDIDATE_HOME)
    sent = tab.root.get_delta()
    assert len(sent) <= 4, sorted(sent)  # the root, BaseState, the overview (and its parent)


@pytest.mark.parametrize("role", ["interviewer", "hr"])
def test_the_interviewers_list_is_at_most_two_queries(scored_statements, role):
    """The caller, then the interviews (an interviewer's assigned ones) with their jobs,
    candidates and how many answers are scored, in one statement (was five: the
    assignments, the interviews, the answers and the scores counted apart)."""
    from state.review import MyCandidatesState

    tab = Tab(_demo_cookie(role))
    scored_statements.clear()
    assert tab.load(routes.REVIEW_HOME) == [None]
    assert len(_reads(scored_statements)) <= 2, scored_statements
    rows = tab.state(MyCandidatesState)._rows["en"]
    if role == "interviewer":  # the demo interviewer is assigned the demo candidate's next interview only
        assert [(r["candidate"], r["progress"]) for r in rows] == [("张伟", "0 of 0 answers scored")]
    else:  # HR sees every interview, the scored ones counted
        assert len(rows) > 1 and "6 of 6 answers scored" in {r["progress"] for r in rows}, rows


def test_the_question_bank_reads_only_the_caller_and_shows_an_edit_at_once(statements):
    """The jobs, the banks and the models' competencies are per-process copies of what only
    HR's edits change: a warm load reads the caller alone (was 10: the jobs, their versions
    and question counts, the job again, its models' use, its models, competencies and
    anchors), and HR's edit of a question shows on the very next load."""
    from state.hr_content import QuestionBankState
    from portal.services.interviews import question_bank
    from portal.services.platform import db

    tab = Tab(_signed_in_cookie("hr"))
    tab.load(routes.HR_QUESTIONS)  # the copies are filled
    statements.clear()
    assert tab.load(routes.HR_QUESTIONS) == [None]
    assert len(statements) <= 1, statements
    shown = tab.state(QuestionBankState)
    with db.session_scope() as s:
        first = s.exec(select(models.Job).order_by(models.Job.code)).first()
        asked = s.exec(select(models.Question).where(models.Question.job_id == first.id)).all()
    assert shown.job_id == str(first.id) and shown.has_model and shown.competencies
    assert sorted(q["id"] for q in shown.questions) == sorted(str(q.id) for q in asked)
    names = {c["key"]: c["name_zh"] for c in shown.competencies}
    assert all(q["competency_zh"] == names[q["key"]] for q in shown.questions)

    question = asked[0]
    with db.session_scope() as s:
        hr = s.exec(select(models.User).where(models.User.role == "hr")).first()
        question_bank.update(s, hr, question.id, text_zh="请讲一次你改进流程的经历。", text_en=question.text_en,
                             answer_s=str(question.time_limit_s), competency_key=question.competency_key,
                             practice=question.is_practice)
    tab.load(routes.HR_QUESTIONS)
    edited = next(q for q in tab.state(QuestionBankState).questions if q["id"] == str(question.id))
    assert edited["text_zh"] == "请讲一次你改进流程的经历。"


# HR's pages, each bounded (reads, with the caller's session). What only HR's edits change is a
# per-process copy: the positions list was 4, the rules 6, the schedule 8 (the stages were read
# one job at a time; the upcoming interviews are read); analytics 15 (each interview's first
# answer, report, advance and the person's start date apart); the others are where they stand.
HR_PAGE_READS = {routes.HR_JOBS: 1, routes.HR_SCHEDULE: 2, routes.HR_RULES: 1, routes.HR_DECISIONS: 2,
                 routes.HR_ANALYTICS: 2, routes.HR_PRIVACY: 2, routes.HR_REVIEWS: 2}


@pytest.mark.parametrize("path", sorted(HR_PAGE_READS))
def test_hr_pages_read_a_bounded_number_of_statements(scored_statements, path):
    from portal.services.accounts import auth
    from portal.services.platform import db, demo
    from state.base import BaseState

    with db.session_scope() as s:
        hr = s.exec(select(models.User).where(models.User.email == demo.demo_email("hr"))).one()
        cookie = f"{routes.SESSION_COOKIE}={auth.start_sso_session(s, hr, mfa_satisfied=True).token}"
    tab = Tab(cookie)
    tab.load(path)  # per-process copies filled
    scored_statements.clear()
    assert tab.load(path) == [None]
    assert tab.state(BaseState).role == "hr"
    assert len(_reads(scored_statements)) <= HR_PAGE_READS[path], scored_statements


def test_the_schedule_shows_an_interviewer_made_inactive_gone_on_the_next_load(scored_statements):
    """The positions and interviewers the schedule offers are a per-process copy; HR's edit
    of a profile drops it at once."""
    from portal.services.accounts import auth
    from portal.services.interviews import interviewer_profiles
    from portal.services.platform import db, demo
    from state.hr_scheduling import HrScheduleState

    with db.session_scope() as s:
        hr = s.exec(select(models.User).where(models.User.email == demo.demo_email("hr"))).one()
        cookie = f"{routes.SESSION_COOKIE}={auth.start_sso_session(s, hr, mfa_satisfied=True).token}"
    tab = Tab(cookie)
    tab.load(routes.HR_SCHEDULE)
    offered = tab.state(HrScheduleState)._people
    assert offered and tab.state(HrScheduleState)._jobs
    with db.session_scope() as s:
        profile = s.get(models.InterviewerProfile, offered[0]["id"])
        fields = {k: getattr(profile, k) for k in ("name_zh", "name_en", "title_zh", "title_en")}
        interviewer_profiles.save_profile(s, s.get(models.User, hr.id), fields | {"is_active": False}, profile.id)
    tab.load(routes.HR_SCHEDULE)
    assert offered[0]["id"] not in [p["id"] for p in tab.state(HrScheduleState)._people]
