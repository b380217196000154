"""HR's decision rules (issue 12 · rules): the parser (good rules in both languages' names,
each kind of error), evaluation, versions, the preview on the demo's scored interviews,
firing when the real worker's last score of an interview is stored, and a person's
confirmation or override (who may, with what reason) before the report shows anything."""

from __future__ import annotations

import json
import secrets
from collections import namedtuple
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import models
from portal.services.interviews import consent, rules
from portal.services.interviews import scoring_client as sc
from portal.services.platform import db
from portal.services.platform.demo import CONTENT_DIR, demo_email
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.reports import decisions, report
from tests.unit.worker import conftest as worker_helpers

C = namedtuple("C", "key name_zh name_en")
MODEL = [C("communication", "沟通能力", "Communication"), C("customer_focus", "客户导向", "Customer Focus")]
NUMBERS = {"overall": 78, "communication": 86, "customer_focus": 69}


# ---------------------------------------------------------------- the parser


@pytest.mark.parametrize("text, canonical", [
    ("overall ≥ 80", "overall ≥ 80"),
    ("总分>=80", "overall ≥ 80"),
    ("communication ≥ 85 AND 客户导向 ≥ 70", "communication ≥ 85 AND customer_focus ≥ 70"),
    ("沟通能力≥85且客户导向≥70", "communication ≥ 85 AND customer_focus ≥ 70"),
    ("Customer Focus > 60 or overall < 50", "customer_focus > 60 OR overall < 50"),
    ("customer focus ≤ 60 或 COMMUNICATION = 86", "customer_focus ≤ 60 OR communication = 86"),
    ("(overall ≥ 80 OR 沟通能力 ≥ 90) AND customer_focus <= 100",
     "(overall ≥ 80 OR communication ≥ 90) AND customer_focus ≤ 100"),
    ("（总分 ≥ 0.5）", "overall ≥ 0.5"),
])
def test_good_rules_parse_by_code_and_by_either_languages_name(text, canonical):
    assert rules.render(rules.parse(text, MODEL)) == canonical
    assert rules.render(rules.parse_canonical(canonical)) == canonical  # what is stored parses back


@pytest.mark.parametrize("text, msgid, params", [
    ("", rules.EMPTY, {}),
    ("overall ≥ 80 " * 40, rules.TOO_LONG, {"max": 500}),
    ("overall ≥ 80 ; DROP TABLE", rules.BAD_CHARACTER, {"at": 14, "near": ";"}),
    ("__import__('os') ≥ 1", rules.BAD_CHARACTER, {"at": 12, "near": "'"}),
    ("≥ 80", rules.EXPECTED_NAME, {"at": 1, "near": "≥"}),
    ("overall ≥ 80 AND", rules.EXPECTED_NAME_END, {}),
    ("teamwork ≥ 70", rules.UNKNOWN_NAME, {"name": "teamwork", "at": 1}),
    ("团队合作 ≥ 70", rules.UNKNOWN_NAME, {"name": "团队合作", "at": 1}),
    ("overall 80", rules.EXPECTED_OPERATOR, {"name": "overall", "at": 9}),
    ("overall ≥ high", rules.EXPECTED_NUMBER, {"at": 11}),
    ("overall ≥", rules.EXPECTED_NUMBER, {"at": 10}),
    ("overall ≥ 120", rules.NUMBER_RANGE, {"number": "120", "at": 11}),
    ("overall ≥ 80 communication ≥ 85", rules.EXPECTED_CONNECTOR, {"at": 14, "near": "communication"}),
    ("(overall ≥ 80", rules.UNCLOSED, {"at": 1}),
    ("overall ≥ 80)", rules.UNOPENED, {"at": 13}),
    ("(" * 9 + "overall ≥ 1" + ")" * 9, rules.TOO_DEEP, {"max": 8}),
    (" OR ".join(["overall ≥ 1"] * 21), rules.TOO_MANY, {"max": 20}),
])
def test_each_kind_of_error_says_what_and_where(text, msgid, params):
    with pytest.raises(ServiceError) as caught:
        rules.parse(text, MODEL)
    assert caught.value.msgid == msgid
    assert {k: caught.value.params[k] for k in params} == params
    for locale in ("zh_CN", "en"):  # a message in either language, with the place filled in
        words = caught.value.translate(locale)
        assert "{" not in words and all(str(v) in words for v in params.values())


def test_an_unknown_name_lists_the_names_one_may_use():
    with pytest.raises(ServiceError) as caught:
        rules.parse("teamwork ≥ 70", MODEL)
    assert "客户导向" in caught.value.params["names"] and "Customer Focus" in caught.value.params["names"]


@pytest.mark.parametrize("text, met", [
    ("overall ≥ 78", True), ("overall > 78", False), ("overall = 78", True), ("overall ≤ 77", False),
    ("communication ≥ 85 AND 客户导向 ≥ 70", False), ("communication ≥ 85 AND 客户导向 ≥ 69", True),
    ("communication ≥ 90 OR customer_focus < 70", True), ("(overall ≥ 90 OR 沟通能力 ≥ 86) AND 客户导向 < 70", True),
    ("overall ≥ 90 OR 沟通能力 ≥ 86 AND 客户导向 ≥ 70", False),  # AND binds before OR
])
def test_evaluation(text, met):
    assert rules.evaluate(rules.parse(text, MODEL), NUMBERS) is met


def test_a_rule_is_shown_in_the_readers_language():
    canonical = rules.render(rules.parse("沟通能力 ≥ 85 AND overall ≥ 70", MODEL))
    names = {c.key: (c.name_zh, c.name_en) for c in MODEL}
    assert rules.describe(canonical, "en", names) == "Communication ≥ 85 AND overall ≥ 70"
    assert rules.describe(canonical, "zh_CN", names) == "沟通能力 ≥ 85 且 总分 ≥ 70"


# ---------------------------------------------------------------- rules in the database


def _job(s, code: str) -> models.Job:
    return s.execute(select(models.Job).where(models.Job.code == code)).scalar_one()


def _user(s, role: str) -> models.User:
    return s.execute(select(models.User).where(models.User.email == demo_email(role))).scalar_one()


def _expected(code: str, test) -> tuple[int, int]:
    """From the demo's own data file: how many of the job's seeded scored interviews meet ``test``."""
    seeded = json.loads((CONTENT_DIR / "scored_interviews.json").read_text(encoding="utf-8"))
    people = list(seeded["cohort"][code])
    if seeded["candidate"]["job_code"] == code:
        people.append({k: a["score"] for k, a in seeded["candidate"]["answers"].items()})
    with db.session_scope() as s:
        model = s.execute(select(models.CompetencyModel).where(
            models.CompetencyModel.job_id == _job(s, code).id)).scalar_one()
        weights = {c.key: c.weight for c in s.execute(select(models.Competency).where(
            models.Competency.model_id == model.id)).scalars()}
    met = 0
    for person in people:
        overall = round(sum(person[k] * w for k, w in weights.items()) / sum(weights.values()))
        met += bool(test(overall, person))
    return met, len(people)


def test_hr_writes_previews_and_activates_a_rule_and_a_bad_rule_changes_nothing(scored_demo):
    with db.session_scope() as s:
        hr, job = _user(s, "hr"), _job(s, "PROD-PM-001")
        with pytest.raises(ServiceError) as caught:
            rules.create(s, hr, job.id, "teamwork ≥ 70", rules.ADVANCE)
        assert caught.value.msgid == rules.UNKNOWN_NAME  # not in this job's model
        with pytest.raises(ServiceError):
            rules.create(s, hr, job.id, "overall ≥ 70", "hire")
    with db.session_scope() as s:
        assert s.execute(select(func.count()).select_from(models.DecisionRule)).scalar_one() == 0
        rule = rules.create(s, _user(s, "hr"), job.id, "overall ≥ 70 AND 沟通能力 ≥ 70", rules.ADVANCE)
        assert rule.canonical == "overall ≥ 70 AND communication ≥ 70" and rule.status == rules.DRAFT
        with pytest.raises(ServiceError) as caught:
            rules.activate(s, hr, rule.id)
        assert caught.value.msgid == rules.PREVIEW_FIRST
        shown = rules.preview(s, hr, rule.id)
        met, total = _expected("PROD-PM-001", lambda overall, p: overall >= 70 and p["communication"] >= 70)
        assert (len(shown.matched), shown.total) == (met, total) and 0 < met < total
        assert all(r.numbers["overall"] >= 70 and r.numbers["communication"] >= 70 and r.candidate
                   for r in shown.matched)
        rules.activate(s, hr, rule.id)
        assert rule.status == rules.ACTIVE and rule.activated_by_id == hr.id
        actions = set(s.execute(select(models.AuditEvent.action)).scalars())
        assert {"rule.create", "rule.preview", "rule.activate"} <= actions


def test_editing_an_active_rule_adds_a_version_and_firings_keep_theirs(scored_demo):
    users, past_id = scored_demo
    with db.session_scope() as s:
        hr = _user(s, "hr")
        past = s.get(models.Interview, past_id)
        draft = rules.create(s, hr, past.job_id, "overall ≥ 99", rules.ADVANCE)
        edited = rules.edit(s, hr, draft.id, "overall ≥ 1", rules.ADVANCE)
        assert edited.id == draft.id and edited.version == 1  # a draft changes in place
        with pytest.raises(ServiceError) as caught:
            rules.edit(s, hr, draft.id, "overall ≥ 1", rules.ADVANCE)
        assert caught.value.msgid == rules.UNCHANGED
        rules.preview(s, hr, draft.id)
        rules.activate(s, hr, draft.id)
        [first] = rules.fire_for_interview(s, past)
        assert (first.rule_id, first.rule_version, first.proposed) == (draft.id, 1, rules.ADVANCE)
        assert rules.fire_for_interview(s, past) == []  # once per version and interview

        v2 = rules.edit(s, hr, draft.id, "总分 ≥ 2", rules.REJECT)
        assert (v2.id != draft.id, v2.version, v2.rule_no, v2.status) == (True, 2, draft.rule_no, rules.DRAFT)
        assert draft.status == rules.ACTIVE  # in force until the new version is activated
        with pytest.raises(ServiceError) as caught:
            rules.edit(s, hr, draft.id, "overall ≥ 3", rules.ADVANCE)
        assert caught.value.msgid == rules.NOT_LATEST
        rules.preview(s, hr, v2.id)
        rules.activate(s, hr, v2.id)
        s.refresh(draft)
        assert draft.status == rules.SUPERSEDED
        with pytest.raises(ServiceError):
            rules.activate(s, hr, draft.id)  # an old version never comes back
        [second] = rules.fire_for_interview(s, past)
        assert (second.rule_version, second.proposed) == (2, rules.REJECT)
        s.refresh(first)
        assert first.rule_version == 1 and s.get(models.DecisionRule, first.rule_id).canonical == "overall ≥ 1"
        [group] = rules.rules_of_job(s, hr, past.job_id)
        assert [r.version for r in group] == [2, 1]
        rules.deactivate(s, hr, v2.id)
        assert rules.fire_for_interview(s, past) == [] and v2.status == rules.INACTIVE


def test_only_hr_manages_rules_and_confirms_decisions_and_refusals_are_audited(scored_demo):
    users, past_id = scored_demo
    with db.session_scope() as s:
        job_id = s.get(models.Interview, past_id).job_id
        rule = rules.create(s, _user(s, "hr_manager"), job_id, "overall ≥ 1", rules.ADVANCE)
        rules.preview(s, _user(s, "hr_manager"), rule.id)
        rules.activate(s, _user(s, "hr_manager"), rule.id)
        [firing] = rules.fire_for_interview(s, s.get(models.Interview, past_id))
        firing_id, rule_id = firing.id, rule.id
    for role in ("candidate", "employee", "interviewer", "admin"):
        with db.session_scope() as s:
            user = _user(s, role)
            for call in (lambda: rules.create(s, user, job_id, "overall ≥ 1", rules.ADVANCE),
                         lambda: rules.preview(s, user, rule_id), lambda: rules.activate(s, user, rule_id),
                         lambda: rules.deactivate(s, user, rule_id), lambda: rules.pending(s, user),
                         lambda: rules.decide(s, user, firing_id, confirm=True)):
                with pytest.raises(PermissionDenied):
                    call()
    with db.session_scope() as s:
        denied = s.execute(select(func.count()).select_from(models.AuditEvent).where(
            models.AuditEvent.action == "access_denied")).scalar_one()
        assert denied >= 4
        assert s.get(models.RuleFiring, firing_id).status == rules.PENDING


def test_the_report_shows_a_decision_only_once_a_person_confirmed_it(scored_demo):
    users, past_id = scored_demo
    with db.session_scope() as s:
        hr, candidate = _user(s, "hr"), _user(s, "candidate")
        past = s.get(models.Interview, past_id)
        rule = rules.create(s, hr, past.job_id, "overall ≥ 1 AND 沟通能力 ≥ 1", rules.ADVANCE)
        rules.preview(s, hr, rule.id)
        rules.activate(s, hr, rule.id)
        [firing] = rules.fire_for_interview(s, past)
        shown = report.candidate_report(s, candidate, past_id)
        assert shown.decisions == []  # proposed only: nothing on the report
        waiting, decided = rules.pending(s, hr)
        assert [w.id for w in waiting] == [firing.id] and decided == []
        with pytest.raises(ServiceError) as caught:
            rules.decide(s, hr, firing.id, confirm=False, reason="no")
        assert caught.value.msgid == rules.REASON_SHORT
        rules.decide(s, hr, firing.id, confirm=True)
        with pytest.raises(ServiceError) as caught:
            rules.decide(s, hr, firing.id, confirm=False, reason="changed my mind after the call")
        assert caught.value.msgid == rules.DECIDED_ALREADY
        shown = report.candidate_report(s, candidate, past_id)
        [view] = shown.decisions
        numbers = rules.interview_numbers(s, [past])[past_id]
        assert view.numbers == {"overall": numbers["overall"], "communication": numbers["communication"]}
        words = decisions.decision_words(shown.decisions, "en", shown.names)
        assert words[0] == "Decision on your application: you advance to the next round."
        assert "“overall ≥ 1 AND Communication ≥ 1” (rule" in words[1] and "version 1" in words[1]
        assert f"overall {numbers['overall']}, Communication {numbers['communication']}" in words[1]
        assert words[2].startswith(f"Confirmed by {hr.display_name} on ")
        zh = decisions.decision_words(shown.decisions, "zh_CN", shown.names)
        assert "沟通能力" in zh[1] and hr.display_name in zh[2]
        assert decisions.next_steps(decisions.advanced(shown.decisions), shown.published_at, "en")[0] \
            .startswith("HR invites you to the next round by ")
        assert "decision.confirm" in set(s.execute(select(models.AuditEvent.action)).scalars())


def test_an_override_decides_the_other_outcome_with_its_reason(scored_demo):
    users, past_id = scored_demo
    with db.session_scope() as s:
        hr = _user(s, "hr")
        past = s.get(models.Interview, past_id)
        rule = rules.create(s, hr, past.job_id, "overall ≥ 1", rules.REJECT)
        rules.preview(s, hr, rule.id)
        rules.activate(s, hr, rule.id)
        [firing] = rules.fire_for_interview(s, past)
        rules.decide(s, hr, firing.id, confirm=False, reason="Strong references from the hiring manager.")
        assert (firing.status, firing.outcome, firing.decided_by_id) == (rules.OVERRIDDEN, rules.ADVANCE, hr.id)
        shown = report.candidate_report(s, _user(s, "candidate"), past_id)
        words = decisions.decision_words(shown.decisions, "en", shown.names)
        assert words[0] == "Decision on your application: you advance to the next round."
        assert "decided otherwise than the rule" in words[2] and "Strong references" in words[2]
        assert "decision.override" in set(s.execute(select(models.AuditEvent.action)).scalars())


# ---------------------------------------------------------------- firing when the worker's scores are stored


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    w = worker_helpers.start_worker(tmp_path_factory.mktemp("rules-worker"), token=secrets.token_urlsafe(32))
    yield w
    worker_helpers.stop_worker(w)


def test_the_last_score_of_an_interview_fires_the_jobs_active_rules(scored_demo, worker):
    users, _ = scored_demo
    with db.session_scope() as s:
        hr, candidate = _user(s, "hr"), _user(s, "candidate")
        job = _job(s, "RD-SE-001")
        model = s.execute(select(models.CompetencyModel).where(models.CompetencyModel.job_id == job.id)).scalar_one()
        met = rules.create(s, hr, job.id, "overall ≥ 0", rules.ADVANCE)
        never = rules.create(s, hr, job.id, "overall < 0", rules.REJECT)
        for rule in (met, never):
            rules.preview(s, hr, rule.id)
            rules.activate(s, hr, rule.id)
        consent.grant(s, candidate, consent.current_version(s))
        interview = models.Interview(candidate_id=candidate.id, job_id=job.id, model_id=model.id,
                                     scheduled_at=sc.utcnow() - timedelta(minutes=30), status="in_progress")
        s.add(interview)
        s.flush()
        for q in s.execute(select(models.Question).where(models.Question.job_id == job.id,
                                                         models.Question.is_practice.is_(False))).scalars():
            sc.submit_answer(s, candidate, q.id, "我负责过一次数据库迁移：先评估风险，再分批切换，最后复盘并写了文档。",
                             language="zh", interview_id=interview.id)
        interview.status = "completed"
        interview_id, met_id = interview.id, met.id
    client = sc.ScoringClient(worker.url, worker.token)
    assert sc.dispatch_due(lambda: db.session_scope(), client, limit=1) == 1
    with db.session_scope() as s:  # not every answer scored yet: nothing fires
        assert s.execute(select(models.RuleFiring)).scalars().all() == []
    assert sc.dispatch_due(lambda: db.session_scope(), client) >= 1
    with db.session_scope() as s:
        [firing] = s.execute(select(models.RuleFiring)).scalars().all()
        numbers = rules.interview_numbers(s, [s.get(models.Interview, interview_id)])[interview_id]
        assert (firing.interview_id, firing.rule_id, firing.rule_version) == (interview_id, met_id, 1)
        assert firing.numbers == {"overall": numbers["overall"]} and firing.status == rules.PENDING
        assert firing.proposed == rules.ADVANCE
        assert "rule.fire" in set(s.execute(select(models.AuditEvent.action)).scalars())


def test_the_pdf_shows_the_confirmed_decision_and_nothing_before(scored_demo):
    import pypdfium2 as pdfium

    from portal.services.reports import pdf

    def text(found) -> str:
        doc = pdfium.PdfDocument(pdf.render(found, "x", "en", found.scheduled_at.date(), "Asia/Shanghai"))
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).replace("\r\n", " ")

    users, past_id = scored_demo
    with db.session_scope() as s:
        hr, candidate = _user(s, "hr"), _user(s, "candidate")
        rule = rules.create(s, hr, s.get(models.Interview, past_id).job_id, "overall ≥ 1", rules.ADVANCE)
        rules.preview(s, hr, rule.id)
        rules.activate(s, hr, rule.id)
        [firing] = rules.fire_for_interview(s, s.get(models.Interview, past_id))
        assert "Decision on your application" not in text(report.candidate_report(s, candidate, past_id))
        rules.decide(s, hr, firing.id, confirm=True)
        shown = text(report.candidate_report(s, candidate, past_id))
        assert "Decision on your application: you advance to the next round." in shown
        assert f"Confirmed by {hr.display_name}" in shown and "version 1" in shown
