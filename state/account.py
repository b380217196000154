"""The signed-in user's own security settings: sessions, recovery codes, password."""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from portal import routes
from portal.services.accounts import access, auth, mfa
from portal.services.platform import db, i18n, navigation
from state.auth import AuthPageState
from state.base import current_actor, per_view, requires


def _device(user_agent: str) -> str:
    ua = user_agent or ""
    for name in ("Edg", "Chrome", "Firefox", "Safari"):
        if name in ua:
            browser = {"Edg": "Edge"}.get(name, name)
            break
    else:
        browser = "?"
    for name, label in (("Android", "Android"), ("iPhone", "iPhone"), ("Windows", "Windows"),
                        ("Mac OS", "macOS"), ("Linux", "Linux")):
        if name in ua:
            return f"{browser} · {label}"
    return browser


@per_view(routes.ACCOUNT_SECURITY)
class AccountState(AuthPageState):
    email: str = ""
    mfa_on: bool = False
    recovery_left: int = 0
    # Own sessions only (ids are the user's own); times as UTC datetimes.
    _sessions: list[dict] = []

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def load(self):
        # The URL's messages too: one on_load event instead of two (each costs a state round).
        self._read_url_messages()
        user = current_actor()
        with db.session_scope() as s:
            sessions, self.recovery_left = auth.security_overview(s, user, self._session_token())  # one query
        self.email = user.email
        self.mfa_on = mfa.is_enrolled(user)
        self._sessions = [
            {"id": i.id, "device": _device(i.user_agent), "ip": i.ip, "last_seen": i.last_seen_at,
             "current": i.current}
            for i in sessions
        ]

    @rx.var
    def role_label(self) -> str:
        return navigation.role_name(self.role, self.lang)

    @rx.var
    def sessions(self) -> list[dict[str, str]]:
        return [
            {"id": str(x["id"]), "device": x["device"], "ip": x["ip"],
             "last_seen": i18n.format_datetime(x["last_seen"], self.lang, "short")
             if isinstance(x["last_seen"], datetime) else "",
             "current": "1" if x["current"] else ""}
            for x in self._sessions
        ]

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def end_session(self, session_id: str):
        user = current_actor()
        with db.session_scope() as s:
            auth.end_session(s, user, int(session_id) if str(session_id).isdigit() else -1, ip=self._ip())
        return AccountState.load

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def end_other_sessions(self):
        user = current_actor()
        with db.session_scope() as s:
            auth.end_all_sessions(s, user, except_token=self._session_token(), ip=self._ip())
        return AccountState.load
