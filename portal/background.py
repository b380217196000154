"""Loops the portal runs beside the pages (registered as lifespan tasks).

Each runs its blocking service call in a thread and survives any error: a
failed round is logged (never with personal data) and tried again. Several
portal processes may run them at once; the services claim rows first.
"""

from __future__ import annotations

import asyncio
import logging
import os

log = logging.getLogger("portal.background")

EMAIL_INTERVAL_S = float(os.environ.get("TALENT_EMAIL_INTERVAL_S", "10"))
REMINDER_INTERVAL_S = float(os.environ.get("TALENT_REMINDER_INTERVAL_S", "30"))


async def deliver_email_forever() -> None:
    from portal.services.platform import notifications

    if notifications.smtp_config_from_env() is None:
        return  # no SMTP server: the outbox stays readable by administrators
    while True:
        try:
            await asyncio.to_thread(notifications.deliver_pending)
        except Exception:  # noqa: BLE001 - keep delivering; the rows keep their error
            log.exception("e-mail delivery round failed")
        await asyncio.sleep(EMAIL_INTERVAL_S)


async def dispatch_scoring_forever() -> None:
    """Send pending answers to the scoring worker, retrying with backoff while it is down."""
    from portal.services.interviews import scoring_client

    await scoring_client.run_dispatcher()


async def dispatch_transcription_forever() -> None:
    """Send recorded answers to the worker's transcription, retrying with backoff while it is
    down; each transcript then queues the answer's scoring."""
    from portal.services.interviews import transcription

    await transcription.run_dispatcher()


async def queue_interview_reminders_forever() -> None:
    """Queue the interview e-mails that are due (invitations not yet sent, 24 h and 1 h
    reminders); each is claimed once, whichever process gets there first."""
    from portal.services.interviews import reminders

    while True:
        try:
            await asyncio.to_thread(reminders.run_due)
        except Exception:  # noqa: BLE001 - try again next round; nothing was half-claimed
            log.exception("interview reminder round failed")
        await asyncio.sleep(REMINDER_INTERVAL_S)


SUMMARY_INTERVAL_S = float(os.environ.get("TALENT_SUMMARY_INTERVAL_S", "60"))
DIGEST_EVERY_ROUNDS = 60  # the monthly development reports: checked about once an hour


async def send_report_mail_forever() -> None:
    """Each score report's e-mail summary once scoring finishes (within a minute or so), and
    the monthly development report of every employee (the month's first round sends it)."""
    from portal.services.development import digest
    from portal.services.platform import db
    from portal.services.reports import summary

    def summaries() -> None:
        with db.session_scope() as s:
            summary.send_due(s)

    def monthly() -> None:
        with db.session_scope() as s:
            digest.send_monthly(s)

    rounds = 0
    while True:
        for job in (summaries, monthly) if rounds % DIGEST_EVERY_ROUNDS == 0 else (summaries,):
            try:
                await asyncio.to_thread(job)
            except Exception:  # noqa: BLE001 - try again next round; nothing was half-claimed
                log.exception("report mail round failed")
        rounds += 1
        await asyncio.sleep(SUMMARY_INTERVAL_S)


PURGE_INTERVAL_S = float(os.environ.get("TALENT_PURGE_INTERVAL_S", "3600"))


async def purge_retention_forever() -> None:
    """The daily retention purge: asked hourly, it runs when no run finished in the last
    24 hours (services/platform/retention.py); idempotent, so two processes do no harm."""
    from portal.services.platform import retention

    while True:
        try:
            await asyncio.to_thread(retention.run_due)
        except Exception:  # noqa: BLE001 - try again next round; a failed run rolled back whole
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_INTERVAL_S)
