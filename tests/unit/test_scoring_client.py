"""The portal's scoring client against the REAL worker process (issue 4)."""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, func, select

from portal.models import (
    Answer,
    AnswerScore,
    BehaviouralAnchor,
    Competency,
    CompetencyScore,
    Interview,
    Job,
    Question,
    ScoringJob,
    User,
)
from portal.services.platform import crypto, db, settings
from portal.services.interviews import consent
from portal.services.interviews import scoring_client as sc
from portal.services.platform.demo import demo_email, load_demo
from portal.services.platform.errors import PermissionDenied, ServiceError
from tests import aio
from tests.unit.worker import conftest as worker_helpers

ANSWER_ZH = ("去年双十一，客户因为物流延迟投诉。我先耐心倾听，复述确认他的诉求，"
             "然后联系仓库改发加急，并把进展同步给客服同事。第二天客户收到货，还给了好评。")
ANSWER_EN = ("Last year a key customer complained about a late delivery. I listened, repeated "
             "back what he needed, called the warehouse to ship by express and updated him "
             "every day. He received the goods two days later and renewed the contract.")
SECRET_TAIL = "我后来打电话给鹭岛仓库的老周，订单尾号七七八一。"
ID_NUMBER = "110101199003078888"
PHONE = "13800138000"
TOP_KEYS = {"request_id", "language", "question", "answer", "delivery", "competencies"}
COMPETENCY_KEYS = {"key", "name", "description", "keywords", "weight", "required_level", "anchors"}


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    w = worker_helpers.start_worker(tmp_path_factory.mktemp("scoring-client"),
                                    token=secrets.token_urlsafe(32))
    yield w
    worker_helpers.stop_worker(w)


class RecordingTransport(httpx.HTTPTransport):
    """Passes requests through and keeps what went over the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, dict, bytes]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        with self._lock:
            self.requests.append((request.url.path, dict(request.headers), body))
        return super().handle_request(request)

    def sent_items(self) -> list[dict]:
        items = []
        for path, _headers, body in self.requests:
            data = json.loads(body)
            items.extend(data["items"] if path.endswith(":batch") else [data])
        return items


@pytest.fixture
def demo(db_url):
    with db.session_scope(db_url) as session:
        load_demo(session)
        users = {role: session.execute(select(User).where(User.email == demo_email(role)))
                 .scalar_one() for role in ("candidate", "employee", "hr")}
        # The dispatcher sends only the answers of people with active consent.
        for role in ("candidate", "employee"):
            consent.grant(session, users[role], consent.current_version(session))
        cand = users["candidate"]
        cand.id_number_enc = crypto.encrypt(ID_NUMBER)
        cand.phone_enc = crypto.encrypt(PHONE)
        interview = session.execute(
            select(Interview).where(Interview.candidate_id == cand.id)).scalars().first()
        practice = session.execute(select(Question).where(Question.is_practice.is_(True))
                                   .order_by(Question.job_id, Question.id)).scalars().all()
        real = session.execute(select(Question).where(Question.is_practice.is_(False),
                                                      Question.job_id == interview.job_id)
                               ).scalars().first()
    one_per_job = list({q.job_id: q for q in reversed(practice)}.values())
    return {"url": db_url, "users": users, "interview": interview, "practice": one_per_job,
            "question": real, "factory": lambda: db.session_scope(db_url)}


def _count(url, model) -> int:
    with db.session_scope(url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _jobs(url) -> list[ScoringJob]:
    with db.session_scope(url) as session:
        return session.execute(select(ScoringJob).order_by(ScoringJob.id)).scalars().all()


def _submit_practice(demo, n: int, *, role="candidate", language="auto", per_job=False) -> list[int]:
    ids = []
    with db.session_scope(demo["url"]) as session:
        for i in range(n):
            question = demo["practice"][i % len(demo["practice"])] if per_job else demo["practice"][0]
            text = ANSWER_ZH if i % 2 == 0 else ANSWER_EN
            ids.append(sc.submit_answer(session, demo["users"][role], question.id,
                                        f"{text} ({i})", language=language, is_practice=True,
                                        duration_s=60.0 + i).id)
    return ids


# ---------------------------------------------------------------- (a) submitting


def test_submit_writes_answer_and_pending_job_in_one_transaction(demo):
    url = demo["url"]
    with db.session_scope(url) as session:
        answer = sc.submit_answer(session, demo["users"]["candidate"], demo["question"].id,
                                  "  " + ANSWER_ZH + SECRET_TAIL + "\n", language="zh",
                                  interview_id=demo["interview"].id, duration_s=95)
    with db.session_scope(url) as session:
        stored = session.get(Answer, answer.id)
        job = session.execute(select(ScoringJob).where(ScoringJob.answer_id == answer.id)).scalar_one()
        question = session.get(Question, stored.question_id)
        current = session.execute(select(Job.id).where(Job.id == question.job_id)).scalar_one()
        assert current == demo["interview"].job_id
        assert crypto.decrypt(stored.transcript_enc) == ANSWER_ZH + SECRET_TAIL
        assert stored.interview_id == demo["interview"].id and stored.duration_s == 95.0
        assert job.status == "pending" and job.attempts == 0 and len(job.request_id) == 32
        assert job.next_attempt_at <= sc.utcnow()
        assert sc.scoring_status(session, answer.id, demo["users"]["candidate"]) == "pending"
        assert sc.scoring_status(session, answer.id, demo["users"]["hr"]) == "pending"
        with pytest.raises(PermissionDenied):
            sc.scoring_status(session, answer.id, demo["users"]["employee"])

    # An error after the submit rolls back both rows: they are one unit of work.
    with pytest.raises(RuntimeError):
        with db.session_scope(url) as session:
            sc.submit_answer(session, demo["users"]["candidate"], demo["practice"][0].id,
                             ANSWER_EN, is_practice=True)
            raise RuntimeError("boom")
    assert _count(url, Answer) == 1 and _count(url, ScoringJob) == 1

    raw = b"".join(p.read_bytes() for p in Path(url.removeprefix("sqlite:///")).parent.glob("test.db*"))
    for fragment in ("鹭岛仓库的老周", "订单尾号七七八一"):
        assert fragment.encode() not in raw


@pytest.mark.parametrize("change, msgid", [
    ({"transcript": "   \n "}, sc.EMPTY_ANSWER),
    ({"transcript": "好" * 20_001}, sc.ANSWER_TOO_LONG),
    ({"language": "fr"}, sc.UNKNOWN_LANGUAGE),
    ({"duration_s": -3}, sc.BAD_DURATION),
    ({"question_id": 999_999}, sc.QUESTION_NOT_FOUND),
    ({"interview_id": None}, sc.INTERVIEW_REQUIRED),
    ({"interview_id": 999_999}, sc.INTERVIEW_NOT_FOUND),
    ({"is_practice": True}, sc.NOT_A_PRACTICE_QUESTION),
])
def test_bad_input_is_refused_and_nothing_written(demo, change, msgid):
    args = {"question_id": demo["question"].id, "transcript": ANSWER_ZH, "language": "zh",
            "interview_id": demo["interview"].id, "is_practice": False, "duration_s": None}
    args.update(change)
    with pytest.raises(ServiceError) as err, db.session_scope(demo["url"]) as session:
        sc.submit_answer(session, demo["users"]["candidate"], args.pop("question_id"),
                         args.pop("transcript"), **args)
    assert err.value.msgid == msgid
    assert err.value.translate("zh_CN") != msgid  # translated
    assert _count(demo["url"], Answer) == 0 and _count(demo["url"], ScoringJob) == 0


def test_nobody_answers_in_someone_elses_interview(demo):
    for role in ("employee", "hr"):
        with pytest.raises(PermissionDenied), db.session_scope(demo["url"]) as session:
            sc.submit_answer(session, demo["users"][role], demo["question"].id, ANSWER_ZH,
                             interview_id=demo["interview"].id)
    assert _count(demo["url"], Answer) == 0 and _count(demo["url"], ScoringJob) == 0


def test_an_interview_answer_is_scored_on_the_model_version_the_interview_pinned(demo):
    from portal.models import CompetencyModel

    with db.session_scope(demo["url"]) as session:
        pinned = demo["interview"].model_id
        old = session.get(CompetencyModel, pinned)
        old.is_current = False  # HR publishes version 2 of the job's model meanwhile
        session.add(CompetencyModel(job_id=old.job_id, version=old.version + 1, is_current=True))
    with db.session_scope(demo["url"]) as session:
        answer = sc.submit_answer(session, demo["users"]["candidate"], demo["question"].id, ANSWER_ZH,
                                  interview_id=demo["interview"].id)
        assert answer.model_id == pinned


# ---------------------------------------------------------------- (b) the wire


def test_only_the_documented_fields_go_over_the_wire(demo, worker):
    _submit_practice(demo, 3, per_job=True)
    with db.session_scope(demo["url"]) as session:
        sc.submit_answer(session, demo["users"]["candidate"], demo["question"].id, ANSWER_ZH,
                         language="zh", interview_id=demo["interview"].id, duration_s=90)
    transport = RecordingTransport()
    client = sc.ScoringClient(worker.url, worker.token, transport=transport)
    assert sc.dispatch_due(demo["factory"], client) == 4
    assert [p for p, _, _ in transport.requests] == ["/v1/score:batch"]
    items = transport.sent_items()
    assert len(items) == 4
    cand = demo["users"]["candidate"]
    raw = b"".join(body for _, _, body in transport.requests).decode()
    for secret in (cand.email, cand.display_name, ID_NUMBER, PHONE, "demo.talent.local"):
        assert secret not in raw
    jobs = {j.request_id: j for j in _jobs(demo["url"])}
    for item in items:
        assert set(item) == TOP_KEYS
        assert item["request_id"] in jobs
        assert set(item["delivery"]) == {"duration_s"}
        for comp in item["competencies"]:
            assert set(comp) == COMPETENCY_KEYS
            assert set(comp["anchors"]) == {"1", "3", "5"}
    zh_item = next(i for i in items if i["language"] == "zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_item["question"])
    for _, headers, _ in transport.requests:
        assert "cookie" not in headers and headers["authorization"] == f"Bearer {worker.token}"
    with db.session_scope(demo["url"]) as session:
        assert session.execute(select(func.count()).select_from(AnswerScore)).scalar_one() == 4
        # evidence is quoted only for competencies the answer supports (scorer bars-2 and later),
        # so look for it among all the competency scores
        quoted = [json.loads(crypto.decrypt(s.evidence_enc))
                  for s in session.execute(select(CompetencyScore)).scalars()]
        evidence = next(e for e in quoted if e)
        assert {"sentence", "similarity"} <= set(evidence[0])
    client.close()


# ---------------------------------------------------------------- (c) the outage


def test_worker_outage_loses_nothing_and_scores_each_answer_once(demo, tmp_path, monkeypatch):
    token = secrets.token_urlsafe(32)
    port = worker_helpers.free_port()
    monkeypatch.setattr(worker_helpers, "free_port", lambda: port)
    url = f"http://127.0.0.1:{port}"
    client = sc.ScoringClient(url, token, timeout=5.0)

    answer_ids = _submit_practice(demo, 4, per_job=True)  # nothing listens on the port yet
    t0 = t = sc.utcnow()
    assert sc.dispatch_due(demo["factory"], client, now=t) == 0
    first = {j.id: j for j in _jobs(demo["url"])}
    for job in first.values():
        assert job.status == "pending" and job.attempts == 1
        assert job.last_error.startswith("network_") and "双十一" not in job.last_error
        assert job.next_attempt_at > t

    # Not due yet: the backoff holds.
    assert sc.dispatch_due(demo["factory"], client, now=t + timedelta(seconds=1)) == 0
    assert all(j.attempts == 1 for j in _jobs(demo["url"]))
    t = max(j.next_attempt_at for j in first.values())
    assert sc.dispatch_due(demo["factory"], client, now=t) == 0
    second = {j.id: j for j in _jobs(demo["url"])}
    for job_id, job in second.items():
        assert job.attempts == 2 and job.status == "pending"
        assert job.next_attempt_at - t > first[job_id].next_attempt_at - t0  # the delay grew
        assert job.next_attempt_at > first[job_id].next_attempt_at
    with db.session_scope(demo["url"]) as session:
        assert sc.scoring_status(session, answer_ids[0], demo["users"]["candidate"]) == "pending"

    w = worker_helpers.start_worker(tmp_path, token=token)
    try:
        assert w.url == url
        t = max(j.next_attempt_at for j in second.values())
        assert sc.dispatch_due(demo["factory"], client, now=t) == 4
        assert sc.dispatch_due(demo["factory"], client, now=t + timedelta(hours=1)) == 0
    finally:
        worker_helpers.stop_worker(w)
        client.close()
    with db.session_scope(demo["url"]) as session:
        per_answer = Counter(session.execute(select(AnswerScore.answer_id)).scalars())
        assert per_answer == Counter({a: 1 for a in answer_ids})
        for job in session.execute(select(ScoringJob)).scalars():
            assert job.status == "done" and job.finished_at is not None and job.last_error == ""
        assert sc.scoring_status(session, answer_ids[0], demo["users"]["candidate"]) == "scored"
        assert [session.get(Answer, a).language for a in answer_ids] == ["zh", "en", "zh", "en"]
        assert session.execute(select(func.count()).select_from(CompetencyScore)).scalar_one() > 4


# ---------------------------------------------------------------- (d) refused requests


def test_a_400_marks_only_the_bad_job_failed(demo, worker):
    bad_id, good_id = _submit_practice(demo, 2, per_job=True)
    with db.session_scope(demo["url"]) as session:
        model_id = session.get(Answer, bad_id).model_id
        assert session.get(Answer, good_id).model_id != model_id
        competency_ids = session.execute(
            select(Competency.id).where(Competency.model_id == model_id)).scalars().all()
        session.execute(delete(BehaviouralAnchor).where(
            BehaviouralAnchor.competency_id == competency_ids[0], BehaviouralAnchor.level == 3))
    transport = RecordingTransport()
    client = sc.ScoringClient(worker.url, worker.token, transport=transport)
    assert sc.dispatch_due(demo["factory"], client) == 1
    jobs = {j.answer_id: j for j in _jobs(demo["url"])}
    assert jobs[bad_id].status == "failed" and "missing_anchors" in jobs[bad_id].last_error
    assert jobs[good_id].status == "done"
    # A failed job is not retried.
    assert sc.dispatch_due(demo["factory"], client, now=sc.utcnow() + timedelta(days=1)) == 0
    assert len(transport.requests) == 3  # the batch, then each item alone
    with db.session_scope(demo["url"]) as session:
        assert sc.scoring_status(session, bad_id, demo["users"]["candidate"]) == "failed"
    client.close()


# ---------------------------------------------------------------- (e) concurrency


def test_two_dispatchers_never_send_a_job_twice(demo, worker):
    answer_ids = _submit_practice(demo, 8, per_job=True)
    transport = RecordingTransport()
    client = sc.ScoringClient(worker.url, worker.token, transport=transport)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            for _ in range(3):
                results.append(sc.dispatch_due(demo["factory"], client, limit=3))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors
    sent = Counter(item["request_id"] for item in transport.sent_items())
    assert len(sent) == 8 and set(sent.values()) == {1}
    assert sum(results) == 8
    with db.session_scope(demo["url"]) as session:
        assert Counter(session.execute(select(AnswerScore.answer_id)).scalars()) == \
            Counter({a: 1 for a in answer_ids})
    client.close()


def test_a_late_result_after_a_stale_claim_is_not_stored_twice(demo, worker):
    (answer_id,) = _submit_practice(demo, 1)
    client = sc.ScoringClient(worker.url, worker.token)
    t = sc.utcnow()
    (job,) = _jobs(demo["url"])
    stalled = sc.claim_job(demo["factory"], job.id, t)  # a dispatcher that then hangs
    assert stalled is not None
    assert sc.dispatch_due(demo["factory"], client, now=t) == 0  # claimed: nobody else sends it
    assert sc.dispatch_due(demo["factory"], client, now=t + sc.CLAIM_TTL) == 1  # taken over
    with db.session_scope(demo["url"]) as session:
        body = sc.build_request(session, session.get(ScoringJob, job.id))
    result = client.score(body)  # the worker called twice for one request_id
    assert sc._store(demo["factory"], stalled, result, t) is False
    assert _count(demo["url"], AnswerScore) == 1
    client.close()


def test_client_errors_are_typed(worker):
    with sc.ScoringClient(worker.url, "wrong-token") as client:
        with pytest.raises(sc.WorkerUnavailable) as err:
            client.score({"request_id": "x"})
        assert err.value.status == 401 and err.value.retryable
    with sc.ScoringClient(worker.url, worker.token) as client:
        with pytest.raises(sc.RequestRejected) as err:
            client.score({"request_id": "x", "question": "q", "answer": " ", "competencies": []})
        assert err.value.status == 400 and not err.value.retryable
    with sc.ScoringClient(f"http://127.0.0.1:{worker_helpers.free_port()}", "t") as client:
        with pytest.raises(sc.WorkerUnavailable):
            client.score({"request_id": "x"})


def test_default_client_uses_settings_and_secret(monkeypatch):
    monkeypatch.setenv("TALENT_WORKER_URL", "http://10.0.0.5:9999/")
    monkeypatch.setenv("SCORING_TOKEN", "tok-123")
    settings.get_settings.cache_clear()
    with sc.default_client() as client:
        assert client.base_url == "http://10.0.0.5:9999"
        assert client._http.headers["authorization"] == "Bearer tok-123"


def test_run_dispatcher_survives_errors_and_stops(demo, worker, caplog, monkeypatch):
    import asyncio

    monkeypatch.setattr(sc, "BACKOFF_BASE_S", 0.05)

    _submit_practice(demo, 1)

    class Flaky:
        calls = 0

        def __init__(self):
            self.real = sc.ScoringClient(worker.url, worker.token)

        def score(self, body):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("unexpected")
            return self.real.score(body)

        def close(self):
            self.real.close()

    flaky = Flaky()
    opened = []

    def factory():  # the database is unreachable on the first round
        opened.append(1)
        if len(opened) == 1:
            raise OSError("database is down")
        return demo["factory"]()

    async def main():
        stop = asyncio.Event()
        task = asyncio.create_task(sc.run_dispatcher(stop, interval=0.05,
                                                     session_factory=factory, client=flaky))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if _count(demo["url"], AnswerScore):
                break
        stop.set()
        await asyncio.wait_for(task, 5)

    aio.run(main())
    flaky.close()
    assert _count(demo["url"], AnswerScore) == 1
    assert "OSError" in caplog.text and "RuntimeError" in caplog.text
    assert "双十一" not in caplog.text and Flaky.calls == 2


# ---------------------------------------------------------------- consent gates the dispatcher


def _audit_count(url) -> int:
    from portal.models import AuditEvent

    return _count(url, AuditEvent)


def test_after_withdrawal_no_answer_of_that_person_is_sent(demo, worker):
    """Answers waiting when consent is withdrawn are never sent, marked no_consent, not
    retried; the other person's answers are still scored; nothing is audited by it."""
    cand = demo["users"]["candidate"]
    mine = _submit_practice(demo, 2)
    theirs = _submit_practice(demo, 1, role="employee")
    with db.session_scope(demo["url"]) as session:
        assert consent.withdraw(session, cand)
    audited = _audit_count(demo["url"])

    transport = RecordingTransport()
    client = sc.ScoringClient(worker.url, worker.token, transport=transport)
    assert sc.dispatch_due(demo["factory"], client) == 1
    sent = {i["answer"] for i in transport.sent_items()}
    assert len(sent) == 1 and sent == {f"{ANSWER_ZH} (0)"}  # the employee's only
    by_answer = {j.answer_id: j for j in _jobs(demo["url"])}
    assert by_answer[theirs[0]].status == "done"
    for answer_id in mine:
        assert by_answer[answer_id].status == sc.NO_CONSENT and by_answer[answer_id].finished_at
        with db.session_scope(demo["url"]) as session:
            assert sc.scoring_status(session, answer_id, cand) == sc.NO_CONSENT

    # Not retried, even much later; consent given again does not revive them either.
    with db.session_scope(demo["url"]) as session:
        consent.grant(session, cand, consent.current_version(session))
    audited_after_grant = _audit_count(demo["url"])
    assert sc.dispatch_due(demo["factory"], client, now=sc.utcnow() + timedelta(days=1)) == 0
    assert len(transport.sent_items()) == 1
    assert _count(demo["url"], AnswerScore) == 1
    assert audited_after_grant == audited + 1  # the grant's own event; the dispatcher added none
    client.close()


def test_answers_of_someone_who_never_consented_are_not_sent(demo, worker):
    with db.session_scope(demo["url"]) as session:
        other = User(email="no-consent@example.cn", role="candidate", display_name="x")
        session.add(other)
        session.flush()
        interview = Interview(candidate_id=other.id, job_id=demo["interview"].job_id,
                              model_id=demo["interview"].model_id, scheduled_at=sc.utcnow() + timedelta(days=2))
        session.add(interview)
        session.flush()
        answer = sc.submit_answer(session, other, demo["question"].id, ANSWER_ZH, interview_id=interview.id)
    transport = RecordingTransport()
    client = sc.ScoringClient(worker.url, worker.token, transport=transport)
    assert sc.dispatch_due(demo["factory"], client) == 0
    assert transport.requests == []
    assert {j.answer_id: j.status for j in _jobs(demo["url"])}[answer.id] == sc.NO_CONSENT
    client.close()


def test_a_woken_dispatcher_sends_a_new_answer_at_once(demo, worker):
    """wake() (called after a practice answer's commit) ends the dispatcher's pause: with a
    60-second interval, the answer is still scored within seconds."""
    import asyncio

    async def main():
        stop = asyncio.Event()
        client = sc.ScoringClient(worker.url, worker.token)
        task = asyncio.create_task(sc.run_dispatcher(stop, interval=60, session_factory=demo["factory"],
                                                     client=client))
        await asyncio.sleep(0.5)  # the first round found nothing and is now pausing
        with db.session_scope(demo["url"]) as session:
            sc.submit_answer(session, demo["users"]["candidate"], demo["practice"][0].id, ANSWER_EN,
                             is_practice=True)
            sc.wake_after_commit(session)
        scored = False
        for _ in range(100):
            await asyncio.sleep(0.1)
            if _count(demo["url"], AnswerScore):
                scored = True
                break
        stop.set()
        await asyncio.wait_for(task, 10)
        client.close()
        return scored

    assert aio.run(main())
    assert sc._wakers == set()  # a stopped dispatcher is no longer woken
