"""HR's interviewer profiles: what candidates see on "Meet your interviewers" (name,
title, experience, background, what they look for, photo). Interviewers are assigned
to interviews on the schedule page."""

from __future__ import annotations

import reflex as rx

from components.forms import messages, post_form
from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from state.hr_interviewers import HrInterviewersState as S


def _photo_form(p: rx.Var) -> rx.Component:
    # a plain multipart form: the server checks the bytes, re-encodes and strips metadata
    return post_form(
        routes.HR_INTERVIEWER_PHOTO_UPLOAD,
        rx.el.input(type="hidden", name="profile", value=p["id"]),
        rx.hstack(
            rx.el.input(type="file", name="photo", accept="image/jpeg,image/png,image/webp",
                        aria_label=t("Photo"), class_name="interviewer-photo-file",
                        style={"maxWidth": "100%", "minHeight": TAP}),
            rx.button(t("Upload photo"), type="submit", size="2", variant="soft", min_height=TAP,
                      class_name="interviewer-photo-upload"),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        enc_type="multipart/form-data",
    )


def _profile(p: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(p["photo"] != "",
                        rx.image(src=p["photo"], alt=p["name"], width="56px", height="56px", border_radius="50%",
                                 object_fit="cover", class_name="interviewer-photo"),
                        rx.avatar(fallback="?", size="4")),
                rx.vstack(
                    rx.hstack(rx.text(p["name"], weight="bold", class_name="interviewer-name"),
                              rx.cond(p["active"] == "", rx.badge(t("Inactive"), color_scheme="gray")),
                              wrap="wrap", spacing="2"),
                    rx.text(p["title"], " · ", p["years"], " ", t("years"), size="2", color_scheme="gray"),
                    spacing="1",
                    min_width="0",
                ),
                rx.spacer(),
                rx.button(t("Edit"), size="2", variant="soft", min_height=TAP, on_click=S.edit(p["id"]),
                          class_name="interviewer-edit"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            _photo_form(p),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="hr-interviewer",
    )


def _field(label: rx.Var, name: str, *, area: bool = False) -> rx.Component:
    control = (rx.text_area(name=name, default_value=S.form[name], rows="3", width="100%", aria_label=label,
                            id=f"iv-{name}", key=S.editing_id.to_string() + S.form[name])
               if area else
               rx.input(name=name, default_value=S.form[name], width="100%", aria_label=label, id=f"iv-{name}",
                        key=S.editing_id.to_string() + S.form[name]))
    return rx.vstack(rx.text(label, size="2"), control, spacing="1", width="100%")


def _editor() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(S.editing_id == 0, t("New interviewer"), t("Edit interviewer")), size="4",
                           as_="h2", id="iv-editor-title"),
                rx.grid(
                    _field(t("Name (Chinese)"), "name_zh"), _field(t("Name (English)"), "name_en"),
                    _field(t("Title (Chinese)"), "title_zh"), _field(t("Title (English)"), "title_en"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                _field(t("Years of experience"), "years_experience"),
                _field(t("Background (Chinese)"), "background_zh", area=True),
                _field(t("Background (English)"), "background_en", area=True),
                _field(t("What they look for (Chinese)"), "focus_zh", area=True),
                _field(t("What they look for (English)"), "focus_en", area=True),
                rx.el.label(
                    rx.hstack(rx.checkbox(name="is_active", default_checked=S.form["is_active"] == "1",
                                          key=S.editing_id.to_string() + S.form["is_active"], id="iv-active"),
                              rx.text(t("Shown to candidates")), spacing="2", align="center"),
                ),
                rx.hstack(
                    rx.button(t("Save"), type="submit", size="3", min_height=TAP, id="iv-save"),
                    rx.cond(S.editing_id != 0,
                            rx.button(t("New interviewer"), type="button", variant="soft", size="3",
                                      min_height=TAP, on_click=S.new, id="iv-new")),
                    wrap="wrap",
                    spacing="2",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            width="100%",
        ),
        width="100%",
    )


def page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Interviewers"), size="7", as_="h1", id="page-title"),
            rx.text(t("What candidates see before their interview. Names are required in both languages; a "
                      "photo must be a JPEG, PNG or WebP of at most 5 MB and is re-encoded without its metadata. "
                      "Every change is audited."), size="2", color_scheme="gray"),
            messages(S.error, S.notice),
            rx.cond(
                S.loaded,
                rx.vstack(_editor(), rx.vstack(rx.foreach(S.profiles, _profile), spacing="2", width="100%",
                                               id="interviewers"),
                          spacing="4", width="100%"),
                rx.spinner(size="3"),
            ),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
