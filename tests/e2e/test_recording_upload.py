"""Recorded answers uploaded from Chromium to the running portal (issue 9, the upload
part; the room page comes later): MediaRecorder with the fake camera and microphone,
chunks POSTed with the session cookie, the connection cut for one chunk, the upload
resumed from what the server saved, the answer submitted once."""

from __future__ import annotations

import hashlib

from playwright.sync_api import Page
from sqlmodel import select

from portal import models, routes
from portal.services.interviews import consent, recordings
from portal.services.platform import db, i18n
from tests.e2e.accounts import new_candidate_with_interview, sign_in, wait_hydrated

RECORD = """async (ms) => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
  const rec = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus'});
  window.__parts = [];
  rec.ondataavailable = (e) => window.__parts.push(e.data);
  rec.start(1000);
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => { rec.onstop = r; rec.stop(); });
  stream.getTracks().forEach((t) => t.stop());
  return window.__parts.length;
}"""

SEND = """async ([url, n]) => {
  try {
    const r = await fetch(url, {method: 'POST', body: window.__parts[n], headers: {'content-type': 'video/webm'}});
    return {status: r.status, body: await r.json()};
  } catch (e) { return {status: 0, body: String(e)}; }
}"""

CALL = """async ([url, method]) => {
  const r = await fetch(url, {method});
  return {status: r.status, body: await r.json()};
}"""


def _url(interview_id: int, question_id: int, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"interview": interview_id, "question": question_id, **extra}.items())
    return f"?{query}"


def _send(page: Page, interview_id: int, question_id: int, n: int) -> dict:
    return page.evaluate(SEND, [routes.REC_CHUNK + _url(interview_id, question_id, seq=n), n])


def test_a_recording_is_uploaded_cut_once_resumed_and_submitted_once(page, portal, portal_services, secrets):
    email, interview_id = new_candidate_with_interview(portal, days_ahead=0)
    _, other_interview = new_candidate_with_interview(portal, days_ahead=0)
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        interview = s.get(models.Interview, interview_id)
        question_id = s.exec(select(models.Question.id).where(
            models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False))).first()
        consent.grant(s, user, consent.current_version(s))
    sign_in(page, portal, email, email, secrets)
    page.goto(portal.url + routes.CANDIDATE_HOME)
    wait_hydrated(page)

    parts = page.evaluate(RECORD, 4500)
    assert parts >= 4
    for n in (0, 1):
        sent = _send(page, interview_id, question_id, n)
        assert sent["status"] == 200 and sent["body"]["next_sequence"] == n + 1, sent
    page.context.set_offline(True)  # the connection drops while chunk 2 is on its way
    assert _send(page, interview_id, question_id, 2)["status"] == 0
    page.context.set_offline(False)
    gap = _send(page, interview_id, question_id, 3)
    assert gap["status"] == 409 and gap["body"]["expected"] == 2
    assert gap["body"]["error"] == i18n.gettext("zh_CN", recordings.GAP, expected=2)
    point = page.evaluate(CALL, [routes.REC_RESUME + _url(interview_id, question_id), "GET"])
    assert point["status"] == 200 and point["body"]["next_sequence"] == 2
    for n in range(2, parts):
        sent = _send(page, interview_id, question_id, n)
        assert sent["status"] == 200, sent
    assert 4.0 <= sent["body"]["duration_s"] <= 4.6
    done = page.evaluate(CALL, [routes.REC_FINISH + _url(interview_id, question_id), "POST"])
    assert done["status"] == 201, done
    again = page.evaluate(CALL, [routes.REC_FINISH + _url(interview_id, question_id), "POST"])
    assert again["status"] == 409
    assert again["body"]["error"] == i18n.gettext("zh_CN", recordings.ALREADY_SUBMITTED)
    # someone else's interview: refused (and audited, see the unit tests)
    theirs = page.evaluate(SEND, [routes.REC_CHUNK + _url(other_interview, question_id, seq=0), 0])
    assert theirs["status"] == 403

    browser_bytes = page.evaluate("""async () => {
      const all = new Uint8Array(await new Blob(window.__parts).arrayBuffer());
      return Array.from(await crypto.subtle.digest('SHA-256', all).then((d) => new Uint8Array(d)));
    }""")
    with db.session_scope(portal.db_url) as s:  # decrypted with the portal's own keyring
        stored = recordings.answer_audio(s, s.get(models.Answer, done["body"]["answer_id"]))
    assert list(hashlib.sha256(stored).digest()) == browser_bytes  # exactly what the browser recorded
