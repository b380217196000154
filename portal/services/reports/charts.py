"""The radar chart of a score report as SVG, drawn from the report's own numbers, so the
page and the PDF show the same figures by construction (plotly's full bundle, which has
the polar chart, would add megabytes to every page and code our Content-Security-Policy
does not allow to run). Scale 0-100 from the centre; one closed line per series.
Nothing here imports reflex."""

from __future__ import annotations

import math
from html import escape

SIZE = 360
CENTRE = SIZE / 2
RADIUS = 120
RINGS = (20, 40, 60, 80, 100)
SIDE = 50


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # the first axis points up
    r = RADIUS * max(0.0, min(100.0, value)) / 100
    return CENTRE + r * math.cos(angle), CENTRE + r * math.sin(angle)


def _polygon(values: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, len(values), v) for i, v in enumerate(values)))


def radar_svg(labels: list[str], series: list[tuple[str, list[float], str, bool]], title: str) -> str:
    """``series``: (name, one value per label, colour, dashed). Labels and names are escaped."""
    n = len(labels)
    if n < 3:
        return ""
    # room at the sides for long English labels ("Learning Agility") on the side axes
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-SIDE} 0 {SIZE + 2 * SIDE} {SIZE + 28 * len(series)}" '
             f'role="img" aria-label="{escape(title)}" class="radar-chart" '
             f'style="width:100%;max-width:{SIZE + 2 * SIDE}px;height:auto;font-family:sans-serif">',
             f"<title>{escape(title)}</title>"]
    for ring in RINGS:
        parts.append(f'<polygon points="{_polygon([ring] * n)}" fill="none" stroke="#d0d0d7" stroke-width="1"/>')
    for i, label in enumerate(labels):
        x, y = _point(i, n, 100)
        parts.append(f'<line x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d0d7"/>')
        lx, ly = _point(i, n, 118)
        anchor = "middle" if abs(lx - CENTRE) < 8 else ("start" if lx > CENTRE else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="12" text-anchor="{anchor}" '
                     f'fill="#444">{escape(label)}</text>')
    for name, values, colour, dashed in series:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<polygon points="{_polygon(values)}" fill="{colour}" fill-opacity="{0 if dashed else 0.18}" '
                     f'stroke="{colour}" stroke-width="2"{dash}><title>{escape(name)}</title></polygon>')
    for k, (name, _values, colour, dashed) in enumerate(series):
        y = SIZE + 14 + 28 * k
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<line x1="40" y1="{y}" x2="70" y2="{y}" stroke="{colour}" stroke-width="3"{dash}/>'
                     f'<text x="78" y="{y + 4}" font-size="13" fill="#333">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


LINE_W, LINE_H = 560, 260
PAD_L, PAD_R, PAD_T, PAD_B = 36, 16, 16, 34
MARK_CHARS = 14
PALETTE = ("#3e63dd", "#e5484d", "#30a46c", "#f76b15", "#8e4ec6", "#0090ff", "#d6409f", "#978365")


def line_svg(series: list[tuple[str, list[tuple[float, float]], str]], markers: list[tuple[float, str]],
             ticks: list[tuple[float, str]], title: str) -> str:
    """A timeline: ``series`` (name, [(x, score 0-100)], colour); ``markers`` (x, label) are
    dashed vertical lines (course completions); ``ticks`` (x, label) on the time axis.
    x is any number (a timestamp); the axis spans every point, marker and tick."""
    xs = [x for _n, points, _c in series for x, _v in points] + [x for x, _l in markers] + [x for x, _l in ticks]
    if not xs:
        return ""
    lo, hi = min(xs), max(xs)
    span = (hi - lo) or 1.0
    plot_w, plot_h = LINE_W - PAD_L - PAD_R, LINE_H - PAD_T - PAD_B

    def px(x: float) -> float:
        return PAD_L + plot_w * (x - lo) / span

    def py(v: float) -> float:
        return PAD_T + plot_h * (1 - max(0.0, min(100.0, v)) / 100)

    legend_rows = (len(series) + 1) // 2
    height = LINE_H + 24 * legend_rows
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LINE_W} {height}" role="img" '
             f'aria-label="{escape(title)}" class="timeline-chart" '
             f'style="width:100%;max-width:{LINE_W}px;height:auto;font-family:sans-serif">',
             f"<title>{escape(title)}</title>"]
    for v in (0, 20, 40, 60, 80, 100):
        y = py(v)
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{LINE_W - PAD_R}" y2="{y:.1f}" stroke="#e4e4e9"/>'
                     f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#666">{v}</text>')
    for x, label in ticks:  # the ends' labels kept inside the drawing
        anchor = "start" if x == lo else "end" if x == hi else "middle"
        parts.append(f'<text x="{px(x):.1f}" y="{LINE_H - 12}" font-size="11" text-anchor="{anchor}" '
                     f'fill="#666">{escape(label)}</text>')
    for k, (x, label) in enumerate(markers):
        # the label beside its line, on the side with room, shortened (the whole in its title)
        right = px(x) > PAD_L + plot_w / 2
        short = label if len(label) <= MARK_CHARS else label[:MARK_CHARS - 1] + "…"
        parts.append(f'<g class="timeline-marker"><line x1="{px(x):.1f}" y1="{PAD_T}" x2="{px(x):.1f}" '
                     f'y2="{PAD_T + plot_h}" stroke="#8e8c99" stroke-dasharray="4 3"/>'
                     f'<title>{escape(label)}</title>'
                     f'<text x="{px(x) + (-3 if right else 3):.1f}" y="{PAD_T + 10 + 12 * (k % 2)}" font-size="10" '
                     f'text-anchor="{"end" if right else "start"}" fill="#555">{escape(short)}</text></g>')
    for name, points, colour in series:
        coords = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in points)
        parts.append(f'<g class="timeline-series"><title>{escape(name)}</title>'
                     f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}"/>' for x, v in points)
        parts.append("</g>")
    for k, (name, _points, colour) in enumerate(series):
        x, y = 40 + (k % 2) * 260, LINE_H + 12 + 24 * (k // 2)
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" stroke-width="3"/>'
                     f'<text x="{x + 30}" y="{y + 4}" font-size="12" fill="#333">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
