"""A candidate of this test's own (with a recorded answer) downloads their data from
/account/privacy and finds their JSON and recording in the ZIP, then asks for deletion;
HR approves it on /hr/privacy; the candidate is signed out and can no longer sign in,
and their recording files are gone. The admin sets retention periods on
/admin/retention: a period shorter than allowed is refused next to its field, a valid
one is saved, and the purge runs from the page. Last of all, the admin publishes a new
consent text there and a candidate who agreed to the old one is asked again."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.interviews import consent, recordings
from portal.services.platform import db
from portal.services.platform.demo import DEMO_PASSWORD
from tests import media
from tests.e2e.accounts import new_candidate_with_interview, new_page, sign_in, sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits, fits_at_phone_width


def _record_answer(portal, email: str, interview_id: int) -> tuple[int, int, bytes]:
    """The candidate records and submits one answer, as the room's uploads would."""
    stream = media.recording(2)
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        interview = s.get(models.Interview, interview_id)
        question = s.exec(select(models.Question).where(
            models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False))
            .order_by(models.Question.position)).first()
        consent.grant(s, user, consent.current_version(s))
        for n, part in enumerate(media.chunks(stream, 3000)):
            recordings.append_chunk(s, user, interview_id, question.id, n, part)
        answer = recordings.finish(s, user, interview_id, question.id)
        return answer.id, recordings.recording_of(s, answer.id).id, stream


def test_a_candidate_downloads_their_data_asks_for_deletion_and_hr_approves(browser, portal, portal_services,
                                                                             secrets):
    email, interview_id = new_candidate_with_interview(portal, days_ahead=0, name="隐私测试")
    answer_id, recording_id, stream = _record_answer(portal, email, interview_id)
    folder = portal.data_dir / "recordings" / str(recording_id)
    assert any(folder.iterdir())

    cand = new_page(browser, downloads=True)
    sign_in(cand, portal, email, email, secrets)
    cand.goto(portal.url + routes.ACCOUNT_PRIVACY)
    wait_hydrated(cand)
    expect(cand.locator("h1")).to_have_text("我的数据")
    with cand.expect_download() as info:
        cand.click("#privacy-download")
    download = info.value
    assert download.suggested_filename == "my-talent-portal-data.zip"
    z = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    assert json.loads(z.read("account.json"))["account"]["email"] == email
    assert [a["id"] for a in json.loads(z.read("answers.json"))] == [answer_id]
    assert z.read(f"recordings/answer-{answer_id}.webm") == stream
    assert json.loads(z.read("interviews.json"))["interviews"][0]["id"] == interview_id

    # on a phone: the page fits, and "My data" is reached through the candidate's long menu (it scrolls)
    cand.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(cand, "/account/privacy (candidate)")
    cand.goto(portal.url + routes.CANDIDATE_HOME)
    wait_hydrated(cand)
    cand.click("#menu-button")
    entry = cand.locator("#menu").get_by_role("link", name="我的数据")
    entry.scroll_into_view_if_needed()
    expect(entry).to_be_in_viewport()
    entry.click()
    expect(cand).to_have_url(re.compile(re.escape(routes.ACCOUNT_PRIVACY) + r"/?$"))
    wait_hydrated(cand)
    cand.set_viewport_size({"width": 1280, "height": 900})
    cand.fill("#privacy-reason", "我不再申请这个职位。")
    cand.click("#privacy-ask")
    expect(cand.locator("#privacy-status")).to_contain_text("等待 HR 决定")
    expect(cand.locator("#privacy-ask")).to_have_count(0)  # one open request at a time

    hr = new_page(browser)
    sign_in_demo(hr, portal, "hr", secrets)
    hr.goto(portal.url + routes.HR_PRIVACY)
    wait_hydrated(hr)
    request = hr.locator(".privacy-request", has_text=email)
    expect(request).to_contain_text("我不再申请这个职位。")
    # a refusal without a reason is refused next to the field, and nothing changes
    request.locator(".privacy-refuse").click()
    expect(request.locator(".privacy-note-error")).to_have_text("请填写拒绝理由：申请人会看到。")
    # approving asks first: cancelled, nothing is deleted; confirmed, it is
    request.locator(".privacy-approve").click()
    expect(request.locator(".privacy-confirm")).to_contain_text("无法撤销")
    fits_at_phone_width(hr, "/hr/privacy asking to confirm")
    request.locator(".privacy-approve-cancel").click()
    expect(request.locator(".privacy-confirm")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.User).where(models.User.email == email)).first() is not None
    request.locator(".privacy-approve").click()
    request.locator(".privacy-approve-confirm").click()
    expect(hr.get_by_text("请求已批准：此人的数据已删除，账户已关闭。")).to_be_visible()
    expect(hr.locator(".privacy-request", has_text=email)).to_have_count(0)
    expect(hr.locator(".privacy-decision").first).to_contain_text("已批准")
    # the page fits a phone
    hr.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(hr, "/hr/privacy after a decision")

    # the candidate's session ended with their account, and they cannot sign in again
    cand.goto(portal.url + routes.ACCOUNT_PRIVACY)
    expect(cand).to_have_url(re.compile(r"/login"))
    cand.fill("#f-email", email)
    cand.fill("#f-password", DEMO_PASSWORD)
    cand.click("#login-submit")
    expect(cand.locator("#form-error")).to_be_visible()
    expect(cand).to_have_url(re.compile(r"/login"))
    assert not folder.exists()
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.User).where(models.User.email == email)).first() is None
        assert s.get(models.Interview, interview_id) is None
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.actor == email)).first() is None
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "privacy.delete")).first()
    cand.context.close()
    hr.context.close()


def test_the_admin_sets_retention_and_a_too_short_period_is_refused_beside_its_field(browser, portal, secrets):
    page = new_page(browser)
    sign_in_demo(page, portal, "admin", secrets)
    page.goto(portal.url + routes.ADMIN_RETENTION)
    wait_hydrated(page)
    expect(page.locator("h1")).to_have_text("保留期限")
    page.fill("#retention-audit", "30")
    page.fill("#retention-recordings", "3650")
    page.click("#retention-save")
    expect(page.locator("#retention-audit-error")).to_have_text("至少 365 天。")
    expect(page.locator("#retention-audit")).to_have_value("30")  # what was typed stays
    fits_at_phone_width(page, "/admin/retention with a refusal")
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.RetentionSetting)).first() is None  # nothing saved
    page.fill("#retention-audit", "3650")
    page.click("#retention-save")
    expect(page.get_by_text("保留期限已保存。")).to_be_visible()
    expect(page.locator(".retention-error")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        saved = {r.data_class: r.days for r in s.exec(select(models.RetentionSetting))}
    assert saved == {"audit": 3650, "recordings": 3650}
    page.click("#retention-run")
    expect(page.locator("#retention-last-run")).to_contain_text("从本页")
    expect(page.locator("#retention-last-run")).to_contain_text("录制的回答：0")
    # back to "kept until set", so other tests' data is never purged
    page.fill("#retention-audit", "")
    page.fill("#retention-recordings", "")
    page.click("#retention-save")
    expect(page.get_by_text("保留期限已保存。")).to_be_visible()
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.RetentionSetting)).first() is None
    page.context.close()


@pytest.mark.last(1)  # a new consent text asks everyone again: no other test, the done-when walk included, may run after it
def test_the_admin_publishes_a_new_consent_text_and_a_candidate_is_asked_again(browser, portal, secrets):
    email, _interview_id = new_candidate_with_interview(portal, name="同意书测试")
    with db.session_scope(portal.db_url) as s:
        old = consent.current_version(s)
        consent.grant(s, s.exec(select(models.User).where(models.User.email == email)).one(), old)
    page = new_page(browser)
    sign_in_demo(page, portal, "admin", secrets)
    page.goto(portal.url + routes.ADMIN_RETENTION)
    wait_hydrated(page)
    versions = page.locator(".consent-version")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text(old)
    expect(versions.first).to_contain_text("内置")
    expect(versions.first).to_contain_text("当前")
    # the form starts from the current text; the built-in version's label is taken
    expect(page.locator("#consent-zh_CN-title")).to_have_value(re.compile("单独同意"))
    page.fill("#consent-version", old)
    page.click("#consent-publish")
    expect(page.locator("#consent-version-error")).to_have_text(f"版本 {old} 已存在；版本一经发布不可覆盖。")
    # one section too few in English is refused beside that field, what was typed stays
    page.fill("#consent-version", "2027-01")
    page.fill("#consent-en-sections", "## Purpose\nTo assess your answers.")
    page.click("#consent-publish")
    expect(page.locator("#consent-en-sections-error")).to_contain_text("两种语言的段落数需要相同")
    expect(page.locator("#consent-version")).to_have_value("2027-01")
    fits_at_phone_width(page, "/admin/retention with the consent form")
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(models.ConsentText)).first() is None  # nothing published
    page.fill("#consent-zh_CN-title", "录音录像与作答分析的单独同意（第二版）")
    page.fill("#consent-zh_CN-sections", "## 目的\n评估你与岗位的匹配程度。\n第二段说明。\n\n## 撤回\n你可以随时撤回。")
    page.fill("#consent-en-sections", "## Purpose\nTo assess your fit for the position.\n\n## Withdraw\nAny time.")
    page.click("#consent-publish")
    expect(page.get_by_text("同意书 2027-01 已发布，所有人都需要重新同意。")).to_be_visible()
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("2027-01")
    expect(versions.first).to_contain_text("当前")
    expect(versions.nth(1)).not_to_contain_text("当前")
    with db.session_scope(portal.db_url) as s:
        row = s.exec(select(models.ConsentText)).one()
        assert row.version == "2027-01" and len(row.texts["en"]["sections"]) == 2
        assert s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "consent.publish")).one()
    page.context.close()

    # the candidate who agreed to the old text is asked again, and agrees to the new one
    cand = new_page(browser)
    sign_in(cand, portal, email, email, secrets)
    cand.goto(portal.url + routes.CANDIDATE_CONSENT)
    wait_hydrated(cand)
    expect(cand.locator("h1")).to_have_text("录音录像与作答分析的单独同意（第二版）")
    expect(cand.locator("#consent-status")).to_contain_text("你曾于")
    expect(cand.locator("#consent-status")).to_contain_text(f"同意版本 {old}。此后文本已更新：请阅读后重新同意。")
    expect(cand.get_by_text("第二段说明。", exact=False)).to_be_visible()
    cand.click("#consent-agree")
    expect(cand.locator("#consent-status")).to_contain_text("2027-01")
    expect(cand.locator("#consent-withdraw")).to_be_visible()
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        assert [c.version for c in s.exec(select(models.Consent).where(models.Consent.user_id == user.id)
                                          .order_by(models.Consent.id))] == [old, "2027-01"]
    cand.context.close()
