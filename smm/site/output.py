"""The site's folder: pages written only when their inputs changed, stale files removed.

The build manifest (`site-<out>.marshal` in the repository's cache folder, outside the site,
which may be public) keeps each page's input digest. A page whose digest is unchanged and
whose file is still there is not rendered again. `.smm-site` in the folder marks it as
smm's: smm writes into and sweeps only a folder that is empty or carries the marker.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import json
import marshal
import os
from pathlib import Path

from smm.errors import InputError, StateError
from smm.workspace.cache import cache_dir

MARKER = ".smm-site"
FOOTER = '<footer class="site">'  # smm/templates/site/parts.html.j2
WORKER_FROM = 200  # pages to render: below this a second process costs more than it saves


@contextlib.contextmanager
def collecting(enabled: bool):
    """Cycle collection on or off for a while, then as it was. The build's bookkeeping (a key for each
    of ten thousand pages) makes tens of thousands of objects, none of them garbage: it runs without."""
    was = gc.isenabled()
    gc.enable() if enabled else gc.disable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()


def lasting(make):
    """`make()` without cycle collection, what it made then kept out of the collections (gc.freeze):
    for what lives as long as the build (the renderer and the modules it imports, a report), which
    each collection while pages are rendered would otherwise look through again."""
    with collecting(False):
        value = make()
        gc.freeze()  # (before collection is on again: it would look through them first)
    return value


def digest(*parts) -> str:
    """A digest of the parts by their repr (stable for the same input: dicts keep their order)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def plain_digest(value) -> str:
    """digest(value) of plain data (str, int, float, bool, None in tuples, lists and dicts), faster:
    by its marshal format 2, which writes each value by itself (never a reference to an equal
    object met before, as format 3 and pickle do). Anything else is digested by its repr."""
    return plain_bytes(value).hex()


def plain_bytes(value) -> bytes:
    """plain_digest() as bytes."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        data = repr((value,)).encode()  # as digest(value)
    return hashlib.blake2b(data, digest_size=16).digest()


def stamp(stat: os.stat_result) -> tuple[int, int, int]:
    """What tells that a file changed, as git's index and the check's cache do: its size and its
    modification and change times (an edit that sets the modification time back still changes
    the change time)."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def picture_name(file: str, stat: os.stat_result, suffix: str) -> str:
    """The site's file of a picture: named by its repository path and stamp, so an edited
    picture gets a new name (a browser never shows the old one it kept)."""
    return f"media/{digest(file, *stamp(stat))}{suffix.lower()}"


# Why removing a file may fail when there can be none: no such file, a file or a loop of links or too
# long a name on its way (a cache folder set to an odd place: SMM_CACHE_DIR=/dev/null, HOME in a loop).
NO_FILE_THERE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG)

READ_FOLDERS = ("brand", "data")  # the site is made from every file under them: never written into


class SiteFolder:
    """Writes the build's files into `out`, rendering a page only when its digest changed."""

    def __init__(self, root: Path, out: Path) -> None:
        self.out = out
        self.out_str = os.fspath(out)
        self.root_str = os.fspath(root)
        self._claim()  # first: a link that loops or leads nowhere is refused before it is resolved
        self._lock()  # (before the manifest is read: the build before this one has written it)
        self.manifest_path = cache_dir(root) / f"site-{hashlib.blake2b(os.fsencode(out.resolve()), digest_size=8).hexdigest()}.marshal"
        previous = self._read_manifest()
        self.previous: dict[str, str] = previous.get("pages", {})
        self.previous_uses: dict[str, list[str]] = previous.get("uses", {})
        self.previous_groups: dict[str, list] = previous.get("groups", {})
        self.groups: dict[str, list] = {}  # name → [its key, the pages it made] (see group())
        self.notes: dict = {}  # what the next build may reuse (see note())
        self.previous_notes: dict = previous.get("notes", {})
        self.current: dict[str, str] = {}
        self.uses: dict[str, list[str]] = {}  # page → the files written while rendering it (its pictures)
        self._unchanged: dict[str, bool] = {}  # picture → its repository file is as when it was named
        self.written: list[str] = []
        self._rendering: str | None = None
        self._exists: dict[str, bool] = {}  # path → the file was there when first looked at
        self._made: set[str] = set()  # folders made (or found) by write()
        self._manifest_dropped = False  # see drop_manifest()

    def _claim(self) -> None:
        if os.path.lexists(self.out) and not self.out.is_dir():
            raise InputError(f"--out {self.out}: not a folder")
        out = os.path.realpath(self.out)
        for inputs in READ_FOLDERS:
            folder = os.path.realpath(os.path.join(self.root_str, inputs))
            if os.path.commonpath([out, folder]) == folder:  # each build would change what every page is made from
                raise InputError(f"--out {self.out}: inside {inputs}/, which the site is made from; choose a folder "
                                 "outside brand/ and data/, such as _site/")
        self.was_empty = not (self.out.is_dir() and any(self.out.iterdir()))  # then finish() has nothing to look at
        if not self.was_empty and not (self.out / MARKER).is_file():
            raise InputError(f"--out {self.out}: the folder holds files smm did not write (no {MARKER}); "
                             "choose an empty or new folder")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / MARKER).write_text("written by `smm site build`: every other file here may be replaced or removed\n",
                                           encoding="utf-8")
        except OSError as exc:  # a loop of links on the way, a file where a folder should be, no permission
            raise InputError(f"--out {self.out}: cannot be made: {exc.strerror or exc}") from None

    def _lock(self) -> None:
        """One build at a time into a folder: a second one waits until the first ends (their pages and
        manifests would mix: a page of one build's time kept under the other's key)."""
        try:
            import fcntl
        except ImportError:  # (no such locks here)
            return
        self._held = open(self.out / MARKER, "rb")  # noqa: SIM115  (until finish(), or the folder is dropped)
        fcntl.flock(self._held.fileno(), fcntl.LOCK_EX)

    def _unlock(self) -> None:
        held, self._held = getattr(self, "_held", None), None
        if held is not None:
            held.close()

    def __del__(self) -> None:  # a build that failed: the next one need not wait for this process to end
        self._unlock()

    def _read_manifest(self) -> dict:
        try:
            data = marshal.loads(self.manifest_path.read_bytes())  # (plain data: JSON's in a third of the time)
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        return data if isinstance(data, dict) and data.get("version") == 1 else {}

    def drop_manifest(self) -> None:
        """Remove the last build's manifest before this build changes the folder: a build stopped
        midway (killed, interrupted) would leave pages it rewrote listed under their old keys, and
        a later build, its inputs put back, would keep them. Without it the next build looks at
        every file (finish())."""
        if not self._manifest_dropped:
            self._manifest_dropped = True
            try:
                os.remove(self.manifest_path)
            except OSError as exc:
                if exc.errno not in NO_FILE_THERE:  # it stays, and the next build would trust it
                    raise StateError(f"cannot remove the site's manifest {self.manifest_path} from the cache folder "
                                     f"({exc.strerror}): make the folder writable, or set SMM_CACHE_DIR") from None

    def page(self, path: str, key: str, render, written=None) -> None:
        """Write `path` (relative to the folder) with `render()` unless `key` is what made it last time
        (then the files its rendering wrote are kept too); `written(file, data)` is called once it is
        written (`file`: its full path)."""
        if self._rendering is not None:
            self.uses.setdefault(self._rendering, []).append(path)
        if self.current.get(path) == key:  # already made in this build (a picture two posts show)
            return
        if self.is_fresh(path, key):
            self.keep(path, key)
            return
        self.current[path] = key
        outer, self._rendering = self._rendering, path
        try:
            with collecting(True):  # rendering may leave cycles behind
                data = render()
        finally:
            self._rendering = outer
        file, data = self.write(path, data)
        if written is not None:
            written(file, data)

    def keep(self, path: str, key: str) -> None:
        """`page()` of a fresh page (is_fresh): it and the files its rendering wrote stay."""
        self.current[path] = key
        used_files = self.previous_uses.get(path)
        if used_files:
            for used in used_files:  # each is fresh too (is_fresh)
                self.current.setdefault(used, self.previous[used])
                self.uses.setdefault(path, []).append(used)  # another page may have kept it already

    def group(self, name: str, key: str, make) -> None:
        """Call `make()`, which adds pages, unless the pages it added last time came from `key`
        and are all still there (then they are kept and nothing is computed)."""
        old = self.previous_groups.get(name)
        if old and old[0] == key and all(self.is_fresh(path, self.previous.get(path)) for path in old[1]):
            for path in old[1]:
                self.page(path, self.previous[path], lambda: None)
            self.groups[name] = old
            return
        before = set(self.current)
        make()
        self.groups[name] = [key, [path for path in self.current if path not in before]]

    def is_fresh(self, path: str, key: str) -> bool:
        """The page at `path` was made from `key`, is still there, and every picture it shows
        is unchanged (a picture's key is its repository file: see SiteImages)."""
        if self.previous.get(path) != key:
            return False
        known = self._exists.get(path)
        if known is None:
            used_files = self.previous_uses.get(path)
            known = self._exists[path] = os.path.isfile(f"{self.out_str}/{path}") and (  # (not os.path.join: as dear as the stat)
                not used_files or all(used in self.previous and self.is_fresh(used, self.previous[used])
                                      and self.picture_unchanged(used, self.previous[used]) for used in used_files))
        return known

    def picture_unchanged(self, name: str, file: str) -> bool:
        """The picture `name` was made from `file` as it is now (a picture in the body or a
        template is no input of the page's key)."""
        known = self._unchanged.get(name)
        if known is None:
            try:
                stat = os.stat(os.path.join(self.root_str, file))
            except (OSError, ValueError):
                known = False
            else:
                known = picture_name(file, stat, os.path.splitext(name)[1]) == name
            self._unchanged[name] = known
        return known

    def pages(self, jobs: list[tuple[str, str, object]], before_rendering=lambda: None, meanwhile=lambda: None) -> None:
        """`page()` for each (path, key, render), and `meanwhile()` (the build's other pages). With
        WORKER_FROM pages to render or more (and a second core), a forked worker renders pages while
        the main process runs `meanwhile()`; then both take the next page left until none is, so that
        they finish together. `before_rendering()` is called once before the first page is rendered
        (in the main process: a worker shares it)."""
        stale = []
        for job in jobs:
            if self.is_fresh(job[0], job[1]):
                self.page(*job)
            else:
                stale.append(job)
        if stale:  # the keys and jobs live as long as the build: out of the collections rendering makes
            self.drop_manifest()  # (here: before a worker may write)
            lasting(before_rendering)
        if len(stale) < WORKER_FROM or (os.cpu_count() or 1) < 2 or "fork" not in _start_methods():
            for job in stale:
                self.page(*job)
            meanwhile()
            return
        import multiprocessing

        from smm.workspace.repo import die_with_parent

        global _JOBS
        context = multiprocessing.get_context("fork")
        _JOBS = (self, stale, context.Value("q", 0))  # the next page to take, shared with the worker
        try:
            with context.Pool(1, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
                pending = pool.apply_async(_render_in_worker)
                meanwhile()
                _render_the_rest(*_JOBS)
                written, current, uses = pending.get()
        finally:
            _JOBS = None
        self.written += [path for path in written if path not in self.current]
        self.current.update(current)
        for page, used in uses.items():
            self.uses.setdefault(page, []).extend(used)

    def write(self, path: str, text: str | bytes) -> tuple[str, bytes]:
        """Write the file; returns its full path and what was written. Into a folder that was empty
        (no page there for a reader to see) a new file is written in place (new_file)."""
        file, data = f"{self.out_str}/{path}", text.encode("utf-8") if isinstance(text, str) else text
        self.drop_manifest()
        (new_file if self.was_empty else replace_file)(file, data, self._made)
        self.written.append(path)
        return file, data

    def finish(self) -> list[str]:
        """Remove every file this build did not make (a deleted post's page), save the manifest;
        returns the removed paths. Without a manifest every file in the folder is looked at
        (none when it was empty or new), else those the last build made."""
        if self.previous:
            gone = [p for p in self.previous if p not in self.current]
        elif self.was_empty:
            gone = []
        else:
            gone = [Path(d, name).relative_to(self.out).as_posix() for d, _, files in os.walk(self.out) for name in files]
            gone = [p for p in gone if p != MARKER and p not in self.current]
        removed = []
        if gone:
            self.drop_manifest()
        for path in sorted(gone):
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.out / path)
                removed.append(path)
            folder = (self.out / path).parent
            while folder != self.out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        with contextlib.suppress(OSError):  # best effort, as every cache: the next build then looks at every file
            replace_file(os.fspath(self.manifest_path), marshal.dumps({"version": 1, "pages": self.current, "uses": self.uses,
                                                                        "groups": self.groups, "notes": self.notes}), set())
        self._unlock()
        return removed


class PageCache:
    """Pages by key in the repository's cache folder (`site-pages/`, outside the site), and beside
    each page that shows pictures the (name, file) of each (`<key>.json`): a build into another
    folder, or after the site was removed, copies them instead of rendering them again. A page is
    kept as a hard link to the file written into the site (smm replaces a site's file, never
    writes into it), a copy where no link can be made (another file system). Only JSON and HTML,
    never a pickle."""

    def __init__(self, root: Path, footer: str) -> None:
        self.root = root
        self.folder = cache_dir(root) / "site-pages"
        self.folder_str = os.fspath(self.folder)
        self.footer = footer  # this build's `<footer class="site">`, which tells when it was built
        self._made: set[str] = set()  # folders made (or found) by kept()
        self._rendered: dict[str, list] = {}  # key → the pictures of a page rendered, until kept()

    def _path(self, key: str) -> str:
        return f"{self.folder_str}/{key[:2]}/{key}"  # (a string: Path's operators cost more than the stat)

    def has(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def page(self, folder: SiteFolder, key: str, render) -> str:
        """The page of `key`: from the cache (its pictures written into `folder` again), else
        `render(shown)`, which appends (name, file) of each picture it writes to `shown`; a
        rendered page is kept once written (kept())."""
        try:
            pictures = self._pictures(key)
            with open(self._path(key), "rb") as handle:
                text = handle.read().decode("utf-8")
            if not all(folder.picture_unchanged(name, file) for name, file in pictures):
                self.forget(key)
                raise ValueError("a picture it shows was edited")
        except (OSError, ValueError):
            shown: list[tuple[str, str]] = []
            text = render(shown)
            self._rendered[key] = shown
            return text
        for name, file in pictures:
            folder.page(name, file, lambda file=file: (self.root / file).read_bytes())
        start = text.rfind(FOOTER)
        end = text.find("</footer>", start)
        return text[:start] + self.footer + text[end + len("</footer>"):] if start >= 0 and end >= 0 else text

    def _pictures(self, key: str) -> list:
        try:
            with open(self._path(key) + ".json", "rb") as handle:
                return [tuple(pair) for pair in json.loads(handle.read())]
        except FileNotFoundError:
            return []

    def kept(self, key: str, file: str, data: bytes) -> None:
        """Keep the page of `key` that page() rendered, now written to `file` as `data`: its pictures
        first, so that a page found in the cache has its pictures' file beside it."""
        shown = self._rendered.pop(key, None)
        if shown is None:  # copied from the cache
            return
        path = self._path(key)
        with contextlib.suppress(OSError):
            if shown:
                replace_file(path + ".json", json.dumps(shown).encode(), self._made)
            try:
                link_file(file, path, self._made)
            except OSError:
                replace_file(path, data, self._made)

    def forget(self, key: str) -> None:
        for path in (self._path(key), self._path(key) + ".json"):
            with contextlib.suppress(OSError):
                os.remove(path)

    def keep_only(self, keys: set[str]) -> None:
        """Remove the pages of every other key (an edited post's older pages)."""
        for directory, _, names in os.walk(self.folder):
            for name in names:
                if name.partition(".")[0] not in keys:
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(directory, name))


def _folder_of(path: str, made: set[str]) -> tuple[str, str]:
    """(folder, name) of `path`, the folder made unless it is in `made` (then added): one mkdir where
    its parent is there (a post's folder), os.makedirs only where it is not."""
    folder, _, name = path.rpartition("/")
    if folder not in made:
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        made.add(folder)
    return folder, name


def replace_file(path: str, data: bytes, made: set[str]) -> None:
    """Write `path` through a temporary file beside it (a reader never sees half of it; the worker
    may write the same picture), making its folder unless it is in `made` (then added)."""
    folder, name = _folder_of(path, made)
    temporary = f"{folder}/.{name}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def new_file(path: str, data: bytes, made: set[str]) -> None:
    """replace_file() of a file not there yet (in a folder that was empty): written in place, without
    a temporary file and its rename; where it is there after all (a picture the other process wrote
    too, a file left by a build stopped midway) it is replaced as replace_file() does."""
    _folder_of(path, made)
    try:
        handle = open(path, "xb")
    except FileExistsError:
        replace_file(path, data, made)
        return
    with handle:
        handle.write(data)


def link_file(source: str, path: str, made: set[str]) -> None:
    """Make `path` another name of the file `source` (a hard link), replacing what is there;
    its folder as replace_file() makes it. Where nothing is there yet it is made at once."""
    folder, name = _folder_of(path, made)
    try:
        os.link(source, path)
        return
    except FileExistsError:
        pass
    temporary = f"{folder}/.{name}.{os.getpid()}.tmp"
    try:
        os.link(source, temporary)
    except FileExistsError:  # left by a process stopped here
        os.remove(temporary)
        os.link(source, temporary)
    os.replace(temporary, path)


def _start_methods() -> list[str]:
    import multiprocessing  # only where a second process may render: a build of a few pages does without it

    return multiprocessing.get_all_start_methods()


_JOBS: tuple | None = None  # (the folder, the pages to render, the next one's index), shared with the forked worker


def _render_the_rest(folder: SiteFolder, jobs: list, taken) -> None:
    """Render the next page neither process took yet, until none is left."""
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value = index + 1
        if index >= len(jobs):
            return
        folder.page(*jobs[index])


def _render_in_worker() -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """In the worker: render pages; what it wrote goes back to the main process."""
    folder = _JOBS[0]
    folder.written, folder.current, folder.uses = [], {}, {}
    _render_the_rest(*_JOBS)
    return folder.written, folder.current, folder.uses
