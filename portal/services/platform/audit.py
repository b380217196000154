"""The audit log: append-only and hash-chained.

Each event's ``hash = sha256(prev_hash + "\\n" + canonical JSON of its fields)``,
the fields including its id and UTC time. The canonical form is JSON with sorted
keys and every non-ASCII or control character escaped, so a CR/LF (or anything
else) inside a field can never look like a field or an event boundary. An event
says who did what to which object from where and with what outcome: never the
data itself (no e-mail bodies, no passwords, no personal details).

Appends are serialised: the new row is inserted first (on SQLite that takes the
database write lock, on PostgreSQL a transaction-scoped advisory lock is taken
before), and only then is the previous hash read, so two processes cannot both
chain onto the same predecessor.

Repeated refusals (outcomes ``denied``, ``locked``, ``rate_limited``) are
aggregated per source: for one (action, outcome, actor, ip) the first refusal of a
``REPEAT_WINDOW`` is written as usual, the following ones only count in
``AuditRepeat`` (a plain counter table outside the chain), and one summary event
(object ``repeated`` / the count) is appended when that source's next window
starts or when the log is read (``flush_repeats``). Events are never updated, so
the chain stays valid, and 200 anonymous refusals cost two rows, not 200.

    python -m portal.services.platform.audit verify [--db URL]    prints OK or the first bad id
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, select, text, update

from portal.models import AuditAnchor, AuditEvent, AuditRepeat, AuditReseal
from portal.services.platform.i18n import N_, gettext
from portal.services.platform.navigation import role_name


def utcnow() -> datetime:  # module-level so tests can pin the clock
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Aware UTC (the columns store UTC; a naive value is taken to be UTC already)."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

GENESIS = ""
_PG_LOCK_KEY = 0x7A1E_A0D1  # advisory lock id of the audit chain
_LIMITS = {"actor": 254, "action": 60, "object_type": 60, "object_id": 60, "ip": 64, "outcome": 20}
FIELDS = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "ip", "outcome")
CSV_COLUMNS = (*FIELDS, "prev_hash", "hash")
MAX_LIMIT = 5000
AGGREGATED = frozenset({"denied", "locked", "rate_limited"})
REPEAT_WINDOW = timedelta(minutes=5)
REPEATED = "repeated"  # object_type of a summary event; object_id is the count


def _clean(name: str, value: object) -> str:
    return ("" if value is None else str(value))[: _LIMITS[name]]


def canonical(fields: dict) -> str:
    at = fields["at"]
    doc = {
        "id": int(fields["id"]),
        "at": as_utc(at).isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at),
        "actor_id": None if fields["actor_id"] is None else int(fields["actor_id"]),
        **{k: fields[k] or "" for k in ("actor", "action", "object_type", "object_id", "ip", "outcome")},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def compute_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256(((prev_hash or "") + "\n" + canonical(fields)).encode("ascii")).hexdigest()


def _fields_of(event) -> dict:
    return {name: getattr(event, name) for name in FIELDS}


def _lock_chain(session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def record(
    session,
    action: str,
    *,
    actor_id: int | None = None,
    actor: str = "",
    object_type: str = "",
    object_id: object = "",
    ip: str = "",
    outcome: str = "success",
) -> AuditEvent | None:
    """Append one event in the caller's transaction and return it; None when it is a
    repeated refusal that was only counted (see the module's docstring)."""
    _lock_chain(session)
    fields = {"actor_id": actor_id, "actor": _clean("actor", actor), "action": _clean("action", action),
              "object_type": _clean("object_type", object_type), "object_id": _clean("object_id", object_id),
              "ip": _clean("ip", ip), "outcome": _clean("outcome", outcome)}
    if fields["outcome"] in AGGREGATED and not _first_of_window(session, fields):
        return None
    return _append(session, fields)


def _append(session, fields: dict) -> AuditEvent:
    event = AuditEvent(at=utcnow(), **fields, prev_hash=GENESIS, hash="pending")
    session.add(event)
    session.flush()  # the INSERT: from here on no other writer can append before us
    prev = session.execute(
        select(AuditEvent.hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    event.at = utcnow()  # taken under the lock, so times never go backwards along the chain
    event.prev_hash = prev or GENESIS
    event.hash = compute_hash(event.prev_hash, _fields_of(event))
    session.flush()
    return event


_SOURCE = ("action", "outcome", "actor_id", "actor", "ip")


def _repeat_key(fields: dict) -> str:
    return hashlib.sha256(json.dumps([fields[k] for k in _SOURCE]).encode()).hexdigest()


def _summary(session, row) -> None:
    _append(session, {**{k: getattr(row, k) for k in _SOURCE}, "object_type": REPEATED,
                      "object_id": str(row.repeats)})


def _first_of_window(session, fields: dict) -> bool:
    """Count a refusal of this source; True when it opens a new window (write it).
    The first statement is a write, so on SQLite it takes the write lock and on
    PostgreSQL the chain's advisory lock is already held: no two writers interleave."""
    R = AuditRepeat
    key, now = _repeat_key(fields), utcnow()
    counted = session.execute(
        update(R).where(R.key == key, R.window_start > now - REPEAT_WINDOW)
        .values(repeats=R.repeats + 1).execution_options(synchronize_session=False)
    ).rowcount
    if counted:
        return False
    row = session.execute(select(R).where(R.key == key)).scalars().first()
    if row is None:
        session.add(R(key=key, window_start=now, repeats=0, **{k: fields[k] for k in _SOURCE}))
    else:
        if row.repeats:
            _summary(session, row)
        row.window_start, row.repeats = now, 0
    session.flush()
    return True


def flush_repeats(session) -> int:
    """Write the summary of every source with uncounted refusals (before the log is read);
    returns how many summaries were written. Counters idle for a day are dropped."""
    _lock_chain(session)
    R = AuditRepeat
    rows = session.execute(select(R).where(R.repeats > 0).order_by(R.id)).scalars().all()
    for row in rows:
        _summary(session, row)
        row.repeats = 0
    session.execute(delete(R).where(R.repeats == 0, R.window_start < utcnow() - timedelta(days=1))
                    .execution_options(synchronize_session=False))
    session.flush()
    return len(rows)


def verify_chain(session) -> tuple[bool, int | None]:
    """Walk the whole chain from the stored values (not cached objects).
    Returns (True, None) or (False, id of the first event that does not check)."""
    session.flush()
    table = AuditEvent.__table__
    anchor = _anchor(session)
    prev, after = (anchor.last_hash, anchor.last_id) if anchor else (GENESIS, 0)
    rows = session.execute(
        select(*table.c).where(table.c.id > after).order_by(table.c.id).execution_options(yield_per=1000)
    ).mappings()
    for row in rows:
        if row["prev_hash"] != prev or row["hash"] != compute_hash(prev, dict(row)):
            return False, row["id"]
        prev = row["hash"]
    return True, None


# ---------------------------------------------------------------- privacy: retention and erasure (issue 12)


def _anchor(session) -> AuditAnchor | None:
    return session.execute(select(AuditAnchor).order_by(AuditAnchor.last_id.desc()).limit(1)).scalars().first()


def trim_before(session, cutoff: datetime) -> int:
    """Delete the events older than ``cutoff`` (the retention purge): an anchor records the
    last deleted event's hash first, so the chain still verifies from the first kept one,
    and the database allows deleting only up to the newest anchor. Returns events deleted."""
    _lock_chain(session)
    session.flush()
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.at < as_utc(cutoff))
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is None:
        return 0
    session.add(AuditAnchor(last_id=last.id, last_hash=last.hash))
    session.flush()
    return session.execute(delete(AuditEvent).where(AuditEvent.id <= last.id)
                           .execution_options(synchronize_session=False)).rowcount


def erase_person(session, user_id: int, email: str) -> int:
    """Remove a deleted person's identifying text from the audit log: their e-mail as actor
    and the addresses they acted from. Every event stays (with the user id: accountability
    needs it, and the id names nobody once the account is gone); the chain is re-sealed
    from the first changed event on, which the database allows only while an AuditReseal
    marker exists in this transaction. Returns the events changed."""
    _lock_chain(session)
    session.flush()
    email = (email or "").strip().lower()
    theirs = or_(AuditEvent.actor_id == user_id, func.lower(AuditEvent.actor) == email)
    session.execute(delete(AuditRepeat).where(or_(AuditRepeat.actor_id == user_id,
                                                  func.lower(AuditRepeat.actor) == email))
                    .execution_options(synchronize_session=False))
    first = session.execute(select(func.min(AuditEvent.id)).where(theirs)).scalar()
    if first is None:
        return 0
    marker = AuditReseal()
    session.add(marker)
    session.flush()
    table = AuditEvent.__table__
    prev = session.execute(select(table.c.hash).where(table.c.id < first)
                           .order_by(table.c.id.desc()).limit(1)).scalar() or GENESIS
    changed, last = 0, first - 1
    while True:
        rows = session.execute(select(*table.c).where(table.c.id > last).order_by(table.c.id)
                               .limit(1000)).mappings().all()
        if not rows:
            break
        for row in rows:
            fields, last = dict(row), row["id"]
            if row["actor_id"] == user_id or (row["actor"] or "").lower() == email:
                fields["actor"], fields["ip"] = "", ""
            fields["prev_hash"] = prev
            fields["hash"] = compute_hash(prev, fields)
            if any(fields[k] != row[k] for k in ("actor", "ip", "prev_hash", "hash")):
                session.execute(table.update().where(table.c.id == row["id"]).values(
                    actor=fields["actor"], ip=fields["ip"], prev_hash=fields["prev_hash"], hash=fields["hash"]))
                changed += fields["actor"] != row["actor"] or fields["ip"] != row["ip"]
            prev = fields["hash"]
    session.delete(marker)
    session.flush()
    session.expire_all()  # ORM objects must not keep the old text
    return changed


def search(
    session,
    *,
    actor: str | int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    outcome: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEvent]:
    """Newest first. ``actor`` matches the actor id (a number) or part of the actor name."""
    q = select(AuditEvent)
    if actor not in (None, ""):
        s = str(actor).strip()
        cond = func.lower(AuditEvent.actor).contains(s.lower(), autoescape=True)
        if s.isdigit():
            cond = or_(cond, AuditEvent.actor_id == int(s))
        q = q.where(cond)
    if action:
        q = q.where(AuditEvent.action == action)
    if outcome:
        q = q.where(AuditEvent.outcome == outcome)
    if object_type:
        q = q.where(AuditEvent.object_type == object_type)
    if object_id not in (None, ""):
        q = q.where(AuditEvent.object_id == str(object_id))
    if since is not None:
        q = q.where(AuditEvent.at >= as_utc(since))
    if until is not None:
        q = q.where(AuditEvent.at <= as_utc(until))
    limit = max(1, min(int(limit), MAX_LIMIT))
    q = q.order_by(AuditEvent.id.desc()).limit(limit).offset(max(0, int(offset)))
    return list(session.execute(q).scalars())


# ---------------------------------------------------------------- labels for people

ACTION_LABELS = {
    "access_denied": N_("Action refused"),
    # HR's back office (issue 12)
    "rule.create": N_("Decision rule written"),
    "rule.edit": N_("Decision rule draft changed"),
    "rule.version": N_("Decision rule: new version"),
    "rule.preview": N_("Decision rule previewed on past interviews"),
    "rule.activate": N_("Decision rule activated"),
    "rule.deactivate": N_("Decision rule deactivated"),
    "rule.fire": N_("Decision rule proposed an outcome"),
    "decision.list": N_("Pending decisions listed"),
    "decision.confirm": N_("Rule's proposal confirmed by a person"),
    "decision.override": N_("Rule's proposal overridden by a person"),
    "candidate.search": N_("Candidates searched"),
    "interview.schedule_batch": N_("Interviews scheduled from CSV"),
    "course.activate": N_("Course activated or deactivated"),
    "course.import": N_("Courses imported from CSV"),
    "interviewer.photo": N_("Interviewer photo changed"),
    "interviewer.save": N_("Interviewer profile saved"),
    "template.edit": N_("E-mail template changed"),
    "analytics.view": N_("Analytics viewed"),
    "analytics.export": N_("Analytics exported as CSV"),
    "analytics.groups": N_("Candidates' groups recorded"),
    "analytics.reviews": N_("Performance reviews recorded"),
    "job.create": N_("Position created"),
    "job.edit": N_("Position changed"),
    "job.stages": N_("Interview stages changed"),
    "competency_model.edit": N_("Competency model changed"),
    "competency_model.version": N_("Competency model: new version"),
    "question.import": N_("Questions imported from CSV"),
    "question.export": N_("Questions exported as CSV"),
    "question.edit": N_("Question corrected"),
    # issue 12 · privacy
    "privacy.export": N_("Own data downloaded"),
    "privacy.request": N_("Deletion of own data requested"),
    "privacy.queue": N_("Deletion requests listed"),
    "privacy.refuse": N_("Deletion request refused"),
    "privacy.delete": N_("Person's data deleted on request"),
    "retention.set": N_("Retention period changed"),
    "retention.purge": N_("Retention purge run"),
    "audit.export": N_("Audit log exported"),
    "availability.update": N_("Preferred times changed"),
    "availability.view": N_("Preferred times viewed"),
    "consent.grant": N_("Consent given"),
    "consent.publish": N_("Consent text published"),
    "consent.withdraw": N_("Consent withdrawn"),
    "answer.submit": N_("Interview answer submitted"),
    "interview.review": N_("Interview answers viewed"),
    "review.list": N_("Interviews to review listed"),
    "report.view": N_("Score report viewed"),
    "review.request": N_("Human review requested"),
    "review.queue": N_("Review requests listed"),
    "review.resolve": N_("Human review answered"),
    "rule.applied": N_("HR's rule applied to a score report"),
    "report.publish": N_("Score report published"),
    "report.summary": N_("Score report summary e-mailed"),
    "course.enrol": N_("Enrolled in a course"),
    "course.waitlist": N_("Put on a course's waiting list"),
    "course.withdraw": N_("Left a course"),
    "development.view": N_("Development plan viewed"),
    "development.report": N_("Development report e-mailed"),
    "rating.save": N_("Interviewer rating saved"),
    "recording.view": N_("Answer recording played"),
    "csrf.refused": N_("Form from another site refused"),
    "invitation.accept": N_("Invitation accepted"),
    "invitation.create": N_("Invitation sent"),
    "invitation.list": N_("Invitations viewed"),
    "interview.cancel": N_("Interview cancelled"),
    "interview.reschedule": N_("Interview moved"),
    "interview.schedule": N_("Interview scheduled"),
    "keys.remove": N_("Encryption key removed"),
    "keys.rotate": N_("Encryption key rotated"),
    "login.failure": N_("Sign-in failed"),
    "login.mfa_failure": N_("Wrong authenticator code"),
    "login.password": N_("Password accepted"),
    "login.success": N_("Signed in"),
    "mfa.change": N_("Authenticator replaced"),
    "mfa.enrol": N_("Authenticator set up"),
    "mfa.recovery_code_used": N_("Recovery code used"),
    "mfa.recovery_codes": N_("New recovery codes"),
    "mfa.reset": N_("Authenticator reset"),
    "outbox.view": N_("Outbox viewed"),
    "page_denied": N_("Page refused"),
    "password.change": N_("Password changed"),
    "password.reset": N_("Password reset"),
    "password.reset_request": N_("Password reset requested"),
    "reauth": N_("Identity confirmed again"),
    "session.end": N_("Session ended"),
    "session.end_all": N_("All sessions ended"),
    "session.expired": N_("Session expired"),
    "session.logout": N_("Signed out"),
    "session.renew": N_("Session renewed"),
    "session.revoke": N_("Sessions ended by a change"),
    "setting.self_signup": N_("Self sign-up setting changed"),
    "signup.request": N_("Sign-up requested"),
    "sso_login": N_("Single sign-on"),
    "user.disable": N_("Account disabled"),
    "user.enable": N_("Account enabled"),
    "user.list": N_("Users viewed"),
    "user.role_change": N_("Role changed"),
    "user.unlock": N_("Account unlocked"),
    "websocket.refused": N_("Connection from another site refused"),
}
OUTCOME_LABELS = {
    "success": N_("Success"),
    "failure": N_("Failure"),
    "denied": N_("Denied"),
    "locked": N_("Locked"),
    "rate_limited": N_("Rate limited"),
    "unknown": N_("Unknown address"),
    "exists": N_("Account exists"),
}
ANONYMOUS = N_("Anonymous")
UNKNOWN_NAME = N_("Unknown address {ref}")
REPEATED_TEXT = N_("{count} more times")
USER_OBJECT = N_("User {id}")
SESSION_OBJECT = N_("Session {id}")
RESET_OBJECT = N_("Reset link {id}")
INVITATION_OBJECT = N_("Invitation {id}")


def user_object_ids(events: Iterable) -> set[int]:
    """Ids of the users that ``events`` are about (to look their names up in one query)."""
    return {int(e.object_id) for e in events
            if e.object_type.split(":")[0] == "user" and str(e.object_id).isdigit()}


def describe(event: dict, locale: str, user_names: dict[int, str]) -> dict[str, str]:
    """Actor, action, object and outcome of one event (a dict of its fields) in words of
    ``locale``; codes without a label are shown as they are. ``user_names``: id -> name
    and e-mail of the users the viewer may see."""
    def say(msgid: str, **params: object) -> str:
        return gettext(locale, msgid, **params)

    actor = event["actor"] or ""
    if actor.startswith("unknown:"):
        actor = say(UNKNOWN_NAME, ref=actor.removeprefix("unknown:")[:8])
    elif not actor:
        actor = str(event["actor_id"]) if event["actor_id"] else say(ANONYMOUS)
    kind, _, detail = (event["object_type"] or "").partition(":")
    oid = str(event["object_id"] or "")
    if kind == REPEATED:
        obj = say(REPEATED_TEXT, count=oid)
    elif kind == "user" and oid.isdigit():
        obj = user_names.get(int(oid)) or say(USER_OBJECT, id=oid)
        old, _, new = detail.partition(">")
        if new:
            obj = f"{obj}: {role_name(old, locale)} → {role_name(new, locale)}"
    elif kind == "session" and oid:
        obj = say(SESSION_OBJECT, id=oid)
    elif kind == "password_reset" and oid:
        obj = say(RESET_OBJECT, id=oid)
    elif kind == "invitation" and oid:
        obj = say(INVITATION_OBJECT, id=oid)
        if detail:
            obj = f"{obj} ({role_name(detail, locale)})"
    else:
        obj = f"{event['object_type']} {oid}".strip()
    action, outcome = event["action"], event["outcome"]
    return {"actor": actor, "object": obj,
            "action": say(ACTION_LABELS[action]) if action in ACTION_LABELS else action,
            "outcome": say(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    s = value.isoformat() if isinstance(value, datetime) else str(value)
    # A spreadsheet must never run a cell as a formula (CSV injection).
    return "'" + s if s.startswith(_FORMULA_START) else s


def export_csv(events: Iterable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ev in events:
        get = ev.get if isinstance(ev, dict) else lambda name, ev=ev: getattr(ev, name)
        writer.writerow([_csv_cell(get(name)) for name in CSV_COLUMNS])
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from portal.services.platform import db

    parser = argparse.ArgumentParser(prog="python -m portal.services.platform.audit")
    parser.add_argument("--db", default=None, help="database URL (default: settings)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify", help="check the hash chain")
    args = parser.parse_args(argv)
    with db.session_scope(args.db) as session:
        ok, bad_id = verify_chain(session)
    if ok:
        print("OK")
        return 0
    print(f"TAMPERED: first bad event id {bad_id}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
