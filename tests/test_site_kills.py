"""The killed-site-build campaign at CI size: `smm site build` SIGKILLed at random moments (after
edits, with the site or the cache removed, an hour on), then built to the end, leaves the site a
clean build makes (tests/campaign/site_kills.py; run it longer with `--runs 100`)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from conftest import ROOT

RUNS = 8  # about a minute on a 2-core machine


def test_a_site_build_killed_at_any_moment_then_run_again_is_a_clean_builds_site():
    seed = random.randrange(10**6)
    result = subprocess.run([sys.executable, str(ROOT / "tests/campaign/site_kills.py"), "--runs", str(RUNS),
                             "--posts", "150", "--seed", str(seed), "--json"],
                            capture_output=True, text=True, timeout=900)
    problems = f"seed {seed} (again: tests/campaign/site_kills.py --runs {RUNS} --posts 150 --seed {seed})\n" + result.stderr[-3000:]
    assert result.stdout.strip(), problems
    tally = json.loads(result.stdout.strip().splitlines()[-1])
    assert tally.get("sites that differ", 0) == 0 and result.returncode == 0, problems
    assert tally["runs"] == RUNS and tally.get("killed", 0) >= 3, tally  # the kills happened
