"""HR's e-mail templates: one form per language for the chosen template, the
placeholders it may use, and the saved version previewed with sample data."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from state.hr_catalogue import CoursesState as CS
from state.hr_catalogue import TemplatesState as S


def _form(form: rx.Var) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(rx.cond(form["locale"] == "en", t("English"), t("Chinese")), weight="bold"),
                rx.el.input(type="hidden", name="locale", value=form["locale"]),
                rx.text(t("Subject"), size="2"),
                rx.input(name="subject", default_value=form["subject"], width="100%",
                         aria_label=t("Subject"), class_name="template-subject", key=form["subject"]),
                rx.text(t("Body"), size="2"),
                rx.text_area(name="body", default_value=form["body"], rows="8", width="100%",
                             aria_label=t("Body"), class_name="template-body", key=form["body"]),
                rx.button(t("Save"), type="submit", size="3", min_height=TAP, class_name="template-save"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save,
            width="100%",
        ),
        rx.vstack(
            rx.text(t("Preview with sample data"), weight="bold", size="2"),
            rx.text(form["preview_subject"], weight="bold", class_name="template-preview-subject"),
            rx.text(form["preview_body"], white_space="pre-line", size="2", class_name="template-preview-body"),
            spacing="1",
            width="100%",
            padding_top="0.75em",
        ),
        width="100%",
        class_name=rx.cond(form["locale"] == "en", "template-form template-en", "template-form template-zh"),
    )


def templates_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("E-mail templates"), size="7", as_="h1", id="page-title"),
            rx.text(t("Edit the subject and body in each language. Only the placeholders listed may be "
                      "used; the next e-mail sent uses the saved text. Every change is audited."),
                    size="3", color_scheme="gray"),
            rx.cond(
                S.loaded,
                rx.vstack(
                    rx.select(S.keys, value=S.key, on_change=S.choose, aria_label=t("Template"),
                              id="template-key", width="100%"),
                    rx.text(t("Allowed placeholders"), ": ", S.allowed, size="2", id="template-allowed"),
                    rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", role="alert",
                                                      id="template-error", width="100%")),
                    rx.foreach(S.forms, _form),
                    spacing="3",
                    width="100%",
                ),
                rx.spinner(size="3"),
            ),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )


def _course(c: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(c["code"], weight="bold"), rx.text(c["title"]),
                      rx.cond(c["active"] == "", rx.badge(t("Inactive"), color_scheme="gray")),
                      wrap="wrap", spacing="2"),
            rx.text(c["format"], " · ", c["hours"], " h · ", t("Level"), " ", c["level"], " · ", c["tags"],
                    size="2", color_scheme="gray"),
            spacing="1",
        ),
        width="100%",
        class_name="hr-course",
    )


def courses_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(t("Courses"), size="7", as_="h1", id="page-title"),
            rx.text(t("Import courses from CSV: code,title_zh,title_en,format,duration_hours,level,competencies "
                      "and optionally starts,ends,enrol_by,seats,location_zh,location_en for one session. "
                      "When any row is wrong nothing is imported."), size="2", color_scheme="gray",
                    overflow_wrap="anywhere"),  # the column list has no spaces to break at
            rx.form(
                rx.vstack(
                    rx.text_area(name="csv", rows="6", width="100%", aria_label=t("CSV"), id="course-csv"),
                    rx.button(t("Import"), type="submit", size="3", min_height=TAP, id="course-import"),
                    width="100%",
                ),
                on_submit=CS.import_csv,
                width="100%",
            ),
            rx.cond(CS.error != "", rx.callout(CS.error, color_scheme="red", role="alert", id="course-error",
                                               width="100%")),
            rx.foreach(CS.row_errors, lambda e: rx.text(e, size="2", color_scheme="red", class_name="course-row-error")),
            rx.cond(CS.loaded, rx.vstack(rx.foreach(CS.courses, _course), spacing="2", width="100%", id="courses"),
                    rx.spinner(size="3")),
            spacing="4",
            width="100%",
            max_width="56em",
            align="start",
        )
    )
