"""Password-reset request: time to the answer for known and unknown addresses.

The route answers after the rate limits only; the lookup, the link and the e-mail
run after the answer (a background task). This measures, on a temporary SQLite
database, the answer time of the route for both kinds of address, interleaved,
and beside it the whole service call (what answering after all the work would
cost), so the difference the background task removes is visible.

    python -m benchmarks reset_timing
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROUNDS = 150


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="reset-bench-"))
    os.environ["TALENT_DATA_DIR"] = str(tmp)
    os.environ["TALENT_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from starlette.requests import Request

    from portal import auth_routes
    from portal.models import User
    from portal.services.accounts import auth
    from portal.services.platform import db, settings

    settings.get_settings.cache_clear()
    db.migrate()
    with db.session_scope() as s:  # the hash is never checked here: any stored value will do
        for i in range(ROUNDS):
            s.add(User(email=f"known{i}@bench.example.cn", role="candidate", display_name=f"k{i}",
                       password_hash="x"))

    def request(i: int) -> Request:
        return Request({"type": "http", "method": "POST", "path": "/", "headers": [],
                        "client": (f"10.{i // 250}.{i % 250}.1", 1)})

    route = {"known": [], "unknown": []}
    whole = {"known": [], "unknown": []}
    for i in range(ROUNDS):
        for kind in ("known", "unknown"):
            email = f"{kind}{i}@bench.example.cn"
            start = time.perf_counter()
            auth_routes.reset_request(request(2 * i + (kind == "known")), {"email": email})
            route[kind].append(time.perf_counter() - start)
            start = time.perf_counter()
            with db.session_scope() as s:
                auth.request_reset(s, email, f"10.99.{i % 250}.{kind == 'known'}")
            whole[kind].append(time.perf_counter() - start)
    print("== reset_timing: answer time of a reset request (ms), known vs unknown address ==")
    print(f"{'':28}{'known p50':>10}{'p95':>8}   {'unknown p50':>12}{'p95':>8}   known/unknown p50")
    for name, data in (("route (answer, then work)", route), ("whole work before answer", whole)):
        k, u = data["known"], data["unknown"]
        ratio = statistics.median(k) / statistics.median(u)
        print(f"{name:28}{_pct(k, .5):10.2f}{_pct(k, .95):8.2f}   {_pct(u, .5):12.2f}{_pct(u, .95):8.2f}   {ratio:8.2f}")


if __name__ == "__main__":
    run()
