"""INTERIM (compete18), for the lead to swap for listen18's modules at the merge: a minimal reader of
brand/listening.yml's `competitors:` (listen18: smm.listening.config.load_listening) and of
data/mentions/<YYYY-MM>.csv (listen18: smm.listening.mentions.read_mentions), written to the shared
contract (/work/wt/CONTRACTS.md). Only `competitor_accounts` and `read_mentions` are used elsewhere
(smm/metrics/competitors.py, smm/report/__init__.py; MENTIONS in tests/tools/simulate_listening.py). The swap:

    competitor_accounts(root)  →  {c.name: c.accounts for c in getattr(load_listening(root), "competitors", ())}
                                  (catch listen18's BrokenListening where DataError is caught now)
    read_mentions(root)        →  smm.listening.mentions.read_mentions(root)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smm.data.tables import Table, read_rows
from smm.errors import DataError
from smm.workspace.files import read_text
from smm.workspace.yamlsource import load

LISTENING_FILE = "brand/listening.yml"
MENTIONS = Table("data/mentions", ("id", "network", "author", "author_followers", "created_at", "text", "url",
                                   "keyword", "subject", "sentiment", "engagement"))
_MONTH = re.compile(r"^\d{4}-\d{2}\.csv$")


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


def competitor_accounts(root: Path) -> dict[str, dict[str, str]]:
    """Each competitor's name → {network: handle}, in the file's order; {} without the file."""
    if not os.path.lexists(root / LISTENING_FILE):
        return {}
    text, found = read_text(root, LISTENING_FILE)
    parsed = load(text or "", file=LISTENING_FILE)
    problems = [d for d in found + parsed.diagnostics if d.is_error]
    if text is None or problems:
        d = problems[0]
        raise DataError(f"{d.file}:{d.line}:{d.column}: {d.message}")
    data = {} if parsed.data is None else parsed.data
    competitors = (data.get("competitors") or {}) if isinstance(data, dict) else None
    if not isinstance(competitors, dict):
        raise DataError(f"{LISTENING_FILE}: `competitors` must be a mapping of names to their accounts")
    accounts = {}
    for name, entry in competitors.items():
        given = entry.get("accounts") if isinstance(entry, dict) else None
        if not isinstance(given, dict) or not all(isinstance(h, str) and h for h in given.values()):
            line = parsed.positions.at(("competitors", name))[0]
            raise DataError(f"{LISTENING_FILE}:{line}: competitors.{name}.accounts must map networks to handles")
        accounts[str(name)] = {str(k): v for k, v in given.items()}
    return accounts


def read_mentions(root: Path, since: datetime | None = None) -> list[Mention]:
    """Every mention in data/mentions/ created at or after `since`, oldest first."""
    folder = root / MENTIONS.folder
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(p for p in folder.iterdir() if _MONTH.match(p.name)):
        for number, row in enumerate(read_rows(path, root, MENTIONS), start=2):
            try:
                mention = Mention(row["id"], row["network"], row["author"],
                                  int(row["author_followers"]) if row["author_followers"] else None,
                                  datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")).astimezone(timezone.utc),
                                  row["text"], row["url"], row["keyword"], row["subject"], row["sentiment"],
                                  int(row["engagement"] or 0))
            except (TypeError, ValueError, AttributeError) as exc:
                raise DataError(f"{path.relative_to(root).as_posix()}:{number}: not a mention row ({exc})") from None
            if since is None or mention.created_at >= since:
                found.append(mention)
    return sorted(found, key=lambda m: m.created_at)
