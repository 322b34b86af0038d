"""What one `smm listen` run found, per network and account, and how it is shown: text, JSON, the commit message."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from smm.listening.mentions import Mention
from smm.output import render

TEXT_WIDTH = 60  # characters of a mention's text shown in the table


@dataclass
class Searched:
    """One account's search, or one network that cannot search (`account` None: said once per network)."""

    platform: str
    account: str | None
    state: str  # listened, partial (stopped by an error after some queries), skipped, not_configured, failed
    queries: int = 0
    new: int = 0
    reason: str | None = None

    @property
    def failed(self) -> bool:
        return self.state in ("failed", "partial", "not_configured")


@dataclass
class ListenRun:
    now: datetime
    since: datetime
    mentions: list[Mention] = field(default_factory=list)  # the new ones, oldest first
    searched: list[Searched] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    git_error: str | None = None

    @property
    def exit_code(self) -> int:
        """1 when an account's search failed (even partly) or lacks its secrets, or git failed; a network
        that cannot search is no failure."""
        return 1 if self.git_error or any(s.failed for s in self.searched) else 0

    @property
    def problems(self) -> list[str]:
        return [_note(s) for s in self.searched if s.failed]


_STATE_WORDS = {"listened": "listened", "partial": "partly listened", "skipped": "cannot search",
                "not_configured": "not configured", "failed": "failed"}


def _note(s: Searched) -> str:
    who = f"{s.account} ({s.platform})" if s.account else s.platform
    counts = f"{s.queries} quer{'ies' if s.queries != 1 else 'y'}, {s.new} new" if s.state in ("listened", "partial") else ""
    reason = (s.reason or "").removeprefix("not configured: ")
    return f"{_STATE_WORDS.get(s.state, s.state)}: {who}" + "".join(f"; {bit}" for bit in (counts, reason) if bit)


def _short(text: str) -> str:
    return text if len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH - 1] + "…"


def format_text(run: ListenRun) -> str:
    out = [f"{len(run.mentions)} new mention{'s' if len(run.mentions) != 1 else ''} since {run.since:%Y-%m-%d %H:%M} UTC"]
    if run.mentions:
        out.append(f"{'network':<9} {'author':<24} {'subject':<12} {'sentiment':<9} text")
        out += [f"{m.network:<9} {_short(m.author):<24} {m.subject:<12} {m.sentiment:<9} {_short(m.text)}"
                for m in run.mentions]
    out += [_note(s) for s in run.searched]
    if run.files:
        out.append(f"appended to {' and '.join(run.files)}")
    if run.git_error:
        out.append(f"not recorded in git: {run.git_error}")
    return "\n".join(out)


def format_listen(run: ListenRun, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"mentions": [m.as_json() for m in run.mentions]}, ensure_ascii=False, indent=2)
    return format_text(run)


def commit_message(run: ListenRun) -> str:
    head = f"smm listen: {len(run.mentions)} new mention{'s' if len(run.mentions) != 1 else ''}"
    return "\n".join([head, "", *(f"- {_note(s)}" for s in run.searched)]) if run.searched else head


render.register(ListenRun, format_listen)
