"""HR's analytics charts as server-side SVG, like the report's radar chart (charts.py):
no plotly (not a dependency; its bundle would add megabytes to every page and needs code
our Content-Security-Policy does not run). One chart kind does every figure: horizontal
bars, each with its label above it (so long labels fit a 375 px phone), the shown value
at its end; a suppressed figure (fewer than 5 people) is a dashed empty bar saying so.
Every chart has a table beside it on the page with the same figures. Nothing here
imports reflex."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 340
ROW = 40
BAR = 16
PAD = 8
COLOURS = {"bar": "#3e63dd", "flag": "#e5484d", "muted": "#8b8d98", "line": "#30a46c"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed
    text: str  # what is written at the bar's end ("12", "40%", "fewer than 5")
    flagged: bool = False


def bars_svg(bars: list[Bar], title: str, *, maximum: float | None = None,
             reference: tuple[float, str] | None = None) -> str:
    """``maximum``: the value of a full bar (default: the largest shown value);
    ``reference``: (value, label) drawn as a vertical dashed line (e.g. four fifths)."""
    if not bars:
        return ""
    top = maximum or max((b.value for b in bars if b.value is not None), default=0) or 1
    span = WIDTH - 2 * PAD - 110  # room for the value text after the bar
    height = PAD * 2 + ROW * len(bars) + (18 if reference else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" class="analytics-chart" '
             f'style="width:100%;max-width:{WIDTH * 1.6:.0f}px;height:auto;font-family:sans-serif">',
             f"<title>{escape(title)}</title>"]
    for i, b in enumerate(bars):
        y = PAD + i * ROW
        parts.append(f'<text x="{PAD}" y="{y + 11}" font-size="11" fill="#444">{escape(b.label)}</text>')
        if b.value is None:
            parts.append(f'<rect x="{PAD}" y="{y + 15}" width="{span}" height="{BAR}" fill="none" '
                         f'stroke="{COLOURS["muted"]}" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{PAD + 6}" y="{y + 27}" font-size="11" fill="{COLOURS["muted"]}">'
                         f'{escape(b.text)}</text>')
            continue
        w = max(1.0, span * max(0.0, min(b.value, top)) / top)
        colour = COLOURS["flag"] if b.flagged else COLOURS["bar"]
        parts.append(f'<rect x="{PAD}" y="{y + 15}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                     f'<title>{escape(b.label)}: {escape(b.text)}</title></rect>')
        parts.append(f'<text x="{PAD + w + 6:.1f}" y="{y + 27}" font-size="12" fill="#222">{escape(b.text)}</text>')
    if reference:
        value, label = reference
        x = PAD + span * max(0.0, min(value, top)) / top
        parts.append(f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{height - 18}" stroke="{COLOURS["line"]}" '
                     f'stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" '
                     f'fill="{COLOURS["line"]}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
