"""A recommended course as the development plan and the score report show it: what it
is, when and where, its seats, why it is recommended, and the one-click enrolment."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP


def recommendation(row: rx.Var, on_enrol) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row.title, weight="bold", size="3", class_name="course-title"),
            rx.text(row.format, " · ", row.hours, " · ", row.dates, size="2", color_scheme="gray"),
            rx.cond(row.location != "", rx.text(row.location, size="2", color_scheme="gray")),
            rx.el.ul(rx.foreach(row.reasons, lambda r: rx.el.li(rx.text(r, size="2"), class_name="course-why")),
                     style={"paddingLeft": "1.2em", "margin": 0}),
            rx.hstack(
                rx.button(rx.cond(row.waitlist != "", t("Join the waiting list"), t("Enrol")),
                          on_click=on_enrol(row.id), size="3", min_height=TAP, class_name="course-enrol"),
                rx.text(row.seats, size="2", color_scheme="gray"),
                align="center", wrap="wrap", spacing="3"),
            spacing="2", width="100%"),
        width="100%", class_name="course-recommendation", custom_attrs={"data-code": row.code})
