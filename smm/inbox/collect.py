"""Collecting the inbox: every account that can be read, since a moment, into data/inbox/.

    for each account with `has_inbox`, ready to use ── adapter.inbox(since) ── Incoming
        not the brand's own accounts; not already in data/inbox/ (by network id)
        the brand post it answers or quotes (from the publish records)
        sentiment and intent (smm.inbox.sentiment), priority and due time (smm.inbox.triage)
    items a published reply post answered ── `answered`
    ── new lines appended to data/inbox/<YYYY-MM>.jsonl
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping

from smm.errors import PlatformError
from smm.inbox.items import Item, append_items, load_items, queue_order
from smm.inbox.replies import answered_items
from smm.inbox.triage import Replies, due_by, priority_of
from smm.platforms import Incoming, Platform, PublishResult, answers, platform_class

log = logging.getLogger(__name__)
Classify = Callable[[str], tuple[str, str, str]]  # text → (language, sentiment, intent)


@dataclass
class AccountResult:
    account: str
    platform: str
    state: str  # collected, partial (items left out: see reason), skipped (cannot be read), not_configured, failed
    reason: str | None = None
    new: int = 0
    incoming: list[Incoming] = field(default_factory=list, repr=False)


@dataclass
class InboxRun:
    now: datetime
    items: dict[str, Item]  # every item, as last updated
    accounts: list[AccountResult] = field(default_factory=list)
    git_error: str | None = None
    auto: object | None = None  # smm.inbox.auto.AutoRun, with --auto

    @property
    def queue(self) -> list[Item]:
        """Open items, most urgent first, then the most overdue."""
        return sorted((i for i in self.items.values() if i.is_open), key=queue_order)

    @property
    def exit_code(self) -> int:
        failed = self.git_error or (self.auto is not None and self.auto.failed)
        return 1 if failed or any(a.state in {"failed", "partial", "not_configured"} for a in self.accounts) else 0


def published_parts(repo, account: str) -> list[PublishResult]:
    """The account's parts smm recorded as published (remote id, URL, extra), in the records' order."""
    found = []
    for record in repo.records.values():
        job = record.accounts.get(account)
        if isinstance(job, dict) and job.get("state") == "published":
            found += [PublishResult(str(p["remote_id"]), p.get("url"), p.get("extra") or {})
                      for p in job.get("parts") or [] if isinstance(p, dict) and p.get("remote_id")]
    return found


def own_posts(repo) -> dict[tuple[str, str], str]:
    """(account, remote id of any part) → the brand post's id, from the publish records."""
    found = {}
    for post_id, record in repo.records.items():
        for account, job in record.accounts.items():
            if not isinstance(job, dict):
                continue
            for part in [job, *(job.get("parts") or [])]:
                if isinstance(part, dict) and part.get("remote_id"):
                    found[(account, str(part["remote_id"]))] = post_id
    return found


def collect(repo, now: datetime, env: Mapping[str, str], since: timedelta, *, classify: Classify | None = None,
            adapter_for: Callable[[str], Platform] | None = None) -> InboxRun:
    """Read every readable account; append what is new to data/inbox/."""
    classify = classify or _classify
    adapter_for = adapter_for or (lambda name: platform_class(repo.config.accounts[name].platform)(
        repo.config.accounts[name], env, repo.root))
    run = InboxRun(now, load_items(repo.root))
    posts, handles = own_posts(repo), own_handles(repo)
    renames = repo.config.renames
    known = {(renames.get(i.account, i.account), i.id.removeprefix(f"{i.account}:")) for i in run.items.values()}
    new: list[Item] = []
    for name, account in sorted(repo.config.accounts.items()):
        result = _read(name, account, env, adapter_for, now - since, published_parts(repo, name))
        run.accounts.append(result)
        for incoming in result.incoming:
            item_id = f"{name}:{incoming.network_id}"
            # an item is known by its account as named now: one collected before a rename (`formerly`) is not new
            if (name, incoming.network_id) in known or incoming.author.casefold() in handles:
                continue
            known.add((name, incoming.network_id))
            item = _item(item_id, name, account.platform, incoming, posts, classify, repo, now)
            run.items[item_id] = item
            new.append(item)
            result.new += 1
    for item in answered_items(repo, run.items, now):
        run.items[item.id] = item
        new.append(item)
    if new:
        append_items(repo.root, sorted(new, key=lambda i: (i.created_at, i.id)))
    return run


def _classify(text: str) -> tuple[str, str, str]:
    from smm.inbox.sentiment import classify  # the model loads only when there is something to classify

    return classify(text)


def _read(name: str, account, env, adapter_for, since: datetime, published: list) -> AccountResult:
    cls = platform_class(account.platform)
    result = AccountResult(name, account.platform, "skipped")
    if not cls.has_inbox:
        result.reason = f"smm cannot read {cls.label} mentions and messages"
        return result
    ready = cls.readiness(account.options, env)
    if not ready.ready:
        result.state = "not_configured" if ready.not_configured else "skipped"
        result.reason = ready.reason
        return result
    adapter = adapter_for(name)
    try:
        result.incoming, problems = answers.kept(adapter.inbox(since, published))
        result.state = "collected"
        if problems:  # the others are kept: an item that cannot be written holds up none of them
            result.state, result.reason = "partial", answers.left_out(cls.label, problems, "item")
    except PlatformError as exc:
        result.state, result.reason = "failed", str(exc)
        log.info("inbox %s: %s", name, exc)
    finally:
        adapter.close()
    return result


def own_handles(repo) -> set[str]:
    """The brand's own accounts' handles (lower case), whose posts are never inbox items."""
    handles = set()
    for account in repo.config.accounts.values():
        for key in ("handle", "username"):
            value = account.options.get(key)
            if isinstance(value, str):
                handles.add(value.lstrip("@").casefold())
    return handles


def _item(item_id: str, account: str, platform: str, incoming: Incoming, posts: dict, classify: Classify,
          repo, now: datetime) -> Item:
    replies: Replies = repo.replies
    _, sentiment, intent = classify(incoming.text)
    priority = priority_of(incoming.text, incoming.kind, sentiment, intent, incoming.author_followers, replies,
                           incoming.author_verified)
    answered = incoming.in_reply_to or incoming.quotes
    return Item(item_id, account, platform, incoming.kind, incoming.author, incoming.text, incoming.url,
                incoming.created_at.isoformat(), due_by(incoming.created_at, priority, replies, repo.config.timezone)
                .isoformat(), priority, sentiment, intent, "open", posts.get((account, answered)) if answered else None,
                now.isoformat())


def answer_automatically(repo, run: InboxRun, now: datetime, env: Mapping[str, str], push: bool = False) -> None:
    """`--auto`: the auto-reply rules' answers sent (claimed in the remote first with `push`), their items'
    new states written."""
    from smm.inbox.auto import auto_reply

    run.auto = auto_reply(repo, run.items, now, env, push)
    changed = run.auto.escalated + run.auto.answered
    for item in changed:
        run.items[item.id] = item
    if changed:
        append_items(repo.root, changed)
