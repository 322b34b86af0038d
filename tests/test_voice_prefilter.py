"""A token pattern runs only over texts that hold one of the characters each of its matches holds
(smm.voice.base.required_characters, issue 14): the characters are read right from the pattern, and a
text the quick test turns away has no match."""

from __future__ import annotations

import random

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.voice.base import may_match, required_characters

FLAGS = regex.MULTILINE | regex.V0
IGNORECASE = FLAGS | regex.IGNORECASE


@pytest.mark.parametrize("pattern, flags, chars", [
    (r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", FLAGS, "/"), ("(?<=[A-Za-z0-9])[，。！？：；](?=\\s*[A-Za-z])", FLAGS, "，。！？：；"),
    ("(?<=\\p{Han})\\.{3,}", FLAGS, "."), ("(?<=\\p{Han})…(?!…)", FLAGS, "…"), ("。{3,}", FLAGS, "。"), ("ºC", FLAGS, "º"),
    ("[０-９Ａ-Ｚ]+", FLAGS, "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"), ("(\\d) degrees C\\b", FLAGS, "C"),
    ("(?<=\\p{Han}):(?!//)", FLAGS, ":"), ('"(?=\\p{Han})', FLAGS, '"'), ('(?<=[\\p{Han}。！？，、：；])"', FLAGS, '"'),
    ("[]a]b", FLAGS, "b"), ("[]!]x", FLAGS, "]!"), (r"[!-\]]", FLAGS, None), (r"[\!-#]", FLAGS, "!\"#"), ("[!-#-]", FLAGS, "!\"#-"), (r"\p{Han}+\?", FLAGS, "?"), (r"\.\.\.", FLAGS, "."),
    ("a{0,2}!", FLAGS, "!"), ("!{0}x", FLAGS, "x"), ("(?:!)+x!?", FLAGS, "x"), ("x+?!", FLAGS, "!"), (r"[\]\-]", FLAGS, "]-"),
    ("Colou?r", FLAGS, "C"), ("Z", IGNORECASE, None), ("k!", IGNORECASE, "!"), ("ÉCLAIR", IGNORECASE, None),  # any letter may match others
    ("only \\d+ left", IGNORECASE, None), ("(?<=[^\\s]) {2,}(?=[^\\s])", FLAGS, None),  # only white space: most texts hold it
    ("a|b", FLAGS, None), ("(?i)x!", FLAGS, None), ("(?P<n>x)!", FLAGS, None), ("x{e<=1}", FLAGS, None), (".+", FLAGS, None),
    ("[^!]+", FLAGS, None), ("[[:alpha:]]!", FLAGS, None), (r"\x41!", FLAGS, None), ("!", FLAGS | regex.VERBOSE, None),
    ("!?", FLAGS, None), ("(!)", FLAGS, None), (r"(x)\1!", FLAGS, None),
])
def test_the_characters_a_pattern_requires(pattern, flags, chars):
    regex.compile(pattern, flags)  # (each is a valid pattern)
    assert required_characters(pattern, flags) == chars


def test_texts_are_turned_away_only_where_there_is_no_match():
    assert may_match("(?<=\\p{Han}),", FLAGS)("乌龙茶,好") and not may_match("(?<=\\p{Han}),", FLAGS)("乌龙茶，好")
    assert may_match("only \\d+ left", IGNORECASE)("x")  # a lowercase letter: most texts hold it, so never asked
    assert not may_match("[０-９Ａ-Ｚ]+", FLAGS)("ABC 123") and may_match("[０-９Ａ-Ｚ]+", FLAGS)("第１")


PATTERNS = [r"[!-\]]", r"[\!-#]x", r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", "(?<=[A-Za-z0-9])[，。！？：；](?=\\s*[A-Za-z])", "(\\d) degrees C\\b",
            "(?<=\\p{Han})\\.{3,}", "(?<=\\p{Han})…(?!…)", "。{3,}", "[０-９Ａ-Ｚａ-ｚ]+", "(?<=\\p{Han})\\.(?=\\s|$)", "(?<=\\p{Han}):(?!//)",
            "(?<=\\p{Han})\\?", '"(?=\\p{Han})', '(?<=[\\p{Han}。！？，、：；])"', "[]a]b", "a{0,2}!", "x+?!", r"[\]\-]", "Colou?r", "k!",
            "ºC", "℃", "(?:!)+x!?", "!{0}x"]
PIECES = ["/", "12/3", "1/2/2026", "C", "c", " degrees C", "3 degrees C", "茶", "乌龙", "...", "…", "。。。", "．", "１", "Ａ", "ａ",
          ":", "：", "?", "？", '"', "“", "]", "b", "]b", "!", "！", "k", "K", "\u212a", "x", "Colour", "color", "º", "°C", "℃", " ",
          "\n", "a", "-", "\\"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PATTERNS), st.sampled_from([FLAGS, IGNORECASE]), st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_no_match_in_a_text_turned_away(pattern, flags, text):
    if not may_match(pattern, flags)(text):
        assert not [m for m in regex.compile(pattern, flags).finditer(text) if m.end() > m.start()]


def test_no_match_in_texts_turned_away_seeded():
    rng = random.Random("prefilter")
    turned = 0
    for _ in range(20_000):
        pattern, flags = rng.choice(PATTERNS), rng.choice([FLAGS, IGNORECASE])
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 15)))
        if not may_match(pattern, flags)(text):
            turned += 1
            assert not [m for m in regex.compile(pattern, flags).finditer(text) if m.end() > m.start()], (pattern, text)
    assert turned > 5_000


def test_every_code_point_an_emoji_match_needs_is_one_looked_for():
    """Each match of social._EMOJI holds, among its first three code points, U+20E3, U+FE0F, or an
    Emoji_Presentation or Regional_Indicator code point: all of them are in social._MAYBE_EMOJI."""
    from smm.voice.social import _MAYBE_EMOJI
    needed = regex.compile(r"[\p{Emoji_Presentation}\p{Regional_Indicator}\u20e3\ufe0f]")
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    found = needed.findall(every)
    assert len(found) > 1000 and all(_MAYBE_EMOJI.fullmatch(c) for c in found)


EMOJI_PIECES = ["👩‍👩‍👧", "👍🏽", "🇨🇳", "🇯", "🇯🇵🇨", "1️⃣", "#⃣", "*️", "☕", "☕️", "©️", "©", "🍵", "⌚", "⏩", "⭐", "⭕", "✨",
                "❤", "❤️", "❤️‍🔥", "🏳️‍🌈", "🫖", "\u200d", "\ufe0f", "\u20e3", "🏻", "★", "→", "①", "a", "1", "#", " ", "\n",
                "茶", "。", "!", "👩\u200d", "\u200d🌾", "🧑🏿‍🤝‍🧑🏻"]


def finditer_spans(text):
    from smm.voice.social import _EMOJI
    return [m.span() for m in _EMOJI.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(EMOJI_PIECES), max_size=20).map("".join))
def test_emoji_found_as_a_full_scan_finds_them(text):
    from smm.voice.social import emoji_spans
    assert emoji_spans(text) == finditer_spans(text)


@pytest.mark.parametrize("text", [
    "", "plain words", "乌龙茶。", "1️⃣2️⃣#⃣", "🇯🇵🇨🇳🇯", "a👩‍👩‍👧b👍🏽c", "©️©☕️☕", "❤️‍🔥🏳️‍🌈🧑🏿‍🤝‍🧑🏻", "★→① ⌚⏩⭐⭕",
    "\u200d\ufe0f\u20e3", "1\u20e3 *\ufe0f\u20e3", "🍂 ☕ ✨ 🫖 🌧️ 🌿 🍵 👩‍🌾" * 3,
])
def test_emoji_found_as_a_full_scan_finds_them_in_tables(text):
    from smm.voice.social import emoji_spans
    assert emoji_spans(text) == finditer_spans(text)


@pytest.mark.parametrize("maximum", [0, 1, 2, 3])
def test_emoji_hits_as_with_a_full_scan(maximum):
    from smm.voice import social
    from smm.voice.segments import Segment

    rule = social.Builtin("voice.emoji", "emoji", "warning", {"max": maximum})
    bodies = ["", "no emoji", "one ☕", "☕☕ 🍵", "👩‍👩‍👧👍🏽🇨🇳1️⃣", "`☕☕☕` 🍵", "<!-- ☕ --> 🍵🍵", "[☕](http://x/☕)🍵",
              "☕ <!-- smm-disable voice.emoji -->🍵 🍵<!-- smm-enable voice.emoji --> ✨ ✨", "★ → ① no emoji at all"]
    for body in bodies:
        segments = [Segment("body", body, "markdown", None), Segment("title", "☕☕☕☕", "plain", None)]
        plain = [h for s in segments if s.scope == "body"
                 for h in social.count_hits(rule, s, finditer_spans(s.prepared), maximum, "emoji")]
        found = social.emoji_hits(rule, segments)
        assert [(h.segment, h.start, h.end, h.message) for h in found] == \
            [(h.segment, h.start, h.end, h.message) for h in plain], body
