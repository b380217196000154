from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal.models import (
    ROLES,
    Answer,
    AuditEvent,
    CompetencyModel,
    Interview,
    InterviewAssignment,
    InterviewerNote,
    InterviewerProfile,
    Job,
    Question,
    Report,
    User,
    UserSession,
)
from portal.services.accounts import access
from portal.services.platform import db
from tests.sql import counted_statements
from portal.services.accounts.access import (
    ADMIN,
    AUDIT_VIEW,
    CANDIDATE,
    CONFIG_EDIT,
    EMPLOYEE,
    HR,
    HR_MANAGER,
    INTERVIEW_VIEW,
    INTERVIEWER,
    INVITATION_CREATE,
    NOTE_ADD,
    OUTBOX_VIEW,
    REPORT_VIEW,
    SENSITIVE_VIEW,
    USER_MANAGE,
)
from portal.services.platform.errors import PermissionDenied

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(db_url):
    """Two candidates with one interview each; the interviewer is assigned to the first only."""
    with db.session_scope(db_url) as s:
        users = {role: User(email=f"{role}@corp.cn", role=role) for role in ROLES}
        users["candidate_b"] = User(email="b@corp.cn", role=CANDIDATE)
        users["interviewer_b"] = User(email="ib@corp.cn", role=INTERVIEWER)
        s.add_all(users.values())
        job = Job(code="J", title_zh="岗位", title_en="Job")
        s.add(job)
        s.flush()
        cm = CompetencyModel(job_id=job.id)
        q = Question(job_id=job.id, text_zh="题", text_en="Q")
        profile = InterviewerProfile(user_id=users[INTERVIEWER].id, name_zh="面试官", name_en="Iv")
        s.add_all([cm, q, profile])
        s.flush()
        iv_a = Interview(candidate_id=users[CANDIDATE].id, job_id=job.id, model_id=cm.id, scheduled_at=NOW)
        iv_b = Interview(candidate_id=users["candidate_b"].id, job_id=job.id, model_id=cm.id, scheduled_at=NOW)
        s.add_all([iv_a, iv_b])
        s.flush()
        s.add(InterviewAssignment(interview_id=iv_a.id, interviewer_id=profile.id))
        rep_a = Report(interview_id=iv_a.id, candidate_id=users[CANDIDATE].id, overall=80)
        rep_b = Report(interview_id=iv_b.id, candidate_id=users["candidate_b"].id, overall=70)
        ans_a = Answer(user_id=users[CANDIDATE].id, question_id=q.id, interview_id=iv_a.id, model_id=cm.id,
                       transcript_enc="v1:x:y")
        practice_a = Answer(user_id=users[CANDIDATE].id, question_id=q.id, model_id=cm.id,
                            is_practice=True, transcript_enc="v1:x:y")
        note_a = InterviewerNote(interview_id=iv_a.id, author_id=users[INTERVIEWER].id, body_enc="v1:x:y")
        s.add_all([rep_a, rep_b, ans_a, practice_a, note_a])
        s.flush()
        ids = {k: u.id for k, u in users.items()}
        ids.update(iv_a=iv_a.id, iv_b=iv_b.id, rep_a=rep_a.id, rep_b=rep_b.id, ans_a=ans_a.id,
                   practice_a=practice_a.id, note_a=note_a.id)
    return db_url, ids


def test_role_permissions_deny_by_default():
    def u(role, active=True):
        return User(id=1, email="x@corp.cn", role=role, is_active=active)

    assert access.can(u(CANDIDATE), REPORT_VIEW)
    assert not access.can(u(CANDIDATE), CONFIG_EDIT)
    assert not access.can(u(CANDIDATE), "no.such.permission")
    assert access.can(u(HR), CONFIG_EDIT) and access.can(u(HR), INVITATION_CREATE)
    assert not access.can(u(HR), AUDIT_VIEW) and not access.can(u(HR), USER_MANAGE)
    assert access.can(u(ADMIN), AUDIT_VIEW) and access.can(u(ADMIN), OUTBOX_VIEW)
    assert not access.can(u(ADMIN), REPORT_VIEW)  # administrators do not read candidates' data
    assert not access.can(u(HR_MANAGER, active=False), REPORT_VIEW)
    assert not access.can(u("superuser"), REPORT_VIEW)
    assert not access.can(None, REPORT_VIEW)
    assert access.ALL_PERMISSIONS >= {REPORT_VIEW, INTERVIEW_VIEW, INVITATION_CREATE, AUDIT_VIEW,
                                      USER_MANAGE, CONFIG_EDIT, SENSITIVE_VIEW, OUTBOX_VIEW}


def test_candidates_see_only_their_own(world):
    url, ids = world
    with db.session_scope(url) as s:
        me, other = s.get(User, ids[CANDIDATE]), s.get(User, ids["candidate_b"])
        assert access.can(me, REPORT_VIEW, s.get(Report, ids["rep_a"]))
        assert not access.can(me, REPORT_VIEW, s.get(Report, ids["rep_b"]))
        assert access.can(me, INTERVIEW_VIEW, s.get(Interview, ids["iv_a"]))
        assert not access.can(me, INTERVIEW_VIEW, s.get(Interview, ids["iv_b"]))
        assert access.can(me, REPORT_VIEW, me) and not access.can(me, REPORT_VIEW, other)
        assert not access.can(me, REPORT_VIEW, s.get(Job, 1))  # no owner: denied
        assert access.visible_candidate_ids(s, me) == {me.id}


def test_interviewers_see_only_assigned_interviews(world):
    url, ids = world
    with db.session_scope(url) as s:
        iv = s.get(User, ids[INTERVIEWER])
        other_iv = s.get(User, ids["interviewer_b"])
        rep_a, rep_b = s.get(Report, ids["rep_a"]), s.get(Report, ids["rep_b"])
        assert access.can(iv, REPORT_VIEW, rep_a, session=s)
        assert not access.can(iv, REPORT_VIEW, rep_b, session=s)
        assert not access.can(other_iv, REPORT_VIEW, rep_a, session=s)
        assert access.can(iv, NOTE_ADD, s.get(Interview, ids["iv_a"]), session=s)
        assert not access.can(iv, NOTE_ADD, s.get(Interview, ids["iv_b"]), session=s)
        assert access.can(iv, REPORT_VIEW, s.get(User, ids[CANDIDATE]), session=s)
        assert not access.can(iv, REPORT_VIEW, s.get(User, ids["candidate_b"]), session=s)
        assert access.can(iv, REPORT_VIEW, s.get(Answer, ids["ans_a"]), session=s)
        assert not access.can(iv, REPORT_VIEW, s.get(Answer, ids["practice_a"]), session=s)  # practice
        assert access.can(iv, REPORT_VIEW, rep_a)  # the object's own session is used
        assert access.visible_candidate_ids(s, iv) == {ids[CANDIDATE]}
        assert access.visible_candidate_ids(s, other_iv) == set()
    assert not access.can(User(id=ids[INTERVIEWER], email="i@corp.cn", role=INTERVIEWER), REPORT_VIEW,
                          Report(id=1, interview_id=ids["iv_a"], candidate_id=1, overall=1))  # no session


def test_an_assignment_written_or_ended_in_the_same_unit_of_work_counts_at_once(world):
    """A page's checks read an interviewer's assignments once per unit of work; writing an
    assignment or ending a profile forgets what was read."""
    url, ids = world
    with db.session_scope(url) as s, counted_statements() as seen:
        iv = s.get(User, ids[INTERVIEWER])
        iv_a, iv_b = s.get(Interview, ids["iv_a"]), s.get(Interview, ids["iv_b"])
        assert not access.can(iv, REPORT_VIEW, iv_b, session=s)
        seen.clear()
        assert access.can(iv, REPORT_VIEW, iv_a, session=s)
        assert seen == []  # the second check asks nothing
        profile = s.exec(select(InterviewerProfile).where(InterviewerProfile.user_id == iv.id)).one()
        s.add(InterviewAssignment(interview_id=iv_b.id, interviewer_id=profile.id))
        s.flush()
        assert access.can(iv, REPORT_VIEW, iv_b, session=s)
        profile.is_active = False
        s.flush()
        assert not access.can(iv, REPORT_VIEW, iv_b, session=s)


def test_hr_sees_everyone_but_not_sensitive_fields(world):
    url, ids = world
    with db.session_scope(url) as s:
        hr = s.get(User, ids[HR])
        answer = s.get(Answer, ids["ans_a"])
        assert access.can(hr, REPORT_VIEW, s.get(Report, ids["rep_b"]))
        assert access.visible_candidate_ids(s, hr) is None
        assert access.can_view_field(hr, "overall", s.get(Report, ids["rep_a"]))
        assert not access.can_view_field(hr, "transcript_enc", answer)
        assert not access.can(hr, SENSITIVE_VIEW, answer)
        me = s.get(User, ids[CANDIDATE])
        assert access.can_view_field(me, "transcript_enc", answer)  # one's own data
        assert access.can_view_field(me, "phone_enc", me)
        assert not access.can_view_field(s.get(User, ids["candidate_b"]), "transcript_enc", answer)
        assert not access.can_view_field(me, "body_enc", s.get(InterviewerNote, ids["note_a"]))


def test_the_assigned_interviewer_reads_the_answers_evidence_and_nothing_else(world):
    url, ids = world
    with db.session_scope(url) as s:
        answer = s.get(Answer, ids["ans_a"])
        iv = s.get(User, ids[INTERVIEWER])
        for field in ("transcript_enc", "evidence_enc", "video_ref_enc"):
            assert access.can_view_field(iv, field, answer, session=s)
        assert not access.can_view_field(iv, "phone_enc", s.get(User, ids[CANDIDATE]), session=s)
        assert not access.can_view_field(iv, "body_enc", s.get(InterviewerNote, ids["note_a"]), session=s)
        unassigned = User(id=ids[INTERVIEWER] + 1000, email="x@corp.cn", role=INTERVIEWER, is_active=True)
        assert not access.can_view_field(unassigned, "transcript_enc", answer, session=s)


def test_hr_manager_needs_a_recent_reauthentication(world):
    url, ids = world
    with db.session_scope(url) as s:
        mgr = s.get(User, ids[HR_MANAGER])
        answer = s.get(Answer, ids["ans_a"])
        fresh = UserSession(user_id=mgr.id, token_hash="a" * 64, mfa_passed=True, reauth_at=NOW)
        stale = UserSession(user_id=mgr.id, token_hash="b" * 64, mfa_passed=True,
                            reauth_at=NOW - timedelta(minutes=6))
        someone_elses = UserSession(user_id=ids[HR], token_hash="c" * 64, mfa_passed=True, reauth_at=NOW)
        assert not access.can(mgr, SENSITIVE_VIEW, answer, now=NOW)
        assert access.can(mgr, SENSITIVE_VIEW, answer, user_session=fresh, now=NOW)
        assert access.can_view_field(mgr, "id_number_enc", s.get(User, ids[CANDIDATE]),
                                     user_session=fresh, now=NOW)
        assert not access.can(mgr, SENSITIVE_VIEW, answer, user_session=stale, now=NOW)
        assert not access.can(mgr, SENSITIVE_VIEW, answer, user_session=someone_elses, now=NOW)
        hr_session = UserSession(user_id=ids[HR], token_hash="d" * 64, mfa_passed=True, reauth_at=NOW)
        assert not access.can(s.get(User, ids[HR]), SENSITIVE_VIEW, answer, user_session=hr_session, now=NOW)


def test_require_raises_and_keeps_an_audit_record(world):
    url, ids = world
    with pytest.raises(PermissionDenied) as err:
        with db.session_scope(url) as s:
            me = s.get(User, ids[CANDIDATE])
            access.require(me, REPORT_VIEW, s.get(Report, ids["rep_b"]), session=s, ip="10.0.0.1")
    assert err.value.msgid == "You do not have permission to do this."
    with db.session_scope(url) as s:
        ev = s.exec(select(AuditEvent)).one()  # survived the caller's rollback
        assert (ev.action, ev.outcome, ev.actor_id, ev.ip) == ("access_denied", "denied", ids[CANDIDATE], "10.0.0.1")
        assert ev.object_type == "report.view:Report" and ev.object_id == str(ids["rep_b"])
        access.require(s.get(User, ids[HR]), REPORT_VIEW, s.get(Report, ids["rep_b"]), session=s)
    with pytest.raises(PermissionDenied):
        access.require(None, AUDIT_VIEW)


def test_page_roles():
    def u(role):
        return User(id=1, email="x@corp.cn", role=role)

    for role in ROLES:
        assert access.can_open(u(role), "/account/security")
    assert not access.can_open(None, "/account/security")
    assert [r for r in ROLES if access.can_open(u(r), "/admin/audit")] == [ADMIN]
    assert [r for r in ROLES if access.can_open(u(r), "/admin/users/")] == [ADMIN]
    assert [r for r in ROLES if access.can_open(u(r), "/admin/outbox?page=2")] == [ADMIN]
    assert [r for r in ROLES if access.can_open(u(r), "/admin/keys")] == [ADMIN]  # the /admin prefix
    assert {r for r in ROLES if access.can_open(u(r), "/hr/invitations")} == {HR, HR_MANAGER, ADMIN}
    assert {r for r in ROLES if access.can_open(u(r), "/hr/jobs")} == {HR, HR_MANAGER}
    assert access.can_open(None, "/") and access.can_open(None, "/jobs")
    assert access.page_roles("/administrator") is None
    assert not access.can_open(User(id=1, email="x@corp.cn", role=ADMIN, is_active=False), "/admin/audit")


def test_who_may_invite_which_role():
    def u(role):
        return User(id=1, email="x@corp.cn", role=role)

    assert access.can_invite(u(HR), CANDIDATE) and access.can_invite(u(HR), INTERVIEWER)
    assert access.can_invite(u(HR), EMPLOYEE)
    assert not access.can_invite(u(HR), HR) and not access.can_invite(u(HR), ADMIN)
    assert access.can_invite(u(HR_MANAGER), HR) and not access.can_invite(u(HR_MANAGER), HR_MANAGER)
    assert access.can_invite(u(ADMIN), ADMIN)
    assert not access.can_invite(u(CANDIDATE), CANDIDATE)
    assert not access.can_invite(u(ADMIN), "root")
