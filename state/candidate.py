"""The candidate's preparation pages: overview, my interviews, how it runs, the
interviewers, consent. Thin: every rule (own interviews only, the join window, the
checklist) is in portal/services/interviews/preparation.py and consent.py.

Each page keeps its content locale-free or in both languages, so the language switch
needs no reload; the lists are the candidate's own and are emptied when another page
loads (``per_view``). Times are formatted from the moment of the last ``tick``
(assets/clock.js presses it every 30 seconds), so the countdown moves and the join
link opens without a reload or a query.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import reflex as rx

from portal import routes
from portal.services.accounts import access, auth
from portal.services.interviews import consent, preparation
from portal.services.platform import db, i18n, navigation
from portal.services.platform.errors import PermissionDenied
from portal.services.platform.i18n import LOCALES, N_
from state.base import BaseState, current_actor, per_view, public, requires

AGREED = N_("Thank you. Your consent is recorded.")
WITHDRAWN = N_("Your consent is withdrawn. Your answers will not be analysed from now on.")
NOTHING_TO_WITHDRAW = N_("There is no consent to withdraw.")
AGREED_ON = N_("You agreed to version {version} on {date}.")
WITHDREW_ON = N_("You withdrew your consent on {date}.")
NOT_GIVEN = N_("You have not given this consent yet.")
REPLACED = N_("You agreed to version {version} on {date}. The text has changed since: read it and agree again.")
WELCOME = N_("Welcome, {name}")


def _tick(state: BaseState):
    """The page's clock (assets/clock.js, every 30 s): recompute the times from what the
    page holds. It is not the person's activity, so it reads the session without
    extending it: an unattended tab still reaches the idle timeout, and then the page
    empties itself and asks to sign in again, instead of saying "no permission" (and
    auditing it) twice a minute."""
    if not state._user_id:
        return None
    with db.session_scope() as s:
        found = auth.resolve_session(s, state._session_token(), touch=False)
    if found is None or found[0].id != state._user_id:
        state._forget_everything()
        path = "/" + state.router.url.path.strip("/")
        return rx.redirect(f"{routes.LOGIN}?next={quote(path)}")
    state._now = preparation.utcnow()
    return None


class CandidateLandingState(BaseState):
    @public
    @rx.event
    def leave_marketing(self):
        """On "/": a signed-in candidate belongs on their own overview (the guard has
        just set the role on the server); visitors and other roles stay."""
        target = navigation.landing_page(self.role)
        if self.signed_in and target != routes.HOME:
            return rx.redirect(target)
        return None


@per_view(routes.CANDIDATE_HOME)
class CandidateHomeState(BaseState):
    has_interview: bool = False
    # The candidate's own next interview (locale-free) and when the page last looked at
    # the clock: the countdown is recomputed from these on every tick, without a query.
    _next: preparation.InterviewPrep | None = None
    _tz: str = ""
    _now: datetime | None = None
    _consent_given: bool = False
    _process_done: bool = False

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            found = preparation.candidate_overview(s, user)  # one query
        self._next = preparation.next_interview(found.interviews)
        self._consent_given, self._process_done = found.consent, found.process
        self._tz, self._now = user.timezone, preparation.utcnow()
        self.has_interview = self._next is not None

    @public
    @rx.event
    def tick(self):
        return _tick(self)

    @rx.var
    def interview(self) -> dict[str, str]:
        if self._next is None:
            return {}
        view = preparation.present(self._next, self.lang, self._tz, self._now)
        return {k: v for k, v in view.items() if isinstance(v, str)}

    @rx.var
    def checklist(self) -> list[dict[str, str]]:
        return preparation.checklist(self._next, self.lang, consent_given=self._consent_given,
                                     process_done=self._process_done)

    @rx.var
    def greeting(self) -> str:
        return i18n.gettext(self.lang, WELCOME, name=self.display_name)


@per_view(routes.CANDIDATE_INTERVIEWS)
class CandidateInterviewsState(BaseState):
    _preps: list[preparation.InterviewPrep] = []  # the candidate's own
    _tz: str = ""
    _now: datetime | None = None

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        wanted = self.router.url.query_parameters.get("interview", "")
        self._tz, self._now = user.timezone, preparation.utcnow()
        with db.session_scope() as s:
            if wanted:  # one interview, by the id in the address: only one's own
                try:
                    self._preps = [preparation.candidate_interview(
                        s, user, int(wanted) if str(wanted).isdigit() else -1)]
                except PermissionDenied as exc:
                    self._preps = []
                    self._flash(exc.msgid, kind="error")
            else:
                self._preps = preparation.candidate_interviews(s, user)

    @public
    @rx.event
    def tick(self):
        return _tick(self)

    @rx.var
    def upcoming(self) -> list[dict]:
        views = (preparation.present(p, self.lang, self._tz, self._now) for p in self._preps)
        return [v for v in views if not v["past"]]

    @rx.var
    def past(self) -> list[dict]:
        views = (preparation.present(p, self.lang, self._tz, self._now) for p in self._preps)
        return [v for v in views if v["past"]]

    @rx.var
    def has_any(self) -> bool:
        return bool(self._preps)


@per_view(routes.CANDIDATE_PROCESS)
class ProcessState(BaseState):
    _guides: dict[str, list[dict]] = {}

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            # one query, and the checklist's "how it runs" step written the first time
            self._guides = preparation.process_guides(s, user, mark_read=True)

    @rx.var
    def guides(self) -> list[dict]:
        return self._guides.get(self.lang, [])


@per_view(routes.CANDIDATE_INTERVIEWERS)
class InterviewersState(BaseState):
    _cards: dict[str, list[dict[str, str]]] = {}

    @requires(access.INTERVIEW_VIEW)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            self._cards = preparation.my_interviewers(s, user)

    @rx.var
    def cards(self) -> list[dict[str, str]]:
        return self._cards.get(self.lang, [])


@per_view(routes.CANDIDATE_CONSENT)
class ConsentState(BaseState):
    given: bool = False
    version: str = ""  # the version of the text the page shows: agreeing means agreeing to it
    _status: tuple[str, str] = ("", "")  # (msgid, version)
    _content: dict[str, dict] = {}  # locale -> the text of ``version`` (shared: not changed here)
    _when: dict[str, str] = {}

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def load(self):
        user = current_actor()
        with db.session_scope() as s:
            record, self.given = consent.status(s, user.id)  # one query
            self.version = consent.current_version(s)  # cached
            self._content = consent.texts(s, self.version)
        if self.given:
            msgid, at = AGREED_ON, record.granted_at
        elif record is not None and record.withdrawn_at is not None:
            msgid, at = WITHDREW_ON, record.withdrawn_at
        elif record is not None:  # agreed to an earlier text
            msgid, at = REPLACED, record.granted_at
        else:
            msgid, at = NOT_GIVEN, None
        self._status = (msgid, record.version if record else "")
        local = preparation.in_zone(at, user.timezone) if at else None
        self._when = {locale: i18n.format_datetime(local, locale, "medium") if local else "" for locale in LOCALES}

    @rx.var
    def status_text(self) -> str:
        msgid, version = self._status
        if not msgid:
            return ""
        return i18n.gettext(self.lang, msgid, version=version, date=self._when.get(self.lang, ""))

    @rx.var
    def text(self) -> dict[str, str]:
        content = self._content.get(self.lang)
        if not content:
            return {}
        return {"title": content["title"], "intro": content["intro"], "agree_label": content["agree_label"]}

    @rx.var
    def sections(self) -> list[dict[str, str]]:
        content = self._content.get(self.lang)
        return list(content["sections"]) if content else []

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def agree(self):
        user = current_actor()
        with db.session_scope() as s:
            consent.grant(s, user, self.version, ip=self._ip())
        self._flash(AGREED)
        return ConsentState.load

    @requires(access.ACCOUNT_SELF)
    @rx.event
    def withdraw(self):
        user = current_actor()
        with db.session_scope() as s:
            withdrawn = consent.withdraw(s, user, ip=self._ip())
        self._flash(WITHDRAWN if withdrawn else NOTHING_TO_WITHDRAW, kind="success" if withdrawn else "error")
        return ConsentState.load
