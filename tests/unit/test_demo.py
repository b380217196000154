"""The demo content loads once, is complete in both languages and hangs together."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func
from sqlmodel import select

from portal import models
from portal.services.platform import db
from portal.services.platform.demo import (
    ASSETS_DIR,
    DEMO_MARKER_KEY,
    INTERVIEWERS,
    add_scored_interviews,
    demo_email,
    interviewer_portrait_svg,
    load_demo,
)

NOW = datetime(2025, 3, 10, 8, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture()
def loaded(db_url):  # db_url: a migrated, empty SQLite file (tests/conftest.py)
    with db.session_scope(db_url) as s:
        assert load_demo(s, now=NOW) is True
    return db_url


def _naive(value: datetime) -> datetime:
    """Datetimes may come back aware (UTC) or naive depending on the column type."""
    if value.utcoffset() is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _row_counts(session) -> dict[str, int]:
    return {
        table.name: session.exec(select(func.count()).select_from(table)).one()
        for table in models.metadata.sorted_tables
    }


def _all(session, model):
    return session.exec(select(model)).all()


def test_second_load_changes_nothing(loaded):
    with db.session_scope(loaded) as s:
        before = _row_counts(s)
        assert load_demo(s) is False
        s.flush()
        assert _row_counts(s) == before
    with db.session_scope(loaded) as s:
        assert _row_counts(s) == before
        assert s.exec(
            select(models.AppSetting).where(models.AppSetting.key == DEMO_MARKER_KEY)
        ).one()


def test_existing_demo_jobs_count_as_loaded_without_marker(loaded):
    with db.session_scope(loaded) as s:
        marker = s.exec(
            select(models.AppSetting).where(models.AppSetting.key == DEMO_MARKER_KEY)
        ).one()
        s.delete(marker)
    with db.session_scope(loaded) as s:
        before = _row_counts(s)
        assert load_demo(s) is False
        assert _row_counts(s) == before


def test_existing_account_with_a_demo_email_is_reused(db_url):
    url = db_url
    with db.session_scope(url) as s:
        s.add(
            models.User(
                email=demo_email("admin"),
                display_name="已有管理员",
                role="admin",
                created_at=datetime.now(timezone.utc),
            )
        )
    with db.session_scope(url) as s:
        assert load_demo(s) is True
    with db.session_scope(url) as s:
        admins = s.exec(select(models.User).where(models.User.role == "admin")).all()
        assert [u.display_name for u in admins] == ["已有管理员"]


def test_jobs_and_competency_models(loaded):
    with db.session_scope(loaded) as s:
        jobs = _all(s, models.Job)
        assert len(jobs) >= 3
        assert {j.title_zh for j in jobs} >= {"客户经理", "产品经理", "研发工程师"}
        for job in jobs:
            assert job.is_open and job.location_zh and job.location_en
            assert len(job.description_zh) > 100 and len(job.description_en) > 200
            cms = s.exec(
                select(models.CompetencyModel).where(models.CompetencyModel.job_id == job.id)
            ).all()
            assert [(m.version, m.is_current) for m in cms] == [(1, True)]
            comps = s.exec(
                select(models.Competency).where(models.Competency.model_id == cms[0].id)
            ).all()
            assert 5 <= len(comps) <= 6
            assert sum(c.weight for c in comps) == pytest.approx(1.0, abs=1e-6)
            for c in comps:
                assert 60 <= c.required_level <= 80
                assert 4 <= len(c.keywords) <= 8
                assert any(CJK.search(k) for k in c.keywords)
                assert any(not CJK.search(k) for k in c.keywords)
                anchors = s.exec(
                    select(models.BehaviouralAnchor).where(
                        models.BehaviouralAnchor.competency_id == c.id
                    )
                ).all()
                assert sorted(a.level for a in anchors) == [1, 3, 5]
                assert all(a.text_zh.strip() and a.text_en.strip() for a in anchors)

            stages = s.exec(
                select(models.InterviewStage).where(models.InterviewStage.job_id == job.id)
            ).all()
            assert len(stages) == 3
            questions = s.exec(select(models.Question).where(models.Question.job_id == job.id)).all()
            assert sum(not q.is_practice for q in questions) == 6
            assert sum(q.is_practice for q in questions) == 3
            keys = {c.key for c in comps}
            assert all(q.competency_key in keys for q in questions)


def test_same_competency_key_means_the_same_competency_across_jobs(loaded):
    with db.session_scope(loaded) as s:
        names: dict[str, set] = {}
        for c in _all(s, models.Competency):
            names.setdefault(c.key, set()).add((c.name_zh, c.name_en))
        assert len(names) >= 8
        assert all(len(v) == 1 for v in names.values()), names


def test_interviewers_have_portraits_and_one_is_the_interviewer_account(loaded):
    with db.session_scope(loaded) as s:
        profiles = _all(s, models.InterviewerProfile)
        assert len(profiles) == 6
        for index, p in enumerate(profiles, start=1):
            assert p.photo == f"/interviewers/interviewer-{index}.svg"
            path = ASSETS_DIR / p.photo.lstrip("/")
            assert path.is_file()
            spec = INTERVIEWERS[index - 1]
            expected = interviewer_portrait_svg(spec["initials"], spec["color"], spec["name_en"])
            assert path.read_text(encoding="utf-8") == expected  # committed files in sync
        account = s.exec(
            select(models.User).where(models.User.email == demo_email("interviewer"))
        ).one()
        linked = [p for p in profiles if p.user_id is not None]
        assert [p.user_id for p in linked] == [account.id]
        assert linked[0].name_zh == account.display_name


def test_courses_cover_every_competency(loaded):
    with db.session_scope(loaded) as s:
        courses = _all(s, models.Course)
        assert len(courses) == 20
        tags = _all(s, models.CourseCompetency)
        for course in courses:
            assert course.format in ("online", "classroom", "blended")
            assert 1 <= course.level <= 5 and course.duration_hours > 0 and course.provider
            assert 1 <= sum(t.course_id == course.id for t in tags) <= 2
        used = {c.key for c in _all(s, models.Competency)}
        assert used <= {t.competency_key for t in tags}


def test_one_account_per_role_with_the_demo_password_and_no_authenticator(loaded):
    from portal.services.accounts import passwords
    from portal.services.platform.demo import DEMO_PASSWORD

    with db.session_scope(loaded) as s:
        everyone = _all(s, models.User)
        # the cohort of scored candidates has no password: nobody can sign in as them
        users = [u for u in everyone if not u.email.startswith("cohort-")]
        # (past candidates of the analytics history who were hired are employees now)
        assert all(u.password_hash is None and u.role in ("candidate", "employee") for u in everyone
                   if u not in users)
        assert sorted(u.role for u in users) == sorted(models.ROLES)
        for u in users:
            assert u.email == demo_email(u.role)
            assert CJK.search(u.display_name)
            assert u.locale == "zh_CN" and u.is_active
            assert passwords.verify_password(u.password_hash, DEMO_PASSWORD)
            assert u.totp_secret_enc is None  # enrolled at first sign-in


def test_candidate_has_an_upcoming_assigned_interview(loaded):
    with db.session_scope(loaded) as s:
        candidate = s.exec(
            select(models.User).where(models.User.email == demo_email("candidate"))
        ).one()
        interview = s.exec(
            select(models.Interview).where(models.Interview.candidate_id == candidate.id,
                                           models.Interview.status == "scheduled")
        ).one()
        assert interview.status == "scheduled" and _naive(interview.scheduled_at) > NOW
        job = s.get(models.Job, interview.job_id)
        assert job.title_zh == "客户经理"
        model = s.get(models.CompetencyModel, interview.model_id)
        assert model.job_id == job.id and model.is_current
        assignment = s.exec(
            select(models.InterviewAssignment).where(
                models.InterviewAssignment.interview_id == interview.id
            )
        ).one()
        profile = s.get(models.InterviewerProfile, assignment.interviewer_id)
        interviewer = s.exec(
            select(models.User).where(models.User.email == demo_email("interviewer"))
        ).one()
        assert profile.user_id == interviewer.id


def test_employee_shows_growth(loaded):
    with db.session_scope(loaded) as s:
        employee = s.exec(
            select(models.User).where(models.User.email == demo_email("employee"))
        ).one()
        assert employee.hired_at is not None and _naive(employee.hired_at) < NOW
        goals = s.exec(
            select(models.DevelopmentGoal).where(models.DevelopmentGoal.user_id == employee.id)
        ).all()
        assert len(goals) >= 2 and sum(g.is_probation for g in goals) == 1
        snapshots = s.exec(
            select(models.ProgressSnapshot)
            .where(models.ProgressSnapshot.user_id == employee.id)
            .where(models.ProgressSnapshot.competency_key == "communication")
            .order_by(models.ProgressSnapshot.taken_at)
        ).all()
        assert [snapshots[0].score, snapshots[-1].score] == [70, 82]
        assert (snapshots[-1].taken_at - snapshots[0].taken_at).days >= 150
        assert all(_naive(sn.taken_at) <= NOW for sn in snapshots)
        enrollments = s.exec(
            select(models.Enrollment).where(models.Enrollment.user_id == employee.id)
        ).all()
        assert len(enrollments) == 2


def test_email_templates_fill_in(loaded):
    with db.session_scope(loaded) as s:
        templates = {(t.key, t.locale): t for t in _all(s, models.EmailTemplate)}
        from portal.services.platform.notifications import fill

        # exactly the values the services pass (portal/services/accounts/auth.py)
        values = {"invitation": {"link": "https://hr.example.cn/x", "email": "a@b.cn", "role": "candidate"},
                  "password_reset": {"link": "https://hr.example.cn/x", "name": "张伟"}}
        for key in ("invitation", "password_reset"):
            for locale in ("zh_CN", "en"):
                t = templates[(key, locale)]
                body = fill(t.body, values[key])
                assert "https://hr.example.cn/x" in body
                assert "{" not in body and "{" not in fill(t.subject, values[key]), (key, locale)
                assert bool(CJK.search(t.subject + t.body.replace("{name}", ""))) == (
                    locale == "zh_CN"
                )


def test_every_bilingual_field_is_filled_in_its_language(loaded):
    with db.session_scope(loaded) as s:
        checked = 0
        for table in models.metadata.sorted_tables:
            pairs = [
                c.name[:-3]
                for c in table.columns
                if c.name.endswith("_zh") and f"{c.name[:-3]}_en" in table.columns
            ]
            if not pairs:
                continue
            for row in s.connection().execute(table.select()).mappings():
                for stem in pairs:
                    zh, en = row[f"{stem}_zh"], row[f"{stem}_en"]
                    where = f"{table.name}.{stem} id={row['id']}"
                    assert zh and zh.strip() and CJK.search(zh), where
                    assert en and en.strip() and not CJK.search(en), where
                    checked += 1
        assert checked >= 200  # every paired column of every demo row


def test_a_score_report_exists_on_first_run_with_a_cohort_for_every_job(db_url):
    from portal.services.reports import report, scores

    with db.session_scope(db_url) as s:
        assert load_demo(s, now=NOW, scored_interviews=True)
    with db.session_scope(db_url) as s:
        assert not add_scored_interviews(s)  # there already: once only
        candidate = s.exec(select(models.User).where(models.User.email == demo_email("candidate"))).one()
        past = s.exec(select(models.Interview).where(models.Interview.candidate_id == candidate.id,
                                                     models.Interview.status == "completed")).one()
        found = report.candidate_report(s, candidate, past.id)
        assert found.ready and found.title_zh == "产品经理"
        numbers = found.numbers
        assert numbers.cohort_size >= scores.MIN_COHORT and numbers.overall_percentile is not None
        by_key = {c.key: c for c in numbers.competencies}
        assert by_key["product_sense"].score == 81 and by_key["product_sense"].evidence
        assert numbers.strengths == ["communication", "product_sense"]  # +7 and +6 over the required
        assert numbers.improvements == ["learning_agility", "data_analysis"]  # -7 and -4
        for job in s.exec(select(models.Job)).all():
            completed = s.exec(select(models.Interview).where(models.Interview.job_id == job.id,
                                                              models.Interview.status == "completed")).all()
            assert len({i.candidate_id for i in completed}) >= scores.MIN_COHORT, job.code
