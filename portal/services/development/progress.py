"""A person's development: the timeline of each competency's score across interviews,
practice and later assessments (one person, one timeline: an employee hired from a
candidate keeps the interviews of their candidacy), their goals, their courses, their
gaps, and what changed since a date (the periodic development report).

Points of the timeline, in the words HR would use:
- an interview, once completed and every answer scored: the competency's score as in its
  report (the mean of the answers to the questions about it), dated at the interview;
- a practice answer: its score on the competency the question was about;
- an assessment recorded later (a review by the manager, a test): as recorded.
A gap is the target (an open goal's target level, else the required level of the job of
the person's latest interview) minus the latest score, when positive.
Nothing here imports reflex.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.development import courses as course_rules
from portal.services.platform import db
from portal.services.platform.content_cache import ContentCache
from portal.services.reports.scores import by_interview, competency_scores, has_unscored_answer, model_competencies



@dataclass
class Point:
    taken_at: datetime
    score: float
    source: str  # interview | practice | review | assessment


@dataclass
class Gap:
    key: str
    name_zh: str
    name_en: str
    score: float
    target: float

    @property
    def points(self) -> float:
        return self.target - self.score


@dataclass
class PlanCourse:
    enrollment_id: int
    course_id: int
    code: str
    title_zh: str
    title_en: str
    format: str
    status: str
    progress_pct: int
    modules_done: int
    modules: int
    starts_at: datetime | None
    ends_at: datetime | None
    completed_at: datetime | None
    enrolled_at: datetime | None = None
    location_zh: str = ""
    location_en: str = ""
    waitlist_position: int = 0
    competencies: list[str] = field(default_factory=list)


def _all_names(session) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for key, zh, en in session.exec(select(models.Competency.key, models.Competency.name_zh,
                                           models.Competency.name_en).order_by(models.Competency.id)).all():
        out.setdefault(key, (zh, en))
    return out


# Competency names change only when HR edits a model: kept per process.
_NAMES = ContentCache("competency_names", (models.Competency,), _all_names)


def names(session, keys) -> dict[str, tuple[str, str]]:
    """Competency key → (Chinese, English) name, as the competency models call it."""
    known = _NAMES.get(session) if keys else {}
    return {key: known[key] for key in keys if key in known}


def _interview_points(session, user_id: int) -> tuple[dict[str, list[Point]], int | None]:
    """Per competency the scores of the person's completed, fully scored interviews, and
    the competency model of their latest completed interview (scored or not): one statement."""
    return _interview_points_from(session.exec(_interview_points_query(user_id)).all())


def _interview_points_query(user_id: int):
    interview, answer = models.Interview, models.Answer
    return (select(interview.id, answer.id, models.Question.competency_key, models.Competency.key,
                   models.CompetencyScore.score, interview.scheduled_at, interview.model_id,
                   has_unscored_answer(interview.id))
            .select_from(interview)
            .outerjoin(answer, and_(answer.interview_id == interview.id, answer.is_practice.is_(False)))
            .outerjoin(models.Question, models.Question.id == answer.question_id)
            .outerjoin(models.CompetencyScore, models.CompetencyScore.answer_id == answer.id)
            .outerjoin(models.Competency, models.Competency.id == models.CompetencyScore.competency_id)
            .where(interview.candidate_id == user_id, interview.status == "completed"))


def _interview_points_from(rows) -> tuple[dict[str, list[Point]], int | None]:
    out: dict[str, list[Point]] = defaultdict(list)
    if not rows:
        return out, None
    when = {row[0]: aware(row[5]) for row in rows}
    latest_model = max(rows, key=lambda row: (when[row[0]], row[0]))[6]
    for interview_id, answers in by_interview(row for row in rows if row[3] is not None and not row[7]).items():
        for key, score in competency_scores(answers).items():
            out[key].append(Point(when[interview_id], score, "interview"))
    return out, latest_model


def timeline_and_targets(session, user: models.User) -> tuple[dict[str, list[Point]], dict[str, float]]:
    """Per competency, the person's scores over time, oldest first; and the required levels
    of the model of their latest completed interview."""
    interviews, practice, later = db.together(session, *timeline_queries(user))
    return timeline_from(session, interviews, practice + later)


def timeline_queries(user: models.User) -> tuple:
    """The interviews' scores; the practice answers' on their question's competency; the
    assessments recorded later."""
    practice = (select(models.Competency.key, models.CompetencyScore.score, models.Answer.submitted_at,
                       literal("practice"))
                .join(models.CompetencyScore, models.CompetencyScore.competency_id == models.Competency.id)
                .join(models.Answer, models.Answer.id == models.CompetencyScore.answer_id)
                .join(models.Question, models.Question.id == models.Answer.question_id)
                .where(models.Answer.user_id == user.id, models.Answer.is_practice.is_(True),
                       models.Question.competency_key == models.Competency.key))
    later = select(models.ProgressSnapshot.competency_key, models.ProgressSnapshot.score,
                   models.ProgressSnapshot.taken_at, models.ProgressSnapshot.source).where(
        models.ProgressSnapshot.user_id == user.id)
    return _interview_points_query(user.id), practice, later


def timeline_from(session, interview_rows, other_rows) -> tuple[dict[str, list[Point]], dict[str, float]]:
    points, model_id = _interview_points_from(interview_rows)
    for key, score, taken_at, source in other_rows:
        points[key].append(Point(aware(taken_at), float(score), source))
    required = {c.key: c.required_level for c in model_competencies(session, model_id)} if model_id else {}
    return {key: sorted(values, key=lambda p: p.taken_at) for key, values in points.items() if values}, required


def timeline(session, user: models.User) -> dict[str, list[Point]]:
    """Per competency, the person's scores over time, oldest first."""
    return timeline_and_targets(session, user)[0]


def _goal_order(rows) -> list[models.DevelopmentGoal]:
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(rows, key=lambda g: (g.status != "open", aware(g.due_date) if g.due_date else far, g.id))


def goals(session, user: models.User) -> list[models.DevelopmentGoal]:
    """Open goals first (soonest due first), then the achieved and missed ones."""
    return _goal_order(session.exec(select(models.DevelopmentGoal)
                                    .where(models.DevelopmentGoal.user_id == user.id)).all())


def goals_preference_last_digest(session, user: models.User):
    """(goals as ``goals`` orders them, the learning preference or None, when the last
    development report was sent or None) in one statement."""
    return goals_from(session.exec(goals_query(user)).all())


def goals_query(user: models.User):
    last_sent = select(func.max(models.DevelopmentDigest.sent_at)).where(
        models.DevelopmentDigest.user_id == models.User.id).scalar_subquery()
    return (select(models.LearningPreference, last_sent, models.DevelopmentGoal).select_from(models.User)
            .outerjoin(models.LearningPreference, models.LearningPreference.user_id == models.User.id)
            .outerjoin(models.DevelopmentGoal, models.DevelopmentGoal.user_id == models.User.id)
            .where(models.User.id == user.id))


def goals_from(rows):
    if not rows:
        return [], None, None
    pref, sent = rows[0][0], rows[0][1]
    return _goal_order([goal for _p, _s, goal in rows if goal is not None]), pref, aware(sent) if sent else None


def plan_courses(session, user: models.User) -> list[PlanCourse]:
    """The person's courses (not those they left): current ones first, then completed."""
    return courses_from(session, session.exec(courses_query(user)).all())


def courses_query(user: models.User):
    """Each enrollment with its course, its run and how many wait ahead of it on that run."""
    mine, other = models.Enrollment, aliased(models.Enrollment)
    ahead = select(func.count(other.id)).where(
        other.offering_id == mine.offering_id, other.status == course_rules.WAITLISTED,
        or_(other.enrolled_at < mine.enrolled_at,
            and_(other.enrolled_at == mine.enrolled_at, other.id < mine.id))).scalar_subquery()
    return (select(mine, models.Course, models.CourseOffering, ahead)
            .join(models.Course, models.Course.id == mine.course_id)
            .outerjoin(models.CourseOffering, models.CourseOffering.id == mine.offering_id)
            .where(mine.user_id == user.id, mine.status != course_rules.WITHDRAWN))


def courses_from(session, rows) -> list[PlanCourse]:
    tags = course_rules.competency_tags(session) if rows else {}
    out = []
    for e, course, offering, ahead in rows:
        waiting = e.status == course_rules.WAITLISTED and e.offering_id is not None
        out.append(PlanCourse(
            enrollment_id=e.id, course_id=course.id, code=course.code, title_zh=course.title_zh,
            title_en=course.title_en, format=course.format, status=e.status, progress_pct=e.progress_pct,
            modules_done=e.modules_done, modules=course.modules,
            starts_at=aware(offering.starts_at) if offering else aware(e.enrolled_at),
            ends_at=aware(offering.ends_at) if offering else None,
            completed_at=aware(e.completed_at) if e.completed_at else None, enrolled_at=aware(e.enrolled_at),
            location_zh=offering.location_zh if offering else "", location_en=offering.location_en if offering else "",
            waitlist_position=ahead + 1 if waiting else 0, competencies=sorted(tags.get(course.id, ()))))
    order = {course_rules.IN_PROGRESS: 0, course_rules.ENROLLED: 1, course_rules.WAITLISTED: 2, course_rules.COMPLETED: 3}
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(out, key=lambda c: (order.get(c.status, 4), c.starts_at or far, c.code))


def gaps(session, points: dict[str, list[Point]], open_goals: list[models.DevelopmentGoal],
         required: dict[str, float]) -> list[Gap]:
    """Where the latest score is below the target (an open goal's level, else ``required``:
    the latest interview's required level), the largest gap first."""
    targets = dict(required)
    for goal in open_goals:
        if goal.status == "open" and goal.competency_key and goal.target_level is not None:
            targets[goal.competency_key] = float(goal.target_level)
    found = {key: (values[-1].score, targets[key]) for key, values in points.items()
             if key in targets and values[-1].score < targets[key]}
    label = names(session, found)
    out = [Gap(key, *label.get(key, (key, key)), score=score, target=target) for key, (score, target) in found.items()]
    return sorted(out, key=lambda g: (-g.points, g.key))


@dataclass
class Change:
    key: str
    before: float | None
    now: float


@dataclass
class Digest:
    since: datetime
    changes: list[Change]
    completed: list[PlanCourse]
    started: list[PlanCourse]  # enrolled (or waiting) since


def last_digest_at(session, user: models.User) -> datetime | None:
    found = session.exec(select(models.DevelopmentDigest.sent_at).where(models.DevelopmentDigest.user_id == user.id)
                         .order_by(models.DevelopmentDigest.sent_at.desc())).first()
    return aware(found) if found else None


def changes_since(session, user: models.User, since: datetime, *, points=None, courses=None) -> Digest:
    """What changed since ``since``: each competency with a new score (from the last one
    before, if any), the courses completed and those begun."""
    points = timeline(session, user) if points is None else points
    courses = plan_courses(session, user) if courses is None else courses
    changes = []
    for key, values in sorted(points.items()):
        after = [p for p in values if p.taken_at > since]
        if after:
            before = [p for p in values if p.taken_at <= since]
            changes.append(Change(key, before[-1].score if before else None, after[-1].score))
    return Digest(since=since, changes=changes,
                  completed=[c for c in courses if c.completed_at and c.completed_at > since],
                  started=[c for c in courses if c.status in course_rules.ACTIVE
                           and c.enrolled_at and c.enrolled_at > since])


def digest_start(session, user: models.User, now: datetime, last_sent: datetime | None = ...) -> datetime:
    """"Since last time": the last development report sent (``last_sent`` when the caller
    has read it), else 30 days ago."""
    if last_sent is ...:
        last_sent = last_digest_at(session, user)
    return last_sent or now - timedelta(days=30)


def require_own(session, user: models.User, *, ip: str = "") -> None:
    access.require(user, access.DEVELOPMENT_VIEW, user, session=session, ip=ip)
