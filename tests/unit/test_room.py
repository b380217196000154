"""The interview room's service (issue 9): where the candidate stands, typed answers
under the same rules as recorded ones, resuming after a reload, and completion, against
a real database file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import Answer, AuditEvent, Interview, Job, ScoringJob
from portal.services.interviews import consent, recordings, room
from portal.services.platform import crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from tests import media
from tests.unit.test_recordings import _append


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture
def demo(interview_now):
    return interview_now


def _open(demo, role="candidate", interview=None, **kw) -> room.Room:
    with db.session_scope(demo["url"]) as s:
        return room.open_room(s, demo["users"][role], (interview or demo["interview"]).id, **kw)


def _type(demo, question, text, role="candidate"):
    with db.session_scope(demo["url"]) as s:
        return room.submit_typed(s, demo["users"][role], demo["interview"].id, question.id, text).id


def _status(demo) -> str:
    with db.session_scope(demo["url"]) as s:
        return s.get(Interview, demo["interview"].id).status


def test_the_room_lists_the_interviews_questions_in_order_with_the_jobs_rules(demo):
    found = _open(demo)
    assert [q.id for q in found.questions] == [q.id for q in demo["questions"]]
    assert demo["practice"].id not in {q.id for q in found.questions}
    assert found.join_state == "open" and found.current == 0 and not found.finished
    assert found.reading_time_s == 30 and found.answer_mode == room.VIDEO_OR_TEXT
    assert found.questions[0].text_zh and found.questions[0].time_limit_s > 0


def test_a_typed_answer_is_saved_encrypted_with_its_scoring_job_and_audited(demo):
    first = demo["questions"][0]
    answer_id = _type(demo, first, "  去年我负责一个大客户的续约，我先倾听了他们的顾虑。  ")
    with db.session_scope(demo["url"]) as s:
        answer = s.get(Answer, answer_id)
        assert answer.interview_id == demo["interview"].id and not answer.is_practice
        assert crypto.decrypt(answer.transcript_enc) == "去年我负责一个大客户的续约，我先倾听了他们的顾虑。"
        assert "倾听" not in answer.transcript_enc  # encrypted at rest
        assert s.execute(select(ScoringJob.status).where(ScoringJob.answer_id == answer_id)).scalar_one() == "pending"
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "answer.submit", AuditEvent.object_id == str(answer_id))).scalar_one() == 1
    found = _open(demo)
    assert found.questions[0].answered and found.current == 1


def test_a_question_is_answered_once_and_bad_text_changes_nothing(demo):
    first = demo["questions"][0]
    for text, msgid in (("   ", room.EMPTY), ("字" * (room.MAX_TYPED_CHARS + 1), room.TOO_LONG), (None, room.EMPTY)):
        with pytest.raises(ServiceError) as refused:
            _type(demo, first, text)
        assert refused.value.msgid == msgid
    _type(demo, first, "我先确认了客户的需求。")
    with pytest.raises(ServiceError) as again:
        _type(demo, first, "第二次回答")
    assert again.value.msgid == recordings.ALREADY_SUBMITTED
    with db.session_scope(demo["url"]) as s:
        assert s.execute(select(func.count()).select_from(Answer)).scalar_one() == 1


def test_only_the_interviews_own_candidate_may_open_the_room_or_answer(demo):
    for role in ("other", "interviewer", "hr"):
        with pytest.raises(PermissionDenied):
            _open(demo, role)
        with pytest.raises(PermissionDenied):
            _type(demo, demo["questions"][0], "不是我的面试", role=role)
    with pytest.raises(PermissionDenied):  # an id that does not exist says the same
        with db.session_scope(demo["url"]) as s:
            room.open_room(s, demo["users"]["candidate"], 999_999)
    with db.session_scope(demo["url"]) as s:
        assert s.execute(select(func.count()).select_from(Answer)).scalar_one() == 0


def test_no_answer_outside_the_window_or_without_consent(demo):
    later = recordings.utcnow() + timedelta(days=2)
    assert _open(demo, now=later).join_state == "closed"
    with db.session_scope(demo["url"]) as s:
        with pytest.raises(ServiceError) as closed:
            room.submit_typed(s, demo["users"]["candidate"], demo["interview"].id, demo["questions"][0].id,
                              "太晚了", now=later)
        assert closed.value.msgid == recordings.NOT_OPEN
        consent.withdraw(s, demo["users"]["candidate"])
    with pytest.raises(ServiceError) as no_consent:
        _type(demo, demo["questions"][0], "没有同意")
    assert no_consent.value.msgid == recordings.NEEDS_CONSENT


def test_a_job_that_asks_for_recordings_refuses_typed_answers(demo):
    with db.session_scope(demo["url"]) as s:
        s.get(Job, demo["interview"].job_id).answer_mode = room.VIDEO
    assert _open(demo).answer_mode == room.VIDEO
    with pytest.raises(ServiceError) as refused:
        _type(demo, demo["questions"][0], "打字回答")
    assert refused.value.msgid == room.TYPED_NOT_ALLOWED


def test_a_reload_mid_answer_shows_what_was_saved_and_typing_is_then_refused(demo):
    parts = media.chunks(media.recording(4, block_bytes=400), 5000)
    for n, part in enumerate(parts[:2]):
        _append(demo, n, part)
    found = _open(demo)
    assert found.current == 0 and found.questions[0].saved_chunks == 2
    assert found.questions[0].saved_seconds > 0
    with pytest.raises(ServiceError) as refused:
        _type(demo, demo["questions"][0], "改成打字")
    assert refused.value.msgid == room.RECORDING_STARTED


def test_the_last_answer_completes_the_interview_whether_typed_or_recorded(demo):
    *typed, last = demo["questions"]
    for question in typed:
        _type(demo, question, "我先倾听客户，再确认方案，最后跟进结果。")
        assert _status(demo) == "scheduled"
    for n, part in enumerate(media.chunks(media.recording(3, block_bytes=400), 5000)):
        _append(demo, n, part, question=last)
    with db.session_scope(demo["url"]) as s:
        recordings.finish(s, demo["users"]["candidate"], demo["interview"].id, last.id)
    assert _status(demo) == "completed"
    found = _open(demo)
    assert found.finished and found.current is None and found.join_state == "closed"


def test_a_retake_discards_what_was_recorded_as_often_as_the_job_allows(demo, data_dir):
    first = demo["questions"][0]
    parts = media.chunks(media.recording(4, block_bytes=400), 5000)
    for n, part in enumerate(parts):
        _append(demo, n, part)
    files = sorted((data_dir / "recordings").rglob("*.chunk"))
    assert len(files) == len(parts) and _open(demo).questions[0].retakes_left == 1
    with db.session_scope(demo["url"]) as s:
        point = recordings.retake(s, demo["users"]["candidate"], demo["interview"].id, first.id)
    assert point.next_sequence == 0 and point.total_bytes == 0
    assert not any(p.exists() for p in files)  # the discarded chunks' files are gone
    found = _open(demo).questions[0]
    assert found.saved_chunks == 0 and found.retakes_left == 0
    for n, part in enumerate(parts):  # recorded again from chunk 0
        _append(demo, n, part)
    with db.session_scope(demo["url"]) as s:
        with pytest.raises(ServiceError) as none_left:
            recordings.retake(s, demo["users"]["candidate"], demo["interview"].id, first.id)
        assert none_left.value.msgid == recordings.NO_RETAKES
        with pytest.raises(PermissionDenied):
            recordings.retake(s, demo["users"]["other"], demo["interview"].id, first.id)
        recordings.finish(s, demo["users"]["candidate"], demo["interview"].id, first.id)
        answer = s.execute(select(Answer).where(Answer.question_id == first.id)).scalar_one()
        assert recordings.answer_audio(s, answer) == b"".join(parts)  # the second take, whole


def test_a_job_that_asks_for_typed_answers_refuses_recordings(demo):
    with db.session_scope(demo["url"]) as s:
        s.get(Job, demo["interview"].job_id).answer_mode = room.TEXT
    assert _open(demo).answer_mode == room.TEXT
    with pytest.raises(ServiceError) as refused:
        _append(demo, 0, media.recording(1))
    assert refused.value.msgid == recordings.TYPED_ONLY and refused.value.status == 403
    _type(demo, demo["questions"][0], "我先确认客户的需求。")
    assert _open(demo).current == 1
