"""Reading jobs for the public pages."""

from __future__ import annotations

from sqlmodel import select

from portal import models
from portal.services.db import session_scope
from portal.services.i18n import pick


def open_jobs(locale: str) -> list[dict[str, str]]:
    """Open positions in ``locale``, with how many competencies each is assessed on."""
    with session_scope() as s:
        jobs = s.exec(select(models.Job).where(models.Job.is_open).order_by(models.Job.id)).all()
        out = []
        for job in jobs:
            model = s.exec(
                select(models.CompetencyModel).where(
                    models.CompetencyModel.job_id == job.id, models.CompetencyModel.is_current
                )
            ).first()
            competencies = (
                s.exec(
                    select(models.Competency)
                    .where(models.Competency.model_id == model.id)
                    .order_by(models.Competency.position)
                ).all()
                if model
                else []
            )
            out.append(
                {
                    "code": job.code,
                    "title": pick(locale, job.title_zh, job.title_en),
                    "department": pick(locale, job.department_zh, job.department_en),
                    "location": pick(locale, job.location_zh, job.location_en),
                    "description": pick(locale, job.description_zh, job.description_en),
                    "competencies": " · ".join(
                        pick(locale, c.name_zh, c.name_en) for c in competencies
                    ),
                }
            )
        return out
