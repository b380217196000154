"""Preferred times: the weekdays and hours a candidate would like future interviews in."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from state.availability import AvailabilityState as S


def _label(text: rx.Var, html_for: rx.Var) -> rx.Component:
    return rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for)


def _slot(row: rx.Var) -> rx.Component:
    key = row["key"]
    error_id = "slot-error-" + key
    described = rx.cond(row["error_text"] != "", error_id, "")
    control = {"min_height": TAP, "aria_describedby": described, "aria_invalid": rx.cond(row["error_text"] != "", "true", "false")}
    return rx.box(
        rx.flex(
            rx.vstack(
                _label(t("Day"), "weekday-" + key),
                rx.el.select(
                    rx.foreach(S.weekday_options, lambda o: rx.el.option(o[1], value=o[0])),
                    name="weekday-" + key, id="weekday-" + key, default_value=row["weekday"],
                    class_name="slot-weekday",
                    style={"minHeight": TAP, "padding": "0 0.5em", "borderRadius": "var(--radius-2)",
                           "border": "1px solid var(--gray-7)", "background": "var(--color-surface)",
                           "color": "var(--gray-12)", "font": "inherit", "width": "100%", "boxSizing": "border-box"},
                    aria_describedby=described,
                ),
                spacing="1", min_width="10em", flex="1 1 10em",
            ),
            rx.vstack(
                _label(t("From"), "start-" + key),
                rx.input(type="time", name="start-" + key, id="start-" + key, default_value=row["start"],
                         required=True, size="3", class_name="slot-start", **control),
                spacing="1", flex="1 1 7em",
            ),
            rx.vstack(
                _label(t("Until"), "end-" + key),
                rx.input(type="time", name="end-" + key, id="end-" + key, default_value=row["end"],
                         required=True, size="3", class_name="slot-end", **control),
                spacing="1", flex="1 1 7em",
            ),
            rx.button(rx.icon("trash-2", size=16), t("Remove"), type="button", variant="soft", color_scheme="red",
                      size="3", min_height=TAP, on_click=S.remove_slot(key), class_name="slot-remove",
                      align_self="end"),
            spacing="3", wrap="wrap", align="end", width="100%",
        ),
        rx.cond(row["error_text"] != "",
                rx.text(row["error_text"], id=error_id, role="alert", color_scheme="red", size="2",
                        class_name="slot-error", padding_top="0.25em")),
        key=key,
        class_name="slot",
        width="100%",
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-5)",
    )


def page() -> rx.Component:
    return shell(
        rx.heading(t("Preferred times"), size="7", as_="h1", id="page-title"),
        rx.text(t("Tell us when interviews suit you best. HR sees these times when scheduling your next "
                  "interview; they are wishes, not bookings."), color_scheme="gray"),
        rx.text(S.zone_text, size="2", id="zone-text", padding_top="0.5em"),
        rx.form(
            rx.vstack(
                rx.cond(S.rows.length() == 0,
                        rx.text(t("No preferred times yet."), id="no-slots", color_scheme="gray")),
                rx.box(rx.foreach(S.slot_rows, _slot), id="slots", width="100%"),
                rx.cond(S.form_error_text != "",
                        rx.callout(S.form_error_text, icon="triangle-alert", color_scheme="red", role="alert",
                                   id="form-error", width="100%")),
                rx.flex(
                    rx.button(rx.icon("plus", size=16), t("Add a time slot"), type="button", variant="soft",
                              size="3", min_height=TAP, on_click=S.add_slot, disabled=~S.can_add, id="add-slot"),
                    rx.button(t("Save"), type="submit", size="3", min_height=TAP, id="save-slots"),
                    spacing="3", wrap="wrap",
                ),
                spacing="4", width="100%", padding_top="1em",
            ),
            on_submit=S.save,
            width="100%",
            max_width="48em",
        ),
    )
