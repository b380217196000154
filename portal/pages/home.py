"""Home: what the portal offers each kind of user, and today's open positions."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from portal import routes
from state.base import BaseState
from state.jobs import JobsState


def _feature(icon: str, title: rx.Var, body: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=28, color=rx.color("accent", 9)),
            rx.heading(title, size="4", as_="h2"),
            rx.text(body, color_scheme="gray", size="2"),
            spacing="2",
        ),
        size="3",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.text(BaseState.today, size="2", color_scheme="gray", id="today"),
            rx.heading(t("Your interview, prepared and explained"), size="8", as_="h1", id="hero-title"),
            rx.text(
                t("Check your devices, learn how the AI interview runs, meet your interviewers and practise. "
                  "After the interview, read a report that shows how each answer was scored."),
                size="4",
                color_scheme="gray",
                max_width="48em",
            ),
            rx.hstack(
                rx.link(rx.button(t("See open positions"), size="3"), href=routes.JOBS),
                wrap="wrap",
                spacing="3",
            ),
            spacing="4",
            padding_y="2em",
        ),
        rx.grid(
            _feature("video", t("For candidates"),
                     t("Device check, interview walkthrough, practice questions with scored feedback, "
                     "and a score report you can download and ask a person to review.")),
            _feature("trending-up", t("For employees"),
                     t("Your development plan, probation goals, recommended training with one-click "
                     "enrolment, and your competency scores over time.")),
            _feature("settings", t("For HR"),
                     t("Jobs, competency models with behavioural anchors, question banks, interviewers, "
                     "training catalogue, schedules and analytics.")),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.heading(t("Open positions"), size="5", as_="h2"),
            rx.badge(JobsState.open_count, size="2", id="open-count"),
            align="center",
            padding_top="2em",
        ),
        rx.text(t("Each position is assessed on its own competency model."), color_scheme="gray", size="2"),
        rx.grid(
            rx.foreach(
                JobsState.jobs,
                lambda job: rx.card(
                    rx.vstack(
                        rx.heading(job["title"], size="4", as_="h3"),
                        rx.text(job["department"], " · ", job["location"], size="2", color_scheme="gray"),
                        rx.text(job["competencies"], size="2"),
                        spacing="1",
                    )
                ),
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
            padding_top="1em",
        ),
    )
