"""Competitors in `smm metrics`: each competitor account of brand/listening.yml on a network the brand
has an account on, read with that account's credentials (`Platform.profile` and `recent_posts`):
followers, public posts in the 30 days before the run and their median engagement
(likes + reposts + replies), a row each in data/competitors/<YYYY-MM>.csv.

A network whose adapter cannot read other accounts is named once and the others go on; an account
collected less than `interval` ago is not asked again (no duplicate rows).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from smm.data.tables import COMPETITORS, timestamp
from smm.errors import NotSupported, PlatformError
from smm.listening.config import BrokenListening, load_listening
from smm.metrics.calls import Gate, GaveUp
from smm.metrics.targets import collected_since
from smm.platforms import Platform, answers, platform_class

WINDOW = timedelta(days=30)  # a competitor's posts counted: those of the 30 days before the run


@dataclass
class CompetitorResult:
    competitor: str
    network: str
    handle: str
    state: str  # collected, fresh, unsupported, not_configured, failed
    followers: int | None = None
    posts: int | None = None
    median_engagement: float | None = None
    reason: str | None = None

    def row(self, collected_at: datetime) -> list:
        median = self.median_engagement
        if median is not None and float(median).is_integer():
            median = int(median)
        return [timestamp(collected_at), self.competitor, self.network, self.handle, self.followers, self.posts, median]

    def as_json(self) -> dict:
        return {"competitor": self.competitor, "network": self.network, "handle": self.handle,
                "followers": self.followers, "posts": self.posts, "median_engagement": self.median_engagement,
                "state": self.state, "reason": self.reason}


def median_engagement(posts) -> float | None:
    """The median of likes + reposts + replies over the posts (smm.platforms.base.Found); None without posts."""
    return statistics.median(p.likes + p.reposts + p.replies for p in posts) if posts else None


def collect_competitors(repo, now: datetime, env, adapter_for: Callable[[str], Platform], interval: timedelta,
                        gate: Callable[[], Gate]) -> list[CompetitorResult]:
    """Every competitor account's figures (or why not), in brand/listening.yml's order."""
    brand_accounts: dict[str, str] = {}  # network → the brand's first account there
    for name, options in repo.config.accounts.items():
        brand_accounts.setdefault(options.platform, name)
    try:
        competitors = {c.name: c.accounts for c in getattr(load_listening(repo.root), "competitors", ())}
    except BrokenListening as exc:  # the brand's own metrics are collected all the same
        said = [f"{d.file}:{d.line}:{d.column}: {d.message}" for d in exc.diagnostics[:3]]
        return [CompetitorResult("", "", "", "failed", reason="; ".join(said) or exc.message)]
    fresh = collected_since(repo.root, COMPETITORS, now, interval, lambda r: (r["competitor"], r["network"], r["handle"]))
    adapters: dict[str, Platform | CompetitorResult] = {}  # network → its adapter, or why it cannot
    opened, gates, results = [], {}, []
    try:
        for competitor, accounts in competitors.items():
            for network, handle in accounts.items():
                if network not in brand_accounts:
                    continue
                if (competitor, network, handle) in fresh:
                    results.append(CompetitorResult(competitor, network, handle, "fresh"))
                    continue
                if network not in adapters:
                    adapters[network] = _adapter(repo, env, brand_accounts[network], adapter_for)
                    opened += [] if isinstance(adapters[network], CompetitorResult) else [adapters[network]]
                    gates[network] = gate()  # the network's rate limits, shared by its competitor accounts
                results.append(_one(adapters, network, competitor, handle, now, gates[network]))
    finally:
        for adapter in opened:
            adapter.close()
    return results


def _adapter(repo, env, account: str, adapter_for) -> Platform | CompetitorResult:
    options = repo.config.accounts[account]
    ready = platform_class(options.platform).readiness(options.options, env)
    if ready.not_configured or ready.not_installed:
        return CompetitorResult("", options.platform, "", "not_configured",
                                reason=f"account `{account}`: "
                                       + (ready.not_configured or ready.not_installed).removeprefix("not configured: "))
    return adapter_for(account)


def _one(adapters: dict, network: str, competitor: str, handle: str, now: datetime, gate: Gate) -> CompetitorResult:
    """One competitor account; a network found unable is remembered, so it is asked once."""
    adapter = adapters[network]
    if isinstance(adapter, CompetitorResult):
        return CompetitorResult(competitor, network, handle, adapter.state, reason=adapter.reason)
    try:
        profile = answers.checked(gate.call(lambda: adapter.profile(handle)))
        posts, problems = answers.kept(gate.call(lambda: adapter.recent_posts(handle, now - WINDOW)))
    except NotSupported as exc:
        adapters[network] = CompetitorResult("", network, "", "unsupported", reason=exc.message)
        return CompetitorResult(competitor, network, handle, "unsupported", reason=exc.message)
    except (GaveUp, PlatformError) as exc:
        return CompetitorResult(competitor, network, handle, "failed", reason=getattr(exc, "message", None) or str(exc))
    except ValueError as exc:  # its profile: never written
        return CompetitorResult(competitor, network, handle, "failed", reason=f"{adapter.label}: {exc}")
    if problems:  # a post left out would make the count and the median wrong: none are written
        return CompetitorResult(competitor, network, handle, "failed",
                                reason=answers.left_out(adapter.label, problems, "post", "no row written"))
    return CompetitorResult(competitor, network, handle, "collected", profile.followers, len(posts),
                            median_engagement(posts))
