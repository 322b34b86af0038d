"""The content calendar: scheduled posts by day, and the weekly slots they leave open."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

from smm import output
from smm.check.diagnostics import ERROR, Diagnostic
from smm.content.derived import reshare_of
from smm.content.post import Post
from smm.workspace.config import YamlFile
from smm.workspace.schema import did_you_mean
from smm.workspace.timezones import exact, local

CALENDAR_FILE = "brand/calendar.yml"
# A post on a local day from start's to end's is at most a day (and a daylight-saving hour) outside
# [start, end]: those further away are not looked at (most of a large repository)
NEAR_DAY = timedelta(days=2)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class Slot:
    weekday: int
    at: time
    pillar: str | None
    label: str
    accounts: tuple[str, ...]
    line: int
    column: int = 1


@dataclass(frozen=True)
class Calendar:
    pillars: dict
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class CalendarEntry:
    """A scheduled post (``post`` set) or an open slot (``slot`` set) at a local time."""

    at: datetime
    post: Post | None = None
    slot: Slot | None = None

    def as_json(self) -> dict:
        common = {"date": self.at.date().isoformat(), "time": self.at.strftime("%H:%M"), "at": self.at.isoformat()}
        if self.post:
            p = self.post
            return {"type": "post", **common, "post": p.id, "title": p.title, "accounts": p.accounts,
                    "pillar": p.pillar, "campaign": p.campaign, "draft": p.draft, "file": p.file,
                    "reshare_of": reshare_of(p.id)}
        s = self.slot
        return {"type": "gap", **common, "pillar": s.pillar, "label": s.label, "accounts": list(s.accounts)}


def calendar_from(loaded: YamlFile) -> tuple[Calendar, list[Diagnostic]]:
    """brand/calendar.yml → Calendar (empty while the file has errors), with its problems."""
    slots = []
    if not loaded.diagnostics:
        loaded.diagnostics += _undeclared_slot_pillars(loaded)
    if not loaded.diagnostics:
        for index, raw in enumerate(loaded.data.get("slots") or []):
            hour, minute = map(int, raw["time"].split(":"))
            pillar = raw.get("pillar")
            slots.append(Slot(
                WEEKDAYS.index(raw["day"]), time(hour, minute), pillar,
                raw.get("label") or pillar or "open slot", tuple(raw.get("accounts") or ()),
                *loaded.positions.of_value(("slots", index))[:2],
            ))
    pillars = (loaded.data.get("pillars") or {}) if not loaded.diagnostics else {}
    return Calendar(pillars, tuple(slots)), loaded.diagnostics


def _undeclared_slot_pillars(loaded) -> list[Diagnostic]:
    """A slot for a pillar `pillars` does not declare: no post could ever fill it."""
    pillars = loaded.data.get("pillars") or {}
    found = []
    for index, raw in enumerate(loaded.data.get("slots") or []):
        pillar = raw.get("pillar")
        if pillar is not None and pillar not in pillars:
            found.append(Diagnostic.at(
                CALENDAR_FILE, loaded.positions.at(("slots", index, "pillar")), ERROR, "calendar.unknown-pillar",
                f"slot pillar `{pillar}` is not declared under `pillars`",
                did_you_mean(pillar, pillars) or (f"pillars are: {', '.join(pillars)}" if pillars
                                                  else f"declare it: `pillars: {{{pillar}: {{description: …}}}}`")))
    return found


def scheduled(posts: list[Post], tz: tzinfo, start: datetime, end: datetime) -> list[CalendarEntry]:
    """Posts with a publish time in [start, end), in local time."""
    return [
        CalendarEntry(p.publish_at.astimezone(tz), post=p)
        for p in posts
        if p.publish_at and start <= p.publish_at < end
    ]


def near(posts: list[Post], start: datetime, end: datetime) -> list[Post]:
    """The posts at most NEAR_DAY outside [start, end]: the only ones that can fill a slot on a day
    from start's to end's (most of a large repository is further away)."""
    first, last = start - NEAR_DAY, end + NEAR_DAY
    return [p for p in posts if p.publish_at and first <= p.publish_at <= last]


def gaps(calendar: Calendar, posts: list[Post], tz: tzinfo, start: datetime, end: datetime,
         drafts_fill: bool = False) -> list[CalendarEntry]:
    """Slot occurrences in [start, end) that no non-draft post (any post, with `drafts_fill`)
    of their pillar fills that day.

    Each post fills at most one slot: the nearest open one of its pillar on its day.
    """
    by_day: dict[date, list[Post]] = {}
    for p in near(posts, exact(start.astimezone(tz)), exact(end.astimezone(tz))):  # the posts' zone object: fast
        if drafts_fill or not p.draft:
            by_day.setdefault(p.publish_at.astimezone(tz).date(), []).append(p)
    open_slots = []
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        unfilled = {(local(day, s.at, tz), i): s  # two slots may share a time
                    for i, s in enumerate(calendar.slots) if s.weekday == day.weekday()}
        for p in sorted(by_day.get(day, []), key=lambda p: p.publish_at):
            fitting = [key for key, s in unfilled.items() if s.pillar in (None, p.pillar)]
            if fitting:
                del unfilled[min(fitting, key=lambda key: (abs(exact(p.publish_at) - exact(key[0])), key[1]))]
        open_slots += [CalendarEntry(at, slot=s) for (at, _), s in sorted(unfilled.items(), key=lambda kv: kv[0])
                       if exact(start) <= exact(at) < exact(end)]
        day += timedelta(days=1)
    return open_slots


def timeline(calendar: Calendar, posts: list[Post], tz: tzinfo, start: datetime, end: datetime) -> list[CalendarEntry]:
    posts = near(posts, start, end)  # what both look at
    entries = scheduled(posts, tz, start, end) + gaps(calendar, posts, tz, start, end)
    return sorted(entries, key=lambda e: (e.at, e.post is None, e.post.id if e.post else ""))


def format_text(entries: list[CalendarEntry]) -> str:
    lines: list[str] = []
    current = None
    for e in entries:
        if e.at.date() != current:
            current = e.at.date()
            lines.append(current.strftime("%a %Y-%m-%d"))
        if e.post:
            p = e.post
            extra = "".join(f"  {k}={v}" for k, v in (("pillar", p.pillar), ("campaign", p.campaign)) if v)
            draft = ("  (draft)" if p.draft else "") + (f"  (re-share of {reshare_of(p.id)})" if reshare_of(p.id) else "")
            lines.append(f"  {e.at:%H:%M}  {p.id}  {p.title}  [{', '.join(p.accounts)}]{extra}{draft}")
        else:
            lines.append(f"  {e.at:%H:%M}  -- open slot: {e.slot.label}" + (f"  pillar={e.slot.pillar}" if e.slot.pillar else ""))
    posts = sum(1 for e in entries if e.post)
    lines.append(f"{posts} scheduled post{'s' if posts != 1 else ''}, {len(entries) - posts} open slot{'s' if len(entries) - posts != 1 else ''}")
    return "\n".join(lines)


def format_json(entries: list[CalendarEntry]) -> str:
    return json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2)


def uid_domain(origin: str | None, brand: str, root: Path | None = None) -> str:
    """The right-hand side of this repository's event UIDs: unique per repository, the same in
    every clone and run: from the `origin` remote (`git@host:o/r.git` and `https://host/o/r`
    alike), else from the brand's name, else (no name either) from the repository's absolute path."""
    import hashlib  # calendar exports only: a check never loads OpenSSL for it

    source = brand.strip() or f"path:{Path(root or '.').resolve().as_posix()}"
    if origin:
        source = re.sub(r"^[a-z][a-z0-9+.-]*://", "", origin.strip().lower())  # the scheme
        source = re.sub(r"^[^@/]*@", "", source)  # the user: `git@`, `x-access-token:…@`
        source = re.sub(r"(\.git)?/*$", "", source).replace(":", "/")
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16] + ".smm"


def format_ics(entries: list[CalendarEntry], name: str, now: datetime, domain: str) -> str:
    """An iCalendar feed a calendar app can subscribe to: posts, and open slots marked free.
    `name` is the brand's; `domain` (see uid_domain) keeps UIDs apart from other repositories'."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//smm//content calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{name} content calendar")
    uids: set[str] = set()
    for e in entries:
        event = icalendar.Event()
        event.add("dtstamp", now)
        event.add("dtstart", _as_read(e.at))
        event.add("duration", timedelta(minutes=15))
        if e.post:
            p = e.post
            uid = f"post-{p.id}"
            event.add("summary", ("[draft] " if p.draft else "") + ("[re-share] " if reshare_of(p.id) else "") + p.title)
            details = [f"Accounts: {', '.join(p.accounts)}", f"File: {p.file}"]
            details += [f"{k.title()}: {v}" for k, v in (("pillar", p.pillar), ("campaign", p.campaign)) if v]
            event.add("description", "\n".join(details))
            if p.pillar:
                event.add("categories", [p.pillar])
        else:
            uid = f"slot-{e.at:%Y%m%dT%H%M}-{e.slot.pillar or 'any'}"
            event.add("summary", f"Open slot: {e.slot.label}")
            event.add("transp", "TRANSPARENT")
        event.add("uid", f"{_unique(uid, uids)}@{domain}")
        cal.add_component(event)
    # the zones' rules as far as the last entry (icalendar's default ends in 2038: a later summer an hour off)
    last = max([icalendar.Timezone.DEFAULT_LAST_DATE, *(e.at.date() + timedelta(days=2) for e in entries)])
    cal.add_missing_timezones(last_date=last)
    return cal.to_ical().decode("utf-8")


def _as_read(at: datetime) -> datetime:
    """`at` as a calendar app reads it back: a local time with its zone, except the second of a local time
    that occurs twice (clocks set back), which RFC 5545 reads as the first: that one in UTC."""
    repeated = at.fold == 1 and at.replace(fold=0).utcoffset() != at.utcoffset()
    return at.astimezone(timezone.utc) if repeated else at


def _unique(uid: str, taken: set[str]) -> str:
    """`uid`, or `uid-2`, `uid-3`… when an earlier event has it (two slots of one pillar at one time,
    two posts claiming one id): a calendar app keeps one event per UID."""
    n, found = 2, uid
    while found in taken:
        found, n = f"{uid}-{n}", n + 1
    taken.add(found)
    return found


@dataclass(frozen=True)
class CalendarView:
    """`smm calendar`'s result: its entries, and what the iCalendar feed names (the brand, the
    moment it was made, the domain of its UIDs)."""

    entries: list[CalendarEntry]
    name: str = ""
    now: datetime | None = None
    domain: str = ""


def _write_calendar(view: CalendarView, fmt: str) -> str:
    if fmt == "json":
        return format_json(view.entries) + "\n"
    if fmt == "ics":
        return format_ics(view.entries, view.name, view.now, view.domain)
    return format_text(view.entries) + "\n"


output.render.register(CalendarView, _write_calendar)
