"""Practice feedback time: from a candidate's submit to the feedback being available,
with the real scoring worker idle (one answer at a time), as the practice page waits
for it: practice.submit commits and wakes the dispatcher, then the status is asked
every FEEDBACK_POLL_S until it is scored and the feedback is read.

Beside it, the same with the dispatcher left to its polling interval (no wake), to
show what the wake saves. Temporary SQLite database with the demo content, the
portal's own dispatcher loop (run_dispatcher, default interval) in a thread, the
real worker (python -m scoring_worker) on a free loopback port.

    python -m benchmarks practice_feedback        (target: p95 <= 5 s)
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import ROOT, pct, start_worker
ROUNDS = 25
TARGET_P95_S = 5.0


def _answers() -> list[str]:
    """Chinese and English answers of everyday length from the development set."""
    lines = (ROOT / "tests" / "data" / "scoring_dev.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(x) for x in lines if x.strip()]
    return [i["answer"] for i in items if i["kind"] == "normal" and 100 <= len(i["answer"]) <= 900]


def run() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="practice-bench-"))
    os.environ["TALENT_DATA_DIR"] = str(tmp)
    os.environ["TALENT_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from sqlmodel import select

    from portal import models
    from portal.services.interviews import consent, practice
    from portal.services.interviews import scoring_client as sc
    from portal.services.platform import crypto, db, demo, settings

    settings.get_settings.cache_clear()
    crypto.reset_cache()
    db.migrate()
    with db.session_scope() as s:
        demo.load_demo(s)
        user = s.exec(select(models.User).where(models.User.email == demo.demo_email("candidate"))).one()
        consent.grant(s, user, consent.current_version(s))
        questions = [q.id for q in practice.questions(s, user)]

    token = secrets.token_urlsafe(32)
    token_file = tmp / "token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    proc, url = start_worker(token_file)

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    client = sc.ScoringClient(url, token, timeout=30)
    thread = threading.Thread(target=loop.run_until_complete,
                              args=(sc.run_dispatcher(stop, client=client),), daemon=True)
    thread.start()
    answers = _answers()
    used = iter(range(10**6))

    def one(wake: bool) -> float:
        i = next(used)
        text = f"{answers[i % len(answers)]} ({i})"
        started = time.perf_counter()
        with db.session_scope() as s:
            if wake:
                answer_id = practice.submit(s, user, questions[i % len(questions)], text)
            else:  # the same rows, without waking the dispatcher
                answer_id = sc.submit_answer(s, user, questions[i % len(questions)], text, is_practice=True).id
        while True:
            with db.session_scope() as s:
                state = practice.status(s, user, answer_id)
                if state == "scored":
                    practice.feedback(s, user, answer_id)
                    return time.perf_counter() - started
            if state != "pending" or time.perf_counter() - started > 60:
                raise RuntimeError(f"answer {answer_id}: {state}")
            time.sleep(practice.FEEDBACK_POLL_S)

    try:
        one(True)  # warm-up: first request, connections, caches
        load = os.getloadavg()
        results = {}
        for label, wake in (("woken after commit", True), ("dispatcher interval only", False)):
            results[label] = [one(wake) for _ in range(ROUNDS)]
        print("== practice_feedback: submit -> feedback available (s), worker idle, one answer at a time ==")
        print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} at start; {ROUNDS} answers each; "
              f"page polls every {practice.FEEDBACK_POLL_S} s")
        print(f"{'':28}{'p50':>7}{'p95':>7}{'max':>7}   p95 target {TARGET_P95_S:.0f} s")
        base = statistics.median(results["woken after commit"])
        for label, values in results.items():
            verdict = "ok" if pct(values, 0.95) <= TARGET_P95_S else "OVER"
            print(f"{label:28}{pct(values, .5):7.2f}{pct(values, .95):7.2f}{max(values):7.2f}   {verdict:4}"
                  f"   p50 x{statistics.median(values) / base:.2f}")
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        client.close()
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    run()
