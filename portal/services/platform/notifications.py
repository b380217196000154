"""E-mail: a transactional outbox, delivered by SMTP when one is configured.

``enqueue`` writes an EmailOutbox row in the caller's transaction, so an e-mail
exists exactly when the change that caused it commits. ``deliver_pending``
(a background job) sends what is pending through the SMTP server configured by
``TALENT_SMTP_HOST`` (and ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``,
``_STARTTLS`` (default on), ``_SSL``); it never holds a database transaction
while talking to the server, claims each row before sending so two processes
do not send the same e-mail, and records attempts and the last error. Without
SMTP the outbox stays readable by administrators (``list_outbox``), who can pass
a link on by hand.

Once sent, the secret part of invitation and reset links is removed from the
stored body, so the outbox is not a store of live credentials.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update

from portal.models import EmailOutbox, EmailTemplate, User
from portal.services.accounts import access
from portal.services.platform import db as _db
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_, normalize_locale
from portal.services.platform.settings import get_settings

MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was a crashed sender
_SENDING = "sending:"
SECRET_LINK = re.compile(r"(/(?:invite|reset|signup)/)[A-Za-z0-9_\-]{16,}")
_ADDRESS = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,252}\.[^@\s<>\"',;]{1,63}$")

INVALID_ADDRESS = N_("Enter a valid e-mail address.")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def valid_address(address: str) -> bool:
    return bool(address) and len(address) <= 254 and address.isprintable() and bool(_ADDRESS.match(address))


def enqueue(session, to: str, subject: str, body: str, kind: str = "",
            attachments: list[dict] | None = None) -> EmailOutbox:
    """Queue one plain-text e-mail in the caller's transaction. ``attachments`` are
    text files: [{"filename", "content_type", "content"}] (an .ics invitation)."""
    to = (to or "").strip()
    if not valid_address(to):
        raise ServiceError(INVALID_ADDRESS)
    # Header injection: a subject is one line.
    subject = re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", subject or "").strip()[:900]
    files = [{"filename": _one_line(a["filename"])[:200], "content_type": _one_line(a["content_type"])[:200],
              "content": str(a["content"])} for a in attachments or ()]
    row = EmailOutbox(to_addr=to, subject=subject, body_text=body or "", kind=(kind or "")[:40],
                      attachments=files)
    session.add(row)
    session.flush()
    return row


def _one_line(value: object) -> str:
    return re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", str(value or "")).strip()


# ---------------------------------------------------------------- templates

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: dict[str, object]) -> str:
    """Replace ``{name}`` placeholders; nothing else of str.format (HR edits templates)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                            template)


def render_template(session, key: str, locale: str | None, values: dict[str, object]
                    ) -> tuple[str, str] | None:
    """(subject, body) of EmailTemplate ``key`` in ``locale`` (or the default, or any), filled."""
    rows = session.execute(select(EmailTemplate).where(EmailTemplate.key == key)).scalars().all()
    if not rows:
        return None
    by_locale = {r.locale: r for r in rows}
    wanted = normalize_locale(locale)
    row = by_locale.get(wanted) or by_locale.get(get_settings().default_locale) or rows[0]
    return fill(row.subject, values), fill(row.body, values)


# ---------------------------------------------------------------- reading the outbox


def list_outbox(session, actor: User, *, pending_only: bool = False, limit: int = 200,
                ip: str = "") -> list[EmailOutbox]:
    """Newest first, for administrators; the look is audited (bodies may hold live links)."""
    from portal.services.platform import audit

    access.require(actor, access.OUTBOX_VIEW, session=session, ip=ip)
    q = select(EmailOutbox)
    if pending_only:
        q = q.where(EmailOutbox.sent_at.is_(None))
    rows = list(session.execute(q.order_by(EmailOutbox.id.desc()).limit(max(1, min(limit, 1000)))).scalars())
    audit.record(session, "outbox.view", actor_id=actor.id, actor=actor.email, object_type="outbox", ip=ip)
    return rows


# ---------------------------------------------------------------- delivery


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = True
    use_ssl: bool = False
    timeout: float = 30.0

    def from_address(self) -> str:
        if self.sender:
            return self.sender
        host = urlsplit(get_settings().public_url).hostname or "localhost"
        return formataddr(("Talent Portal", f"no-reply@{host}"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def smtp_config_from_env() -> SmtpConfig | None:
    host = os.environ.get("TALENT_SMTP_HOST", "").strip()
    if not host:
        return None
    use_ssl = _flag("TALENT_SMTP_SSL", False)
    starttls = _flag("TALENT_SMTP_STARTTLS", not use_ssl)
    default_port = 465 if use_ssl else (587 if starttls else 25)
    return SmtpConfig(
        host=host,
        port=int(os.environ.get("TALENT_SMTP_PORT", "").strip() or default_port),
        user=os.environ.get("TALENT_SMTP_USER", "").strip(),
        password=os.environ.get("TALENT_SMTP_PASSWORD", ""),
        sender=os.environ.get("TALENT_SMTP_FROM", "").strip(),
        starttls=starttls and not use_ssl,
        use_ssl=use_ssl,
    )


def build_message(row: EmailOutbox, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"outbox{row.id}", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text)
    for attachment in row.attachments or ():
        _attach(msg, attachment)
    return msg


def _attach(msg: EmailMessage, attachment: dict) -> None:
    """A text attachment; parameters of its content type (an .ics's ``method``) are kept,
    since calendar programs read the method from the MIME part."""
    kind, *raw_params = attachment["content_type"].split(";")
    maintype, _, subtype = kind.strip().lower().partition("/")
    params = {}
    for raw in raw_params:
        key, _, value = raw.partition("=")
        if key.strip() and value.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    params["charset"] = "utf-8"
    if maintype != "text" or not subtype:
        maintype, subtype = "text", "plain"
    # as bytes in base64: the CRLF line ends an .ics needs survive every mail hop unchanged
    msg.add_attachment(str(attachment["content"]).encode("utf-8"), maintype=maintype, subtype=subtype,
                       filename=attachment["filename"], params=params)


def _connect(cfg: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if cfg.use_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    else:
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    try:
        smtp.ehlo()
        if cfg.starttls:
            smtp.starttls(context=context)
            smtp.ehlo()
        if cfg.user:
            if not (cfg.starttls or cfg.use_ssl):
                raise smtplib.SMTPException("refusing to send SMTP credentials without TLS")
            smtp.login(cfg.user, cfg.password)
    except BaseException:
        smtp.close()
        raise
    return smtp




def deliver_pending(
    db=None,
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    *,
    user: str = "",
    password: str = "",
    sender: str = "",
    starttls: bool | None = None,
    use_ssl: bool = False,
    limit: int = 50,
    now: datetime | None = None,
) -> int:
    """Send up to ``limit`` pending e-mails; returns how many were sent.

    ``db`` is a database URL (None: the configured one) or a callable returning a
    session context manager. SMTP settings come from the arguments, else from
    the environment; with neither, nothing is sent and 0 is returned."""
    if smtp_host:
        cfg = SmtpConfig(host=smtp_host, port=smtp_port or (465 if use_ssl else 25), user=user,
                         password=password, sender=sender,
                         starttls=bool(starttls) and not use_ssl, use_ssl=use_ssl)
    else:
        cfg = smtp_config_from_env()
    if cfg is None:
        return 0
    factory = _db.scope_factory(db)
    now = now or utcnow()
    stale_claim = _SENDING + (now - CLAIM_TIMEOUT).isoformat(timespec="microseconds")

    with _db.unit_of_work(factory) as session:
        candidates = session.execute(
            select(EmailOutbox.id, EmailOutbox.attempts)
            .where(EmailOutbox.sent_at.is_(None), EmailOutbox.attempts < MAX_ATTEMPTS,
                   or_(~EmailOutbox.last_error.startswith(_SENDING),
                       EmailOutbox.last_error < stale_claim))
            .order_by(EmailOutbox.id).limit(limit)
        ).all()

    sent = 0
    smtp: smtplib.SMTP | None = None
    try:
        for row_id, attempts in candidates:
            with _db.unit_of_work(factory) as session:  # claim: only one sender gets each row
                claimed = session.execute(
                    update(EmailOutbox)
                    .where(EmailOutbox.id == row_id, EmailOutbox.attempts == attempts,
                           EmailOutbox.sent_at.is_(None))
                    .values(attempts=attempts + 1, last_error=_SENDING + utcnow().isoformat(timespec="microseconds"))
                    .execution_options(synchronize_session=False)
                ).rowcount == 1
                row = session.get(EmailOutbox, row_id) if claimed else None
                if row is not None:
                    session.expunge(row)
            if row is None:
                continue
            try:
                if smtp is None:
                    smtp = _connect(cfg)
                smtp.send_message(build_message(row, cfg.from_address()))
            except (OSError, smtplib.SMTPException) as exc:
                with _db.unit_of_work(factory) as session:
                    session.execute(update(EmailOutbox).where(EmailOutbox.id == row_id).values(
                        last_error=f"{type(exc).__name__}: {exc}"[:500]))
                if smtp is None or isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                    break  # the server is unreachable: leave the rest for the next run
                continue
            with _db.unit_of_work(factory) as session:
                session.execute(update(EmailOutbox).where(EmailOutbox.id == row_id).values(
                    sent_at=utcnow(), last_error="",
                    body_text=SECRET_LINK.sub(r"\1[sent]", row.body_text)))
            sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return sent
