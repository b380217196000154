"""The one access policy: who may do what, to which object, on which page.

Deny by default. A role grants permissions (``ROLE_PERMISSIONS``); object rules
then narrow them:

- candidate, employee: only objects that are their own (``obj.user_id``,
  ``obj.candidate_id`` or ``obj.requester_id`` is their id, or the object is
  their own User row);
- interviewer: only interviews assigned to them (InterviewAssignment →
  InterviewerProfile.user_id), objects of those interviews and the candidates
  of those interviews; nothing outside an interview (e.g. practice answers);
- hr, hr_manager: every object their permissions cover, non-sensitive fields;
- sensitive fields (id number, phone, transcripts, evidence quotes, video
  references, interviewer notes' bodies): the person they are about, or an
  hr_manager whose session re-authenticated within ``REAUTH_MAX_AGE``; and the
  transcripts, evidence and recordings of an interview to the interviewer
  assigned to it (they review them);
- admin: users, roles, keys, the audit log and the outbox; no candidate data.

``require`` raises PermissionDenied and, given a session, records an
``access_denied`` audit event and commits it (so the caller's rollback cannot
erase the record): call it before writing anything.
"""

from __future__ import annotations

import functools

from datetime import datetime, timedelta, timezone

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from portal.models import (aware, 
    ROLES,
    Interview,
    InterviewAssignment,
    InterviewerProfile,
    User,
    UserSession,
)
from portal.services.platform.errors import PermissionDenied

CANDIDATE, EMPLOYEE, INTERVIEWER, HR, HR_MANAGER, ADMIN = ROLES
SIGNED_IN = frozenset(ROLES)

# ---------------------------------------------------------------- permissions
ACCOUNT_SELF = "account.self"  # own security settings, sessions, consents
REPORT_VIEW = "report.view"
REPORT_PUBLISH = "report.publish"  # publish a score report to its candidate (jobs HR publishes)
INTERVIEW_VIEW = "interview.view"
NOTE_ADD = "note.add"
PRACTICE_USE = "practice.use"
COURSE_ENROL = "course.enrol"
REVIEW_REQUEST = "review.request"
REVIEW_RESOLVE = "review.resolve"
DEVELOPMENT_VIEW = "development.view"
DEVELOPMENT_EDIT = "development.edit"
ANALYTICS_VIEW = "analytics.view"
CONFIG_EDIT = "config.edit"  # jobs, competency models, questions, interviewers, courses, templates
INVITATION_CREATE = "invitation.create"
SENSITIVE_VIEW = "sensitive.view"
USER_MANAGE = "user.manage"
AUDIT_VIEW = "audit.view"
OUTBOX_VIEW = "outbox.view"
KEYS_MANAGE = "keys.manage"
INTERVIEW_SCHEDULE = "interview.schedule"  # schedule, move, cancel interviews; read preferred slots
AVAILABILITY_EDIT = "availability.edit"  # a candidate's own preferred time slots
DECISION_CONFIRM = "decision.confirm"  # confirm or override a rule's advance or rejection (PIPL art. 24)
PRIVACY_APPROVE = "privacy.approve"  # approve or refuse data-subject deletion requests
RETENTION_MANAGE = "retention.manage"  # retention per data class, consent text versions
RULE_MANAGE = "rule.manage"  # write, preview, activate and deactivate a job's decision rules

_PERSONAL = {ACCOUNT_SELF, REPORT_VIEW, INTERVIEW_VIEW, PRACTICE_USE, COURSE_ENROL, REVIEW_REQUEST}
_HR = {ACCOUNT_SELF, REPORT_VIEW, REPORT_PUBLISH, INTERVIEW_VIEW, NOTE_ADD, REVIEW_RESOLVE, DEVELOPMENT_VIEW,
       DEVELOPMENT_EDIT, ANALYTICS_VIEW, CONFIG_EDIT, INVITATION_CREATE, INTERVIEW_SCHEDULE, DECISION_CONFIRM,
       PRIVACY_APPROVE, RULE_MANAGE}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # a candidate has a development plan too: the courses of their report's gaps
    CANDIDATE: frozenset(_PERSONAL | {AVAILABILITY_EDIT, DEVELOPMENT_VIEW}),
    EMPLOYEE: frozenset(_PERSONAL | {DEVELOPMENT_VIEW}),
    INTERVIEWER: frozenset({ACCOUNT_SELF, REPORT_VIEW, INTERVIEW_VIEW, NOTE_ADD}),
    HR: frozenset(_HR),
    HR_MANAGER: frozenset(_HR | {SENSITIVE_VIEW}),
    ADMIN: frozenset({ACCOUNT_SELF, USER_MANAGE, AUDIT_VIEW, OUTBOX_VIEW, KEYS_MANAGE,
                      INVITATION_CREATE, RETENTION_MANAGE}),
}
ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())

# Which roles each inviting role may hand out.
INVITABLE_ROLES: dict[str, frozenset[str]] = {
    HR: frozenset({CANDIDATE, EMPLOYEE, INTERVIEWER}),
    HR_MANAGER: frozenset({CANDIDATE, EMPLOYEE, INTERVIEWER, HR}),
    ADMIN: frozenset(ROLES),
}

# Columns that only their subject or a re-authenticated hr_manager may read.
SENSITIVE_FIELDS = frozenset({"id_number_enc", "phone_enc", "transcript_enc", "evidence_enc",
                              "video_ref_enc", "body_enc"})

# What the interviewer assigned to an interview reads of its answers to review them.
INTERVIEW_EVIDENCE_FIELDS = frozenset({"transcript_enc", "evidence_enc", "video_ref_enc"})

REAUTH_MAX_AGE = timedelta(minutes=5)

# ---------------------------------------------------------------- pages
# Longest matching prefix (on a "/" boundary) wins; paths under no entry are public.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "/account": SIGNED_IN,
    "/account/security": SIGNED_IN,
    "/account/privacy": SIGNED_IN,
    "/confirm": SIGNED_IN,
    "/admin": frozenset({ADMIN}),
    "/admin/audit": frozenset({ADMIN}),
    "/admin/users": frozenset({ADMIN}),
    "/admin/outbox": frozenset({ADMIN}),
    "/admin/retention": frozenset({ADMIN}),
    "/hr": frozenset({HR, HR_MANAGER}),
    "/hr/invitations": frozenset({HR, HR_MANAGER, ADMIN}),
    "/candidate": frozenset({CANDIDATE}),
    # an employee hired from a candidate keeps their reports
    "/candidate/report": frozenset({CANDIDATE, EMPLOYEE}),
    "/development": frozenset({CANDIDATE, EMPLOYEE}),
    "/interviewer": frozenset({INTERVIEWER, HR, HR_MANAGER}),
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def _active(user: User | None) -> bool:
    return user is not None and bool(user.is_active) and user.role in ROLE_PERMISSIONS


@functools.lru_cache(maxsize=1024)  # every page load asks twice; the table never changes
def page_roles(path: str) -> frozenset[str] | None:
    """Roles that may open ``path``; None for a public page."""
    path = "/" + (path or "").split("?", 1)[0].split("#", 1)[0].strip("/")
    best = None
    for prefix in PAGE_ROLES:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            if best is None or len(prefix) > len(best):
                best = prefix
    return None if best is None else PAGE_ROLES[best]


def can_open(user: User | None, path: str) -> bool:
    roles = page_roles(path)
    return roles is None or (_active(user) and user.role in roles)


def reauth_is_recent(user_session: UserSession | None, *, now: datetime | None = None) -> bool:
    if user_session is None or user_session.reauth_at is None or user_session.ended_at is not None:
        return False
    age = (now or utcnow()) - aware(user_session.reauth_at)
    return timedelta(0) <= age <= REAUTH_MAX_AGE


def owner_id(obj) -> int | None:
    """The id of the person an object belongs to, if it says."""
    if isinstance(obj, User):
        return obj.id
    for attr in ("candidate_id", "user_id", "requester_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return value
    return None


def assigned_interviews(user: User):
    """The ids of the interviews ``user`` is assigned to (through an active interviewer
    profile), as a subquery for a statement that reads them along with other rows."""
    return (select(InterviewAssignment.interview_id)
            .join(InterviewerProfile, InterviewerProfile.id == InterviewAssignment.interviewer_id)
            .where(InterviewerProfile.user_id == user.id, InterviewerProfile.is_active.is_(True)))


_ASSIGNED = "access.assigned"  # session.info: user id -> the ids of their interviews, read in this unit of work


def assigned_interview_ids(session, user: User) -> set[int]:
    """Read once per unit of work: a page's several checks ask the same; any flush that
    writes an assignment or a profile forgets it."""
    known = session.info.setdefault(_ASSIGNED, {})
    if user.id not in known:
        known[user.id] = set(session.execute(assigned_interviews(user)).scalars())
    return known[user.id]


def remember_assignments(session, user: User, interview_ids) -> None:
    """``assigned_interviews(user)`` read along with a page's rows, for its checks."""
    session.info.setdefault(_ASSIGNED, {})[user.id] = set(interview_ids)


@sa_event.listens_for(Session, "after_flush")
def _forget_assignments(session, _context) -> None:
    if _ASSIGNED in session.info and any(isinstance(obj, (InterviewAssignment, InterviewerProfile))
                                         for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_ASSIGNED)


def assigned_candidate_ids(session, user: User) -> set[int]:
    ids = assigned_interview_ids(session, user)
    if not ids:
        return set()
    return set(session.execute(select(Interview.candidate_id).where(Interview.id.in_(ids))).scalars())


def visible_candidate_ids(session, user: User) -> set[int] | None:
    """Whose data ``user`` may list: None means everyone (HR), else a set of user ids."""
    if not _active(user):
        return set()
    if user.role in (HR, HR_MANAGER):
        return None
    if user.role in (CANDIDATE, EMPLOYEE):
        return {user.id}
    if user.role == INTERVIEWER:
        return assigned_candidate_ids(session, user)
    return set()


def _interviewer_may_see(session, user: User, obj) -> bool:
    if session is None:
        return False
    interviews = assigned_interview_ids(session, user)
    if isinstance(obj, Interview):
        return obj.id in interviews
    if hasattr(obj, "interview_id"):
        return obj.interview_id is not None and obj.interview_id in interviews
    if isinstance(obj, User):
        return obj.id in assigned_candidate_ids(session, user)
    return False


def can(user: User | None, permission: str, obj=None, *, session=None,
        user_session: UserSession | None = None, now: datetime | None = None) -> bool:
    """May ``user`` do ``permission`` (to ``obj``)? ``session`` is needed for interviewers'
    object checks (the object's own session is used if it has one); ``user_session`` for
    sensitive data (recent re-authentication)."""
    if not _active(user) or permission not in ROLE_PERMISSIONS[user.role]:
        return False
    if permission == SENSITIVE_VIEW and not (
        user_session is not None and user_session.user_id == user.id
        and reauth_is_recent(user_session, now=now)
    ):
        return False
    if obj is None:
        return True
    if user.role in (CANDIDATE, EMPLOYEE):
        return owner_id(obj) == user.id
    if user.role == INTERVIEWER:
        return _interviewer_may_see(session or object_session(obj), user, obj)
    return True  # hr, hr_manager, admin: the permission itself covers every object


def can_view_field(user: User | None, field: str, obj=None, *, session=None,
                   user_session: UserSession | None = None, now: datetime | None = None) -> bool:
    """May ``user`` read column ``field`` of ``obj``? Non-sensitive fields follow
    REPORT_VIEW-style object rules; sensitive ones need to be one's own or SENSITIVE_VIEW."""
    if not _active(user):
        return False
    if field not in SENSITIVE_FIELDS:
        if isinstance(obj, User) and can(user, USER_MANAGE):
            return True  # administrators see accounts (not what is in them)
        return obj is None or owner_id(obj) == user.id or can(
            user, REPORT_VIEW, obj, session=session, user_session=user_session, now=now)
    if obj is not None and owner_id(obj) == user.id and field != "body_enc":
        return True  # people may read their own personal data (PIPL)
    if user.role == INTERVIEWER and field in INTERVIEW_EVIDENCE_FIELDS and obj is not None:
        # reviewing the answers of an interview assigned to them is the interviewer's job
        return _interviewer_may_see(session or object_session(obj), user, obj)
    return can(user, SENSITIVE_VIEW, obj, session=session, user_session=user_session, now=now)


def can_invite(user: User | None, role: str) -> bool:
    return (can(user, INVITATION_CREATE) and role in ROLES
            and role in INVITABLE_ROLES.get(user.role, frozenset()))


def require(user: User | None, permission: str, obj=None, *, session=None,
            user_session: UserSession | None = None, ip: str = "",
            now: datetime | None = None) -> None:
    """Raise PermissionDenied unless ``can``; with a session, the denial is audited and committed."""
    if can(user, permission, obj, session=session, user_session=user_session, now=now):
        return
    if session is not None:
        from portal.services.platform import audit

        kind = type(obj).__name__ if obj is not None else ""
        audit.record(
            session, "access_denied",
            actor_id=getattr(user, "id", None), actor=getattr(user, "email", "") or "",
            object_type=f"{permission}:{kind}" if kind else permission,
            object_id=str(getattr(obj, "id", "") or ""), ip=ip, outcome="denied",
        )
        session.commit()
    raise PermissionDenied()
