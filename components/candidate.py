"""Pieces the candidate's pages share: the "what's next" checklist and readiness badges."""

from __future__ import annotations

import reflex as rx

from components.i18n import t


def _step(item: rx.Var) -> rx.Component:
    done = item["done"] != ""
    return rx.el.li(
        rx.hstack(
            rx.cond(done, rx.icon("circle-check", color=rx.color("green", 9), size=20, aria_hidden="true"),
                    rx.icon("circle", color=rx.color("gray", 8), size=20, aria_hidden="true")),
            rx.link(item["label"], href=item["href"], weight=rx.cond(item["next"] != "", "bold", "regular"),
                    display="inline-flex", align_items="center", min_height="44px"),
            rx.cond(done, rx.badge(t("Done"), color_scheme="green"),
                    rx.cond(item["next"] != "", rx.badge(t("Next"), color_scheme="blue"))),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        data_step=item["step"],
        data_done=item["done"],
    )


def checklist(items: rx.Var, element_id: str) -> rx.Component:
    """Numbered steps, each a link to its page, ticked from the database."""
    return rx.el.ol(rx.foreach(items, _step), id=element_id, class_name="checklist",
                    style={"listStyle": "none", "padding": "0", "margin": "0"})


def _badge(item: rx.Var) -> rx.Component:
    return rx.badge(
        rx.cond(item["done"] != "", rx.icon("check", size=14, aria_hidden="true"),
                rx.icon("minus", size=14, aria_hidden="true")),
        item["label"],
        color_scheme=rx.cond(item["done"] != "", "green", "gray"),
        size="2",
        white_space="normal",
    )


def readiness(items: rx.Var) -> rx.Component:
    return rx.hstack(rx.foreach(items, _badge), spacing="2", wrap="wrap", class_name="readiness")


CLOCK_SCRIPT = "/clock.js"  # assets/clock.js


def clock(on_tick) -> rx.Component:
    """Recompute the page's countdown and join link every 30 seconds (assets/clock.js
    presses this hidden button; it is neither shown nor focusable)."""
    return rx.fragment(
        rx.script(src=CLOCK_SCRIPT),
        rx.el.button(on_click=on_tick, id="clock-tick", type="button", hidden=True, aria_hidden="true",
                     tab_index=-1),
    )
