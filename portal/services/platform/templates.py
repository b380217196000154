"""HR edits the e-mail templates (EmailTemplate rows, one per key and locale).

A template may only use the placeholders its key is sent with: those of the seeded
template (portal/demo_content/email_templates.json), the same set the sending code fills.
An unknown name or a brace that is not part of ``{name}`` is refused, naming it, so a
typo never reaches a candidate as literal ``{nmae}``. The sending code reads the row
(notifications.render_template), so an edit takes effect on the next mail.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from sqlalchemy import select

from portal.models import EmailTemplate, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.demo import CONTENT_DIR
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from portal.services.platform.notifications import fill

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
LOCALES = ("zh_CN", "en")
MAX_SUBJECT, MAX_BODY = 200, 10_000

# Sample values for the preview, per language (what a real mail would carry).
SAMPLES = {
    "zh_CN": {"name": "张伟", "job": "产品经理", "time": "14:00", "date": "2026年12月10日",
              "timezone": "Asia/Shanghai", "duration": "45", "link": "https://portal.example.cn/x",
              "checklist": "- 摄像头与麦克风\n- 安静的房间"},
    "en": {"name": "Zhang Wei", "job": "Product Manager", "time": "14:00", "date": "10 Dec 2026",
           "timezone": "Asia/Shanghai", "duration": "45", "link": "https://portal.example.cn/x",
           "checklist": "- camera and microphone\n- a quiet room"},
}


@lru_cache(maxsize=1)
def allowed_placeholders() -> dict[str, frozenset[str]]:
    """Template key → the placeholders it may use (from the seeded templates)."""
    rows = json.loads((CONTENT_DIR / "email_templates.json").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["key"], set()).update(_PLACEHOLDER.findall(row["subject"] + row["body"]))
    return {k: frozenset(v) for k, v in out.items()}


def validate(key: str, text: str) -> None:
    """Raise ServiceError naming the first unknown placeholder or stray brace."""
    allowed = allowed_placeholders().get(key)
    if allowed is None:
        raise ServiceError(N_("Unknown template."))
    for name in _PLACEHOLDER.findall(text):
        if name not in allowed:
            raise ServiceError(N_("Unknown placeholder {{{placeholder}}}; allowed: {allowed}."),
                               placeholder=name, allowed=", ".join(sorted(allowed)))
    rest = _PLACEHOLDER.sub("", text)
    for brace in ("{", "}"):
        if brace in rest:
            pos = rest.index(brace)
            raise ServiceError(N_("Broken braces near “{snippet}”: write placeholders as {{name}}."),
                               snippet=rest[max(0, pos - 10):pos + 10])


def list_templates(session, actor: User, *, ip: str = "") -> list[EmailTemplate]:
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    return list(session.execute(select(EmailTemplate).order_by(EmailTemplate.key, EmailTemplate.locale))
                .scalars())


def save(session, actor: User, key: str, locale: str, subject: str, body: str, *,
         ip: str = "") -> EmailTemplate:
    """Validate and store one template; nothing changes when it is refused."""
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    if locale not in LOCALES:
        raise ServiceError(N_("Unknown language."))
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ServiceError(N_("Subject and body are required."))
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise ServiceError(N_("The template is too long."))
    validate(key, subject)
    validate(key, body)
    row = session.execute(select(EmailTemplate).where(EmailTemplate.key == key,
                                                      EmailTemplate.locale == locale)).scalar_one_or_none()
    if row is None:
        row = EmailTemplate(key=key, locale=locale, subject=subject, body=body)
    else:
        row.subject, row.body = subject, body
    session.add(row)
    session.flush()
    audit.record(session, "template.edit", actor_id=actor.id, actor=actor.email,
                 object_type="email_template", object_id=f"{key}:{locale}", ip=ip)
    return row


def preview(key: str, locale: str, subject: str, body: str) -> tuple[str, str]:
    """(subject, body) filled with the sample values of ``locale``; validated first."""
    validate(key, subject)
    validate(key, body)
    values = SAMPLES.get(locale, SAMPLES["en"])
    return fill(subject, values), fill(body, values)
