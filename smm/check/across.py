"""Checks across posts whose results follow from the posts' summaries and the settings alone (ids
used twice, posts over a daily limit, the promotional share of the calendar and its planned
re-shares): kept between runs (`across` in the cache folder, outside the checkout) under a digest
of every post's summary (the fields those checks read and their places in the file), so neither
a warm `smm check` nor one after a post's text was edited runs them again over 10,000 posts.

A summary's places are those of its fields in the front matter; a planned re-share reads the
places of its post's fields from the file, the same as its summary's while the summary is unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from smm.check.diagnostics import Diagnostic
from smm.workspace.cache import MISS, blake2b, recall, remember


def posts_digest(settings_key: bytes, summaries: dict[str, bytes]) -> bytes:
    """A digest of the settings and of each post file's name and summary (file → the digest of
    its summary pickled, smm.check.run.Checked.summary_digest)."""
    digest = blake2b(settings_key, digest_size=16)
    digest.update(b"".join(f"\0{file}\0".encode() + summaries[file] for file in sorted(summaries)))
    return digest.digest()


class KeptAcross:
    """The results of checks across posts, each kept under the posts' digest and what else it
    depends on (`also`); `save` keeps what this run computed."""

    def __init__(self, root: Path, settings_key: bytes, posts: bytes) -> None:
        self.root, self.version, self.posts = root, settings_key.hex(), posts
        self.kept: dict[str, tuple[bytes, list[Diagnostic]]] | None = None
        self.changed = False

    def result(self, name: str, check: Callable[[], list[Diagnostic]], also: str = "",
               posts: bytes | None = None) -> list[Diagnostic]:
        """`check()`, or its result kept by an earlier run under the same digests (`posts`: of other
        posts than the run's)."""
        key = blake2b((posts or self.posts) + also.encode(), digest_size=16).digest()
        if self.kept is None:
            kept = recall(self.root, "across", self.version)
            self.kept = {} if kept is MISS or not isinstance(kept, dict) else kept
        entry = self.kept.get(name)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key:
            return list(entry[1])
        found = check()
        self.kept[name], self.changed = (key, list(found)), True
        return found

    def save(self) -> None:
        if self.changed:
            remember(self.root, "across", self.version, self.kept)
