"""One `smm publish` (and one `smm metrics`, one `smm inbox`) at a time per checkout, and what
publish and metrics wrote under data/ committed (and pushed) as it ends: `recorded`.

The lock is an advisory `flock` on something every checkout has, opened read-only: the
checkout's folder for publish, its `platforms.yml` for metrics, `content/` for the inbox. A read-only checkout can
be locked, nothing is left behind, and the kernel releases it when the process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from smm.errors import StateError
from smm.workspace.files import NotRegularFile, not_regular

LOCKED = {"publish": ".", "metrics": "platforms.yml", "inbox": "content", "listen": "brand/listening.yml"}  # what each command locks, relative to the root
LOCKED["giveaway"] = "content"  # one draw at a time (it writes under content/ and data/)


@contextmanager
def exclusive(root: Path, name: str, wait: float = 10.0):
    """Hold the `name` lock of this checkout; wait up to `wait` seconds for another holder, then give up.
    What it locks missing or unusable (no content/ in a fresh clone: git keeps no empty folder, a loop of
    links, a named pipe), the checkout's folder is locked instead, as publish does."""
    who = f"`smm {name}`"
    try:
        kind = not_regular(os.stat(root / LOCKED[name]).st_mode)
        if kind not in (None, "a folder"):  # a named pipe would block the open for ever
            raise NotRegularFile(kind)
        handle = os.open(root / LOCKED[name], os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        handle, who = os.open(root, os.O_RDONLY), "`smm publish` or another smm command"
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StateError(f"another {who} is running in this checkout (waited {wait:.0f} s); "
                                   "try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(handle)


@dataclass
class Recording:
    """A run under `recorded`: it sets `report` (anything with a `git_error`) once it has one;
    only then is there something to commit."""

    report: Any = None


@contextmanager
def recorded(root: Path, name: str, *, wait: float = 10.0, lock: bool = True, commit: bool = False,
             push: bool = False, describe: Callable[[Any], str] = str,
             before_commit: Callable[[], None] = lambda: None, also: tuple[str, ...] = ()) -> Iterator[Recording]:
    """Hold the `name` lock of this checkout (unless `lock` is False: a dry run writes nothing)
    for the run; as it ends, normally or not, commit what it wrote under data/ (and under the
    folders `also` names) with
    `describe(report)` as the message (and push it) when asked, and set the report's
    `git_error` to why git could not."""
    recording = Recording()
    with exclusive(root, name, wait) if lock else nullcontext():
        try:
            yield recording
        finally:
            if commit and recording.report is not None:
                before_commit()
                try:
                    from smm.data import gitops  # gitpython is slow to import: only when git is used
                except StateError as exc:  # git cannot run: the run's results are reported with why
                    recording.report.git_error = exc.message
                else:
                    recording.report.git_error = gitops.record(root, describe(recording.report), push, also)
