"""HR's content: the positions and their competency models (versioned, bilingual,
tried against a sample answer before publishing) and the question banks (CSV import
refused whole when any row is wrong; CSV export)."""

from __future__ import annotations

import reflex as rx

from components.i18n import t
from components.shell import TAP, shell
from portal import routes
from portal.services.interviews.question_bank import COLUMNS
from state.base import BaseState
from state.hr_content import HrJobsState as J
from state.hr_content import JobEditState as S
from state.hr_content import QuestionBankState as Q


def _pick(zh, en):
    return rx.cond(BaseState.lang == "en", en, zh)


def _label(text, *child) -> rx.Component:
    return rx.vstack(rx.text(text, size="2", weight="medium"), *child, spacing="1", width="100%")


def _select_style() -> dict:
    return {"min_height": TAP, "width": "100%", "padding": "0 0.5em",
            "border": "1px solid var(--gray-7)", "border_radius": "6px", "background": "var(--color-background)"}


def _error(text: rx.Var, element_id: str) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, color_scheme="red", role="alert", id=element_id, width="100%"))


def _page(*children) -> rx.Component:
    return shell(rx.vstack(*children, spacing="4", width="100%", max_width="56em", align="start"))


# ---------------------------------------------------------------- /hr/jobs


def _job_row(j: rx.Var) -> rx.Component:
    return rx.link(rx.card(rx.vstack(
        rx.hstack(rx.text(j["code"], weight="bold"), rx.text(_pick(j["title_zh"], j["title_en"])),
                  wrap="wrap", spacing="2"),
        rx.hstack(
            rx.cond(j["open"] == "1", rx.badge(t("Open"), color_scheme="green"),
                    rx.badge(t("Closed"), color_scheme="gray")),
            rx.cond(j["version"] != "", rx.badge(t("Model version"), " ", j["version"]),
                    rx.badge(t("No competency model"), color_scheme="orange")),
            rx.badge(t("Questions"), ": ", j["questions"], variant="outline"),
            wrap="wrap", spacing="2"),
        spacing="2"), width="100%"),
        href=j["href"], underline="none", color_scheme="gray", high_contrast=True, width="100%", class_name="hr-job")


def jobs_page() -> rx.Component:
    return _page(
        rx.heading(t("Positions and competency models"), size="7", as_="h1", id="page-title"),
        rx.text(t("Each position has its settings, a competency model and a question bank. Every change is "
                  "audited."), size="3", color_scheme="gray"),
        rx.card(rx.form(rx.vstack(
            rx.heading(t("New position"), size="5", as_="h2"),
            _label(t("Code"), rx.input(name="code", id="job-new-code", size="3", width="100%", max_length=60)),
            _label(t("Title (Chinese)"), rx.input(name="title_zh", id="job-new-title-zh", size="3", width="100%")),
            _label(t("Title (English)"), rx.input(name="title_en", id="job-new-title-en", size="3", width="100%")),
            _error(J.create_error, "job-create-error"),
            rx.button(t("Create the position"), type="submit", size="3", min_height=TAP, id="job-create"),
            spacing="3", width="100%"), on_submit=J.create, width="100%"), width="100%"),
        rx.cond(J.loaded, rx.vstack(rx.foreach(J.jobs, _job_row), spacing="2", width="100%", id="hr-jobs"),
                rx.spinner(size="3")),
    )


# ---------------------------------------------------------------- /hr/jobs/<id>


def _settings() -> rx.Component:
    def text(label, name, area=False):
        control = (rx.text_area(name=name, default_value=S.job[name], rows="5", width="100%", id=f"job-{name}")
                   if area else rx.input(name=name, default_value=S.job[name], size="3", width="100%",
                                         id=f"job-{name}"))
        return _label(label, control)

    return rx.card(rx.form(rx.vstack(
        rx.heading(t("Settings"), size="5", as_="h2"),
        text(t("Code"), "code"),
        text(t("Title (Chinese)"), "title_zh"), text(t("Title (English)"), "title_en"),
        text(t("Department (Chinese)"), "department_zh"), text(t("Department (English)"), "department_en"),
        text(t("Location (Chinese)"), "location_zh"), text(t("Location (English)"), "location_en"),
        text(t("Description (Chinese)"), "description_zh", area=True),
        text(t("Description (English)"), "description_en", area=True),
        _label(t("Reading time before each answer (seconds, 0-600)"),
               rx.input(name="reading_time_s", type="number", min="0", max="600", default_value=S.job["reading_time_s"],
                        size="3", id="job-reading_time_s")),
        _label(t("Retakes per question (0-5)"),
               rx.input(name="retakes", type="number", min="0", max="5", default_value=S.job["retakes"], size="3",
                        id="job-retakes")),
        _label(t("Answer mode"), rx.el.select(
            rx.el.option(t("A recording, or a typed answer"), value="video_or_text"),
            rx.el.option(t("A recording only"), value="video"),
            name="answer_mode", default_value=S.job["answer_mode"], id="job-answer_mode", style=_select_style())),
        _label(t("Publishing the score report"), rx.el.select(
            rx.el.option(t("Automatically, once every answer is scored"), value="auto"),
            rx.el.option(t("After HR has reviewed it"), value="hr"),
            name="report_publishing", default_value=S.job["report_publishing"], id="job-report_publishing",
            style=_select_style())),
        rx.el.label(rx.el.input(type="checkbox", name="is_open", default_checked=S.job["is_open"] == "1",
                                id="job-is_open"), " ", t("Open: listed on the open positions page"),
                    style={"min_height": TAP, "display": "flex", "align_items": "center", "gap": "0.4em"}),
        _error(S.settings_error, "job-settings-error"),
        rx.button(t("Save the settings"), type="submit", size="3", min_height=TAP, id="job-save-settings"),
        spacing="3", width="100%"), on_submit=S.save_settings, width="100%", key=S.form_key), width="100%")


def _competency(c: rx.Var, i: rx.Var) -> rx.Component:
    def field(label, name, area=False, **props):
        common = {"default_value": c[name], "width": "100%", "aria_label": label,
                  "class_name": f"comp-{name}", "on_blur": lambda v: S.set_field(i, name, v)}
        control = rx.text_area(rows="2", **common, **props) if area else rx.input(size="3", **common, **props)
        return _label(label, control)

    return rx.card(rx.vstack(
        rx.hstack(rx.text(t("Competency"), " ", i + 1, weight="bold"), rx.spacer(),
                  rx.button(t("Remove"), type="button", variant="outline", color_scheme="red", size="2",
                            min_height=TAP, on_click=S.remove_competency(i), class_name="comp-remove"),
                  width="100%", align="center"),
        field(t("Key (letters, the same across positions, e.g. communication)"), "key"),
        field(t("Name (Chinese)"), "name_zh"), field(t("Name (English)"), "name_en"),
        field(t("Description (Chinese)"), "description_zh", area=True),
        field(t("Description (English)"), "description_en", area=True),
        _label(t("Weight (%)"),
               rx.input(default_value=c["weight_pct"], type="number", min="0", max="100", step="any", size="3",
                        aria_label=t("Weight (%)"), class_name="comp-weight_pct",
                        on_change=lambda v: S.set_field(i, "weight_pct", v)),
               rx.cond(~S.weights_ok, rx.text(S.weight_message, size="2", color_scheme="red",
                                             class_name="weight-hint"))),
        field(t("Required level (0-100)"), "required_level", type="number", min="0", max="100"),
        field(t("Keywords (separated by commas)"), "keywords"),
        field(t("Level 1 behaviour (Chinese)"), "a1_zh", area=True),
        field(t("Level 1 behaviour (English)"), "a1_en", area=True),
        field(t("Level 3 behaviour (Chinese)"), "a3_zh", area=True),
        field(t("Level 3 behaviour (English)"), "a3_en", area=True),
        field(t("Level 5 behaviour (Chinese)"), "a5_zh", area=True),
        field(t("Level 5 behaviour (English)"), "a5_en", area=True),
        spacing="3", width="100%"), width="100%", key=c["uid"], class_name="competency-editor")


def _stage(st: rx.Var, i: rx.Var) -> rx.Component:
    def field(label, name, area=False, **props):
        common = {"default_value": st[name], "width": "100%", "aria_label": label,
                  "class_name": f"stage-{name}", "on_blur": lambda v: S.set_stage(i, name, v)}
        control = rx.text_area(rows="2", **common, **props) if area else rx.input(size="3", **common, **props)
        return _label(label, control)

    return rx.card(rx.vstack(
        rx.hstack(rx.text(t("Stage"), " ", i + 1, weight="bold"), rx.spacer(),
                  rx.button(t("Remove"), type="button", variant="outline", color_scheme="red", size="2",
                            min_height=TAP, on_click=S.remove_stage(i), class_name="stage-remove"),
                  width="100%", align="center"),
        field(t("Name (Chinese)"), "name_zh"), field(t("Name (English)"), "name_en"),
        field(t("What happens (Chinese)"), "description_zh", area=True),
        field(t("What happens (English)"), "description_en", area=True),
        field(t("Duration (minutes)"), "duration_min", type="number", min="1", max="240"),
        spacing="3", width="100%"), width="100%", key=st["uid"], class_name="stage-editor")


def _stages() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Interview stages"), size="5", as_="h2"),
        rx.text(t("Candidates read these stages under \"how the interview runs\"; HR sees them when "
                  "scheduling."), size="2", color_scheme="gray"),
        rx.foreach(S.stages, _stage),
        rx.button(t("Add a stage"), type="button", variant="soft", size="3", min_height=TAP,
                  on_click=S.add_stage, id="stage-add"),
        _error(S.stages_error, "stages-error"),
        rx.button(t("Save the stages"), type="button", size="3", min_height=TAP, on_click=S.save_stages,
                  id="stages-save"),
        spacing="3", width="100%"), width="100%", id="job-stages")


def _model() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Competency model"), size="5", as_="h2"),
        rx.callout(S.version_note, icon="info", id="model-version-note", width="100%"),
        rx.foreach(S.competencies, _competency),
        rx.button(t("Add a competency"), type="button", variant="soft", size="3", min_height=TAP,
                  on_click=S.add_competency, id="comp-add"),
        rx.text(S.weight_sum, weight="bold", id="weight-sum",
                color_scheme=rx.cond(S.weights_ok, "green", "red")),
        rx.cond(~S.weights_ok, rx.text(S.weight_message, size="2", color_scheme="red", id="weight-message")),
        _error(S.model_error, "model-error"),
        rx.button(t("Save the model"), type="button", size="3", min_height=TAP, on_click=S.save_model,
                  id="model-save"),
        rx.cond(S.versions.length() > 0, rx.vstack(
            rx.text(t("Versions"), weight="medium"),
            rx.foreach(S.versions, lambda v: rx.text(
                t("Version"), " ", v["version"], " · ", v["created"], " · ", t("Interviews"), ": ", v["interviews"],
                rx.cond(v["current"] == "1", rx.badge(t("Current"), color_scheme="green", margin_left="0.5em")),
                size="2", class_name="model-version")),
            spacing="1", width="100%", id="model-versions")),
        spacing="3", width="100%"), width="100%")


def _try_row(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(_pick(r["name_zh"], r["name_en"]), weight="bold"),
                  rx.badge(r["score"], " / ", t("required"), " ", r["required"], class_name="try-score"),
                  rx.text(t("Level"), " ", r["level"], size="2", color_scheme="gray"), wrap="wrap", spacing="2"),
        rx.cond(r["keywords"] != "", rx.text(t("Keywords found"), ": ", r["keywords"], size="2")),
        rx.cond(r["evidence"] != "",
                rx.text(r["evidence"], size="2", white_space="pre-line", class_name="try-evidence"),
                rx.text(t("No sentence of the answer shows this competency."), size="2", color_scheme="gray",
                        class_name="try-no-evidence")),
        spacing="1", width="100%"), width="100%", class_name="try-competency")


def _try() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Try an answer"), size="5", as_="h2"),
        rx.text(t("Type a sample answer: it is scored now by the scoring service against the model as it "
                  "stands on this page, saved or not. Nothing is stored."), size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            _label(t("Question"), rx.input(name="question", size="3", width="100%", id="try-question")),
            _label(t("Sample answer"), rx.text_area(name="answer", rows="6", width="100%", id="try-answer")),
            _label(t("Language of the answer"), rx.el.select(
                rx.el.option(t("Detect"), value="auto"), rx.el.option(t("Chinese"), value="zh"),
                rx.el.option(t("English"), value="en"), name="language", id="try-language",
                style=_select_style())),
            rx.button(t("Score this answer"), type="submit", size="3", min_height=TAP, loading=S.trying,
                      id="try-submit"),
            spacing="3", width="100%"), on_submit=S.try_answer, width="100%"),
        _error(S.try_error, "try-error"),
        rx.cond(S.try_overall != "", rx.vstack(
            rx.text(t("Overall score"), ": ", S.try_overall, weight="bold", size="4", id="try-overall"),
            rx.foreach(S.try_rows, _try_row),
            spacing="2", width="100%", id="try-result")),
        spacing="3", width="100%"), width="100%")


def job_page() -> rx.Component:
    return _page(
        rx.link(t("All positions"), href=routes.HR_JOBS, size="2"),
        rx.cond(
            S.loaded,
            rx.cond(
                S.missing,
                rx.vstack(rx.heading(t("Position"), size="7", as_="h1", id="page-title"),
                          rx.text(t("This job does not exist."), id="job-missing")),
                rx.vstack(
                    rx.heading(S.title, size="7", as_="h1", id="page-title"),
                    rx.link(t("Its question bank"), href=routes.HR_QUESTIONS, size="2"),
                    _settings(), _stages(), _model(), _try(),
                    spacing="4", width="100%"),
            ),
            rx.spinner(size="3"),
        ),
    )


# ---------------------------------------------------------------- /hr/questions


def _field_error(field: str) -> rx.Component:
    return rx.cond(Q.edit_errors.contains(field),
                   rx.text(Q.edit_errors[field], size="2", color_scheme="red", role="alert",
                           class_name="question-edit-error", id=f"question-edit-error-{field}"))


def _question_form(q: rx.Var) -> rx.Component:
    return rx.form(rx.vstack(
        _label(t("Question (Chinese)"), rx.text_area(name="text_zh", default_value=q["text_zh"], rows="3",
                                                     width="100%", id="question-edit-text_zh")),
        _field_error("text_zh"),
        _label(t("Question (English)"), rx.text_area(name="text_en", default_value=q["text_en"], rows="3",
                                                     width="100%", id="question-edit-text_en")),
        _field_error("text_en"),
        _label(t("Answer time (seconds)"), rx.input(name="answer_s", default_value=q["answer_s"], size="3",
                                                    inputmode="numeric", width="100%", id="question-edit-answer_s")),
        _field_error("answer_s"),
        _label(t("Competency"), rx.el.select(
            rx.foreach(Q.competencies, lambda c: rx.el.option(_pick(c["name_zh"], c["name_en"]), value=c["key"])),
            name="competency_key", default_value=q["key"], id="question-edit-competency", style=_select_style())),
        _label(t("Type"), rx.el.select(
            rx.el.option(t("Interview"), value="interview"), rx.el.option(t("Practice"), value="practice"),
            name="type", default_value=rx.cond(q["practice"] == "1", "practice", "interview"),
            id="question-edit-type", style=_select_style())),
        _field_error("competency_key"),
        rx.hstack(
            rx.button(t("Save"), type="submit", size="3", min_height=TAP, id="question-edit-save"),
            rx.button(t("Cancel"), type="button", size="3", min_height=TAP, variant="outline",
                      on_click=Q.cancel_edit, id="question-edit-cancel"),
            wrap="wrap", spacing="2"),
        spacing="2", width="100%"), on_submit=Q.save_question, width="100%", id="question-edit")


def _question(q: rx.Var) -> rx.Component:
    return rx.card(rx.cond(
        Q.editing == q["id"],
        _question_form(q),
        rx.vstack(
            rx.hstack(
                rx.cond(q["practice"] == "1", rx.badge(t("Practice"), color_scheme="blue"),
                        rx.badge(t("Interview"), color_scheme="purple")),
                rx.badge(_pick(q["competency_zh"], q["competency_en"]), variant="outline"),
                rx.text(t("Answer time"), ": ", q["answer_s"], " s", size="2", color_scheme="gray"),
                rx.spacer(),
                rx.button(t("Edit"), type="button", size="3", min_height=TAP, variant="soft",
                          on_click=Q.edit(q["id"]), class_name="question-edit-open"),
                wrap="wrap", spacing="2", width="100%", align="center"),
            rx.text(_pick(q["text_zh"], q["text_en"]), class_name="question-text"),
            spacing="1", width="100%")), width="100%", class_name="hr-question")


def questions_page() -> rx.Component:
    return _page(
        rx.heading(t("Question banks"), size="7", as_="h1", id="page-title"),
        rx.cond(Q.loaded, rx.vstack(
            _label(t("Position"), rx.el.select(
                rx.foreach(Q.jobs, lambda j: rx.el.option(j["code"], " · ", _pick(j["title_zh"], j["title_en"]),
                                                          value=j["id"])),
                value=Q.job_id, on_change=Q.choose, id="question-job", style=_select_style())),
            rx.text(t("Reading time before each answer"), ": ", Q.reading_time, " s · ", t("Retakes per question"),
                    ": ", Q.retakes, " · ", rx.link(t("change them on the position's page"),
                                                   href=routes.HR_JOBS + "/" + Q.job_id),
                    size="2", id="question-policy"),
            rx.cond(~Q.has_model, rx.callout(t("This position has no competency model yet: questions need one."),
                                             color_scheme="orange", width="100%")),
            rx.hstack(rx.text(t("Questions"), ": ", Q.questions.length(), weight="bold", id="question-count"),
                      rx.spacer(),
                      rx.button(t("Export as CSV"), type="button", size="3", variant="outline", min_height=TAP,
                                on_click=Q.export, id="question-export"),
                      width="100%", align="center", wrap="wrap"),
            rx.vstack(rx.foreach(Q.questions, _question), spacing="2", width="100%", id="questions"),
            rx.card(rx.vstack(
                rx.heading(t("Import questions from CSV"), size="5", as_="h2"),
                rx.text(t("Paste CSV text with the columns below (the first line names them). Each row names "
                          "its position by code and a competency of its current model; type is practice or "
                          "interview; times are in seconds. When any row is wrong nothing is imported."),
                        size="2", color_scheme="gray"),
                rx.code(",".join(COLUMNS), white_space="normal", word_break="break-all"),
                rx.form(rx.vstack(
                    rx.text_area(name="csv", rows="6", width="100%", aria_label=t("CSV"), id="question-csv"),
                    rx.button(t("Import"), type="submit", size="3", min_height=TAP, id="question-import"),
                    width="100%"), on_submit=Q.import_csv, width="100%"),
                _error(Q.error, "question-error"),
                rx.foreach(Q.row_errors, lambda e: rx.text(e, size="2", color_scheme="red",
                                                           class_name="question-row-error")),
                spacing="3", width="100%"), width="100%"),
            spacing="4", width="100%"), rx.spinner(size="3")),
    )
