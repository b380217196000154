"""Recorded interview answers uploaded in chunks (issue 9): who may upload and when,
what the bytes must be, resuming, submitting once, encryption at rest and key rotation,
against a real database file and real files."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import Answer, AuditEvent, Interview, Recording, RecordingChunk, aware
from portal.services.interviews import consent, recordings, webm
from portal.services.platform import crypto, db, settings
from portal.services.platform.errors import PermissionDenied
from tests import media


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture
def demo(interview_now):
    return interview_now


def _append(demo, seq, data, *, role="candidate", interview=None, question=None, **kw):
    with db.session_scope(demo["url"]) as s:
        return recordings.append_chunk(s, demo["users"][role], (interview or demo["interview"]).id,
                                       (question or demo["questions"][0]).id, seq, data, **kw)


def _finish(demo, *, role="candidate", question=None, **kw):
    with db.session_scope(demo["url"]) as s:
        answer = recordings.finish(s, demo["users"][role], demo["interview"].id,
                                   (question or demo["questions"][0]).id, **kw)
        return answer.id


def _count(demo, model) -> int:
    with db.session_scope(demo["url"]) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _files(data_dir) -> list:
    root = data_dir / "recordings"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(exc_info, msgid, status):
    assert exc_info.value.msgid == msgid and exc_info.value.status == status


def test_chunks_are_stored_encrypted_and_read_back_whole(demo, data_dir):
    stream = media.recording(6, block_bytes=400)
    parts = media.chunks(stream, 7000)
    for n, part in enumerate(parts):
        point = _append(demo, n, part)
        assert point.next_sequence == n + 1 and not point.finished
    assert point.total_bytes == len(stream) and 5.9 <= point.duration_s <= 6.0
    files = _files(data_dir)
    assert len(files) == len(parts)
    for path in files:  # nothing readable at rest, nothing readable by others
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert b"webm" not in path.read_bytes() and b"Chrome" not in path.read_bytes()
    assert stat.S_IMODE((data_dir / "recordings").stat().st_mode) == 0o700
    answer_id = _finish(demo)
    with db.session_scope(demo["url"]) as s:
        answer = s.get(Answer, answer_id)
        assert answer.interview_id == demo["interview"].id and not answer.is_practice
        assert answer.language == "zh" and 5.9 <= answer.duration_s <= 6.0
        assert crypto.decrypt(answer.video_ref_enc).startswith("recording:")
        assert recordings.answer_audio(s, answer) == stream
        assert s.execute(select(Recording.answer_id)).scalar_one() == answer_id


def test_a_chunk_file_moved_to_another_place_does_not_decrypt(demo, data_dir):
    stream = media.recording(2)
    _append(demo, 0, stream[:3000])
    _append(demo, 1, stream[3000:])
    first, second = _files(data_dir)
    first.write_bytes(second.read_bytes())  # swap chunk 1's ciphertext into chunk 0's place
    answer_id = _finish(demo)
    with db.session_scope(demo["url"]) as s, pytest.raises(crypto.CryptoError):
        recordings.answer_audio(s, s.get(Answer, answer_id))


def test_a_repeated_chunk_is_accepted_once_and_a_different_one_refused(demo, data_dir):
    stream = media.recording(3)
    _append(demo, 0, stream[:2000])
    _append(demo, 1, stream[2000:4000])
    again = _append(demo, 1, stream[2000:4000])  # the response was lost; the room sends it again
    assert again.next_sequence == 2 and again.total_bytes == 4000
    assert _count(demo, RecordingChunk) == 2 and len(_files(data_dir)) == 2
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 1, stream[2000:4001])
    _refused(e, recordings.DIFFERENT, 409)
    assert e.value.params == {"sequence": 1}


def test_a_gap_is_refused_with_the_number_to_resume_from(demo, data_dir):
    stream = media.recording(3)
    parts = media.chunks(stream, 1500)
    _append(demo, 0, parts[0])
    _append(demo, 1, parts[1])
    with pytest.raises(recordings.RecordingError) as e:  # part 2 was lost on the way
        _append(demo, 3, parts[3])
    _refused(e, recordings.GAP, 409)
    assert e.value.params == {"expected": 2}
    assert len(_files(data_dir)) == 2
    with db.session_scope(demo["url"]) as s:
        point = recordings.resume_point(s, demo["users"]["candidate"], demo["interview"].id,
                                        demo["questions"][0].id)
    assert point.next_sequence == 2 and point.total_bytes == 3000
    for n in range(2, len(parts)):  # the room resumes from what was saved
        _append(demo, n, parts[n])
    _finish(demo)
    with db.session_scope(demo["url"]) as s:
        answer = s.execute(select(Answer)).scalars().one()
        assert recordings.answer_audio(s, answer) == stream


@pytest.mark.parametrize("bad", ["png", "matroska", "random", "text"])
def test_the_first_chunk_must_be_webm(demo, data_dir, bad):
    data = {"png": b"\x89PNG\r\n\x1a\n" + os.urandom(3000), "matroska": media.header(b"matroska") + os.urandom(500),
            "random": os.urandom(3000), "text": b"<html><script>alert(1)</script></html>"}[bad]
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, data)
    _refused(e, recordings.NOT_WEBM, 415)
    assert _count(demo, Recording) == 0 and _files(data_dir) == []


def test_a_later_chunk_must_continue_the_stream(demo, data_dir):
    first = media.start() + media.cluster(0)
    _append(demo, 0, first + b"\xa3")  # cut inside the next block's header
    for bad in (media.start(), b"\x89PNG\r\n\x1a\n" + os.urandom(200), b"%PDF-1.7\n" + b"x" * 500):
        # a new recording started from its own header, a picture, a document
        with pytest.raises(recordings.RecordingError) as e:
            _append(demo, 1, bad)
        _refused(e, recordings.NOT_WEBM, 415)
    assert _count(demo, RecordingChunk) == 1 and len(_files(data_dir)) == 1
    rest = media.element(0xA3, b"\x81\x00\x10\x80" + os.urandom(100))[1:] + media.cluster(1000)
    assert _append(demo, 1, rest).next_sequence == 2  # the real continuation still fits


def test_sizes_and_duration_are_capped(demo, data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_RECORDING_CHUNK_BYTES", str(1024 * 1024))
    monkeypatch.setenv("TALENT_RECORDING_MAX_BYTES", str(2 * 1024 * 1024))
    settings.get_settings.cache_clear()
    big = media.recording(16, block_bytes=2800)  # about 2.3 MB
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, big[:1024 * 1024 + 1])
    _refused(e, recordings.CHUNK_TOO_LARGE, 413)
    parts = media.chunks(big, 1024 * 1024)
    _append(demo, 0, parts[0])
    _append(demo, 1, parts[1])
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 2, parts[2])
    _refused(e, recordings.TOO_LARGE, 413)
    assert _count(demo, RecordingChunk) == 2
    # duration: read from the media, capped by the question's time limit (+ grace)
    settings.get_settings.cache_clear()
    monkeypatch.delenv("TALENT_RECORDING_CHUNK_BYTES")
    monkeypatch.delenv("TALENT_RECORDING_MAX_BYTES")
    question = demo["questions"][1]
    limit = recordings.max_seconds(question)
    assert limit == min(600, question.time_limit_s + recordings.GRACE_S)
    _append(demo, 0, media.start() + media.cluster(0), question=question)
    _append(demo, 1, media.cluster((limit - 2) * 1000), question=question)
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 2, media.cluster((limit + 1) * 1000), question=question)
    _refused(e, recordings.TOO_LONG, 413)
    with db.session_scope(demo["url"]) as s:
        point = recordings.resume_point(s, demo["users"]["candidate"], demo["interview"].id, question.id)
    assert point.next_sequence == 2


@pytest.mark.parametrize("role", ["other", "interviewer", "hr"])
def test_only_the_interviews_candidate_may_upload_and_others_are_audited(demo, data_dir, role):
    stream = media.recording(1)
    before = _count(demo, AuditEvent)
    with pytest.raises(PermissionDenied):
        _append(demo, 0, stream, role=role)
    with db.session_scope(demo["url"]) as s:
        denied = s.execute(select(AuditEvent).where(AuditEvent.action == "access_denied")
                           .order_by(AuditEvent.id.desc())).scalars().first()
        assert _count(demo, AuditEvent) == before + 1
        assert denied.actor_id == demo["users"][role].id and denied.object_id == str(demo["interview"].id)
    for call in (lambda s: recordings.resume_point(s, demo["users"][role], demo["interview"].id,
                                                   demo["questions"][0].id),
                 lambda s: recordings.finish(s, demo["users"][role], demo["interview"].id,
                                             demo["questions"][0].id)):
        with pytest.raises(PermissionDenied), db.session_scope(demo["url"]) as s:
            call(s)
    assert _count(demo, Recording) == 0 and _files(data_dir) == []


def test_the_candidate_may_not_upload_into_another_candidates_interview(demo, data_dir):
    with pytest.raises(PermissionDenied):
        _append(demo, 0, media.recording(1), interview=demo["theirs"])
    with pytest.raises(PermissionDenied):  # no such interview: the same answer
        with db.session_scope(demo["url"]) as s:
            recordings.append_chunk(s, demo["users"]["candidate"], 999_999, demo["questions"][0].id, 0,
                                    media.recording(1))
    assert _files(data_dir) == []


def test_only_questions_of_the_interview(demo, data_dir):
    for question in (demo["practice"],):
        with pytest.raises(recordings.RecordingError) as e:
            _append(demo, 0, media.recording(1), question=question)
        _refused(e, recordings.NOT_A_QUESTION, 404)
    assert _files(data_dir) == []


def test_only_while_the_interview_is_open(demo, data_dir):
    start = aware(demo["interview"].scheduled_at)
    end = start + timedelta(minutes=demo["interview"].duration_min)
    for now in (start - timedelta(minutes=16), end + timedelta(seconds=1)):
        with pytest.raises(recordings.RecordingError) as e:
            _append(demo, 0, media.recording(1), now=now)
        _refused(e, recordings.NOT_OPEN, 403)
    assert _append(demo, 0, media.recording(1)[:900], now=start - timedelta(minutes=14)).next_sequence == 1
    # a recording whose chunks came in time may be submitted just after the end, not later
    with pytest.raises(recordings.RecordingError) as e:
        _finish(demo, now=end + recordings.FINISH_GRACE + timedelta(seconds=1))
    _refused(e, recordings.NOT_OPEN, 403)
    _finish(demo, now=end + timedelta(minutes=1))
    with db.session_scope(demo["url"]) as s:  # cancelled: closed at once
        s.get(Interview, demo["interview"].id).status = "cancelled"
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, media.recording(1), question=demo["questions"][1])
    _refused(e, recordings.NOT_OPEN, 403)


def test_without_consent_nothing_is_recorded(demo, data_dir):
    with db.session_scope(demo["url"]) as s:
        consent.withdraw(s, demo["users"]["candidate"])
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, media.recording(1))
    _refused(e, recordings.NEEDS_CONSENT, 403)
    assert _files(data_dir) == [] and _count(demo, Recording) == 0


def test_an_answer_is_submitted_once_and_then_takes_no_more_chunks(demo, data_dir):
    with pytest.raises(recordings.RecordingError) as e:
        _finish(demo)
    _refused(e, recordings.NOTHING_RECORDED, 409)
    stream = media.recording(2)
    _append(demo, 0, stream[:1500])
    _finish(demo)
    with pytest.raises(recordings.RecordingError) as e:
        _finish(demo)
    _refused(e, recordings.ALREADY_SUBMITTED, 409)
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 1, stream[1500:])
    _refused(e, recordings.ALREADY_SUBMITTED, 409)
    assert _count(demo, Answer) == 1 and len(_files(data_dir)) == 1
    with db.session_scope(demo["url"]) as s:
        point = recordings.resume_point(s, demo["users"]["candidate"], demo["interview"].id,
                                        demo["questions"][0].id)
    assert point.finished and point.next_sequence == 1


def test_a_typed_answer_already_given_blocks_a_recording(demo, data_dir):
    with db.session_scope(demo["url"]) as s:
        s.add(Answer(user_id=demo["users"]["candidate"].id, question_id=demo["questions"][2].id,
                     interview_id=demo["interview"].id, model_id=demo["interview"].model_id,
                     transcript_enc=crypto.encrypt("typed")))
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, media.recording(1), question=demo["questions"][2])
    _refused(e, recordings.ALREADY_SUBMITTED, 409)


def test_bad_numbers_and_empty_chunks(demo, data_dir):
    for seq in (-1, True, "0", 1.0, recordings.MAX_SEQUENCE + 1):
        with pytest.raises(recordings.RecordingError) as e:
            _append(demo, seq, media.recording(1))
        _refused(e, recordings.BAD_SEQUENCE, 400)
    with pytest.raises(recordings.RecordingError) as e:
        _append(demo, 0, b"")
    _refused(e, recordings.EMPTY_CHUNK, 400)
    assert _files(data_dir) == []


def test_a_typed_answer_has_no_audio(demo):
    with db.session_scope(demo["url"]) as s:
        answer = Answer(user_id=demo["users"]["candidate"].id, question_id=demo["questions"][0].id,
                        model_id=demo["interview"].model_id, transcript_enc=crypto.encrypt("typed"))
        s.add(answer)
        s.flush()
        with pytest.raises(recordings.NoRecording):
            recordings.answer_audio(s, answer)


def test_key_rotation_re_encrypts_the_files_and_the_old_key_can_go(demo, data_dir):
    stream = media.recording(3)
    for n, part in enumerate(media.chunks(stream, 5000)):
        _append(demo, n, part)
    answer_id = _finish(demo)
    old_kid = crypto.load_keyring().current
    old_files = _files(data_dir)
    with db.session_scope(demo["url"]) as s:
        assert crypto.key_usage(s)[old_kid] >= len(old_files)
        with pytest.raises(Exception):  # noqa: B017 - still in use by the files (and rows)
            crypto.remove_key(s, old_kid)
    with db.session_scope(demo["url"]) as s:
        crypto.rotate_keys(s, actor="test")
    new_kid = crypto.load_keyring().current
    new_files = _files(data_dir)
    assert len(new_files) == len(old_files) and not set(new_files) & set(old_files)
    with db.session_scope(demo["url"]) as s:
        assert set(s.execute(select(RecordingChunk.key_id)).scalars()) == {new_kid}
        assert crypto.key_usage(s)[old_kid] == 0
        crypto.remove_key(s, old_kid, actor="test")
    crypto.reset_cache()
    with db.session_scope(demo["url"]) as s:
        assert recordings.answer_audio(s, s.get(Answer, answer_id)) == stream


def test_a_rotation_that_rolls_back_keeps_the_old_files(demo, data_dir):
    stream = media.recording(2)
    _append(demo, 0, stream)
    answer_id = _finish(demo)
    before = _files(data_dir)
    with pytest.raises(RuntimeError), db.session_scope(demo["url"]) as s:
        crypto.rotate_keys(s, actor="test")
        raise RuntimeError("the transaction fails after the files were written")
    assert _files(data_dir) == before  # the new files are gone, the old ones stay
    with db.session_scope(demo["url"]) as s:
        assert recordings.answer_audio(s, s.get(Answer, answer_id)) == stream


def test_the_stream_check_follows_cuts_anywhere():
    stream = media.recording(4)
    for size in (1, 13, 777, len(stream)):
        state = webm.feed(webm.StreamState(), stream[:200])
        for part in media.chunks(stream[200:], size):
            state = webm.feed(state, part)
        assert 3.9 <= state.duration_s <= 4.0 and state.pos + len(bytes.fromhex(state.tail)) == len(stream)


def test_other_bytes_after_a_real_start_are_almost_always_caught():
    # Payload bytes cannot be checked (they are compressed media), so bytes swallowed by
    # the block in progress pass; everything after must form valid elements again.
    import random

    stream = media.recording(5)
    refused = 0
    for seed in range(500):
        rnd = random.Random(seed)
        state = webm.feed(webm.StreamState(), stream[:rnd.randrange(200, len(stream))])
        try:
            webm.feed(state, rnd.randbytes(4000))
        except webm.NotWebm:
            refused += 1
    assert refused >= 490


def test_a_second_header_or_a_matroska_file_is_not_a_continuation():
    state = webm.feed(webm.StreamState(), media.start() + media.cluster(0))
    with pytest.raises(webm.NotWebm):
        webm.feed(state, media.start())
    with pytest.raises(webm.NotWebm):
        webm.feed(webm.StreamState(), media.header(b"matroska") + b"\x18\x53\x80\x67" + media.UNKNOWN_SIZE)
    with pytest.raises(webm.NotWebm):  # a header cut off: the first chunk must hold it whole
        webm.feed(webm.StreamState(), media.header()[:10])
