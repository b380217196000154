"""HR opens the analytics of the demo job (the account manager position, whose past
candidates the demo seeds: portal/demo_content/analytics.json and scored_interviews.json),
sees the funnel numbers the seed makes, a figure suppressed for fewer than 5 people, the
four-fifths flag on group B, downloads the CSV and reads the same numbers in it; a bad
group row is refused; the page fits a phone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import models, routes
from portal.services.platform import db
from portal.services.platform.demo import ANALYTICS, DEMO_EMAIL_DOMAIN, SCORED, demo_email
from tests.e2e.accounts import new_page, sign_in_demo, wait_hydrated
from tests.e2e.test_phone import _assert_fits

FEWER = "少于 5 人"


def _seed_funnel() -> dict[str, int]:
    """What the demo seeds for the job in the last 12 months: its cohort of six (interviewed
    20-35 days ago, no device check, no rule decision) and its past candidates."""
    cohort = len(SCORED["cohort"][ANALYTICS["job_code"]])
    past = ANALYTICS["people"]
    return {"已邀请": cohort + len(past),
            "已准备（设备检测）": sum(1 for p in past if p["device_check"] is not None),
            "已面试": cohort + sum(1 for p in past if p["status"] == "completed"),
            # the job's rule (overall ≥ 75, every required level met) moves six of them on
            "进入下一轮": 6,
            "已录用": sum(1 for p in past if "hired_days_after" in p)}


def _added_by_other_tests(portal) -> int:
    """Candidates other tests of this session gave a past interview of the job (the portal
    lives for the whole session): each is invited too."""
    with db.session_scope(portal.db_url) as s:
        job = s.exec(select(models.Job).where(models.Job.code == ANALYTICS["job_code"])).one()
        rows = s.exec(select(models.User.email).join(models.Interview, models.Interview.candidate_id == models.User.id)
                      .where(models.Interview.job_id == job.id,
                             models.Interview.scheduled_at <= models.utcnow(),
                             models.Interview.scheduled_at >= models.utcnow() - timedelta(days=365))).all()
    return len({e for e in rows if not e.endswith("@" + DEMO_EMAIL_DOMAIN)})


def _funnel(page: Page) -> dict[str, str]:
    rows = page.locator("#funnel-table .analytics-row")
    expect(rows).to_have_count(5)
    out = {}
    for i in range(5):
        cells = rows.nth(i).locator("td")
        out[cells.nth(0).inner_text().strip()] = cells.nth(1).inner_text().strip()
    return out


def test_hr_sees_the_demo_funnel_a_suppressed_cell_the_flag_and_downloads_the_csv(browser, portal, secrets):
    page = new_page(browser, downloads=True)
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + routes.HR_HOME)
    page.click(f"a[href='{routes.HR_ANALYTICS}']")
    wait_hydrated(page)
    expect(page.locator("#page-title")).to_have_text("数据分析")
    expect(page.locator("#analytics-job")).to_contain_text("客户经理")

    expected = _seed_funnel()
    extra = _added_by_other_tests(portal)
    shown = _funnel(page)
    assert shown["已邀请"] == str(expected["已邀请"] + extra)
    if extra == 0:
        assert shown == {k: str(v) for k, v in expected.items()}
    assert shown["进入下一轮"] == "6" and shown["已录用"] == "5"
    expect(page.locator("#funnel-chart svg")).to_have_attribute("role", "img")
    # the score bands of under 5 people say so, in the table and the chart
    expect(page.locator("#dist-table", has_text=FEWER)).to_have_count(1)
    expect(page.locator("#dist-customer_focus")).to_contain_text(FEWER)
    # each competency's chart is headed by its name, as the model calls it
    expect(page.locator("#analytics-distributions .dist-name").first).to_be_visible()
    expect(page.locator("#analytics-distributions h3", has_text="客户导向")).to_have_count(1)
    # group B's selection rate (2 of 5) is under four fifths of group A's (4 of 5)
    expect(page.locator("#adverse-flag")).to_contain_text("B")
    b_row = page.locator("#group-table .analytics-row", has_text="B")
    expect(b_row).to_contain_text("40%")
    expect(b_row).to_contain_text("低于 4/5")
    expect(page.locator("#performance-table")).to_contain_text("5")

    with page.expect_download() as download:
        page.click("#analytics-csv")
    assert download.value.suggested_filename == f"analytics-{ANALYTICS['job_code']}-365.csv"
    text = open(download.value.path(), encoding="utf-8-sig").read()
    table = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(text)) if len(r) == 3}
    for stage, value in shown.items():
        assert table[("招聘漏斗", stage)] == value
    assert table[("各组录取率", "B: 与最高组之比")] == "0.50 低于五分之四"
    assert FEWER in table.values()

    # the last 90 days hold only the cohort: nobody hired or advanced shows as fewer than 5
    page.select_option("#analytics-period", "90")
    page.click("#analytics-show")
    expect(page.locator("#funnel-table .analytics-row", has_text="已录用")).to_contain_text(FEWER)
    expect(page.locator("#funnel-table .analytics-row", has_text="进入下一轮")).to_contain_text(FEWER)
    expect(page.locator("#adverse-flag")).to_have_count(0)

    # a group for an address nobody has is refused, with nothing recorded
    page.fill("#groups-csv", "nobody@example.cn,A")
    page.click("#groups-save")
    expect(page.locator("#groups-error")).to_contain_text("未记录任何内容")
    expect(page.locator(".groups-row-error")).to_contain_text("nobody@example.cn")

    # performance reviews: a bad file is refused row by row and stays in the box to be
    # corrected; the corrected one is recorded for the demo employee
    employee = demo_email("employee")
    bad = f"email,period,score\nnobody@example.cn,2027-H1,80\n{employee},2027-H1,150"
    page.fill("#reviews-csv", bad)
    page.click("#reviews-save")
    expect(page.locator("#reviews-error")).to_contain_text("未记录任何内容")
    expect(page.locator(".reviews-row-error")).to_have_count(2)
    expect(page.locator(".reviews-row-error").nth(0)).to_contain_text("第 2 行")
    expect(page.locator(".reviews-row-error").nth(1)).to_contain_text("分数必须是 0 到 100 之间的数字")
    expect(page.locator("#reviews-csv")).to_have_value(bad)
    page.fill("#reviews-csv", f"email,period,score\n{employee},2027-H1,82")
    page.click("#reviews-save")
    expect(page.locator("#flash-text")).to_have_text("已录入 1 条绩效考核。")
    expect(page.locator("#reviews-error")).to_have_count(0)

    with db.session_scope(portal.db_url) as s:
        actions = [e.action for e in s.exec(select(models.AuditEvent).where(
            models.AuditEvent.action.like("analytics.%"))).all()]
        person = s.exec(select(models.User).where(models.User.email == employee)).one()
        recorded = s.exec(select(models.PerformanceReview).where(models.PerformanceReview.user_id == person.id,
                                                                 models.PerformanceReview.period == "2027-H1")).one()
        assert recorded.score == 82.0
    assert {"analytics.view", "analytics.export", "analytics.reviews"} <= set(actions)

    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#funnel-table")).to_be_visible()
    _assert_fits(page, "/hr/analytics")
    page.context.add_cookies([{"name": routes.LOCALE_COOKIE, "value": "en", "url": portal.url}])
    page.reload()
    wait_hydrated(page)
    expect(page.locator("#page-title")).to_have_text("Analytics")
    expect(page.locator("#funnel-table .analytics-row", has_text="Hired")).to_contain_text("fewer than 5")  # 90 days
    _assert_fits(page, "/hr/analytics in English")
    page.context.close()
