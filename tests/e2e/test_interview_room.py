"""The interview room in Chromium with its fake camera and microphone (issue 9): the
candidate opens the join link, sees the camera, records the first answer while the
connection drops and comes back (nothing is lost), types the second, starts the third
over once, reloads in the middle of the fourth and submits what was saved; the room fits a phone in both
languages, and nobody else may use it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.interviews import consent, recordings, room
from portal.services.platform import crypto, db, i18n
from portal.services.platform.errors import PERMISSION_DENIED
from tests.e2e.accounts import new_candidate_with_interview, sign_in, wait_hydrated
from tests.e2e.test_phone import _assert_fits


def _candidate_in_the_room(portal) -> tuple[str, int, list[int]]:
    email, interview_id = new_candidate_with_interview(portal, days_ahead=0)
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        consent.grant(s, user, consent.current_version(s))
        interview = s.get(models.Interview, interview_id)
        questions = s.exec(select(models.Question.id).where(
            models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False))
            .order_by(models.Question.position, models.Question.id)).all()
    return email, interview_id, list(questions)


def _answers(portal, interview_id: int) -> dict[int, models.Answer]:
    with db.session_scope(portal.db_url) as s:
        return {a.question_id: a for a in s.exec(select(models.Answer).where(
            models.Answer.interview_id == interview_id)).all()}


def _recording(portal, interview_id: int, question_id: int) -> models.Recording | None:
    with db.session_scope(portal.db_url) as s:
        return s.exec(select(models.Recording).where(models.Recording.interview_id == interview_id,
                                                     models.Recording.question_id == question_id)).first()


def test_a_candidate_records_types_and_resumes_in_the_room(page: Page, portal, portal_services, secrets):
    email, interview_id, questions = _candidate_in_the_room(portal)
    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.CANDIDATE_INTERVIEWS)
    wait_hydrated(page)
    page.locator(f"a[href='{routes.interview_room(interview_id)}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(routes.interview_room(interview_id)) + "$"))
    expect(page.locator("#page-title")).to_have_text("面试间")
    expect(page.locator("#room-progress-text")).to_have_text(f"第 1 题，共 {len(questions)} 题")
    expect(page.locator("#room-devices-ok")).to_be_visible()  # the re-check: camera and microphone
    expect(page.locator("#room-phase-reading")).to_be_visible()
    assert page.evaluate("document.getElementById('room-preview').srcObject.getVideoTracks().length") == 1

    # first answer: recorded; the connection drops for a while in the middle
    page.click("#room-start")
    expect(page.locator("#room-phase-recording")).to_be_visible()
    page.wait_for_timeout(3000)
    page.context.set_offline(True)
    page.wait_for_timeout(4500)
    expect(page.locator("#room-offline")).to_be_visible()
    page.context.set_offline(False)
    page.wait_for_timeout(2500)
    page.click("#room-stop")
    expect(page.locator("#room-progress-text")).to_have_text(f"第 2 题，共 {len(questions)} 题", timeout=30_000)
    expect(page.locator("#flash-text")).to_have_text("您的回答已保存。下面是下一题。")
    first = _answers(portal, interview_id)[questions[0]]
    recording = _recording(portal, interview_id, questions[0])
    assert recording.status == recordings.FINISHED and recording.answer_id == first.id
    assert recording.chunk_count >= 5 and 9.0 <= recording.duration_s <= 14.0  # the offline seconds too

    # second answer: typed (the recorder lets the camera go)
    page.click("#room-choose-typing")
    expect(page.locator("#room")).to_have_count(0)
    page.click("#room-submit-typed")
    expect(page.locator("#room-answer-error")).to_contain_text("请先写下您的回答。")
    page.fill("#room-answer", "我先倾听客户的顾虑，确认需求后给出方案，并在一周后回访。")
    page.click("#room-submit-typed")
    expect(page.locator("#room-progress-text")).to_have_text(f"第 3 题，共 {len(questions)} 题")
    second = _answers(portal, interview_id)[questions[1]]
    with db.session_scope(portal.db_url) as s:
        assert crypto.decrypt(s.get(models.Answer, second.id).transcript_enc).startswith("我先倾听客户")

    # third answer: started over once (the job allows one retake), then recorded again
    expect(page.locator("#room-retakes")).to_have_text("本题剩余重录次数：1")
    page.click("#room-start")
    page.wait_for_timeout(4500)
    page.click("#room-retake")
    expect(page.locator("#room-retakes")).to_have_text("本题剩余重录次数：0")
    expect(page.locator("#room-phase-reading")).to_be_visible()
    assert _recording(portal, interview_id, questions[2]).chunk_count == 0
    page.click("#room-start")
    expect(page.locator("#room-retake")).to_be_hidden()
    page.wait_for_timeout(2500)
    page.click("#room-stop")
    expect(page.locator("#room-progress-text")).to_have_text(f"第 4 题，共 {len(questions)} 题", timeout=30_000)
    third = _recording(portal, interview_id, questions[2])
    assert third.status == recordings.FINISHED and third.retakes_used == 1 and 1.5 <= third.duration_s <= 4.0

    # fourth answer: the tab is reloaded while recording; what was saved is kept and submitted
    expect(page.locator("#room-start")).to_be_visible()
    page.click("#room-start")
    page.wait_for_timeout(4500)
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#room-saved-part")).to_contain_text("已保存")
    expect(page.locator("#room-choose-typing")).to_have_count(0)
    page.click("#room-submit-saved")
    expect(page.locator("#room-progress-text")).to_have_text(f"第 5 题，共 {len(questions)} 题", timeout=30_000)
    fourth = _recording(portal, interview_id, questions[3])
    assert fourth.status == recordings.FINISHED and 1.5 <= fourth.duration_s <= 5.0

    # the room at phone width, in both languages
    page.set_viewport_size({"width": 375, "height": 740})
    _assert_fits(page, "interview room (zh_CN)")
    page.click("#menu-button")
    page.click("#menu-language-switch")
    page.keyboard.press("Escape")
    expect(page.locator("#room-progress-text")).to_have_text(f"Question 5 of {len(questions)}")
    expect(page.locator("#room-start")).to_have_text("Start recording now")
    _assert_fits(page, "interview room (en)")


def test_nobody_else_may_use_the_room_and_a_finished_interview_says_so(page: Page, portal, portal_services, secrets):
    email, interview_id, questions = _candidate_in_the_room(portal)
    other, theirs, _ = _candidate_in_the_room(portal)
    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.interview_room(theirs))
    wait_hydrated(page)
    expect(page.locator("#flash-text")).to_have_text(i18n.gettext("zh_CN", PERMISSION_DENIED))
    expect(page.locator("#room-back")).to_be_visible()
    expect(page.locator("#room-question")).to_have_count(0)
    with db.session_scope(portal.db_url) as s:
        denied = s.exec(select(models.AuditEvent).where(models.AuditEvent.object_id == str(theirs),
                                                        models.AuditEvent.outcome == "denied")).all()
        assert any("nterview" in e.object_type for e in denied), [e.object_type for e in denied]
        # every question answered but the last: the last typed answer completes the interview
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        for question_id in questions[:-1]:
            s.add(models.Answer(user_id=user.id, question_id=question_id, interview_id=interview_id,
                                model_id=s.get(models.Interview, interview_id).model_id,
                                transcript_enc=crypto.encrypt("已回答")))
        job = s.get(models.Job, s.get(models.Interview, interview_id).job_id)
        job_id, mode = job.id, job.answer_mode
        job.answer_mode = room.TEXT  # HR asks for typed answers: no camera, no recorder
    try:
        page.goto(portal.url + routes.interview_room(interview_id))
        wait_hydrated(page)
        expect(page.locator("#room-progress-text")).to_have_text(f"第 {len(questions)} 题，共 {len(questions)} 题")
        expect(page.locator("#room")).to_have_count(0)
        expect(page.locator("#room-choose-video")).to_have_count(0)
        page.fill("#room-answer", "最后一题：我会先确认客户的目标，再安排跟进。")
        page.click("#room-submit-typed")
        expect(page.locator("#room-finished")).to_be_visible()
    finally:
        with db.session_scope(portal.db_url) as s:
            s.get(models.Job, job_id).answer_mode = mode
    with db.session_scope(portal.db_url) as s:
        assert s.get(models.Interview, interview_id).status == "completed"
