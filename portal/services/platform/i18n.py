"""Translations and locale-aware formatting.

Messages are written in code as English msgids (``t("Sign in")`` in pages,
``N_("…")`` where a service or state names a message for later display). The
babel catalogues in ``locales/<locale>/LC_MESSAGES/messages.po`` are compiled
once per process into plain per-locale dictionaries; pages get them as
compile-time constants, states translate with ``gettext(locale, msgid)``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent as _format_percent

from portal.services.platform.settings import ROOT

LOCALES_DIR = ROOT / "locales"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
# The name of each language in itself, for the language switch.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
# Keywords that mark a translatable msgid in our sources (see tests/unit/test_catalogues.py).
KEYWORDS = {"t": None, "N_": None}


def N_(msgid: str) -> str:  # noqa: N802 - gettext convention
    """Mark a msgid for extraction; translated later, where the locale is known."""
    return msgid


def normalize_locale(value: str | None) -> str:
    """Map whatever the browser or a cookie says onto a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    value = value.replace("-", "_")
    if value in LOCALES:
        return value
    if value.lower().startswith("zh"):
        return "zh_CN"
    if value.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def _read_catalog(locale: str, path: Path | None = None) -> dict[str, str]:
    path = path or LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    """Every locale's msgid → translation dictionary."""
    return {locale: _read_catalog(locale) for locale in LOCALES}


def gettext(locale: str | None, msgid: str, **params: object) -> str:
    """Translate ``msgid``; a missing translation falls back to the msgid itself.
    ``params`` fill ``{name}`` placeholders after translation."""
    text = catalogs().get(normalize_locale(locale), {}).get(msgid) or msgid
    return text.format(**params) if params else text


@lru_cache(maxsize=16)
def _babel_locale(locale: str | None) -> Locale:  # parsing costs more than the formatting
    return Locale.parse(normalize_locale(locale))


@lru_cache(maxsize=512)  # pure; pages format the same few days over and over
def format_date(value: date | datetime | None, locale: str | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return _format_date(value, format=fmt, locale=_babel_locale(locale))


def format_datetime(value: datetime | None, locale: str | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return _format_datetime(value, format=fmt, locale=_babel_locale(locale))


@lru_cache(maxsize=512)
def format_number(value: float | int, locale: str | None, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(locale))


def format_percent(value: float, locale: str | None) -> str:
    """``value`` is a fraction: 0.82 → 82%."""
    return _format_percent(value, locale=_babel_locale(locale))


def pick(locale: str | None, zh: str, en: str) -> str:
    """Choose between a row's ``*_zh`` and ``*_en`` column; falls back to the other."""
    if normalize_locale(locale) == "en":
        return en or zh
    return zh or en


SOURCE_DIRS = ("portal", "components", "state")


def extract_msgids() -> set[str]:
    """Every msgid our sources mark with ``t(...)`` or ``N_(...)``."""
    from babel.messages.extract import extract_from_dir

    found: set[str] = set()
    for name in SOURCE_DIRS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / name, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.add(message)
    return found


def message_key(msgid: str) -> str:
    """A short, stable key for a msgid, safe to carry in a URL; see ``msgid_for_key``."""
    import hashlib

    return hashlib.sha256(msgid.encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def _keys() -> dict[str, str]:
    return {message_key(m): m for locale in catalogs().values() for m in locale}


def msgid_for_key(key: str | None) -> str | None:
    """The msgid behind ``key``, or None: a URL can only ever name a known message."""
    return _keys().get(key or "")
