"""Open positions with their descriptions and the competencies they are assessed on."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from state.jobs import JobsState


def _job(job: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(job["title"], size="5", as_="h2"),
            rx.text(job["department"], " · ", job["location"], size="2", color_scheme="gray"),
            # descriptions are written in paragraphs and numbered lines: keep the breaks
            rx.text(job["description"], size="3", white_space="pre-line", class_name="job-description"),
            rx.hstack(
                rx.text(t("Assessed competencies"), weight="bold", size="2"),
                rx.text(job["competencies"], size="2"),
                wrap="wrap",
            ),
            spacing="2",
        ),
        width="100%",
    )


def page() -> rx.Component:
    return shell(
        rx.heading(t("Open positions"), size="7", as_="h1"),
        rx.vstack(rx.foreach(JobsState.jobs, _job), spacing="4", padding_top="1.5em", width="100%"),
    )
