"""The frame every page lives in: header with role-dependent navigation,
language switch and theme toggle; a drawer menu at phone width; footer."""

from __future__ import annotations

import reflex as rx

from components.forms import post_form
from components.i18n import t
from portal import routes
from state.base import BaseState


def _nav_link(item: rx.Var) -> rx.Component:
    return rx.link(item["label"], href=item["href"], weight="medium", underline="none",
                   color_scheme="gray", high_contrast=True, padding_y="0.25em")


def language_switch() -> rx.Component:
    return rx.button(
        rx.icon("languages", size=16),
        BaseState.other_language_name,
        on_click=BaseState.toggle_locale,
        variant="soft",
        size="2",
        aria_label=t("Switch language"),
        id="language-switch",
    )


def theme_toggle() -> rx.Component:
    return rx.icon_button(
        rx.color_mode_cond(light=rx.icon("moon", size=16), dark=rx.icon("sun", size=16)),
        on_click=rx.toggle_color_mode,
        variant="soft",
        size="2",
        aria_label=t("Switch light or dark theme"),
        id="theme-toggle",
    )


def account_controls() -> rx.Component:
    """Signed in: the user's name and a sign-out form (a POST: it ends the server session).
    Otherwise: a sign-in link."""
    return rx.cond(
        BaseState.signed_in,
        post_form(
            routes.AUTH_LOGOUT,
            rx.hstack(
                rx.text(BaseState.display_name, size="2", weight="medium", id="user-name",
                        display=["none", "none", "block"], white_space="nowrap"),
                rx.icon_button(rx.icon("log-out", size=16), type="submit", variant="soft", size="2",
                               aria_label=t("Sign out"), id="sign-out"),
                align="center",
                spacing="2",
            ),
            width="auto",
        ),
        rx.link(rx.button(t("Sign in"), size="2", variant="solid"), href=routes.LOGIN, id="sign-in"),
    )


def _mobile_menu() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu", size=18), variant="soft", aria_label=t("Menu"), id="menu-button")
        ),
        rx.drawer.overlay(z_index="20"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.drawer.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label=t("Close menu"))),
                    rx.foreach(BaseState.nav_items, _nav_link),
                    spacing="4",
                    padding="1.5em",
                    align="start",
                ),
                background_color=rx.color("gray", 1),
                height="100%",
                width="16em",
                top="0",
                right="0",
                z_index="30",
            )
        ),
        direction="right",
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("briefcase-business", size=22, color=rx.color("accent", 9)),
                    rx.text(t("Talent Portal"), weight="bold", size="4", white_space="nowrap"),
                    align="center",
                    spacing="2",
                ),
                href=routes.HOME,
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            rx.hstack(
                rx.foreach(BaseState.nav_items, _nav_link),
                spacing="5",
                display=["none", "none", "flex"],
            ),
            rx.spacer(),
            rx.hstack(
                account_controls(),
                language_switch(),
                theme_toggle(),
                rx.box(_mobile_menu(), display=["block", "block", "none"]),
                spacing="2",
                align="center",
                flex_shrink="0",
            ),
            align="center",
            gap=["0.5em", "0.75em", "1.5em"],
            width="100%",
            max_width="72em",
            margin_x="auto",
            padding_x=["0.75em", "1.5em"],
            padding_y="0.75em",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.text(
            t("Runs on your organisation's own server. No interview data leaves it."),
            size="1",
            color_scheme="gray",
            text_align="center",
        ),
        padding="1.5em",
        width="100%",
    )


def flash() -> rx.Component:
    """The message of the last action (success or refusal), in the page."""
    return rx.cond(
        BaseState.flash_text != "",
        rx.callout.root(
            rx.hstack(
                rx.callout.text(BaseState.flash_text, id="flash-text"),
                rx.spacer(),
                rx.icon_button(rx.icon("x", size=14), variant="ghost", size="1", on_click=BaseState.clear_flash,
                               aria_label=t("Close")),
                width="100%",
                align="center",
            ),
            color_scheme=rx.cond(BaseState.flash_kind == "error", "red", "green"),
            role=rx.cond(BaseState.flash_kind == "error", "alert", "status"),
            id="flash",
            margin_bottom="1em",
        ),
    )


def shell(*children: rx.Component) -> rx.Component:
    """Wrap a page's content in the site frame."""
    return rx.flex(
        header(),
        rx.el.main(
            flash(),
            *children,
            width="100%",
            max_width="72em",
            margin_x="auto",
            padding_x=["1em", "1.5em"],
            padding_y="1.5em",
            flex="1",
        ),
        footer(),
        direction="column",
        min_height="100vh",
        width="100%",
        lang=rx.cond(BaseState.lang == "en", "en", "zh-CN"),
    )
