"""Killed checks: `smm check` SIGKILLed at random moments while it reads and keeps its cache, then run
again to the end, must report exactly what a check with no cache reports.

    .venv/bin/python tests/campaign/check_kills.py --runs 30 [--posts 800] [--seed 7] [--json]

The repository is tests/bench/corpus.py's (long bilingual posts, the example's voice rules and 201
generated ones). Each run changes something first: a post edited (a sentence that breaks voice
rules) or put back, a rule file edited or put back (every post is checked again), or smm's cache
removed; then one to three checks, of the whole repository or of one post (`smm check FILE`), are
killed at a random moment; sometimes every edit is put back; then the same check and a whole one
run to the end and their JSON is compared with the same checks' with a new cache. The seed
replays the choices, not the timings. Prints the tally (`--json`: one line for a machine); exit 0
only when every run's findings were a fresh check's.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import generate  # noqa: E402
from killing import smm  # noqa: E402

NOW = "2028-01-04T08:00:00+08:00"
CHANGES = ("edit", "edit", "edit", "rule", "remove cache")


def check(root: Path, cache: Path, asked: list[str], kill_after: float | None = None) -> bytes | None:
    return smm(root, cache, "check", "--now", NOW, "--format", "json", *asked, kill_after=kill_after, codes=(0, 1))


def campaign(work: Path, runs: int, posts: int, seed: int) -> Counter:
    rng = random.Random(seed)
    root, cache, fresh = work / "repo", work / "cache", work / "fresh"
    generate(root, posts)
    files = sorted((root / "content").rglob("*.md"))
    rules = sorted((root / "brand/voice").rglob("*.yml"))
    started = time.perf_counter()
    check(root, cache, [])
    full = time.perf_counter() - started  # a whole cold check: the kills land within it
    warm = full / 2
    originals: dict[Path, bytes] = {}
    tally = Counter()
    for run in range(runs):
        change = rng.choice(CHANGES)
        tally[f"change: {change}"] += 1
        if change == "remove cache":
            shutil.rmtree(cache, ignore_errors=True)
        else:
            edited = rng.choice(files if change == "edit" else rules)
            if edited in originals:
                edited.write_bytes(originals.pop(edited))
            else:
                originals[edited] = edited.read_bytes()
                extra = f"\nA very unique e-mail, 第{run}次 recieve.\n" if change == "edit" else f"\n# edit {run}\n"
                edited.write_bytes(edited.read_bytes() + extra.encode())
        asked = [rng.choice(files).relative_to(root).as_posix()] if rng.random() < 0.4 else []
        within = warm if change == "edit" else full  # a check after one post changed is quick
        for _ in range(rng.randint(1, 3)):
            tally["killed" if check(root, cache, asked, kill_after=rng.uniform(0.2, within)) is None else "done"] += 1
        if originals and rng.random() < 0.3:
            for path, data in originals.items():
                path.write_bytes(data)
            originals.clear()
            tally["edits put back after a kill"] += 1
        started = time.perf_counter()
        mine = (check(root, cache, asked), check(root, cache, []))
        warm = (time.perf_counter() - started) / 2
        shutil.rmtree(fresh, ignore_errors=True)
        clean = check(root, fresh, asked)
        shutil.rmtree(fresh, ignore_errors=True)
        clean = (clean, check(root, fresh, []))
        tally["runs"] += 1
        if mine != clean:
            tally["checks that differ"] += 1
            print(f"run {run} ({change}, asked {asked}): the findings differ from a fresh check's", file=sys.stderr)
        tally["findings (last run)"] = len(json.loads(clean[1]))
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--posts", type=int, default=800)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seed = random.randrange(10**6) if args.seed is None else args.seed
    with tempfile.TemporaryDirectory(prefix="smm-check-kills-") as work:
        tally = campaign(Path(work), args.runs, args.posts, seed)
    tally["seed"] = seed
    print(json.dumps(tally) if args.json else "\n".join(f"{key}: {value}" for key, value in sorted(tally.items())))
    return 0 if tally["checks that differ"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
