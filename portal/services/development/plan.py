"""A person's development plan in one call: goals, courses, the score timeline with the
course completions, the gaps with recommended courses, and what changed since the last
development report. Only one's own (DEVELOPMENT_VIEW on oneself); viewing is audited.
Nothing here imports reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from portal import models
from portal.services.accounts import access
from portal.services.development import progress, recommendations
from portal.services.platform import audit
from portal.services.reports.scores import ReportNumbers


@dataclass
class Plan:
    goals: list[models.DevelopmentGoal]
    courses: list[progress.PlanCourse]
    points: dict[str, list[progress.Point]]
    names: dict[str, tuple[str, str]]
    gaps: list[progress.Gap]
    recommended: list[recommendations.Recommendation]
    digest: progress.Digest
    preference: models.LearningPreference | None = None


def development_plan(session, user: models.User, *, ip: str = "", now: datetime | None = None) -> Plan:
    access.require(user, access.DEVELOPMENT_VIEW, user, session=session, ip=ip)
    now = now or datetime.now(timezone.utc)
    goals, pref, last_sent = progress.goals_preference_last_digest(session, user)
    courses = progress.plan_courses(session, user)
    points, required = progress.timeline_and_targets(session, user)
    gaps = progress.gaps(session, points, goals, required)
    names = progress.names(session, set(points) | {g.competency_key for g in goals if g.competency_key})
    digest = progress.changes_since(session, user, progress.digest_start(session, user, now, last_sent),
                                    points=points, courses=courses)
    audit.record(session, "development.view", actor_id=user.id, actor=user.email or "", object_type="user",
                 object_id=user.id, ip=ip)
    return Plan(goals=goals, courses=courses, points=points, names=names, gaps=gaps,
                recommended=recommendations.recommend(session, user, gaps, now=now, pref=pref,
                                                       taken={c.course_id for c in courses}), digest=digest,
                preference=pref)


def report_gaps(numbers: ReportNumbers) -> list[progress.Gap]:
    """The gaps of a score report: each competency below the job's required level."""
    found = [progress.Gap(c.key, c.name_zh, c.name_en, score=c.score, target=c.required)
             for c in numbers.competencies if c.score < c.required]
    return sorted(found, key=lambda g: (-g.points, g.key))
