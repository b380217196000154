"""Account security: sessions (devices), recovery codes, authenticator, password."""

from __future__ import annotations

import reflex as rx

from components.forms import field, messages, post_form, submit
from components.i18n import t
from components.shell import shell
from portal import routes
from state.account import AccountState as S


def _section(title: rx.Var, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%")


def _session_row(x: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(x["device"], weight="medium"),
                      rx.cond(x["current"] != "", rx.badge(t("This device"), color_scheme="green")),
                      spacing="2", wrap="wrap"),
            rx.text(x["ip"], " · ", x["last_seen"], size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(x["current"] == "",
                rx.button(t("End"), size="1", variant="soft", color_scheme="red",
                          on_click=S.end_session(x["id"]))),
        width="100%",
        align="center",
        class_name="session-row",
    )


def _reauth_hint() -> rx.Component:
    return rx.cond(S.reauth_needed,
                   rx.link(rx.button(t("Confirm it is you"), variant="soft"),
                           href=f"{routes.REAUTH}?next={routes.ACCOUNT_SECURITY}", id="reauth-link"))


def page() -> rx.Component:
    return shell(
        rx.heading(t("Security"), size="7", as_="h1", id="page-title"),
        rx.text(S.display_name, " · ", S.email, " · ", S.role_label, color_scheme="gray"),
        rx.vstack(
            messages(S.error_text, S.notice_text),
            _reauth_hint(),
            _section(
                t("Signed-in devices"),
                rx.foreach(S.sessions, _session_row),
                rx.button(t("Sign out all other devices"), variant="soft", on_click=S.end_other_sessions,
                          id="end-others"),
            ),
            _section(
                t("Authenticator and recovery codes"),
                rx.text(t("Recovery codes left:"), " ", S.recovery_left, size="2", id="recovery-left"),
                rx.text(t("Changing these needs your password and a fresh code (within 5 minutes)."),
                        size="2", color_scheme="gray"),
                rx.hstack(
                    post_form(routes.AUTH_RECOVERY_REGENERATE,
                              rx.button(t("New recovery codes"), type="submit", variant="soft")),
                    rx.link(rx.button(t("Change authenticator"), variant="soft"), href=routes.MFA_SETUP),
                    wrap="wrap",
                    spacing="3",
                ),
            ),
            _section(
                t("Change password"),
                post_form(
                    routes.AUTH_PASSWORD,
                    rx.vstack(
                        field(t("Current password"), "current", type="password", autocomplete="current-password"),
                        field(t("New password"), "password", type="password", autocomplete="new-password"),
                        field(t("New password again"), "password2", type="password", autocomplete="new-password"),
                        submit(t("Change password")),
                        spacing="3",
                        max_width="28em",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
            padding_top="1em",
        ),
    )
