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

    python -m portal.services.audit verify [--db URL]    prints OK or the first bad id
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import func, or_, select, text

from portal.models import AuditEvent


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
) -> AuditEvent:
    """Append one event in the caller's transaction and return it."""
    _lock_chain(session)
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor_id,
        actor=_clean("actor", actor),
        action=_clean("action", action),
        object_type=_clean("object_type", object_type),
        object_id=_clean("object_id", object_id),
        ip=_clean("ip", ip),
        outcome=_clean("outcome", outcome),
        prev_hash=GENESIS,
        hash="pending",
    )
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


def verify_chain(session) -> tuple[bool, int | None]:
    """Walk the whole chain from the stored values (not cached objects).
    Returns (True, None) or (False, id of the first event that does not check)."""
    session.flush()
    table = AuditEvent.__table__
    prev = GENESIS
    rows = session.execute(
        select(*table.c).order_by(table.c.id).execution_options(yield_per=1000)
    ).mappings()
    for row in rows:
        if row["prev_hash"] != prev or row["hash"] != compute_hash(prev, dict(row)):
            return False, row["id"]
        prev = row["hash"]
    return True, None


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
    return list(session.execute(q.order_by(AuditEvent.id.desc()).limit(limit)).scalars())


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

    from portal.services import db

    parser = argparse.ArgumentParser(prog="python -m portal.services.audit")
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
