"""Issue 10's walk in the browser: the demo candidate opens their scored report (radar
chart, percentile), downloads it as a PDF (the Chinese competency names and scores in
its text, page 1 not blank), asks for a human review, enrols with one click in a course
recommended for a gap, and finds it in the development plan and on its timeline; the
summary e-mail of the report arrived by SMTP. The demo employee sees their goals (the
probation goal marked), a course in progress and a score timeline of at least three
points, at phone width in both languages."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from portal.services.platform.demo import demo_email
from tests.e2e.accounts import sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits


def _past_interview(portal) -> tuple[int, dict[str, str]]:
    with db.session_scope(portal.db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.email == demo_email("candidate"))).one()
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == candidate.id,
                                                          models.Interview.status == "completed")).one()
        names = {c.key: c.name_zh for c in s.exec(select(models.Competency).where(
            models.Competency.model_id == interview.model_id)).all()}
        return interview.id, names


def test_the_candidate_goes_from_the_report_to_a_course_and_sees_it_in_the_plan(page: Page, portal, secrets,
                                                                               smtp_inbox):
    interview_id, names = _past_interview(portal)
    # scoring finished when the demo was loaded: the summary went out by e-mail
    summary = smtp_inbox.wait_for_all(demo_email("candidate"), 1, timeout=120,
                                      where=lambda m: "评分报告已生成" in str(m["subject"]))[0]
    assert routes.candidate_report(interview_id) in summary.get_body(preferencelist=("plain",)).get_content()

    sign_in_demo(page, portal, "candidate", secrets)
    page.goto(portal.url + routes.CANDIDATE_INTERVIEWS)
    wait_hydrated(page)
    page.locator(f"a.report-link[href='{routes.candidate_report(interview_id)}']").click()
    expect(page.locator("#page-title")).to_have_text("您的评分报告")
    expect(page.locator("#report-radar svg.radar-chart")).to_have_count(1)
    expect(page.locator("#report-percentile")).to_contain_text("高于本职位")
    overall = page.locator("#report-overall").inner_text()
    expect(page.locator("#report-next-steps li").first).to_contain_text("HR")

    # the PDF: the same report, Chinese text found in it, page 1 drawn
    download = page.request.get(portal.url + page.locator("#report-pdf").get_attribute("href"))
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(download.body())
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert names["communication"] in text and overall in text
    lo, hi = doc[0].render(scale=0.5).to_pil().convert("L").getextrema()
    assert hi - lo > 100

    page.fill("#review-reason", "我认为我在学习能力题目中的第二个例子没有被考虑。")
    page.click("#review-ask")
    expect(page.locator("#review-open")).to_be_visible()

    # one click on the first course recommended for a gap, and the reason it says
    first = page.locator("#report-courses .course-recommendation").first
    expect(first.locator(".course-why").first).to_contain_text(re.compile(r"差距 \d+ 分 → 本课程针对"))
    title = first.locator(".course-title").inner_text()
    code = first.get_attribute("data-code")
    first.locator(".course-enrol").dblclick()  # a double click enrols once
    expect(page.locator("#flash-text")).to_contain_text(title)
    expect(page.locator(f"#report-courses .course-recommendation[data-code='{code}']")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        course = s.exec(select(models.Course).where(models.Course.code == code)).one()
        assert len(s.exec(select(models.Enrollment).where(models.Enrollment.course_id == course.id)).all()) == 1

    page.click("#report-plan-link")
    expect(page).to_have_url(re.compile(re.escape(routes.DEVELOPMENT) + "/?$"))
    expect(page.locator("#page-title")).to_have_text("我的发展")
    mine = page.locator(f".plan-course[data-code='{code}']")
    expect(mine).to_contain_text(title)
    expect(mine).to_contain_text("已报名")
    timeline = page.locator("#timeline-chart svg.timeline-chart")
    expect(timeline).to_have_count(1)
    expect(timeline.locator(".timeline-marker title")).to_contain_text([f"「{title}」开课"])
    expect(page.locator(".trend").first).to_be_visible()

    # leaving it frees the seat and puts the course back among the recommendations
    mine.locator(".course-leave").click()
    expect(page.locator("#flash-text")).to_contain_text("您已退出")
    expect(page.locator(f".plan-course[data-code='{code}']")).to_have_count(0)
    expect(page.locator(f"#plan-recommended .course-recommendation[data-code='{code}']")).to_have_count(1)
    page.locator(f"#plan-recommended .course-recommendation[data-code='{code}'] .course-enrol").click()
    expect(page.locator(f".plan-course[data-code='{code}']")).to_have_count(1)

    # bad input: hours that are not a number change nothing and say why
    page.fill("#pref-hours", "很多")
    page.click("#pref-save")
    expect(page.locator("#pref-error")).to_contain_text("1 到 200")
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.LearningPreference)).first() is None


def test_the_employee_sees_goals_courses_and_a_timeline_at_phone_width(page: Page, portal, secrets, smtp_inbox):
    sign_in_demo(page, portal, "employee", secrets)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(portal.url + "/")
    wait_hydrated(page)
    page.click("#menu-button")
    page.locator("#menu a", has_text="我的发展").click()
    expect(page.locator("#page-title")).to_have_text("我的发展")
    goals = page.locator(".plan-goal")
    expect(goals.filter(has_text="试用期目标")).to_have_count(1)
    expect(goals.first).to_contain_text("目标 85")
    in_progress = page.locator(".plan-course", has_text="进行中")
    expect(in_progress).to_contain_text("60%")
    expect(in_progress).to_contain_text(re.compile(r"已完成 \d+/\d+ 个模块"))
    chart = page.locator("#timeline-chart svg.timeline-chart")
    communication = chart.locator(".timeline-series", has=page.locator("title", has_text="沟通"))
    assert communication.locator("circle").count() >= 3
    expect(chart.locator(".timeline-marker title", has_text="完成")).to_have_count(1)  # COM-101, completed
    expect(page.locator(".trend", has_text="沟通")).to_contain_text("70 → 82")
    _assert_fits(page, "development plan (zh_CN, employee)")

    # the development report, by e-mail on demand
    page.click("#plan-send-report")
    expect(page.locator("#flash-text")).to_have_text("您的发展报告正在发送到您的邮箱。")
    mail = smtp_inbox.wait_for_all(demo_email("employee"), 1, timeout=60,
                                   where=lambda m: "以来您的发展" in str(m["subject"]))[-1]
    assert "/development" in mail.get_body(preferencelist=("plain",)).get_content()

    page.click("#menu-button")
    page.click("#menu-language-switch")
    page.keyboard.press("Escape")
    expect(page.locator("#page-title")).to_have_text("My development")
    expect(page.locator(".trend", has_text="Communication")).to_contain_text("70 → 82")
    _assert_fits(page, "development plan (en, employee)")
