"""One interview's answers for its reviewer: the recording (played from the portal
after an access check), the transcript, delivery figures, the AI's score per competency
with the sentences that supported it, and the reviewer's own level and note beside it;
a disagreement of more than one level is flagged."""

from __future__ import annotations

import reflex as rx

from components.evidence import sentence_list
from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.review import AnswerRow, CompetencyRow
from state.review import InterviewReviewState as S

LEVELS = ("1", "2", "3", "4", "5")



def _rating_form(answer: AnswerRow, c: CompetencyRow) -> rx.Component:
    return rx.form(
        rx.el.input(type="hidden", name="answer", value=answer.id),
        rx.el.input(type="hidden", name="competency", value=c.key),
        rx.hstack(
            rx.el.label(t("My level"), html_for=c.form_id + "-level", style={"fontSize": "0.9em"}),
            rx.el.select(
                rx.el.option(t("Choose"), value=""),
                *[rx.el.option(level, value=level) for level in LEVELS],
                name="level", id=c.form_id + "-level", default_value=c.my_level,
                style={"minHeight": TAP, "padding": "0 0.5em", "borderRadius": "var(--radius-2)",
                       "border": "1px solid var(--gray-7)", "background": "var(--color-background)"},
            ),
            rx.button(t("Save rating"), type="submit", size="3", min_height=TAP, class_name="review-save"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text_area(name="note", default_value=c.my_note, placeholder=t("Note (only reviewers see it)"),
                     rows="2", width="100%", aria_label=t("Note (only reviewers see it)")),
        on_submit=S.rate,
        reset_on_submit=False,
        id=c.form_id,
        width="100%",
    )


def _competency(answer: AnswerRow):
    def row(c: CompetencyRow) -> rx.Component:
        return rx.vstack(
            rx.hstack(
                rx.text(c.name, weight="bold"),
                rx.spacer(),
                rx.cond(c.ai != "", rx.text(t("AI"), " ", c.ai, size="2"),
                        rx.text(t("AI: not scored yet"), size="2", color_scheme="gray")),
                rx.text(t("required"), " ", c.required, size="2", color_scheme="gray"),
                rx.cond(c.disagrees, rx.badge(t("Differs from the AI by more than one level"), color_scheme="amber",
                                              class_name="review-disagrees")),
                wrap="wrap",
                spacing="2",
                align="center",
                width="100%",
            ),
            rx.cond(c.evidence.length() > 0,
                    sentence_list(c.evidence, "review-evidence")),
            rx.cond(S.may_rate, _rating_form(answer, c)),
            spacing="2",
            width="100%",
            class_name="review-competency",
        )
    return row


def _answer(a: AnswerRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(a.question, size="4", as_="h2"),
            rx.hstack(rx.badge(a.status), rx.text(a.submitted, size="2", color_scheme="gray"),
                      rx.cond(a.overall != "", rx.text(t("Overall"), " ", a.overall, size="2", weight="bold")),
                      spacing="2", wrap="wrap", align="center"),
            rx.cond(a.spoken, rx.el.video(src=a.media, controls=True, preload="metadata", class_name="review-video",
                                          style={"width": "100%", "maxWidth": "32em",
                                                 "borderRadius": "var(--radius-3)", "background": "#111"})),
            rx.cond(a.delivery != "", rx.text(t("Delivery"), ": ", a.delivery, size="2", color_scheme="gray")),
            rx.cond(a.transcript != "",
                    rx.box(rx.text(t("Transcript"), size="2", weight="medium"),
                           rx.text(a.transcript, size="3", white_space="pre-line", class_name="review-transcript"),
                           width="100%")),
            rx.foreach(a.competencies, _competency(a)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="review-answer",
    )


def page() -> rx.Component:
    back = rx.link(t("Back to my candidates"), href=routes.REVIEW_HOME, id="review-back", display="inline-flex",
                   align_items="center", min_height=TAP)
    return shell(
        rx.vstack(
            rx.heading(t("Interview review"), size="7", as_="h1", id="page-title"),
            rx.cond(
                S.loaded,
                rx.cond(
                    S.refused,
                    back,
                    rx.vstack(
                        rx.text(S.title, size="4", weight="medium", id="review-title"),
                        rx.text(S.when, size="2", color_scheme="gray"),
                        rx.cond(~S.sensitive, rx.callout(
                            t("Transcripts, evidence and recordings are shown to the interviewers of this "
                              "interview and to HR managers who have confirmed it is them."),
                            icon="lock", width="100%", id="review-limited")),
                        rx.cond(S.needs_reauth, rx.link(t("Confirm it is you to see them"), href=S.reauth_href,
                                                        id="review-reauth", min_height=TAP, display="inline-flex",
                                                        align_items="center")),
                        rx.match(
                            S.publication,
                            ("waiting", rx.callout(rx.vstack(
                                rx.text(t("Every answer is scored. The candidate sees the score report once you "
                                          "publish it; the summary e-mail goes then.")),
                                rx.button(t("Publish the report"), on_click=S.publish, size="3", min_height=TAP,
                                          id="review-publish"),
                                spacing="2"), icon="send", width="100%", id="review-publication")),
                            ("published", rx.callout(t("The score report is published to the candidate."),
                                                     icon="circle-check", color_scheme="green", width="100%",
                                                     id="review-publication")),
                            rx.fragment()),
                        rx.cond(S.answers.length() > 0,
                                rx.vstack(rx.foreach(S.answers, _answer), spacing="4", width="100%"),
                                rx.text(t("No answer has been given yet."), id="review-no-answers")),
                        back,
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.spinner(size="3"),
            ),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
