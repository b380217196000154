"""The back office's overview (/hr): what HR configures, one card per section.
Static: the labels are compiled into the page, nothing is loaded."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from portal.services.platform.navigation import HR_SECTIONS


def _section(href: str, title: str, description: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(rx.text(t(title), weight="bold", size="4"), rx.text(t(description), size="2",
                                                                          color_scheme="gray"),
                      spacing="1"),
            width="100%",
        ),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        class_name="hr-section",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Settings"), size="7", as_="h1", id="page-title"),
            rx.text(t("Everything candidates and employees see is configured here, in both languages. "
                      "Every change is audited."), size="3", color_scheme="gray"),
            rx.grid(*[_section(*s) for s in HR_SECTIONS], columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3", width="100%", id="hr-sections"),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
