"""The open queue as text (a terminal), Markdown (a CI job summary) and JSON (`{"items": [...]}`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from smm.inbox.collect import InboxRun
from smm.inbox.items import Item
from smm import output

EXCERPT = 80  # characters of an item's text shown in text and Markdown


def _left(item: Item, now: datetime) -> str:
    """`3h05m left` or `overdue 1h20m`."""
    delta = datetime.fromisoformat(item.due_by) - now
    late = delta < timedelta(0)
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    text = (f"{days}d" if days else "") + f"{rest // 60}h{rest % 60:02d}m"
    return f"overdue {text}" if late else f"{text} left"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


def _summary(run: InboxRun) -> str:
    queue = run.queue
    overdue = sum(1 for i in queue if datetime.fromisoformat(i.due_by) < run.now)
    counts = {}
    for item in queue:
        counts[item.priority] = counts.get(item.priority, 0) + 1
    detail = ", ".join(f"{n} {p}" for p, n in counts.items())
    return f"{len(queue)} open" + (f" ({detail})" if detail else "") + f", {overdue} overdue"


def as_text(run: InboxRun) -> str:
    out = [f"Inbox: {_summary(run)}"]
    for item in run.queue:
        answers = f"  re {item.post}" if item.post else ""
        out.append(f"  {item.priority.upper():<7} {_left(item, run.now):<18} {item.id}  {item.kind} from "
                   f"{item.author} ({item.sentiment}, {item.intent}){answers}")
        out.append(f"          {_excerpt(item.text)}")
    out += _auto_lines(run)
    for account in run.accounts:
        if account.state != "collected":
            out.append(f"{account.account}: {account.state}" + (f" ({account.reason})" if account.reason else ""))
        elif account.new:
            out.append(f"{account.account}: {account.new} new")
    return "\n".join(out) + "\n"


def _auto_lines(run: InboxRun) -> list[str]:
    """What --auto did: each reply sent (with its rule), escalated, held and failed item."""
    auto = run.auto
    if auto is None:
        return []
    out = [f"auto-reply: {i.id} answered by rule `{i.rule}`" for i in auto.answered]
    out += [f"auto-reply: {i.id} escalated (negative: a person answers)" for i in auto.escalated]
    out += [f"auto-reply: {item_id} not answered: {why}" for item_id, why in auto.held + auto.failed]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(run: InboxRun) -> str:
    out = ["## Inbox", "", _summary(run) + ".", ""]
    if run.queue:
        out += ["| priority | due | item | from | says |", "|---|---|---|---|---|"]
        out += [f"| {i.priority} | {_left(i, run.now)} | [{_cell(i.id)}]({i.url or ''}) | {_cell(i.author)} | "
                f"{_cell(_excerpt(i.text))} |" for i in run.queue]
    problems = [a for a in run.accounts if a.state in {"failed", "partial", "not_configured"}]
    out += [""] + [f"- **{a.account}**: {a.state} ({_cell(a.reason or '')})" for a in problems]
    out += [f"- {_cell(line)}" for line in _auto_lines(run)]
    return "\n".join(out).rstrip() + "\n"


def as_json(run: InboxRun) -> str:
    return json.dumps({"items": [i.as_json() for i in run.queue]}, ensure_ascii=False, indent=2) + "\n"


def write(run: InboxRun, fmt: str) -> str:
    return {"json": as_json, "markdown": as_markdown}.get(fmt, as_text)(run)


def commit_message(run: InboxRun) -> str:
    new = sum(a.new for a in run.accounts)
    sent = len(run.auto.answered) if run.auto else 0
    return f"smm inbox: {new} new item{'s' * (new != 1)}" + (f", {sent} auto-repl{'ies' if sent != 1 else 'y'}" if sent else "")


output.render.register(InboxRun, write)
