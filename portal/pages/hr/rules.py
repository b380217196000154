"""HR's decision rules per position (write, see what is wrong next to the field, preview
on past scored interviews, activate, versions) and the decisions a person takes on what
the rules propose (confirm, or override with a reason)."""

from __future__ import annotations

import reflex as rx

from components.forms import hidden
from components.i18n import t
from components.shell import TAP, shell
from state.hr_rules import HrDecisionsState as D
from state.hr_rules import HrRulesState as S


def _select_style() -> dict:
    return {"min_height": TAP, "width": "100%", "padding": "0 0.5em",
            "border": "1px solid var(--gray-7)", "border_radius": "6px", "background": "var(--color-background)"}


def _action_select(name: str, value: rx.Var | str, **props) -> rx.Component:
    return rx.el.select(rx.el.option(t("advance to the next round"), value="advance"),
                        rx.el.option(t("reject"), value="reject"),
                        name=name, default_value=value, style=_select_style(), aria_label=t("The rule proposes"),
                        **props)


def _new_rule() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.heading(t("Write a rule"), size="5", as_="h2"),
        rx.text(t("Names you can use:"), " ", S.names, size="2", color_scheme="gray", id="rule-names"),
        rx.text(t("Compare with ≥ > ≤ < = and a number from 0 to 100; combine with AND / 且 and OR / 或 and "
                  "parentheses. For example: communication ≥ 85 AND 客户导向 ≥ 70."), size="2", color_scheme="gray"),
        rx.input(name="expression", id="rule-expression", size="3", width="100%", aria_label=t("Rule"),
                 placeholder="overall ≥ 80", aria_invalid=rx.cond(S.error != "", "true", "false")),
        rx.cond(S.error != "", rx.text(S.error, color_scheme="red", size="2", role="alert", id="rule-error")),
        rx.text(t("The rule proposes"), size="2", weight="medium"),
        _action_select("action", "advance", id="rule-action"),
        rx.button(t("Save as draft"), type="submit", size="3", min_height=TAP, id="rule-save"),
        spacing="2", width="100%"), on_submit=S.create, width="100%"), width="100%")


def _rule(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.badge(r["status_label"], color_scheme=rx.cond(r["active"] == "1", "green", "gray"),
                           class_name="rule-status"),
                  rx.text(t("Rule"), " ", r["no"], " · ", t("version"), " ", r["version"], size="2",
                          color_scheme="gray"),
                  wrap="wrap", spacing="2"),
        rx.text(r["described"], " → ", r["action_label"], weight="bold", class_name="rule-text",
                overflow_wrap="anywhere"),
        rx.cond(r["summary"] != "", rx.text(r["summary"], size="2", class_name="rule-summary")),
        rx.cond(r["previewing"] == "1", rx.vstack(
            rx.text(S.preview_summary, weight="medium", id="rule-preview-summary"),
            rx.foreach(S.preview_rows, lambda p: rx.text(p, size="2", class_name="rule-preview-row",
                                                         overflow_wrap="anywhere")),
            spacing="1", width="100%", id="rule-preview")),
        rx.flex(
            rx.button(t("Preview on past interviews"), on_click=S.preview(r["id"]), size="3", min_height=TAP,
                      variant="soft", class_name="rule-preview-button", white_space="normal", height="auto"),
            rx.cond(r["can_activate"] == "1",
                    rx.button(t("Activate"), on_click=S.activate(r["id"]), size="3", min_height=TAP,
                              class_name="rule-activate")),
            rx.cond(r["active"] == "1",
                    rx.button(t("Deactivate"), on_click=S.deactivate(r["id"]), size="3", min_height=TAP,
                              variant="outline", color_scheme="red", class_name="rule-deactivate")),
            wrap="wrap", gap="2"),
        rx.form(rx.vstack(
            hidden("rule", r["id"]),
            rx.text(t("Change the rule (a rule that has been active gets a new version)"), size="2",
                    weight="medium"),
            rx.input(name="expression", default_value=r["expression"], key=r["expression"], size="3", width="100%",
                     aria_label=t("Rule"), class_name="rule-edit-expression"),
            rx.cond(r["edit_error"] != "", rx.text(r["edit_error"], color_scheme="red", size="2", role="alert",
                                                   class_name="rule-edit-error")),
            _action_select("action", r["action"], key=r["action"]),
            rx.button(t("Save changes"), type="submit", size="3", min_height=TAP, variant="outline",
                      class_name="rule-edit-save"),
            spacing="2", width="100%"), on_submit=S.edit, width="100%"),
        rx.text(t("Versions"), size="2", weight="medium"),
        rx.text(r["history"], size="1", color_scheme="gray", white_space="pre-line", class_name="rule-versions",
                overflow_wrap="anywhere"),
        spacing="3", width="100%"), width="100%", class_name="rule-card")


def rules_page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("Decision rules"), size="7", as_="h1", id="page-title"),
        rx.text(t("A rule only proposes: every advance or rejection waits for a person to confirm or override it "
                  "on the decisions page (PIPL art. 24). Preview a rule on past scored interviews before "
                  "activating it. Every change is audited."), size="3", color_scheme="gray"),
        rx.cond(S.loaded, rx.vstack(
            rx.vstack(rx.text(t("Position"), size="2", weight="medium"),
                      rx.el.select(rx.foreach(S.jobs, lambda j: rx.el.option(j["label"], value=j["id"])),
                                   value=S.job_id, on_change=S.choose_job, id="rule-job", style=_select_style(),
                                   aria_label=t("Position")),
                      spacing="1", width="100%"),
            _new_rule(),
            rx.cond(S.rule_cards.length() > 0,
                    rx.vstack(rx.foreach(S.rule_cards, _rule), spacing="3", width="100%", id="rules"),
                    rx.text(t("This position has no rule yet."), id="rules-none")),
            spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="56em", align="start"))


def _waiting(row: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(row["candidate"], weight="bold"), rx.text(row["job"], " · ", row["when"], size="2",
                                                                     color_scheme="gray"), wrap="wrap", spacing="2"),
        rx.text(t("The rule proposes"), ": ", rx.text.strong(row["proposed"]), class_name="decision-proposed"),
        rx.text(t("Rule"), " ", row["rule_no"], " · ", row["version"], ": ", row["rule"], size="2",
                class_name="decision-rule", overflow_wrap="anywhere"),
        rx.text(t("Numbers compared"), ": ", row["numbers"], size="2", class_name="decision-numbers"),
        rx.button(t("Confirm"), on_click=D.confirm(row["id"]), size="3", min_height=TAP,
                  class_name="decision-confirm"),
        rx.form(rx.vstack(
            hidden("firing", row["id"]),
            rx.text_area(name="reason", rows="2", width="100%", aria_label=t("Reason for overriding"),
                         placeholder=t("Reason for overriding (shown to the candidate)"),
                         class_name="decision-reason"),
            rx.cond(row["error"] != "", rx.text(row["error"], color_scheme="red", size="2", role="alert",
                                                class_name="decision-error")),
            rx.button(t("Override"), type="submit", size="3", min_height=TAP, variant="outline",
                      color_scheme="orange", class_name="decision-override"),
            spacing="2", width="100%"), on_submit=D.override, width="100%"),
        spacing="2", width="100%"), width="100%", class_name="decision-pending")


def _decided(row: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(row["candidate"], weight="bold"), rx.text(row["job"], " · ", row["when"], size="2",
                                                                     color_scheme="gray"), wrap="wrap", spacing="2"),
        rx.text(t("Decision"), ": ", rx.text.strong(row["outcome"]), class_name="decision-outcome"),
        rx.text(row["decided"], size="2", class_name="decision-by", overflow_wrap="anywhere"),
        rx.text(t("Rule"), " ", row["rule_no"], " · ", row["version"], ": ", row["rule"], " · ", row["numbers"],
                size="2", color_scheme="gray", overflow_wrap="anywhere"),
        spacing="1", width="100%"), width="100%", class_name="decision-done")


def decisions_page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("Decisions"), size="7", as_="h1", id="page-title"),
        rx.text(t("What HR's rules propose after an interview is scored. Nothing reaches the candidate until you "
                  "confirm it or override it with a reason; the candidate's report then shows the decision, "
                  "the rule and its numbers."), size="3", color_scheme="gray"),
        rx.cond(D.loaded, rx.vstack(
            rx.heading(t("Waiting for a person"), size="5", as_="h2"),
            rx.cond(D.waiting.length() > 0,
                    rx.vstack(rx.foreach(D.waiting, _waiting), spacing="3", width="100%", id="decisions-pending"),
                    rx.text(t("No proposal is waiting."), id="decisions-none")),
            rx.heading(t("Decided recently"), size="5", as_="h2"),
            rx.vstack(rx.foreach(D.decided, _decided), spacing="3", width="100%", id="decisions-done"),
            spacing="4", width="100%"), rx.spinner(size="3")),
        spacing="4", width="100%", max_width="56em", align="start"))
