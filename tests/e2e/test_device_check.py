"""The device check in Chromium with fake camera and microphone: the figures are
shown and recorded with the candidate's interview; with the camera and
microphone refused, the candidate reads what to do."""

from __future__ import annotations

import re
import shutil

from playwright.sync_api import expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from tests.e2e.accounts import new_candidate_with_interview, new_page, sign_in, wait_hydrated
from tests.e2e.harness import ACCEPT_MEDIA_PROMPTS, CHROMIUM_ARGS


def _checks(portal, email: str) -> list[models.DeviceCheck]:
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        return list(s.exec(select(models.DeviceCheck).where(models.DeviceCheck.user_id == user.id)
                           .order_by(models.DeviceCheck.id)).all())


def _open_check(page, portal, email, secrets, query: str = "") -> None:
    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.CANDIDATE_DEVICE_CHECK + query)
    wait_hydrated(page)
    expect(page.locator("#dc-checked-at")).to_have_text("")


def test_the_check_shows_and_records_camera_microphone_and_network(browser, portal, secrets):
    email, interview_id = new_candidate_with_interview(portal)
    page = new_page(browser)
    _open_check(page, portal, email, secrets, f"?interview={interview_id}")
    expect(page.locator("#dc-interview")).to_contain_text("适用于您的面试")
    expect(page.locator("#dc-camera-result")).to_have_text("")

    # keyboard alone: the start button is reachable and starts the check
    page.locator("#dc-start").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#dc-status")).to_have_text(re.compile("摄像头|麦克风|录音|连接"))
    expect(page.locator("#dc-saved")).to_have_text("设备检测结果已保存。", timeout=60_000)

    camera = page.locator("#dc-camera-result")
    expect(camera).to_have_text(re.compile(r"^\d+ × \d+ · \d+ fps$"))
    expect(page.locator("#dc-microphone-result")).to_have_text(re.compile(r"^峰值音量 \d+%$"))
    expect(page.locator("#dc-network-result")).to_have_text(
        re.compile(r"^延迟 [\d.,]+ 毫秒 · 下载 (≥ )?[\d.,]+ Mbps · 上传 (≥ )?[\d.,]+ Mbps$"))
    expect(page.locator("#dc-browser-result")).to_have_text(re.compile(r"Chrom"))
    expect(page.locator("#dc-checked-at")).to_contain_text("上次检测")
    expect(page.locator("#dc-start")).to_have_text("重新检测")
    # the live preview plays the fake camera, and the 3-second recording can be played back
    assert page.eval_on_selector("#dc-preview", "v => v.videoWidth > 0 && !v.paused")
    playback = page.eval_on_selector("#dc-playback", "a => a.src")
    assert playback.startswith("blob:"), playback

    [check] = _checks(portal, email)
    assert check.interview_id == interview_id
    assert check.camera_ok and check.camera_width >= 320 and check.camera_height >= 240 and check.camera_fps > 0
    width, height, fps = re.match(r"(\d+) × (\d+) · (\d+) fps", camera.inner_text()).groups()
    assert (int(width), int(height), int(fps)) == (check.camera_width, check.camera_height, round(check.camera_fps))
    assert check.microphone_ok and check.microphone_level > 0.02  # Chromium's fake microphone beeps
    assert 0 <= check.latency_ms < 300 and check.download_mbps > 1.5 and check.upload_mbps > 1.5
    assert check.network_ok and check.browser_ok and check.problems == []
    assert "Chrom" in check.browser

    # an absurd figure posted by hand through the same form is refused and saves nothing
    page.evaluate("""() => { document.getElementById('dc-result').value = JSON.stringify({camera: {width: 1280,
        height: 720, fps: 100000}, microphone: {level: 0.5}, network: {latency_ms: 5, download_mbps: 10000,
        upload_mbps: 10}, browser: {name: 'x'}}); document.getElementById('dc-form').requestSubmit(); }""")
    expect(page.locator("#dc-error")).to_have_text("这些设备检测数据不合理，未保存任何内容。请重新运行检测。")
    assert len(_checks(portal, email)) == 1

    # another candidate's interview in the address: refused, nothing of it shown, nothing saved for it
    _, others = new_candidate_with_interview(portal, name="另一位候选人")
    page.goto(f"{portal.url}{routes.CANDIDATE_DEVICE_CHECK}?interview={others}")
    wait_hydrated(page)
    expect(page.locator("#flash-text")).to_have_text("你没有执行此操作的权限。")
    expect(page.locator("#dc-interview")).not_to_contain_text("适用于您的面试")
    page.click("#dc-start")
    expect(page.locator("#dc-saved")).to_be_visible(timeout=60_000)
    assert [c.interview_id for c in _checks(portal, email)] == [interview_id, None]
    page.context.close()


def test_a_refused_camera_and_microphone_are_explained(browser, portal, secrets):
    """Fake devices exist, but nobody accepts the permission prompt (a headless
    Chromium then refuses it, as a candidate clicking "Block" would)."""
    email, interview_id = new_candidate_with_interview(portal)
    refusing = browser.browser_type.launch(executable_path=shutil.which("chromium"),
                                           args=[a for a in CHROMIUM_ARGS if a != ACCEPT_MEDIA_PROMPTS])
    try:
        context = refusing.new_context(viewport={"width": 1280, "height": 900}, locale="en")
        context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "en", "url": portal.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        # through the menu (a client-side navigation loads the page's script too);
        # no ?interview=: the candidate's next interview
        sign_in(page, portal, email, email, secrets)
        page.goto(portal.url + routes.JOBS)
        wait_hydrated(page)
        page.locator(f"header a[href='{routes.CANDIDATE_DEVICE_CHECK}']").click()
        expect(page).to_have_url(re.compile(re.escape(routes.CANDIDATE_DEVICE_CHECK)))
        expect(page.locator("#dc-start")).to_have_text("Start the check")
        page.click("#dc-start")
        expect(page.locator("#dc-saved")).to_be_visible(timeout=60_000)
        advice = page.locator("#dc-advice li")
        expect(advice.first).to_have_text(re.compile(r"^The browser was not allowed to use the camera\. Allow the "
                                                     r"camera for this site"))
        expect(advice.nth(1)).to_have_text(re.compile(r"^The browser was not allowed to use the microphone"))
        expect(page.locator("#dc-camera-result")).to_have_text("—")
        expect(page.locator("#dc-camera-result").locator("xpath=..")).to_contain_text("Needs attention")
        [check] = _checks(portal, email)
        assert check.interview_id == interview_id
        assert not check.camera_ok and not check.microphone_ok
        assert check.problems[:2] == ["camera_denied", "microphone_denied"]
        assert check.network_ok  # the rest of the check still ran
    finally:
        refusing.close()
