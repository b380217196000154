"""The worker's request objects (plain dataclasses, no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Competency:
    key: str
    name: str
    description: str
    keywords: tuple[str, ...]
    weight: float
    required_level: float | None
    anchors: dict[str, str]          # levels "1", "3", "5"


@dataclass
class ScoreRequest:
    request_id: str
    language: str                    # "zh", "en" or "auto"
    question: str
    answer: str
    competencies: list[Competency]
    delivery: dict[str, float] = field(default_factory=dict)
