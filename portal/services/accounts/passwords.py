"""Password hashing (Argon2id) and the password policy (ASVS 5.0 / NIST SP 800-63B).

Policy: 8 to 128 characters counted as Unicode code points after NFKC
normalisation; any character is allowed, spaces included; no composition rules;
none of the 10,000 most common passwords (zxcvbn's frequency list); not
containing the e-mail address's local part. Passwords are NFKC-normalised before
hashing, so the same password typed on another keyboard or input method
(full-width digits, for example) still matches.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.services.platform.i18n import N_

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_COUNT = 10_000
# Inputs longer than this are refused before hashing (bounded work per attempt).
MAX_INPUT_CHARS = 1024

# OWASP password storage: Argon2id, m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16,
                        type=Type.ID)

TOO_SHORT = N_("Use at least 8 characters.")
TOO_LONG = N_("Use at most 128 characters.")
TOO_COMMON = N_("This password is one of the most common passwords. Choose another one.")
CONTAINS_EMAIL = N_("The password must not contain your e-mail address.")


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return HASHER.hash(normalize(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or an unusable hash."""
    if not password_hash or not isinstance(password, str) or len(password) > MAX_INPUT_CHARS:
        return False
    try:
        return HASHER.verify(password_hash, normalize(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash("not a password: equalises the time of unknown accounts")


def burn_time(password: str) -> None:
    """Spend the time of one verification, for accounts that do not exist."""
    verify_password(_dummy_hash(), password if isinstance(password, str) else "")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (lower case), loaded on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def password_problems(password: str, email: str = "") -> list[str]:
    """Msgids of every rule ``password`` breaks; empty when it is acceptable."""
    problems: list[str] = []
    pw = normalize(password or "")
    if len(pw) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if len(pw) > MAX_LENGTH:
        problems.append(TOO_LONG)
    folded = pw.casefold()
    if folded in common_passwords() or folded.strip() in common_passwords():
        problems.append(TOO_COMMON)
    local = normalize((email or "").split("@", 1)[0]).casefold().strip()
    if len(local) >= 3 and local in folded:
        problems.append(CONTAINS_EMAIL)
    return problems
