"""The worker's HTTP API (DESIGN.md "Scoring worker API (v1)"), against the real process."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import MAX_BODY, ROOT, request_for, start_worker, stop_worker


def assert_error(r: httpx.Response, status: int, code: str, mentions: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if mentions:
        assert mentions in body["error"]["message"], body["error"]["message"]


# -- health and description ------------------------------------------------------------
def test_healthz_reports_ok_and_model_version(worker):
    r = httpx.get(worker.url + "/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["model_version"].startswith("bars-") and "use-m3" in body["model_version"]


def test_openapi_describes_every_route(worker):
    spec = httpx.get(worker.url + "/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/score", "/v1/score:batch", "/healthz"} <= set(spec["paths"])
    score = spec["paths"]["/v1/score"]["post"]
    assert {"200", "400", "401", "413", "503"} <= set(score["responses"])
    assert "answer" in spec["components"]["schemas"]["ScoreRequest"]["properties"]


def test_unknown_route_is_json_404(worker):
    assert_error(httpx.get(worker.url + "/nope"), 404, "not_found")


# -- scoring ---------------------------------------------------------------------------
def test_score_returns_the_documented_fields(worker, sample):
    with worker.client() as c:
        r = c.post("/v1/score", json=sample)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["request_id"] == "sample-1"
    assert body["language"] == "zh"
    for key in ("overall", "relevance", "coherence"):
        assert 0 <= body[key] <= 100
    assert 0 <= body["keyword_density"] <= 1
    assert set(body["structure"]) == {"situation", "task", "action", "result"}
    assert all(isinstance(v, bool) for v in body["structure"].values())
    (comp,) = body["competencies"]
    assert comp["key"] == "communication"
    assert 0 <= comp["score"] <= 100
    assert comp["level"] == pytest.approx(comp["score"] / 20, abs=0.01)
    assert comp["evidence"] and all(e["sentence"] in sample["answer"] for e in comp["evidence"])
    assert all(-1 <= e["similarity"] <= 1 for e in comp["evidence"])
    assert "倾听" in comp["keywords_hit"] and "同步" in comp["keywords_hit"]
    assert body["model_version"] == httpx.get(worker.url + "/healthz").json()["model_version"]


def test_auto_language_detects_english(worker, questions, dev_set):
    item = next(i for i in dev_set if i["language"] == "en" and i["kind"] == "normal")
    with worker.client() as c:
        body = c.post("/v1/score", json=request_for(item, questions, "auto")).json()
    assert body["language"] == "en"


def test_scoring_is_deterministic(worker, sample):
    other = dict(sample, request_id="sample-determinism")
    with worker.client() as c:
        a = c.post("/v1/score", json=sample).json()
        b = c.post("/v1/score", json=other).json()
    b["request_id"] = a["request_id"]
    assert a == b


def test_overall_is_the_weighted_mean_of_competencies(worker, questions, sample):
    req = copy.deepcopy(sample)
    team = copy.deepcopy(questions["teamwork"]["zh"]["competency"])
    req["competencies"][0]["weight"] = 3
    team["weight"] = 1
    req["competencies"].append(team)
    with worker.client() as c:
        body = c.post("/v1/score", json=req).json()
    s = [x["score"] for x in body["competencies"]]
    assert [x["key"] for x in body["competencies"]] == ["communication", "teamwork"]
    assert body["overall"] == pytest.approx((3 * s[0] + s[1]) / 4, abs=0.06)


def test_delivery_never_changes_content_scores(worker, sample):
    with_delivery = dict(sample, request_id="sample-delivery",
                         delivery={"duration_s": 10.0, "pause_count": 9, "pause_total_s": 4.0})
    with worker.client() as c:
        plain = c.post("/v1/score", json=sample).json()
        spoken = c.post("/v1/score", json=with_delivery).json()
    for key in ("overall", "relevance", "coherence", "keyword_density", "competencies", "structure"):
        assert plain[key] == spoken[key], key
    assert "delivery" not in plain
    d = spoken["delivery"]
    assert d["pace_band"] == "fast" and d["pace_unit"] == "chars_per_min"
    assert d["pause_ratio"] == pytest.approx(0.4)
    assert 0 <= d["fluency"] < 100


# -- batch -----------------------------------------------------------------------------
def test_batch_keeps_order_and_matches_single_requests(worker, questions, dev_set):
    picks = [i for i in dev_set if i["kind"] == "normal"][::9][:12]
    reqs = [request_for(i, questions) for i in picks]
    with worker.client() as c:
        r = c.post("/v1/score:batch", json={"items": reqs})
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x["request_id"] for x in results] == [i["id"] for i in picks]
        singles = [c.post("/v1/score", json=dict(q, request_id=q["request_id"] + "-single")).json()
                   for q in reqs[:4]]
    for res, single in zip(results, singles):
        single["request_id"] = res["request_id"]
        assert res == single


def test_batch_accepts_256_items_and_refuses_257(worker, sample):
    items = [dict(sample, request_id=f"b-{i}", answer=sample["answer"] + f" 第{i}次。")
             for i in range(257)]
    with worker.client() as c:
        r = c.post("/v1/score:batch", json={"items": items[:256]})
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]) == 256
        assert_error(c.post("/v1/score:batch", json={"items": items}), 400, "too_many_items",
                     "256")


def test_batch_error_names_the_item(worker, sample):
    bad = dict(sample, request_id="bad", answer="   ")
    with worker.client() as c:
        assert_error(c.post("/v1/score:batch", json={"items": [sample, bad]}), 400,
                     "empty_answer", "items[1].answer")
        assert_error(c.post("/v1/score:batch", json={"items": []}), 400, "invalid_request",
                     "items")
        assert_error(c.post("/v1/score:batch", json={"answers": []}), 400, "invalid_request",
                     "items")


# -- idempotency -------------------------------------------------------------------------
def test_same_request_id_and_body_returns_the_same_result(worker, questions, dev_set):
    item = max((i for i in dev_set if i["language"] == "zh"), key=lambda i: len(i["answer"]))
    req = request_for(item, questions, request_id="idem-1")
    with worker.client() as c:
        first = c.post("/v1/score", json=req)
        t0 = time.perf_counter()
        again = c.post("/v1/score", json=req)
        again_ms = (time.perf_counter() - t0) * 1000
        in_batch = c.post("/v1/score:batch", json={"items": [req]}).json()["results"][0]
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert in_batch == first.json()
    assert again_ms < 200


def test_same_request_id_with_another_body_is_scored_afresh(worker, sample):
    changed = dict(sample, answer="我平时喜欢爬山和看电影，周末一般在家休息。")
    with worker.client() as c:
        a = c.post("/v1/score", json=dict(sample, request_id="idem-2")).json()
        b = c.post("/v1/score", json=dict(changed, request_id="idem-2")).json()
    assert a["overall"] != b["overall"]
    assert b["overall"] < a["overall"]


# -- 401 -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/score", "/v1/score:batch"])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer", "bearer x"])
def test_missing_or_wrong_token_is_401(worker, sample, path, header):
    headers = {"Authorization": header} if header is not None else {}
    r = httpx.post(worker.url + path, json=sample, headers=headers)
    assert_error(r, 401, "unauthorized")
    assert r.headers.get("www-authenticate") == "Bearer"


def test_token_prefix_is_not_enough(worker, sample):
    with worker.client(worker.token[:-1]) as c:
        assert_error(c.post("/v1/score", json=sample), 401, "unauthorized")
    with worker.client(worker.token + "x") as c:
        assert_error(c.post("/v1/score", json=sample), 401, "unauthorized")


def test_401_comes_before_body_checks(worker):
    r = httpx.post(worker.url + "/v1/score", content=b"{not json")
    assert_error(r, 401, "unauthorized")


# -- 400 -------------------------------------------------------------------------------
@pytest.mark.parametrize("change, code, field", [
    ({"answer": ""}, "empty_answer", "answer"),
    ({"answer": " \n\t　"}, "empty_answer", "answer"),
    ({"answer": None}, "empty_answer", "answer"),
    ({"answer": "好" * 20_001}, "answer_too_long", "answer"),
    ({"language": "fr"}, "unknown_language", "language"),
    ({"language": ""}, "unknown_language", "language"),
    ({"competencies": []}, "no_competencies", "competencies"),
    ({"competencies": None}, "no_competencies", "competencies"),
    ({"request_id": ""}, "invalid_request", "request_id"),
    ({"request_id": 7}, "invalid_request", "request_id"),
    ({"question": ""}, "invalid_request", "question"),
    ({"answer": ["list"]}, "invalid_request", "answer"),
    ({"delivery": {"duration_s": "long"}}, "invalid_request", "delivery.duration_s"),
])
def test_bad_input_is_400_naming_the_field(worker, sample, change, code, field):
    req = {**sample, **change}
    with worker.client() as c:
        assert_error(c.post("/v1/score", json=req), 400, code, field)


def test_answer_of_exactly_20000_characters_is_accepted(worker, sample):
    answer = ("我先倾听客户的问题，然后同步给同事。" * 2000)[:20_000]
    with worker.client() as c:
        r = c.post("/v1/score", json=dict(sample, request_id="long-ok", answer=answer))
    assert r.status_code == 200, r.text


def test_missing_competencies_field_is_400(worker, sample):
    req = {k: v for k, v in sample.items() if k != "competencies"}
    with worker.client() as c:
        assert_error(c.post("/v1/score", json=req), 400, "no_competencies", "competencies")


@pytest.mark.parametrize("anchors, missing", [
    (None, "anchors"),
    ({}, "1, 3, 5"),
    ({"1": "a", "5": "b"}, "3"),
    ({"1": "a", "3": "  ", "5": "b"}, "3"),
])
def test_missing_anchors_is_400(worker, sample, anchors, missing):
    req = copy.deepcopy(sample)
    if anchors is None:
        del req["competencies"][0]["anchors"]
    else:
        req["competencies"][0]["anchors"] = anchors
    with worker.client() as c:
        assert_error(c.post("/v1/score", json=req), 400, "missing_anchors",
                     "competencies[0].anchors")
        r = c.post("/v1/score", json=req)
    assert missing in r.json()["error"]["message"]


def test_malformed_json_is_400(worker):
    with worker.client() as c:
        for body in (b"{bad", b"", b"\xff\xfe", b"[1,2", b"[" * 100_000 + b"]" * 100_000):
            assert_error(c.post("/v1/score", content=body,
                                headers={"content-type": "application/json"}), 400, "invalid_json")
        assert_error(c.post("/v1/score", content=b"[1, 2]"), 400, "invalid_request", "body")


def test_duplicate_competency_keys_are_400(worker, sample):
    req = copy.deepcopy(sample)
    req["competencies"].append(copy.deepcopy(req["competencies"][0]))
    with worker.client() as c:
        assert_error(c.post("/v1/score", json=req), 400, "invalid_request", "duplicate")


# -- 413 -------------------------------------------------------------------------------
def test_body_over_the_limit_is_413(worker, sample):
    big = json.dumps({"items": [sample] * 600}).encode()
    assert len(big) > MAX_BODY
    with worker.client() as c:
        assert_error(c.post("/v1/score:batch", content=big), 413, "payload_too_large")


def test_streamed_body_over_the_limit_is_413(worker):
    def chunks():  # no Content-Length: the worker must count while reading
        for _ in range(40):
            yield b" " * 50_000

    with worker.client() as c:
        assert_error(c.post("/v1/score", content=chunks()), 413, "payload_too_large")


# -- privacy of logs ---------------------------------------------------------------------
def test_answer_text_is_never_logged(worker, sample):
    marker = "独一无二的标记句子XYZZY"
    with worker.client() as c:
        c.post("/v1/score", json=dict(sample, request_id="log-check", answer=marker + "。" + sample["answer"]))
        c.post("/v1/score", json=dict(sample, request_id="log-check-2", answer=marker, language="xx"))
    time.sleep(0.2)
    log = worker.log_text()
    assert "log-check" in log          # the request id is logged...
    assert "XYZZY" not in log          # ...the answer never is


# -- process: token sources, readiness ------------------------------------------------------
def test_worker_refuses_to_start_without_a_token(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "scoring_worker", "--port", "1"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode != 0
    assert "SCORING_TOKEN" in r.stderr


def test_env_token_and_503_until_the_model_is_loaded(tmp_path, sample):
    # The real worker, with its model load held back 4 s by a patch in its own process.
    prelude = ("import time, scoring_worker.app as a\n"
               "_load = a.Worker.load\n"
               "a.Worker.load = lambda self: (time.sleep(4), _load(self))[1]\n")
    w = start_worker(tmp_path, token="env-token-0123456789abcdef", via="env", prelude=prelude,
                     wait_ready=False)
    try:
        r = httpx.get(w.url + "/healthz")
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "not_ready"
        assert r.headers["retry-after"]
        with w.client() as c:
            assert_error(c.post("/v1/score", json=sample), 503, "not_ready")
            assert_error(c.post("/v1/score:batch", json={"items": [sample]}), 503, "not_ready")
        with w.client("wrong") as c:  # the token is checked before readiness
            assert_error(c.post("/v1/score", json=sample), 401, "unauthorized")
        deadline = time.monotonic() + 60
        while httpx.get(w.url + "/healthz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with w.client() as c:
            assert c.post("/v1/score", json=sample).status_code == 200
    finally:
        stop_worker(w)
