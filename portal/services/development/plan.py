"""A person's development plan in one call: goals, courses, the score timeline with the
course completions, the gaps with recommended courses, and what changed since the last
development report. Only one's own (DEVELOPMENT_VIEW on oneself); viewing is audited.
Nothing here imports reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from portal import models
from portal.services.accounts import access
from portal.services.development import courses as course_rules
from portal.services.development import progress, recommendations
from portal.services.platform import audit, db
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
    # one statement for all the plan shows; the catalogue and its tags are per-process copies
    goal_rows, course_rows, interviews, practice, later, runs = db.together(
        session, progress.goals_query(user), progress.courses_query(user), *progress.timeline_queries(user),
        course_rules.open_runs_not_taken(user.id, course_rules.competency_tags(session), now))
    goals, pref, last_sent = progress.goals_from(goal_rows)
    courses = progress.courses_from(session, course_rows)
    points, required = progress.timeline_from(session, interviews, practice + later)
    gaps = progress.gaps(session, points, goals, required)
    names = progress.names(session, set(points) | {g.competency_key for g in goals if g.competency_key})
    digest = progress.changes_since(session, user, progress.digest_start(session, user, now, last_sent),
                                    points=points, courses=courses)
    audit.record(session, "development.view", actor_id=user.id, actor=user.email or "", object_type="user",
                 object_id=user.id, ip=ip)
    return Plan(goals=goals, courses=courses, points=points, names=names, gaps=gaps,
                recommended=recommendations.recommend(session, user, gaps, now=now, pref=pref,
                                                       runs=course_rules.open_runs_by_course(runs)),
                digest=digest, preference=pref)


def report_gaps(numbers: ReportNumbers) -> list[progress.Gap]:
    """The gaps of a score report: each competency below the job's required level."""
    found = [progress.Gap(c.key, c.name_zh, c.name_en, score=c.score, target=c.required)
             for c in numbers.competencies if c.score < c.required]
    return sorted(found, key=lambda g: (-g.points, g.key))
