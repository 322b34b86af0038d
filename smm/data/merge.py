"""Merging the data/ files two runs changed at once, when a push loses the race and rebases.

Each file smm writes can be merged without a human:

- a publish record (`data/published/<post>.json`): the union of its accounts; where both runs
  wrote the same account, the more advanced state wins (`JobState`'s order), then the job that got
  further (more thread parts, more calls, the later call); two equal jobs keep the one already
  pushed;
- a metrics, followers or mentions CSV (`data/metrics/`, `data/accounts/`, `data/mentions/`) or an inbox file
  (`data/inbox/*.jsonl`): the rows of both, each once, the pushed rows first;
- a JSON Feed: the entries of both (by id, newest first); its Atom twin is written from it.

Anything else is a real conflict: `merge_files` returns None and the rebase is aborted.
"""

from __future__ import annotations

import json
import logging
from pathlib import PurePosixPath

from smm.data.jobs import RECORDED_STATES, JobState
from smm.data.records import RECORDS_DIR
from smm.data.tables import FOLLOWERS, METRICS
from smm.workspace.files import parse_json

log = logging.getLogger(__name__)

STATE_ORDER = RECORDED_STATES  # a later state wins (see JobState)
ROW_FILES = {(METRICS.folder, ".csv"), (FOLLOWERS.folder, ".csv"), ("data/inbox", ".jsonl"), ("data/mentions", ".csv")}  # (folder, suffix)
JSON_FEED = "https://jsonfeed.org/version/1"


def _loads(text: str):
    """The JSON of a file smm writes, read as smm reads it (parse_json): one a merge would launder (a key
    twice, as a bad merge leaves it, NaN) is a ValueError, so the conflict is a real one."""
    value, problem = parse_json(text)
    if problem:
        raise ValueError(problem)
    return value


def merge_files(conflicts: dict[str, tuple[str | None, str | None]], read) -> dict[str, str] | None:
    """{path: (pushed text, ours)} → {path: merged text}, or None if any cannot be merged.

    `read(path)` gives a file's merged text in the working tree (for an Atom feed whose JSON
    twin merged without conflict)."""
    merged: dict[str, str] = {}
    for path in sorted(conflicts, key=lambda p: not p.endswith(".json")):  # a feed's JSON before its Atom twin
        pushed, ours = conflicts[path]
        text = _merge_one(path, pushed, ours, lambda p: merged.get(p) or read(p))
        if text is None:
            log.info("cannot merge %s: a real conflict", path)
            return None
        merged[path] = text
    return merged


def _merge_one(path: str, pushed: str | None, ours: str | None, read) -> str | None:
    if pushed is None or ours is None:  # deleted on one side: not something smm does
        return None
    where = PurePosixPath(path)
    try:
        if str(where.parent) == RECORDS_DIR and where.suffix == ".json":
            return merge_records(pushed, ours)
        if (str(where.parent), where.suffix) in ROW_FILES:
            return merge_rows(pushed, ours)
        if where.suffix == ".json" and _loads(pushed).get("version", "").startswith(JSON_FEED):
            return merge_feeds(pushed, ours)
        if where.suffix != ".json":  # an Atom feed, written from its JSON twin
            twin = read(str(where.with_suffix(".json")))
            return atom_of(twin) if twin and _loads(twin).get("version", "").startswith(JSON_FEED) else None
    except (ValueError, AttributeError, KeyError, TypeError):  # not what smm writes: a human's conflict
        return None
    return None


def rank(job: dict) -> tuple:
    """How far a job got: its state, then (short of published) its thread parts, calls and last call."""
    state = job.get("state")
    order = STATE_ORDER.index(state) if state in STATE_ORDER else -1
    if state == JobState.PUBLISHED:
        return (order,)
    return order, len(job.get("parts") or []), job.get("attempts") or 0, job.get("last_attempt") or ""


def merge_records(pushed: str, ours: str) -> str:
    mine, theirs = _loads(ours), _loads(pushed)
    accounts = dict(theirs["accounts"])
    for account, job in mine["accounts"].items():
        other = accounts.get(account)
        if other is None or rank(job) > rank(other):
            accounts[account] = job
        elif other.get("state") == job.get("state") == JobState.PUBLISHED and other.get("remote_id") != job.get("remote_id"):
            log.warning("%s on %s was published by two runs: kept %s, not %s", theirs["post"], account,
                        other.get("url") or other.get("remote_id"), job.get("url") or job.get("remote_id"))
    data = {"post": theirs["post"], "file": theirs.get("file") or mine.get("file"), "accounts": dict(sorted(accounts.items()))}
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False, indent=2) + "\n"


def merge_rows(pushed: str, ours: str) -> str:
    rows = pushed.splitlines()
    seen = set(rows)
    rows += [row for row in ours.splitlines() if row not in seen and not seen.add(row)]
    return "\n".join(rows) + "\n"


def merge_feeds(pushed: str, ours: str) -> str:
    """Both runs' entries, newest first (one more than `max_entries` until the next publish trims it)."""
    feed, mine = _loads(pushed), _loads(ours)
    items = {i["id"]: i for i in mine.get("items", [])} | {i["id"]: i for i in feed.get("items", [])}
    feed["items"] = sorted(items.values(), key=lambda i: (i.get("date_published") or "", i["id"]), reverse=True)
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def atom_of(json_feed: str) -> str:
    from smm.platforms.feed import atom

    feed = _loads(json_feed)
    return atom(feed["title"], feed.get("home_page_url"), feed["items"])
