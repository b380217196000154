from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal.services.platform import db
from portal.services.accounts import throttle
from portal.services.platform.errors import ServiceError

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def _fail(session, email, ip, **kw) -> float:
    """One wrong secret as the services see it: claim the attempt, then count the failure."""
    throttle.claim(session, email, ip, **kw)
    return throttle.fail(session, email, ip, **kw)


def test_delay_schedule():
    assert [throttle.delay_for(n) for n in range(1, 10)] == [0, 0, 0, 0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


def test_progressive_delay_then_lock_for_15_minutes(db_url):
    with db.session_scope(db_url) as s:
        delays = [_fail(s, "Wang@Corp.cn", "10.0.0.1", now=NOW) for _ in range(9)]
        assert delays[:3] == [0, 0, 0] and delays[3] > 0 and max(delays) == 2.0
        assert delays == sorted(delays)
        throttle.check(s, "wang@corp.cn", "10.0.0.1", now=NOW)  # 9 failures: still open
        _fail(s, "wang@corp.cn", "10.0.0.2", now=NOW)  # the 10th, from elsewhere
    with db.session_scope(db_url) as s:
        with pytest.raises(ServiceError) as err:
            throttle.check(s, " WANG@corp.cn ", "192.168.1.1", now=NOW + timedelta(minutes=14))
        assert err.value.msgid == "Too many attempts. Try again later."
        assert throttle.status(s, "wang@corp.cn", now=NOW)[1] == NOW + timedelta(minutes=15)
        throttle.check(s, "wang@corp.cn", "10.0.0.1", now=NOW + timedelta(minutes=15, seconds=1))
        throttle.check(s, "li@corp.cn", "10.0.0.1", now=NOW)  # other accounts are unaffected


def test_success_resets_the_account_not_the_address(db_url):
    with db.session_scope(db_url) as s:
        for _ in range(8):
            _fail(s, "a@corp.cn", "10.0.0.9", now=NOW)
        throttle.succeed(s, "a@corp.cn", "10.0.0.9")
        assert throttle.status(s, "a@corp.cn") == (0, None)
        assert _fail(s, "a@corp.cn", "10.0.0.9", now=NOW) == 0
        assert throttle._row(s, throttle.ip_key("10.0.0.9")).failures == 9


def test_unknown_accounts_are_counted_like_known_ones(db_url):
    with db.session_scope(db_url) as s:
        for _ in range(10):
            _fail(s, "nobody@corp.cn", "10.0.0.3", now=NOW)
        with pytest.raises(ServiceError):
            throttle.check(s, "nobody@corp.cn", "10.0.0.4", now=NOW)


def test_spraying_from_one_address_locks_the_address(db_url):
    with db.session_scope(db_url) as s:
        for i in range(throttle.IP_LIMIT):
            _fail(s, f"user{i}@corp.cn", "203.0.113.7", now=NOW + timedelta(seconds=i))
        with pytest.raises(ServiceError):
            throttle.check(s, "fresh@corp.cn", "203.0.113.7", now=NOW + timedelta(minutes=1))
        throttle.check(s, "fresh@corp.cn", "203.0.113.8", now=NOW + timedelta(minutes=1))
        throttle.check(s, "fresh@corp.cn", "203.0.113.7", now=NOW + timedelta(minutes=17))


def test_address_window_slides(db_url):
    with db.session_scope(db_url) as s:
        for i in range(throttle.IP_LIMIT - 1):
            _fail(s, f"u{i}@corp.cn", "198.51.100.1", now=NOW)
        later = NOW + timedelta(minutes=16)
        _fail(s, "late@corp.cn", "198.51.100.1", now=later)  # a new window
        throttle.check(s, "other@corp.cn", "198.51.100.1", now=later)
        assert throttle._row(s, throttle.ip_key("198.51.100.1")).failures == 1


def test_counters_survive_in_the_database(db_url):
    for _ in range(10):
        with db.session_scope(db_url) as s:  # one transaction (one "request") each
            _fail(s, "z@corp.cn", "10.1.1.1", now=NOW)
    with db.session_scope(db_url) as s, pytest.raises(ServiceError):
        throttle.check(s, "z@corp.cn", "10.1.1.1", now=NOW)
    with db.session_scope(db_url) as s:
        throttle.unlock(s, "z@corp.cn")
    with db.session_scope(db_url) as s:
        throttle.check(s, "z@corp.cn", "10.1.1.2", now=NOW)


def test_module_clock_can_be_monkeypatched(db_url, monkeypatch):
    monkeypatch.setattr(throttle, "utcnow", lambda: NOW)
    with db.session_scope(db_url) as s:
        for _ in range(10):
            _fail(s, "m@corp.cn", "10.2.2.2")
        assert throttle.status(s, "m@corp.cn")[1] == NOW + timedelta(minutes=15)


def test_rate_limit(db_url):
    with db.session_scope(db_url) as s:
        for _ in range(3):
            throttle.rate_limit(s, "reset:x@corp.cn", 3, 60, now=NOW)
        with pytest.raises(ServiceError):
            throttle.rate_limit(s, "reset:x@corp.cn", 3, 60, now=NOW)
        throttle.rate_limit(s, "reset:x@corp.cn", 3, 60, now=NOW + timedelta(minutes=61))


def test_claims_stop_at_the_limit_before_any_check(db_url):
    """Attempts whose secrets are still being checked count: the 11th claim is refused
    even though no failure has been recorded yet, and the 10th set the lock."""
    with db.session_scope(db_url) as s:
        counts = [throttle.claim(s, "q@corp.cn", f"10.3.0.{i}", now=NOW) for i in range(throttle.LOCK_AFTER)]
        assert counts == list(range(1, throttle.LOCK_AFTER + 1))
        with pytest.raises(ServiceError):
            throttle.claim(s, "q@corp.cn", "10.3.1.1", now=NOW)
        assert throttle.status(s, "q@corp.cn", now=NOW)[1] == NOW + timedelta(minutes=15)
        # after the lock: a fresh count
        assert throttle.claim(s, "q@corp.cn", "10.3.1.1", now=NOW + timedelta(minutes=16)) == 1
        assert throttle.status(s, "q@corp.cn", now=NOW + timedelta(minutes=16)) == (1, None)


def test_a_right_secret_gives_its_claim_back(db_url):
    with db.session_scope(db_url) as s:
        for i in range(throttle.LOCK_AFTER - 1):
            _fail(s, "r@corp.cn", "10.4.0.1", now=NOW)
        throttle.claim(s, "r@corp.cn", "10.4.0.1", now=NOW)  # the 10th: locks while checked
        throttle.refund(s, "r@corp.cn")  # it was the right password
        assert throttle.status(s, "r@corp.cn", now=NOW) == (throttle.LOCK_AFTER - 1, None)
        throttle.claim(s, "r@corp.cn", "10.4.0.1", now=NOW)  # still one attempt left
