"""One `smm publish` at a time per checkout: an advisory file lock under .smm-cache/."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from smm.errors import SmmError

LOCK_DIR = ".smm-cache"  # gitignored; holds only lock files


@contextmanager
def exclusive(root: Path, name: str, wait: float = 10.0):
    """Hold `.smm-cache/<name>.lock`; wait up to `wait` seconds for another holder, then give up."""
    folder = root / LOCK_DIR
    folder.mkdir(exist_ok=True)
    handle = open(folder / f"{name}.lock", "a+")
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SmmError(f"another `smm {name}` is running in this checkout (waited {wait:.0f} s); "
                                   "try again when it has finished") from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
