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
