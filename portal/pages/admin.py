"""Administration pages (audit log, users, outbox) and HR invitations."""

from __future__ import annotations

import reflex as rx

from components.forms import messages
from components.i18n import t
from components.shell import shell
from state.admin import AuditLogState, InvitationsState, OutboxState, UsersState


def _table(headers: list[rx.Var], rows: rx.Var, row_fn, table_id: str) -> rx.Component:
    # Tables scroll sideways inside their own box at phone width; the page does not.
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row_fn)),
            size="1",
            id=table_id,
        ),
        overflow_x="auto",
        width="100%",
    )


def audit_log() -> rx.Component:
    s = AuditLogState
    return shell(
        rx.heading(t("Audit log"), size="7", as_="h1", id="page-title"),
        messages(s.error_text, s.notice_text),
        rx.callout(s.chain_text, icon=rx.cond(s.chain_ok, "shield-check", "shield-alert"),
                   color_scheme=rx.cond(s.chain_ok, "green", "red"), id="chain-status", margin_y="1em"),
        rx.form(
            rx.hstack(
                rx.input(name="actor", placeholder=t("Actor"), default_value=s.filter_actor),
                rx.select.root(
                    rx.select.trigger(placeholder=t("Action"), id="filter-action"),
                    rx.select.content(rx.foreach(s.action_options, lambda o: rx.select.item(o[1], value=o[0]))),
                    name="action",
                ),
                rx.select.root(
                    rx.select.trigger(placeholder=t("Outcome"), id="filter-outcome"),
                    rx.select.content(rx.foreach(s.outcome_options, lambda o: rx.select.item(o[1], value=o[0]))),
                    name="outcome",
                ),
                rx.button(t("Filter"), type="submit", id="audit-filter"),
                rx.el.a(rx.button(t("Export CSV"), variant="soft", type="button", tab_index=-1),
                        href=s.csv_href, id="export-csv", custom_attrs={"reloadDocument": True}),
                wrap="wrap",
                spacing="2",
            ),
            on_submit=s.apply_filter,
        ),
        _table(
            [t("Time"), t("Actor"), t("Action"), t("Object"), t("IP"), t("Outcome")],
            s.events,
            lambda e: rx.table.row(
                rx.table.cell(e["at"]), rx.table.cell(e["actor"]),
                rx.table.cell(e["action"], title=e["code"]),  # the code, for whoever greps logs
                rx.table.cell(e["object"]), rx.table.cell(e["ip"]), rx.table.cell(e["outcome"]),
            ),
            "audit-table",
        ),
        rx.hstack(
            rx.button(t("Newer"), on_click=s.previous_page, disabled=s.page == 0, variant="soft",
                      id="audit-newer"),
            rx.text(s.page_text, id="audit-page"),
            rx.button(t("Older"), on_click=s.next_page, disabled=~s.has_next, variant="soft",
                      id="audit-older"),
            align="center",
            spacing="3",
            margin_top="1em",
        ),
    )


def users() -> rx.Component:
    s = UsersState

    def row(u: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.vstack(rx.text(u["name"], weight="medium"), rx.text(u["email"], size="1"),
                                    spacing="0")),
            rx.table.cell(
                rx.select.root(
                    rx.select.trigger(),
                    rx.select.content(rx.foreach(s.role_options, lambda o: rx.select.item(o[1], value=o[0]))),
                    value=u["role"],
                    on_change=lambda role: s.set_role(u["id"], role),
                    size="1",
                )
            ),
            rx.table.cell(rx.cond(u["mfa"] != "", rx.badge(t("On"), color_scheme="green"),
                                  rx.badge(t("Not set up"), color_scheme="amber"))),
            rx.table.cell(rx.hstack(
                rx.button(t("Reset MFA"), size="1", variant="soft", on_click=s.reset_mfa(u["id"])),
                rx.cond(u["active"] != "",
                        rx.button(t("Disable"), size="1", variant="soft", color_scheme="red",
                                  on_click=s.set_active(u["id"], False)),
                        rx.button(t("Enable"), size="1", variant="soft", on_click=s.set_active(u["id"], True))),
                spacing="2",
            )),
        )

    return shell(
        rx.heading(t("Users"), size="7", as_="h1", id="page-title"),
        rx.hstack(
            rx.switch(checked=s.self_signup, on_change=s.set_self_signup, id="self-signup"),
            rx.text(t("Candidates may create their own account"), size="2"),
            align="center",
            spacing="2",
            margin_y="1em",
        ),
        _table([t("User"), t("Role"), t("Authenticator"), t("Actions")], s.users, row, "users-table"),
    )


def outbox() -> rx.Component:
    s = OutboxState
    return shell(
        rx.heading(t("Outbox"), size="7", as_="h1", id="page-title"),
        rx.text(t("E-mails the portal has queued. Without an SMTP server they stay here, so administrators "
                  "can pass links on by hand."), color_scheme="gray", size="2"),
        rx.vstack(
            rx.foreach(s.mails, lambda m: rx.card(rx.vstack(
                rx.hstack(rx.text(m["to"], weight="medium"), rx.spacer(),
                          rx.text(m["created"], size="1", color_scheme="gray"), width="100%", wrap="wrap"),
                rx.text(m["subject"], weight="bold"),
                rx.text(m["body"], white_space="pre-wrap", size="2", class_name="mail-body",
                        word_break="break-all"),
                rx.cond(m["sent"] != "", rx.badge(t("Sent"), color_scheme="green"),
                        rx.badge(t("Not sent"), color_scheme="amber")),
                spacing="2",
            ), width="100%")),
            spacing="3",
            width="100%",
            padding_top="1em",
        ),
    )


def invitations() -> rx.Component:
    s = InvitationsState
    return shell(
        rx.heading(t("Invitations"), size="7", as_="h1", id="page-title"),
        rx.card(
            rx.form(
                rx.hstack(
                    rx.input(name="email", type="email", placeholder=t("E-mail address"), required=True,
                             min_width="16em", id="invite-email"),
                    rx.select.root(
                        rx.select.trigger(),
                        rx.select.content(rx.foreach(s.invitable_roles,
                                                     lambda o: rx.select.item(o[1], value=o[0]))),
                        name="role",
                        default_value="candidate",
                    ),
                    rx.button(t("Send invitation"), type="submit", id="invite-send"),
                    wrap="wrap",
                    spacing="2",
                ),
                on_submit=s.invite,
                reset_on_submit=True,
            ),
            width="100%",
            margin_y="1em",
        ),
        _table([t("E-mail address"), t("Role"), t("Sent"), t("Expires"), t("Accepted")], s.invitations,
               lambda i: rx.table.row(*[rx.table.cell(i[k]) for k in ("email", "role", "created", "expires",
                                                                      "used")]),
               "invitations-table"),
    )
