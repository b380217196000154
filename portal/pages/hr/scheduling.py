"""HR schedules interviews: a candidate, a job, interviewers and a duration give
suggested slots to book; a CSV batch; the upcoming interviews, moved or cancelled."""

from __future__ import annotations

import reflex as rx

from components.forms import hidden
from components.i18n import t
from components.shell import TAP, shell
from state.hr_scheduling import HrScheduleState as S


def _label(text, *child) -> rx.Component:
    return rx.vstack(rx.text(text, size="2", weight="medium"), *child, spacing="1", width="100%")


def _select_style() -> dict:
    return {"min_height": TAP, "width": "100%", "padding": "0 0.5em",
            "border": "1px solid var(--gray-7)", "border_radius": "6px", "background": "var(--color-background)"}


def _invite() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Invite a candidate to an interview"), size="5", as_="h2"),
        rx.form(rx.hstack(
            rx.input(name="query", id="schedule-query", placeholder=t("E-mail or name"), size="3",
                     aria_label=t("E-mail or name"), flex="1", min_width="12em"),
            rx.button(t("Search"), type="submit", size="3", min_height=TAP, id="schedule-search"),
            wrap="wrap", width="100%"), on_submit=S.search, width="100%"),
        rx.foreach(S.found, lambda c: rx.button(c["label"], on_click=S.choose(c["id"]), variant="soft",
                                                size="2", min_height=TAP, class_name="schedule-found",
                                                white_space="normal", height="auto")),
        rx.cond(S.candidate != "",
                rx.callout(S.candidate, icon="user", id="schedule-candidate", width="100%")),
        rx.form(rx.hstack(
            rx.input(name="email", type="email", id="schedule-new-email", size="3", flex="1", min_width="12em",
                     placeholder=t("New candidate's e-mail"), aria_label=t("New candidate's e-mail")),
            rx.button(t("Send an account invitation"), type="submit", size="3", variant="outline",
                      min_height=TAP, white_space="normal", height="auto"),
            wrap="wrap", width="100%"), on_submit=S.invite_new, reset_on_submit=True, width="100%"),
        rx.form(rx.vstack(
            _label(t("Position"), rx.el.select(rx.foreach(S.jobs, lambda j: rx.el.option(j["label"], value=j["id"])),
                                                name="job", id="schedule-job", value=S.job_id.to_string(),
                                                on_change=S.pick_job, style=_select_style())),
            rx.cond(S.stages.length() > 0, _label(t("Interview stages"), rx.foreach(
                S.stages, lambda st: rx.text(st, size="2", class_name="schedule-stage")))),
            _label(t("Duration (minutes)"), rx.input(name="duration", type="number", min="10", max="240",
                                                     default_value="45", id="schedule-duration", size="3")),
            _label(t("Interviewers"), rx.flex(rx.foreach(S.interviewers, lambda p: rx.el.label(
                rx.el.input(type="checkbox", name=p["name"]), " ", p["label"],
                style={"min_height": TAP, "display": "flex", "align_items": "center", "gap": "0.4em",
                       "margin_right": "1em"})), wrap="wrap")),
            rx.button(t("Suggest slots"), type="submit", size="3", min_height=TAP, id="schedule-suggest"),
            spacing="3", width="100%"), on_submit=S.suggest, width="100%"),
        rx.cond(S.slots.length() > 0, rx.vstack(
            rx.text(t("Suggested slots (the candidate's preferred times, the interviewers free)"), weight="medium"),
            rx.flex(rx.foreach(S.slots, lambda s: rx.button(s["label"], on_click=S.book(s["iso"]), size="2",
                                                            min_height=TAP, class_name="schedule-slot",
                                                            white_space="normal", height="auto")),
                    wrap="wrap", gap="2"),
            rx.text(t("The candidate's e-mail and calendar file include this checklist:"), size="2"),
            rx.text(S.checklist, size="2", white_space="pre-line", color_scheme="gray", id="schedule-checklist"),
            width="100%", id="schedule-slots")),
        spacing="3", width="100%"), width="100%")


def _batch() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Schedule several interviews from a CSV file"), size="5", as_="h2"),
        rx.text(t("Columns: email,job_code,start,interviewers. The start is Beijing time, e.g. 2026-12-10 14:00, "
                  "or auto for the first suggested slot; interviewers are e-mail addresses separated by spaces. "
                  "If any row is wrong, nothing is scheduled."), size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            rx.text_area(name="csv", rows="5", width="100%", id="schedule-csv", aria_label=t("CSV rows"),
                         placeholder="email,job_code,start,interviewers"),
            rx.button(t("Schedule all rows"), type="submit", size="3", min_height=TAP, id="schedule-batch"),
            width="100%"), on_submit=S.batch, width="100%"),
        rx.foreach(S.batch_errors, lambda e: rx.text(e, color_scheme="red", size="2", class_name="batch-error",
                                                     role="alert")),
        spacing="3", width="100%"), width="100%")


def _row(row: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(row["candidate"], weight="bold"), rx.text(row["job"], size="2", color_scheme="gray"),
                  wrap="wrap", spacing="2"),
        rx.text(row["when"], size="3", class_name="upcoming-when"),
        rx.form(rx.hstack(
            hidden("interview", row["id"]),
            rx.input(type="datetime-local", name="at", default_value=row["local"], size="3",
                     aria_label=t("New time"), class_name="upcoming-at"),
            rx.button(t("Move"), type="submit", size="3", min_height=TAP, class_name="upcoming-move"),
            rx.button(t("Cancel the interview"), type="button", size="3", min_height=TAP, color_scheme="red",
                      variant="outline", on_click=S.cancel(row["id"]), class_name="upcoming-cancel"),
            wrap="wrap", width="100%"), on_submit=S.move, width="100%"),
        spacing="2", width="100%"), width="100%", class_name="upcoming-interview")


def page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("Schedule interviews"), size="7", as_="h1", id="page-title"),
        rx.cond(S.loaded, rx.vstack(
            _invite(),
            _batch(),
            rx.heading(t("Upcoming interviews"), size="5", as_="h2"),
            rx.cond(S.upcoming.length() > 0,
                    rx.vstack(rx.foreach(S.upcoming, _row), spacing="3", width="100%", id="upcoming-interviews"),
                    rx.text(t("No interview is scheduled."), id="upcoming-none")),
            spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="56em", align="start"))
