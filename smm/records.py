"""Publish records under data/published/: one JSON file per post, written only by the bot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from smm.diagnostics import ERROR, Diagnostic
from smm.schema import schema

RECORDS_DIR = "data/published"


@dataclass(frozen=True)
class Record:
    file: str
    post: str
    source: str | None  # the post file the record was made from
    accounts: dict


def record_file(post_id: str) -> str:
    return f"{RECORDS_DIR}/{post_id}.json"


def load_records(root: Path) -> tuple[dict[str, Record], list[Diagnostic]]:
    """Every record by post id; unreadable or malformed ones become diagnostics."""
    records: dict[str, Record] = {}
    found: list[Diagnostic] = []
    folder = root / RECORDS_DIR
    if not folder.is_dir():
        return records, found
    for path in sorted(folder.glob("*.json")):
        file = path.relative_to(root).as_posix()
        try:
            data = json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError as exc:
            found.append(Diagnostic(file, exc.lineno, exc.colno, ERROR, "record.invalid", f"unreadable publish record: {exc.msg}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Diagnostic(file, 1, 1, ERROR, "record.invalid", f"unreadable publish record: {exc}"))
            continue
        problems = schema("record").messages(data)
        if problems:
            found.append(Diagnostic(file, 1, 1, ERROR, "record.invalid", f"malformed publish record: {problems[0]}"))
            continue
        records[data["post"]] = Record(file, data["post"], data.get("file"), data["accounts"])
    return records, found
