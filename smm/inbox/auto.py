"""Auto-replies: `smm inbox --auto` answers open items that an `auto:` rule of brand/replies.yml fits.

    each open item, oldest first, that the first fitting rule answers
        negative sentiment             → escalated: a person answers, never a machine
        quiet hours now                → left for a later run
        an automatic reply to the same author on the account in the last 24 h → left for a person
        the rule's `max_per_run` reached → left for the next run
        a reply post to it exists      → that post is the answer (a person's, or an earlier run's)
        else                           → content/replies/auto/auto-<item>.md, the rule named in its title
    the reply posts go out through the publishing pipeline (never twice); each published one makes
    its item `auto-answered`, with the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Mapping

from smm.errors import SmmError
from smm.inbox.items import Item, lines
from smm.inbox.replies import yaml_text
from smm.inbox.triage import AutoRule
from smm.workspace.files import write_atomic

AUTO_DIR = "content/replies/auto"
ONCE_PER_AUTHOR = timedelta(hours=24)


@dataclass
class AutoRun:
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # post id → (item id, rule)
    escalated: list[Item] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # (item id, why)
    answered: list[Item] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item id, why)


def post_id(item_id: str) -> str:
    return "auto-" + re.sub(r"[^a-z0-9]+", "-", item_id.lower()).strip("-")[-80:]


def plan(repo, items: dict[str, Item], now: datetime) -> AutoRun:
    """Write the reply posts the rules call for; escalate the negative items they fit."""
    replies, tz = repo.replies, repo.config.timezone
    run = AutoRun()
    if not replies.auto:
        return run
    answered_by = {p.reply_to: p.id for p in repo.posts if p.reply_to}
    recent = {_author(i, repo.config.renames) for i in lines(repo.root)
              if i.state == "auto-answered" and datetime.fromisoformat(i.updated_at) > now - ONCE_PER_AUTHOR}
    sent: dict[str, int] = {}
    for item in sorted((i for i in items.values() if i.state == "open"), key=lambda i: (datetime.fromisoformat(i.created_at), i.id)):
        rule = next((r for r in replies.auto if r.fits(item)), None)
        if rule is None:
            continue
        if item.id in answered_by:
            if answered_by[item.id] == post_id(item.id):  # written by an earlier run that stopped before sending
                run.written[answered_by[item.id]] = (item.id, rule.name)
            continue
        author = _author(item, repo.config.renames)
        why = _held(item, rule, replies, tz, now, author in recent, sent)
        if why == "negative":
            run.escalated.append(replace(item, state="escalated", updated_at=now.isoformat()))
        elif why:
            run.held.append((item.id, why))
        elif problem := _write(repo.root, item, rule):
            run.held.append((item.id, problem))
        else:
            run.written[post_id(item.id)] = (item.id, rule.name)
            recent.add(author)
            sent[rule.name] = sent.get(rule.name, 0) + 1
    return run


def _author(item: Item, renames: dict[str, str]) -> tuple[str, str]:
    """Who an item came from, on which account as named now (an item said before a rename, `formerly`, is the account's)."""
    return renames.get(item.account, item.account), item.author.casefold()


def _held(item: Item, rule: AutoRule, replies, tz, now: datetime, answered_lately: bool, sent: dict) -> str | None:
    if item.sentiment == "negative":
        return "negative"
    if replies.quiet_at(now, tz):
        return "quiet hours"
    if answered_lately:
        return f"{item.author} got an automatic reply in the last 24 hours"
    if sent.get(rule.name, 0) >= rule.max_per_run:
        return f"rule `{rule.name}` reached its max_per_run ({rule.max_per_run})"
    return None


def _write(root, item: Item, rule: AutoRule) -> str | None:
    """Write the reply post; or why the rule's template cannot answer this item."""
    import jinja2

    try:
        text = rule.render(author=item.author, text=item.text, kind=item.kind, account=item.account,
                                    platform=item.platform).strip()
    except (jinja2.TemplateError, RecursionError, MemoryError) as exc:
        return f"rule `{rule.name}`: its template fails: {exc}"
    if not text:
        return f"rule `{rule.name}`: its template gives an empty reply"
    title = yaml_text(f"Auto-reply ({rule.name}) to {' '.join(item.author.split())}")
    write_atomic(root / AUTO_DIR / f"{post_id(item.id)}.md",
                 f"---\ntitle: {title}\nreply_to: {yaml_text(item.id)}\n---\n{text}\n", root)
    return None


def send(repo_loader, run: AutoRun, items: dict[str, Item], now: datetime, env: Mapping[str, str],
         push: bool = False) -> None:
    """Publish the written reply posts (and only those); the published ones answer their items. With
    `push`, their attempts are claimed in the remote first, as `smm publish --push` does: a run whose
    last push is lost leaves the next one a claim to look up, never a reply to send again."""
    if not run.written:
        return
    from smm.publish.pipeline import Publisher, pushed_claim

    repo = repo_loader()
    claim = pushed_claim(repo.root, also=(AUTO_DIR,)) if push else None
    try:
        report = Publisher(repo, now, env, only=frozenset(run.written), claim=claim).run()
    except SmmError as exc:  # the claim could not be pushed: nothing was sent
        run.failed += [(item_id, exc.message) for item_id, _ in run.written.values()]
        return
    for job in report.jobs:
        item_id, rule = run.written[job.post]
        if job.state == "published":
            run.answered.append(replace(items[item_id], state="auto-answered", rule=rule, updated_at=now.isoformat()))
        else:
            run.failed.append((item_id, f"{job.state}: {job.error or ''}".strip()))


def auto_reply(repo, items: dict[str, Item], now: datetime, env: Mapping[str, str], push: bool = False) -> AutoRun:
    """Plan, write and send the automatic replies (claimed in the remote first with `push`); the
    escalated and answered items' new lines (not yet written) are in the result."""
    from smm.workspace.repo import load_repo

    run = plan(repo, items, now)
    send(lambda: load_repo(repo.root), run, items, now, env, push)
    return run
