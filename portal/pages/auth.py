"""Sign-in pages: password, code, authenticator set-up, recovery codes,
re-authentication, invitation, password reset, forbidden."""

from __future__ import annotations

import reflex as rx

from components.forms import card, field, hidden, messages, post_form, secret_frame, submit
from components.i18n import t
from components.shell import shell
from portal import routes
from state.auth import AuthPageState as S


def _msgs() -> rx.Component:
    return messages(S.error_text, S.notice_text)


def login() -> rx.Component:
    return shell(card(
        t("Sign in"),
        _msgs(),
        post_form(
            routes.AUTH_LOGIN,
            rx.vstack(
                # after a refusal the address is kept and the password gets the focus
                field(t("E-mail address"), "email", type="email", autocomplete="username",
                      default_value=S.login_email),
                field(t("Password"), "password", type="password", autocomplete="current-password",
                      auto_focus=S.login_email != ""),
                submit(t("Continue"), id="login-submit"),
                spacing="3",
            ),
            id="login-form",
        ),
        rx.cond(S.sso_enabled, rx.vstack(
            rx.separator(),
            # a plain <a>: a full navigation to the server route, not a client-side page change
            rx.el.a(rx.button(t("Employees: sign in with your company account"), variant="outline", size="3",
                              width="100%", type="button", tab_index=-1), href=routes.AUTH_SSO_START,
                    width="100%", id="sso-start", custom_attrs={"reloadDocument": True}),
            width="100%", spacing="3",
        )),
        rx.hstack(
            rx.link(t("Forgot your password?"), href=routes.RESET_REQUEST, size="2"),
            rx.cond(S.signup_enabled, rx.link(t("Create a candidate account"), href=routes.SIGNUP, size="2",
                                              id="signup-link")),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        subtitle=t("Candidates join by invitation from HR. Every account is protected by an authenticator app."),
    ))


def login_code() -> rx.Component:
    return shell(card(
        t("Enter your code"),
        _msgs(),
        post_form(
            routes.AUTH_CODE,
            rx.vstack(
                field(t("6-digit code from your authenticator app, or a recovery code"), "code",
                      autocomplete="one-time-code", input_mode="text", max_length=32),
                hidden("next", S.next_path),
                submit(t("Sign in"), id="code-submit"),
                spacing="3",
            ),
            id="code-form",
        ),
        rx.link(t("Start again"), href=routes.LOGIN, size="2"),
    ))


def mfa_setup() -> rx.Component:
    return shell(card(
        t("Set up your authenticator"),
        _msgs(),
        rx.text(t("1. Install an authenticator app on your phone (for example Microsoft Authenticator, "
                  "Google Authenticator or FreeOTP)."), size="2"),
        rx.text(t("2. Scan this QR code with the app, or type the key shown below it."), size="2"),
        secret_frame(routes.AUTH_MFA_FRAME, "totp-frame", t("QR code and key for your authenticator app"),
                     "420px"),
        rx.text(t("3. Enter the 6-digit code the app shows."), size="2"),
        post_form(
            routes.AUTH_MFA_CONFIRM,
            rx.vstack(
                field(t("Code"), "code", autocomplete="one-time-code", input_mode="numeric", max_length=6),
                submit(t("Confirm"), id="mfa-confirm"),
                spacing="3",
            ),
            id="mfa-form",
        ),
        subtitle=t("Your account needs a second factor before you can continue."),
    ))


def recovery_codes() -> rx.Component:
    return shell(card(
        t("Your recovery codes"),
        rx.callout(t("Each code works once, if you lose your phone. Store them somewhere safe now: "
                     "they are shown only this one time."), icon="key-round", color_scheme="amber"),
        secret_frame(routes.AUTH_RECOVERY_FRAME, "codes-frame", t("Recovery codes"), "420px"),
        rx.link(rx.button(t("I have saved them"), size="3", width="100%"), href=routes.HOME, id="codes-done",
                width="100%"),
    ))


def reauth() -> rx.Component:
    return shell(card(
        t("Confirm it is you"),
        _msgs(),
        post_form(
            routes.AUTH_REAUTH,
            rx.vstack(
                field(t("Password"), "password", type="password", autocomplete="current-password"),
                field(t("Code"), "code", autocomplete="one-time-code", input_mode="numeric", max_length=6),
                hidden("next", S.next_or_home),
                submit(t("Confirm"), id="reauth-submit"),
                spacing="3",
            ),
        ),
        subtitle=t("Sensitive actions need your password and a fresh code."),
    ))


def invite() -> rx.Component:
    return shell(card(
        t("Create your account"),
        _msgs(),
        post_form(
            routes.AUTH_INVITE,
            rx.vstack(
                field(t("Your name"), "name", autocomplete="name", max_length=120),
                field(t("New password"), "password", type="password", autocomplete="new-password"),
                field(t("New password again"), "password2", type="password", autocomplete="new-password"),
                rx.text(t("At least 8 characters. A long phrase is easiest to remember."), size="1",
                        color_scheme="gray"),
                submit(t("Create account"), id="invite-submit"),
                spacing="3",
            ),
            id="invite-form",
        ),
        subtitle=t("You were invited to Talent Portal. Choose a password; next you set up your authenticator."),
    ))


def reset_request() -> rx.Component:
    return shell(card(
        t("Reset your password"),
        _msgs(),
        post_form(
            routes.AUTH_RESET_REQUEST,
            rx.vstack(
                field(t("E-mail address"), "email", type="email", autocomplete="username"),
                submit(t("Send the link"), id="reset-submit"),
                spacing="3",
            ),
        ),
        rx.link(t("Back to sign in"), href=routes.LOGIN, size="2"),
    ))


def signup() -> rx.Component:
    return shell(card(
        t("Create a candidate account"),
        _msgs(),
        rx.cond(
            S.signup_enabled,
            post_form(
                routes.AUTH_SIGNUP,
                rx.vstack(
                    field(t("E-mail address"), "email", type="email", autocomplete="email"),
                    submit(t("Send the link"), id="signup-submit"),
                    spacing="3",
                ),
            ),
            rx.text(t("Self sign-up is not available. Please ask HR for an invitation."), color_scheme="gray"),
        ),
        rx.link(t("Back to sign in"), href=routes.LOGIN, size="2"),
        subtitle=t("We send a link to this address; with it you choose a password and set up your authenticator."),
    ))


def reset_new() -> rx.Component:
    return shell(card(
        t("Choose a new password"),
        _msgs(),
        post_form(
            routes.AUTH_RESET,
            rx.vstack(
                field(t("New password"), "password", type="password", autocomplete="new-password"),
                field(t("New password again"), "password2", type="password", autocomplete="new-password"),
                submit(t("Save the new password"), id="reset-new-submit"),
                spacing="3",
            ),
        ),
        subtitle=t("Afterwards you sign in with the new password and your authenticator code."),
    ))


def forbidden() -> rx.Component:
    return shell(card(
        t("No access"),
        rx.text(t("Your role does not allow this page. If you think it should, contact your administrator."),
                color_scheme="gray"),
        rx.link(rx.button(t("Back to the home page")), href=routes.HOME),
    ))
