"""Inbox items and their files: data/inbox/<YYYY-MM>.jsonl, one JSON object per line.

A file is only ever appended to, so two runs' files merge by taking the lines of both (git's
union merge, and smm.data.merge after a lost push race). An item may appear on several lines
(collected, then answered): the line updated last wins, the further state on a tie.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from smm.data.jobs import parse_time
from smm.errors import DataError
from smm.inbox.intent import INTENTS, SENTIMENTS
from smm.workspace.files import LEADS_OUTSIDE, links_outside, open_regular, parse_json, refuse_outside, require_folder
from smm.workspace.timezones import YEARS_TEXT

INBOX_DIR = "data/inbox"
KINDS = ("mention", "reply", "comment", "quote", "dm")
PRIORITIES = ("urgent", "high", "normal", "low")
STATES = ("open", "escalated", "dismissed", "auto-answered", "answered")  # later ones end the wait
OPEN_STATES = ("open", "escalated")
MAX_LINE = 256 * 1024  # bytes: a line longer than this is not smm's


@dataclass(frozen=True)
class Item:
    """One thing a person said, as the queue shows it (the `--format json` keys, then when it changed)."""

    id: str  # <account>:<network id>
    account: str
    platform: str
    kind: str
    author: str
    text: str
    url: str | None
    created_at: str  # ISO 8601 with offset
    due_by: str
    priority: str
    sentiment: str
    intent: str
    state: str
    post: str | None  # the brand post it answers or quotes
    updated_at: str
    rule: str | None = None  # the auto-reply rule that answered it

    def as_json(self) -> dict:
        data = asdict(self)
        del data["updated_at"], data["rule"]
        return data

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


FIELDS = tuple(f.name for f in fields(Item))
_OPTIONAL = ("url", "post", "rule")  # text or null; every other field is text
_TIMES = ("created_at", "due_by", "updated_at")  # ISO 8601 with an offset
_SURROGATE = re.compile("[\ud800-\udfff]")
_CHOICES = {"kind": KINDS, "state": STATES, "priority": PRIORITIES, "sentiment": SENTIMENTS, "intent": INTENTS}


def month_file(created_at: datetime) -> str:
    """The file of the month (UTC) an item was created in."""
    return f"{INBOX_DIR}/{created_at.astimezone(timezone.utc):%Y-%m}.jsonl"


def queue_order(item: Item) -> tuple[int, datetime, str]:
    """The queue's order: most urgent first, then the earliest due, as instants (the offsets of two
    items' times may differ: a hand edit, another tool), then by id."""
    return PRIORITIES.index(item.priority), datetime.fromisoformat(item.due_by), item.id


def _rank(item: Item) -> tuple[datetime, int]:
    """The order of an item's lines: when each was written, as an instant (the offsets of two lines may
    differ: a hand edit), then the further state."""
    return datetime.fromisoformat(item.updated_at), STATES.index(item.state)


ANSWERED = ("answered", "auto-answered")


def lines(root: Path):
    """Every item line of data/inbox/, oldest file first. A line that is not an item is a
    DataError naming its file and line."""
    folder = root / INBOX_DIR
    require_folder(root, INBOX_DIR)  # read as no items, an item answered would be answered again
    if not folder.is_dir():
        return
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".jsonl"):
            continue
        file = f"{INBOX_DIR}/{name}"
        if links_outside(root, file):
            raise DataError(f"{file}: {LEADS_OUTSIDE}")
        try:
            handle = open_regular(root / file)  # never a named pipe: it would block
        except OSError as exc:
            raise DataError(f"{file}: cannot be read: {exc.strerror or exc}") from None
        with handle:
            for number, raw in enumerate(handle, 1):
                if number == 1:  # an editor's byte order mark (a hand edit saved "UTF-8 with BOM")
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                if raw.strip():
                    yield _parse(raw, file, number)


def load_items(root: Path) -> dict[str, Item]:
    """Every item by id, as last updated."""
    return load_history(root)[0]


def load_history(root: Path) -> tuple[dict[str, Item], dict[str, str]]:
    """In one read of data/inbox/: every item as last updated, and when each answered item was
    first answered (ISO 8601), by id."""
    items: dict[str, Item] = {}
    first_answers: dict[str, Item] = {}
    for item in lines(root):
        known = items.get(item.id)
        if known is None or _rank(item) > _rank(known):
            items[item.id] = item
        first = first_answers.get(item.id)
        if item.state in ANSWERED and (first is None or _rank(item)[0] < _rank(first)[0]):
            first_answers[item.id] = item
    return items, {item_id: item.updated_at for item_id, item in first_answers.items()}


def _parse(raw: bytes, file: str, number: int) -> Item:
    try:
        if len(raw) > MAX_LINE:
            raise ValueError(f"longer than {MAX_LINE} bytes")
        data, problem = parse_json(raw.decode("utf-8"))  # nested 10,000 deep: json's parser would recurse
        if problem:
            raise ValueError(f"column {problem[1]}: {problem[2]}")
        if not isinstance(data, dict) or not set(FIELDS) - {"rule"} <= set(data) <= set(FIELDS):
            raise ValueError(f"expected an object with the keys {', '.join(FIELDS)}")
        for key, value in data.items():
            if not isinstance(value, str) and not (value is None and key in _OPTIONAL):
                raise ValueError(f"{key} is {json.dumps(value)[:40]}, not a text{' or null' * (key in _OPTIONAL)}")
            if isinstance(value, str) and _SURROGATE.search(value):  # `\ud800` alone: no text can be written of it
                raise ValueError(f"{key} holds a lone surrogate `\\u{ord(_SURROGATE.search(value)[0]):04x}`, not text")
            if key in _CHOICES and value not in _CHOICES[key]:
                raise ValueError(f"unknown {key} `{value[:40]}` (one of {', '.join(_CHOICES[key])})")
            if key in _TIMES:
                try:
                    moment = datetime.fromisoformat(value)
                except ValueError:
                    moment = None
                if moment is None or moment.utcoffset() is None or parse_time(value) is None:
                    raise ValueError(f"{key} `{value[:40]}` is not a time with its UTC offset (2026-11-25T08:00:00+00:00) "
                                     f"in {YEARS_TEXT}")
        return Item(**data)
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise DataError(f"{file}:{number}: not an inbox item: {exc}", file=file, line=number) from None


def append_items(root: Path, items: list[Item]) -> None:
    """Add these lines to their month files (created first, one write per file)."""
    by_file: dict[str, list[Item]] = {}
    for item in items:
        by_file.setdefault(month_file(datetime.fromisoformat(item.created_at)), []).append(item)
    for file, batch in by_file.items():
        path = root / file
        refuse_outside(root, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(asdict(i), ensure_ascii=False, sort_keys=False) + "\n" for i in batch)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
