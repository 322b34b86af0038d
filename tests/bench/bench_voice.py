"""Benchmark of the brand voice engine (not a test).

Generates a deterministic English/Chinese corpus (default 10,000 posts) with planted
violations of 200 substitution and existence rules, and decoys that must not be
reported (terms inside URLs, code, @mentions, #hashtags and longer words); times the
engine alone (rules loaded and posts parsed beforehand) and measures the recall of the
planted violations and the false reports.

    .venv/bin/python tests/bench/bench_voice.py [--posts 10000] [--rules 200] [--jobs 2] [--textlint]
    .venv/bin/python tests/bench/bench_voice.py --corpus DIR [--runs 3] [--profile] [--top 30]

`--textlint` installs textlint and textlint-rule-prh from npm into a temporary folder
and runs them on the same corpus with the same 200 terms as a prh dictionary, for time
and peak memory side by side. Each engine runs in its own process, so peak memory (RSS)
is that engine's alone.

`--corpus DIR` times the engine alone on a repository of tests/bench/corpus.py (long
bilingual posts, many hits; made there when DIR does not exist): posts are read and
rendered for their accounts beforehand, then `check_post(post, rendered)` runs over every
post `--runs` times; it prints the best CPU and wall seconds, the findings and a digest of
them (equal digests: equal findings), and with `--profile` the engine's top functions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

EN_WORDS = ("tea leaf leaves water cup pot brew steep roast oolong green black white aroma warm morning evening "
            "kettle gaiwan glass spring autumn winter harvest farm farmer hill mountain mist rain sun dry fresh "
            "smooth sweet bitter floral toasty gentle slow quiet friends family shop cafe table book read sip "
            "temperature minute second round fire charcoal basket bamboo hand smell taste finish long short "
            "light dark amber golden pale deep rich soft bright clean calm honest simple good new old first "
            "next week day year season weather frost field row bush plant grow pick roll dry sort pack ship "
            "our your their we you they it is are was were be has have will can should may with for from "
            "into over under about after before and or but so because when while where how what which").split()
ZH_WORDS = ("茶叶 冲泡 热水 乌龙 绿茶 红茶 白茶 普洱 盖碗 玻璃杯 秋天 冬天 春天 早晨 晚上 温暖 香气 回甘 清香 "
            "焙火 炭焙 茶园 茶农 采摘 山上 云雾 雨水 阳光 新鲜 柔和 甘甜 微苦 花香 慢慢 安静 朋友 家人 小店 "
            "咖啡馆 桌边 读书 一口 水温 分钟 一轮 火候 竹篮 手工 味道 余韵 颜色 金黄 明亮 干净 简单 下周 今年 "
            "季节 天气 早霜 田里 种植 采茶 揉捻 分拣 包装 发货 我们 你们 大家 一起 喜欢 觉得 可以 应该 已经 "
            "还是 因为 所以 但是 如果 然后 今天 明天 一杯 一壶 一盒").split()
SYLLABLES = "zor vek lum pra dax mir quo fen tiv bly nox gar sul wem yac hib ruk jol kest tra".split()
HAN_POOL = "鑫淼犇骉焱垚磊晶驫猋麤毳掱姦孨叒叕芔茻屾灥巛刕劦厽惢瞐畾皛譶贔龘龖靐飝羴虤"
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


# -- the corpus ------------------------------------------------------------------------------


def make_terms(rng: random.Random, count: int) -> list[dict]:
    """count rules: 60% substitution, 40% existence; half English, half Chinese."""
    terms, seen = [], set()

    def fresh(make):
        while True:
            value = make()
            if value not in seen and not any(value in s or s in value for s in seen):
                seen.add(value)
                return value

    def latin():
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))

    def han():
        return "".join(rng.choice(HAN_POOL) for _ in range(3))

    for i in range(count):
        chinese = i % 2 == 1
        kind = "substitution" if i % 5 < 3 else "existence"
        term = fresh(han if chinese else latin)
        rule = {"name": f"R{i:03d}", "kind": kind, "term": term, "chinese": chinese,
                "ignorecase": not chinese and i % 3 == 0}
        if kind == "substitution":
            rule["replacement"] = fresh(han if chinese else latin)
        terms.append(rule)
    return terms


def rule_yaml(rule: dict) -> str:
    head = f"extends: {rule['kind']}\nmessage: \"{rule['name']}: %s\"\nlevel: error\n"
    if rule["ignorecase"]:
        head += "ignorecase: true\n"
    if rule.get("nonword"):
        head += "nonword: true\n"
    if rule["kind"] == "substitution":
        swaps = rule.get("swaps") or {rule["term"]: rule["replacement"]}
        return head + "swap:\n" + "".join(f"  {key}: {value}\n" for key, value in swaps.items())
    return head + f"tokens:\n  - {rule['term']}\n"


def prh_yaml(terms: list[dict]) -> str:
    lines = ["version: 1", "rules:"]
    for rule in terms:
        expected = rule.get("replacement") or f"[{rule['term']}]"
        if rule["chinese"]:
            pattern = rule["term"]
        else:
            pattern = f"/\\b{rule['term']}\\b/" + ("i" if rule["ignorecase"] else "")
        lines += [f"  - expected: \"{expected}\"", f"    pattern: \"{pattern}\"" if not pattern.startswith("/")
                  else f"    pattern: {json.dumps(pattern)}"]
    return "\n".join(lines) + "\n"


class Writer:
    """One post's lines, remembering where planted terms stand."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []
        self.planted: list[tuple] = []  # (file, line, column, term, where)

    def plant(self, line_text: str, term: str, where: str) -> str:
        self.planted.append((self.file, len(self.lines) + 1, len(line_text) + 1, term, where))
        return line_text + term


def variant(rng: random.Random, rule: dict) -> str:
    term = rule["term"]
    if rule["chinese"]:
        return term
    roll = rng.random()
    if roll < 0.15:
        return "".join(FULL_WIDTH.get(c, c) for c in term)  # ＴＥＲＭ: found through NFKC
    if rule["ignorecase"] and roll < 0.45:
        return term.capitalize() if roll < 0.3 else term.upper()
    return term


def en_sentence(rng: random.Random) -> str:
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def zh_sentence(rng: random.Random) -> str:
    return "".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(5, 10))) + rng.choice("。！？")


def make_post(rng: random.Random, index: int, terms: list[dict]) -> tuple[str, str, list[tuple]]:
    day = index % 365
    month, mday = 1 + day // 31 % 12, 1 + day % 28
    file = f"content/{2026 + index // 3650}/{month:02d}/p{index:05d}.md"
    w = Writer(file)
    w.lines.append("---")
    title = " ".join(rng.choice(EN_WORDS) for _ in range(4)).capitalize() + " " + "".join(rng.sample(ZH_WORDS, 2))
    line = "title: "
    if rng.random() < 0.2:
        rule = rng.choice(terms)
        line = w.plant(line + title + " ", variant(rng, rule), "title")
    else:
        line += title
    w.lines.append(line)
    w.lines.append(f"publish_at: 2026-{month:02d}-{mday:02d}T{8 + index % 12:02d}:00")
    w.lines.append("platforms: [mastodon]")
    decoy = rng.choice(terms)["term"]
    w.lines.append(f"hashtags: [TeaTime, {decoy}]")  # hashtags are out of the rules' scope
    if rng.random() < 0.3:
        w.lines.append("media:")
        w.lines.append("  - file: content/media/photo.png")
        line = "    alt: A cup of tea on a table "
        if rng.random() < 0.5:
            line = w.plant(line, variant(rng, rng.choice(terms)), "alt")
        w.lines.append(line)
    w.lines.append("---")
    for _ in range(rng.randint(3, 5)):
        chinese = rng.random() < 0.5
        line = ""
        for _ in range(rng.randint(2, 4)):
            line += (zh_sentence(rng) if chinese else en_sentence(rng) + " ")
            roll = rng.random()
            rule = rng.choice(terms)
            if roll < 0.25:  # a violation in running text: spaces in English, none in Chinese (用term发布)
                line = w.plant(line if chinese else line, variant(rng, rule), "text")
                line += "" if chinese else " "
            elif roll < 0.32:  # in link text
                line = w.plant(line + "[", variant(rng, rule), "link text") + f" guide](https://cloudleaf.example/g/{index}) "
            elif roll < 0.36:  # in emphasis
                line = w.plant(line + "**", variant(rng, rule), "emphasis") + "** "
            elif roll < 0.52:  # decoys: never reported
                term = rule["term"]
                path = quote(term)  # a link to a page named with Chinese characters is percent-encoded
                line += rng.choice([f"https://cloudleaf.example/{path} ", f"`{term}` ", f"@{term} ", f"#{term} ",
                                    f"x{term}y " if not rule["chinese"] else f"[x](https://x.example/{path}) "])
        w.lines.append(line.rstrip())
        w.lines.append("")
    return file, "\n".join(w.lines) + "\n", w.planted


def generate(root: Path, posts: int, rules: int, seed: int) -> dict:
    rng = random.Random(seed)
    terms = make_terms(rng, rules)
    (root / "brand" / "voice").mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    (root / "platforms.yml").write_text(
        "timezone: Asia/Shanghai\naccounts:\n  mastodon: {platform: mastodon, instance: https://m.example, "
        "token_env: T}\n", encoding="utf-8")
    for rule in terms:
        (root / "brand" / "voice" / f"{rule['name']}.yml").write_text(rule_yaml(rule), encoding="utf-8")
    (root / "prh.yml").write_text(prh_yaml(terms), encoding="utf-8")
    planted = []
    for i in range(posts):
        file, text, marks = make_post(rng, i, terms)
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        planted += marks
    manifest = {"posts": posts, "rules": rules, "planted": planted}
    (root / "planted.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


# -- running the engines ---------------------------------------------------------------------------


def score(found: set[tuple], planted: list) -> dict:
    """found: (file, line, column) of each report."""
    wanted = {(f, line, col) for f, line, col, _, _ in planted}
    by_where: dict[str, list[int]] = {}
    for f, line, col, _, where in planted:
        by_where.setdefault(where, [0, 0])
        by_where[where][1] += 1
        by_where[where][0] += (f, line, col) in found
    return {
        "planted": len(wanted),
        "found": len(wanted & found),
        "recall": len(wanted & found) / len(wanted) if wanted else 1.0,
        "false": len(found - wanted),
        "by_where": {k: f"{a}/{b}" for k, (a, b) in sorted(by_where.items())},
    }


def run_engine(root: Path, jobs: int) -> dict:
    """In this process: load, parse, then time the engine alone."""
    import resource
    import zoneinfo

    from smm.content.post import post_files, read_post
    from smm.workspace.settings import load_settings

    t0 = time.perf_counter()
    settings = load_settings(root, voice=True)
    voice, problems = settings.voice, settings.found["voice"]
    load_s = time.perf_counter() - t0
    assert not problems, problems[:3]
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    t0 = time.perf_counter()
    posts = [read_post(root, f, tz)[0] for f in post_files(root)]
    parse_s = time.perf_counter() - t0
    voice.check_post(posts[0], [])  # warm up lazily built tables

    t0 = time.perf_counter()
    found = []
    for post in posts:
        found += voice.check_post(post, [])
    check_s = time.perf_counter() - t0

    result = {"load_s": load_s, "parse_s": parse_s, "check_s": check_s, "backend": voice.backend,
              "rules": len(voice.rules), "diagnostics": len(found)}
    if jobs > 1:
        import multiprocessing

        global _WORK
        _WORK = (voice, posts)
        chunks = [list(range(i, len(posts), jobs)) for i in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            t0 = time.perf_counter()
            pending = pool.map_async(_check_chunk, chunks[1:])
            counted = _check_chunk(chunks[0]) + sum(pending.get())
            result[f"check_s_{jobs}_processes"] = time.perf_counter() - t0
        assert counted == len(found)
    manifest = json.loads((root / "planted.json").read_text(encoding="utf-8"))
    result.update(score({(d.file, d.line, d.column) for d in found}, manifest["planted"]))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


_WORK = None


def _check_chunk(indexes: list[int]) -> int:
    voice, posts = _WORK
    return sum(len(voice.check_post(posts[i], [])) for i in indexes)


def run_corpus(root: Path, runs: int, profile: bool, top: int) -> None:
    """The engine alone on a realistic repository (tests/bench/corpus.py), best of `runs`."""
    import hashlib

    from smm.content.post import post_files, read_post
    from smm.render.rendered import Renderer
    from smm.workspace.settings import load_settings

    os.environ.setdefault("SMM_OFFLINE", "1")
    if not root.exists():
        from corpus import generate

        generate(root, 10_000, 201, 14)
    settings = load_settings(root, voice=True)
    voice, tz = settings.voice, settings.config.timezone
    posts = [post for post in (read_post(root, f, tz)[0] for f in post_files(root)) if post is not None and post.valid]
    renderer = Renderer(root, settings.config, settings.brand)
    work = [(post, [renderer.render(post, a) for a in post.accounts if a in settings.config.accounts]) for post in posts]
    voice.check_post(*work[0])  # warm up lazily built tables
    best_cpu = best_wall = float("inf")
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        found = [d for post, rendered in work for d in voice.check_post(post, rendered)]
        best_cpu, best_wall = min(best_cpu, time.process_time() - cpu), min(best_wall, time.perf_counter() - wall)
    digest = hashlib.sha256("\n".join(map(repr, sorted(found))).encode()).hexdigest()[:16]
    print(f"{len(work)} posts, {len(voice.rules)} rules ({voice.backend}): best of {runs}: {best_cpu:.2f} s CPU, "
          f"{best_wall:.2f} s wall; {len(found)} findings, digest {digest}")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for post, rendered in work:
            voice.check_post(post, rendered)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


TIME = Path("/usr/bin/time")  # GNU time: the peak RSS of the command itself (and the workers it waited for)


def run_child(args: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[dict | list | str, float, float]:
    """Run a command; (its stdout as JSON when it is, wall seconds, peak RSS in MB: the largest
    of the child and the workers it waited for). The RSS comes from GNU time when there is one:
    os.wait4 would also count the pages of this (large) process the child had before exec."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapper = [str(TIME), "-f", "%M", "-o", rss_file.name] if TIME.exists() else []
        process = subprocess.Popen(wrapper + args, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace")
        if process.returncode not in (0, 1):
            raise SystemExit(f"{args[0]} failed ({process.returncode}): {err.read().decode()[-2000:]}")
        peak_kb = int(rss_file.read().split()[-1]) if wrapper else usage.ru_maxrss
    try:
        return json.loads(text), wall, peak_kb / 1024
    except json.JSONDecodeError:
        return text, wall, peak_kb / 1024


def run_textlint(root: Path) -> dict:
    tools = Path(tempfile.mkdtemp(prefix="smm-textlint-"))
    print(f"installing textlint and textlint-rule-prh into {tools} ...", file=sys.stderr)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(tools),
                    "textlint@15", "textlint-rule-prh@6"], check=True, stdout=subprocess.DEVNULL)
    (root / ".textlintrc.json").write_text(json.dumps({"rules": {"prh": {"rulePaths": ["./prh.yml"]}}}), encoding="utf-8")
    command = [str(tools / "node_modules" / ".bin" / "textlint"), "--format", "json", "content"]
    try:
        output, wall, rss = run_child(command, cwd=root)
    finally:
        import shutil

        shutil.rmtree(tools, ignore_errors=True)
    if not isinstance(output, list):
        raise SystemExit(f"textlint printed no JSON: {str(output)[:500]}")
    found = set()
    for entry in output:
        file = Path(entry["filePath"]).resolve().relative_to(root.resolve()).as_posix()
        for message in entry["messages"]:
            found.add((file, message["line"], message["column"]))
    manifest = json.loads((root / "planted.json").read_text(encoding="utf-8"))
    result = {"check_s": wall, "peak_rss_mb": rss, "diagnostics": sum(len(e["messages"]) for e in output)}
    result.update(score(found, manifest["planted"]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2, help="also time the engine on this many processes")
    parser.add_argument("--textlint", action="store_true", help="compare with textlint + textlint-rule-prh (npm)")
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    parser.add_argument("--engine-in", type=Path, help=argparse.SUPPRESS)  # internal: run the engine on a corpus
    parser.add_argument("--corpus", type=Path, help="time the engine on a tests/bench/corpus.py repository")
    parser.add_argument("--runs", type=int, default=3, help="with --corpus: best of this many runs")
    parser.add_argument("--profile", action="store_true", help="with --corpus: profile one more run")
    parser.add_argument("--top", type=int, default=30, help="with --profile: functions shown")
    args = parser.parse_args()
    if args.corpus:
        run_corpus(args.corpus, args.runs, args.profile, args.top)
        return
    if args.engine_in:
        print(json.dumps(run_engine(args.engine_in, args.jobs)))
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="smm-voice-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    manifest = generate(root, args.posts, args.rules, args.seed)
    print(f"corpus: {args.posts} posts, {args.rules} rules, {len(manifest['planted'])} planted violations "
          f"in {root} ({time.perf_counter() - t0:.1f} s to generate)", file=sys.stderr)
    ours, _, rss = run_child([sys.executable, __file__, "--engine-in", str(root), "--jobs", str(args.jobs)])
    ours["peak_rss_mb"] = rss
    rows = [("smm voice, 1 process", ours["check_s"], rss, ours)]
    if args.jobs > 1:
        rows.append((f"smm voice, {args.jobs} processes", ours[f"check_s_{args.jobs}_processes"], None, ours))
    if args.textlint:
        theirs = run_textlint(root)
        rows.append(("textlint + prh", theirs["check_s"], theirs["peak_rss_mb"], theirs))
    print(f"\nrules loaded in {ours['load_s']:.2f} s ({ours['rules']} rules, {ours['backend']}); "
          f"posts parsed in {ours['parse_s']:.2f} s (not counted)")
    print(f"{'engine':<26} {'time':>9} {'peak RSS':>10} {'recall':>8} {'false':>7}  by place")
    for name, seconds, memory, data in rows:
        shown_rss = f"{memory:.0f} MB" if memory is not None else "-"
        print(f"{name:<26} {seconds:>8.2f}s {shown_rss:>10} {data['recall']:>8.1%} {data['false']:>7}  {data['by_where']}")
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
