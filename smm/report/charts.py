"""SVG charts for the HTML report: plain SVG elements, no script, no external resource.

Each chart carries a <title> and every mark a <title> (a tooltip in browsers), so the
numbers stay readable without JavaScript.
"""

from __future__ import annotations

from datetime import date
from html import escape

COLORS = ("#2f6f4f", "#c0622f", "#3b6ea8", "#8a5aa8", "#b08a1e", "#4f8f8f", "#a83b5a")
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" font-size=\"11\""


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = (low // step) * step
    ticks, value = [], first
    while value <= high + step / 2:
        if value >= low - step / 2:
            ticks.append(value)
        value += step
    return ticks


def line_chart(series: dict[str, list[tuple[str, int]]], title: str, width: int = 720, height: int = 260) -> str:
    """Lines of (ISO date, value) per name, on a shared time axis."""
    points = {name: [(date.fromisoformat(d).toordinal(), v) for d, v in values] for name, values in series.items() if values}
    head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" {FONT}>'
    if not points:
        return (f'{head}<title>{escape(title)}</title><text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                f'fill="#666">no follower counts in this period</text></svg>')
    left, right, top, bottom = 64, 16, 28, 36
    xs = [x for values in points.values() for x, _ in values]
    ys = [y for values in points.values() for _, y in values]
    x0, x1 = min(xs), max(xs)
    ticks = _ticks(min(ys), max(ys))
    y0, y1 = min(ticks + ys), max(ticks + ys)
    span_x = (x1 - x0) or 1
    span_y = (y1 - y0) or 1

    def px(x: float) -> float:
        return left + (x - x0) / span_x * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (y - y0) / span_y * (height - top - bottom)

    out = [head, f"<title>{escape(title)}</title>"]
    for tick in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" fill="#555">{int(tick):,}</text>')
    for x, anchor in ((x0, "start"), (x1, "end")):
        out.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}" fill="#555">'
                   f'{date.fromordinal(x).isoformat()}</text>')
    for index, (name, values) in enumerate(points.items()):
        color = COLORS[index % len(COLORS)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in values)
        last_x, last_y = values[-1]
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}">'
                   f'<title>{escape(name)}: {values[0][1]:,} → {last_y:,}</title></polyline>')
        out.append(f'<circle cx="{px(last_x):.1f}" cy="{py(last_y):.1f}" r="3" fill="{color}"/>')
        out.append(f'<rect x="{left + index * 130}" y="8" width="10" height="10" fill="{color}"/>'
                   f'<text x="{left + index * 130 + 14}" y="17" fill="#222">{escape(name)} ({last_y:,})</text>')
    out.append("</svg>")
    return "".join(out)


def heatmap(cells: list[dict], min_samples: int, weekdays: tuple[str, ...], title: str) -> str:
    """Weekday × hour grid: colour by median engagement rate, the sample count in each cell.

    Cells with fewer than `min_samples` posts are drawn faint: too few to trust.
    """
    cell_w, cell_h, left, top = 26, 22, 40, 22
    width, height = left + 24 * cell_w + 8, top + 7 * cell_h + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" {FONT}><title>{escape(title)}</title>']
    for hour in range(0, 24, 2):
        out.append(f'<text x="{left + hour * cell_w + cell_w / 2}" y="{top - 8}" text-anchor="middle" fill="#555">{hour:02d}</text>')
    for row, name in enumerate(weekdays):
        out.append(f'<text x="{left - 6}" y="{top + row * cell_h + 15}" text-anchor="end" fill="#555">{name}</text>')
        for hour in range(24):
            out.append(f'<rect x="{left + hour * cell_w}" y="{top + row * cell_h}" width="{cell_w - 2}" '
                       f'height="{cell_h - 2}" fill="#f3f3f3"/>')
    rates = [c["median_engagement_rate"] for c in cells if c["median_engagement_rate"] is not None]
    high = max(rates, default=0) or 1
    for c in cells:
        row, hour = weekdays.index(c["weekday"]), c["hour"]
        strength = (c["median_engagement_rate"] or 0) / high
        opacity = 0.15 + 0.85 * strength if c["samples"] >= min_samples else 0.12 + 0.2 * strength
        x, y = left + hour * cell_w, top + row * cell_h
        ink = "#fff" if c["samples"] >= min_samples and strength > 0.55 else "#222"
        out.append(f'<g><title>{c["weekday"]} {hour:02d}:00 · median {c["median_engagement_rate"]:.2f}% · '
                   f'{c["samples"]} post{"s" if c["samples"] != 1 else ""}</title>'
                   f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#2f6f4f" '
                   f'fill-opacity="{opacity:.2f}"/>'
                   f'<text x="{x + (cell_w - 2) / 2}" y="{y + 14}" text-anchor="middle" fill="{ink}">{c["samples"]}</text></g>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="#555">number = posts in the cell; darker = higher median '
               f'engagement rate; faint = fewer than {min_samples} posts</text></svg>')
    return "".join(out)


def bar_chart(bars: list[tuple[str, float]], title: str, unit: str = "%", width: int = 720) -> str:
    """Horizontal bars, largest first as given."""
    row, left, label_w = 24, 8, 330
    height = 12 + row * max(len(bars), 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" {FONT}><title>{escape(title)}</title>']
    if not bars:
        out.append(f'<text x="{left}" y="20" fill="#666">no measured posts in this period</text>')
    high = max((v for _, v in bars), default=0) or 1
    for index, (label, value) in enumerate(bars):
        y = 6 + index * row
        length = (width - label_w - 70) * value / high
        shown = label if len(label) <= 52 else label[:51] + "…"
        out.append(f'<g><title>{escape(label)}: {_num(value)}{unit}</title>'
                   f'<text x="{left}" y="{y + 14}" fill="#222">{escape(shown)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{max(length, 1):.1f}" height="{row - 8}" fill="{COLORS[0]}"/>'
                   f'<text x="{label_w + length + 6:.1f}" y="{y + 14}" fill="#222">{value:.2f}{unit}</text></g>')
    out.append("</svg>")
    return "".join(out)
