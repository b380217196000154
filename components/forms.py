"""Form building blocks: cards, labelled fields, messages, native POST forms.

Sign-in forms are native HTML forms posting to portal/auth_routes.py, so
passwords, codes and session cookies never pass through a Reflex state var.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from components.i18n import t


def field(label: rx.Var, name: str, *, type: str = "text", autocomplete: str = "off",
          required: bool = True, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=f"f-{name}"),
        rx.input(name=name, id=f"f-{name}", type=type, auto_complete=autocomplete, required=required,
                 size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def messages(error: rx.Var, notice: rx.Var) -> rx.Component:
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert",
                                        id="form-error", width="100%")),
        rx.cond(notice != "", rx.callout(notice, icon="info", color_scheme="green", role="status",
                                         id="form-notice", width="100%")),
    )


class NativeForm(BaseHTML):
    """A plain <form>: the browser posts it. (rx.el.form always intercepts submit
    to turn it into a websocket event, which must not carry these secrets.)"""

    tag = "form"
    method: rx.Var[str]
    action: rx.Var[str]
    enc_type: rx.Var[str]  # multipart/form-data for file uploads


def post_form(action: str, *children: rx.Component, **props) -> rx.Component:
    return NativeForm.create(*children, method="post", action=action, **{"width": "100%", **props})


def submit(label: rx.Var, **props) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", **props)


def card(title: rx.Var, *children: rx.Component, subtitle: rx.Var | None = None) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6", as_="h1", id="page-title"),
                rx.text(subtitle, color_scheme="gray", size="2") if subtitle is not None else rx.fragment(),
                *children,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="28em",
        ),
        width="100%",
        padding_y=["1em", "3em"],
    )


def secret_frame(src: str, frame_id: str, title: rx.Var, height: str) -> rx.Component:
    """A same-origin frame showing a secret the server renders (TOTP key, recovery codes)."""
    return rx.el.iframe(src=src, id=frame_id, title=title, width="100%", height=height,
                        border="0", style={"border": "0", "colorScheme": "normal"})


def hidden(name: str, value: rx.Var | str) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)


__all__ = ["card", "field", "hidden", "messages", "post_form", "secret_frame", "submit", "t"]
