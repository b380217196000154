"""Courses for a person's gaps, ranked and each with its reason.

How a course is ranked, in the words HR would use:
- it must be tagged with at least one competency the person has a gap in, be active,
  have a run open for enrolment, and not be one they are taking, waiting for or completed;
- its value is the sum, over the gap competencies it is tagged with, of the gap in points
  times how well its level suits the person: a course at the level just above their
  current one (score 0-100 → level = score // 20 + 1, at most 5) fits fully, each level
  away costs a quarter (never below a quarter);
- the person's preferences: the format they prefer counts 1.25×, a course longer than
  the hours they set counts half;
- a course whose open runs are all full (a waiting list only) counts 0.7×;
- ties: the sooner start, then the course code.
Each recommendation says why: per gap it addresses, the gap and what the course works on.
Nothing here imports reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from portal import models
from portal.services.development import courses as course_rules
from portal.services.development.progress import Gap
from portal.services.platform.i18n import N_, format_number, gettext, pick

WHY = N_("{competency}: {gap} points below the target → this course works on {focus}")
FORMAT_BONUS = 1.25
TOO_LONG = 0.5
WAITLIST_ONLY = 0.7
LIMIT = 3


@dataclass
class Recommendation:
    course: models.Course
    offering: models.CourseOffering  # the run one click enrols in
    waitlist_only: bool
    gaps: list[Gap]  # the person's gaps it addresses, largest first
    value: float


def level_fit(course_level: int, score: float) -> float:
    wanted = min(5, int(score // 20) + 1)
    return max(0.25, 1 - 0.25 * abs(course_level - wanted))


def preference(session, user: models.User) -> models.LearningPreference | None:
    return session.exec(select(models.LearningPreference).where(models.LearningPreference.user_id == user.id)).first()


def recommend(session, user: models.User, gaps: list[Gap], *, now: datetime | None = None,
              limit: int = LIMIT, pref=..., taken: set[int] | None = None,
              runs: dict | None = None) -> list[Recommendation]:
    """The best courses for ``gaps`` (the caller has checked the person is ``user``);
    ``pref``, ``taken`` (course ids they are enrolled in) and ``runs`` (the open runs of the
    courses not taken, ``courses.open_runs_not_taken``): when the caller has read them already."""
    if not gaps:
        return []
    by_key = {g.key: g for g in gaps}
    tagged = {course_id: [k for k in keys if k in by_key]
              for course_id, keys in course_rules.competency_tags(session).items() if set(keys) & set(by_key)}
    if runs is not None:
        runs = {course_id: found for course_id, found in runs.items() if course_id in tagged}
    elif taken is None:  # the open runs of the courses not taken, with the preference, in one statement
        runs, found = course_rules.open_offerings_for(session, user.id, tagged, now)
        pref = found if pref is ... else pref
    else:
        runs = course_rules.open_offerings(session, [i for i in tagged if i not in taken], now)
    if not runs:
        return []
    if pref is ...:
        pref = preference(session, user)
    catalogue = course_rules.active_courses(session)
    found = []
    for course in (catalogue[i] for i in runs if i in catalogue):
        addressed = sorted((by_key[k] for k in tagged[course.id]), key=lambda g: (-g.points, g.key))
        value = sum(g.points * level_fit(course.level, g.score) for g in addressed)
        if pref is not None and pref.format and pref.format == course.format:
            value *= FORMAT_BONUS
        if pref is not None and pref.max_hours and course.duration_hours > pref.max_hours:
            value *= TOO_LONG
        free = [o for o in runs[course.id] if course_rules.has_seat(o)]
        if not free:
            value *= WAITLIST_ONLY
        found.append(Recommendation(course=course, offering=(free or runs[course.id])[0], waitlist_only=not free,
                                    gaps=addressed, value=value))
    found.sort(key=lambda r: (-r.value, r.offering.starts_at, r.course.code))
    return found[:limit]


def reasons(rec: Recommendation, locale: str) -> list[str]:
    """"沟通能力 差距 12 分 → 本课程针对倾听与结构化表达", one per gap the course addresses."""
    focus = pick(locale, rec.course.focus_zh, rec.course.focus_en) or pick(
        locale, rec.course.title_zh, rec.course.title_en)
    return [gettext(locale, WHY, competency=pick(locale, g.name_zh, g.name_en),
                    gap=format_number(round(g.points), locale), focus=focus) for g in rec.gaps]
