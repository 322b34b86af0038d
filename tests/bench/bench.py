"""Benchmarks for smm, run by hand (not by pytest): generate a repo, time a command.

    python tests/bench/bench.py check --posts 10000
    python tests/bench/bench.py calendar --posts 10000

Each run generates a deterministic N-post repository (English and Chinese mixed) in a
temporary folder, runs the real `smm` command in a subprocess a few times and prints
the best and median wall time and the peak RSS of the child. The first run fills the
cache (smm.workspace.cache.cache_dir: outside the checkout), so "best" is a warm run and a cold one
shows in the spread.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

EN_WORDS = ("tea leaf harvest brew oolong green black winter spring cup kettle water "
            "steep aroma roast farm garden morning evening friends cafe gift fresh").split()
ZH_PHRASES = ["新茶上市", "冲泡技巧", "乌龙茶", "绿茶", "冬日暖饮", "茶园故事", "客户分享", "限时优惠", "水温九十度", "慢慢品"]
ACCOUNTS = ["feed", "mastodon", "bluesky"]
START = datetime(2027, 1, 1, 9, 0)
PILLARS = ["industry-news", "tips", "customer-stories", "product", "behind-the-scenes"]

PLATFORMS_YML = """timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/atom.xml, site: https://bench.example}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: BENCH_MASTODON_TOKEN}
  bluesky: {platform: bluesky, handle: bench.bsky.social, password_env: BENCH_BLUESKY_PASSWORD}
"""

CALENDAR_YML = """pillars:
  industry-news: {description: news}
  tips: {description: tips}
  customer-stories: {description: stories}
  product: {description: launches, promotional: true}
  behind-the-scenes: {description: people}
slots:
  - {day: monday, time: "12:00", pillar: industry-news}
  - {day: wednesday, time: "12:00", pillar: tips}
  - {day: friday, time: "18:00", pillar: customer-stories}
"""


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        words = rng.choices(EN_WORDS, k=rng.randint(6, 16))
        return " ".join(words).capitalize() + "."
    return "，".join(rng.choices(ZH_PHRASES, k=rng.randint(2, 5))) + "。"


def generate(root: Path, posts: int, seed: int = 1, published: int = 0) -> None:
    """A valid repository of `posts` posts, the same for the same seed; the first
    `published` posts get publish records, as if every account had published them."""
    rng = random.Random(seed)
    (root / "brand").mkdir(parents=True)
    (root / "platforms.yml").write_text(PLATFORMS_YML, encoding="utf-8")
    (root / "brand" / "calendar.yml").write_text(CALENDAR_YML, encoding="utf-8")
    start = START
    for i in range(posts):
        when = start + timedelta(hours=3 * i + rng.randint(0, 2))
        folder = root / "content" / f"{when:%Y}" / f"{when:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        accounts = rng.sample(ACCOUNTS, rng.randint(1, 3))
        tags = rng.sample(["WinterBlend", "冬日茶饮", "TeaTime", "慢生活", "Oolong"], 2)
        body = "\n\n".join(sentence(rng) for _ in range(rng.randint(1, 2)))
        front = [
            "---",
            f"title: Post {i} {rng.choice(ZH_PHRASES)}",
            f"publish_at: {when:%Y-%m-%dT%H:%M}",
            f"platforms: [{', '.join(accounts)}]",
            f"pillar: {rng.choice(PILLARS)}",
            f"hashtags: [{', '.join(tags)}]",
        ]
        if i % 3 == 0:
            front.append(f"campaign: campaign-{i % 7}")
        if i % 4 == 0:
            front.append(f"link: https://bench.example/p/{i}")
        front.append("---")
        post_id = f"{when:%Y-%m-%d}-post-{i}"
        (folder / f"{post_id}.md").write_text("\n".join(front) + "\n" + body + "\n", encoding="utf-8")
        if i < published:
            write_record(root, post_id, folder.relative_to(root) / f"{post_id}.md", accounts)


def write_record(root: Path, post_id: str, file: Path, accounts: list[str]) -> None:
    records = root / "data" / "published"
    records.mkdir(parents=True, exist_ok=True)
    jobs = {a: {"state": "published", "attempts": 1, "key": post_id, "remote_id": post_id, "url": None} for a in accounts}
    (records / f"{post_id}.json").write_text(json.dumps({"post": post_id, "file": file.as_posix(), "accounts": jobs}))


def run(args: list[str], cwd: Path, now: str) -> tuple[float, int, int]:
    """Wall seconds, peak child RSS in MB, exit code of one smm invocation."""
    env = {**os.environ, "SMM_NOW": now}
    command = [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "smm", *args]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    if proc.returncode not in (0, 1):
        sys.exit(f"smm failed (exit {proc.returncode}):\n{proc.stderr.decode()}")
    return wall, rss_mb, proc.returncode


COMMANDS = {
    "check": ["check"],
    # the foundation's checks alone: read, parse and validate every file, no rendering
    "load": ["-c", "from pathlib import Path; from smm.workspace.repo import load_repo; load_repo(Path('.'))"],
    # the scheduled job with nothing due: half the posts published (with records), half ahead
    "publish": ["publish"],
    "calendar": ["calendar", "--from", "2027-01-01", "--to", "2027-12-31", "--format", "json"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository and print its path")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="smm-bench-"))
    try:
        t0 = time.perf_counter()
        published = args.posts // 2 if args.command == "publish" else 0
        generate(root, args.posts, published=published)
        # with published posts, "now" is just after the last of them: nothing is due
        now = f"{START + timedelta(hours=3 * published - 1):%Y-%m-%dT%H:%M}:00+08:00" if published else "2026-12-01T00:00:00+00:00"
        print(f"generated {args.posts} posts in {time.perf_counter() - t0:.1f} s at {root}")
        times = []
        for _ in range(args.runs):
            wall, rss, code = run(COMMANDS[args.command], root, now)
            times.append(wall)
        warm = times[1:] or times
        print(f"smm {args.command}: cold {times[0]:.3f} s; warm best {min(warm):.3f} s, median "
              f"{statistics.median(warm):.3f} s; peak RSS {rss} MB, exit {code} ({args.runs} runs, {os.cpu_count()} cores)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
