"""HR content services: competency model versioning, weight validation, CSV import."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from portal.models import Competency, CompetencyModel, Interview, Job, Question, User
from portal.services.interviews import job_config, question_bank
from portal.services.platform import db
from portal.services.platform.demo import demo_email, load_demo
from portal.services.platform.errors import PermissionDenied, ServiceError


def _comp(key, pct):
    return {"key": key, "name_zh": "沟通" + key, "name_en": "Comm " + key, "weight_pct": pct, "required_level": 70,
            "keywords": ["a"], "anchors": {lv: {"zh": f"锚{lv}", "en": f"anchor {lv}"} for lv in (1, 3, 5)}}


@pytest.fixture
def demo(db_url):
    with db.session_scope(db_url) as s:
        load_demo(s)
        yield s, {r: s.execute(select(User).where(User.email == demo_email(r))).scalar_one()
                  for r in ("hr", "candidate")}


def test_weights_must_sum_to_100_and_nothing_changes(demo):
    s, users = demo
    job = Job(code="new-job", title_zh="新", title_en="New")
    s.add(job)
    s.flush()
    with pytest.raises(ServiceError) as err:
        job_config.save_model(s, users["hr"], job.id, [_comp("a", 50), _comp("b", 40)])
    assert "100" in err.value.msgid
    assert s.execute(select(CompetencyModel).where(CompetencyModel.job_id == job.id)).first() is None
    model = job_config.save_model(s, users["hr"], job.id, [_comp("a", 60), _comp("b", 40)])
    weights = sorted(c.weight for c in s.execute(select(Competency).where(Competency.model_id == model.id)).scalars())
    assert weights == [0.4, 0.6]


@pytest.mark.parametrize("bad", [
    [_comp("a", 50), _comp("a", 50)],
    [{**_comp("a", 100), "name_en": ""}],
    [{**_comp("a", 100), "required_level": 101}],
    [{**_comp("a", 100), "anchors": {1: {"zh": "x", "en": "x"}}}],
])
def test_invalid_models_refused(bad):
    with pytest.raises(ServiceError):
        job_config.validate_model(bad)


def test_model_in_use_gets_new_version_unused_edited_in_place(demo):
    s, users = demo
    job = Job(code="v-job", title_zh="新", title_en="New")
    s.add(job)
    s.flush()
    first = job_config.save_model(s, users["hr"], job.id, [_comp("a", 100)])
    again = job_config.save_model(s, users["hr"], job.id, [_comp("b", 100)])
    assert again.id == first.id and again.version == 1  # not used yet: in place
    s.add(Interview(candidate_id=users["candidate"].id, job_id=job.id, model_id=first.id,
                    scheduled_at=datetime.now(timezone.utc)))
    s.flush()
    second = job_config.save_model(s, users["hr"], job.id, [_comp("c", 100)])
    assert second.id != first.id and second.version == 2 and second.is_current
    s.refresh(first)
    assert not first.is_current
    assert [c.key for c in s.execute(select(Competency).where(Competency.model_id == first.id)).scalars()] == ["b"]


def test_candidate_may_not_edit(demo):
    s, users = demo
    with pytest.raises(PermissionDenied):
        job_config.save_model(s, users["candidate"], 1, [_comp("a", 100)])


def _csv(rows):
    return ("\ufeff" + ",".join(question_bank.COLUMNS) + "\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_csv_all_or_nothing_with_row_errors_then_import_and_export(demo):
    s, users = demo
    job = Job(code="csv-job", title_zh="新", title_en="New")
    s.add(job)
    s.flush()
    job_config.save_model(s, users["hr"], job.id, [_comp("comm", 100)])
    before = s.execute(select(Question)).all()
    bad = _csv(["csv-job,comm,interview,问题一,Question one,30,120",
                "nope,comm,interview,问题,Q,30,120",
                "csv-job,comm,oral,问题,Q,30,120",
                "csv-job,comm,practice,问题,Q,thirty,120"])
    with pytest.raises(question_bank.ImportRefused) as err:
        question_bank.import_csv(s, users["hr"], bad)
    assert [n for n, _, _ in err.value.rows] == [3, 4, 5]
    assert s.execute(select(Question)).all() == before
    good = _csv(["csv-job,comm,interview,问题一,Question one,30,120", "csv-job,comm,practice,练习,Practice,20,60"])
    assert question_bank.import_csv(s, users["hr"], good) == 2
    out = question_bank.export_csv(s, users["hr"])
    assert out.startswith("\ufeff".encode("utf-8"))
    text = out.decode("utf-8-sig")
    assert "csv-job,comm,interview,问题一,Question one,30,120" in text
    assert "csv-job,comm,practice,练习,Practice,30,60" in text


def test_csv_too_large_refused(demo):
    s, users = demo
    with pytest.raises(ServiceError):
        question_bank.import_csv(s, users["hr"], b"x" * (question_bank.MAX_BYTES + 1))


def test_save_job_create_edit_and_refuse(demo):
    s, users = demo
    job = job_config.save_job(s, users["hr"], {"code": "ops-1", "title_zh": "运营", "title_en": "Ops",
                                               "reading_time_s": 20, "retakes": 2, "report_publishing": "hr"})
    assert job.id and job.report_publishing == "hr" and job.is_open
    with pytest.raises(ServiceError):
        job_config.save_job(s, users["hr"], {"code": "ops-1", "title_zh": "重复", "title_en": "Dup"})
    with pytest.raises(ServiceError):
        job_config.save_job(s, users["hr"], {"code": "ops-1", "title_zh": "运营", "title_en": "Ops", "retakes": 9},
                            job_id=job.id)
    s.refresh(job)
    assert job.retakes == 2
    job_config.save_job(s, users["hr"], {"code": "ops-1", "title_zh": "运营", "title_en": "Ops", "is_open": False},
                        job_id=job.id)
    assert not job.is_open


def test_try_answer_worker_down_is_a_translated_refusal(demo):
    from portal.services.interviews.scoring_client import ScoringClient

    s, users = demo
    with ScoringClient("http://127.0.0.1:9", "token", timeout=1.0) as down:
        with pytest.raises(ServiceError) as err:
            job_config.try_answer(s, users["hr"], "Q?", "I led a team.", [_comp("a", 100)], client=down)
    assert "scoring service" in err.value.msgid


def test_pages_read_jobs_drafts_history_and_one_jobs_questions(demo):
    s, users = demo
    job = job_config.save_job(s, users["hr"], {"code": "read-1", "title_zh": "读", "title_en": "Read"})
    listed = {j["code"]: j for j in job_config.list_jobs(s, users["hr"])}
    assert listed["read-1"]["version"] == 0 and listed["read-1"]["questions"] == 0
    assert listed["SALES-AM-001"]["version"] >= 1 and listed["SALES-AM-001"]["questions"] > 0
    _job, draft, history = job_config.job_for_edit(s, users["hr"], job.id)
    assert draft == [] and history == []

    comps = [{**_comp("a", 62.5), "description_en": "Desc"}, _comp("b", 37.5)]
    model = job_config.save_model(s, users["hr"], job.id, comps)
    _job, draft, history = job_config.job_for_edit(s, users["hr"], job.id)
    assert [c["key"] for c in draft] == ["a", "b"] and draft[0]["weight_pct"] == 62.5
    assert draft[0]["anchors"][3] == {"zh": "锚3", "en": "anchor 3"} and draft[0]["description_en"] == "Desc"
    job_config.validate_model(draft)  # the draft round-trips into save_model's shape
    assert [(h["version"], h["is_current"], h["interviews"]) for h in history] == [(1, True, 0)]
    s.add(Interview(candidate_id=users["candidate"].id, job_id=job.id, model_id=model.id,
                    scheduled_at=datetime.now(timezone.utc)))
    s.flush()
    job_config.save_model(s, users["hr"], job.id, draft)
    _job, _draft, history = job_config.job_for_edit(s, users["hr"], job.id)
    assert [(h["version"], h["is_current"], h["interviews"]) for h in history] == [(2, True, 0), (1, False, 1)]

    with pytest.raises(ServiceError):
        job_config.job_for_edit(s, users["hr"], 999_999)
    with pytest.raises(PermissionDenied):
        job_config.list_jobs(s, users["candidate"])
    with pytest.raises(PermissionDenied):
        question_bank.list_questions(s, users["candidate"], job.id)


def test_export_of_one_job_holds_only_its_questions(demo):
    s, users = demo
    job = Job(code="one-job", title_zh="一", title_en="One")
    s.add(job)
    s.flush()
    job_config.save_model(s, users["hr"], job.id, [_comp("comm", 100)])
    question_bank.import_csv(s, users["hr"], _csv(["one-job,comm,interview,问,Q,30,120"]))
    assert [q.text_en for q in question_bank.list_questions(s, users["hr"], job.id)] == ["Q"]
    lines = question_bank.export_csv(s, users["hr"], job_id=job.id).decode("utf-8-sig").splitlines()
    assert lines == [",".join(question_bank.COLUMNS), "one-job,comm,interview,问,Q,30,120"]
    everything = question_bank.export_csv(s, users["hr"]).decode("utf-8-sig")
    assert "SALES-AM-001" in everything


def test_the_weight_message_shows_the_total_as_typed():
    with pytest.raises(ServiceError) as err:
        job_config.validate_model([_comp("a", 50), _comp("b", 40)])
    assert err.value.params["total"] == "90"


def test_stages_are_replaced_whole_refused_rows_change_nothing_and_candidates_read_them(demo):
    from portal.models import AuditEvent, InterviewStage
    from portal.services.interviews import preparation

    s, users = demo
    job = job_config.save_job(s, users["hr"], {"code": "stage-1", "title_zh": "阶段", "title_en": "Stages"})
    model = job_config.save_model(s, users["hr"], job.id, [_comp("a", 100)])
    good = [{"name_zh": "自我介绍", "name_en": "Introduction", "description_zh": "两分钟", "description_en": "Two minutes",
             "duration_min": "5"},
            {"name_zh": "", "name_en": "", "description_zh": "", "description_en": "", "duration_min": ""},  # dropped
            {"name_zh": "行为问题", "name_en": "Behavioural questions", "duration_min": " 30 "}]
    job_config.save_stages(s, users["hr"], job.id, good)
    assert [(st["name_en"], st["duration_min"]) for st in job_config.job_stages(s, job.id)] == \
        [("Introduction", 5), ("Behavioural questions", 30)]

    for bad, message in (([{**good[0], "name_en": " "}], "Stage 1 needs a name"),
                         ([good[0], {**good[2], "duration_min": "0"}], "Stage 2: the duration"),
                         ([good[0], {**good[2], "duration_min": "半小时"}], "Stage 2: the duration"),
                         ([good[1]], "at least one stage"),
                         ([good[0]] * 11, "at most 10 stages")):
        with pytest.raises(ServiceError) as refused:
            job_config.save_stages(s, users["hr"], job.id, bad)
        assert message in refused.value.translate("en")
    assert len(job_config.job_stages(s, job.id)) == 2  # every refusal changed nothing
    with pytest.raises(PermissionDenied):
        job_config.save_stages(s, users["candidate"], job.id, good)
    with pytest.raises(ServiceError):
        job_config.save_stages(s, users["hr"], 999_999, good)
    assert len(s.execute(select(AuditEvent).where(AuditEvent.action == "job.stages",
                                                  AuditEvent.object_id == str(job.id))).all()) == 1

    # the candidate invited to this job reads the stages HR wrote
    s.add(Interview(candidate_id=users["candidate"].id, job_id=job.id, model_id=model.id,
                    scheduled_at=datetime(2030, 1, 1, tzinfo=timezone.utc)))
    s.flush()
    [prep] = [p for p in preparation.candidate_interviews(s, users["candidate"]) if p.job_id == job.id]
    assert [st["name_zh"] for st in prep.stages] == ["自我介绍", "行为问题"]
    assert s.execute(select(InterviewStage).where(InterviewStage.job_id == job.id)).scalars().first().position == 0


def test_one_question_is_corrected_refusals_change_nothing_and_an_answered_one_keeps_its_competency(demo):
    from portal.models import Answer, AuditEvent
    from portal.services.platform.errors import FieldErrors

    s, users = demo
    job = s.execute(select(Job).where(Job.code == "SALES-AM-001")).scalar_one()
    question = s.execute(select(Question).where(Question.job_id == job.id, Question.is_practice.is_(False))
                         .order_by(Question.id)).scalars().first()
    keys = sorted(question_bank._competency_keys(s, job.id))
    other_key = next(k for k in keys if k != question.competency_key)
    before = (question.text_zh, question.text_en, question.time_limit_s, question.competency_key)

    def update(**changes):
        values = dict(text_zh=question.text_zh, text_en=question.text_en, answer_s=str(question.time_limit_s),
                      competency_key=question.competency_key, practice=question.is_practice)
        return question_bank.update(s, users["hr"], question.id, **{**values, **changes})

    with pytest.raises(FieldErrors) as err:
        update(text_zh="  ", answer_s="5", competency_key="no-such-key")
    assert err.value.fields == {"text_zh": (question_bank.NO_TEXT, {}),
                                "answer_s": (question_bank.BAD_ANSWER_TIME, {}),
                                "competency_key": (question_bank.UNKNOWN_KEY, {"key": "no-such-key"})}
    with pytest.raises(FieldErrors):
        update(answer_s="1801")
    with pytest.raises(FieldErrors):
        update(text_en="x" * 2001)
    s.refresh(question)
    assert (question.text_zh, question.text_en, question.time_limit_s, question.competency_key) == before
    with pytest.raises(PermissionDenied):
        question_bank.update(s, users["candidate"], question.id, text_zh="改", text_en="Changed", answer_s="60",
                             competency_key=question.competency_key, practice=False)
    with pytest.raises(PermissionDenied):
        question_bank.update(s, users["hr"], 10 ** 9, text_zh="改", text_en="Changed", answer_s="60",
                             competency_key=question.competency_key, practice=False)

    update(text_zh="请讲一次  你说服客户的经历。", text_en="Tell us how you won a customer over.", answer_s="150",
           competency_key=other_key)
    s.refresh(question)
    assert (question.text_zh, question.text_en, question.time_limit_s, question.competency_key) == (
        "请讲一次 你说服客户的经历。", "Tell us how you won a customer over.", 150, other_key)
    assert s.execute(select(AuditEvent).where(AuditEvent.action == "question.edit",
                                              AuditEvent.object_id == str(question.id))).first()

    # once answered, the texts and time may still be corrected, not what it measures
    model = s.execute(select(CompetencyModel).where(CompetencyModel.job_id == job.id)).scalars().first()
    s.add(Answer(user_id=users["candidate"].id, question_id=question.id, model_id=model.id, transcript_enc="x"))
    s.flush()
    with pytest.raises(FieldErrors) as err:
        update(competency_key=question.competency_key, practice=True)
    assert err.value.fields == {"competency_key": (question_bank.ANSWERED_KEY, {})}
    update(text_en="Tell us how you won a customer over, step by step.")
    s.refresh(question)
    assert question.text_en.endswith("step by step.") and not question.is_practice
