"""Load: N browser sessions speaking Reflex's socket.io event protocol, against the
portal and against a bare Reflex app of the same version, in the same run.

Each session has its own client token and (portal) its own signed-in user, passed
as the session cookie in the websocket handshake like a browser would. It connects
with the hydrate event in the CONNECT packet, then navigates between pages (the
event the frontend sends on a route change, on_load_internal, answered once the server
flips is_hydrated; neither app has cookie vars, which would add one) and switches the language every fourth
action. CPU is the server's process group's user+system time over the action phase,
less its idle rate with the same sessions connected, divided by the actions done.
Loopback only; every loop is bounded in count and time. The table runs ROUNDS times
(TALENT_BENCH_ROUNDS, default 3) and prints medians: one run swings by 2× on a shared machine.

    python -m benchmarks load
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import socketio

from tests.e2e.harness import ROOT, free_port, portal_env, wait_until_serving

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
HYDRATED = "is_hydrated_rx_state_"
NAMESPACE = "/_event"  # the frontend opens io("<origin>/_event"): path and namespace

SESSIONS = (1, 10, 50, 100)
THINK_RUN = (50, 1.0)  # the target: 50 sessions with about 1 s think time
ACTION_TIMEOUT = 20.0
RUN_LIMIT = 120.0  # no run of one N lasts longer than this
IDLE_WINDOW = 1.5
# One run of the table swings by 2× on a shared machine: every figure is a median of rounds.
ROUNDS = int(os.environ.get("TALENT_BENCH_ROUNDS", "3"))
BARE_SRC = Path(__file__).resolve().parent / "bare_app"
BARE_WORK = ROOT / ".web-bench-bare"


@dataclass
class App:
    name: str
    url: str
    pages: tuple[str, ...]
    switch: str  # the handler the language switch (or the bare app's toggle) calls
    cookies: list[str] = field(default_factory=list)  # one Cookie header per session
    pid: int = 0


@dataclass
class Result:
    nav_ms: list[float] = field(default_factory=list)
    switch_ms: list[float] = field(default_factory=list)
    errors: int = 0
    actions: int = 0
    cpu_s: float = 0.0  # net of the idle rate
    idle_rate: float = 0.0  # CPU seconds per second with the sessions connected and idle


# ---------------------------------------------------------------- server side


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every live process in the process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # field 5 of stat: process group
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / tick


@contextmanager
def serving(cmd: list[str], cwd: Path, env: dict[str, str], url: str, log: Path) -> Iterator[int]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_until_serving(proc, url, log, " ".join(cmd))
        yield proc.pid
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


def signed_in_cookies(db_url: str, count: int) -> list[str]:
    """``count`` candidates, each with a full session made by the portal's own services."""
    from sqlmodel import select

    from portal import models, routes
    from portal.services.accounts import auth
    from portal.services.platform import db

    cookies = []
    with db.session_scope(db_url) as s:
        for i in range(count):
            email = f"load{i}@bench.talent.local"
            user = s.exec(select(models.User).where(models.User.email == email)).first()
            if user is None:
                user = models.User(email=email, display_name=f"Load {i}", role="candidate")
                s.add(user)
                s.flush()
            token = auth.start_sso_session(s, user, mfa_satisfied=True, ip="127.0.0.1").token
            cookies.append(f"{routes.SESSION_COOKIE}={token}")
    return cookies


# ---------------------------------------------------------------- client side


class Session:
    """One browser tab: a socket.io client with its own token."""

    def __init__(self, app: App, cookie: str):
        self.app, self.cookie = app, cookie
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: asyncio.Queue = asyncio.Queue()
        self.path = app.pages[0]  # where the tab opens: its home
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    def _event(self, name: str, payload: dict | None = None) -> dict:
        return {"name": name, "payload": payload or {},
                "router_data": {"pathname": self.path, "asPath": self.path}}

    async def _on_update(self, update: dict) -> None:
        for event in update.get("events") or []:
            name = event.get("name", "")
            if name.startswith(ROOT_STATE):  # the frontend sends chained events back
                await self.sio.emit("event", self._event(name, event.get("payload")), namespace=NAMESPACE)
            elif name == "_redirect":
                update = {**update, "redirect": event.get("payload", {}).get("path")}
        await self.updates.put(update)

    async def _until(self, done) -> None:
        while True:
            update = await asyncio.wait_for(self.updates.get(), ACTION_TIMEOUT)
            if update.get("redirect"):
                raise RuntimeError(f"redirected to {update['redirect']}")
            if done(update):
                return

    @staticmethod
    def _hydrated(update: dict) -> bool:
        return (update.get("delta") or {}).get(ROOT_STATE, {}).get(HYDRATED) is True

    async def connect(self) -> None:
        headers = {"Cookie": self.cookie, "Origin": self.app.url.replace("127.0.0.1", "localhost")}
        hydrate = self._event(HYDRATE)
        await self.sio.connect(f"{self.app.url}?token={uuid.uuid4()}", headers=headers,
                               transports=["websocket"], socketio_path="/_event", namespaces=[NAMESPACE],
                               auth={"event": hydrate}, wait_timeout=ACTION_TIMEOUT)
        await self._until(self._hydrated)

    async def navigate(self, path: str) -> float:
        self.path = path
        started = time.perf_counter()
        await self.sio.emit("event", self._event(ON_LOAD), namespace=NAMESPACE)
        await self._until(self._hydrated)
        return (time.perf_counter() - started) * 1000

    async def switch(self) -> float:
        started = time.perf_counter()
        await self.sio.emit("event", self._event(self.app.switch), namespace=NAMESPACE)
        await self._until(lambda update: bool(update.get("delta")))
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        except Exception:  # noqa: BLE001 - a session that failed to connect has nothing to close
            pass


async def _drive(session: Session, steps: int, think: float, rng: random.Random, result: Result,
                 deadline: float) -> None:
    pages = session.app.pages
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # sessions do not move in lockstep
    navigations = 0
    for step in range(steps):
        if time.monotonic() > deadline:
            return
        try:
            if step % 4 == 3:
                result.switch_ms.append(await session.switch())
            else:
                # Counted apart from the steps: every page of the walk is visited (indexing
                # by step skipped the first page, the candidate's overview, after connecting).
                navigations += 1
                result.nav_ms.append(await session.navigate(pages[navigations % len(pages)]))
        except Exception:  # noqa: BLE001 - a timeout, a refusal or a broken socket is an error
            result.errors += 1
            return
        finally:
            result.actions += 1
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def load_run(app: App, n: int, think: float, steps: int, seed: int = 7) -> Result:
    result = Result()
    rng = random.Random(seed)
    sessions = [Session(app, app.cookies[i % len(app.cookies)] if app.cookies else "") for i in range(n)]
    outcomes = await asyncio.gather(*(s.connect() for s in sessions), return_exceptions=True)
    live = [s for s, o in zip(sessions, outcomes) if not isinstance(o, BaseException)]
    result.errors += n - len(live)
    # What the server burns with these sessions connected and doing nothing (pings,
    # housekeeping, background loops) is not the actions' cost: measured, then taken off.
    idle_from, idle_started = group_cpu_seconds(app.pid), time.monotonic()
    await asyncio.sleep(IDLE_WINDOW)
    result.idle_rate = (group_cpu_seconds(app.pid) - idle_from) / (time.monotonic() - idle_started)
    before, started = group_cpu_seconds(app.pid), time.monotonic()
    deadline = started + RUN_LIMIT
    await asyncio.gather(*(_drive(s, steps, think, random.Random(rng.random()), result, deadline) for s in live))
    elapsed = time.monotonic() - started
    result.cpu_s = max(0.0, group_cpu_seconds(app.pid) - before - result.idle_rate * elapsed)
    await asyncio.gather(*(s.close() for s in sessions))
    return result


def _steps(n: int, think: float) -> int:
    return 8 if think else max(6, min(100, 400 // n))


def measure(apps: list[App], runs: list[tuple[int, float]],
            rounds: int) -> dict[str, dict[tuple[int, float], list[Result]]]:
    """Each run against each app back to back, so both see the same machine load, and
    the whole table ``rounds`` times, the apps' order swapped every round (whichever
    goes second meets a warmer, or busier, machine)."""
    for app in apps:
        asyncio.run(load_run(app, 2, 0.0, 8))  # warm-up: imports, caches, first states
    results: dict[str, dict[tuple[int, float], list[Result]]] = {app.name: {r: [] for r in runs} for app in apps}
    for round_ in range(rounds):
        for n, think in runs:
            for app in (apps if round_ % 2 == 0 else apps[::-1]):
                results[app.name][(n, think)].append(asyncio.run(load_run(app, n, think, _steps(n, think))))
    return results


# ---------------------------------------------------------------- the two apps


def bare_app(port: int, states: Path) -> tuple[list[str], Path, dict[str, str]]:
    """Copy the bare app into the gitignored work dir, build it unless an identical build
    exists (tied to its port like the portal's), and return how to serve it."""
    src = BARE_WORK / "src"
    env = {**os.environ, "BARE_PORT": str(port), "REFLEX_WEB_WORKDIR": str(BARE_WORK / "web"),
           "REFLEX_USE_NPM": "1", "REFLEX_STATES_WORKDIR": str(states),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    stamp = BARE_WORK / "build.stamp"
    fingerprint = f"port={port}\n" + "".join(
        f"{p.relative_to(BARE_SRC)}:{p.read_text()}" for p in sorted(BARE_SRC.rglob("*.py")))
    index = BARE_WORK / "web" / "build" / "client" / "index.html"
    if not (index.exists() and stamp.exists() and stamp.read_text() == fingerprint):
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(BARE_SRC, src, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod",
                        "--loglevel", "warning"], cwd=src, env=env, check=True, stdout=subprocess.DEVNULL)
        stamp.write_text(fingerprint)
    return [sys.executable, "serve.py"], src, env


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _cpu_ms(r: Result) -> float:
    return 1000 * r.cpu_s / r.actions if r.actions else float("nan")


def run() -> None:
    print("== load: socket.io sessions, navigations + language switch, portal vs bare Reflex ==")
    runs = [(n, 0.0) for n in SESSIONS] + [THINK_RUN]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        tmp = Path(tmp)
        port = free_port(3918)  # startup.py's port: both share the .web-bench build
        env = portal_env(tmp / "portal", port, ".web-bench", TALENT_DEMO_CONTENT="1")
        subprocess.run([sys.executable, "-m", "portal.cli", "setup"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "portal.cli", "build"], cwd=ROOT, env=env, check=True)
        base = f"{ROOT_STATE}.state___base____base_state"
        # The sessions are candidates: their home is their overview ("/" sends them there).
        portal = App("portal", f"http://127.0.0.1:{port}", ("/candidate", "/jobs", "/account/security", "/jobs"),
                     f"{base}.toggle_locale", cookies=signed_in_cookies(env["TALENT_DB_URL"], max(SESSIONS)))
        bare_port = free_port(3930)
        cmd, cwd, bare_env = bare_app(bare_port, tmp / "bare-states")
        bare = App("bare", f"http://127.0.0.1:{bare_port}", ("/", "/jobs", "/account", "/jobs"),
                   f"{ROOT_STATE}.bare___bare____bare_state.toggle")
        portal.pid = servers.enter_context(
            serving([sys.executable, "-m", "portal.cli", "serve"], ROOT, env, portal.url, tmp / "portal.log"))
        bare.pid = servers.enter_context(serving(cmd, cwd, bare_env, bare.url, tmp / "bare.log"))
        results = measure([portal, bare], runs, ROUNDS)

    print(f"{ROUNDS} rounds of the whole table, portal and bare back to back in each; latencies pooled over")
    print("the rounds in ms (navigation: on_load_internal until hydrated; switch: event until its delta);")
    print("CPU ms per action (one navigation or one switch): server process group, user + system, net of")
    print("its idle rate with the same sessions connected (idle ms/s), as the median of the rounds and")
    print("each round's figure; the ratio is the median of the rounds' own ratios")
    head = f"{'N':>4} {'think':>5} | {'app':<6} {'nav p50':>8} {'p95':>7} {'p99':>7} {'switch p95':>10} " \
           f"{'actions':>7} {'errors':>6} {'CPU ms':>7} {'idle ms/s':>9}  rounds' CPU ms"
    print(head)
    print("-" * len(head))
    ratios: dict[tuple[int, float], float] = {}
    for key in runs:
        for name in ("portal", "bare"):
            rs = results[name][key]
            nav = [v for r in rs for v in r.nav_ms]
            switch = [v for r in rs for v in r.switch_ms]
            print(f"{key[0]:>4} {key[1]:>4.0f}s | {name:<6} {_pct(nav, .5):>8.1f} {_pct(nav, .95):>7.1f} "
                  f"{_pct(nav, .99):>7.1f} {_pct(switch, .95):>10.1f} {sum(r.actions for r in rs):>7} "
                  f"{sum(r.errors for r in rs):>6} {statistics.median(map(_cpu_ms, rs)):>7.2f} "
                  f"{1000 * statistics.median(r.idle_rate for r in rs):>9.1f}  "
                  + " ".join(f"{_cpu_ms(r):.2f}" for r in rs))
        p, b = results["portal"][key], results["bare"][key]
        ratios[key] = statistics.median(_cpu_ms(x) / _cpu_ms(y) for x, y in zip(p, b))
        p95 = _pct([v for r in p for v in r.nav_ms], .95) / _pct([v for r in b for v in r.nav_ms], .95)
        print(f"{'':>4} {'':>5} | ratio portal/bare: CPU {ratios[key]:.2f}× "
              f"(rounds {' '.join(f'{_cpu_ms(x) / _cpu_ms(y):.2f}' for x, y in zip(p, b))}), nav p95 {p95:.2f}×")
    target = [v for r in results["portal"][THINK_RUN] for v in r.nav_ms]
    no_think = [ratios[(n, 0.0)] for n in SESSIONS]
    print(f"targets: CPU per action ≤ 2× bare (without think time, median of the rows: "
          f"{statistics.median(no_think):.2f}×; rows {' '.join(f'{r:.2f}' for r in no_think)}); "
          f"nav p95 at {THINK_RUN[0]} sessions, {THINK_RUN[1]:.0f} s think ≤ 100 ms ({_pct(target, .95):.0f} ms)")

if __name__ == "__main__":
    run()
