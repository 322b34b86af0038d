"""first_overflow's cuts (the ends of grapheme clusters, outside URLs) found cheaply are the plain
scan's (issue 14): \\X only where code points may join, one pass over the units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import counting

TOKENS = ["a", " ", "中", "。", "\u200d", "👩", "🏽", "\r", "\n", "e", "\u0301", "🇯", "🇵", "क", "्", "ष", "\ufe0f", "1",
          "\u20e3", "\u0600", "☕", "https://x.example/a", "example.com", "@a@b.example", "\U000e0067", "🏴", "\U000e007f"]


def plain_cuts(text: str, units) -> list[int]:
    """The cuts as first_overflow found them before: \\X over the whole text, then each unit's inside dropped."""
    cuts = list(range(len(text) + 1)) if not counting.may_join(text) else \
        [0] + [m.end() for m in counting._GRAPHEME.finditer(text)]
    for start, end in units(text):
        cuts = [c for c in cuts if not start < c < end]
    return cuts


def plain_first_overflow(text: str, limit: int, length_fn, units) -> int | None:
    if length_fn(text) <= limit:
        return None
    if length_fn("") > limit:
        return 0
    cuts = plain_cuts(text, units)
    lo, hi = 0, len(cuts) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if length_fn(text[:cuts[mid]]) <= limit else (lo, mid)
    return cuts[lo]


@pytest.mark.parametrize("text", ["", "plain", "中文。" * 40, "👩‍👩‍👧 family 👍🏽", "क्षि e\u0301 ☕\r\n", "\u0301 leading mark",
                                  "trailing zwj\u200d", "🇯🇵🇯", "🏴\U000e0067\U000e007f x", "\u0600a"])
def test_cluster_ends_as_a_full_scan(text):
    assert counting._cluster_ends(text) == plain_cuts(text, lambda t: [])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=50).map("".join), st.integers(min_value=0, max_value=120),
       st.sampled_from([(counting.x_length, counting.x_url_spans), (counting.mastodon_length, counting.mastodon_spans),
                        (counting.weibo_length, lambda t: []), (counting.graphemes, lambda t: [])]))
def test_first_overflow_as_before(text, limit, rule):
    length_fn, units = rule
    assert counting.first_overflow(text, limit, length_fn) == plain_first_overflow(text, limit, length_fn, units)


@pytest.mark.parametrize("text", ["Read leaf has a guide year so about sort mist. 新鲜甘甜金黄但是乌龙如果水温采摘一杯？ 🫖 " * 30,
                                  "中文。" * 400, "plain words " * 200, "see https://x.example/a and example.com " * 40])
@pytest.mark.parametrize("rule", [(counting.weibo_length, lambda t: []), (counting.graphemes, lambda t: []),
                                  (counting.x_length, counting.x_url_spans), (counting.mastodon_length, counting.mastodon_spans)])
@pytest.mark.parametrize("limit", [0, 1, 140, 280, 2000])
def test_a_long_text_none_of_whose_code_points_join_overflows_where_it_did(text, rule, limit):
    """Where no code point may join another each is a cut: a range of them, not a list (Weibo's long posts)."""
    assert not counting.may_join(text)
    length_fn, units = rule
    assert counting.first_overflow(text, limit, length_fn) == plain_first_overflow(text, limit, length_fn, units)
