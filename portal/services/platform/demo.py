"""Demo content: three open jobs with their competency models, question banks and
interview stages, six interviewers, a training catalogue, one account per role,
and a little history for the demo candidate and employee.

The content is data (portal/demo_content/*.json, read into module-level values
other code and tests may read); ``load_demo(session)`` writes it once. Never imports reflex.

Accounts get no password and no TOTP seed: the accounts flow (invitation or
password reset) sets them, so a demo install has no known credentials.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import Session, select

from portal import models
from portal.services.platform.settings import ROOT

DEMO_MARKER_KEY = "demo_loaded"
DEMO_EMAIL_DOMAIN = "demo.talent.local"
ASSETS_DIR = ROOT / "assets"


def _lines(*lines: str) -> str:
    return "\n".join(lines)


# ---------------------------------------------------------------- the content
#
# Demo content is data, not code: portal/demo_content/*.json, bilingual, read once
# at import. competencies.json holds one definition per key, shared by every job
# that uses it (a job may override "keywords" or "description_*"), so scores,
# courses and progress line up across jobs. Each job in jobs.json has its
# competency model (weights sum to 1.0), stages, six interview questions and
# three practice questions. Anchors are keyed by level: {"1": [zh, en], ...}.

CONTENT_DIR = ROOT / "portal" / "demo_content"


def _content(name: str):
    return json.loads((CONTENT_DIR / name).read_text(encoding="utf-8"))


def _levels(anchors: dict) -> dict[int, tuple[str, str]]:
    return {int(level): tuple(texts) for level, texts in anchors.items()}


COMPETENCIES: dict[str, dict] = {
    key: {**spec, "anchors": _levels(spec["anchors"])}
    for key, spec in _content("competencies.json").items()
}
JOBS: list[dict] = _content("jobs.json")
for _job in JOBS:
    for _spec in _job["competencies"]:
        if "anchors" in _spec:
            _spec["anchors"] = _levels(_spec["anchors"])

DEMO_JOB_CODES = tuple(job["code"] for job in JOBS)


INTERVIEWERS: list[dict] = _content("interviewers.json")
# How each job's interview runs (job code -> InterviewGuide fields), told to its candidates.
GUIDES: dict[str, dict] = _content("guides.json")
COURSES: list[dict] = _content("courses.json")


def interviewer_photo(index: int) -> str:
    """URL path of the n-th (1-based) demo portrait; the file lives under assets/."""
    return f"/interviewers/interviewer-{index}.svg"


def interviewer_portrait_svg(initials: str, color: str, name: str = "") -> str:
    """A placeholder portrait: coloured disc, light head-and-shoulders silhouette,
    initials on the chest. Self-contained, no fonts or images to fetch."""
    label = name or initials
    return _lines(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" width="160" '
        f'height="160" role="img" aria-label="{label}">',
        f"  <title>{label}</title>",
        f'  <defs><clipPath id="disc-{initials}">'
        '<circle cx="80" cy="80" r="80"/></clipPath></defs>',
        f'  <circle cx="80" cy="80" r="80" fill="{color}"/>',
        f'  <g clip-path="url(#disc-{initials})" fill="#FFFFFF" fill-opacity="0.9">',
        '    <circle cx="80" cy="62" r="27"/>',
        '    <path d="M24 168 C24 122 50 98 80 98 C110 98 136 122 136 168 Z"/>',
        "  </g>",
        '  <text x="80" y="142" text-anchor="middle" font-family="Helvetica, Arial, '
        f'sans-serif" font-size="22" font-weight="700" fill="{color}" '
        f'letter-spacing="1">{initials}</text>',
        "</svg>",
        "",
    )


def write_interviewer_portraits(assets_dir: Path = ASSETS_DIR) -> list[Path]:
    """(Re)generate the committed portrait files; returns their paths."""
    paths = []
    for index, interviewer in enumerate(INTERVIEWERS, start=1):
        path = assets_dir / interviewer_photo(index).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        svg = interviewer_portrait_svg(
            interviewer["initials"], interviewer["color"], interviewer["name_en"]
        )
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


# Every demo account signs in with this password and enrols its authenticator at
# first sign-in. Demo content is for evaluation: production sets TALENT_DEMO_CONTENT=0.
DEMO_PASSWORD = "talent-demo-2026"

_ACCOUNTS = _content("accounts.json")
DEMO_USERS: dict[str, str] = _ACCOUNTS["users"]  # role -> display name
# index into INTERVIEWERS of the profile linked to the interviewer account
INTERVIEWER_ACCOUNT_PROFILE: int = _ACCOUNTS["interviewer_account_profile"]


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_EMAIL_DOMAIN}"


# The demo employee's history: joined as an Account Manager about seven months
# ago; scores on the 0-100 scale, one snapshot a month from the hiring interview.
_EMPLOYEE = _content("employee.json")
EMPLOYEE_JOB_CODE: str = _EMPLOYEE["job_code"]
EMPLOYEE_HIRED_DAYS_AGO: int = _EMPLOYEE["hired_days_ago"]
EMPLOYEE_PROGRESS: dict[str, list[float]] = _EMPLOYEE["progress"]
EMPLOYEE_GOALS: list[dict] = _EMPLOYEE["goals"]
EMPLOYEE_ENROLLMENTS: list[dict] = _EMPLOYEE["enrollments"]
# Placeholders are what the services pass: invitation {link}, {email}, {role}
# (the invitee has no name yet); password_reset {name}, {link}; interview_* (invitation,
# rescheduled, reminder_24h, reminder_1h, cancelled) {name}, {job}, {date}, {time}, {timezone},
# {duration}, {link}, {checklist} (portal/services/interviews/reminders.py).
EMAIL_TEMPLATES: list[dict] = _content("email_templates.json")



# ---------------------------------------------------------------- loading


def is_demo_loaded(session: Session) -> bool:
    marker = session.exec(
        select(models.AppSetting).where(models.AppSetting.key == DEMO_MARKER_KEY)
    ).first()
    if marker is not None:
        return True
    job = session.exec(select(models.Job).where(models.Job.code.in_(DEMO_JOB_CODES))).first()
    return job is not None


def _naive_utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _fit_datetimes(row) -> None:
    """Give every datetime attribute the form its column stores: aware UTC for
    timezone-aware columns (sqlmodel's UTCDateTime refuses naive values), naive UTC
    otherwise. Covers the models' naive ``utcnow`` defaults as well as our values."""
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        if not isinstance(value, datetime):
            continue
        column_type = getattr(column.type, "impl", column.type)
        if getattr(column_type, "timezone", False):
            aware = value if value.utcoffset() is not None else value.replace(tzinfo=timezone.utc)
            setattr(row, column.key, aware)
        else:
            setattr(row, column.key, _naive_utc(value))


def _add(session: Session, row):
    _fit_datetimes(row)
    session.add(row)
    session.flush()  # assigns the id
    return row


def _competency_rows(spec: dict) -> dict:
    base = COMPETENCIES[spec["key"]]
    return {
        "key": spec["key"],
        "name_zh": base["name_zh"],
        "name_en": base["name_en"],
        "description_zh": spec.get("description_zh", base["description_zh"]),
        "description_en": spec.get("description_en", base["description_en"]),
        "weight": spec["weight"],
        "required_level": float(spec["required_level"]),
        "keywords": list(spec.get("keywords", base["keywords"])),
        "anchors": spec.get("anchors", base["anchors"]),
    }


def _load_job(session: Session, spec: dict) -> tuple[models.Job, models.CompetencyModel]:
    job_fields = (
        "code", "title_zh", "title_en", "department_zh", "department_en",
        "location_zh", "location_en", "description_zh", "description_en",
    )
    job = _add(session, models.Job(**{k: spec[k] for k in job_fields}))
    model = _add(
        session,
        models.CompetencyModel(
            job_id=job.id, version=1, is_current=True, note="初始版本 / Initial version"
        ),
    )
    for position, comp_spec in enumerate(spec["competencies"]):
        c = _competency_rows(comp_spec)
        anchors = c.pop("anchors")
        competency = _add(session, models.Competency(model_id=model.id, position=position, **c))
        for level, (text_zh, text_en) in sorted(anchors.items()):
            _add(
                session,
                models.BehaviouralAnchor(
                    competency_id=competency.id, level=level, text_zh=text_zh, text_en=text_en
                ),
            )
    for position, stage in enumerate(spec["stages"]):
        _add(session, models.InterviewStage(job_id=job.id, position=position, **stage))
    for is_practice, key in ((False, "questions"), (True, "practice")):
        for position, q in enumerate(spec[key]):
            _add(
                session,
                models.Question(
                    job_id=job.id,
                    competency_key=q["competency_key"],
                    text_zh=q["text_zh"],
                    text_en=q["text_en"],
                    is_practice=is_practice,
                    time_limit_s=q.get("time_limit_s", 180),
                    position=position,
                ),
            )
    _add(
        session,
        models.AutoAdvanceRule(
            job_id=job.id,
            min_overall=75.0,
            require_all_required_levels=True,
            action="invite_next_stage",
        ),
    )
    return job, model


def _get_or_add(session: Session, model_cls, where: dict, values: dict):
    stmt = select(model_cls)
    for column, value in where.items():
        stmt = stmt.where(getattr(model_cls, column) == value)
    row = session.exec(stmt).first()
    if row is None:
        row = _add(session, model_cls(**where, **values))
    return row


def add_preparation_content(session: Session) -> int:
    """Demo installs made before the candidate's preparation pages existed get the
    interview guides and the interviewers' focus and experience once: a guide for each
    demo job without one, and the two fields on demo profiles that still lack them
    (matched by name; HR's own edits are kept). Returns how many rows changed."""
    changed = 0
    jobs = {j.code: j for j in session.exec(select(models.Job).where(models.Job.code.in_(list(GUIDES)))).all()}
    guided = set(session.exec(select(models.InterviewGuide.job_id)).all())
    for code, guide in GUIDES.items():
        if code in jobs and jobs[code].id not in guided:
            _add(session, models.InterviewGuide(job_id=jobs[code].id, **guide))
            changed += 1
    specs = {spec["name_en"]: spec for spec in INTERVIEWERS}
    for profile in session.exec(select(models.InterviewerProfile).where(
            models.InterviewerProfile.name_en.in_(list(specs)))).all():
        spec = specs[profile.name_en]
        if not profile.focus_zh and not profile.focus_en and not profile.years_experience:
            profile.focus_zh, profile.focus_en = spec["focus_zh"], spec["focus_en"]
            profile.years_experience = spec["years_experience"]
            session.add(profile)
            changed += 1
    return changed


def _offerings(session: Session, course: models.Course, spec: dict, now: datetime) -> None:
    """The runs of a demo course, dated from ``now`` (online self-paced: open for 60 days)."""
    for run in spec.get("offerings", ()):
        starts = (now + timedelta(days=run["starts_in_days"])).replace(hour=1, minute=0, second=0, microsecond=0)
        ends = starts + timedelta(days=run["days"])
        enrol_by = ends if "enrol_days_before_end" in run else starts - timedelta(days=run["enrol_days_before_start"])
        _add(session, models.CourseOffering(
            course_id=course.id, starts_at=starts, ends_at=ends, enrol_by=enrol_by, seats=run["seats"],
            seats_taken=run.get("seats_taken", 0), location_zh=run["location_zh"], location_en=run["location_en"]))


def add_development_content(session: Session, now: datetime | None = None) -> int:
    """Demo installs made before enrolment existed get the demo courses' focus, modules and
    runs once (courses HR has given runs of their own are left alone). Returns how many
    courses changed."""
    now = _naive_utc(now or models.utcnow())
    specs = {spec["code"]: spec for spec in COURSES}
    offered = set(session.exec(select(models.CourseOffering.course_id)).all())
    changed = 0
    for course in session.exec(select(models.Course).where(models.Course.code.in_(list(specs)))).all():
        if course.id in offered:
            continue
        spec = specs[course.code]
        if not course.focus_zh and not course.focus_en:
            course.focus_zh, course.focus_en, course.modules = spec["focus_zh"], spec["focus_en"], spec["modules"]
            session.add(course)
        _offerings(session, course, spec, now)
        changed += 1
    return changed


SCORED = _content("scored_interviews.json")


def _scored_answers(session, interview: models.Interview, job_spec: dict, model: models.CompetencyModel,
                    texts: dict[str, str], scores: dict[str, float], evidence: dict[str, list[str]]) -> float:
    """One answer per interview question, scored on every competency of the model; returns
    the overall score."""
    from portal.services.platform import crypto

    competencies = session.exec(select(models.Competency).where(models.Competency.model_id == model.id)).all()
    weights = {c.key: c.weight for c in competencies}
    overall = sum(scores[k] * w for k, w in weights.items()) / sum(weights.values())
    questions = session.exec(select(models.Question).where(models.Question.job_id == interview.job_id,
                                                           models.Question.is_practice.is_(False))).all()
    for question in questions:
        answer = _add(session, models.Answer(
            user_id=interview.candidate_id, question_id=question.id, interview_id=interview.id, model_id=model.id,
            language="zh", transcript_enc=crypto.encrypt(texts.get(question.competency_key, "")),
            submitted_at=interview.scheduled_at + timedelta(minutes=5)))
        _add(session, models.AnswerScore(answer_id=answer.id, model_version="demo", overall=overall,
                                         relevance=80.0, coherence=75.0, keyword_density=0.05))
        for c in competencies:
            quotes = evidence.get(c.key, []) if c.key == question.competency_key else []
            session.add(models.CompetencyScore(
                answer_id=answer.id, competency_id=c.id, score=float(scores[c.key]),
                level=round(max(1.0, min(5.0, scores[c.key] / 20)), 1),
                evidence_enc=crypto.encrypt(json.dumps([{"sentence": q, "similarity": 0.6} for q in quotes],
                                                       ensure_ascii=False))))
    return overall


def _load_scored_interviews(session, candidate: models.User, jobs: dict, now: datetime) -> None:
    """A cohort of completed, scored interviews per job and one of the demo candidate's own,
    so that score reports (and their comparison with the job's candidates) exist on first run."""
    specs = {spec["code"]: spec for spec in JOBS}
    names = iter(SCORED["names"])
    for code, people in SCORED["cohort"].items():
        job, model = jobs[code]
        duration = sum(stage["duration_min"] for stage in specs[code]["stages"])
        for n, scores in enumerate(people):
            person = _get_or_add(session, models.User, {"email": f"cohort-{code.lower()}-{n + 1}@{DEMO_EMAIL_DOMAIN}"},
                                 {"display_name": next(names), "role": "candidate", "locale": "zh_CN"})
            interview = _add(session, models.Interview(
                candidate_id=person.id, job_id=job.id, model_id=model.id, duration_min=duration,
                scheduled_at=now - timedelta(days=20 + 3 * n), status="completed"))
            overall = _scored_answers(session, interview, specs[code], model, {}, scores, {})
            # the cohort's accounts have no mailbox: their reports count as published and told
            _add(session, models.Report(interview_id=interview.id, candidate_id=person.id, overall=overall,
                                        published_at=now, summary_sent_at=now))
    own = SCORED["candidate"]
    job, model = jobs[own["job_code"]]
    interview = _add(session, models.Interview(
        candidate_id=candidate.id, job_id=job.id, model_id=model.id, status="completed",
        duration_min=sum(stage["duration_min"] for stage in specs[own["job_code"]]["stages"]),
        scheduled_at=(now - timedelta(days=own["days_ago"])).replace(hour=2, minute=0, second=0, microsecond=0)))
    answers = own["answers"]
    _scored_answers(session, interview, specs[own["job_code"]], model,
                    {k: a["text"] for k, a in answers.items()}, {k: a["score"] for k, a in answers.items()},
                    {k: a["evidence"] for k, a in answers.items()})
    if ANALYTICS["job_code"] in jobs:
        _load_analytics_history(session, jobs, now)


# HR's analytics: past candidates of one job through the whole funnel (portal/demo_content/analytics.json).
ANALYTICS = _content("analytics.json")


def _load_analytics_history(session, jobs: dict, now: datetime) -> None:
    """The job's past candidates: invitation, device check, scored interview, the rule's
    decision, hire and probation review, an HR-recorded group, an interviewer's levels."""
    from portal.services.platform import crypto

    code = ANALYTICS["job_code"]
    job, model = jobs[code]
    spec = next(s for s in JOBS if s["code"] == code)
    duration = sum(stage["duration_min"] for stage in spec["stages"])
    rule = session.exec(select(models.AutoAdvanceRule).where(models.AutoAdvanceRule.job_id == job.id)
                        .order_by(models.AutoAdvanceRule.id)).first()
    required = {c.key: c.required_level for c in session.exec(
        select(models.Competency).where(models.Competency.model_id == model.id)).all()}
    rater = session.exec(select(models.User).where(models.User.email == demo_email(ANALYTICS["rater"]))).first()
    hr = session.exec(select(models.User).where(models.User.email == demo_email("hr"))).first()
    for n, person_spec in enumerate(ANALYTICS["people"], start=1):
        at = (now - timedelta(days=person_spec["interview_days_ago"])).replace(hour=2, minute=0, second=0,
                                                                                 microsecond=0)
        hired_at = at + timedelta(days=person_spec["hired_days_after"]) if "hired_days_after" in person_spec else None
        person = _get_or_add(session, models.User, {"email": f"cohort-{code.lower()}-past-{n}@{DEMO_EMAIL_DOMAIN}"},
                             {"display_name": person_spec["name"], "locale": "zh_CN",
                              "role": "employee" if hired_at else "candidate", "hired_at": hired_at})
        interview = _add(session, models.Interview(
            candidate_id=person.id, job_id=job.id, model_id=model.id, duration_min=duration, scheduled_at=at,
            status=person_spec["status"], created_at=at - timedelta(days=person_spec["invited_days_before"])))
        check = person_spec["device_check"]
        if check is not None:
            _add(session, models.DeviceCheck(
                user_id=person.id, interview_id=interview.id, checked_at=at - timedelta(days=check["days_before"]),
                **{f"{part}_ok": part not in check["failed"] for part in ("camera", "microphone", "network", "browser")},
                problems=[]))
        if "group" in person_spec and hr is not None:
            _add(session, models.RecordedGroup(candidate_id=person.id, label_enc=crypto.encrypt(person_spec["group"]),
                                               recorded_by_id=hr.id, recorded_at=at))
        if "scores" not in person_spec:
            continue
        scores = person_spec["scores"]
        overall = _scored_answers(session, interview, spec, model, {}, scores, {})
        met = all(round(scores[k]) >= round(level) for k, level in required.items())
        decision = {}
        if rule is not None and round(overall) >= rule.min_overall and (met or not rule.require_all_required_levels):
            decision = {"rule_id": rule.id, "min_overall": rule.min_overall,
                        "require_all_required_levels": rule.require_all_required_levels, "action": rule.action,
                        "overall": round(overall), "all_required_met": met}
        _add(session, models.Report(interview_id=interview.id, candidate_id=person.id, overall=overall,
                                    decision=decision, published_at=at + timedelta(days=1),
                                    summary_sent_at=at + timedelta(days=1), created_at=at + timedelta(days=1)))
        levels = person_spec.get("human_levels")
        if levels and rater is not None:
            for answer_id, key in session.exec(
                    select(models.Answer.id, models.Question.competency_key)
                    .join(models.Question, models.Question.id == models.Answer.question_id)
                    .where(models.Answer.interview_id == interview.id)).all():
                if key in levels:
                    _add(session, models.InterviewerRating(answer_id=answer_id, competency_key=key, rater_id=rater.id,
                                                           level=levels[key], created_at=at, updated_at=at))
        review = person_spec.get("performance")
        if review and hired_at is not None:
            _add(session, models.PerformanceReview(
                user_id=person.id, period=review["period"], score=float(review["score"]),
                reviewed_at=hired_at + timedelta(days=review["days_after_hire"])))


def add_scored_interviews(session: Session, now: datetime | None = None) -> bool:
    """The scored interviews of the demo (a cohort per job, a past interview of the demo
    candidate), once, for a demo install that has none yet (installs made before reports).
    Returns whether they were added."""
    if not is_demo_loaded(session) or session.exec(select(models.User.id).where(
            models.User.email.like(f"cohort-%@{DEMO_EMAIL_DOMAIN}"))).first() is not None:
        return False
    candidate = session.exec(select(models.User).where(models.User.email == demo_email("candidate"))).first()
    jobs = {}
    for job in session.exec(select(models.Job).where(models.Job.code.in_(list(SCORED["cohort"])))).all():
        model = session.exec(select(models.CompetencyModel).where(
            models.CompetencyModel.job_id == job.id, models.CompetencyModel.is_current.is_(True))).first()
        jobs[job.code] = (job, model)
    if candidate is None or len(jobs) != len(SCORED["cohort"]):
        return False  # HR has changed the demo jobs: leave them alone
    _load_scored_interviews(session, candidate, jobs, _naive_utc(now or models.utcnow()))
    return True


def load_demo(session: Session, now: datetime | None = None, *, scored_interviews: bool = False) -> bool:
    """Insert the demo content once. Returns False (and touches nothing) when it is
    already there. The caller commits. ``now`` (UTC, naive or aware) anchors the
    relative dates; tests pass it to get stable values. ``scored_interviews``: also the
    cohort of scored interviews and the demo candidate's past one (what the portal loads;
    most tests count answers and want none)."""
    if is_demo_loaded(session):
        return False
    now = _naive_utc(now or models.utcnow())

    # Accounts first: existing rows with the same email are reused untouched.
    from portal.services.accounts import passwords

    demo_hash = passwords.hash_password(DEMO_PASSWORD)
    users: dict[str, models.User] = {}
    for role in models.ROLES:
        extra = {}
        if role == "employee":
            extra["hired_at"] = now - timedelta(days=EMPLOYEE_HIRED_DAYS_AGO)
        users[role] = _get_or_add(
            session,
            models.User,
            {"email": demo_email(role)},
            {"display_name": DEMO_USERS[role], "role": role, "locale": "zh_CN",
             "password_hash": demo_hash, "password_changed_at": now, **extra},
        )

    jobs: dict[str, tuple[models.Job, models.CompetencyModel]] = {}
    for spec in JOBS:
        jobs[spec["code"]] = _load_job(session, spec)
    for code, guide in GUIDES.items():
        _add(session, models.InterviewGuide(job_id=jobs[code][0].id, **guide))

    profile_fields = (
        "name_zh", "name_en", "title_zh", "title_en", "background_zh", "background_en",
        "focus_zh", "focus_en", "years_experience",
    )
    profiles: list[models.InterviewerProfile] = []
    for index, spec in enumerate(INTERVIEWERS, start=1):
        linked = index - 1 == INTERVIEWER_ACCOUNT_PROFILE
        profile = models.InterviewerProfile(
            user_id=users["interviewer"].id if linked else None,
            photo=interviewer_photo(index),
            **{k: spec[k] for k in profile_fields},
        )
        profiles.append(_add(session, profile))

    courses: dict[str, models.Course] = {}
    for spec in COURSES:
        course = _get_or_add(
            session,
            models.Course,
            {"code": spec["code"]},
            {k: v for k, v in spec.items() if k not in ("code", "competencies", "offerings")},
        )
        courses[spec["code"]] = course
        _offerings(session, course, spec, now)
        for key in spec["competencies"]:
            _get_or_add(
                session,
                models.CourseCompetency,
                {"course_id": course.id, "competency_key": key},
                {},
            )

    # The candidate's upcoming interview: in three days at 10:00 Beijing time (02:00 UTC).
    am_spec = JOBS[0]
    am_job, am_model = jobs[am_spec["code"]]
    scheduled_at = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    interview = _add(
        session,
        models.Interview(
            candidate_id=users["candidate"].id,
            job_id=am_job.id,
            model_id=am_model.id,
            scheduled_at=scheduled_at,
            duration_min=sum(stage["duration_min"] for stage in am_spec["stages"]),
            status="scheduled",
        ),
    )
    _add(
        session,
        models.InterviewAssignment(
            interview_id=interview.id,
            interviewer_id=profiles[INTERVIEWER_ACCOUNT_PROFILE].id,
        ),
    )

    # The employee's development history.
    employee = users["employee"]
    hired_at = _naive_utc(employee.hired_at or now - timedelta(days=EMPLOYEE_HIRED_DAYS_AGO))
    for spec in EMPLOYEE_GOALS:
        if "due_days_after_hire" in spec:
            due = hired_at + timedelta(days=spec["due_days_after_hire"])
        else:
            due = now + timedelta(days=spec["due_days_from_now"])
        _add(
            session,
            models.DevelopmentGoal(
                user_id=employee.id,
                competency_key=spec["competency_key"],
                title=spec["title"],
                description=spec["description"],
                target_level=float(spec["target_level"]),
                due_date=due,
                is_probation=spec["is_probation"],
                status=spec["status"],
                created_by_id=users["hr"].id,
                created_at=hired_at,
            ),
        )
    for key, scores in EMPLOYEE_PROGRESS.items():
        for month, score in enumerate(scores):
            # Month 0 is the hiring interview, ten days before the start date.
            taken_at = hired_at + (timedelta(days=30 * month) if month else timedelta(days=-10))
            _add(
                session,
                models.ProgressSnapshot(
                    user_id=employee.id,
                    competency_key=key,
                    score=float(score),
                    source="interview" if month == 0 else "review",
                    taken_at=min(taken_at, now),
                ),
            )
    for spec in EMPLOYEE_ENROLLMENTS:
        completed = spec.get("completed_days_after_hire")
        _get_or_add(
            session,
            models.Enrollment,
            {"user_id": employee.id, "course_id": courses[spec["course_code"]].id},
            {
                "status": spec["status"],
                "progress_pct": spec["progress_pct"],
                "modules_done": round(courses[spec["course_code"]].modules * spec["progress_pct"] / 100),
                "enrolled_at": hired_at + timedelta(days=spec["enrolled_days_after_hire"]),
                "completed_at": (
                    hired_at + timedelta(days=completed) if completed is not None else None
                ),
            },
        )

    if scored_interviews:
        _load_scored_interviews(session, users["candidate"], jobs, now)

    for spec in EMAIL_TEMPLATES:
        _get_or_add(
            session,
            models.EmailTemplate,
            {"key": spec["key"], "locale": spec["locale"]},
            {"subject": spec["subject"], "body": spec["body"]},
        )

    _add(session, models.AppSetting(key=DEMO_MARKER_KEY, value=now.isoformat(timespec="seconds")))
    return True
