"""Make the spoken test clips once: espeak-ng speaks a short answer to a WAV file and
real Chromium records it through MediaRecorder, with the WAV as its fake microphone,
exactly as the interview room records (WebM, VP8 video + Opus audio, 1 s timeslice,
the chunks joined in order). Run once, commit the result:

    apt-get install espeak-ng     # only for this script; the clips are committed
    .venv/bin/python scripts/make_speech_clips.py tests/data/speech

tests/data/README.md lists the clips, their words and how they were checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import CHROMIUM_ARGS, launch_chromium  # noqa: E402

# name -> (espeak-ng voice, words per minute, SSML text, what is said, language, key words
# the tests expect in the transcript: most of them, not all, since recognition may slip).
# Chinese is spoken from pinyin: Debian's espeak-ng has no Chinese character dictionary,
# and its female variant is the one Whisper base understands best (tried +f1..+f5, 130/150 wpm).
CLIPS = {
    "zh_team": ("cmn-latn-pinyin+f2", 150,
                'ni2 hao3, wo3 shi4 xiao3 wang2. <break time="1500ms"/> '
                "wo3 zai4 yi2 ge4 tuan2 dui4 li3 gong1 zuo4, wo3 men5 mei3 tian1 gou1 tong1.",
                "你好，我是小王。（停顿 1.5 秒）我在一个团队里工作，我们每天沟通。", "zh",
                ["你好", "小王", "团队", "工作", "每天", "沟通"]),
    "en_complaints": ("en-us+f2", 160,
                      'Last year I led a small support team. <break time="1500ms"/> '
                      "We listened to every customer and solved the problem in two weeks.",
                      "Last year I led a small support team. (1.5 s pause) We listened to every "
                      "customer and solved the problem in two weeks.", "en",
                      ["last year", "support team", "listened", "customer", "solved", "two weeks"]),
}

RECORD = """async (ms) => {
  const stream = await navigator.mediaDevices.getUserMedia(
    {audio: true, video: {width: 160, height: 120, frameRate: 10}});
  const rec = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus',
                                         videoBitsPerSecond: 40000, audioBitsPerSecond: 32000});
  const parts = [];
  rec.ondataavailable = (e) => parts.push(e.data);
  rec.start(1000);
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => { rec.onstop = r; rec.stop(); });
  const out = [];
  for (const p of parts) out.push(Array.from(new Uint8Array(await p.arrayBuffer())));
  return out;
}"""


def speak(voice: str, wpm: int, ssml: str, wav: Path) -> float:
    subprocess.run(["espeak-ng", "-m", "-v", voice, "-s", str(wpm), "-w", str(wav),
                    f"<speak>{ssml}</speak>"], check=True)
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def record(wav: Path, seconds: float) -> bytes:
    # %noloop: the fake microphone plays the file once, then silence
    args = CHROMIUM_ARGS + [f"--use-file-for-fake-audio-capture={wav}%noloop"]
    with sync_playwright() as p:
        browser = launch_chromium(p, args)
        page = browser.new_page()
        # getUserMedia needs a secure context: a page of our own on localhost
        page.route("http://localhost/room", lambda r: r.fulfill(body="<p>room</p>", content_type="text/html"))
        page.goto("http://localhost/room")
        parts = page.evaluate(RECORD, int(seconds * 1000))
        browser.close()
    return b"".join(bytes(part) for part in parts)


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (voice, wpm, ssml, said, language, words) in CLIPS.items():
            wav = Path(tmp) / f"{name}.wav"
            spoken = speak(voice, wpm, ssml, wav)
            media = record(wav, spoken + 1.0)
            (out / f"{name}.webm").write_bytes(media)
            manifest[name] = {"file": f"{name}.webm", "language": language, "said": said, "words": words,
                              "voice": voice, "wpm": wpm, "spoken_s": round(spoken, 2)}
            print(f"{name}: {spoken:.1f} s spoken, {len(media)} bytes")
    (out / "clips.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
