"""The root of every page's state: locale and the current user.

Feature states subclass BaseState so their computed vars can depend on the
locale and re-translate when it changes. Who is calling is decided here, on
the server, for every page load and every event: the session token comes from
the HttpOnly cookie of the websocket's handshake (never from a state var), and
the policy in portal.services.access decides.
"""

from __future__ import annotations

import contextvars
import functools
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from urllib.parse import quote

import reflex as rx

from portal import models, routes
from portal.services import access, audit, auth, db, i18n, navigation
from portal.services.errors import PERMISSION_DENIED, ServiceError
from portal.services.settings import client_ip

INCIDENT = i18n.N_("Something went wrong. Please try again. If it keeps happening, quote incident {incident}.")
_ACTOR: contextvars.ContextVar[models.User | None] = contextvars.ContextVar("actor", default=None)


def current_actor() -> models.User:
    """The user a ``@requires`` handler runs for (checked by the decorator)."""
    user = _ACTOR.get()
    if user is None:  # pragma: no cover - only reachable by calling a handler outside @requires
        raise RuntimeError("current_actor() outside a @requires handler")
    return user


def requires(permission: str, *, reauth: bool = False):
    """Guard a public event handler: the policy must allow ``permission`` for the
    caller, re-checked on the server for every call, whatever the browser sends.
    Refusals are audited and answered with a translated toast. ``reauth``: the
    action is sensitive and needs a password + code check within 5 minutes."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self: BaseState, *args, **kwargs):
            user, user_session = self._authorize(permission, fn.__qualname__)
            if user is not None and reauth and not access.reauth_is_recent(user_session):
                back = "/" + self.router.url.path.strip("/")
                return rx.redirect(f"{routes.REAUTH}?next={quote(back)}&e={i18n.message_key(auth.REAUTH_REQUIRED)}")
            if user is None:
                # Anonymous callers are sent to sign in by the page guard; say nothing more.
                if not self.signed_in:
                    return None
                self._flash(PERMISSION_DENIED, kind="error")
                return None
            token = _ACTOR.set(user)
            try:
                return fn(self, *args, **kwargs)
            except ServiceError as exc:
                self._flash(exc.msgid, kind="error", **exc.params)
                return None
            finally:
                _ACTOR.reset(token)

        wrapper.talent_permission = permission  # read by the role × handler matrix test
        wrapper.talent_reauth = reauth
        return wrapper

    return decorate


def public(fn):
    """Mark a handler that anyone may call (it touches nobody's data)."""
    fn.talent_permission = None
    return fn


class BaseState(rx.State):
    # The chosen language survives reloads in a cookie; validated on every use.
    locale: str = rx.Cookie(i18n.DEFAULT_LOCALE, name=routes.LOCALE_COOKIE, max_age=365 * 24 * 3600, same_site="strict")
    role: str = ""
    display_name: str = ""
    signed_in: bool = False

    # ---------------------------------------------------------------- who is calling

    def _session_token(self) -> str:
        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:  # noqa: BLE001 - a malformed cookie header is an anonymous visitor
            return ""
        morsel = jar.get(routes.SESSION_COOKIE)
        return morsel.value if morsel else ""

    def _ip(self) -> str:
        headers = self.router.headers.raw_headers
        return client_ip(self.router.session.client_ip, headers.get("x-forwarded-for") if headers else None)

    def _resolve(self, session) -> tuple[models.User, models.UserSession] | None:
        return auth.resolve_session(session, self._session_token())

    def _authorize(self, permission: str, handler: str):
        """(user, user_session) when the policy allows ``permission``, else (None, None)."""
        with db.session_scope() as s:
            found = self._resolve(s)
            user = found[0] if found else None
            if user is not None and access.can(user, permission, session=s):
                return found
            audit.record(s, "access_denied", actor_id=getattr(user, "id", None),
                         actor=getattr(user, "email", ""), object_type="handler",
                         object_id=handler[:60], ip=self._ip(), outcome="denied")
        return None, None

    def _set_identity(self, user: models.User | None) -> None:
        self.signed_in = user is not None
        self.role = user.role if user else ""
        self.display_name = (user.display_name or user.email) if user else ""

    @public
    @rx.event
    def guard(self):
        """on_load of every page: refresh who is signed in and apply the page rule."""
        path = "/" + self.router.url.path.strip("/") if self.router.url.path else "/"
        self.flash_msgid = ""
        with db.session_scope() as s:
            found = self._resolve(s)
            user = found[0] if found else None
            self._set_identity(user)
            if access.can_open(user, path):
                return None
            audit.record(s, "page_denied", actor_id=getattr(user, "id", None), actor=getattr(user, "email", ""),
                         object_type="page", object_id=path[:60], ip=self._ip(), outcome="denied")
        if user is None:
            return rx.redirect(f"{routes.LOGIN}?next={quote(path)}")
        return rx.redirect(routes.FORBIDDEN)


    # ---------------------------------------------------------------- messages
    # Shown in the page by the shell, not as toasts: Reflex's server-sent toasts
    # run through eval() in the browser, which our Content-Security-Policy forbids.
    flash_msgid: str = ""
    flash_params: dict[str, str] = {}
    flash_kind: str = "info"

    def _flash(self, msgid: str, *, kind: str = "success", **params: object) -> None:
        self.flash_msgid, self.flash_kind = msgid, kind
        self.flash_params = {k: str(v) for k, v in params.items()}

    @rx.var
    def flash_text(self) -> str:
        if not self.flash_msgid:
            return ""
        return i18n.gettext(self.lang, self.flash_msgid, **self.flash_params)

    @public
    @rx.event
    def clear_flash(self):
        self.flash_msgid = ""

    @public
    @rx.event
    def show_incident(self, incident: str):
        """What the backend exception handler shows: a generic message and an id."""
        self._flash(INCIDENT, kind="error", incident=str(incident)[:16])

    # ---------------------------------------------------------------- language and display

    @public
    @rx.event
    def set_locale(self, value: str):
        """Switch the language; anything but a supported locale is ignored."""
        if value in i18n.LOCALES:
            self.locale = value

    @public
    @rx.event
    def toggle_locale(self):
        self.locale = "en" if self.lang == "zh_CN" else "zh_CN"

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
