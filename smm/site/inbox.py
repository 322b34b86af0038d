"""The inbox as the site shows it: per network, open and overdue counts and the oldest wait;
each item's text, author and link only with `site: {include_inbox: true}` in brand/brand.yml
(a Pages site may be public, even for a private repository)."""

from __future__ import annotations

from datetime import datetime

from smm.inbox.items import Item, load_items


def queue(root) -> list[Item]:
    """The open items, most urgent and earliest due first."""
    from smm.inbox.items import queue_order

    return sorted((i for i in load_items(root).values() if i.is_open), key=queue_order)


def clock(item: Item, now: datetime) -> tuple[bool, str]:
    """(overdue, `1d3h05m`): time left before the item's due time, or past it (as site/clock.js
    writes it again when the page is viewed)."""
    delta = datetime.fromisoformat(item.due_by) - now
    return delta.total_seconds() < 0, _duration(abs(delta))


def by_network(items: list[Item], now: datetime) -> list[dict]:
    """Per network: open items, overdue ones and the oldest wait (no text, no author)."""
    found: dict[str, dict] = {}
    for item in items:
        row = found.setdefault(item.platform, {"network": item.platform, "open": 0, "overdue": 0, "oldest": None})
        row["open"] += 1
        row["overdue"] += clock(item, now)[0]
        waited = now - datetime.fromisoformat(item.created_at)
        row["oldest"] = max(row["oldest"] or waited, waited)
    return [{**row, "oldest": _duration(row["oldest"])} for _, row in sorted(found.items())]


def _duration(delta) -> str:
    """`1d3h05m`, whole minutes (none below zero)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    return (f"{days}d" if days else "") + f"{rest // 60}h{rest % 60:02d}m"


def shown(items: list[Item], now: datetime, include_text: bool) -> list[dict]:
    """The queue's rows: priority, network, kind and SLA clock; author, text and link only when allowed."""
    rows = []
    for item in items:
        late, left = clock(item, now)
        due = round(datetime.fromisoformat(item.due_by).timestamp() * 1000)  # for site/clock.js
        row = {"priority": item.priority, "network": item.platform, "kind": item.kind, "late": late, "clock": left,
               "due": due}
        if include_text:
            row.update(author=item.author, text=item.text, url=item.url, id=item.id)
        rows.append(row)
    return rows
