from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from argon2 import PasswordHasher, Type
from sqlmodel import select

from portal.models import (
    AppSetting,
    AuditEvent,
    EmailOutbox,
    EmailTemplate,
    Invitation,
    PasswordReset,
    User,
    UserSession,
    aware,
)
from portal.services.platform import audit, db
from portal.services.accounts import auth, mfa, throttle
from portal.services.platform.errors import PermissionDenied, ServiceError
from tests import aio

PW = "violet-harbour-lantern"


class FakeTotpClock:
    """Moves TOTP time 30 s forward for every code a test asks for."""

    def __init__(self) -> None:
        self.t = 1_900_000_000.0

    def __call__(self) -> float:
        return self.t

    def code(self, secret: str) -> str:
        self.t += 30
        return pyotp.TOTP(secret).at(self.t)


@pytest.fixture(autouse=True)
def env(isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_PUBLIC_URL", "https://hr.example.cn")  # read when settings are first used
    delays: list[float] = []
    monkeypatch.setattr(auth, "sleep", delays.append)
    return delays


@pytest.fixture
def totp(monkeypatch) -> FakeTotpClock:
    clock = FakeTotpClock()
    monkeypatch.setattr(mfa, "clock", clock)
    return clock


def _make_user(url, email, role="candidate", *, password=PW, totp_clock=None, active=True):
    """A user with a password and (given a clock) an enrolled authenticator; returns (id, secret)."""
    with db.session_scope(url) as s:
        user = User(email=email, role=role, display_name=email.split("@")[0], is_active=active,
                    password_hash=auth.passwords.hash_password(password) if password else None)
        s.add(user)
        s.flush()
        secret = None
        if totp_clock is not None:
            secret = mfa.new_secret()
            mfa.set_pending_secret(user, secret)
            assert mfa.confirm_pending(s, user, totp_clock.code(secret))
        return user.id, secret


def _sign_in(url, email, secret, clock, ip="10.0.0.1") -> str:
    with db.session_scope(url) as s:
        result = auth.login(s, email, PW, ip, "Mozilla/5.0 test")
    assert result.status == "mfa"
    with db.session_scope(url) as s:
        return auth.complete_mfa(s, result.token, clock.code(secret))


def _error(fn, *args, **kw) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        fn(*args, **kw)
    return info.value


def _actions(url) -> list[tuple[str, str]]:
    with db.session_scope(url) as s:
        return [(e.action, e.outcome) for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]


def _user(s, user_id) -> User:
    return s.get(User, user_id)


# ---------------------------------------------------------------- sign-in


def test_wrong_password_and_unknown_account_look_the_same(db_url, env):
    _make_user(db_url, "wang@corp.cn")

    def attempt(email):
        start = time.perf_counter()
        with db.session_scope(db_url) as s:
            err = _error(auth.login, s, email, "wrong password here", "10.0.0.1", "ua")
        return err.msgid, time.perf_counter() - start

    known = [attempt("wang@corp.cn") for _ in range(3)]
    unknown = [attempt("nobody@corp.cn") for _ in range(3)]
    assert {m for m, _ in known} == {m for m, _ in unknown} == {"Email or password is incorrect."}
    k, u = sorted(t for _, t in known)[1], sorted(t for _, t in unknown)[1]
    assert 0.4 < u / k < 2.5, (k, u)  # both pay for one Argon2 verification
    # Failures survive the caller's rollback, and the unknown name is not written in clear.
    events = _actions(db_url)
    assert events.count(("login.failure", "failure")) == 6
    with db.session_scope(db_url) as s:
        actors = s.exec(select(AuditEvent.actor)).all()
        assert "nobody@corp.cn" not in actors and any(a.startswith("unknown:") for a in actors)
        assert throttle.status(s, "nobody@corp.cn")[0] == 3


def test_password_then_totp_gives_a_new_token(db_url, totp):
    uid, secret = _make_user(db_url, "li@corp.cn", totp_clock=totp)
    with db.session_scope(db_url) as s:
        result = auth.login(s, "  LI@corp.cn ", PW, "10.0.0.2", "Firefox")
    assert result.status == "mfa" and len(result.token) >= 43
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, result.token) is None  # pre-MFA is not signed in
        user, us = auth.resolve_session(s, result.token, allow_pre_mfa=True)
        assert user.id == uid and not us.mfa_passed
        stored = s.exec(select(UserSession.token_hash)).all()
        assert result.token not in stored and auth.hash_token(result.token) in stored
    with db.session_scope(db_url) as s:
        token = auth.complete_mfa(s, result.token, totp.code(secret))
    assert token != result.token
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, result.token, allow_pre_mfa=True) is None  # replaced
        user, us = auth.resolve_session(s, token)
        assert us.mfa_passed and us.ip == "10.0.0.2" and us.user_agent == "Firefox"
    assert ("login.password", "success") in _actions(db_url)
    assert ("login.success", "success") in _actions(db_url)


def test_not_enrolled_user_must_enrol(db_url, totp):
    _make_user(db_url, "new@corp.cn")
    with db.session_scope(db_url) as s:
        result = auth.login(s, "new@corp.cn", PW, "10.0.0.3", "ua")
    assert result.status == "enrol"
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_mfa, s, result.token, "123456").msgid == auth.ENROL_FIRST
    with db.session_scope(db_url) as s:
        secret, svg, uri = auth.begin_enrolment(s, result.token)
        assert svg.startswith("<svg") and secret in uri and "new%40corp.cn" in uri
        stored = s.exec(select(User).where(User.email == "new@corp.cn")).one()
        assert stored.mfa_enrolled_at is None and secret not in (stored.totp_secret_enc or "")
    with db.session_scope(db_url) as s:
        assert _error(auth.confirm_enrolment, s, result.token, "000000").msgid == auth.CODE_INCORRECT
    with db.session_scope(db_url) as s:
        token, codes = auth.confirm_enrolment(s, result.token, totp.code(secret))
    assert len(codes) == 10 and token != result.token
    with db.session_scope(db_url) as s:
        user, us = auth.resolve_session(s, token)
        assert mfa.is_enrolled(user) and us.mfa_passed
    assert ("mfa.enrol", "success") in _actions(db_url)


def test_enrolled_users_password_alone_cannot_replace_the_factor(db_url, totp):
    _make_user(db_url, "victim@corp.cn", totp_clock=totp)
    with db.session_scope(db_url) as s:
        result = auth.login(s, "victim@corp.cn", PW, "10.0.0.4", "ua")
    with db.session_scope(db_url) as s:
        assert _error(auth.begin_enrolment, s, result.token).msgid == auth.SIGNIN_EXPIRED


def test_wrong_codes_count_toward_the_lock(db_url, totp, env):
    _uid, secret = _make_user(db_url, "zhao@corp.cn", totp_clock=totp)
    with db.session_scope(db_url) as s:
        token = auth.login(s, "zhao@corp.cn", PW, "10.0.0.5", "ua").token
    wrong = "000000" if pyotp.TOTP(secret).at(totp.t) != "000000" else "111111"
    for _ in range(throttle.LOCK_AFTER):
        with db.session_scope(db_url) as s:
            assert _error(auth.complete_mfa, s, token, wrong).msgid == auth.CODE_INCORRECT
    assert max(env) == throttle.MAX_DELAY  # the delays were applied (after committing)
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_mfa, s, token, totp.code(secret)).msgid == throttle.TOO_MANY
    with db.session_scope(db_url) as s:  # the right password does not help either
        assert _error(auth.login, s, "zhao@corp.cn", PW, "10.9.9.9", "ua").msgid == throttle.TOO_MANY
    assert _actions(db_url).count(("login.mfa_failure", "failure")) == 10
    with db.session_scope(db_url) as s:
        assert _user(s, _uid).locked_until is not None


def test_recovery_code_signs_in_once(db_url, totp):
    uid, secret = _make_user(db_url, "chen@corp.cn", totp_clock=totp)
    with db.session_scope(db_url) as s:
        codes = mfa.generate_recovery_codes(s, _user(s, uid))
    for expected_ok in (True, False):
        with db.session_scope(db_url) as s:
            token = auth.login(s, "chen@corp.cn", PW, "10.0.0.6", "ua").token
        with db.session_scope(db_url) as s:
            if expected_ok:
                assert auth.complete_mfa(s, token, codes[0].upper())
            else:
                assert _error(auth.complete_mfa, s, token, codes[0]).msgid == auth.CODE_INCORRECT
    assert ("mfa.recovery_code_used", "success") in _actions(db_url)


def test_disabled_account_cannot_sign_in(db_url, totp):
    _make_user(db_url, "gone@corp.cn", totp_clock=totp, active=False)
    with db.session_scope(db_url) as s:
        assert _error(auth.login, s, "gone@corp.cn", PW, "10.0.0.7", "ua").msgid == auth.INCORRECT


def test_transparent_rehash(db_url, totp):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PW)
    with db.session_scope(db_url) as s:
        s.add(User(email="old@corp.cn", password_hash=weak))
    with db.session_scope(db_url) as s:
        auth.login(s, "old@corp.cn", PW, "10.0.0.8", "ua")
    with db.session_scope(db_url) as s:
        h = s.exec(select(User.password_hash).where(User.email == "old@corp.cn")).one()
        assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and h != weak


# ---------------------------------------------------------------- sessions


def test_idle_and_absolute_timeouts(db_url, totp, monkeypatch):
    _uid, secret = _make_user(db_url, "sun@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "sun@corp.cn", secret, totp)
    start = datetime.now(timezone.utc)

    def at(minutes):
        monkeypatch.setattr(auth, "utcnow", lambda: start + timedelta(minutes=minutes))
        with db.session_scope(db_url) as s:
            return auth.resolve_session(s, token)

    for m in range(25, 12 * 60, 25):  # used every 25 minutes: stays signed in...
        assert at(m) is not None, m
    assert at(12 * 60 + 5) is None  # ...until 12 hours
    assert at(12 * 60 + 6) is None
    assert ("session.expired", "success") in _actions(db_url)

    token = _sign_in(db_url, "sun@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        start = auth.resolve_session(s, token)[1].last_seen_at
    assert at(29) is not None
    assert at(29 + 31) is None  # idle for 31 minutes


def test_the_guards_lookup_answers_like_the_full_one_and_its_user_can_still_be_changed(db_url, totp, monkeypatch):
    """resolve_caller (the page guard's, without an ORM session) says the same as
    resolve_session for every kind of session, touches it when due, ends an expired one
    with its audit event, and hands out a user that a later unit of work can change."""
    uid, secret = _make_user(db_url, "lu@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "lu@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        pre_mfa = auth.login(s, "lu@corp.cn", PW, "10.0.0.9", "ua").token
    engine = db.get_engine(db_url)

    def both(t):
        with db.session_scope(db_url) as s:
            full = auth.resolve_session(s, t, touch=False)
            full = full and (full[0].id, full[1].id)
        fast = auth.resolve_caller(engine, t)
        return full, fast and (fast[0].id, fast[1].id)

    for t in ("", "x" * 201, "unknown", pre_mfa):
        assert both(t) == (None, None), t
    full, fast = both(token)
    assert fast == full and fast[0] == uid
    user, _us = auth.resolve_caller(engine, token)
    assert (user.email, user.role, user.is_active) == ("lu@corp.cn", "candidate", True)

    start = datetime.now(timezone.utc)
    monkeypatch.setattr(auth, "utcnow", lambda: start + auth.TOUCH_EVERY + timedelta(seconds=5))
    auth.resolve_caller(engine, token)  # the touch is due: written
    with db.session_scope(db_url) as s:
        seen = s.exec(select(UserSession).where(UserSession.user_id == uid, UserSession.mfa_passed)).one().last_seen_at
    assert abs(aware(seen) - (start + auth.TOUCH_EVERY + timedelta(seconds=5))) < timedelta(seconds=1)

    with db.session_scope(db_url) as s:  # the user handed out is detached, like a closed session's
        s.add(user)
        user.display_name = "Lu Changed"
    with db.session_scope(db_url) as s:
        assert _user(s, uid).display_name == "Lu Changed"
        _user(s, uid).is_active = False
    assert both(token) == (None, None)  # disabled
    with db.session_scope(db_url) as s:
        _user(s, uid).is_active = True

    monkeypatch.setattr(auth, "utcnow", lambda: start + timedelta(hours=auth.MAX_HOURS, minutes=5))
    assert auth.resolve_caller(engine, token) is None  # expired: ended, and said so in the audit log
    with db.session_scope(db_url) as s:
        assert s.exec(select(UserSession).where(UserSession.user_id == uid, UserSession.mfa_passed)).one().ended_at
    assert ("session.expired", "success") in _actions(db_url)


def test_pre_mfa_session_is_short_lived(db_url, totp, monkeypatch):
    _uid, secret = _make_user(db_url, "he@corp.cn", totp_clock=totp)
    with db.session_scope(db_url) as s:
        token = auth.login(s, "he@corp.cn", PW, "10.0.0.9", "ua").token
    later = datetime.now(timezone.utc) + timedelta(minutes=auth.PRE_MFA_MINUTES + 1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_mfa, s, token, totp.code(secret)).msgid == auth.SIGNIN_EXPIRED


def test_list_end_and_logout(db_url, totp):
    uid, secret = _make_user(db_url, "ma@corp.cn", totp_clock=totp)
    other_id, other_secret = _make_user(db_url, "other@corp.cn", totp_clock=totp)
    t1 = _sign_in(db_url, "ma@corp.cn", secret, totp, ip="10.1.0.1")
    t2 = _sign_in(db_url, "ma@corp.cn", secret, totp, ip="10.1.0.2")
    t3 = _sign_in(db_url, "ma@corp.cn", secret, totp, ip="10.1.0.3")
    t_other = _sign_in(db_url, "other@corp.cn", other_secret, totp)
    with db.session_scope(db_url) as s:
        user = _user(s, uid)
        infos = auth.list_sessions(s, user, current_token=t1)
        assert len(infos) == 3 and [i.current for i in infos].count(True) == 1
        mfa.generate_recovery_codes(s, user)
        # the security page's one query: the same sessions and the unused codes
        assert auth.security_overview(s, user, current_token=t1) == (infos, mfa.RECOVERY_CODE_COUNT)
        assert auth.security_overview(s, _user(s, other_id))[1] == 0
        assert {i.ip for i in infos} == {"10.1.0.1", "10.1.0.2", "10.1.0.3"}
        assert all(i.user_agent == "Mozilla/5.0 test" for i in infos)
        other_session_id = auth.resolve_session(s, t_other)[1].id
        assert _error(auth.end_session, s, user, other_session_id).msgid == auth.SESSION_NOT_FOUND
        t2_id = next(i.id for i in infos if i.ip == "10.1.0.2")
        auth.end_session(s, user, t2_id)
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, t2) is None and auth.resolve_session(s, t_other) is not None
        assert auth.end_all_sessions(s, _user(s, uid), except_token=t1) == 1
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, t3) is None and auth.resolve_session(s, t1) is not None
        auth.logout(s, t1)
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, t1) is None
        assert auth.security_overview(s, _user(s, uid)) == ([], mfa.RECOVERY_CODE_COUNT)  # no open session to carry the count
    actions = [a for a, _ in _actions(db_url)]
    assert {"session.end", "session.end_all", "session.logout"} <= set(actions)


# ---------------------------------------------------------------- re-authentication


def test_reauth_window_and_what_needs_it(db_url, totp, monkeypatch):
    uid, secret = _make_user(db_url, "qian@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "qian@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        assert _error(auth.regenerate_recovery_codes, s, token).msgid == auth.REAUTH_REQUIRED
        assert _error(auth.change_password, s, token, PW, "a brand new passphrase").msgid == auth.REAUTH_REQUIRED
        assert _error(auth.begin_enrolment, s, token).msgid == auth.REAUTH_REQUIRED
    with db.session_scope(db_url) as s:
        assert _error(auth.reauthenticate, s, token, "wrong", totp.code(secret)).msgid == auth.REAUTH_FAILED
    with db.session_scope(db_url) as s:
        auth.reauthenticate(s, token, PW, totp.code(secret))
    with db.session_scope(db_url) as s:
        user, us = auth.resolve_session(s, token)
        auth.require_recent_reauth(us)
        assert len(auth.regenerate_recovery_codes(s, token)) == 10
        later = datetime.now(timezone.utc) + timedelta(minutes=6)
        assert _error(auth.require_recent_reauth, us, now=later).msgid == auth.REAUTH_REQUIRED
    assert ("reauth", "failure") in _actions(db_url) and ("mfa.recovery_codes", "success") in _actions(db_url)


def test_change_password_ends_other_sessions(db_url, totp):
    uid, secret = _make_user(db_url, "zhou@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "zhou@corp.cn", secret, totp)
    other = _sign_in(db_url, "zhou@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        auth.reauthenticate(s, token, PW, totp.code(secret))
    with db.session_scope(db_url) as s:
        assert _error(auth.change_password, s, token, "not it", "a brand new passphrase").msgid == \
            auth.CURRENT_PASSWORD_WRONG
    with db.session_scope(db_url) as s:
        assert _error(auth.change_password, s, token, PW, "password").msgid == auth.passwords.TOO_COMMON
    with db.session_scope(db_url) as s:
        auth.change_password(s, token, PW, "a brand new passphrase")
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, other) is None and auth.resolve_session(s, token) is not None
        assert auth.passwords.verify_password(_user(s, uid).password_hash, "a brand new passphrase")


def test_replacing_the_authenticator(db_url, totp):
    uid, secret = _make_user(db_url, "wu@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "wu@corp.cn", secret, totp)
    other = _sign_in(db_url, "wu@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        auth.reauthenticate(s, token, PW, totp.code(secret))
    with db.session_scope(db_url) as s:
        new_secret, _svg, _uri = auth.begin_enrolment(s, token)
    with db.session_scope(db_url) as s:
        new_token, codes = auth.confirm_enrolment(s, token, totp.code(new_secret))
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, token) is None and auth.resolve_session(s, other) is None
        assert auth.resolve_session(s, new_token) is not None
        assert not mfa.verify_code(s, _user(s, uid), totp.code(secret))
        assert mfa.verify_code(s, _user(s, uid), totp.code(new_secret))
    assert ("mfa.change", "success") in _actions(db_url)


# ---------------------------------------------------------------- invitations


def _link_token(url: str, kind: str) -> str:
    with db.session_scope(url) as s:
        body = s.exec(select(EmailOutbox.body_text).order_by(EmailOutbox.id.desc())).first()
    return re.search(rf"https://hr\.example\.cn/{kind}/([A-Za-z0-9_\-]+)", body).group(1)


def test_invitation_flow(db_url, totp):
    hr_id, _ = _make_user(db_url, "hr@corp.cn", role="hr")
    with db.session_scope(db_url) as s:
        token = auth.create_invitation(s, _user(s, hr_id), " New.Hire@Corp.cn ", "candidate")
        inv = s.exec(select(Invitation)).one()
        assert inv.token_hash == auth.hash_token(token) and token not in inv.token_hash
        assert inv.email == "new.hire@corp.cn"
        assert timedelta(days=6, hours=23) < inv.expires_at - inv.created_at <= timedelta(days=7)
        mail = s.exec(select(EmailOutbox)).one()
        assert mail.to_addr == "new.hire@corp.cn" and mail.kind == "invitation"
        assert "你" in mail.body_text or "您" in mail.body_text  # the default locale is Chinese
    assert _link_token(db_url, "invite") == token

    with db.session_scope(db_url) as s:
        assert _error(auth.accept_invitation, s, token, "new.hire.secret", "王小明").msgid == \
            auth.passwords.CONTAINS_EMAIL  # refused without spending the link
    with db.session_scope(db_url) as s:
        pre = auth.accept_invitation(s, token, PW, "  王小明 ", ip="10.3.0.1", user_agent="Edge")
    with db.session_scope(db_url) as s:
        user, us = auth.resolve_session(s, pre, allow_pre_mfa=True)
        assert user.role == "candidate" and user.display_name == "王小明" and not us.mfa_passed
        assert not mfa.is_enrolled(user)
    msgs = set()
    for bad in (token, "x" * 43, ""):
        with db.session_scope(db_url) as s:
            msgs.add(_error(auth.accept_invitation, s, bad, PW, "Someone").msgid)
    assert msgs == {auth.LINK_INVALID}
    assert ("invitation.create", "success") in _actions(db_url)
    assert ("invitation.accept", "failure") in _actions(db_url)


def test_expired_invitation(db_url, monkeypatch):
    hr_id, _ = _make_user(db_url, "hr@corp.cn", role="hr_manager")
    with db.session_scope(db_url) as s:
        token = auth.create_invitation(s, _user(s, hr_id), "late@corp.cn", "hr")
    later = datetime.now(timezone.utc) + timedelta(days=7, minutes=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    with db.session_scope(db_url) as s:
        assert _error(auth.accept_invitation, s, token, PW, "Late").msgid == auth.LINK_INVALID


def test_who_may_invite_whom(db_url):
    ids = {role: _make_user(db_url, f"{role}@corp.cn", role=role)[0]
           for role in ("candidate", "interviewer", "hr", "hr_manager", "admin")}
    with db.session_scope(db_url) as s:
        assert auth.create_invitation(s, _user(s, ids["hr"]), "a1@corp.cn", "interviewer")
        assert auth.create_invitation(s, _user(s, ids["hr_manager"]), "a2@corp.cn", "hr")
        assert auth.create_invitation(s, _user(s, ids["admin"]), "a3@corp.cn", "admin")
    for role, target in (("hr", "admin"), ("hr", "hr_manager"), ("hr_manager", "admin"),
                         ("candidate", "candidate"), ("interviewer", "candidate")):
        with db.session_scope(db_url) as s, pytest.raises(PermissionDenied):
            auth.create_invitation(s, _user(s, ids[role]), f"x-{role}-{target}@corp.cn", target)
    # hr's second refusal within the window is counted, not written (see audit.REPEAT_WINDOW)
    assert _actions(db_url).count(("access_denied", "denied")) == 4
    with db.session_scope(db_url) as s:
        hr = _user(s, ids["hr"])
        assert _error(auth.create_invitation, s, hr, "candidate@corp.cn", "candidate").msgid == auth.ACCOUNT_EXISTS
        assert _error(auth.create_invitation, s, hr, "not an address", "candidate").msgid == \
            "Enter a valid e-mail address."
        assert _error(auth.create_invitation, s, hr, "ok@corp.cn", "root").msgid == auth.UNKNOWN_ROLE
        assert _error(auth.create_invitation, s, hr, "ok@corp.cn", "candidate", 999).msgid == auth.UNKNOWN_JOB
        assert len(s.exec(select(Invitation)).all()) == 3


def test_invitation_uses_the_email_template(db_url):
    hr_id, _ = _make_user(db_url, "hr@corp.cn", role="hr")
    with db.session_scope(db_url) as s:
        s.add(EmailTemplate(key="invitation", locale="zh_CN", subject="欢迎加入",
                            body="请点击 {link} 完成注册（{unknown} 保持原样，{0.__class__} 也是）"))
    with db.session_scope(db_url) as s:
        token = auth.create_invitation(s, _user(s, hr_id), "t@corp.cn", "employee")
        mail = s.exec(select(EmailOutbox)).one()
        assert mail.subject == "欢迎加入"
        assert mail.body_text == f"请点击 https://hr.example.cn/invite/{token} 完成注册（{{unknown}} 保持原样，{{0.__class__}} 也是）"


def test_self_signup(db_url):
    with db.session_scope(db_url) as s:
        assert _error(auth.request_signup, s, "me@corp.cn", "10.4.0.1").msgid == auth.SIGNUP_OFF
        s.add(AppSetting(key="candidate_self_signup", value="1"))
    _make_user(db_url, "taken@corp.cn")
    with db.session_scope(db_url) as s:
        assert auth.request_signup(s, "me@corp.cn", "10.4.0.1") is None
        assert auth.request_signup(s, "taken@corp.cn", "10.4.0.1") is None
    with db.session_scope(db_url) as s:
        mails = s.exec(select(EmailOutbox).order_by(EmailOutbox.id)).all()
        assert [(m.to_addr, m.kind) for m in mails] == [("me@corp.cn", "signup"),
                                                         ("taken@corp.cn", "account_exists")]
        assert "/invite/" in mails[0].body_text and "/invite/" not in mails[1].body_text
        assert s.exec(select(Invitation.role)).one() == "candidate"


# ---------------------------------------------------------------- password reset


def test_password_reset(db_url, totp, monkeypatch):
    uid, secret = _make_user(db_url, "lin@corp.cn", totp_clock=totp)
    session_token = _sign_in(db_url, "lin@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        assert auth.request_reset(s, "nobody@corp.cn", "10.5.0.1") is None
        assert s.exec(select(EmailOutbox)).all() == []
        assert auth.request_reset(s, "LIN@corp.cn", "10.5.0.1") is None
        mail = s.exec(select(EmailOutbox)).one()
        assert mail.kind == "password_reset" and mail.to_addr == "lin@corp.cn"
        reset = s.exec(select(PasswordReset)).one()
        assert timedelta(minutes=29) < reset.expires_at - reset.created_at <= timedelta(minutes=30)
    token = _link_token(db_url, "reset")
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_reset, s, token, "short").msgid == auth.passwords.TOO_SHORT
    with db.session_scope(db_url) as s:
        assert auth.complete_reset(s, token, "new passphrase for her") is None
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, session_token) is None  # every session ended
        assert _error(auth.complete_reset, s, token, "another passphrase").msgid == auth.LINK_INVALID
    with db.session_scope(db_url) as s:  # not signed in: the password now leads to the TOTP step
        result = auth.login(s, "lin@corp.cn", "new passphrase for her", "10.5.0.1", "ua")
        assert result.status == "mfa"

    with db.session_scope(db_url) as s:
        auth.request_reset(s, "lin@corp.cn", "10.5.0.1")
    late_token = _link_token(db_url, "reset")
    later = datetime.now(timezone.utc) + timedelta(minutes=31)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_reset, s, late_token, "yet another passphrase").msgid == auth.LINK_INVALID


def test_a_new_reset_link_replaces_the_old_one(db_url):
    _make_user(db_url, "fu@corp.cn")
    with db.session_scope(db_url) as s:
        auth.request_reset(s, "fu@corp.cn", "10.6.0.1")
    first = _link_token(db_url, "reset")
    with db.session_scope(db_url) as s:
        auth.request_reset(s, "fu@corp.cn", "10.6.0.1")
    with db.session_scope(db_url) as s:
        assert _error(auth.complete_reset, s, first, "fine new passphrase").msgid == auth.LINK_INVALID


def test_reset_requests_are_rate_limited(db_url):
    _make_user(db_url, "spam@corp.cn")
    with db.session_scope(db_url) as s:
        for _ in range(5):
            auth.request_reset(s, "spam@corp.cn", "10.7.0.1")
        assert _error(auth.request_reset, s, "spam@corp.cn", "10.7.0.2").msgid == throttle.TOO_MANY


# ---------------------------------------------------------------- administration


def test_admin_reset_mfa_role_and_disable(db_url, totp):
    admin_id, _ = _make_user(db_url, "admin@corp.cn", role="admin")
    hr_id, _ = _make_user(db_url, "hr@corp.cn", role="hr")
    uid, secret = _make_user(db_url, "emp@corp.cn", role="employee", totp_clock=totp)
    token = _sign_in(db_url, "emp@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        with pytest.raises(PermissionDenied):
            auth.reset_mfa(s, _user(s, hr_id), uid)
    with db.session_scope(db_url) as s:
        mfa.generate_recovery_codes(s, _user(s, uid))
        auth.reset_mfa(s, _user(s, admin_id), uid, ip="10.8.0.1")
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, token) is None
        user = _user(s, uid)
        assert not mfa.is_enrolled(user) and mfa.remaining_recovery_codes(s, user) == 0
        assert auth.login(s, "emp@corp.cn", PW, "10.8.0.2", "ua").status == "enrol"

    with db.session_scope(db_url) as s:
        admin = _user(s, admin_id)
        assert _error(auth.set_role, s, admin, admin_id, "hr").msgid == auth.NOT_YOURSELF
        assert _error(auth.set_active, s, admin, admin_id, False).msgid == auth.NOT_YOURSELF
        assert _error(auth.set_role, s, admin, uid, "boss").msgid == auth.UNKNOWN_ROLE
        assert _error(auth.set_role, s, admin, 12345, "hr").msgid == auth.USER_NOT_FOUND
        auth.set_role(s, admin, uid, "interviewer")
        assert _user(s, uid).role == "interviewer"
    with db.session_scope(db_url) as s:
        with pytest.raises(PermissionDenied):
            auth.set_role(s, _user(s, hr_id), uid, "admin")
    with db.session_scope(db_url) as s:
        assert _user(s, uid).role == "interviewer"
        auth.set_active(s, _user(s, admin_id), uid, False)
    with db.session_scope(db_url) as s:
        assert not _user(s, uid).is_active
        assert s.exec(select(UserSession).where(UserSession.user_id == uid,
                                                UserSession.ended_at.is_(None))).all() == []
        auth.set_active(s, _user(s, admin_id), uid, True)
    actions = _actions(db_url)
    for expected in ("mfa.reset", "user.role_change", "user.disable", "user.enable", "session.revoke"):
        assert (expected, "success") in actions
    assert ("access_denied", "denied") in actions
    with db.session_scope(db_url) as s:
        assert audit.verify_chain(s) == (True, None)
        change = s.exec(select(AuditEvent).where(AuditEvent.action == "user.role_change")).one()
        assert change.object_type == "user:employee>interviewer" and change.actor_id == admin_id


def test_disabling_ends_sessions_immediately(db_url, totp):
    admin_id, _ = _make_user(db_url, "admin@corp.cn", role="admin")
    uid, secret = _make_user(db_url, "bye@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "bye@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        auth.set_active(s, _user(s, admin_id), uid, False)
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, token) is None


def test_sso_session(db_url, totp):
    uid, _ = _make_user(db_url, "sso@corp.cn", role="employee", password=None)
    with db.session_scope(db_url) as s:
        full = auth.start_sso_session(s, _user(s, uid), mfa_satisfied=True, ip="10.9.0.1", user_agent="ua")
        pre = auth.start_sso_session(s, _user(s, uid), mfa_satisfied=False, ip="10.9.0.1", user_agent="ua")
    assert full.status == "ok" and pre.status == "enrol"
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, full.token) is not None
        assert auth.resolve_session(s, pre.token) is None


def test_session_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TALENT_SESSION_IDLE_MIN", "15")
    monkeypatch.setenv("TALENT_SESSION_MAX_HOURS", "bad")
    assert auth._env_number("TALENT_SESSION_IDLE_MIN", 30) == 15
    assert auth._env_number("TALENT_SESSION_MAX_HOURS", 12) == 12
    assert auth.IDLE_MINUTES > 0 and auth.MAX_HOURS > 0


def test_owners_are_told_about_credential_changes(db_url, totp):
    admin_id, _ = _make_user(db_url, "admin@corp.cn", role="admin")
    uid, secret = _make_user(db_url, "notice@corp.cn", totp_clock=totp)
    token = _sign_in(db_url, "notice@corp.cn", secret, totp)
    with db.session_scope(db_url) as s:
        auth.reauthenticate(s, token, PW, totp.code(secret))
    with db.session_scope(db_url) as s:
        auth.regenerate_recovery_codes(s, token)
        auth.change_password(s, token, PW, "another fine passphrase")
        auth.reset_mfa(s, _user(s, admin_id), uid)
    with db.session_scope(db_url) as s:
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "security_notice")
                       .order_by(EmailOutbox.id)).all()
    assert [m.to_addr for m in mails] == ["notice@corp.cn"] * 3
    assert mails[0].subject == "你的人才门户账号有变更"
    assert "恢复码" in mails[0].body_text and "密码" in mails[1].body_text
    assert "管理员" in mails[2].body_text and "UTC" in mails[2].body_text


def test_pending_authenticator_is_bound_to_its_session(db_url, totp):
    _make_user(db_url, "fresh@corp.cn")
    with db.session_scope(db_url) as s:
        attacker = auth.login(s, "fresh@corp.cn", PW, "6.6.6.6", "ua").token
        owner = auth.login(s, "fresh@corp.cn", PW, "10.0.0.1", "ua").token
    with db.session_scope(db_url) as s:
        planted, _svg, _uri = auth.begin_enrolment(s, attacker)
    with db.session_scope(db_url) as s:  # the owner never sees nor confirms the planted secret
        assert _error(auth.confirm_enrolment, s, owner, totp.code(planted)).msgid == auth.ENROL_FIRST
        mine, _svg, _uri = auth.begin_enrolment(s, owner, reuse_pending=True)
        assert mine != planted
        again, _svg, _uri = auth.begin_enrolment(s, owner, reuse_pending=True)
        assert again == mine  # a page reload shows the same key
    with db.session_scope(db_url) as s:
        assert _error(auth.confirm_enrolment, s, attacker, totp.code(planted)).msgid == auth.ENROL_FIRST
        token, _codes = auth.confirm_enrolment(s, owner, totp.code(mine))
    with db.session_scope(db_url) as s:
        assert auth.resolve_session(s, token) is not None


def test_self_signup_is_off_until_an_admin_turns_it_on(db_url):
    from portal.models import User
    from portal.services.platform import audit, db
    from portal.services.accounts import auth
    from portal.services.platform.errors import PermissionDenied, ServiceError

    with db.session_scope(db_url) as s:
        admin = User(email="root@corp.cn", role="admin")
        hr = User(email="hr2@corp.cn", role="hr")
        s.add_all([admin, hr])
        s.flush()
        with pytest.raises(ServiceError) as off:
            auth.request_signup(s, "cand@corp.cn", "10.0.0.1")
        assert off.value.msgid == auth.SIGNUP_OFF
        with pytest.raises(PermissionDenied):
            auth.set_self_signup(s, hr, True)
    with db.session_scope(db_url) as s:
        auth.set_self_signup(s, s.get(User, admin.id), True)
    with db.session_scope(db_url) as s:
        assert auth.self_signup_enabled(s)
        auth.request_signup(s, "cand@corp.cn", "10.0.0.1")
        assert [e.action for e in audit.search(s, action="setting.self_signup")] == ["setting.self_signup"]


# ---------------------------------------------------------------- concurrency


def test_concurrent_wrong_passwords_check_at_most_the_limit(db_url, monkeypatch):
    """30 wrong passwords for one account at once, each in its own thread and transaction on
    the same database file: the attempt is counted before the (slow) Argon2 check, so no more
    than LOCK_AFTER passwords are ever checked and the rest are refused as locked."""
    import threading

    _make_user(db_url, "race@corp.cn")
    checked: list[int] = []
    real_verify = auth.passwords.verify_password

    def counting_verify(stored, password):
        checked.append(1)
        return real_verify(stored, password)

    monkeypatch.setattr(auth.passwords, "verify_password", counting_verify)
    attempts = 30
    barrier = threading.Barrier(attempts)
    answers: list[str] = []

    def attempt(i: int) -> None:
        barrier.wait()
        with db.session_scope(db_url) as s:
            try:
                auth.login(s, "race@corp.cn", f"wrong password {i}", f"10.8.{i}.1", "ua")
            except ServiceError as exc:
                answers.append(exc.msgid)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == attempts
    assert len(checked) <= throttle.LOCK_AFTER, f"{len(checked)} passwords were checked"
    assert answers.count(auth.INCORRECT) == len(checked)
    assert answers.count(throttle.TOO_MANY) == attempts - len(checked)
    with db.session_scope(db_url) as s:
        assert throttle.status(s, "race@corp.cn")[1] is not None  # and the account is locked


def test_reset_request_answers_alike_before_the_address_is_looked_up(db_url, monkeypatch):
    """The reset route does the same work for a known and an unknown address before it
    answers (the rate limits), and hands the rest (lookup, link, e-mail, audit) to one and
    the same task that runs after the answer is sent: the answer's timing tells nothing."""
    from starlette.requests import Request

    from portal import auth_routes
    from portal.models import LoginThrottle
    from portal.services.platform import settings

    monkeypatch.setenv("TALENT_DB_URL", db_url)
    settings.get_settings.cache_clear()
    _make_user(db_url, "tang@corp.cn")

    def snapshot():
        with db.session_scope(db_url) as s:
            return (sum(s.exec(select(LoginThrottle.failures)).all()), len(s.exec(select(PasswordReset)).all()),
                    len(s.exec(select(EmailOutbox)).all()), len(s.exec(select(AuditEvent)).all()))

    answers, work = {}, {}
    for email in ("tang@corp.cn", "nobody@corp.cn"):
        before = snapshot()
        request = Request({"type": "http", "method": "POST", "path": "/auth/reset-request", "headers": [],
                           "client": ("10.9.0.1", 50000)})
        answers[email] = auth_routes.reset_request(request, {"email": email})
        work[email] = tuple(a - b for a, b in zip(snapshot(), before))
    known, unknown = answers["tang@corp.cn"], answers["nobody@corp.cn"]
    assert (known.status_code, known.headers["location"]) == (unknown.status_code, unknown.headers["location"])
    assert work["tang@corp.cn"] == work["nobody@corp.cn"] == (2, 0, 0, 0)  # two counters, nothing else
    assert known.background.func is unknown.background.func
    assert known.background.args[1:] == unknown.background.args[1:]
    # in a thread of its own: the browser tests of the same run keep an event loop in this one
    aio.run(known.background())
    aio.run(unknown.background())
    with db.session_scope(db_url) as s:
        mail = s.exec(select(EmailOutbox)).one()
        assert (mail.kind, mail.to_addr) == ("password_reset", "tang@corp.cn")
        outcomes = s.exec(select(AuditEvent.outcome).where(AuditEvent.action == "password.reset_request")).all()
        assert sorted(outcomes) == ["success", "unknown"]
    settings.get_settings.cache_clear()


def test_rate_limited_reset_requests_are_audited(db_url):
    _make_user(db_url, "flood@corp.cn")
    for _ in range(5):
        with db.session_scope(db_url) as s:
            auth.request_reset(s, "flood@corp.cn", "10.7.1.1")
    for _ in range(3):
        with db.session_scope(db_url) as s:
            assert _error(auth.request_reset, s, "flood@corp.cn", "10.7.1.1").msgid == throttle.TOO_MANY
    with db.session_scope(db_url) as s:
        audit.flush_repeats(s)
    limited = [e for e in _actions(db_url) if e == ("password.reset_request", "rate_limited")]
    assert len(limited) == 2  # the first refusal, then one summary of the other two
    with db.session_scope(db_url) as s:
        assert s.exec(select(AuditEvent.object_id).where(AuditEvent.object_type == audit.REPEATED)).one() == "2"
