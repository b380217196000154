"""Administration and HR account work: audit log, users, outbox, invitations.

Every handler is guarded by ``@requires``; the services check again (and the
object-level rules), so a crafted websocket event gains nothing.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import access, auth, mfa
from portal.services.platform import audit, db, i18n, navigation, notifications
from portal.services.platform.i18n import N_
from state.auth import AuthPageState
from state.base import BaseState, current_actor, per_view, requires

INVITATION_SENT = N_("Invitation sent to {email}.")
CHAIN_OK = N_("The audit chain is intact.")
CHAIN_BROKEN = N_("The audit chain is broken at event {id}.")
DONE = N_("Done.")
PAGE_TEXT = N_("Page {page}")
ALL_ACTIONS = N_("All actions")


def _when(value, locale: str) -> str:
    return i18n.format_datetime(value, locale, "short") if value else ""


PAGE_SIZE = 50
OUTCOMES = ("success", "failure", "denied", "locked", "rate_limited", "unknown", "exists")


@per_view(routes.ADMIN_AUDIT)
class AuditLogState(AuthPageState):
    filter_actor: str = ""
    filter_action: str = ""
    filter_outcome: str = ""
    page: int = 0  # 0 = the newest PAGE_SIZE events
    has_next: bool = False
    _events: list[dict] = []
    _user_names: dict[int, str] = {}
    chain_ok: bool = True
    chain_bad_id: int = 0

    @requires(access.AUDIT_VIEW)
    @rx.event
    def load(self):
        with db.session_scope() as s:
            audit.flush_repeats(s)  # counted refusals become summary events before reading
            events = audit.search(s, actor=self.filter_actor.strip() or None,
                                  action=self.filter_action.strip() or None,
                                  outcome=self.filter_outcome or None, limit=PAGE_SIZE + 1,
                                  offset=self.page * PAGE_SIZE)
            self.has_next = len(events) > PAGE_SIZE
            events = events[:PAGE_SIZE]
            # Administrators manage accounts: they may see whom an event is about.
            ids = audit.user_object_ids(events)
            users = s.exec(select(models.User).where(models.User.id.in_(ids))).all() if ids else []
            self._user_names = {u.id: f"{u.display_name} ({u.email})" if u.display_name else u.email
                                for u in users}
            self._events = [{name: getattr(e, name) for name in audit.FIELDS} for e in events]
            self.chain_ok, bad = audit.verify_chain(s)
            self.chain_bad_id = bad or 0

    @requires(access.AUDIT_VIEW)
    @rx.event
    def apply_filter(self, form: dict):
        self.filter_actor = str(form.get("actor", ""))[:100]
        action = str(form.get("action", ""))[:60]
        self.filter_action = "" if action == "all" else action
        outcome = str(form.get("outcome", ""))
        self.filter_outcome = outcome if outcome in OUTCOMES else ""
        self.page = 0
        return AuditLogState.load

    @requires(access.AUDIT_VIEW)
    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
        return AuditLogState.load

    @requires(access.AUDIT_VIEW)
    @rx.event
    def previous_page(self):
        self.page = max(0, self.page - 1)
        return AuditLogState.load

    @rx.var
    def events(self) -> list[dict[str, str]]:
        return [{"id": str(e["id"]), "at": _when(e["at"], self.lang), "ip": e["ip"], "code": e["action"],
                 **audit.describe(e, self.lang, self._user_names)} for e in self._events]

    @rx.var
    def page_text(self) -> str:
        return i18n.gettext(self.lang, PAGE_TEXT, page=self.page + 1)

    @rx.var
    def action_options(self) -> list[list[str]]:
        labels = [[code, i18n.gettext(self.lang, msgid)] for code, msgid in audit.ACTION_LABELS.items()]
        return [["all", i18n.gettext(self.lang, ALL_ACTIONS)], *sorted(labels, key=lambda o: o[1])]

    @rx.var
    def outcome_options(self) -> list[list[str]]:
        return [[o, i18n.gettext(self.lang, audit.OUTCOME_LABELS[o])] for o in OUTCOMES]

    @rx.var
    def chain_text(self) -> str:
        if self.chain_ok:
            return i18n.gettext(self.lang, CHAIN_OK)
        return i18n.gettext(self.lang, CHAIN_BROKEN, id=self.chain_bad_id)

    @rx.var
    def csv_href(self) -> str:
        query = {k: v for k, v in (("actor", self.filter_actor), ("action", self.filter_action),
                                   ("outcome", self.filter_outcome)) if v}
        return routes.AUDIT_CSV + ("?" + urlencode(query) if query else "")


@per_view(routes.ADMIN_USERS)
class UsersState(BaseState):
    _users: list[dict] = []
    self_signup: bool = False

    @requires(access.USER_MANAGE)
    @rx.event
    def load(self):
        with db.session_scope() as s:
            rows = s.exec(select(models.User).order_by(models.User.id)).all()
            actor = current_actor()
            audit.record(s, "user.list", actor_id=actor.id, actor=actor.email, object_type="user", ip=self._ip())
            self.self_signup = auth.self_signup_enabled(s)
            self._users = [{"id": u.id, "email": u.email, "name": u.display_name, "role": u.role,
                            "active": u.is_active, "mfa": mfa.is_enrolled(u),
                            "locked": bool(u.locked_until)} for u in rows]

    @rx.var
    def users(self) -> list[dict[str, str]]:
        return [{"id": str(u["id"]), "email": u["email"], "name": u["name"], "role": u["role"],
                 "role_label": navigation.role_name(u["role"], self.lang),
                 "active": "1" if u["active"] else "", "mfa": "1" if u["mfa"] else ""}
                for u in self._users]

    @rx.var
    def role_options(self) -> list[list[str]]:
        return [[r, navigation.role_name(r, self.lang)] for r in models.ROLES]

    def _user_action(self, fn, user_id: str, *args):
        with db.session_scope() as s:
            fn(s, current_actor(), int(user_id) if str(user_id).isdigit() else -1, *args, ip=self._ip())
        self._flash(DONE)
        return UsersState.load

    @requires(access.USER_MANAGE, reauth=True)
    @rx.event
    def reset_mfa(self, user_id: str):
        return self._user_action(auth.reset_mfa, user_id)

    @requires(access.USER_MANAGE, reauth=True)
    @rx.event
    def set_active(self, user_id: str, active: bool):
        return self._user_action(auth.set_active, user_id, bool(active))

    @requires(access.USER_MANAGE, reauth=True)
    @rx.event
    def set_role(self, user_id: str, role: str):
        return self._user_action(auth.set_role, user_id, str(role))


    @requires(access.USER_MANAGE, reauth=True)
    @rx.event
    def set_self_signup(self, enabled: bool):
        with db.session_scope() as s:
            auth.set_self_signup(s, current_actor(), bool(enabled), ip=self._ip())
        self._flash(DONE)
        return UsersState.load


@per_view(routes.ADMIN_OUTBOX)
class OutboxState(BaseState):
    _mails: list[dict] = []

    @requires(access.OUTBOX_VIEW)
    @rx.event
    def load(self):
        with db.session_scope() as s:
            rows = notifications.list_outbox(s, current_actor(), ip=self._ip())
            self._mails = [{"id": m.id, "to": m.to_addr, "subject": m.subject, "body": m.body_text,
                            "created": m.created_at, "sent": m.sent_at} for m in rows]

    @rx.var
    def mails(self) -> list[dict[str, str]]:
        return [{"id": str(m["id"]), "to": m["to"], "subject": m["subject"], "body": m["body"],
                 "created": _when(m["created"], self.lang), "sent": _when(m["sent"], self.lang)}
                for m in self._mails]


@functools.lru_cache(maxsize=16)
def _invitable(role: str) -> tuple[str, ...]:
    # Recomputed for every tab on every language switch: building a User costs ~1 ms.
    user = models.User(role=role, email="", is_active=True)
    return tuple(r for r in models.ROLES if access.can_invite(user, r))


@per_view(routes.HR_INVITATIONS)
class InvitationsState(BaseState):
    _invitations: list[dict] = []

    @requires(access.INVITATION_CREATE)
    @rx.event
    def load(self):
        actor = current_actor()
        with db.session_scope() as s:
            q = select(models.Invitation).order_by(models.Invitation.id.desc()).limit(50)
            if actor.role != "admin":
                q = q.where(models.Invitation.invited_by_id == actor.id)
            audit.record(s, "invitation.list", actor_id=actor.id, actor=actor.email, object_type="invitation",
                         ip=self._ip())
            self._invitations = [{"email": i.email, "role": i.role, "created": i.created_at,
                                  "expires": i.expires_at, "used": i.used_at} for i in s.exec(q).all()]

    @rx.var
    def invitations(self) -> list[dict[str, str]]:
        return [{"email": i["email"], "role": navigation.role_name(i["role"], self.lang),
                 "created": _when(i["created"], self.lang), "expires": _when(i["expires"], self.lang),
                 "used": _when(i["used"], self.lang)} for i in self._invitations]

    @rx.var
    def invitable_roles(self) -> list[list[str]]:
        return [[r, navigation.role_name(r, self.lang)] for r in _invitable(self.role)]

    @requires(access.INVITATION_CREATE)
    @rx.event
    def invite(self, form: dict):
        email = str(form.get("email", ""))[:254]
        with db.session_scope() as s:
            auth.create_invitation(s, current_actor(), email, str(form.get("role", "candidate")),
                                   ip=self._ip(), locale=self.lang)
        self._flash(INVITATION_SENT, email=email)
        return InvitationsState.load


