"""Second factor: TOTP (RFC 6238, 30 s steps, 6 digits) and single-use recovery codes.

The TOTP secret is stored encrypted in ``User.totp_secret_enc``. Its plaintext is
a small JSON document ``{"a": active secret or null, "p": pending secret or
null}``: a first enrolment keeps only a pending secret (``mfa_enrolled_at`` stays
None until a code confirms it), and a user who replaces their authenticator keeps
the old one active until the new one is confirmed, so abandoning a re-enrolment
never leaves the account without a second factor. Only this module reads it.

A code is accepted for the step before, the current and the next step (clock
skew), and never for a step at or before ``User.totp_last_step``: the step is
recorded with a conditional ``UPDATE ... WHERE totp_last_step < :step`` in the
caller's transaction, so two processes can never both accept the same code.

Recovery codes are 10 random codes like ``abcd-efgh-jkmn`` (about 59 bits
each), stored as salted HMAC-SHA256 under a server key (``recovery_code_key``,
0600 file or ``TALENT_RECOVERY_CODE_KEY``) bound to the user id; each works once
and a new set replaces the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import datetime, timezone

import pyotp
import segno
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.models import RecoveryCode, User
from portal.services.platform import crypto
from portal.services.platform.secrets import read_secret

ISSUER = "Talent Portal"
STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0, 1
_HASH_PREFIX = "hmac-sha256:"

clock = time.time  # module-level so tests can move time


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- secrets on the user row


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def _load(user: User) -> dict:
    if not user.totp_secret_enc:
        return {"a": None, "p": None, "o": None}
    plain = crypto.decrypt(user.totp_secret_enc)
    if plain.startswith("{"):
        data = json.loads(plain)
        return {"a": data.get("a"), "p": data.get("p"), "o": data.get("o")}
    return {"a": plain, "p": None, "o": None}  # a bare secret is an active one


def _store(user: User, active: str | None, pending: str | None, owner: str | None = None) -> None:
    doc = {"a": active, "p": pending, "o": owner if pending else None}
    user.totp_secret_enc = (
        None if not active and not pending
        else crypto.encrypt(json.dumps(doc, separators=(",", ":")))
    )


def is_enrolled(user: User) -> bool:
    return user.mfa_enrolled_at is not None and bool(user.totp_secret_enc) and bool(_load(user)["a"])


def set_pending_secret(user: User, secret: str, owner: str | None = None) -> None:
    """Keep ``secret`` (encrypted) until a code confirms it; an active secret stays active.
    ``owner`` (e.g. the sign-in session) binds the pending secret: only the same owner can
    see or confirm it, so a secret someone else started can never be confirmed by the user."""
    _store(user, _load(user)["a"], secret, owner)


def pending_secret(user: User, owner: str | None = None) -> str | None:
    data = _load(user)
    return data["p"] if data["o"] == owner else None


def clear(session, user: User) -> None:
    """Forget the TOTP secrets and every recovery code (admin reset)."""
    user.totp_secret_enc = None
    user.mfa_enrolled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def provisioning_uri(email: str, secret: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG string, drawn on the server (no third party)."""
    return segno.make(uri, error="m", micro=False).svg_inline(scale=4, border=4, dark="#000",
                                                               light="#fff")


# ---------------------------------------------------------------- codes


def _clean_code(code: str) -> str | None:
    code = re.sub(r"\s", "", str(code or ""))
    return code if len(code) == DIGITS and code.isascii() and code.isdigit() else None


def _matching_step(secret: str, code: str, after_step: int, now: float | None) -> int | None:
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int((clock() if now is None else now) // STEP_SECONDS)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(session, user: User, step: int) -> bool:
    """Record ``step`` as used unless this or another process already used it (or a later one)."""
    result = session.execute(
        update(User).where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def verify_code(session, user: User, code: str, *, now: float | None = None) -> bool:
    """True once per step for a correct code of the user's active secret."""
    code = _clean_code(code)
    secret = _load(user)["a"] if user.totp_secret_enc else None
    if not code or not secret or user.mfa_enrolled_at is None:
        return False
    step = _matching_step(secret, code, user.totp_last_step or 0, now)
    return step is not None and _claim_step(session, user, step)


def confirm_pending(session, user: User, code: str, *, owner: str | None = None,
                    now: float | None = None) -> bool:
    """Activate the pending secret when ``code`` matches it (enrolment or replacement)."""
    code = _clean_code(code)
    data = _load(user)
    if not code or not data["p"] or data["o"] != owner:
        return False
    # A code of the new secret cannot replay one of the old, so any step in the window
    # will do (no wait after a re-authentication); the step is still recorded, so this
    # very code can never be used again to sign in.
    step = _matching_step(data["p"], code, -1, now)
    if step is None:
        return False
    if step > (user.totp_last_step or 0):
        _claim_step(session, user, step)
    _store(user, data["p"], None)
    user.mfa_enrolled_at = utcnow()
    return True


# ---------------------------------------------------------------- recovery codes


def _recovery_key() -> bytes:
    return read_secret("recovery_code_key", "TALENT_RECOVERY_CODE_KEY").encode()


def _normalise_recovery(code: str) -> str | None:
    raw = re.sub(r"[^a-z0-9]", "", str(code or "").lower())
    return raw if len(raw) == 12 else None


def _hash_recovery(user_id: int, normalised: str, salt: str | None = None) -> str:
    """``hmac-sha256:<salt>:<mac>``: a random 64-bit salt per code (ASVS asks for one when a
    lookup secret has under 112 bits), keyed with a server secret, bound to the user."""
    salt = salt or secrets.token_hex(8)
    mac = hmac.new(_recovery_key(), f"{salt}:{user_id}:{normalised}".encode(), hashlib.sha256)
    return f"{_HASH_PREFIX}{salt}:{mac.hexdigest()}"


def _matches(stored: str, user_id: int, normalised: str) -> bool:
    if not stored.startswith(_HASH_PREFIX) or stored.count(":") != 2:
        return False
    salt = stored.split(":")[1]
    return hmac.compare_digest(stored, _hash_recovery(user_id, normalised, salt))


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def generate_recovery_codes(session, user: User) -> list[str]:
    """Ten new codes, replacing every old one. Shown once; only their keyed hashes are kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(user.id, code.replace("-", ""))))
    session.flush()
    return codes


def use_recovery_code(session, user: User, code: str) -> bool:
    """True once per code; spaces, dashes and case do not matter."""
    normalised = _normalise_recovery(code)
    if not normalised:
        return False
    rows = session.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = None
    for row_id, code_hash in rows:  # check every row: time does not depend on which one matched
        if _matches(code_hash, user.id, normalised):
            match = row_id
    if match is None:
        return False
    result = session.execute(
        update(RecoveryCode).where(RecoveryCode.id == match, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining_recovery_codes(session, user: User) -> int:
    return session.execute(select(recovery_codes_left(user.id))).scalar_one()


def recovery_codes_left(user_id: int):
    """How many unused recovery codes the user has, as an SQL expression (a page reads it
    along with other rows)."""
    return (select(func.count()).select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)).scalar_subquery())
