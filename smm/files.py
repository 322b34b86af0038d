"""Reading repository files safely: size, encoding, BOM, line endings, paths inside the repo."""

from __future__ import annotations

import os
from pathlib import Path

from smm.diagnostics import ERROR, Diagnostic

MAX_TEXT_BYTES = 1024 * 1024


def rel(root: Path, path: Path) -> str:
    """The path relative to the repository root, with forward slashes."""
    return path.relative_to(root).as_posix()


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def decode(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text with LF line endings, or None; BOM and CRLF are reported but read through."""
    if b"\0" in data:
        line, column = _position(data, data.index(b"\0"))
        return None, [Diagnostic(file, line, column, ERROR, "file.binary", "this is a binary file, not text (it contains NUL bytes)")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
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


def links_outside(root: Path, file: str) -> bool:
    """Whether the path leads out of the repository through a symbolic link anywhere on it
    (the file itself, or a folder such as `brand/` linked elsewhere), or into `.git/`."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, file))
    inside_repo = real == real_root or real.startswith(real_root + os.sep)
    return not inside_repo or real.startswith(os.path.join(real_root, ".git") + os.sep)


def read_text(root: Path, file: str, limit: int = MAX_TEXT_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Read a repository file as text, with diagnostics instead of exceptions; never follow a
    symbolic link out of the repository (its content could be a secret printed in CI logs)."""
    if links_outside(root, file):
        return None, [Diagnostic(file, 1, 1, ERROR, "file.outside-repo",
                                 "this path leads outside the repository (or into .git) through a symbolic "
                                 "link; it is not read")]
    try:
        with open(os.path.join(root, file), "rb") as handle:
            data = handle.read(limit + 1)
            if len(data) > limit:
                size = os.fstat(handle.fileno()).st_size
                return None, [Diagnostic(
                    file, 1, 1, ERROR, "file.too-large",
                    f"file is {size:,} bytes; the limit for text files is {limit:,}",
                )]
    except OSError as exc:
        return None, [Diagnostic(file, 1, 1, ERROR, "file.unreadable", f"cannot read file: {exc.strerror}")]
    return decode(data, file)


def inside(root: Path, candidate: str) -> tuple[Path | None, str | None]:
    """Resolve a repository-relative path; (path, None) inside the repo, else (None, reason)."""
    if not candidate or os.path.isabs(candidate) or candidate.startswith(("/", "\\")) or ":" in candidate.split("/")[0]:
        return None, "must be a path relative to the repository root"
    if ".." in Path(candidate).parts:
        return None, "must not use `..` to leave its folder"
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return None, "points outside the repository (through a symbolic link)"
    return resolved, None


TEMP_GLOB = ".*.tmp[0-9]*"  # `.<name>.tmp<pid>`: what write_atomic leaves behind when it is killed


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that a crash leaves the old or the new content, never half of either.

    The temporary file sits beside the target (a rename is atomic only within one file
    system); a killed writer leaves it behind: `remove_stale_temps` cleans it and git
    commits never include it (gitops).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(temp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files of killed writers under folder (whose process is gone)."""
    removed = []
    for temp in folder.rglob(TEMP_GLOB) if folder.is_dir() else ():
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
