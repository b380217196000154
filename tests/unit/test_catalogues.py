"""Every msgid used in the code exists in both catalogues with a translation."""

from __future__ import annotations

import re

from portal.services.platform import i18n


def test_every_msgid_is_translated_in_every_locale():
    msgids = i18n.extract_msgids()
    assert len(msgids) > 20  # extraction really found our strings
    for locale in i18n.LOCALES:
        catalog = i18n.catalogs()[locale]
        missing = sorted(m for m in msgids if not catalog.get(m, "").strip())
        assert not missing, f"{locale} lacks translations for: {missing}"


def test_chinese_catalogue_is_really_chinese():
    zh = i18n.catalogs()["zh_CN"]
    untranslated = [m for m, s in zh.items() if s == m and re.search("[a-z]{4,}", m)]
    assert not untranslated, untranslated


def test_placeholders_match_between_msgid_and_translation():
    for locale in i18n.LOCALES:
        for msgid, text in i18n.catalogs()[locale].items():
            assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), (locale, msgid)
