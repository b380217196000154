"""Transcription speed on real recorded speech: the real worker (python -m scoring_worker) on
a free loopback port, POST /v1/transcribe with the committed clips (tests/data/speech: espeak-ng
speech recorded by Chromium's MediaRecorder, audio track only, as the portal sends it).

- real-time factor (RTF) = wall time of one request / audio length, per clip, with
  percentiles; and the model's share (the worker's own ``elapsed_s``);
- a long answer: each clip's audio repeated to about LONG_S seconds (WAV), the length
  of a real interview answer;
- six long answers back to back (an interview's worth queued at once) and the time to
  the last transcript;
- the first request (the model loads lazily) and the worker's memory (VmRSS, VmHWM);
- report-ready: the portal's own path for an interview's spoken answers, all submitted at
  once (the worst case: in a real interview earlier answers are done while the candidate
  answers the next): REPORT_ANSWERS answers of REPORT_ANSWER_S seconds uploaded through
  recordings.py, then the transcription and scoring outboxes run until every answer is
  scored (issue 9: <= 2 minutes after the last answer).

    python -m benchmarks transcription        (issue 9: ~0.2x real time, ~550 MB on 2 cores)
"""

from __future__ import annotations

import io
import json
import os
import secrets
import tempfile
import time
import wave
from pathlib import Path

from benchmarks.common import ROOT, pct, start_worker
SPEECH = ROOT / "tests" / "data" / "speech"
ROUNDS = 10
LONG_S = 60.0
TARGET_RTF = 0.2
REPORT_ANSWERS = 6
REPORT_ANSWER_S = 120.0
TARGET_REPORT_S = 120.0


def _memory(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    mb = lambda k: int(fields.get(k, "0 kB").split()[0]) / 1024  # noqa: E731
    return mb("VmRSS"), mb("VmHWM")


def _transcription_ready(health: dict) -> bool:
    """Once the model check has finished: available, or the benchmark cannot run."""
    status = health["transcription"]["status"]
    if status not in ("checking", "available"):
        raise RuntimeError(f"transcription unavailable: {health}")
    return status == "available"


def _long_wav(audio_track: bytes, seconds: float) -> tuple[bytes, float]:
    """The clip's audio repeated to ``seconds``, as 16 kHz mono 16-bit WAV."""
    import numpy as np

    from scoring_worker.transcribe import SAMPLE_RATE, decode

    samples = decode(audio_track)
    times = max(1, round(seconds * SAMPLE_RATE / len(samples)))
    pcm = (np.clip(np.tile(samples, times), -1, 1) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    return out.getvalue(), len(samples) * times / SAMPLE_RATE


def _webm_speech(track: bytes, seconds: float) -> bytes:
    """The clip's audio repeated to ``seconds`` and encoded as Opus in WebM, as the room uploads."""
    import av
    import numpy as np

    from scoring_worker.transcribe import SAMPLE_RATE, decode

    samples = decode(track)
    pcm = (np.clip(np.tile(samples, max(1, round(seconds * SAMPLE_RATE / len(samples)))), -1, 1)
           * 32767).astype(np.int16)
    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for start in range(0, len(pcm) + 1, SAMPLE_RATE):
            frame = None
            if start < len(pcm):
                frame = av.AudioFrame.from_ndarray(pcm[start:start + SAMPLE_RATE].reshape(1, -1),
                                                   format="s16", layout="mono")
                frame.sample_rate = SAMPLE_RATE
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def _report_ready(url: str, token: str, track: bytes) -> tuple[int, float, float]:
    """(answers, seconds of audio, seconds from the last submit to every answer scored)."""
    tmp = Path(tempfile.mkdtemp(prefix="report-ready-bench-"))
    os.environ["TALENT_DATA_DIR"] = str(tmp)
    os.environ["TALENT_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from sqlmodel import func, select

    from portal import models
    from portal.services.interviews import consent, recordings
    from portal.services.interviews import scoring_client as sc
    from portal.services.interviews import transcription as tx
    from portal.services.platform import crypto, db, demo, settings

    settings.get_settings.cache_clear()
    crypto.reset_cache()
    db.migrate()
    with db.session_scope() as s:
        demo.load_demo(s)
        user = s.exec(select(models.User).where(models.User.email == demo.demo_email("candidate"))).one()
        consent.grant(s, user, consent.current_version(s))
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == user.id)
                           .order_by(models.Interview.id)).first()
        interview.scheduled_at, interview.status = recordings.utcnow(), "scheduled"
        s.add(interview)
        questions = [q.id for q in s.exec(select(models.Question).where(
            models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False))
            .order_by(models.Question.position)).all()][:REPORT_ANSWERS]
    media = _webm_speech(track, REPORT_ANSWER_S)
    for question_id in questions:
        with db.session_scope() as s:
            for n, start in enumerate(range(0, len(media), 1 << 20)):
                recordings.append_chunk(s, user, interview.id, question_id, n, media[start:start + (1 << 20)])
        with db.session_scope() as s:
            recordings.finish(s, user, interview.id, question_id, language="zh")
    audio_s = len(questions) * recordings.webm.feed(recordings.webm.StreamState(), media).max_tc / 1000
    client = sc.ScoringClient(url, token, timeout=600)
    t0 = time.perf_counter()
    try:
        while True:
            tx.dispatch_due(None, client)
            sc.dispatch_due(None, client)
            with db.session_scope() as s:
                if s.exec(select(func.count()).select_from(models.AnswerScore)).one() >= len(questions):
                    return len(questions), audio_s, time.perf_counter() - t0
            if time.perf_counter() - t0 > 900:
                raise RuntimeError("answers not scored within 15 minutes")
    finally:
        client.close()


def run() -> None:
    import httpx

    from portal.services.interviews.transcription import audio_track

    clips = json.loads((SPEECH / "clips.json").read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="transcription-bench-"))
    token = secrets.token_urlsafe(32)
    token_file = tmp / "token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    proc, url = start_worker(token_file, ready=_transcription_ready)
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600)

    def transcribe(body: bytes, language: str) -> tuple[float, dict]:
        t0 = time.perf_counter()
        r = client.post("/v1/transcribe", params={"language": language}, content=body)
        wall = time.perf_counter() - t0
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code} {r.text}")
        return wall, r.json()

    try:
        tracks = {name: audio_track((SPEECH / meta["file"]).read_bytes()) for name, meta in clips.items()}
        first_name = next(iter(clips))
        idle_rss, _ = _memory(proc.pid)
        cold, _ = transcribe(tracks[first_name], clips[first_name]["language"])
        load = os.getloadavg()
        rows = []
        for name, meta in clips.items():
            walls, models, seconds = [], [], 0.0
            for _ in range(ROUNDS):
                wall, out = transcribe(tracks[name], meta["language"])
                seconds = out["delivery"]["duration_s"]
                walls.append(wall / seconds)
                models.append(out["elapsed_s"] / seconds)
            rows.append((f"{name} ({seconds:.1f} s)", walls, models))
        long_rows, long_bodies = [], []
        for name, meta in clips.items():
            body, seconds = _long_wav(tracks[name], LONG_S)
            long_bodies.append((body, meta["language"], seconds))
            walls, models = [], []
            for _ in range(3):
                wall, out = transcribe(body, meta["language"])
                walls.append(wall / seconds)
                models.append(out["elapsed_s"] / seconds)
            long_rows.append((f"{name} x{seconds / clips[name]['spoken_s']:.0f} ({seconds:.0f} s)",
                              walls, models))
        t0 = time.perf_counter()
        total_audio = 0.0
        for i in range(6):
            body, language, seconds = long_bodies[i % len(long_bodies)]
            transcribe(body, language)
            total_audio += seconds
        six = time.perf_counter() - t0
        rss, peak = _memory(proc.pid)
        answers, report_audio, report_s = _report_ready(url, token, tracks["zh_team"])

        print("== transcription: POST /v1/transcribe, real speech, one request at a time ==")
        print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} at start; "
              f"{ROUNDS} rounds per clip, 3 per long answer; RTF = time / audio length "
              f"(target about {TARGET_RTF}x)")
        print(f"{'RTF':34}{'p50':>7}{'p90':>7}{'max':>7}   {'model p50':>9}")
        for label, walls, models in rows + long_rows:
            print(f"{label:34}{pct(walls, .5):7.3f}{pct(walls, .9):7.3f}{max(walls):7.3f}"
                  f"   {pct(models, .5):9.3f}")
        print(f"first request (model loads): {cold:.2f} s; six answers back to back "
              f"({total_audio:.0f} s of audio): {six:.1f} s, RTF {six / total_audio:.3f}")
        print(f"worker memory: {idle_rss:.0f} MB before the first transcription, "
              f"{rss:.0f} MB after, peak {peak:.0f} MB")
        print(f"report-ready, {answers} spoken answers of {report_audio / answers:.0f} s submitted at once "
              f"through the portal's outboxes: every answer transcribed and scored {report_s:.1f} s "
              f"after the last submit (target <= {TARGET_REPORT_S:.0f} s)")
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)
