"""HR's analytics: a job and a period; the funnel, time in stage, score distributions,
device-check failures, human vs AI agreement, interview score vs later performance and
selection rates by recorded group (four-fifths rule). Every chart has a table with the
same figures beside it; anything from fewer than 5 people says so instead."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from state.hr_analytics import HrAnalyticsState as S


def _select_style() -> dict:
    return {"min_height": TAP, "width": "100%", "padding": "0 0.5em",
            "border": "1px solid var(--gray-7)", "border_radius": "6px", "background": "var(--color-background)"}


def _label(text, *child) -> rx.Component:
    return rx.vstack(rx.text(text, size="2", weight="medium"), *child, spacing="1", width="100%")


def _table(headers: list, rows: rx.Var, cells, table_id: str) -> rx.Component:
    """A plain table (the text alternative of a chart) that scrolls sideways on its own if needed."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*[rx.table.cell(c(r)) for c in cells],
                                                                    class_name="analytics-row"))),
            size="1", width="100%"),
        overflow_x="auto", width="100%", id=table_id)


def _section(title, *children, section_id: str) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", id=section_id)


def _chart(svg: rx.Var, chart_id: str) -> rx.Component:
    # the table beside it holds the same figures (the SVG is role=img with a title)
    return rx.box(rx.html(svg), width="100%", max_width="34em", id=chart_id)


def _items(rows: rx.Var, table_id: str) -> rx.Component:
    return _table([t("Figure"), t("Value")], rows, [lambda r: r["item"], lambda r: r["value"]], table_id)


def _picker() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(_label(t("Position"), rx.el.select(
                rx.foreach(S.jobs, lambda j: rx.el.option(j["label"], value=j["id"])),
                name="job", id="analytics-job", style=_select_style())), flex="2", min_width="14em"),
            rx.box(_label(t("Period"), rx.el.select(
                rx.foreach(S.periods, lambda p: rx.el.option(p["label"], value=p["id"])),
                name="period", id="analytics-period", default_value="365", style=_select_style())), flex="1", min_width="10em"),
            rx.flex(
                rx.button(t("Show"), type="submit", size="3", min_height=TAP, id="analytics-show"),
                rx.button(t("Download CSV"), type="button", size="3", min_height=TAP, variant="outline",
                          on_click=S.download, id="analytics-csv"),
                gap="2", wrap="wrap", align="end"),
            gap="3", wrap="wrap", width="100%", align="end"),
        on_submit=S.show, width="100%")


def _csv_form(name: str, title: rx.Var, help_text: rx.Var, label: rx.Var, columns: str, button: rx.Var,
              on_submit, error: rx.Var, errors: rx.Var) -> rx.Component:
    """A pasted-CSV import: ids ``<name>-csv``, ``-save``, ``-error``, ``.<name>-row-error``.
    The text stays after a refusal, to be corrected (importing it again replaces, never adds)."""
    return _section(
        title,
        rx.text(help_text, size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            rx.text_area(name="csv", rows="4", width="100%", id=f"{name}-csv", aria_label=label,
                         placeholder=columns),
            rx.button(button, type="submit", size="3", min_height=TAP, id=f"{name}-save"),
            width="100%"), on_submit=on_submit, width="100%"),
        rx.cond(error != "", rx.callout(error, color_scheme="red", role="alert", id=f"{name}-error", width="100%")),
        rx.foreach(errors, lambda e: rx.text(e, size="2", color_scheme="red", class_name=f"{name}-row-error")),
        section_id=f"analytics-{name}-form")


def _groups_form() -> rx.Component:
    return _csv_form(
        "groups", t("Record candidates' groups"),
        t("Optional, for the adverse-impact view only: one row per candidate, e-mail address,group "
          "(for example an age band, as your fairness policy defines it); an empty group removes it. "
          "Groups are kept encrypted, seen only as totals and only by HR; every change is audited. "
          "If any row is wrong, nothing is recorded."),
        t("Groups (CSV)"), "email,group", t("Record groups"), S.record_groups, S.group_error, S.group_errors)


def _reviews_form() -> rx.Component:
    return _csv_form(
        "reviews", t("Record performance reviews"),
        t("For the later-performance figures: one row per review, e-mail address,period,score (0-100) "
          "and, if you like, the date of the review (YYYY-MM-DD; today when left out). Only employees; "
          "a review of the same person and period replaces the earlier one. If any row is wrong, nothing "
          "is recorded."),
        t("Reviews (CSV)"), "email,period,score,date", t("Record reviews"), S.record_reviews, S.review_error,
        S.review_errors)


def _figures() -> rx.Component:
    return rx.vstack(
        _section(
            t("Funnel"),
            rx.text(t("Invited: has an interview of the position in the period. Prepared: ran the device check "
                      "for it. Interviewed: answered at least one question. Advanced: the position's rule moved "
                      "them on (or they were hired). Hired: joined after the interview."), size="2",
                    color_scheme="gray"),
            _chart(S.funnel_chart, "funnel-chart"),
            _table([t("Stage"), t("People"), t("Conversion")], S.funnel_rows,
                   [lambda r: r["stage"], lambda r: r["count"], lambda r: r["conversion"]], "funnel-table"),
            section_id="analytics-funnel"),
        _section(
            t("Median days in stage"),
            _table([t("From → to"), t("Median days")], S.time_rows, [lambda r: r["stage"], lambda r: r["days"]],
                   "times-table"),
            section_id="analytics-times"),
        _section(
            t("Score distributions per competency"),
            rx.text(t("Each person's score from their latest interview in the period, in bands of 20 points."),
                    size="2", color_scheme="gray"),
            rx.grid(rx.foreach(S.dist_charts, lambda c: rx.vstack(
                        rx.heading(c["name"], size="3", as_="h3", class_name="dist-name"),
                        _chart(c["svg"], "dist-" + c["key"]), spacing="1", width="100%")),
                    columns=rx.breakpoints(initial="1", md="2"), gap="3", width="100%"),
            _table([t("Competency"), t("Score band"), t("People")], S.dist_rows,
                   [lambda r: r["competency"], lambda r: r["range"], lambda r: r["people"]], "dist-table"),
            section_id="analytics-distributions"),
        _section(
            t("Device checks"),
            _chart(S.check_chart, "check-chart"),
            _items(S.check_rows, "check-table"),
            section_id="analytics-checks"),
        _section(
            t("Human vs AI ratings"),
            rx.text(t("Reviewers' own levels (1-5) beside the AI's level for the same answer and competency."),
                    size="2", color_scheme="gray"),
            _items(S.agreement_rows, "agreement-table"),
            section_id="analytics-agreement"),
        _section(
            t("Interview score vs later performance"),
            rx.text(t("Hired people's interview score beside their performance reviews after joining "
                      "(rank correlation: 1 means the order is the same)."), size="2", color_scheme="gray"),
            _items(S.performance_rows, "performance-table"),
            section_id="analytics-performance"),
        _section(
            t("Adverse impact"),
            rx.text(t("Selection rate = advanced ÷ interviewed, per group HR recorded. Under the four-fifths "
                      "rule, a group whose rate is below 80% of the highest group's rate is flagged."),
                    size="2", color_scheme="gray"),
            rx.cond(S.flag_text != "", rx.callout(S.flag_text, icon="triangle_alert", color_scheme="red",
                                                  role="alert", id="adverse-flag", width="100%")),
            rx.cond(S.compare_note != "", rx.text(S.compare_note, size="2", id="adverse-note")),
            _chart(S.group_chart, "group-chart"),
            _table([t("Group"), t("Interviewed"), t("Advanced"), t("Selection rate"), t("Ratio to the highest")],
                   S.group_rows,
                   [lambda r: r["group"], lambda r: r["interviewed"], lambda r: r["advanced"], lambda r: r["rate"],
                    lambda r: rx.cond(r["flagged"] == "1",
                                      rx.hstack(rx.text(r["ratio"]), rx.badge(t("below 4/5"), color_scheme="red"),
                                                spacing="1"),
                                      rx.text(r["ratio"]))], "group-table"),
            section_id="analytics-adverse"),
        spacing="4", width="100%")


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Analytics"), size="7", as_="h1", id="page-title"),
            rx.text(t("What the interviews of a position lead to. No figure made from fewer than 5 people is "
                      "shown: it reads \"fewer than 5\". Every viewing and download is audited."),
                    size="3", color_scheme="gray"),
            rx.cond(S.loaded, rx.vstack(_picker(), _figures(), _groups_form(), _reviews_form(), spacing="4", width="100%"),
                    rx.spinner(size="3")),
            spacing="4",
            width="100%",
            max_width="60em",
            align="start",
        )
    )
