"""The separate, versioned consent (PIPL art. 29): granting and withdrawing are
audited, a stale version is refused, and the text exists for every version and locale."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import models
from portal.services.interviews import consent
from portal.services.platform import audit, db
from portal.services.platform.errors import FieldErrors, PermissionDenied, ServiceError
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
        first = consent.grant(s, s.get(models.User, user_id), consent.current_version(s), ip="10.0.0.1")
        granted_at = first.granted_at
    with db.session_scope(db_url) as s:
        assert consent.has_consent(s, user_id)
        again = consent.grant(s, s.get(models.User, user_id), consent.current_version(s))
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
        consent.grant(s, s.get(models.User, user_id), consent.current_version(s))
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
            consent.grant(s, user, consent.current_version(s))
    with db.session_scope(db_url) as s:
        assert not s.exec(select(models.Consent)).all()


def test_the_current_text_says_everything_art_29_asks_in_both_languages(db_url):
    with db.session_scope(db_url) as s:
        for locale in LOCALES:
            text = consent.text(s, locale)
            assert text["title"] and text["intro"] and text["agree_label"]
            assert len(text["sections"]) >= 6 and all(x["heading"] and x["body"] for x in text["sections"])
        en = " ".join(x["heading"] + " " + x["body"] for x in consent.text(s, "en")["sections"])
        for needed in ("Purpose", "What data", "kept", "Who sees", "withdraw", "Article 29", "separate consent"):
            assert needed in en, needed
        zh = "".join(x["heading"] + x["body"] for x in consent.text(s, "zh_CN")["sections"])
        for needed in ("目的", "哪些信息", "保存", "谁能看到", "撤回", "第二十九条", "单独同意"):
            assert needed in zh, needed
        with pytest.raises(KeyError):
            consent.text(s, "en", "1999-01")


def _form(s, **changes):
    """The publish form as the page pre-fills it (the current text), with ``changes``
    ("<locale>.<field>": value)."""
    form = {}
    for locale in LOCALES:
        current = consent.text(s, locale)
        form[locale] = {"title": current["title"], "intro": current["intro"],
                        "sections": consent.sections_markup(current["sections"]),
                        "agree_label": current["agree_label"]}
    for key, value in changes.items():
        locale, field = key.split(".")
        form[locale][field] = value
    return form


def _staff(s, role):
    user = models.User(email=f"{role}@corp.cn", role=role, mfa_enrolled_at=models.utcnow())
    s.add(user)
    s.flush()
    return user


def test_the_admin_publishes_a_new_version_and_everyone_is_asked_again(candidate):
    db_url, user_id = candidate
    with db.session_scope(db_url) as s:
        old = consent.current_version(s)
        consent.grant(s, s.get(models.User, user_id), old)
        admin = _staff(s, "admin")
    with db.session_scope(db_url) as s:
        admin = s.get(models.User, admin.id)
        form = _form(s, **{"en.title": "Consent, second edition",
                           "en.sections": "## Purpose\nTo assess your answers.\n\n## Withdraw\nAny time.",
                           "zh_CN.sections": "## 目的\n评估你的作答。\n\n## 撤回\n随时可以。"})
        row = consent.publish(s, admin, "2027-01", form, ip="10.0.0.9")
        assert row.version == "2027-01"
    with db.session_scope(db_url) as s:
        assert consent.current_version(s) == "2027-01"
        assert consent.text(s, "en")["title"] == "Consent, second edition"
        assert consent.text(s, "en")["sections"] == [{"heading": "Purpose", "body": "To assess your answers."},
                                                      {"heading": "Withdraw", "body": "Any time."}]
        assert consent.text(s, "zh_CN", old)["sections"][0]["heading"] == "目的"  # the old text stays readable
        # the consent to the old text no longer counts; agreeing to the old one is refused
        assert not consent.has_consent(s, user_id)
        with pytest.raises(ServiceError) as refused:
            consent.grant(s, s.get(models.User, user_id), old)
        assert refused.value.msgid == consent.WRONG_VERSION
        consent.grant(s, s.get(models.User, user_id), "2027-01")
        assert consent.has_consent(s, user_id)
        assert [h["version"] for h in consent.history(s)] == ["2027-01", old]
        assert consent.history(s)[0]["published_by_id"] == admin.id
        [event] = _events(s, "consent.publish")
        assert event.object_id == "recording_analysis@2027-01" and event.actor_id == admin.id


@pytest.mark.parametrize("changes, field, msgid", [
    ({}, "version", consent.VERSION_TAKEN),  # the built-in version's label
    ({"en.title": "  "}, "en.title", consent.REQUIRED),
    ({"zh_CN.intro": "x" * 1001}, "zh_CN.intro", consent.TOO_LONG),
    ({"en.sections": "text before any heading\n## Purpose\nbody"}, "en.sections", consent.SECTIONS_FORMAT),
    ({"en.sections": "## Purpose\n\n## Withdraw\nAny time."}, "en.sections", consent.SECTIONS_FORMAT),
    ({"en.sections": "## Purpose\nTo assess."}, "en.sections", consent.SECTIONS_MATCH),
])
def test_a_wrong_text_is_refused_beside_its_field_and_nothing_changes(db_url, changes, field, msgid):
    with db.session_scope(db_url) as s:
        admin = _staff(s, "admin")
        before = consent.current_version(s)
        version = before if field == "version" else "2027-02"
        with pytest.raises(FieldErrors) as refused:
            consent.publish(s, admin, version, _form(s, **changes))
        assert refused.value.fields[field][0] == msgid
    with db.session_scope(db_url) as s:
        assert consent.current_version(s) == before
        assert not s.exec(select(models.ConsentText)).all() and not _events(s, "consent.publish")
        with pytest.raises(FieldErrors) as refused:
            consent.publish(s, s.get(models.User, admin.id), "no spaces allowed", _form(s))
        assert refused.value.fields["version"][0] == consent.VERSION_FORMAT


@pytest.mark.parametrize("role", ["hr", "hr_manager", "candidate", "employee", "interviewer"])
def test_only_the_admin_publishes_consent_texts(db_url, role):
    with db.session_scope(db_url) as s:
        user = _staff(s, role)
        with pytest.raises(PermissionDenied):
            consent.publish(s, user, "2027-03", _form(s))
    with db.session_scope(db_url) as s:
        assert not s.exec(select(models.ConsentText)).all()
