"""The score report and the development plan: the PDF's time and size, the state each
page sends when it loads, and the database statements of the load.

On a temporary SQLite database with the demo content (the demo candidate's scored
interview, a cohort of six; the demo employee's seven months of history):
- PDF: the demo report rendered ROUNDS times in Chinese; p50/p95 time (target ≤ 1 s
  for a 3-page report) and size (target ≤ 300 KB);
- page state: the report page and the development plan loaded through their page
  events in a state tree (as a tab's first load), then the JSON of the delta the
  browser receives (one round trip: one delta per page), and the statements run.

    python -m benchmarks report
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import pct

ROUNDS = 15


def run() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="report-bench-"))
    os.environ["TALENT_DATA_DIR"] = str(tmp)
    os.environ["TALENT_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    import pypdfium2 as pdfium
    from sqlmodel import select

    from portal import models, routes
    from portal.services.accounts import auth
    from portal.services.platform import db, demo, settings
    from portal.services.reports import pdf, report

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.migrate()
    with db.session_scope() as s:
        demo.load_demo(s, scored_interviews=True)
        candidate = s.exec(select(models.User).where(models.User.email == demo.demo_email("candidate"))).one()
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == candidate.id,
                                                          models.Interview.status == "completed")).one()
        found = report.candidate_report(s, candidate, interview.id)
        cookies = {}
        for role in ("candidate", "employee"):
            user = s.exec(select(models.User).where(models.User.email == demo.demo_email(role))).one()
            cookies[role] = f"{routes.SESSION_COOKIE}={auth.start_sso_session(s, user, mfa_satisfied=True).token}"

    times, data = [], b""
    for _ in range(ROUNDS):
        start = time.perf_counter()
        data = pdf.render(found, candidate.display_name, "zh_CN", interview.scheduled_at.date())
        times.append(time.perf_counter() - start)
    pages = len(pdfium.PdfDocument(data))
    print("== score report PDF (zh_CN, demo report) ==")
    print(f"pages {pages}   size {len(data) / 1024:.0f} KB (target ≤ 300 KB)")
    print(f"render p50 {pct(times, 0.5) * 1000:.0f} ms   p95 {pct(times, 0.95) * 1000:.0f} ms   "
          f"(target ≤ 1000 ms for 3 pages; {ROUNDS} rounds, first one included)")

    from reflex_base.utils.format import json_dumps

    from tests.sql import counted_statements
    from tests.state.test_page_queries import Tab

    print("== page state on first load (one delta per page) ==")
    with counted_statements() as statements:
        for role, path in (("candidate", routes.candidate_report(interview.id)), ("employee", routes.DEVELOPMENT),
                           ("candidate", routes.DEVELOPMENT)):
            tab = Tab(cookies[role])
            statements.clear()
            start = time.perf_counter()
            tab.load(path)
            spent = time.perf_counter() - start
            delta = _delta(tab.root)
            print(f"{path:<24} as {role:<9} state {len(json_dumps(delta).encode()) / 1024:6.1f} KB"
                  f"   {len(statements):2d} statements   {spent * 1000:5.0f} ms")
            if os.environ.get("TALENT_BENCH_SHOW_SQL"):
                for q in statements:
                    print("     ", " ".join(q.split())[:160])


def _delta(root) -> dict:
    from tests import aio

    found = root.get_delta()
    return aio.run(found) if hasattr(found, "__await__") else found
