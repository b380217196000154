"""The development plan: recommended courses with one-click enrolment, goals, courses
with their progress, the score timeline with the courses marked, what changed since the
last development report, and how the person prefers to learn."""

from __future__ import annotations

import reflex as rx

from components.courses import recommendation
from components.i18n import t
from components.shell import TAP, shell
from state.development import DevelopmentState as S
from state.development import PlanCourseRow

_SELECT = {"minHeight": TAP, "padding": "0 0.5em", "borderRadius": "var(--radius-2)",
           "border": "1px solid var(--gray-7)", "background": "var(--color-background)", "maxWidth": "100%"}


def _goal(g: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(g["title"], weight="bold", size="3"),
                  rx.cond(g["probation"] != "", rx.badge(t("Probation goal"), color_scheme="violet")),
                  rx.badge(g["status_label"], color_scheme=rx.match(g["status"], ("achieved", "green"),
                                                                    ("missed", "red"), "blue")),
                  wrap="wrap", spacing="2", align="center"),
        rx.text(g["facts"], size="2", color_scheme="gray"),
        rx.text(g["description"], size="2"),
        spacing="1", width="100%"), width="100%", class_name="plan-goal")


def _course(c: PlanCourseRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(c.title, weight="bold", size="3"), rx.badge(c.status_label),
                  wrap="wrap", spacing="2", align="center"),
        rx.text(c.dates, size="2", color_scheme="gray"),
        rx.cond(c.location != "", rx.text(c.location, size="2", color_scheme="gray")),
        rx.cond(c.waiting != "", rx.text(c.waiting, size="2", class_name="plan-waiting")),
        rx.hstack(rx.progress(value=c.progress, max=100, width="10em"),
                  rx.text(c.progress, "% · ", c.modules, size="2"), align="center", wrap="wrap"),
        rx.cond(c.can_leave,
                rx.button(t("Leave this course"), on_click=S.withdraw(c.id), variant="soft", color_scheme="gray",
                          size="2", min_height=TAP, class_name="course-leave")),
        spacing="2", width="100%"), width="100%", class_name="plan-course", custom_attrs={"data-code": c.code})


def _section(title: rx.Var, element_id: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="5", as_="h2"), *children, spacing="3", width="100%", id=element_id)


def _preferences() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(rx.el.label(rx.text(t("Preferred format"), size="2"), html_for="pref-format"),
                      rx.el.select(rx.el.option(t("Any"), value=""), rx.el.option(t("Online"), value="online"),
                                   rx.el.option(t("Classroom"), value="classroom"),
                                   rx.el.option(t("Blended"), value="blended"),
                                   name="format", id="pref-format", default_value=S.pref_format, style=_SELECT),
                      spacing="1"),
            rx.vstack(rx.el.label(rx.text(t("At most hours per course"), size="2"), html_for="pref-hours"),
                      rx.input(name="max_hours", id="pref-hours", default_value=S.pref_hours, input_mode="numeric",
                               size="3", width="8em"),
                      spacing="1"),
            rx.button(t("Save preferences"), type="submit", size="3", min_height=TAP, id="pref-save"),
            align="end", wrap="wrap", spacing="3"),
        rx.cond(S.pref_error != "", rx.callout(S.pref_error, icon="triangle-alert", color_scheme="red",
                                               id="pref-error", margin_top="0.5em")),
        on_submit=S.save_preference, reset_on_submit=False, width="100%")


def page() -> rx.Component:
    return shell(rx.vstack(
        rx.heading(t("My development"), size="7", as_="h1", id="page-title"),
        rx.cond(S.loaded, rx.vstack(
            _section(t("Recommended for you"), "plan-recommended",
                     rx.text(t("Courses for your largest gaps, from your latest scores and your goals."), size="2",
                             color_scheme="gray"),
                     rx.cond(S.recommended.length() > 0,
                             rx.grid(rx.foreach(S.recommended, lambda r: recommendation(r, S.enrol)),
                                     columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
                             rx.text(t("No course to recommend right now: you meet your targets, or the courses "
                                       "for your gaps have no open run."), size="2")),
                     _preferences()),
            _section(t("My goals"), "plan-goals",
                     rx.cond(S.goals.length() > 0, rx.foreach(S.goals, _goal),
                             rx.text(t("No goals yet. HR or your manager sets them with you."), size="2"))),
            _section(t("My courses"), "plan-courses",
                     rx.cond(S.courses.length() > 0, rx.foreach(S.courses, _course),
                             rx.text(t("You have no courses yet: enrol in a recommended one above."), size="2"))),
            _section(t("Progress over time"), "plan-timeline",
                     rx.cond(S.timeline != "",
                             rx.vstack(rx.box(rx.html(S.timeline), width="100%", id="timeline-chart"),
                                       rx.el.ul(rx.foreach(S.trends, lambda x: rx.el.li(rx.text(x, size="2"),
                                                                                       class_name="trend")),
                                                style={"paddingLeft": "1.2em", "margin": 0}),
                                       width="100%"),
                             rx.text(t("Your scores appear here after your first scored interview or practice."),
                                     size="2"))),
            _section(t("Since your last development report"), "plan-report",
                     rx.text(t("Since"), " ", S.since, size="2", color_scheme="gray"),
                     rx.el.ul(rx.foreach(S.changes, lambda x: rx.el.li(rx.text(x, size="2"), class_name="change")),
                              style={"paddingLeft": "1.2em", "margin": 0}),
                     rx.button(t("Send me this report by e-mail"), on_click=S.send_report, variant="soft", size="3",
                               min_height=TAP, id="plan-send-report"),
                     rx.text(t("Employees also get it by e-mail at the start of every month."), size="2",
                             color_scheme="gray")),
            spacing="6", width="100%"),
            rx.spinner(size="3")),
        spacing="4", width="100%", max_width="56em", align="start"))
