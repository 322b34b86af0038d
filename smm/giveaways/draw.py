"""The draw (procedure `smm-giveaway-1`), its record in data/giveaways/<post-id>.json, and its verification.

The procedure, which anyone can redo from the record and the repository:

1. the eligible entrants, each `{"key", "account", "network", "handle"}`, sorted by `key`, written as
   canonical JSON (keys sorted, no spaces, UTF-8): its SHA-256 is the entrant-list hash;
2. the seed is the hash of the first commit on the default branch after the deadline (smm.giveaways.seed);
3. each entrant's rank is SHA-256 of `<seed>:<entrant-list hash>:<key>` (hex); the `winners` lowest
   ranks win (all entrants when there are fewer), in that order.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from smm.content.post import ID_PATTERN
from smm.errors import DataError, InputError, StateError
from smm.giveaways.seed import Seed, seed_after
from smm.workspace.files import parse_json, read_text, write_atomic

PROCEDURE = "smm-giveaway-1"
GIVEAWAYS_DIR = "data/giveaways"


def record_path(post_id: str) -> str:
    """The record's file; InputError for what no post id is (`../x`, a name too long for the system)."""
    if not ID_PATTERN.fullmatch(post_id):
        raise InputError(f"{post_id!r} is not a post id: lowercase letters, digits, `.`, `_` and `-`, at most 128")
    return f"{GIVEAWAYS_DIR}/{post_id}.json"


def canonical(entrants: list[dict]) -> bytes:
    return json.dumps(sorted(entrants, key=lambda e: e["key"]), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def list_hash(entrants: list[dict]) -> str:
    return hashlib.sha256(canonical(entrants)).hexdigest()


def rank(seed: str, entrants_hash: str, key: str) -> str:
    return hashlib.sha256(f"{seed}:{entrants_hash}:{key}".encode("utf-8")).hexdigest()


def pick(entrants: list[dict], seed: str, count: int) -> list[dict]:
    """The winners: the `count` lowest ranks, each with its rank."""
    digest = list_hash(entrants)
    ranked = sorted(({**e, "rank": rank(seed, digest, e["key"])} for e in entrants), key=lambda e: (e["rank"], e["key"]))
    return ranked[:count]


def make_record(post, giveaway, judged, accounts: dict[str, str], seed: Seed, now: datetime) -> dict:
    """The record of one draw; `accounts`: account → the post's remote id there."""
    return {
        "post": post.id, "procedure": PROCEDURE, "deadline": giveaway.deadline.isoformat(),
        "drawn_at": now.isoformat(), "enter": list(giveaway.enter), "winners_wanted": giveaway.winners,
        "rules": giveaway.rules, "accounts": accounts, "seed": seed.as_json(),
        "entrant_count": len(judged.eligible), "entrants_hash": list_hash(judged.eligible),
        "entrants": judged.eligible, "rejected": dict(sorted(Counter(r["reason"] for r in judged.rejected).items())),
        "rejections": judged.rejected, "notes": judged.notes,
        "winners": pick(judged.eligible, seed.commit, giveaway.winners), "announcements": [],
    }


def existing(root: Path, post_id: str) -> dict | None:
    """The recorded draw of a post, None when there is none; DataError when it cannot be read."""
    file = record_path(post_id)
    if not (root / file).exists():
        return None
    text, problems = read_text(root, file)
    if text is None:
        raise DataError(f"{file}: {problems[0].message}")
    record, problem = parse_json(text)
    if problem or not isinstance(record, dict):
        where = f"line {problem[0]}, column {problem[1]}: {problem[2]}" if problem else "not a JSON object"
        raise DataError(f"{file}: unreadable giveaway record ({where})")
    return record


def refuse_if_drawn(root: Path, post_id: str) -> None:
    """StateError when the post was drawn already: a draw is never made twice."""
    earlier = existing(root, post_id)
    if earlier is not None:
        raise StateError(f"{post_id} was already drawn on {earlier.get('drawn_at')} ({record_path(post_id)}); "
                         f"`smm giveaway verify {post_id}` checks it")


def write_record(root: Path, record: dict) -> str:
    """Write the record; never over an earlier draw."""
    file = record_path(record["post"])
    refuse_if_drawn(root, record["post"])
    (root / GIVEAWAYS_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(root / file, json.dumps(record, ensure_ascii=False, indent=2) + "\n", root)
    return file


def verify(root: Path, record: dict, post_id: str, deadline: datetime | None) -> list[str]:
    """What differs between the record and the draw redone from its entrants and the repository
    (nothing: it matches): the winners whole, as announced (handle, account, rank), not their keys
    alone. `post_id`: whose record it is; `deadline`: the post's, when the post is still there."""
    found = []
    malformed = _malformed(record)
    if malformed:
        return [f"the record is incomplete or malformed: {malformed}"]
    if record["procedure"] != PROCEDURE:
        return [f"procedure {record['procedure']!r} is not one this smm knows ({PROCEDURE})"]
    entrants, wanted, seed = record["entrants"], record["winners_wanted"], record["seed"]["commit"]
    recorded_deadline = datetime.fromisoformat(record["deadline"])
    recomputed = list_hash(entrants)
    if record.get("post") != post_id:
        found.append(f"post: the record says {record.get('post')!r}, its file is {post_id}'s")
    if deadline is not None and deadline != recorded_deadline:
        found.append(f"deadline: the record says {recorded_deadline.isoformat()}, the post {deadline.isoformat()}")
    if recomputed != record.get("entrants_hash"):
        found.append(f"entrants_hash: the record says {record.get('entrants_hash')}, its entrants hash to {recomputed}")
    if len(entrants) != record.get("entrant_count"):
        found.append(f"entrant_count: the record says {record.get('entrant_count')}, it lists {len(entrants)}")
    try:
        actual = seed_after(root, recorded_deadline)
    except StateError as exc:
        found.append(f"seed: {exc.message}")
    else:
        if actual.commit != seed:
            found.append(f"seed: the record says commit {seed}, the first commit on {actual.branch} after the "
                         f"deadline is {actual.commit}")
    expected = pick(entrants, seed, wanted)
    if expected != record["winners"]:
        found.append(f"winners: the record says {_named(record['winners'])}, the draw gives {_named(expected)}")
    return found


def _named(winners: list[dict]) -> str:
    """Winners as the announcement names them, each with its key (`@fan@mastodon.example (mastodon:1)`)."""
    return ", ".join(f"@{w.get('handle')} ({w['key']})" for w in winners) or "none"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _listed(value, fields: tuple[str, ...]) -> bool:
    """A list of objects, each with these fields as text."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and all(isinstance(item.get(f), str) for f in fields) for item in value)


def _malformed(record: dict) -> str | None:
    """What in a record's fields the verification needs is missing or of the wrong type, or None."""
    if not isinstance(record.get("procedure"), str):
        return "`procedure` is not a text"
    if not _is_int(record.get("winners_wanted")) or record["winners_wanted"] < 1:
        return "`winners_wanted` is not a whole number of at least 1"
    if not _is_int(record.get("entrant_count")):
        return "`entrant_count` is not a whole number"
    seed = record.get("seed")
    if not isinstance(seed, dict) or not isinstance(seed.get("commit"), str):
        return "`seed` has no `commit`"
    if not _listed(record.get("entrants"), ("key",)):
        return "`entrants` is not a list of objects each with a text `key`"
    if not _listed(record.get("winners"), ("key", "handle", "account")):
        return "`winners` is not a list of objects each with a text `key`, `handle` and `account`"
    try:
        deadline = datetime.fromisoformat(record.get("deadline"))
    except (TypeError, ValueError):
        return "`deadline` is not an ISO 8601 time"
    if deadline.utcoffset() is None:
        return "`deadline` has no UTC offset"
    return None
