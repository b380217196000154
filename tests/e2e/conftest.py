from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.harness import launch_chromium, running_portal


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_last_order)  # stable: order kept otherwise


def _last_order(item) -> tuple[bool, int]:
    # last(1) runs after plain last, whatever order the files were given in
    mark = item.get_closest_marker("last")
    return mark is not None, mark.args[0] if mark is not None and mark.args else 0


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on loopback (tests/oidc_provider.py)."""
    from tests.oidc_provider import OidcTestProvider

    provider = OidcTestProvider().start()
    yield provider
    provider.stop()


class Inbox:
    """What a real SMTP server (aiosmtpd) on loopback received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def wait_for(self, address: str, timeout: float = 30.0, where=None):
        """The first e-mail to ``address`` (of those ``where`` accepts): other tests' mails
        to the same demo account (scheduling, digests) may arrive first."""
        import email
        import time
        from email import policy

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpts, raw in list(self.messages):
                message = email.message_from_bytes(raw, policy=policy.default)
                if address in rcpts and (where is None or where(message)):
                    return message
            time.sleep(0.3)
        raise AssertionError(f"no e-mail to {address}")

    def wait_for_all(self, address: str, count: int, timeout: float = 60.0, where=None) -> list:
        """The first ``count`` e-mails to ``address`` (of those ``where`` accepts), in the
        order they arrived."""
        import email
        import time
        from email import policy

        deadline = time.monotonic() + timeout
        while True:
            found = [email.message_from_bytes(raw, policy=policy.default)
                     for rcpts, raw in list(self.messages) if address in rcpts]
            found = [m for m in found if where is None or where(m)]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} e-mails to {address}, expected {count}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def smtp_inbox():
    from aiosmtpd.controller import Controller

    from tests.e2e.harness import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def portal(tmp_path_factory, oidc_provider, smtp_inbox):
    env = {"TALENT_OIDC_ISSUER": oidc_provider.issuer, "TALENT_OIDC_CLIENT_ID": oidc_provider.client_id,
           "TALENT_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
           "TALENT_SMTP_HOST": "127.0.0.1", "TALENT_SMTP_PORT": str(smtp_inbox.port),
           "TALENT_SMTP_STARTTLS": "0", "TALENT_SMTP_FROM": "portal@talent.example.cn",
           "TALENT_EMAIL_INTERVAL_S": "1", "TALENT_REMINDER_INTERVAL_S": "1"}
    with running_portal(tmp_path_factory.mktemp("portal-data"), env) as running:
        yield running


@pytest.fixture
def portal_services(portal, monkeypatch):
    """Run services in this process against the portal's database, keyring and settings."""
    from portal.services.platform import crypto, settings

    for name in ("TALENT_DATA_DIR", "TALENT_DB_URL", "TALENT_PUBLIC_URL", "TALENT_SMTP_FROM"):
        monkeypatch.setenv(name, portal.env[name])
    settings.get_settings.cache_clear()
    crypto.reset_cache()
    yield
    monkeypatch.undo()
    settings.get_settings.cache_clear()
    crypto.reset_cache()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, portal) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def phone(browser, portal) -> Page:
    # a desktop browser narrowed to 375 px: stricter than a phone (scrollbars count)
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def secrets() -> dict[str, str]:
    """Each demo role's TOTP key, recovery codes and last used step, across tests
    (the portal, and so each account's enrolment, lives for the whole session)."""
    return {}
