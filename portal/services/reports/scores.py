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

from sqlalchemy import case, exists, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal import models
from portal.services.interviews.practice import evidence_sentences
from portal.services.platform.content_cache import ContentCache

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


def by_interview(rows) -> dict[int, list[tuple[str, dict[str, float]]]]:
    """Rows of (interview id, answer id, question's competency key, competency key, score,
    …) grouped as interview_scores returns them."""
    answers: dict[int, dict[int, tuple[str, dict[str, float]]]] = defaultdict(dict)
    for interview_id, answer_id, question_key, key, score, *_ in rows:
        answers[interview_id].setdefault(answer_id, (question_key, {}))[1][key] = float(score)
    return {i: list(by_answer.values()) for i, by_answer in answers.items()}


def _score_rows(*extra):
    return (select(models.Answer.interview_id, models.Answer.id, models.Question.competency_key,
                   models.Competency.key, models.CompetencyScore.score, *extra)
            .join(models.Question, models.Question.id == models.Answer.question_id)
            .join(models.CompetencyScore, models.CompetencyScore.answer_id == models.Answer.id)
            .join(models.Competency, models.Competency.id == models.CompetencyScore.competency_id))


def interview_scores(session, interview_ids: list[int]) -> dict[int, list[tuple[str, dict[str, float]]]]:
    """Per interview, each answer's (question's competency key, {competency key: score})."""
    return by_interview(session.exec(interview_scores_query(interview_ids)).all())


def interview_scores_query(interview_ids):
    """The rows ``by_interview`` groups, of ``interview_ids`` (a list or a select of ids)."""
    return _score_rows().where(models.Answer.interview_id.in_(interview_ids), models.Answer.is_practice.is_(False))


def has_unscored_answer(interview_id):
    """Whether the interview (a column or a value) has an answer not scored yet. Both
    tables are aliased, so a query that has them in its own FROM is not correlated into it."""
    answer, score = aliased(models.Answer), aliased(models.AnswerScore)
    return exists().where(answer.interview_id == interview_id, answer.is_practice.is_(False),
                          ~exists().where(score.answer_id == answer.id))


@dataclass(frozen=True)
class ModelCompetency:
    key: str
    name_zh: str
    name_en: str
    weight: float
    required_level: float


def _model_competencies(session) -> dict[int, tuple[ModelCompetency, ...]]:
    found: dict[int, list[ModelCompetency]] = defaultdict(list)
    for c in session.exec(select(models.Competency).order_by(models.Competency.model_id, models.Competency.position,
                                                             models.Competency.id)).all():
        found[c.model_id].append(ModelCompetency(c.key, c.name_zh, c.name_en, c.weight, c.required_level))
    return {model_id: tuple(comps) for model_id, comps in found.items()}


# A model's competencies change only by HR's edits (portal/services/platform/content_cache.py).
_COMPETENCIES = ContentCache("model_competencies", (models.Competency,), _model_competencies)


def model_competencies(session, model_id: int) -> tuple[ModelCompetency, ...]:
    """The model's competencies in their order (from the per-process copy)."""
    return _COMPETENCIES.get(session).get(model_id, ())


def _evidence(rows, interview_id: int) -> dict[str, list[str]]:
    """Per competency, the supporting sentences from the answers to questions about it (then others)."""
    asked, other = defaultdict(list), defaultdict(list)
    for row_interview, _answer, question_key, key, _score, enc in rows:
        if row_interview == interview_id:
            (asked if key == question_key else other)[key].extend(evidence_sentences(enc))
    return {key: list(dict.fromkeys(asked[key] + other[key]))[:3] for key in set(asked) | set(other)}


def report_numbers(session, interview: models.Interview, *, evidence: bool = False) -> ReportNumbers | None:
    """The report's numbers for an interview whose answers are scored (None while none is),
    with the supporting sentences of its answers when ``evidence``. The caller has checked
    who may see it (and the quotes). One statement: the interview's scores with the cohort's."""
    rows = session.exec(report_scores_query(interview.id, evidence=evidence)).all()
    return report_numbers_from(session, interview, rows, evidence=evidence)


def report_scores_query(interview_id: int, *, evidence: bool = False):
    """The interview's scores with its cohort's (the job's other candidates' completed
    interviews), and with ``evidence`` the encrypted sentences of its own answers only."""
    this = aliased(models.Interview)
    job = select(this.job_id).where(this.id == interview_id).scalar_subquery()
    candidate = select(this.candidate_id).where(this.id == interview_id).scalar_subquery()
    cohort_ids = select(models.Interview.id).where(
        models.Interview.job_id == job, models.Interview.id != interview_id,
        models.Interview.candidate_id != candidate, models.Interview.status == "completed")
    own = models.Answer.interview_id == interview_id
    # the encrypted sentences of the interview's own answers only, never the cohort's
    quotes = case((own, models.CompetencyScore.evidence_enc), else_=None) if evidence else literal(None)
    return _score_rows(quotes).where(or_(own, models.Answer.interview_id.in_(cohort_ids)),
                                     models.Answer.is_practice.is_(False))


def report_numbers_from(session, interview: models.Interview, rows, *, evidence: bool = False
                        ) -> ReportNumbers | None:
    """``report_numbers`` from the rows of ``report_scores_query``; the quotes only when ``evidence``."""
    competencies = model_competencies(session, interview.model_id)
    scored = by_interview(rows)
    mine = competency_scores(scored.pop(interview.id, []))
    if not mine:
        return None
    found_evidence = _evidence(rows, interview.id) if evidence else {}
    keys = [c.key for c in competencies]
    weights = {c.key: c.weight for c in competencies}
    # the cohort: every competency scored, so that medians compare like with like
    cohort = [s for s in map(competency_scores, scored.values()) if all(k in s for k in keys)]
    shown = len(cohort) >= MIN_COHORT
    results = [CompetencyResult(
        key=c.key, name_zh=c.name_zh, name_en=c.name_en, weight=c.weight, required=c.required_level,
        score=mine[c.key], gap=c.required_level - mine[c.key],
        cohort_median=median([s[c.key] for s in cohort]) if shown else None,
        percentile=percentile_rank(mine[c.key], [s[c.key] for s in cohort]) if shown else None,
        evidence=found_evidence.get(c.key, [])) for c in competencies if c.key in mine]
    overall = weighted_overall(mine, weights)
    strengths, improvements = strengths_and_improvements(results)
    return ReportNumbers(
        interview_id=interview.id, overall=overall, cohort_size=len(cohort),
        overall_percentile=percentile_rank(overall, [weighted_overall(s, weights) for s in cohort]) if shown else None,
        competencies=results, strengths=strengths, improvements=improvements)
