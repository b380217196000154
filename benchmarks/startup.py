"""Production build time and time from process start to the first page served."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.e2e.harness import ROOT, free_port, portal_env


def _time(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _first_page(env: dict[str, str], url: str) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError("portal did not serve")
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def run(repeats: int = 5) -> None:
    print("== portal start-up ==")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port(3918)
        env = portal_env(Path(tmp), port, ".web-bench")
        cold = not (ROOT / ".web-bench" / "node_modules").exists()
        subprocess.run([sys.executable, "-m", "portal.cli", "setup"], cwd=ROOT, env=env, check=True)
        first = _time([sys.executable, "-m", "portal.cli", "build", "--force"], env)
        warm = _time([sys.executable, "-m", "portal.cli", "build", "--force"], env)
        noop = _time([sys.executable, "-m", "portal.cli", "build"], env)
        print(f"production build, {'cold (npm install included)' if cold else 'first'}: {first:6.1f} s")
        print(f"production build, warm (sources changed):        {warm:6.1f} s")
        print(f"build check when nothing changed:                {noop:6.2f} s  "
              f"(ratio to a warm build: {noop / warm:.3f})")
        samples = sorted(_first_page(env, f"http://localhost:{port}/") for _ in range(repeats))
        p50 = statistics.median(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        print(f"process start → first page served, n={repeats}: p50 {p50:.2f} s, p95 {p95:.2f} s, "
              f"min {samples[0]:.2f} s")
