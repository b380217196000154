"""Record a short answer with real Chromium's MediaRecorder (fake camera and microphone)
and keep its timeslice chunks as they came, for the upload tests. Run once:

    .venv/bin/python scripts/record_test_webm.py tests/data/chrome_recording

The chunks show what the upload must accept: Chromium cuts its WebM stream every
second wherever the muxer stands, often inside an element header.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import launch_chromium  # noqa: E402

RECORD = """async (ms) => {
  const stream = await navigator.mediaDevices.getUserMedia(
    {audio: true, video: {width: 320, height: 240, frameRate: 15}});
  const rec = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus',
                                         videoBitsPerSecond: 150000});
  const parts = [];
  rec.ondataavailable = (e) => parts.push(e.data);
  rec.start(1000);
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => { rec.onstop = r; rec.stop(); });
  const out = [];
  for (const p of parts) out.push(Array.from(new Uint8Array(await p.arrayBuffer())));
  return out;
}"""


def main(folder: str, ms: int = 3500) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        # getUserMedia needs a secure context: a page of our own on localhost
        page.route("http://localhost/room", lambda r: r.fulfill(body="<p>room</p>", content_type="text/html"))
        page.goto("http://localhost/room")
        parts = page.evaluate(RECORD, ms)
        browser.close()
    for old in out.glob("chunk-*.webm"):
        old.unlink()
    for n, part in enumerate(parts):
        (out / f"chunk-{n}.webm").write_bytes(bytes(part))
    print(f"{len(parts)} chunks, {sum(map(len, parts))} bytes in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
