"""`smm check`'s report, kept for the next run: when nothing it shows can have changed (warm),
it is printed as it was, without unpickling, explaining, sorting and writing each problem again.

The report is kept (`report-FORMAT[-paths]` in the cache folder, outside the checkout) under a digest
of everything it is made of: the settings digest, the format and the paths asked for, each
reported post's bytes and its own problems (pickled; the digests of both), every other problem
(across posts, in settings files, records, templates: computed every run) and the source line
each of those points at. A post the cache cannot vouch for (a link, an unreadable or big file)
makes the report be written afresh.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from smm.check.diagnostics import Diagnostic, write
from smm.check.run import CheckRun, _relative, select
from smm.workspace.cache import MISS, recall, remember
from smm.workspace.files import SourceLines


def report(run: CheckRun, fmt: str, paths: list[Path]) -> tuple[bytes, bool]:
    """(the problems under `paths` (`select`) in a format, UTF-8, whether any of them is an error).
    Bytes: a warm report (tens of megabytes of JSON for a large repository) is written as read,
    never decoded (Chinese text would take up to four bytes a character in memory) nor encoded."""
    root = run.repo.root
    others = select(run.repo.diagnostics, root, paths)
    key = _key(run, fmt, paths, others)
    name = f"report-{fmt}" + ("-paths" if paths else "")  # the last full report and the last of some paths
    kept = recall(root, name, key) if key else MISS
    if kept is not MISS:
        return kept
    found = select(run.diagnostics(), root, paths)
    made = (write(found, fmt, SourceLines(root).line).encode("utf-8", "surrogateescape"), any(d.is_error for d in found))
    if key:
        remember(root, name, key, made)
    return made


def _key(run: CheckRun, fmt: str, paths: list[Path], others: list[Diagnostic]) -> str | None:
    """The digest the report is kept under; None when a reported post's bytes are not known."""
    digest = hashlib.blake2b(run.settings_key, digest_size=16)
    digest.update("\0".join([fmt] + [_relative(run.repo.root, p) for p in paths]).encode())
    for file in sorted(run.own):
        file_digest, own_digest, _ = run.own[file]
        if file_digest is None:
            return None
        digest.update(f"\0{file}\0".encode() + file_digest + own_digest)
    digest.update(repr(others).encode())  # not pickled: the same problems may pickle to other bytes
    lines = SourceLines(run.repo.root)
    for d in others:  # the lines quoted (and looked at for look-alike characters) in files besides the posts'
        if d.file not in run.own:
            digest.update(f"\0{lines.line(d.file, d.line)}".encode())
    return digest.hexdigest()
