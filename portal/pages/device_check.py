"""The candidate's device check: camera, microphone, network and browser, in the
browser against the portal itself (portal/static/device_check.js does the measuring;
the saved result below comes from the server)."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.device_check import DeviceCheckState as S



def _script_words() -> rx.Component:
    """The script's words, in the page's language (it reads them when it speaks)."""
    return rx.el.div(id="dc-texts", hidden=True, custom_attrs={
        "data-camera": t("Checking the camera…"),
        "data-microphone": t("Checking the microphone…"),
        "data-recording": t("Recording for 3 seconds: say a few words…"),
        "data-network": t("Measuring the connection to the portal…"),
        "data-finished": t("The check is finished. The result is below."),
        "data-failed": t("The check stopped unexpectedly. Reload the page and run it again."),
    })


def _badge(ok_key: str) -> rx.Component:
    return rx.cond(
        S.has_result,
        rx.cond(S.result[ok_key] != "",
                rx.badge(rx.icon("check", size=14), t("Ready"), color_scheme="green", size="2"),
                rx.badge(rx.icon("triangle-alert", size=14), t("Needs attention"), color_scheme="red", size="2")),
        rx.badge(t("Not checked yet"), color_scheme="gray", size="2"),
    )


def _part(title: rx.Var, icon: str, key: str, *extra: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=20), rx.heading(title, size="4", as_="h2"), rx.spacer(), _badge(key + "_ok"),
                      align="center", width="100%", wrap="wrap"),
            *extra,
            rx.text(rx.cond(S.has_result, S.result[key], ""), size="3", id=f"dc-{key}-result",
                    overflow_wrap="anywhere"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _camera() -> rx.Component:
    return _part(
        t("Camera"), "video", "camera",
        rx.el.video(id="dc-preview", auto_play=True, muted=True, plays_inline=True,
                    aria_label=t("Camera preview"),
                    style={"width": "100%", "maxWidth": "24em", "aspectRatio": "16 / 9", "background": "#111",
                           "borderRadius": "8px", "objectFit": "cover"}),
    )


def _microphone() -> rx.Component:
    return _part(
        t("Microphone"), "mic", "microphone",
        rx.el.label(t("Microphone level"), html_for="dc-level", style={"fontSize": "14px"}),
        rx.el.meter(id="dc-level", min=0, max=1, low=0.02, value=0, style={"width": "100%", "height": "20px"}),
        rx.el.label(t("Your 3-second recording"), html_for="dc-playback", style={"fontSize": "14px"}),
        rx.el.audio(id="dc-playback", controls=True, style={"width": "100%", "maxWidth": "24em"}),
    )


def _advice() -> rx.Component:
    return rx.cond(
        S.advice.length() > 0,
        rx.callout.root(
            rx.vstack(
                rx.heading(t("What to improve"), size="3", as_="h2"),
                rx.el.ul(rx.foreach(S.advice, lambda a: rx.el.li(a)), id="dc-advice",
                         style={"paddingLeft": "1.2em", "margin": 0}),
                spacing="2",
            ),
            color_scheme="amber",
            width="100%",
        ),
    )


def _save_form() -> rx.Component:
    # The script fills the field and submits: the figures arrive as a Reflex event.
    return rx.form(
        rx.el.input(type="hidden", name="result", id="dc-result"),
        on_submit=S.save,
        id="dc-form",
        reset_on_submit=True,
    )


def page() -> rx.Component:
    return shell(
        rx.script(src=routes.DEVICE_CHECK_SCRIPT),
        rx.vstack(
            rx.heading(t("Device check"), size="7", as_="h1", id="page-title"),
            rx.text(t("Check your camera, microphone, network and browser before the interview. The picture "
                      "and the short recording stay in this browser; only the figures are saved."),
                    color_scheme="gray"),
            rx.cond(S.has_interview,
                    rx.text(t("For your interview:"), " ", S.interview_label, weight="medium", id="dc-interview"),
                    rx.text(t("You have no upcoming interview. The result is kept for your next one."),
                            id="dc-interview")),
            rx.hstack(
                rx.button(rx.icon("play", size=16), rx.cond(S.has_result, t("Run the check again"),
                                                            t("Start the check")),
                          id="dc-start", size="3", min_height=TAP, type="button"),
                rx.text(S.checked_at, size="2", color_scheme="gray", id="dc-checked-at"),
                align="center", wrap="wrap", spacing="3",
            ),
            # Filled by the script as it goes; announced by screen readers.
            rx.el.p(id="dc-status", role="status", aria_live="polite", style={"minHeight": "1.5em", "margin": 0}),
            _script_words(),
            rx.box(
                rx.cond(S.save_error != "",
                        rx.callout(S.save_error, icon="triangle-alert", color_scheme="red", id="dc-error")),
                rx.cond(S.saved_text != "",
                        rx.callout(S.saved_text, icon="check", color_scheme="green", id="dc-saved")),
                role="status", aria_live="assertive", width="100%",
            ),
            _advice(),
            rx.grid(
                _camera(),
                _microphone(),
                _part(t("Network"), "wifi", "network",
                      rx.text(t("Needed: at least 1.5 Mbps up and down, and answers within 300 ms."), size="2",
                              color_scheme="gray")),
                _part(t("Browser"), "globe", "browser",
                      rx.text(t("Needed: video calls (WebRTC), camera and microphone access, and video recording. "
                                "The latest Chrome, Edge or Firefox has all of them."), size="2",
                              color_scheme="gray")),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            _save_form(),
            spacing="4",
            width="100%",
        ),
    )
