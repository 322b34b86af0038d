"""`smm` that kills itself at one of `smm publish`'s crash points, for the crash tests:

    python tests/crashing_smm.py POINT publish --push ...

runs `smm publish --push ...` with a checkpoint that SIGKILLs the process when the run reaches
POINT (after_claim, after_in_flight, after_call, before_record, before_commit), as a runner
killed there would be; `POINT:N` kills it the N-th time it gets there (`after_call:2`: the call
of a post's first comment, after the post's). smm itself never reads a test's setting: the
checkpoint is injected.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def crash_at(point: str):
    name_wanted, _, nth = point.partition(":")
    reached = []

    def checkpoint(name: str) -> None:
        if name == name_wanted:
            reached.append(name)
            if len(reached) == int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


def command(point: str | None, *args: str) -> list[str]:
    """The command line of `smm ARGS...`, killed at `point` (None: a plain `python -m smm`)."""
    return [sys.executable, "-m", "smm", *args] if point is None else [sys.executable, str(Path(__file__)), point, *args]


if __name__ == "__main__":
    from smm.cli import main

    main(sys.argv[2:], obj={"checkpoint": crash_at(sys.argv[1])})
