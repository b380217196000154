"""HR's content pages in a real browser: create a position, give it a competency model
(weights summing to 90 refused next to the field, nothing saved), try an answer scored
by the bundled worker, save a model in use as a new version, import questions from
CSV (a bad file refused whole with its row errors, then a good one) and export them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from portal.services.platform.demo import demo_email
from tests.e2e.accounts import sign_in_demo, wait_hydrated
from tests.e2e.test_phone import fits_at_phone_width

CODE = "E2E-CS-01"
COMPETENCIES = [
    {"key": "communication", "name_zh": "沟通能力", "name_en": "Communication",
     "description_zh": "清晰表达，善于倾听并确认对方诉求，推动各方信息对齐。",
     "description_en": "Expresses ideas clearly, listens and confirms what others need, keeps everyone aligned.",
     "weight": "50", "required": "70", "keywords": "倾听, 同步, 确认",
     "a1_zh": "表达零散，很少确认对方是否理解，进展同步不及时。",
     "a1_en": "Speaks in fragments, rarely checks understanding and shares updates late.",
     "a3_zh": "主动倾听并复述确认对方的关键诉求，重要进展能及时同步。",
     "a3_en": "Listens and paraphrases the other side's key needs; shares important progress on time.",
     "a5_zh": "能在分歧中提炼共识、推动决策；沟通后有书面纪要和明确的跟进安排。",
     "a5_en": "Distils common ground from disagreement and drives a decision; follows up with written minutes."},
    {"key": "customer_focus", "name_zh": "客户导向", "name_en": "Customer focus",
     "description_zh": "理解客户真实需求，主动解决客户问题，关注客户满意度。",
     "description_en": "Understands what customers really need, solves their problems and cares about satisfaction.",
     "weight": "40", "required": "65", "keywords": "客户, 满意",
     "a1_zh": "只按流程回应客户，不关心客户的真实问题。",
     "a1_en": "Answers customers by the book without caring about their real problem.",
     "a3_zh": "主动了解客户的问题并给出解决方案，跟进到问题解决。",
     "a3_en": "Finds out the customer's problem, offers a solution and follows it through.",
     "a5_zh": "预判客户需求，推动流程改进，让客户长期满意并续约。",
     "a5_en": "Anticipates customer needs, improves the process and keeps customers satisfied for the long term."},
]
FIELDS = {"key": "key", "name_zh": "name_zh", "name_en": "name_en", "description_zh": "description_zh",
          "description_en": "description_en", "weight": "weight_pct", "required": "required_level",
          "keywords": "keywords", "a1_zh": "a1_zh", "a1_en": "a1_en", "a3_zh": "a3_zh", "a3_en": "a3_en",
          "a5_zh": "a5_zh", "a5_en": "a5_en"}
ANSWER = ("去年双十一期间，一位大客户因为物流延误非常不满。我先耐心倾听，确认了他的核心诉求，"
          "然后当天同步物流和仓库团队，制定了补发方案并每天向客户更新进度。"
          "最终订单在两天内送达，客户续签了合同，我们也把这个流程写进了应急预案。")
HEAD = "job_code,competency_key,type,text_zh,text_en,reading_s,answer_s\n"
GOOD = [f"{CODE},communication,interview,请描述一次你向客户解释坏消息的经历。,Tell us about a time you gave a customer bad news.,30,120",
        f"{CODE},customer_focus,practice,你如何了解客户的真实需求？,How do you find out what a customer really needs?,30,90"]


def _field(card, name: str):
    """A competency's input or text area (Radix puts the class on the wrapper)."""
    return card.locator(f".comp-{name} input, .comp-{name} textarea")


def _model_rows(portal, job_id: int) -> list[models.CompetencyModel]:
    with db.session_scope(portal.db_url) as s:
        return list(s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job_id)).all())



def try_an_answer(page) -> None:
    """On a job's page whose model has communication and customer focus: an answer is
    scored live by the bundled worker, per competency with its required level and evidence."""
    page.fill("#try-question", "请描述一次你在压力下解决客户投诉的经历。")
    page.fill("#try-answer", ANSWER)
    page.select_option("#try-language", "zh")
    page.click("#try-submit")
    expect(page.locator("#try-overall")).to_contain_text("总分", timeout=60_000)
    expect(page.locator(".try-competency")).to_have_count(2)
    communication = page.locator(".try-competency", has_text="沟通能力")
    expect(communication.locator(".try-score")).to_contain_text("要求")
    expect(communication.locator(".try-evidence")).to_contain_text("倾听")

def test_hr_builds_a_position_model_tries_an_answer_and_imports_questions(page: Page, portal, portal_services,
                                                                          secrets, tmp_path: Path):
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_HOME)
    wait_hydrated(page)
    page.locator(".hr-section", has_text="职位与胜任力模型").click()
    expect(page).to_have_url(re.compile(r"/hr/jobs$"))
    expect(page.locator(".hr-job", has_text="SALES-AM-001")).to_contain_text("模型版本")

    # A new position: a duplicate code is refused, then created and opened.
    page.fill("#job-new-code", "SALES-AM-001")
    page.fill("#job-new-title-zh", "客服主管")
    page.fill("#job-new-title-en", "Customer Service Lead")
    page.click("#job-create")
    expect(page.locator("#job-create-error")).to_contain_text("SALES-AM-001")
    page.fill("#job-new-code", CODE)
    page.click("#job-create")
    expect(page).to_have_url(re.compile(r"/hr/jobs/\d+$"))
    wait_hydrated(page)
    job_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#page-title")).to_have_text("客服主管")
    expect(page.locator("#model-version-note")).to_contain_text("还没有胜任力模型")

    # Settings in both languages.
    page.fill("#job-title_en", "Customer Service Team Lead")
    page.fill("#job-reading_time_s", "20")
    page.fill("#job-retakes", "2")
    page.select_option("#job-report_publishing", "hr")
    page.click("#job-save-settings")
    expect(page.locator("#flash-text")).to_have_text("职位设置已保存。")

    # The model: two competencies whose weights add up to 90.
    for n, comp in enumerate(COMPETENCIES):
        page.click("#comp-add")
        card = page.locator(".competency-editor").nth(n)
        for name, field in FIELDS.items():
            _field(card, field).fill(comp[name])
    expect(page.locator("#weight-sum")).to_have_text("权重合计：90%")
    expect(page.locator(".weight-hint").first).to_have_text("权重合计为 90%，而不是 100%。")
    page.click("#model-save")
    expect(page.locator("#model-error")).to_contain_text("90%")
    assert _model_rows(portal, job_id) == []

    _field(page.locator(".competency-editor").nth(1), "weight_pct").fill("50")
    expect(page.locator("#weight-sum")).to_have_text("权重合计：100%")
    expect(page.locator(".weight-hint")).to_have_count(0)
    page.click("#model-save")
    expect(page.locator("#flash-text")).to_have_text("胜任力模型已保存（版本 1）。")
    expect(page.locator("#model-error")).to_have_count(0)
    expect(page.locator(".model-version")).to_have_count(1)
    with db.session_scope(portal.db_url) as s:
        job = s.get(models.Job, job_id)
        assert (job.title_en, job.reading_time_s, job.retakes, job.report_publishing) == \
               ("Customer Service Team Lead", 20, 2, "hr")
        comps = s.exec(select(models.Competency).join(models.CompetencyModel,
                                                      models.Competency.model_id == models.CompetencyModel.id)
                       .where(models.CompetencyModel.job_id == job_id)).all()
        assert sorted((c.key, c.weight) for c in comps) == [("communication", 0.5), ("customer_focus", 0.5)]

    # Try an answer: scored live by the bundled worker, per competency with its evidence.
    try_an_answer(page)
    assert _model_rows(portal, job_id)[0].version == 1  # trying stored nothing

    # Once an interview uses the model, saving it creates version 2 and the page says so.
    with db.session_scope(portal.db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.email == demo_email("candidate"))).one()
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job_id)).one()
        s.add(models.Interview(candidate_id=candidate.id, job_id=job_id, model_id=model.id,
                               scheduled_at=datetime.now(timezone.utc) + timedelta(days=5)))
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#model-version-note")).to_contain_text("保存将创建版本 2")
    _field(page.locator(".competency-editor").nth(0), "required_level").fill("75")
    page.click("#model-save")
    expect(page.locator("#flash-text")).to_contain_text("已保存为版本 2")
    expect(page.locator(".model-version")).to_have_count(2)
    versions = sorted((m.version, m.is_current) for m in _model_rows(portal, job_id))
    assert versions == [(1, False), (2, True)]

    # The interview stages: a new position has none; a stage without its English name or
    # with an impossible duration is refused and nothing is stored.
    stage_card = page.locator("#job-stages")
    expect(stage_card.locator(".stage-editor")).to_have_count(0)
    page.click("#stage-add")
    stage = stage_card.locator(".stage-editor").first
    stage.locator(".stage-name_zh input").fill("视频面试")
    stage.locator(".stage-description_zh textarea").fill("回答三个问题，每题限时两分钟。")
    stage.locator(".stage-duration_min input").fill("30")
    page.click("#stages-save")
    expect(page.locator("#stages-error")).to_contain_text("环节 1 需要中英文名称。")
    stage.locator(".stage-name_en input").fill("Video interview")
    stage.locator(".stage-duration_min input").fill("300")
    page.click("#stages-save")
    expect(page.locator("#stages-error")).to_contain_text("1 到 240")
    with db.session_scope(portal.db_url) as s:
        assert not s.exec(select(models.InterviewStage).where(models.InterviewStage.job_id == job_id)).all()
    stage.locator(".stage-duration_min input").fill("30")
    page.click("#stages-save")
    expect(page.locator("#flash-text")).to_have_text("面试环节已保存。")
    expect(page.locator("#stages-error")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        saved = s.exec(select(models.InterviewStage).where(models.InterviewStage.job_id == job_id)).all()
        assert [(st.name_zh, st.name_en, st.duration_min) for st in saved] == [("视频面试", "Video interview", 30)]
    page.reload()
    wait_hydrated(page)
    expect(stage_card.locator(".stage-name_en input")).to_have_value("Video interview")  # stored, shown again

    # The question bank: a bad file is refused whole, with each bad row named.
    page.click("text=该职位的题库")
    expect(page).to_have_url(re.compile(r"/hr/questions$"))
    wait_hydrated(page)
    page.select_option("#question-job", str(job_id))
    expect(page.locator("#question-policy")).to_contain_text("20 s")
    expect(page.locator(".hr-question")).to_have_count(0)
    bad = HEAD + GOOD[0] + "\n" + f"{CODE},leadership,interview,问题,Question,30,120\n" \
        + f"{CODE},communication,oral,问题,Question,30,120\n"
    page.fill("#question-csv", bad)
    page.click("#question-import")
    expect(page.locator("#question-error")).to_contain_text("未导入任何内容")
    expect(page.locator(".question-row-error")).to_have_count(2)
    expect(page.locator(".question-row-error").first).to_contain_text("第 3 行")
    expect(page.locator(".question-row-error", has_text="leadership")).to_have_count(1)
    expect(page.locator(".hr-question")).to_have_count(0)

    page.fill("#question-csv", HEAD + "\n".join(GOOD) + "\n")
    page.click("#question-import")
    expect(page.locator("#flash-text")).to_have_text("已导入 2 个问题。")
    expect(page.locator("#question-error")).to_have_count(0)
    expect(page.locator(".hr-question")).to_have_count(2)
    expect(page.locator(".hr-question", has_text="练习")).to_contain_text("客户导向")

    # The export is the position's bank in the columns the import reads, Excel-ready (BOM).
    with page.expect_download() as download:
        page.click("#question-export")
    saved = tmp_path / "questions.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"questions-{CODE}.csv"
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    lines = raw.decode("utf-8-sig").splitlines()
    # reading_s is the position's reading time (set to 20 above)
    assert lines == [HEAD.strip(), GOOD[0].replace(",30,120", ",20,120"), GOOD[1].replace(",30,90", ",20,90")]

    # One question corrected in place: a bad answer time is refused beside its field and
    # what was typed stays; the corrected question is saved and shown after a reload.
    card = page.locator(".hr-question", has_text="坏消息")
    card.locator(".question-edit-open").click()
    expect(page.locator("#question-edit-text_zh")).to_have_value("请描述一次你向客户解释坏消息的经历。")
    page.fill("#question-edit-text_zh", "请描述一次你向客户解释坏消息、并留住客户的经历。")
    page.fill("#question-edit-answer_s", "5")
    page.click("#question-edit-save")
    expect(page.locator("#question-edit-error-answer_s")).to_have_text("答题时间必须是 10 到 1800 之间的整秒数。")
    expect(page.locator("#question-edit-text_zh")).to_have_value("请描述一次你向客户解释坏消息、并留住客户的经历。")
    fits_at_phone_width(page, "/hr/questions editing a question")
    page.fill("#question-edit-answer_s", "150")
    page.click("#question-edit-save")
    expect(page.locator("#flash-text")).to_have_text("题目已保存。")
    expect(page.locator("#question-edit")).to_have_count(0)
    page.reload()
    wait_hydrated(page)
    page.select_option("#question-job", str(job_id))
    edited = page.locator(".hr-question", has_text="并留住客户")
    expect(edited).to_contain_text("150 s")
    expect(page.locator(".hr-question")).to_have_count(2)

    # English: the same bank in the other language.
    page.locator("#language-switch").click()
    expect(page.locator(".hr-question", has_text="Practice")).to_contain_text("Customer focus")


def test_the_content_pages_fit_a_phone_in_both_languages(browser, portal, secrets):
    from tests.e2e.test_phone import LOCALES, _assert_fits, _context, _open, _set_locale

    context, phone = _context(browser, portal, "zh_CN")
    sign_in_demo(phone, portal, "hr", secrets)
    for locale in LOCALES:
        _set_locale(phone, portal, locale)
        for route in (routes.HR_JOBS, routes.HR_JOBS + "/1", routes.HR_QUESTIONS):
            _open(phone, portal, route)
            _assert_fits(phone, f"{route} ({locale}, hr)")
        _open(phone, portal, routes.HR_JOBS + "/1")
        expect(phone.locator(".competency-editor").first).to_be_visible()
    context.close()
