"""The Reflex app: page registration with on_load guards. No work at import
beyond building components; the database is migrated by the CLI before start."""

from __future__ import annotations

import logging
import uuid

import reflex as rx

from components.i18n import t
from portal import routes
from portal.http import security_headers
from portal.pages import errors, home, jobs
from state.jobs import JobsState

log = logging.getLogger("portal")


def _backend_exception_handler(exception: Exception):
    """Log the detail under an incident id; the browser gets only the id."""
    incident = uuid.uuid4().hex[:8]
    log.error("incident %s", incident, exc_info=exception)
    return rx.toast.error(
        f"出错了，请稍后再试 / Something went wrong, please try again. ({incident})",
        position="top-center",
    )


app = rx.App(
    backend_exception_handler=_backend_exception_handler,
    html_lang="zh-CN",
    api_transformer=security_headers,
)

app.add_page(home.page, route=routes.HOME, title=t("Talent Portal"), on_load=JobsState.load)
app.add_page(jobs.page, route=routes.JOBS, title=t("Open positions"), on_load=JobsState.load)
app.add_page(errors.error, route=routes.ERROR, title=t("Something went wrong"))
app.add_page(errors.not_found, route=routes.NOT_FOUND, title=t("Page not found"))
