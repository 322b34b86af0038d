"""The tenth session's outside-in review of `smm site build` (issue 19: an incremental rebuild equals a
fresh build): two builds into one folder at once (a watcher and a hand-run build, two terminals) mixed
their pages and manifests, so that a later build kept a page of one build's time under the other's
key (found by three builds at once, one at another `--now`: 1 run in 6 left a report page that no
fresh build makes; too rare to be a test). A build now waits for the one already writing into its folder."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import copy_example

NOW = "2026-11-25T08:00:00+08:00"
LATER = "2026-12-20T08:00:00+08:00"
BUILD_TIME = re.compile(rb'<footer class="site">.*?</footer>|(generated|\xe7\x94\x9f\xe6\x88\x90\xe4\xba\x8e) '
                        rb'\d{4}-\d\d-\d\d \d\d:\d\d', re.S)  # the build's time (tests/bench/campaign.py)


def _build(root: Path, cache: Path, out: Path, now: str = NOW) -> subprocess.Popen:
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "smm", "site", "build", "--out", str(out), "--now", now], cwd=root,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _ended(build: subprocess.Popen, timeout: float = 300) -> int:
    """Its exit code once it ended (its error output read and closed)."""
    _, err = build.communicate(timeout=timeout)
    assert build.returncode == 0, err
    return build.returncode


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): BUILD_TIME.sub(b"", p.read_bytes()) for p in out.rglob("*") if p.is_file()}


def test_a_build_waits_for_the_build_writing_into_its_folder_and_then_equals_a_fresh_one(tmp_path):
    root = copy_example(tmp_path / "repo")
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = _build(root, cache, out, LATER)
    assert _ended(first) == 0
    with open(out / ".smm-site", "rb") as held:  # as a build writing into the folder holds it
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        waiting = _build(root, cache, out)
        time.sleep(3)
        wrote = waiting.poll() is not None
        if wrote:
            waiting.communicate()
        assert not wrote, "the build wrote into a folder another build was writing into"
    assert _ended(waiting) == 0
    fresh = _build(root, tmp_path / "fresh-cache", tmp_path / "fresh")
    assert _ended(fresh) == 0
    assert _files(out) == _files(tmp_path / "fresh")

