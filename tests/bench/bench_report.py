"""Benchmark `smm report` on two years of daily snapshots of 5,000 posts (run by hand, not by pytest).

    .venv/bin/python tests/bench/bench_report.py                  # 5,000 posts, 5 runs, text format
    .venv/bin/python tests/bench/bench_report.py --posts 500 --runs 3 --format json --keep /tmp/r

Generates a deterministic repository in a temporary folder: 5,000 posts spread over
2025-01-01 … 2026-12-31 (feed, mastodon, bluesky), a publish record for each, and
metrics collected daily for every post on mastodon and bluesky from the day after it went
out to the end (5,000 × 2 accounts × ~365 days ≈ 3.65 million rows, ~430 MB of CSV in 24
monthly files), daily follower counts and four goals. Then it runs the report for the
last 90 days in a fresh subprocess `--runs` times and prints each run's wall time and peak
RSS (os.wait4), then the best and the median. The first run is cold (its cache folder,
smm.workspace.cache.cache_dir, is emptied first); later ones reuse the parsed-posts cache that every
smm command keeps.

The child is `smm report` when the CLI has that command, else the same calls in
`python -c` (load_repo, window, build, render).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import (  # the same repository settings as tests/bench/bench.py
    CALENDAR_YML,
    PLATFORMS_YML,
)

from smm.workspace.cache import cache_dir

ROOT = Path(__file__).resolve().parents[2]
SMM = ROOT / ".venv" / "bin" / "smm"
PYTHON = ROOT / ".venv" / "bin" / "python"
FIRST = datetime(2025, 1, 1, tzinfo=timezone.utc)
DAYS = 730
NOW = FIRST + timedelta(days=DAYS)  # 2027-01-01T00:00Z
PILLARS = ["industry-news", "tips", "customer-stories", "product", "behind-the-scenes"]
CAMPAIGNS = [None, None, None, "spring", "summer", "autumn", "winter"]
HOURS = [8, 10, 12, 12, 18, 20, 21]

GOALS_YML = """goals:
  - {id: bluesky-followers, metric: followers, account: bluesky, baseline: 1000, target: 20000, deadline: 2027-06-30}
  - {id: mastodon-followers, metric: followers, account: mastodon, baseline: 1500, target: 9000, deadline: 2027-06-30}
  - {id: engagement, metric: engagement_rate, baseline: 2.5, target: 3.5, deadline: 2027-03-31}
  - {id: cadence, metric: posts, baseline: 150, target: 220, deadline: 2027-03-31}
"""
METRIC_HEADER = "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"


def generate(root: Path, posts: int, seed: int = 7) -> int:
    """The repository; returns the number of metric rows."""
    rng = random.Random(seed)
    (root / "brand").mkdir(parents=True)
    (root / "platforms.yml").write_text(PLATFORMS_YML, encoding="utf-8")
    (root / "brand/calendar.yml").write_text(CALENDAR_YML, encoding="utf-8")
    (root / "brand/goals.yml").write_text(GOALS_YML, encoding="utf-8")
    (root / "data/published").mkdir(parents=True)
    tz = timedelta(hours=8)
    items = []  # (publish day index, post id, published_at, {account: remote id}, final counts)
    for i in range(posts):
        day = i * DAYS // posts
        local = (FIRST + timedelta(days=day)).replace(hour=HOURS[rng.randrange(len(HOURS))], minute=0)
        published = local - tz + timedelta(minutes=rng.randint(1, 6))  # the local hour in Asia/Shanghai, as UTC
        post_id = f"{local:%Y-%m-%d}-post-{i:05d}"
        pillar, campaign = rng.choice(PILLARS), rng.choice(CAMPAIGNS)
        folder = root / "content" / f"{local:%Y}" / f"{local:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        front = [f"title: Post {i} 第{i}篇", f"publish_at: {local:%Y-%m-%dT%H:%M}", "platforms: [feed, mastodon, bluesky]",
                 f"pillar: {pillar}"] + ([f"campaign: {campaign}"] if campaign else [])
        (folder / f"{post_id}.md").write_text("---\n" + "\n".join(front) + f"\n---\nBody of post {i}. 正文。\n", "utf-8")
        stamp = published.isoformat(timespec="seconds")
        status = str((int(published.timestamp() * 1000) << 16) + i)
        rkey = f"3l{i:011d}"
        remote = {"mastodon": status, "bluesky": f"at://did:plc:benchbenchbenchbenchbenc/app.bsky.feed.post/{rkey}"}
        jobs = {"feed": {"state": "published", "attempts": 1, "remote_id": f"urn:uuid:{i:032x}",
                         "url": "https://bench.example", "published_at": stamp, "error": None}}
        for account, rid in remote.items():
            jobs[account] = {"state": "published", "attempts": 1, "remote_id": rid, "url": f"https://{account}.example/{i}",
                             "published_at": stamp, "error": None}
        (root / "data/published" / f"{post_id}.json").write_text(
            '{"post": "%s", "file": "content/%s/%s/%s.md", "accounts": %s}\n'
            % (post_id, f"{local:%Y}", f"{local:%m}", post_id, _json(jobs)), "utf-8")
        base = rng.lognormvariate(3.5, 0.6) * (1.6 if local.hour >= 18 else 1.0)
        items.append((day, post_id, published, remote, base))
    rows = 0
    (root / "data/metrics").mkdir(parents=True)
    (root / "data/accounts").mkdir(parents=True)
    month = None
    handle = followers = None
    counts = {"mastodon": 1500.0, "bluesky": 1000.0}
    for day in range(DAYS):
        moment = FIRST + timedelta(days=day, hours=16, minutes=5)
        if f"{moment:%Y-%m}" != month:
            if handle:
                handle.close()
                followers.close()
            month = f"{moment:%Y-%m}"
            handle = open(root / "data/metrics" / f"{month}.csv", "w", encoding="utf-8", newline="\n")
            handle.write(METRIC_HEADER)
            followers = open(root / "data/accounts" / f"{month}.csv", "w", encoding="utf-8", newline="\n")
            followers.write("collected_at,account,platform,followers\n")
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = []
        for account in ("bluesky", "mastodon"):
            counts[account] += rng.uniform(2, 14)
            followers.write(f"{stamp},{account},{account},{int(counts[account])}\n")
            for first_day, post_id, published, remote, base in items:
                if first_day > day:
                    break
                if published >= moment:
                    continue
                age = (moment - published).total_seconds() / 86400
                grown = base * (1 - 0.8 ** (age * 3))
                likes = int(grown * 0.6)
                lines.append(f"{stamp},{post_id},{account},{account},{remote[account]},{likes},{int(grown * 0.2)},"
                             f"{int(grown * 0.12)},{int(grown * 0.08) if account == 'bluesky' else ''},,\n")
        handle.write("".join(lines))
        rows += len(lines)
    handle.close()
    followers.close()
    return rows


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def command(fmt: str) -> list[str]:
    has_report = SMM.exists() and subprocess.run([str(SMM), "report", "--help"], capture_output=True).returncode == 0
    if has_report:
        return [str(SMM), "report", "--now", NOW.isoformat(), "--period", "90d", "--format", fmt]
    code = ("import sys; from datetime import datetime; from pathlib import Path; from smm.workspace.repo import load_repo; "
            "from smm import report as r; repo = load_repo(Path.cwd()); now = datetime.fromisoformat(sys.argv[1]); "
            "s, e = r.window(repo.config.timezone, now, '90d'); sys.stdout.write(r.render(r.build(repo, s, e, now), sys.argv[2]))")
    return [str(PYTHON), "-c", code, NOW.isoformat(), fmt]


def run_once(root: Path, argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and output bytes of one child."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(argv, cwd=root, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        err = child.stderr.read().decode()
        child.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"report failed ({os.waitstatus_to_exitcode(status)}): {err}")
        size = out.tell()
    return wall, usage.ru_maxrss / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", default="text", choices=["text", "markdown", "html", "json"])
    parser.add_argument("--keep", type=Path, help="generate here and keep it (reused when it exists)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="smm-bench-report-"))
    try:
        if not (root / "platforms.yml").exists():
            t0 = time.perf_counter()
            rows = generate(root, args.posts)
            size = sum(p.stat().st_size for p in (root / "data/metrics").iterdir())
            print(f"generated {args.posts} posts, {rows:,} metric rows ({size / 2**20:.0f} MiB) in "
                  f"{time.perf_counter() - t0:.0f} s: {root}")
        shutil.rmtree(cache_dir(root), ignore_errors=True)  # the first run is cold
        argv = command(args.format)
        print("child:", "smm report" if argv[0] == str(SMM) else "python -c (smm report not wired yet)")
        walls, peaks = [], []
        for n in range(1, args.runs + 1):
            wall, peak, size = run_once(root, argv)
            walls.append(wall)
            peaks.append(peak)
            print(f"run {n}{' (cold)' if n == 1 else ''}: {wall:.2f} s, peak RSS {peak:.0f} MiB, {size:,} bytes of {args.format}")
        print(f"best {min(walls):.2f} s, median {statistics.median(walls):.2f} s, max {max(walls):.2f} s; "
              f"peak RSS max {max(peaks):.0f} MiB ({os.cpu_count()} cores)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
