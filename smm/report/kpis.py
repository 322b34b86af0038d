"""The report's arithmetic: pure functions of entries (one per post and account) and follower series.

Definitions (the report prints them too):

- interactions: likes + reposts + replies + quotes of a post on an account, as last
  collected before the period's end (a count the network does not give counts 0; a post
  with no collected row has no interactions, not 0).
- engagement rate (by followers): interactions ÷ the account's followers at post time × 100,
  where followers at post time is the last count collected at or before the post went
  out (or, when none is that old, the first count after it).
- engagement rate by views: interactions ÷ views × 100, only for posts whose network
  reports views.
- an account's (or a group's) engagement rate is the mean of its posts' rates.
- followers at the start of the period: the last count at or before the start (or the
  first one in the period); at the end: the last count before the end. Growth is end −
  start; growth % is growth ÷ start × 100.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

INTERACTIONS = ("likes", "reposts", "replies", "quotes")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIN_SAMPLES = 5  # posts a weekday × hour cell needs before it is recommended
RECOMMENDATIONS = 3
TOP = 5


@dataclass(frozen=True)
class MeasuredPost:
    """One post on one account: when it went out, and its latest counts (None: not collected)."""

    post_id: str
    title: str
    account: str
    platform: str
    published_at: datetime  # aware
    pillar: str | None = None
    campaign: str | None = None
    url: str | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    clicks: int | None = None
    collected: bool = False  # a metrics row exists
    followers: int | None = None  # the account's followers at post time
    audience: tuple[str, ...] = ()  # the personas the post is for

    @property
    def interactions(self) -> int | None:
        if not self.collected:
            return None
        return 0 + (self.likes or 0) + (self.reposts or 0) + (self.replies or 0) + (self.quotes or 0)  # INTERACTIONS

    @property
    def rate(self) -> float | None:
        """Engagement rate by followers, in percent."""
        return percent(self.interactions, self.followers)

    @property
    def view_rate(self) -> float | None:
        """Engagement rate by views, in percent."""
        return percent(self.interactions, self.views)


def percent(part: int | float | None, whole: int | float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole * 100


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# -- followers ------------------------------------------------------------------------------


def count_at(series: list[tuple[datetime, int]], moment: datetime, fallback_after: bool = True) -> int | None:
    """The last count at or before `moment`; else (with fallback_after) the first one after it."""
    if not series:
        return None
    index = bisect.bisect_right(series, moment, key=lambda item: item[0])
    if index:
        return series[index - 1][1]
    return series[0][1] if fallback_after else None


def growth(series: list[tuple[datetime, int]], start: datetime, end: datetime) -> dict:
    """Followers at the start and the end of [start, end), growth and growth %."""
    before = count_at(series, start, fallback_after=False)
    inside = [count for at, count in series if start <= at < end]
    first = before if before is not None else (inside[0] if inside else None)
    last = inside[-1] if inside else before
    change = last - first if first is not None and last is not None else None
    return {"start": first, "end": last, "growth": change, "growth_pct": _round(percent(change, first))}


def daily(series: list[tuple[datetime, int]], start: datetime, end: datetime, tz: tzinfo) -> list[tuple[str, int]]:
    """The last count of each local day in [start, end)."""
    days: dict[str, int] = {}
    for at, count in series:
        if start <= at < end:
            days[at.astimezone(tz).date().isoformat()] = count
    return sorted(days.items())


# -- groups of entries ----------------------------------------------------------------------------


def summary(entries: list[MeasuredPost]) -> dict:
    """Posts, interactions and engagement rates of a group of entries."""
    measured = [e for e in entries if e.collected]
    views = [e.views for e in measured if e.views is not None]
    return {
        "posts": len({e.post_id for e in entries}),
        "measured": len(measured),
        "interactions": sum(e.interactions for e in measured) if measured else None,
        "likes": _total(measured, "likes"), "reposts": _total(measured, "reposts"),
        "replies": _total(measured, "replies"), "quotes": _total(measured, "quotes"),
        "views": sum(views) if views else None, "clicks": _total(measured, "clicks"),
        "engagement_rate": _round(mean(e.rate for e in measured)),
        "engagement_rate_by_views": _round(mean(e.view_rate for e in measured)),
    }


def _total(entries: list[MeasuredPost], name: str) -> int | None:
    values = [getattr(e, name) for e in entries if getattr(e, name) is not None]
    return sum(values) if values else None


def groups(entries: list[MeasuredPost], key: str) -> list[dict]:
    """Summaries per campaign or pillar (entries without one are left out), most interactions first."""
    by: dict[str, list[MeasuredPost]] = {}
    for e in entries:
        name = getattr(e, key)
        if name:
            by.setdefault(name, []).append(e)
    rows = [{key: name, **summary(items)} for name, items in by.items()]
    return sorted(rows, key=lambda r: (-(r["interactions"] or 0), r[key]))


def item(e: MeasuredPost, tz: tzinfo) -> dict:
    return {"post": e.post_id, "title": e.title, "account": e.account, "platform": e.platform,
            "published_at": e.published_at.astimezone(tz).isoformat(timespec="minutes"), "url": e.url,
            "pillar": e.pillar, "campaign": e.campaign, "likes": e.likes, "reposts": e.reposts, "replies": e.replies,
            "quotes": e.quotes, "views": e.views, "clicks": e.clicks, "interactions": e.interactions,
            "followers_at_post": e.followers, "engagement_rate": _round(e.rate),
            "engagement_rate_by_views": _round(e.view_rate)}


def ranked(entries: list[MeasuredPost], count: int = TOP) -> tuple[list[MeasuredPost], list[MeasuredPost]]:
    """The `count` best and worst entries by engagement rate (worst first); none in both."""
    rated = sorted((e for e in entries if e.rate is not None),
                   key=lambda e: (-e.rate, -(e.interactions or 0), e.post_id, e.account))
    top = rated[:count]
    rest = rated[len(top):]
    bottom = list(reversed(rest))[:count]
    return top, bottom


# -- the calendar ---------------------------------------------------------------------------------


def planned_slots(calendar, tz: tzinfo, start: datetime, end: datetime) -> int:
    """Occurrences of the calendar's weekly slots in [start, end)."""
    count = 0
    day: date = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        for slot in calendar.slots:
            if slot.weekday == day.weekday() and start <= datetime.combine(day, slot.at, tzinfo=tz) < end:
                count += 1
        day += timedelta(days=1)
    return count


# -- best times -------------------------------------------------------------------------------------


def best_times(entries: list[MeasuredPost], tz: tzinfo, min_samples: int = MIN_SAMPLES) -> dict:
    """Median engagement rate per local weekday × hour of publishing, with sample counts.

    A cell is recommended only when it holds at least `min_samples` measured posts.
    """
    cells: dict[tuple[int, int], list[float]] = {}
    for e in entries:
        if e.rate is None:
            continue
        local = e.published_at.astimezone(tz)
        cells.setdefault((local.weekday(), local.hour), []).append(e.rate)
    table = [{"weekday": WEEKDAYS[d], "hour": h, "median_engagement_rate": _round(median(rates)), "samples": len(rates)}
             for (d, h), rates in sorted(cells.items())]
    ready = [c for c in table if c["samples"] >= min_samples]
    best = sorted(ready, key=lambda c: (-c["median_engagement_rate"], -c["samples"], WEEKDAYS.index(c["weekday"]),
                                        c["hour"]))[:RECOMMENDATIONS]
    return {"metric": "median engagement rate (%) by local weekday and hour of publishing",
            "min_samples": min_samples, "samples": sum(c["samples"] for c in table), "cells": table,
            "recommendations": [{"weekday": c["weekday"], "hour": c["hour"],
                                 "median_engagement_rate": c["median_engagement_rate"], "samples": c["samples"]}
                                for c in best]}


# -- trends ---------------------------------------------------------------------------------------


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) of y over x; None with fewer than 2 distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    slope = sxy / sxx
    return slope, my - slope * mx


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
