"""Reading repository files safely: size, encoding, BOM, line endings, paths inside the repo."""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import fnmatch
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from smm.check.diagnostics import ERROR, Diagnostic
from smm.errors import DataError, SmmError
from smm.workspace.patterns import LazyPattern

MAX_TEXT_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # smm's own JSON files nest 5 deep; json's parser overflows the stack at about 1,000
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
LEADS_OUTSIDE = "leads outside the repository (or into .git) through a symbolic link; it is not read"
MAX_PATH_BYTES = 1024  # a repository path; one name in it at most 255 bytes (the common file system limit)
_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}
# UTF-32 LE first: its BOM starts with UTF-16 LE's
_WIDE = (("UTF-32", "little-endian", "utf-32-le", codecs.BOM_UTF32_LE), ("UTF-32", "big-endian", "utf-32-be", codecs.BOM_UTF32_BE),
         ("UTF-16", "little-endian", "utf-16-le", codecs.BOM_UTF16_LE), ("UTF-16", "big-endian", "utf-16-be", codecs.BOM_UTF16_BE))


class NotRegularFile(OSError):
    """The path is a folder, named pipe, socket or device: smm reads only regular files."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"it is {kind}, not a regular file")
        self.kind = kind


def not_regular(mode: int) -> str | None:
    """What a file is ("a named pipe (FIFO)", "a folder", ...) when it is not a regular file; else None."""
    if stat.S_ISREG(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading; never blocks on a named pipe or touches a device
    (NotRegularFile), checked before opening and again on what was opened."""
    kind = not_regular(os.stat(path).st_mode)
    if kind:
        raise NotRegularFile(kind)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        kind = not_regular(os.fstat(fd).st_mode)  # swapped for something else since the check?
        if kind:
            raise NotRegularFile(kind)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_up_to(fd: int, size: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes of an open file that had `size` bytes when last looked at, read from
    its descriptor into a buffer of its size, not of the limit (a megabyte per file, allocated and
    given back, cost more than the reading itself); all of it if it has grown since."""
    data = os.read(fd, min(size, limit) + 1)
    while len(data) <= limit:
        more = os.read(fd, limit + 1 - len(data))
        if not more:
            break
        data += more
    return data


def is_utf8(name: str) -> bool:
    """Whether a name read from the file system is UTF-8 (undecodable bytes arrive as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unusable_path(candidate: str) -> str | None:
    """Why a path written in a file can never name a file (control characters, length); else None."""
    bad = next((c for c in candidate if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        what = "a NUL byte" if bad == "\0" else "a control character"
        return f"contains {what} (U+{ord(bad):04X}), which no file name can hold"
    if len(candidate.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES or any(
            len(part.encode("utf-8", "surrogatepass")) > 255 for part in candidate.split("/")):
        return f"is too long for a file name (at most {MAX_PATH_BYTES} bytes, 255 per name)"
    return None


def as_named(path: Path) -> Path:
    """A path given on the command line as the repository names it: a folder where it is (resolved: the
    repository may be reached through a link), anything else by its name in its resolved folder, not
    followed (a post file that is a link to somewhere else is still that repository file, and its
    problems are reported as its own)."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_dir() or not absolute.name:
        return absolute.resolve()
    return absolute.parent.resolve() / absolute.name


def walk(top: str, follow=None):
    """os.walk(top) (top-down, links to folders listed but not followed, unless `follow(path)` says so:
    the caller then ends loops; unreadable folders skipped) without recursion: Python 3.11's recurses
    once per folder, a post 1,000 folders deep crashed smm."""
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        yield folder, dirs, files  # the caller may prune `dirs`
        stack += [path for path in (os.path.join(folder, d) for d in reversed(dirs)) if not os.path.islink(path) or follow and follow(path)]


def files_under(top: Path) -> list[Path]:
    """Every entry under `top` that is not a folder (links to files included), in path order, through
    `walk` (links to folders not followed, no recursion: Path.rglob recurses once per folder in
    Python 3.11, and a tree 1,000 folders deep crashed the command)."""
    return sorted(Path(folder, name) for folder, _, names in walk(top) for name in names)


def rel(root: Path, path: Path) -> str:
    """The path relative to the repository root, with forward slashes."""
    return path.relative_to(root).as_posix()


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _wide_encoding(data: bytes) -> tuple[str, str] | None:
    """("UTF-16 (little-endian)", its iconv name) and the like when the bytes are UTF-16 or UTF-32
    text: they start with its byte order mark, or (without one) their start decodes to printable lines."""
    for name, order, codec, bom in _WIDE:
        has_bom = data.startswith(bom)
        if not has_bom and b"\0" not in data:
            continue
        try:  # incremental: a character cut at the end of the sample is not an error
            text = codecs.getincrementaldecoder(codec)().decode(data[len(bom) if has_bom else 0:][:4096])
        except UnicodeDecodeError:
            continue
        mostly_ascii = sum(c.isascii() for c in text) >= max(8, 0.9 * len(text))  # `{"post": …}` on one line
        if all(c.isprintable() or c in "\t\n\r" for c in text) and (has_bom or "\n" in text or mostly_ascii):
            iconv = name if has_bom else name + ("LE" if order.startswith("little") else "BE")
            return f"{name} ({order}{', with a byte order mark' if has_bom else ''})", iconv
    return None


# East Asian encodings older editors save in ("ANSI" on Windows): (codec, name, characters most of
# its text is in, where it is not ASCII); tried in this order, the first that reads the bytes wins
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_LEGACY = (("shift_jis", "Shift JIS (Japanese)", LazyPattern(rf"[\u3040-\u30ff{_CJK}]"), LazyPattern(r"[\u3040-\u30ff]")),
           ("euc-kr", "EUC-KR (Korean)", LazyPattern(r"[\uac00-\ud7a3\u3131-\u318e]"), None),
           ("gb18030", "GBK/GB18030 (Chinese)", LazyPattern(f"[{_CJK}]"), None),
           ("big5", "Big5 (Chinese)", LazyPattern(f"[{_CJK}]"), None))


def _legacy_encoding(data: bytes) -> tuple[str, str] | None:
    """(name, iconv name) of the East Asian encoding bytes that are not UTF-8 are in, if they read as one."""
    for codec, name, script, needs in _LEGACY:
        try:
            text = data[:65536].decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 127]
        if wide and (needs is None or needs.search(text)) and sum(bool(script.match(c)) for c in wide) >= 0.8 * len(wide):
            return name, codec.upper()
    return None


def decode(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text with LF line endings, or None; BOM and CRLF are reported but read through."""
    wide = _wide_encoding(data)
    if wide:
        name, iconv = wide
        return None, [Diagnostic(
            file, 1, 1, ERROR, "file.encoding", f"this file is {name} text; smm reads only UTF-8",
            hint=f"save it as UTF-8 (in the editor's encoding menu choose \"UTF-8\", not \"{iconv[:6]}\" or "
                 f"\"Unicode\"), or convert it: `iconv -f {iconv} -t UTF-8 {file} > converted && mv converted {file}`",
        )]
    if b"\0" in data:
        line, column = _position(data, data.index(b"\0"))
        return None, [Diagnostic(file, line, column, ERROR, "file.binary", "this is a binary file, not text (it contains NUL bytes)")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        legacy = _legacy_encoding(data)
        if legacy:
            return None, [Diagnostic(
                file, line, column, ERROR, "file.encoding", f"this file is {legacy[0]} text; smm reads only UTF-8",
                hint=f"save it as UTF-8 (in the editor's encoding menu choose \"UTF-8\", not \"{legacy[0].rsplit(' (', 1)[0]}\" "
                     f"or \"ANSI\"), or convert it: `iconv -f {legacy[1]} -t UTF-8 {file} > converted && mv converted {file}`",
            )]
        return None, [Diagnostic(
            file, line, column, ERROR, "file.encoding",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            hint="save the file as UTF-8; smm reads only UTF-8 text",
        )]
    found: list[Diagnostic] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        found.append(Diagnostic(
            file, 1, 1, ERROR, "file.bom", "file starts with a byte order mark (BOM)",
            hint="save the file as UTF-8 without a BOM (an invisible mark some editors add)",
        ))
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        found.append(Diagnostic(
            file, line, 1, ERROR, "file.line-endings", "file has Windows (CRLF) or old Mac (CR) line endings",
            hint="save with LF line endings (git: `* text=auto eol=lf` in .gitattributes)",
        ))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, found


def parse_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> tuple[object, tuple[int, int, str] | None]:
    """(value, None), or (None, (line, column, what is wrong)): invalid JSON, or nested deeper than `max_depth`."""
    depth = 0
    brackets = text.count("[") + text.count("{")  # (no deeper than max_depth with no more: no token to look at)
    for token in _JSON_TOKEN.finditer(text) if brackets > max_depth else ():
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(token.group(), 0)
        if depth > max_depth:
            at = token.start()
            return None, (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at), f"nested more than {max_depth} levels deep")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant), None
    except json.JSONDecodeError as exc:
        return None, (exc.lineno, exc.colno, exc.msg)
    except _NotJson as exc:  # valid to Python's json, not to JSON (RFC 8259), or a key a bad merge repeats
        at, what = exc.find(text)
    except ValueError:  # a number of more digits than Python converts
        at, what = _outside_strings(text, rf"-?\d{{{_MAX_DIGITS + 1},}}"), f"a number of more than {_MAX_DIGITS:,} digits"
    return None, (*_position(text.encode("utf-8", "surrogatepass"), len(text[:at].encode("utf-8", "surrogatepass"))), what)


class _NotJson(ValueError):
    def __init__(self, find) -> None:
        super().__init__()
        self.find = find  # text → (the offset of what is wrong, what is wrong)


_MAX_DIGITS = 4300  # sys.get_int_max_str_digits()'s default
_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYS = re.compile(rf'(?P<key>{_STRING})\s*:|{_STRING}|[{{}}]')


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """An object, refused when a key repeats (json would keep the last value and lose the first)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        raise _NotJson(_repeated_key)
    return found


def _repeated_key(text: str) -> tuple[int, str]:
    """(offset, what is wrong) of the first key, in the text's order, that its object holds twice."""
    objects: list[set[str]] = []
    for token in _KEYS.finditer(text):
        if token.group() == "{":
            objects.append(set())
        elif token.group() == "}":
            del objects[-1:]
        elif token.group("key") and objects:
            key = json.loads(token.group("key"))
            if key in objects[-1]:
                return token.start(), f"the key {json.dumps(key, ensure_ascii=False)[:80]} is there twice"
            objects[-1].add(key)
    return 0, "a key is there twice"


def _no_constant(name: str) -> None:
    raise _NotJson(lambda text: (_outside_strings(text, re.escape(name)), f"{name} is not a JSON number"))


def _outside_strings(text: str, pattern: str) -> int:
    """The offset of the first match of `pattern` that is not in a JSON string (0: none)."""
    return next((m.start() for m in re.finditer(rf"{_STRING}|(?P<it>{pattern})", text) if m.group("it")), 0)


def not_a_folder(root: Path, folder: str) -> str | None:
    """What is wrong when a folder smm keeps files in (`data/published`) is there as something else (a
    file, a link leading nowhere): read as no files, a post recorded there would be published again."""
    path = os.path.join(root, folder)
    if os.path.lexists(path) and not os.path.isdir(path):
        return f"{folder} is not a folder (a file or a broken link); restore it from git (`git checkout -- {folder}`)"
    return None


def require_folder(root: Path, folder: str) -> None:
    """A DataError when `folder` is there as something else than a folder (`not_a_folder`)."""
    problem = not_a_folder(root, folder)
    if problem:
        raise DataError(problem)


def links_outside(root: Path, file: str) -> bool:
    """Whether the path leads out of the repository through a symbolic link anywhere on it
    (the file itself, or a folder such as `brand/` linked elsewhere), or into `.git/`."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, file))
    inside_repo = real == real_root or real.startswith(real_root + os.sep)
    return not inside_repo or real.startswith(os.path.join(real_root, ".git") + os.sep)


def read_bytes(root: Path, file: str, limit: int = MAX_TEXT_BYTES) -> tuple[bytes | None, list[Diagnostic]]:
    """A repository file's bytes, with diagnostics instead of exceptions: only a regular file of at
    most `limit` bytes, never through a symbolic link out of the repository (its content could be
    a secret printed in CI logs)."""
    if links_outside(root, file):
        return None, [Diagnostic(file, 1, 1, ERROR, "file.outside-repo", f"this path {LEADS_OUTSIDE}")]
    try:
        with open_regular(os.path.join(root, file)) as handle:
            size = os.fstat(handle.fileno()).st_size
            data = read_up_to(handle.fileno(), size, limit)
            if len(data) > limit:
                return None, [Diagnostic(file, 1, 1, ERROR, "file.too-large",
                                         f"file is {size:,} bytes; the limit for this file is {limit:,}")]
    except NotRegularFile as exc:
        return None, [Diagnostic(file, 1, 1, ERROR, "file.not-regular",
                                 f"this is {exc.kind}, not a regular file; smm reads only regular files",
                                 hint="rename the folder: this name is for a file smm reads" if exc.kind == "a folder"
                                 else "replace it with a regular file, or remove it")]
    except OSError as exc:
        return None, [Diagnostic(file, 1, 1, ERROR, "file.unreadable", f"cannot read file: {exc.strerror or exc}")]
    return data, []


def read_text(root: Path, file: str, limit: int = MAX_TEXT_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """A repository file as UTF-8 text (see read_bytes and decode)."""
    data, found = read_bytes(root, file, limit)
    return (None, found) if data is None else decode(data, file)


def inside(root: Path, candidate: str) -> tuple[Path | None, str | None]:
    """Resolve a repository-relative path; (path, None) inside the repo, else (None, reason)."""
    if not candidate or os.path.isabs(candidate) or candidate.startswith(("/", "\\")) or ":" in candidate.split("/")[0]:
        return None, "must be a path relative to the repository root"
    if reason := unusable_path(candidate):
        return None, reason
    if ".." in Path(candidate).parts:
        return None, "must not use `..` to leave its folder"
    try:
        resolved = (root / candidate).resolve()
    except (RuntimeError, OSError):  # a loop of symbolic links (RuntimeError before Python 3.13)
        return None, "is a loop of symbolic links: it leads to no file"
    if not resolved.is_relative_to(root.resolve()):
        return None, "points outside the repository (through a symbolic link)"
    return resolved, None


TEMP_GLOB = ".*.tmp[0-9]*"  # `.<name>.tmp<pid>`: what write_atomic leaves behind when it is killed


class CannotWrite(SmmError, OSError):
    """A file smm writes cannot be written (a read-only checkout, a full disk): said as such, never
    a bug. Still an OSError (with its strerror), for callers that handle those."""

    def __init__(self, shown: str, exc: OSError) -> None:
        super().__init__(f"cannot write {shown}: {exc.strerror or exc}")
        self.errno, self.strerror, self.filename = exc.errno, exc.strerror, exc.filename


def refuse_outside(root: Path, path: Path) -> None:
    """CannotWrite when the repository's file `path` leads out of it through a symbolic link
    (`data -> /elsewhere`): smm writes only inside the repository."""
    if path.is_relative_to(root) and links_outside(root, path.relative_to(root).as_posix()):
        raise CannotWrite(rel(root, path), OSError(errno.EPERM, "it leads outside the repository (or into .git) "
                                                               "through a symbolic link; smm writes only inside it"))


def write_atomic(path: Path, text: str | bytes, root: Path | None = None, new: bool = False) -> None:
    """Write a file (text as UTF-8, or bytes as they are) so that a crash leaves the old or the new content, never half of either;
    CannotWrite (naming the path relative to `root`) when it cannot be written. `new`: the file must
    not be there yet (FileExistsError when it is; nothing is replaced).

    The temporary file sits beside the target (a rename is atomic only within one file
    system); a killed writer leaves it behind: `remove_stale_temps` cleans it and git
    commits never include it (gitops).
    """
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    if root is not None:
        refuse_outside(root, path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        binary = isinstance(text, bytes)
        with open(temp, "wb") if binary else open(temp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if new:  # made under its name only if none is there (a link, then the temporary name removed)
            _link_new(temp, path)
        else:
            os.replace(temp, path)
    except BaseException as exc:  # interrupted (Ctrl-C) or failed: leave no temp file behind
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, (CannotWrite, _Taken)):
            shown = rel(root, path) if root and path.is_relative_to(root) else str(path)
            raise CannotWrite(shown, exc) from None
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class _Taken(FileExistsError):
    """write_atomic(new=True)'s file is there already (any other OSError is CannotWrite)."""


def _link_new(temp: Path, path: Path) -> None:
    """Give the written file `temp` the name `path` unless a file has it (_Taken); where the file
    system has no hard links, a rename after a look."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise _Taken(errno.EEXIST, "File exists", str(path)) from None
    except OSError:
        if os.path.lexists(path):
            raise _Taken(errno.EEXIST, "File exists", str(path)) from None
        os.replace(temp, path)
        return
    temp.unlink()


def remove_stale_temps(root: Path, folder: str) -> list[Path]:
    """Delete the temporary files of killed writers (whose process is gone) under the repository's
    folder; none when the folder leads out of the repository (a link: no file out there is touched)."""
    removed = []
    if links_outside(root, folder):
        return removed
    for temp in (p for p in files_under(root / folder) if fnmatch.fnmatchcase(p.name, TEMP_GLOB)):
        pid = temp.name.rpartition(".tmp")[2]
        if pid.isdigit() and not _alive(int(pid)) and temp.is_file() and not temp.is_symlink():
            try:
                temp.unlink()
                removed.append(temp)
            except OSError:
                continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class SourceLines:
    """Reads each file's lines once, for source excerpts under a diagnostic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, file: str, number: int) -> str | None:
        if file not in self._cache:
            raw = read_bytes(self.root, file, 2_000_000)[0] or b""  # a link out, a pipe, a big file: no excerpt
            binary = b"\0" in raw  # or UTF-16: its lines would print as noise
            self._cache[file] = [] if binary else raw.decode("utf-8", errors="replace").lstrip("\ufeff").split("\n")
        lines = self._cache[file]
        if 1 <= number <= len(lines):
            return lines[number - 1].rstrip("\r")
        return None


def file_state(root: Path, name: str) -> tuple:
    """What tells a file named from the repository's root changed: where it leads, its times, size
    and inode (and its link's time), or why it cannot be read."""
    path = os.path.join(root, name)
    try:
        st, link = os.stat(path), os.lstat(path)
        return (os.path.realpath(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, link.st_mtime_ns)
    except (OSError, ValueError) as exc:
        return (type(exc).__name__, getattr(exc, "errno", None))
