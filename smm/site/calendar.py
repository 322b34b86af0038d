"""The calendar pages: a month grid and a week list per period with posts or slots, prev/next
links, each post linked to its page, each open slot (brand/calendar.yml) shown as a gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from smm.workspace.brand import first_language
from smm.workspace.calendar import timeline


@dataclass(frozen=True)
class Entry:
    """One line of a day: a post (its page, draft or not) or an open slot of a pillar."""

    at: str  # HH:MM local
    text: str
    pillar: str | None
    post_id: str | None
    draft: bool
    lang: str | None

    @property
    def is_gap(self) -> bool:
        return self.post_id is None


def entries_by_day(repo, start: date, end: date) -> dict[date, list[Entry]]:
    """Every post and open slot from `start` to `end` (local days, `end` excluded)."""
    tz = repo.config.timezone
    found: dict[date, list[Entry]] = {}
    first, last = datetime.combine(start, time(), tzinfo=tz), datetime.combine(end, time(), tzinfo=tz)
    for e in timeline(repo.calendar, repo.posts, tz, first, last):
        p = e.post
        entry = (Entry(f"{e.at:%H:%M}", p.title, p.pillar, p.id, bool(p.draft), first_language(p)) if p else
                 Entry(f"{e.at:%H:%M}", e.slot.label or e.slot.pillar or "", e.slot.pillar, None, False, None))
        found.setdefault(e.at.date(), []).append(entry)
    return found


# Every month this many either side of today's has its pages (gaps to fill, what was missed);
# further out only a month holding a post does, so one post dated 2999 adds 1 month, not 12,000.
WINDOW_MONTHS = 12


def span(repo, today: date) -> tuple[date, date]:
    """The first day of the first month to show and of the month after the last: every post's
    month, and today's."""
    tz = repo.config.timezone
    days = [p.publish_at.astimezone(tz).date() for p in repo.posts if p.publish_at] + [today]
    return min(days).replace(day=1), _next_month(max(days).replace(day=1))


def shown_months(repo, today: date) -> list[date]:
    """The first day of each month with pages: within WINDOW_MONTHS of today's (and the span), and
    each month holding a post."""
    tz = repo.config.timezone
    first, last = span(repo, today)
    this = today.replace(day=1)
    start, end = this, _next_month(this)
    for _ in range(WINDOW_MONTHS):
        start, end = max(first, (start - timedelta(days=1)).replace(day=1)), min(last, _next_month(end))
    posts = {p.publish_at.astimezone(tz).date().replace(day=1) for p in repo.posts if p.publish_at}
    return sorted(set(months(start, end)) | posts)


def shown_weeks(shown: list[date]) -> list[date]:
    """The Monday of each week touching a shown month."""
    return sorted({monday for month in shown for monday in mondays(month, _next_month(month))})


def runs(mondays_shown: list[date]) -> list[tuple[date, date]]:
    """(first day, day after the last) of each run of consecutive weeks."""
    found: list[list[date]] = []
    for monday in mondays_shown:
        if found and found[-1][1] == monday:
            found[-1][1] = monday + timedelta(days=7)
        else:
            found.append([monday, monday + timedelta(days=7)])
    return [(a, b) for a, b in found]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_path(day: date) -> str:
    return f"calendar/{day:%Y-%m}/index.html"


def week_path(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"calendar/{year}-W{week:02d}/index.html"


def months(first: date, end: date) -> list[date]:
    """The first day of each month from `first`'s to `end` (excluded)."""
    found, day = [], first.replace(day=1)
    while day < end:
        found.append(day)
        day = _next_month(day)
    return found


def mondays(first: date, end: date) -> list[date]:
    """Each week touching [first, end)."""
    day = first - timedelta(days=first.weekday())
    found = []
    while day < end:
        found.append(day)
        day += timedelta(days=7)
    return found


def month_grid(month: date, days: dict[date, list[Entry]]) -> list[list[tuple[date, bool, list[Entry]]]]:
    """Weeks (Monday first) of (day, in this month, entries)."""
    day = month - timedelta(days=month.weekday())
    end = _next_month(month)
    weeks = []
    while day < end:
        weeks.append([(d, d.month == month.month, days.get(d, [])) for d in (day + timedelta(i) for i in range(7))])
        day += timedelta(days=7)
    return weeks


def pillar_counts(entries: list[Entry]) -> list[tuple[str, int, int]]:
    """(pillar, posts, open slots) over these entries, pillars by name."""
    counts: dict[str, list[int]] = {}
    for e in entries:
        counts.setdefault(e.pillar or "—", [0, 0])[e.is_gap] += 1
    return [(name, c[0], c[1]) for name, c in sorted(counts.items())]
