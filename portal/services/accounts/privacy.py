"""Data-subject requests (issue 12 · privacy): a person downloads everything the portal
holds about them, and asks for it to be deleted; HR approves or refuses.

Export (``export_zip``): a ZIP of one JSON file per data class (the account without its
password hash, TOTP secret or token hashes; sessions, consents, interviews, device
checks, answers with their transcripts decrypted, scores with their evidence quotes,
reports, review requests, preferred times, development plan and enrolments, e-mails
sent to them, their deletion requests, the audit events by or about them), every other
table that names them as its owner (``other/<table>.json``, so tables added later are
exported too), their recorded answers (``recordings/answer-<id>.webm``) and the PDF of
every score report published to them (``reports/report-<interview>.pdf``). Interviewers'
private notes are not included: the access policy keeps them from their subject too.

Deletion: one open request per person. Candidates and employees may ask; staff accounts
(interviewer, HR, HR manager, admin) are refused with a message: what they did to other
people's data must stay accountable, so an administrator disables their account
instead. Approving deletes every row that belongs to the person, found by following the
foreign keys from their account (so new tables are covered), their recording files,
e-mails to them and invitations for their address; their sessions end with their
account, so they are signed out and cannot sign in again. There are no per-person
encryption keys in this portal (services/platform/crypto.py keeps one key ring for
every column): the ciphertext itself is deleted. Audit events stay, for accountability,
without their e-mail or IP addresses (audit.erase_person); the request row keeps only
the user id and role, and the approval is audited the same way.

Nothing here imports reflex.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date, datetime, timezone

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy import event as sa_event

from portal import models
from portal.services.accounts import access, throttle
from portal.services.interviews import recordings
from portal.services.platform import audit, crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

OPEN, APPROVED, REFUSED = "open", "approved", "refused"
MAX_REASON = 1000
# Staff accounts are not deleted on request (see the module's docstring).
STAFF = frozenset({access.INTERVIEWER, access.HR, access.HR_MANAGER, access.ADMIN})

ALREADY_OPEN = N_("You have already asked for deletion; HR is looking at your request.")
REASON_TOO_LONG = N_("The reason is too long: at most 1000 characters.")
STAFF_REFUSED = N_("Staff accounts are not deleted on request: what staff did with other people's data must stay "
                   "accountable. Ask an administrator to close your account.")
NOT_OPEN = N_("This request has already been decided.")
NOTE_REQUIRED = N_("Give the reason for the refusal: the person reads it.")
NOTE_TOO_LONG = N_("The reason is too long: at most 1000 characters.")

# Columns never exported: secrets and what only the server needs to work.
SECRET_COLUMNS = frozenset({"password_hash", "totp_secret_enc", "totp_last_step", "token_hash", "code_hash",
                            "stream_state", "hash", "prev_hash"})
# Columns that name whose data a row is: following them from the account finds the rows to delete.
OWNER_COLUMNS = ("user_id", "candidate_id", "requester_id")
# Encrypted columns that are not the person's to read (interviewers' notes, access policy).
PRIVATE_NOTES = frozenset({"body_enc", "note_enc"})

README = """Talent Portal: everything the portal holds about you
===================================================

Each .json file holds one kind of data (UTF-8 JSON, times in UTC, ISO 8601):
account.json            your account and signed-in devices (no password or authenticator secret)
consents.json           your consents and withdrawals
interviews.json         your interviews, device checks and the decisions on them
answers.json            your answers with their transcripts
scores.json             the scores of your answers, their evidence quotes and your score reports
review_requests.json    the human reviews you asked for
availability.json       your preferred interview times and checklist steps
development.json        your development plan: goals, enrolments, learning preference, progress
emails.json             the e-mails the portal sent you (subjects and dates)
deletion_requests.json  your requests to delete your data
audit_events.json       the audit log's events by you or about your account
other/                  anything else recorded as yours
recordings/             your recorded answers (WebM)
reports/                your score reports (PDF)

Interviewers' private notes are not included. There are no per-person encryption keys:
if your data is deleted, the encrypted values themselves are deleted.
"""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------- export


def _plain(value):
    if isinstance(value, datetime):
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decrypt(token: str | None) -> str | None:
    try:
        return crypto.decrypt_or_none(token)
    except crypto.CryptoError:
        return None


def _row(obj, **extra) -> dict:
    """A row as JSON: secrets left out, encrypted columns decrypted under their plain name."""
    out = {}
    for column in type(obj).__table__.columns:
        name, value = column.name, getattr(obj, column.name)
        if name in SECRET_COLUMNS or name in PRIVATE_NOTES:
            continue
        if name.endswith("_enc"):
            name, value = name.removesuffix("_enc"), _decrypt(value)
            if name == "evidence" and value:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
        out[name] = _plain(value)
    return {**out, **{k: _plain(v) for k, v in extra.items()}}


def _all(session, model, *where):
    return session.execute(select(model).where(*where).order_by(model.id)).scalars().all()


def collect(session, user: models.User) -> dict[str, object]:
    """Every data class the portal holds about ``user``, as JSON-ready documents (file name -> content)."""
    M = models
    uid = user.id
    interviews = _all(session, M.Interview, M.Interview.candidate_id == uid)
    jobs = {j.id: j for j in _all(session, M.Job, M.Job.id.in_({i.job_id for i in interviews} or {0}))}
    answers = _all(session, M.Answer, M.Answer.user_id == uid)
    answer_ids = [a.id for a in answers] or [0]
    questions = {q.id: q for q in _all(session, M.Question, M.Question.id.in_({a.question_id for a in answers} or {0}))}
    recorded = {r.answer_id for r in _all(session, M.Recording, M.Recording.candidate_id == uid) if r.answer_id}
    reports = _all(session, M.Report, M.Report.candidate_id == uid)
    firings = _all(session, M.RuleFiring, M.RuleFiring.interview_id.in_({i.id for i in interviews} or {0}))
    rules = {r.id: r.expression for r in _all(session, M.DecisionRule,
                                              M.DecisionRule.id.in_({f.rule_id for f in firings} or {0}))}
    courses = {c.id: c.code for c in _all(session, M.Course)}
    email = (user.email or "").lower()
    docs: dict[str, object] = {
        "account.json": {
            "account": _row(user),
            "sessions": [{k: _plain(getattr(s, k)) for k in ("created_at", "last_seen_at", "ended_at", "ip",
                                                             "user_agent")}
                         for s in _all(session, M.UserSession, M.UserSession.user_id == uid)],
            "recovery_codes_left": len([c for c in _all(session, M.RecoveryCode, M.RecoveryCode.user_id == uid)
                                        if c.used_at is None]),
        },
        "consents.json": [_row(c) for c in _all(session, M.Consent, M.Consent.user_id == uid)],
        "interviews.json": {
            "interviews": [_row(i, job_code=jobs[i.job_id].code, job_title_zh=jobs[i.job_id].title_zh,
                                job_title_en=jobs[i.job_id].title_en) for i in interviews],
            "device_checks": [_row(d) for d in _all(session, M.DeviceCheck, M.DeviceCheck.user_id == uid)],
            # what HR's rules proposed on their interviews and what a person decided (it names no
            # owner column, so the catch-all below missed it)
            "decisions": [_row(f, rule=rules.get(f.rule_id, "")) for f in firings],
        },
        "answers.json": [
            _row(a, question_zh=questions[a.question_id].text_zh if a.question_id in questions else "",
                 question_en=questions[a.question_id].text_en if a.question_id in questions else "",
                 recording=f"recordings/answer-{a.id}.webm" if a.id in recorded else None)
            for a in answers],
        "scores.json": {
            "answer_scores": [_row(x) for x in _all(session, M.AnswerScore, M.AnswerScore.answer_id.in_(answer_ids))],
            "competency_scores": [_row(x) for x in _all(session, M.CompetencyScore,
                                                        M.CompetencyScore.answer_id.in_(answer_ids))],
            "interviewer_ratings": [
                {"answer_id": r.answer_id, "competency_key": r.competency_key, "level": r.level,
                 "created_at": _plain(r.created_at)}
                for r in _all(session, M.InterviewerRating, M.InterviewerRating.answer_id.in_(answer_ids))],
            "reports": [_row(r) for r in reports],
        },
        "review_requests.json": [_row(r) for r in _all(session, M.ReviewRequest, M.ReviewRequest.requester_id == uid)],
        "availability.json": {
            "preferred_times": [_row(p) for p in _all(session, M.SchedulingPreference,
                                                      M.SchedulingPreference.user_id == uid)],
            "checklist": [_row(c) for c in _all(session, M.ChecklistMark, M.ChecklistMark.user_id == uid)],
        },
        "development.json": {
            "goals": [_row(g) for g in _all(session, M.DevelopmentGoal, M.DevelopmentGoal.user_id == uid)],
            "enrolments": [_row(e, course_code=courses.get(e.course_id, ""))
                           for e in _all(session, M.Enrollment, M.Enrollment.user_id == uid)],
            "learning_preference": [_row(p) for p in _all(session, M.LearningPreference,
                                                          M.LearningPreference.user_id == uid)],
            "progress": [_row(p) for p in _all(session, M.ProgressSnapshot, M.ProgressSnapshot.user_id == uid)],
            "development_reports": [_row(d) for d in _all(session, M.DevelopmentDigest,
                                                          M.DevelopmentDigest.user_id == uid)],
        },
        "emails.json": [{"subject": m.subject, "kind": m.kind, "created_at": _plain(m.created_at),
                         "sent_at": _plain(m.sent_at)}
                        for m in _all(session, M.EmailOutbox, func.lower(M.EmailOutbox.to_addr) == email)],
        # the group HR recorded for the fairness view, in plain words (it is about them)
        "recorded_group.json": [{"group": _decrypt(g.label_enc), "recorded_at": _plain(g.recorded_at)}
                                for g in _all(session, M.RecordedGroup, M.RecordedGroup.candidate_id == uid)],
        "performance_reviews.json": [{"period": r.period, "score": r.score, "reviewed_at": _plain(r.reviewed_at)}
                                     for r in _all(session, M.PerformanceReview, M.PerformanceReview.user_id == uid)],
        "deletion_requests.json": [_row(r) for r in _all(session, M.DeletionRequest,
                                                         M.DeletionRequest.user_id == uid)],
        "audit_events.json": [
            {"at": _plain(e.at), "action": e.action, "by_you": e.actor_id == uid, "object_type": e.object_type,
             "object_id": e.object_id, "ip": e.ip if e.actor_id == uid else "", "outcome": e.outcome}
            for e in _all(session, M.AuditEvent, or_(
                M.AuditEvent.actor_id == uid,
                (M.AuditEvent.object_type.startswith("user")) & (M.AuditEvent.object_id == str(uid))))],
    }
    covered = {"user", "usersession", "recoverycode", "consent", "interview", "devicecheck", "answer", "recording",
               "report", "reviewrequest", "schedulingpreference", "checklistmark", "developmentgoal", "enrollment",
               "learningpreference", "progresssnapshot", "developmentdigest", "deletionrequest", "passwordreset",
               "interviewerprofile", "recordedgroup", "performancereview"}
    for table in models.metadata.sorted_tables:
        cols = [c for c in OWNER_COLUMNS if c in table.c]
        if table.name in covered or not cols:
            continue
        model = _model_of(table)
        rows = _all(session, model, or_(*(getattr(model, c) == uid for c in cols))) if model else []
        if rows:
            docs[f"other/{table.name}.json"] = [_row(r) for r in rows]
    return docs


def _model_of(table):
    from sqlmodel.main import default_registry

    for mapper in default_registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def export_zip(session, user: models.User, *, locale: str = "zh_CN", ip: str = "",
               user_session: models.UserSession | None = None) -> bytes:
    """The signed-in person's own data as a ZIP (see the module's docstring); audited."""
    from portal.services.interviews.preparation import in_zone
    from portal.services.reports import pdf, report

    access.require(user, access.ACCOUNT_SELF, session=session, ip=ip)
    # the reports first: showing one records it (services/reports/human_review.py), so the JSON lists it too
    pdfs = {}
    if user.role in (access.CANDIDATE, access.EMPLOYEE):
        for interview in _all(session, models.Interview, models.Interview.candidate_id == user.id,
                              models.Interview.status == "completed"):
            shown = report.candidate_report(session, user, interview.id, user_session=user_session, ip=ip)
            if shown.ready:
                pdfs[f"reports/report-{interview.id}.pdf"] = pdf.render(
                    shown, user.display_name or user.email, locale, in_zone(shown.scheduled_at, user.timezone).date())
    docs = collect(session, user)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", README)
        for name, doc in docs.items():
            z.writestr(name, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True))
        for rec in _all(session, models.Recording, models.Recording.candidate_id == user.id,
                        models.Recording.answer_id.is_not(None)):
            answer = session.get(models.Answer, rec.answer_id)
            try:
                z.writestr(f"recordings/answer-{answer.id}.webm", recordings.answer_audio(session, answer))
            except (recordings.NoRecording, crypto.CryptoError, OSError):
                continue  # purged or incomplete: the answers file still lists it
        for name, body in pdfs.items():
            z.writestr(name, body)
    audit.record(session, "privacy.export", actor_id=user.id, actor=user.email or "", object_type="user",
                 object_id=user.id, ip=ip)
    return buf.getvalue()


# ---------------------------------------------------------------- deletion requests


def latest_request(session, user: models.User) -> models.DeletionRequest | None:
    """The person's most recent deletion request (what their page shows)."""
    return session.execute(select(models.DeletionRequest).where(models.DeletionRequest.user_id == user.id)
                           .order_by(models.DeletionRequest.id.desc()).limit(1)).scalars().first()


def may_ask(user: models.User) -> bool:
    return user.role not in STAFF


def request_deletion(session, user: models.User, reason: str, *, ip: str = "") -> models.DeletionRequest:
    """Ask HR to delete everything about oneself; one open request at a time; staff refused."""
    access.require(user, access.ACCOUNT_SELF, session=session, ip=ip)
    reason = (reason or "").strip()
    if user.role in STAFF:
        raise ServiceError(STAFF_REFUSED)
    if len(reason) > MAX_REASON:
        raise ServiceError(REASON_TOO_LONG)
    found = latest_request(session, user)
    if found is not None and found.status == OPEN:
        raise ServiceError(ALREADY_OPEN)
    row = models.DeletionRequest(user_id=user.id, role=user.role, reason=reason)
    session.add(row)
    session.flush()
    audit.record(session, "privacy.request", actor_id=user.id, actor=user.email or "",
                 object_type="deletion_request", object_id=row.id, ip=ip)
    return row


def open_requests(session, user: models.User, *, ip: str = "") -> list[dict]:
    """HR's queue: open requests, oldest first, with who asked (audited as a viewing)."""
    return queue(session, user, ip=ip)[0]


def recent_decisions(session, user: models.User, *, limit: int = 20, ip: str = "") -> list[dict]:
    """The latest decided requests: user id and role only (approved ones name nobody any more)."""
    access.require(user, access.PRIVACY_APPROVE, session=session, ip=ip)
    return [_decided(r) for r in session.execute(_recent_query(limit)).scalars().all()]


def queue(session, user: models.User, *, limit: int = 20, ip: str = "") -> tuple[list[dict], list[dict]]:
    """``open_requests`` and ``recent_decisions`` in one statement (the queue's viewing audited)."""
    access.require(user, access.PRIVACY_APPROVE, session=session, ip=ip)
    rows, recent = db.together(
        session, select(models.DeletionRequest, models.User)
        .join(models.User, models.User.id == models.DeletionRequest.user_id, isouter=True)
        .where(models.DeletionRequest.status == OPEN).order_by(models.DeletionRequest.id), _recent_query(limit))
    audit.record(session, "privacy.queue", actor_id=user.id, actor=user.email or "",
                 object_type="deletion_request", object_id=len(rows), ip=ip)
    return ([{"id": r.id, "user_id": r.user_id, "role": r.role, "reason": r.reason, "created_at": r.created_at,
              "name": (u.display_name if u else "") or "", "email": u.email if u else ""} for r, u in rows],
            [_decided(r) for r in recent])


def _recent_query(limit: int):
    return (select(models.DeletionRequest).where(models.DeletionRequest.status != OPEN)
            .order_by(models.DeletionRequest.decided_at.desc(), models.DeletionRequest.id.desc()).limit(limit))


def _decided(r: models.DeletionRequest) -> dict:
    return {"id": r.id, "user_id": r.user_id, "role": r.role, "status": r.status, "note": r.decision_note,
            "decided_at": r.decided_at}


def _open_request(session, request_id: int) -> models.DeletionRequest:
    row = session.get(models.DeletionRequest, request_id) if recordings._valid_id(request_id) else None
    if row is None:
        raise PermissionDenied()
    if row.status != OPEN:
        raise ServiceError(NOT_OPEN)
    return row


def refuse(session, user: models.User, request_id: int, note: str, *, ip: str = "") -> models.DeletionRequest:
    """HR refuses with a reason the person reads (e.g. a legal duty to keep the data)."""
    access.require(user, access.PRIVACY_APPROVE, session=session, ip=ip)
    note = (note or "").strip()
    if not note:
        raise ServiceError(NOTE_REQUIRED)
    if len(note) > MAX_REASON:
        raise ServiceError(NOTE_TOO_LONG)
    row = _open_request(session, request_id)
    won = session.execute(update(models.DeletionRequest).where(
        models.DeletionRequest.id == row.id, models.DeletionRequest.status == OPEN)
        .values(status=REFUSED, decision_note=note, decided_by_id=user.id, decided_at=utcnow())).rowcount
    if won != 1:
        raise ServiceError(NOT_OPEN)
    audit.record(session, "privacy.refuse", actor_id=user.id, actor=user.email or "",
                 object_type="deletion_request", object_id=row.id, ip=ip)
    session.refresh(row)
    return row


def approve(session, user: models.User, request_id: int, *, ip: str = "") -> dict[str, int]:
    """HR approves: the person and everything about them are deleted (``delete_person``).
    Returns rows deleted per table."""
    access.require(user, access.PRIVACY_APPROVE, session=session, ip=ip)
    row = _open_request(session, request_id)
    person = session.get(models.User, row.user_id)
    if person is not None and person.role in STAFF:  # made staff since they asked
        raise ServiceError(STAFF_REFUSED)
    won = session.execute(update(models.DeletionRequest).where(
        models.DeletionRequest.id == row.id, models.DeletionRequest.status == OPEN)
        .values(status=APPROVED, decided_by_id=user.id, decided_at=utcnow())).rowcount
    if won != 1:  # another HR decided meanwhile
        raise ServiceError(NOT_OPEN)
    counts = delete_person(session, person) if person is not None else {}
    # the approval names the user id and role only
    audit.record(session, "privacy.delete", actor_id=user.id, actor=user.email or "",
                 object_type=f"user:{row.role}", object_id=row.user_id, ip=ip)
    return counts


def hanging_rows(session, roots: dict, *, from_user: bool = False) -> dict:
    """``roots`` (table -> ids) and every row that hangs on them by a foreign key, found
    transitively: table -> ids. ``from_user``: the roots are one account, whose rows are
    the ones naming it in an owner column (or in a column that cannot be empty)."""
    user_table = models.User.__table__
    doomed = {table: set(ids) for table, ids in roots.items() if ids}
    queue = list(doomed)
    while queue:
        parent = queue.pop()
        ids = doomed[parent]
        for table in models.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table is not parent:
                    continue
                col = fk.parent
                if from_user and parent is user_table and col.name not in OWNER_COLUMNS and col.nullable:
                    continue  # who did something to someone else's row: set to NULL instead
                found = set(session.execute(select(table.c.id).where(col.in_(ids))).scalars())
                new = found - doomed.get(table, set())
                if new:
                    doomed.setdefault(table, set()).update(new)
                    queue.append(table)
    return doomed


def delete_rows(session, doomed: dict) -> dict[str, int]:
    """Delete ``doomed`` (table -> ids), rows that point at others first; recording chunk
    files and folders go once the transaction commits. Returns rows deleted per table."""
    M = models
    recording_ids = doomed.get(M.Recording.__table__, set())
    chunk_ids = doomed.get(M.RecordingChunk.__table__, set())
    if chunk_ids:
        recordings._track_files(session)
        for chunk in _all(session, M.RecordingChunk, M.RecordingChunk.id.in_(chunk_ids)):
            session.info["recording_old_files"].append(str(recordings._chunk_path(chunk.recording_id,
                                                                                  chunk.file_name)))
    if recording_ids:
        _remove_dirs_after_commit(session, [recordings.storage_root() / str(r) for r in recording_ids])
    counts: dict[str, int] = {}
    for table in reversed(models.metadata.sorted_tables):
        ids = doomed.get(table)
        if ids:
            counts[table.name] = session.execute(delete(table).where(table.c.id.in_(ids))
                                                 .execution_options(synchronize_session=False)).rowcount
    return counts


def _remove_dirs_after_commit(session, paths: list) -> None:
    def committed(_s) -> None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    sa_event.listen(session, "after_commit", committed, once=True)


def delete_person(session, person: models.User) -> dict[str, int]:
    """Delete ``person`` and every row and file that is theirs; their audit events keep
    their user id without their e-mail or addresses. Returns rows deleted per table."""
    M = models
    uid, email = person.id, (person.email or "").strip().lower()
    session.flush()
    doomed = hanging_rows(session, {M.User.__table__: {uid}}, from_user=True)
    seats = [e.offering_id for e in _all(session, M.Enrollment, M.Enrollment.id.in_(
        doomed.get(M.Enrollment.__table__, {0}))) if e.offering_id and e.status in ("enrolled", "in_progress")]
    # who did something to another person's row: the row stays, the reference goes
    user_table = M.User.__table__
    for table in models.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is user_table and fk.parent.name not in OWNER_COLUMNS and fk.parent.nullable:
                session.execute(table.update().where(fk.parent == uid).values({fk.parent.name: None}))
    counts = delete_rows(session, doomed)
    from portal.services.development import courses

    for offering_id in seats:
        courses._hand_on_seat(session, offering_id)  # the seat goes to the waiting list or back free
    counts["emailoutbox"] = session.execute(delete(M.EmailOutbox).where(func.lower(M.EmailOutbox.to_addr) == email)
                                            .execution_options(synchronize_session=False)).rowcount
    counts["invitation"] = counts.get("invitation", 0) + session.execute(
        delete(M.Invitation).where(func.lower(M.Invitation.email) == email)
        .execution_options(synchronize_session=False)).rowcount
    session.execute(delete(M.LoginThrottle).where(M.LoginThrottle.key == throttle.account_key(email))
                    .execution_options(synchronize_session=False))
    session.execute(update(M.DeletionRequest).where(M.DeletionRequest.user_id == uid)
                    .values(reason=""))  # their own words go too; the id and role stay
    counts["audit_redacted"] = audit.erase_person(session, uid, email)
    session.expire_all()
    return counts
