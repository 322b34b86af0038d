"""What one `smm metrics` run did, per account, and how it is shown: text, JSON, the commit message."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from smm.data.tables import timestamp
from smm.output import render


@dataclass
class AccountResult:
    account: str
    platform: str
    state: str  # collected, partial, fresh, skipped, not_configured, failed, idle
    posts: int = 0  # metric rows written
    fresh: int = 0  # posts not asked again: collected less than `interval` ago
    missing: list[str] = field(default_factory=list)  # post ids the network did not return
    followers: int | None = None
    followers_state: str = "none"  # collected, fresh, unsupported, failed, none
    reason: str | None = None

    def as_json(self) -> dict:
        return {"account": self.account, "platform": self.platform, "state": self.state, "posts": self.posts,
                "fresh": self.fresh, "missing": self.missing, "followers": self.followers,
                "followers_state": self.followers_state, "reason": self.reason}


@dataclass
class MetricsReport:
    collected_at: datetime
    since: datetime
    accounts: list[AccountResult] = field(default_factory=list)
    metric_rows: int = 0
    follower_rows: int = 0
    files: list[str] = field(default_factory=list)
    git_error: str | None = None  # why the rows could not be committed or pushed
    competitors: list = field(default_factory=list)  # smm.metrics.competitors.CompetitorResult

    @property
    def exit_code(self) -> int:
        """1 when an account failed (even partly) or lacks its secrets, or git failed; skipped adapters are fine."""
        return 1 if self.git_error or any(a.state in ("failed", "partial", "not_configured") or a.followers_state == "failed"
                        for a in self.accounts) or any(c.state in ("failed", "not_configured")
                                                       for c in self.competitors) else 0

    def as_json(self) -> dict:
        return {"collected_at": timestamp(self.collected_at), "since": timestamp(self.since),
                "accounts": [a.as_json() for a in self.accounts],
                "rows": {"metrics": self.metric_rows, "followers": self.follower_rows,
                         "competitors": sum(c.state == "collected" for c in self.competitors)},
                "files": self.files, "competitors": [c.as_json() for c in self.competitors]} | (
                    {"git_error": self.git_error} if self.git_error else {})


_STATE_WORDS = {"collected": "collected", "partial": "partly collected", "fresh": "fresh", "skipped": "skipped",
                "not_configured": "not configured", "failed": "failed", "idle": "nothing to collect"}


def format_text(report: MetricsReport) -> str:
    out = []
    for a in report.accounts:
        bits = []
        if a.posts or a.state in ("collected", "partial"):
            bits.append(f"{a.posts} post{'s' if a.posts != 1 else ''}")
        if a.fresh:
            bits.append(f"{a.fresh} collected less than the interval ago")
        if a.missing:
            bits.append(f"not found: {', '.join(a.missing)}")
        if a.followers_state == "collected":
            bits.append(f"followers {a.followers:,}")
        elif a.followers_state == "fresh":
            bits.append("followers fresh")
        if a.reason:
            bits.append(a.reason)
        out.append(f"{_STATE_WORDS.get(a.state, a.state):<18} {a.account}" + (f"  {'; '.join(bits)}" if bits else ""))
    out += competitor_lines(report.competitors)
    rows = sum(c.state == "collected" for c in report.competitors)
    files = ", ".join(report.files[:-1]) + " and " + report.files[-1] if len(report.files) > 1 else "".join(report.files)
    out.append(f"{report.metric_rows} metric row{'s' if report.metric_rows != 1 else ''}, "
               f"{report.follower_rows} follower row{'s' if report.follower_rows != 1 else ''}"
               + (f", {rows} competitor row{'s' if rows != 1 else ''}" if rows else "")
               + (f" appended to {files}" if files else ""))
    if report.git_error:
        out.append(f"not recorded in git: {report.git_error}")
    return "\n".join(out)


def competitor_lines(competitors: list) -> list[str]:
    """A line per competitor account collected or failed; a network that cannot (or an account without its
    secrets) once, naming the competitors left out."""
    out, said = [], {}
    for c in competitors:
        if c.state == "collected":
            median = "—" if c.median_engagement is None else f"{c.median_engagement:,g}"
            out.append(f"{'competitor':<18} {c.competitor} on {c.network} ({c.handle})  followers "
                       f"{'—' if c.followers is None else f'{c.followers:,}'}; {c.posts} posts in 30 days; "
                       f"median engagement {median}")
        elif c.state == "failed":
            out.append(f"{'competitor failed':<18} {c.competitor or 'competitors'}"
                       + (f" on {c.network} ({c.handle})" if c.network else "") + f"  {c.reason}")
        elif c.state in ("unsupported", "not_configured"):
            said.setdefault((c.network, c.state, c.reason), []).append(c.competitor)
        elif c.state == "fresh":
            out.append(f"{'competitor fresh':<18} {c.competitor} on {c.network} ({c.handle})")
    for (network, state, reason), names in said.items():
        out.append(f"{'skipped' if state == 'unsupported' else 'not configured':<18} competitors on {network} "
                   f"({', '.join(names)}): {reason}")
    return out


def format_metrics(report: MetricsReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    return format_text(report)


def commit_message(report: MetricsReport) -> str:
    head = (f"smm metrics: {report.metric_rows} metric row{'s' if report.metric_rows != 1 else ''}, "
            f"{report.follower_rows} follower row{'s' if report.follower_rows != 1 else ''}")
    lines = [f"- {a.account}: {_STATE_WORDS.get(a.state, a.state)}"
             + (f", {a.posts} posts" if a.posts else "")
             + (f", {a.followers} followers" if a.followers_state == "collected" else "")
             + (f" ({a.reason})" if a.reason else "")
             for a in report.accounts]
    lines += [f"- competitor {c.competitor} on {c.network}: {c.followers} followers, {c.posts} posts"
              for c in report.competitors if c.state == "collected"]
    return "\n".join([head, "", *lines]) if lines else head


render.register(MetricsReport, format_metrics)
