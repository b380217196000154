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
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE + 28 * len(series)}" '
             f'role="img" aria-label="{escape(title)}" class="radar-chart" '
             f'style="width:100%;max-width:{SIZE}px;height:auto;font-family:sans-serif">',
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
