from __future__ import annotations

from datetime import date

from portal.services.platform import i18n


def test_normalize_locale():
    assert i18n.normalize_locale(None) == "zh_CN"
    assert i18n.normalize_locale("zh-TW") == "zh_CN"
    assert i18n.normalize_locale("en-US") == "en"
    assert i18n.normalize_locale("fr") == "zh_CN"


def test_gettext_translates_and_falls_back():
    assert i18n.gettext("zh_CN", "Home") == "首页"
    assert i18n.gettext("en", "Home") == "Home"
    assert i18n.gettext("zh_CN", "a message nobody wrote") == "a message nobody wrote"


def test_dates_and_numbers_follow_the_locale():
    d = date(2026, 3, 5)
    assert i18n.format_date(d, "zh_CN") == "2026年3月5日"
    assert i18n.format_date(d, "en") == "March 5, 2026"
    assert i18n.format_number(12345.678, "en", 1) == "12,345.7"
    assert i18n.format_percent(0.82, "zh_CN") == "82%"


def test_pick_prefers_the_locale_and_falls_back():
    assert i18n.pick("en", "经理", "Manager") == "Manager"
    assert i18n.pick("zh_CN", "经理", "Manager") == "经理"
    assert i18n.pick("en", "经理", "") == "经理"
