"""Talent Portal scoring worker: scores interview answers against behaviourally
anchored competency models over a small HTTP API (see docs/scoring-worker.md).

A separate process that imports nothing of ``portal``. Keep this module free of
heavy imports: ``python -m scoring_worker`` must set thread limits before numpy
loads.
"""

__version__ = "1.0.0"
