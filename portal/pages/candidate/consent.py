"""Consent: the versioned text (purpose, data, retention, who sees it, the right to
withdraw, PIPL art. 29), with agree and withdraw, both audited by the service."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from state.candidate import ConsentState as S


def _section(section: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.heading(section["heading"], size="4", as_="h2"),
        rx.text(section["body"], size="3", white_space="pre-line"),  # paragraphs the admin wrote
        spacing="1",
        width="100%",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(S.text["title"], size="7", as_="h1", id="page-title"),
            rx.text(t("Version"), " ", S.version, size="2", color_scheme="gray", id="consent-version"),
            rx.callout(S.status_text, icon=rx.cond(S.given, "circle-check", "info"),
                       color_scheme=rx.cond(S.given, "green", "gray"), width="100%", id="consent-status",
                       role="status"),
            rx.text(S.text["intro"], size="3"),
            rx.foreach(S.sections, _section),
            rx.cond(
                S.given,
                rx.button(t("Withdraw my consent"), on_click=S.withdraw, size="3", variant="outline",
                          color_scheme="red", min_height="44px", id="consent-withdraw"),
                rx.button(S.text["agree_label"], on_click=S.agree, size="3", min_height="44px",
                          id="consent-agree", white_space="normal", height="auto", padding_y="0.5em"),
            ),
            spacing="4",
            width="100%",
            max_width="48em",
            align="start",
        )
    )
