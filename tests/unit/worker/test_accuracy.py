"""Agreement with the labelled answers, scored by the real worker over HTTP.

Labels were assigned from each competency's anchors before the scorer was
written. The development part may be studied while changing rules; the locked
part (tests/data/scoring_locked_test.jsonl) is only scored here, to hold the
accuracy floors, and never inspected answer by answer.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from scoring_worker.evaluation import level_from_score, quadratic_weighted_kappa, spearman

from .conftest import request_for


def _score_all(worker, questions, items) -> dict[str, dict]:
    reqs = [request_for(item, questions) for item in items]
    out: dict[str, dict] = {}
    with worker.client() as c:
        for start in range(0, len(reqs), 64):
            r = c.post("/v1/score:batch", json={"items": reqs[start:start + 64]})
            assert r.status_code == 200, r.text
            out.update({res["request_id"]: res for res in r.json()["results"]})
    assert len(out) == len(items)
    return out


@pytest.fixture(scope="module")
def scored(worker, questions, dev_set) -> dict[str, dict]:
    return _score_all(worker, questions, dev_set)


@pytest.fixture(scope="module")
def scored_locked(worker, questions, locked_set) -> dict[str, dict]:
    return _score_all(worker, questions, locked_set)


@pytest.fixture(scope="module")
def labelled(dev_set, locked_set) -> list[dict]:
    """Both parts: behaviour checks (stuffing, off-topic...) need every pair they hold."""
    return dev_set + locked_set


@pytest.fixture(scope="module")
def scored_all(scored, scored_locked) -> dict[str, dict]:
    return {**scored, **scored_locked}


def test_the_split_is_disjoint_and_keeps_stuffed_pairs_together(dev_set, locked_set):
    dev_ids, locked_ids = {i["id"] for i in dev_set}, {i["id"] for i in locked_set}
    assert not dev_ids & locked_ids
    # answers added later go to the development part only (tests/data/README.md)
    assert all(i.get("added") is None for i in locked_set)
    split = [i for i in dev_set if i.get("added") is None]
    assert len(split) + len(locked_ids) == 158
    for part, ids in ((dev_set, dev_ids), (locked_set, locked_ids)):
        for item in part:
            if item["kind"] == "stuffing":
                assert item["base_id"] in ids, item["id"]
    for language in ("zh", "en"):  # about 60/40 in each language
        n_dev = sum(i["language"] == language for i in split)
        n_locked = sum(i["language"] == language for i in locked_set)
        assert 0.55 <= n_dev / (n_dev + n_locked) <= 0.65


def test_dev_set_is_big_and_varied_enough(dev_set):
    assert len(dev_set) >= 130
    by_lang = defaultdict(int)
    for item in dev_set:
        by_lang[item["language"]] += 1
        assert 1 <= item["level"] <= 5
    assert by_lang["zh"] >= 80 and by_lang["en"] >= 45
    assert len({i["question_id"] for i in dev_set}) >= 6
    kinds = {i["kind"] for i in dev_set}
    assert {"long_off_topic", "stuffing", "other_language"} <= kinds
    assert any(i["kind"] == "normal" and i["level"] >= 4 and len(i["answer"]) < 110 for i in dev_set)


# Floors: what bars-3 reaches, a little below, so a regression fails. The goals
# (Spearman >= 0.85, QWK >= 0.75 on the locked part) are not all met; see
# docs/scoring-worker.md "Measured figures".
FLOORS = {("dev", "zh"): (0.79, 0.79), ("dev", "en"): (0.83, 0.74),
          ("locked", "zh"): (0.82, 0.80), ("locked", "en"): (0.84, 0.74)}


@pytest.mark.parametrize("split,language", sorted(FLOORS))
def test_spearman_and_qwk_per_split_and_language(request, split, language):
    items = request.getfixturevalue("dev_set" if split == "dev" else "locked_set")
    scored = request.getfixturevalue("scored" if split == "dev" else "scored_locked")
    items = [i for i in items if i["language"] == language]
    labels = [i["level"] for i in items]
    scores = [scored[i["id"]]["overall"] for i in items]
    rho = spearman(labels, scores)
    qwk = quadratic_weighted_kappa(labels, [level_from_score(s) for s in scores])
    min_rho, min_qwk = FLOORS[(split, language)]
    assert rho >= min_rho, f"{split}/{language}: Spearman {rho:.3f}"
    assert qwk >= min_qwk, f"{split}/{language}: QWK {qwk:.3f}"


def test_keyword_stuffing_gains_at_most_5_points(scored_all, labelled):
    stuffed = [i for i in labelled if i["kind"] == "stuffing"]
    assert len(stuffed) >= 10
    for item in stuffed:
        gain = scored_all[item["id"]]["overall"] - scored_all[item["base_id"]]["overall"]
        assert gain <= 5.0, f"{item['id']} gains {gain:.1f} points"
        # ...while the keywords are still counted where they are reported
        assert scored_all[item["id"]]["keyword_density"] > scored_all[item["base_id"]]["keyword_density"]


def test_off_topic_scores_below_every_on_topic_level_3(scored_all, labelled):
    off = [i for i in labelled if i["kind"] in ("off_topic", "long_off_topic")]
    assert len(off) >= 10
    for item in off:
        level3 = [scored_all[j["id"]]["overall"] for j in labelled
                  if j["question_id"] == item["question_id"] and j["level"] == 3
                  and j["question_language"] == item["question_language"]
                  and j["kind"] not in ("off_topic", "long_off_topic")]
        assert level3, item["id"]
        assert scored_all[item["id"]]["overall"] < min(level3), item["id"]
        assert scored_all[item["id"]]["relevance"] < 60, item["id"]


def test_answers_in_the_other_language_are_scored_on_content(scored_all, labelled):
    cross = [i for i in labelled if i["kind"] == "other_language"]
    assert len(cross) >= 6
    high = [scored_all[i["id"]]["overall"] for i in cross if i["level"] >= 4]
    low = [scored_all[i["id"]]["overall"] for i in cross if i["level"] <= 2]
    assert min(high) > max(low)


def test_short_but_excellent_beats_long_but_weak(scored_all, labelled):
    short = [i for i in labelled if i["id"].endswith("-short")]
    assert short
    compared = 0
    for item in short:
        weak = [scored_all[j["id"]]["overall"] for j in labelled
                if j["question_id"] == item["question_id"] and j["level"] <= 2
                and j["question_language"] == item["question_language"]
                and j["kind"] == "normal" and len(j["answer"]) > len(item["answer"])]
        if weak:
            compared += 1
            assert scored_all[item["id"]]["overall"] > max(weak), item["id"]
    assert compared >= 4


@pytest.mark.parametrize("answer", ["好", "OK", "😀😀", "。。。", "我" * 3000, "嗯嗯，对对对。" * 20])
def test_answers_that_say_nothing_score_at_the_bottom(worker, questions, scored_all, labelled, answer):
    model = questions["communication"]["zh"]
    req = {"request_id": f"empty-{len(answer)}-{answer[:2]}", "question": model["question"],
           "answer": answer, "competencies": [model["competency"]]}
    with worker.client() as c:
        body = c.post("/v1/score", json=req).json()
    assert body["overall"] < 20 and body["relevance"] < 20, body
    real = [scored_all[i["id"]]["overall"] for i in labelled if i["kind"] == "normal"]
    assert body["overall"] < min(real)
