"""`smm check`'s report, kept for the next run: when nothing it shows can have changed (warm),
it is copied to the output as it was, without unpickling, explaining, sorting and writing each
problem again (nor reading tens of megabytes into Python).

The report is kept (`report-FORMAT[-paths].bytes` in the cache folder, outside the checkout) under a digest
of everything it is made of: the settings digest, the format and the paths asked for, each
reported post's bytes and its own problems (pickled; the digests of both), every other problem
(across posts, in settings files, records, templates: computed every run) and the source line
each of those points at. A post the cache cannot vouch for (a link, an unreadable or big file)
makes the report be written afresh.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from smm.check.diagnostics import Diagnostic, encoded, lines, sort_key
from smm.check.run import CheckRun, _relative, select
from smm.workspace.cache import blake2b, recall_bytes, remember_bytes
from smm.workspace.files import SourceLines


@dataclass(frozen=True)
class CheckOutput:
    """The problems in a format, UTF-8 (never one string: tens of megabytes, and Chinese text
    would take up to four bytes a character in memory): copied from the kept copy (`kept`: its
    file, open where the bytes start), else made a batch of lines at a time as they are written."""

    errors: bool  # whether any of them is an error
    kept: BinaryIO | None = None
    made: Callable[[], Iterable[bytes]] | None = None

    def write_to(self, out: BinaryIO) -> None:
        if self.kept is None:
            out.writelines(self.made())
            return
        with self.kept:
            if not _sent(self.kept, out):
                shutil.copyfileobj(self.kept, out, 1 << 20)


def _sent(file: BinaryIO, out: BinaryIO) -> bool:
    """Copy the rest of the file to `out` in the kernel (os.sendfile, no pass through Python);
    False when `out` has no file descriptor or the kernel cannot, before anything was sent."""
    try:
        target = out.fileno()
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: an in-memory file
        return False
    out.flush()
    start = offset = file.tell()
    end = os.fstat(file.fileno()).st_size
    try:
        while offset < end and (sent := os.sendfile(target, file.fileno(), offset, end - offset)):
            offset += sent
    except OSError:
        if offset > start:  # some of it went out: a broken pipe, a full disk
            raise
        return False
    return True


def report(run: CheckRun, fmt: str, paths: list[Path]) -> CheckOutput:
    """The problems under `paths` (`select`) in a format."""
    root = run.repo.root
    showing = run.showing
    others = select(run.repo.diagnostics, root, paths, showing)
    key = _key(run, fmt, paths, others)
    name = f"report-{fmt}" + ("-paths" if paths else "")  # the last full report and the last of some paths
    kept = recall_bytes(root, name, key) if key else None
    if kept is not None:
        file, note = kept
        return CheckOutput(note == "errors", kept=file)
    found = sorted(select(run.diagnostics(), root, paths, showing), key=sort_key)
    errors = any(d.is_error for d in found)

    def made() -> Iterable[bytes]:
        return encoded(lines(found, fmt, SourceLines(root).line))

    if key and run.checks.exact:
        kept = remember_bytes(root, name, key, "errors" if errors else "fine", made())
        if kept is not None:
            return CheckOutput(errors, kept=kept)
    return CheckOutput(errors, made=made)


def _key(run: CheckRun, fmt: str, paths: list[Path], others: list[Diagnostic]) -> str | None:
    """The digest the report is kept under; None when a reported post's bytes are not known."""
    digest = blake2b(run.settings_key, digest_size=16)
    digest.update("\0".join([fmt] + [_relative(run.repo.root, p) for p in paths]).encode())
    own = run.own
    if any(file_digest is None for file_digest, _, _ in own.values()):
        return None
    digest.update(b"".join(f"\0{file}\0".encode() + own[file][0] + own[file][1] for file in sorted(own)))
    digest.update(repr(others).encode())  # not pickled: the same problems may pickle to other bytes
    lines = SourceLines(run.repo.root)
    for d in others:  # the lines quoted (and looked at for look-alike characters) in files besides the posts'
        if d.file not in run.own:
            digest.update(f"\0{lines.line(d.file, d.line)}".encode())
    return digest.hexdigest()
