"""The candidate's preparation service: own interviews only, times in the candidate's
time zone and language, the countdown, the join window and the checklist that ticks
itself off from the database."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import access
from portal.services.interviews import consent, preparation
from portal.services.platform import db
from portal.services.platform.demo import GUIDES, INTERVIEWERS, JOBS, load_demo
from portal.services.platform.errors import PermissionDenied

# Thursday 26 November 2026, 10:00 in Beijing
SLOT = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(db_url):
    """Two candidates, each with one interview for the same job; a practice question;
    an interviewer assigned to the first candidate's interview, another to the second's."""
    with db.session_scope(db_url) as s:
        a = models.User(email="a@corp.cn", role="candidate", display_name="A")
        b = models.User(email="b@corp.cn", role="candidate", display_name="B", timezone="Europe/Berlin")
        job = models.Job(code="J", title_zh="客户经理", title_en="Account Manager",
                         description_zh="岗位职责", description_en="Responsibilities")
        s.add_all([a, b, job])
        s.flush()
        cm = models.CompetencyModel(job_id=job.id)
        s.add(cm)
        s.add_all([models.InterviewStage(job_id=job.id, position=0, name_zh="自我介绍", name_en="Self-introduction",
                                         duration_min=5),
                   models.InterviewStage(job_id=job.id, position=1, name_zh="问答", name_en="Questions",
                                         duration_min=30)])
        practice_q = models.Question(job_id=job.id, text_zh="练习", text_en="Practice", is_practice=True)
        s.add(practice_q)
        s.flush()
        ia = models.Interview(candidate_id=a.id, job_id=job.id, model_id=cm.id, scheduled_at=SLOT, duration_min=45)
        ib = models.Interview(candidate_id=b.id, job_id=job.id, model_id=cm.id, scheduled_at=SLOT, duration_min=45)
        pa = models.InterviewerProfile(name_zh="王静", name_en="Wang Jing", title_zh="总监", title_en="Director",
                                       focus_zh="关注客户", focus_en="Customers", years_experience=12,
                                       photo="/interviewers/interviewer-1.svg")
        pb = models.InterviewerProfile(name_zh="陈浩", name_en="Chen Hao")
        s.add_all([ia, ib, pa, pb])
        s.flush()
        s.add_all([models.InterviewAssignment(interview_id=ia.id, interviewer_id=pa.id),
                   models.InterviewAssignment(interview_id=ib.id, interviewer_id=pb.id)])
        ids = {"a": a.id, "b": b.id, "ia": ia.id, "ib": ib.id, "job": job.id, "cm": cm.id, "q": practice_q.id}
    return db_url, ids


def _user(s, ids, key) -> models.User:
    return s.get(models.User, ids[key])


def _checklist(db_url, ids) -> dict[str, bool]:
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    return {item["step"]: bool(item["done"]) for item in preparation.checklist(prep, "en")}


def test_a_candidate_sees_only_their_own_interviews(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        own = preparation.candidate_interviews(s, _user(s, ids, "a"))
    assert [p.id for p in own] == [ids["ia"]]


def test_another_candidates_interview_id_is_refused_and_audited(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        assert preparation.candidate_interview(s, _user(s, ids, "a"), ids["ia"]).id == ids["ia"]
    with db.session_scope(db_url) as s:
        with pytest.raises(PermissionDenied):
            preparation.candidate_interview(s, _user(s, ids, "a"), ids["ib"])
    with db.session_scope(db_url) as s:
        denied = s.exec(select(models.AuditEvent).where(models.AuditEvent.action == "access_denied")).all()
        assert [(e.actor_id, e.object_id, e.outcome) for e in denied] == [(ids["a"], str(ids["ib"]), "denied")]
        # an id that does not exist gets the same answer: ids reveal nothing
        with pytest.raises(PermissionDenied):
            preparation.candidate_interview(s, _user(s, ids, "a"), 99999)


def test_other_roles_without_interview_rights_are_refused(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        admin = models.User(email="root@corp.cn", role="admin")
        s.add(admin)
        s.flush()
        with pytest.raises(PermissionDenied):
            preparation.candidate_interviews(s, admin)
        assert not access.can(admin, access.INTERVIEW_VIEW)


def test_times_are_shown_in_the_candidates_time_zone_and_language(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        prep_a = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
        b = _user(s, ids, "b")
        prep_b = preparation.candidate_interviews(s, b)[0]
    zh = preparation.present(prep_a, "zh_CN", "Asia/Shanghai", NOW)
    assert zh["date"] == "2026年11月26日星期四"
    assert zh["time"] == "10:00 – 10:45"
    assert zh["timezone"] == "中国时间"
    assert zh["duration"] == "时长：45分钟"
    en = preparation.present(prep_a, "en", "Asia/Shanghai", NOW)
    assert en["date"] == "Thursday, November 26, 2026"
    assert en["time"] == "10:00\u202fAM – 10:45\u202fAM"
    assert en["duration"] == "Duration: 45 minutes"
    # the same moment for a candidate in Berlin (UTC+1 in November): 03:00
    berlin = preparation.present(prep_b, "en", b.timezone, NOW)
    assert berlin["time"] == "3:00\u202fAM – 3:45\u202fAM"
    assert berlin["timezone"] == "Central European Time"
    # an unknown zone name falls back to Beijing time instead of failing
    assert preparation.present(prep_a, "en", "Mars/Olympus", NOW)["time"] == en["time"]
    assert [st["name"] for st in en["stages"]] == ["Self-introduction", "Questions"]
    assert [st["duration"] for st in zh["stages"]] == ["5分钟", "30分钟"]
    assert en["title"] == "Account Manager" and zh["description"] == "岗位职责"


@pytest.mark.parametrize("delta, en, zh", [
    (timedelta(days=3), "3 days", "3天"),
    (timedelta(days=2, hours=3, minutes=20), "2 days 3 hours", "2天3小时"),
    (timedelta(hours=1, minutes=5), "1 hour 5 minutes", "1小时5分钟"),
    (timedelta(minutes=14, seconds=10), "15 minutes", "15分钟"),  # rounded up: never "0 minutes"
    (timedelta(seconds=5), "1 minute", "1分钟"),
])
def test_countdown(delta, en, zh):
    assert preparation.countdown(delta, "en") == en
    assert preparation.countdown(delta, "zh_CN") == zh


def test_the_countdown_and_status_follow_the_clock(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    assert preparation.present(prep, "en", None, NOW)["countdown"] == "Starts in 3 days"
    during = preparation.present(prep, "en", None, SLOT + timedelta(minutes=10))
    assert during["countdown"] == "Under way now" and not during["past"]
    after = preparation.present(prep, "en", None, SLOT + timedelta(minutes=46))
    assert after["past"] and after["countdown"] == "" and after["status"] == "Time has passed"


def test_the_join_link_opens_15_minutes_before_and_closes_at_the_end(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    early = preparation.present(prep, "en", "Asia/Shanghai", SLOT - timedelta(minutes=15, seconds=1))
    assert early["join"] == "not_yet" and early["join_href"] == ""
    assert early["join_opens"] == "The link opens at 9:45\u202fAM"
    assert preparation.present(prep, "zh_CN", "Asia/Shanghai", NOW)["join_opens"] == "链接将于 09:45 开放"
    opened = preparation.present(prep, "en", None, SLOT - timedelta(minutes=15))
    assert opened["join"] == "open" and opened["join_href"] == routes.interview_room(ids["ia"])
    assert opened["join_href"].startswith(routes.INTERVIEW_ROOM + "/")
    assert preparation.present(prep, "en", None, SLOT + timedelta(minutes=44))["join"] == "open"
    closed = preparation.present(prep, "en", None, SLOT + timedelta(minutes=45))
    assert closed["join"] == "closed" and closed["join_href"] == ""
    prep.status = "cancelled"
    assert preparation.present(prep, "en", None, SLOT)["join"] == "closed"
    assert preparation.present(prep, "en", None, NOW)["status"] == "Cancelled"


def test_a_past_completed_interview_links_to_its_report(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    prep.status = "completed"
    shown = preparation.present(prep, "en", None, SLOT + timedelta(days=1))
    assert shown["past"] and shown["status"] == "Completed"
    assert shown["report_note"] == "Your score report is published once every answer is scored."
    assert shown["report_href"] == routes.candidate_report(prep.id)
    assert preparation.next_interview([prep], NOW) is prep  # no upcoming one: the latest past


def test_the_checklist_ticks_itself_off_from_the_database(world):
    db_url, ids = world
    assert _checklist(db_url, ids) == {"consent": False, "device_check": False, "process": False,
                                       "practice": False, "interview": False}
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    steps = preparation.checklist(prep, "en")
    assert [(i["label"], i["href"], i["next"]) for i in steps][:2] == [
        ("Give your consent", routes.CANDIDATE_CONSENT, "1"),
        ("Check your camera, microphone and network", routes.CANDIDATE_DEVICE_CHECK, "")]

    with db.session_scope(db_url) as s:
        consent.grant(s, _user(s, ids, "a"), consent.current_version(s))
    assert _checklist(db_url, ids)["consent"]

    # another candidate's device check and practice do not count for this one
    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["b"], interview_id=ids["ib"], camera_ok=True, microphone_ok=True,
                                 network_ok=True, browser_ok=True))
        s.add(models.Answer(user_id=ids["b"], question_id=ids["q"], model_id=ids["cm"], is_practice=True,
                            transcript_enc="x"))
    assert not _checklist(db_url, ids)["device_check"] and not _checklist(db_url, ids)["practice"]

    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=ids["ia"], camera_ok=True, microphone_ok=False,
                                 network_ok=True, browser_ok=True, problems=["microphone_silent"]))
    assert _checklist(db_url, ids)["device_check"]
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    readiness = preparation.present(prep, "en", None, NOW)["readiness"]
    assert readiness[1] == {"label": "Problems found: run the check again", "done": ""}

    with db.session_scope(db_url) as s:
        assert preparation.mark_process_read(s, _user(s, ids, "a")) is True
        assert preparation.mark_process_read(s, _user(s, ids, "a")) is False  # once is enough
    with db.session_scope(db_url) as s:
        s.add(models.Answer(user_id=ids["a"], question_id=ids["q"], model_id=ids["cm"], is_practice=True,
                            transcript_enc="x"))
    assert _checklist(db_url, ids) == {"consent": True, "device_check": True, "process": True,
                                       "practice": True, "interview": False}
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    assert [i["next"] for i in preparation.checklist(prep, "en")] == ["", "", "", "", "1"]
    assert preparation.present(prep, "en", None, NOW)["readiness"] == [
        {"label": "Consent given", "done": "1"}, {"label": "Problems found: run the check again", "done": ""},
        {"label": "Practice done", "done": "1"}]

    # the check run again without problems: the latest one counts
    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=ids["ia"], camera_ok=True, microphone_ok=True,
                                 network_ok=True, browser_ok=True))
    with db.session_scope(db_url) as s:
        prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
    assert preparation.present(prep, "en", None, NOW)["readiness"][1] == {"label": "Device check done", "done": "1"}

    with db.session_scope(db_url) as s:
        consent.withdraw(s, _user(s, ids, "a"))
    assert not _checklist(db_url, ids)["consent"]  # withdrawing unticks it


def test_a_general_device_check_counts_for_every_interview(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=None, camera_ok=True, microphone_ok=True,
                                 network_ok=True, browser_ok=True))
    assert _checklist(db_url, ids)["device_check"]


def test_interviewers_are_those_of_the_candidates_own_interviews_only(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        cards = preparation.my_interviewers(s, _user(s, ids, "a"))
    assert [c["name"] for c in cards["en"]] == ["Wang Jing"]
    assert cards["zh_CN"][0]["name"] == "王静"
    card = cards["en"][0]
    assert card["experience"] == "12 years of experience" and cards["zh_CN"][0]["experience"] == "12年经验"
    assert card["focus"] == "Customers" and card["positions"] == "Interviews you for: Account Manager"
    assert card["photo"] == "/interviewers/interviewer-1.svg"
    with db.session_scope(db_url) as s:
        interview = s.get(models.Interview, ids["ia"])
        interview.status = "cancelled"
    with db.session_scope(db_url) as s:
        assert preparation.my_interviewers(s, _user(s, ids, "a")) == {"zh_CN": [], "en": []}


def test_process_guides_come_from_the_job_and_say_when_there_is_none(world):
    db_url, ids = world
    with db.session_scope(db_url) as s:
        guides = preparation.process_guides(s, _user(s, ids, "a"))
    assert guides["en"][0]["has_guide"] == "" and guides["en"][0]["total"] == "Total time: 35 minutes"
    with db.session_scope(db_url) as s:
        s.add(models.InterviewGuide(job_id=ids["job"], analysed_en="What you say", analysed_zh="你说的内容",
                                    retention_days=90))
    with db.session_scope(db_url) as s:
        guides = preparation.process_guides(s, _user(s, ids, "a"))
    assert guides["en"][0]["analysed"] == "What you say" and guides["zh_CN"][0]["analysed"] == "你说的内容"
    assert "90 days" in guides["en"][0]["retention"]


def test_every_demo_job_has_a_guide_and_every_interviewer_a_focus_in_both_languages(db_url):
    assert set(GUIDES) == {job["code"] for job in JOBS}
    for guide in GUIDES.values():
        for name in ("analysed", "not_analysed", "recorded", "access"):
            assert re.search(r"[\u4e00-\u9fff]", guide[f"{name}_zh"]) and guide[f"{name}_en"].isascii(), name
    for spec in INTERVIEWERS:
        assert spec["years_experience"] > 0 and spec["focus_zh"] and spec["focus_en"]
    with db.session_scope(db_url) as s:
        load_demo(s, now=NOW)
    with db.session_scope(db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.role == "candidate")).one()
        guides = preparation.process_guides(s, candidate)["zh_CN"]
        assert len(guides) == 1 and guides[0]["has_guide"] and guides[0]["not_analysed"]
        cards = preparation.my_interviewers(s, candidate)["en"]
        assert cards and all(c["focus"] and c["experience"] for c in cards)


def test_an_older_demo_install_gets_the_guides_and_focus_once(db_url):
    from portal.services.platform.demo import add_preparation_content

    with db.session_scope(db_url) as s:
        load_demo(s, now=NOW)
        assert add_preparation_content(s) == 0  # a fresh install has them already
        for guide in s.exec(select(models.InterviewGuide)).all():
            s.delete(guide)
        edited, untouched = s.exec(select(models.InterviewerProfile).order_by(models.InterviewerProfile.id)
                                   ).all()[:2]
        edited.focus_en, edited.focus_zh, edited.years_experience = "HR's own words", "", 3
        untouched.focus_en = untouched.focus_zh = ""
        untouched.years_experience = 0
    with db.session_scope(db_url) as s:
        assert add_preparation_content(s) == len(GUIDES) + 1
    with db.session_scope(db_url) as s:
        assert len(s.exec(select(models.InterviewGuide)).all()) == len(GUIDES)
        edited, untouched = s.exec(select(models.InterviewerProfile).order_by(models.InterviewerProfile.id)
                                   ).all()[:2]
        assert (edited.focus_en, edited.years_experience) == ("HR's own words", 3)
        assert untouched.focus_en == INTERVIEWERS[1]["focus_en"] and untouched.years_experience > 0
        assert add_preparation_content(s) == 0


def test_without_an_interview_the_checklist_still_ticks_what_does_not_depend_on_one():
    steps = preparation.checklist(None, "zh_CN", consent_given=True, process_done=True)
    assert [(s["step"], s["done"], s["next"]) for s in steps] == [
        ("consent", "1", ""), ("device_check", "", "1"), ("process", "1", ""), ("practice", "", ""),
        ("interview", "", "")]
    assert steps[0]["label"] == "同意数据处理" and steps[1]["href"] == routes.CANDIDATE_DEVICE_CHECK
    assert preparation.next_interview([], NOW) is None


def test_a_check_for_the_interview_counts_before_one_for_no_interview(world):
    """The overview reads every device check in the same statement as the interviews: a
    check not tied to an interview counts until one for the interview itself exists."""
    db_url, ids = world

    def device(**ok) -> tuple[bool, bool]:
        with db.session_scope(db_url) as s:
            prep = preparation.candidate_interviews(s, _user(s, ids, "a"))[0]
        return prep.device_check, prep.device_ok

    passed = dict(camera_ok=True, microphone_ok=True, network_ok=True, browser_ok=True)
    assert device() == (False, False)
    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=None, **passed))
    assert device() == (True, True)
    with db.session_scope(db_url) as s:
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=ids["ia"], **{**passed, "network_ok": False}))
        s.add(models.DeviceCheck(user_id=ids["a"], interview_id=None, **passed))  # later, but for no interview
    assert device() == (True, False)
