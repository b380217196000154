from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pyotp
import pytest
from sqlmodel import select

from portal.models import RecoveryCode, User
from portal.services.platform import db
from portal.services.accounts import mfa

T0 = 1_900_000_020.0  # a step boundary plus nothing in particular


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir, monkeypatch):
    monkeypatch.delenv("TALENT_RECOVERY_CODE_KEY", raising=False)
    return isolated_data_dir


def _code(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


def _wrong(secret: str, at: float) -> str:
    window = {_code(secret, at + d) for d in (-30, 0, 30)}
    return next(c for c in ("000000", "000001", "000002", "000003") if c not in window)


def _enrolled_user(url: str, email="wang@corp.cn") -> tuple[int, str]:
    secret = mfa.new_secret()
    with db.session_scope(url) as session:
        user = User(email=email)
        mfa.set_pending_secret(user, secret)
        user.mfa_enrolled_at = datetime.now(timezone.utc)
        session.add(user)
        session.flush()
        # promote the pending secret the same way confirmation does
        assert mfa.confirm_pending(session, user, _code(secret, T0 - 300), now=T0 - 300)
        return user.id, secret


def test_secret_uri_and_qr():
    secret = mfa.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    uri = mfa.provisioning_uri("li.lei@corp.cn", secret)
    assert uri.startswith("otpauth://totp/Talent%20Portal:li.lei%40corp.cn?")
    assert f"secret={secret}" in uri and "issuer=Talent%20Portal" in uri
    svg = mfa.qr_svg(uri)
    assert svg.startswith("<svg") and "<path" in svg and svg.rstrip().endswith("</svg>")
    assert "http" not in svg.split(">", 1)[0].replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_secret_is_stored_encrypted(db_url):
    user_id, secret = _enrolled_user(db_url)
    with db.session_scope(db_url) as session:
        user = session.get(User, user_id)
        assert user.totp_secret_enc.startswith("v1:") and secret not in user.totp_secret_enc
        assert mfa.is_enrolled(user)


def test_code_accepted_once_within_the_window(db_url):
    user_id, secret = _enrolled_user(db_url)
    with db.session_scope(db_url) as session:
        user = session.get(User, user_id)
        assert not mfa.verify_code(session, user, _wrong(secret, T0), now=T0)
        assert mfa.verify_code(session, user, _code(secret, T0), now=T0)
        assert not mfa.verify_code(session, user, _code(secret, T0), now=T0)  # replay
        assert not mfa.verify_code(session, user, _code(secret, T0 - 30), now=T0)  # older step
        code_next = _code(secret, T0 + 30)
        assert mfa.verify_code(session, user, " " + code_next[:3] + " " + code_next[3:], now=T0)
        assert not mfa.verify_code(session, user, _code(secret, T0 + 90), now=T0)  # beyond the window
        assert not mfa.verify_code(session, user, "12a456", now=T0)
        assert not mfa.verify_code(session, user, "", now=T0)
    with db.session_scope(db_url) as session:
        assert session.get(User, user_id).totp_last_step == int((T0 + 30) // 30)


def test_previous_step_is_accepted_for_clock_skew(db_url):
    user_id, secret = _enrolled_user(db_url)
    with db.session_scope(db_url) as session:
        user = session.get(User, user_id)
        assert mfa.verify_code(session, user, _code(secret, T0 - 30), now=T0)


def test_stale_user_object_in_another_process_cannot_reuse_the_step(db_url):
    user_id, secret = _enrolled_user(db_url)
    code = _code(secret, T0)
    with db.session_scope(db_url) as other:
        stale = other.get(User, user_id)  # loaded before the first use
        with db.session_scope(db_url) as first:
            assert mfa.verify_code(first, first.get(User, user_id), code, now=T0)
        assert stale.totp_last_step < int(T0 // 30)
        assert not mfa.verify_code(other, stale, code, now=T0)


def test_two_concurrent_uses_accept_exactly_one(db_url):
    user_id, secret = _enrolled_user(db_url)
    code = _code(secret, T0)
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def attempt():
        with db.session_scope(db_url) as session:
            user = session.get(User, user_id)
            barrier.wait()
            results.append(mfa.verify_code(session, user, code, now=T0))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


def test_enrolment_and_replacement_keep_a_working_factor(db_url):
    first, second = mfa.new_secret(), mfa.new_secret()
    with db.session_scope(db_url) as session:
        user = User(email="new@corp.cn")
        session.add(user)
        session.flush()
        mfa.set_pending_secret(user, first)
        assert not mfa.is_enrolled(user) and mfa.pending_secret(user) == first
        assert not mfa.verify_code(session, user, _code(first, T0), now=T0)  # pending only
        assert not mfa.confirm_pending(session, user, _wrong(first, T0), now=T0)
        assert mfa.confirm_pending(session, user, _code(first, T0), now=T0)
        assert mfa.is_enrolled(user) and mfa.pending_secret(user) is None
        assert not mfa.verify_code(session, user, _code(first, T0), now=T0)  # the confirming code is spent

        mfa.set_pending_secret(user, second)  # replacing the authenticator
        assert mfa.is_enrolled(user)
        assert mfa.verify_code(session, user, _code(first, T0 + 30), now=T0 + 30)  # old one still works
        assert mfa.confirm_pending(session, user, _code(second, T0 + 30), now=T0 + 30)  # same step: no wait
        assert not mfa.verify_code(session, user, _code(first, T0 + 60), now=T0 + 60)
        assert mfa.verify_code(session, user, _code(second, T0 + 60), now=T0 + 60)

        mfa.clear(session, user)
        assert not mfa.is_enrolled(user) and user.totp_secret_enc is None


def test_recovery_codes(db_url):
    with db.session_scope(db_url) as session:
        alice, bob = User(email="alice@corp.cn"), User(email="bob@corp.cn")
        session.add_all([alice, bob])
        session.flush()
        codes = mfa.generate_recovery_codes(session, alice)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
        stored = session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == alice.id)).all()
        assert len(stored) == 10
        assert not any(c in h or c.replace("-", "") in h for c in codes for h in stored)

        assert not mfa.use_recovery_code(session, bob, codes[0])  # someone else's code
        assert mfa.use_recovery_code(session, alice, codes[0].upper().replace("-", " "))
        assert not mfa.use_recovery_code(session, alice, codes[0])  # each code once
        assert not mfa.use_recovery_code(session, alice, "not-a-code")
        assert mfa.remaining_recovery_codes(session, alice) == 9

        fresh = mfa.generate_recovery_codes(session, alice)
        assert not mfa.use_recovery_code(session, alice, codes[1])  # replaced
        assert mfa.use_recovery_code(session, alice, fresh[1])
        assert mfa.remaining_recovery_codes(session, alice) == 9
        mfa.clear(session, alice)
        assert mfa.remaining_recovery_codes(session, alice) == 0
