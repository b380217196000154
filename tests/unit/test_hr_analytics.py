"""HR's analytics on a constructed dataset: every figure, the suppression of anything
made from fewer than 5 people, the four-fifths flag, the CSV, recording groups (all or
nothing, encrypted), who may see it, and that viewing is audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal import models
from portal.services.platform import crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.reports import analytics as an
from portal.services.reports.analytics_charts import Bar, bars_svg

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)
KEYS = ("communication", "teamwork")


def _person(s, n: int, role: str = "candidate", hired_at=None) -> models.User:
    user = models.User(email=f"p{n}@example.cn", display_name=f"P{n}", role=role, hired_at=hired_at)
    s.add(user)
    s.flush()
    return user


def _interview(s, job, model, user, *, days_ago: float, status="completed", created_days_before=7):
    at = NOW - timedelta(days=days_ago)
    interview = models.Interview(candidate_id=user.id, job_id=job.id, model_id=model.id, scheduled_at=at,
                                 status=status, created_at=at - timedelta(days=created_days_before))
    s.add(interview)
    s.flush()
    return interview


def _answers(s, interview, questions, comps, scores: dict[str, float]):
    """One answer per question, each scored on both competencies; returns {key: answer}."""
    out = {}
    for q in questions:
        answer = models.Answer(user_id=interview.candidate_id, question_id=q.id, interview_id=interview.id,
                               model_id=interview.model_id, transcript_enc=crypto.encrypt("x"),
                               submitted_at=interview.scheduled_at + timedelta(minutes=5))
        s.add(answer)
        s.flush()
        for c in comps:
            s.add(models.CompetencyScore(answer_id=answer.id, competency_id=c.id, score=scores[c.key],
                                         level=round(scores[c.key] / 20, 1)))
        out[q.competency_key] = answer
    s.flush()
    return out


@pytest.fixture
def world(db_url, isolated_data_dir):
    """A job with two competencies (weights .5/.5) and these people, interviews 10-40 days ago:

    - 12 interviewed, scores communication 50+3n, teamwork 70 (n = 0..11)
    - 8 of them (n 0-7) ran a device check two days before; n 0-2 failed the microphone
    - group A: n 0-5 (6 people), 5 advanced (n 0-4); group B: n 6-11 (6), 2 advanced (n 6, 7)
      -> rates 5/6 and 2/6, ratio 0.4 -> B flagged
    - hired: n 0-4 (5 people, 20 days after the interview), each with a review 60+5n
    - a reviewer rated n 0-5 (6 people) on communication: exact for n 0-3, off by 2 for n 4, 5
    - 2 more invited whose interview was cancelled; 1 with an interview 400 days ago
    - an interview of another job, and an upcoming one of this job (neither counted)
    """
    with db.session_scope(db_url) as s:
        job = models.Job(code="J1", title_zh="职位", title_en="Job")
        other_job = models.Job(code="J2", title_zh="另一个", title_en="Other")
        s.add(job)
        s.add(other_job)
        s.flush()
        model = models.CompetencyModel(job_id=job.id)
        s.add(model)
        s.flush()
        comps = []
        for i, key in enumerate(KEYS):
            c = models.Competency(model_id=model.id, key=key, name_zh=key + "中", name_en=key.title(), weight=0.5,
                                  position=i)
            s.add(c)
            comps.append(c)
        questions = [models.Question(job_id=job.id, competency_key=key, text_zh="问", text_en="Q") for key in KEYS]
        for q in questions:
            s.add(q)
        rule = models.AutoAdvanceRule(job_id=job.id)
        hr = models.User(email="hr@example.cn", role="hr")
        reviewer = models.User(email="rev@example.cn", role="interviewer")
        s.add(rule)
        s.add(hr)
        s.add(reviewer)
        s.flush()
        for n in range(12):
            at = NOW - timedelta(days=10 + 2 * n)
            hired = at + timedelta(days=20) if n < 5 else None
            user = _person(s, n, "employee" if hired else "candidate", hired)
            interview = _interview(s, job, model, user, days_ago=10 + 2 * n)
            answers = _answers(s, interview, questions, comps, {"communication": 50 + 3 * n, "teamwork": 70})
            if n < 8:
                s.add(models.DeviceCheck(user_id=user.id, interview_id=interview.id, camera_ok=True,
                                         microphone_ok=n >= 3, network_ok=True, browser_ok=True,
                                         checked_at=at - timedelta(days=2)))
            advanced = n < 5 or n in (6, 7)
            s.add(models.Report(interview_id=interview.id, candidate_id=user.id, overall=60,
                                decision={"rule_id": rule.id} if advanced else {},
                                published_at=at + timedelta(days=1)))
            s.add(models.RecordedGroup(candidate_id=user.id, label_enc=crypto.encrypt("A" if n < 6 else "B")))
            if hired:
                s.add(models.PerformanceReview(user_id=user.id, period="probation", score=60 + 5 * n,
                                               reviewed_at=hired + timedelta(days=90)))
            if n < 6:
                ai = round((50 + 3 * n) / 20)
                s.add(models.InterviewerRating(answer_id=answers["communication"].id, competency_key="communication",
                                               rater_id=reviewer.id, level=ai if n < 4 else min(5, ai + 2)))
        for n in (20, 21):
            _interview(s, job, model, _person(s, n), days_ago=15, status="cancelled")
        _interview(s, job, model, _person(s, 30), days_ago=400)
        _interview(s, other_job, model, _person(s, 31), days_ago=12)
        _interview(s, job, model, _person(s, 32), days_ago=-3, status="scheduled")
        ids = {"job": job.id, "hr": hr.id, "model": model.id}
    return db_url, ids


def _figures(world, period="90") -> an.Figures:
    url, ids = world
    with db.session_scope(url) as s:
        return an.compute(s, ids["job"], period, NOW)


def test_the_funnel_counts_each_stage_from_the_tables_that_record_it(world):
    found = _figures(world)
    counts = {st.key: st.count.value for st in found.funnel}
    assert counts == {"invited": 14, "prepared": 8, "interviewed": 12, "advanced": 7, "hired": 5}
    conversion = {st.key: st.conversion.value for st in found.funnel}
    assert conversion["invited"] is None
    assert conversion["prepared"] == pytest.approx(8 / 14) and conversion["interviewed"] == pytest.approx(12 / 14)
    assert conversion["advanced"] == pytest.approx(7 / 12) and conversion["hired"] == pytest.approx(5 / 7)
    # all time takes the interview of 400 days ago too; the upcoming and the other job's never
    assert {st.key: st.count.value for st in _figures(world, "all").funnel}["invited"] == 15


def test_time_in_stage_is_the_median_of_days_between_entering_two_stages(world):
    times = {(t.start, t.end): t.median_days for t in _figures(world).times}
    assert times[("invited", "prepared")].value == pytest.approx(5.0)  # invited 7 days, checked 2 days before
    assert times[("prepared", "interviewed")].value == pytest.approx(2 + 5 / 1440)  # first answer 5 min in
    assert times[("interviewed", "advanced")].value == pytest.approx(1 - 5 / 1440)  # report a day later
    assert times[("advanced", "hired")].value == pytest.approx(19.0)
    assert times[("advanced", "hired")].n == 5


def test_score_distributions_bucket_each_person_and_hide_small_buckets(world):
    by_key = {d.key: d for d in _figures(world).distributions}
    communication = by_key["communication"]  # 50, 53, ... 83
    assert communication.people.value == 12
    assert [b.n for b in communication.buckets] == [0, 0, 4, 6, 2]
    assert [b.value for b in communication.buckets] == [None, None, None, 6, None]  # 4 and 2 are under 5
    assert communication.median.value == pytest.approx(66.5)
    assert [b.value for b in by_key["teamwork"].buckets] == [None, None, None, 12, None]


def test_device_check_failure_rates_are_shares_of_the_people_checked(world):
    found = _figures(world)
    assert found.checked.value == 8
    rates = dict(found.check_failures)
    assert rates["microphone"].value == pytest.approx(3 / 8) and rates["camera"].value == 0.0
    assert rates["network"].n == 8


def test_human_and_ai_agreement(world):
    a = _figures(world).agreement
    assert a.people.value == 6 and a.pairs == 6
    assert a.exact.value == pytest.approx(4 / 6)
    assert a.within_one.value == pytest.approx(4 / 6)
    # n 0-3: human = round(ai) → differences 2.5-2.5=0, 3-2.65, 3-2.8, 3-2.95; n 4, 5: +2 over round(ai)
    ai = [round((50 + 3 * n) / 20, 1) for n in range(6)]
    human = [round((50 + 3 * n) / 20) + (2 if n >= 4 else 0) for n in range(6)]
    assert a.mean_difference.value == pytest.approx(sum(h - x for h, x in zip(human, ai)) / 6)


def test_interview_score_against_later_performance(world):
    p = _figures(world).performance
    assert p.people.value == 5
    # overall rises with n (communication 50+3n), and so does the review (60+5n)
    assert p.correlation.value == pytest.approx(1.0)
    assert p.median_performance.value == 70.0 and p.median_interview.value == pytest.approx((56 + 70) / 2)


def test_four_fifths_rule_flags_the_group_below_it(world):
    found = _figures(world)
    groups = {g.label: g for g in found.groups}
    assert groups["A"].rate.value == pytest.approx(5 / 6) and groups["B"].rate.value == pytest.approx(2 / 6)
    assert groups["A"].ratio.value == 1.0 and not groups["A"].flagged
    assert groups["B"].ratio.value == pytest.approx(0.4) and groups["B"].flagged
    assert found.flagged and found.compared
    assert groups["B"].advanced.value is None  # 2 people: not shown, though the group's rate is
    assert found.ungrouped.value is None  # nobody interviewed lacks a group (0 is "fewer than 5" too)


def test_groups_near_the_rule_and_small_groups(world):
    url, ids = world
    with db.session_scope(url) as s:
        # B: 4 of 6 advanced -> ratio (4/6)/(5/6) = 0.8: at four fifths, not below
        for user in s.exec(select(models.User).where(models.User.email.in_(["p8@example.cn", "p9@example.cn"]))):
            report = s.exec(select(models.Report).where(models.Report.candidate_id == user.id)).one()
            report.decision = {"rule_id": 1}
            s.add(report)
    found = _figures(world)
    groups = {g.label: g for g in found.groups}
    assert groups["B"].ratio.value == pytest.approx(0.8) and not groups["B"].flagged and not found.flagged
    with db.session_scope(url) as s:  # four people of B get their own group C: both too small now
        for n in (8, 9, 10, 11):
            user = s.exec(select(models.User).where(models.User.email == f"p{n}@example.cn")).one()
            row = s.exec(select(models.RecordedGroup).where(models.RecordedGroup.candidate_id == user.id)).one()
            row.label_enc = crypto.encrypt("C")
            s.add(row)
    found = _figures(world)
    groups = {g.label: g for g in found.groups}
    assert groups["B"].interviewed.value is None and groups["B"].rate.value is None
    assert groups["C"].rate.value is None and groups["C"].ratio.value is None
    assert not found.compared and not found.flagged  # one group left to compare: no ratio at all


def test_everything_from_fewer_than_five_people_is_suppressed(world):
    found = _figures(world, "30")  # interviews 10-30 days ago: n 0-10, and the two cancelled ones
    counts = {st.key: st.count for st in found.funnel}
    assert counts["invited"].value == 13 and counts["hired"].value == 5
    url, ids = world
    with db.session_scope(url) as s:
        tiny = an.compute(s, ids["job"], "all", NOW - timedelta(days=37))  # n 11 and the 400-day one: 2 people
    assert all(st.count.value is None and st.conversion.value is None for st in tiny.funnel)
    assert all(t.median_days.value is None for t in tiny.times)
    assert all(b.value is None for d in tiny.distributions for b in d.buckets)
    assert all(d.median.value is None and d.people.value is None for d in tiny.distributions)
    assert all(c.value is None for _part, c in tiny.check_failures)
    assert tiny.agreement.exact.value is None and tiny.agreement.pairs == 0
    assert tiny.performance.correlation.value is None
    assert all(g.rate.value is None for g in tiny.groups)
    rows = an.csv_rows(tiny, models.Job(code="J1", title_zh="职位", title_en="Job"), "en")
    values = [value for _figure, _item, value in rows[2:]]
    assert values and all(v in ("fewer than 5", "") or v.startswith("fewer than 5") for v in values)


def test_the_csv_holds_every_figure_with_suppressed_cells_marked(world):
    url, ids = world
    with db.session_scope(url) as s:
        hr = s.get(models.User, ids["hr"])
        body = an.export_csv(s, hr, ids["job"], "90", "en", now=NOW)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Figure", "Item", "Value"]
    table = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert table[("Funnel", "Invited")] == "14" and table[("Funnel", "Hired")] == "5"
    assert table[("Conversion", "Interviewed → Advanced")] == "58%"
    assert table[("Score distribution", "Communication: 40–60")] == "fewer than 5"
    assert table[("Score distribution", "Communication: 60–80")] == "6"
    assert table[("Selection rate by group", "B: ratio to the highest")] == "0.40 below four fifths"
    assert table[("Interview score vs later performance", "Rank correlation")] == "1.00"
    with db.session_scope(url) as s:
        actions = [e.action for e in s.exec(select(models.AuditEvent)).all()]
    assert actions.count("analytics.view") == 1 and actions.count("analytics.export") == 1


def test_only_hr_sees_analytics_and_a_bad_job_or_period_is_refused(world):
    url, ids = world
    with db.session_scope(url) as s:
        for role in ("candidate", "employee", "interviewer", "admin"):
            with pytest.raises(PermissionDenied):
                an.figures(s, models.User(id=999, email=f"{role}@x.cn", role=role, is_active=True), ids["job"], "90")
            with pytest.raises(PermissionDenied):
                an.record_groups(s, models.User(id=999, email=f"{role}@x.cn", role=role, is_active=True),
                                 "p1@example.cn,A")
        hr = s.get(models.User, ids["hr"])
        with pytest.raises(PermissionDenied):
            an.figures(s, hr, 99999, "90")
        with pytest.raises(ServiceError):
            an.figures(s, hr, ids["job"], "7")
        manager = models.User(id=998, email="m@x.cn", role="hr_manager", is_active=True)
        assert an.figures(s, manager, ids["job"], "90", now=NOW).funnel[0].count.value == 14


def test_recording_groups_is_all_or_nothing_and_encrypted(world):
    url, ids = world
    with db.session_scope(url) as s:
        hr = s.get(models.User, ids["hr"])
        written, errors = an.record_groups(s, hr, "email,group\np20@example.cn,C\nnobody@example.cn,C\n"
                                                  "p21@example.cn," + "x" * 41 + "\np20@example.cn,D\np1@example.cn")
        assert written == 0
        assert [(e.line, e.msgid) for e in errors] == [
            (3, an.GROUP_NO_PERSON), (4, an.GROUP_TOO_LONG), (5, an.GROUP_TWICE), (6, an.GROUP_COLUMNS)]
        assert s.exec(select(models.RecordedGroup).join(
            models.User, models.User.id == models.RecordedGroup.candidate_id)
            .where(models.User.email == "p20@example.cn")).first() is None
        with pytest.raises(ServiceError):
            an.record_groups(s, hr, "  \n")
        written, errors = an.record_groups(s, hr, "P20@example.cn, C \np0@example.cn,\n")
        assert (written, errors) == (2, [])
        p20 = s.exec(select(models.User).where(models.User.email == "p20@example.cn")).one()
        row = s.exec(select(models.RecordedGroup).where(models.RecordedGroup.candidate_id == p20.id)).one()
        assert row.label_enc != "C" and crypto.decrypt(row.label_enc) == "C" and row.recorded_by_id == hr.id
        p0 = s.exec(select(models.User).where(models.User.email == "p0@example.cn")).one()
        assert s.exec(select(models.RecordedGroup).where(models.RecordedGroup.candidate_id == p0.id)).first() is None
        assert "analytics.groups" in [e.action for e in s.exec(select(models.AuditEvent)).all()]


def test_spearman_handles_ties_and_constant_series():
    assert an.spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    assert an.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833)
    assert an.spearman([1, 1, 1], [1, 2, 3]) is None


def test_a_chart_draws_shown_bars_and_marks_suppressed_ones():
    svg = bars_svg([Bar("Invited", 14, "14"), Bar("Hired <x>", None, "fewer than 5"), Bar("B", 0.3, "30%", True)],
                   "Funnel", reference=(0.5, "4/5"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>Funnel</title>" in svg
    assert "Hired &lt;x&gt;" in svg and "fewer than 5" in svg and 'stroke-dasharray="4 3"' in svg
    assert "#e5484d" in svg and "4/5" in svg
    assert bars_svg([], "x") == ""


def test_a_person_confirming_a_rules_advance_counts_as_advanced(world):
    """The portal's own rules only propose (RuleFiring); a person's confirmation (or an
    override to advance) moves the candidate on, and a pending proposal or a rejection does
    not. Two people with no Report.decision: n 8 confirmed, n 9 overridden to advance;
    n 10 pending, n 11 confirmed reject."""
    url, ids = world
    with db.session_scope(url) as s:
        rule = models.DecisionRule(job_id=ids["job"], rule_no=1, version=1, expression="总分 ≥ 1",
                                   canonical="overall >= 1", action="advance", status="active")
        s.add(rule)
        s.flush()
        for n, status, outcome in ((8, "confirmed", "advance"), (9, "overridden", "advance"),
                                   (10, "pending", ""), (11, "confirmed", "reject")):
            user = s.exec(select(models.User).where(models.User.email == f"p{n}@example.cn")).one()
            interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == user.id)).one()
            s.add(models.RuleFiring(interview_id=interview.id, rule_id=rule.id, rule_version=1, numbers={},
                                    proposed="advance" if outcome != "reject" else "reject", status=status,
                                    outcome=outcome, decided_at=None if status == "pending" else interview.scheduled_at
                                    + timedelta(days=2)))
    counts = {st.key: st.count.value for st in _figures(world).funnel}
    assert counts["advanced"] == 9  # 7 recorded on their reports, n 8 and n 9


def test_recording_performance_reviews_is_all_or_nothing_and_feeds_the_later_performance(world):
    """p0-p4 are hired employees with a probation review 60+5n; p5 is a candidate. A file
    with any bad row writes nothing; a good one replaces p0's probation review (the same
    period) and adds one of another period for p1, and the figures use them."""
    url, ids = world
    with db.session_scope(url) as s:
        hr = s.get(models.User, ids["hr"])
        before = an.compute(s, ids["job"], "90", NOW).performance.median_performance.value
        written, errors = an.record_reviews(
            s, hr, "email,period,score,date\n"
                   "p5@example.cn,probation,70\n"                    # a candidate, not an employee
                   "p0@example.cn,probation,101\n"                   # out of range
                   "p1@example.cn,,80\n"                             # no period
                   "p2@example.cn,2027-H1,80,2027-13-01\n"           # no such day
                   "p3@example.cn,2027-H1,80,2027-03-02\n"           # after NOW: in the future
                   "p4@example.cn,probation,80\np4@example.cn,probation,81\n"
                   "p1@example.cn,probation", now=NOW)
        assert written == 0
        assert [(e.line, e.msgid) for e in errors] == [
            (2, an.REVIEW_NO_PERSON), (3, an.REVIEW_SCORE), (4, an.REVIEW_PERIOD), (5, an.REVIEW_DATE),
            (6, an.REVIEW_DATE), (8, an.REVIEW_TWICE), (9, an.REVIEW_COLUMNS)]
        assert len(s.exec(select(models.PerformanceReview)).all()) == 5  # the world's own, untouched
        with pytest.raises(ServiceError):
            an.record_reviews(s, hr, "email,period,score\n", now=NOW)
        with pytest.raises(PermissionDenied):
            an.record_reviews(s, models.User(id=999, email="c@x.cn", role="candidate", is_active=True),
                              "p0@example.cn,probation,90", now=NOW)
        written, errors = an.record_reviews(s, hr, "P0@example.cn, probation ,100,2027-02-28\n"
                                                   "p1@example.cn,2027-H1,100\n", now=NOW)
        assert (written, errors) == (2, [])
        p0 = s.exec(select(models.User).where(models.User.email == "p0@example.cn")).one()
        [review] = s.exec(select(models.PerformanceReview).where(models.PerformanceReview.user_id == p0.id)).all()
        assert (review.period, review.score) == ("probation", 100.0)
        assert review.reviewed_at.date().isoformat() == "2027-02-28"
        assert len(s.exec(select(models.PerformanceReview)).all()) == 6
        assert "analytics.reviews" in [e.action for e in s.exec(select(models.AuditEvent)).all()]
        # p0's review now predates their hire (the world hires them 10 days after NOW): only
        # the reviews after a hire count, so four people are left and the figure is withheld
        after = an.compute(s, ids["job"], "90", NOW).performance
        assert before == 70.0 and after.people.n == 4 and after.median_performance.value is None
