"""The numbers of a score report: per competency the interview's score, the gap to the
job's required level, the cohort's median and the candidate's percentile in it; the
overall match; strengths and areas to improve. Pure functions on plain numbers (tested
on hand-checked figures) and one loader that reads an interview's scores.

Rules, in the words HR would use:
- A competency's score is the mean of the scores of the answers to the questions asked
  about it; a competency no question was asked about takes the mean over all answers.
- The overall match is the competencies' scores weighted by the model's weights.
- The gap is the required level minus the score (positive: below the requirement).
- The cohort is the other candidates of the same job whose interviews are fully scored.
  Its median and the percentile are shown only when it has at least MIN_COHORT people,
  so that nobody can be singled out; otherwise they are None.
- The percentile is the share of the cohort scoring below the candidate, ties counting
  half ("higher than 80% of candidates for this job").
- Strengths: the two competencies furthest above their requirement (or, when none is
  above, the two highest); areas to improve: up to two furthest below it.
Nothing here imports reflex.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import select

from portal import models

MIN_COHORT = 5
TOP = 2


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile_rank(value: float, cohort: list[float]) -> float | None:
    """Percent of ``cohort`` below ``value`` (ties count half); None for an empty cohort."""
    if not cohort:
        return None
    below = sum(1 for v in cohort if v < value)
    ties = sum(1 for v in cohort if v == value)
    return 100.0 * (below + 0.5 * ties) / len(cohort)


def weighted_overall(scores: dict[str, float], weights: dict[str, float]) -> float:
    """The competencies' scores weighted by the model's weights (renormalised over the scored ones)."""
    total = sum(weights.get(k, 0.0) for k in scores)
    if total <= 0:
        return sum(scores.values()) / len(scores) if scores else 0.0
    return sum(score * weights.get(k, 0.0) for k, score in scores.items()) / total


def competency_scores(answers: list[tuple[str, dict[str, float]]]) -> dict[str, float]:
    """Per competency, from (the question's competency key, {competency key: score}) per
    answer: the mean over the answers to questions about it, else over all answers."""
    asked: dict[str, list[float]] = defaultdict(list)
    every: dict[str, list[float]] = defaultdict(list)
    for question_key, scores in answers:
        for key, score in scores.items():
            every[key].append(score)
            if key == question_key:
                asked[key].append(score)
    return {key: sum(asked[key] or values) / len(asked[key] or values) for key, values in every.items()}


@dataclass
class CompetencyResult:
    key: str
    name_zh: str
    name_en: str
    weight: float
    required: float
    score: float
    gap: float  # required - score: positive means below the requirement
    cohort_median: float | None
    percentile: float | None
    evidence: list[str] = field(default_factory=list)


@dataclass
class ReportNumbers:
    interview_id: int
    overall: float
    cohort_size: int  # other candidates of the job with a fully scored interview
    overall_percentile: float | None
    competencies: list[CompetencyResult]
    strengths: list[str]  # competency keys
    improvements: list[str]


def strengths_and_improvements(results: list[CompetencyResult]) -> tuple[list[str], list[str]]:
    by_margin = sorted(results, key=lambda c: (c.gap, -c.score, c.key))  # most above the requirement first
    above = [c.key for c in by_margin if c.gap < 0]
    strengths = above[:TOP] if above else [c.key for c in sorted(results, key=lambda c: (-c.score, c.key))[:TOP]]
    below = [c.key for c in reversed(by_margin) if c.gap > 0 and c.key not in strengths]
    return strengths, below[:TOP]


def interview_scores(session, interview_ids: list[int]) -> dict[int, list[tuple[str, dict[str, float]]]]:
    """Per interview, each answer's (question's competency key, {competency key: score})."""
    rows = session.exec(
        select(models.Answer.interview_id, models.Answer.id, models.Question.competency_key,
               models.Competency.key, models.CompetencyScore.score)
        .join(models.Question, models.Question.id == models.Answer.question_id)
        .join(models.CompetencyScore, models.CompetencyScore.answer_id == models.Answer.id)
        .join(models.Competency, models.Competency.id == models.CompetencyScore.competency_id)
        .where(models.Answer.interview_id.in_(interview_ids), models.Answer.is_practice.is_(False))).all()
    answers: dict[int, dict[int, tuple[str, dict[str, float]]]] = defaultdict(dict)
    for interview_id, answer_id, question_key, key, score in rows:
        answers[interview_id].setdefault(answer_id, (question_key, {}))[1][key] = float(score)
    return {i: list(by_answer.values()) for i, by_answer in answers.items()}


def report_numbers(session, interview: models.Interview,
                   evidence: dict[str, list[str]] | None = None) -> ReportNumbers | None:
    """The report's numbers for an interview whose answers are scored (None while none is).
    The caller has checked who may see it."""
    competencies = session.exec(select(models.Competency).where(models.Competency.model_id == interview.model_id)
                                .order_by(models.Competency.position, models.Competency.id)).all()
    cohort_ids = session.exec(select(models.Interview.id).where(
        models.Interview.job_id == interview.job_id, models.Interview.id != interview.id,
        models.Interview.candidate_id != interview.candidate_id, models.Interview.status == "completed")).all()
    scored = interview_scores(session, [interview.id, *cohort_ids])
    mine = competency_scores(scored.get(interview.id, []))
    if not mine:
        return None
    keys = [c.key for c in competencies]
    weights = {c.key: c.weight for c in competencies}
    # the cohort: every competency scored, so that medians compare like with like
    cohort = [s for s in (competency_scores(scored[i]) for i in cohort_ids if i in scored)
              if all(k in s for k in keys)]
    shown = len(cohort) >= MIN_COHORT
    results = [CompetencyResult(
        key=c.key, name_zh=c.name_zh, name_en=c.name_en, weight=c.weight, required=c.required_level,
        score=mine[c.key], gap=c.required_level - mine[c.key],
        cohort_median=median([s[c.key] for s in cohort]) if shown else None,
        percentile=percentile_rank(mine[c.key], [s[c.key] for s in cohort]) if shown else None,
        evidence=(evidence or {}).get(c.key, [])) for c in competencies if c.key in mine]
    overall = weighted_overall(mine, weights)
    strengths, improvements = strengths_and_improvements(results)
    return ReportNumbers(
        interview_id=interview.id, overall=overall, cohort_size=len(cohort),
        overall_percentile=percentile_rank(overall, [weighted_overall(s, weights) for s in cohort]) if shown else None,
        competencies=results, strengths=strengths, improvements=improvements)
