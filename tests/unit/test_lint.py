"""Undefined names, unused imports and syntax errors fail the suite (ruff's F and E9 rules)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_no_undefined_names_or_unused_imports():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--output-format", "concise",
         "portal", "state", "components", "scoring_worker", "benchmarks", "tests", "scripts", "rxconfig.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_run_coroutines_through_tests_aio():
    """After the browser tests Playwright's loop runs in the main thread for the rest of the
    session, so asyncio's own run() in a test fails in the full run while passing alone (CI was red
    twice for this): tests use tests/aio.py's run() instead."""
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in (ROOT / "tests").rglob("*.py") if path.name != "aio.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "asyncio" + ".run(" in line and not line.lstrip().startswith("#")]
    assert offenders == [], offenders
