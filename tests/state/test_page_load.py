"""A page load is one event of ours: every page registers the guard alone, and the
guard runs the page's loaders in the same event only when the page may be opened.
A refused page runs none of them (nothing loaded, nothing but the refusal
audited); an allowed page runs each once. The audit log shows whether the users
page's loader ran: it records every listing of the users."""

from __future__ import annotations


import pytest
from sqlmodel import select

from portal import models, routes
from tests import aio
from portal.services.platform.demo import demo_email
from tests.state.test_page_queries import Tab, portal_db, statements  # noqa: F401 - fixtures are used by name


def _cookie_of(email: str | None) -> str:
    if email is None:
        return ""
    from portal.services.accounts import auth
    from portal.services.platform import db

    with db.session_scope() as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        token = auth.start_sso_session(s, user, mfa_satisfied=True).token
    return f"{routes.SESSION_COOKIE}={token}"


def _audited() -> list[tuple[str, str]]:
    from portal.services.platform import db

    with db.session_scope() as s:
        return [(row.action, row.object_id or "") for row in s.exec(select(models.AuditEvent)).all()]


def test_every_page_registers_one_on_load_event(portal_db):  # noqa: F811
    from portal.portal import app
    from state.base import BaseState

    assert app._load_events, "no pages registered"
    for route, events in app._load_events.items():
        assert events == [BaseState.guard], route


@pytest.mark.parametrize("who, sent_to", [("candidate", routes.FORBIDDEN), (None, routes.LOGIN)])
def test_a_refused_page_runs_none_of_its_loaders(portal_db, who, sent_to):  # noqa: F811
    from state.admin import UsersState

    tab = Tab(_cookie_of(demo_email(who) if who else None))
    before = _audited()
    answers = tab.load(routes.ADMIN_USERS)
    assert sent_to in str(answers[0])  # the guard refused and redirected
    assert tab.state(UsersState).users == []
    new = _audited()[len(before):]
    # only the page refusal: the loader neither listed the users nor was refused itself
    assert [action for action, _ in new] == ["page_denied"], new


def test_an_allowed_page_runs_its_loader_once(portal_db):  # noqa: F811
    from state.admin import UsersState

    tab = Tab(_cookie_of(demo_email("admin")))
    before = _audited()
    assert tab.load(routes.ADMIN_USERS) == [None]
    assert demo_email("candidate") in {u["email"] for u in tab.state(UsersState).users}
    assert [action for action, _ in _audited()[len(before):]] == ["user.list"]


def test_the_loaders_permission_check_reuses_the_guards_lookup_of_the_caller(statements):  # noqa: F811
    from state.account import AccountState

    tab = Tab(_cookie_of(demo_email("employee")))
    statements.clear()
    assert tab.load(routes.ACCOUNT_SECURITY) == [None]
    assert tab.state(AccountState).sessions  # the loader ran, for this user
    lookups = [q for q in statements if "usersession.token_hash = ?" in q]
    assert len(lookups) == 1, lookups  # the guard's; the loader's @requires asked no second time


def test_a_page_whose_loader_cannot_run_inside_the_guard_is_refused_at_start():
    from state.base import _PAGE_LOADERS, page_on_load
    from state.jobs import JobsState

    with pytest.raises(TypeError, match="/nowhere"):
        page_on_load("/nowhere", [JobsState.load, "JobsState.load"])
    assert "nowhere" not in _PAGE_LOADERS


def test_events_a_loader_returns_or_yields_follow_the_guard():
    from state.base import _outcome

    def returns():
        return [routes.HOME, None]

    def yields():
        yield routes.JOBS
        yield None
        return routes.LOGIN

    async def awaits():
        return routes.FORBIDDEN

    async def streams():
        yield [routes.ERROR]

    async def all_of_them():
        return [e for r in (returns(), yields(), awaits(), streams(), None) for e in await _outcome(r)]

    assert aio.run(all_of_them()) == [routes.HOME, routes.JOBS, routes.LOGIN, routes.FORBIDDEN, routes.ERROR]
