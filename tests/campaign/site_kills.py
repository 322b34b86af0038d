"""Killed site builds: `smm site build` SIGKILLed at random moments, then built again to the end,
must leave the same site, file for file and byte for byte (but when each page was drawn), as a
clean build of the same repository.

    .venv/bin/python tests/campaign/site_kills.py --runs 30 [--posts 600] [--seed 7] [--json]

The repository is tests/bench/corpus.py's bilingual posts with a year of records and metrics
(tests/bench/bench_site.py's history). Each run changes something first: a post edited or put
back, the brand's name (on every page) changed or put back, the site folder removed, smm's cache
removed, both removed, or the clock an hour on (the rolling reports change); then one to three
builds are killed at a random moment (late in a rebuild after one post changed, when it writes);
sometimes every edit is put back; and a last build runs to the end. The site it leaves is
compared with a clean build (new folder, new cache) of the same repository at the same time. The
seed replays the choices, not the timings. Prints the tally (`--json`: one line for a machine);
exit 0 only when every run's site was the clean build's.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_site import NOW, history  # noqa: E402
from corpus import generate  # noqa: E402
from killing import Edits, kill_some, main, rounds, smm, timed  # noqa: E402

CHANGES = ("edit", "edit", "brand", "remove site", "remove cache", "remove both", "an hour on")


def build(root: Path, out: Path, cache: Path, now, kill_after: float | None = None) -> bytes | None:
    """`smm site build`: its output, or None when it was still running after `kill_after` seconds (killed)."""
    return smm(root, cache, "site", "build", "--out", str(out), "--now", now.isoformat(), kill_after=kill_after)


DRAWN_AT = re.compile(rb'<footer class="site">[^<]*</footer>|<p class="meta">[^<]*</p>')


def tree(out: Path) -> dict[str, str]:
    """Each file's and folder's path in the site → its bytes' digest ("" for a folder). A page's
    footer (and a report's line under its title) says when it was drawn: a page a rebuild keeps,
    its inputs unchanged, keeps that time by design, so those lines are left out."""
    return {str(path.relative_to(out)) + ("/" if path.is_dir() else ""):
            "" if path.is_dir() else hashlib.sha256(DRAWN_AT.sub(b"", path.read_bytes())).hexdigest()
            for path in sorted(out.rglob("*"))}


def campaign(work: Path, runs: int, posts: int, seed: int) -> Counter:
    rng = random.Random(seed)
    root = work / "repo"
    generate(root, posts)
    history(root)
    files = sorted((root / "content").rglob("*.md"))
    out, cache, clean_out, clean_cache = (work / name for name in ("site", "cache", "clean-site", "clean-cache"))
    now = NOW
    full = timed(lambda: build(root, out, cache, now))  # a whole cold build: the kills land within it
    rebuild = full / 2
    edits = Edits()
    tally = Counter()
    for run, change in rounds(rng, runs, CHANGES, tally):
        if change == "brand":  # every page shows the brand's name
            edits.toggle(root / "brand/brand.yml", lambda text: text.replace("name: ", "name: New ", 1))
        elif change == "edit":  # put back, the page must be the old one again
            edits.toggle(rng.choice(files), lambda text: text + f"\nEdit {run}: 第{run}次修改。\n")
        elif change == "an hour on":
            now += timedelta(hours=1)
        if change in ("remove site", "remove both"):
            shutil.rmtree(out, ignore_errors=True)
        if change in ("remove cache", "remove both"):
            shutil.rmtree(cache, ignore_errors=True)
        # a rebuild after one post changed is quick, and writes what it changed at its end
        earliest, latest = (0.2, full) if change.startswith("remove") or change == "brand" else (rebuild * 0.6, rebuild)
        kill_some(rng, lambda kill_after: build(root, out, cache, now, kill_after), earliest, latest, tally)
        if edits.originals and rng.random() < 0.5:  # every edit put back before a build finished: pages the kill
            edits.put_back()  # rewrote must not be kept under the old keys
            tally["edits put back after a kill"] += 1
        rebuild = timed(lambda: build(root, out, cache, now))
        shutil.rmtree(clean_out, ignore_errors=True)
        shutil.rmtree(clean_cache, ignore_errors=True)
        build(root, clean_out, clean_cache, now)
        mine, clean = tree(out), tree(clean_out)
        tally["runs"] += 1
        if mine != clean:
            tally["sites that differ"] += 1
            differ = sorted(path for path in mine.keys() | clean.keys() if mine.get(path) != clean.get(path))
            print(f"run {run} ({change}): {len(differ)} paths differ from a clean build: {differ[:10]}", file=sys.stderr)
    return tally


if __name__ == "__main__":
    sys.exit(main(__doc__, campaign, 600, "sites that differ"))
