"""Reading jobs for the public pages.

The open positions are on every home and positions page load, yet they change
only when HR edits a job or a competency model. So they are read with one query
for both languages and kept per process (portal/services/platform/content_cache.py):
a commit in this process that writes a Job, CompetencyModel or Competency drops
the copy at once, and edits made by another process show within 30 seconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import select

from portal import models
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.db import get_engine, session_scope
from portal.services.platform.i18n import LOCALES, pick

CONTENT = (models.Job, models.CompetencyModel, models.Competency)


@dataclass(frozen=True)
class OpenJobs:
    by_locale: dict[str, list[dict[str, str]]]
    version: str  # a hash of the content: equal versions, equal content, in any process


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


def _load(session) -> OpenJobs:
    by_locale = _read(session)
    return OpenJobs(by_locale, hashlib.sha256(json.dumps(by_locale, sort_keys=True).encode()).hexdigest()[:16])


_CACHE = ContentCache("open_jobs", CONTENT, _load)


def open_jobs_content(url: str | None = None) -> OpenJobs:
    """Open positions in every locale, from the per-process copy while it is fresh."""
    cached = _CACHE.fresh(str(get_engine(url).url))
    if cached is not None:
        return cached
    with session_scope(url) as s:
        return _CACHE.get(s)


def reset_cache() -> None:
    """Forget the copy (tests switch databases)."""
    _CACHE.reset()


def open_jobs(locale: str, url: str | None = None) -> list[dict[str, str]]:
    """Open positions in ``locale``, with the competencies each is assessed on."""
    return open_jobs_content(url).by_locale.get(locale, [])
