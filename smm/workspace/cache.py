"""A cache of what was computed from files (parsed posts, their checks), so warm runs skip the work.

It lives outside the checkout, in `$SMM_CACHE_DIR` or `$XDG_CACHE_HOME/smm` (default
`~/.cache/smm`), one folder per repository: the cache is unpickled, and a pull request
must never be able to plant a pickle that would then run as code in CI.

An entry is trusted when the file's size, modification and change times are unchanged
and the file is older than the cache (as git's index does, to avoid the racy-git case);
otherwise the file is read and its BLAKE2 digest decides. Anything unreadable is a miss, and so is
a cache file whose bytes are not those written (each carries their length and CRC-32: a disk or a
copy that damaged it, or a truncated write, never puts a wrong problem in a report).
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import os
import pickle
import stat
import time
import zlib
from datetime import timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from smm.workspace.files import links_outside, read_up_to
from smm.workspace.timezones import fixed_zone

try:  # hashlib's own BLAKE2, without hashlib: importing it loads OpenSSL, a few ms of every warm run
    from _blake2 import blake2b
except ImportError:  # a Python built without the module
    from hashlib import blake2b

MISS = object()
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)  # a named pipe put in its place never blocks
_RACY_NS = 2_000_000_000  # files changed this close to the last save are always hashed


def cache_dir(root: Path) -> Path:
    """This repository's cache folder, outside the repository."""
    key = blake2b(os.fsencode(root.resolve()), digest_size=8).hexdigest()  # (a name need not be UTF-8)
    return Path(_cache_base()) / f"{root.resolve().name}-{key}"


def _cache_base() -> str:
    """`$SMM_CACHE_DIR`, else `$XDG_CACHE_HOME/smm` (an absolute one), else `~/.cache/smm`: one folder per repository under it;
    a place no file can be (nothing kept, nothing read) when it lies in a checkout `never_inside` names."""
    xdg = os.environ.get("XDG_CACHE_HOME") or ""
    xdg = xdg if os.path.isabs(xdg) else ""  # the XDG spec: a relative path there is invalid, and ignored
    base = os.environ.get("SMM_CACHE_DIR") or os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".cache"), "smm")
    if _REFUSED:
        real = os.path.realpath(base)
        if any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in _REFUSED):
            return os.path.join(os.devnull, "smm-cache-in-the-checkout")
    return base


_REFUSED: list[str] = []  # checkouts no cache may lie in, for as long as `never_inside` holds


@contextlib.contextmanager
def never_inside(root: Path):
    """Meanwhile, a cache folder inside the checkout `root` (`SMM_CACHE_DIR=.cache`) is neither read nor
    written: a command that holds secrets (`smm publish`...) never unpickles a file a commit could
    have put there, where it would run as code."""
    _REFUSED.append(os.path.realpath(root))
    try:
        yield
    finally:
        _REFUSED.pop()


class FileCache:
    """Values computed from files (a parsed post, a post's checks), each trusted while its file is
    unchanged; the cache file is read on first use, so a run that needs none of it does not pay."""

    def __init__(self, root: Path, name: str, version: str, folders_outside: dict[str, bool] | None = None) -> None:
        self.path = cache_dir(root) / f"{name}.pickle"
        self.root = root
        self.root_str = os.fspath(root)  # joined 20,000 times: a Path would convert each time
        self.version = version
        self._loaded: tuple[int, dict] | None = None
        self.fresh: dict[str, tuple] = {}
        self.seen: set[str] = set()
        self._pending: tuple = ("", None, None)
        self._stamps: dict[str, tuple | None] = {}
        self._hits: dict[str, tuple] = {}  # file → its entry, found fresh by `stale`
        self.digests: dict[str, bytes] = {}  # file → digest of the bytes this run used (regular files only)
        # folder → whether a link on it leads out of the repository (shared by the caches of one run's posts)
        self._folders_outside = {} if folders_outside is None else folders_outside

    def _load(self) -> tuple[int, dict]:
        """(when it was saved, its entries)."""
        if self._loaded is None:
            found = _read(self.path, self.version)
            self._loaded = (0, {}) if found is MISS else found
        return self._loaded

    @property
    def entries(self) -> dict:
        return self._load()[1]

    def _stamp(self, file: str) -> tuple | None:
        """(mtime, size, inode) of a regular file; None for links (never cached), anything not a
        regular file (read_text reports it) and errors."""
        return _stamp(os.path.join(self.root_str, file))

    def stale(self, files: Iterable[str]) -> list[str]:
        """The files whose entry is probably out of date (stat only, all at once): to decide whether
        parsing is worth a second process. The others are likely hits; the certain ones are kept
        for `lookup`, which then needs no second look."""
        saved_ns, entries = self._loaded or self._load()
        trusted_before = saved_ns - _RACY_NS
        folder, stamps, hits, found = os.path.join(self.root_str, ""), self._stamps, self._hits, []
        for file in files:
            stamp = _stamp(folder + file)
            entry = entries.get(file)
            if entry is None or stamp is None or entry[0] != stamp:
                found.append(file)
            elif stamp[0] < trusted_before:
                hits[file] = entry
                continue
            stamps[file] = stamp
        return found

    def lookup(self, file: str, limit: int) -> tuple[object, bytes | None]:
        """(value, None) on a hit; (MISS, bytes) to parse; (MISS, None) for links, unreadable or big files,
        and files in a folder that links out of the repository (read_bytes says why)."""
        self.seen.add(file)
        folder = file.rpartition("/")[0]
        outside = self._folders_outside.get(folder)
        if outside is None:
            outside = self._folders_outside[folder] = links_outside(self.root, folder)
        if outside:
            return MISS, None
        entry = self._hits.pop(file, None)
        if entry is not None:
            self.digests[file] = entry[1]
            self._pending = (file, entry[0], entry[1])
            return entry[2], None
        stamp = self._stamps.pop(file) if file in self._stamps else self._stamp(file)
        if stamp is None:
            return MISS, None
        saved_ns, entries = self._loaded or self._load()
        entry = entries.get(file)
        if entry is not None and entry[0] == stamp and stamp[0] < saved_ns - _RACY_NS:
            self.digests[file] = entry[1]
            self._pending = (file, stamp, entry[1])
            return entry[2], None
        if stamp[2] > limit:
            return MISS, None
        try:  # lstat found a regular file (stamp): no file object, no second stat before opening
            fd = os.open(os.path.join(self.root_str, file), _READ)
            try:
                data = read_up_to(fd, stamp[2], limit) if stat.S_ISREG(os.fstat(fd).st_mode) else None
            finally:
                os.close(fd)
        except OSError:
            return MISS, None
        if data is None or len(data) > limit:
            return MISS, None
        digest = self.digests[file] = blake2b(data, digest_size=16).digest()
        self._pending = (file, stamp, digest)
        if entry and entry[1] == digest:
            self.fresh[file] = (stamp, digest, entry[2])
            return entry[2], None
        return MISS, data

    def store(self, file: str, value: object) -> None:
        """Remember the value for the file the last `lookup` was about (hit or miss), under the
        state of the file that lookup saw; nothing for links and unreadable files."""
        pending_file, stamp, digest = self._pending
        if pending_file == file:
            self.fresh[file] = (stamp, digest, value)

    def keep(self, file: str) -> None:
        """The file is still there, though this run did not look it up: keep its entry."""
        self.seen.add(file)

    def save(self, before_writing=None) -> None:
        """Write the entries of the files seen (or kept) this run, if anything changed (best effort);
        `before_writing(self, entries)` is called first (to write what the entries refer to)."""
        if self._loaded is None and not self.fresh:  # not used this run: as it was
            return
        if not self.fresh and set(self.entries) == self.seen:
            return
        entries = {f: e for f, e in self.entries.items() if f in self.seen}
        entries.update(self.fresh)
        if before_writing is not None:
            before_writing(self, entries)
        _write_pickle(self.path, (self.version, (time.time_ns(), entries)))


def _stamp(path: str) -> tuple | None:
    """FileCache._stamp of a full path."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def recall_shared(name: str, version: str) -> object:
    """`recall` of a value every repository shares (in the cache folder's top: `remember_shared`)."""
    return _read(Path(_cache_base()) / f"{name}.pickle", version)


def remember_shared(name: str, version: str, value: object) -> None:
    """Keep one value for the next run of any repository (best effort)."""
    _write_pickle(Path(_cache_base()) / f"{name}.pickle", (version, value))


def recall(root: Path, name: str, version: str) -> object:
    """The value kept under `name` with this version (`remember`), else MISS."""
    return _read(cache_dir(root) / f"{name}.pickle", version)


def remember(root: Path, name: str, version: str, value: object) -> None:
    """Keep one value for the next run (best effort)."""
    _write_pickle(cache_dir(root) / f"{name}.pickle", (version, value))


def recall_bytes(root: Path, name: str, version: str) -> tuple[BinaryIO, str] | None:
    """(the file open where its bytes start, the note kept with them) of bytes kept under `name`
    with this version (`remember_bytes`) and the length and CRC-32 written with them: to be copied out
    as they are (tens of megabytes never held whole in Python: checked a megabyte at a time); open,
    so a run that replaces them meanwhile changes nothing here."""
    try:
        handle = open(cache_dir(root) / f"{name}.bytes", "rb")
    except OSError:
        return None
    try:
        header = handle.readline(1000)
        saved_version, note, check = header.decode("ascii", "replace").rstrip("\n").split(" ")
        if header.endswith(b"\n") and saved_version == version and check == _checked(handle):
            handle.seek(len(header))
            return handle, note
    except (OSError, ValueError):  # unreadable, or a header not of this form (not three words)
        pass
    handle.close()
    return None


_NO_CHECK = "0" * 24  # the place of `_checked` in a header being written


def _checked(handle: BinaryIO) -> str:
    """The length and CRC-32 of the rest of the file, from where the handle is (24 hex digits)."""
    crc = length = 0
    while chunk := handle.read(1 << 20):
        crc, length = zlib.crc32(chunk, crc), length + len(chunk)
    return f"{length:016x}{crc:08x}"


def remember_bytes(root: Path, name: str, version: str, note: str, chunks: Iterable[bytes]) -> BinaryIO | None:
    """Keep bytes, written a chunk at a time, for the next run after a header line (the version, a
    one-word note, and their length and CRC-32); the file, open where they start (to copy them out), or None when it could
    not be written (best effort)."""
    header = f"{version} {note} {_NO_CHECK}\n".encode("ascii")

    def fill(handle: BinaryIO) -> None:
        handle.write(header)
        crc = length = 0
        for chunk in chunks:
            handle.write(chunk)
            crc, length = zlib.crc32(chunk, crc), length + len(chunk)
        handle.seek(0)
        handle.write(header.replace(_NO_CHECK.encode(), f"{length:016x}{crc:08x}".encode()))

    kept = _write(cache_dir(root) / f"{name}.bytes", fill)
    if kept is not None:
        kept.seek(len(header))
    return kept


def _read(path: Path, version: str) -> object:
    kept = read_whole(path)
    return kept[1] if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version else MISS


def read_whole(path: Path) -> object:
    """What a cache file holds ((version, value)), else MISS: missing, unreadable, or not the bytes
    written (truncated, damaged, of an older smm: their length or CRC-32 differs)."""
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes tens of thousands of objects, none of them garbage: no collection passes
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        view = memoryview(data)
        if len(data) < 12 or int.from_bytes(view[:8], "little") != len(data) - 12 or \
                int.from_bytes(view[8:12], "little") != zlib.crc32(view[12:]):
            return MISS
        return pickle.loads(view[12:])
    except Exception:  # a missing, old or damaged cache is an empty one
        return MISS
    finally:
        if collecting:
            gc.enable()


# A fixed-offset zone is unpickled as the process's one object of its offset (timezones.fixed_zone):
# 10,000 posts' times then share one zone object, and compare fast with each other and the check's bounds.
_REDUCERS = {**copyreg.dispatch_table, timezone: lambda zone: (fixed_zone, zone.__getinitargs__())}


def _dump(payload: object, handle: BinaryIO) -> None:
    """The payload pickled, after its length and CRC-32 (8 and 4 bytes, little-endian): `_read` checks both."""
    buffer = io.BytesIO()
    buffer.seek(12)
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(payload)
    view = buffer.getbuffer()
    view[:12] = (len(view) - 12).to_bytes(8, "little") + zlib.crc32(view[12:]).to_bytes(4, "little")
    handle.write(view)
    del view


def _write_pickle(path: Path, payload: object) -> None:
    kept = _write(path, lambda handle: _dump(payload, handle))
    if kept is not None:
        kept.close()


def _write(path: Path, fill: Callable[[BinaryIO], None]) -> BinaryIO | None:
    """Write path through a temporary file (`fill` writes it); the file, open for reading, or None
    when the cache is unwritable."""
    temp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(temp, "w+b")
        try:
            fill(handle)
            handle.flush()
            os.replace(temp, path)
        except BaseException:
            handle.close()
            raise
        return handle
    except OSError as exc:  # a read-only home or cache folder, a file in its place: the next run computes again
        _discard(temp)
        import logging  # only here: a run that reads its caches imports no logging

        logging.getLogger(__name__).debug("cache %s not written: %s", path, exc.strerror)
        return None
    except BaseException:  # interrupted (Ctrl-C): no half-written file left behind
        _discard(temp)
        raise


def _discard(temp: Path) -> None:
    """Remove a temporary file if there is one (under a path that is no folder, there is none)."""
    with contextlib.suppress(OSError):
        temp.unlink()
