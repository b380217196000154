"""My interviews: each with the position, date and time in the candidate's own time
zone, duration, countdown, the join link (active from 15 minutes before), stages,
readiness, checklist and the job description; past ones with their status."""

from __future__ import annotations

import reflex as rx

from components.candidate import checklist, clock, readiness
from components.i18n import t
from components.shell import shell
from state.candidate import CandidateInterviewsState as S


def _stage(stage: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(stage["name"]),
                rx.cond(stage["duration"] != "", rx.fragment(" · ", stage["duration"]))),
        rx.text(stage["description"], size="2", color_scheme="gray"),
    )


def _join(item: rx.Var) -> rx.Component:
    return rx.cond(
        item["join"] == "open",
        rx.button(rx.el.a(rx.icon("video", size=16, aria_hidden="true"), t("Join the interview"),
                          href=item["join_href"]),
                  as_child=True, size="3", min_height="44px", class_name="join-link"),
        rx.cond(
            item["join"] == "not_yet",
            rx.vstack(
                rx.button(rx.icon("video", size=16, aria_hidden="true"), t("Join the interview"), size="3",
                          disabled=True, min_height="44px", class_name="join-link",
                          aria_describedby="join-opens-" + item["id"].to(str)),
                rx.text(item["join_opens"], size="2", color_scheme="gray", id="join-opens-" + item["id"].to(str),
                        class_name="join-opens"),
                spacing="1",
            ),
        ),
    )


def _upcoming(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(item["title"], size="5", as_="h3"),
            rx.hstack(rx.badge(item["status"], size="2"),
                      rx.text(item["countdown"], weight="medium", class_name="countdown"),
                      spacing="3", align="center", wrap="wrap"),
            rx.text(item["date"], class_name="interview-date"),
            rx.text(item["time"], " (", item["timezone"], ") · ", item["duration"],
                    class_name="interview-time"),
            _join(item),
            rx.heading(t("Are you ready?"), size="3", as_="h4", padding_top="0.5em"),
            readiness(item["readiness"].to(list[dict[str, str]])),
            rx.heading(t("Stages"), size="3", as_="h4", padding_top="0.5em"),
            rx.el.ol(rx.foreach(item["stages"].to(list[dict[str, str]]), _stage), class_name="stages",
                     style={"paddingLeft": "1.25em", "margin": "0"}),
            rx.heading(t("What's next"), size="3", as_="h4", padding_top="0.5em"),
            checklist(item["checklist"].to(list[dict[str, str]]), "checklist-" + item["id"].to(str)),
            rx.el.details(
                rx.el.summary(rx.icon("chevron-down", size=16, aria_hidden="true"), t("Job description"),
                              style={"minHeight": "44px", "cursor": "pointer", "display": "flex",
                                     "alignItems": "center", "gap": "0.25em", "fontWeight": "bold"}),
                rx.text(item["description"], white_space="pre-line", size="2"),
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        id="interview-" + item["id"].to(str),
        class_name="upcoming-interview",
    )


def _past(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(item["title"], size="4", as_="h3"),
            rx.hstack(rx.badge(item["status"], size="2", color_scheme="gray"),
                      rx.text(item["date"], " · ", item["time"]), spacing="3", align="center", wrap="wrap"),
            rx.cond(item["report_note"] != "", rx.text(item["report_note"], size="2", color_scheme="gray")),
            rx.cond(item["report_href"] != "",
                    rx.link(t("Open my score report"), href=item["report_href"], class_name="report-link",
                            display="inline-flex", align_items="center", min_height="44px")),
            spacing="2",
            align="start",
        ),
        width="100%",
        id="interview-" + item["id"].to(str),
        class_name="past-interview",
    )


def page() -> rx.Component:
    return shell(
        clock(S.tick),
        rx.vstack(
            rx.heading(t("My interviews"), size="7", as_="h1", id="page-title"),
            rx.text(t("Times are shown in your time zone."), color_scheme="gray", size="2"),
            rx.cond(~S.has_any, rx.callout(t("No interview is scheduled for you yet. We will e-mail you when it is."),
                                           icon="info", width="100%", id="no-interviews")),
            rx.cond(S.upcoming.length() > 0, rx.heading(t("Upcoming"), size="5", as_="h2", padding_top="1em")),
            rx.foreach(S.upcoming, _upcoming),
            rx.cond(S.past.length() > 0, rx.heading(t("Past"), size="5", as_="h2", padding_top="1em")),
            rx.foreach(S.past, _past),
            spacing="3",
            width="100%",
            align="start",
        )
    )
