"""Where Reflex keeps each tab's state: memory for one process, Redis for several,
never a pile of world-readable files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from portal.cli import prepare_state_storage
from portal.services.platform.settings import ROOT


def _mode_chosen(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("TALENT_REDIS_URL", "REFLEX_STATE_MANAGER_MODE")}
    code = "from reflex_base.config import get_config; print(get_config().state_manager_mode.value)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_one_process_keeps_state_in_memory_and_several_share_redis():
    assert _mode_chosen() == "memory"
    assert _mode_chosen(TALENT_REDIS_URL="redis://127.0.0.1:6399/0") == "redis"


def test_state_files_left_by_an_older_version_are_removed(tmp_path):
    states = tmp_path / "states"
    states.mkdir()
    (states / "a1b2_state.pkl").write_bytes(b"someone's outbox")
    prepare_state_storage("memory", states)
    assert not states.exists()


def test_a_forced_disk_manager_writes_files_only_the_portal_user_can_read(tmp_path):
    states = tmp_path / "states"
    states.mkdir(mode=0o755)
    (states / "old.pkl").write_bytes(b"x")
    (states / "old.pkl").chmod(0o644)
    previous = os.umask(0o022)
    try:
        prepare_state_storage("disk", states)
        (states / "new.pkl").write_bytes(b"y")  # as Reflex's disk manager would, later
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)
    assert stat.S_IMODE(states.stat().st_mode) == 0o700
    for name in ("old.pkl", "new.pkl"):
        assert stat.S_IMODE((states / name).stat().st_mode) == 0o600
