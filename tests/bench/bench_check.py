"""Benchmark `smm check` on the realistic repository of tests/bench/corpus.py (issue 14); run by hand.

    .venv/bin/python tests/bench/bench_check.py [--posts 10000] [--runs 3] [--keep DIR]
    .venv/bin/python tests/bench/bench_check.py --profile [cold|warm|post] [--keep DIR] [--top 25]

Runs the real CLI (`python -m smm check --format json`) in a subprocess, `--runs` times per
mode, and prints the median wall time and the peak RSS (os.wait4: the largest of smm and
the worker it forks; the two run at once, so the machine holds up to about twice that):

    P1 cold   the whole repository, no cache ($SMM_CACHE_DIR, a folder of its own, emptied first)
    P1 warm   the whole repository again, nothing changed
    P2 post   `smm check content/…/one.md` after an edit of that post
    P2 rule   `smm check brand/voice/Bench/S000.yml` after an edit of that rule file

"same" compares each mode's findings with a full run on the same files (the findings of a
full run filtered as `smm check PATH` filters them); "no" is a bug. Edited files are put
back afterwards. `--profile` runs cProfile on the check and its JSON report (as the CLI: the report kept by the last run when nothing it shows changed) in this
process, cold (the default: the main process checks one shard of the posts, the other
shard runs in the forked worker, seen here as waiting, and does the checks across posts),
warm (after a cold check, not profiled) or for one post (`post`: as P2, after a cold check
and an edit of the post, put back afterwards; the settings are loaded as the CLI loads them,
but Python's start and smm's imports are not in the profile). It prints the
time per part of smm (a built-in function's own time goes to the part that called it),
then the top functions by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_voice import run_child  # wall time and peak RSS of a child, its JSON output
from corpus import NOW, generate

ROOT = Path(__file__).resolve().parents[2]
EDITED_RULE = "brand/voice/Bench/S000.yml"
NEW_OBJECT = b"\n  {"  # where each diagnostic starts in the JSON report
# Parts of smm, by where a function lives (first match wins); anything else is "other".
PARTS = [
    ("voice engine", ("/smm/voice/",)),
    ("Markdown (python-markdown)", ("/markdown/",)),
    ("rendering (render, markup, templates, threads, html.parser)",
     ("/smm/render/rendered.py", "/smm/render/markup.py", "/smm/render/htmlfeed.py", "/smm/render/article.py",
      "/smm/render/templating.py", "/smm/render/split.py", "/smm/content/links.py",
      "/jinja2/", "/markupsafe/", "/urllib/", "/html/parser.py", "/html/__init__.py", "/_markupbase.py")),
    ("counting and platform limits", ("/smm/render/counting.py", "/smm/render/urlscan.py", "/smm/platforms/")),
    ("diagnostics and JSON output", ("/smm/check/diagnostics.py", "/json/", "/dataclasses.py")),
    ("checks across posts", ("/smm/check/run.py", "/smm/check/integrity.py", "/smm/workspace/calendar.py", "/smm/data/records.py",
                             "/smm/report/")),
    ("YAML and positions", ("/smm/workspace/yamlsource.py", "/yaml/")),
    ("schema", ("/smm/workspace/schema.py", "/fastjsonschema", "/jsonschema")),
    ("reading files, cache", ("/smm/workspace/repo.py", "/smm/content/post.py", "/smm/workspace/files.py", "/smm/workspace/cache.py", "/pickle.py",
                              "/hashlib", "/pathlib.py")),
    ("media (Pillow)", ("/smm/content/media.py", "/PIL/")),
    ("regular expressions (compiling)", ("/regex/", "/re/", "/sre_")),
    ("waiting for the other shard (pool)", ("/multiprocessing/", "/threading.py")),
]


def check_once(root: Path, paths: list[str], cache: Path | None) -> tuple[list[dict], float, float]:
    """(diagnostics, wall seconds, peak RSS MB) of `smm check PATHS --format json`; cache None: a fresh one."""
    folder = cache or Path(tempfile.mkdtemp(prefix="smm-bench-cache-"))
    env = {**os.environ, "SMM_CACHE_DIR": str(folder), "SMM_OFFLINE": "1", "SMM_NOW": NOW}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed smm has its bytecode: not compiled on every run
    try:
        output, wall, rss = run_child([sys.executable, "-m", "smm", "check", "--format", "json", *paths], root, env)
    finally:
        if cache is None:
            shutil.rmtree(folder, ignore_errors=True)
    if not isinstance(output, list):
        raise SystemExit(f"smm check printed no JSON array: {str(output)[:500]}")
    return output, wall, rss


def _digest(diagnostics: list[dict]) -> str:
    """The findings, whatever their order."""
    lines = sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in diagnostics)
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=16).hexdigest()


def _timed(root: Path, paths: list[str], cache: Path) -> tuple[str, int, float, float]:
    """(digest of the findings, their number, wall seconds, peak RSS MB) of one run."""
    output, wall, rss = check_once(root, paths, cache)
    return _digest(output), len(output), wall, rss


def _filtered(diagnostics: list[dict], path: str) -> list[dict]:
    """What `smm check PATH` keeps of a full run (smm.check.run.select)."""
    return [d for d in diagnostics if d["file"] in (path, "platforms.yml") or d["file"].startswith("brand/")]


def _some_post(root: Path) -> str:
    posts = sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*.md"))
    return posts[len(posts) // 2]


def measure(root: Path, runs: int) -> list[tuple]:
    """Rows (mode, runs, findings, same as a full run); a run is (digest, findings, wall, peak RSS)."""
    cache = Path(tempfile.mkdtemp(prefix="smm-bench-cache-"))
    post, rule = _some_post(root), EDITED_RULE
    originals = {f: (root / f).read_bytes() for f in (post, rule)}
    rows = []
    try:
        cold = []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_timed(root, [], cache))
        full = cold[-1][0]
        rows.append(("P1 cold", cold, cold[-1][1], all(c[0] == full for c in cold)))
        warm = [_timed(root, [], cache) for _ in range(runs)]
        rows.append(("P1 warm", warm, warm[-1][1], all(w[0] == full for w in warm)))
        for mode, file, edit in (("P2 post", post, _edit_post), ("P2 rule", rule, _edit_rule)):
            timed = []
            for n in range(runs):
                edit(root / file, originals[file], n)
                timed.append(_timed(root, [file], cache))
            reference = _digest(_filtered(check_once(root, [], cache)[0], file))
            rows.append((f"{mode} ({file})", timed, timed[-1][1], timed[-1][0] == reference))
            (root / file).write_bytes(originals[file])
    finally:
        for file, data in originals.items():
            (root / file).write_bytes(data)
        shutil.rmtree(cache, ignore_errors=True)
    return rows


def _edit_post(path: Path, original: bytes, n: int) -> None:
    path.write_bytes(original + f"\nEdit {n}: one more kettel of 铁观因 for the the team.\n".encode())


def _edit_rule(path: Path, original: bytes, n: int) -> None:
    text = original.decode()
    path.write_text(text.replace("%s", f"%s (edit {n})", 1), encoding="utf-8")


def print_table(rows: list[tuple], runs: int) -> None:
    print(f"\n{'mode':<52} {'median':>8} {'min–max':>13} {'peak RSS':>9} {'findings':>9}  same")
    for mode, results, count, same in rows:
        walls = [r[2] for r in results]
        print(f"{mode:<52} {statistics.median(walls):>7.2f}s {min(walls):>6.2f}–{max(walls):<5.2f}s "
              f"{max(r[3] for r in results):>6.0f} MB {count:>9}  {'yes' if same else 'NO'}")
    print(f"(median of {runs}; {os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


# -- the profile -----------------------------------------------------------------------------------


def part_of(filename: str) -> str:
    path = filename.replace(os.sep, "/")
    return next((name for name, marks in PARTS if any(m in path for m in marks)), "other")


def own_time_by_part(stats: pstats.Stats) -> dict[str, float]:
    """Own time per part; a built-in's (file "~") goes to its callers' parts, by the time of each call edge."""
    parts: dict[str, float] = defaultdict(float)
    for (file, _, _), (_, _, own, _, callers) in stats.stats.items():
        if file != "~" or not callers:
            parts[part_of(file)] += own
            continue
        edge_total = sum(edge[2] for edge in callers.values()) or 1.0
        for (caller_file, _, _), edge in callers.items():
            parts[part_of(caller_file)] += own * edge[2] / edge_total
    return parts


def _label(func: tuple) -> str:
    file, line, name = func
    if file == "~":
        return name
    short = file.replace(os.sep, "/").split("/site-packages/")[-1].split(str(ROOT.as_posix()) + "/")[-1]
    return f"{short}:{line}({name})"


def profile(root: Path, top: int, mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(SMM_CACHE_DIR=tempfile.mkdtemp(prefix="smm-bench-cache-"), SMM_OFFLINE="1")
    from datetime import datetime

    from smm.check.report import report
    from smm.check.run import start_check

    now = datetime.fromisoformat(NOW)
    post = _some_post(root)
    original = (root / post).read_bytes()
    if mode != "cold":
        report(start_check(root, now), "json", [])
    if mode == "post":
        _edit_post(root / post, original, 0)
    paths = [root / post] if mode == "post" else None
    profiler = cProfile.Profile()
    started = time.perf_counter()
    try:
        profiler.enable()
        made = report(start_check(root, now, paths), "json", paths or [])  # as the CLI does
        output = io.BytesIO()
        made.write_to(output)
        profiler.disable()
    finally:
        (root / post).write_bytes(original)
    wall = time.perf_counter() - started
    output = output.getvalue()
    shutil.rmtree(os.environ["SMM_CACHE_DIR"], ignore_errors=True)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"\nprofile ({mode}, under cProfile): {wall:.1f} s wall, {total:.1f} s profiled, "
          f"{output.count(NEW_OBJECT)} diagnostics, {len(output) // 1024} KiB of JSON")
    print(f"\n{'own time by part of smm':<62} {'seconds':>8} {'share':>7}")
    for name, seconds in sorted(own_time_by_part(stats).items(), key=lambda item: -item[1]):
        print(f"{name:<62} {seconds:>8.2f} {seconds / total:>7.1%}")
    for title, index in (("own time", 2), ("cumulative time", 3)):
        print(f"\ntop {top} functions by {title}:")
        ranked = sorted(stats.stats.items(), key=lambda item: -item[1][index])[:top]
        for func, values in ranked:
            group = part_of(func[0]) if func[0] != "~" else "(built-in)"
            print(f"{values[index]:>8.2f} s {values[index] / total:>6.1%} {values[1]:>9} calls  {_label(func)}  [{group}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the repository here (reused when it exists) and keep it")
    parser.add_argument("--profile", nargs="?", const="cold", choices=["cold", "warm", "post"],
                        help="profile one check in this process instead: cold (default), warm, or of one edited post")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="smm-bench-check-"))
    try:
        if not (root / "platforms.yml").exists():
            t0 = time.perf_counter()
            summary = generate(root, args.posts)
            print(f"generated {summary['posts']} posts (about {summary['average_chars']} characters each), "
                  f"{summary['rules']} voice rules in {time.perf_counter() - t0:.0f} s: {root}")
        if args.profile:
            profile(root, args.top, args.profile)
        else:
            print_table(measure(root, args.runs), args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
