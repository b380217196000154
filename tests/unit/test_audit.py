from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.models import AuditEvent
from portal.services.platform import audit, db
from tests.conftest import ROOT


def _append(url: str, n: int, **kw) -> list[int]:
    ids = []
    for i in range(n):
        with db.session_scope(url) as session:
            ids.append(audit.record(session, kw.get("action", "login.success"), actor=f"user{i}",
                                    actor_id=i, ip="10.0.0.1").id)
    return ids


def test_chain_links_and_verifies(db_url):
    ids = _append(db_url, 3)
    with db.session_scope(db_url) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.id for e in events] == ids
        assert events[0].prev_hash == ""
        assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
        assert all(len(e.hash) == 64 for e in events)
        assert audit.verify_chain(session) == (True, None)


def test_empty_chain_verifies(db_url):
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (True, None)


def _owner_tampers(conn, sql: str, params: dict) -> None:
    """What someone with the database owner's rights can do: drop the append-only
    triggers, then rewrite history. The chain must still tell."""
    conn.execute(text("DROP TRIGGER IF EXISTS auditevent_no_update"))
    conn.execute(text("DROP TRIGGER IF EXISTS auditevent_no_delete"))
    conn.execute(text(sql), params)


def test_the_database_refuses_to_change_or_delete_events(db_url):
    import sqlalchemy.exc

    ids = _append(db_url, 2)
    for sql in ("UPDATE auditevent SET outcome='failure' WHERE id=:id", "DELETE FROM auditevent WHERE id=:id"):
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
            with db.get_engine(db_url).begin() as conn:
                conn.execute(text(sql), {"id": ids[0]})
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (True, None)


def test_raw_sql_update_is_detected(db_url):
    ids = _append(db_url, 4)
    with db.get_engine(db_url).begin() as conn:
        _owner_tampers(conn, "UPDATE auditevent SET outcome='failure' WHERE id=:id", {"id": ids[2]})
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (False, ids[2])


def test_rehashing_a_tampered_row_breaks_the_next_link(db_url):
    ids = _append(db_url, 4)
    with db.session_scope(db_url) as session:
        ev = session.get(AuditEvent, ids[1])
        fields = {name: getattr(ev, name) for name in audit.FIELDS}
        fields["actor"] = "someone-else"
        forged = audit.compute_hash(ev.prev_hash, fields)
    with db.get_engine(db_url).begin() as conn:
        _owner_tampers(conn, "UPDATE auditevent SET actor='someone-else', hash=:h WHERE id=:id",
                       {"h": forged, "id": ids[1]})
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (False, ids[2])


def test_deleting_an_event_is_detected(db_url):
    ids = _append(db_url, 4)
    with db.get_engine(db_url).begin() as conn:
        _owner_tampers(conn, "DELETE FROM auditevent WHERE id=:id", {"id": ids[1]})
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (False, ids[2])


def test_cr_lf_cannot_forge_an_entry(db_url):
    evil = 'mallory\r\n{"action":"login.success","actor":"admin"}\n2026-01-01 admin login.success'
    with db.session_scope(db_url) as session:
        ev = audit.record(session, "login.failure", actor=evil, object_id='1","outcome":"success',
                          outcome="failure")
        line = audit.canonical({name: getattr(ev, name) for name in audit.FIELDS})
        assert "\n" not in line and "\r" not in line
        assert '\\r\\n' in line and '\\"outcome\\":\\"success' in line
        assert audit.verify_chain(session) == (True, None)
        exported = audit.export_csv(audit.search(session))
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) == 2  # header and the one event: the newlines stay inside one cell
    assert rows[1][audit.CSV_COLUMNS.index("actor")] == evil
    assert rows[1][audit.CSV_COLUMNS.index("outcome")] == "failure"


def test_field_lengths_are_bounded(db_url):
    with db.session_scope(db_url) as session:
        ev = audit.record(session, "x" * 500, actor="a" * 1000, ip="1" * 200)
        assert len(ev.action) == 60 and len(ev.actor) == 254 and len(ev.ip) == 64
        assert audit.verify_chain(session) == (True, None)


def test_concurrent_appends_keep_one_chain(db_url):
    errors = []

    def worker():
        try:
            _append(db_url, 15)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.session_scope(db_url) as session:
        assert len(session.exec(select(AuditEvent)).all()) == 45
        assert audit.verify_chain(session) == (True, None)


def test_rolled_back_events_leave_no_gap_in_the_chain(db_url):
    _append(db_url, 1)
    try:
        with db.session_scope(db_url) as session:
            audit.record(session, "will.roll.back")
            raise RuntimeError
    except RuntimeError:
        pass
    _append(db_url, 1)
    with db.session_scope(db_url) as session:
        assert audit.verify_chain(session) == (True, None)


def test_search_filters(db_url, monkeypatch):
    base = datetime(2026, 3, 1, 8, 0, 0, tzinfo=timezone.utc)
    with db.session_scope(db_url) as session:
        for i, (action, actor, outcome) in enumerate([
            ("login.success", "wang@corp.cn", "success"),
            ("login.failure", "wang@corp.cn", "failure"),
            ("login.success", "li@corp.cn", "success"),
            ("user.role_change", "admin@corp.cn", "success"),
        ]):
            monkeypatch.setattr(audit, "utcnow", lambda i=i: base + timedelta(hours=i))
            audit.record(session, action, actor=actor, actor_id=10 + i, outcome=outcome)
    with db.session_scope(db_url) as session:
        assert [e.action for e in audit.search(session, actor="WANG")] == ["login.failure", "login.success"]
        assert len(audit.search(session, actor="12")) == 1  # an id
        assert len(audit.search(session, action="login.success")) == 2
        assert len(audit.search(session, outcome="failure")) == 1
        assert [e.actor_id for e in audit.search(session, since=base + timedelta(hours=1),
                                                 until=base + timedelta(hours=2))] == [12, 11]
        naive = (base + timedelta(hours=3)).replace(tzinfo=None)  # naive means UTC
        assert [e.actor_id for e in audit.search(session, since=naive)] == [13]
        assert len(audit.search(session, limit=1)) == 1
        assert audit.search(session, actor="%") == []  # LIKE wildcards are literal


def test_csv_export_neutralises_formulas(db_url):
    with db.session_scope(db_url) as session:
        for actor in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "plain"):
            audit.record(session, "login.failure", actor=actor)
        out = audit.export_csv(audit.search(session))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["actor"] for r in rows] == ["plain", "'@SUM(A1)", "'-2+3", "'+1", "'=HYPERLINK(\"http://x\")"]
    assert rows[0]["hash"] and rows[0]["id"].isdigit()


def test_cli_verify(db_url, capsys):
    ids = _append(db_url, 2)
    assert audit.main(["--db", db_url, "verify"]) == 0
    assert capsys.readouterr().out.strip() == "OK"
    with db.get_engine(db_url).begin() as conn:
        _owner_tampers(conn, "UPDATE auditevent SET ip='6.6.6.6' WHERE id=:id", {"id": ids[0]})
    proc = subprocess.run([sys.executable, "-m", "portal.services.platform.audit", "--db", db_url, "verify"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert str(ids[0]) in proc.stdout


def test_a_flood_of_refusals_is_aggregated_per_source(db_url, monkeypatch):
    """200 anonymous refusals from one address: the first is written, the rest are counted
    and summed up in one event, so the admin's real event stays on the first page."""
    clock = [datetime(2026, 4, 1, 8, 0, tzinfo=timezone.utc)]
    monkeypatch.setattr(audit, "utcnow", lambda: clock[0])
    with db.session_scope(db_url) as session:
        audit.record(session, "user.role_change", actor="admin@corp.cn", actor_id=1)
    for i in range(200):
        with db.session_scope(db_url) as session:
            audit.record(session, "page_denied", object_type="page", object_id=f"/admin/p{i}",
                         ip="203.0.113.9", outcome="denied")
    with db.session_scope(db_url) as session:  # another source is not swallowed
        audit.record(session, "page_denied", object_type="page", object_id="/admin", ip="198.51.100.2",
                     outcome="denied")
    with db.session_scope(db_url) as session:
        assert len(session.exec(select(AuditEvent)).all()) == 3
        assert audit.flush_repeats(session) == 1  # the audit page reads: the count is written
        assert audit.flush_repeats(session) == 0
    with db.session_scope(db_url) as session:
        page = audit.search(session, limit=50)
        assert [(e.action, e.ip, e.object_type, e.object_id) for e in page] == [
            ("page_denied", "203.0.113.9", audit.REPEATED, "199"),
            ("page_denied", "198.51.100.2", "page", "/admin"),
            ("page_denied", "203.0.113.9", "page", "/admin/p0"),
            ("user.role_change", "", "", ""),
        ]
        assert audit.verify_chain(session) == (True, None)
    # the next window starts with a written event again; its leftovers are summed up first
    for minutes in (1, 2, 7):
        clock[0] = clock[0] + timedelta(minutes=minutes)
        with db.session_scope(db_url) as session:
            audit.record(session, "page_denied", ip="203.0.113.9", outcome="denied")
    with db.session_scope(db_url) as session:
        newest = audit.search(session, limit=2)
        assert [(e.object_type, e.object_id) for e in newest] == [("", ""), (audit.REPEATED, "2")]
        assert audit.verify_chain(session) == (True, None)


def test_search_pages(db_url):
    _append(db_url, 7)
    with db.session_scope(db_url) as session:
        pages = [[e.actor for e in audit.search(session, limit=3, offset=o)] for o in (0, 3, 6)]
    assert pages == [["user6", "user5", "user4"], ["user3", "user2", "user1"], ["user0"]]


def test_events_are_described_in_words_of_both_languages():
    names = {6: "王伟 (wang@corp.cn)"}
    login = {"actor": "wang@corp.cn", "actor_id": 6, "action": "login.success", "object_type": "user",
             "object_id": "6", "outcome": "success"}
    assert audit.describe(login, "zh_CN", names) == {
        "actor": "wang@corp.cn", "action": "登录成功", "object": "王伟 (wang@corp.cn)", "outcome": "成功"}
    assert audit.describe(login, "en", names)["action"] == "Signed in"
    assert audit.describe(login, "en", {})["object"] == "User 6"  # a name the viewer may not see
    role = {**login, "action": "user.role_change", "object_type": "user:candidate>hr"}
    assert audit.describe(role, "en", names)["object"] == "王伟 (wang@corp.cn): Candidate → HR"
    flood = {"actor": "", "actor_id": None, "action": "page_denied", "object_type": audit.REPEATED,
             "object_id": "199", "outcome": "denied"}
    assert audit.describe(flood, "zh_CN", {}) == {"actor": "匿名", "action": "页面访问被拒绝",
                                                  "object": "另有 199 次", "outcome": "已拒绝"}
    unknown = {**flood, "actor": "unknown:0123456789abcdef", "action": "password.reset_request",
               "object_type": "", "object_id": "", "outcome": "rate_limited"}
    assert audit.describe(unknown, "en", {}) == {"actor": "Unknown address 01234567", "object": "",
                                                 "action": "Password reset requested", "outcome": "Rate limited"}
    # every action the code base records has a label
    import re

    from tests.conftest import ROOT
    recorded = set()
    for path in [*ROOT.glob("portal/**/*.py"), *ROOT.glob("state/**/*.py")]:
        source = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'(?:audit\.record\(\s*\w+,\s*|reason=|_end\(session, us, |AUDIT_ACTION = )"([a-z_.]+)"', source))
    assert recorded and recorded - set(audit.ACTION_LABELS) == set()
