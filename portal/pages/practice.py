"""Scored practice: questions of the practice bank, a timer, a typed answer, feedback
within seconds (score per competency, the sentences that counted, one thing to do
better), a retry, and the history of every attempt."""

from __future__ import annotations

import reflex as rx

from components.evidence import sentence_list
from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.practice import AttemptView, CompetencyView, QuestionHistoryView
from state.practice import PracticeState as S

TIMER_SCRIPT = "/practice_timer.js"  # assets/practice_timer.js


def _section(title: rx.Var, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _consent_link() -> rx.Component:
    return rx.link(t("Go to the consent page"), href=routes.CANDIDATE_CONSENT, id="practice-consent-link",
                   weight="medium", display="inline-flex", align_items="center", min_height=TAP)


def _question_row(q: rx.Var, index: int) -> rx.Component:
    chosen = S.selected_id == q["id"]
    return rx.hstack(
        rx.vstack(
            rx.text(q["text"], size="3", weight=rx.cond(chosen, "bold", "regular")),
            rx.text(q["job"], " · ", t("Time limit"), " ", q["limit"], size="1", color_scheme="gray"),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.button(rx.cond(chosen, t("Start again"), t("Practise")), on_click=S.choose(q["id"]), size="3",
                  min_height=TAP, variant=rx.cond(chosen, "soft", "solid"), aria_pressed=chosen,
                  id=f"practice-start-{index}", flex_shrink="0"),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
        class_name="practice-question",
    )


def _questions() -> rx.Component:
    return _section(
        t("Practice questions"),
        rx.cond(
            S.questions.length() > 0,
            rx.vstack(rx.foreach(S.questions, _question_row), spacing="4", width="100%"),
            rx.text(t("You have no interview to practise for yet."), id="practice-none"),
        ),
    )


def _timer() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("timer", size=18),
            rx.text(t("Time left"), size="2"),
            # Filled by assets/practice_timer.js every quarter second; not announced each tick.
            rx.el.span(id="practice-timer-value", style={"fontVariantNumeric": "tabular-nums",
                                                         "fontWeight": 600}),
            align="center",
            spacing="2",
            role="timer",
            aria_live="off",
        ),
        rx.el.p(t("Time is up. Finish your thought; you can still submit."), id="practice-time-up",
                hidden=True, role="status", style={"margin": "0.25em 0 0", "color": "var(--amber-11)"}),
        id="practice-timer",
        custom_attrs={"data-key": S.timer_key, "data-seconds": S.time_limit_s},
    )


def _answer_form() -> rx.Component:
    has_error = S.error_text != ""
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text(t("Your answer"), size="2", weight="medium"), html_for="practice-answer"),
            rx.text_area(name="answer", id="practice-answer", rows="8", size="3", width="100%",
                         auto_complete=False, spell_check=True,
                         aria_invalid=rx.cond(has_error, "true", "false"),
                         aria_describedby="practice-answer-hint practice-answer-error"),
            rx.text(S.answer_hint, " ",
                    t("Speech recognition is not used: your browser would send your voice to a cloud service."),
                    size="1", color_scheme="gray", id="practice-answer-hint"),
            # Next to the field, announced as soon as it appears.
            rx.box(
                rx.cond(has_error,
                        rx.callout(S.error_text, icon="triangle-alert", color_scheme="red", width="100%")),
                rx.cond(S.consent_missing, _consent_link()),
                id="practice-answer-error",
                role="alert",
                width="100%",
            ),
            rx.button(rx.cond(S.phase == "scoring", t("Scoring…"), t("Submit for feedback")), type="submit",
                      size="3", min_height=TAP, id="practice-submit", disabled=S.phase == "scoring",
                      loading=S.phase == "scoring"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
        id="practice-form",
        width="100%",
    )



def _competency(c: CompetencyView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(c.name, weight="bold", size="3"),
            rx.spacer(),
            rx.text(c.score, weight="bold", size="4", class_name="practice-score"),
            rx.text(" / ", t("required"), " ", c.required, size="2", color_scheme="gray"),
            rx.cond(c.met, rx.badge(t("Meets the level"), color_scheme="green"),
                    rx.badge(t("Below the level"), color_scheme="amber")),
            align="center",
            wrap="wrap",
            spacing="2",
            width="100%",
        ),
        rx.progress(value=c.value, max=100, width="100%", aria_label=c.name,
                    color_scheme=rx.cond(c.met, "green", "amber")),
        rx.cond(
            c.evidence.length() > 0,
            sentence_list(c.evidence, "practice-evidence"),
            rx.text(t("No sentence of your answer showed this yet."), size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
        class_name="practice-competency",
    )


def _feedback() -> rx.Component:
    return rx.cond(
        S.phase == "feedback",
        rx.vstack(
            rx.heading(t("Feedback"), size="5", as_="h2", id="practice-feedback-title"),
            rx.hstack(rx.text(t("Overall"), size="3"), rx.text(S.overall, size="6", weight="bold",
                                                              id="practice-overall"),
                      align="baseline", spacing="2"),
            rx.callout.root(
                rx.callout.icon(rx.icon("lightbulb")),
                rx.vstack(rx.text(t("One thing to do better"), weight="bold"),
                          rx.callout.text(S.tip, id="practice-tip"), spacing="1"),
                color_scheme="indigo",
                width="100%",
            ),
            rx.text(t("Score per competency, with the sentences of your answer that counted:"), size="2",
                    color_scheme="gray"),
            rx.vstack(rx.foreach(S.competencies, _competency), spacing="4", width="100%",
                      id="practice-competencies"),
            rx.hstack(
                rx.button(rx.icon("rotate-ccw", size=16), t("Try again"), on_click=S.retry, size="3",
                          min_height=TAP, id="practice-retry"),
                wrap="wrap",
                spacing="3",
            ),
            spacing="3",
            width="100%",
            id="practice-feedback",
        ),
    )


def _answering() -> rx.Component:
    return rx.cond(
        S.selected_id != "",
        _section(
            t("Your question"),
            rx.text(S.selected["text"], size="4", weight="medium", id="practice-question"),
            rx.cond(S.phase == "", _timer()),  # while answering; a retry starts it again
            _answer_form(),
            rx.box(rx.cond(S.status_text != "", rx.callout(S.status_text, icon="info", width="100%",
                                                           color_scheme=rx.cond(S.phase == "scoring", "gray",
                                                                                "amber"))),
                   role="status", aria_live="polite", id="practice-status", width="100%"),
            _feedback(),
            id="practice-answering",
        ),
    )


def _attempt(a: AttemptView) -> rx.Component:
    return rx.hstack(
        rx.text(a.number, weight="medium", size="2"),
        rx.text(a.when, size="2", color_scheme="gray"),
        rx.cond(a.overall != "",
                rx.text(t("Overall"), " ", a.overall, size="2", weight="bold"),
                rx.badge(a.status, color_scheme="gray")),
        rx.cond(a.change != "", rx.badge(a.change, color_scheme=rx.cond(a.improved, "green", "gray"))),
        rx.text(a.scores, size="1", color_scheme="gray", width="100%"),
        wrap="wrap",
        spacing="2",
        width="100%",
        align="center",
        class_name="practice-attempt",
    )


def _history_entry(h: QuestionHistoryView) -> rx.Component:
    return rx.vstack(
        rx.text(h.question, weight="medium", size="3"),
        rx.text(h.summary, size="2", class_name="practice-improvement"),
        rx.vstack(rx.foreach(h.attempts, _attempt), spacing="2", width="100%"),
        rx.separator(size="4"),
        spacing="2",
        width="100%",
        class_name="practice-history-question",
    )


def _history() -> rx.Component:
    return _section(
        t("Your practice history"),
        rx.cond(S.history.length() > 0,
                rx.vstack(rx.foreach(S.history, _history_entry), spacing="4", width="100%"),
                rx.text(t("No attempts yet."), color_scheme="gray")),
        id="practice-history",
    )


def page() -> rx.Component:
    return shell(
        rx.script(src=TIMER_SCRIPT),
        rx.vstack(
            rx.heading(t("Practice"), size="7", as_="h1", id="page-title"),
            rx.text(t("Questions from the practice bank of the job you are interviewing for, never the real "
                      "interview questions. Answer in writing; the scoring service gives you a score per "
                      "competency, the sentences that counted and one thing to do better."), color_scheme="gray"),
            rx.cond(S.loaded & ~S.has_consent,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("shield-check")),
                        rx.vstack(rx.callout.text(t("Practice answers are analysed only with your consent. Give it "
                                                    "on the consent page first.")),
                                  _consent_link(), spacing="1"),
                        color_scheme="amber", width="100%", id="practice-consent-needed")),
            _questions(),
            _answering(),
            _history(),
            spacing="4",
            width="100%",
        ),
    )
