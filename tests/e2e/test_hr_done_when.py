"""Issue 12's "done when", walked in one go through the browser: HR creates a position with
a competency model (a weight sum of 90% refused, nothing saved), tries an answer on the
real worker, imports its questions from CSV (a file with one bad row refused whole, then
a good one), schedules the demo candidate (the invitation reaches a real SMTP server),
writes an auto-advance rule, previews it on the position's past candidates and activates
it. The candidate's interview, scored by the real worker, fires the rule; HR confirms the
proposal; the candidate's report then shows the decision with its numbers. The position's
analytics show the funnel this made. The candidate downloads their data (ZIP of JSON),
asks for deletion, HR approves: their rows are gone, the audit record stays.

Runs last in the session (tests/e2e/conftest.py): it adds a position, candidates and
counts that other tests read, and deletes the demo candidate at the end."""

from __future__ import annotations

import io
import json
import re
import secrets as pysecrets
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import passwords
from portal.services.interviews import consent
from portal.services.platform import db, demo
from portal.services.platform.demo import DEMO_PASSWORD, INTERVIEWER_ACCOUNT_PROFILE, demo_email
from tests.e2e import test_hr_content as content
from tests.e2e.accounts import answer_interview, new_page, sign_in_demo, wait_hydrated
from tests.e2e.test_hr_analytics import FEWER, _funnel
from tests.e2e.test_hr_rules import _wait_firing, confirm_decision, expect_report_decision, pending_decision
from tests.e2e.test_hr_scheduling import _about

# runs after every other test: it adds positions and candidates they count, and deletes the demo candidate
pytestmark = pytest.mark.last
CODE = "E2E-WALK-01"
QUESTIONS = [row.replace(content.CODE, CODE) for row in content.GOOD] + [
    f"{CODE},customer_focus,interview,请讲一次你超出客户预期的经历。,"
    "Tell us about a time you went beyond what a customer expected.,30,120"]
RULE = "总分 ≥ 60 AND 客户导向 ≥ 60"
# The position's past candidates (communication, customer focus), scored before the rule
# existed; weights 50/50. Four were hired, five ran the device check.
PAST = [(86, 80), (70, 64), (90, 88), (58, 54), (50, 62), (72, 56)]
HIRED = {0, 1, 2, 5}
CHECKED = {0, 1, 2, 3, 4}


def _meets_rule(communication: float, customer_focus: float) -> bool:
    """The rule on the numbers the report shows (rounded; overall weighted 50/50)."""
    return round((communication + customer_focus) / 2) >= 60 and round(customer_focus) >= 60


def _past_candidates(portal, job_id: int) -> None:
    """The position's earlier candidates: interviewed 20-45 days ago, every answer scored
    (as the demo seeds its cohorts), invited a week before."""
    now = models.utcnow()
    with db.session_scope(portal.db_url) as s:
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job_id,
                                                            models.CompetencyModel.is_current.is_(True))).one()
        for n, (communication, customer_focus) in enumerate(PAST):
            at = now - timedelta(days=20 + 5 * n)
            hired = at + timedelta(days=10) if n in HIRED else None
            person = models.User(email=f"walk-{n}-{pysecrets.token_hex(3)}@example.cn", display_name=f"往期候选人{n}",
                                 role="employee" if hired else "candidate", locale="zh_CN", hired_at=hired,
                                 password_hash=passwords.hash_password(DEMO_PASSWORD),
                                 password_changed_at=now)
            s.add(person)
            s.flush()
            interview = models.Interview(candidate_id=person.id, job_id=job_id, model_id=model.id, scheduled_at=at,
                                         status="completed", created_at=at - timedelta(days=7))
            s.add(interview)
            s.flush()
            if n in CHECKED:
                s.add(models.DeviceCheck(user_id=person.id, interview_id=interview.id, camera_ok=True,
                                         microphone_ok=True, network_ok=True, browser_ok=True,
                                         checked_at=at - timedelta(days=2), problems=[]))
            demo._scored_answers(s, interview, {}, model, {},
                                 {"communication": communication, "customer_focus": customer_focus}, {})


def test_issue_12_done_when(browser, portal, portal_services, secrets, smtp_inbox):
    candidate_email = demo_email("candidate")
    page = new_page(browser)

    # 1. HR creates a position and its competency model, and tries an answer
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_HOME)
    wait_hydrated(page)
    page.locator(".hr-section", has_text="职位与胜任力模型").click()
    expect(page).to_have_url(re.compile(r"/hr/jobs$"))
    page.fill("#job-new-code", CODE)
    page.fill("#job-new-title-zh", "售后服务主管")
    page.fill("#job-new-title-en", "After-sales Service Lead")
    page.click("#job-create")
    expect(page).to_have_url(re.compile(r"/hr/jobs/\d+$"))
    wait_hydrated(page)
    job_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#page-title")).to_have_text("售后服务主管")
    expect(page.locator("#model-version-note")).to_contain_text("还没有胜任力模型")
    for n, comp in enumerate(content.COMPETENCIES):  # weights 50 + 40
        page.click("#comp-add")
        card = page.locator(".competency-editor").nth(n)
        for name, field in content.FIELDS.items():
            content._field(card, field).fill(comp[name])
    expect(page.locator("#weight-sum")).to_have_text("权重合计：90%")
    page.click("#model-save")
    expect(page.locator("#model-error")).to_contain_text("90%")
    assert content._model_rows(portal, job_id) == []
    content._field(page.locator(".competency-editor").nth(1), "weight_pct").fill("50")
    expect(page.locator("#weight-sum")).to_have_text("权重合计：100%")
    page.click("#model-save")
    expect(page.locator("#flash-text")).to_have_text("胜任力模型已保存（版本 1）。")
    assert [(m.version, m.is_current) for m in content._model_rows(portal, job_id)] == [(1, True)]

    content.try_an_answer(page)

    # 2. Its questions from CSV: one bad row refuses the whole file, then the good file
    page.click("text=该职位的题库")
    expect(page).to_have_url(re.compile(r"/hr/questions$"))
    wait_hydrated(page)
    page.select_option("#question-job", str(job_id))
    expect(page.locator(".hr-question")).to_have_count(0)
    page.fill("#question-csv", content.HEAD + "\n".join(QUESTIONS[:2]) + "\n"
              + f"{CODE},leadership,interview,问题,Question,30,120\n")
    page.click("#question-import")
    expect(page.locator("#question-error")).to_contain_text("未导入任何内容")
    expect(page.locator(".question-row-error")).to_have_count(1)
    expect(page.locator(".question-row-error")).to_contain_text("第 4 行")
    expect(page.locator(".question-row-error")).to_contain_text("leadership")
    expect(page.locator(".hr-question")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.Question).where(models.Question.job_id == job_id)).all() == []
    page.fill("#question-csv", content.HEAD + "\n".join(QUESTIONS) + "\n")
    page.click("#question-import")
    expect(page.locator("#flash-text")).to_have_text("已导入 3 个问题。")
    expect(page.locator(".hr-question")).to_have_count(3)
    expect(page.locator(".hr-question", has_text="超出客户预期")).to_contain_text("客户导向")
    with db.session_scope(portal.db_url) as s:
        asked = s.exec(select(models.Question).where(models.Question.job_id == job_id,
                                                     models.Question.is_practice.is_(False))).all()
        assert sorted(q.competency_key for q in asked) == ["communication", "customer_focus"]
    _past_candidates(portal, job_id)

    # 3. HR schedules the demo candidate for the position; the invitation is mailed
    with db.session_scope(portal.db_url) as s:
        profiles = s.exec(select(models.InterviewerProfile).order_by(models.InterviewerProfile.id)).all()
        profile = profiles[INTERVIEWER_ACCOUNT_PROFILE]
        candidate = s.exec(select(models.User).where(models.User.email == candidate_email)).one()
        candidate_id, candidate_name = candidate.id, candidate.display_name
    page.goto(portal.url + routes.HR_SCHEDULE)
    wait_hydrated(page)
    page.fill("#schedule-query", candidate_email)
    page.click("#schedule-search")
    page.locator(".schedule-found").first.click()
    expect(page.locator("#schedule-candidate")).to_contain_text(candidate_email)
    page.select_option("#schedule-job", str(job_id))
    page.get_by_label(profile.name_zh).check()
    page.click("#schedule-suggest")
    slot = page.locator(".schedule-slot").first
    expect(slot).to_be_visible()
    slot.click()
    expect(page.get_by_text("面试已安排；候选人将收到附有日历文件的邮件。")).to_be_visible()
    expect(page.locator(".upcoming-interview", has_text="售后服务主管")).to_have_count(1)
    with db.session_scope(portal.db_url) as s:
        [interview] = s.exec(select(models.Interview).where(models.Interview.job_id == job_id,
                                                            models.Interview.candidate_id == candidate_id)).all()
        interview_id = interview.id
        assert interview.status == "scheduled"
    smtp_inbox.wait_for_all(candidate_email, 1, where=_about(f"interview-{interview_id}@localhost", 0, "REQUEST"))

    # 4. An auto-advance rule: previewed on the past candidates, then activated
    page.goto(portal.url + routes.HR_RULES)
    wait_hydrated(page)
    page.select_option("#rule-job", str(job_id))
    expect(page.locator("#rule-names")).to_contain_text("客户导向")
    page.fill("#rule-expression", RULE)
    page.select_option("#rule-action", "advance")
    page.click("#rule-save")
    expect(page.locator("#flash-text")).to_have_text("规则已保存为草稿。请先预览，再启用。")
    card = page.locator(".rule-card").first
    expect(card.locator(".rule-text")).to_have_text("总分 ≥ 60 且 客户导向 ≥ 60 → 进入下一轮")
    card.locator(".rule-preview-button").click()
    met = sum(_meets_rule(*p) for p in PAST)
    assert (met, len(PAST)) == (3, 6)
    expect(page.locator("#rule-preview-summary")).to_have_text(f"在过往 {len(PAST)} 场已评分的面试中，会让 {met} 场晋级。")
    expect(page.locator(".rule-preview-row")).to_have_count(met)
    for n, p in enumerate(PAST):
        expect(page.locator(".rule-preview-row", has_text=f"往期候选人{n}")).to_have_count(int(_meets_rule(*p)))
    card.locator(".rule-activate").click()
    expect(page.locator("#flash-text")).to_contain_text("规则已启用")
    expect(card.locator(".rule-status")).to_have_text("已启用")
    with db.session_scope(portal.db_url) as s:
        rule = s.exec(select(models.DecisionRule).where(models.DecisionRule.job_id == job_id)).one()
        assert (rule.status, rule.canonical, rule.action, rule.preview_matched, rule.preview_total) == \
               ("active", "overall ≥ 60 AND customer_focus ≥ 60", "advance", met, len(PAST))

    # 5. The day comes: the candidate answers both questions, the real worker scores them,
    # the rule proposes; the report shows no decision until a person confirms it
    with db.session_scope(portal.db_url) as s:
        person = s.get(models.User, candidate_id)
        if not consent.has_consent(s, candidate_id):
            consent.grant(s, person, consent.current_version(s))
        interview = s.get(models.Interview, interview_id)
        interview.scheduled_at, interview.status = models.utcnow() - timedelta(hours=1), "in_progress"
        s.add(interview)
        s.flush()
        answer_interview(s, person, interview, content.ANSWER)
    firing = _wait_firing(portal, interview_id)
    assert (firing.rule_id, firing.rule_version, firing.proposed, firing.status) == (rule.id, 1, "advance", "pending")
    assert list(firing.numbers) == ["overall", "customer_focus"] and min(firing.numbers.values()) >= 60
    numbers = f"总分 {firing.numbers['overall']}，客户导向 {firing.numbers['customer_focus']}"

    cand = new_page(browser, downloads=True)
    sign_in_demo(cand, portal, "candidate", secrets)
    cand.goto(portal.url + routes.candidate_report(interview_id))
    wait_hydrated(cand)
    expect(cand.locator("#report-overall")).to_be_visible()
    expect(cand.locator("#report-decision")).to_have_count(0)

    pending = pending_decision(page, portal, "售后服务主管", "进入下一轮", numbers)
    expect(pending).to_contain_text(candidate_name)
    confirm_decision(page, pending, "售后服务主管")
    expect_report_decision(cand, portal, firing.id, "advance", "您的申请结果：进入下一轮。",
                           f"“总分 ≥ 60 且 客户导向 ≥ 60”（规则 {rule.rule_no}，第 1 版）", numbers)

    # 6. The position's funnel: the six past candidates and the demo candidate; four hired
    # and the one HR just moved on advanced; "hired" is four people, so it is not shown
    with db.session_scope(portal.db_url) as s:
        at = s.get(models.Interview, interview_id).scheduled_at
        # the demo candidate's own device check, if they (or another test) ran one before the interview
        checked = s.exec(select(models.DeviceCheck).where(
            models.DeviceCheck.user_id == candidate_id,
            (models.DeviceCheck.interview_id == interview_id)
            | (models.DeviceCheck.interview_id.is_(None) & (models.DeviceCheck.checked_at <= at)))).first()
    page.goto(portal.url + routes.HR_ANALYTICS)
    wait_hydrated(page)
    expect(page.locator("#page-title")).to_have_text("数据分析")
    page.select_option("#analytics-job", str(job_id))
    page.click("#analytics-show")
    expect(page.locator("#funnel-table .analytics-row", has_text="已邀请").locator("td").nth(1)).to_have_text("7")
    assert _funnel(page) == {"已邀请": "7", "已准备（设备检测）": str(len(CHECKED) + (checked is not None)),
                             "已面试": "7", "进入下一轮": str(len(HIRED) + 1), "已录用": FEWER}

    # 7. The candidate downloads their data, asks for deletion, HR approves
    cand.goto(portal.url + routes.ACCOUNT_PRIVACY)
    wait_hydrated(cand)
    expect(cand.locator("h1")).to_have_text("我的数据")
    with cand.expect_download() as info:
        cand.click("#privacy-download")
    assert info.value.suggested_filename == "my-talent-portal-data.zip"
    z = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    assert json.loads(z.read("account.json"))["account"]["email"] == candidate_email
    mine = [i for i in json.loads(z.read("interviews.json"))["interviews"] if i["id"] == interview_id]
    assert [(i["job_code"], i["status"]) for i in mine] == [(CODE, "completed")]
    decisions = [d for d in json.loads(z.read("interviews.json"))["decisions"] if d["interview_id"] == interview_id]
    assert [(d["rule"], d["numbers"], d["outcome"]) for d in decisions] == [(RULE, firing.numbers, "advance")]
    answers = [a for a in json.loads(z.read("answers.json")) if a["interview_id"] == interview_id]
    assert len(answers) == 2 and {a["transcript"] for a in answers} == {content.ANSWER}
    reports = [r for r in json.loads(z.read("scores.json"))["reports"] if r["interview_id"] == interview_id]
    assert len(reports) == 1
    cand.fill("#privacy-reason", "我已接受其他公司的录用。")
    cand.click("#privacy-ask")
    expect(cand.locator("#privacy-status")).to_contain_text("等待 HR 决定")

    page.goto(portal.url + routes.HR_PRIVACY)
    wait_hydrated(page)
    request = page.locator(".privacy-request", has_text=candidate_email)
    expect(request).to_contain_text("我已接受其他公司的录用。")
    request.locator(".privacy-approve").click()
    request.locator(".privacy-approve-confirm").click()
    expect(page.get_by_text("请求已批准：此人的数据已删除，账户已关闭。")).to_be_visible()
    expect(page.locator(".privacy-request", has_text=candidate_email)).to_have_count(0)
    cand.goto(portal.url + routes.ACCOUNT_PRIVACY)
    expect(cand).to_have_url(re.compile(r"/login"))
    with db.session_scope(portal.db_url) as s:
        assert s.get(models.User, candidate_id) is None
        assert s.exec(select(models.User).where(models.User.email == candidate_email)).first() is None
        assert s.exec(select(models.Interview).where(models.Interview.candidate_id == candidate_id)).all() == []
        assert s.exec(select(models.Answer).where(models.Answer.user_id == candidate_id)).all() == []
        assert s.get(models.RuleFiring, firing.id) is None
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.actor == candidate_email)).first() is None
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "privacy.delete",
                                                      models.AuditEvent.object_id == str(candidate_id))).first()
        # the decision stays accountable: who confirmed it, on which rule
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "decision.confirm",
                                                      models.AuditEvent.object_id == str(firing.id))).first()
    cand.context.close()
    page.context.close()
