"""The twelfth session's review of the networks' counting rules (`smm check`'s limits), against the
networks' own code on hard cases.

X: twitter-text weighs as one emoji (2) only the sequences its list knows; any other run of joined
code points weighs as its parts: an unknown flag pair (two regional indicators that name no region),
a tag sequence of no flag, pictographs joined with U+200D where Unicode joins none. smm weighed every
such run 2, fewer than X counts (a post over 280 passed the check). Each expected number is npm
twitter-text@3.1.0's parseTweet().weightedLength (tests/tools/reference_counts.mjs)."""

from __future__ import annotations

import pytest

from smm.platforms.x import X
from smm.render.counting import first_overflow, x_length

RI_J, RI_P, RI_U, RI_N, RI_S = "\U0001f1ef", "\U0001f1f5", "\U0001f1fa", "\U0001f1f3", "\U0001f1f8"
TAGS = {"us-tx": "\U000e0075\U000e0073\U000e0074\U000e0078\U000e007f", "gb-eng": "\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "us": "\U000e0075\U000e0073\U000e007f"}
ZWJ = "\u200d"

TWITTER_TEXT = {
    "a flag pair naming no region (JJ)": (RI_J + RI_J, 4),
    "three regional indicators: one, then a flag (J JP; guard)": (RI_J + RI_J + RI_P, 4),
    "a flag, then one regional indicator (JP J; guard)": (RI_J + RI_P + RI_J, 4),
    "five of one regional indicator": ("\U0001f1e6" * 5, 10),
    "a tag sequence of no flag (US-TX)": ("\U0001f3f4" + TAGS["us-tx"], 12),
    "a short tag sequence of no flag (US)": ("\U0001f3f4" + TAGS["us"], 8),
    "thumbs joined (no such emoji)": ("👍" + ZWJ + "👍", 5),
    "faces joined (no such emoji)": ("😀" + ZWJ + "😀", 5),
    "a family, then joined to ©": ("👩" + ZWJ + "👩" + ZWJ + "👧" + ZWJ + "©", 4),
    "a family of five (no such emoji)": (ZWJ.join("👨👩👧👦👦"), 5),
    "a joiner at the end (guard)": ("👍" + ZWJ, 3),
    "keycap, then a flag pair naming no region": ("#\ufe0f\u20e3" + RI_J + RI_J, 6),
    "in CJK text": ("新品" + RI_J + RI_J + "上市", 12),
    "in a sentence with a link and flags (guard)": (f"Go {RI_J}{RI_J}{RI_P}{RI_J}{RI_P} team https://example.com {RI_U}{RI_S}", 41),
    # guards: sequences twitter-text knows (2), or newer ones it weighs as parts (smm/resources/x_emoji_weights.txt)
    "a flag (JP, guard)": (RI_J + RI_P, 2),
    "a flag (UN, then U: guard)": (RI_U + RI_N + RI_U, 4),
    "England's flag (guard)": ("\U0001f3f4" + TAGS["gb-eng"], 2),
    "a skin tone twice (guard)": ("👍🏽🏽", 4),
    "a face with U+FE0F (guard)": ("😀\ufe0f", 4),
    "heart on fire, newer than twitter-text (guard)": ("❤\ufe0f" + ZWJ + "🔥", 5),
    "a black cat joined to fire (no such emoji)": ("🐈" + ZWJ + "⬛" + ZWJ + "🔥", 8),
    "a technologist with a skin tone joined to fire (no such emoji)": ("👩🏽" + ZWJ + "💻" + ZWJ + "🔥", 5),
    "a handshake of two tones, newer (guard)": ("🫱🏽" + ZWJ + "🫲🏿", 9),
    "people holding hands (guard)": ("🧑" + ZWJ + "🤝" + ZWJ + "🧑", 8),
}


@pytest.mark.parametrize("name", sorted(TWITTER_TEXT))
def test_x_weighs_unknown_emoji_sequences_as_their_parts(name):
    text, expected = TWITTER_TEXT[name]
    assert x_length(text) == expected
    assert x_length(f"a {text} b") == expected + 4


def test_a_post_of_flag_pairs_naming_no_region_is_over_the_limit():
    """71 of them weigh 284 on X (smm said 142: the check passed a post X refuses); the first 70 fit."""
    text = (RI_J + RI_J) * 71
    assert X.cost(text) == 284
    assert first_overflow(text, X.text_limit, x_length) == 140
