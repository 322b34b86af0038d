"""One `smm publish` (and one `smm metrics`) at a time per checkout, writing nothing.

The lock is an advisory `flock` on something every checkout has, opened read-only: the
checkout's folder for publish, its `platforms.yml` for metrics. A read-only checkout can
be locked, nothing is left behind, and the kernel releases it when the process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from smm.errors import SmmError

LOCKED = {"publish": ".", "metrics": "platforms.yml"}  # what each command locks, relative to the root


@contextmanager
def exclusive(root: Path, name: str, wait: float = 10.0):
    """Hold the `name` lock of this checkout; wait up to `wait` seconds for another holder, then give up."""
    handle = os.open(root / LOCKED[name], os.O_RDONLY)
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
        yield
    finally:
        os.close(handle)
