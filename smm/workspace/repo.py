"""Load a whole content repository: settings (smm.workspace.settings), posts and publish records.

Posts are parsed, and optionally inspected (rendered and checked), in two processes
when there are many: parsing dominates `smm check` on large repositories.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from smm.check.diagnostics import ERROR, Diagnostic
from smm.content.post import (
    CONTENT_DIR,
    Post,
    content_files,
    lookalike_warnings,
    unnamed_errors,
    read_post,
)
from smm.data.records import Record, load_records
from smm.workspace.brand import Brand
from smm.workspace.cache import FileCache, blake2b
from smm.workspace.calendar import Calendar
from smm.workspace.config import PLATFORMS_FILE, Config
from smm.workspace.files import links_outside
from smm.workspace.schema import SCHEMAS
from smm.workspace.settings import Settings, load_settings

PARALLEL_FROM = 2000  # posts; below this a second process costs more than it saves
EXIT_TERMINATED = 143  # 128 + SIGTERM
SHARDS = 2  # posts are split in two by file name: one process each on two cores
INDEX_FILES = 16  # cache files per shard (ShardedCache)


@dataclass
class Repo:
    root: Path
    settings: Settings
    posts: list[Post]  # the posts without errors: only these are rendered, scheduled, published
    records: dict[str, Record]
    diagnostics: list[Diagnostic]  # every problem met while loading (and inspecting)
    broken: list[Post] = field(default_factory=list)  # posts with errors: their ids still count
    # post file → the digest of the bytes its post was read from (the post cache's; without a reader only)
    digests: dict[str, bytes] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.settings.config

    @property
    def calendar(self) -> Calendar:
        return self.settings.calendar

    @property
    def brand(self) -> Brand:
        return self.settings.brand

    @property
    def personas(self):
        """brand/personas.yml (smm.workspace.personas.Personas)."""
        return self.settings.personas

    @property
    def goals(self) -> list[dict]:
        return self.settings.goals

    @property
    def replies(self):
        """brand/replies.yml (smm.inbox.triage.Replies): response times, urgency, quiet hours."""
        return self.settings.replies

    @property
    def voice(self):
        """The compiled brand voice (smm.voice.Voice) when loaded with `load_settings(root, voice=True)`."""
        return self.settings.voice

    @property
    def config_broken(self) -> bool:
        return any(d.is_error and d.file == PLATFORMS_FILE for d in self.diagnostics)


class Reader(Protocol):
    """Reads and checks each post file in place of `read_post` (`smm check`, with its own cache)."""

    def start(self, repo: Repo) -> None:
        """Called before any post is read (the records and settings are loaded)."""

    def stop(self) -> None:
        """Called once every post is read, whatever happened."""

    def stale(self, root: Path, files: list[str]) -> list[str]:
        """The files whose kept results are probably out of date (stat only): to decide whether the
        work is worth a second process."""

    def read(self, repo: Repo, file: str) -> tuple[Post | None, list[Diagnostic]]:
        """The post (or what the checks across posts need of it) and its problems."""

    def save(self, shard: int, files: list[str]) -> object:
        """Called by the process that read a shard (its `files`) once it is done, to keep results for the next run;
        returns what the main process needs of the shard besides its posts and problems (`merge`)."""

    def merge(self, handed: object) -> None:
        """Takes what `save` returned, in the main process (from a worker too)."""


def shard_of(file: str) -> int:
    """The shard a post file belongs to: it keeps it as other files come and go."""
    return zlib.crc32(file.encode()) % SHARDS


class ShardedCache:
    """A FileCache per sixteenth of each shard's post files (`NAME-SHARD-N` in the cache folder):
    a changed post rewrites one of them, not everything kept for its shard."""

    def __init__(self, root: Path, name: str, version: str) -> None:
        self.root, self.name, self.version = root, name, version
        self.caches: dict[tuple[int, int], FileCache] = {}  # by (shard, sixteenth), loaded by the process that uses it
        self.of: dict[str, FileCache] = {}  # by post file
        self.folders_outside: dict[str, bool] = {}  # FileCache's, for all of them

    def __call__(self, file: str) -> FileCache:
        cache = self.of.get(file)
        if cache is None:
            crc = zlib.crc32(file.encode())  # as shard_of
            where = (crc % SHARDS, crc // SHARDS % INDEX_FILES)
            if where not in self.caches:
                self.caches[where] = FileCache(self.root, f"{self.name}-{where[0]}-{where[1]}", self.version,
                                               self.folders_outside)
            cache = self.of[file] = self.caches[where]
        return cache

    def stale(self, files: list[str]) -> list[str]:
        """The files whose entries are probably out of date (FileCache.stale), asked of each cache file at once."""
        by_cache: dict[FileCache, list[str]] = {}
        for file in files:
            by_cache.setdefault(self(file), []).append(file)
        return [file for cache, group in by_cache.items() for file in cache.stale(group)]

    def digests(self, files: list[str]) -> dict[str, bytes]:
        """file → the digest of the bytes its value was read from (FileCache.digests), of each file looked up."""
        found = {}
        for file in files:
            digest = self(file).digests.get(file)
            if digest is not None:
                found[file] = digest
        return found

    def save(self, shard: int, before_writing=None) -> None:
        """Keep what this process used of a shard for the next run (FileCache.save)."""
        for where in [where for where in self.caches if where[0] == shard]:
            self.caches.pop(where).save(before_writing)


def load_repo(root: Path, reader: Reader | None = None, settings: Settings | None = None) -> Repo:
    """Everything in the repository; `reader` reads (and checks) the posts instead of `read_post`.
    `settings`: the settings files already loaded (each is read once)."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects stay alive: cycle collection only slows this
    try:
        repo = _load(root, reader, settings or load_settings(root))
    finally:
        if collecting:
            gc.enable()
    gc.freeze()  # the repository lives as long as the command: keep it out of cycle collection
    return repo


def _load(root: Path, reader: Reader | None, settings: Settings) -> Repo:
    if reader is None:  # the records are read while a worker reads posts (their problems listed as before)
        repo = Repo(root, settings, [], {}, list(settings.diagnostics))

        def read_records() -> None:
            repo.records, found = load_records(root, settings.config.renames)
            repo.diagnostics[len(settings.diagnostics):len(settings.diagnostics)] = found
        return _load_posts(repo, None, read_records)
    records, record_found = load_records(root, settings.config.renames)
    repo = Repo(root, settings, [], records, settings.diagnostics + record_found)
    reader.start(repo)
    try:
        return _load_posts(repo, reader)
    finally:
        reader.stop()


def _load_posts(repo: Repo, reader: Reader | None, meanwhile=lambda: None) -> Repo:
    """`meanwhile()` is called before this process reads its posts (a worker reads others meanwhile)."""
    root, settings = repo.root, repo.settings
    global _WORK
    caches = None if reader else ShardedCache(root, "posts", posts_version(settings.config))  # the reader keeps its own
    chunks: list[list[str]] = [[] for _ in range(SHARDS)]
    if links_outside(root, CONTENT_DIR):
        repo.diagnostics.append(Diagnostic(CONTENT_DIR, 1, 1, ERROR, "file.outside-repo",
                                           "content/ leads outside the repository through a symbolic link; not read"))
    files, lookalikes, unnamed = ([], [], []) if links_outside(root, CONTENT_DIR) else content_files(root)
    repo.diagnostics += lookalike_warnings(lookalikes) + unnamed_errors(unnamed)
    for file in files:
        chunks[shard_of(file)].append(file)
    work = len(reader.stale(root, files) if reader else caches.stale(files))
    _WORK = (repo, reader, caches, chunks)
    pool = forked_pool(SHARDS - 1) if work >= PARALLEL_FROM else None
    if pool is not None:
        with pool:
            pending = pool.map_async(_load_shard_in_worker, range(1, SHARDS))
            meanwhile()
            results = [_load_shard(0)] + pending.get()
    else:
        meanwhile()
        results = [_load_shard(i) for i in range(SHARDS)]
    _WORK = None
    for posts, post_found, handed in results:
        if reader is not None:
            reader.merge(handed)
        else:
            repo.digests.update(handed)
        repo.posts += [p for p in posts if p.valid]
        repo.broken += [p for p in posts if not p.valid]
        repo.diagnostics += post_found
    repo.posts.sort(key=lambda p: p.file)
    return repo


def posts_version(config: Config) -> str:
    """Parsed posts depend on smm's parsing code, the post schema and the time zone."""
    digest = blake2b(str(config.timezone).encode())
    package = Path(__file__).parent.parent
    for module in ("content/post.py", "workspace/yamlsource.py", "workspace/positions.py", "workspace/lookalikes.py",
                   "workspace/schema.py", "workspace/files.py"):
        digest.update((package / module).read_bytes())
    digest.update((SCHEMAS / "post.schema.json").read_bytes())
    return digest.hexdigest()


_WORK: tuple | None = None  # (repo, reader, caches, chunks), shared with forked workers


def _load_shard(index: int) -> tuple[list[Post], list[Diagnostic], object]:
    """Parse (or have the reader read) one shard of the posts; caches are saved by the process that filled them.
    Returns (its posts, their problems, what the reader hands over, else each post file's digest)."""
    repo, reader, caches, chunks = _WORK
    posts, found = [], []
    for file in chunks[index]:
        post, post_found = (reader.read(repo, file) if reader else
                            read_post(repo.root, file, repo.config.timezone, caches(file)))
        found += post_found
        if post is not None:
            posts.append(post)
    if caches is not None:
        digests = caches.digests(chunks[index])
        caches.save(index)
        return posts, found, digests
    return posts, found, reader.save(index, chunks[index])


def forked_pool(processes: int):
    """A pool of worker processes forked from this one (multiprocessing.Pool; they see its globals
    as they are now), or None where more processes cannot help: one core, or no fork."""
    import multiprocessing  # only where the work is worth a second process (never for a warm check)

    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork").Pool(processes, initializer=_quiet_worker, initargs=(os.getpid(),))


class Forked:
    """`function(*args)` run in a child process forked from this one (it sees this process's globals
    as they are now), its result read back pickled through a pipe: lighter than a multiprocessing
    pool (no import, no threads), for one task (`smm check CHANGED` checks the changed posts so)."""

    def __init__(self, function, *args) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: the task, its result to the pipe, and out (never back to the caller)
            os.close(read)
            status = 1
            try:
                _quiet_worker(parent)
                data = pickle.dumps(function(*args), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)  # no exit handlers, no buffers of the parent's flushed twice
        os.close(write)
        self.pipe = os.fdopen(read, "rb")

    @classmethod
    def start(cls, function, *args) -> Forked | None:
        """A child running the task, or None where a second process cannot help (one core, no fork)."""
        return cls(function, *args) if (os.cpu_count() or 1) >= 2 and hasattr(os, "fork") else None

    def get(self) -> object:
        """The task's result, once the child is done; ChildProcessError when it failed or died."""
        data = self.pipe.read()
        self.stop()
        if not data:
            raise ChildProcessError("the forked process failed")
        return pickle.loads(data)

    def stop(self) -> None:
        """The child is gone (stopped if still running) and its pipe closed."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
            self.pid = 0
            self.pipe.close()


def _quiet_worker(parent: int) -> None:
    """A worker leaves Ctrl-C to the main process, which stops it (SIGTERM); it then exits
    cleanly, so a cache it was saving leaves no temporary file, and prints no traceback. It
    dies with its parent (die_with_parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(EXIT_TERMINATED))
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """In a forked worker: be sent SIGTERM when `parent` dies, even killed with SIGKILL (Linux's
    PR_SET_PDEATHSIG; elsewhere the worker ends when it next writes to its parent), so that no
    worker goes on checking or rendering for a smm that is gone."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that
        os.kill(os.getpid(), signal.SIGTERM)


def _load_shard_in_worker(index: int) -> tuple[list[Post], list[Diagnostic], object]:
    """In a worker: posts travel back without their position tables (read again if needed)."""
    posts, found, handed = _load_shard(index)
    return [p.without_positions() for p in posts], found, handed
