"""The 404 page and the error page. Neither ever shows technical detail."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from portal import routes


def _message(code: str, title: rx.Var, body: rx.Var) -> rx.Component:
    return shell(
        rx.center(
            rx.vstack(
                rx.text(code, size="9", weight="bold", color=rx.color("accent", 9)),
                rx.heading(title, size="6", as_="h1", id="error-title"),
                rx.text(body, color_scheme="gray", text_align="center"),
                rx.link(rx.button(t("Back to the home page")), href=routes.HOME),
                align="center",
                spacing="3",
                padding_y="4em",
            )
        )
    )


def not_found() -> rx.Component:
    return _message("404", t("Page not found"),
                    t("The address may be mistyped, or the page has moved."))


def error() -> rx.Component:
    return _message("!", t("Something went wrong"),
                    t("We have recorded the problem. Please try again in a moment; "
                      "if it persists, contact your HR team."))
