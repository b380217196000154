"""The model editor's draft: rows of strings the inputs show, turned into what the
service validates, and the running sum of the weights."""

from __future__ import annotations

from portal.services.interviews import job_config
from state.hr_content import draft_rows, service_model, weight_total

STORED = [{"key": "communication", "name_zh": "沟通", "name_en": "Communication", "description_zh": "描述",
           "description_en": "Desc", "weight_pct": 60.0, "required_level": 70.0, "keywords": ["倾听", "listen"],
           "anchors": {lv: {"zh": f"锚{lv}", "en": f"anchor {lv}"} for lv in (1, 3, 5)}},
          {"key": "teamwork", "name_zh": "协作", "name_en": "Teamwork", "description_zh": "", "description_en": "",
           "weight_pct": 40.0, "required_level": 65.5, "keywords": [],
           "anchors": {lv: {"zh": f"协{lv}", "en": f"team {lv}"} for lv in (1, 3, 5)}}]


def test_rows_round_trip_into_what_the_service_saves():
    rows = draft_rows(STORED, first_uid=7)
    assert [r["uid"] for r in rows] == ["7", "8"]
    assert rows[0]["weight_pct"] == "60" and rows[1]["required_level"] == "65.5"
    assert rows[0]["keywords"] == "倾听, listen" and rows[0]["a5_en"] == "anchor 5"
    back = service_model(rows)
    job_config.validate_model(back)
    assert back[0]["keywords"] == ["倾听", "listen"] and back[0]["anchors"][3] == {"zh": "锚3", "en": "anchor 3"}


def test_keywords_split_on_chinese_and_latin_separators():
    rows = draft_rows(STORED)
    rows[0]["keywords"] = "倾听，同步、对齐; listen,\nalign ,"
    assert service_model(rows)[0]["keywords"] == ["倾听", "同步", "对齐", "listen", "align"]


def test_running_sum_ignores_what_is_not_a_number_yet():
    rows = draft_rows(STORED)
    assert weight_total(rows) == 100
    rows[1]["weight_pct"] = "30"
    assert weight_total(rows) == 90
    rows[1]["weight_pct"] = "3x"
    assert weight_total(rows) == 60
    rows[1]["weight_pct"] = ""
    assert weight_total(rows) == 60
