"""Development (issue 10): courses recommended for a person's gaps with their reasons,
one-click enrolment (seats counted atomically, a waiting list when full, no double
enrolment, the first person waiting gets a seat given up), the development plan with the
timeline of each competency (one person across candidacy and employment), the periodic
development report, the score report's e-mail summary, and HR's rule on the report."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal import models
from portal.models import AuditEvent, Course, CourseOffering, EmailOutbox, Enrollment, Interview, User
from portal.services.development import courses, digest, plan, progress, recommendations
from portal.services.platform import db, i18n
from portal.services.platform.demo import demo_email
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.reports import report, summary
from portal.services.reports.scores import report_numbers


@pytest.fixture
def world(scored_demo):
    return scored_demo


def _user(s, role: str) -> User:
    return s.execute(select(User).where(User.email == demo_email(role))).scalar_one()


def _course(s, code: str) -> Course:
    return s.execute(select(Course).where(Course.code == code)).scalar_one()


def _count(model, *where) -> int:
    with db.session_scope() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_the_level_fit_and_the_ranking_follow_the_documented_rule():
    assert recommendations.level_fit(3, 55) == 1.0  # 55 → level 3: a level-3 course fits
    assert recommendations.level_fit(2, 55) == 0.75
    assert recommendations.level_fit(5, 10) == 0.25  # never below a quarter
    assert recommendations.level_fit(5, 95) == 1.0  # at most level 5


def test_the_candidates_report_gaps_get_courses_with_their_reasons(world):
    users, interview_id = world
    with db.session_scope() as s:
        found = report.candidate_report(s, _user(s, "candidate"), interview_id)
        gaps = plan.report_gaps(found.numbers)
        assert gaps and all(g.points > 0 for g in gaps)
        assert [g.points for g in gaps] == sorted((g.points for g in gaps), reverse=True)
        recs = found.recommended
        assert 1 <= len(recs) <= recommendations.LIMIT
        for rec in recs:
            tags = set(s.execute(select(models.CourseCompetency.competency_key).where(
                models.CourseCompetency.course_id == rec.course.id)).scalars())
            assert {g.key for g in rec.gaps} <= tags and rec.gaps
            assert rec.offering.course_id == rec.course.id and rec.offering.enrol_by > datetime.now(timezone.utc)
        assert [r.value for r in recs] == sorted((r.value for r in recs), reverse=True)
        top = recs[0]
        zh = recommendations.reasons(top, "zh_CN")[0]
        gap = top.gaps[0]
        assert zh == f"{gap.name_zh} 差距 {round(gap.points)} 分 → 本课程针对{top.course.focus_zh}"
        assert recommendations.reasons(top, "en")[0].startswith(f"{gap.name_en}: {round(gap.points)} points below")
        # HR sees the report, not the candidate's course recommendations
        assert report.candidate_report(s, _user(s, "hr"), interview_id).recommended == []


def test_the_ranking_on_hand_checked_numbers_and_the_preferences_change_it(world):
    users, interview_id = world
    with db.session_scope() as s:
        candidate = _user(s, "candidate")
        gaps = plan.report_gaps(report_numbers(s, s.get(Interview, interview_id)))
        # the demo report: learning agility 58 of 65 (gap 7), data analysis 66 of 70 (gap 4)
        assert [(g.key, g.points) for g in gaps] == [("learning_agility", 7), ("data_analysis", 4)]
        before = recommendations.recommend(s, candidate, gaps, limit=20)
        # PRB-301 (level 3 fits 58 → level 3): 7 × 1; LRN-101 (level 1): 7 × 0.5;
        # DAT-201 (level 3, 66 → level 4): 4 × 0.75; DAT-101 (level 2): 4 × 0.5
        assert [(r.course.code, r.value) for r in before] == [
            ("PRB-301", 7.0), ("LRN-101", 3.5), ("DAT-201", 3.0), ("DAT-101", 2.0)]
        s.add(models.LearningPreference(user_id=candidate.id, format="online", max_hours=5))
        s.flush()
        after = recommendations.recommend(s, candidate, gaps, limit=20)
        # online × 1.25; longer than 5 hours × 0.5 (PRB-301 takes 6, DAT-201 12, DAT-101 10)
        assert [(r.course.code, r.value) for r in after] == [
            ("LRN-101", 4.375), ("PRB-301", 3.5), ("DAT-201", 1.5), ("DAT-101", 1.25)]


def test_one_click_enrols_once_and_the_course_is_in_the_plan(world):
    users, _ = world
    with db.session_scope() as s:
        candidate, course = _user(s, "candidate"), _course(s, "COM-101")
        outcome = courses.enrol(s, candidate, course.id)
        assert outcome.enrollment.status == courses.ENROLLED and outcome.waitlist_position == 0
        taken = outcome.offering.seats_taken
        with pytest.raises(ServiceError) as e:  # the double click
            courses.enrol(s, candidate, course.id)
        assert e.value.msgid == courses.ALREADY
        s.refresh(outcome.offering)
        assert outcome.offering.seats_taken == taken
        mine = plan.development_plan(s, candidate)
        assert [c.code for c in mine.courses] == ["COM-101"]
        assert "COM-101" not in {r.course.code for r in mine.recommended}
    assert _count(Enrollment, Enrollment.user_id == users["candidate"].id) == 1
    assert _count(AuditEvent, AuditEvent.action == "course.enrol") == 1


def test_the_last_seat_goes_to_one_of_two_people_clicking_at_once(world, db_url):
    with db.session_scope() as s:
        course = _course(s, "BIZ-201")
        runs = s.execute(select(CourseOffering).where(CourseOffering.course_id == course.id)
                         .order_by(CourseOffering.starts_at)).scalars().all()
        for run in runs:
            run.seats, run.seats_taken = 1, 0
            s.add(run)
        runs[1].seats_taken = 1  # the later run is full too: one seat in all
        people = []
        for n in range(6):
            person = User(email=f"racer{n}@example.cn", role="employee")
            s.add(person)
            s.flush()
            people.append(person.id)
        course_id = course.id
    results, barrier = [], threading.Barrier(len(people))

    def click(uid: int) -> None:
        barrier.wait()
        try:
            with db.session_scope() as s:
                results.append(courses.enrol(s, s.get(User, uid), course_id).enrollment.status)
        except ServiceError as exc:
            results.append(exc.msgid)

    threads = [threading.Thread(target=click, args=(uid,)) for uid in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(courses.ENROLLED) == 1, results
    assert results.count(courses.WAITLISTED) == 1, results  # the waiting list is as long as the run
    assert results.count(courses.FULL) == 4, results
    with db.session_scope() as s:
        assert sum(o.seats_taken for o in s.execute(select(CourseOffering).where(
            CourseOffering.course_id == course_id)).scalars()) == 2


def test_a_seat_given_up_goes_to_the_first_person_waiting_who_is_told(world):
    users, _ = world
    with db.session_scope() as s:
        course = _course(s, "COM-201")  # the demo's full classroom run
        run = s.execute(select(CourseOffering).where(CourseOffering.course_id == course.id)).scalar_one()
        assert run.seats_taken == run.seats
        employee, candidate = _user(s, "employee"), _user(s, "candidate")
        first = courses.enrol(s, candidate, course.id)
        second = courses.enrol(s, employee, course.id)
        assert (first.enrollment.status, first.waitlist_position) == (courses.WAITLISTED, 1)
        assert second.waitlist_position == 2
        [mine] = [c for c in progress.plan_courses(s, employee) if c.course_id == course.id]
        assert mine.waitlist_position == 2  # the plan shows the same place
        holder = User(email="holder@example.cn", role="employee")
        s.add(holder)
        s.flush()
        s.add(Enrollment(user_id=holder.id, course_id=course.id, offering_id=run.id, status=courses.ENROLLED))
        s.flush()
        seat = s.execute(select(Enrollment).where(Enrollment.user_id == holder.id)).scalar_one()
        courses.withdraw(s, holder, seat.id)
        s.refresh(first.enrollment)
        s.refresh(second.enrollment)
        s.refresh(run)
        assert first.enrollment.status == courses.ENROLLED and run.seats_taken == run.seats
        assert courses.waitlist_position(s, second.enrollment) == 1
        [mine] = [c for c in progress.plan_courses(s, employee) if c.course_id == course.id]
        assert mine.waitlist_position == 1
        mail = s.execute(select(EmailOutbox).where(EmailOutbox.kind == "course.seat")).scalar_one()
        assert mail.to_addr == candidate.email and course.title_zh in mail.body_text
        # someone else's enrolment cannot be ended
        with pytest.raises(PermissionDenied):
            courses.withdraw(s, employee, first.enrollment.id)
        with pytest.raises(ServiceError) as e:
            courses.withdraw(s, holder, seat.id)
        assert e.value.msgid == courses.NOT_ACTIVE


@pytest.mark.parametrize("case", ["unknown", "inactive", "closed"])
def test_a_course_one_cannot_enrol_in_is_refused_and_changes_nothing(world, case):
    with db.session_scope() as s:
        candidate, course = _user(s, "candidate"), _course(s, "PRB-101")
        if case == "inactive":
            course.is_active = False
        if case == "closed":
            for run in s.execute(select(CourseOffering).where(CourseOffering.course_id == course.id)).scalars():
                run.enrol_by = datetime.now(timezone.utc) - timedelta(days=1)
                s.add(run)
        s.flush()
        with pytest.raises(ServiceError) as e:
            courses.enrol(s, candidate, 999_999 if case == "unknown" else course.id)
        assert e.value.msgid == (courses.CLOSED if case == "closed" else courses.UNKNOWN)
        assert i18n.gettext("zh_CN", e.value.msgid) != e.value.msgid  # translated
    assert _count(Enrollment, Enrollment.course_id == course.id) == 0


def test_only_people_with_a_plan_enrol_or_see_one(world):
    with db.session_scope() as s:
        for role in ("hr", "admin"):
            with pytest.raises(PermissionDenied):
                courses.enrol(s, _user(s, role), _course(s, "COM-101").id)
        with pytest.raises(PermissionDenied):
            plan.development_plan(s, _user(s, "admin"))


def test_the_employees_timeline_goals_and_courses(world):
    with db.session_scope() as s:
        employee = _user(s, "employee")
        mine = plan.development_plan(s, employee)
        communication = [p.score for p in mine.points["communication"]]
        assert communication == [70, 72, 74, 77, 79, 80, 82]  # the demo's history, oldest first
        assert any(g.is_probation for g in mine.goals) and mine.goals[0].status == "open"
        assert {c.code: c.status for c in mine.courses} == {"CUS-201": "in_progress", "COM-101": "completed"}
        in_progress = next(c for c in mine.courses if c.code == "CUS-201")
        assert in_progress.progress_pct == 60 and 0 < in_progress.modules_done < in_progress.modules
        # the open goal "communication 85" is above the latest 82: a gap of 3
        gap = next(g for g in mine.gaps if g.key == "communication")
        assert (gap.score, gap.target) == (82, 85)


def test_a_hired_candidate_keeps_their_interviews_on_one_timeline(world):
    users, interview_id = world
    with db.session_scope() as s:
        candidate = _user(s, "candidate")
        before = progress.timeline(s, candidate)
        numbers = report_numbers(s, s.get(Interview, interview_id))
        assert {k: v[-1].score for k, v in before.items()} == {c.key: c.score for c in numbers.competencies}
        candidate.role = "employee"  # hired: the same person
        s.add(candidate)
        s.add(models.ProgressSnapshot(user_id=candidate.id, competency_key="communication", score=88,
                                      source="review"))
        s.flush()
        after = plan.development_plan(s, candidate).points
        assert [p.source for p in after["communication"]] == ["interview", "review"]


def test_practice_answers_are_points_of_the_timeline(world):
    with db.session_scope() as s:
        candidate = _user(s, "candidate")
        question = s.execute(select(models.Question).where(models.Question.is_practice.is_(True))).scalars().first()
        comp = s.execute(select(models.Competency).where(models.Competency.key == question.competency_key)
                         ).scalars().first()
        answer = models.Answer(user_id=candidate.id, question_id=question.id, model_id=comp.model_id,
                               is_practice=True, transcript_enc="")
        s.add(answer)
        s.flush()
        s.add(models.CompetencyScore(answer_id=answer.id, competency_id=comp.id, score=61.0, level=3))
        s.flush()
        points = progress.timeline(s, candidate)[question.competency_key]
        assert (points[-1].score, points[-1].source) == (61.0, "practice")


def test_the_development_report_says_what_changed_and_is_sent_once_a_month(world):
    now = datetime.now(timezone.utc)
    with db.session_scope() as s:
        employee = _user(s, "employee")
        since = now - timedelta(days=45)
        found = progress.changes_since(s, employee, since)
        keys = {c.key for c in found.changes}
        assert "communication" in keys
        change = next(c for c in found.changes if c.key == "communication")
        assert (change.before, change.now) == (80, 82)
        text = digest.lines(progress.names(s, keys), found, "zh_CN")
        assert any(line.startswith("沟通") and "80 → 82" in line for line in text), text
        assert digest.send_monthly(s, now) >= 1
        assert digest.send_monthly(s, now) == 0  # once a month
    with db.session_scope() as s:
        mail = s.execute(select(EmailOutbox).where(EmailOutbox.kind == "development.report",
                                                   EmailOutbox.to_addr == demo_email("employee"))).scalar_one()
        assert "82" in mail.body_text and "/development" in mail.body_text
        # the next report starts where this one ended: nothing new since
        employee = _user(s, "employee")
        later = progress.changes_since(s, employee, progress.digest_start(s, employee, now))
        assert later.changes == [] and later.completed == []


def test_the_summary_e_mail_goes_once_when_scoring_finishes(world):
    users, interview_id = world
    with db.session_scope() as s:
        assert summary.send_due(s) == 1  # the demo candidate's; the cohort has no mailbox
        assert summary.send_due(s) == 0
    with db.session_scope() as s:
        mail = s.execute(select(EmailOutbox).where(EmailOutbox.kind == "report.summary")).scalar_one()
        assert mail.to_addr == demo_email("candidate")
        assert f"/candidate/report/{interview_id}" in mail.body_text
        numbers = report_numbers(s, s.get(Interview, interview_id))
        by_key = {c.key: c for c in numbers.competencies}
        assert report.plain_words(by_key[numbers.strengths[0]], "zh_CN") in mail.body_text
        assert report.plain_words(by_key[numbers.improvements[0]], "zh_CN") in mail.body_text
        row = s.execute(select(models.Report).where(models.Report.interview_id == interview_id)).scalar_one()
        assert row.summary_sent_at is not None


def test_an_interview_with_an_unscored_answer_has_no_summary_yet(world):
    users, interview_id = world
    with db.session_scope() as s:
        interview = s.get(Interview, interview_id)
        q = s.execute(select(models.Question).where(models.Question.job_id == interview.job_id)).scalars().first()
        s.add(models.Answer(user_id=interview.candidate_id, question_id=q.id, interview_id=interview.id,
                            model_id=interview.model_id, transcript_enc=""))
        s.flush()
        assert summary.send_due(s) == 0


def test_a_job_whose_reports_hr_publishes_shows_them_to_the_candidate_only_once_published(world):
    users, interview_id = world
    with db.session_scope() as s:
        interview = s.get(Interview, interview_id)
        job = s.get(models.Job, interview.job_id)
        job.report_publishing = report.HR
        s.add(job)
        s.flush()
        waiting = report.candidate_report(s, _user(s, "candidate"), interview_id)
        assert not waiting.ready and waiting.awaiting_hr and waiting.numbers is None
        assert summary.send_due(s) == 0  # no summary before it is published
        assert report.candidate_report(s, _user(s, "hr"), interview_id).numbers is not None  # HR reviews it
        assert report.publication(s, interview_id) == report.NOT_PUBLISHED
        for role in ("candidate", "employee", "admin"):
            with pytest.raises(PermissionDenied):
                report.publish(s, _user(s, role), interview_id)
        report.publish(s, _user(s, "hr"), interview_id)
        with pytest.raises(ServiceError) as e:
            report.publish(s, _user(s, "hr"), interview_id)
        assert e.value.msgid == report.PUBLISHED_ALREADY
        shown = report.candidate_report(s, _user(s, "candidate"), interview_id)
        assert shown.ready and shown.numbers is not None and shown.published_at is not None
        assert summary.send_due(s) == 1
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "report.publish")).scalar_one() == 1
