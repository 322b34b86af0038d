"""Thread splitting: nothing lost, duplicated or reordered; every part fits; no URL or tag cut."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import counting
from smm.render.split import SPLIT_MARKER, split

WORDS = st.sampled_from([
    "tea", "oolong", "the", "harvest", "is", "in.", "Really!", "乌龙茶", "新茶上市。", "好喝！", "👩‍👩‍👧",
    "#WinterBlend", "@alice@mastodon.example", "https://cloudleaf.example/winter?utm_source=x",
    "क्षि", "🇨🇳", "\n\n", "\n", "e\u0301",
])
TEXTS = st.lists(WORDS, min_size=1, max_size=120).map(" ".join)
RULES = [(counting.graphemes, "graphemes"), (counting.mastodon_length, "mastodon"), (counting.x_length, "x")]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.integers(min_value=60, max_value=300), st.sampled_from(RULES), st.booleans())
def test_split_keeps_text_and_fits(text, limit, rule, numbered):
    length, _ = rule
    parts = split(text, limit, length, numbered)
    assert all(length(p) <= limit for p in parts)
    joined = "".join(re.sub(r" \d+/\d+$", "", p) for p in parts) if numbered and len(parts) > 1 else "".join(parts)
    assert squash(joined) == squash(text)
    if numbered and len(parts) > 1:
        assert [p.rsplit(" ", 1)[1] for p in parts] == [f"{i}/{len(parts)}" for i in range(1, len(parts) + 1)]


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.integers(min_value=60, max_value=200))
def test_never_cuts_urls_hashtags_or_mentions(text, limit):
    atoms = re.findall(r"https?://\S+|#\w+|@[\w.]+@[\w.]+", text)
    parts = split(text, limit, counting.graphemes)
    for atom in atoms:
        assert any(atom in p for p in parts), atom


def test_prefers_paragraphs_then_sentences():
    text = "First paragraph here.\n\nSecond one. It has two sentences."
    assert split(text, 40, len) == ["First paragraph here.", "Second one. It has two sentences."]
    assert split(text, 25, len) == ["First paragraph here.", "Second one.", "It has two sentences."]


def test_cjk_sentences():
    text = "今天的新茶到了。欢迎来店里品尝！我们周末也营业？当然。"
    assert split(text, 16, counting.graphemes) == ["今天的新茶到了。欢迎来店里品尝！", "我们周末也营业？当然。"]


def test_manual_marker_forces_a_cut():
    assert split(f"One.\n\n{SPLIT_MARKER}\n\nTwo.", 500, len) == ["One.", "Two."]


def test_text_that_fits_is_left_alone():
    assert split("  short  ", 280, counting.x_length) == ["short"]


def test_an_unsplittable_piece_is_an_error():
    with pytest.raises(ValueError, match="cannot split"):
        split("https://example.com/" + "a" * 80, 40, len)
