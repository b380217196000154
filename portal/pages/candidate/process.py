"""How the interview runs, per position the candidate interviews for: the stages with
their durations, what the AI analyses and what it does not, what is recorded, who
sees it, how long it is kept, and that a person makes every decision. Opening the
page ticks "how it runs" off the checklist."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import shell
from portal import routes
from state.candidate import ProcessState as S


def _stage(stage: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(stage["name"]),
                rx.cond(stage["duration"] != "", rx.fragment(" · ", stage["duration"]))),
        rx.text(stage["description"], size="2", color_scheme="gray"),
        style={"marginBottom": "0.5em"},
    )


def _section(icon: str, title: rx.Var, body: rx.Var, element_class: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.heading(title, size="3", as_="h3"),
                  align="center", spacing="2"),
        rx.text(body, size="2", class_name=element_class),
        spacing="1",
        width="100%",
    )


def _guide(guide: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(guide["title"], size="5", as_="h2"),
            rx.cond(guide["total"] != "", rx.text(guide["total"], color_scheme="gray", size="2")),
            rx.heading(t("Stages"), size="3", as_="h3"),
            rx.el.ol(rx.foreach(guide["stages"].to(list[dict[str, str]]), _stage), class_name="stages",
                     style={"paddingLeft": "1.25em", "margin": "0"}),
            rx.cond(
                guide["has_guide"] != "",
                rx.vstack(
                    _section("scan-search", t("What the AI analyses"), guide["analysed"], "guide-analysed"),
                    _section("eye-off", t("What it does not analyse"), guide["not_analysed"], "guide-not-analysed"),
                    _section("video", t("What is recorded"), guide["recorded"], "guide-recorded"),
                    _section("users", t("Who sees it"), guide["access"], "guide-access"),
                    _section("calendar-clock", t("How long it is kept"), guide["retention"], "guide-retention"),
                    spacing="3",
                    width="100%",
                ),
                rx.callout(t("HR has not described this position's interview yet. Ask them before your interview."),
                           icon="info", width="100%"),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="guide",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("How the interview runs"), size="7", as_="h1", id="page-title"),
            rx.callout(
                t("A person makes every decision. The AI's scores are one piece of evidence for the interviewers; "
                  "they never hire or reject anyone on their own, and you can ask for a human review of your report."),
                icon="user-check", color_scheme="green", width="100%", id="human-decides",
            ),
            rx.cond(S.guides.length() == 0,
                    rx.callout(t("No interview is scheduled for you yet. We will e-mail you when it is."),
                               icon="info", width="100%")),
            rx.foreach(S.guides, _guide),
            rx.link(t("Read and give your consent"), href=routes.CANDIDATE_CONSENT, display="inline-flex",
                    align_items="center", min_height="44px"),
            spacing="4",
            width="100%",
            align="start",
        )
    )
