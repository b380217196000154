"""The root of every page's state: locale and the current user.

Feature states subclass BaseState so their computed vars can depend on the
locale and re-translate when it changes. Who is calling is decided here, on
the server, for every page load and every event: the session token comes from
the HttpOnly cookie of the websocket's handshake (never from a state var), and
the policy in portal.services.accounts.access decides.

Reflex keys state by the tab's client token, not by the person. So a tab's
state is bound to the session that filled it: ``SessionBinding`` runs before
every event (hydrate included) and empties every state when the handshake's
session is not the one recorded, before anything is sent; ``guard`` empties it
when the signed-in user changes, and clears each page's lists of other
people's data when another page loads (``per_view``).

A page's on_load is the guard alone (``page_on_load``): once the page may be
opened, the guard runs the page's own loaders in the same event. Each event
costs Reflex a round of state locking, delta building and sending, so a page
load costs one event of ours instead of one per loader; and a refused page runs
none of its loaders.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from urllib.parse import quote

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import _override_base_method
from reflex_base.event import EventHandler, EventSpec
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_route

from portal import models, routes
from portal.services.accounts import access, auth
from portal.services.platform import audit, db, i18n, navigation
from portal.services.platform.errors import PERMISSION_DENIED, ServiceError
from portal.services.platform.settings import client_ip

INCIDENT = i18n.N_("Something went wrong. Please try again. If it keeps happening, quote incident {incident}.")
_ACTOR: contextvars.ContextVar[models.User | None] = contextvars.ContextVar("actor", default=None)
# ...and the session it called with (re-authentication is asked of it for sensitive data).
_ACTOR_SESSION: contextvars.ContextVar[models.UserSession | None] = contextvars.ContextVar(
    "actor_session", default=None)
# Set by the guard while it runs a page's loaders: the caller it has just looked up, so
# each loader's @requires decides on that answer instead of asking the database again.
_RESOLVED: contextvars.ContextVar[tuple[models.User, models.UserSession] | None] = contextvars.ContextVar(
    "resolved", default=None)
# Salted so the state never holds the key the database looks sessions up by.
_BINDING_SALT = b"talent-portal state binding\0"
_HYDRATE = ".hydrate_and_load"  # the first event of every connection
# State class -> the only route whose page may keep its vars filled.
_VIEW_ROUTES: dict[type, str] = {}
# State class -> the routes whose pages show it (per_view: its own; shown_on: several).
_SHOWN_ON: dict[type, frozenset[str]] = {}
# Reflex's route key -> (the page's route, its loaders as (handler, keyword arguments)).
_PAGE_LOADERS: dict[str, tuple[str, tuple[tuple[EventHandler, dict], ...]]] = {}


def session_binding(token: str) -> str:
    """What a tab's state remembers of the session that filled it: a hash, never the token."""
    return hashlib.sha256(_BINDING_SALT + token.encode()).hexdigest() if token else ""


def _cookie_value(cookie_header: str, name: str) -> str:
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # noqa: BLE001 - a malformed cookie header is an anonymous visitor
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


@functools.lru_cache(maxsize=512)  # a connection's header never changes; parsed once
def _token_in(cookie_header: str) -> str:
    return _cookie_value(cookie_header, routes.SESSION_COOKIE)


@functools.lru_cache(maxsize=512)
def _binding_of(cookie_header: str) -> str:
    # Every event asks; a connection's header never changes, so parse it once.
    return session_binding(_token_in(cookie_header))


@functools.lru_cache(maxsize=512)
def _locale_in(cookie_header: str) -> str:
    """The language cookie's locale, or "" when it is missing or not one we speak."""
    value = _cookie_value(cookie_header, routes.LOCALE_COOKIE)
    return value if value in i18n.LOCALES else ""


def _shown_path(url_path: str) -> str:
    return "/" + url_path.strip("/") if url_path else "/"


def _page_of(url_path: str) -> tuple[str, tuple[tuple[EventHandler, dict], ...]]:
    """The registered page Reflex shows for a URL path (a dynamic route such as
    /candidate/interview/[interview_id] for /candidate/interview/7) and its loaders."""
    return _PAGE_LOADERS.get(RegistrationContext.get().app.router(url_path or "/"), (_shown_path(url_path), ()))


@functools.cache
def _sent_computed_vars(cls) -> frozenset[str]:
    return frozenset(cls.computed_vars.keys() & cls._frontend_var_names)


def per_view(route: str):
    """Mark a state whose vars hold one page's data (often other people's): it is
    emptied whenever another page of the tab loads, so it never outlives its view."""

    def mark(cls):
        _VIEW_ROUTES[cls] = route
        _SHOWN_ON[cls] = frozenset((route,))
        return cls

    return mark


def shown_on(*pages: str):
    """Mark a state that only these pages show and that keeps its data across pages (the
    open positions): while another page is shown, the language switch sends none of it;
    it comes in the new language when one of its pages is shown again."""

    def mark(cls):
        _SHOWN_ON[cls] = frozenset(pages)
        return cls

    return mark


# A change of these vars alone (the language, and the note of stale pages that it makes)
# leaves hidden pages' texts stale instead of recomputing them (BaseState._mark_dirty_computed_vars).
_LANGUAGE_ONLY = frozenset({"locale", "_stale_views"})


@functools.cache
def _shown_dependencies(page: str) -> tuple[dict[str, frozenset], frozenset[str]]:
    """BaseState's var dependencies without those in states ``page`` does not show, and
    the full names of the states left out. Only BaseState's vars are read across states."""
    hidden = {cls.get_full_name() for cls, pages in _SHOWN_ON.items() if page not in pages}
    deps = BaseState._var_dependencies
    return ({var: frozenset(d for d in dependents if d[0] not in hidden) for var, dependents in deps.items()},
            frozenset(d[0] for dependents in deps.values() for d in dependents if d[0] in hidden))


def page_on_load(route: str, loaders: list) -> list:
    """What a page registers as its on_load: the guard alone. The page's loaders
    (its own on_load handlers, each keeping its ``@requires``) run inside the
    guard's event once the page may be opened, in order."""
    inline = []
    for loader in loaders:
        handler, kwargs = loader, {}
        if isinstance(loader, EventSpec):
            handler = loader.handler
            try:  # constant arguments only: nothing the browser could choose
                kwargs = {name._js_expr: value._var_value for name, value in loader.args}
            except AttributeError:
                handler = None
        # A background handler runs outside the state lock: it cannot run inside the guard's event.
        if not isinstance(handler, EventHandler) or handler.state is None or handler.is_background:
            raise TypeError(f"on_load of {route}: {loader!r} is not a state's (foreground) event handler "
                            "with constant arguments")
        inline.append((handler, kwargs))
    _PAGE_LOADERS[format_route(route)] = (route, tuple(inline))
    return [BaseState.guard]


async def _outcome(result) -> list:
    """Every event a handler returned or yielded, in order, without None."""
    if inspect.isawaitable(result):
        result = await result
    if inspect.isasyncgen(result):
        produced = [item async for item in result]
    elif inspect.isgenerator(result):
        produced = []
        try:
            while True:
                produced.append(next(result))
        except StopIteration as stop:
            produced.append(stop.value)
    else:
        produced = [result]
    events = (event for item in produced for event in (item if isinstance(item, (list, tuple)) else [item]))
    return [event for event in events if event is not None]


def _state_tree(cls) -> list[type]:
    return [cls, *(c for sub in cls.get_substates() for c in _state_tree(sub))]


# State class -> its own vars as (name, a default to compare with, the field).
_OWN_FIELDS: dict[type, tuple[tuple[str, object, object], ...]] = {}


def _own_fields(cls) -> tuple[tuple[str, object, object], ...]:
    found = _OWN_FIELDS.get(cls)
    if found is None:
        found = _OWN_FIELDS[cls] = tuple(
            (name, field.default_value(), field) for name, field in cls.__fields__.items()
            if field._owner is cls and not name.startswith(("rx_router", "router")))
    return found


def _clear(state) -> None:
    """Set the state's own vars back to their defaults, touching only those that
    differ (an assignment is sent to the browser even when nothing changed).
    Every navigation asks for every page's state: the values are read raw (a var never
    set has no entry; reading through the state would wrap lists in change-tracking
    proxies), and the comparison default is made once per class (a fresh one is assigned)."""
    values = state.__dict__
    for name, default, field in _own_fields(type(state)):
        if name in values and values[name] != default:
            setattr(state, name, field.default_value())


def current_actor() -> models.User:
    """The user a ``@requires`` handler runs for (checked by the decorator)."""
    user = _ACTOR.get()
    if user is None:  # pragma: no cover - only reachable by calling a handler outside @requires
        raise RuntimeError("current_actor() outside a @requires handler")
    return user


def current_session() -> models.UserSession | None:
    """The signed-in session a ``@requires`` handler runs for (its re-authentication time)."""
    return _ACTOR_SESSION.get()


def requires(permission: str, *, reauth: bool = False):
    """Guard a public event handler: the policy must allow ``permission`` for the
    caller, re-checked on the server for every call, whatever the browser sends.
    Refusals are audited and answered with a translated toast. ``reauth``: the
    action is sensitive and needs a password + code check within 5 minutes."""

    def decorate(fn):
        if inspect.iscoroutinefunction(fn):
            return _requires_async(permission, fn)

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
            token, session_token = _ACTOR.set(user), _ACTOR_SESSION.set(user_session)
            try:
                return fn(self, *args, **kwargs)
            except ServiceError as exc:
                self._flash(exc.msgid, kind="error", **exc.params)
                return None
            finally:
                _ACTOR.reset(token)
                _ACTOR_SESSION.reset(session_token)

        wrapper.talent_permission = permission  # read by the role × handler matrix test
        wrapper.talent_reauth = reauth
        return wrapper

    return decorate


def _requires_async(permission: str, fn):
    """``requires`` for an async handler, background tasks included (those may change the
    state only inside ``async with self``: the handler shows its own messages there)."""

    @functools.wraps(fn)
    async def wrapper(self: BaseState, *args, **kwargs):
        user, _user_session = self._authorize(permission, fn.__qualname__)
        if user is None:
            return None
        token = _ACTOR.set(user)
        try:
            return await fn(self, *args, **kwargs)
        finally:
            _ACTOR.reset(token)

    wrapper.talent_permission = permission
    wrapper.talent_reauth = False
    return wrapper


def public(fn):
    """Mark a handler that anyone may call (it touches nobody's data)."""
    fn.talent_permission = None
    return fn


class BaseState(rx.State):
    # The chosen language. It survives reloads in the tp_locale cookie, which
    # assets/locale.js writes on the switch and SessionBinding reads from the handshake
    # at every (re)connection; validated on every use. Not an rx.Cookie: Reflex would send
    # the cookie back in an extra event on every navigation.
    locale: str = i18n.DEFAULT_LOCALE
    role: str = ""
    display_name: str = ""
    signed_in: bool = False
    # Backend only: the session that filled this tab's state (a hash) and its user.
    _session_binding: str = ""
    _user_id: int = 0
    # Full names of hidden states whose texts were left stale or withheld (a language switch,
    # get_delta): recomputed and sent when their page is shown (_clear_other_views).
    _stale_views: set[str] = set()

    def __setattr__(self, name: str, value) -> None:
        # The browser sends the language cookie with every navigation, and an equal
        # assignment still marks it changed: every translated var of every state of
        # the tab would be recomputed.
        if name == "locale" and value == getattr(self, "locale", None):
            return
        super().__setattr__(name, value)

    # ---------------------------------------------------------------- who is calling

    def _session_token(self) -> str:
        # The router's own field: building the whole self.router view costs more than the parse.
        return _token_in(self.rx_router_headers.cookie or "")

    def _path_id(self) -> int:
        """The id at the end of a page's path (/candidate/interview/7 → 7); 0 for anything else."""
        last = self.rx_router_url.path.rstrip("/").rsplit("/", 1)[-1]
        return int(last) if last.isdigit() and len(last) < 12 else 0

    def _ip(self) -> str:
        headers = self.router.headers.raw_headers
        return client_ip(self.router.session.client_ip, headers.get("x-forwarded-for") if headers else None)

    def _resolve(self) -> tuple[models.User, models.UserSession] | None:
        return auth.resolve_caller(db.get_engine(), self._session_token())

    def _authorize(self, permission: str, handler: str):
        """(user, user_session) when the policy allows ``permission``, else (None, None)."""
        found = _RESOLVED.get()
        if found is not None and access.can(found[0], permission):
            return found
        found = self._resolve()
        user = found[0] if found else None
        if user is not None and access.can(user, permission):
            return found
        with db.session_scope() as s:
            audit.record(s, "access_denied", actor_id=getattr(user, "id", None),
                         actor=getattr(user, "email", ""), object_type="handler",
                         object_id=handler[:60], ip=self._ip(), outcome="denied")
        return None, None

    def _forget_everything(self) -> None:
        """Empty this state and every substate; only the language and the
        session binding stay (neither says anything about anybody). Only vars that
        differ from their defaults are set (what reset() does to every var): a fresh
        connection's states, emptied already, are not all sent again."""
        locale, binding = self.locale, self._session_binding
        for state in [self, *self._all_substates()]:
            _clear(state)
        self.locale, self._session_binding = locale, binding

    def _all_substates(self) -> list:
        found, pending = [], list(self.substates.values())
        while pending:
            state = pending.pop()
            found.append(state)
            pending.extend(state.substates.values())
        return found

    def _clear_other_views(self, page: str) -> None:
        stale = self.get_value("_stale_views")  # raw: a proxy would propagate its change
        for state in self._all_substates():
            cls = type(state)
            route = _VIEW_ROUTES.get(cls)
            if route is not None and route != page:
                _clear(state)
            elif stale and page in _SHOWN_ON.get(cls, ()) and (name := cls.get_full_name()) in stale:
                # The page being shown, whose texts were left stale or out of the deltas while
                # it was hidden: recomputed now, in the current language, and sent.
                stale.discard(name)
                self.dirty_vars.add("_stale_views")
                for var in cls.computed_vars.values():
                    var.mark_dirty(instance=state)
                state.dirty_vars.update(_sent_computed_vars(cls))
                state._mark_ancestors_dirty()

    def _note_stale(self, *names: str) -> None:
        self.get_value("_stale_views").update(names)
        self.dirty_vars.add("_stale_views")  # stored with the state (the Redis manager saves touched states)

    @_override_base_method  # called for every var change, and by delta building on each state
    def _mark_dirty_computed_vars(self, var_names=None, *, invalidate: bool = True) -> None:
        """A change of the language alone invalidates and sends the texts of the states the
        page shows; those of hidden pages (most of the 200 dependents of ``lang``) are only
        noted as stale, and recomputed when shown. Any other change (the role, the name, a
        sign-out) marks every dependent as usual: a hidden page's cache must never keep
        something of the previous user's for a later full send."""
        if type(self) is not BaseState:
            return super()._mark_dirty_computed_vars(var_names, invalidate=invalidate)
        changed = tuple(self.dirty_vars if var_names is None else var_names)
        computed = self.computed_vars
        if not changed or not {n for n in changed if n not in computed} <= _LANGUAGE_ONLY:
            return super()._mark_dirty_computed_vars(changed, invalidate=invalidate)
        deps, left_out = _shown_dependencies(_page_of(self.rx_router_url.path)[0])
        if left_out and not left_out <= self.get_value("_stale_views"):
            self._note_stale(*left_out)
        # Reflex's own walk, over the dependencies the page shows: only BaseState's vars are
        # read across states, so its dependents are the only ones to leave out.
        self.__dict__["_var_dependencies"] = deps
        try:
            return super()._mark_dirty_computed_vars(changed, invalidate=invalidate)
        finally:
            del self.__dict__["_var_dependencies"]

    @_override_base_method  # the documented hook: delta building calls it on each state
    def get_delta(self):
        """Reflex asks every dirty state for its part of a delta. A page's state that is not
        shown (``per_view``), in which only computed vars changed, is left out: the language
        switch would otherwise recompute and send every page's texts (most of its cost).
        Their caches are invalidated all the same, and the guard sends them when the page is
        shown again. Any change of a var itself (a page's data emptied, a reset) is sent."""
        shown = _SHOWN_ON.get(type(self))
        if shown is not None and self.dirty_vars <= type(self).computed_vars.keys() \
                and _page_of(self.rx_router_url.path)[0] not in shown:
            base = self.parent_state
            while type(base) is not BaseState:
                base = base.parent_state
            base._note_stale(type(self).get_full_name())
            delta = {}
            substates = self.substates
            for name in self.dirty_substates.union(self._always_dirty_substates):
                delta.update(substates[name].get_delta())
            return delta
        return super().get_delta()

    def _set_identity(self, user: models.User | None) -> None:
        identity = (user is not None, user.role if user else "",
                    (user.display_name or user.email) if user else "")
        # Every page load asks: assign only on change, or Reflex recomputes every var
        # that depends on them (menus, role labels) and resends them all.
        if identity != (self.signed_in, self.role, self.display_name):
            self.signed_in, self.role, self.display_name = identity

    @public
    @rx.event
    async def guard(self):
        """on_load of every page: refresh who is signed in, apply the page rule, then
        run the page's loaders (``page_on_load``) in this same event."""
        url_path = self.rx_router_url.path  # self.router.url.path, without building self.router
        path = _shown_path(url_path)
        # The page Reflex shows for this path, whose loaders run if both rules allow.
        page, loaders = _page_of(url_path)
        self._clear_flash()  # its parameters may name other people
        found = self._resolve()
        user = found[0] if found else None
        user_id = user.id if user else 0
        if user_id != self._user_id:  # signed in, out, or as someone else: nothing carries over
            self._forget_everything()
            self._user_id = user_id
        else:
            self._clear_other_views(page)
        self._set_identity(user)
        allowed = access.can_open(user, path) and access.can_open(user, page)
        if not allowed:
            with db.session_scope() as s:
                audit.record(s, "page_denied", actor_id=getattr(user, "id", None), actor=getattr(user, "email", ""),
                             object_type="page", object_id=path[:60], ip=self._ip(), outcome="denied")
        if allowed:
            events, resolved = [], _RESOLVED.set(found)
            try:
                for handler, kwargs in loaders:
                    events += await _outcome(handler.fn(await self.get_state(handler.state), **kwargs))
            finally:
                _RESOLVED.reset(resolved)
            return events or None
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
        self._clear_flash()

    def _clear_flash(self) -> None:
        if self.flash_msgid or self.flash_params:
            self.flash_msgid, self.flash_params = "", {}

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

    # Cached per language, but a tab open across midnight must not keep yesterday:
    # recomputed when older than a minute (the formatting is memoised per day).
    @rx.var(interval=timedelta(minutes=1))
    def today(self) -> str:
        return i18n.format_date(datetime.now(timezone.utc).date(), self.lang, "full")


class SessionBinding(Middleware):
    """Runs before every event of every tab, the hydrate that sends the whole
    state included: a state filled under another session, or under one when
    the handshake has none, is emptied before anything is computed or sent.
    The handshake's cookie is fixed for a connection, and every (re)connection
    starts with a hydrate, so a borrowed client token gets a fresh state."""

    async def preprocess(self, app, state, event):
        # The raw router data: building Reflex's router object costs more than all the rest.
        cookie = state.router_data.get("headers", {}).get("cookie") or ""
        binding = _binding_of(cookie)
        base = await state.get_state(BaseState)
        if binding != base._session_binding:
            # The Redis manager loads substates lazily: load them all to empty them all.
            for cls in _state_tree(BaseState)[1:]:
                await state.get_state(cls)
            base._forget_everything()
            base._session_binding = binding
        # Every (re)connection starts with a hydrate, whose handshake carries the cookie
        # the language switch last wrote (assets/locale.js).
        if event.name.endswith(_HYDRATE) and (locale := _locale_in(cookie)):
            base.locale = locale
        return None
