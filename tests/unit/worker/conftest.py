"""Fixtures that run the REAL scoring worker as a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
MAX_BODY = 1_000_000  # small limit so the 413 test needs only ~1 MB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningWorker:
    url: str
    token: str
    proc: subprocess.Popen
    log_path: Path
    started_s: float

    def client(self, token: str | None = "__default__") -> httpx.Client:
        headers = {}
        tok = self.token if token == "__default__" else token
        if tok is not None:
            headers["Authorization"] = f"Bearer {tok}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_worker(tmp: Path, *, token: str, via: str = "file", extra_args: tuple[str, ...] = (),
                 prelude: str | None = None, wait_ready: bool = True) -> RunningWorker:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SCORING_TOKEN"}
    args = ["--host", "127.0.0.1", "--port", str(port), "--max-body-bytes", str(MAX_BODY),
            *extra_args]
    if via == "file":
        token_file = tmp / f"token-{port}"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        args += ["--token-file", str(token_file)]
    else:
        env["SCORING_TOKEN"] = token
    if prelude:  # run a patch inside the real worker process before it starts
        cmd = [sys.executable, "-c",
               prelude + "\nfrom scoring_worker.__main__ import main\nmain(" + repr(args) + ")"]
    else:
        cmd = [sys.executable, "-m", "scoring_worker", *args]
    log_path = tmp / f"worker-{port}.log"
    t0 = time.perf_counter()
    with open(log_path, "wb") as log_file:  # the child keeps its own descriptor
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT)
    worker = RunningWorker(f"http://127.0.0.1:{port}", token, proc, log_path, 0.0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}:\n{worker.log_text()}")
        try:
            r = httpx.get(worker.url + "/healthz", timeout=1)
            if r.status_code == 200 or (not wait_ready and r.status_code == 503):
                worker.started_s = time.perf_counter() - t0
                return worker
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"worker did not become healthy:\n{worker.log_text()}")


def stop_worker(worker: RunningWorker) -> None:
    worker.proc.terminate()
    try:
        worker.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.proc.kill()
        worker.proc.wait()


@pytest.fixture(scope="session")
def worker(tmp_path_factory) -> Iterator[RunningWorker]:
    w = start_worker(tmp_path_factory.mktemp("worker"), token=secrets.token_urlsafe(32))
    yield w
    stop_worker(w)


@pytest.fixture(scope="session")
def questions() -> dict:
    return json.loads((DATA / "scoring_questions.json").read_text(encoding="utf-8"))


def load_jsonl(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def dev_set() -> list[dict]:
    """The development part of the labelled answers (see tests/data/README.md)."""
    return load_jsonl("scoring_dev.jsonl")


@pytest.fixture(scope="session")
def locked_set() -> list[dict]:
    """The locked test part: scored only to check accuracy floors, never inspected."""
    return load_jsonl("scoring_locked_test.jsonl")


@pytest.fixture(scope="session")
def adversarial() -> list[dict]:
    return load_jsonl("scoring_adversarial.jsonl")


def request_for(item: dict, questions: dict, language: str = "auto", request_id: str | None = None) -> dict:
    model = questions[item["question_id"]][item["question_language"]]
    return {"request_id": request_id or item["id"], "language": language,
            "question": model["question"], "answer": item["answer"],
            "competencies": [model["competency"]]}


@pytest.fixture
def sample(questions) -> dict:
    model = questions["communication"]["zh"]
    return {"request_id": "sample-1", "language": "zh", "question": model["question"],
            "answer": "去年双十一，客户因为物流延迟投诉。我先耐心倾听，复述确认他的诉求，"
                      "然后联系仓库改发加急，并把进展同步给客服同事。第二天客户收到货，还给了好评。",
            "competencies": [model["competency"]]}
