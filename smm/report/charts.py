"""SVG charts for the HTML report: plain SVG elements, no script, no external resource.

Each chart carries a <title> and every mark a <title> (a tooltip in browsers), so the
numbers stay readable without JavaScript. Text is escaped; labels are measured roughly
(CJK characters count as one em, others as 0.6 em) so that long or Chinese labels are
cut with an ellipsis instead of running into the marks.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from html import escape

from smm.report.words import ENGLISH

COLORS = ("#2f6f4f", "#c0622f", "#3b6ea8", "#8a5aa8", "#b08a1e", "#4f8f8f", "#a83b5a")
FONT_SIZE = 12
FONT = ("font-family=\"system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', "
        f"'Microsoft YaHei', sans-serif\" font-size=\"{FONT_SIZE}\"")
INK, MUTED, GRID = "#222", "#595959", "#e6e6e6"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# the heatmap's scale: light to dark green (both ends readable with the ink chosen per cell)
_LOW, _HIGH = (0xdf, 0xef, 0xe4), (0x1b, 0x4f, 0x36)
_EMPTY = "#f2f2f2"


def _svg(width: float, height: float, title: str, label: str | None = None) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{escape(label or title)}" {FONT}>'
            f"<title>{escape(title)}</title>")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of the rendered width: wide (CJK) characters are 1 em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def fit(text: str, room: float, size: float = FONT_SIZE) -> str:
    """`text`, cut with an ellipsis so that it fits in `room` pixels."""
    if text_width(text, size) <= room:
        return text
    out, used = "", text_width("…", size)
    for ch in text:
        used += text_width(ch, size)
        if used > room:
            break
        out += ch
    return out.rstrip() + "…"


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


def _tick(d: date, w: dict, day: bool = False, year: bool = False) -> str:
    key = "tick_" + ("day" if day else "month") + ("_year" if year else "")
    return w[key].format(month=MONTHS[d.month - 1], m=d.month, day=d.day, year=d.year)


def _date_ticks(first: date, last: date, w: dict = ENGLISH) -> list[tuple[int, str]]:
    """(ordinal, label) ticks for a time axis: days for a short span, month starts for a long one."""
    days = (last - first).days
    if days <= 45:
        step = next(s for s in (1, 2, 7, 14, 28) if days / s <= 8)
        ticks = [first.toordinal() + i for i in range(0, days + 1, step)]
        return [(t, _tick(date.fromordinal(t), w, day=True)) for t in ticks]
    months = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        if date(year, month, 1) >= first:
            months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    every = max(1, -(-len(months) // 12))
    shown = months[::every]
    if not shown or (shown[0] - first).days > days * 0.12:  # the start, when no month begins near it
        return [(first.toordinal(), _tick(first, w, day=True, year=True))] + [
            (d.toordinal(), _tick(d, w, year=d.year != first.year if i == 0 else d.month == 1))
            for i, d in enumerate(shown)]
    return [(d.toordinal(), _tick(d, w, year=i == 0 or d.month == 1)) for i, d in enumerate(shown)]


def _legend(items: list[tuple[str, str]], x0: float, y0: float, width: float) -> tuple[list[str], float]:
    """Swatch + label items flowed into rows; returns the SVG and the height used."""
    out, x, y = [], x0, y0
    for color, label in items:
        label = fit(label, width - x0 - 16)
        size = 16 + text_width(label) + 18
        if x > x0 and x + size > width:
            x, y = x0, y + 18
        out.append(f'<rect x="{x:g}" y="{y:g}" width="11" height="11" rx="2" fill="{color}"/>'
                   f'<text x="{x + 16:g}" y="{y + 10:g}" fill="{INK}">{escape(label)}</text>')
        x += size
    return out, (y - y0) + 18


def line_chart(series: dict[str, list[tuple[str, int]]], title: str, width: int = 720, height: int = 280,
               w: dict = ENGLISH) -> str:
    """Lines of (ISO date, value) per name, on a shared time axis, with a legend of the last values."""
    points = {name: [(date.fromisoformat(d).toordinal(), v) for d, v in values] for name, values in series.items() if values}
    if not points:
        return (f"{_svg(width, 80, title)}<rect x=\"0.5\" y=\"0.5\" width=\"{width - 1}\" height=\"79\" rx=\"6\" "
                f'fill="#fafafa" stroke="#ddd" stroke-dasharray="4 3"/><text x="{width / 2:g}" y="45" '
                f'text-anchor="middle" fill="{MUTED}">{escape(w["chart_empty_line"])}</text></svg>')
    xs = [x for values in points.values() for x, _ in values]
    ys = [y for values in points.values() for _, y in values]
    x0, x1 = min(xs), max(xs)
    ticks = _ticks(min(ys), max(ys))
    y0, y1 = min(ticks + ys), max(ticks + ys)
    span_x = (x1 - x0) or 1
    span_y = (y1 - y0) or 1
    colors = {name: COLORS[i % len(COLORS)] for i, name in enumerate(points)}
    legend, legend_h = _legend([(colors[name], f"{name}: {values[-1][1]:,}") for name, values in points.items()],
                               8, 6, width)
    left = 12 + max(text_width(f"{int(t):,}") for t in ticks)
    right, top, bottom = 20, 14 + legend_h, 30
    height = max(height, top + 160 + bottom)

    def px(x: float) -> float:
        return left + (x - x0) / span_x * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (y - y0) / span_y * (height - top - bottom)

    out = [_svg(width, height, title, f"{title}: " + "; ".join(
        w["chart_line_label"].format(name=name, first=f"{values[0][1]:,}", last=f"{values[-1][1]:,}")
        for name, values in points.items())), *legend]
    for tick in ticks:
        out.append(f'<line x1="{left:g}" x2="{width - right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 6:g}" y="{py(tick) + 4:.1f}" text-anchor="end" fill="{MUTED}">{int(tick):,}</text>')
    date_ticks = _date_ticks(date.fromordinal(x0), date.fromordinal(x1), w)
    for index, (tick, label) in enumerate(date_ticks):
        x = px(tick)
        anchor = "start" if index == 0 and x - text_width(label) / 2 < left - 8 else "middle"
        if x + text_width(label) / 2 > width:
            anchor = "end"
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom + 4}" stroke="{GRID}"/>'
                   f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="{anchor}" fill="{MUTED}">{label}</text>')
    out.append(f'<line x1="{left:g}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#999"/>')
    for name, values in points.items():
        color = colors[name]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in values)
        first_day, first_value = values[0]
        last_day, last_value = values[-1]
        tip = w["chart_line_tip"].format(name=name, first=f"{first_value:,}", last=f"{last_value:,}",
                                         first_day=date.fromordinal(first_day).isoformat(),
                                         last_day=date.fromordinal(last_day).isoformat())
        out.append(f'<g><title>{escape(tip)}</title>'
                   f'<polyline fill="none" stroke="{color}" stroke-width="2.2" stroke-linejoin="round" points="{path}"/>'
                   f'<circle cx="{px(last_day):.1f}" cy="{py(last_value):.1f}" r="3.5" fill="{color}"/></g>')
    out.append("</svg>")
    return "".join(out)


def _mix(t: float) -> tuple[int, int, int]:
    return tuple(round(lo + (hi - lo) * t) for lo, hi in zip(_LOW, _HIGH))


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _ink(rgb: tuple[int, int, int]) -> str:
    """Dark or white text, whichever contrasts more with the fill (WCAG relative luminance)."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    lum = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return "#fff" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.0637 else INK


def heatmap(cells: list[dict], min_samples: int, weekdays: tuple[str, ...], title: str,
            recommended: list[dict] = (), w: dict = ENGLISH) -> str:
    """Weekday × hour grid: colour by median engagement rate, the number of posts in each cell.

    The colour scale runs from the lowest to the highest median among cells with at least
    `min_samples` posts; cells with fewer are drawn pale with a dashed outline (too few to trust), and
    recommended cells are outlined.
    """
    from smm.report.formats import pct  # (formats imports this module)

    cell_w, cell_h, left, top = 27, 24, 44, 22
    grid_w = 24 * cell_w
    width = left + grid_w + 10
    height = top + 7 * cell_h + 80
    picks = {(r["weekday"], r["hour"]) for r in recommended}
    out = [_svg(width, height, title)]
    for hour in range(24):
        out.append(f'<text x="{left + hour * cell_w + (cell_w - 2) / 2:g}" y="{top - 7}" text-anchor="middle" '
                   f'font-size="10" fill="{MUTED}">{hour:02d}</text>')
    for row, name in enumerate(weekdays):
        out.append(f'<text x="{left - 8}" y="{top + row * cell_h + 16}" text-anchor="end" fill="{MUTED}">{escape(name)}</text>')
        for hour in range(24):
            out.append(f'<rect x="{left + hour * cell_w}" y="{top + row * cell_h}" width="{cell_w - 2}" '
                       f'height="{cell_h - 2}" rx="2" fill="{_EMPTY}"/>')
    trusted = [c["median_engagement_rate"] for c in cells
               if c["samples"] >= min_samples and c["median_engagement_rate"] is not None]
    low, high = min(trusted, default=0), max(trusted, default=0)
    for c in cells:
        if c["weekday"] not in weekdays:
            continue
        row, hour = weekdays.index(c["weekday"]), c["hour"]
        rate = c["median_engagement_rate"]
        x, y = left + hour * cell_w, top + row * cell_h
        shown = pct(rate) if rate is not None else w["chart_no_rate"]
        tip = w["chart_cell_tip"].format(day=c["weekday"], hour=hour, rate=shown, samples=c["samples"],
                                         plural="s" if c["samples"] != 1 else "")
        if c["samples"] >= min_samples and rate is not None:
            rgb = _mix((rate - low) / (high - low) if high > low else 1.0)
            fill, ink, extra = _hex(rgb), _ink(rgb), ""
        else:
            fill, ink, extra = "#fbfbfb", "#767676", ' stroke="#b5b5b5" stroke-dasharray="2 2"'
            tip += w["chart_cell_few"].format(min=min_samples)
        if (c["weekday"], hour) in picks:
            extra = ' stroke="#c0622f" stroke-width="2.5"'
            tip += w["chart_cell_recommended"]
        out.append(f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" rx="2" '
                   f'fill="{fill}"{extra}/><text x="{x + (cell_w - 2) / 2:g}" y="{y + 15}" text-anchor="middle" '
                   f'font-size="11" fill="{ink}">{c["samples"]}</text></g>')
    if not cells:
        out.append(f'<text x="{left + grid_w / 2:g}" y="{top + 3.5 * cell_h + 4:g}" text-anchor="middle" '
                   f'fill="{MUTED}">{escape(w["chart_empty_heatmap"])}</text>')
    out += _heatmap_legend(left, top + 7 * cell_h + 14, low, high, bool(trusted), min_samples, w)
    return "".join(out)


def _heatmap_legend(left: float, y: float, low: float, high: float, trusted: bool, min_samples: int,
                    w: dict) -> list[str]:
    """The heatmap's legend: the colour scale with its two ends, then the two other encodings."""
    from smm.report.formats import pct  # (formats imports this module)

    out = []
    out.append(f'<text x="{left}" y="{y + 11}" fill="{MUTED}">{escape(w["legend_rate"])}</text>')
    x = left + text_width(w["legend_rate"]) + 10
    out.append(f'<text x="{x:g}" y="{y + 11}" fill="{INK}">{pct(low) if trusted else "–"}</text>')
    x += text_width(pct(low) if trusted else "–") + 6
    for step in range(6):
        out.append(f'<rect x="{x + step * 18:g}" y="{y}" width="18" height="14" fill="{_hex(_mix(step / 5))}"/>')
    x += 6 * 18 + 6
    out.append(f'<text x="{x:g}" y="{y + 11}" fill="{INK}">{pct(high) if trusted else "–"}</text>')
    y += 22
    few = w["legend_few"].format(min=min_samples)
    out.append(f'<rect x="{left}" y="{y}" width="18" height="14" rx="2" fill="#fbfbfb" stroke="#b5b5b5" '
               f'stroke-dasharray="2 2"/><text x="{left + 24}" y="{y + 11}" fill="{MUTED}">{escape(few)}</text>')
    x = left + 24 + text_width(few) + 22
    out.append(f'<rect x="{x:g}" y="{y + 1}" width="17" height="12" rx="2" fill="none" stroke="#c0622f" '
               f'stroke-width="2.5"/><text x="{x + 24:g}" y="{y + 11}" fill="{MUTED}">'
               f'{escape(w["legend_recommended"])}</text>')
    out.append(f'<text x="{left}" y="{y + 34}" fill="{MUTED}">{escape(w["legend_number"])}</text></svg>')
    return out


def bar_chart(bars: list[tuple[str, float]], title: str, unit: str = "%", width: int = 720,
              notes: list[str] | None = None, w: dict = ENGLISH, langs: list[str | None] | None = None) -> str:
    """Horizontal bars, in the order given: the label (and a muted note) above each bar. `langs`: the
    language marked on each label (None: none; default: none marked)."""
    from smm.report.formats import decimals  # (formats imports this module)

    row, left = 40, 8
    room = width - left - 8
    height = 10 + row * max(len(bars), 1)
    out = [_svg(width, height, title)]
    if not bars:
        out.append(f'<text x="{left}" y="26" fill="{MUTED}">{escape(w["chart_empty_bars"])}</text>')
    high = max((v for _, v in bars), default=0) or 1
    for index, (label, value) in enumerate(bars):
        y = 4 + index * row
        note = (notes or [""] * len(bars))[index] if notes else ""
        value_text = decimals(value, 2) + unit
        length = max((room - text_width(value_text) - 10) * value / high, 1)
        note_text = f"  {note}" if note else ""
        head = f"{index + 1}. "
        shown = escape(fit(label, room - text_width(head) - text_width(note_text)))
        if langs and langs[index]:
            shown = f'<tspan lang="{escape(langs[index])}">{shown}</tspan>'
        out.append(f'<g><title>{escape(label)}{" (" + escape(note) + ")" if note else ""}: {value_text}</title>'
                   f'<text x="{left}" y="{y + 13}" fill="{INK}"><tspan fill="{MUTED}">{head}</tspan>{shown}'
                   + (f'<tspan fill="{MUTED}">{escape(note_text)}</tspan>' if note else "") + "</text>"
                   f'<rect x="{left}" y="{y + 19}" width="{length:.1f}" height="13" rx="2" fill="{COLORS[0]}"/>'
                   f'<text x="{left + length + 6:.1f}" y="{y + 30}" fill="{INK}" font-weight="600">{value_text}</text></g>')
    out.append("</svg>")
    return "".join(out)
