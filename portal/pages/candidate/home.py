"""The candidate's overview: the position they were invited for, the interview's
status and the "what's next" checklist that ticks itself off."""

from __future__ import annotations

import reflex as rx

from components.candidate import checklist, clock
from components.i18n import t
from components.shell import shell
from portal import routes
from state.candidate import CandidateHomeState as S


def _interview() -> rx.Component:
    i = S.interview
    return rx.card(
        rx.vstack(
            rx.text(t("You were invited for"), size="2", color_scheme="gray"),
            rx.heading(i["title"], size="6", as_="h2", id="home-position"),
            rx.hstack(
                rx.badge(i["status"], size="2", id="home-status"),
                rx.cond(i["countdown"] != "", rx.text(i["countdown"], weight="medium", id="home-countdown")),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.text(i["date"], " · ", i["time"], " (", i["timezone"], ")", id="home-when"),
            rx.cond(i["report_note"] != "", rx.text(i["report_note"], color_scheme="gray")),
            rx.link(t("See the details of your interview"), href=routes.CANDIDATE_INTERVIEWS, id="home-details",
                    display="inline-flex", align_items="center", min_height="44px"),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def page() -> rx.Component:
    return shell(
        clock(S.tick),
        rx.vstack(
            rx.heading(S.greeting, size="7", as_="h1", id="page-title"),
            rx.cond(
                S.has_interview,
                _interview(),
                rx.callout(t("No interview is scheduled for you yet. We will e-mail you when it is."),
                           icon="info", id="home-no-interview", width="100%"),
            ),
            rx.heading(t("What's next"), size="5", as_="h2", padding_top="1em"),
            rx.text(t("Each step ticks itself off when you have done it."), color_scheme="gray", size="2"),
            checklist(S.checklist, "home-checklist"),
            spacing="3",
            width="100%",
            align="start",
        )
    )
