"""Run every benchmark: python -m benchmarks [startup] [worker] [load] [reset_timing] [practice_feedback] [transcription] [report]."""

from __future__ import annotations

import importlib
import sys

SUITES = ("startup", "worker", "load", "reset_timing", "practice_feedback", "transcription", "report")


def main() -> None:
    chosen = sys.argv[1:] or list(SUITES)
    for name in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"== {name}: not present ==")
                continue
            raise
        module.run()
        print()


if __name__ == "__main__":
    main()
