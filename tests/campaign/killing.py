"""Run smm as a user would, and SIGKILL it at a given moment (its process group: the second
process too), for the kill campaigns (site_kills.py, check_kills.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def smm(root: Path, cache: Path, *args: str, kill_after: float | None = None, codes=(0,)) -> bytes | None:
    """`smm ARGS` in `root` with `cache` as its cache folder: its standard output, or None when it was
    still running after `kill_after` seconds and was killed. An exit code outside `codes` ends the
    campaign with smm's error."""
    env = {**os.environ, "SMM_CACHE_DIR": str(cache), "SMM_OFFLINE": "1"}
    child = subprocess.Popen([sys.executable, "-m", "smm", *args], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = child.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return None
    if child.returncode not in codes:
        raise SystemExit(f"smm {' '.join(args)} failed ({child.returncode}): {err.decode()[-3000:]}")
    return out
