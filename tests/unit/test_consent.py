"""The separate, versioned consent (PIPL art. 29): granting and withdrawing are
audited, a stale version is refused, and the text exists for every version and locale."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import models
from portal.services.interviews import consent
from portal.services.platform import audit, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import LOCALES


@pytest.fixture
def candidate(db_url):
    with db.session_scope(db_url) as s:
        user = models.User(email="c@corp.cn", role="candidate")
        s.add(user)
        s.flush()
        return db_url, user.id


def _events(s, action):
    return s.exec(select(models.AuditEvent).where(models.AuditEvent.action == action)).all()


def test_grant_and_withdraw_are_audited_and_change_has_consent(candidate):
    db_url, user_id = candidate
    with db.session_scope(db_url) as s:
        assert not consent.has_consent(s, user_id)
        assert consent.status(s, user_id) == (None, False)  # the consent page's one query
        first = consent.grant(s, s.get(models.User, user_id), consent.CURRENT_VERSION, ip="10.0.0.1")
        granted_at = first.granted_at
    with db.session_scope(db_url) as s:
        assert consent.has_consent(s, user_id)
        again = consent.grant(s, s.get(models.User, user_id), consent.CURRENT_VERSION)
        assert again.granted_at == granted_at  # agreeing twice keeps the first date
        [event] = _events(s, "consent.grant")  # and writes no second event
        assert (event.actor_id, event.object_id, event.ip) == (user_id, f"{consent.PURPOSE}@2026-11", "10.0.0.1")
    with db.session_scope(db_url) as s:
        assert consent.withdraw(s, s.get(models.User, user_id)) is True
    with db.session_scope(db_url) as s:
        assert not consent.has_consent(s, user_id)
        assert consent.latest(s, user_id).withdrawn_at is not None
        assert consent.status(s, user_id) == (consent.latest(s, user_id), False)
        assert [e.actor_id for e in _events(s, "consent.withdraw")] == [user_id]
        assert consent.withdraw(s, s.get(models.User, user_id)) is False  # nothing left to withdraw
        assert len(_events(s, "consent.withdraw")) == 1
        assert audit.verify_chain(s)[0]
    with db.session_scope(db_url) as s:  # agreeing again after a withdrawal is a new record
        consent.grant(s, s.get(models.User, user_id), consent.CURRENT_VERSION)
    with db.session_scope(db_url) as s:
        assert consent.has_consent(s, user_id)
        assert consent.status(s, user_id) == (consent.latest(s, user_id), True)
        assert len(s.exec(select(models.Consent).where(models.Consent.user_id == user_id)).all()) == 2


def test_a_stale_version_changes_nothing(candidate):
    db_url, user_id = candidate
    with db.session_scope(db_url) as s:
        with pytest.raises(ServiceError) as refused:
            consent.grant(s, s.get(models.User, user_id), "2020-01")
        assert refused.value.msgid == consent.WRONG_VERSION
        assert not s.exec(select(models.Consent)).all() and not _events(s, "consent.grant")


def test_a_consent_to_an_older_version_does_not_count(candidate):
    db_url, user_id = candidate
    with db.session_scope(db_url) as s:
        s.add(models.Consent(user_id=user_id, purpose=consent.PURPOSE, version="2025-01"))
    with db.session_scope(db_url) as s:
        assert not consent.has_consent(s, user_id)


def test_a_disabled_account_can_neither_grant_nor_withdraw(candidate):
    db_url, user_id = candidate
    with db.session_scope(db_url) as s:
        user = s.get(models.User, user_id)
        user.is_active = False
        with pytest.raises(PermissionDenied):
            consent.grant(s, user, consent.CURRENT_VERSION)
    with db.session_scope(db_url) as s:
        assert not s.exec(select(models.Consent)).all()


def test_the_current_text_says_everything_art_29_asks_in_both_languages():
    for locale in LOCALES:
        text = consent.text(locale)
        assert text["title"] and text["intro"] and text["agree_label"]
        assert len(text["sections"]) >= 6 and all(s["heading"] and s["body"] for s in text["sections"])
    en = " ".join(s["heading"] + " " + s["body"] for s in consent.text("en")["sections"])
    for needed in ("Purpose", "What data", "kept", "Who sees", "withdraw", "Article 29", "separate consent"):
        assert needed in en, needed
    zh = "".join(s["heading"] + s["body"] for s in consent.text("zh_CN")["sections"])
    for needed in ("目的", "哪些信息", "保存", "谁能看到", "撤回", "第二十九条", "单独同意"):
        assert needed in zh, needed
    with pytest.raises(KeyError):
        consent.text("en", "1999-01")
