"""Compare smm's Mastodon count with Mastodon's own validator on random hard texts.

Run by hand, as reference_counts.py (same REF, TWITTER_TEXT_RB and MASTODON folders):

    python tests/tools/compare_mastodon.py REF TWITTER_TEXT_RB MASTODON [SEED [N [idn]]]

Texts are pieces glued with and without separators: CJK, Indic and Khmer words, emoji
sequences, full-width and ASCII punctuation, URLs (IDN, CJK paths, brackets, t.co, long
labels), mentions with and without domains (in URLs, after CJK, e-mail addresses), white
space and invisible characters; with `idn`, URLs whose domains mix the characters IDNA 2003
maps, refuses or splits at. Prints how many differ and the first of them (text, Mastodon,
smm); a difference worth keeping goes into reference_counts.py's MASTODON table.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reference_counts import run  # noqa: E402

from smm.render.counting import mastodon_length  # noqa: E402

URLS = ["https://example.com", "http://例子.中国/路径", "https://example.com/a_(b)", "https://x.com/a?q=1&b=2#f",
        "https://t.co/abc123", "gemini://x.org/", "https://xn--bcher-kva.de/x", "ftp://x.com/a", "https://ｅｘａｍｐｌｅ.com/a",
        "https://a.b", "https://example.com:8080/x", "https://localhost/x", "https://example.c/", "www.example.com",
        "example.com/path", "HTTPS://EXAMPLE.COM/A", "https://user@x.com/", "https://example.com/a…", "https://123.45.67.89/",
        "https://慕田峪长城.网址/", "https://example.com/「a」", "https://example.com/路径?q=乌龙茶", "https://bücher.de/",
        "dat://abc.example/x", "ipfs://x.io/a", "https://example.com/" + "a" * 200, "https://" + "a" * 70 + ".com/",
        "https://-bad.com/", "https://a_b.example.com/", "https://example.com/a.", "https://example.com/a,b",
        "https://example.com/a?b=1.", "https://example.com/#!/x", "https://x.com/a(b(c)d)e", "https://x.com/~u/",
        "https://example.com/%E4%B8%AD", "https://x.co.jp/", "https://x.中国", "https://x.みんな/", "https://t.co/" + "a" * 41,
        "xmpp:alice@example.com", "magnet:?xt=urn:btih:abc", "https://example.com/a*", "https://example.com/@alice",
        "https://mastodon.social/@alice@x.org", "https://example.com/a!", "https://example.com/path/", "http://x.com:99999/"]
MENTIONS = ["@alice", "@alice@example.com", "@a.b-c@sub.example.org", "@alice@例子.中国", "@alice@example.com.",
            "@bob_@x", "@@x", "＠alice", "@alice@ex_ample.com", "foo@bar.com", "@alice:", "@alice/", "@alice@host@x",
            "@ALICE@EXAMPLE.COM", "@a--b@x.y", "@alice@" + "d" * 250 + ".com", "@alice@" + "d" * 249 + ".co",
            "@alice@例子", "@alice@x.org/path", "@_@_", "@alice@x..y", "@alice@-x.org", "@alice@x.org-", "@alice.",
            "=@alice@x.org", "/@alice", "a@alice@x.org", "中@alice@x.org", "@alice@xn--fsqu00a.xn--fiqs8s",
            "@alice@x.org://", "@alice@x.orgé", "@alice@x.org＠", "@1@2", "#@alice@x.org", "@alice@日本.jp"]
WORDS = ["中文", "详见", "谢谢", "日本語", "한국어", "hello", "world", "English混合", "ok", "a", "Zürich", "naïve", "e\u0301",
         "क्षि", "नमस्ते", "ក្សា", "ক্ষ", "ก\u0e33", "\u1100\u1161\u11a8", "مرحبا", "שלום", "Ελλάδα", "Москва"]
PUNCT = ["。", "，", "、", "！", "？", "（", "）", "「", "」", "『", "』", "【", "】", "：", "；", "～", "—", "＠", "＃", "．",
         ".", ",", "!", "?", ")", "(", "]", "[", "}", "'", '"', "…", ":", ";", "“", "”", "‘", "’", "-", "_", "/", "#", "$", "*", "~"]
EMOJI = ["👩‍👩‍👧", "🇯🇵", "1️⃣", "👍🏽", "🐦‍🔥", "❤️", "©️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "😀", "🫨", "🧑🏽‍🦰", "🇯", "#️⃣", "☺", "\U0001faea"]
SEPS = ["", " ", "  ", "\n", "\r\n", "\t", "\u3000", "\xa0", "\u200b", "\u200d", "\u200c", "\ufe0f", "\u0301",
        "\u001c", "\u200e", "\u202e", "\u2028", "\u180e", "\u00ad", "\u2060"]
DOMAIN_CHARS = ["a", "b", "z", "0", "-", "_", "é", "ü", "中", "例", "🍵", "🍕", "❤", "ﷺ", "…", "ｅ", "Ａ", "ا", "ب", "א",
                "\u00ad", "\u200d", "\u200c", "。", "．", "｡", "ǅ", "ß", "ﬁ", "①", "ℌ", "\u0301", "\ufe0f", "\U00020000",
                "\U0001f600", "ᄀ", "\u2024", "x", "n"]


def text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 9)):
        kind = rng.random()
        pool = URLS if kind < 0.3 else MENTIONS if kind < 0.55 else WORDS if kind < 0.75 else PUNCT if kind < 0.9 else EMOJI
        parts += [rng.choice(pool), rng.choice(SEPS) if rng.random() < 0.6 else rng.choice(PUNCT + SEPS)]
    glued = "".join(parts)
    if rng.random() < 0.2:  # one more character somewhere
        i = rng.randrange(len(glued) + 1)
        glued = glued[:i] + rng.choice(PUNCT + SEPS + EMOJI + ["@", ":", "//", "."]) + glued[i:]
    return glued


def idn_text(rng: random.Random) -> str:
    labels = ["".join(rng.choice(DOMAIN_CHARS) if rng.random() < 0.3 else "a"
                      for _ in range(rng.choice([1, 2, 3, 5, 8, 20, 40, 55, 58, 60, 62, 63, 64, 70])))
              for _ in range(rng.randint(1, 3))]
    url = (rng.choice(["https://", "http://", "gemini://", ""]) + ".".join(labels) + "."
           + rng.choice(["com", "中国", "jp", "co", "网址", "xn--fiqs8s", "ws"])
           + rng.choice(["", "/", "/a", "/路径", "/" + "p" * 40, "?q=1", "/a.", "/(b)"]))
    return rng.choice(["", "see ", "中文", "(", "「", "@alice@"]) + url + rng.choice(["", " ok", "。", ")", "」", "!", " " + "t" * 30])


def main(ref: str, twitter_text_rb: str, mastodon: str, seed: str = "1", n: str = "2000", kind: str = "") -> None:
    rng = random.Random(int(seed))
    texts = [(idn_text if kind == "idn" else text)(rng) for _ in range(int(n))]
    answers = run(ref, twitter_text_rb, mastodon, {"mastodon": texts})["mastodon"]
    differ = [(t, a, mastodon_length(t)) for t, a in zip(texts, answers, strict=True) if mastodon_length(t) != a]
    print(f"{len(texts)} texts, {len(differ)} differ")
    for difference in differ[:20]:
        print(repr(difference))


if __name__ == "__main__":
    main(*sys.argv[1:])
