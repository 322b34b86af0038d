"""The shortcuts of fitting a text into a thread give what the plain way gives (issue 14): each
network's cheap bounds (smm.render.bounds) hold around its exact count, splitting with them gives
exactly the parts that counting every candidate gives, and cutting at boundaries skips URLs,
hashtags and mentions in one sweep as it did with a check of each."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.platforms.bluesky import Bluesky
from smm.platforms.mastodon import Mastodon
from smm.platforms.meta_threads import _EMOJI, Threads
from smm.platforms.x import X
from smm.render import bounds
from smm.render.split import fitting, split

NETWORKS = [Bluesky, Mastodon, Threads]


def shown_cost(platform) -> callable:
    """What rendered keeps a thread's parts under: the network's cost of the text as shown."""
    return lambda text: platform.cost(platform.shorten_links(text)[0])


# Pieces that change counts: links (bare, glued to Chinese, in brackets, overlapping), mentions local
# and remote, emoji sequences, keycaps, flags, marks, Indic clusters, CR LF, and every kind of space.
TOKENS = ["tea", "Oolong", "the", "harvest.", "Really!", "e.g.", "3.5", "乌龙茶", "新茶上市。", "好喝！", "见",
          "https://cloudleaf.example/winter?utm_source=x", "https://a.co/(abcdefgh.com", "http://a.co/x",
          "cloudleaf.example", "example.com/path", "(https://b.example)", "HTTP://X.EXAMPLE", "ssb://x.example",
          "@alice", "@alice@mastodon.example", "@zhuxiang.bsky.social", "#WinterBlend", "$TEA",
          "👩‍👩‍👧", "👍🏽", "🇨🇳", "🇯", "1️⃣", "☕", "©️", "🍵", "e\u0301", "क्षि", "\u0600", "\r\n", "\n\n", "\n",
          " ", "\u3000", "\xa0", "\t", "\ufeff", "\u180e", "\x1c", "\u200d", "\ufe0f", "\U000e0067", ":", "/", ".",
          "\u212a.com", "\ud800", "https://例子.中国/茶", "https://a.com/文章/路径", "http://0x7f.1", "https:///%E4%BE%8B.cn",
          "https://[::1.2.3.4]/", "https://Ｅxample.com/<a>", "https://user@bücher.de:443/ß"]
TEXTS = st.lists(st.sampled_from(TOKENS), max_size=60).map(lambda tokens: " ".join(tokens))
GLUED = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def check(platform, text: str) -> None:
    pair = bounds.bounds_for(platform)
    try:
        exact = shown_cost(platform)(text)
    except (ValueError, UnicodeEncodeError):  # text the network's own count cannot take: no bound to hold
        return
    assert pair.low(text) <= exact <= pair.high(text), (platform.name, text)


@pytest.mark.parametrize("platform", NETWORKS, ids=lambda p: p.name)
@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "\x1c", "plain ascii words", "乌龙茶新茶上市。好喝！", "见https://cloudleaf.example/a。谢谢",
    "见https://a.com/(abcdefgh.com", "见http://a.co/(abcdefghijk.com",  # overlapping links (shown once)
    "see https://cloudleaf.example/a/very/long/path/indeed?utm_source=bluesky and (example.com)",
    "@alice@mastodon.example @bob hi", "a\u3000https://x.example/?q=a\u3000b", "dat://x.example",
    "👩‍👩‍👧👍🏽🇨🇳🇯1️⃣☕©️", "tea ☕\r\n☕ next", "见https://例子.中国/茶 http://0 https://%E4%BE%8B%E5%AD%90.cn/{x}",
    "https:///\\\\例子。中国", "http://0x7f.1 http://[::1.2.3.4]", "क्ष ☕ क्षि", "e\u0301\u0301\u0301", "🍵" * 200, "x." * 100 + "io",
])
def test_bounds_hold_around_the_count(platform, text):
    check(platform, text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NETWORKS), st.one_of(TEXTS, GLUED))
def test_bounds_hold_on_generated_texts(platform, text):
    check(platform, text)


def test_bounds_only_for_the_networks_they_were_proved_for():
    assert bounds.bounds_for(X) is None  # counted exactly
    assert bounds.bounds_for(type("Local", (Mastodon,), {})) is None  # a subclass may count otherwise


def test_bluesky_bytes_never_outweigh_code_points():
    """Bluesky's high bound: ceil(bytes * text_limit / MAX_BYTES) is at most the code points."""
    from smm.platforms.bluesky import MAX_BYTES
    assert 4 * Bluesky.text_limit <= MAX_BYTES


def test_every_emoji_threads_counts_is_one_the_bound_expects():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    alone = {match for match in _EMOJI.findall(every) if len(match) == 1}
    assert alone and all(bounds._MAYBE_EMOJI.fullmatch(c) for c in alone)


def long_text(rng: random.Random) -> str:
    """A post's rendered text: bilingual paragraphs of sentences with links, mentions, tags and emoji."""
    def sentence() -> str:
        words = [rng.choice(TOKENS[:26]) for _ in range(rng.randint(3, 14))]
        return (" " if rng.random() < 0.6 else "").join(words) + rng.choice([".", "!", "?", "。", "！", "", " 👩‍🌾"])
    return "\n\n".join(" ".join(sentence() for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(1, 8)))


def split_or_error(text, limit, length, numbered, pair):
    try:
        return split(text, limit, length, numbered, pair)
    except ValueError as exc:
        return f"ValueError: {exc}"


@pytest.mark.parametrize("platform", NETWORKS, ids=lambda p: p.name)
def test_splitting_with_bounds_gives_the_parts_counting_gives(platform):
    """Seeded: 150 long texts per network, limits around their parts' sizes, numbered or not."""
    rng = random.Random(f"bounds-{platform.name}")
    length, pair = shown_cost(platform), bounds.bounds_for(platform)
    for _ in range(150):
        text = long_text(rng)
        limit = rng.choice([rng.randint(40, 120), rng.randint(120, 320), platform.text_limit, platform.text_limit + 1])
        numbered = rng.random() < 0.3
        assert split_or_error(text, limit, length, numbered, pair) == split_or_error(text, limit, length, numbered, None)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NETWORKS), st.one_of(TEXTS, GLUED), st.integers(min_value=1, max_value=400), st.booleans())
def test_splitting_generated_texts_with_bounds_as_without(platform, text, limit, numbered):
    try:
        length = shown_cost(platform)
        length(text)
    except (ValueError, UnicodeEncodeError):
        return
    pair = bounds.bounds_for(platform)
    assert split_or_error(text, limit, length, numbered, pair) == split_or_error(text, limit, length, numbered, None)


@pytest.mark.parametrize("platform", NETWORKS, ids=lambda p: p.name)
@pytest.mark.parametrize("text", ["", "乌龙茶 " * 50, "see https://cloudleaf.example/winter " * 9, "👩‍👩‍👧 " * 80])
def test_fitting_with_bounds_as_counting_at_every_room(platform, text):
    length = shown_cost(platform)
    plain, bounded = fitting(length), fitting(length, bounds.bounds_for(platform))
    exact = length(text)
    assert [bounded(text, room) for room in range(exact - 30, exact + 30)] == [plain(text, room) for room in range(exact - 30, exact + 30)]


def plain_cut(text, boundary):
    """split._cut as it was: each boundary checked against every URL, hashtag and mention."""
    from smm.render.split import _atoms
    protected = [(m.start(), m.end()) for m in _atoms(text) if m.end() - m.start() > 1]
    pieces, start = [], 0
    for m in boundary.finditer(text):
        cut = m.end()
        if 0 < cut < len(text) and not any(a < cut < b for a, b in protected):
            pieces.append(text[start:cut])
            start = cut
    pieces.append(text[start:])
    return [p for p in pieces if p]


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXTS, GLUED))
def test_cuts_skip_urls_hashtags_and_mentions_as_before(text):
    from smm.render.split import _SENTENCE_END, _WORD_BREAK, _cut
    for boundary in (_SENTENCE_END, _WORD_BREAK):
        assert _cut(text, boundary) == plain_cut(text, boundary)
