"""The numbers of a score report, on hand-checked figures: medians, percentiles with
ties, the weighted overall, per-competency scores from the questions asked about them,
strengths and areas to improve, and a cohort too small to be shown; then the same
numbers read from a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Answer, Competency, CompetencyScore, Interview, Question, User
from portal.services.platform import crypto, db
from portal.services.reports import scores as R


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


def test_median_and_percentile_on_hand_checked_numbers():
    assert R.median([]) is None
    assert R.median([70]) == 70
    assert R.median([80, 60, 70]) == 70
    assert R.median([60, 70, 80, 90]) == 75
    assert R.percentile_rank(75, []) is None
    assert R.percentile_rank(75, [60, 70, 80, 90]) == 50.0  # two of four below
    assert R.percentile_rank(70, [60, 70, 80, 90]) == 37.5  # one below, one tie: (1 + 0.5) / 4
    assert R.percentile_rank(95, [60, 70, 80, 90]) == 100.0
    assert R.percentile_rank(50, [60, 70, 80, 90]) == 0.0
    assert R.percentile_rank(70, [70, 70, 70, 70, 70]) == 50.0  # everyone the same: the middle


def test_the_overall_match_is_weighted_by_the_model():
    weights = {"communication": 0.4, "customer_focus": 0.6}
    assert R.weighted_overall({"communication": 80, "customer_focus": 60}, weights) == pytest.approx(68.0)
    # a competency not scored: the others' weights are renormalised
    assert R.weighted_overall({"communication": 80}, weights) == pytest.approx(80.0)


def test_a_competency_is_scored_from_the_questions_asked_about_it():
    answers = [("communication", {"communication": 80, "teamwork": 40}),
               ("communication", {"communication": 70, "teamwork": 50}),
               ("customer_focus", {"communication": 30, "teamwork": 60, "customer_focus": 90})]
    found = R.competency_scores(answers)
    assert found["communication"] == 75  # (80 + 70) / 2: the answer about customers does not count
    assert found["customer_focus"] == 90
    assert found["teamwork"] == 50  # never asked about: the mean over all answers


def _result(key, score, required):
    return R.CompetencyResult(key=key, name_zh=key, name_en=key, weight=0.2, required=required, score=score,
                              gap=required - score, cohort_median=None, percentile=None)


def test_strengths_are_furthest_above_and_improvements_furthest_below():
    results = [_result("a", 90, 70), _result("b", 72, 70), _result("c", 60, 75), _result("d", 50, 80),
               _result("e", 85, 60)]
    strengths, improvements = R.strengths_and_improvements(results)
    assert strengths == ["e", "a"]  # +25, +20
    assert improvements == ["d", "c"]  # -30, -15
    # nobody above the requirement: the two highest are still the strengths, never also improvements
    low = [_result("a", 60, 70), _result("b", 65, 70), _result("c", 40, 70)]
    assert R.strengths_and_improvements(low) == (["b", "a"], ["c"])


@pytest.fixture
def job_with_cohort(interview_now):
    """The demo candidate's interview scored, and ``n`` other candidates of the same job."""
    world = interview_now

    def build(n: int, mine: float = 70.0, others: list[float] | None = None):
        others = others or [50.0 + 10 * i for i in range(n)]
        with db.session_scope(world["url"]) as s:
            interview = s.get(Interview, world["interview"].id)
            comps = s.execute(select(Competency).where(Competency.model_id == interview.model_id)).scalars().all()
            questions = s.execute(select(Question).where(Question.job_id == interview.job_id,
                                                         Question.is_practice.is_(False))).scalars().all()

            def score(iv: Interview, value: float) -> None:
                for q in questions:
                    a = Answer(user_id=iv.candidate_id, question_id=q.id, interview_id=iv.id, model_id=iv.model_id,
                               transcript_enc=crypto.encrypt("…"))
                    s.add(a)
                    s.flush()
                    for c in comps:
                        s.add(CompetencyScore(answer_id=a.id, competency_id=c.id, score=value, level=3.0))

            score(interview, mine)
            for i, value in enumerate(others):
                person = User(email=f"cohort-{i}@example.cn", role="candidate")
                s.add(person)
                s.flush()
                theirs = Interview(candidate_id=person.id, job_id=interview.job_id, model_id=interview.model_id,
                                   scheduled_at=interview.scheduled_at, status="completed")
                s.add(theirs)
                s.flush()
                score(theirs, value)
            s.flush()
            return R.report_numbers(s, interview)

    return build


def test_a_cohort_of_five_shows_medians_and_percentiles(job_with_cohort):
    found = job_with_cohort(5, mine=70.0, others=[50, 60, 70, 80, 90])
    assert found.cohort_size == 5
    assert found.overall == pytest.approx(70.0)
    assert found.overall_percentile == 50.0  # 50, 60 below; 70 a tie: (2 + 0.5) / 5
    first = found.competencies[0]
    assert first.cohort_median == 70 and first.percentile == 50.0 and first.gap == first.required - 70


def test_a_cohort_under_five_shows_neither(job_with_cohort):
    found = job_with_cohort(4, mine=70.0)
    assert found.cohort_size == 4 and found.overall_percentile is None
    assert all(c.cohort_median is None and c.percentile is None for c in found.competencies)
    assert found.overall == pytest.approx(70.0)


def test_nothing_scored_is_no_report(interview_now):
    with db.session_scope(interview_now["url"]) as s:
        assert R.report_numbers(s, s.get(Interview, interview_now["interview"].id)) is None
