"""HR writes a decision rule on /hr/rules: a broken one is refused with its message next to
the field and nothing saved; a good one is previewed on the demo's scored interviews (the
count the page shows is the one the demo's data file gives) and activated. A candidate's
interview scored by the real worker fires it; HR confirms on /hr/decisions; the
candidate's report then shows the decision with its rule, version, numbers and who
confirmed it — and nothing before."""

from __future__ import annotations

import json
import secrets as pysecrets
import time
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import passwords
from portal.services.interviews import consent
from portal.services.platform import db
from portal.services.platform.demo import CONTENT_DIR, DEMO_PASSWORD, demo_email
from tests.e2e.accounts import answer_interview, new_page, sign_in, sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits, fits_at_phone_width

JOB = "RD-SE-001"
RULE = "总分 < 70 OR problem solving < 65"  # a Chinese name, an English name, both connectors' words
WEAK = "我不太清楚，这个问题我没有想过。"


def _expected_preview(portal) -> tuple[int, int]:
    """From the demo's data file: how many of the job's seeded scored interviews the rule meets."""
    seeded = json.loads((CONTENT_DIR / "scored_interviews.json").read_text(encoding="utf-8"))
    people = list(seeded["cohort"][JOB])
    if seeded["candidate"]["job_code"] == JOB:
        people.append({k: a["score"] for k, a in seeded["candidate"]["answers"].items()})
    with db.session_scope(portal.db_url) as s:
        job = s.exec(select(models.Job).where(models.Job.code == JOB)).one()
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job.id)).first()
        weights = {c.key: c.weight for c in s.exec(select(models.Competency).where(
            models.Competency.model_id == model.id)).all()}
    met = 0
    for p in people:
        overall = round(sum(p[k] * w for k, w in weights.items()) / sum(weights.values()))
        met += overall < 70 or p["problem_solving"] < 65
    return met, len(people)


def _scored_interview(portal) -> tuple[str, int]:
    """A candidate of this test who answers every question of the job weakly; the portal's
    dispatcher has the real worker score them."""
    email = f"rules-{pysecrets.token_hex(4)}@example.cn"
    with db.session_scope(portal.db_url) as s:
        person = models.User(email=email, display_name="规则测试候选人", role="candidate", locale="zh_CN",
                             password_hash=passwords.hash_password(DEMO_PASSWORD),
                             password_changed_at=models.utcnow())
        s.add(person)
        s.flush()
        consent.grant(s, person, consent.current_version(s))
        job = s.exec(select(models.Job).where(models.Job.code == JOB)).one()
        model = s.exec(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job.id,
                                                            models.CompetencyModel.is_current.is_(True))).one()
        interview = models.Interview(candidate_id=person.id, job_id=job.id, model_id=model.id,
                                     scheduled_at=models.utcnow() - timedelta(hours=1), status="in_progress")
        s.add(interview)
        s.flush()
        answer_interview(s, person, interview, WEAK)
        interview_id = interview.id
    return email, interview_id


def _wait_firing(portal, interview_id: int, timeout: float = 240.0) -> models.RuleFiring:
    deadline = time.monotonic() + timeout
    while True:
        with db.session_scope(portal.db_url) as s:
            firing = s.exec(select(models.RuleFiring).where(models.RuleFiring.interview_id == interview_id)).first()
        if firing is not None:
            return firing
        assert time.monotonic() < deadline, "the scored interview fired no rule"
        time.sleep(1)



def pending_decision(page, portal, who: str, proposed: str, numbers: str):
    """The one proposal about ``who`` waiting on /hr/decisions, showing what the rule
    proposes and the numbers it compared."""
    page.goto(portal.url + routes.HR_DECISIONS)
    wait_hydrated(page)
    pending = page.locator(".decision-pending", has_text=who)
    expect(pending).to_have_count(1)
    expect(pending.locator(".decision-proposed")).to_contain_text(proposed)
    expect(pending.locator(".decision-numbers")).to_contain_text(numbers)
    return pending


def confirm_decision(page, pending, who: str) -> None:
    pending.locator(".decision-confirm").click()
    expect(page.locator("#flash-text")).to_have_text("决定已确认。候选人的报告中现在会显示它。")
    expect(page.locator(".decision-pending", has_text=who)).to_have_count(0)


def expect_report_decision(cand, portal, firing_id: int, outcome: str, says: str, rule: str,
                           numbers: str) -> None:
    """HR's confirmed decision is recorded, and the candidate's report, reloaded, shows what was
    decided, by which rule and version, on which numbers and by whom."""
    with db.session_scope(portal.db_url) as s:
        hr_name = s.exec(select(models.User).where(models.User.email == demo_email("hr"))).one().display_name
        decided = s.get(models.RuleFiring, firing_id)
        assert (decided.status, decided.outcome) == ("confirmed", outcome)
    cand.reload()
    wait_hydrated(cand)
    decision = cand.locator("#report-decision")
    expect(decision).to_contain_text(says)
    expect(decision).to_contain_text(rule)
    expect(decision).to_contain_text(numbers)
    expect(decision).to_contain_text(f"由 {hr_name} 于 ")


def test_hr_writes_previews_activates_and_confirms_a_rule_and_the_report_shows_it(
        browser, portal, portal_services, secrets):
    page = new_page(browser)
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_HOME)
    wait_hydrated(page)
    page.locator(f"a[href='{routes.HR_RULES}']").first.click()
    expect(page.locator("#page-title")).to_have_text("决策规则")
    with db.session_scope(portal.db_url) as s:
        job_id = s.exec(select(models.Job).where(models.Job.code == JOB)).one().id
        before = len(s.exec(select(models.DecisionRule)).all())
    page.select_option("#rule-job", str(job_id))
    expect(page.locator("#rule-names")).to_contain_text("问题解决")

    # a broken rule: the message names the problem and where, next to the field; nothing is saved
    page.fill("#rule-expression", "总分 ≥ 80 AND 领导力 ≥ 70")
    page.click("#rule-save")
    expect(page.locator("#rule-error")).to_contain_text("“领导力”（第 13 个字符）不是本职位的胜任力")
    expect(page.locator("#rule-expression")).to_have_value("总分 ≥ 80 AND 领导力 ≥ 70")  # kept to correct
    page.fill("#rule-expression", "总分 ≥ 120")
    page.click("#rule-save")
    expect(page.locator("#rule-error")).to_have_text("第 6 个字符处的 120 不在 0 到 100 之间。")
    with db.session_scope(portal.db_url) as s:
        assert len(s.exec(select(models.DecisionRule)).all()) == before

    # a good rule, saved as a draft, previewed on the job's past scored interviews, activated
    page.fill("#rule-expression", RULE)
    page.select_option("#rule-action", "reject")
    page.click("#rule-save")
    expect(page.locator("#flash-text")).to_have_text("规则已保存为草稿。请先预览，再启用。")
    expect(page.locator("#rule-error")).to_have_count(0)
    card = page.locator(".rule-card").first
    expect(card.locator(".rule-text")).to_have_text("总分 < 70 或 问题解决 < 65 → 不予录用")
    card.locator(".rule-activate").click()
    expect(page.locator("#flash-text")).to_have_text("启用前请先用过往面试预览这个版本。")
    card.locator(".rule-preview-button").click()
    met, total = _expected_preview(portal)
    assert 0 < met < total
    expect(page.locator("#rule-preview-summary")).to_have_text(f"在过往 {total} 场已评分的面试中，会淘汰 {met} 场。")
    expect(page.locator(".rule-preview-row")).to_have_count(met)
    fits_at_phone_width(page, "/hr/rules with a preview")
    card.locator(".rule-activate").click()
    expect(page.locator("#flash-text")).to_contain_text("规则已启用")
    expect(card.locator(".rule-status")).to_have_text("已启用")
    with db.session_scope(portal.db_url) as s:
        rule = s.exec(select(models.DecisionRule).where(models.DecisionRule.job_id == job_id)
                      .order_by(models.DecisionRule.id.desc())).first()
        assert (rule.status, rule.canonical, rule.version) == ("active", "overall < 70 OR problem_solving < 65", 1)

    # an interview scored by the real worker fires it; the candidate sees no decision yet
    email, interview_id = _scored_interview(portal)
    firing = _wait_firing(portal, interview_id)
    assert (firing.rule_id, firing.rule_version, firing.proposed, firing.status) == (rule.id, 1, "reject", "pending")
    cand = new_page(browser)
    sign_in(cand, portal, email, email, secrets)
    cand.goto(portal.url + routes.candidate_report(interview_id))
    wait_hydrated(cand)
    expect(cand.locator("#report-overall")).to_be_visible()
    expect(cand.locator("#report-decision")).to_have_count(0)

    # a person confirms it on /hr/decisions
    numbers = "，".join(f"{'总分' if k == 'overall' else '问题解决'} {v}" for k, v in firing.numbers.items())
    pending = pending_decision(page, portal, "规则测试候选人", "不予录用", numbers)
    pending.locator(".decision-override").click()  # an override needs a reason
    expect(pending.locator(".decision-error")).to_have_text("请填写推翻规则建议的理由（至少 10 个字符）。")
    confirm_decision(page, pending, "规则测试候选人")
    expect(page.locator(".decision-done", has_text="规则测试候选人").first).to_contain_text("确认")
    page.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(page, "/hr/decisions")

    # the candidate's report shows the decision traceably
    with db.session_scope(portal.db_url) as s:
        actions = {e.action for e in s.exec(select(models.AuditEvent).where(
            models.AuditEvent.object_id == str(firing.id), models.AuditEvent.object_type == "decision"))}
        assert "decision.confirm" in actions
    expect_report_decision(cand, portal, firing.id, "reject", "您的申请结果：本次未能进入下一轮。",
                           f"“总分 < 70 或 问题解决 < 65”（规则 {rule.rule_no}，第 1 版）", numbers)
    href = cand.locator("#report-pdf").get_attribute("href")
    download = cand.request.get(portal.url + href)
    assert download.status == 200 and download.body().startswith(b"%PDF")
    # both pages in English at phone width
    page.click("#menu-button")
    page.click("#menu-language-switch")
    page.keyboard.press("Escape")
    expect(page.locator("#page-title")).to_have_text("Decisions")
    expect(page.locator(".decision-done", has_text="规则测试候选人").first).to_contain_text("Confirmed by")
    _assert_fits(page, "/hr/decisions (en)")
    page.goto(portal.url + routes.HR_RULES)
    wait_hydrated(page)
    page.select_option("#rule-job", str(job_id))
    expect(page.locator(".rule-card").first.locator(".rule-text")).to_have_text(
        "overall < 70 OR Problem Solving < 65 → reject")
    _assert_fits(page, "/hr/rules (en)")
    cand.context.close()
    page.context.close()
