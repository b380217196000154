"""Accounts: sign-in with password and TOTP, sessions, invitations, password reset,
re-authentication and the administrator's account actions.

Sessions. A session token is 256 random bits (``secrets.token_urlsafe(32)``);
only its SHA-256 is stored (``UserSession.token_hash``). A session is *pre-MFA*
(``mfa_passed`` False) after the password step: it can only finish the second
factor or enrol one, and lives ``PRE_MFA_MINUTES``. A full session ends after
``IDLE_MINUTES`` without use or ``MAX_HOURS`` after sign-in (env
``TALENT_SESSION_IDLE_MIN`` / ``TALENT_SESSION_MAX_HOURS``). Passing the second
factor replaces the token. Disabling a user, a password reset or change, an MFA
reset or change and a role change end the user's sessions.

Transactions. Every function works in the caller's session. Where a refusal
must leave a trace (a failed sign-in, a wrong code, a bad link), the function
writes the audit event and the throttle counters, **commits**, waits the
throttle's delay and only then raises, so the caller's rollback cannot erase
them. Call these first in a unit of work. The delay is a plain ``time.sleep``:
call the sign-in functions from a background task or a thread.

Every refusal a user sees is a ``ServiceError`` with a translatable msgid; a
wrong e-mail and a wrong password get the same message in the same time.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from portal.models import AppSetting, aware, detached, Invitation, Job, PasswordReset, ROLES, User, UserSession
from portal.services.accounts import access, mfa, passwords, throttle
from portal.services.platform import audit, notifications
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_, gettext
from portal.services.platform.settings import get_settings


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


IDLE_MINUTES = _env_number("TALENT_SESSION_IDLE_MIN", 30)
MAX_HOURS = _env_number("TALENT_SESSION_MAX_HOURS", 12)
PRE_MFA_MINUTES = 10
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute
INVITATION_DAYS = 7
RESET_MINUTES = 30
MAX_NAME = 120
SELF_SIGNUP_SETTING = "candidate_self_signup"

# ---------------------------------------------------------------- messages
INCORRECT = N_("Email or password is incorrect.")
CODE_INCORRECT = N_("The code is incorrect.")
SIGNIN_EXPIRED = N_("Your sign-in has expired. Please sign in again.")
LINK_INVALID = N_("This link is invalid or has expired.")
REAUTH_REQUIRED = N_("Please confirm your password and code to continue.")
REAUTH_FAILED = N_("The password or the code is incorrect.")
CURRENT_PASSWORD_WRONG = N_("The current password is incorrect.")
SIGNUP_OFF = N_("Self sign-up is not available. Please ask HR for an invitation.")
NAME_REQUIRED = N_("Please enter your name.")
NAME_TOO_LONG = N_("The name is too long.")
ACCOUNT_EXISTS = N_("An account with this e-mail address already exists.")
UNKNOWN_ROLE = N_("Unknown role.")
UNKNOWN_JOB = N_("This job does not exist.")
USER_NOT_FOUND = N_("This user does not exist.")
SESSION_NOT_FOUND = N_("This session does not exist or has already ended.")
NOT_YOURSELF = N_("You cannot do this to your own account.")
ENROL_FIRST = N_("Set up your authenticator app first.")

INVITE_SUBJECT = N_("You are invited to Talent Portal")
INVITE_BODY = N_(
    "Hello,\n\nYou have been invited to Talent Portal. Open this link within 7 days to set your "
    "password and sign in:\n\n{link}\n\nIf you did not expect this e-mail, you can ignore it."
)
RESET_SUBJECT = N_("Reset your Talent Portal password")
RESET_BODY = N_(
    "Hello,\n\nSomeone asked to reset the password of your Talent Portal account. Open this link "
    "within 30 minutes to choose a new password:\n\n{link}\n\nIf it was not you, ignore this "
    "e-mail: your password stays as it is."
)
EXISTS_SUBJECT = N_("You already have a Talent Portal account")
EXISTS_BODY = N_(
    "Hello,\n\nSomeone, perhaps you, tried to sign up to Talent Portal with this e-mail address, "
    "but it already has an account. Sign in at {link}; if you have forgotten your password, "
    "choose \"Forgot password\" there.\n\nIf it was not you, you can ignore this e-mail."
)

NOTICE_SUBJECT = N_("Your Talent Portal account was changed")
NOTICE_BODY = N_(
    "Hello,\n\n{change}\nTime: {time} (UTC)\n\nIf this was not you, contact your HR team or "
    "administrator right away."
)
CHANGE_PASSWORD = N_("The password of your account was changed.")
CHANGE_PASSWORD_RESET = N_("The password of your account was reset.")
CHANGE_MFA = N_("A new authenticator app was set up for your account.")
CHANGE_MFA_RESET = N_(
    "An administrator reset the authenticator app of your account. You will set up a new one at "
    "your next sign-in."
)
CHANGE_RECOVERY_CODES = N_(
    "New recovery codes were generated for your account; the old ones no longer work."
)

sleep = time.sleep  # module-level so tests need not wait


def utcnow() -> datetime:  # module-level so tests can move the clock
    return datetime.now(timezone.utc)



def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _masked(email: str) -> str:
    """How an unknown sign-in name appears in the audit log: correlatable, not readable
    (people type passwords into the e-mail field)."""
    return "unknown:" + hashlib.sha256(normalize_email(email).encode()).hexdigest()[:16]


def _user_by_email(session, email: str) -> User | None:
    email = normalize_email(email)
    if not email:
        return None
    return session.execute(select(User).where(func.lower(User.email) == email)).scalars().first()


@dataclass(frozen=True)
class LoginResult:
    status: str  # "mfa": enter a code; "enrol": set up MFA first; "ok": signed in (SSO with MFA)
    token: str


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user_agent: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


# ---------------------------------------------------------------- sessions


def _create_session(session, user: User, *, mfa_passed: bool, ip: str = "", user_agent: str = "") -> str:
    token = _new_token()
    now = utcnow()
    session.add(UserSession(user_id=user.id, token_hash=hash_token(token), mfa_passed=mfa_passed,
                            ip=(ip or "")[:64], user_agent=(user_agent or "")[:300],
                            created_at=now, last_seen_at=now))
    session.flush()
    return token


def _find_session(session, token: str | None) -> UserSession | None:
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return session.execute(
        select(UserSession).where(UserSession.token_hash == hash_token(token))
    ).scalars().first()


def _expired(us: UserSession, now: datetime) -> bool:
    if us.ended_at is not None:
        return True
    created = aware(us.created_at)
    if not us.mfa_passed:
        return now - created > timedelta(minutes=PRE_MFA_MINUTES)
    return (now - aware(us.last_seen_at) > timedelta(minutes=IDLE_MINUTES)
            or now - created > timedelta(hours=MAX_HOURS))


def _end(session, us: UserSession, action: str, *, user: User | None = None, ip: str = "",
         actor: User | None = None) -> None:
    us.ended_at = utcnow()
    who = actor or user
    audit.record(session, action, actor_id=getattr(who, "id", us.user_id), actor=getattr(who, "email", ""),
                 object_type="session", object_id=us.id, ip=ip or us.ip)


# Every page load and guarded event asks: the session and its user in one query,
# built once (building the expression costs about as much as running it).
_SESSION_AND_USER = (select(UserSession, User).outerjoin(User, User.id == UserSession.user_id)
                     .where(UserSession.token_hash == bindparam("token_hash")))


def resolve_session(session, token: str | None, *, allow_pre_mfa: bool = False,
                    now: datetime | None = None, touch: bool = True) -> tuple[User, UserSession] | None:
    """The signed-in user and their session, or None (unknown, ended, expired, user disabled,
    or pre-MFA unless ``allow_pre_mfa``). Touches ``last_seen_at`` unless ``touch`` is False
    (a page's own timer is not the person's activity and must not hold the idle timeout off)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    row = session.execute(_SESSION_AND_USER, {"token_hash": hash_token(token)}).first()
    if row is None or row[0].ended_at is not None:
        return None
    us, user = row
    now = now or utcnow()
    if _expired(us, now):
        _end(session, us, "session.expired", user=user)
        return None
    if user is None or not user.is_active:
        return None
    if not us.mfa_passed and not allow_pre_mfa:
        return None
    if touch and now - aware(us.last_seen_at) >= TOUCH_EVERY:
        us.last_seen_at = now
    return user, us


# The same lookup without an ORM session, for the page guard and every guarded event:
# the ORM's session and loading cost twice the statement itself.
_SESSIONS_T, _USERS_T = UserSession.__table__, User.__table__
_CALLER = (select(_SESSIONS_T, _USERS_T)
           .select_from(_SESSIONS_T.outerjoin(_USERS_T, _USERS_T.c.id == _SESSIONS_T.c.user_id))
           .where(_SESSIONS_T.c.token_hash == bindparam("token_hash")))
_SESSION_KEYS = tuple(_SESSIONS_T.c.keys())
_N, _ENDED = len(_SESSION_KEYS), _SESSION_KEYS.index("ended_at")
_USER_ID = _N + _USERS_T.c.keys().index("id")


def resolve_caller(engine, token: str | None, *, now: datetime | None = None) -> tuple[User, UserSession] | None:
    """``resolve_session`` (signed in past MFA, touched) in one Core statement on a pooled
    connection, plus an UPDATE when the touch is due. The user and session come back
    detached. An expired session takes the full path, which ends and audits it."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    with engine.connect() as conn:
        row = conn.execute(_CALLER, {"token_hash": hash_token(token)}).first()
        if row is None or row[_ENDED] is not None:
            return None
        us = detached(UserSession, row[:_N])
        now = now or utcnow()
        if _expired(us, now):
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return resolve_session(session, token, now=now)
        user = detached(User, row[_N:]) if row[_USER_ID] is not None else None
        if user is None or not user.is_active or not us.mfa_passed:
            return None
        if now - aware(us.last_seen_at) >= TOUCH_EVERY:
            conn.execute(update(_SESSIONS_T).where(_SESSIONS_T.c.id == us.id).values(last_seen_at=now))
            conn.commit()
            us.__dict__["last_seen_at"] = now  # as stored: no change left to flush
    return user, us


def logout(session, token: str | None) -> None:
    us = _find_session(session, token)
    if us is not None and us.ended_at is None:
        _end(session, us, "session.logout", user=session.get(User, us.user_id))


def list_sessions(session, user: User, current_token: str | None = None, *,
                  now: datetime | None = None) -> list[SessionInfo]:
    """The user's signed-in sessions (devices), most recently used first."""
    rows = session.execute(_OPEN_SESSIONS, {"user_id": user.id}).scalars().all()
    return _session_infos(rows, current_token, now)


def security_overview(session, user: User, current_token: str | None = None, *,
                      now: datetime | None = None) -> tuple[list[SessionInfo], int]:
    """What the security page shows: ``list_sessions`` and how many unused recovery codes
    are left, in one statement."""
    # Core rows on the session's connection (their columns by name are all it reads): the
    # ORM's loading would cost more than the statement.
    rows = session.connection().execute(_OPEN_SESSIONS_AND_CODES, {"user_id": user.id}).all()
    if not rows:  # no open session left to carry the count
        return [], mfa.remaining_recovery_codes(session, user)
    return _session_infos(rows, current_token, now), rows[0][-1]


# Built once, like _SESSION_AND_USER: the security page asks on every load.
_OPEN = (UserSession.user_id == bindparam("user_id"), UserSession.ended_at.is_(None), UserSession.mfa_passed.is_(True))
_OPEN_SESSIONS = select(UserSession).where(*_OPEN)
_OPEN_SESSIONS_AND_CODES = select(_SESSIONS_T, mfa.recovery_codes_left(bindparam("user_id"))).where(*_OPEN)


def _session_infos(rows, current_token: str | None, now: datetime | None) -> list[SessionInfo]:
    now = now or utcnow()
    current = hash_token(current_token) if current_token else None
    infos = [SessionInfo(id=r.id, user_agent=r.user_agent, ip=r.ip, created_at=aware(r.created_at),
                         last_seen_at=aware(r.last_seen_at), current=r.token_hash == current)
             for r in rows if not _expired(r, now)]
    return sorted(infos, key=lambda i: i.last_seen_at, reverse=True)


def end_session(session, user: User, session_id: int, *, ip: str = "") -> None:
    """End one of the user's own sessions (another person's id gets the same refusal as none)."""
    us = session.get(UserSession, session_id) if isinstance(session_id, int) else None
    if us is None or us.user_id != user.id or us.ended_at is not None:
        raise ServiceError(SESSION_NOT_FOUND)
    _end(session, us, "session.end", user=user, ip=ip)


def end_all_sessions(session, user: User, except_token: str | None = None, *,
                     actor: User | None = None, ip: str = "", reason: str = "session.end_all") -> int:
    """End every open session of ``user`` (but the one of ``except_token``); returns how many."""
    q = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if except_token:
        q = q.where(UserSession.token_hash != hash_token(except_token))
    count = session.execute(
        q.values(ended_at=utcnow()).execution_options(synchronize_session="fetch")
    ).rowcount
    who = actor or user
    audit.record(session, reason, actor_id=who.id, actor=who.email, object_type="user",
                 object_id=user.id, ip=ip)
    return count


def require_recent_reauth(user_session: UserSession | None, *, now: datetime | None = None) -> None:
    if not access.reauth_is_recent(user_session, now=now):
        raise ServiceError(REAUTH_REQUIRED)


def _full_session(session, token: str) -> tuple[User, UserSession]:
    found = resolve_session(session, token)
    if found is None:
        raise ServiceError(SIGNIN_EXPIRED)
    return found


def _refuse(session, exc: ServiceError, delay: float = 0.0):
    """Keep what the refusal wrote (audit, counters), wait, then refuse."""
    session.commit()
    if delay:
        sleep(delay)
    raise exc


# ---------------------------------------------------------------- sign-in


def login(session, email: str, password: str, ip: str = "", user_agent: str = "") -> LoginResult:
    """Password step. Returns a pre-MFA token with status "mfa" or "enrol"; refuses with
    INCORRECT (same message and time whether or not the account exists)."""
    email_n = normalize_email(email)
    user = _user_by_email(session, email_n)
    try:
        throttle.claim(session, email_n, ip)
    except ServiceError as exc:
        audit.record(session, "login.failure", actor_id=user.id if user else None,
                     actor=user.email if user else _masked(email_n), ip=ip, outcome="locked")
        _refuse(session, exc)
    session.commit()  # the attempt counts for concurrent ones before the slow check

    if user is not None and user.password_hash:
        ok = passwords.verify_password(user.password_hash, password) and user.is_active
    else:
        passwords.burn_time(password)
        ok = False
    if not ok:
        delay = throttle.fail(session, email_n, ip)
        if user is not None:
            user.failed_attempts, user.locked_until = throttle.status(session, email_n)
        audit.record(session, "login.failure", actor_id=user.id if user else None,
                     actor=user.email if user else _masked(email_n), ip=ip, outcome="failure")
        _refuse(session, ServiceError(INCORRECT), delay)

    throttle.refund(session, email_n)  # the second factor decides whether the sign-in succeeds
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    token = _create_session(session, user, mfa_passed=False, ip=ip, user_agent=user_agent)
    audit.record(session, "login.password", actor_id=user.id, actor=user.email, object_type="user",
                 object_id=user.id, ip=ip)
    return LoginResult("mfa" if mfa.is_enrolled(user) else "enrol", token)


def start_sso_session(session, user: User, *, mfa_satisfied: bool, ip: str = "",
                      user_agent: str = "") -> LoginResult:
    """After oidc.complete_login: a full session when the identity provider did MFA,
    else a pre-MFA one (status "mfa" or "enrol") like after the password step."""
    if not user.is_active:
        raise ServiceError(INCORRECT)
    if mfa_satisfied:
        token = _create_session(session, user, mfa_passed=True, ip=ip, user_agent=user_agent)
        throttle.succeed(session, user.email)
        audit.record(session, "login.success", actor_id=user.id, actor=user.email,
                     object_type="user", object_id=user.id, ip=ip, outcome="success")
        return LoginResult("ok", token)
    token = _create_session(session, user, mfa_passed=False, ip=ip, user_agent=user_agent)
    return LoginResult("mfa" if mfa.is_enrolled(user) else "enrol", token)


def _pre_mfa(session, token: str) -> tuple[User, UserSession]:
    us = _find_session(session, token)
    now = utcnow()
    if us is None or us.mfa_passed or _expired(us, now):
        raise ServiceError(SIGNIN_EXPIRED)
    user = session.get(User, us.user_id)
    if user is None or not user.is_active:
        raise ServiceError(SIGNIN_EXPIRED)
    return user, us


def _signed_in(session, user: User, old: UserSession, action: str = "login.success") -> str:
    """Replace ``old`` by a new full session (the token changes when the privilege does)."""
    old.ended_at = utcnow()
    token = _create_session(session, user, mfa_passed=True, ip=old.ip, user_agent=old.user_agent)
    throttle.succeed(session, user.email)
    user.failed_attempts, user.locked_until = 0, None
    audit.record(session, action, actor_id=user.id, actor=user.email, object_type="user",
                 object_id=user.id, ip=old.ip)
    return token


def complete_mfa(session, token: str, code: str) -> str:
    """Second step: a TOTP code or a recovery code. Returns a NEW full-session token."""
    user, us = _pre_mfa(session, token)
    if not mfa.is_enrolled(user):
        raise ServiceError(ENROL_FIRST)
    try:
        throttle.claim(session, user.email, us.ip)
    except ServiceError as exc:
        audit.record(session, "login.mfa_failure", actor_id=user.id, actor=user.email, ip=us.ip,
                     outcome="locked")
        _refuse(session, exc)
    session.commit()  # counted before the check (see throttle.claim)
    via_recovery = False
    ok = mfa.verify_code(session, user, code)
    if not ok and len((code or "").strip()) > mfa.DIGITS:
        ok = via_recovery = mfa.use_recovery_code(session, user, code)
    if not ok:
        delay = throttle.fail(session, user.email, us.ip)
        user.failed_attempts, user.locked_until = throttle.status(session, user.email)
        audit.record(session, "login.mfa_failure", actor_id=user.id, actor=user.email, ip=us.ip,
                     outcome="failure")
        _refuse(session, ServiceError(CODE_INCORRECT), delay)
    if via_recovery:
        audit.record(session, "mfa.recovery_code_used", actor_id=user.id, actor=user.email,
                     object_type="user", object_id=user.id, ip=us.ip)
    return _signed_in(session, user, us)


# ---------------------------------------------------------------- enrolment


def _enrolment_session(session, token: str) -> tuple[User, UserSession]:
    """A pre-MFA session of a user without MFA, or a full session re-authenticated lately."""
    found = resolve_session(session, token, allow_pre_mfa=True)
    if found is None:
        raise ServiceError(SIGNIN_EXPIRED)
    user, us = found
    if not us.mfa_passed:
        if mfa.is_enrolled(user):  # an enrolled user's password alone never changes the factor
            raise ServiceError(SIGNIN_EXPIRED)
    elif mfa.is_enrolled(user):
        require_recent_reauth(us)
    return user, us


def _owner(us: UserSession) -> str:
    return f"session:{us.id}"


def begin_enrolment(session, token: str, *, reuse_pending: bool = False) -> tuple[str, str, str]:
    """(secret, QR code SVG, otpauth URI) of a new authenticator; kept pending, encrypted,
    bound to this session (another session's pending secret is never shown or confirmed).
    ``reuse_pending``: show the one this session already started, if any (page reloads)."""
    user, us = _enrolment_session(session, token)
    secret = mfa.pending_secret(user, _owner(us)) if reuse_pending else None
    if not secret:
        secret = mfa.new_secret()
        mfa.set_pending_secret(user, secret, _owner(us))
    uri = mfa.provisioning_uri(user.email, secret)
    return secret, mfa.qr_svg(uri), uri


def confirm_enrolment(session, token: str, code: str) -> tuple[str, list[str]]:
    """Activate the pending authenticator with one of its codes. Returns a new full-session
    token and ten recovery codes (shown once)."""
    user, us = _enrolment_session(session, token)
    if not mfa.pending_secret(user, _owner(us)):
        raise ServiceError(ENROL_FIRST)
    was_enrolled = mfa.is_enrolled(user)
    if not mfa.confirm_pending(session, user, code, owner=_owner(us)):
        raise ServiceError(CODE_INCORRECT)
    codes = mfa.generate_recovery_codes(session, user)
    audit.record(session, "mfa.change" if was_enrolled else "mfa.enrol", actor_id=user.id,
                 actor=user.email, object_type="user", object_id=user.id, ip=us.ip)
    if was_enrolled:
        end_all_sessions(session, user, except_token=token, reason="session.revoke", ip=us.ip)
        _notify_change(session, user, CHANGE_MFA)
    return _signed_in(session, user, us, "login.success" if not us.mfa_passed else "session.renew"), codes


def regenerate_recovery_codes(session, token: str) -> list[str]:
    """Ten new recovery codes replacing the old ones; needs a recent re-authentication."""
    user, us = _full_session(session, token)
    require_recent_reauth(us)
    if not mfa.is_enrolled(user):
        raise ServiceError(ENROL_FIRST)
    codes = mfa.generate_recovery_codes(session, user)
    audit.record(session, "mfa.recovery_codes", actor_id=user.id, actor=user.email,
                 object_type="user", object_id=user.id, ip=us.ip)
    _notify_change(session, user, CHANGE_RECOVERY_CODES)
    return codes


# ---------------------------------------------------------------- re-authentication and password


def reauthenticate(session, token: str, password: str, code: str, *, ip: str = "") -> None:
    """Confirm password and TOTP code again; sensitive actions need this within 5 minutes."""
    user, us = _full_session(session, token)
    ip = ip or us.ip
    try:
        throttle.claim(session, user.email, ip)
    except ServiceError as exc:
        audit.record(session, "reauth", actor_id=user.id, actor=user.email, ip=ip, outcome="locked")
        _refuse(session, exc)
    session.commit()  # counted before the check (see throttle.claim)
    ok = passwords.verify_password(user.password_hash, password) and mfa.verify_code(session, user, code)
    if not ok:
        delay = throttle.fail(session, user.email, ip)
        audit.record(session, "reauth", actor_id=user.id, actor=user.email, object_type="session",
                     object_id=us.id, ip=ip, outcome="failure")
        _refuse(session, ServiceError(REAUTH_FAILED), delay)
    throttle.succeed(session, user.email)
    us.reauth_at = utcnow()
    audit.record(session, "reauth", actor_id=user.id, actor=user.email, object_type="session",
                 object_id=us.id, ip=ip)


def _check_new_password(password: str, email: str) -> None:
    problems = passwords.password_problems(password, email)
    if problems:
        raise ServiceError(problems[0])


def change_password(session, token: str, current: str, new: str, *, ip: str = "") -> None:
    """Needs the current password and a recent re-authentication; ends the other sessions."""
    user, us = _full_session(session, token)
    require_recent_reauth(us)
    ip = ip or us.ip
    _check_new_password(new, user.email)  # first, so a weak choice costs no attempt
    throttle.claim(session, user.email, ip)
    session.commit()  # counted before the check (see throttle.claim)
    if not passwords.verify_password(user.password_hash, current):
        delay = throttle.fail(session, user.email, ip)
        audit.record(session, "password.change", actor_id=user.id, actor=user.email,
                     object_type="user", object_id=user.id, ip=ip, outcome="failure")
        _refuse(session, ServiceError(CURRENT_PASSWORD_WRONG), delay)
    throttle.refund(session, user.email)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    audit.record(session, "password.change", actor_id=user.id, actor=user.email,
                 object_type="user", object_id=user.id, ip=ip)
    end_all_sessions(session, user, except_token=token, reason="session.revoke", ip=ip)
    _notify_change(session, user, CHANGE_PASSWORD)


def _link(kind: str, token: str) -> str:
    return f"{get_settings().public_url}/{kind}/{token}"


def _email(session, key: str, locale: str | None, subject_msgid: str, body_msgid: str,
           values: dict[str, object]) -> tuple[str, str]:
    rendered = notifications.render_template(session, key, locale, values)
    if rendered:
        return rendered
    return gettext(locale, subject_msgid), gettext(locale, body_msgid, **values)


def _notify_change(session, user: User, change_msgid: str) -> None:
    """Tell the account's owner that an authentication detail changed (ASVS: notify on
    credential changes), so a change they did not make does not go unnoticed."""
    if not notifications.valid_address(user.email):
        return
    locale = user.locale
    values = {"change": gettext(locale, change_msgid), "time": utcnow().strftime("%Y-%m-%d %H:%M")}
    subject, body = _email(session, "security_notice", locale, NOTICE_SUBJECT, NOTICE_BODY, values)
    notifications.enqueue(session, user.email, subject, body, kind="security_notice")


def request_reset(session, email: str, ip: str = "", *, locale: str | None = None) -> None:
    """Always the same answer. An active account gets a 30-minute single-use link by e-mail.
    The HTTP route calls the two halves apart: the limit before answering, the rest after."""
    limit_reset_request(session, email, ip)
    send_reset_link(session, email, ip, locale=locale)


def limit_reset_request(session, email: str, ip: str = "") -> None:
    """The part of a reset request done before answering: the same work for every address
    (known or not), so the answer's timing tells nothing. A refusal is audited."""
    email_n = normalize_email(email)
    try:
        throttle.rate_limit(session, throttle.ip_key(ip).replace("ip:", "reset-ip:", 1), 30, 60)
        throttle.rate_limit(session, "reset:" + email_n, 5, 60)
    except ServiceError as exc:
        audit.record(session, "password.reset_request", actor=_masked(email_n), ip=ip, outcome="rate_limited")
        _refuse(session, exc)


def send_reset_link(session, email: str, ip: str = "", *, locale: str | None = None) -> None:
    """The part done after answering (a background task of the route): look the address up
    and, for an active account, replace its reset link and e-mail the new one."""
    email_n = normalize_email(email)
    user = _user_by_email(session, email_n)
    if user is None or not user.is_active or not notifications.valid_address(user.email):
        audit.record(session, "password.reset_request", actor=_masked(email_n), ip=ip, outcome="unknown")
        return
    now = utcnow()
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                PasswordReset.used_at.is_(None)).values(used_at=now))
    token = _new_token()
    reset = PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now,
                          expires_at=now + timedelta(minutes=RESET_MINUTES))
    session.add(reset)
    session.flush()
    subject, body = _email(session, "password_reset", locale or user.locale, RESET_SUBJECT, RESET_BODY,
                           {"link": _link("reset", token), "name": user.display_name})
    notifications.enqueue(session, user.email, subject, body, kind="password_reset")
    audit.record(session, "password.reset_request", actor_id=user.id, actor=user.email,
                 object_type="password_reset", object_id=reset.id, ip=ip)


def complete_reset(session, token: str, new_password: str, *, ip: str = "") -> None:
    """Set a new password from a reset link; ends every session and signs nobody in:
    the user then signs in with the new password and their second factor."""
    now = utcnow()
    reset = session.execute(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token or ""))
    ).scalars().first() if token and len(token) <= 200 else None
    user = session.get(User, reset.user_id) if reset else None
    if (reset is None or reset.used_at is not None or aware(reset.expires_at) <= now
            or user is None or not user.is_active):
        audit.record(session, "password.reset", actor_id=getattr(user, "id", None), ip=ip,
                     object_type="password_reset", object_id=getattr(reset, "id", ""), outcome="failure")
        _refuse(session, ServiceError(LINK_INVALID))
    _check_new_password(new_password, user.email)
    claimed = session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        raise ServiceError(LINK_INVALID)
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = now
    user.failed_attempts, user.locked_until = 0, None
    throttle.unlock(session, user.email)
    audit.record(session, "password.reset", actor_id=user.id, actor=user.email,
                 object_type="password_reset", object_id=reset.id, ip=ip)
    end_all_sessions(session, user, reason="session.revoke", ip=ip)
    _notify_change(session, user, CHANGE_PASSWORD_RESET)


# ---------------------------------------------------------------- invitations and sign-up


def _valid_display_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(NAME_REQUIRED)
    if len(name) > MAX_NAME or not name.isprintable():
        raise ServiceError(NAME_TOO_LONG if len(name) > MAX_NAME else NAME_REQUIRED)
    return name


def _new_invitation(session, email: str, role: str, *, invited_by: User | None, job_id: int | None,
                    kind: str, locale: str | None) -> tuple[Invitation, str]:
    now = utcnow()
    token = _new_token()
    inv = Invitation(email=email, role=role, token_hash=hash_token(token),
                     invited_by_id=getattr(invited_by, "id", None), job_id=job_id, created_at=now,
                     expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(inv)
    session.flush()
    subject, body = _email(session, "invitation", locale, INVITE_SUBJECT, INVITE_BODY,
                           {"link": _link("invite", token), "role": role, "email": email})
    notifications.enqueue(session, email, subject, body, kind=kind)
    return inv, token


def create_invitation(session, actor: User, email: str, role: str, job_id: int | None = None, *,
                      ip: str = "", locale: str | None = None) -> str:
    """Invite someone by e-mail (7 days, single use). hr may invite candidates, employees and
    interviewers; hr_manager also hr; admin anyone. Returns the token (for the link)."""
    access.require(actor, access.INVITATION_CREATE, session=session, ip=ip)
    if role not in ROLES:
        raise ServiceError(UNKNOWN_ROLE)
    if not access.can_invite(actor, role):
        audit.record(session, "access_denied", actor_id=actor.id, actor=actor.email,
                     object_type=f"{access.INVITATION_CREATE}:{role}", ip=ip, outcome="denied")
        session.commit()
        raise PermissionDenied()
    email_n = normalize_email(email)
    if not notifications.valid_address(email_n):
        raise ServiceError(notifications.INVALID_ADDRESS)
    if _user_by_email(session, email_n) is not None:
        raise ServiceError(ACCOUNT_EXISTS)
    if job_id is not None and session.get(Job, job_id) is None:
        raise ServiceError(UNKNOWN_JOB)
    inv, token = _new_invitation(session, email_n, role, invited_by=actor, job_id=job_id,
                                 kind="invitation", locale=locale)
    audit.record(session, "invitation.create", actor_id=actor.id, actor=actor.email,
                 object_type=f"invitation:{role}", object_id=inv.id, ip=ip)
    return token


def accept_invitation(session, token: str, password: str, display_name: str, *, ip: str = "",
                      user_agent: str = "") -> str:
    """Create the invited account; returns a pre-MFA token (the user enrols MFA next).
    An unknown, used or expired link gets one and the same message."""
    now = utcnow()
    inv = session.execute(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    ).scalars().first() if token and len(token) <= 200 else None
    if (inv is None or inv.used_at is not None or aware(inv.expires_at) <= now
            or _user_by_email(session, inv.email) is not None):
        audit.record(session, "invitation.accept", object_type="invitation",
                     object_id=getattr(inv, "id", ""), ip=ip, outcome="failure")
        _refuse(session, ServiceError(LINK_INVALID))
    name = _valid_display_name(display_name)
    _check_new_password(password, inv.email)
    claimed = session.execute(
        update(Invitation).where(Invitation.id == inv.id, Invitation.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        raise ServiceError(LINK_INVALID)
    user = User(email=inv.email, display_name=name, role=inv.role,
                locale=get_settings().default_locale,
                password_hash=passwords.hash_password(password), password_changed_at=now)
    session.add(user)
    session.flush()
    audit.record(session, "invitation.accept", actor_id=user.id, actor=user.email,
                 object_type="invitation", object_id=inv.id, ip=ip)
    return _create_session(session, user, mfa_passed=False, ip=ip, user_agent=user_agent)


def self_signup_enabled(session) -> bool:
    value = session.execute(
        select(AppSetting.value).where(AppSetting.key == SELF_SIGNUP_SETTING)
    ).scalar()
    return (value or "").strip() == "1"


def request_signup(session, email: str, ip: str = "", *, locale: str | None = None) -> None:
    """Candidate self sign-up (only when AppSetting candidate_self_signup is "1"): e-mails a
    link that proves the address; always the same answer whether or not an account exists."""
    if not self_signup_enabled(session):
        raise ServiceError(SIGNUP_OFF)
    email_n = normalize_email(email)
    if not notifications.valid_address(email_n):
        raise ServiceError(notifications.INVALID_ADDRESS)
    throttle.rate_limit(session, throttle.ip_key(ip).replace("ip:", "signup-ip:", 1), 20, 60)
    throttle.rate_limit(session, "signup:" + email_n, 3, 60)
    existing = _user_by_email(session, email_n)
    if existing is not None:
        subject, body = _email(session, "account_exists", locale or existing.locale, EXISTS_SUBJECT,
                               EXISTS_BODY, {"link": get_settings().public_url})
        notifications.enqueue(session, existing.email, subject, body, kind="account_exists")
        audit.record(session, "signup.request", actor_id=existing.id, actor=existing.email, ip=ip,
                     outcome="exists")
        return
    inv, _token = _new_invitation(session, email_n, access.CANDIDATE, invited_by=None, job_id=None,
                                  kind="signup", locale=locale)
    audit.record(session, "signup.request", actor=_masked(email_n), object_type="invitation",
                 object_id=inv.id, ip=ip)


# ---------------------------------------------------------------- administration


def _target(session, actor: User, user_id: int, ip: str) -> User:
    access.require(actor, access.USER_MANAGE, session=session, ip=ip)
    target = session.get(User, user_id) if isinstance(user_id, int) else None
    if target is None:
        raise ServiceError(USER_NOT_FOUND)
    return target


def reset_mfa(session, actor: User, user_id: int, *, ip: str = "") -> None:
    """Admin: clear the user's authenticator and recovery codes and end their sessions;
    they set up a new authenticator at their next sign-in."""
    target = _target(session, actor, user_id, ip)
    mfa.clear(session, target)
    audit.record(session, "mfa.reset", actor_id=actor.id, actor=actor.email, object_type="user",
                 object_id=target.id, ip=ip)
    end_all_sessions(session, target, actor=actor, reason="session.revoke", ip=ip)
    _notify_change(session, target, CHANGE_MFA_RESET)


def set_active(session, actor: User, user_id: int, active: bool, *, ip: str = "") -> None:
    """Admin: enable or disable an account; disabling ends its sessions."""
    target = _target(session, actor, user_id, ip)
    if target.id == actor.id:
        raise ServiceError(NOT_YOURSELF)
    target.is_active = bool(active)
    audit.record(session, "user.enable" if active else "user.disable", actor_id=actor.id,
                 actor=actor.email, object_type="user", object_id=target.id, ip=ip)
    if active:
        throttle.unlock(session, target.email)
        target.failed_attempts, target.locked_until = 0, None
    else:
        end_all_sessions(session, target, actor=actor, reason="session.revoke", ip=ip)


def set_role(session, actor: User, user_id: int, role: str, *, ip: str = "") -> None:
    """Admin: change an account's role; its sessions end so no page keeps the old role."""
    target = _target(session, actor, user_id, ip)
    if role not in ROLES:
        raise ServiceError(UNKNOWN_ROLE)
    if target.id == actor.id:
        raise ServiceError(NOT_YOURSELF)
    old = target.role
    if old == role:
        return
    target.role = role
    audit.record(session, "user.role_change", actor_id=actor.id, actor=actor.email,
                 object_type=f"user:{old}>{role}", object_id=target.id, ip=ip)
    end_all_sessions(session, target, actor=actor, reason="session.revoke", ip=ip)


def unlock(session, actor: User, user_id: int, *, ip: str = "") -> None:
    """Admin: lift a sign-in lock early."""
    target = _target(session, actor, user_id, ip)
    throttle.unlock(session, target.email)
    target.failed_attempts, target.locked_until = 0, None
    audit.record(session, "user.unlock", actor_id=actor.id, actor=actor.email, object_type="user",
                 object_id=target.id, ip=ip)


def set_self_signup(session, actor: User, enabled: bool, *, ip: str = "") -> None:
    """Admin: let candidates create their own account (off by default)."""
    access.require(actor, access.USER_MANAGE, session=session, ip=ip)
    row = session.execute(select(AppSetting).where(AppSetting.key == SELF_SIGNUP_SETTING)).scalars().first()
    if row is None:
        row = AppSetting(key=SELF_SIGNUP_SETTING)
        session.add(row)
    row.value = "1" if enabled else "0"
    audit.record(session, "setting.self_signup", actor_id=actor.id, actor=actor.email, object_type="setting",
                 object_id="on" if enabled else "off", ip=ip)
