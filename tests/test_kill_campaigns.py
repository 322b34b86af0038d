"""The kill campaigns at CI size: `smm site build` and `smm check` SIGKILLed at random moments (after
edits, some put back before the next run ends; with the site or the cache removed; an hour on),
then run to the end, leave what a run with nothing kept leaves: the site a clean build makes, the
findings of a check with no cache (tests/campaign/site_kills.py and check_kills.py; run them longer
with `--runs 100`)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from conftest import ROOT

RUNS = 5  # each campaign about 40 s on a 2-core machine


@pytest.mark.parametrize("campaign,posts,differ", [("site_kills", 150, "sites that differ"),
                                                   ("check_kills", 150, "checks that differ")])
def test_smm_killed_at_any_moment_then_run_again_leaves_what_a_clean_run_leaves(campaign, posts, differ):
    seed = random.randrange(10**6)
    command = [sys.executable, str(ROOT / f"tests/campaign/{campaign}.py"), "--runs", str(RUNS), "--posts", str(posts),
               "--seed", str(seed)]
    result = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=900)
    problems = f"again: {' '.join(command[1:])}\n{result.stderr[-3000:]}"  # the seed replays the choices, not the timings
    assert result.stdout.strip(), problems
    tally = json.loads(result.stdout.strip().splitlines()[-1])
    assert tally.get(differ, 0) == 0 and result.returncode == 0, problems
    assert tally["runs"] == RUNS and tally.get("killed", 0) >= RUNS // 2, tally  # the kills happened
