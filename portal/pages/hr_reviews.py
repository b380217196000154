"""HR's queue of human review requests: the candidate's reason, and an answer that goes
back to their report and by e-mail."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from state.human_review import HumanReviewsState as S


def _row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row["candidate"], weight="bold"), rx.text(row["job"], size="2", color_scheme="gray"),
                      rx.badge(row["status"], color_scheme=rx.cond(row["open"] != "", "amber", "green")),
                      rx.text(row["asked"], size="2", color_scheme="gray"), wrap="wrap", spacing="2",
                      align="center"),
            rx.text(t("Reason"), ": ", row["reason"], size="3", white_space="pre-line", class_name="review-reason"),
            rx.cond(
                row["open"] != "",
                rx.form(
                    rx.el.input(type="hidden", name="request", value=row["id"]),
                    rx.text_area(name="response", rows="3", width="100%", aria_label=t("Your answer"),
                                 placeholder=t("Explain the outcome of the review to the candidate")),
                    rx.button(t("Send the answer"), type="submit", size="3", min_height=TAP,
                              class_name="review-send"),
                    on_submit=S.resolve,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.text(t("Answer"), ": ", row["response"], size="2", white_space="pre-line"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="review-request",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Review requests"), size="7", as_="h1", id="page-title"),
            rx.text(t("Candidates may ask for a person to review their score report (PIPL art. 24)."),
                    size="3", color_scheme="gray"),
            rx.cond(S.loaded,
                    rx.cond(S.rows.length() > 0,
                            rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%", id="review-requests"),
                            rx.text(t("No review has been requested."), id="review-requests-none")),
                    rx.spinner(size="3")),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
