"""Start the real production build on a free port against a temporary database,
and Debian's Chromium through Playwright. Used by the e2e tests and by
scripts/screenshots.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parents[2]
# the build is tied to its port: a stable one lets reruns reuse it (several checkouts
# testing at once each set their own)
PREFERRED_PORT = int(os.environ.get("TALENT_E2E_PORT", "3917"))
# Fake camera and microphone, and their permission prompts accepted (the device check).
FAKE_MEDIA_DEVICES = "--use-fake-device-for-media-stream"
ACCEPT_MEDIA_PROMPTS = "--use-fake-ui-for-media-stream"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", FAKE_MEDIA_DEVICES, ACCEPT_MEDIA_PROMPTS,
]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None) -> int:
    if preferred and _port_free(preferred):
        return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    def __init__(self, url: str, data_dir: Path, env: dict[str, str], log: Path):
        self.url, self.data_dir, self.env, self.log = url, data_dir, env, log

    @property
    def db_url(self) -> str:
        return self.env["TALENT_DB_URL"]


def portal_env(data_dir: Path, port: int, web_dir: str, **extra: str) -> dict[str, str]:
    """The environment of a portal instance on its own port, data directory and
    frontend build directory (each build is tied to its URL)."""
    return {
        **os.environ,
        "TALENT_DATA_DIR": str(data_dir),
        "TALENT_DB_URL": f"sqlite:///{data_dir / 'portal.db'}",
        "TALENT_PORT": str(port),
        "TALENT_PUBLIC_URL": f"http://localhost:{port}",
        "REFLEX_WEB_WORKDIR": web_dir,
        "REFLEX_USE_NPM": "1",
        **extra,
    }


@contextmanager
def running_portal(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Portal]:
    port = free_port(PREFERRED_PORT)
    url = f"http://localhost:{port}"
    # .web-e2e keeps `make run`'s build in .web intact
    env = portal_env(data_dir, port, ".web-e2e", TALENT_WORKER_PORT=str(free_port()), **(extra_env or {}))
    log = data_dir / "portal.log"
    subprocess.run([sys.executable, "-m", "portal.cli", "build"], cwd=ROOT, env=env, check=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "run"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_until_serving(proc, url, log, "portal")
        yield Portal(url, data_dir, env, log)
    finally:
        # The whole process group: the CLI, granian's workers and the scoring worker.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


def wait_until_serving(proc: subprocess.Popen, url: str, log: Path, name: str, timeout: float = 120) -> None:
    """Until ``url`` answers 200, or fail with the end of the process's log if it exits
    or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


def launch_chromium(playwright, args: list[str] | None = None):
    return playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                      args=CHROMIUM_ARGS if args is None else args)
