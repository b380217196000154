from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.harness import launch_chromium, running_portal


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on loopback (tests/oidc_provider.py)."""
    from tests.oidc_provider import OidcTestProvider

    provider = OidcTestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def portal(tmp_path_factory, oidc_provider):
    sso = {"TALENT_OIDC_ISSUER": oidc_provider.issuer, "TALENT_OIDC_CLIENT_ID": oidc_provider.client_id,
           "TALENT_OIDC_CLIENT_SECRET": oidc_provider.client_secret}
    with running_portal(tmp_path_factory.mktemp("portal-data"), sso) as running:
        yield running


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
