"""Which navigation entries each role sees. Pages register the routes and
access.PAGE_ROLES guards them; this module only decides what the menu offers,
so the shell never hard-codes a role check."""

from __future__ import annotations

from portal import routes
from portal.services.platform.i18n import N_, gettext

# (route, msgid) in display order. "" is a visitor who has not signed in.
_PUBLIC = [(routes.HOME, N_("Home")), (routes.JOBS, N_("Open positions"))]
_ACCOUNT = [(routes.ACCOUNT_SECURITY, N_("Security")), (routes.ACCOUNT_PRIVACY, N_("My data"))]
# The candidate's preparation pages, in the order of the checklist. The overview replaces
# "Home" for candidates: "/" sends them there (landing_page).
_CANDIDATE: list[tuple[str, str]] = [
    (routes.CANDIDATE_HOME, N_("Overview")),
    (routes.CANDIDATE_INTERVIEWS, N_("My interviews")),
    (routes.CANDIDATE_CONSENT, N_("Consent")),
    (routes.CANDIDATE_DEVICE_CHECK, N_("Device check")),
    (routes.CANDIDATE_PROCESS, N_("How it runs")),
    (routes.CANDIDATE_INTERVIEWERS, N_("Interviewers")),
    (routes.CANDIDATE_PRACTICE, N_("Practice")),
    (routes.CANDIDATE_AVAILABILITY, N_("Preferred times")),
    (routes.DEVELOPMENT, N_("My development")),
]
_EMPLOYEE = [(routes.DEVELOPMENT, N_("My development"))]
_INVITATIONS = (routes.HR_INVITATIONS, N_("Invitations"))
# Decisions are daily work (a person confirms every rule's proposal): in the menu, not only under Settings.
_HR = [(routes.REVIEW_HOME, N_("Interviews")), (routes.HR_SCHEDULE, N_("Schedule")),
       (routes.HR_DECISIONS, N_("Decisions")), (routes.HR_REVIEWS, N_("Review requests")), _INVITATIONS,
       (routes.HR_HOME, N_("Settings"))]
# What the back office's overview (/hr) links to: the content candidates and employees see.
HR_SECTIONS: list[tuple[str, str, str]] = [
    (routes.HR_JOBS, N_("Positions and competency models"),
     N_("Settings of each position; competencies, weights, required levels and behavioural anchors, versioned; "
        "try an answer.")),
    (routes.HR_QUESTIONS, N_("Question banks"),
     N_("Practice and interview questions per position and competency; CSV import and export.")),
    (routes.HR_RULES, N_("Decision rules"), N_("Rules per position that propose advancing or rejecting, previewed on "
                                               "past interviews before they are activated; versioned.")),
    (routes.HR_DECISIONS, N_("Decisions"), N_("Confirm or override what the rules propose: a person decides every "
                                              "advance and rejection.")),
    (routes.HR_COURSES, N_("Training catalogue"), N_("Courses, the competencies they build, sessions and seats; CSV import.")),
    (routes.HR_TEMPLATES, N_("E-mail templates"), N_("Every e-mail in both languages, with placeholders and a preview.")),
    (routes.HR_INTERVIEWERS, N_("Interviewers"), N_("The profiles and photos candidates see before their interview.")),
    (routes.HR_PRIVACY, N_("Data deletion requests"), N_("Approve or refuse people's requests to delete their data.")),
    (routes.HR_ANALYTICS, N_("Analytics"), N_("Funnel, time in stage, score distributions, rating agreement and "
                                             "adverse impact per position; CSV export.")),
]
_INTERVIEWER = [(routes.REVIEW_HOME, N_("My candidates"))]
_ADMIN = [(routes.ADMIN_USERS, N_("Users")), (routes.ADMIN_AUDIT, N_("Audit log")),
          (routes.ADMIN_OUTBOX, N_("Outbox")), (routes.ADMIN_RETENTION, N_("Retention"))]

NAV: dict[str, list[tuple[str, str]]] = {
    "": _PUBLIC,
    "candidate": _CANDIDATE + _PUBLIC[1:] + _ACCOUNT,
    "employee": _PUBLIC + _EMPLOYEE + _ACCOUNT,
    "interviewer": _PUBLIC + _INTERVIEWER + _ACCOUNT,
    "hr": _PUBLIC + _HR + _ACCOUNT,
    "hr_manager": _PUBLIC + _HR + _ACCOUNT,
    "admin": _PUBLIC + [_INVITATIONS] + _ADMIN + _ACCOUNT,
}


def nav_items(role: str, locale: str) -> list[dict[str, str]]:
    """The entries for ``role`` with labels in ``locale``; unknown roles get the public menu."""
    return [
        {"href": href, "label": gettext(locale, msgid)}
        for href, msgid in NAV.get(role, NAV[""])
    ]


# Where "/" sends a signed-in user: candidates to their own overview, everyone else stays.
_LANDING = {"candidate": routes.CANDIDATE_HOME}


def landing_page(role: str) -> str:
    return _LANDING.get(role, routes.HOME)


ROLE_NAMES = {
    "candidate": N_("Candidate"),
    "employee": N_("Employee"),
    "interviewer": N_("Interviewer"),
    "hr": N_("HR"),
    "hr_manager": N_("HR manager"),
    "admin": N_("Administrator"),
}


def role_name(role: str, locale: str) -> str:
    return gettext(locale, ROLE_NAMES[role]) if role in ROLE_NAMES else ""
