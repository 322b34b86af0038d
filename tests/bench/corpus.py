"""A realistic repository for benchmarking `smm check` (issue 14), run by hand, not by pytest.

    .venv/bin/python tests/bench/corpus.py DIR [--posts 10000] [--rules 201] [--seed 14]

Writes a deterministic content repository to DIR: the example brand of this repository
(brand/, its 41 voice rules, its media) plus `--rules` generated substitution rules under
brand/voice/Bench/ (English and Chinese terms: misspellings, hyphenation, typos in 汉字;
some `ignorecase`, some `nonword`, some with several swaps), eight accounts (feed,
Mastodon, Bluesky, X, Threads, LinkedIn, Weibo, WeChat) and `--posts` posts of long
bilingual prose: several paragraphs of English and Chinese, lists, links, hashtags,
mentions, emoji, HTML comments; `thread: auto` or per-account overrides for the short
networks; media with alt text. A typical post carries several planted violations of the
generated rules, sentences from the example rules' own specs (so they fire too), and
decoys in URLs, code and hashtags that must stay quiet.

Errors are planted only on purpose, in a small share of posts: a long text for X without
`thread: auto` nor an override (`render.too-long`), a mention with no handle
(`render.mention`), an image without alt text (`media.alt-missing`), an unknown account
(`post.unknown-account`); plus the voice rules whose level is `error`. Everything else
in the repository is valid. `--stats` runs `smm check --format json` and counts the
diagnostics per rule.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from bench_voice import (  # same vocabulary
    EN_WORDS,
    ZH_WORDS,
    en_sentence,
    rule_yaml,
    zh_sentence,
)

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2027, 1, 4, 8, 0)
NOW = "2026-12-05T09:00:00+08:00"  # every post is still ahead: no "past, unpublished" warnings
ACCOUNTS = ["feed", "mastodon", "bluesky", "x", "threads", "linkedin", "weibo", "wechat"]
SHORT = {"mastodon", "bluesky", "x", "threads"}  # limits a long post exceeds: thread or override
PLATFORMS_YML = """timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://cloudleaf.example, title: Cloudleaf Tea 云叶茶}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: SMM_MASTODON_TOKEN, char_limit: 500}
  bluesky: {platform: bluesky, handle: cloudleaf.bsky.social, password_env: SMM_BLUESKY_APP_PASSWORD}
  x: {platform: x, handle: cloudleaftea}
  threads: {platform: threads, handle: cloudleaftea}
  linkedin: {platform: linkedin}
  weibo: {platform: weibo, char_limit: 2000}
  wechat: {platform: wechat}
"""
HANDLES_YML = """teahouse:
  mastodon: "@zhuxiang@mastodon.example"
  bluesky: "@zhuxiang.bsky.social"
  default: Zhuxiang Teahouse 竹香茶馆
masterwu:
  mastodon: "@wu@mastodon.example"
  default: 吴师傅 Master Wu
lin:
  bluesky: "@lin.bsky.social"
  x: "@lin_tea"
  default: Lin 林
"""
MEDIA = ["content/media/roastery-basket.png", "content/media/water-temperature.png", "content/media/winter-blend.png"]
HASHTAGS = ["TeaTime", "Oolong", "冬日茶饮", "慢生活", "TeaTips", "泡茶小技巧", "Longjing", "CharcoalRoast", "炭焙", "GongFuCha"]
EMOJI = ["🍵", "🌿", "🍂", "☕", "🫖", "✨", "🌧️", "👩‍🌾"]
PILLARS = ["industry-news", "tips", "customer-stories", "product", "behind-the-scenes"]
TYPO_HAN = "荼査沏斟憩瀹酽淪漪瀞霈翯澪夤曦岚靄萩"  # stand-ins for a mistyped character; in no word of ZH_WORDS
CONTENT_WORDS = sorted({w for w in EN_WORDS if len(w) >= 4})


# -- the rules ------------------------------------------------------------------------------------


def _misspell(rng: random.Random, word: str) -> str:
    k = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:k] + word[k] + word[k:],            # a doubled letter: kettlle
                       word[:k] + word[k + 1:],                  # a dropped letter: ketle
                       word[:k] + word[k + 1] + word[k] + word[k + 2:]])  # two swapped: kettel


def make_rules(rng: random.Random, count: int) -> list[dict]:
    """count substitution rules, alternately English and Chinese, each with 1–3 swaps."""
    vocabulary = set(EN_WORDS) | set(ZH_WORDS)
    seen: set[str] = set()

    def fresh(make):
        while True:
            wrong, right = make()
            if (wrong != right and wrong.lower() not in seen and wrong not in vocabulary
                    and not any(wrong in w for w in EN_WORDS)):  # "wat" would match in "water" with nonword
                seen.add(wrong.lower())
                return wrong, right

    def english(kind: int):
        if kind == 1:  # hyphenation: slow-brew → slow brew
            a, b = rng.sample(CONTENT_WORDS, 2)
            return f"{a}-{b}", f"{a} {b}"
        word = rng.choice(CONTENT_WORDS)
        return _misspell(rng, word), word

    def chinese():
        word = rng.choice([w for w in ZH_WORDS if len(w) >= 2])
        k = rng.randrange(len(word))
        return word[:k] + rng.choice(TYPO_HAN) + word[k + 1:], word

    rules = []
    for i in range(count):
        is_chinese = i % 2 == 1
        swaps = dict(fresh(chinese if is_chinese else (lambda: english(i % 4))) for _ in range(1 + i % 3))
        rules.append({"name": f"Bench/S{i:03d}", "kind": "substitution", "swaps": swaps, "chinese": is_chinese,
                      "ignorecase": not is_chinese and i % 3 == 0, "nonword": not is_chinese and i % 10 == 4,
                      "level": "error" if i % 3 == 2 else "warning"})
    return rules


def write_rule(root: Path, rule: dict) -> None:
    path = root / "brand" / "voice" / f"{rule['name']}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = rule_yaml(rule).replace("level: error", f"level: {rule['level']}", 1)
    path.write_text(f"# generated by tests/bench/corpus.py\n{text}", encoding="utf-8")


def example_specs() -> tuple[list[str], list[str]]:
    """Sentences from the example rules' specs: (ones that each rule reports, ones it must not)."""
    hits, quiet = [], []
    for path in sorted((ROOT / "brand" / "voice").glob("*.yml")):
        for spec in yaml.safe_load(path.read_text(encoding="utf-8")).get("specs") or []:
            if "from" in spec:
                hits.append(spec["from"])
            elif "text" in spec:
                (hits if spec.get("matches") else quiet).append(spec["text"])
    return hits, quiet


# -- the posts ------------------------------------------------------------------------------------


class Prose:
    """Bilingual paragraphs with planted violations (wrong terms) and decoys."""

    def __init__(self, rng: random.Random, rules: list[dict], specs: tuple[list[str], list[str]]) -> None:
        self.rng = rng
        self.en_terms = [(w, r["ignorecase"]) for r in rules if not r["chinese"] for w in r["swaps"]]
        self.zh_terms = [w for r in rules if r["chinese"] for w in r["swaps"]]
        self.hits, self.quiet = specs

    def term(self, chinese: bool) -> str:
        if chinese:
            return self.rng.choice(self.zh_terms)
        word, ignorecase = self.rng.choice(self.en_terms)
        return word.capitalize() if ignorecase and self.rng.random() < 0.4 else word

    def english(self, index: int) -> str:
        rng = self.rng
        words = en_sentence(rng)[:-1].split(" ")
        roll = rng.random()
        at = rng.randrange(1, len(words))
        if roll < 0.18:
            words.insert(at, self.term(False))
        elif roll < 0.24:
            words.insert(at, f"[{self.term(False)} guide](https://cloudleaf.example/guides/{index}-{at})")
        elif roll < 0.30:
            words.insert(at, f"**{rng.choice(words)}**")
        elif roll < 0.36:  # decoys: a term in code, a hashtag, a URL: never reported
            term = self.term(False)
            words.insert(at, rng.choice([f"`{term}`", f"#{term.replace('-', '')}", f"https://cloudleaf.example/{term}"]))
        elif roll < 0.40:
            words.insert(at, f"@{{{rng.choice(['teahouse', 'masterwu', 'lin'])}}}")
        return " ".join(words) + rng.choice("." * 12 + "!?") + (f" {rng.choice(EMOJI)}" if rng.random() < 0.08 else "")

    def chinese(self) -> str:
        rng = self.rng
        text = zh_sentence(rng)
        if rng.random() < 0.3:
            k = rng.randrange(len(text) - 1)
            text = text[:k] + self.term(True) + text[k:]
        return text

    def paragraph(self, index: int) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return "\n".join(f"- {self.english(index) if rng.random() < 0.5 else self.chinese()}"
                             for _ in range(rng.randint(3, 5)))
        sentences = []
        for _ in range(rng.randint(3, 6)):
            kind = rng.random()
            if kind < 0.06:
                sentences.append(rng.choice(self.hits))
            elif kind < 0.09:
                sentences.append(rng.choice(self.quiet))
            elif (kind < 0.55) == (roll < 0.55):
                sentences.append(self.english(index))
            else:
                sentences.append(self.chinese())
        text = " ".join(sentences)
        if rng.random() < 0.05:
            text += " <!-- note for the team: check the price before publishing -->"
        return text

    def short(self) -> str:
        """An override text that fits every network."""
        return " ".join(en_sentence(self.rng).split()[:8]) + " " + zh_sentence(self.rng)[:12]


def _front(fields: list[tuple[str, object]]) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields) + "---\n"


def make_post(rng: random.Random, index: int, prose: Prose) -> tuple[str, str]:
    """(path, text) of post number index."""
    when = START + timedelta(minutes=170 * index + rng.choice((0, 10, 20, 30)))
    post_id = f"{when:%Y-%m-%d}-post-{index:05d}"
    accounts = ["feed"] + rng.sample(ACCOUNTS[1:], rng.randint(2, 5))
    media_count = 0 if rng.random() < 0.65 else (1 if {"weibo", "wechat"} & set(accounts) else rng.randint(1, 2))
    title = en_sentence(rng)[:-1].split(" ")[:5]
    fields = [("title", " ".join(title).capitalize() + " " + "".join(rng.sample(ZH_WORDS, 2))),
              ("publish_at", f"{when:%Y-%m-%dT%H:%M}"), ("platforms", accounts),
              ("pillar", rng.choice(PILLARS)), ("hashtags", rng.sample(HASHTAGS, rng.randint(1, 4)))]
    if index % 211 == 5:
        fields[2] = ("platforms", accounts + ["instagramm"])  # planted: post.unknown-account
    if rng.random() < 0.3:
        fields.append(("campaign", f"campaign-{index % 12}"))
    if rng.random() < 0.08:
        fields.append(("tags", ["promo"]))
    if rng.random() < 0.4:
        fields.append(("link", f"https://cloudleaf.example/journal/{index}"))
    if rng.random() < 0.3:
        fields.append(("languages", ["en", "zh-Hans"]))
    if media_count:
        media = [{"file": f, "alt": prose.english(index)} for f in rng.sample(MEDIA, media_count)]
        if index % 83 == 7:
            del media[0]["alt"]  # planted: media.alt-missing
        fields.append(("media", media))
    long_for_x = index % 97 == 11 and "x" in accounts  # planted: render.too-long on X
    overrides = {}
    if rng.random() < 0.8 or long_for_x:
        fields.append(("thread", False if long_for_x else "auto"))
    if not long_for_x:
        overrides = {a: {"text": prose.short()} for a in SHORT & set(accounts) if dict(fields).get("thread") != "auto"}
    if "linkedin" in accounts and rng.random() < 0.2:
        overrides["linkedin"] = {"hashtags": ["Tea", "Sustainability"]}
    if overrides:
        fields.append(("overrides", dict(sorted(overrides.items()))))
    if rng.random() < 0.02:
        fields.append(("voice", {"disable": ["Hype"]}))
    body = [prose.paragraph(index) for _ in range(rng.randint(4, 8))]
    if index % 89 == 3:
        body.append("Thanks to @{nobody} for the photos.")  # planted: render.mention
    return f"content/{when:%Y}/{when:%m}/{post_id}.md", _front(fields) + "\n\n".join(body) + "\n"


def generate(root: Path, posts: int = 10_000, rules: int = 201, seed: int = 14) -> dict:
    """Write the repository; returns a summary (posts, rules, characters of body)."""
    rng = random.Random(seed)
    shutil.copytree(ROOT / "brand", root / "brand", dirs_exist_ok=True)
    shutil.copytree(ROOT / "content" / "media", root / "content" / "media", dirs_exist_ok=True)
    (root / "platforms.yml").write_text(PLATFORMS_YML, encoding="utf-8")
    (root / "brand" / "handles.yml").write_text(HANDLES_YML, encoding="utf-8")
    generated = make_rules(rng, rules)
    for rule in generated:
        write_rule(root, rule)
    prose = Prose(rng, generated, example_specs())
    chars = 0
    for i in range(posts):
        file, text = make_post(rng, i, prose)
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        chars += len(text)
    return {"posts": posts, "rules": rules + len(list((ROOT / "brand" / "voice").glob("*.yml"))),
            "average_chars": chars // max(posts, 1)}


def rule_counts(diagnostics: list[dict]) -> str:
    """A table of diagnostics per rule and severity, most frequent first."""
    counts = Counter((d["rule"], d["severity"]) for d in diagnostics)
    files = len({d["file"] for d in diagnostics})
    lines = [f"{len(diagnostics)} diagnostics in {files} files"]
    lines += [f"{n:>8}  {severity:<8} {rule}" for (rule, severity), n in counts.most_common()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=201)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--stats", action="store_true", help="run smm check --format json and count per rule")
    args = parser.parse_args()
    if (args.dir / "platforms.yml").exists():
        sys.exit(f"{args.dir} already holds a repository")
    summary = generate(args.dir, args.posts, args.rules, args.seed)
    print(f"{args.dir}: {summary['posts']} posts (about {summary['average_chars']} characters each), "
          f"{summary['rules']} voice rules")
    if args.stats:
        from bench_check import (
            check_once,  # a run of the real CLI, as the benchmark does it
        )

        output, wall, rss = check_once(args.dir, [], cache=None)
        print(f"smm check: {wall:.1f} s, {rss:.0f} MB\n{rule_counts(output)}")


if __name__ == "__main__":
    main()
