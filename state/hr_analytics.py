"""HR's analytics (/hr/analytics): pick a job and a period, see the figures as charts and
tables, download them as CSV, record candidates' groups for the adverse-impact view.
Thin: portal/services/reports/analytics.py computes, suppresses small groups and audits.
Only aggregates reach the browser (no person's group, name or score); still one view's
data (``per_view``)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.accounts import access
from portal.services.platform import db, i18n
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_, pick
from portal.services.reports import analytics as an
from portal.services.reports.analytics_charts import Bar, bars_svg
from state.base import BaseState, current_actor, per_view, requires

FUNNEL_TITLE = N_("Funnel: people per stage")
DIST_TITLE = N_("Score distribution: {competency}")
CHECK_TITLE = N_("Device check: share of people whose first check fell short")
GROUP_TITLE = N_("Selection rate (advanced ÷ interviewed) by group")
FOUR_FIFTHS_LINE = N_("4/5 of the highest")
FLAGGED = N_("Adverse impact: the selection rate of {groups} is below four fifths of the highest group's. "
             "Look into how these candidates were assessed.")
NOT_COMPARED = N_("Selection rates are compared once at least two recorded groups have 5 or more people "
                  "interviewed in the period.")
GROUPS_SAVED = N_("{count} groups recorded.")
REVIEWS_SAVED = N_("{count} performance reviews recorded.")
NOTHING_SAVED = N_("Nothing was recorded: correct these rows and try again.")
LINE = N_("Line {line}:")
BAD_JOB = N_("Choose one of the positions offered.")


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


@per_view(routes.HR_ANALYTICS)
class HrAnalyticsState(BaseState):
    loaded: bool = False
    job_id: int = 0
    period: str = "365"
    jobs: list[dict[str, str]] = []
    periods: list[dict[str, str]] = []
    funnel_chart: str = ""
    funnel_rows: list[dict[str, str]] = []
    time_rows: list[dict[str, str]] = []
    dist_charts: list[dict[str, str]] = []
    dist_rows: list[dict[str, str]] = []
    check_chart: str = ""
    check_rows: list[dict[str, str]] = []
    agreement_rows: list[dict[str, str]] = []
    performance_rows: list[dict[str, str]] = []
    group_chart: str = ""
    group_rows: list[dict[str, str]] = []
    flag_text: str = ""
    compare_note: str = ""
    group_error: str = ""
    group_errors: list[str] = []
    review_error: str = ""
    review_errors: list[str] = []

    def _fill(self, found: an.Figures) -> None:
        lang = self.lang
        g = lambda msgid, **kw: i18n.gettext(lang, msgid, **kw)  # noqa: E731
        self.funnel_rows = [{"stage": g(an.STAGE_NAMES[s.key]), "count": an.show_count(s.count, lang),
                             "conversion": an.show_rate(s.conversion, lang) if s.key in an.FROM else "",
                             "suppressed": "" if s.count.shown else "1"} for s in found.funnel]
        self.funnel_chart = bars_svg([Bar(g(an.STAGE_NAMES[s.key]), s.count.value, an.show_count(s.count, lang))
                                      for s in found.funnel], g(FUNNEL_TITLE))
        self.time_rows = [{"stage": f"{g(an.STAGE_NAMES[t.start])} → {g(an.STAGE_NAMES[t.end])}",
                           "days": an.show_number(t.median_days, lang)} for t in found.times]
        charts, rows = [], []
        for d in found.distributions:
            name = pick(lang, d.name_zh, d.name_en)
            charts.append({"key": d.key, "name": name, "svg": bars_svg(
                [Bar(an.bucket_label(i), b.value, an.show_count(b, lang)) for i, b in enumerate(d.buckets)],
                g(DIST_TITLE, competency=name))})
            rows += [{"competency": name, "range": an.bucket_label(i), "people": an.show_count(b, lang)}
                     for i, b in enumerate(d.buckets)]
            rows.append({"competency": name, "range": g(an.MEDIAN), "people": an.show_number(d.median, lang)})
        self.dist_charts, self.dist_rows = charts, rows
        self.check_rows = [{"item": g(N_("People who ran it")), "value": an.show_count(found.checked, lang)}] + [
            {"item": g(an.PART_NAMES[part]), "value": an.show_rate(c, lang)} for part, c in found.check_failures]
        self.check_chart = bars_svg([Bar(g(an.PART_NAMES[part]), c.value, an.show_rate(c, lang))
                                     for part, c in found.check_failures], g(CHECK_TITLE), maximum=1.0)
        a, p = found.agreement, found.performance
        self.agreement_rows = [
            {"item": g(N_("People rated")), "value": an.show_count(a.people, lang)},
            {"item": g(N_("Same level")), "value": an.show_rate(a.exact, lang)},
            {"item": g(N_("Within one level")), "value": an.show_rate(a.within_one, lang)},
            {"item": g(N_("Mean difference (human − AI, levels)")), "value": an.show_number(a.mean_difference, lang, 2)}]
        self.performance_rows = [
            {"item": g(N_("Hired people with a review")), "value": an.show_count(p.people, lang)},
            {"item": g(N_("Rank correlation")), "value": an.show_number(p.correlation, lang, 2)},
            {"item": g(N_("Median interview score")), "value": an.show_number(p.median_interview, lang)},
            {"item": g(N_("Median performance score")), "value": an.show_number(p.median_performance, lang)}]
        self.group_rows = [{"group": x.label, "interviewed": an.show_count(x.interviewed, lang),
                            "advanced": an.show_count(x.advanced, lang), "rate": an.show_rate(x.rate, lang),
                            "ratio": an.show_number(x.ratio, lang, 2) if found.compared and x.ratio.shown else "—",
                            "flagged": "1" if x.flagged else ""} for x in found.groups]
        self.group_rows.append({"group": g(N_("No group recorded")), "interviewed": an.show_count(found.ungrouped, lang),
                                "advanced": "", "rate": "", "ratio": "", "flagged": ""})
        self.group_chart = bars_svg([Bar(x.label, x.rate.value, an.show_rate(x.rate, lang), x.flagged)
                                     for x in found.groups], g(GROUP_TITLE), maximum=1.0,
                                    reference=(an.FOUR_FIFTHS * max((x.rate.value for x in found.groups
                                                                     if x.rate.shown), default=0.0),
                                               g(FOUR_FIFTHS_LINE)) if found.compared else None)
        flagged = [x.label for x in found.groups if x.flagged]
        self.flag_text = g(FLAGGED, groups=", ".join(flagged)) if flagged else ""
        self.compare_note = "" if found.compared else g(NOT_COMPARED)

    def _load(self) -> None:
        user = current_actor()
        with db.session_scope() as s:
            rows = an.jobs(s, user, ip=self._ip())
            self.jobs = [{"id": str(j.id), "label": f"{pick(self.lang, j.title_zh, j.title_en)} ({j.code})"}
                         for j in rows]
            if self.job_id not in {j.id for j in rows}:
                self.job_id = rows[0].id if rows else 0
            self.periods = [{"id": k, "label": i18n.gettext(self.lang, v)} for k, v in an.PERIOD_NAMES.items()]
            if self.job_id:
                self._fill(an.figures(s, user, self.job_id, self.period, ip=self._ip()))
        self.loaded = True

    @requires(access.ANALYTICS_VIEW)
    @rx.event
    def load(self):
        self.group_error, self.group_errors, self.review_error, self.review_errors = "", [], "", []
        self._load()

    @requires(access.ANALYTICS_VIEW)
    @rx.event
    def show(self, form: dict):
        form = form if isinstance(form, dict) else {}
        job_id, period = _int(form.get("job")), str(form.get("period", ""))
        if period not in an.PERIODS:
            self._flash(an.BAD_PERIOD, kind="error")
            return None
        if str(job_id) not in {j["id"] for j in self.jobs}:
            self._flash(BAD_JOB, kind="error")
            return None
        self.job_id, self.period = job_id, period
        self._load()
        return None

    @requires(access.ANALYTICS_VIEW)
    @rx.event
    def download(self):
        with db.session_scope() as s:
            body = an.export_csv(s, current_actor(), self.job_id, self.period, self.lang, ip=self._ip())
        code = next((j["label"].rsplit("(", 1)[-1].rstrip(")") for j in self.jobs if j["id"] == str(self.job_id)),
                    "job")
        return rx.download(data=body, filename=f"analytics-{code}-{self.period}.csv", mime_type="text/csv")

    def _import(self, record, form, saved: str) -> tuple[str, list[str]]:
        """Run one of the pasted-CSV imports; (its error, its rows' errors), both empty once saved."""
        form = form if isinstance(form, dict) else {}
        try:
            with db.session_scope() as s:
                written, errors = record(s, current_actor(), str(form.get("csv", "")), ip=self._ip())
        except ServiceError as exc:
            return exc.translate(self.lang), []
        if errors:
            return i18n.gettext(self.lang, NOTHING_SAVED), [
                i18n.gettext(self.lang, LINE, line=e.line) + " " + i18n.gettext(self.lang, e.msgid, **e.params)
                for e in errors]
        self._load()
        self._flash(saved, count=written)
        return "", []

    @requires(access.ANALYTICS_VIEW)
    @rx.event
    def record_groups(self, form: dict):
        self.group_error, self.group_errors = self._import(an.record_groups, form, GROUPS_SAVED)

    @requires(access.ANALYTICS_VIEW)
    @rx.event
    def record_reviews(self, form: dict):
        """Performance reviews of hired people, for the "later performance" figures."""
        self.review_error, self.review_errors = self._import(an.record_reviews, form, REVIEWS_SAVED)
