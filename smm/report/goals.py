"""brand/goals.yml: SMART goals, their progress and a trend forecast to each deadline.

    goals:
      - id: bluesky-followers
        description: Grow Bluesky to 2,500 followers by the end of March
        metric: followers          # followers | engagement_rate | interactions | posts
        account: bluesky           # optional: every account together without it
        baseline: 800
        target: 2500
        start: 2026-05-01          # optional: when the baseline was measured
        deadline: 2027-03-31

A goal's value on a day: `followers` is the follower count then (summed over the
accounts); the others are over the 30 days before it (`engagement_rate`: the mean rate of
the posts published then; `interactions`: their interactions; `posts`: how many went out).

The forecast fits a least-squares line to the values of the last 90 days up to the
report's end (daily for followers, weekly for the others; never before `start`) and reads
it at the deadline (never below 0: every metric is a count, or a share of counts). Status: `achieved` when the current value reaches the target; else
`missed` when the deadline has passed; else `on track` when the forecast reaches it,
`at risk` when it does not; `no data` without enough values for a trend.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from smm.check.diagnostics import ERROR, Diagnostic
from smm.report.kpis import MeasuredPost, count_at, linear_fit, mean
from smm.workspace.config import YamlFile
from smm.workspace.settings import GOALS_FILE
from smm.workspace.timezones import YEARS, YEARS_TEXT

ROLLING = timedelta(days=30)
TREND_WINDOW = timedelta(days=90)
MIN_POINTS = 3


def goals_from(loaded: YamlFile, accounts=None) -> tuple[list[dict], list[Diagnostic]]:
    """brand/goals.yml → the goals (none without the file or with problems) and every problem in it,
    each goal's own checks too when another goal breaks the schema; `accounts`: the account
    names a goal may name (None: not judged)."""
    goals = loaded.data.get("goals")
    found: list[Diagnostic] = list(loaded.diagnostics)
    seen: set[str] = set()
    for index, goal in enumerate(goals if isinstance(goals, list) else []):
        if isinstance(goal, dict):
            found += _goal_problems(loaded, index, goal, seen, accounts)
    return ([] if found else list(goals or [])), found


def _goal_problems(loaded: YamlFile, index: int, goal: dict, seen: set[str], accounts) -> list[Diagnostic]:
    """One goal's id, dates and account, as far as the schema let them through (its own errors
    on a field are not repeated)."""
    at = loaded.positions.at
    judged = {(d.line, d.column) for d in loaded.diagnostics}
    text = {key: goal[key] for key in ("id", "start", "deadline", "account")
            if isinstance(goal.get(key), str) and at(("goals", index, key))[:2] not in judged}
    found = []
    if "id" in text and text["id"] in seen:
        found.append(Diagnostic.at(GOALS_FILE, at(("goals", index, "id")), ERROR, "goals.duplicate-id",
                                   f"goal id `{text['id']}` is used twice"))
    seen.add(text.get("id", ""))
    days = {}
    for key in ("start", "deadline"):
        if key in text:
            try:
                days[key] = date.fromisoformat(text[key])
            except ValueError:
                found.append(Diagnostic.at(GOALS_FILE, at(("goals", index, key)), ERROR, "goals.date",
                                           f"`{key}` {text[key]} is not a real date"))
                continue
            if days[key].year not in YEARS:  # as every time smm reads: the report's days overflow near 9999
                found.append(Diagnostic.at(GOALS_FILE, at(("goals", index, key)), ERROR, "goals.date",
                                           f"`{key}` {text[key]} is not in {YEARS_TEXT}"))
                del days[key]
    if len(days) == 2 and days["deadline"] < days["start"]:
        found.append(Diagnostic.at(GOALS_FILE, at(("goals", index, "deadline")), ERROR, "goals.deadline",
                                   f"`deadline` {text['deadline']} is before `start` {text['start']}",
                                   "the deadline is the day the target is due, after the baseline was measured"))
    if accounts is not None and text.get("account") and text["account"] not in accounts:
        found.append(Diagnostic.at(GOALS_FILE, at(("goals", index, "account")), ERROR, "goals.unknown-account",
                                   f"no account `{text['account']}` in platforms.yml",
                                   f"accounts are: {', '.join(accounts) or 'none'}"))
    return found



@dataclass
class Context:
    """What goal values are computed from."""

    followers: dict[str, list[tuple[datetime, int]]]
    entries: list[MeasuredPost]  # every post on every account published before the report's end
    tz: tzinfo
    by_time: list[tuple[datetime, int]] = field(init=False)  # (published_at, index in entries), sorted

    def __post_init__(self) -> None:
        self.by_time = sorted((e.published_at, i) for i, e in enumerate(self.entries))

    def published_between(self, first: datetime, end: datetime) -> list[MeasuredPost]:
        """The entries published in [first, end), in their order in `entries`."""
        low = bisect.bisect_left(self.by_time, first, key=lambda item: item[0])
        high = bisect.bisect_left(self.by_time, end, key=lambda item: item[0])
        return [self.entries[i] for i in sorted(i for _, i in self.by_time[low:high])]


def value_at(goal: dict, ctx: Context, moment: datetime) -> float | None:
    account = goal.get("account")
    metric = goal["metric"]
    if metric == "followers":
        names = [account] if account else sorted(ctx.followers)
        counts = [count_at(ctx.followers.get(n, []), moment, fallback_after=False) for n in names]
        counts = [c for c in counts if c is not None]
        return float(sum(counts)) if counts else None
    recent = [e for e in ctx.published_between(moment - ROLLING, moment) if not account or e.account == account]
    if metric == "posts":
        return float(len({e.post_id for e in recent}))
    measured = [e for e in recent if e.collected]
    if metric == "interactions":
        return float(sum(e.interactions for e in measured)) if measured else None
    return mean(e.rate for e in measured)


def evaluate(goal: dict, ctx: Context, end: datetime) -> dict:
    """Progress, forecast and status of one goal as of `end`."""
    tz = ctx.tz
    deadline = date.fromisoformat(goal["deadline"])
    due = datetime.combine(deadline + timedelta(days=1), time(), tzinfo=tz)  # the end of the deadline day
    baseline, target = float(goal["baseline"]), float(goal["target"])
    rising = target >= baseline
    current = value_at(goal, ctx, end)
    first = end - TREND_WINDOW
    if goal.get("start"):
        first = max(first, datetime.combine(date.fromisoformat(goal["start"]), time(), tzinfo=tz))
    step = timedelta(days=1) if goal["metric"] == "followers" else timedelta(days=7)
    points = []
    moment = end
    while moment >= first:
        value = value_at(goal, ctx, moment)
        if value is not None:
            points.append(((moment - end).total_seconds() / 86400, value))
        moment -= step
    points.reverse()
    fit = linear_fit(points) if len(points) >= MIN_POINTS else None
    days_left = (due - end).total_seconds() / 86400
    forecast = None
    if fit is not None:
        slope, intercept = fit
        forecast = max(0.0, intercept + slope * max(days_left, 0.0))  # every metric is a count, or a share of counts

    def reached(value: float | None) -> bool:
        return value is not None and (value >= target if rising else value <= target)

    if current is None:
        status = "no data"
    elif reached(current):
        status = "achieved"
    elif days_left <= 0:
        status = "missed"
    elif forecast is None:
        status = "no data"
    else:
        status = "on track" if reached(forecast) else "at risk"
    span = target - baseline
    progress = (current - baseline) / span * 100 if current is not None and span else None
    return {
        "id": goal["id"], "description": goal.get("description"), "metric": goal["metric"],
        "account": goal.get("account"), "baseline": goal["baseline"], "target": goal["target"],
        "start": goal.get("start"), "deadline": goal["deadline"],
        "current": _round(current), "progress_pct": _round(progress, 1),
        "trend_per_day": _round(fit[0]) if fit else None, "forecast": _round(forecast),
        "days_left": max(0, round(days_left)), "status": status,
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
