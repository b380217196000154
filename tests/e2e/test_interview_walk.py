"""Issue 9's walk, end to end in Chromium against the running portal and its worker: a
candidate takes an interview with a fake camera and a microphone that plays real
recorded speech, one answer spoken (the connection cut once on the way) and one typed;
the spoken answer is transcribed on the server and both are scored; the interviewer
assigned to the interview sees the recording, the transcripts and the AI's scores, and
rates; another interviewer cannot open it."""

from __future__ import annotations

import json
import re
import secrets as pysecrets
import shutil
import time
import wave
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import passwords
from portal.services.interviews import consent, scoring_client
from portal.services.platform import crypto, db, i18n
from portal.services.platform.demo import DEMO_PASSWORD
from portal.services.platform.errors import PERMISSION_DENIED
from tests.e2e.accounts import new_candidate_with_interview, sign_in, sign_in_demo, wait_hydrated
from tests.e2e.harness import CHROMIUM_ARGS

SPEECH = Path(__file__).resolve().parents[1] / "data" / "speech"
TYPED = ("Last spring a key client was unhappy with a late delivery. I listened to the whole complaint first, "
         "repeated what I understood and confirmed their real deadline. I agreed a plan with our warehouse the "
         "same day, updated the client every morning, and the goods arrived two days later; they renewed.")


def _speech_wav(tmp_path: Path) -> tuple[Path, list[str]]:
    """A committed clip of real speech as the WAV file Chromium's fake microphone plays."""
    from faster_whisper import decode_audio

    clip = json.loads((SPEECH / "clips.json").read_text())["en_complaints"]
    samples = decode_audio(str(SPEECH / clip["file"]), sampling_rate=16000)
    target = tmp_path / "speech.wav"
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((samples.clip(-1, 1) * 32767).astype("<i2").tobytes())
    return target, clip["words"]


def _wait_scored(portal, interview_id: int, count: int, timeout: float = 240.0) -> list[models.Answer]:
    deadline = time.monotonic() + timeout
    while True:
        with db.session_scope(portal.db_url) as s:
            answers = s.exec(select(models.Answer).where(models.Answer.interview_id == interview_id)).all()
            scored = [a for a in answers if s.exec(select(models.AnswerScore.id).where(
                models.AnswerScore.answer_id == a.id)).first() is not None]
            statuses = {a.id: scoring_client.scoring_status(
                s, a.id, s.get(models.User, a.user_id)) for a in answers}
        if len(scored) >= count:
            return scored
        assert "failed" not in statuses.values(), statuses
        assert time.monotonic() < deadline, f"not scored in time: {statuses}"
        time.sleep(1.0)


def test_an_interview_from_the_room_to_the_interviewers_rating(browser: Browser, page: Page, portal,
                                                                portal_services, secrets, tmp_path):
    wav, words = _speech_wav(tmp_path)
    name = f"候选人{pysecrets.token_hex(3)}"  # its own name: other tests' candidates are listed too
    email, interview_id = new_candidate_with_interview(portal, days_ahead=0, name=name)
    with db.session_scope(portal.db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.email == email)).one()
        consent.grant(s, candidate, consent.current_version(s))

    # the candidate, in English, with a microphone that speaks
    speaking = browser.browser_type.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS + [
        f"--use-file-for-fake-audio-capture={wav}"])
    context = speaking.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "en", "url": portal.url}])
    room = context.new_page()
    room.set_default_timeout(20_000)
    sign_in(room, portal, email, email, secrets)
    room.goto(portal.url + routes.interview_room(interview_id))
    wait_hydrated(room)
    expect(room.locator("#room-devices-ok")).to_be_visible()
    room.click("#room-start")
    expect(room.locator("#room-phase-recording")).to_be_visible()
    room.wait_for_timeout(4000)
    context.set_offline(True)  # cut once, mid-answer
    room.wait_for_timeout(3000)
    context.set_offline(False)
    room.wait_for_timeout(4000)
    room.click("#room-stop")
    expect(room.locator("#flash-text")).to_have_text("Your answer is saved. The next question follows.",
                                                     timeout=30_000)
    room.click("#room-choose-typing")
    room.fill("#room-answer", TYPED)
    room.click("#room-submit-typed")
    expect(room.locator("#room-progress-text")).to_contain_text("Question 3 of")
    context.close()
    speaking.close()

    spoken, typed = sorted(_wait_scored(portal, interview_id, 2), key=lambda a: a.id)
    with db.session_scope(portal.db_url) as s:
        transcript = crypto.decrypt(s.get(models.Answer, spoken.id).transcript_enc).lower()
        delivery = s.get(models.Answer, spoken.id).delivery
    heard = [w for w in words if w in transcript]
    assert len(heard) >= 3, (transcript, words)  # the server heard the speech, not the beep
    assert delivery["duration_s"] >= 10 and delivery["speaking_rate"] > 0

    # the assigned interviewer (the demo interviewer) sees and rates
    sign_in_demo(page, portal, "interviewer", secrets)
    page.goto(portal.url + routes.REVIEW_HOME)
    wait_hydrated(page)
    row = page.locator(".review-row", has_text=name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("2 个回答中已评分 2 个")
    row.locator(".review-open").click()
    expect(page).to_have_url(re.compile(re.escape(routes.interview_review(interview_id)) + "$"))
    answers = page.locator(".review-answer")
    expect(answers).to_have_count(2)
    expect(answers.nth(1).locator(".review-transcript")).to_have_text(TYPED)
    expect(answers.nth(0).locator(".review-transcript")).not_to_be_empty()
    video = answers.nth(0).locator("video.review-video")
    expect(video).to_have_count(1)
    # wait_for_function polls with eval() in the page, which the portal's CSP refuses;
    # page.evaluate goes through the debugger protocol and is not subject to it
    deadline = time.monotonic() + 20
    while page.evaluate("document.querySelector('video.review-video').readyState") < 1:
        assert time.monotonic() < deadline, "the recording's metadata did not load"
        page.wait_for_timeout(200)
    assert page.evaluate("document.querySelector('video.review-video').duration") > 5
    expect(answers.nth(1).locator(".review-competency").first).to_contain_text("AI")
    first_form = answers.nth(1).locator("form").first
    first_form.locator("select").select_option("1")
    first_form.locator("textarea").fill("Clear example of listening and follow-up.")
    first_form.locator("button[type=submit]").click()
    expect(page.locator("#flash-text")).to_have_text("您的评分已保存。")
    with db.session_scope(portal.db_url) as s:
        rating = s.exec(select(models.InterviewerRating).where(models.InterviewerRating.answer_id == typed.id)).one()
        assert rating.level == 1 and crypto.decrypt(rating.note_enc) == "Clear example of listening and follow-up."
        ai_level = s.exec(select(models.CompetencyScore.level).where(
            models.CompetencyScore.answer_id == typed.id)).first()
        views = s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "recording.view",
                                                      models.AuditEvent.object_id == str(spoken.id))).all()
    assert views, "the playback was not audited"
    if ai_level > 2:  # a level-1 rating against the AI's: flagged
        expect(answers.nth(1).locator(".review-disagrees").first).to_be_visible()

    # another interviewer, not assigned: nothing of it
    other = f"iv-{interview_id}@example.cn"
    with db.session_scope(portal.db_url) as s:
        s.add(models.User(email=other, display_name="Other", role="interviewer",
                          password_hash=passwords.hash_password(DEMO_PASSWORD),
                          password_changed_at=models.utcnow()))
    outsider = browser.new_context(viewport={"width": 1280, "height": 900})
    stranger = outsider.new_page()
    stranger.set_default_timeout(15_000)
    sign_in(stranger, portal, other, other, secrets)
    stranger.goto(portal.url + routes.REVIEW_HOME)
    wait_hydrated(stranger)
    expect(stranger.locator("#review-none")).to_be_visible()
    stranger.goto(portal.url + routes.interview_review(interview_id))
    wait_hydrated(stranger)
    expect(stranger.locator("#flash-text")).to_have_text(i18n.gettext("zh_CN", PERMISSION_DENIED))
    expect(stranger.locator(".review-answer")).to_have_count(0)
    media = stranger.request.get(portal.url + f"{routes.REC_MEDIA}?answer={spoken.id}")
    assert media.status == 403
    outsider.close()
