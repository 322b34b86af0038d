"""The report pages: the report (smm.report) of each prebuilt period, with a period switcher.

Periods: the last 7, 30 and 90 days up to now, and each calendar month (local) with a
publish record or collected data, the current one up to now. A page is rebuilt only when
its period or the data it reads (data/, brand/goals.yml, the published posts' titles) changed.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property

from smm.site.output import digest, plain_digest, stamp
from smm.workspace.cache import MISS, recall, remember

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
    from smm.workspace.timezones import YEARS

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
    return {month for month in months if month.year in YEARS}  # (a file `0001-01.csv`: no report of year 1)


def folder_state(root, folder: str) -> list[tuple]:
    """(folder, name, stamp) of each file in `folder` (relative to `root`); an entry that cannot be
    stat'ed (a broken link) has its error's number instead: the reader then says what is wrong."""
    path = os.path.join(root, folder)
    state = []
    if os.path.isdir(path):
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            try:
                state.append((folder, entry.name, stamp(entry.stat())))
            except OSError as exc:
                state.append((folder, entry.name, exc.errno))
    return state


def data_files(root) -> list[tuple]:
    """folder_state() of each of DATA_DIRS, one after the other."""
    return [row for folder in DATA_DIRS for row in folder_state(root, folder)]


def data_state(repo, state: list[tuple], shown: str) -> str:
    """A digest of what the reports read: data/ by file stat (`state`: data_files()), the goals, the
    calendar and what they show of each published post (`shown`: a digest of the shown_row() of each post named())."""
    return digest(plain_digest(state), shown, repo.goals, repo.calendar)


def named(repo) -> set[str]:
    """The ids of the posts a publish record names, as itself or as the post of a re-share or a comment."""
    from smm.content.derived import base_id

    found = set(repo.records)
    found.update([base_id(post_id) for post_id in found])
    return found


def shown_row(post) -> tuple:
    """(id, publish_at, smm.report.shown_of()): what the reports read of a post a publish record names
    (named()), besides its id."""
    from smm.report import shown_of

    return post.id, str(post.publish_at), shown_of(post)


def period_key(settings: str, state: str, period: Period, now: datetime) -> str:
    return digest(settings, state, period.slug, period.start, period.end, now if period.days else None)


def switcher(all_periods: list[Period], current: Period, up: str, messages: dict) -> list[tuple[str, str, bool]]:
    """The switcher's links: (label, relative href, is this page)."""
    return [(messages["last_days"].format(days=p.days) if p.days else p.slug, up + p.path, p == current)
            for p in all_periods]


def history(repo, key: str, language: str):
    """smm.report.History for the report pages, its jobs kept in the cache folder while `key`
    (history_key()) is the same."""
    from smm.report import History, history_jobs

    def jobs() -> list[tuple]:
        kept = recall(repo.root, "site-history", key)
        if kept is MISS:
            kept = history_jobs(repo)
            remember(repo.root, "site-history", key, kept)
        return kept

    return History(repo, jobs, language)


def history_key(settings: str, files: list[tuple], shown: str) -> str:
    """What smm.report.history_jobs() reads: the publish records (by file stat: `files`, data_files()),
    the posts they name (`shown`: a digest of the shown_row() of each post named()) and the accounts (in `settings`)."""
    return plain_digest((settings, [row for row in files if row[0] == "data/published"], shown))


def readings_key(history: str, files: list[tuple]) -> str:
    """What the reports read up to an end besides the jobs (`history`: history_key()): the metrics
    and follower counts, by file stat (`files`: data_files())."""
    return digest(history, [row for row in files if row[0] in ("data/metrics", "data/accounts")])


def reads_from(now: datetime, tz) -> datetime:
    """The earliest time a job went out that the reports ending at `now` (the rolling periods, this
    month's) read besides their best times (made of every job before `now`): their periods' starts
    and the goals' (smm.report.goals: values over ROLLING days, over the TREND_WINDOW before `now`)."""
    from smm.report.goals import ROLLING as GOAL_DAYS, TREND_WINDOW

    month = datetime.combine(now.astimezone(tz).date().replace(day=1), time(), tzinfo=tz)
    return min(now - timedelta(days=max(ROLLING)), month, now - TREND_WINDOW - GOAL_DAYS)


class Readings:
    """What the reports ending at the build's time `now` read (History.upto(): the metrics,
    entries and best times up to it) and the report items made of the entries, kept in the cache
    folder for the next build: the entries (and items) of the jobs that went out from `since`
    (reads_from()) on, which are all the reports ending at `now` read of them. A build at another
    time reads the same while `key` (readings_key()) is the same, both times are in one month
    (UTC: the month files read), no metrics row, follower count or job falls between them and its
    reports read no entry before `since`: then it is given to the History instead of being read again."""

    def __init__(self, root, key, now: datetime, since: datetime) -> None:
        """`key()`: readings_key(); `since`: reads_from(now)."""
        self.root, self.now, self.since = root, now, since
        self._make_key = key
        self.given = False

    @cached_property
    def key(self) -> str:
        return self._make_key()

    def give(self, history, metrics) -> None:
        """Give `history` what the last build read, when it holds for `now`."""
        header = recall(self.root, "site-readings-when", self.key)
        if header is MISS or not _holds(header, self.now, self.since):
            return
        value = recall(self.root, "site-readings", digest(self.key, header))
        if value is not MISS:
            read, items = value
            history.give(self.now, metrics, _entries_back(read))
            history.give(self.now, metrics, items, "items")
            self.given = True

    def keep(self, history, metrics, newest) -> None:
        """Keep what `history` read up to `now` (if it did); `newest()`: the newest metrics row's
        and follower count's time (None: none)."""
        value = history.known(self.now, metrics)
        if value is None or self.given:
            return
        moments = history.moments
        i = bisect.bisect_left(moments, self.now)
        header = (_month(self.now), self.now, newest(), moments[i - 1] if i else None,
                  moments[i] if i < len(moments) else None, self.since)
        measured = value[2]
        first = bisect.bisect_left(measured, self.since, key=lambda e: e.published_at)
        items = history.known(self.now, metrics, "items") or [None] * len(measured)
        remember(self.root, "site-readings", digest(self.key, header), (_entries_flat(value, first), items[first:]))
        remember(self.root, "site-readings-when", self.key, header)


def _entries_flat(value: tuple, first: int) -> tuple:
    """History.upto()'s value with the entries (MeasuredPost) from `first` on, each as the tuple of its
    fields: read back (_entries_back()) in two thirds of the time."""
    from smm.report.kpis import MeasuredPost

    names = [f.name for f in fields(MeasuredPost)]
    collected, followers, measured, *rest = value
    return (collected, followers, [tuple(getattr(e, name) for name in names) for e in measured[first:]], *rest)


def _entries_back(value: tuple) -> tuple:
    from smm.report.kpis import MeasuredPost

    names = [f.name for f in fields(MeasuredPost)]
    collected, followers, rows, *rest = value
    measured = []
    for row in rows:
        entry = object.__new__(MeasuredPost)
        entry.__dict__.update(zip(names, row))  # as its __init__ would set them (frozen: no __setattr__)
        measured.append(entry)
    return (collected, followers, measured, *rest)


def _month(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m")


def _holds(header: tuple, now: datetime, since: datetime) -> bool:
    """What was read up to the header's end is what would be read up to `now` (of the jobs from `since` on)."""
    month, end, newest, last_job, next_job, kept_since = header
    if month != _month(now) or since < kept_since:
        return False
    if now == end:
        return True
    return ((newest is None or newest < min(now, end)) and (last_job is None or last_job < now)
            and (next_job is None or now <= next_job))
