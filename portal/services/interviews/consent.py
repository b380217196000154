"""The candidate's separate consent to the processing of their recordings and
answers (PIPL art. 29: sensitive personal information needs separate consent).

Consent is versioned: the built-in texts are in portal/content/consent.json, the
admin publishes new ones on /admin/retention (``publish``), and the newest version
is the one people agree to; a new text needs a new consent. Withdrawal is as easy
as granting, is audited, and stops scoring of the person's answers from then on
(the scoring dispatcher asks ``has_consent`` before it sends an answer). Nothing
here imports reflex.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import exists
from sqlmodel import select

from portal.models import Consent, ConsentText, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.errors import FieldErrors, ServiceError
from portal.services.platform.i18n import LOCALES, N_, normalize_locale
from portal.services.platform.settings import ROOT

PURPOSE = "recording_analysis"

WRONG_VERSION = N_("This consent text has been replaced; read the current one and agree again.")
VERSION_FORMAT = N_("A version is 1 to 20 letters, digits, dots or dashes, e.g. 2027-01.")
VERSION_TAKEN = N_("Version {version} exists already; versions are never overwritten.")
REQUIRED = N_("Required.")
TOO_LONG = N_("At most {max} characters.")
SECTIONS_FORMAT = N_("Each section starts with a line '## heading' followed by its text.")
SECTIONS_MATCH = N_("Both languages need the same number of sections ({zh} in Chinese, {en} in English).")

MAX = {"title": 120, "intro": 1000, "agree_label": 200, "sections": 20000}
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")

# The built-in consent texts are product text, one entry per version, in every locale.
TEXTS_FILE = ROOT / "portal" / "content" / "consent.json"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@lru_cache(maxsize=1)
def _builtin() -> tuple[tuple[str, str], ...]:
    return tuple((v, json.dumps(t, ensure_ascii=False))
                 for v, t in json.loads(TEXTS_FILE.read_text(encoding="utf-8")).items())


def _load_versions(session) -> tuple[tuple[str, str], ...]:
    rows = session.exec(select(ConsentText.version, ConsentText.texts).order_by(ConsentText.id)).all()
    return _builtin() + tuple((v, json.dumps(t, ensure_ascii=False)) for v, t in rows)


# (version, texts as JSON) oldest first; JSON strings keep the shared copy immutable
_VERSIONS = ContentCache("consent_texts", (ConsentText,), _load_versions)


@lru_cache(maxsize=64)
def _parsed(raw: str) -> dict:
    return json.loads(raw)


def current_version(session) -> str:
    """The version people agree to now: the newest published (read from a cache)."""
    return _VERSIONS.get(session)[-1][0]


def texts(session, version: str | None = None) -> dict[str, dict]:
    """Every locale's text of ``version`` (default: the current one): locale -> title,
    intro, sections [{heading, body}] and the agree label. KeyError for an unknown version.
    Shared: do not change what it returns."""
    versions = _VERSIONS.get(session)
    version = version or versions[-1][0]
    for v, raw in versions:
        if v == version:
            return _parsed(raw)
    raise KeyError(version)


def text(session, locale: str | None, version: str | None = None) -> dict:
    return texts(session, version)[normalize_locale(locale)]


def history(session) -> list[dict]:
    """Every version, newest first: version, published_at (None for built-in ones), by whom."""
    rows = {r.version: r for r in session.exec(select(ConsentText)).all()}
    out = []
    for version, _raw in reversed(_VERSIONS.get(session)):
        row = rows.get(version)
        out.append({"version": version, "published_at": row.published_at if row else None,
                    "published_by_id": row.published_by_id if row else None})
    return out


def sections_markup(sections: list[dict]) -> str:
    """Sections as the form edits them: '## heading' lines, each followed by its text."""
    return "\n\n".join(f"## {s['heading']}\n{s['body']}" for s in sections)


def _parse_sections(markup: str) -> list[dict] | None:
    sections: list[dict] = []
    for line in markup.replace("\r\n", "\n").split("\n"):
        if line.startswith("##"):
            sections.append({"heading": line.lstrip("#").strip(), "body": []})
        elif line.strip():
            if not sections:
                return None  # text before the first heading
            sections[-1]["body"].append(line.strip())
    out = [{"heading": s["heading"], "body": "\n".join(s["body"])} for s in sections]
    return out if out and all(s["heading"] and s["body"] for s in out) else None


def publish(session, user: User, version: str, form: dict[str, dict[str, str]], *, ip: str = "") -> ConsentText:
    """Publish a new consent text (``form``: locale -> title, intro, sections markup,
    agree_label). From then on everyone must agree again before their answers are scored.
    Raises FieldErrors (field "<locale>.<name>" or "version" -> (msgid, params)); nothing
    is written then."""
    access.require(user, access.RETENTION_MANAGE, session=session)
    version = (version or "").strip()
    errors: dict[str, tuple[str, dict]] = {}
    if not _VERSION.match(version):
        errors["version"] = (VERSION_FORMAT, {})
    elif any(v == version for v, _raw in _load_versions(session)):
        errors["version"] = (VERSION_TAKEN, {"version": version})
    result: dict[str, dict] = {}
    for locale in LOCALES:
        fields = form.get(locale) or {}
        entry: dict = {}
        for name in ("title", "intro", "sections", "agree_label"):
            value = str(fields.get(name) or "").strip()
            key = f"{locale}.{name}"
            if not value:
                errors[key] = (REQUIRED, {})
            elif len(value) > MAX[name]:
                errors[key] = (TOO_LONG, {"max": MAX[name]})
            elif name == "sections":
                parsed = _parse_sections(value)
                if parsed is None:
                    errors[key] = (SECTIONS_FORMAT, {})
                entry[name] = parsed
            else:
                entry[name] = value
        result[locale] = entry
    counts = {loc: len(result[loc].get("sections") or []) for loc in LOCALES}
    if not any(k.endswith(".sections") for k in errors) and len(set(counts.values())) > 1:
        errors["en.sections"] = (SECTIONS_MATCH, {"zh": counts["zh_CN"], "en": counts["en"]})
    if errors:
        raise FieldErrors(errors)
    row = ConsentText(version=version, texts=result, published_by_id=user.id, published_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "consent.publish", actor_id=user.id, actor=user.email, object_type="consent_text",
                 object_id=f"{PURPOSE}@{version}", ip=ip)
    return row


def latest(session, user_id: int) -> Consent | None:
    """The person's most recent consent record of this purpose, any version, withdrawn or not."""
    return session.exec(select(Consent).where(Consent.user_id == user_id, Consent.purpose == PURPOSE)
                        .order_by(Consent.id.desc())).first()


def active(session, user_id: int) -> Consent | None:
    """The person's consent to the current version, if given and not withdrawn."""
    return session.exec(
        select(Consent).where(Consent.user_id == user_id, Consent.purpose == PURPOSE,
                              Consent.version == current_version(session), Consent.withdrawn_at.is_(None))
        .order_by(Consent.id.desc())
    ).first()


def has_consent(session, user_id: int) -> bool:
    return active(session, user_id) is not None


def status(session, user_id: int) -> tuple[Consent | None, bool]:
    """``latest`` and ``has_consent`` in one query (what the consent page shows)."""
    row = session.exec(select(Consent, given_clause(user_id, current_version(session))).where(
        Consent.user_id == user_id, Consent.purpose == PURPOSE).order_by(Consent.id.desc()).limit(1)).first()
    return (row[0], bool(row[1])) if row else (None, False)  # no record at all: none active either


def given_clause(user_id, version):
    """``has_consent`` as an SQL expression, for a page that reads it along with other rows."""
    return exists().where(Consent.user_id == user_id, Consent.purpose == PURPOSE,
                          Consent.version == version, Consent.withdrawn_at.is_(None))


def grant(session, user: User, version: str, *, ip: str = "") -> Consent:
    """Record consent to ``version`` (the version the page showed). Granting twice
    keeps the first record: the date of consent is when it was first given."""
    access.require(user, access.ACCOUNT_SELF, session=session)
    current = current_version(session)
    if version != current:
        raise ServiceError(WRONG_VERSION)
    existing = active(session, user.id)
    if existing is not None:
        return existing
    consent = Consent(user_id=user.id, purpose=PURPOSE, version=current, granted_at=utcnow())
    session.add(consent)
    session.flush()
    audit.record(session, "consent.grant", actor_id=user.id, actor=user.email, object_type="consent",
                 object_id=f"{PURPOSE}@{current}", ip=ip)
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
                 object_id=f"{PURPOSE}@{current_version(session)}", ip=ip)
    return True
