"""The whole loop, as GitHub would run it, on this machine:

    smm init → git repository with a bare "origin" → a branch adds a post → smm check passes
    → merge → smm publish --push at publish time (the feed and a real local Bluesky network)
    → smm metrics --push → origin holds exactly the expected commits, records and rows;
    an editor's push made while the bot was working is rebased over, not lost.

Every step runs the real `smm` command in a subprocess. Needs the local Bluesky network
(tests/peers): skipped locally when it is not running, failed in CI (CI=true).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from peers import require

pytestmark = pytest.mark.peer

PUBLISH_AT = "2026-12-02T09:00"
EDITOR = ["-c", "user.name=Editor", "-c", "user.email=editor@example.com"]


def git(where: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=where, check=True, capture_output=True, text=True).stdout


def smm(where: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "smm", *args], cwd=where, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_whole_loop(tmp_path):
    bsky = require("bluesky")
    brand = bsky.create_account("brand")
    env = {"SMM_BLUESKY_APP_PASSWORD": brand.password}

    # a new brand's repository, with its Bluesky account, pushed to a bare origin
    seed = tmp_path / "seed"
    assert smm(tmp_path, "init", str(seed), "--brand", "Acme", "--timezone", "UTC", "--now", "2026-11-26T10:00").returncode == 0
    platforms = (seed / "platforms.yml").read_text() + (
        f"  bluesky: {{platform: bluesky, service: '{bsky.pds_url}', handle: {brand.handle}, "
        "password_env: SMM_BLUESKY_APP_PASSWORD}\n")
    (seed / "platforms.yml").write_text(platforms)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, *EDITOR, "commit", "-qm", "Start the Acme repository")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))

    # an editor adds a post on a branch; smm check passes; the reviewer merges it
    editor = tmp_path / "editor"
    git(tmp_path, "clone", "-q", str(origin), str(editor))
    git(editor, "switch", "-q", "-c", "winter-sale")
    post = editor / "content/2026/12/2026-12-02-winter-sale.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(f"---\ntitle: Winter sale\npublish_at: {PUBLISH_AT}\nplatforms: [feed, bluesky]\n"
                    "pillar: product\n---\nOur **winter sale** starts today: 20% off every teapot.\n")
    git(editor, "add", "-A")
    git(editor, *EDITOR, "commit", "-qm", "Add the winter sale post")
    checked = smm(editor, "check", "--format", "json", "--now", "2026-12-01T10:00")
    assert checked.returncode == 0, checked.stdout
    assert all(d["severity"] == "warning" for d in json.loads(checked.stdout))
    git(editor, "switch", "-q", "main")
    git(editor, *EDITOR, "merge", "-q", "--no-ff", "-m", "Merge winter-sale", "winter-sale")
    git(editor, "push", "-q", "origin", "main")

    # the scheduled job's checkout; meanwhile an editor pushes another post
    bot = tmp_path / "bot"
    git(tmp_path, "clone", "-q", str(origin), str(bot))
    later = editor / "content/2026/12/2026-12-09-tips.md"
    later.write_text("---\ntitle: Brewing tips\npublish_at: 2026-12-09T12:00\nplatforms: [feed]\npillar: tips\n---\n"
                     "Warm the pot first.\n")
    git(editor, "add", "-A")
    git(editor, *EDITOR, "commit", "-qm", "Add brewing tips")
    git(editor, "push", "-q", "origin", "main")

    published = smm(bot, "publish", "--push", "--format", "json", "--now", "2026-12-02T09:07", env=env)
    assert published.returncode == 0, published.stdout + published.stderr
    jobs = {(j["post"], j["account"]): j["state"] for j in json.loads(published.stdout)["jobs"]}
    assert jobs == {("2026-12-02-winter-sale", "feed"): "published", ("2026-12-02-winter-sale", "bluesky"): "published"}
    again = smm(bot, "publish", "--push", "--now", "2026-12-02T09:37", env=env)
    assert again.returncode == 0 and again.stdout.strip().endswith("nothing due")

    metrics = smm(bot, "metrics", "--push", "--format", "json", "--now", "2026-12-02T09:40", env=env)
    assert metrics.returncode == 0, metrics.stdout + metrics.stderr

    # origin's history: exactly these commits, newest first
    log = git(origin, "log", "--topo-order", "--format=%an|%s", "main").splitlines()
    assert log[0].startswith("smm-bot|smm metrics")
    assert log[1] == "smm-bot|smm publish: 2 published"
    assert log[2].startswith("smm-bot|smm publish: claim 1 job(s) until")  # Bluesky's, pushed before the call
    assert log[3:] == ["Editor|Add brewing tips", "Editor|Merge winter-sale", "Editor|Add the winter sale post",
                       "Editor|Start the Acme repository"]

    final = tmp_path / "final"
    git(tmp_path, "clone", "-q", str(origin), str(final))
    assert (final / "content/2026/12/2026-12-09-tips.md").exists()  # the concurrent push was kept
    record = json.loads((final / "data/published/2026-12-02-winter-sale.json").read_text())
    assert {a: j["state"] for a, j in record["accounts"].items()} == {"bluesky": "published", "feed": "published"}
    assert not (final / "data/published/2026-12-09-tips.json").exists()  # not due yet
    feed = json.loads((final / "data/feed/feed.json").read_text())
    assert [i["title"] for i in feed["items"]] == ["Winter sale"]
    with open(final / "data/metrics/2026-12.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["post_id"], r["account"], r["remote_id"]) for r in rows] == [
        ("2026-12-02-winter-sale", "bluesky", record["accounts"]["bluesky"]["remote_id"])]
    accounts = (final / "data/accounts/2026-12.csv").read_text().splitlines()
    assert accounts[0] == "collected_at,account,platform,followers" and any(",bluesky,bluesky," in a for a in accounts)
    assert git(final, "status", "--porcelain") == ""
