"""Pure helpers of the worker: sentences, words, keywords, STAR cues, statistics."""

from __future__ import annotations

import pytest

from scoring_worker import text as T
from scoring_worker.evaluation import (
    level_from_score,
    quadratic_weighted_kappa,
    spearman,
    standardised_mean_difference,
)


def test_language_detection():
    assert T.detect_language("我先倾听客户的问题。") == "zh"
    assert T.detect_language("I listened to the customer first.") == "en"
    # mostly English with a Chinese name is still English
    assert T.detect_language("I called 王经理 and we agreed on a plan for the launch.") == "en"
    assert T.detect_language("我们用了 CRM 系统来跟进客户。") == "zh"


def test_sentences_split_in_both_languages_and_keep_the_original_text():
    s = T.split_sentences("去年双十一，客户投诉很多。我先倾听！结果好评？ I called him. Then I fixed it.")
    assert s == ["去年双十一，客户投诉很多。", "我先倾听！", "结果好评？", "I called him.", "Then I fixed it."]


def test_run_on_transcript_is_cut_at_commas_and_keeps_its_parent():
    run_on = "，".join(["我先把问题按类型分好类然后逐个联系客户确认需求"] * 8)
    pieces = T.split_sentences_with_parent(run_on + "。最后都解决了。")
    assert len(pieces) > 3
    assert all(len(p) <= T.MAX_SENTENCE_CHARS for p, _ in pieces)
    assert {k for _, k in pieces[:-1]} == {0} and pieces[-1] == ("最后都解决了。", 1)


def test_sentences_are_cut_into_clause_sized_pieces_alike_in_both_languages():
    # about 14 encoder tokens per piece: 15 Chinese characters or 60 letters
    zh = "客户投诉物流太慢，我先听他说完并复述确认，然后联系仓库改发加急。"
    pieces = T.split_sentences_with_parent(zh)
    assert [p for p, _ in pieces] == ["客户投诉物流太慢，", "我先听他说完并复述确认，", "然后联系仓库改发加急。"]
    assert {k for _, k in pieces} == {0}
    assert T.split_sentences("我先听他说完，再解释原因。") == ["我先听他说完，再解释原因。"]
    en = ("The customer was angry about the delay, so I listened to the whole story first, "
          "then I called the warehouse to send it express.")
    assert len(T.split_sentences(en)) == 3
    assert T.split_sentences("I listened first, then I called the warehouse.") == [
        "I listened first, then I called the warehouse."]


def test_no_punctuation_at_all_is_still_cut():
    pieces = T.split_sentences("我" * 500)
    assert len(pieces) >= 4 and all(len(p) <= T.MAX_SENTENCE_CHARS for p in pieces)


def test_chinese_keywords_match_on_jieba_word_boundaries():
    m = T.KeywordMatcher.build("同步")
    toks = T.words("我把进展同步给同事，还同步了客户。")
    assert m.count("", toks) == 2
    plan = T.KeywordMatcher.build("计划")
    assert plan.count("", T.words("我制定了详细的计划。")) == 1
    # a keyword inside a longer word is not a hit
    assert T.KeywordMatcher.build("户满").count("", T.words("客户满意度提升了")) == 0


def test_english_keywords_match_inflections_not_substrings():
    listen = T.KeywordMatcher.build("listen")
    assert listen.count("i listened, kept listening and listens", None) == 3
    assert listen.count("glistening water", None) == 0
    root = T.KeywordMatcher.build("root cause")
    assert root.count("we found the root causes quickly", None) == 1


def test_star_cues_zh_and_en():
    zh = T.star("去年我负责客服团队，任务是降低投诉。我先分析了原因，最终投诉下降了百分之三十。")
    assert zh == {"situation": True, "task": True, "action": True, "result": True}
    en = T.star("Last year I was responsible for support. I decided to call every client. "
                "As a result complaints fell 30%.")
    assert en == {"situation": True, "task": True, "action": True, "result": True}
    assert T.star("我喜欢旅游和美食。") == {"situation": False, "task": False, "action": False,
                                          "result": False}


def test_passivity_cues():
    assert T.PASSIVITY.search("这不是我的问题，我也没办法")
    assert T.PASSIVITY.search("It was not my fault, the supplier never replied.")
    assert not T.PASSIVITY.search("我主动联系了客户并确认了需求。")


def test_a_behaviour_not_done_is_passivity_not_an_action():
    # level-1 anchors describe the behaviours NOT done ("不倾听", "does not listen")
    for s in ("我也没告诉他。", "他说的我没怎么听。", "I didn't call him back.", "Nobody informed the team."):
        assert T.passive_statements(s) == 1, s
        assert T.action_clauses(s) == 0, s
    # counted once when the passivity list already names it
    assert T.passive_statements("我没有通知客户。") == 1
    # "不断" (constantly) and "不得不" (had to) are not negations
    for s in ("我不断跟进客户。", "我不得不解释原因。", "我先倾听，然后确认了需求。", "I called him back."):
        assert T.passive_statements(s) == 0, s
        assert T.action_clauses(s) >= 1, s


def test_spearman_handles_ties_and_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # with ties: ranks [1.5, 1.5, 3, 4] vs [1, 2, 3, 4] -> 0.9486833
    assert spearman([1, 1, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, abs=1e-6)


def test_quadratic_weighted_kappa():
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    # one step off everywhere is still strong agreement
    assert 0.6 < quadratic_weighted_kappa([1, 2, 3, 4, 5, 1, 2, 3, 4, 5],
                                          [2, 3, 4, 5, 5, 1, 1, 2, 3, 4]) < 1.0


def test_levels_from_scores_and_smd():
    assert [level_from_score(s) for s in (0, 29.9, 30, 69.9, 70, 100)] == [1, 1, 2, 3, 4, 5]
    assert standardised_mean_difference([1, 2, 3], [1, 2, 3]) == pytest.approx(0.0)
    assert standardised_mean_difference([2, 3, 4], [1, 2, 3]) == pytest.approx(1.0)


def test_titles_and_abbreviations_do_not_end_a_sentence():
    assert T.split_sentences("A customer, Mr. Patel, called. Then Mrs. Smith left, e.g. at five.") == [
        "A customer, Mr. Patel, called.", "Then Mrs. Smith left, e.g. at five."]


def test_a_long_sentence_without_commas_is_cut_between_words():
    s = ("Following the hotel procedure I moved him to a quieter room on a higher floor and "
         "informed the duty manager and the housekeeping staff about all of it.")
    pieces = T.split_sentences(s)
    assert len(pieces) == 2 and " ".join(pieces) == s


def test_names_gender_and_places_are_neutralised_for_the_encoder():
    assert T.neutralise("去年在杭州，一位姓王的先生很着急，她说给女儿买的。") == \
        T.neutralise("去年在兰州，一位姓赵的先生很着急，他说给儿子买的。")
    assert T.neutralise("I told my colleague Sarah so she would call Mr. Patel in Leeds back.") == \
        T.neutralise("I told my colleague Tom so he would call Ms. Nguyen in Lagos back.")
    # ordinary words that look like places or surnames stay
    assert "日志" in T.neutralise("我用日志数据发现了原因。")
    assert "每周总结" in T.neutralise("我们每周总结一次。")


def test_opinions_and_habits_are_not_specific_behaviour():
    for s in ("我一直很注重倾听客户的声音。", "我非常善于沟通。", "I always listen patiently.",
              "I believe communication is the key.", "I have always put the customer first.",
              "I proactively follow up with customers."):
        assert T.is_generic(s), s
    for s in ("我先耐心听他把经过讲完。", "I listened to what had happened.",
              "I told him I would call back on Friday.", "I followed our repair procedure."):
        assert not T.is_generic(s), s


def test_first_person_contractions_are_not_taken_for_names():
    assert T.neutralise("Then I'm told I've got it.") == "Then I'm told I've got it."
