"""Checks across posts whose results follow from the post files and the settings alone (ids used
twice, posts over a daily limit, the promotional share of the calendar and its planned re-shares):
kept between runs (`across` in the cache folder, outside the checkout) under a digest of every post
file's bytes, so a warm `smm check` does not run them again over 10,000 posts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from smm.check.diagnostics import Diagnostic
from smm.workspace.cache import MISS, recall, remember


def posts_digest(settings_key: bytes, digests: dict[str, bytes | None]) -> bytes | None:
    """A digest of the settings and every post file's bytes (file → digest of its bytes, None when
    not known: a link, an unreadable or big file); None when one is not known."""
    digest = hashlib.blake2b(settings_key, digest_size=16)
    for file in sorted(digests):
        file_digest = digests[file]
        if file_digest is None:
            return None
        digest.update(f"\0{file}\0".encode() + file_digest)
    return digest.digest()


class KeptAcross:
    """The results of checks across posts, each kept under the posts' digest and what else it
    depends on (`also`); `save` keeps what this run computed."""

    def __init__(self, root: Path, settings_key: bytes, posts: bytes | None) -> None:
        self.root, self.version, self.posts = root, settings_key.hex(), posts
        self.kept: dict[str, tuple[bytes, list[Diagnostic]]] | None = None
        self.changed = False

    def result(self, name: str, check: Callable[[], list[Diagnostic]], also: str = "") -> list[Diagnostic]:
        """`check()`, or its result kept by an earlier run under the same digests."""
        if self.posts is None:
            return check()
        key = hashlib.blake2b(self.posts + also.encode(), digest_size=16).digest()
        if self.kept is None:
            kept = recall(self.root, "across", self.version)
            self.kept = {} if kept is MISS or not isinstance(kept, dict) else kept
        entry = self.kept.get(name)
        if entry is not None and entry[0] == key:
            return list(entry[1])
        found = check()
        self.kept[name], self.changed = (key, list(found)), True
        return found

    def save(self) -> None:
        if self.changed:
            remember(self.root, "across", self.version, self.kept)
