"""The device check's service: figures validated, verdicts decided on the server,
saved only against one's own interview, read by HR and the interviewers assigned."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal.models import (
    AuditEvent,
    CompetencyModel,
    DeviceCheck,
    Interview,
    InterviewAssignment,
    InterviewerProfile,
    Job,
    User,
    utcnow,
)
from portal.services.interviews import device_check
from portal.services.platform import db
from portal.services.platform.errors import PermissionDenied, ServiceError

GOOD = {
    "camera": {"error": "", "width": 1280, "height": 720, "fps": 30},
    "microphone": {"error": "", "level": 0.42},
    "network": {"error": "", "latency_ms": 23.5, "download_mbps": 48.2, "upload_mbps": 12.7},
    "browser": {"name": "Chrome 131", "secure_context": True, "webrtc": True, "media_devices": True,
                "recorder": True, "codec": "video/webm;codecs=vp8,opus"},
}


def _figures(**changes) -> str:
    figures = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        part, key = path.split("__")
        figures[part][key] = value
    return json.dumps(figures)


@pytest.fixture
def people(db_url, isolated_data_dir):
    """Two candidates with an interview each, HR, an interviewer assigned to the first
    interview only, and an administrator."""
    with db.session_scope(db_url) as s:
        users = {r: User(email=f"{r}@example.cn", role=role) for r, role in
                 (("ann", "candidate"), ("bo", "candidate"), ("hr", "hr"), ("iv", "interviewer"),
                  ("admin", "admin"))}
        s.add_all(users.values())
        job = Job(code="J1", title_zh="职位", title_en="Job")
        s.add(job)
        s.flush()
        model = CompetencyModel(job_id=job.id)
        s.add(model)
        s.flush()
        soon = utcnow() + timedelta(days=2)
        interviews = {name: Interview(candidate_id=users[name].id, job_id=job.id, model_id=model.id,
                                      scheduled_at=soon) for name in ("ann", "bo")}
        s.add_all(interviews.values())
        s.flush()
        profile = InterviewerProfile(user_id=users["iv"].id, name_zh="面试官", name_en="Interviewer")
        s.add(profile)
        s.flush()
        s.add(InterviewAssignment(interview_id=interviews["ann"].id, interviewer_id=profile.id))
        ids = {name: u.id for name, u in users.items()}
        ids.update({f"{name}_interview": i.id for name, i in interviews.items()})
    return db_url, ids


def _user(s, ids, name) -> User:
    return s.get(User, ids[name])


def test_good_figures_are_saved_with_the_interview_and_pass(people):
    url, ids = people
    with db.session_scope(url) as s:
        check = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
        check_id = check.id
    with db.session_scope(url) as s:
        row = s.get(DeviceCheck, check_id)
        assert (row.interview_id, row.user_id) == (ids["ann_interview"], ids["ann"])
        assert (row.camera_width, row.camera_height, row.camera_fps) == (1280, 720, 30.0)
        assert row.microphone_level == 0.42 and row.latency_ms == 23.5
        assert (row.download_mbps, row.upload_mbps) == (48.2, 12.7)
        assert row.camera_ok and row.microphone_ok and row.network_ok and row.browser_ok
        assert row.problems == [] and row.browser == "Chrome 131"


def test_shortfalls_are_judged_on_the_server_with_advice_in_both_languages(people):
    url, ids = people
    slow = _figures(network__latency_ms=450, network__upload_mbps=0.8, network__download_mbps=1.0,
                    microphone__level=0.005, camera__fps=10, camera__width=320, camera__height=240,
                    browser__recorder=False, browser__codec="")
    with db.session_scope(url) as s:
        row = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], slow)
        assert not (row.camera_ok or row.microphone_ok or row.network_ok or row.browser_ok)
        assert row.problems == ["browser_no_recorder", "camera_low_resolution", "camera_low_fps",
                                "microphone_silent", "latency_high", "download_slow", "upload_slow"]
        english = device_check.advice(row.problems, "en")
        chinese = device_check.advice(row.problems, "zh_CN")
    assert any("Upload is below 1.5 Mbps" in a and "Move closer to the router" in a for a in english)
    assert any("300 ms" in a for a in english)
    assert any("Chrome, Edge or Firefox" in a for a in english)
    assert all(a and a not in english for a in chinese)


@pytest.mark.parametrize("error, problem", [("denied", "camera_denied"), ("not_found", "camera_not_found"),
                                            ("in_use", "camera_in_use"), ("other", "camera_failed")])
def test_a_camera_that_could_not_start_is_saved_as_such(people, error, problem):
    url, ids = people
    figures = _figures(camera__error=error, camera__width=None, camera__height=None, camera__fps=None)
    with db.session_scope(url) as s:
        row = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], figures)
        assert not row.camera_ok and row.camera_width is None and row.problems == [problem]
        assert row.microphone_ok  # the other parts are judged on their own


def test_the_browser_problems_name_the_browser_to_switch_to(people):
    url, ids = people
    figures = _figures(browser__webrtc=False, browser__media_devices=False, camera__error="unsupported",
                       microphone__error="unsupported", camera__width=None, microphone__level=None)
    with db.session_scope(url) as s:
        row = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], figures)
        assert row.problems == ["browser_no_media", "browser_no_webrtc"]
        assert not (row.browser_ok or row.camera_ok or row.microphone_ok)
        assert "Chrome, Edge or Firefox" in device_check.advice(row.problems, "en")[0]
    insecure = _figures(browser__secure_context=False, browser__media_devices=False)
    with db.session_scope(url) as s:
        row = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], insecure)
        assert row.problems[0] == "insecure_context"


ABSURD = [
    _figures(camera__fps=100000),
    _figures(camera__fps=-30),
    _figures(camera__width=-1),
    _figures(camera__width=100000),
    _figures(camera__width=12.5),
    _figures(microphone__level=1.5),
    _figures(microphone__level=-0.1),
    _figures(network__latency_ms=-5),
    _figures(network__download_mbps=10_000),
    _figures(network__upload_mbps=10_000),
    _figures(browser__name="x" * 121),
    _figures(browser__name="Chrome\n131"),
    _figures(browser__codec="video/x-evil"),
    _figures(camera__error="exploded"),
    _figures(network__error="none"),
    json.dumps({**GOOD, "extra": 1}),
    json.dumps({k: v for k, v in GOOD.items() if k != "network"}),
    _figures(camera__fps=30).replace("30", "NaN", 1).replace('"fps": NaN', '"fps": NaN'),
    _figures().replace('"latency_ms": 23.5', '"latency_ms": NaN'),
    _figures().replace('"upload_mbps": 12.7', '"upload_mbps": Infinity'),
    "not json",
    "[]",
    "x" * 5000,
    "",
]


@pytest.mark.parametrize("payload", ABSURD)
def test_absurd_figures_are_refused_and_nothing_is_saved(people, payload):
    url, ids = people
    with pytest.raises(ServiceError) as refused, db.session_scope(url) as s:
        device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], payload)
    assert refused.value.msgid == device_check.INVALID
    assert "not plausible" in refused.value.translate("en") and refused.value.translate("zh_CN") != \
        refused.value.translate("en")
    with db.session_scope(url) as s:
        assert s.exec(select(DeviceCheck)).all() == []


def test_a_candidate_saves_only_against_their_own_interview(people):
    url, ids = people
    for who, interview in (("ann", "bo_interview"), ("hr", "ann_interview"), ("iv", "ann_interview"),
                           ("admin", "ann_interview")):
        with pytest.raises(PermissionDenied), db.session_scope(url) as s:
            device_check.save(s, _user(s, ids, who), ids[interview], _figures())
    with pytest.raises(PermissionDenied), db.session_scope(url) as s:
        device_check.save(s, _user(s, ids, "ann"), 99999, _figures())  # unknown looks like foreign
    with db.session_scope(url) as s:
        assert s.exec(select(DeviceCheck)).all() == []
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
        assert denied  # audited (repeats are counted, see audit)
    with pytest.raises(PermissionDenied), db.session_scope(url) as s:
        device_check.page_view(s, _user(s, ids, "ann"), ids["bo_interview"])
    with pytest.raises(PermissionDenied), db.session_scope(url) as s:
        device_check.page_view(s, _user(s, ids, "ann"), 99999)


def test_the_page_defaults_to_the_next_interview_and_reruns_show_the_latest(people):
    url, ids = people
    with db.session_scope(url) as s:
        ann = _user(s, ids, "ann")
        interview, job, check = device_check.page_view(s, ann, None)
        assert interview.id == ids["ann_interview"] and job.id == interview.job_id and check is None
        assert device_check.page_view(s, ann, ids["ann_interview"])[0].id == ids["ann_interview"]
        device_check.save(s, ann, ids["ann_interview"], _figures(network__upload_mbps=0.5))
    with db.session_scope(url) as s:
        device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
    with db.session_scope(url) as s:
        latest = device_check.page_view(s, _user(s, ids, "ann"), None)[2]
        assert latest.network_ok and latest.upload_mbps == 12.7
        assert device_check.latest(s, _user(s, ids, "ann"), ids["ann_interview"]).id == latest.id
        # without an upcoming interview a check is still kept (for the next one)
        s.get(Interview, ids["bo_interview"]).status = "cancelled"
        bo = _user(s, ids, "bo")
        assert device_check.page_view(s, bo, None) == (None, None, None)
        device_check.save(s, bo, None, _figures())
        assert device_check.page_view(s, bo, None)[2].interview_id is None


def test_hr_and_assigned_interviewers_read_the_checks_others_do_not(people):
    url, ids = people
    with db.session_scope(url) as s:
        device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures(network__upload_mbps=0.5))
        device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
    with db.session_scope(url) as s:
        for reader in ("hr", "iv", "ann"):
            checks = device_check.checks_for_interview(s, _user(s, ids, reader), ids["ann_interview"])
            assert [c.upload_mbps for c in checks] == [12.7, 0.5]  # newest first
        for reader in ("bo", "admin"):
            with pytest.raises(PermissionDenied):
                device_check.checks_for_interview(s, _user(s, ids, reader), ids["ann_interview"])
        with pytest.raises(PermissionDenied):  # not assigned to bo's interview
            device_check.checks_for_interview(s, _user(s, ids, "iv"), ids["bo_interview"])


def test_saving_is_rate_limited(people):
    url, ids = people
    for _ in range(device_check.SAVES_PER_HOUR):
        with db.session_scope(url) as s:
            device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
    with pytest.raises(ServiceError) as refused, db.session_scope(url) as s:
        device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
    assert "Too many" in refused.value.translate("en")
    with db.session_scope(url) as s:
        assert len(s.exec(select(DeviceCheck)).all()) == device_check.SAVES_PER_HOUR


def test_the_page_shows_the_figures_and_the_interview_in_the_candidates_time(people):
    url, ids = people
    with db.session_scope(url) as s:
        row = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"], _figures())
        assert device_check.summary(row, "en") == {
            "camera": "1280 × 720 · 30 fps", "microphone": "Peak level 42%",
            "network": "Latency 24 ms · download 48.2 Mbps · upload 12.7 Mbps", "browser": "Chrome 131",
            "camera_ok": "1", "microphone_ok": "1", "network_ok": "1", "browser_ok": "1", "all_ok": "1"}
        assert device_check.summary(row, "zh_CN")["network"] == "延迟 24 毫秒 · 下载 48.2 Mbps · 上传 12.7 Mbps"
        capped = device_check.save(s, _user(s, ids, "ann"), ids["ann_interview"],
                                   _figures(network__download_mbps=device_check.MAX_MBPS))
        assert "download ≥ 1,000.0 Mbps" in device_check.summary(capped, "en")["network"]
        interview = s.get(Interview, ids["ann_interview"])
        interview.scheduled_at = datetime(2026, 11, 26, 2, 30, tzinfo=timezone.utc)
        label = device_check.describe(interview, s.get(Job, interview.job_id), "Asia/Shanghai")
    assert label == {"zh_CN": "职位 · 2026年11月26日 10:30", "en": "Job · Nov 26, 2026 10:30\u202fAM"}
