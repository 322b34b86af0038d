"""A worker smm forks never outlives it: killed (SIGKILL: no handler runs), smm takes its workers
along, whichever kind (the check's pool, the changed posts' child, the site's page renderer)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STARTS = {  # a worker running for a minute, its pid printed
    "the check's pool": "from smm.workspace.repo import forked_pool\n"
                        "pool = forked_pool(1); pool.apply_async(time.sleep, (60,)); print(pool._pool[0].pid, flush=True)",
    "the changed posts' child": "from smm.workspace.repo import Forked\n"
                                "child = Forked(time.sleep, 60); print(child.pid, flush=True)",
    "the site's page renderer": "import multiprocessing\nfrom smm.workspace.repo import die_with_parent\n"
                                "pool = multiprocessing.get_context('fork').Pool(1, initializer=die_with_parent, initargs=(os.getpid(),))\n"
                                "pool.apply_async(time.sleep, (60,)); print(pool._pool[0].pid, flush=True)",
}


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for the container's init to reap it is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's; elsewhere a worker ends at its next write")
@pytest.mark.parametrize("kind", STARTS)
def test_a_worker_dies_with_smm_killed(kind):
    script = f"import os, time\n{STARTS[kind]}\ntime.sleep(60)\n"
    with subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True) as smm:
        worker = int(smm.stdout.readline())
        time.sleep(0.3)  # the worker has set itself up
        assert _alive(worker)
        smm.kill()  # SIGKILL
        smm.wait(10)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), f"{kind}: worker {worker} still running after smm was killed"
