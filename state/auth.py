"""Sign-in pages: messages carried in the URL by key, and the safe 'next' path."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import unquote

import reflex as rx

from portal import routes
from portal.services.platform import i18n
from portal.services.accounts.auth import REAUTH_REQUIRED
from state.base import BaseState, public


class AuthPageState(BaseState):
    error_msgid: str = ""
    notice_msgid: str = ""
    next_path: str = ""
    sso_enabled: bool = False
    signup_enabled: bool = False
    # What the visitor typed before a refused sign-in (their own input, never the password).
    login_email: str = ""

    @public
    @rx.event
    def load_messages(self):
        self._read_url_messages()
        self.login_email = self._kept_login_email() if self.error_msgid else ""
        from portal.services.accounts import oidc

        self.sso_enabled = oidc.is_enabled()
        from portal.services.accounts import auth
        from portal.services.platform import db

        with db.session_scope() as s:
            self.signup_enabled = auth.self_signup_enabled(s)

    def _kept_login_email(self) -> str:
        """The address auth_routes.login keeps in a short-lived HttpOnly cookie after a refusal."""
        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:  # noqa: BLE001 - a malformed header keeps nothing
            return ""
        morsel = jar.get(routes.LOGIN_EMAIL_COOKIE)
        value = unquote(morsel.value) if morsel else ""
        return value if len(value) <= 254 and value.isprintable() else ""

    @rx.var
    def error_text(self) -> str:
        return i18n.gettext(self.lang, self.error_msgid) if self.error_msgid else ""

    @rx.var
    def notice_text(self) -> str:
        return i18n.gettext(self.lang, self.notice_msgid) if self.notice_msgid else ""

    @rx.var
    def next_or_home(self) -> str:
        return self.next_path or routes.HOME

    def _read_url_messages(self) -> None:
        params = self.router.url.query_parameters
        # Only keys of known catalogue messages are shown: the URL cannot inject text.
        self.error_msgid = i18n.msgid_for_key(params.get("e")) or ""
        self.notice_msgid = i18n.msgid_for_key(params.get("m")) or ""
        self.next_path = routes.safe_next(params.get("next", ""), "")

    @rx.var
    def reauth_needed(self) -> bool:
        return self.error_msgid == REAUTH_REQUIRED
