"""data/mentions/<YYYY-MM>.csv: the mentions `smm listen` found, one row each, in the UTC month
they were said; unique by (network, id) across every month. Read with `read_mentions`.

The text is kept on one line (its line breaks become spaces): a row is a line, which is what
lets a push that lost a race merge two runs' rows (smm.data.merge) and a crash leave only
whole rows (smm.data.tables.append_rows).
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass, fields
from datetime import datetime
from pathlib import Path

from smm.data.jobs import parse_time
from smm.data.tables import Table, append_rows, count_cell, numbered_rows, timestamp, whole
from smm.errors import DataError
from smm.inbox.intent import SENTIMENTS
from smm.workspace.files import require_folder
from smm.workspace.timezones import YEARS_TEXT

MENTIONS = Table("data/mentions", ("id", "network", "author", "author_followers", "created_at", "text", "url",
                                   "keyword", "subject", "sentiment", "engagement"), ("author_followers", "engagement"))
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85\x0b\x0c]+\s*")


@dataclass(frozen=True)
class Mention:
    id: str
    network: str
    author: str
    author_followers: int | None
    created_at: datetime
    text: str
    url: str
    keyword: str
    subject: str
    sentiment: str
    engagement: int

    @property
    def key(self) -> tuple[str, str]:
        return self.network, self.id

    def row(self) -> list:
        return [timestamp(v) if isinstance(v, datetime) else v for v in astuple(self)]

    def as_json(self) -> dict:
        return {f.name: timestamp(v) if isinstance(v := getattr(self, f.name), datetime) else v for f in fields(self)}


def one_line(text: str) -> str:
    return _BREAKS.sub(" ", text).strip()


def read_mentions(root: Path, since: datetime | None = None) -> list[Mention]:
    """Every mention in data/mentions/ (said at or after `since`, when given), oldest first; a mention
    twice (two runs that found it, their rows merged) counts once, as first written."""
    folder = root / MENTIONS.folder
    require_folder(root, MENTIONS.folder)  # read as none, every mention would be appended again
    found: dict[tuple[str, str], Mention] = {}
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else ():
        for number, row in numbered_rows(path, root, MENTIONS):
            mention = _mention(row, f"{path.relative_to(root).as_posix()}:{number}")
            found.setdefault(mention.key, mention)
    return sorted((m for m in found.values() if since is None or m.created_at >= since),
                  key=lambda m: (m.created_at, m.network, m.id))


def _mention(row: dict, where: str) -> Mention:
    if not whole(row):  # (cut after `text`, its subject was None: a share of voice of its own, a crash of the site)
        raise DataError(f"{where}: not a mention row ({', '.join(MENTIONS.columns)}): a cell too few or too many; "
                        "restore the file from git")
    followers, engagement = (count_cell(row, column, where) for column in MENTIONS.counts)
    if row.get("sentiment") is not None and row["sentiment"] not in SENTIMENTS:
        raise DataError(f"{where}: unknown sentiment `{row['sentiment'][:40]}` (one of {', '.join(SENTIMENTS)})")
    created = parse_time(row.get("created_at"))
    if created is None and isinstance(row.get("created_at"), str):
        raise DataError(f"{where}: created_at `{row['created_at'][:40]}` is not a time such as 2026-11-25T16:05:00Z "
                        f"in {YEARS_TEXT}")
    try:
        if created is None:
            raise ValueError("no created_at")
        return Mention(row["id"], row["network"], row["author"], followers, created, row["text"], row["url"],
                       row["keyword"], row["subject"], row["sentiment"], engagement or 0)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DataError(f"{where}: not a mention row ({', '.join(MENTIONS.columns)}); "
                        "restore the file from git") from None


def append_mentions(root: Path, mentions: list[Mention]) -> list[str]:
    """Append each mention to its month's file; the files written."""
    months: dict[str, list[list]] = {}
    for mention in sorted(mentions, key=lambda m: (m.created_at, m.network, m.id)):
        months.setdefault(MENTIONS.month_file(mention.created_at), []).append(mention.row())
    return [append_rows(root, file, MENTIONS.columns, rows) for file, rows in sorted(months.items())]
