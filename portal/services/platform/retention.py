"""How long each data class is kept, and the purge that enforces it (issue 12 · privacy).

The administrator sets days per class (RETENTION_MANAGE); a class without a setting is
kept until one is set. What the purge removes once a row is older than its class's days:

- recordings: the recorded answers' files and their Recording rows (the answer stays,
  without media), counted from when the recording started;
- transcripts: the text of answers (and the evidence quotes taken from it), counted from
  when the answer was submitted; the ciphertext is emptied, not re-encrypted;
- scores: answer and competency scores and the score reports built on them (with what
  hangs on a report, e.g. review requests), counted from when they were made;
- audit: audit events; the chain is anchored first so it still verifies (audit.trim_before).

``purge`` is idempotent (a second run finds nothing) and audited with its counts; it runs
daily in the portal's background loop (``run_due``), from the admin page, and as
``python -m portal.cli purge``. Nothing here imports reflex.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from portal import models
from portal.services.accounts import access
from portal.services.accounts.privacy import delete_rows, hanging_rows
from portal.services.platform import audit
from portal.services.platform.errors import FieldErrors
from portal.services.platform.i18n import N_

RECORDINGS, TRANSCRIPTS, SCORES, AUDIT = "recordings", "transcripts", "scores", "audit"
CLASSES = (RECORDINGS, TRANSCRIPTS, SCORES, AUDIT)
CLASS_NAMES = {RECORDINGS: N_("Recorded answers"), TRANSCRIPTS: N_("Transcripts of answers"),
               SCORES: N_("Scores and score reports"), AUDIT: N_("Audit log")}
# The shortest periods allowed: the audit log must cover at least a year of accountability;
# the others at least the time a review or a complaint takes.
MINIMUM_DAYS = {RECORDINGS: 7, TRANSCRIPTS: 30, SCORES: 30, AUDIT: 365}
MAXIMUM_DAYS = 3650
DAILY = timedelta(hours=24)

NOT_A_NUMBER = N_("Enter a whole number of days, or leave it empty to keep this data until you set a period.")
TOO_SHORT = N_("At least {min} days.")
TOO_LONG = N_("At most {max} days.")


RetentionErrors = FieldErrors  # some periods are wrong: class -> (msgid, params)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def current(session) -> dict[str, int | None]:
    """Days per class (None: kept until a period is set)."""
    rows = session.execute(select(models.RetentionSetting)).scalars().all()
    found = {r.data_class: r.days for r in rows}
    return {c: found.get(c) for c in CLASSES}


def settings(session, user: models.User, *, ip: str = "") -> dict[str, int | None]:
    access.require(user, access.RETENTION_MANAGE, session=session, ip=ip)
    return current(session)


def _parse(data_class: str, raw: object) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise ValueError((NOT_A_NUMBER, {}))
    days = int(text)
    if days < MINIMUM_DAYS[data_class]:
        raise ValueError((TOO_SHORT, {"min": MINIMUM_DAYS[data_class]}))
    if days > MAXIMUM_DAYS:
        raise ValueError((TOO_LONG, {"max": MAXIMUM_DAYS}))
    return days


def save(session, user: models.User, values: dict[str, object], *, ip: str = "") -> dict[str, int | None]:
    """Set the days of every class in ``values`` ("" keeps the class until a period is set).
    Every field is checked first: one wrong value saves nothing (RetentionErrors)."""
    access.require(user, access.RETENTION_MANAGE, session=session, ip=ip)
    parsed, errors = {}, {}
    for data_class in CLASSES:
        if data_class not in values:
            continue
        try:
            parsed[data_class] = _parse(data_class, values[data_class])
        except ValueError as exc:
            errors[data_class] = exc.args[0]
    if errors:
        raise RetentionErrors(errors)
    before = current(session)
    for data_class, days in parsed.items():
        if days == before[data_class]:
            continue
        row = session.execute(select(models.RetentionSetting).where(
            models.RetentionSetting.data_class == data_class)).scalars().first()
        if days is None:
            session.delete(row)
        elif row is None:
            session.add(models.RetentionSetting(data_class=data_class, days=days, updated_by_id=user.id))
        else:
            row.days, row.updated_by_id, row.updated_at = days, user.id, utcnow()
        session.flush()
        audit.record(session, "retention.set", actor_id=user.id, actor=user.email or "",
                     object_type=f"retention:{data_class}", object_id="" if days is None else days, ip=ip)
    return current(session)


# ---------------------------------------------------------------- the purge


def _recordings(session, cutoff: datetime) -> int:
    M = models
    ids = set(session.execute(select(M.Recording.id).where(M.Recording.started_at < cutoff)).scalars())
    if not ids:
        return 0
    answers = set(session.execute(select(M.Recording.answer_id).where(
        M.Recording.id.in_(ids), M.Recording.answer_id.is_not(None))).scalars())
    if answers:
        session.execute(update(M.Answer).where(M.Answer.id.in_(answers)).values(video_ref_enc=None))
    chunks = set(session.execute(select(M.RecordingChunk.id).where(M.RecordingChunk.recording_id.in_(ids))).scalars())
    delete_rows(session, {M.RecordingChunk.__table__: chunks, M.Recording.__table__: ids})
    return len(ids)


def _transcripts(session, cutoff: datetime) -> int:
    M = models
    ids = set(session.execute(select(M.Answer.id).where(M.Answer.submitted_at < cutoff,
                                                        M.Answer.transcript_enc != "")).scalars())
    old = select(M.Answer.id).where(M.Answer.submitted_at < cutoff)
    session.execute(update(M.CompetencyScore).where(M.CompetencyScore.answer_id.in_(old),
                                                    M.CompetencyScore.evidence_enc != "")
                    .values(evidence_enc="").execution_options(synchronize_session=False))
    if ids:
        session.execute(update(M.Answer).where(M.Answer.id.in_(ids)).values(transcript_enc="")
                        .execution_options(synchronize_session=False))
    return len(ids)


def _scores(session, cutoff: datetime) -> int:
    M = models
    scores = set(session.execute(select(M.AnswerScore.id).where(M.AnswerScore.created_at < cutoff)).scalars())
    answers = select(M.AnswerScore.answer_id).where(M.AnswerScore.id.in_(scores or {0}))
    competency = set(session.execute(select(M.CompetencyScore.id).where(
        M.CompetencyScore.answer_id.in_(answers))).scalars())
    reports = set(session.execute(select(M.Report.id).where(M.Report.created_at < cutoff)).scalars())
    doomed = hanging_rows(session, {M.AnswerScore.__table__: scores, M.CompetencyScore.__table__: competency,
                                    M.Report.__table__: reports})
    counts = delete_rows(session, doomed)
    return counts.get("answerscore", 0) + counts.get("report", 0)


_PURGES = {RECORDINGS: _recordings, TRANSCRIPTS: _transcripts, SCORES: _scores,
           AUDIT: lambda session, cutoff: audit.trim_before(session, cutoff)}


def purge(session, *, trigger: str = "daily", user: models.User | None = None, ip: str = "",
          now: datetime | None = None) -> dict[str, int]:
    """Remove what is older than its class's period; returns what was removed per class.
    From the admin page ``user`` must hold RETENTION_MANAGE; daily and CLI runs have none."""
    if user is not None:
        access.require(user, access.RETENTION_MANAGE, session=session, ip=ip)
    now = now or utcnow()
    run = models.PurgeRun(trigger=trigger, started_at=now)
    session.add(run)
    session.flush()
    counts = {}
    for data_class, days in current(session).items():
        counts[data_class] = _PURGES[data_class](session, now - timedelta(days=days)) if days else 0
    run.finished_at, run.counts = utcnow(), counts
    session.flush()
    summary = " ".join(f"{c}={counts[c]}" for c in CLASSES)
    audit.record(session, "retention.purge", actor_id=user.id if user else None,
                 actor=(user.email or "") if user else trigger, object_type="retention", object_id=summary, ip=ip)
    return counts


def last_run(session) -> models.PurgeRun | None:
    return session.execute(select(models.PurgeRun).where(models.PurgeRun.finished_at.is_not(None))
                           .order_by(models.PurgeRun.id.desc()).limit(1)).scalars().first()


def run_due(db_url: str | None = None, *, now: datetime | None = None) -> dict[str, int] | None:
    """The daily purge, when no run finished in the last 24 hours (the background loop asks hourly)."""
    from portal.services.platform import db

    now = now or utcnow()
    with db.session_scope(db_url) as s:
        last = last_run(s)
        if last is not None and audit.as_utc(last.finished_at) > now - DAILY:
            return None
        return purge(s, trigger="daily", now=now)

