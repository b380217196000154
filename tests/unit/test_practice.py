"""Scored practice (issue 8): the consent gate, what is offered, bad input and duplicates,
feedback and history, scored by the REAL worker process."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import Answer, Interview, Question, ScoringJob, User
from portal.services.interviews import consent, practice
from portal.services.interviews import scoring_client as sc
from portal.services.platform import db
from portal.services.platform.demo import demo_email, load_demo
from portal.services.platform.errors import PermissionDenied, ServiceError
from tests.unit.worker import conftest as worker_helpers

# A full STAR answer about customers, and a thin one (no situation, no result).
STRONG = ("去年双十一期间，我负责的一位大客户因为物流延误非常不满，要求当天给出解决方案。"
          "我的任务是在不影响其他订单的前提下挽回这个客户。我先耐心倾听并复述确认了他的核心诉求，"
          "然后当天同步物流和仓库团队，制定了补发方案，并每天向客户更新进度。"
          "最终订单在两天内送达，客户满意度回升，续签了下一年的合同，我们也把这个流程写进了应急预案。")
WEAK = "我觉得客户很重要，要多沟通。"


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    w = worker_helpers.start_worker(tmp_path_factory.mktemp("practice"), token=secrets.token_urlsafe(32))
    yield w
    worker_helpers.stop_worker(w)


@pytest.fixture
def demo(db_url):
    with db.session_scope(db_url) as s:
        load_demo(s)
        users = {role: s.execute(select(User).where(User.email == demo_email(role))).scalar_one()
                 for role in ("candidate", "employee", "hr")}
        interview = s.execute(select(Interview).where(Interview.candidate_id == users["candidate"].id)
                              ).scalars().first()
        offered = s.execute(select(Question).where(Question.is_practice.is_(True),
                                                   Question.job_id == interview.job_id)
                            .order_by(Question.position)).scalars().all()
        real = s.execute(select(Question).where(Question.is_practice.is_(False),
                                                Question.job_id == interview.job_id)).scalars().first()
        elsewhere = s.execute(select(Question).where(Question.is_practice.is_(True),
                                                     Question.job_id != interview.job_id)).scalars().first()
        # another candidate with an interview for the same job, and consent
        other = User(email="other@example.cn", role="candidate", display_name="other")
        s.add(other)
        s.flush()
        s.add(Interview(candidate_id=other.id, job_id=interview.job_id, model_id=interview.model_id,
                        scheduled_at=sc.utcnow() + timedelta(days=3)))
        consent.grant(s, other, consent.current_version(s))
        users["other"] = other
    return {"url": db_url, "users": users, "interview": interview, "offered": offered, "real": real,
            "elsewhere": elsewhere, "factory": lambda: db.session_scope(db_url)}


def _grant(demo, role="candidate"):
    with db.session_scope(demo["url"]) as s:
        consent.grant(s, demo["users"][role], consent.current_version(s))


def _count(demo, model) -> int:
    with db.session_scope(demo["url"]) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _submit(demo, text, question=None, role="candidate", **kw) -> int:
    with db.session_scope(demo["url"]) as s:
        return practice.submit(s, demo["users"][role], (question or demo["offered"][0]).id, text, **kw)


def _score_all(demo, worker) -> int:
    with sc.ScoringClient(worker.url, worker.token, timeout=60) as client:
        return sc.dispatch_due(demo["factory"], client)


def _refused(demo, msgid, text, question=None, role="candidate", **kw) -> None:
    answers, jobs = _count(demo, Answer), _count(demo, ScoringJob)
    with pytest.raises(ServiceError) as err:
        _submit(demo, text, question, role, **kw)
    assert err.value.msgid == msgid
    assert err.value.translate("zh_CN") != msgid and err.value.translate("en")  # translated
    assert (_count(demo, Answer), _count(demo, ScoringJob)) == (answers, jobs)  # nothing changed


def test_only_the_practice_bank_of_the_candidates_own_jobs_is_offered(demo):
    with db.session_scope(demo["url"]) as s:
        offered = practice.questions(s, demo["users"]["candidate"])
        assert [q.id for q in offered] == [q.id for q in demo["offered"]] and len(offered) == 3
        assert all(q.job_id == demo["interview"].job_id for q in offered)
        assert demo["real"].id not in {q.id for q in offered}
        assert offered[0].time_limit_s == 120 and offered[1].time_limit_s == 180  # from jobs.json
        assert offered[0].job_title_zh and offered[0].text_en
        with pytest.raises(PermissionDenied):
            practice.questions(s, demo["users"]["hr"])
        # a cancelled interview's job offers nothing
        interview = s.get(Interview, demo["interview"].id)
        interview.status = "cancelled"
        s.add(interview)
        s.flush()
        assert practice.questions(s, demo["users"]["candidate"]) == []


def test_without_consent_nothing_is_saved_and_the_page_is_told_to_link_to_consent(demo):
    _refused(demo, practice.NEEDS_CONSENT, STRONG)
    with pytest.raises(practice.ConsentRequired):
        _submit(demo, STRONG)
    _grant(demo)
    assert _submit(demo, STRONG)
    with db.session_scope(demo["url"]) as s:
        consent.withdraw(s, demo["users"]["candidate"])
    _refused(demo, practice.NEEDS_CONSENT, WEAK, demo["offered"][1])


def test_bad_input_gets_a_message_and_changes_nothing(demo):
    _grant(demo)
    _refused(demo, practice.EMPTY, "")
    _refused(demo, practice.EMPTY, " \n\t ")
    _refused(demo, practice.EMPTY, None)
    _refused(demo, practice.TOO_LONG, "好" * (practice.MAX_CHARS + 1))
    with pytest.raises(ServiceError) as err:
        _submit(demo, "好" * (practice.MAX_CHARS + 1))
    assert str(practice.MAX_CHARS + 1) in err.value.translate("en")
    # the real interview questions, another job's practice bank, no such question, not an id
    for question_id in (demo["real"].id, demo["elsewhere"].id, 999_999, "1"):
        with pytest.raises(ServiceError) as err, db.session_scope(demo["url"]) as s:
            practice.submit(s, demo["users"]["candidate"], question_id, STRONG)
        assert err.value.msgid == practice.NOT_OFFERED
    assert _count(demo, Answer) == 0
    # exactly at the limit is fine (surrounding spaces do not count)
    assert _submit(demo, "  " + "好" * practice.MAX_CHARS + "\n")


def test_double_clicks_and_resubmissions_are_refused(demo, worker):
    _grant(demo)
    first = _submit(demo, STRONG)
    # a double click, or the same question again while the first is being scored
    _refused(demo, practice.STILL_SCORING, STRONG)
    _refused(demo, practice.STILL_SCORING, WEAK)
    # another question is another matter; so is another person
    assert _submit(demo, WEAK, demo["offered"][1])
    assert _submit(demo, STRONG, role="other")
    assert _score_all(demo, worker) == 3
    # scored: the same text (spacing aside) within the window is a resubmission
    _refused(demo, practice.SAME_AGAIN, STRONG)
    _refused(demo, practice.SAME_AGAIN, STRONG.replace("。", "。 \n"))
    # a changed answer is a retry; after the window the same text is too
    second = _submit(demo, STRONG + "下次我会提前预警。")
    assert second > first
    assert _score_all(demo, worker) == 1
    assert _submit(demo, STRONG, now=sc.utcnow() + practice.DUPLICATE_WINDOW + timedelta(seconds=1))


def test_feedback_shows_each_competency_the_sentences_that_counted_and_one_thing(demo, worker):
    _grant(demo)
    answer_id = _submit(demo, STRONG)
    with db.session_scope(demo["url"]) as s:
        assert practice.status(s, demo["users"]["candidate"], answer_id) == "pending"
        assert practice.feedback(s, demo["users"]["candidate"], answer_id) is None
    _score_all(demo, worker)
    with db.session_scope(demo["url"]) as s:
        me = demo["users"]["candidate"]
        assert practice.status(s, me, answer_id) == "scored"
        fb = practice.feedback(s, me, answer_id)
        from portal.models import Competency

        model = s.execute(select(Competency.key).where(Competency.model_id == demo["interview"].model_id)
                          .order_by(Competency.position)).scalars().all()
    assert [c.key for c in fb.competencies] == model  # the job's competency model, in its order
    assert all(0 <= c.score <= 100 and c.required_level > 0 and c.name_zh and c.name_en for c in fb.competencies)
    quoted = [q for c in fb.competencies for q in c.evidence]
    assert quoted and all(q.strip("。") in STRONG for q in quoted)  # the candidate's own sentences
    assert fb.tip["zh_CN"] and fb.tip["en"] and fb.tip["zh_CN"] != fb.tip["en"]
    assert 0 <= fb.overall <= 100 and set(fb.structure) == set(practice.STAR_PARTS)
    # nobody else reads it, HR included (practice is not part of any interview)
    for role in ("other", "hr", "employee"):
        with pytest.raises(PermissionDenied), db.session_scope(demo["url"]) as s:
            practice.feedback(s, demo["users"][role], answer_id)
        with pytest.raises(PermissionDenied), db.session_scope(demo["url"]) as s:
            practice.status(s, demo["users"][role], answer_id)
    with pytest.raises(PermissionDenied), db.session_scope(demo["url"]) as s:
        practice.feedback(s, demo["users"]["candidate"], 999_999)


def test_history_shows_every_attempt_and_the_improvement(demo, worker):
    _grant(demo)
    q1, q2 = demo["offered"][0], demo["offered"][2]
    _submit(demo, WEAK, q1)
    _score_all(demo, worker)
    _submit(demo, STRONG, q1)
    _score_all(demo, worker)
    _submit(demo, WEAK + "我会更主动。", q2)  # still waiting for the worker
    with db.session_scope(demo["url"]) as s:
        found = practice.history(s, demo["users"]["candidate"])
        assert practice.history(s, demo["users"]["other"]) == []
        with pytest.raises(PermissionDenied):
            practice.history(s, demo["users"]["hr"])
    assert [h.question_id for h in found] == [q2.id, q1.id]  # most recently practised first
    pending, done = found
    assert [a.status for a in pending.attempts] == ["pending"] and pending.improvement is None
    first, second = done.attempts
    assert first.status == second.status == "scored" and first.change is None
    assert second.change == pytest.approx(second.overall - first.overall)
    assert done.improvement == pytest.approx(second.overall - first.overall)
    assert second.overall > first.overall  # the full STAR answer scores better than the thin one
    assert set(second.scores) == set(done.names) and len(done.names) >= 4
    assert done.text_zh == q1.text_zh


# ---------------------------------------------------------------- the one thing to do better


def _result(key, score, required, level, anchors=True):
    return practice.CompetencyResult(
        key=key, name_zh={"a": "沟通能力", "b": "客户导向"}[key], name_en={"a": "Communication", "b": "Customer Focus"}[key],
        score=score, required_level=required, level=level,
        anchors={1: ("一级表现", "level one"), 3: ("三级表现", "level three"), 5: ("五级表现", "level five")}
        if anchors else {})


FULL = dict.fromkeys(practice.STAR_PARTS, True)


def test_the_advice_names_the_next_anchor_of_the_competency_furthest_below_its_level():
    results = [_result("a", 62, 70, 3.1), _result("b", 48, 70, 2.4)]
    tip = practice.one_thing_to_do_better(results, FULL)
    assert "Customer Focus" in tip["en"] and "48" in tip["en"] and "70" in tip["en"]
    assert "level three" in tip["en"]  # level 2.4: the level-3 anchor is next
    assert "客户导向" in tip["zh_CN"] and "三级表现" in tip["zh_CN"]
    # a competency at level 3.1 is pointed at level 5
    tip = practice.one_thing_to_do_better([_result("a", 62, 80, 3.1), _result("b", 75, 70, 3.7)], FULL)
    assert "Communication" in tip["en"] and "level five" in tip["en"]


def test_when_every_level_is_met_the_advice_is_how_to_stand_out():
    tip = practice.one_thing_to_do_better([_result("a", 90, 70, 4.5), _result("b", 75, 70, 3.75)], FULL)
    assert tip["en"].startswith("Every competency meets") and "Customer Focus" in tip["en"]
    assert "level five" in tip["en"]


def test_a_missing_part_of_the_star_structure_comes_first():
    results = [_result("a", 40, 70, 2.0)]
    assert "how it ended" in practice.one_thing_to_do_better(results, {**FULL, "result": False})["en"]
    tip = practice.one_thing_to_do_better(results, {**FULL, "situation": False, "result": False})
    assert "setting the scene" in tip["en"] and tip["zh_CN"] != tip["en"]
    # without anchors, plain words still
    tip = practice.one_thing_to_do_better([_result("a", 40, 70, 2.0, anchors=False)], FULL)
    assert "concrete example" in tip["en"]
    assert practice.one_thing_to_do_better([], FULL) == {"zh_CN": "", "en": ""}
