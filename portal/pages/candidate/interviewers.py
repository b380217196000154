"""Meet your interviewers: a card for each interviewer assigned to this candidate's
own interviews, with photo, name, title, experience, background and what they look for."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from state.candidate import InterviewersState as S


def _card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.image(src=card["photo"], alt=card["name"], width="72px", height="72px", border_radius="50%",
                         flex_shrink="0"),
                rx.vstack(
                    rx.heading(card["name"], size="4", as_="h2", class_name="interviewer-name"),
                    rx.text(card["title"], size="2", color_scheme="gray"),
                    rx.cond(card["experience"] != "", rx.text(card["experience"], size="2",
                                                              class_name="interviewer-experience")),
                    spacing="1",
                ),
                spacing="3",
                align="center",
            ),
            rx.text(card["background"], size="2"),
            rx.cond(card["focus"] != "", rx.vstack(
                rx.heading(t("What they look for in an answer"), size="2", as_="h3"),
                rx.text(card["focus"], size="2", class_name="interviewer-focus"),
                spacing="1",
            )),
            rx.text(card["positions"], size="1", color_scheme="gray"),
            spacing="3",
            align="start",
        ),
        width="100%",
        class_name="interviewer-card",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Meet your interviewers"), size="7", as_="h1", id="page-title"),
            rx.text(t("The people who will review your interview, so you know who you are talking to."),
                    color_scheme="gray", size="2"),
            rx.cond(S.cards.length() == 0,
                    rx.callout(t("No interviewer has been assigned to your interviews yet."), icon="info",
                               width="100%", id="no-interviewers")),
            rx.grid(rx.foreach(S.cards, _card), columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                    width="100%"),
            spacing="3",
            width="100%",
            align="start",
        )
    )
