"""The candidate's score report: overall match and where it stands among the job's
candidates, the radar chart against the required levels, per competency the score, the
gap and the sentences of the candidate's own answers that supported it, strengths and
areas to improve in plain words."""

from __future__ import annotations

import reflex as rx

from components.courses import recommendation
from components.evidence import sentence_list
from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.report import ReportRow
from state.report import ReportState as S



def _row(row: ReportRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.name, weight="bold", size="3"),
            rx.spacer(),
            rx.text(row.score, weight="bold", size="4", class_name="report-score"),
            rx.text(" / ", t("required"), " ", row.required, size="2", color_scheme="gray"),
            rx.cond(row.gap != "", rx.badge(row.gap, color_scheme=rx.cond(row.below, "amber", "green"))),
            wrap="wrap",
            spacing="2",
            align="center",
            width="100%",
        ),
        rx.cond(row.percentile != "", rx.text(row.percentile, size="2", color_scheme="gray")),
        rx.cond(row.evidence.length() > 0,
                sentence_list(row.evidence, "report-evidence")),
        spacing="1",
        width="100%",
        class_name="report-competency",
    )


def _list(title: rx.Var, items: rx.Var, element_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"),
                  rx.el.ul(rx.foreach(items, lambda i: rx.el.li(rx.text(i, size="3"))),
                           style={"paddingLeft": "1.2em", "margin": 0}),
                  spacing="2", width="100%"),
        width="100%", id=element_id)


def _human_review() -> rx.Component:
    has_error = S.review_error != ""
    return rx.card(rx.vstack(
        rx.heading(t("Ask for a human review"), size="4", as_="h2"),
        rx.match(
            S.review_status,
            ("open", rx.callout(t("You asked for a human review. A person reviews your report and answers you by "
                                  "e-mail."), icon="clock", width="100%", id="review-open")),
            ("resolved", rx.callout(rx.text(t("The answer of the human review"), ": ", S.review_response,
                                            white_space="pre-line"), icon="circle-check", color_scheme="green",
                                    width="100%", id="review-answer")),
            rx.form(
                rx.vstack(
                    rx.el.label(rx.text(t("Why should a person look at your report again?"), size="2"),
                                html_for="review-reason"),
                    rx.text_area(name="reason", id="review-reason", rows="3", width="100%",
                                 aria_invalid=rx.cond(has_error, "true", "false"),
                                 aria_describedby="review-reason-error"),
                    rx.box(rx.cond(has_error, rx.callout(S.review_error, icon="triangle-alert", color_scheme="red",
                                                         width="100%")), id="review-reason-error", role="alert",
                           width="100%"),
                    rx.button(t("Ask for a human review"), type="submit", size="3", min_height=TAP,
                              id="review-ask"),
                    spacing="2", width="100%"),
                on_submit=S.ask_review, reset_on_submit=False, width="100%"),
        ),
        spacing="2", width="100%"), width="100%", id="report-human-review")


def _report() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(rx.text(t("Overall match"), size="2", color_scheme="gray"),
                      rx.heading(S.overall, size="8", id="report-overall"), spacing="0"),
            rx.text(S.overall_percentile, size="3", id="report-percentile", flex="1", min_width="12em"),
            align="center",
            spacing="5",
            wrap="wrap",
            width="100%",
        ),
        rx.box(rx.html(S.chart), id="report-radar", width="100%", max_width="24em"),
        # a plain download, not a client-side navigation
        rx.el.a(rx.button(rx.icon("file-down", size=16), t("Download as PDF"), variant="soft", size="3",
                          min_height=TAP, tab_index=-1),
                href=S.pdf_href, id="report-pdf", custom_attrs={"reloadDocument": True}),
        rx.grid(_list(t("Your strengths"), S.strengths, "report-strengths"),
                _list(t("What to improve"), S.improvements, "report-improvements"),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
        rx.card(rx.vstack(rx.heading(t("By competency"), size="4", as_="h2"), rx.foreach(S.rows, _row),
                          spacing="4", width="100%"), width="100%"),
        rx.cond(S.decision.length() > 0,
                rx.callout(rx.vstack(rx.foreach(S.decision, lambda d: rx.text(d, size="2")), spacing="1"),
                           icon="scale", width="100%", id="report-decision")),
        _list(t("Next steps"), S.next_steps, "report-next-steps"),
        rx.cond(S.recommended.length() > 0, rx.vstack(
            rx.heading(t("Courses for your gaps"), size="4", as_="h2"),
            rx.grid(rx.foreach(S.recommended, lambda r: recommendation(r, S.enrol)),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
            rx.link(t("Open my development plan"), href=routes.DEVELOPMENT, id="report-plan-link",
                    display="inline-flex", align_items="center", min_height=TAP),
            spacing="3", width="100%", id="report-courses")),
        rx.text(t("A person makes every decision. The AI's scores are one piece of evidence for the interviewers; "
                  "they never hire or reject anyone on their own, and you can ask for a human review of your report."),
                size="2", color_scheme="gray"),
        _human_review(),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    back = rx.link(t("Back to my interviews"), href=routes.CANDIDATE_INTERVIEWS, id="report-back",
                   display="inline-flex", align_items="center", min_height=TAP)
    return shell(
        rx.vstack(
            rx.heading(t("Your score report"), size="7", as_="h1", id="page-title"),
            rx.text(S.title, size="3", color_scheme="gray", id="report-job"),
            rx.cond(
                S.loaded,
                rx.cond(S.refused, back,
                        rx.cond(S.ready, _report(),
                                rx.callout(rx.cond(S.awaiting_hr,
                                                   t("Every answer is scored. HR reviews the report and publishes "
                                                     "it to you; you get an e-mail then."),
                                                   t("Your report appears here once every answer is scored and the "
                                                     "interview is completed.")),
                                           icon="clock", width="100%", id="report-not-ready"))),
                rx.spinner(size="3"),
            ),
            back,
            spacing="4",
            width="100%",
            max_width="48em",
            align="start",
        )
    )
