"""What the kill campaigns (site_kills.py, check_kills.py) share: smm run as a user runs it and
SIGKILLed at a given moment (its process group: the second process too), the files they edit and
put back, and their command line."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
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


class Edits:
    """The files a campaign edited, each until it is put back."""

    def __init__(self) -> None:
        self.originals: dict[Path, bytes] = {}

    def toggle(self, path: Path, edit) -> None:
        """Put the file back when it is edited, else replace its text with `edit(text)`."""
        if path in self.originals:
            path.write_bytes(self.originals.pop(path))
        else:
            self.originals[path] = path.read_bytes()
            path.write_text(edit(path.read_text("utf-8")), encoding="utf-8")

    def put_back(self) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)
        self.originals.clear()


def rounds(rng: random.Random, runs: int, changes: tuple[str, ...], tally):
    """(run, change) of each run: the change drawn, and counted in the tally."""
    for run in range(runs):
        change = rng.choice(changes)
        tally[f"change: {change}"] += 1
        yield run, change


def timed(run) -> float:
    """The seconds `run()` took."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def kill_some(rng: random.Random, run, earliest: float, latest: float, tally) -> None:
    """`run(kill_after)` killed one to three times, each after a moment between `earliest` and `latest`
    seconds. A run that ends first shows how long one takes now (a busy machine's speed changes): the
    next moments are drawn within that time (a few more tries at most)."""
    wanted = rng.randint(1, 3)
    for _ in range(2 * wanted + 2):
        started = time.perf_counter()
        if run(rng.uniform(earliest, latest)) is None:
            tally["killed"] += 1
            wanted -= 1
            if not wanted:
                return
            continue
        tally["done"] += 1
        latest = 0.9 * (time.perf_counter() - started)
        earliest = min(earliest, latest / 2)


def main(doc: str, campaign, posts: int, differ: str) -> int:
    """A campaign's command line: `campaign(work, runs, posts, seed)` returns its tally, whose
    `differ` counts the runs that left something a clean run does not; exit 0 when none did."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--posts", type=int, default=posts)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seed = random.randrange(10**6) if args.seed is None else args.seed
    with tempfile.TemporaryDirectory(prefix="smm-kills-") as work:
        tally = campaign(Path(work), args.runs, args.posts, seed)
    tally["seed"] = seed
    print(json.dumps(tally) if args.json else "\n".join(f"{key}: {value}" for key, value in sorted(tally.items())))
    return 0 if tally[differ] == 0 else 1
