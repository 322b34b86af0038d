"""Alerts: a day whose brand mentions, or whose negative share of them, is far above its baseline.

A day's baseline is the median of the 28 days before it (days before the first mention recorded are
not history: listening had not started); how far is counted in median absolute deviations (MAD) of
those 28 days, scaled by 1.4826 so that a MAD is a standard deviation for normally spread counts (the
usual robust convention: Leys et al. 2013, "Detecting outliers: do not use standard deviation around the
mean, use absolute deviation around the median"). A day is flagged at 3 MAD or more above the median,
so an ordinary day is flagged about once in 700. A flat baseline has a MAD of 0:
the MAD is taken as at least 1 mention (5 percentage points of negative share), so one extra
mention on a quiet day is no alert. A baseline needs 14 days of history; the negative share is
judged only on days with at least 10 mentions (and its baseline on such days).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import date, timedelta

from smm.report.sections import Section, Table
from smm.report.words import ENGLISH

THRESHOLD = 3.0  # MAD above the median
BASELINE_DAYS = 28
MIN_HISTORY = 14  # days of baseline needed
MIN_MENTIONS = 10  # a day's negative share is judged from this many mentions
FLOORS = {"mentions": 1.0, "negative_share": 0.05}  # the least MAD counted
SCALE = 1.4826  # MAD × SCALE estimates the standard deviation of a normal distribution
RULE_NUMBERS = dict(threshold=THRESHOLD, scale=SCALE, days=BASELINE_DAYS, history=MIN_HISTORY, least=MIN_MENTIONS)
RULE = ENGLISH["alert_rule"].format(**RULE_NUMBERS)


def deviation(value: float, history: list[float], floor: float) -> tuple[float, float, float] | None:
    """(median, MAD, how many MADs `value` is above the median) of a baseline; None when it is too short."""
    if len(history) < MIN_HISTORY:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history) * SCALE
    return median, mad, (value - median) / max(mad, floor)


def series(daily: dict[date, Counter], first: date, last: date) -> dict[str, dict[date, float]]:
    """Each day's mention count (from `first`, days without mentions count 0) and negative share (days with
    at least MIN_MENTIONS mentions), up to `last`."""
    volume, share = {}, {}
    day = first
    while day <= last:
        counts = daily.get(day, Counter())
        volume[day] = float(counts["mentions"])
        if counts["mentions"] >= MIN_MENTIONS:
            share[day] = counts["negative"] / counts["mentions"]
        day += timedelta(days=1)
    return {"mentions": volume, "negative_share": share}


def find(daily: dict[date, Counter], days: list[date]) -> list[dict]:
    """The alerts of `days` (local days), oldest first; `daily` holds every day's counts, from the first
    day anything was recorded."""
    if not daily or not days:
        return []
    known = series(daily, min(daily), max(days))
    found = []
    for day in days:
        for metric, values in known.items():
            if day not in values:
                continue
            history = [values[d] for d in (day - timedelta(days=i) for i in range(1, BASELINE_DAYS + 1)) if d in values]
            measured = deviation(values[day], history, FLOORS[metric])
            if measured and measured[2] >= THRESHOLD:
                found.append(_alert(day, metric, values[day], *measured, daily.get(day, Counter())))
    return found


def _alert(day: date, metric: str, value: float, median: float, mad: float, score: float, counts: Counter) -> dict:
    score = round(score, 1)
    if metric == "mentions":
        said = (f"{day}: {int(value)} mentions, {score:.1f} MAD above the {BASELINE_DAYS}-day median of {median:g}")
    else:
        said = (f"{day}: {value * 100:.0f}% negative ({counts['negative']} of {counts['mentions']} mentions), "
                f"{score:.1f} MAD above the {BASELINE_DAYS}-day median of {median * 100:.0f}%")
    return {"date": day.isoformat(), "metric": metric, "value": round(value, 4), "baseline_median": round(median, 4),
            "mad": round(mad, 4), "deviations": score, "message": said}


def _how_far(a: dict, w: dict) -> str:
    """How far above its baseline the alert's day is (English: its message without the day)."""
    share = a["metric"] == "negative_share"
    shown = (lambda x: f"{x * 100:.0f}%") if share else (lambda x: f"{x:g}")
    return w["alert_how_far"].format(message=a["message"].split(": ", 1)[1], value=shown(a["value"]),
                                     median=shown(a["baseline_median"]), score=a["deviations"], days=BASELINE_DAYS)


def section(d: dict, w: dict = ENGLISH) -> Section | None:
    alerts = d["alerts"]
    if not alerts:
        return None
    return Section(w["alerts"], [Table([w["day"], w["what"], w["how_far"]],
                                       [[a["date"], w["alert_" + a["metric"]], _how_far(a, w)] for a in alerts]),
                                 w["rule"].format(rule=w["alert_rule"].format(**RULE_NUMBERS))])


def write(alerts: list[dict], fmt: str) -> str:
    """`smm report --alerts`: the alerts alone as text, Markdown (the scheduled job's summary) or JSON."""
    if fmt == "json":
        return json.dumps({"alerts": alerts}, ensure_ascii=False, indent=2) + "\n"
    none = f"No alert: brand mentions and their negative share stayed under {THRESHOLD:g} MAD above their baseline."
    if fmt == "markdown":
        lines = [f"- ⚠️ {a['message']}" for a in alerts] or [none]
        return "\n".join(["### smm alerts", "", *lines, ""]) + "\n"
    return "\n".join([f"alert: {a['message']}" for a in alerts] or [none]) + "\n"
