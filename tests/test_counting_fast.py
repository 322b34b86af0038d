"""The shortcuts that make counting cheap find exactly what the plain way finds (issue 14)."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.platforms import bluesky_text
from smm.platforms.meta_threads import Threads
from smm.render import counting

EMOJI_AND_JOINERS = ["a", " ", ".", "\n", "\r", "中", "é", "e\u0301", "☕", "👩", "\u200d", "👧", "🏽", "🇯", "🇵",
                     "#", "1", "\ufe0f", "\u20e3", "क", "्", "ष", "\u0600", "©", "\U000e0067", "🏴", "\U000e007f"]
THREADS_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|[#*0-9]\ufe0f\u20e3")


def plain_clusters_holding(text: str, pattern: regex.Pattern) -> list[str]:
    return [g for g in regex.findall(r"\X", text) if pattern.search(g)]


@pytest.mark.parametrize("text", [
    "", "plain ascii text", "中文文字，没有表情。", "tea ☕ and more ☕☕", "👩‍👩‍👧 family", "skin 👍🏽 tone",
    "flags 🇯🇵🇫🇷 and a lone 🇯", "keycap 1️⃣ and 1️ and #️⃣", "©️ text-style", "line ☕\r\n☕ next",
    "क्ष ☕ क्षि", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",
    "\u0600☕ prepend before", "e\u0301☕\u0301 mark after an emoji", "☕" * 300 + "a" * 300 + "👩‍👧" * 50,
])
def test_clusters_holding_emoji_as_a_full_scan(text):
    assert counting.clusters_holding(text, THREADS_EMOJI) == plain_clusters_holding(text, THREADS_EMOJI)


@pytest.mark.parametrize("pattern, text", [
    (regex.compile("ab"), "xaby ab"),  # a match over two clusters: no cluster holds it
    (regex.compile("a\u0301|b"), "a\u0301 b ab"),
    (regex.compile(r"\d"), "1️⃣ 12 3"),
])
def test_clusters_holding_any_pattern_as_a_full_scan(pattern, text):
    assert counting.clusters_holding(text, pattern) == plain_clusters_holding(text, pattern)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(EMOJI_AND_JOINERS), max_size=40).map("".join))
def test_threads_length_counts_emoji_clusters_as_a_full_scan(text):
    plain = counting.graphemes(text) + sum(len(g.encode("utf-8")) - 1 for g in plain_clusters_holding(text, THREADS_EMOJI))
    assert Threads.length(text) == (plain if not text.isascii() and THREADS_EMOJI.search(text) else counting.graphemes(text))


LINKISH = ["a", "B", "1", ".", "..", "://", ":/", "http", "https://", " ", "\n", "(", "中", "。", "example", "com", "-",
           "\u212a", "\u017f", "é", "/path", "?q=1"]


@pytest.mark.parametrize("text", [
    "no link here. Sentences end. 中文。", "bare example.com", "a.b", "x.Y and Z.1", "https://", "see (https://x.example)",
    "HTTPS://X.EXAMPLE/A", "\u212a.com Kelvin", "é.é accents", "end.\nnew line", "...", "1.2.3", "中文example.com",
])
def test_bluesky_link_search_skipped_only_where_no_link_can_be(text):
    assert bool(bluesky_text._MAYBE_LINK.search(text)) or not list(bluesky_text._LINK.finditer(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINKISH), max_size=20).map("".join))
def test_bluesky_links_found_as_without_the_shortcut(text):
    if not bluesky_text._MAYBE_LINK.search(text):
        assert list(bluesky_text._LINK.finditer(text)) == [] and bluesky_text.links_in(text) == []
