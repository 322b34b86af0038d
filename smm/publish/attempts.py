"""What identifies a job's call and its attempts: the content key, part hashes, and the
timestamps records keep (UTC; seconds for people, microseconds for comparing attempts)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from smm.workspace.files import inside, open_regular


def content_of(rendered, root) -> str:
    """What the account receives, as one string: the parts, and the media files with their digests
    (so a fixed or replaced picture makes a new key)."""
    media = []
    for m in rendered.media:  # a cover, where chosen, with its picture's digest
        media.append([m.file, m.alt, _digest(root, m.file)] + ([m.cover, _digest(root, str(m.cover))] if m.cover is not None else []))
    return json.dumps([[p.text for p in rendered.parts], media], ensure_ascii=False)


def _digest(root, file: str) -> str:
    """A media file's BLAKE2 digest; "missing" when it is not a readable regular file in the repository."""
    path, outside = inside(root, file)
    if outside:
        return "missing"
    try:
        with open_regular(path) as handle:
            return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
    except OSError:
        return "missing"


def part_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def idempotency_key(post_id: str, account: str, content: str) -> str:
    return hashlib.sha256(f"{post_id}\n{account}\n{content}".encode()).hexdigest()[:32]


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def exact(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def read_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def latest(attempts: list[dict]) -> datetime:
    """The latest moment any of these attempts may have called the network."""
    return max(read_time(a.get("until") or a.get("last_call") or a["at"]) for a in attempts)
