"""The score report as a PDF, from the demo candidate's scored interview: the text holds
the Chinese competency names and scores, the cover is the only page that names the
candidate, page 1 is not blank, pages are numbered; over HTTP only the candidate and the
reviewers get it."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal import routes
from portal.models import Interview, User
from portal.services.accounts import auth
from portal.services.platform import db, settings
from portal.services.platform.demo import demo_email, load_demo
from portal.services.reports import pdf, report


@pytest.fixture
def demo_report(db_url, isolated_data_dir, monkeypatch):
    monkeypatch.setenv("TALENT_DB_URL", db_url)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with db.session_scope(db_url) as s:
        load_demo(s, scored_interviews=True)
        candidate = s.execute(select(User).where(User.email == demo_email("candidate"))).scalar_one()
        past = s.execute(select(Interview).where(Interview.candidate_id == candidate.id,
                                                 Interview.status == "completed")).scalar_one()
        found = report.candidate_report(s, candidate, past.id)
    yield found, candidate, past
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _pages(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_the_pdf_holds_the_chinese_report_and_names_the_candidate_on_the_cover_only(demo_report):
    found, candidate, past = demo_report
    data = pdf.render(found, candidate.display_name, "zh_CN", past.scheduled_at.date())
    assert data.startswith(b"%PDF") and len(data) <= 300_000  # the CJK font is embedded as a subset, one weight
    pages = _pages(data)
    assert len(pages) >= 2
    text = "".join(pages).replace("\r", "").replace("\n", "")
    for c in found.numbers.competencies:
        assert c.name_zh in text
    assert "产品洞察" in text and "81" in text and "评分报告" in text
    assert candidate.display_name in pages[0]
    assert all(candidate.display_name not in p for p in pages[1:])
    assert "2 / " in pages[1].replace("\r\n", " ")  # numbered (the cover is not)
    image = pdfium.PdfDocument(data)[0].render(scale=0.5).to_pil().convert("L")
    lo, hi = image.getextrema()
    assert hi - lo > 100  # not blank: dark text on white
    chart = pdfium.PdfDocument(data)[1].render(scale=0.5).to_pil().convert("RGB")
    pixels = np.asarray(chart)
    assert ((pixels[..., 2] > 150) & (pixels[..., 0] < 120)).any()  # the radar's blue line is drawn


def test_the_pdf_in_english(demo_report):
    found, candidate, past = demo_report
    text = "".join(_pages(pdf.render(found, candidate.display_name, "en", past.scheduled_at.date())))
    assert "Score report" in text and "Product Sense" in text


def test_only_the_candidate_and_reviewers_download_it(demo_report):
    from portal.report_routes import report_app

    _found, candidate, past = demo_report
    with db.session_scope() as s:
        others = {role: s.execute(select(User).where(User.email == demo_email(role))).scalar_one()
                  for role in ("employee", "hr", "admin")}
        tokens = {role: auth.start_sso_session(s, user, mfa_satisfied=True).token for role, user in
                  {**others, "candidate": s.get(User, candidate.id)}.items()}
    url = f"{routes.REPORT_PDF}?interview={past.id}"

    def get(role: str | None, path: str = url):
        return TestClient(report_app(), cookies={routes.SESSION_COOKIE: tokens[role]} if role else {}).get(path)

    ok = get("candidate")
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf"
    assert "attachment" in ok.headers["content-disposition"] and ok.content.startswith(b"%PDF")
    assert get("hr").status_code == 200  # HR reviews reports (no quotes without re-authentication)
    for role in ("employee", "admin"):
        refused = get(role)
        assert refused.status_code == 403 and "Traceback" not in refused.text, role
    assert get(None).status_code == 401
    assert get("candidate", f"{routes.REPORT_PDF}?interview=x").status_code == 403
