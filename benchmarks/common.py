"""What several benchmarks share: an interpolated percentile and a scoring worker
started on a free port and waited for."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, interpolated between neighbours."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(len(ordered) - 1, int(k) + 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def start_worker(token_file: Path, ready=lambda health: True) -> tuple[subprocess.Popen, str]:
    """The scoring worker on a free loopback port, once /healthz answers 200 and
    ``ready(its JSON)`` is true; (process, base URL)."""
    import httpx

    from tests.e2e.harness import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "scoring_worker", "--host", "127.0.0.1", "--port", str(port),
                             "--token-file", str(token_file), "--log-level", "warning"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the scoring worker exited")
        try:
            health = httpx.get(url + "/healthz", timeout=1)
            if health.status_code == 200 and ready(health.json()):
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the scoring worker did not become healthy within 90 s")
