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

import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import generate  # noqa: E402
from killing import Edits, kill_some, main, rounds, smm, timed  # noqa: E402

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
    full = timed(lambda: check(root, cache, []))  # a whole cold check: the kills land within it
    warm = full / 2
    edits = Edits()
    tally = Counter()
    for run, change in rounds(rng, runs, CHANGES, tally):
        if change == "remove cache":
            shutil.rmtree(cache, ignore_errors=True)
        elif change == "edit":
            edits.toggle(rng.choice(files), lambda text: text + f"\nA very unique e-mail, 第{run}次 recieve.\n")
        else:
            edits.toggle(rng.choice(rules), lambda text: text + f"\n# edit {run}\n")
        asked = [rng.choice(files).relative_to(root).as_posix()] if rng.random() < 0.4 else []
        # a check after one post changed is quick
        kill_some(rng, lambda kill_after: check(root, cache, asked, kill_after), 0.2, warm if change == "edit" else full, tally)
        if edits.originals and rng.random() < 0.3:
            edits.put_back()
            tally["edits put back after a kill"] += 1
        mine = []
        warm = timed(lambda: mine.extend((check(root, cache, asked), check(root, cache, [])))) / 2
        shutil.rmtree(fresh, ignore_errors=True)
        clean = check(root, fresh, asked)
        shutil.rmtree(fresh, ignore_errors=True)
        clean = (clean, check(root, fresh, []))
        tally["runs"] += 1
        if tuple(mine) != clean:
            tally["checks that differ"] += 1
            print(f"run {run} ({change}, asked {asked}): the findings differ from a fresh check's", file=sys.stderr)
        tally["findings (last run)"] = len(json.loads(clean[1]))
    return tally


if __name__ == "__main__":
    sys.exit(main(__doc__, campaign, 800, "checks that differ"))
