"""Triage: each item's priority and the time it must be answered by, from brand/replies.yml.

    priority   urgent  an urgent keyword, a complaint in a negative tone, or a negative item from an
                       author with at least `urgent.followers` followers
               high    any other negative item or complaint, or a question sent privately
               low     spam, or praise that asks nothing
               normal  everything else
    due_by     created_at + the priority's response time (`sla`), the clock stopped in quiet hours

Times are exact instants (smm.workspace.timezones): quiet hours are local wall-clock hours and
stay right across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo

from smm.check.diagnostics import Diagnostic
from smm.inbox.items import PRIORITIES
from smm.workspace.config import YamlFile, parse_duration
from smm.workspace.timezones import local

REPLIES_FILE = "brand/replies.yml"
DEFAULT_SLA = {"urgent": timedelta(hours=2), "high": timedelta(hours=8), "normal": timedelta(hours=24),
               "low": timedelta(hours=72)}


@dataclass(frozen=True)
class Replies:
    """brand/replies.yml, checked."""

    sla: dict[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_SLA))
    keywords: tuple[str, ...] = ()
    followers: int | None = None
    quiet: tuple[time, time] | None = None


def replies_from(loaded: YamlFile) -> tuple[Replies, list[Diagnostic]]:
    """The settings row of brand/replies.yml: defaults for what it does not say (or when it is broken)."""
    data = loaded.data if not loaded.diagnostics else {}
    sla = {**DEFAULT_SLA, **{k: parse_duration(v) for k, v in (data.get("sla") or {}).items()}}
    urgent = data.get("urgent") or {}
    quiet = data.get("quiet_hours")
    return Replies(sla, tuple(k.casefold() for k in urgent.get("keywords", ())), urgent.get("followers"),
                   (time.fromisoformat(quiet["from"]), time.fromisoformat(quiet["to"])) if quiet else None), \
        list(loaded.diagnostics)


def priority_of(text: str, kind: str, sentiment: str, intent: str, followers: int | None, replies: Replies) -> str:
    folded = text.casefold()
    negative = sentiment == "negative"
    if any(k in folded for k in replies.keywords) or (negative and intent == "complaint") or (
            negative and replies.followers is not None and (followers or 0) >= replies.followers):
        return "urgent"
    if negative or intent == "complaint" or (kind == "dm" and intent == "question"):
        return "high"
    if intent == "spam" or (intent == "praise" and "?" not in text and "？" not in text):
        return "low"
    return "normal"


def due_by(created_at: datetime, priority: str, replies: Replies, tz: tzinfo) -> datetime:
    """When the item must be answered: its response time counted outside quiet hours."""
    assert priority in PRIORITIES
    remaining, moment = replies.sla[priority], created_at.astimezone(timezone.utc)
    if replies.quiet is None or replies.quiet[0] == replies.quiet[1]:
        return moment + remaining
    while True:
        start, end = _quiet_period(moment, replies.quiet, tz)
        if start <= moment < end:  # the clock is stopped: it starts again when quiet hours end
            moment = end
        elif moment + remaining <= start:
            return moment + remaining
        else:
            remaining -= start - moment
            moment = end


def _quiet_period(moment: datetime, quiet: tuple[time, time], tz: tzinfo) -> tuple[datetime, datetime]:
    """The quiet period around `moment`, else the next one (UTC instants)."""
    begin, finish = quiet
    day = moment.astimezone(tz).date()
    for offset in (-1, 0, 1):
        first = day + timedelta(days=offset)
        start = local(first, begin, tz)
        end = local(first + timedelta(days=1) if finish <= begin else first, finish, tz)
        if moment < end.astimezone(timezone.utc):
            return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    raise AssertionError("a quiet period starts every day")
