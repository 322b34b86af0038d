"""Length rules: X against twitter-text's conformance suite, the others against tables."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import partial
from pathlib import Path

import pytest
import regex
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import counting
from smm.render.counting import (
    bluesky_length,
    first_overflow,
    graphemes,
    mastodon_length,
    mastodon_spans,
    utf16_length,
    weibo_length,
    x_length,
    x_url_spans,
)

CONFORMANCE = Path(__file__).parent / "conformance" / "twitter-text"
V3 = json.loads((CONFORMANCE / "v3.json").read_text(encoding="utf-8"))
_SUITE = yaml.safe_load((CONFORMANCE / "validate.yml").read_text(encoding="utf-8"))["tests"]
CASES = [pytest.param(case, id=case["description"])
         for group in ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")
         for case in _SUITE[group]]


def code_points(text: str, utf16_offset: int) -> int:
    """The code point offset of a UTF-16 offset into ``text``."""
    units = 0
    for index, ch in enumerate(text):
        if units >= utf16_offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def test_conformance_suite_is_all_there():
    assert len(CASES) == 24
    assert V3["maxWeightedTweetLength"] == 280 and V3["transformedURLLength"] == 23


@pytest.mark.parametrize("case", CASES)
def test_x_length_conformance(case):
    assert x_length(case["text"]) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", CASES)
def test_x_validity_conformance(case):
    """What `smm count --platform x` says about validity, case by case."""
    from smm.platforms.x import X

    text = case["text"]
    valid = X.cost(text) <= X.text_limit and not X.extra_problems(text)
    assert valid == case["expected"]["valid"]


@pytest.mark.parametrize("case", CASES)
def test_x_first_overflow_is_twitter_texts_valid_range(case):
    text, expected = case["text"], case["expected"]
    offset = first_overflow(text, V3["maxWeightedTweetLength"], x_length)
    if expected["weightedLength"] <= V3["maxWeightedTweetLength"]:
        assert offset is None
    else:  # validRangeEnd: the last valid UTF-16 unit, inclusive
        assert offset == code_points(text, expected["validRangeEnd"] + 1)


def test_x_weights_follow_the_v3_config():
    for r in V3["ranges"]:
        for inside in (r["start"], r["end"]):
            assert x_length(chr(inside)) == r["weight"] // V3["scale"], hex(inside)
        for outside in (r["start"] - 1, r["end"] + 1):
            if outside >= 0 and not any(o["start"] <= outside <= o["end"] for o in V3["ranges"]):
                assert x_length(chr(outside)) == V3["defaultWeight"] // V3["scale"], hex(outside)


@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("hello", 5),
    ("日本語のテキスト", 16),
    ("©", 1),  # text-default emoji, not followed by U+FE0F: a Latin-1 character
    ("©\ufe0f", 2),
    ("®\ufe0f!", 3),
    ("#\ufe0f\u20e3", 2),  # keycap
    ("❤\ufe0f", 2),
    ("👍🏽", 2),
    ("👩‍👩‍👧", 2),
    ("🇯🇵🇫🇷", 4),
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),
    ("e\u0301", 1),  # NFC: é
    ("example.com", 23),  # no protocol, known TLD
    ("example.comedy", 14),
    ("example.invalidtld", 18),
    ("see http://t.co/abcdef and https://t.co/abc?x=1 ok", 4 + 23 + 5 + 23 + 3),
    ("http://例え.テスト is not a URL", 7 + 4 + 1 + 6 + 13),  # テスト is no TLD
    ("中文https://example.com/路径", 4 + 23 + 4),
])
def test_x_length_table(text, expected):
    assert x_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("no links here.", []),
    ("visit example.com and https://t.co/abc?x=1, ok", [(6, 17), (22, 42)]),
    ("a https://en.wikipedia.org/wiki/Foo_(bar) b", [(2, 41)]),
    ("中文example.com", [(2, 13)]),
    ("user@example.com", []),
    ("-example.com or /example.com", []),  # no URL without protocol after - _ . /
    ("a_b.com/https://x.com", []),  # "b.com/https://x.com", after '_', hides the second
    ("a_b.com https://x.com", [(8, 21)]),
    ("中a_b.com/https://x.com", []),  # the same, found by a later start in the label
    ("!-example.com/https://x.com", []),
    ("caf\u0065\u0301 https://x.com", [(6, 19)]),  # not NFC: offsets are into the text given
])
def test_x_url_spans(text, expected):
    assert x_url_spans(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("abc", 3),
    ("中文字", 3),
    ("👩‍👩‍👧", 1),
    ("👍🏽", 1),
    ("क्षि", 1),  # Devanagari conjunct (UAX #29 GB9c, Unicode 15.1)
    ("नमस्ते", 3),
    ("a\r\nb", 3),
    ("a\n\rb", 4),
    ("🇯🇵🇫🇷", 2),
    ("🇯🇵🇫", 2),
    ("e\u0301e\u0301", 2),
    ("한국어", 3),
    ("\u1100\u1161\u11a8", 1),  # conjoining jamo
    ("ก\u0e33", 1),  # Thai SARA AM is a spacing mark
])
def test_graphemes(text, expected):
    assert graphemes(text) == expected


def test_safe_set_has_no_joining_code_point():
    """graphemes() counts runs of _SAFE code points without \\X: none may join a neighbour."""
    joining = regex.compile(
        r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}\p{GCB=RI}\p{GCB=L}\p{GCB=V}"
        r"\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}\p{InCB=Extend}\p{InCB=Linker}]")
    everything = "".join(map(chr, [*range(0xD800), *range(0xE000, 0x110000)]))
    safe = "".join(re.findall(f"[{counting._SAFE}]+", everything))
    assert len(safe) > 150_000
    assert joining.findall(safe) == []


@given(st.text(alphabet=st.sampled_from(list("ab .\r\n") + [
    "\u0301", "\u200d", "\ufe0f", "👩", "👧", "🏽", "🇯", "🇵", "क", "्", "ष", "ि", "한", "\u1100",
    "\u1161", "中", "ก", "\u0e33", "\u0600", "ب", "\U000e0067", "🏴", "\U000e007f", "ｶ", "\uff9e"])))
def test_grapheme_fast_path_agrees_with_regex_x(text):
    """Skipping the runs that cannot join changes nothing (the linker correction is
    checked against ICU and Ruby in tests/conformance/counting/)."""
    assert counting._regex_graphemes(text) == len(regex.findall(r"\X", text))


@pytest.mark.parametrize("text, expected", [
    ("", (0, 0)),
    ("hello", (5, 5)),
    ("héllo", (5, 6)),
    ("中文", (2, 6)),
    ("👩‍👩‍👧", (1, 18)),
    ("https://example.com/a/long/path", (31, 31)),  # links count in full
])
def test_bluesky_length(text, expected):
    assert bluesky_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("abc", 3),
    ("中文", 2),
    ("😀", 2),  # surrogate pair
    ("a😀b", 4),
    ("👩‍👩‍👧", 8),
    ("𠀀", 2),  # CJK Extension B
])
def test_utf16_length(text, expected):
    assert utf16_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("a", 1),  # 1/2 rounds up
    ("ab", 1),
    ("abc", 2),
    ("中", 1),
    ("中a", 2),  # 1.5
    ("中ab", 2),
    ("中文，", 3),  # full-width punctuation counts 1
    ("微博 test", 5),  # 2 + 5/2 = 4.5
    ("a" * 280, 140),
])
def test_weibo_length(text, expected):
    assert weibo_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("   ", 0),  # blank text counts 0, as Mastodon's validator has it
    ("hello world", 11),
    ("@user@mastodon.social", 5),
    ("hi @user@mastodon.social!", 9),
    ("cc @alice and @bob@example.org", 18),
    ("see https://example.com/a/very/long/path/indeed here", 4 + 23 + 5),
    ("https://example.com", 23),
    ("see example.com here", 20),  # no protocol: counts in full
    ("mail me@example.com", 19),  # not a mention (word character before @)
    ("https://mastodon.social/@user@example.com", 23),
    ("参观 https://慕田峪长城.网址/ 今天", 3 + 23 + 3),
    ("gemini://example.org/x", 23),
    ("👩‍👩‍👧 https://example.com", 1 + 1 + 23),
])
def test_mastodon_length(text, expected):
    assert mastodon_length(text) == expected


def test_mastodon_url_length_setting():
    text = "read https://example.com/post"
    assert mastodon_length(text, url_length=30) == 5 + 30
    assert mastodon_spans(text) == [(5, 29)]


@pytest.mark.parametrize("text, limit, fn, expected", [
    ("hello", 5, graphemes, None),  # exactly at the limit fits
    ("hello!", 5, graphemes, 5),
    ("", 0, graphemes, None),
    ("a", 0, graphemes, 0),
    ("e\u0301e\u0301e\u0301", 2, graphemes, 4),  # never inside a cluster
    ("ab👩‍👩‍👧", 2, graphemes, 2),
    ("ab\r\ncd", 3, graphemes, 4),
    ("😀😀😀", 5, utf16_length, 2),
    ("中文中文", 2, weibo_length, 2),
    ("😀😀😀", (2, 100), bluesky_length, 2),
    ("😀😀😀", (5, 8), bluesky_length, 2),  # bytes bind first
    ("中" * 141, 280, x_length, 140),
    ("see https://example.com/a/long/path ok", 10, x_length, 4),  # a URL is kept or cut whole
    ("see https://example.com/a/long/path ok", 27, x_length, 35),
    ("see https://example.com/a/long/path ok", 26, x_length, 4),
    ("hi @user@mastodon.social ok", 6, mastodon_length, 3),
    ("see https://example.com/a/long/path ok", 26, partial(mastodon_length, url_length=22), 35),
])
def test_first_overflow(text, limit, fn, expected):
    assert first_overflow(text, limit, fn) == expected


def test_first_overflow_takes_units_for_a_wrapped_rule():
    text = "see https://example.com/a/long/path ok"
    wrapped = lambda t: x_length(t)  # noqa: E731 - as a platform adapter wraps it
    assert first_overflow(text, 26, wrapped) == 21  # "see https://example.c" is no URL yet
    assert first_overflow(text, 26, wrapped, units=x_url_spans) == 4


def test_first_overflow_calls_length_fn_log_n_times():
    calls = []
    text = "word " * 2000

    def counted(t):
        calls.append(t)
        return graphemes(t)

    assert first_overflow(text, 5000, counted) == 5000
    assert len(calls) <= 2 + 14  # whole text, empty prefix, then bisection of 10,001 cuts


# --- property: the prefix fits, one more unit does not ------------------------

TOKENS = ["a", "b", " ", ".", "中", "文", "😀", "👩", "\u200d", "👧", "🏽", "\ufe0f", "e\u0301", "\r\n", "🇯🇵",
          "क्षि", "한", "https://", "example", ".com", "/path", "@user", "@host.org", "t.co/x"]
texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
RULES = [(graphemes, None), (utf16_length, None), (weibo_length, None), (x_length, x_url_spans),
         (mastodon_length, mastodon_spans)]


def next_unit_end(text: str, offset: int, units) -> int:
    """The first grapheme boundary after ``offset`` that is not inside a unit."""
    spans = units(text) if units else []
    for m in regex.finditer(r"\X", text[offset:]):
        end = offset + m.end()
        if not any(start < end < stop for start, stop in spans):
            return end
    raise AssertionError("no unit after the offset")


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=80), st.sampled_from(RULES))
def test_first_overflow_prefix_fits_and_next_unit_does_not(text, limit, rule):
    fn, units = rule
    offset = first_overflow(text, limit, fn)
    if offset is None:
        assert fn(text) <= limit
        return
    assert offset in {0, *(m.end() for m in regex.finditer(r"\X", text))}
    assert fn(text[:offset]) <= limit
    assert fn(text[:next_unit_end(text, offset, units)]) > limit


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=0, max_value=80), st.integers(min_value=0, max_value=400))
def test_first_overflow_bluesky_tuple_limit(text, graphemes_limit, bytes_limit):
    limit = (graphemes_limit, bytes_limit)
    offset = first_overflow(text, limit, bluesky_length)
    fits = lambda t: all(v <= lim for v, lim in zip(bluesky_length(t), limit))  # noqa: E731
    if offset is None:
        assert fits(text)
    else:
        assert fits(text[:offset])
        assert not fits(text[:next_unit_end(text, offset, None)])


def test_x_length_is_nfc_invariant():
    text = "Cafe\u0301 cre\u0300me https://example.com 😀"
    nfc = unicodedata.normalize("NFC", text)
    assert x_length(text) == x_length(nfc) == 11 + 23 + 1 + 2  # "Café crème " is 11 once NFC


def test_x_emoji_newer_than_twitter_text_weigh_as_listed():
    """Each sequence of smm/data/x_emoji_weights.txt (twitter-text 3.1.0's weights, written
    by tests/tools/reference_counts.py) is found whole and weighs what 3.1.0 says, alone
    and inside text."""
    weights = counting._x_emoji_weights()
    assert len(weights) > 500
    for sequence, weight in weights.items():
        assert x_length(sequence) == weight, sequence
        assert x_length(f"a {sequence} b") == weight + 4, sequence
