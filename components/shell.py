"""The frame every page lives in: header with role-dependent navigation,
language switch and theme toggle; a drawer menu at phone width; footer."""

from __future__ import annotations

import reflex as rx

from components.forms import post_form
from components.i18n import t
from portal import routes
from state.base import BaseState


# Touch targets: at least 44 px square (WCAG 2.5.5); Radix's sizes stop at 40.
TAP = "44px"


def _nav_link(item: rx.Var) -> rx.Component:
    return rx.link(item["label"], href=item["href"], weight="medium", underline="none",
                   color_scheme="gray", high_contrast=True, display="inline-flex", align_items="center",
                   min_height=TAP, white_space="nowrap")


def _menu_link(item: rx.Var) -> rx.Component:
    return rx.link(item["label"], href=item["href"], weight="medium", underline="none", color_scheme="gray",
                   high_contrast=True, size="4", display="flex", align_items="center", min_height=TAP,
                   width="100%")


def language_switch(element_id: str = "language-switch", **props) -> rx.Component:
    return rx.button(
        rx.icon("languages", size=16),
        BaseState.other_language_name,
        on_click=BaseState.toggle_locale,
        # assets/locale.js writes this into the language cookie on the same click
        custom_attrs={"data-next-locale": rx.cond(BaseState.lang == "zh_CN", "en", "zh_CN")},
        variant="soft",
        size="3",
        min_height=TAP,
        aria_label=t("Switch language"),
        id=element_id,
        **props,
    )


def _theme_icon() -> rx.Component:
    return rx.color_mode_cond(light=rx.icon("moon", size=18), dark=rx.icon("sun", size=18))


def theme_toggle() -> rx.Component:
    return rx.icon_button(
        _theme_icon(),
        on_click=rx.toggle_color_mode,
        variant="soft",
        size="3",
        width=TAP,
        height=TAP,
        aria_label=t("Switch light or dark theme"),
        id="theme-toggle",
    )


def _menu_theme_toggle() -> rx.Component:
    return rx.button(_theme_icon(), t("Switch light or dark theme"), on_click=rx.toggle_color_mode,
                     variant="soft", size="3", min_height=TAP, width="100%", id="menu-theme-toggle")


def sign_out_button(element_id: str = "sign-out", **props) -> rx.Component:
    """A POST form (it ends the server session), labelled in words, not just an icon."""
    return post_form(
        routes.AUTH_LOGOUT,
        rx.button(rx.icon("log-out", size=16), t("Sign out"), type="submit", variant="soft", size="3",
                  min_height=TAP, id=element_id, **props),
        width="auto",
    )


def sign_in_button() -> rx.Component:
    return rx.link(rx.button(t("Sign in"), size="3", variant="solid", min_height=TAP), href=routes.LOGIN,
                   id="sign-in")


def _mobile_menu() -> rx.Component:
    """At phone width the header holds only the logo, sign-in (visitors) and this
    menu: navigation, language, theme and sign-out live here, in words."""
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu", size=20), variant="soft", size="3", width=TAP, height=TAP,
                           aria_label=t("Menu"), id="menu-button")
        ),
        rx.drawer.overlay(z_index="20"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.cond(BaseState.signed_in,
                                rx.text(BaseState.display_name, weight="bold", id="menu-user-name",
                                        overflow_wrap="anywhere")),
                        rx.spacer(),
                        rx.drawer.close(rx.icon_button(rx.icon("x", size=20), variant="ghost", size="3",
                                                       width=TAP, height=TAP, aria_label=t("Close menu"))),
                        width="100%",
                        align="center",
                    ),
                    rx.foreach(BaseState.nav_items, _menu_link),
                    rx.separator(size="4"),
                    language_switch("menu-language-switch", width="100%"),
                    _menu_theme_toggle(),
                    rx.cond(BaseState.signed_in, sign_out_button("menu-sign-out", width="100%"),
                            rx.fragment()),
                    spacing="3",
                    padding="1em",
                    align="start",
                    width="100%",
                ),
                background_color=rx.color("gray", 1),
                height="100%",
                # a long menu (a candidate's checklist) scrolls on a short phone screen
                overflow_y="auto",
                width="min(18em, 85vw)",
                top="0",
                right="0",
                z_index="30",
                id="menu",
                aria_label=t("Menu"),
            )
        ),
        direction="right",
    )


def _logo_icon() -> rx.Component:
    return rx.icon("briefcase-business", size=22, color=rx.color("accent", 9))


def _logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            _logo_icon(),
            rx.text(t("Talent Portal"), weight="bold", size="4", white_space="nowrap"),
            align="center",
            spacing="2",
        ),
        href=routes.HOME,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        min_height=TAP,
        display="flex",
        align_items="center",
        id="logo",
    )


def _header_bar(*children: rx.Component, **props) -> rx.Component:
    return rx.el.header(
        rx.hstack(
            *children,
            align="center",
            gap=["0.5em", "0.75em", "1.5em"],
            width="100%",
            max_width="72em",
            margin_x="auto",
            padding_x=["0.75em", "1.5em"],
            padding_y="0.5em",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
        **props,
    )


DESKTOP = ["none", "none", "flex"]
PHONE = ["block", "block", "none"]


LOCALE_SCRIPT = "/locale.js"  # assets/locale.js


def header() -> rx.Component:
    return _header_bar(
        rx.script(src=LOCALE_SCRIPT),
        _logo(),
        rx.hstack(
            rx.foreach(BaseState.nav_items, _nav_link),
            # A candidate's menu has ten entries: on a narrower desktop they wrap onto a
            # second line instead of pushing the account controls off the screen.
            column_gap="1.25em",
            row_gap="0",
            flex_wrap="wrap",
            flex="1 1 auto",
            min_width="0",
            display=DESKTOP,
        ),
        rx.spacer(),
        rx.hstack(
            rx.cond(
                BaseState.signed_in,
                rx.hstack(
                    rx.text(BaseState.display_name, size="2", weight="medium", id="user-name",
                            white_space="nowrap"),
                    sign_out_button(),
                    align="center",
                    spacing="2",
                    display=DESKTOP,
                ),
                sign_in_button(),
            ),
            rx.box(language_switch(), display=DESKTOP),
            rx.box(theme_toggle(), display=DESKTOP),
            rx.box(_mobile_menu(), display=PHONE),
            spacing="2",
            align="center",
            flex_shrink="0",
        ),
    )


def skeleton_header() -> rx.Component:
    """Before the first state arrives: no sign-in button, no name, no words in
    either language (the language itself is not known yet)."""
    return _header_bar(rx.box(_logo_icon(), min_height=TAP, display="flex", align_items="center"), rx.spacer(),
                       rx.skeleton(rx.box(width=TAP, height=TAP), loading=True), id="skeleton-header")


def skeleton_main() -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(rx.box(height=h, width=w), loading=True) for h, w in
          (("2.5em", "60%"), ("1.2em", "90%"), ("1.2em", "80%"), ("8em", "100%"))],
        spacing="4",
        width="100%",
        id="skeleton",
        aria_busy="true",
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
    """Wrap a page's content in the site frame. Until the page's state has arrived
    (is_hydrated: after the first snapshot and the page's on_load events) a neutral
    skeleton stands in, so nobody sees the defaults: a signed-in user shown
    "Sign in", zero recovery codes or the wrong language."""
    hydrated = rx.State.is_hydrated
    return rx.flex(
        rx.cond(hydrated, header(), skeleton_header()),
        rx.el.main(
            rx.cond(hydrated, rx.fragment(flash(), *children), skeleton_main()),
            width="100%",
            max_width="72em",
            margin_x="auto",
            padding_x=["1em", "1.5em"],
            padding_y="1.5em",
            flex="1",
        ),
        rx.cond(hydrated, footer()),
        direction="column",
        min_height="100vh",
        width="100%",
        lang=rx.cond(BaseState.lang == "en", "en", "zh-CN"),
    )
