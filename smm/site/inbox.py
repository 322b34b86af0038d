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
    """Per network: open items, overdue ones and the oldest wait (no text, no author); for site/clock.js,
    which counts them again when the page is viewed, every due time (`dues`) and the oldest item's time
    (`since`), in milliseconds since the epoch."""
    found: dict[str, dict] = {}
    for item in items:
        row = found.setdefault(item.platform, {"network": item.platform, "open": 0, "overdue": 0, "dues": [],
                                               "first": None})
        row["open"] += 1
        row["overdue"] += clock(item, now)[0]
        row["dues"].append(_ms(item.due_by))
        said = datetime.fromisoformat(item.created_at)
        row["first"] = min(row["first"] or said, said)
    return [{"network": row["network"], "open": row["open"], "overdue": row["overdue"],
             "dues": " ".join(map(str, sorted(row["dues"]))), "oldest": _duration(now - row["first"]),
             "since": _ms(row["first"].isoformat())} for _, row in sorted(found.items())]


def _ms(moment: str) -> int:
    """An ISO 8601 time as milliseconds since the epoch (how site/clock.js reads times)."""
    return round(datetime.fromisoformat(moment).timestamp() * 1000)


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
        due = _ms(item.due_by)  # for site/clock.js
        row = {"priority": item.priority, "network": item.platform, "kind": item.kind, "late": late, "clock": left,
               "due": due}
        if include_text:
            row.update(author=item.author, text=item.text, url=item.url, id=item.id)
        rows.append(row)
    return rows
