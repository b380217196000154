"""One's own data (/account/privacy: download it, ask for its deletion, the request's
status) and the admin's retention periods and consent text versions (/admin/retention)."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from portal.services.accounts.privacy import STAFF_REFUSED
from state.privacy import MyDataState as S
from state.privacy import RetentionState as R


def _card(title: rx.Var, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="5", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _download() -> rx.Component:
    return _card(
        t("Download my data"),
        rx.text(t("A ZIP file with everything the portal holds about you: one JSON file per kind of data, "
                  "your recorded answers and your score reports as PDF."), size="2", color_scheme="gray"),
        rx.el.a(rx.button(rx.icon("download", size=16), t("Download my data"), size="3", min_height=TAP,
                          white_space="normal", height="auto"),
                href=S.export_url, download="my-talent-portal-data.zip", id="privacy-download",
                custom_attrs={"reloadDocument": True}),  # a download, not a page of the app
    )


def _deletion() -> rx.Component:
    form = rx.form(
        rx.vstack(
            rx.el.label(rx.text(t("Why (optional)"), size="2", weight="medium"), html_for="privacy-reason"),
            rx.text_area(name="reason", id="privacy-reason", rows="3", width="100%", max_length=1000),
            rx.cond(S.reason_error != "", rx.text(S.reason_error, color_scheme="red", size="2", role="alert",
                                                  id="privacy-reason-error")),
            rx.button(t("Ask for deletion"), type="submit", size="3", min_height=TAP, color_scheme="red",
                      id="privacy-ask", white_space="normal", height="auto"),
            spacing="2", width="100%"),
        on_submit=S.request_deletion, width="100%")
    return _card(
        t("Delete my data"),
        rx.text(t("HR reviews the request. Once approved, your account, interviews, answers, recordings, scores "
                  "and development plan are deleted and you can no longer sign in. The audit log keeps a "
                  "record of what was done, without your name or e-mail address."), size="2", color_scheme="gray"),
        rx.cond(S.request_status != "",
                rx.callout(rx.vstack(rx.text(S.request_text, weight="medium", id="privacy-status"),
                                     rx.cond(S.request_note != "", rx.text(S.request_note, size="2",
                                                                           id="privacy-note")),
                                     spacing="1"),
                           icon="info", width="100%")),
        rx.cond(S.may_ask,
                rx.cond(S.request_status != "open", form),
                rx.text(t(STAFF_REFUSED), size="2", id="privacy-staff")),
    )


def my_data_page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("My data"), size="7", as_="h1", id="page-title"),
        rx.cond(S.loaded, rx.vstack(_download(), _deletion(), spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="48em", align="start"))


def _field(f: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(f["label"], size="3", weight="medium"), html_for="retention-" + f["name"]),
        rx.input(name=f["name"], id="retention-" + f["name"], default_value=f["value"], key=f["value"],
                 input_mode="numeric", size="3", width="100%", max_width="12em", aria_label=f["label"]),
        rx.text(f["hint"], size="1", color_scheme="gray"),
        rx.cond(f["error"] != "", rx.text(f["error"], color_scheme="red", size="2", role="alert",
                                          id="retention-" + f["name"] + "-error", class_name="retention-error")),
        spacing="1", width="100%")


def _consent_field(f: rx.Var) -> rx.Component:
    props = dict(name=f["name"], id=f["id"], default_value=f["value"], key=f["value"], size="3", width="100%",
                 aria_label=f["label"])
    return rx.vstack(
        rx.el.label(rx.text(f["label"], size="2", weight="medium"), html_for=f["id"]),
        rx.cond(f["multiline"] != "", rx.text_area(rows="6", resize="vertical", **props), rx.input(**props)),
        rx.cond(f["hint"] != "", rx.text(f["hint"], size="1", color_scheme="gray")),
        rx.cond(f["error"] != "", rx.text(f["error"], color_scheme="red", size="2", role="alert",
                                          id=f["id"] + "-error", class_name="consent-error")),
        spacing="1", width="100%")


def _consent_version(v: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(v["version"], weight="medium"), rx.text(v["when"], size="2", color_scheme="gray"),
        rx.cond(v["current"] != "", rx.badge(v["current"], color_scheme="green")),
        spacing="3", wrap="wrap", align="center", class_name="consent-version")


def _consent_card() -> rx.Component:
    return _card(
        t("Consent text"),
        rx.text(t("People agree to the newest version. Earlier versions stay readable and are never changed."),
                size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(R.consent_history, _consent_version), spacing="2", id="consent-versions"),
        rx.form(rx.vstack(
            rx.heading(t("Publish a new version"), size="4", as_="h3"),
            rx.callout(t("Publishing asks everyone to agree again. Until they do, their answers are not scored."),
                       icon="triangle_alert", color_scheme="orange", width="100%"),
            rx.foreach(R.consent_fields, _consent_field),
            rx.button(t("Publish"), type="submit", size="3", min_height=TAP, id="consent-publish"),
            spacing="3", width="100%"), on_submit=R.publish_consent, width="100%"),
        id="consent-card")


def retention_page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("Retention"), size="7", as_="h1", id="page-title"),
        rx.text(t("How many days each kind of data is kept. Older data is deleted by a daily purge; "
                  "every change and every purge is audited."), size="3", color_scheme="gray"),
        rx.cond(R.loaded, rx.vstack(
            _card(t("Retention periods"), rx.form(rx.vstack(
                rx.foreach(R.fields, _field),
                rx.button(t("Save"), type="submit", size="3", min_height=TAP, id="retention-save"),
                spacing="4", width="100%"), on_submit=R.save, width="100%")),
            _card(t("Purge"),
                  rx.text(R.last_run, size="2", id="retention-last-run"),
                  rx.button(t("Run the purge now"), on_click=R.run_now, size="3", min_height=TAP,
                            variant="outline", id="retention-run", white_space="normal", height="auto")),
            _consent_card(),
            spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="48em", align="start"))
