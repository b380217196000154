"""Brute-force and credential-stuffing controls, kept in the database (LoginThrottle)
so they hold across processes, hosts and restarts.

Two counters per attempt:

- ``acct:<email>`` counts consecutive failures for one account name, whether or
  not the account exists (so a lock reveals nothing). The first 3 failures cost
  nothing; then each costs a growing delay (0.25 s, 0.5 s, 1 s, then 2 s); the
  10th locks the name for 15 minutes. A success (password and second factor)
  resets it.
- ``ip:<address>`` counts failures from one address in a 15-minute window, over
  all accounts: 50 failures lock the address for 15 minutes (password spraying).
  A success does not reset it.

The account's attempt is counted **before** the secret is checked (``claim``), by
one conditional UPDATE that only succeeds while the name is neither locked nor at
its limit, in a transaction the caller commits before the slow Argon2 check. So
40 concurrent guesses cannot all pass a "not locked yet" read: at most 10 are
checked, the claim that reaches the limit sets the lock, the rest are refused. A
right password gives its claim back (``refund``), a full sign-in resets (``succeed``).
A conditional UPDATE is atomic on SQLite (one writer) and PostgreSQL (row lock,
WHERE re-checked) alike.

Wrong second-factor codes count exactly like wrong passwords. ``rate_limit`` is a
plain fixed-window limiter for other abuse-prone actions (reset e-mails, sign-up).
Counters are changed with single UPDATE statements, never read-modify-write.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, literal, or_, select, update

from portal.models import LoginThrottle
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_

TOO_MANY = N_("Too many attempts. Try again later.")

FREE_FAILURES = 3
BASE_DELAY = 0.25
MAX_DELAY = 2.0
LOCK_AFTER = 10
LOCK_MINUTES = 15
IP_LIMIT = 50
IP_WINDOW_MINUTES = 15

T = LoginThrottle.__table__


def utcnow() -> datetime:  # module-level so tests can move the clock
    return datetime.now(timezone.utc)


def _now(now: datetime | None) -> datetime:
    value = now or utcnow()
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def account_key(email: str) -> str:
    return ("acct:" + (email or "").strip().lower())[:300]


def ip_key(ip: str) -> str:
    return ("ip:" + ((ip or "").strip() or "unknown"))[:300]


def delay_for(failures: int) -> float:
    if failures <= FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_FAILURES - 1))


def _ensure(session, key: str, now: datetime) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases are not supported
        if session.execute(select(T.c.id).where(T.c.key == key)).first() is None:
            session.execute(T.insert().values(key=key, failures=0, window_start=now))
        return
    session.execute(
        insert(T).values(key=key, failures=0, window_start=now).on_conflict_do_nothing(index_elements=["key"])
    )


def _row(session, key: str):
    return session.execute(
        select(T.c.failures, T.c.window_start, T.c.locked_until).where(T.c.key == key)
    ).first()


def _locked(row, now: datetime) -> bool:
    return bool(row and row.locked_until and _now(row.locked_until) > now)


def is_locked(session, email: str, ip: str = "", *, now: datetime | None = None) -> bool:
    now = _now(now)
    return any(_locked(_row(session, k), now) for k in (account_key(email), ip_key(ip)))


def check(session, email: str, ip: str, *, now: datetime | None = None) -> None:
    """Raise ServiceError(TOO_MANY) while the account name or the address is locked."""
    if is_locked(session, email, ip, now=now):
        raise ServiceError(TOO_MANY)


def claim(session, email: str, ip: str, *, now: datetime | None = None) -> int:
    """Count one attempt for the account name before its secret is checked; raise
    ServiceError(TOO_MANY) when the name or the address is locked or the name has used
    its attempts. Returns the name's count including this attempt. The caller commits
    right after, so concurrent attempts see it."""
    now = _now(now)
    if _locked(_row(session, ip_key(ip)), now):
        raise ServiceError(TOO_MANY)
    akey = account_key(email)
    _ensure(session, akey, now)
    lock_end = literal(now + timedelta(minutes=LOCK_MINUTES), T.c.locked_until.type)
    expired = T.c.locked_until.is_not(None)  # not locked now (WHERE below): a lock that ran out
    claimed = session.execute(
        update(T)
        .where(T.c.key == akey,
               or_(T.c.locked_until.is_(None), T.c.locked_until <= now),
               or_(expired, T.c.failures < LOCK_AFTER))
        .values(failures=case((expired, 1), else_=T.c.failures + 1),
                locked_until=case((and_(~expired, T.c.failures + 1 >= LOCK_AFTER), lock_end), else_=None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ServiceError(TOO_MANY)
    return _row(session, akey).failures


def fail(session, email: str, ip: str, *, now: datetime | None = None) -> float:
    """After a claimed attempt failed: count the failure for the address; returns the
    delay (seconds) the caller should wait (after committing) before answering."""
    now = _now(now)
    ikey = ip_key(ip)
    _ensure(session, ikey, now)
    cutoff = now - timedelta(minutes=IP_WINDOW_MINUTES)
    stale = T.c.window_start <= cutoff
    session.execute(update(T).where(T.c.key == ikey).values(
        failures=case((stale, 1), else_=T.c.failures + 1),
        window_start=case((stale, literal(now, T.c.window_start.type)), else_=T.c.window_start),
    ))
    if _row(session, ikey).failures >= IP_LIMIT:
        session.execute(update(T).where(T.c.key == ikey).values(
            locked_until=now + timedelta(minutes=LOCK_MINUTES)))
    row = _row(session, account_key(email))
    return delay_for(row.failures if row else 0)


def refund(session, email: str) -> None:
    """The claimed attempt was right (a password before its second factor): give it back,
    including the lock its claim may have set."""
    session.execute(update(T).where(T.c.key == account_key(email), T.c.failures > 0).values(
        failures=T.c.failures - 1, locked_until=None).execution_options(synchronize_session=False))


def succeed(session, email: str, ip: str = "") -> None:
    """Reset the account name's counter (the address counter keeps counting)."""
    session.execute(update(T).where(T.c.key == account_key(email)).values(failures=0, locked_until=None))


def unlock(session, email: str) -> None:
    """Administrator or password reset: lift the account name's lock."""
    succeed(session, email)


def status(session, email: str, *, now: datetime | None = None) -> tuple[int, datetime | None]:
    """(consecutive failures, locked until or None) for the account name."""
    now = _now(now)
    row = _row(session, account_key(email))
    if not row or (row.locked_until and not _locked(row, now)):  # a lock that ran out starts afresh
        return 0, None
    return row.failures, (_now(row.locked_until) if _locked(row, now) else None)


def rate_limit(session, key: str, limit: int, window_minutes: int, *, now: datetime | None = None) -> None:
    """Count one use of ``key``; raise ServiceError(TOO_MANY) beyond ``limit`` per window."""
    now = _now(now)
    key = key[:300]
    _ensure(session, key, now)
    stale = T.c.window_start <= now - timedelta(minutes=window_minutes)
    session.execute(update(T).where(T.c.key == key).values(
        failures=case((stale, 1), else_=T.c.failures + 1),
        window_start=case((stale, literal(now, T.c.window_start.type)), else_=T.c.window_start),
    ))
    if _row(session, key).failures > limit:
        raise ServiceError(TOO_MANY)
