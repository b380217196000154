"""The interview room: the interview's questions one at a time, with a reading time, a
camera preview, a recorded answer against the answer time (assets/interview_room.js),
or a typed answer where the job allows it; progress through the interview, and what
was saved when the connection ended."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.room import InterviewRoomState as S

ROOM_SCRIPT = "/interview_room.js"  # assets/interview_room.js


def _link(label: rx.Var, href: str, element_id: str) -> rx.Component:
    return rx.link(label, href=href, id=element_id, weight="medium", display="inline-flex",
                   align_items="center", min_height=TAP)


def _status(element_id: str, icon: str, label: rx.Var, *extra: rx.Component, color: str = "gray") -> rx.Component:
    """A line the recorder shows or hides (hidden until then); in both languages already."""
    # The outer element carries `hidden`: an inline display on it would override the attribute.
    return rx.el.div(
        rx.el.p(rx.icon(icon, size=16), rx.el.span(label), *extra,
                style={"display": "flex", "gap": "0.5em", "alignItems": "center", "margin": 0,
                       "color": f"var(--{color}-11)", "flexWrap": "wrap"}),
        id=element_id, hidden=True, role="status", class_name="room-status")


def _clock(element_id: str) -> rx.Component:
    return rx.el.span(id=element_id, style={"fontVariantNumeric": "tabular-nums", "fontWeight": 600})


def _button(label: rx.Var, element_id: str, **props) -> rx.Component:
    return rx.el.button(label, id=element_id, type="button", hidden=True, class_name="room-button",
                        style={"minHeight": TAP, "padding": "0 1em", "borderRadius": "var(--radius-3)",
                               "fontWeight": 500, "cursor": "pointer", "border": "1px solid var(--accent-8)",
                               "background": "var(--accent-9)", "color": "var(--accent-contrast)"}, **props)


def _recorder() -> rx.Component:
    return rx.vstack(
        rx.script(src=ROOM_SCRIPT),
        rx.el.video(id="room-preview", muted=True, auto_play=True, plays_inline=True,
                    aria_label=t("Your camera"),
                    style={"width": "100%", "maxWidth": "28em", "aspectRatio": "4 / 3", "background": "#111",
                           "borderRadius": "var(--radius-3)", "objectFit": "cover"}),
        _status("room-devices-ok", "circle-check",
                t("Camera and microphone are working."), color="green"),
        _status("room-no-camera", "video-off",
                t("The camera or microphone is not available. Allow them in your browser and reload, "
                  "or type your answer if this interview allows it."), color="red"),
        _status("room-phase-reading", "book-open",
                t("Read the question. Recording starts in"), _clock("room-reading-left")),
        _status("room-phase-recording", "circle-dot",
                t("Recording. Time left:"), _clock("room-answer-left"), color="red"),
        _status("room-phase-saving", "upload",
                t("Saving your answer…")),
        _status("room-offline", "wifi-off",
                t("The connection was interrupted. Your recording goes on and is sent when it is back."),
                color="amber"),
        rx.el.p(id="room-error", hidden=True, role="alert", style={"margin": 0, "color": "var(--red-11)"}),
        rx.hstack(
            _button(t("Start recording now"), "room-start"),
            _button(t("Finish my answer"), "room-stop"),
            _button(t("Try again"), "room-retry"),
            _button(t("Submit what was saved"), "room-submit-saved"),
            _button(t("Start over"), "room-retake"),
            spacing="2",
            wrap="wrap",
        ),
        # Pressed by the recorder once the server has taken the answer: not shown, not focusable.
        rx.el.button(on_click=S.answer_saved, id="room-saved", type="button", hidden=True, aria_hidden="true",
                     tab_index=-1),
        rx.el.button(on_click=S.retaken, id="room-retaken", type="button", hidden=True, aria_hidden="true",
                     tab_index=-1),
        id="room",
        custom_attrs={"data-key": S.recorder_key, "data-interview": S.interview_id, "data-question": S.question_id,
                      "data-reading": S.reading_s, "data-limit": S.limit_s, "data-saved": S.saved_chunks,
                      "data-retakes": S.retakes_left, "data-retake-url": routes.REC_RETAKE,
                      "data-chunk-url": routes.REC_CHUNK, "data-resume-url": routes.REC_RESUME,
                      "data-finish-url": routes.REC_FINISH, "data-language": rx.cond(S.lang == "en", "en", "zh")},
        spacing="3",
        width="100%",
    )


def _typed() -> rx.Component:
    has_error = S.error_text != ""
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text(t("Your answer"), size="2", weight="medium"), html_for="room-answer"),
            rx.text_area(name="answer", id="room-answer", rows="10", size="3", width="100%", spell_check=True,
                         aria_invalid=rx.cond(has_error, "true", "false"), aria_describedby="room-answer-error"),
            rx.box(rx.cond(has_error, rx.callout(S.error_text, icon="triangle-alert", color_scheme="red",
                                                 width="100%")),
                   id="room-answer-error", role="alert", width="100%"),
            rx.hstack(
                rx.button(t("Submit my answer"), type="submit", size="3", min_height=TAP, id="room-submit-typed"),
                rx.cond(~S.typed_only,
                        rx.button(t("Record my answer instead"), type="button", variant="soft", size="3",
                                  min_height=TAP, on_click=S.choose_typing(False), id="room-choose-video")),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.submit_typed,
        reset_on_submit=True,
        width="100%",
        id="room-typed-form",
    )


def _question() -> rx.Component:
    return rx.vstack(
        rx.text(S.progress_text, size="2", color_scheme="gray", id="room-progress-text"),
        rx.progress(value=S.progress_value, max=100, width="100%", aria_label=t("Progress")),
        rx.card(
            rx.vstack(
                rx.heading(S.question_text, size="5", as_="h2", id="room-question", white_space="pre-line"),
                rx.text(S.limits_text, size="2", color_scheme="gray", id="room-limits"),
                rx.text(S.retakes_text, size="2", color_scheme="gray", id="room-retakes"),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(S.saved_text != "", rx.callout(S.saved_text, icon="save", color_scheme="amber", width="100%",
                                               id="room-saved-part")),
        rx.cond(
            S.typing,
            _typed(),
            rx.vstack(
                _recorder(),
                rx.cond(S.typed_allowed & (S.saved_chunks == 0),
                        rx.button(t("Type my answer instead"), variant="soft", size="3", min_height=TAP,
                                  on_click=S.choose_typing(True), id="room-choose-typing")),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    back = _link(t("Back to my interviews"), routes.CANDIDATE_INTERVIEWS, "room-back")
    return rx.cond(
        S.refused,
        back,
        rx.cond(
            ~S.has_consent,
            rx.vstack(rx.callout(t("Your answers are recorded and analysed only with your consent. Give it on the "
                                   "consent page first."), icon="info", width="100%", id="room-needs-consent"),
                      _link(t("Go to the consent page"), routes.CANDIDATE_CONSENT, "room-consent-link"),
                      width="100%"),
            rx.cond(
                S.finished,
                rx.vstack(rx.callout(t("All your answers are saved. Thank you: your report follows once they are "
                                       "scored and reviewed."), icon="circle-check", color_scheme="green",
                                     width="100%", id="room-finished"), back, width="100%"),
                rx.cond(S.join_state == "open", _question(),
                        rx.vstack(rx.callout(S.window_text, icon="clock", width="100%", id="room-window"), back,
                                  width="100%")),
            ),
        ),
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Interview room"), size="7", as_="h1", id="page-title"),
            rx.text(S.title, size="3", color_scheme="gray", id="room-job"),
            rx.cond(S.loaded, _body(), rx.spinner(size="3")),
            spacing="4",
            width="100%",
            max_width="48em",
            align="start",
        )
    )
