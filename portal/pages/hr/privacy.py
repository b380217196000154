"""HR decides data-subject deletion requests (/hr/privacy): the open ones, each approved
(everything about the person is deleted) or refused with a reason, and recent decisions."""

from __future__ import annotations

import reflex as rx

from components.forms import hidden
from components.i18n import t
from components.shell import TAP, shell
from state.privacy import HrPrivacyState as S


def _request(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(r["who"], weight="bold", overflow_wrap="anywhere"),
                  rx.badge(r["role"]), wrap="wrap", spacing="2"),
        rx.text(r["at"], size="2", color_scheme="gray"),
        rx.cond(r["reason"] != "", rx.text(r["reason"], size="2", white_space="pre-line",
                                           overflow_wrap="anywhere")),
        rx.cond(
            S.confirming == r["id"],
            rx.callout.root(rx.vstack(
                rx.text(t("Delete everything about this person for good? Their account, interviews, answers, "
                          "recordings, scores and development records are deleted; this cannot be undone."),
                        size="2", weight="medium"),
                rx.hstack(
                    rx.button(t("Yes, delete for good"), size="3", min_height=TAP, color_scheme="red",
                              on_click=S.approve(r["id"]), class_name="privacy-approve-confirm",
                              white_space="normal", height="auto"),
                    rx.button(t("Cancel"), size="3", min_height=TAP, variant="outline",
                              on_click=S.cancel_approve, class_name="privacy-approve-cancel"),
                    wrap="wrap", spacing="2"),
                spacing="2", width="100%"), color="red", role="alertdialog", width="100%",
                class_name="privacy-confirm"),
            rx.button(t("Approve: delete this person's data"), size="3", min_height=TAP, color_scheme="red",
                      on_click=S.approve(r["id"]), class_name="privacy-approve", white_space="normal",
                      height="auto")),
        rx.form(rx.vstack(
            hidden("request", r["id"]),
            rx.input(name="note", size="3", width="100%", class_name="privacy-note",
                     placeholder=t("Reason for refusing (the person reads it)"),
                     aria_label=t("Reason for refusing (the person reads it)")),
            rx.cond(S.error_request == r["id"], rx.text(S.error_text, color_scheme="red", size="2", role="alert",
                                                        class_name="privacy-note-error")),
            rx.button(t("Refuse"), type="submit", size="3", min_height=TAP, variant="outline",
                      class_name="privacy-refuse"),
            spacing="2", width="100%"), on_submit=S.refuse, width="100%"),
        spacing="2", width="100%"), width="100%", class_name="privacy-request")


def _decision(d: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(d["who"], weight="medium"), rx.badge(d["role"]), rx.text(d["status"], size="2"),
        rx.text(d["at"], size="2", color_scheme="gray"),
        rx.cond(d["note"] != "", rx.text(d["note"], size="2", color_scheme="gray", overflow_wrap="anywhere")),
        wrap="wrap", spacing="2", width="100%", class_name="privacy-decision")


def page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("Data deletion requests"), size="7", as_="h1", id="page-title"),
        rx.text(t("Candidates and employees may ask for everything about them to be deleted. Approving deletes "
                  "their account and data for good; the audit log keeps the user id and role only."),
                size="3", color_scheme="gray"),
        rx.cond(S.loaded, rx.vstack(
            rx.heading(t("Open requests"), size="5", as_="h2"),
            rx.cond(S.requests.length() > 0,
                    rx.vstack(rx.foreach(S.requests, _request), spacing="3", width="100%", id="privacy-requests"),
                    rx.text(t("No request is waiting."), id="privacy-none")),
            rx.heading(t("Recent decisions"), size="5", as_="h2"),
            rx.vstack(rx.foreach(S.decisions, _decision), spacing="2", width="100%", id="privacy-decisions"),
            spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="56em", align="start"))
