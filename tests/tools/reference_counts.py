"""Recompute tests/conformance/counting/reference.json from the networks' own code.

Run by hand, never by the tests (they read the JSON it writes):

    python tests/tools/reference_counts.py REF TWITTER_TEXT_RB MASTODON

REF is a scratch folder (outside the repository) where these are installed:
``npm install twitter-text@3.1.0 @atproto/api @ruby/wasm-wasi @ruby/3.4-wasm-wasi``
(Node 20); TWITTER_TEXT_RB is the ``rb/`` folder of github.com/twitter/twitter-text at
v3.1.0 with ``lib/assets/tld_lib.yml`` (copied from ``conformance/``) and ``config/`` as
the gem ships them; MASTODON holds, under their paths in github.com/mastodon/mastodon,
``config/initializers/twitter_regex.rb``, ``app/lib/extractor.rb``,
``app/models/account.rb`` and ``app/validators/status_length_validator.rb``.
``reference_counts.mjs`` runs them (twitter-text, RichText, Mastodon's validator under
Ruby 3.4 with libidn's IDNA 2003 steps re-written in Ruby on RFC 3454's tables, which this
script takes from Python's ``stringprep``; Ruby's grapheme clusters, Threads' documented
rule); this script holds the
adversarial texts and writes what the references answer.  With the Python package
``emoji`` importable it also rewrites ``smm/resources/x_emoji_weights.txt``: the emoji
sequences twitter-text 3.1.0 does not know (newer than its list), with the weight it
gives them.  It always rewrites ``smm/resources/unicode15_unknown.txt``: the code points
unassigned in Unicode 15.0 that Ruby 3.4 segments as plain characters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "conformance" / "counting" / "reference.json"
EMOJI_WEIGHTS = ROOT / "smm" / "resources" / "x_emoji_weights.txt"
UNICODE15_UNKNOWN = ROOT / "smm" / "resources" / "unicode15_unknown.txt"
LONG = "a" * 250

X = {
    "spaces": "   ", "newlines": "\n\n", "ideographic-space": "\u3000",
    "keycap": "1\ufe0f\u20e3", "flags": "🇯🇵🇫🇷", "zwj-family": "👩‍👩‍👧", "skin-tone": "👍🏽",
    "emoji-15.1-phoenix": "🐦‍🔥", "emoji-15.1-head-shake": "🙂‍↕️", "emoji-13-mx-claus": "🧑‍🎄",
    "emoji-13.1-heart-on-fire": "❤️‍🔥", "emoji-13.1-exhale": "😮‍💨", "emoji-13.1-woman-beard": "🧔‍♀️",
    "emoji-14-handshake-tones": "🫱🏽‍🫲🏿", "emoji-15-shaking-face": "🫨", "red-hair-tone": "🧑🏽‍🦰",
    "cjk-english-url": "中文English混合 https://example.com/路径 ok",
    "new-emoji-in-text": "新品 🐦‍🔥 launch 🙂‍↕️!",
    "bare-domain-cjk": "详见example.com。",
    "bare-idn-domain-path": "éexample.com慕田峪长城.网址/path!", "bare-domain-path": "see example.com/a/b?c=1.",
    "redundant-fe0f": "😀\ufe0f 👩‍👩‍👧\ufe0f", "text-style-fe0f": "©\ufe0f ©",
    # a TLD or scheme with a letter Python's `re` folds to ASCII ignoring case and JavaScript does not
    "long-s-tld": "https://example.ſt/" + "p" * 40, "dotless-i-tld": "https://example.ıo/" + "p" * 40,
    "dotted-capital-i-tld": "https://example.İo/" + "p" * 40, "bare-dotless-i-tld": "example.ıo/" + "p" * 40,
    "dotless-i-query": "https://x.com/?q=ı " + "p" * 30, "long-s-scheme": "httpſ://example.com/" + "p" * 30,
    "kelvin-tld": "https://example.\u212aim/" + "p" * 40,
}
BLUESKY = {
    "url-paren": "https://en.wikipedia.org/wiki/Foo_(bar)",
    "url-paren-then-period": "see https://en.wikipedia.org/wiki/Foo_(bar).",
    "url-close-paren-only": "(https://x.com/a) ok",
    "url-paren-dot": "https://x.com/a). ok",
    "url-bracket": "see https://x.com/a] b",
    "url-quote": "see https://x.com/a' b",
    "url-double-quote": 'see https://x.com/a" b',
    "url-cjk-bracket": "see https://x.com/「a」 b",
    "url-trailing-comma": "https://x.com/a, then",
    "url-query": "go https://example.com/p?q=1&r=2#frag!",
    "curly-quoted-url": "see “https://example.com/a” ok",
    "cjk-glued-url": "详见https://example.com/路径 谢谢",
    "cjk-punctuation-after-url": "详见 https://example.com/a。谢谢",
    "cjk-unbalanced-bracket": "（详见 https://x.com/a）",
    "cjk-bracketed-url": "「https://example.com/a」です",
    "letter-glued-url": "xhttps://example.com/a",
    "url-in-url": "https://a.example.com/https://b.example.com",
    "arabic-digit-tag": "#١٢٣ #123",
    "mention-cjk": "@alice.bsky.social中文",
    "mention-period": "hi @alice.bsky.social.",
    "mention-test-tld": "@bob.test hi",
    "mention-unknown-tld": "@bob.notatld hi",
    "bare-domain": "example.com",
    "bare-www": "www.example.com",
    "bare-www-period": "visit www.example.com.",
    "bare-path": "visit example.com/path?q=1, now",
    "bare-uppercase": "Example.COM",
    "uppercase-scheme": "HTTP://x.com",
    "email": "mail me@example.com",
    "tags": "#tag 中文 #标签 #123 #tag! ＃全角",
    "cashtags": "$AAPL and $5 and ($tsla)",
    "graphemes-mixed": "क्षि a्क ក្ស ক্ষ 👩‍👩‍👧 🇯🇵 1️⃣ \u001c",
}
MASTODON = {
    "plain": "hello world", "blank": "   ", "ideographic-blank": "\u3000\n", "control-1c": "\u001c",
    "control-in-text": "a\u001cb\u001fc", "remote-mention": "hi @user@mastodon.social!",
    "hash-before-mention": "#@alice@example.org #tag",
    "remote-mention-domain-253": "@u@" + LONG[:249] + ".com",
    "remote-mention-domain-254": "@u@" + LONG + ".com",
    "remote-mention-cjk": "@alice@example.com中文",
    "url-paren": "https://en.wikipedia.org/wiki/Foo_(bar) ok",
    "url-cjk-bracket": "see https://example.com/「a」 ok",
    "url-idn": "参观 https://慕田峪长城.网址/ 今天", "cjk-glued-url": "中文https://example.com/路径",
    "bare-domain": "see example.com here", "gemini": "gemini://example.org/x",
    "devanagari-ksha": "क्षि", "devanagari-namaste": "नमस्ते", "hindi": "हिन्दी",
    "bengali-ksha": "ক্ষ", "khmer-coeng": "ក្សា", "khmer-word": "ខ្មែរ", "malayalam": "ക്ഷ",
    "zwj-keycap-flag": "👩‍👩‍👧 1️⃣ 🇯🇵", "crlf": "a\r\nb", "mark-new-in-16": "a\u1acf b",
    # URL domains through libidn's IDNA 2003 ToASCII (nameprep, punycode, labels of 1 to 63)
    "idn-emoji-domain": "https://🍕.com/" + "b" * 60, "idn-nfkc-expands": "https://ﷺﷺﷺﷺ.com/" + "b" * 60,
    "idn-ideographic-dot-long": "https://" + "a" * 57 + "。" + "a" * 13 + ".com/",
    "idn-ellipsis-to-dots": "http://aaaaaaaa…" + "a" * 46 + ".co", "idn-mixed-direction": "https://aمثال.com/" + "b" * 40,
    "idn-empty-label": "https://a。。b.com/x", "idn-ace-prefix": "https://xn--é.com/" + "c" * 30,
    "idn-arabic": "https://مثال.com/" + "b" * 40, "idn-soft-hyphen": "https://EXAMPLE\u00ad.com/" + "c" * 30,
    "idn-full-width": "https://ｅｘａｍｐｌｅ.com/" + "c" * 30, "idn-long-label": "https://" + "ä" * 60 + ".com/",
    "idn-zwj-dropped": "https://ex\u200dample.com/" + "c" * 30, "idn-titlecase": "https://ǅ.com/" + "c" * 30,
    # mentions and URLs among CJK, emoji and full-width punctuation
    "mention-in-url": "https://mastodon.social/@alice@example.org ok", "mention-after-cjk": "中文@alice@example.org 好",
    "mention-full-width-at": "＠alice@example.org", "mention-email": "mail me@example.org",
    "mention-trailing-dot": "@alice@example.org.", "mention-upper-case": "@Alice@Example.ORG!",
    "mention-idn-domain": "@alice@例子.中国 hi", "mention-then-scheme": "@alice@example.org://x",
    "mention-dotted-user": "@a.b-c@sub.example.org，你好", "mention-local": "@alice，你好",
    "url-full-width-stop": "详见 https://example.com/a。谢谢", "url-full-width-comma": "https://example.com/路径，然后",
    "url-trailing-punctuation": "see https://example.com/a.b?c=d!", "url-cjk-parens": "（https://example.com/a）",
    "url-then-zwj-emoji": "https://example.com/a👩‍👩‍👧", "url-tco-long-slug": "https://t.co/" + "a" * 41 + " ok",
    "url-ideographic-space": "https://example.com/a\u3000b", "url-query-cjk": "https://example.com/?q=乌龙茶。",
    # letters Python's `re` and `regex` fold to ASCII ignoring case: Onigmo folds "ſ", not "ı" nor "İ"
    "dotless-i-tld": "https://example.ıo/" + "p" * 40, "dotted-capital-i-tld": "https://example.İo/" + "p" * 40,
    "long-s-tld": "https://example.ſt/" + "p" * 40, "dotless-i-scheme": "ıpfs://example.com/" + "p" * 30,
    "dotted-capital-i-mention": "@İbrahim@" + "e" * 30 + ".org", "long-s-mention": "@ſam@" + "e" * 30 + ".org",
    "kelvin-tld": "https://example.\u212aim/" + "p" * 40,
}
RUBY_GRAPHEMES = {
    "devanagari-ksha": "क्षि", "devanagari-chain": "क्ष्म", "no-consonant-before-virama": "a्क",
    "virama-first": "्क", "devanagari-nukta": "क़्ष", "bengali": "ক্ষ", "gujarati": "ક્ષ",
    "odia": "କ୍ଷ", "telugu": "క్ష", "malayalam": "ക്ഷ", "khmer": "ក្ស", "khmer-vowel": "ក្សា",
    "myanmar": "က္က", "thai-sara-am": "ก\u0e33", "hangul-jamo": "\u1100\u1161\u11a8",
    "zwj-family": "👩‍👩‍👧", "flags": "🇯🇵🇫", "crlf": "a\r\nb", "control": "\u001c\u001c",
    "prepend": "\u0600ب", "mark-new-in-16": "a\u1acf", "mark-new-in-16-after-virama": "क्\u1acf",
    "new-in-16-then-mark": "\U00011f00\u0301", "unassigned-control": "\u2065\u0301",
}
THREADS = {
    "keycap": "1\ufe0f\u20e3", "keycap-hash": "#\ufe0f\u20e3", "keycap-no-fe0f": "1\u20e3",
    "digit": "1", "zwj-family": "👩‍👩‍👧", "skin-tone-alone": "🏽", "copyright": "©",
    "copyright-emoji": "©\ufe0f", "flag": "🇯🇵", "letter-fe0f": "a\ufe0f",
    "mixed": "新品 1️⃣ launch 😀 क्ष", "phoenix": "🐦‍🔥", "digit-fe0f": "1\ufe0f",
}
BLUESKY_SHORT_URL = {  # how the app shows a link: social-app's toShortUrl on Node's WHATWG URL
    "plain": "https://example.com/a", "root": "https://example.com/", "no-path": "https://example.com",
    "long-path": "https://example.com/a/very/long/path/indeed", "exactly-15": "https://example.com/abcdefghijklmn",
    "sixteen": "https://example.com/abcdefghijklmno", "query-and-fragment": "https://example.com/p?q=1&r=2#frag",
    "upper-case-host": "https://Example.COM/Path", "upper-case-scheme": "HTTPS://EXAMPLE.COM",
    "user-and-password": "https://user:secret@example.com/a", "default-port": "https://example.com:443/a",
    "other-port": "http://example.com:8080/a", "http-default-port": "http://example.com:80",
    "port-leading-zeros": "https://example.com:0443/a", "bad-port": "https://example.com:99999/a",
    "cjk-path": "https://example.com/文章", "cjk-long-path": "https://example.com/文章/冬季新茶",
    "cjk-query": "https://example.com/?q=乌龙茶", "cjk-fragment": "https://example.com/#第二节",
    "idn-host": "https://例子.中国/", "idn-host-path": "https://例子.中国/茶", "german-idn": "https://bücher.de/",
    "sharp-s": "https://faß.de/ß", "punycode-host": "https://xn--bcher-kva.de/x",
    "full-width-host": "https://ｅｘａｍｐｌｅ．ｃｏｍ/a", "ideographic-full-stop-host": "https://例子。中国/a",
    "percent-encoded-host": "https://%65xample.com/a", "percent-encoded-cjk-host": "https://%E4%BE%8B%E5%AD%90.cn/",
    "space-in-path": "https://example.com/a b", "quote-in-query": "https://example.com/?q=\"x\"&y='z'",
    "braces-in-path": "https://example.com/{a}", "backtick-fragment": "https://example.com/#a`b",
    "percent-kept": "https://example.com/%zz?%41", "dot-segments": "https://example.com/a/./b/../c",
    "encoded-dot-segments": "https://example.com/a/%2e%2E/b", "backslashes": "https://example.com\\a\\b",
    "extra-slashes": "https:///example.com/a", "ipv4": "http://127.0.0.1/a", "ipv4-hex": "http://0x7f.1/",
    "ipv4-octal": "http://0300.0250.0.1/", "ipv4-too-big": "http://256.256.256.256/",
    "ipv6": "https://[2001:DB8:0:0:0:0:0:1]/a", "ipv6-v4": "https://[::ffff:192.0.2.1]:8443/",
    "ipv6-one-zero": "https://[1:2:3:4:5:6::8]/", "empty-host": "https://@/a", "forbidden-host": "https://a<b.com/",
    "zwj-host": "https://a\u200db.com/", "hyphens-host": "https://ab--c-.example/", "empty-label": "https://a..b.com/",
    "trailing-dot": "https://example.com./a", "emoji-path": "https://example.com/🍵",
}
REFERENCES = {
    "x": "npm twitter-text@3.1.0 parseTweet",
    "bluesky": "npm @atproto/api {version} RichText (graphemeLength, length, detectFacetsWithoutResolution)",
    "mastodon": "Mastodon StatusLengthValidator + Extractor + twitter_regex.rb on twitter-text 3.1.0 (Ruby gem), Ruby 3.4 (Unicode 15.0)",
    "ruby_graphemes": "Ruby 3.4 String#each_grapheme_cluster (Unicode 15.0)",
    "bluesky_short_url": "bluesky-social/social-app toShortUrl (new URL(url): host, pathname, search, hash) on Node {node}",
    "threads": "Threads API docs rule (emoji = its UTF-8 bytes), Node Intl.Segmenter and /\\p{{RGI_Emoji}}/v",
}


@cache
def nameprep_tables() -> dict:
    """RFC 3454's tables that nameprep (RFC 3491) uses, from Python's `stringprep` (generated from
    the RFC, Unicode 3.2), for mastodon_count.rb's libidn: B.1, B.2, C.1.2-C.9, A.1, D.1, D.2."""
    import stringprep

    def ranges(test) -> list[list[int]]:
        found: list[list[int]] = []
        for c in range(0x110000):
            if 0xD800 <= c <= 0xDFFF or not test(chr(c)):
                continue
            if found and found[-1][1] == c - 1:
                found[-1][1] = c
            else:
                found.append([c, c])
        return found

    prohibited = (stringprep.in_table_c12, stringprep.in_table_c22, stringprep.in_table_c3, stringprep.in_table_c4,
                  stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7, stringprep.in_table_c8,
                  stringprep.in_table_c9)
    return {"b1": [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and stringprep.in_table_b1(chr(c))],
            "b2": {str(c): stringprep.map_table_b2(chr(c)) for c in range(0x110000)
                   if not 0xD800 <= c <= 0xDFFF and stringprep.map_table_b2(chr(c)) != chr(c)},
            "prohibited": ranges(lambda ch: any(t(ch) for t in prohibited)),
            "unassigned": ranges(stringprep.in_table_a1),
            "randal": ranges(stringprep.in_table_d1), "l": ranges(stringprep.in_table_d2)}


def run(ref: str, twitter_text_rb: str, mastodon: str, texts: dict[str, list[str]]) -> dict:
    """What reference_counts.mjs answers.  --no-incremental-marking: Node 20's V8 aborts
    ("unreachable code" in MarkCompactCollector) when Ruby's WebAssembly memory grows
    during incremental marking."""
    env = dict(os.environ, REF=ref, TWITTER_TEXT_RB=twitter_text_rb, MASTODON=mastodon)
    if texts.get("mastodon"):
        texts = {**texts, "nameprep": nameprep_tables()}
    done = subprocess.run(["node", "--no-incremental-marking", str(Path(__file__).with_name("reference_counts.mjs"))],
                          input=json.dumps(texts), capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def emoji_weights(ref: str, twitter_text_rb: str, mastodon: str) -> None:
    """The weight twitter-text 3.1.0 gives each emoji sequence of the `emoji` package's list and each
    sequence of the forms smm's pattern finds (keycaps, flag pairs, skin tones) that it weighs 2: those it
    knows as one emoji. smm weighs any other sequence as its parts, as twitter-text does."""
    import emoji
    import regex

    listed = {e for e in emoji.EMOJI_DATA if len(e) > 1}
    bases = [chr(c) for c in range(0x10000, 0x20000) if regex.match(r"\p{Emoji_Modifier_Base}", chr(c))]
    bases += [chr(c) for c in range(0x10000) if regex.match(r"\p{Emoji_Modifier_Base}", chr(c))]
    indicators = [chr(c) for c in range(0x1F1E6, 0x1F200)]
    formed = ({k + "\u20e3" for k in "#*0123456789"} | {k + "\ufe0f\u20e3" for k in "#*0123456789"}
              | {a + b for a in indicators for b in indicators}
              | {b + m for b in bases for m in map(chr, range(0x1F3FB, 0x1F400))})
    sequences = sorted(listed | formed)
    weights = run(ref, twitter_text_rb, mastodon, {"x": sequences})["x"]
    lines = [" ".join(f"{ord(c):X}" for c in e) + f"\t{w['weightedLength']}"
             for e, w in zip(sequences, weights) if e in listed or w["weightedLength"] == 2]
    header = ("# Emoji sequences and the weight twitter-text 3.1.0 gives each: 2 for those it knows as one emoji,\n"
              "# its code points' for those it does not (newer than its list); a sequence not listed weighs as its\n"
              "# parts (the longest listed sequence of weight 2 at each place, else each code point).\n"
              f"# Written by tests/tools/reference_counts.py from the `emoji` package {emoji.__version__}.\n")
    EMOJI_WEIGHTS.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


def newer_than_unicode15(ref: str, twitter_text_rb: str, mastodon: str) -> None:
    """The code points unassigned in Unicode 15.0 (as Ruby 3.4 says) that it segments as plain
    characters: no pictographs (Ruby knows their reserved ranges), no controls."""
    ranges = run(ref, twitter_text_rb, mastodon, {"unicode15_unknown": True})["unicode15_unknown"]
    header = ("# Code points unassigned in Unicode 15.0 that Ruby 3.4, which Mastodon counts with,\n"
              "# segments as plain characters (not pictographs, not controls), whatever a newer\n"
              "# Unicode made of them.\n"
              "# Written by tests/tools/reference_counts.py (Ruby 3.4's \\p{Assigned}).\n")
    UNICODE15_UNKNOWN.write_text(header + "\n".join(f"{a:04X}..{b:04X}" for a, b in ranges) + "\n", encoding="utf-8")


def main(ref: str, twitter_text_rb: str, mastodon: str) -> None:
    tables = {"x": X, "bluesky": BLUESKY, "mastodon": MASTODON, "ruby_graphemes": RUBY_GRAPHEMES, "threads": THREADS,
              "bluesky_short_url": BLUESKY_SHORT_URL}
    answers = run(ref, twitter_text_rb, mastodon, {k: list(v.values()) for k, v in tables.items()})
    version = json.loads((Path(ref) / "node_modules/@atproto/api/package.json").read_text())["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    cases = [{"platform": platform, "id": case_id, "text": text,
              "reference": REFERENCES[platform].format(version=version, node=node), "expected": expected}
             for platform, table in tables.items()
             for (case_id, text), expected in zip(table.items(), answers[platform], strict=True)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generated_by": "tests/tools/reference_counts.py", "cases": cases},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    newer_than_unicode15(ref, twitter_text_rb, mastodon)
    try:
        emoji_weights(ref, twitter_text_rb, mastodon)
    except ImportError:
        print("the `emoji` package is not importable: smm/resources/x_emoji_weights.txt left as it is", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
