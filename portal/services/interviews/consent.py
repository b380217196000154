"""The candidate's separate consent to the processing of their recordings and
answers (PIPL art. 29: sensitive personal information needs separate consent).

Consent is versioned: a new text (``CURRENT_VERSION``) needs a new consent.
Withdrawal is as easy as granting, is audited, and stops scoring of the
person's answers from then on (the scoring dispatcher asks ``has_consent``
before it sends an answer). Nothing here imports reflex.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import exists
from sqlmodel import select

from portal.models import Consent, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_, normalize_locale
from portal.services.platform.settings import ROOT

PURPOSE = "recording_analysis"
# Raise with every change of the consent text (the page shows the text of this version).
CURRENT_VERSION = "2026-11"

WRONG_VERSION = N_("This consent text has been replaced; read the current one and agree again.")


# The consent texts are product text, one entry per version, in every locale.
TEXTS_FILE = ROOT / "portal" / "content" / "consent.json"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, dict]]:
    return json.loads(TEXTS_FILE.read_text(encoding="utf-8"))


def text(locale: str | None, version: str = CURRENT_VERSION) -> dict:
    """The consent text of ``version`` in ``locale``: title, intro, sections
    [{heading, body}] and the agree label. Raises KeyError for an unknown version."""
    return _texts()[version][normalize_locale(locale)]


def latest(session, user_id: int) -> Consent | None:
    """The person's most recent consent record of this purpose, any version, withdrawn or not."""
    return session.exec(select(Consent).where(Consent.user_id == user_id, Consent.purpose == PURPOSE)
                        .order_by(Consent.id.desc())).first()


def active(session, user_id: int) -> Consent | None:
    """The person's consent to the current version, if given and not withdrawn."""
    return session.exec(
        select(Consent).where(Consent.user_id == user_id, Consent.purpose == PURPOSE,
                              Consent.version == CURRENT_VERSION, Consent.withdrawn_at.is_(None))
        .order_by(Consent.id.desc())
    ).first()


def has_consent(session, user_id: int) -> bool:
    return active(session, user_id) is not None


def status(session, user_id: int) -> tuple[Consent | None, bool]:
    """``latest`` and ``has_consent`` in one query (what the consent page shows)."""
    row = session.exec(select(Consent, given_clause(user_id)).where(
        Consent.user_id == user_id, Consent.purpose == PURPOSE).order_by(Consent.id.desc()).limit(1)).first()
    return (row[0], bool(row[1])) if row else (None, False)  # no record at all: none active either


def given_clause(user_id):
    """``has_consent`` as an SQL expression, for a page that reads it along with other rows."""
    return exists().where(Consent.user_id == user_id, Consent.purpose == PURPOSE,
                          Consent.version == CURRENT_VERSION, Consent.withdrawn_at.is_(None))


def grant(session, user: User, version: str, *, ip: str = "") -> Consent:
    """Record consent to ``version`` (the version the page showed). Granting twice
    keeps the first record: the date of consent is when it was first given."""
    access.require(user, access.ACCOUNT_SELF, session=session)
    if version != CURRENT_VERSION:
        raise ServiceError(WRONG_VERSION)
    existing = active(session, user.id)
    if existing is not None:
        return existing
    consent = Consent(user_id=user.id, purpose=PURPOSE, version=CURRENT_VERSION, granted_at=utcnow())
    session.add(consent)
    session.flush()
    audit.record(session, "consent.grant", actor_id=user.id, actor=user.email, object_type="consent",
                 object_id=f"{PURPOSE}@{CURRENT_VERSION}", ip=ip)
    return consent


def withdraw(session, user: User, *, ip: str = "") -> bool:
    """Withdraw every active consent of ``user`` for this purpose; False when there was none."""
    access.require(user, access.ACCOUNT_SELF, session=session)
    rows = session.exec(select(Consent).where(Consent.user_id == user.id, Consent.purpose == PURPOSE,
                                              Consent.withdrawn_at.is_(None))).all()
    if not rows:
        return False
    now = utcnow()
    for row in rows:
        row.withdrawn_at = now
        session.add(row)
    audit.record(session, "consent.withdraw", actor_id=user.id, actor=user.email, object_type="consent",
                 object_id=f"{PURPOSE}@{CURRENT_VERSION}", ip=ip)
    return True
