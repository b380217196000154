"""The Reflex app: page registration with on_load guards. No work at import
beyond building components; the database is migrated by the CLI before start.

Every page's on_load is one event, BaseState.guard, which applies
portal.services.accounts.access.PAGE_ROLES on the server and then runs the
page's own loaders listed in PAGES (state/base.py page_on_load).
"""

from __future__ import annotations

import logging
import uuid

import reflex as rx

from components.i18n import t
from portal import routes
from portal.auth_routes import auth_app
from portal.background import (
    deliver_email_forever,
    dispatch_scoring_forever,
    dispatch_transcription_forever,
    queue_interview_reminders_forever,
    send_report_mail_forever,
)
from portal.http import security_headers
from portal.net_routes import net_app
from portal.recording_routes import recording_app
from portal.hr_routes import hr_app
from portal.report_routes import report_app
from portal.pages import (account, admin, auth, availability, development, device_check, errors, home, hr_reviews,
                          jobs, practice)
from portal.pages.candidate import consent as candidate_consent
from portal.pages.candidate import home as candidate_home
from portal.pages.candidate import interviewers as candidate_interviewers
from portal.pages.candidate import interviews as candidate_interviews
from portal.pages.candidate import process as candidate_process
from portal.pages.candidate import report as candidate_report
from portal.pages.candidate import room as candidate_room
from portal.pages.hr import home as hr_home
# issue 12 · content imports
from portal.pages.hr import content as hr_content
from state.hr_content import JOB_PAGE, HrJobsState, JobEditState, QuestionBankState

# issue 12 · rules imports
from portal.pages.hr import rules as hr_rules
from state.hr_rules import HrDecisionsState, HrRulesState

# issue 12 · scheduling imports
from portal.pages.hr import scheduling as hr_scheduling
from state.hr_scheduling import HrScheduleState

# issue 12 · analytics imports
from portal.pages.hr import analytics as hr_analytics
from state.hr_analytics import HrAnalyticsState

# issue 12 · privacy imports
from portal import privacy_routes
from portal.background import purge_retention_forever
from portal.pages import privacy as privacy_pages
from portal.pages.hr import privacy as hr_privacy
from state.privacy import HrPrivacyState, MyDataState, RetentionState

# issue 12 · catalogue imports
from portal.pages.hr import catalogue as hr_catalogue
from state.hr_catalogue import CoursesState, TemplatesState
from portal.pages.hr import interviewers as hr_interviewers
from state.hr_interviewers import HrInterviewersState

from portal.pages.interviewer import candidates as review_candidates
from portal.pages.interviewer import interview as review_interview
from state.account import AccountState
from state.admin import AuditLogState, InvitationsState, OutboxState, UsersState
from state.auth import AuthPageState
from state.availability import AvailabilityState
from state.base import BaseState, SessionBinding, page_on_load
from state.candidate import (
    CandidateHomeState,
    CandidateInterviewsState,
    CandidateLandingState,
    ConsentState,
    InterviewersState,
    ProcessState,
)
from state.development import DevelopmentState
from state.device_check import DeviceCheckState
from state.jobs import JobsState
from state.practice import PracticeState
from state.human_review import HumanReviewsState
from state.report import REPORT_PAGE, ReportState
from state.review import REVIEW_PAGE, InterviewReviewState, MyCandidatesState
from state.room import ROOM_PAGE, InterviewRoomState

log = logging.getLogger("portal")


def _backend_exception_handler(exception: Exception):
    """Log the detail under an incident id; the browser gets only the id."""
    incident = uuid.uuid4().hex[:8]
    log.error("incident %s", incident, exc_info=exception)
    return BaseState.show_incident(incident)


app = rx.App(
    backend_exception_handler=_backend_exception_handler,
    html_lang="zh-CN",
    # Sign-in, network-check, recording-upload and report endpoints first, then security headers around everything.
    api_transformer=[auth_app(), net_app(), recording_app(), report_app(), hr_app(), privacy_routes.privacy_app(),
                     security_headers],
)

# A tab's state belongs to the session that filled it (state/base.py).
app.add_middleware(SessionBinding())
app.register_lifespan_task(deliver_email_forever)
app.register_lifespan_task(dispatch_scoring_forever)
app.register_lifespan_task(dispatch_transcription_forever)
app.register_lifespan_task(queue_interview_reminders_forever)
app.register_lifespan_task(send_report_mail_forever)
app.register_lifespan_task(purge_retention_forever)  # issue 12 · privacy

messages = AuthPageState.load_messages

# (route, page, title msgid component, the page's loaders: run by the guard once it allows the page)
PAGES = [
    # A signed-in candidate is sent on to their own overview before anything loads.
    (routes.HOME, home.page, t("Talent Portal"), [CandidateLandingState.leave_marketing, JobsState.load]),
    (routes.JOBS, jobs.page, t("Open positions"), [JobsState.load]),
    (routes.ERROR, errors.error, t("Something went wrong"), []),
    (routes.FORBIDDEN, auth.forbidden, t("No access"), []),
    (routes.LOGIN, auth.login, t("Sign in"), [messages]),
    (routes.LOGIN_CODE, auth.login_code, t("Enter your code"), [messages]),
    (routes.MFA_SETUP, auth.mfa_setup, t("Set up your authenticator"), [messages]),
    (routes.RECOVERY_CODES, auth.recovery_codes, t("Your recovery codes"), []),
    (routes.REAUTH, auth.reauth, t("Confirm it is you"), [messages]),
    (routes.INVITE_FORM, auth.invite, t("Create your account"), [messages]),
    (routes.RESET_REQUEST, auth.reset_request, t("Reset your password"), [messages]),
    (routes.RESET_NEW, auth.reset_new, t("Choose a new password"), [messages]),
    (routes.SIGNUP, auth.signup, t("Create a candidate account"), [messages]),
    (routes.ACCOUNT_SECURITY, account.page, t("Security"), [AccountState.load]),
    (routes.ADMIN_AUDIT, admin.audit_log, t("Audit log"), [AuditLogState.load_messages, AuditLogState.load]),
    (routes.ADMIN_USERS, admin.users, t("Users"), [UsersState.load]),
    (routes.ADMIN_OUTBOX, admin.outbox, t("Outbox"), [OutboxState.load]),
    (routes.HR_INVITATIONS, admin.invitations, t("Invitations"), [InvitationsState.load]),
    (routes.HR_REVIEWS, hr_reviews.page, t("Review requests"), [HumanReviewsState.load]),
    # HR's back office (issue 12)
    (routes.HR_HOME, hr_home.page, t("Settings"), []),
    # issue 12 · content pages
    (routes.HR_JOBS, hr_content.jobs_page, t("Positions and competency models"), [HrJobsState.load]),
    (JOB_PAGE, hr_content.job_page, t("Position"), [JobEditState.load]),
    (routes.HR_QUESTIONS, hr_content.questions_page, t("Question banks"), [QuestionBankState.load]),

    # issue 12 · rules pages
    (routes.HR_RULES, hr_rules.rules_page, t("Decision rules"), [HrRulesState.load]),
    (routes.HR_DECISIONS, hr_rules.decisions_page, t("Decisions"), [HrDecisionsState.load]),

    # issue 12 · scheduling pages
    (routes.HR_SCHEDULE, hr_scheduling.page, t("Schedule interviews"), [HrScheduleState.load]),

    # issue 12 · analytics pages
    (routes.HR_ANALYTICS, hr_analytics.page, t("Analytics"), [HrAnalyticsState.load]),

    # issue 12 · privacy pages
    (routes.ACCOUNT_PRIVACY, privacy_pages.my_data_page, t("My data"), [MyDataState.load]),
    (routes.HR_PRIVACY, hr_privacy.page, t("Data deletion requests"), [HrPrivacyState.load]),
    (routes.ADMIN_RETENTION, privacy_pages.retention_page, t("Retention"), [RetentionState.load]),

    # issue 12 · catalogue pages
    (routes.HR_COURSES, hr_catalogue.courses_page, t("Courses"), [CoursesState.load]),
    (routes.HR_TEMPLATES, hr_catalogue.templates_page, t("E-mail templates"), [TemplatesState.load]),
    (routes.HR_INTERVIEWERS, hr_interviewers.page, t("Interviewers"), [HrInterviewersState.load]),

    (routes.CANDIDATE_DEVICE_CHECK, device_check.page, t("Device check"), [DeviceCheckState.load]),
    (routes.CANDIDATE_HOME, candidate_home.page, t("Overview"), [CandidateHomeState.load]),
    (routes.CANDIDATE_INTERVIEWS, candidate_interviews.page, t("My interviews"), [CandidateInterviewsState.load]),
    (routes.CANDIDATE_CONSENT, candidate_consent.page, t("Consent"), [ConsentState.load]),
    (routes.CANDIDATE_PROCESS, candidate_process.page, t("How the interview runs"), [ProcessState.load]),
    (routes.CANDIDATE_INTERVIEWERS, candidate_interviewers.page, t("Meet your interviewers"),
     [InterviewersState.load]),
    (routes.CANDIDATE_PRACTICE, practice.page, t("Practice"), [PracticeState.load]),
    (routes.CANDIDATE_AVAILABILITY, availability.page, t("Preferred times"), [AvailabilityState.load]),
    (ROOM_PAGE, candidate_room.page, t("Interview room"), [InterviewRoomState.load]),
    (REPORT_PAGE, candidate_report.page, t("Your score report"), [ReportState.load]),
    (routes.DEVELOPMENT, development.page, t("My development"), [DevelopmentState.load]),
    (routes.REVIEW_HOME, review_candidates.page, t("My candidates"), [MyCandidatesState.load]),
    (REVIEW_PAGE, review_interview.page, t("Interview review"), [InterviewReviewState.load]),
]

for route, component, title, on_load in PAGES:
    app.add_page(component, route=route, title=title, on_load=page_on_load(route, on_load))
app.add_page(errors.not_found, route=routes.NOT_FOUND, title=t("Page not found"), on_load=page_on_load(routes.NOT_FOUND, []))
