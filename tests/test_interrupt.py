"""Ctrl-C: every command stops with one line and exit 130, leaving no process, no temporary
file and no half-written cache behind. Real processes, and a real SIGINT to the process group,
as a terminal sends it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smm.workspace.cache import MISS, read_whole

BASE = Path(__file__).parent / "fixtures" / "invalid" / "base"
POST = "---\ntitle: Post {i}\npublish_at: 2026-11-27T12:00\nplatforms: [feed, mastodon, bluesky]\n---\nHello number {i}.\n"
SLOW_TEMPLATE = "{{ text }}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
NOW = ["--now", "2026-11-27T12:30:00+08:00"]  # every post is just due

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "killpg"),
                                reason="reads a process's CPU time from /proc (Linux) to interrupt it mid-work")


def as_from_a_terminal() -> None:
    """In the child before smm starts: Ctrl-C handled by default, as a shell's foreground command
    has it, even when this suite runs with SIGINT ignored (a non-interactive shell's background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_gone(pgid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("command, posts", [
    (["check", *NOW], 2100),  # enough posts for the second (worker) process
    (["check", "--fix", *NOW], 20),
    (["preview", "--format", "html"], 20),
    (["publish", "--dry-run", *NOW], 20),
])
def test_ctrl_c_exits_130_with_one_line_and_leaves_nothing_behind(command, posts, tmp_path):
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    shutil.copytree(BASE, repo)
    for i in range(posts):
        (repo / "content" / f"p{i}.md").write_text(POST.format(i=i), encoding="utf-8")
    (repo / "brand/templates").mkdir()
    for platform in ("feed", "mastodon", "bluesky"):  # each busy for 2 s of wall clock, its time budget
        (repo / f"brand/templates/{platform}.j2").write_text(SLOW_TEMPLATE, encoding="utf-8")
    # secrets set, so that a dry run renders for every account (it calls no network) and stays busy
    # for 6 s even on a loaded machine, where 2 s of wall clock may be under 1 s of CPU
    env = {k: v for k, v in os.environ.items() if k != "SMM_DEBUG"} | {
        "SMM_CACHE_DIR": str(cache), "SMM_MASTODON_TOKEN": "t", "SMM_BLUESKY_APP_PASSWORD": "p"}
    proc = subprocess.Popen([sys.executable, "-m", "smm", *command], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_from_a_terminal)
    try:
        while cpu_seconds(proc.pid) < 1.0:  # past start-up, inside the work
            assert proc.poll() is None, f"{command} ended before it could be interrupted"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert (proc.returncode, err) == (130, "interrupted\n"), out[-2000:]
    assert group_gone(proc.pid), "a worker process outlived the command"
    leftovers = [p for p in (*repo.rglob("*"), *cache.rglob("*")) if ".tmp" in p.name]
    assert not leftovers
    for saved in cache.rglob("*.pickle"):  # a cache written before the interrupt is whole
        assert read_whole(saved) is not MISS, saved


# Wherever a Ctrl-C lands once smm runs, the command stops with one line and exit 130. Python
# swallows one raised in a finalizer ("Exception ignored in ...", and the command ran on to exit 0);
# one in a class body during an import comes wrapped in a RuntimeError (exit 3); one while click
# parses the options said "Aborted!" (exit 1).
_INTERRUPTED = """
import sys, time
import click, smm.cli, smm.workspace.config

class Interrupted:
    def __del__(self):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while this object was collected

find_root = smm.workspace.config.find_root
def find_root_and(*args):  # every command finds the repository first
    {where}
    time.sleep(0.5)  # the command goes on working
    return find_root(*args)

smm.workspace.config.find_root = find_root_and
{patch}
sys.argv = ["smm", *sys.argv[1:]]
smm.cli.main()
"""
WHERE = {
    "finalizer": ("Interrupted()", ""),
    "finalizer-in-a-list": ("x = [Interrupted()]; x.clear()", ""),
    "finalizer-in-a-cycle": ("x = Interrupted(); x.me = x; del x; import gc; gc.collect()", ""),
    "class-body-in-an-import": ("raise RuntimeError('Error calling __set_name__') from KeyboardInterrupt()", ""),
    "option-parsing": ("", "def parse(*a): raise KeyboardInterrupt\nclick.Group.parse_args = parse"),
}


@pytest.mark.parametrize("where", sorted(WHERE))
@pytest.mark.parametrize("command", [["check", *NOW], ["publish", "--dry-run", *NOW], ["calendar"]])
def test_ctrl_c_anywhere_in_smm_stops_the_command(tmp_path, where, command):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    code, patch = WHERE[where]
    env = {k: v for k, v in os.environ.items() if k != "SMM_DEBUG"} | {"SMM_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED.format(where=code or "pass", patch=patch), *command],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=60, preexec_fn=as_from_a_terminal)
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")
