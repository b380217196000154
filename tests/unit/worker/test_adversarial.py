"""Answers built to game the scorer (tests/data/scoring_adversarial.jsonl),
scored by the real worker against genuine level-3 answers to the same question.

Written from the competency definitions before the bars-2 rules, not from any
rule. What each class must do is what an assessor would expect of a BARS rating.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

import pytest

from .conftest import request_for

CELLS = [(c, lang) for c in ("communication", "customer_focus") for lang in ("zh", "en")]


@pytest.fixture(scope="module")
def adv_scored(worker, questions, adversarial) -> dict[str, dict]:
    with worker.client() as c:
        r = c.post("/v1/score:batch", json={"items": [request_for(i, questions) for i in adversarial]})
    assert r.status_code == 200, r.text
    return {res["request_id"]: res for res in r.json()["results"]}


@pytest.fixture(scope="module")
def by_cell(adversarial, adv_scored) -> dict[tuple, list[float]]:
    out: dict[tuple, list[float]] = defaultdict(list)
    for item in adversarial:
        out[(item["question_id"], item["language"], item["kind"])].append(
            adv_scored[item["id"]]["overall"])
    return out


def test_every_class_is_present_in_both_languages_for_both_competencies(by_cell):
    for comp, lang in CELLS:
        for kind, n in (("genuine_l3", 3), ("star_template", 3), ("other_competency", 2),
                        ("generic_fluent", 2), ("swap", 2)):
            assert len(by_cell[(comp, lang, kind)]) >= n, (comp, lang, kind)


@pytest.mark.parametrize("comp,lang", CELLS)
def test_star_template_without_the_competency_stays_at_level_2_and_below_genuine(by_cell, comp,
                                                                                  lang):
    templates = by_cell[(comp, lang, "star_template")]
    genuine = mean(by_cell[(comp, lang, "genuine_l3")])
    assert mean(templates) < 50, templates          # level 2 or lower on average
    assert max(templates) < genuine, (templates, genuine)


@pytest.mark.parametrize("comp,lang", CELLS)
def test_strong_answer_for_another_competency_scores_below_genuine_level_3(by_cell, comp, lang):
    other = by_cell[(comp, lang, "other_competency")]
    genuine = mean(by_cell[(comp, lang, "genuine_l3")])
    assert mean(other) < genuine, (other, genuine)


@pytest.mark.parametrize("comp,lang", CELLS)
def test_fluent_generic_self_description_stays_at_level_2(by_cell, comp, lang):
    generic = by_cell[(comp, lang, "generic_fluent")]
    assert max(generic) < 40, generic
    assert max(generic) < min(by_cell[(comp, lang, "genuine_l3")]) - 10


def test_names_gender_and_places_move_no_score_by_more_than_2_points(adversarial, adv_scored):
    swaps = [i for i in adversarial if i["kind"] == "swap"]
    assert len(swaps) >= 8
    for item in swaps:
        a, b = adv_scored[item["id"]], adv_scored[item["base_id"]]
        assert abs(a["overall"] - b["overall"]) <= 2.0, item["id"]
        assert abs(a["competencies"][0]["score"] - b["competencies"][0]["score"]) <= 2.0


def test_a_padded_star_template_quotes_no_evidence_for_communication(adversarial, adv_scored):
    padded = [i for i in adversarial if i["question_id"] == "communication"
              and i["kind"] == "star_template"]
    assert len(padded) == 6
    for item in padded:
        comp = adv_scored[item["id"]]["competencies"][0]
        assert comp["evidence"] == [], (item["id"], comp["evidence"])


def test_genuine_answers_do_quote_evidence_as_whole_sentences(adversarial, adv_scored):
    for item in adversarial:
        if item["kind"] == "genuine_l3":
            quoted = adv_scored[item["id"]]["competencies"][0]["evidence"]
            assert quoted, item["id"]
            # a reviewer reads whole sentences, not the clause-sized pieces the encoder sees
            for e in quoted:
                assert e["sentence"] in item["answer"], (item["id"], e)
                assert e["sentence"][-1] in "。！？.!?" or item["answer"].endswith(e["sentence"]), e


def test_keyword_stuffed_template_gains_nothing(worker, questions, adversarial, adv_scored):
    base = next(i for i in adversarial if i["id"] == "adv-en-com-t1")
    stuffed = dict(base, id="adv-en-com-t1-stuffed",
                   answer=base["answer"] + " Listen, explain, confirm, update, follow up.")
    with worker.client() as c:
        body = c.post("/v1/score", json=request_for(stuffed, questions)).json()
    assert body["overall"] <= adv_scored[base["id"]]["overall"] + 5
