"""Retention per data class: the admin's periods are validated (one wrong field saves
nothing, the audit log is kept at least a year); the purge removes what is older than
its class's period (recording files, transcripts, scores and reports, the oldest audit
events with the chain still verifying), is idempotent and audited with its counts; the
daily run runs once a day; the CLI runs it too; only the admin may set or run it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal import cli, models
from portal.services.platform import audit, db, retention
from portal.services.platform.errors import PermissionDenied
from tests import media

OLD = timedelta(days=400)


@pytest.fixture
def world(scored_demo, monkeypatch):
    """The scored demo, three audit events and a finished recording dated 400 days ago,
    and the demo candidate's past interview's answers, scores and report made then too."""
    users, past = scored_demo
    then = retention.utcnow() - OLD
    with db.session_scope() as s:
        monkeypatch.setattr(audit, "utcnow", lambda: then)
        for n in range(3):
            audit.record(s, "login.success", actor_id=users["employee"].id, actor="old@example.cn", object_id=n)
        monkeypatch.undo()
        cand = users["candidate"]
        interview = s.get(models.Interview, past)
        question = s.execute(select(models.Question).where(models.Question.job_id == interview.job_id)).scalars().first()
        rec = models.Recording(interview_id=past, question_id=question.id, candidate_id=cand.id, status="finished",
                               chunk_count=1, started_at=then, updated_at=then)
        s.add(rec)
        s.flush()
        from portal.services.interviews import recordings

        kid, name = recordings._write_chunk(s, rec.id, 0, media.recording(1))
        s.add(models.RecordingChunk(recording_id=rec.id, sequence=0, size=1, sha256="0" * 64, key_id=kid,
                                    file_name=name))
        answers = select(models.Answer.id).where(models.Answer.interview_id == past)
        s.execute(update(models.Answer).where(models.Answer.interview_id == past).values(submitted_at=then))
        s.execute(update(models.AnswerScore).where(models.AnswerScore.answer_id.in_(answers)).values(created_at=then))
        s.execute(update(models.Report).where(models.Report.interview_id == past).values(created_at=then))
        rec_id = rec.id
    # the report is recorded as it is first shown: show it once, then date it back
    from portal.services.reports import report

    with db.session_scope() as s:
        report.candidate_report(s, s.get(models.User, users["candidate"].id), past)
        s.execute(update(models.Report).where(models.Report.interview_id == past).values(created_at=then))
    return {"users": users, "past": past, "recording": rec_id}


def _all_periods(s, admin):
    retention.save(s, admin, {"recordings": "30", "transcripts": "60", "scores": "90", "audit": "365"})


def test_periods_are_validated_and_one_wrong_field_saves_nothing(world):
    with db.session_scope() as s:
        admin = s.get(models.User, world["users"]["admin"].id)
        with pytest.raises(retention.RetentionErrors) as bad:
            retention.save(s, admin, {"recordings": "30", "audit": "30", "scores": "abc", "transcripts": "99999"})
        assert bad.value.fields == {"audit": (retention.TOO_SHORT, {"min": 365}),
                                    "scores": (retention.NOT_A_NUMBER, {}),
                                    "transcripts": (retention.TOO_LONG, {"max": retention.MAXIMUM_DAYS})}
        assert retention.current(s) == {c: None for c in retention.CLASSES}
        assert retention.save(s, admin, {"audit": "400", "recordings": ""})["audit"] == 400
        assert retention.save(s, admin, {"audit": ""})["audit"] is None  # kept until set again
        assert s.execute(select(func.count()).select_from(models.AuditEvent).where(
            models.AuditEvent.action == "retention.set")).scalar_one() == 2


def test_only_the_admin_sets_or_runs_retention(world):
    for role in ("candidate", "employee", "hr", "hr_manager", "interviewer"):
        with db.session_scope() as s:
            user = s.get(models.User, world["users"][role].id)
            with pytest.raises(PermissionDenied):
                retention.save(s, user, {"audit": "400"})
            with pytest.raises(PermissionDenied):
                retention.purge(s, trigger="admin", user=user)
    with db.session_scope() as s:
        assert retention.current(s)["audit"] is None
        assert s.execute(select(models.PurgeRun)).first() is None


def test_nothing_is_purged_until_a_period_is_set(world):
    with db.session_scope() as s:
        assert retention.purge(s, trigger="cli") == {c: 0 for c in retention.CLASSES}


def test_the_purge_removes_what_is_old_is_idempotent_and_audited(world, isolated_data_dir):
    folder = isolated_data_dir / "recordings" / str(world["recording"])
    assert any(folder.iterdir())
    with db.session_scope() as s:
        _all_periods(s, s.get(models.User, world["users"]["admin"].id))
        recent = s.execute(select(func.count()).select_from(models.Answer).where(
            models.Answer.submitted_at > retention.utcnow() - timedelta(days=30),
            models.Answer.transcript_enc != "")).scalar_one()
        assert recent
        first = retention.purge(s, trigger="admin", user=s.get(models.User, world["users"]["admin"].id))
    assert first["recordings"] == 1 and first["transcripts"] >= 1 and first["scores"] >= 2 and first["audit"] >= 3
    assert not folder.exists()
    with db.session_scope() as s:
        answers = s.execute(select(models.Answer).where(models.Answer.interview_id == world["past"])).scalars().all()
        assert answers and all(a.transcript_enc == "" for a in answers)
        assert s.execute(select(models.Report).where(models.Report.interview_id == world["past"])).first() is None
        assert s.execute(select(models.AnswerScore).where(
            models.AnswerScore.answer_id.in_([a.id for a in answers]))).first() is None
        assert s.get(models.Recording, world["recording"]) is None
        assert s.execute(select(models.AuditEvent).where(models.AuditEvent.actor == "old@example.cn")).first() is None
        assert audit.verify_chain(s) == (True, None)
        # newer data stays
        assert s.execute(select(func.count()).select_from(models.Answer).where(
            models.Answer.submitted_at > retention.utcnow() - timedelta(days=30),
            models.Answer.transcript_enc != "")).scalar_one() == recent
        # the same purge again finds nothing
        assert retention.purge(s, trigger="cli") == {c: 0 for c in retention.CLASSES}
        events = s.execute(select(models.AuditEvent).where(models.AuditEvent.action == "retention.purge")
                           .order_by(models.AuditEvent.id)).scalars().all()
        assert [e.object_id for e in events][-1] == "recordings=0 transcripts=0 scores=0 audit=0"
        assert events[0].object_id.startswith("recordings=1 ")
        assert retention.last_run(s).counts == {c: 0 for c in retention.CLASSES}


def test_the_daily_run_runs_once_a_day_and_the_cli_runs_it(world, capsys):
    with db.session_scope() as s:
        _all_periods(s, s.get(models.User, world["users"]["admin"].id))
    assert retention.run_due()["recordings"] == 1
    assert retention.run_due() is None  # within 24 hours
    assert retention.run_due(now=retention.utcnow() + timedelta(hours=25)) == {c: 0 for c in retention.CLASSES}
    cli.main(["purge"])
    assert "retention purge: recordings 0, transcripts 0, scores 0, audit 0" in capsys.readouterr().out
    with db.session_scope() as s:
        assert [r.trigger for r in s.execute(select(models.PurgeRun).order_by(models.PurgeRun.id)).scalars()] == [
            "daily", "daily", "cli"]
