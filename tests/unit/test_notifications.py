from __future__ import annotations

import email
import re
import socket
from datetime import datetime, timezone
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from portal.models import AuditEvent, EmailOutbox, User
from portal.services.accounts import auth
from portal.services.platform import db, notifications
from portal.services.platform.errors import PermissionDenied, ServiceError


@pytest.fixture(autouse=True)
def env(isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_PUBLIC_URL", "https://talent.example.cn")  # read when settings are first used
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS", "SSL"):
        monkeypatch.delenv(f"TALENT_SMTP_{name}", raising=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, inbox
    finally:
        controller.stop()


def _hr(url) -> int:
    with db.session_scope(url) as s:
        user = User(email="hr@corp.cn", role="hr")
        s.add(user)
        s.flush()
        return user.id


def test_invitation_is_delivered_by_smtp_with_a_working_link(db_url, smtp_server):
    host, port, inbox = smtp_server
    hr_id = _hr(db_url)
    with db.session_scope(db_url) as s:
        token = auth.create_invitation(s, s.get(User, hr_id), "xiaoming@corp.cn", "candidate")
    assert notifications.deliver_pending(db_url, host, port, sender="HR <hr@corp.cn>") == 1

    assert len(inbox.messages) == 1
    mail_from, rcpts, raw = inbox.messages[0]
    assert mail_from == "hr@corp.cn" and rcpts == ["xiaoming@corp.cn"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "邀请你加入人才门户"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"]
    body = msg.get_content()
    link = re.search(r"https://talent\.example\.cn/invite/([A-Za-z0-9_\-]+)", body)
    assert link and link.group(1) == token

    with db.session_scope(db_url) as s:  # the link from the e-mail really works
        assert auth.accept_invitation(s, link.group(1), "a long enough passphrase", "小明")
    with db.session_scope(db_url) as s:
        row = s.exec(select(EmailOutbox)).one()
        assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
        assert token not in row.body_text and "/invite/[sent]" in row.body_text  # no live link kept
    assert notifications.deliver_pending(db_url, host, port) == 0  # nothing left to send


def test_smtp_settings_from_the_environment(db_url, smtp_server, monkeypatch):
    host, port, inbox = smtp_server
    monkeypatch.setenv("TALENT_SMTP_HOST", host)
    monkeypatch.setenv("TALENT_SMTP_PORT", str(port))
    monkeypatch.setenv("TALENT_SMTP_STARTTLS", "0")
    cfg = notifications.smtp_config_from_env()
    assert cfg.host == host and cfg.port == port and not cfg.starttls
    assert cfg.from_address() == "Talent Portal <no-reply@talent.example.cn>"
    with db.session_scope(db_url) as s:
        notifications.enqueue(s, "a@corp.cn", "面试提醒", "明天上午十点。", kind="reminder")
        notifications.enqueue(s, "b@corp.cn", "Reminder", "Tomorrow at ten.", kind="reminder")
    assert notifications.deliver_pending(db_url) == 2
    assert sorted(r[1][0] for r in inbox.messages) == ["a@corp.cn", "b@corp.cn"]
    assert email.message_from_bytes(inbox.messages[0][2], policy=policy.default).get_content().strip() \
        == "明天上午十点。"


def test_without_smtp_the_outbox_stays_for_administrators(db_url):
    assert notifications.smtp_config_from_env() is None
    with db.session_scope(db_url) as s:
        notifications.enqueue(s, "a@corp.cn", "Subject", "Body", kind="test")
        admin = User(email="admin@corp.cn", role="admin")
        s.add(admin)
    assert notifications.deliver_pending(db_url) == 0
    hr_id = _hr(db_url)
    with db.session_scope(db_url) as s:
        admin = s.exec(select(User).where(User.role == "admin")).one()
        rows = notifications.list_outbox(s, admin, pending_only=True)
        assert [(r.to_addr, r.sent_at, r.attempts) for r in rows] == [("a@corp.cn", None, 0)]
    with pytest.raises(PermissionDenied), db.session_scope(db_url) as s:
        notifications.list_outbox(s, s.get(User, hr_id))
    with db.session_scope(db_url) as s:
        actions = [(e.action, e.outcome) for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [("outbox.view", "success"), ("access_denied", "denied")]


def test_an_unreachable_server_is_recorded_and_retried(db_url, smtp_server):
    host, port, inbox = smtp_server
    with db.session_scope(db_url) as s:
        notifications.enqueue(s, "a@corp.cn", "S", "B")
        notifications.enqueue(s, "b@corp.cn", "S", "B")
    assert notifications.deliver_pending(db_url, "127.0.0.1", _free_port()) == 0
    with db.session_scope(db_url) as s:
        first, second = s.exec(select(EmailOutbox).order_by(EmailOutbox.id)).all()
        assert first.attempts == 1 and first.sent_at is None and first.last_error
        assert not first.last_error.startswith("sending:")
        assert second.attempts == 0  # the batch stopped at the unreachable server
    assert notifications.deliver_pending(db_url, host, port) == 2
    with db.session_scope(db_url) as s:
        assert [r.attempts for r in s.exec(select(EmailOutbox).order_by(EmailOutbox.id))] == [2, 1]


def test_credentials_are_never_sent_without_tls(db_url, smtp_server):
    host, port, inbox = smtp_server
    with db.session_scope(db_url) as s:
        notifications.enqueue(s, "a@corp.cn", "S", "B")
    assert notifications.deliver_pending(db_url, host, port, user="u", password="p", starttls=False) == 0
    assert inbox.messages == []
    with db.session_scope(db_url) as s:
        assert "TLS" in s.exec(select(EmailOutbox)).one().last_error


def test_a_row_claimed_by_another_sender_is_skipped(db_url, smtp_server):
    host, port, inbox = smtp_server
    with db.session_scope(db_url) as s:
        row = notifications.enqueue(s, "a@corp.cn", "S", "B")
        row.attempts = 1
        row.last_error = "sending:" + datetime.now(timezone.utc).isoformat(timespec="microseconds")
    assert notifications.deliver_pending(db_url, host, port) == 0
    assert inbox.messages == []


def test_enqueue_refuses_header_injection(db_url):
    with db.session_scope(db_url) as s:
        for bad in ("a@corp.cn\r\nBcc: all@corp.cn", "not-an-address", "", "a@b"):
            with pytest.raises(ServiceError) as err:
                notifications.enqueue(s, bad, "S", "B")
            assert err.value.msgid == notifications.INVALID_ADDRESS
        row = notifications.enqueue(s, "a@corp.cn", "Hello\r\nBcc: all@corp.cn", "B")
        assert row.subject == "Hello Bcc: all@corp.cn"


def test_template_placeholders_are_the_only_substitution():
    assert notifications.fill("{link} {missing} {0} {link.__class__}", {"link": "L"}) == \
        "L {missing} {0} {link.__class__}"
