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
