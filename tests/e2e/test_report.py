"""The candidate's score report in the browser (issue 10): from "my interviews" to the
report with the overall match, the percentile among five other candidates of the job,
the radar chart, strengths and areas to improve and the sentences that counted; the
PDF; a human review asked, answered by HR and read back; at phone width in both
languages; nobody else's; and a report that HR publishes, seen once HR has published it."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import crypto, db, i18n
from portal.services.platform.errors import PERMISSION_DENIED
from tests.e2e.accounts import new_candidate_with_interview, sign_in, sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits

QUOTE = "我先耐心倾听并复述确认了他的核心诉求"


def _scored(s, interview: models.Interview, value_of, questions_of_job: int | None = None) -> None:
    comps = s.exec(select(models.Competency).where(models.Competency.model_id == interview.model_id)).all()
    for q in s.exec(select(models.Question).where(models.Question.job_id == (questions_of_job or interview.job_id),
                                                  models.Question.is_practice.is_(False))).all():
        answer = models.Answer(user_id=interview.candidate_id, question_id=q.id, interview_id=interview.id,
                               model_id=interview.model_id, transcript_enc=crypto.encrypt(QUOTE + "。"))
        s.add(answer)
        s.flush()
        s.add(models.AnswerScore(answer_id=answer.id, overall=70, relevance=80, coherence=70, keyword_density=0.1))
        for c in comps:
            evidence = [{"sentence": QUOTE, "similarity": 0.6}] if c.key == q.competency_key else []
            s.add(models.CompetencyScore(answer_id=answer.id, competency_id=c.id, score=value_of(c), level=3.5,
                                         evidence_enc=crypto.encrypt(json.dumps(evidence, ensure_ascii=False))))


def test_a_candidate_reads_their_report_and_nobody_else_can(browser, page: Page, portal, portal_services, secrets):
    email, interview_id = new_candidate_with_interview(portal, days_ahead=-2)
    _other_email, theirs = new_candidate_with_interview(portal, days_ahead=-2)
    with db.session_scope(portal.db_url) as s:
        interview = s.get(models.Interview, interview_id)
        interview.status = "completed"
        # strong on customers, weak on communication: the report must say so
        _scored(s, interview, lambda c: {"customer_focus": 90.0, "communication": 55.0}.get(c.key, 72.0))
        for n, value in enumerate((60.0, 65.0, 70.0, 75.0, 80.0)):  # a cohort of five for this job
            person = models.User(email=f"cohort-{interview_id}-{n}@example.cn", role="candidate")
            s.add(person)
            s.flush()
            cohort = models.Interview(candidate_id=person.id, job_id=interview.job_id, model_id=interview.model_id,
                                      scheduled_at=interview.scheduled_at, status="completed")
            s.add(cohort)
            s.flush()
            _scored(s, cohort, lambda c, v=value: v)
        names = {c.key: c.name_zh for c in s.exec(select(models.Competency).where(
            models.Competency.model_id == interview.model_id)).all()}

    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.CANDIDATE_INTERVIEWS)
    wait_hydrated(page)
    page.locator(f"a.report-link[href='{routes.candidate_report(interview_id)}']").click()
    expect(page).to_have_url(re.compile(re.escape(routes.candidate_report(interview_id)) + "$"))
    expect(page.locator("#page-title")).to_have_text("您的评分报告")
    overall = int(page.locator("#report-overall").inner_text())
    assert 70 <= overall <= 76, overall  # weighted: 90 and 55 on the two heaviest, 72 elsewhere
    expect(page.locator("#report-percentile")).to_contain_text("高于本职位")
    radar = page.locator("#report-radar svg.radar-chart")
    expect(radar).to_have_count(1)
    assert radar.locator("polygon[stroke-width='2']").count() == 3  # you, the requirement, the cohort's median
    expect(page.locator("#report-strengths")).to_contain_text(names["customer_focus"])
    expect(page.locator("#report-improvements")).to_contain_text(names["communication"])
    communication = page.locator(".report-competency", has_text=names["communication"])
    expect(communication.locator(".report-score")).to_have_text("55")
    expect(communication).to_contain_text("差距 20 分")
    expect(page.locator(".report-evidence").first).to_have_text(QUOTE)

    # the same report as a PDF, from the page's own link
    href = page.locator("#report-pdf").get_attribute("href")
    assert href == f"{routes.REPORT_PDF}?interview={interview_id}"
    download = page.request.get(portal.url + href)
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF")

    page.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(page, "score report (zh_CN)")
    page.click("#menu-button")
    page.click("#menu-language-switch")
    page.keyboard.press("Escape")
    expect(page.locator("#page-title")).to_have_text("Your score report")
    expect(page.locator("#report-percentile")).to_contain_text("Higher than")
    _assert_fits(page, "score report (en)")

    # a human review: asked here, answered by HR, read back on the report
    page.fill("#review-reason", "I think my second example of listening was not taken into account.")
    page.click("#review-ask")
    expect(page.locator("#review-open")).to_be_visible()
    hr_context = browser.new_context(viewport={"width": 1280, "height": 900})
    hr = hr_context.new_page()
    hr.set_default_timeout(15_000)
    sign_in_demo(hr, portal, "hr", secrets)
    hr.goto(portal.url + routes.HR_REVIEWS)
    wait_hydrated(hr)
    request = hr.locator(".review-request", has_text="my second example of listening")
    expect(request).to_have_count(1)
    request.locator("textarea").fill("我们重新查看了您的回答：沟通能力调整为 62 分。")
    request.locator(".review-send").click()
    expect(hr.locator("#flash-text")).to_have_text("您的答复已发送给候选人。")
    hr_context.close()
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#review-answer")).to_contain_text("沟通能力调整为 62 分")
    with db.session_scope(portal.db_url) as s:
        mail = s.exec(select(models.EmailOutbox).where(models.EmailOutbox.kind == "review.resolved",
                                                       models.EmailOutbox.to_addr == email)).one()
        assert "62 分" in mail.body_text

    page.goto(portal.url + routes.candidate_report(theirs))
    wait_hydrated(page)
    expect(page.locator("#flash-text")).to_have_text(i18n.gettext("en", PERMISSION_DENIED))
    expect(page.locator("#report-radar")).to_have_count(0)


def test_a_report_that_hr_publishes_reaches_the_candidate_when_hr_publishes_it(browser, page: Page, portal,
                                                                                portal_services, secrets):
    email, interview_id = new_candidate_with_interview(portal, days_ahead=-2)
    with db.session_scope(portal.db_url) as s:
        interview = s.get(models.Interview, interview_id)
        demo_job = s.get(models.Job, interview.job_id)
        job = models.Job(code=f"HR-PUBLISHES-{interview_id}", title_zh="人工发布职位", title_en="HR-published job",
                         report_publishing="hr", is_open=False)  # not among the open positions
        s.add(job)
        s.flush()
        interview.job_id, interview.status = job.id, "completed"
        # the demo job's questions and model, scored: the report is ready but not published
        _scored(s, interview, lambda c: 72.0, questions_of_job=demo_job.id)

    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.candidate_report(interview_id))
    wait_hydrated(page)
    expect(page.locator("#report-not-ready")).to_contain_text("HR 审阅报告后会向您发布")
    expect(page.locator("#report-overall")).to_have_count(0)

    hr_context = browser.new_context(viewport={"width": 1280, "height": 900})
    hr = hr_context.new_page()
    hr.set_default_timeout(15_000)
    sign_in_demo(hr, portal, "hr", secrets)
    hr.goto(portal.url + routes.interview_review(interview_id))
    wait_hydrated(hr)
    hr.click("#review-publish")
    expect(hr.locator("#flash-text")).to_have_text("报告已发布：候选人可以查看，并会收到摘要邮件。")
    expect(hr.locator("#review-publication")).to_contain_text("已向候选人发布")
    hr_context.close()

    page.reload()
    wait_hydrated(page)
    expect(page.locator("#report-overall")).to_have_text("72")
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "report.publish")).first()
