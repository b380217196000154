"""Agreement with the labelled dev set, scored by the real worker over HTTP.

Labels were assigned from each competency's anchors before the scorer was
written; the scorer is calibrated from anchors and fixed constants only.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from scoring_worker.evaluation import level_from_score, quadratic_weighted_kappa, spearman

from .conftest import request_for


@pytest.fixture(scope="module")
def scored(worker, questions, dev_set) -> dict[str, dict]:
    reqs = [request_for(item, questions) for item in dev_set]
    out: dict[str, dict] = {}
    with worker.client() as c:
        for start in range(0, len(reqs), 64):
            r = c.post("/v1/score:batch", json={"items": reqs[start:start + 64]})
            assert r.status_code == 200, r.text
            out.update({res["request_id"]: res for res in r.json()["results"]})
    assert len(out) == len(dev_set)
    return out


def test_dev_set_is_big_and_varied_enough(dev_set):
    assert len(dev_set) >= 120
    by_lang = defaultdict(int)
    for item in dev_set:
        by_lang[item["language"]] += 1
        assert 1 <= item["level"] <= 5
    assert by_lang["zh"] >= 50 and by_lang["en"] >= 50
    assert len({i["question_id"] for i in dev_set}) >= 6
    kinds = {i["kind"] for i in dev_set}
    assert {"long_off_topic", "stuffing", "other_language"} <= kinds
    assert any(i["kind"] == "normal" and i["level"] >= 4 and len(i["answer"]) < 110 for i in dev_set)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_spearman_and_qwk_per_language(scored, dev_set, language):
    items = [i for i in dev_set if i["language"] == language]
    labels = [i["level"] for i in items]
    scores = [scored[i["id"]]["overall"] for i in items]
    rho = spearman(labels, scores)
    qwk = quadratic_weighted_kappa(labels, [level_from_score(s) for s in scores])
    assert rho >= 0.80, f"{language}: Spearman {rho:.3f}"
    assert qwk >= 0.70, f"{language}: QWK {qwk:.3f}"


def test_keyword_stuffing_gains_at_most_5_points(scored, dev_set):
    stuffed = [i for i in dev_set if i["kind"] == "stuffing"]
    assert len(stuffed) >= 10
    for item in stuffed:
        gain = scored[item["id"]]["overall"] - scored[item["base_id"]]["overall"]
        assert gain <= 5.0, f"{item['id']} gains {gain:.1f} points"
        # ...while the keywords are still counted where they are reported
        assert scored[item["id"]]["keyword_density"] > scored[item["base_id"]]["keyword_density"]


def test_off_topic_scores_below_every_on_topic_level_3(scored, dev_set):
    off = [i for i in dev_set if i["kind"] in ("off_topic", "long_off_topic")]
    assert len(off) >= 10
    for item in off:
        level3 = [scored[j["id"]]["overall"] for j in dev_set
                  if j["question_id"] == item["question_id"] and j["level"] == 3
                  and j["question_language"] == item["question_language"]
                  and j["kind"] not in ("off_topic", "long_off_topic")]
        assert level3, item["id"]
        assert scored[item["id"]]["overall"] < min(level3), item["id"]
        assert scored[item["id"]]["relevance"] < 60, item["id"]


def test_answers_in_the_other_language_are_scored_on_content(scored, dev_set):
    cross = [i for i in dev_set if i["kind"] == "other_language"]
    assert len(cross) >= 6
    high = [scored[i["id"]]["overall"] for i in cross if i["level"] >= 4]
    low = [scored[i["id"]]["overall"] for i in cross if i["level"] <= 2]
    assert min(high) > max(low)


def test_short_but_excellent_beats_long_but_weak(scored, dev_set):
    short = [i for i in dev_set if i["id"].endswith("-short")]
    assert short
    compared = 0
    for item in short:
        weak = [scored[j["id"]]["overall"] for j in dev_set
                if j["question_id"] == item["question_id"] and j["level"] <= 2
                and j["question_language"] == item["question_language"]
                and j["kind"] == "normal" and len(j["answer"]) > len(item["answer"])]
        if weak:
            compared += 1
            assert scored[item["id"]]["overall"] > max(weak), item["id"]
    assert compared >= 4


@pytest.mark.parametrize("answer", ["好", "OK", "😀😀", "。。。", "我" * 3000, "嗯嗯，对对对。" * 20])
def test_answers_that_say_nothing_score_at_the_bottom(worker, questions, scored, dev_set, answer):
    model = questions["communication"]["zh"]
    req = {"request_id": f"empty-{len(answer)}-{answer[:2]}", "question": model["question"],
           "answer": answer, "competencies": [model["competency"]]}
    with worker.client() as c:
        body = c.post("/v1/score", json=req).json()
    assert body["overall"] < 20 and body["relevance"] < 20, body
    real = [scored[i["id"]]["overall"] for i in dev_set if i["kind"] == "normal"]
    assert body["overall"] < min(real)
