"""The root of every page's state: locale and (from the accounts issue on) the
current user. Feature states subclass it so their computed vars can depend on
the locale and re-translate when it changes."""

from __future__ import annotations

from datetime import datetime, timezone

import reflex as rx

from portal.services import i18n, navigation


class BaseState(rx.State):
    # The chosen language survives reloads in a cookie; validated on every use.
    locale: str = rx.Cookie(i18n.DEFAULT_LOCALE, name="tp_locale", max_age=365 * 24 * 3600, same_site="strict")
    role: str = ""

    @rx.event
    def set_locale(self, value: str):
        """Switch the language; anything but a supported locale is ignored."""
        if value in i18n.LOCALES:
            self.locale = value

    @rx.var
    def lang(self) -> str:
        return i18n.normalize_locale(self.locale)

    @rx.var
    def other_language_name(self) -> str:
        return i18n.LANGUAGE_NAMES["en" if self.lang == "zh_CN" else "zh_CN"]

    @rx.var
    def nav_items(self) -> list[dict[str, str]]:
        return navigation.nav_items(self.role, self.lang)

    @rx.var
    def today(self) -> str:
        return i18n.format_date(datetime.now(timezone.utc).date(), self.lang, "full")

    @rx.event
    def toggle_locale(self):
        self.locale = "en" if self.lang == "zh_CN" else "zh_CN"
