"""A cache of parsed files under .smm-cache/ (gitignored), so warm runs skip parsing.

An entry is trusted when the file's size and modification time are unchanged and the
file is older than the cache (as git's index does, to avoid the racy-git case); otherwise
the file is read and its BLAKE2 digest decides. Anything unreadable is a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

from smm.lock import CACHE_DIR

MISS = object()
_RACY_NS = 2_000_000_000  # files changed this close to the last save are always hashed


class FileCache:
    def __init__(self, root: Path, name: str, version: str) -> None:
        self.path = root / CACHE_DIR / f"{name}.pickle"
        self.root = root
        self.version = version
        self.saved_ns, self.entries = 0, {}
        try:
            with open(self.path, "rb") as handle:
                saved_version, self.saved_ns, self.entries = pickle.load(handle)
            if saved_version != version:
                self.saved_ns, self.entries = 0, {}
        except Exception:  # a missing, old or damaged cache is an empty one
            self.saved_ns, self.entries = 0, {}
        self.fresh: dict[str, tuple] = {}
        self.seen: set[str] = set()
        self._pending: tuple = ("", None, None)

    def lookup(self, file: str, limit: int) -> tuple[object, bytes | None]:
        """(value, None) on a hit; (MISS, bytes) to parse; (MISS, None) when unreadable or too big."""
        self.seen.add(file)
        try:
            st = os.stat(os.path.join(self.root, file))
        except OSError:
            return MISS, None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        entry = self.entries.get(file)
        if entry and entry[0] == stamp and st.st_mtime_ns < self.saved_ns - _RACY_NS:
            return entry[2], None
        if st.st_size > limit:
            return MISS, None
        try:
            with open(os.path.join(self.root, file), "rb") as handle:
                data = handle.read(limit + 1)
        except OSError:
            return MISS, None
        if len(data) > limit:
            return MISS, None
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if entry and entry[1] == digest:
            self.fresh[file] = (stamp, digest, entry[2])
            return entry[2], None
        self._pending = (file, stamp, digest)
        return MISS, data

    def store(self, file: str, value: object) -> None:
        """Remember the value for the file whose bytes the last `lookup` returned."""
        pending_file, stamp, digest = self._pending
        if pending_file == file:
            self.fresh[file] = (stamp, digest, value)

    def merge(self, fresh: dict, seen: set) -> None:
        """Entries made in another process."""
        self.fresh.update(fresh)
        self.seen |= seen

    def save(self) -> None:
        """Write the entries of the files seen this run, if anything changed (best effort)."""
        if not self.fresh and set(self.entries) == self.seen:
            return
        entries = {f: e for f, e in self.entries.items() if f in self.seen}
        entries.update(self.fresh)
        try:
            self.path.parent.mkdir(exist_ok=True)
            temp = self.path.with_suffix(f".tmp{os.getpid()}")
            with open(temp, "wb") as handle:
                pickle.dump((self.version, time.time_ns(), entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)
        except OSError:
            pass
