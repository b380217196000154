"""My candidates: the interviews the reviewer may see (an interviewer's assigned ones,
every one for HR), with the candidate, the job, the time, and how far scoring is."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from state.review import MyCandidatesState as S


def _row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(row["candidate"], weight="bold", size="3"),
                rx.text(row["job"], " · ", row["when"], size="2", color_scheme="gray"),
                rx.hstack(rx.badge(row["status"]), rx.text(row["progress"], size="2"), spacing="2", wrap="wrap",
                          align="center"),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.link(rx.button(t("Review"), size="3", min_height=TAP, tab_index=-1), href=row["href"],
                    class_name="review-open", flex_shrink="0"),
            align="center",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="review-row",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("My candidates"), size="7", as_="h1", id="page-title"),
            rx.text(t("The interviews you may review, newest first."), size="3", color_scheme="gray"),
            rx.cond(
                S.loaded,
                rx.cond(S.rows.length() > 0,
                        rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%", id="review-list"),
                        rx.text(t("No interview is assigned to you yet."), id="review-none")),
                rx.spinner(size="3"),
            ),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
