"""HR edits an e-mail template: an unknown placeholder is refused by name, a valid text
is saved, previewed with sample data in both languages and used by the sending code."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal import routes
from portal.services.platform import db, notifications
from tests.e2e.accounts import sign_in_demo, wait_hydrated


def test_hr_edits_a_template_refused_then_saved_and_previewed(page: Page, portal, portal_services, secrets):
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_TEMPLATES)
    wait_hydrated(page)
    expect(page.locator("#template-allowed")).to_contain_text("{job}")
    zh = page.locator(".template-zh")
    zh.locator("input[name=subject]").fill("{nmae}，您的面试已取消")
    zh.locator(".template-save").click()
    expect(page.locator("#template-error")).to_contain_text("{nmae}")

    zh.locator("input[name=subject]").fill("{job} 面试已取消（已更新）")
    zh.locator(".template-save").click()
    expect(page.locator("#flash-text")).to_have_text("模板已保存。")
    expect(page.locator("#template-error")).to_have_count(0)
    expect(zh.locator(".template-preview-subject")).to_have_text("产品经理 面试已取消（已更新）")
    expect(page.locator(".template-en .template-preview-subject")).to_contain_text("Product Manager")

    with db.session_scope(portal.db_url) as s:
        subject, _body = notifications.render_template(s, "interview_cancelled", "zh_CN", {"job": "数据分析师"})
    assert subject == "数据分析师 面试已取消（已更新）"


CSV_HEAD = "code,title_zh,title_en,format,duration_hours,level,competencies,starts,ends,enrol_by,seats\n"


def test_hr_imports_courses_bad_file_refused_whole_good_one_accepted(page: Page, portal, secrets):
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_COURSES)
    wait_hydrated(page)
    expect(page.locator(".hr-course", has_text="COM-101")).to_have_count(1)
    good = "E2E-1,端到端课程,E2E course,online,2,2,communication,2027-03-01,2027-03-02,2027-02-20,10\n"
    page.locator("#course-csv").fill(CSV_HEAD + good + "E2E-2,坏,Bad,lecture,2,9,nonsense,,,,\n")
    page.locator("#course-import").click()
    expect(page.locator("#course-error")).to_contain_text("未导入任何内容")
    expect(page.locator(".course-row-error").first).to_contain_text("第 3 行")
    expect(page.locator(".course-row-error", has_text="nonsense")).to_have_count(1)
    expect(page.locator(".hr-course", has_text="E2E-1")).to_have_count(0)

    page.locator("#course-csv").fill(CSV_HEAD + good)
    page.locator("#course-import").click()
    expect(page.locator("#flash-text")).to_have_text("已导入 1 门课程。")
    expect(page.locator(".hr-course", has_text="E2E-1")).to_contain_text("端到端课程")
    expect(page.locator("#course-error")).to_have_count(0)
