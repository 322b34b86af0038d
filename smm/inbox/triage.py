"""Triage: each item's priority and the time it must be answered by, from brand/replies.yml.

    priority   urgent  an urgent keyword, a complaint in a negative tone, or a negative item from a
                       verified author or one with at least `urgent.followers` followers
               high    any other negative item or complaint, or a question sent privately
               low     spam, or praise that asks nothing
               normal  everything else
    due_by     created_at + the priority's response time (`sla`), the clock stopped in quiet hours

Times are exact instants (smm.workspace.timezones): quiet hours are local wall-clock hours and
stay right across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, time, timedelta, timezone, tzinfo

from smm.check.diagnostics import ERROR, Diagnostic
from smm.inbox.items import PRIORITIES
from smm.workspace.config import YamlFile, parse_duration
from smm.workspace.settings import REPLIES_FILE
from smm.workspace.timezones import YEARS, local

DEFAULT_SLA = {"urgent": timedelta(hours=2), "high": timedelta(hours=8), "normal": timedelta(hours=24),
               "low": timedelta(hours=72)}


@dataclass(frozen=True)
class AutoRule:
    """One `auto:` rule: what it answers and its compiled template."""

    name: str
    keywords: tuple[str, ...]
    intent: str | None
    platforms: tuple[str, ...]
    kinds: tuple[str, ...]
    template: str  # a Jinja template (compiled when used: settings are kept pickled between runs)
    max_per_run: int = 10

    def render(self, **context) -> str:
        return _compiled(self.template).render(**context)

    def fits(self, item) -> bool:
        text = item.text.casefold()
        return ((not self.keywords or any(k in text for k in self.keywords))
                and (self.intent is None or item.intent == self.intent)
                and (not self.platforms or item.platform in self.platforms)
                and (not self.kinds or item.kind in self.kinds))


@dataclass(frozen=True)
class Replies:
    """brand/replies.yml, checked."""

    sla: dict[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_SLA))
    keywords: tuple[str, ...] = ()
    followers: int | None = None
    quiet: tuple[time, time] | None = None
    auto: tuple[AutoRule, ...] = ()

    def quiet_at(self, moment: datetime, tz: tzinfo) -> bool:
        """Whether `moment` falls in quiet hours."""
        if self.quiet is None or self.quiet[0] == self.quiet[1]:
            return False
        start, end = _quiet_period(moment.astimezone(timezone.utc), self.quiet, tz)
        return start <= moment < end


def replies_from(loaded: YamlFile) -> tuple[Replies, list[Diagnostic]]:
    """The settings row of brand/replies.yml: defaults for what it does not say (or when it is broken)."""
    data = loaded.data if not loaded.diagnostics else {}
    sla = {**DEFAULT_SLA, **{k: parse_duration(v) for k, v in (data.get("sla") or {}).items()}}
    urgent = data.get("urgent") or {}
    quiet = data.get("quiet_hours")
    rules, found = _auto_rules(loaded, data.get("auto") or [])
    replies = Replies(sla, tuple(k.casefold() for k in urgent.get("keywords", ())), urgent.get("followers"),
                      (time.fromisoformat(quiet["from"]), time.fromisoformat(quiet["to"])) if quiet else None, rules)
    return replies, list(loaded.diagnostics) + found


def _auto_rules(loaded: YamlFile, raw: list[dict]) -> tuple[tuple[AutoRule, ...], list[Diagnostic]]:
    """The auto-reply rules with their templates compiled; a template that does not compile, or a
    name used twice, is an error at its line."""
    import jinja2

    rules, found, names = [], [], set()
    for index, rule in enumerate(raw):
        match = rule["match"]
        if rule["name"] in names:
            found.append(Diagnostic.at(REPLIES_FILE, loaded.positions.at(("auto", index, "name")), ERROR,
                                       "replies.duplicate-rule", f"auto-reply rule `{rule['name']}` is named twice"))
        names.add(rule["name"])
        try:
            _compiled(rule["template"])
        except jinja2.TemplateSyntaxError as exc:
            found.append(Diagnostic.at(REPLIES_FILE, loaded.positions.at(("auto", index, "template")), ERROR,
                                       "replies.template", f"auto-reply `{rule['name']}`: template error: {exc.message}"))
            continue
        rules.append(AutoRule(rule["name"], tuple(k.casefold() for k in match.get("keywords", ())), match.get("intent"),
                              tuple(match.get("platforms", ())), tuple(match.get("kinds", ())), rule["template"],
                              rule.get("max_per_run", 10)))
    return tuple(rules), found


def priority_of(text: str, kind: str, sentiment: str, intent: str, followers: int | None, replies: Replies,
                verified: bool = False) -> str:
    folded = text.casefold()
    negative = sentiment == "negative"
    large = verified or (replies.followers is not None and (followers or 0) >= replies.followers)
    if any(k in folded for k in replies.keywords) or (negative and intent == "complaint") or (negative and large):
        return "urgent"
    if negative or intent == "complaint" or (kind == "dm" and intent == "question"):
        return "high"
    if intent == "spam" or (intent == "praise" and "?" not in text and "？" not in text):
        return "low"
    return "normal"


LATEST = datetime(YEARS[-1], 12, 31, 23, 59, 59, tzinfo=timezone.utc)  # the last time data/ files may hold


def due_by(created_at: datetime, priority: str, replies: Replies, tz: tzinfo) -> datetime:
    """When the item must be answered: its response time counted outside quiet hours; at the latest
    LATEST (an item dated 2999-12-31, a network's clock or a stranger's server: its line stays readable)."""
    assert priority in PRIORITIES
    return min(_counted(created_at.astimezone(timezone.utc), replies.sla[priority], replies, tz), LATEST)


def _counted(moment: datetime, remaining: timedelta, replies: Replies, tz: tzinfo) -> datetime:
    """`remaining` after `moment`, the clock stopped in quiet hours."""
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


@lru_cache(maxsize=64)
def _compiled(source: str):
    """An auto-reply template compiled in the sandbox (smm.render.templating)."""
    from smm.render.templating import sandbox

    return sandbox().from_string(source)
