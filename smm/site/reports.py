"""The report pages: the report (smm.report) of each prebuilt period, with a period switcher.

Periods: the last 7, 30 and 90 days up to now, and each calendar month (local) with a
publish record or collected data, the current one up to now. A page is rebuilt only when
its period or the data it reads (data/, brand/goals.yml, the published posts' titles) changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from smm.site.output import digest, plain_digest, stamp

ROLLING = (7, 30, 90)
DATA_DIRS = ("data/metrics", "data/accounts", "data/published", "data/inbox", "data/mentions", "data/competitors")


@dataclass(frozen=True)
class Period:
    slug: str  # "30d", "2026-11"
    start: datetime
    end: datetime
    days: int | None  # rolling periods: their length

    @property
    def path(self) -> str:
        return f"report/{self.slug}/index.html"


def periods(repo, now: datetime, months: set[date] | None = None) -> list[Period]:
    """The rolling periods, then each month with data (`months`: data_months(), when known), newest first."""
    tz = repo.config.timezone
    found = [Period(f"{days}d", now - timedelta(days=days), now, days) for days in ROLLING]
    local_now = now.astimezone(tz)
    for month in sorted(data_months(repo) if months is None else months, reverse=True):
        first = datetime.combine(month, time(), tzinfo=tz)
        if first > now:
            continue
        nxt = datetime.combine((month.replace(day=28) + timedelta(days=4)).replace(day=1), time(), tzinfo=tz)
        found.append(Period(f"{month:%Y-%m}", first, min(nxt, now) if month == local_now.date().replace(day=1) else nxt,
                            None))
    return found


def data_months(repo) -> set[date]:
    """Months (first days) with a publish record or a month file of metrics or followers."""
    from smm.data.jobs import parse_time

    tz = repo.config.timezone
    months = set()
    for record in repo.records.values():
        for job in record.accounts.values():
            when = parse_time(job.get("published_at")) if isinstance(job, dict) and job.get("state") == "published" else None
            if when is not None:
                months.add(when.astimezone(tz).date().replace(day=1))
    for folder in ("data/metrics", "data/accounts"):
        path = repo.root / folder
        for name in (os.listdir(path) if path.is_dir() else []):
            try:
                months.add(datetime.strptime(name, "%Y-%m.csv").date())
            except ValueError:
                continue
    return months


def folder_state(root, folder: str) -> list[tuple]:
    """(folder, name, stamp) of each file in `folder` (relative to `root`)."""
    path = os.path.join(root, folder)
    state = []
    if os.path.isdir(path):
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            state.append((folder, entry.name, stamp(entry.stat())))
    return state


def data_files(root) -> list[tuple]:
    """folder_state() of each of DATA_DIRS, one after the other."""
    return [row for folder in DATA_DIRS for row in folder_state(root, folder)]


def data_state(repo, state: list[tuple]) -> str:
    """A digest of what the reports read: data/ by file stat (`state`: data_files()), the goals, the
    calendar and what they show of each published post (a re-share's is its post's)."""
    from smm.content.derived import base_id
    from smm.report import shown_of

    published = {base_id(post_id) for post_id in repo.records}
    posts = [(p.id, shown_of(p), p.publish_at.timestamp() if p.publish_at else None)
             for p in repo.posts if p.id in published]
    return digest(plain_digest((state, posts)), repo.goals, repo.calendar)


def period_key(settings: str, state: str, period: Period, now: datetime) -> str:
    return digest(settings, state, period.slug, period.start, period.end, now if period.days else None)


def switcher(all_periods: list[Period], current: Period, up: str, messages: dict) -> list[tuple[str, str, bool]]:
    """The switcher's links: (label, relative href, is this page)."""
    return [(messages["last_days"].format(days=p.days) if p.days else p.slug, up + p.path, p == current)
            for p in all_periods]
