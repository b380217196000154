"""POST /v1/transcribe of the REAL worker process on real recorded speech (tests/data/speech).

The clips are espeak-ng speech recorded by Chromium's MediaRecorder (VP8 + Opus WebM),
so they are what the interview room uploads. One worker process (the session fixture
``speech_worker``) loads the model once for every test that transcribes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from pathlib import Path

import httpx
import pytest

from scoring_worker import transcribe as tr
from tests.conftest import SPEECH_MAX_AUDIO
from tests.unit.worker import conftest as worker_helpers

SPEECH = Path(__file__).resolve().parents[2] / "data" / "speech"
CLIPS = json.loads((SPEECH / "clips.json").read_text(encoding="utf-8"))


def clip(name: str) -> bytes:
    return (SPEECH / CLIPS[name]["file"]).read_bytes()


def post(worker, body: bytes, language: str = "zh", token: str | None = "__default__", **params):
    with worker.client(token) as c:
        return c.post("/v1/transcribe", params={"language": language, **params}, content=body,
                      headers={"Content-Type": "audio/webm"}, timeout=120)


def words_found(text: str, words: list[str]) -> list[str]:
    flat = re.sub(r"[^\w]+", " ", text.lower())
    return [w for w in words if w in flat or w.replace(" ", "") in flat.replace(" ", "")]


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_clip_is_transcribed_with_its_words_and_plausible_delivery(speech_worker, name):
    meta = CLIPS[name]
    r = post(speech_worker, clip(name), meta["language"], request_id=f"clip-{name}")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["request_id"] == f"clip-{name}" and out["language"] == meta["language"]
    assert out["model_version"].startswith("whisper-base:d01c3014881c")
    found = words_found(out["text"], meta["words"])
    # tolerant: recognition of synthetic speech may slip on a word or two
    assert len(found) >= len(meta["words"]) - 2, (out["text"], found)
    if meta["language"] == "zh":
        assert "們" not in out["text"] and "團" not in out["text"]  # simplified characters
    assert out["segments"] and all(s["end"] > s["start"] >= 0 for s in out["segments"])
    d = out["delivery"]
    # the clip is the spoken text plus about a second of trailing silence
    assert meta["spoken_s"] - 0.5 <= d["duration_s"] <= meta["spoken_s"] + 2.5
    assert 0.4 * meta["spoken_s"] <= d["speech_s"] < d["duration_s"]
    # the script puts one 1.5 s break between the two sentences
    assert d["pause_count"] >= 1 and 1.0 <= d["longest_pause_s"] <= 2.5
    assert d["pause_total_s"] >= d["longest_pause_s"]
    if meta["language"] == "zh":
        assert d["rate_unit"] == "chars_per_min" and 80 <= d["speaking_rate"] <= 320
    else:
        assert d["rate_unit"] == "words_per_min" and 80 <= d["speaking_rate"] <= 260


def test_same_clip_twice_gives_the_same_transcript(speech_worker):
    first = post(speech_worker, clip("en_complaints"), "en").json()
    second = post(speech_worker, clip("en_complaints"), "en").json()
    assert first["text"] == second["text"] and first["delivery"] == second["delivery"]


@pytest.mark.parametrize("token", [None, "wrong-token-of-the-right-length-xx"])
def test_wrong_or_missing_token_is_refused_before_anything(speech_worker, token):
    r = post(speech_worker, clip("zh_team"), token=token)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    # even a body over the limit gets 401 first: nothing is read for a stranger
    r = post(speech_worker, b"\0" * (SPEECH_MAX_AUDIO + 1), token=token)
    assert r.status_code == 401


@pytest.mark.parametrize("body, code", [
    (b"this is not audio at all" * 40, "invalid_audio"),
    (bytes(range(256)) * 20, "invalid_audio"),
    (b"", "empty_audio"),
])
def test_garbage_gets_a_clear_400(speech_worker, body, code):
    r = post(speech_worker, body, "zh")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


def test_a_recording_cut_before_its_first_audio_block_is_refused(speech_worker):
    # the first 200 bytes of a real Chromium recording: header and tracks, no block yet
    head = (SPEECH.parent / "chrome_recording" / "chunk-0.webm").read_bytes()[:200]
    r = post(speech_worker, head, "en")
    assert r.status_code == 400 and r.json()["error"]["code"] in ("invalid_audio", "empty_audio")


def test_language_must_be_given(speech_worker):
    for language in ("", "auto", "fr"):
        r = post(speech_worker, clip("zh_team"), language)
        assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_language"
    r = post(speech_worker, clip("zh_team"), "zh", request_id="no spaces allowed")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"


def test_oversized_audio_gets_413_with_or_without_content_length(speech_worker):
    big = b"\0" * (SPEECH_MAX_AUDIO + 1)
    r = post(speech_worker, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    def stream():
        for _ in range(5):
            yield b"\0" * (SPEECH_MAX_AUDIO // 4)

    with speech_worker.client() as c:
        r = c.post("/v1/transcribe", params={"language": "zh"}, content=stream())
    assert r.status_code == 413


def test_one_transcription_at_a_time(speech_worker):
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(r=post(speech_worker, clip("zh_team"))))
    t.start()
    time.sleep(0.3)  # the first takes over a second on two cores
    second = post(speech_worker, clip("en_complaints"), "en")
    t.join()
    # whichever got there first was transcribed, the other was told to come back
    done, refused = sorted([first["r"], second], key=lambda r: r.status_code)
    assert done.status_code == 200 and done.json()["text"]
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "busy"
    assert refused.headers["Retry-After"] == "5"
    assert post(speech_worker, clip("en_complaints"), "en").status_code == 200  # free again


def test_health_reports_the_checked_model_and_logs_no_transcript(speech_worker):
    post(speech_worker, clip("zh_team"))
    health = httpx.get(speech_worker.url + "/healthz").json()
    assert health["transcription"] == {"status": "ready",
                                       "model_version": "whisper-base:d01c3014881c"}
    log = speech_worker.log_text()
    assert "transcription model whisper-base:d01c3014881c checked" in log
    assert "小王" not in log and "团队" not in log and "support team" not in log


def test_joined_model_hash_is_the_hash_of_part1_then_part2(tmp_path):
    """What the checksum covers: model.bin, the bytes of part 1 followed by part 2."""
    target = tr.join_bundled(tmp_path)
    digest = hashlib.sha256()
    for pkg, part in zip(tr.BUNDLED_PARTS, ("model.bin.part1", "model.bin.part2")):
        digest.update((tr._package_data(pkg) / part).read_bytes())
    assert digest.hexdigest() == tr.BUNDLED_MODEL_SHA256 == tr.sha256_file(target / "model.bin")
    tr.check_model(target, tr.BUNDLED_MODEL_SHA256, tr.BUNDLED_SMALL_FILES)
    assert tr.join_bundled(tmp_path) == target  # joined once, reused


def _custom_model(tmp_path: Path, content: bytes) -> Path:
    d = tmp_path / "custom-model"
    d.mkdir()
    (d / "model.bin").write_bytes(content)
    return d


def test_a_model_that_fails_its_checksum_turns_transcription_off_not_scoring(tmp_path, sample):
    model_dir = _custom_model(tmp_path, b"not the weights you configured")
    w = worker_helpers.start_worker(
        tmp_path, token=secrets.token_urlsafe(32),
        extra_args=("--whisper-model-dir", str(model_dir), "--whisper-model-sha256", "ab" * 32))
    try:
        deadline = time.monotonic() + 30
        while httpx.get(w.url + "/healthz").json()["transcription"]["status"] == "checking":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert httpx.get(w.url + "/healthz").json()["transcription"]["status"] == "unavailable"
        r = post(w, clip("zh_team"))
        assert r.status_code == 503 and r.json()["error"]["code"] == "transcription_unavailable"
        want = hashlib.sha256(b"not the weights you configured").hexdigest()
        assert (f"transcription disabled: checksum mismatch: SHA-256 of {model_dir / 'model.bin'} "
                f"is {want}, expected {'ab' * 32}") in w.log_text()
        with w.client() as c:
            assert c.post("/v1/score", json=sample).status_code == 200
    finally:
        worker_helpers.stop_worker(w)


def test_a_model_directory_needs_a_checksum(tmp_path):
    t = tr.Transcriber(tr.ModelChoice(_custom_model(tmp_path, b"x"), None))
    t.check()
    assert t.status == "unavailable" and "--whisper-model-sha256" in t.reason
    good = tr.Transcriber(tr.ModelChoice(tmp_path / "custom-model", hashlib.sha256(b"x").hexdigest()))
    good.check()
    assert good.status == "available" and good.model_version.startswith("custom:")


def test_openapi_describes_transcribe(speech_worker):
    spec = httpx.get(speech_worker.url + "/openapi.json").json()
    op = spec["paths"]["/v1/transcribe"]["post"]
    assert {"200", "400", "401", "413", "503"} <= set(op["responses"])
    assert {p["name"] for p in op["parameters"]} == {"language", "request_id"}


def test_a_beep_without_speech_gives_an_empty_transcript(speech_worker):
    # Chromium's fake microphone beeps; Whisper hears "。。。" in it, which is no word
    beep = b"".join((SPEECH.parent / "chrome_recording" / f"chunk-{n}.webm").read_bytes()
                    for n in range(4))
    out = post(speech_worker, beep, "zh").json()
    assert out["text"] == "" and out["segments"] == []
    assert out["delivery"]["speaking_rate"] == 0 and out["delivery"]["duration_s"] > 3


def test_chinese_segments_without_punctuation_end_a_sentence_on_a_new_line():
    from scoring_worker.text import split_sentences

    joined = tr.join_segments(["去年我负责一个大客户", "我先倾听了他的顾虑。", "然后制定了方案"], "zh")
    assert joined == "去年我负责一个大客户\n我先倾听了他的顾虑。然后制定了方案"
    assert split_sentences(joined) == ["去年我负责一个大客户", "我先倾听了他的顾虑。", "然后制定了方案"]
    assert tr.join_segments(["I listened first.", "Then I called back"], "en") == "I listened first. Then I called back"
