"""Evergreen recycling: when a published post with `evergreen: {every, until, variants}` goes out
again. Pure: a function of the posts, the publish records, the calendar and the time, so two runs
over the same repository plan the same re-shares.

    reshares(posts, records, calendar, config, now, end)  every re-share before `end`

Re-share n of post P is the post `P+reshare-n` (smm.content.derived): its text the n-th of the
variants in turn, its own job and record per account. A re-share that went out (or may have: in
flight, unconfirmed) keeps the time it went out; the next one is planned into the first calendar
slot of P's pillar, at or after `every` since the last publication (the original's or the latest
re-share's) and not before CATCH_UP ago, that no post and no earlier-planned re-share fills, on or
before `until`. Only once the latest has gone out on one account is the next one planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from smm.content.derived import reshare_id, reshare_post
from smm.content.post import Post
from smm.data.jobs import LIVE_STATES, JobState, parse_time
from smm.workspace.calendar import Calendar, gaps
from smm.workspace.config import parse_duration

CATCH_UP = timedelta(days=1)  # a planned slot further in the past moves on to the next open one
SEARCH = timedelta(days=120)  # how far past its earliest moment a re-share looks for an open slot


@dataclass(frozen=True)
class Settings:
    every: timedelta
    until: date | None
    variants: tuple[str, ...]


def settings(post: Post) -> Settings | None:
    """The post's `evergreen` as read (None when it has none or it is malformed: `smm check` says so)."""
    raw = post.meta.get("evergreen")
    if not isinstance(raw, dict) or not isinstance(raw.get("every"), str):
        return None
    try:
        every = parse_duration(raw["every"])
        until = date.fromisoformat(raw["until"]) if isinstance(raw.get("until"), str) else None
    except ValueError:
        return None
    if every is None or every <= timedelta(0):
        return None
    return Settings(every, until, tuple(v for v in raw.get("variants") or [] if isinstance(v, str)))


def reshares(posts: list[Post], records: dict, calendar: Calendar, tz, now: datetime, end: datetime) -> list[Post]:
    """Every re-share of every evergreen post, as a post, with a publish time before `end`: those
    already under way, then the planned ones (posts in id order claim slots first)."""
    sources = sorted((p for p in posts if "evergreen" in p.meta and not p.draft and settings(p) is not None),
                     key=lambda p: p.id)  # the dict test first: 10,000 posts, a few evergreen
    if not sources:
        return []
    taken: set[datetime] = set()
    regular = [p for p in posts if p.publish_at is not None]
    open_slots = gaps(calendar, regular, tz, now - CATCH_UP, end + SEARCH)
    found = []
    for post in sources:
        found += _of(post, settings(post), records, open_slots, taken, tz, now, end)
    return found


def _of(post: Post, rule: Settings, records: dict, open_slots, taken: set, tz, now: datetime, end: datetime) -> list[Post]:
    """One post's re-shares: those started, then the next ones planned while they fall before `end`."""
    last = _went_out(records.get(post.id))
    if last is None:
        return []  # not published yet: nothing to recycle
    found, number = [], 1
    while (started := _started(records.get(reshare_id(post.id, number)))) is not None:
        found.append(reshare_post(post, number, started))
        last = _went_out(records.get(reshare_id(post.id, number)))
        if last is None:
            return found  # under way and not out anywhere yet: the next one waits for it
        number += 1
    limit = datetime.combine(rule.until + timedelta(days=1), time(), tzinfo=tz) if rule.until else None
    while True:
        earliest = max(last + rule.every, now - CATCH_UP)
        slot = next((e.at for e in open_slots if e.at >= earliest and e.at not in taken
                     and e.slot.pillar == post.pillar and (limit is None or e.at < limit)), None)
        if slot is None or slot >= end:
            return found
        taken.add(slot)
        found.append(reshare_post(post, number, slot))
        last, number = slot, number + 1


def _went_out(record) -> datetime | None:
    """When a job of this record was last published (None: on no account yet)."""
    moments = [parse_time(job.get("published_at")) for job in (record.accounts.values() if record else [])
               if isinstance(job, dict) and job.get("state") == JobState.PUBLISHED]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def _started(record) -> datetime | None:
    """When a re-share began going out (its first attempt, or when it went out); None: not started."""
    moments = []
    for job in record.accounts.values() if record else []:
        if isinstance(job, dict) and job.get("state") in LIVE_STATES:
            moments += [m for m in (parse_time(job.get("first_attempt")), parse_time(job.get("published_at"))) if m]
    return min(moments) if moments else None
