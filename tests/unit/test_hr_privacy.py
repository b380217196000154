"""Data-subject requests: the export ZIP holds every data class of the person (transcripts
decrypted, recordings, report PDFs) and no secrets; one open deletion request per person,
staff refused; HR's approval deletes every row and recording file of the person, ends
their sessions, and keeps the audit events without their e-mail or addresses; only HR
may decide."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from portal import models
from portal.services.accounts import auth, privacy
from portal.services.interviews import consent, recordings
from portal.services.platform import audit, db
from portal.services.platform.demo import DEMO_PASSWORD
from portal.services.platform.errors import PermissionDenied, ServiceError
from tests import media


@pytest.fixture
def person(scored_demo):
    """The demo candidate with consent and one recorded, submitted answer to an interview
    open now (besides their scored past interview), signed in once."""
    users, past = scored_demo
    cand = users["candidate"]
    stream = media.recording(3)
    with db.session_scope() as s:
        interview = s.execute(select(models.Interview).where(
            models.Interview.candidate_id == cand.id, models.Interview.status == "scheduled")).scalars().first()
        interview.scheduled_at = recordings.utcnow()
        s.add(interview)
        question = s.execute(select(models.Question).where(
            models.Question.job_id == interview.job_id, models.Question.is_practice.is_(False))
            .order_by(models.Question.position)).scalars().first()
        consent.grant(s, cand, consent.current_version(s))
        s.flush()
        for n, part in enumerate(media.chunks(stream, 4000)):
            recordings.append_chunk(s, cand, interview.id, question.id, n, part)
        answer = recordings.finish(s, cand, interview.id, question.id)
        recording = recordings.recording_of(s, answer.id)
        token = auth.login(s, cand.email, DEMO_PASSWORD, ip="203.0.113.9").token
    return {"users": users, "past": past, "cand": cand, "answer": answer.id, "recording": recording.id,
            "stream": stream, "token": token}


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_export_holds_every_data_class_recordings_and_reports_without_secrets(person):
    cand = person["cand"]
    with db.session_scope() as s:
        data = privacy.export_zip(s, s.get(models.User, cand.id), locale="en")
    z = _zip(data)
    names = set(z.namelist())
    for name in ("README.txt", "account.json", "consents.json", "interviews.json", "answers.json", "scores.json",
                 "availability.json", "development.json", "emails.json", "audit_events.json",
                 "deletion_requests.json", "review_requests.json"):
        assert name in names, name
    account = json.loads(z.read("account.json"))
    assert account["account"]["email"] == cand.email
    assert "password_hash" not in account["account"] and "totp_secret" not in account["account"]
    assert account["sessions"] and account["sessions"][0]["ip"] == "203.0.113.9"
    raw = data.decode("latin-1")
    with db.session_scope() as s:
        user = s.get(models.User, cand.id)
        assert user.password_hash not in raw
        answers = s.execute(select(models.Answer).where(models.Answer.user_id == cand.id,
                                                        models.Answer.transcript_enc != "")).scalars().all()
        typed = [a for a in answers if a.interview_id == person["past"]]
        from portal.services.platform import crypto
        transcript = crypto.decrypt(typed[0].transcript_enc)
    exported = json.loads(z.read("answers.json"))
    assert transcript and transcript in [a["transcript"] for a in exported]
    assert [a["recording"] for a in exported if a["id"] == person["answer"]] == [
        f"recordings/answer-{person['answer']}.webm"]
    # the recording, decrypted and whole; the published report as a PDF
    assert z.read(f"recordings/answer-{person['answer']}.webm") == person["stream"]
    assert z.read(f"reports/report-{person['past']}.pdf").startswith(b"%PDF")
    scores = json.loads(z.read("scores.json"))
    assert scores["answer_scores"] and scores["competency_scores"] and scores["reports"]
    assert json.loads(z.read("consents.json"))[0]["purpose"] == consent.PURPOSE
    assert any(e["action"] == "login.password" or e["by_you"] for e in json.loads(z.read("audit_events.json")))
    with db.session_scope() as s:
        assert s.execute(select(models.AuditEvent).where(models.AuditEvent.action == "privacy.export",
                                                         models.AuditEvent.actor_id == cand.id)).first()


def test_one_open_request_per_person_and_staff_are_refused(person):
    users = person["users"]
    with db.session_scope() as s:
        cand = s.get(models.User, person["cand"].id)
        privacy.request_deletion(s, cand, "I no longer apply.")
        with pytest.raises(ServiceError) as again:
            privacy.request_deletion(s, cand, "twice")
        assert again.value.msgid == privacy.ALREADY_OPEN
        with pytest.raises(ServiceError) as long:
            privacy.request_deletion(s, s.get(models.User, users["employee"].id), "x" * 1001)
        assert long.value.msgid == privacy.REASON_TOO_LONG
        for role in ("hr", "admin", "interviewer", "hr_manager"):
            with pytest.raises(ServiceError) as staff:
                privacy.request_deletion(s, s.get(models.User, users[role].id), "")
            assert staff.value.msgid == privacy.STAFF_REFUSED
        assert s.execute(select(func.count()).select_from(models.DeletionRequest)).scalar_one() == 1


def test_only_hr_decides(person):
    users = person["users"]
    with db.session_scope() as s:
        request = privacy.request_deletion(s, s.get(models.User, person["cand"].id), "")
        request_id = request.id
    for role in ("candidate", "employee", "interviewer", "admin"):
        with db.session_scope() as s:
            user = s.get(models.User, users[role].id)
            for call in (lambda: privacy.approve(s, user, request_id), lambda: privacy.refuse(s, user, request_id, "n"),
                         lambda: privacy.open_requests(s, user)):
                with pytest.raises(PermissionDenied):
                    call()
    with db.session_scope() as s:
        assert s.get(models.DeletionRequest, request_id).status == privacy.OPEN
        assert s.get(models.User, person["cand"].id) is not None
        denied = s.execute(select(func.count()).select_from(models.AuditEvent).where(
            models.AuditEvent.action == "access_denied")).scalar_one()
        assert denied >= 4


def test_a_refusal_needs_a_reason_the_person_reads_and_they_may_ask_again(person):
    with db.session_scope() as s:
        cand, hr = s.get(models.User, person["cand"].id), s.get(models.User, person["users"]["hr"].id)
        request = privacy.request_deletion(s, cand, "please")
        with pytest.raises(ServiceError) as empty:
            privacy.refuse(s, hr, request.id, "  ")
        assert empty.value.msgid == privacy.NOTE_REQUIRED
        privacy.refuse(s, hr, request.id, "An open review needs the report for 30 more days.")
        with pytest.raises(ServiceError) as twice:
            privacy.approve(s, hr, request.id)
        assert twice.value.msgid == privacy.NOT_OPEN
        assert privacy.latest_request(s, cand).decision_note.startswith("An open review")
        assert privacy.recent_decisions(s, hr)[0]["status"] == privacy.REFUSED
        privacy.request_deletion(s, cand, "again")
        assert s.get(models.User, cand.id) is not None


def _owned_rows(s, user_id: int) -> dict[str, int]:
    found = {}
    for table in models.metadata.sorted_tables:
        for col in ("user_id", "candidate_id", "requester_id"):
            if col in table.c and table.name != "deletionrequest":
                n = s.execute(select(func.count()).select_from(table).where(table.c[col] == user_id)).scalar_one()
                if n:
                    found[f"{table.name}.{col}"] = n
    return found


def test_approval_deletes_rows_and_files_ends_sessions_and_keeps_audit_without_the_data(person, isolated_data_dir):
    cand, hr_user = person["cand"], person["users"]["hr"]
    email, uid = cand.email, cand.id
    folder = isolated_data_dir / "recordings" / str(person["recording"])
    assert folder.is_dir() and any(folder.iterdir())
    with db.session_scope() as s:
        assert _owned_rows(s, uid)  # interviews, answers, recordings, consents, sessions, enrolments...
        assert auth.resolve_session(s, person["token"], allow_pre_mfa=True) is not None
        request = privacy.request_deletion(s, s.get(models.User, uid), "Delete me, my e-mail is " + email)
        before = s.execute(select(func.count()).select_from(models.AuditEvent).where(
            models.AuditEvent.actor_id == uid)).scalar_one()
        queue = privacy.open_requests(s, s.get(models.User, hr_user.id))
        assert [(q["email"], q["role"]) for q in queue] == [(email, "candidate")]
    with db.session_scope() as s:
        counts = privacy.approve(s, s.get(models.User, hr_user.id), request.id, ip="198.51.100.1")
        assert counts["answer"] and counts["recordingchunk"] and counts["interview"]
    assert not folder.exists()
    with db.session_scope() as s:
        assert s.get(models.User, uid) is None
        assert _owned_rows(s, uid) == {}
        assert s.execute(select(models.EmailOutbox).where(func.lower(models.EmailOutbox.to_addr) == email)).first() is None
        # their sessions are gone: signed out, and they cannot sign in again
        assert auth.resolve_session(s, person["token"], allow_pre_mfa=True) is None
        with pytest.raises(ServiceError) as login:
            auth.login(s, email, DEMO_PASSWORD)
        assert login.value.msgid == auth.INCORRECT
        # the audit events stay, with the user id and without their e-mail or addresses
        theirs = s.execute(select(models.AuditEvent).where(models.AuditEvent.actor_id == uid)).scalars().all()
        assert len(theirs) == before and all(e.actor == "" and e.ip == "" for e in theirs)
        assert s.execute(select(models.AuditEvent).where(
            func.lower(models.AuditEvent.actor) == email)).first() is None
        assert audit.verify_chain(s) == (True, None)
        deleted = s.execute(select(models.AuditEvent).where(models.AuditEvent.action == "privacy.delete")).scalar_one()
        assert (deleted.object_type, deleted.object_id, deleted.actor_id) == ("user:candidate", str(uid), hr_user.id)
        row = s.get(models.DeletionRequest, request.id)
        assert (row.status, row.reason, row.user_id, row.role) == (privacy.APPROVED, "", uid, "candidate")
        # other people's data is untouched
        assert s.get(models.User, person["users"]["employee"].id) is not None
        assert s.execute(select(func.count()).select_from(models.Interview)).scalar_one() > 0


def test_the_database_still_refuses_ordinary_changes_to_audit_events(person):
    from sqlalchemy.exc import DatabaseError

    with db.session_scope() as s:
        last = s.execute(select(models.AuditEvent).order_by(models.AuditEvent.id.desc())).scalars().first()
        last_id = last.id
    for statement in (models.AuditEvent.__table__.update().where(models.AuditEvent.id == last_id).values(actor="x"),
                      models.AuditEvent.__table__.delete().where(models.AuditEvent.id == last_id)):
        with pytest.raises(DatabaseError), db.session_scope() as s:
            s.execute(statement)


def test_a_person_made_staff_since_asking_is_not_deleted(person):
    with db.session_scope() as s:
        request = privacy.request_deletion(s, s.get(models.User, person["cand"].id), "")
        s.get(models.User, person["cand"].id).role = "interviewer"
        s.flush()
        with pytest.raises(ServiceError) as staff:
            privacy.approve(s, s.get(models.User, person["users"]["hr"].id), request.id)
        assert staff.value.msgid == privacy.STAFF_REFUSED
        assert s.get(models.DeletionRequest, request.id).status == privacy.OPEN
        assert s.get(models.User, person["cand"].id) is not None


def test_the_export_holds_the_decisions_on_their_interviews(person):
    """A rule's proposal and what a person decided about them are theirs to read too
    (RuleFiring names no owner column, so the catch-all did not find it)."""
    cand = person["cand"]
    with db.session_scope() as s:
        rule = models.DecisionRule(job_id=s.get(models.Interview, person["past"]).job_id, rule_no=1, version=1,
                                   expression="总分 ≥ 50", canonical="overall ≥ 50", action="advance", status="active")
        s.add(rule)
        s.flush()
        s.add(models.RuleFiring(interview_id=person["past"], rule_id=rule.id, rule_version=1,
                                numbers={"overall": 72}, proposed="advance", status="confirmed", outcome="advance"))
        other = s.execute(select(models.Interview.id).where(models.Interview.candidate_id != cand.id)).scalars().first()
        s.add(models.RuleFiring(interview_id=other, rule_id=rule.id, rule_version=1,
                                numbers={}, proposed="reject"))  # someone else's interview
    with db.session_scope() as s:
        z = _zip(privacy.export_zip(s, s.get(models.User, cand.id), locale="en"))
    decisions = json.loads(z.read("interviews.json"))["decisions"]
    assert [(d["interview_id"], d["rule"], d["numbers"], d["outcome"]) for d in decisions] == \
           [(person["past"], "总分 ≥ 50", {"overall": 72}, "advance")]
