"""Benchmark `smm site build` (issue 19): 10,000 posts and a year of metrics (run by hand, not by pytest).

    .venv/bin/python tests/bench/bench_site.py                      # 10,000 posts, 3 runs of each mode
    .venv/bin/python tests/bench/bench_site.py --posts 1000 --runs 1 --keep /tmp/site-bench

The repository is tests/bench/corpus.py's (long bilingual posts for the feed and 2-5 of
Mastodon, Bluesky, X, Threads, LinkedIn, Weibo, WeChat, 30 % with pictures), plus a year of
history in the style of tests/tools/simulate_history.py: a publish record for every post of
the first year (each account published a few minutes after its time), daily follower counts
of mastodon and bluesky, and daily snapshots of each published post's counts on those two
for its first 30 days. `--now` is a year after the first post.

Modes, each a fresh `smm site build` subprocess (its CPU time, user + system, the site's
own worker process included, is the figure: the machine is shared, wall time is shown too):
- cold: no site and no smm cache (posts parsed, every page rendered);
- cold site: the posts' parse cache warm, no site (every page rendered);
- unchanged: again, nothing changed (no page rendered);
- one post: one post's body edited (that post's page only), then put back;
- one post, an hour on: the same, built an hour later (as the scheduled job builds: the rolling
  reports of the last 7, 30 and 90 days, this month's and the home page are made again too);
- new folder: the site removed, the smm cache warm (post pages copied from the page cache).
"""

from __future__ import annotations

import argparse
import json
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

sys.path.insert(0, str(Path(__file__).parent))
from corpus import ACCOUNTS, START, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SMM = ROOT / ".venv" / "bin" / "smm"
TZ = timezone(timedelta(hours=8))  # the corpus's Asia/Shanghai
NOW = (START + timedelta(days=365)).replace(tzinfo=TZ)
MEASURED = ("mastodon", "bluesky")
METRIC_HEADER = "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"


def history(root: Path, seed: int = 19) -> int:
    """Records, followers and metrics for every post published before NOW; returns metric rows."""
    rng = random.Random(seed)
    import yaml

    published = []
    for path in sorted((root / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        when = datetime.fromisoformat(meta["publish_at"]).replace(tzinfo=TZ)
        if when >= NOW:
            continue
        accounts = [a for a in meta["platforms"] if a in ACCOUNTS]
        out = when.astimezone(timezone.utc) + timedelta(minutes=rng.randint(1, 6))
        jobs = {a: {"state": "published", "attempts": 1, "remote_id": f"{a}-{path.stem}",
                    "url": f"https://{a}.example/{path.stem}", "published_at": out.isoformat(timespec="seconds"),
                    "error": None} for a in accounts}
        file = path.relative_to(root).as_posix()
        (root / "data/published").mkdir(parents=True, exist_ok=True)
        (root / "data/published" / f"{path.stem}.json").write_text(
            json.dumps({"post": path.stem, "file": file, "accounts": jobs}, ensure_ascii=False) + "\n", "utf-8")
        published.append((path.stem, out, [a for a in accounts if a in MEASURED], rng.lognormvariate(3.5, 0.6)))
    return _metrics(root, published, rng)


def _metrics(root: Path, published: list, rng: random.Random) -> int:
    rows, months = 0, {}
    followers = {a: 1000.0 for a in MEASURED}
    first = published[0][1].replace(hour=16, minute=5, second=0) if published else NOW
    for day in range((NOW.astimezone(timezone.utc) - first).days + 1):
        moment = first + timedelta(days=day)
        month = f"{moment:%Y-%m}"
        if month not in months:
            months[month] = [METRIC_HEADER], ["collected_at,account,platform,followers\n"]
        metric_lines, follower_lines = months[month]
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        for account in MEASURED:
            followers[account] += rng.uniform(2, 14)
            follower_lines.append(f"{stamp},{account},{account},{int(followers[account])}\n")
        for post_id, out, accounts, base in published:
            age = (moment - out).total_seconds() / 86400
            if age <= 0 or age > 30:
                continue
            grown = base * (1 - 0.8 ** (age * 3))
            for account in accounts:
                metric_lines.append(f"{stamp},{post_id},{account},{account},{account}-{post_id},{int(grown * 0.6)},"
                                    f"{int(grown * 0.2)},{int(grown * 0.12)},,,\n")
                rows += 1
    for folder in ("data/metrics", "data/accounts"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for month, (metric_lines, follower_lines) in months.items():
        (root / "data/metrics" / f"{month}.csv").write_text("".join(metric_lines), "utf-8")
        (root / "data/accounts" / f"{month}.csv").write_text("".join(follower_lines), "utf-8")
    return rows


def build_once(root: Path, cache: Path, now: datetime = NOW) -> tuple[float, dict]:
    """(wall seconds, the build's JSON) of one `smm site build` at `now`."""
    env = {**os.environ, "SMM_CACHE_DIR": str(cache), "SMM_OFFLINE": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed smm has its bytecode: not compiled on every run
    start = time.perf_counter()
    child = subprocess.Popen([str(SMM), "site", "build", "--now", now.isoformat(), "--format", "json"], cwd=root,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"smm site build failed ({child.returncode}): {err.decode()}")
    return wall, json.loads(out)


def timed(root: Path, cache: Path, now: datetime = NOW) -> tuple[float, float, dict]:
    """(CPU seconds of the child and its workers, wall seconds, the build's JSON)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, built = build_once(root, cache, now)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, built


def one_post(root: Path) -> Path:
    return sorted((root / "content").rglob("*.md"))[len(list((root / "content").rglob("*.md"))) // 3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate here and keep it (reused when it exists)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="smm-bench-site-"))
    cache = root.parent / f"{root.name}-cache"
    try:
        if not (root / "platforms.yml").exists():
            t0 = time.perf_counter()
            summary = generate(root, args.posts)
            rows = history(root)
            print(f"generated {summary['posts']} posts, {len(list((root / 'data/published').iterdir()))} published, "
                  f"{rows:,} metric rows in {time.perf_counter() - t0:.0f} s: {root}")
        edited = one_post(root)
        original = edited.read_bytes()
        results: dict[str, list[tuple[float, float, dict]]] = {}
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(root / "_site", ignore_errors=True)
            results.setdefault("cold", []).append(timed(root, cache))
            shutil.rmtree(root / "_site", ignore_errors=True)
            results.setdefault("cold site", []).append(timed(root, cache))
            results.setdefault("unchanged", []).append(timed(root, cache))
            edited.write_bytes(original + "\nOne more sentence for the benchmark.\n".encode())
            try:
                results.setdefault("one post", []).append(timed(root, cache))
            finally:
                edited.write_bytes(original)
            timed(root, cache)  # back to the original
            edited.write_bytes(original + "\nOne more sentence for the benchmark.\n".encode())
            try:  # as the scheduled job builds: the clock has moved on, so the rolling reports are made again too
                results.setdefault("one post, an hour on", []).append(timed(root, cache, NOW + timedelta(hours=1)))
            finally:
                edited.write_bytes(original)
            timed(root, cache)  # back to the original
            shutil.rmtree(root / "_site", ignore_errors=True)
            results.setdefault("new folder", []).append(timed(root, cache))
        for mode, runs in results.items():
            cpus, walls = [r[0] for r in runs], [r[1] for r in runs]
            built = runs[-1][2]
            print(f"{mode:<20} CPU median {statistics.median(cpus):.2f} s (range {min(cpus):.2f}-{max(cpus):.2f}), "
                  f"wall median {statistics.median(walls):.2f} s; {built['pages']} pages, "
                  f"{len(built['written'])} files written, {len(built['removed'])} removed"
                  + (f": {', '.join(built['written'][:3])}" if mode == "one post" else ""))
        print(f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
