"""Reading jobs for the public pages.

The open positions are on every home and positions page load, yet they change
only when HR edits a job or a competency model. So they are read with one query
for both languages and kept per process: a commit in this process that writes a
Job, CompetencyModel or Competency drops the copy at once, and edits made by
another process (several workers, the command line) show within CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from sqlalchemy import and_, event
from sqlalchemy.orm import Session
from sqlmodel import select

from portal import models
from portal.services.platform.db import session_scope
from portal.services.platform.i18n import LOCALES, pick

CACHE_SECONDS = 30.0
CONTENT = (models.Job, models.CompetencyModel, models.Competency)


@dataclass(frozen=True)
class OpenJobs:
    by_locale: dict[str, list[dict[str, str]]]
    version: str  # a hash of the content: equal versions, equal content, in any process


_lock = threading.Lock()
_cached: tuple[int, float, OpenJobs] | None = None  # (edits seen, loaded at, content)
_edits = 0  # commits in this process that wrote the content


@event.listens_for(Session, "after_flush")
def _note_content_write(session, _flush_context) -> None:
    if any(isinstance(row, CONTENT) for rows in (session.new, session.dirty, session.deleted) for row in rows):
        session.info["jobs_content_written"] = True


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session) -> None:
    # After the commit, so a reader cannot cache the old content under the new count.
    global _edits
    if session.info.pop("jobs_content_written", False):
        _edits += 1


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop("jobs_content_written", None)


def _read(session) -> dict[str, list[dict[str, str]]]:
    """Every open job with its current model's competencies, in one query."""
    rows = session.exec(
        select(models.Job, models.CompetencyModel.id, models.Competency)
        .outerjoin(models.CompetencyModel,
                   and_(models.CompetencyModel.job_id == models.Job.id, models.CompetencyModel.is_current))
        .outerjoin(models.Competency, models.Competency.model_id == models.CompetencyModel.id)
        .where(models.Job.is_open)
        .order_by(models.Job.id, models.CompetencyModel.id, models.Competency.position)
    ).all()
    jobs: dict[int, tuple[models.Job, list[models.Competency]]] = {}
    model_of: dict[int, int | None] = {}
    for job, model_id, competency in rows:
        if job.id not in jobs:
            jobs[job.id], model_of[job.id] = (job, []), model_id
        if competency is not None and model_id == model_of[job.id]:  # one current model per job
            jobs[job.id][1].append(competency)
    return {
        locale: [
            {
                "code": job.code,
                "title": pick(locale, job.title_zh, job.title_en),
                "department": pick(locale, job.department_zh, job.department_en),
                "location": pick(locale, job.location_zh, job.location_en),
                "description": pick(locale, job.description_zh, job.description_en),
                "competencies": " · ".join(pick(locale, c.name_zh, c.name_en) for c in competencies),
            }
            for job, competencies in jobs.values()
        ]
        for locale in LOCALES
    }


def _fresh(cached, edits: int) -> bool:
    return cached is not None and cached[0] == edits and time.monotonic() - cached[1] < CACHE_SECONDS


def open_jobs_content(url: str | None = None) -> OpenJobs:
    """Open positions in every locale, from the per-process copy while it is fresh."""
    global _cached
    if _fresh(_cached, _edits):
        return _cached[2]
    with _lock:
        cached, edits = _cached, _edits
        if _fresh(cached, edits):  # another thread reloaded meanwhile
            return cached[2]
        with session_scope(url) as s:
            by_locale = _read(s)
        version = hashlib.sha256(json.dumps(by_locale, sort_keys=True).encode()).hexdigest()[:16]
        content = cached[2] if cached and cached[2].version == version else OpenJobs(by_locale, version)
        _cached = (edits, time.monotonic(), content)
        return content


def reset_cache() -> None:
    """Forget the copy (tests switch databases)."""
    global _cached
    _cached = None


def open_jobs(locale: str, url: str | None = None) -> list[dict[str, str]]:
    """Open positions in ``locale``, with the competencies each is assessed on."""
    return open_jobs_content(url).by_locale.get(locale, [])
