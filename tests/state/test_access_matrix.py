"""Every page route and every public event handler of every State class, for
every role, against the expected allow/deny. Both lists are enumerated from the
app itself, so a new page or handler fails this test until someone decides who
may use it."""

from __future__ import annotations

import pytest

from portal import models
from portal.services.accounts import access

ALL = set(models.ROLES)
ANON = "anonymous"
EVERYONE = ALL | {ANON}
ADMIN = {"admin"}
CANDIDATE = {"candidate"}
INTERVIEW_VIEWERS = {"candidate", "employee", "interviewer", "hr", "hr_manager"}

EXPECTED_PAGES = {
    "/": EVERYONE, "/jobs": EVERYONE, "/error": EVERYONE, "/404": EVERYONE, "/forbidden": EVERYONE,
    "/login": EVERYONE, "/login/code": EVERYONE, "/mfa/setup": EVERYONE, "/mfa/recovery-codes": EVERYONE,
    "/welcome": EVERYONE, "/forgot": EVERYONE, "/signup": EVERYONE, "/password/new": EVERYONE,
    "/confirm": ALL, "/account/security": ALL,
    "/admin/audit": ADMIN, "/admin/users": ADMIN, "/admin/outbox": ADMIN,
    "/hr/invitations": {"hr", "hr_manager", "admin"},
    "/hr/reviews": {"hr", "hr_manager"},
    "/hr": {"hr", "hr_manager"},
    # issue 12 · content
    "/hr/jobs": {"hr", "hr_manager"}, "/hr/jobs/[job_id]": {"hr", "hr_manager"},
    "/hr/questions": {"hr", "hr_manager"},

    # issue 12 · rules
    "/hr/rules": {"hr", "hr_manager"}, "/hr/decisions": {"hr", "hr_manager"},

    # issue 12 · scheduling
    "/hr/schedule": {"hr", "hr_manager"},

    # issue 12 · analytics
    "/hr/analytics": {"hr", "hr_manager"},

    # issue 12 · privacy
    "/account/privacy": ALL, "/hr/privacy": {"hr", "hr_manager"}, "/admin/retention": ADMIN,

    # issue 12 · catalogue
    "/hr/templates": {"hr", "hr_manager"}, "/hr/courses": {"hr", "hr_manager"},
    "/hr/interviewers": {"hr", "hr_manager"},

    "/candidate/device-check": {"candidate"},
    "/candidate": CANDIDATE, "/candidate/interviews": CANDIDATE, "/candidate/consent": CANDIDATE,
    "/candidate/how-it-works": CANDIDATE, "/candidate/interviewers": CANDIDATE,
    "/candidate/availability": CANDIDATE,
    "/candidate/practice": CANDIDATE,
    "/candidate/interview/[interview_id]": CANDIDATE,
    "/candidate/report/[interview_id]": {"candidate", "employee"},  # a hired candidate keeps their reports
    "/development": {"candidate", "employee"},
    "/interviewer": {"interviewer", "hr", "hr_manager"},
    "/interviewer/interview/[interview_id]": {"interviewer", "hr", "hr_manager"},
}

# handler (State class name . handler) -> roles allowed; None = anyone (touches nobody's data)
EXPECTED_HANDLERS = {
    "BaseState.guard": None, "BaseState.set_locale": None,
    "BaseState.toggle_locale": None, "BaseState.clear_flash": None, "BaseState.show_incident": None, "JobsState.load": None, "AuthPageState.load_messages": None,
    "AccountState.load": ALL, "AccountState.end_session": ALL, "AccountState.end_other_sessions": ALL,
    "UsersState.load": ADMIN, "UsersState.reset_mfa": ADMIN, "UsersState.set_active": ADMIN,
    "UsersState.set_role": ADMIN, "UsersState.set_self_signup": ADMIN,
    "AuditLogState.load": ADMIN, "AuditLogState.apply_filter": ADMIN, "AuditLogState.next_page": ADMIN,
    "AuditLogState.previous_page": ADMIN,
    "OutboxState.load": ADMIN,
    "InvitationsState.load": {"hr", "hr_manager", "admin"},
    "InvitationsState.invite": {"hr", "hr_manager", "admin"},
    # the page is the candidate's; the service lets only an interview's own candidate save
    "DeviceCheckState.load": {"candidate", "employee", "interviewer", "hr", "hr_manager"},
    "DeviceCheckState.save": {"candidate", "employee", "interviewer", "hr", "hr_manager"},
    # The candidate's pages: the services return only the caller's own interviews (none for
    # other roles); consent is one's own, like the security settings.
    "CandidateLandingState.leave_marketing": None,
    "CandidateHomeState.load": INTERVIEW_VIEWERS, "CandidateInterviewsState.load": INTERVIEW_VIEWERS,
    # the pages' clock: recomputes what the tab holds, checks the session without extending it
    "CandidateHomeState.tick": None, "CandidateInterviewsState.tick": None,
    "ProcessState.load": INTERVIEW_VIEWERS, "InterviewersState.load": INTERVIEW_VIEWERS,
    "ConsentState.load": ALL, "ConsentState.agree": ALL, "ConsentState.withdraw": ALL,
    "AvailabilityState.load": CANDIDATE, "AvailabilityState.add_slot": CANDIDATE,
    "AvailabilityState.remove_slot": CANDIDATE, "AvailabilityState.save": CANDIDATE,
    # practice is personal (employees may practise too); the service offers only one's own jobs' questions
    "PracticeState.load": {"candidate", "employee"}, "PracticeState.choose": {"candidate", "employee"},
    "PracticeState.retry": {"candidate", "employee"}, "PracticeState.submit": {"candidate", "employee"},
    "PracticeState.wait_for_feedback": {"candidate", "employee"},
    # the interview room: the services admit only the interview's own candidate (others audited)
    "InterviewRoomState.load": INTERVIEW_VIEWERS, "InterviewRoomState.answer_saved": INTERVIEW_VIEWERS,
    "InterviewRoomState.choose_typing": INTERVIEW_VIEWERS, "InterviewRoomState.submit_typed": INTERVIEW_VIEWERS,
    "InterviewRoomState.retaken": INTERVIEW_VIEWERS,
    # reviewing: the service shows an interviewer only assigned interviews, HR every one
    "MyCandidatesState.load": INTERVIEW_VIEWERS, "InterviewReviewState.load": INTERVIEW_VIEWERS,
    "InterviewReviewState.rate": {"interviewer", "hr", "hr_manager"},
    "InterviewReviewState.publish": {"hr", "hr_manager"},
    # the report: the service shows a candidate only their own, reviewers as the policy says
    "ReportState.load": {"candidate", "employee", "interviewer", "hr", "hr_manager"},
    "ReportState.ask_review": {"candidate", "employee"}, "ReportState.enrol": {"candidate", "employee"},
    # the development plan: the services show and change only one's own
    "DevelopmentState.load": {"candidate", "employee", "hr", "hr_manager"},
    "DevelopmentState.save_preference": {"candidate", "employee", "hr", "hr_manager"},
    "DevelopmentState.send_report": {"candidate", "employee", "hr", "hr_manager"},
    "DevelopmentState.enrol": {"candidate", "employee"}, "DevelopmentState.withdraw": {"candidate", "employee"},
    "HumanReviewsState.load": {"hr", "hr_manager"}, "HumanReviewsState.resolve": {"hr", "hr_manager"},
    # issue 12 · content
    "HrJobsState.load": {"hr", "hr_manager"}, "HrJobsState.create": {"hr", "hr_manager"}, "JobEditState.load": {"hr", "hr_manager"}, "JobEditState.save_settings": {"hr", "hr_manager"}, "JobEditState.set_field": {"hr", "hr_manager"}, "JobEditState.add_competency": {"hr", "hr_manager"}, "JobEditState.remove_competency": {"hr", "hr_manager"}, "JobEditState.save_model": {"hr", "hr_manager"}, "JobEditState.try_answer": {"hr", "hr_manager"}, "JobEditState.set_stage": {"hr", "hr_manager"}, "JobEditState.add_stage": {"hr", "hr_manager"}, "JobEditState.remove_stage": {"hr", "hr_manager"}, "JobEditState.save_stages": {"hr", "hr_manager"}, "QuestionBankState.load": {"hr", "hr_manager"}, "QuestionBankState.choose": {"hr", "hr_manager"}, "QuestionBankState.import_csv": {"hr", "hr_manager"}, "QuestionBankState.edit": {"hr", "hr_manager"}, "QuestionBankState.cancel_edit": {"hr", "hr_manager"}, "QuestionBankState.save_question": {"hr", "hr_manager"}, "QuestionBankState.export": {"hr", "hr_manager"},

    # issue 12 · rules
    "HrRulesState.load": {"hr", "hr_manager"}, "HrRulesState.choose_job": {"hr", "hr_manager"},
    "HrRulesState.create": {"hr", "hr_manager"}, "HrRulesState.edit": {"hr", "hr_manager"},
    "HrRulesState.preview": {"hr", "hr_manager"}, "HrRulesState.activate": {"hr", "hr_manager"},
    "HrRulesState.deactivate": {"hr", "hr_manager"},
    "HrDecisionsState.load": {"hr", "hr_manager"}, "HrDecisionsState.confirm": {"hr", "hr_manager"},
    "HrDecisionsState.override": {"hr", "hr_manager"},

    # issue 12 · scheduling
    "HrScheduleState.load": {"hr", "hr_manager"}, "HrScheduleState.search": {"hr", "hr_manager"}, "HrScheduleState.choose": {"hr", "hr_manager"}, "HrScheduleState.pick_job": {"hr", "hr_manager"}, "HrScheduleState.invite_new": {"hr", "hr_manager"}, "HrScheduleState.suggest": {"hr", "hr_manager"}, "HrScheduleState.book": {"hr", "hr_manager"}, "HrScheduleState.batch": {"hr", "hr_manager"}, "HrScheduleState.move": {"hr", "hr_manager"}, "HrScheduleState.cancel": {"hr", "hr_manager"},

    # issue 12 · analytics
    "HrAnalyticsState.load": {"hr", "hr_manager"}, "HrAnalyticsState.show": {"hr", "hr_manager"},
    "HrAnalyticsState.download": {"hr", "hr_manager"}, "HrAnalyticsState.record_groups": {"hr", "hr_manager"}, "HrAnalyticsState.record_reviews": {"hr", "hr_manager"},

    # issue 12 · privacy
    # one's own data: everyone signed in (the service refuses staff's deletion requests)
    "MyDataState.load": ALL, "MyDataState.request_deletion": ALL,
    "HrPrivacyState.load": {"hr", "hr_manager"}, "HrPrivacyState.approve": {"hr", "hr_manager"},
    "HrPrivacyState.refuse": {"hr", "hr_manager"}, "HrPrivacyState.cancel_approve": {"hr", "hr_manager"},
    "RetentionState.load": ADMIN, "RetentionState.save": ADMIN, "RetentionState.run_now": ADMIN,
    "RetentionState.publish_consent": ADMIN,

    # issue 12 · catalogue
    "TemplatesState.load": {"hr", "hr_manager"}, "TemplatesState.choose": {"hr", "hr_manager"},
    "TemplatesState.save": {"hr", "hr_manager"},
    "CoursesState.load": {"hr", "hr_manager"}, "CoursesState.import_csv": {"hr", "hr_manager"},
    "HrInterviewersState.load": {"hr", "hr_manager"}, "HrInterviewersState.edit": {"hr", "hr_manager"},
    "HrInterviewersState.new": {"hr", "hr_manager"}, "HrInterviewersState.save": {"hr", "hr_manager"},

}


def _user(role: str) -> models.User | None:
    return None if role == ANON else models.User(id=7, email=f"{role}@example.cn", role=role, is_active=True)


@pytest.fixture(scope="module")
def app():
    from portal.portal import app

    return app


def _auto_setters() -> bool:
    from reflex_base.config import get_config

    return bool(get_config().state_auto_setters)


def _states():
    from state.base import BaseState

    def walk(cls):
        yield cls
        for sub in cls.get_substates():
            yield from walk(sub)

    return list(walk(BaseState))


def test_every_page_route_is_decided_for_every_role(app):
    routes = {"/" + r.strip("/") if r != "index" else "/" for r in app._unevaluated_pages}
    assert routes == set(EXPECTED_PAGES), "a page was added or removed: decide who may open it here"
    for route, allowed in EXPECTED_PAGES.items():
        for role in EVERYONE:
            assert access.can_open(_user(role), route) == (role in allowed), (route, role)


def test_every_public_handler_is_guarded_as_expected(app):
    found = {}
    for cls in _states():
        for name, handler in cls.event_handlers.items():
            fn = handler.fn
            if name == "setvar":
                # Reflex's generic setter only calls a state's own set_<var> method, which is
                # one of the handlers checked here; without auto setters it can set nothing else.
                assert not _auto_setters()
                continue
            assert hasattr(fn, "talent_permission"), (
                f"{cls.__name__}.{name} is callable from the browser but neither @requires nor @public")
            found[f"{cls.__name__}.{name}"] = fn.talent_permission
    assert set(found) == set(EXPECTED_HANDLERS), "a handler was added or removed: decide who may call it here"
    for name, permission in found.items():
        expected = EXPECTED_HANDLERS[name]
        if expected is None:
            assert permission is None, name
            continue
        assert permission is not None, name
        for role in EVERYONE:
            assert access.can(_user(role), permission) == (role in expected), (name, role)


def test_a_disabled_user_may_do_nothing():
    user = models.User(id=1, email="a@example.cn", role="admin", is_active=False)
    assert not access.can_open(user, "/admin/audit")
    assert not access.can(user, access.AUDIT_VIEW)


def test_sensitive_handlers_need_a_recent_reauthentication(app):
    sensitive = {f"{cls.__name__}.{name}" for cls in _states()
                 for name, handler in cls.event_handlers.items()
                 if getattr(handler.fn, "talent_reauth", False)}
    assert sensitive == {"UsersState.reset_mfa", "UsersState.set_active", "UsersState.set_role",
                         "UsersState.set_self_signup"}
