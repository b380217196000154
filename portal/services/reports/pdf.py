"""The score report as a PDF (WeasyPrint): a cover with the candidate's name (the only
page that names them, so the inside pages can be passed on), then the overall match,
the same radar chart as the page (the SVG of charts.py, embedded as vectors), strengths
and areas to improve, and per competency the score, requirement, gap, percentile and
supporting sentences. Chinese is set in Noto Sans CJK (Debian's fonts-noto-cjk), which
WeasyPrint embeds as a subset of the characters used; pages are numbered.
Slow work (about a second): callers run it off the event loop. Nothing here imports reflex.
"""

from __future__ import annotations

from html import escape

from portal.services.platform.i18n import N_, format_date, format_number, gettext, pick
from portal.services.reports import report as report_view
from portal.services.reports.report import CandidateReport

TITLE = N_("Score report")
PREPARED_FOR = N_("Prepared for {name}")
INTERVIEW_ON = N_("Interview for {job} on {date}")
CONFIDENTIAL = N_("Personal data: keep this report to yourself or share it as you choose.")
OVERALL = N_("Overall match")
STRENGTHS = N_("Your strengths")
IMPROVE = N_("What to improve")
BY_COMPETENCY = N_("By competency")
DECISION = N_("Decision")
HEAD = (N_("Competency"), N_("Score"), N_("Required"), N_("Gap"), N_("Among candidates"))
HUMAN = N_("A person makes every decision. The AI's scores are one piece of evidence for the interviewers; they "
           "never hire or reject anyone on their own, and you can ask for a human review of your report.")

CSS = """
@page { size: A4; margin: 2cm 1.8cm; @bottom-center { content: counter(page) " / " counter(pages);
        font-size: 9pt; color: #666; } }
@page :first { @bottom-center { content: none; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; font-size: 10.5pt; color: #222; }
.cover { page-break-after: always; padding-top: 7cm; }
.cover h1 { font-size: 28pt; margin: 0 0 .6cm; }
.cover p { font-size: 13pt; margin: .2cm 0; }
.muted { color: #666; font-size: 9pt; }
/* One weight of the CJK font: a bold subset as well would add about 90 KB (target 300 KB);
   headings stand out by size and colour, only the overall number (digits) is bold. */
h1, h2, th, b { font-weight: normal; }
b { color: #111; }
th { color: #555; }
h2 { font-size: 14pt; margin: .7cm 0 .3cm; color: #2f4fb5; }
.overall { font-size: 30pt; font-weight: bold; margin: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 4pt 6pt; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num, th.num { text-align: right; }
.quote { color: #444; font-size: 9.5pt; }
.chart { width: 11cm; margin: .2cm auto; }
"""


def _n(value: float, locale: str) -> str:
    return format_number(round(value), locale)


def render(found: CandidateReport, candidate_name: str, locale: str, interview_date, tz: str = "") -> bytes:
    """The report of a ready ``found`` as PDF bytes, in ``locale``; ``tz``: the reader's
    time zone, for the dates of decisions."""
    from weasyprint import HTML

    from portal.services.interviews.preparation import in_zone
    from portal.services.reports import decisions

    numbers = found.numbers
    g = lambda msgid, **kw: escape(gettext(locale, msgid, **kw))  # noqa: E731
    job = pick(locale, found.title_zh, found.title_en)
    by_key = {c.key: c for c in numbers.competencies}

    rows = []
    for c in numbers.competencies:
        gap = round(c.score) - round(c.required)
        quotes = "".join(f'<div class="quote">“{escape(q)}”</div>' for q in c.evidence)
        rows.append(
            f"<tr><td><b>{escape(pick(locale, c.name_zh, c.name_en))}</b>{quotes}</td>"
            f'<td class="num">{_n(c.score, locale)}</td><td class="num">{_n(c.required, locale)}</td>'
            f'<td class="num">{("+" if gap > 0 else "") + _n(gap, locale) if gap else "0"}</td>'
            f'<td class="num">{_n(c.percentile, locale) + "%" if c.percentile is not None else "—"}</td></tr>')
    head = "".join(f'<th{" class=num" if i else ""}>{g(h)}</th>' for i, h in enumerate(HEAD))
    strengths = "".join(f"<li>{escape(report_view.plain_words(by_key[k], locale))}</li>" for k in numbers.strengths)
    improve = "".join(f"<li>{escape(report_view.plain_words(by_key[k], locale))}</li>" for k in numbers.improvements)
    percentile = report_view.percentile_words(numbers.overall_percentile, locale)
    decided = decisions.decision_words(found.decisions, locale, found.names, lambda value: in_zone(value, tz or None))
    decision = (f'<h2>{g(DECISION)}</h2><div class="decision">'
                + "".join(f"<p>{escape(line)}</p>" for line in decided) + "</div>") if decided else ""
    html = f"""<!doctype html><html lang="{'en' if locale == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<style>{CSS}</style></head><body>
<section class="cover"><h1>{g(TITLE)}</h1><p>{g(PREPARED_FOR, name=candidate_name)}</p>
<p>{g(INTERVIEW_ON, job=job, date=format_date(interview_date, locale, "long"))}</p>
<p class="muted">{g(CONFIDENTIAL)}</p></section>
<h2>{g(OVERALL)}</h2><p class="overall">{_n(numbers.overall, locale)}</p><p>{escape(percentile)}</p>
<div class="chart">{report_view.radar(numbers, locale)}</div>
<h2>{g(STRENGTHS)}</h2><ul>{strengths}</ul>
<h2>{g(IMPROVE)}</h2><ul>{improve}</ul>
<h2>{g(BY_COMPETENCY)}</h2><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
{decision}
<p class="muted">{g(HUMAN)}</p>
</body></html>"""
    return HTML(string=html).write_pdf()
