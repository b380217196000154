"""The periodic development report: what changed since the last one (new scores per
competency, courses completed, courses begun), sent by e-mail through the outbox on
demand and once a month to every employee. Each report sent is a DevelopmentDigest row,
unique per person and period, so two portal processes never send the same month twice.
Nothing here imports reflex."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal import models, routes
from portal.services.accounts import access
from portal.services.development import progress
from portal.services.platform import audit, notifications
from portal.services.platform.i18n import N_, format_date, format_number, gettext, pick
from portal.services.platform.settings import get_settings

SUBJECT = N_("[Talent Portal] Your development since {date}")
INTRO = N_("Hello {name},\n\nthis is what changed in your development since {date}.")
SCORE_NEW = N_("{competency}: {now} (first score)")
SCORE_CHANGED = N_("{competency}: {before} → {now}")
COMPLETED = N_("Course completed: {course}")
BEGUN = N_("Course begun or booked: {course}")
NOTHING = N_("Nothing new since then: no new scores and no course completed or booked.")
OUTRO = N_("Your development plan, with your goals and the courses recommended for you:\n{link}")


def lines(label: dict[str, tuple[str, str]], digest: progress.Digest, locale: str) -> list[str]:
    """The report's lines in ``locale``, as the page and the e-mail show them (``label``:
    competency key → names)."""
    out = []
    for c in digest.changes:
        name = pick(locale, *label.get(c.key, (c.key, c.key)))
        now = format_number(round(c.now), locale)
        out.append(gettext(locale, SCORE_NEW, competency=name, now=now) if c.before is None else
                   gettext(locale, SCORE_CHANGED, competency=name, before=format_number(round(c.before), locale),
                           now=now))
    out += [gettext(locale, COMPLETED, course=pick(locale, c.title_zh, c.title_en)) for c in digest.completed]
    out += [gettext(locale, BEGUN, course=pick(locale, c.title_zh, c.title_en)) for c in digest.started]
    return out or [gettext(locale, NOTHING)]


def send(session, user: models.User, period: str, now: datetime | None = None, *, ip: str = "") -> bool:
    """Send ``user`` their development report for ``period``; False when it was already sent."""
    access.require(user, access.DEVELOPMENT_VIEW, user, session=session, ip=ip)
    now = now or datetime.now(timezone.utc)
    if not notifications.valid_address(user.email or ""):
        return False
    digest = progress.changes_since(session, user, progress.digest_start(session, user, now))
    try:
        with session.begin_nested():
            session.add(models.DevelopmentDigest(user_id=user.id, period=period, sent_at=now))
            session.flush()
    except IntegrityError:
        return False  # another process sent this period's report
    locale = user.locale
    since = format_date(digest.since, locale, "long")
    body = "\n\n".join([gettext(locale, INTRO, name=user.display_name or user.email, date=since),
                        "\n".join(f"- {line}" for line in lines(
                            progress.names(session, [c.key for c in digest.changes]), digest, locale)),
                        gettext(locale, OUTRO, link=get_settings().public_url.rstrip("/") + routes.DEVELOPMENT)])
    notifications.enqueue(session, user.email, gettext(locale, SUBJECT, date=since), body, kind="development.report")
    audit.record(session, "development.report", actor_id=user.id, actor=user.email or "", object_type="user",
                 object_id=user.id, ip=ip)
    return True


def send_monthly(session, now: datetime | None = None) -> int:
    """Once a month, each active employee's report (the month's first round sends it)."""
    now = now or datetime.now(timezone.utc)
    period = now.strftime("%Y-%m")
    done = set(session.exec(select(models.DevelopmentDigest.user_id)
                            .where(models.DevelopmentDigest.period == period)).all())
    sent = 0
    for user in session.exec(select(models.User).where(models.User.role == "employee",
                                                       models.User.is_active.is_(True))).all():
        if user.id not in done and send(session, user, period, now):
            sent += 1
    return sent
