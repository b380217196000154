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



def test_hr_adds_an_interviewer_and_uploads_a_checked_photo(browser, page: Page, portal, secrets, tmp_path):
    from sqlmodel import select

    from portal.models import InterviewerProfile
    from tests.unit.test_hr_catalogue import _png_with_exif

    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_INTERVIEWERS)
    wait_hydrated(page)
    count = page.locator(".hr-interviewer").count()
    assert count >= 1  # the demo interviewers
    # the English name is missing: refused, nothing stored, what was typed stays
    page.fill("#iv-name_zh", "端到端面试官")
    page.fill("#iv-title_zh", "测试主管")
    page.fill("#iv-years_experience", "7")
    page.click("#iv-save")
    expect(page.locator("#form-error")).to_contain_text("中英文")
    expect(page.locator("#iv-name_zh")).to_have_value("端到端面试官")
    expect(page.locator(".hr-interviewer")).to_have_count(count)

    page.fill("#iv-name_en", "E2E Interviewer")
    page.click("#iv-save")
    expect(page.locator("#flash-text")).to_have_text("面试官资料已保存。")
    card = page.locator(".hr-interviewer", has_text="端到端面试官")
    expect(card).to_contain_text("测试主管 · 7 年")

    # a text file called .jpg is judged by its bytes and refused
    fake = tmp_path / "photo.jpg"
    fake.write_text("not an image at all")
    card.locator(".interviewer-photo-file").set_input_files(str(fake))
    card.locator(".interviewer-photo-upload").click()
    expect(page.locator("#form-error")).to_contain_text("不是 JPEG、PNG 或 WebP")
    with db.session_scope(portal.db_url) as s:
        profile = s.exec(select(InterviewerProfile).where(InterviewerProfile.name_en == "E2E Interviewer")).one()
        assert profile.photo == "" and profile.years_experience == 7

    real = tmp_path / "portrait.png"
    real.write_bytes(_png_with_exif())
    card = page.locator(".hr-interviewer", has_text="端到端面试官")
    card.locator(".interviewer-photo-file").set_input_files(str(real))
    card.locator(".interviewer-photo-upload").click()
    expect(page.locator("#form-notice")).to_have_text("照片已保存。")
    img = page.locator(".hr-interviewer", has_text="端到端面试官").locator("img.interviewer-photo")
    src = img.get_attribute("src")
    assert src.startswith(routes.INTERVIEWER_PHOTO + "/")
    expect(img).to_have_js_property("complete", True)
    assert img.evaluate("i => i.naturalWidth") == 512  # resized to at most 512 px a side
    served = page.request.get(portal.url + src)
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.body()[:3] == b"\xff\xd8\xff" and b"SecretCam" not in served.body()
    # only signed-in people get staff photos
    stranger = browser.new_context()
    assert stranger.request.get(portal.url + src).status == 404
    stranger.close()
