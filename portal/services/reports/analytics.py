"""HR's analytics for one job and period (/hr/analytics): what the interviews lead to.

Who is counted: every candidate with an interview of the job *scheduled* inside the period
(``start`` ≤ scheduled_at ≤ ``end``; the period ends now, so upcoming interviews are not
counted until they have happened). Each person counts once per figure.

The funnel's stages, read from the tables that record them:

- **invited**: has an interview of the job in the period (cancelled ones included: the
  invitation went out). Entered at the interview's creation (or its time, if earlier).
- **prepared**: ran the device check for it: a DeviceCheck of that interview, or one without
  an interview taken before the interview's time. Entered at the first such check.
- **interviewed**: submitted at least one (non-practice) answer in it, or the interview is
  completed. Entered at the first answer (else the interview's time).
- **advanced**: a person decided to advance them on a rule's proposal (``RuleFiring``
  confirmed or overridden with outcome advance; entered then), or the job's rule recorded
  a decision on the interview's score report (``Report.decision``, the demo's past
  candidates; entered when the report was published), or the person was hired.
- **hired**: the account has ``hired_at`` on or after being invited. Entered then.

Stages are counted independently (preparing is optional, so "prepared" may be below
"interviewed"); a stage's conversion is its count over the stage it comes from
(``FROM``: prepared and interviewed from invited, advanced from interviewed, hired from
advanced).

Time in stage: per person, the days from entering one stage to entering the next one
(invited → prepared, prepared → interviewed, interviewed → advanced, advanced → hired);
the median over the people who reached both.

Scores: per interviewed person the latest scored interview in the period; a competency's
score is what the report shows (``scores.competency_scores``), bucketed 0-20 … 80-100.

Device checks: per person who prepared, whether the *first* check fell short on camera,
microphone, network or browser (what needed fixing), as a share of those people.

Human vs AI: every reviewer's level (1-5) for a competency of an answer, beside the AI's
level of that answer and competency: exact agreement (the AI's level rounded), agreement
within one level, and the mean difference (human − AI).

Later performance: hired people with a PerformanceReview after their hire: the mean of
their review scores beside their interview's overall score (Spearman's rank correlation).

Adverse impact: for each group HR has recorded (RecordedGroup, optional), the selection
rate = advanced ÷ interviewed; each group's rate over the highest group's rate; a ratio
below 4/5 is flagged (the four-fifths rule). People without a recorded group are not
compared.

k-anonymity: every figure is computed from a group of people and is shown only when that
group has at least K people (K = 5): a count under 5 (0 included), a rate whose people
number fewer than 5, a histogram bucket of fewer than 5, a median or correlation of fewer
than 5, a group of the adverse-impact view of fewer than 5 are all ``Cell(value=None)``,
shown as "fewer than 5". Viewing and exporting are audited (the groups are sensitive);
only hr and hr_manager (ANALYTICS_VIEW) may do either, or record groups. Nothing here
imports reflex.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.interviews import job_config, rules
from portal.services.platform import audit, crypto, db
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_, format_number, format_percent, gettext, pick
from portal.services.reports.scores import (by_interview, competency_scores, interview_scores_query, median,
                                            model_competencies, weighted_overall)

K = 5  # the smallest group a figure is shown for
FOUR_FIFTHS = 0.8
STAGES = ("invited", "prepared", "interviewed", "advanced", "hired")
FROM = {"prepared": "invited", "interviewed": "invited", "advanced": "interviewed", "hired": "advanced"}
STAGE_NAMES = {"invited": N_("Invited"), "prepared": N_("Prepared (device check)"),
               "interviewed": N_("Interviewed"), "advanced": N_("Advanced"), "hired": N_("Hired")}
PARTS = ("camera", "microphone", "network", "browser")
PART_NAMES = {"camera": N_("Camera"), "microphone": N_("Microphone"), "network": N_("Network"),
              "browser": N_("Browser")}
BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))
PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_NAMES = {"30": N_("Last 30 days"), "90": N_("Last 90 days"), "365": N_("Last 12 months"),
                "all": N_("All time")}
FEWER = N_("fewer than 5")
PEOPLE, MEDIAN = N_("people"), N_("median")
INTERVIEWED, SELECTION_RATE, RATIO = N_("interviewed"), N_("selection rate"), N_("ratio to the highest")

BAD_PERIOD = N_("Choose one of the periods offered.")
MAX_GROUP = 40
GROUPS_MAX_BYTES = 256 * 1024
GROUPS_MAX_ROWS = 2000
GROUP_TOO_LONG = N_("The group is longer than {max} characters.")
GROUP_NO_PERSON = N_("No candidate has the address {email}.")
GROUP_COLUMNS = N_("Each row needs two columns: e-mail address and group (empty to remove it).")
GROUP_TWICE = N_("{email} appears twice.")
GROUPS_EMPTY = N_("Paste at least one row: e-mail address,group.")
GROUPS_TOO_BIG = N_("The file is too large: at most {rows} rows.")
MAX_PERIOD = 40
REVIEWS_EMPTY = N_("Paste at least one row: e-mail address,period,score.")
REVIEW_COLUMNS = N_("Each row needs three or four columns: e-mail address, period, score (0-100) and, if you "
                    "like, the date of the review (YYYY-MM-DD).")
REVIEW_NO_PERSON = N_("No employee has the address {email}.")
REVIEW_TWICE = N_("{email} appears twice for the period {period}.")
REVIEW_PERIOD = N_("The period is empty or longer than {max} characters.")
REVIEW_SCORE = N_("The score must be a number from 0 to 100.")
REVIEW_DATE = N_("The date must be a day (YYYY-MM-DD) that is not in the future.")


@dataclass(frozen=True)
class Cell:
    """One figure and the number of people it is computed from; ``value`` None: not shown
    (fewer than K people, or nothing to compute)."""

    value: float | None
    n: int

    @property
    def shown(self) -> bool:
        return self.value is not None


def cell(value: float | None, n: int) -> Cell:
    return Cell(value if n >= K and value is not None else None, n)


def count(n: int) -> Cell:
    return cell(float(n), n)


@dataclass
class Stage:
    key: str
    count: Cell
    conversion: Cell  # of the previous stage (None for the first)


@dataclass
class StageTime:
    start: str
    end: str
    median_days: Cell


@dataclass
class Distribution:
    key: str
    name_zh: str
    name_en: str
    people: Cell
    median: Cell
    buckets: list[Cell]


@dataclass
class Agreement:
    people: Cell
    pairs: int
    exact: Cell
    within_one: Cell
    mean_difference: Cell  # human − AI, in levels


@dataclass
class Performance:
    people: Cell
    correlation: Cell  # Spearman's rho, interview overall vs mean review score
    median_interview: Cell
    median_performance: Cell


@dataclass
class GroupSelection:
    label: str
    interviewed: Cell
    advanced: Cell
    rate: Cell
    ratio: Cell  # the rate over the highest shown group's rate
    flagged: bool  # ratio below four fifths


@dataclass
class Figures:
    job_id: int
    period: str
    start: datetime | None
    end: datetime
    funnel: list[Stage]
    times: list[StageTime]
    distributions: list[Distribution]
    checked: Cell
    check_failures: list[tuple[str, Cell]]  # (part, share of the people checked)
    agreement: Agreement
    performance: Performance
    groups: list[GroupSelection]
    ungrouped: Cell  # interviewed people without a recorded group
    flagged: bool = False  # any group below four fifths
    compared: bool = False  # at least two groups were shown and compared


@dataclass
class _Person:
    id: int
    interviews: list[models.Interview] = field(default_factory=list)
    hired_at: datetime | None = None
    answered: dict[int, datetime | None] = field(default_factory=dict)  # interview -> its first answer
    decided: dict[int, list[datetime]] = field(default_factory=dict)  # interview -> its decisions to advance
    at: dict[str, datetime] = field(default_factory=dict)  # stage -> when it was entered
    first_check: models.DeviceCheck | None = None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def period_window(period: str, now: datetime | None = None) -> tuple[datetime | None, datetime]:
    if period not in PERIODS:
        raise ServiceError(BAD_PERIOD)
    end = aware(now or utcnow())
    days = PERIODS[period]
    return (end - timedelta(days=days) if days else None), end


def jobs(session, user: models.User, *, ip: str = "") -> list[job_config.JobRow]:
    """Every job, oldest first (from the per-process copy of the job list)."""
    access.require(user, access.ANALYTICS_VIEW, session=session, ip=ip)
    return sorted(job_config.job_rows(session), key=lambda j: j.id)


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (average ranks for ties); None when a side is constant."""
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return out

    if len(xs) < 2:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / (sxx * syy) ** 0.5


def _period(job_id: int, start: datetime | None, end: datetime):
    """The ids of the job's interviews scheduled in the period."""
    iv = models.Interview
    query = select(iv.id).where(iv.job_id == job_id, iv.scheduled_at <= end)
    return query.where(iv.scheduled_at >= start) if start is not None else query


def _people_query(job_id: int, start: datetime | None, end: datetime):
    """The period's interviews, each with the person's start date, when its first answer
    came, whether its report carries a decision (and since when) and when a rule's advance
    was decided (they were five statements)."""
    iv, answer, firing = models.Interview, aliased(models.Answer), aliased(models.RuleFiring)
    first_answer = (select(func.min(answer.submitted_at))
                    .where(answer.interview_id == iv.id, answer.is_practice.is_(False)).scalar_subquery())
    advanced = (select(func.min(firing.decided_at))
                .where(firing.interview_id == iv.id, firing.outcome == rules.ADVANCE,
                       firing.status != rules.PENDING, firing.decided_at.is_not(None)).scalar_subquery())
    return (select(iv, models.User.hired_at, first_answer, models.Report.decision, models.Report.published_at,
                   models.Report.created_at, advanced)
            .join(models.User, models.User.id == iv.candidate_id)
            .outerjoin(models.Report, models.Report.interview_id == iv.id)
            .where(iv.id.in_(_period(job_id, start, end)))
            .order_by(iv.scheduled_at, iv.id))


def _people(rows) -> dict[int, _Person]:
    """The period's interviews by person (rows of ``_people_query``)."""
    people: dict[int, _Person] = {}
    for interview, hired_at, answered, decision, published, created, advanced_at in rows:
        person = people.setdefault(interview.candidate_id, _Person(interview.candidate_id, hired_at=aware(hired_at)))
        person.interviews.append(interview)
        person.answered[interview.id] = aware(answered)
        # a person's decision to advance on a rule's proposal (services/interviews/rules.py): the
        # only way the portal itself moves someone on (nothing writes Report.decision but the demo)
        person.decided[interview.id] = [aware(at) for at in (
            (published or created) if decision else None, advanced_at) if at is not None]
    return people


def _stages(people: dict[int, _Person], checks: list[models.DeviceCheck]) -> None:
    """Fill in when each person entered each stage they reached (``checks``: theirs, oldest first)."""
    for person in people.values():
        own = {i.id for i in person.interviews}
        invited = min(min(aware(i.created_at), aware(i.scheduled_at)) for i in person.interviews)
        person.at["invited"] = invited
        last = max(aware(i.scheduled_at) for i in person.interviews)
        mine = [c for c in checks if c.user_id == person.id and (
            c.interview_id in own or (c.interview_id is None and aware(c.checked_at) <= last))]
        if mine:
            person.at["prepared"] = aware(mine[0].checked_at)
            person.first_check = mine[0]
        times = [person.answered[i.id] or aware(i.scheduled_at)
                 for i in person.interviews if person.answered[i.id] or i.status == "completed"]
        if times:
            person.at["interviewed"] = min(times)
        decided = [at for i in person.interviews for at in person.decided[i.id]]
        if decided:
            person.at["advanced"] = min(decided)
        joined = person.hired_at
        if joined is not None and joined >= invited:
            person.at["hired"] = joined
            person.at.setdefault("advanced", joined)


def _scores(people: dict[int, _Person], scored: dict) -> dict[int, tuple[models.Interview, dict[str, float]]]:
    """Per interviewed person their latest scored interview of the period and its competency
    scores (``scored``: the period's interviews' answers, as ``by_interview`` groups them)."""
    out = {}
    for person in people.values():
        for interview in reversed(person.interviews):
            found = competency_scores(scored.get(interview.id, []))
            if found:
                out[person.id] = (interview, found)
                break
    return out


def _distributions(session, job_id: int, scored: dict) -> list[Distribution]:
    model_id = next((j.model_id for j in job_config.job_rows(session) if j.id == job_id), None)
    competencies = model_competencies(session, model_id) if model_id else ()
    out = []
    for c in competencies:
        values = [found[c.key] for _interview, found in scored.values() if c.key in found]
        buckets = []
        for low, high in BUCKETS:
            n = sum(1 for v in values if low <= v < high or (high == 100 and v == 100))
            buckets.append(count(n))
        out.append(Distribution(key=c.key, name_zh=c.name_zh, name_en=c.name_en, people=count(len(values)),
                                median=cell(median(values), len(values)), buckets=buckets))
    return out


def _agreement_query(interview_ids):
    """Each interviewer's rating of an answer on a competency, with the scorer's level for it."""
    return (select(models.Answer.user_id, models.InterviewerRating.level, models.CompetencyScore.level)
            .join(models.InterviewerRating, models.InterviewerRating.answer_id == models.Answer.id)
            .join(models.CompetencyScore, models.CompetencyScore.answer_id == models.Answer.id)
            .join(models.Competency, (models.Competency.id == models.CompetencyScore.competency_id)
                  & (models.Competency.key == models.InterviewerRating.competency_key))
            .where(models.Answer.interview_id.in_(interview_ids), models.Answer.is_practice.is_(False)))


def _agreement(rows) -> Agreement:
    n = len({user_id for user_id, _h, _a in rows})
    pairs = len(rows)
    exact = sum(1 for _u, human, ai in rows if human == max(1, min(5, round(ai))))
    within = sum(1 for _u, human, ai in rows if abs(human - ai) <= 1.0)
    diff = sum(human - ai for _u, human, ai in rows)
    return Agreement(people=count(n), pairs=pairs if n >= K else 0,
                     exact=cell(exact / pairs if pairs else None, n),
                     within_one=cell(within / pairs if pairs else None, n),
                     mean_difference=cell(diff / pairs if pairs else None, n))


def _performance(session, people: dict[int, _Person], scored: dict,
                 recorded: list[models.PerformanceReview]) -> Performance:
    """``recorded``: the performance reviews of the period's people."""
    hired = {pid: p.at["hired"] for pid, p in people.items() if "hired" in p.at and pid in scored}
    reviews: dict[int, list[float]] = defaultdict(list)
    for review in recorded:
        if review.user_id in hired and aware(review.reviewed_at) >= hired[review.user_id]:
            reviews[review.user_id].append(review.score)
    interview_overall, performance = [], []
    weights_of: dict[int, dict[str, float]] = {}
    for pid, values in reviews.items():
        interview, found = scored[pid]
        if interview.model_id not in weights_of:
            weights_of[interview.model_id] = {c.key: c.weight
                                              for c in model_competencies(session, interview.model_id)}
        interview_overall.append(weighted_overall(found, weights_of[interview.model_id]))
        performance.append(sum(values) / len(values))
    n = len(performance)
    return Performance(people=count(n), correlation=cell(spearman(interview_overall, performance), n),
                       median_interview=cell(median(interview_overall), n),
                       median_performance=cell(median(performance), n))


def _groups(people: dict[int, _Person], recorded: list[models.RecordedGroup]
            ) -> tuple[list[GroupSelection], Cell, bool, bool]:
    """``recorded``: the groups recorded for the period's people; only the interviewed count."""
    interviewed = [pid for pid, p in people.items() if "interviewed" in p.at]
    labels = {g.candidate_id: crypto.decrypt(g.label_enc) for g in recorded if "interviewed" in people[g.candidate_id].at}
    members: dict[str, list[int]] = defaultdict(list)
    for pid in interviewed:
        if pid in labels:
            members[labels[pid]].append(pid)
    rates = {}
    for label, ids in members.items():
        if len(ids) >= K:
            rates[label] = sum(1 for pid in ids if "advanced" in people[pid].at) / len(ids)
    best = max(rates.values(), default=0.0)
    compared = len(rates) >= 2 and best > 0
    out = []
    for label in sorted(members):
        ids = members[label]
        advanced = sum(1 for pid in ids if "advanced" in people[pid].at)
        ratio = rates[label] / best if compared and label in rates else None
        out.append(GroupSelection(label=label, interviewed=count(len(ids)), advanced=count(advanced),
                                  rate=cell(rates.get(label), len(ids)), ratio=cell(ratio, len(ids)),
                                  # exactly four fifths (4/6 against 5/6) is not below it, whatever the float says
                                  flagged=ratio is not None and ratio < FOUR_FIFTHS - 1e-9))
    ungrouped = count(sum(1 for pid in interviewed if pid not in labels))
    return out, ungrouped, any(g.flagged for g in out), compared


def compute(session, job_id: int, period: str, now: datetime | None = None) -> Figures:
    """Every figure for ``job_id`` and ``period``; the caller has checked the permission."""
    start, end = period_window(period, now)
    ivs = _period(job_id, start, end)
    persons = select(models.Interview.candidate_id).where(models.Interview.id.in_(ivs))
    # one statement: the period's interviews, and its people's device checks, scores, ratings,
    # performance reviews and recorded groups
    rows, checks, scored, ratings, reviews, recorded = db.together(
        session, _people_query(job_id, start, end),
        select(models.DeviceCheck).where(models.DeviceCheck.user_id.in_(persons))
        .order_by(models.DeviceCheck.checked_at, models.DeviceCheck.id),
        interview_scores_query(ivs), _agreement_query(ivs),
        select(models.PerformanceReview).where(models.PerformanceReview.user_id.in_(persons)),
        select(models.RecordedGroup).where(models.RecordedGroup.candidate_id.in_(persons)))
    people = _people(rows)
    _stages(people, checks)
    counts = {key: sum(1 for p in people.values() if key in p.at) for key in STAGES}
    funnel = []
    for key in STAGES:
        n, base = counts[key], counts.get(FROM.get(key, ""), 0)
        # both counts it is made of are shown, or the rate is not
        conversion = Cell(n / base, base) if key in FROM and base >= K and n >= K else Cell(None, base)
        funnel.append(Stage(key=key, count=count(n), conversion=conversion))
    times = []
    for first, second in zip(STAGES, STAGES[1:]):
        days = [(p.at[second] - p.at[first]).total_seconds() / 86400 for p in people.values()
                if first in p.at and second in p.at and p.at[second] >= p.at[first]]
        times.append(StageTime(first, second, cell(median(days), len(days))))
    scored = _scores(people, by_interview(scored))
    checked = [p for p in people.values() if "prepared" in p.at]
    failures = []
    for part in PARTS:
        failed = sum(1 for p in checked if not getattr(p.first_check, f"{part}_ok"))
        failures.append((part, cell(failed / len(checked) if checked else None, len(checked))))
    groups, ungrouped, flagged, compared = _groups(people, recorded)
    return Figures(job_id=job_id, period=period, start=start, end=end, funnel=funnel, times=times,
                   distributions=_distributions(session, job_id, scored), checked=count(len(checked)),
                   check_failures=failures, agreement=_agreement(ratings),
                   performance=_performance(session, people, scored, reviews), groups=groups, ungrouped=ungrouped,
                   flagged=flagged, compared=compared)


def figures(session, user: models.User, job_id: int, period: str, *, ip: str = "",
            now: datetime | None = None) -> Figures:
    """The figures HR sees (audited: the adverse-impact view reads the recorded groups)."""
    access.require(user, access.ANALYTICS_VIEW, session=session, ip=ip)
    job = next((j for j in job_config.job_rows(session) if j.id == job_id), None) \
        if isinstance(job_id, int) and not isinstance(job_id, bool) else None
    if job is None:
        raise PermissionDenied()
    found = compute(session, job.id, period, now)
    audit.record(session, "analytics.view", actor_id=user.id, actor=user.email or "", object_type="job",
                 object_id=job.id, ip=ip)
    return found


# ---------------------------------------------------------------- words and CSV


def show_count(c: Cell, locale: str) -> str:
    return format_number(c.value, locale) if c.shown else gettext(locale, FEWER)


def show_rate(c: Cell, locale: str) -> str:
    return format_percent(c.value, locale) if c.shown else gettext(locale, FEWER)


def show_number(c: Cell, locale: str, digits: int = 1) -> str:
    return format_number(c.value, locale, digits) if c.shown else gettext(locale, FEWER)


def bucket_label(index: int) -> str:
    low, high = BUCKETS[index]
    return f"{low}–{high}"


CSV_HEAD = (N_("Figure"), N_("Item"), N_("Value"))


def csv_rows(found: Figures, job: models.Job, locale: str) -> list[tuple[str, str, str]]:
    """The figures as (figure, item, value) rows in ``locale``, suppressed cells as "fewer than 5"."""
    g = lambda msgid, **kw: gettext(locale, msgid, **kw)  # noqa: E731
    since = found.start.date().isoformat() if found.start else ""
    rows = [(g(N_("Position")), pick(locale, job.title_zh, job.title_en), job.code),
            (g(N_("Period")), g(PERIOD_NAMES[found.period]), f"{since} – {found.end.date().isoformat()}")]
    for stage in found.funnel:
        rows.append((g(N_("Funnel")), g(STAGE_NAMES[stage.key]), show_count(stage.count, locale)))
    for stage in found.funnel[1:]:
        rows.append((g(N_("Conversion")), f"{g(STAGE_NAMES[FROM[stage.key]])} → {g(STAGE_NAMES[stage.key])}",
                     show_rate(stage.conversion, locale)))
    for t in found.times:
        rows.append((g(N_("Median days in stage")), f"{g(STAGE_NAMES[t.start])} → {g(STAGE_NAMES[t.end])}",
                     show_number(t.median_days, locale)))
    for d in found.distributions:
        name = pick(locale, d.name_zh, d.name_en)
        rows.append((g(N_("Score distribution")), f"{name}: {g(PEOPLE)}", show_count(d.people, locale)))
        rows.append((g(N_("Score distribution")), f"{name}: {g(MEDIAN)}", show_number(d.median, locale)))
        for i, b in enumerate(d.buckets):
            rows.append((g(N_("Score distribution")), f"{name}: {bucket_label(i)}", show_count(b, locale)))
    rows.append((g(N_("Device check")), g(N_("People who ran it")), show_count(found.checked, locale)))
    for part, c in found.check_failures:
        rows.append((g(N_("Device check failure rate")), g(PART_NAMES[part]), show_rate(c, locale)))
    a = found.agreement
    rows += [(g(N_("Human vs AI rating")), g(N_("People rated")), show_count(a.people, locale)),
             (g(N_("Human vs AI rating")), g(N_("Same level")), show_rate(a.exact, locale)),
             (g(N_("Human vs AI rating")), g(N_("Within one level")), show_rate(a.within_one, locale)),
             (g(N_("Human vs AI rating")), g(N_("Mean difference (human − AI, levels)")),
              show_number(a.mean_difference, locale, 2))]
    p = found.performance
    rows += [(g(N_("Interview score vs later performance")), g(N_("Hired people with a review")),
              show_count(p.people, locale)),
             (g(N_("Interview score vs later performance")), g(N_("Rank correlation")),
              show_number(p.correlation, locale, 2)),
             (g(N_("Interview score vs later performance")), g(N_("Median interview score")),
              show_number(p.median_interview, locale)),
             (g(N_("Interview score vs later performance")), g(N_("Median performance score")),
              show_number(p.median_performance, locale))]
    for group in found.groups:
        rows += [(g(N_("Selection rate by group")), f"{group.label}: {g(INTERVIEWED)}",
                  show_count(group.interviewed, locale)),
                 (g(N_("Selection rate by group")), f"{group.label}: {g(SELECTION_RATE)}",
                  show_rate(group.rate, locale)),
                 (g(N_("Selection rate by group")), f"{group.label}: {g(RATIO)}",
                  show_number(group.ratio, locale, 2) + (" " + g(N_("below four fifths")) if group.flagged else ""))]
    rows.append((g(N_("Selection rate by group")), g(N_("No group recorded")), show_count(found.ungrouped, locale)))
    return rows


def export_csv(session, user: models.User, job_id: int, period: str, locale: str, *, ip: str = "",
               now: datetime | None = None) -> bytes:
    """The figures as CSV (UTF-8 with BOM, for Excel), audited as an export."""
    found = figures(session, user, job_id, period, ip=ip, now=now)
    job = session.get(models.Job, found.job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(locale, h) for h in CSV_HEAD])
    writer.writerows(csv_rows(found, job, locale))
    audit.record(session, "analytics.export", actor_id=user.id, actor=user.email or "", object_type="job",
                 object_id=job.id, ip=ip)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- recorded groups


@dataclass(frozen=True)
class RowError:
    line: int
    msgid: str
    params: dict


def _pasted_rows(text: str, header: list[str], empty_msgid: str) -> tuple[list[list[str]], int]:
    """The non-empty CSV rows of what HR pasted, without its header line if it has one,
    and the line number of the first row; refuses nothing pasted and too much."""
    text = text if isinstance(text, str) else ""
    if len(text.encode("utf-8")) > GROUPS_MAX_BYTES:
        raise ServiceError(GROUPS_TOO_BIG, rows=GROUPS_MAX_ROWS)
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    offset = 1
    if rows and [c.strip().lower() for c in rows[0]][:len(header)] == header:
        rows, offset = rows[1:], 2
    if not rows:
        raise ServiceError(empty_msgid)
    if len(rows) > GROUPS_MAX_ROWS:
        raise ServiceError(GROUPS_TOO_BIG, rows=GROUPS_MAX_ROWS)
    return rows, offset


def record_groups(session, user: models.User, text: str, *, ip: str = "",
                  now: datetime | None = None) -> tuple[int, list[RowError]]:
    """HR records groups from CSV rows ``email,group`` (an empty group removes it). All or
    nothing: any bad row and nothing is written. Returns (rows written, errors)."""
    access.require(user, access.ANALYTICS_VIEW, session=session, ip=ip)
    rows, offset = _pasted_rows(text, ["email", "group"], GROUPS_EMPTY)
    emails = [r[0].strip().lower() for r in rows if r]
    known = {u.email.lower(): u for u in session.exec(select(models.User).where(
        models.User.email.in_(emails), models.User.role.in_((access.CANDIDATE, access.EMPLOYEE)))).all()}
    errors, wanted, seen = [], [], set()
    for n, row in enumerate(rows):
        line = n + offset
        if len(row) != 2:
            errors.append(RowError(line, GROUP_COLUMNS, {}))
            continue
        email, label = row[0].strip().lower(), " ".join(row[1].split())
        if email in seen:
            errors.append(RowError(line, GROUP_TWICE, {"email": email}))
        seen.add(email)
        if email not in known:
            errors.append(RowError(line, GROUP_NO_PERSON, {"email": email}))
        if len(label) > MAX_GROUP:
            errors.append(RowError(line, GROUP_TOO_LONG, {"max": MAX_GROUP}))
        if email in known:
            wanted.append((known[email], label))
    if errors:
        return 0, errors
    now = now or utcnow()
    existing = {g.candidate_id: g for g in session.exec(select(models.RecordedGroup).where(
        models.RecordedGroup.candidate_id.in_([p.id for p, _ in wanted]))).all()}
    for person, label in wanted:
        row = existing.get(person.id)
        if not label:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = models.RecordedGroup(candidate_id=person.id, label_enc="")
        row.label_enc, row.recorded_by_id, row.recorded_at = crypto.encrypt(label), user.id, now
        session.add(row)
    session.flush()
    audit.record(session, "analytics.groups", actor_id=user.id, actor=user.email or "", object_type="group",
                 object_id=len(wanted), ip=ip)
    return len(wanted), []


# ---------------------------------------------------------------- later performance


def record_reviews(session, user: models.User, text: str, *, ip: str = "",
                   now: datetime | None = None) -> tuple[int, list[RowError]]:
    """HR records employees' performance reviews from CSV rows ``email,period,score[,date]``
    (score 0-100; the date of the review, today when left out, never in the future). A
    review of the same person and period replaces the earlier one. All or nothing: any bad
    row and nothing is written. Returns (rows written, errors)."""
    access.require(user, access.ANALYTICS_VIEW, session=session, ip=ip)
    rows, offset = _pasted_rows(text, ["email", "period", "score"], REVIEWS_EMPTY)
    now = now or utcnow()
    emails = [r[0].strip().lower() for r in rows if r]
    known = {u.email.lower(): u for u in session.exec(select(models.User).where(
        models.User.email.in_(emails), models.User.role == access.EMPLOYEE)).all()}
    errors, wanted, seen = [], [], set()
    for n, row in enumerate(rows):
        line = n + offset
        if len(row) not in (3, 4):
            errors.append(RowError(line, REVIEW_COLUMNS, {}))
            continue
        email, period = row[0].strip().lower(), " ".join(row[1].split())
        if (email, period) in seen:
            errors.append(RowError(line, REVIEW_TWICE, {"email": email, "period": period}))
        seen.add((email, period))
        if email not in known:
            errors.append(RowError(line, REVIEW_NO_PERSON, {"email": email}))
        if not period or len(period) > MAX_PERIOD:
            errors.append(RowError(line, REVIEW_PERIOD, {"max": MAX_PERIOD}))
        try:
            score = float(row[2].strip())
        except ValueError:
            score = float("nan")
        if not 0 <= score <= 100:  # NaN fails too
            errors.append(RowError(line, REVIEW_SCORE, {}))
        day = row[3].strip() if len(row) == 4 else ""
        try:
            when = datetime.combine(date.fromisoformat(day), time(12), timezone.utc) if day else now
        except ValueError:
            when = None
        if when is None or when.date() > now.date():
            errors.append(RowError(line, REVIEW_DATE, {}))
        if email in known and when is not None:
            wanted.append((known[email], period, score, when))
    if errors:
        return 0, errors
    existing = {(r.user_id, r.period): r for r in session.exec(select(models.PerformanceReview).where(
        models.PerformanceReview.user_id.in_([p.id for p, *_ in wanted]))).all()}
    for person, period, score, when in wanted:
        review = existing.get((person.id, period)) or models.PerformanceReview(user_id=person.id, period=period,
                                                                                score=score)
        review.score, review.reviewed_at = score, when
        session.add(review)
    session.flush()
    audit.record(session, "analytics.reviews", actor_id=user.id, actor=user.email or "",
                 object_type="performance_review", object_id=len(wanted), ip=ip)
    return len(wanted), []
