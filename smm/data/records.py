"""Publish records under data/published/: one JSON file per post, written only by the bot."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace import files as workspace_files
from smm.workspace.cache import MISS, FileCache, blake2b
from smm.workspace.files import (
    LEADS_OUTSIDE,
    decode,
    links_outside,
    not_a_folder,
    parse_json,
    read_bytes,
    write_atomic,
)
from smm.workspace.schema import SCHEMAS, schema

RECORDS_DIR = "data/published"
MAX_RECORD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Record:
    file: str
    post: str
    source: str | None  # the post file the record was made from
    accounts: dict

    def renamed(self, renames: dict[str, str]) -> Record:
        """This record with each account's job under the name it has now (`formerly` in platforms.yml)."""
        accounts = renamed_accounts(self.accounts, renames)
        return self if accounts is self.accounts else replace(self, accounts=accounts)


def renamed_accounts(accounts: dict, renames: dict[str, str]) -> dict:
    """`accounts` (jobs by account name) with each old name replaced by the new one, unless the new
    name has a job already (its own, or another old name's); the same dict when no name is old."""
    if not any(name in renames for name in accounts):
        return accounts
    moved = {name: job for name, job in accounts.items() if name not in renames}
    for name, job in accounts.items():
        if name in renames:
            moved[name if renames[name] in moved else renames[name]] = job
    return dict(sorted(moved.items()))


def record_file(post_id: str) -> str:
    return f"{RECORDS_DIR}/{post_id}.json"


def load_records(root: Path, renames: dict[str, str] | None = None) -> tuple[dict[str, Record], list[Diagnostic]]:
    """Every record by post id, its jobs under each account's name now (`renames`: old name → new,
    from platforms.yml's `formerly`); unreadable or malformed ones become diagnostics."""
    records: dict[str, Record] = {}
    found: list[Diagnostic] = []
    folder = root / RECORDS_DIR
    if links_outside(root, RECORDS_DIR):  # the bot would write records out there, and read none
        return records, [Diagnostic(RECORDS_DIR, 1, 1, ERROR, "record.invalid", f"the records' folder {LEADS_OUTSIDE}")]
    if not_a_folder(root, RECORDS_DIR):
        return records, [Diagnostic(RECORDS_DIR, 1, 1, ERROR, "record.invalid", not_a_folder(root, RECORDS_DIR))]
    if not folder.is_dir():
        return records, found
    cache = FileCache(root, "records", _cache_version())
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        file = f"{RECORDS_DIR}/{name}"
        cached, data = cache.lookup(file, MAX_RECORD_BYTES)
        if cached is MISS and data is not None:
            cached = _parse_record(file, data)
            cache.store(file, cached)
        elif cached is MISS:  # a link, a named pipe, a big file...: read_bytes says what is wrong
            cached = _parse_record(file, *read_bytes(root, file, MAX_RECORD_BYTES))
        record, problem = cached
        if problem:
            found.append(problem)
        else:
            records[record.post] = record.renamed(renames) if renames else record
    cache.save()
    return records, found


def _parse_record(file: str, data: bytes | None, read_problems: list[Diagnostic] = ()) -> tuple[Record | None, Diagnostic | None]:
    if data is None:
        why = read_problems[0].message if read_problems else "the file is missing"
        return None, Diagnostic(file, 1, 1, ERROR, "record.invalid", f"unreadable publish record: {why}")
    text, problems = decode(data, file)
    if text is None:
        return None, replace(problems[0], rule="record.invalid", message=f"unreadable publish record: {problems[0].message}")
    parsed, problem = parse_json(text)
    if problem:
        line, column, what = problem
        return None, Diagnostic(file, line, column, ERROR, "record.invalid", f"unreadable publish record: {what}")
    problems = schema("record").messages(parsed) or _times_problems(parsed["accounts"])
    if problems:
        return None, Diagnostic(file, 1, 1, ERROR, "record.invalid", f"malformed publish record: {problems[0]}")
    return Record(file, parsed["post"], parsed.get("file"), parsed["accounts"]), None


JOB_TIMES = ("first_attempt", "last_attempt")  # read by `smm publish` (a report reads published_at leniently)
ATTEMPT_TIMES = ("at", "until", "last_call")


def _times_problems(accounts: dict) -> list[str]:
    """Each time `smm publish` reads of a (schema-valid) record that is no time with its UTC offset, as smm
    writes them: an attempt's times decide what a lookup may match and how long a claim holds, so none is
    guessed."""
    found = []
    for name, job in accounts.items():
        times = [(f"accounts/{name}/{key}", job.get(key)) for key in JOB_TIMES]
        times += [(f"accounts/{name}/sent/{i}/{key}", attempt.get(key))
                  for i, attempt in enumerate(job.get("sent") or []) for key in ATTEMPT_TIMES]
        found += [f"{where}: {value!r} is not a time with its UTC offset (as smm writes it: 2026-11-27T04:07:12+00:00)"
                  for where, value in times if value is not None and not _is_time(value)]
    return found


def _is_time(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).utcoffset() is not None
    except ValueError:
        return False


def _cache_version() -> str:  # what decides how a record's bytes are read: this file, parse_json()'s, the schema
    return blake2b(Path(__file__).read_bytes() + Path(workspace_files.__file__).read_bytes()
                   + (SCHEMAS / "record.schema.json").read_bytes()).hexdigest()


class RecordStore:
    """Publish records as the run changes them; every change is on disk before it returns. A record
    written again holds its jobs under each account's name now (`renames`, as load_records)."""

    def __init__(self, root: Path, records: dict[str, Record], renames: dict[str, str] | None = None) -> None:
        self.root = root
        self.records = dict(records)
        self.renames = renames or {}

    def job(self, post_id: str, account: str) -> dict:
        record = self.records.get(post_id)
        return dict(record.accounts.get(account, {})) if record else {}

    def owned(self, account: str, post_id: str) -> frozenset[str]:
        """The remote ids every other job has recorded (the networks' ids do not repeat)."""
        return frozenset(remote for _, remote, _ in self._others(account, post_id) if remote)

    def owner(self, account: str, post_id: str, remote_id: str | None, url: str | None) -> str | None:
        """The other post whose record already has this remote id or URL (a part of it, too), or None."""
        return next((other for other, remote, link in self._others(account, post_id)
                     if (remote_id and remote == remote_id) or (url and link == url)), None)

    def _others(self, account: str, post_id: str):
        """(post id, remote id, url) of every part every other job has recorded."""
        for record in self.records.values():
            for name, job in record.accounts.items():
                if (record.post, name) != (post_id, account):
                    yield record.post, job.get("remote_id"), job.get("url")
                    yield from ((record.post, part.get("remote_id"), part.get("url")) for part in job.get("parts") or [])

    def save(self, post_id: str, source: str, account: str, job: dict) -> None:
        """Write one account's job into the post's record, keeping what is on disk for the others
        (a rebase during the run may have brought in another run's entries)."""
        record = self.records.get(post_id)
        accounts = dict(record.accounts) if record else {}
        file = record_file(post_id)
        on_disk = _parse_record(file, *read_bytes(self.root, file, MAX_RECORD_BYTES))[0]
        if on_disk is not None:
            accounts.update(renamed_accounts(on_disk.accounts, self.renames))
        accounts[account] = {k: v for k, v in job.items() if v is not None or k in ("remote_id", "url", "error")}
        data = {"post": post_id, "file": source, "accounts": dict(sorted(accounts.items()))}
        problems = schema("record").messages(data)
        if problems:  # a bug in smm: refuse to write a record it could not read back
            raise ValueError(f"invalid publish record for {post_id}: {problems[0]}")
        write_atomic(self.root / record_file(post_id), json.dumps(data, ensure_ascii=False, indent=2) + "\n", self.root)
        self.records[post_id] = Record(record_file(post_id), post_id, source, data["accounts"])
