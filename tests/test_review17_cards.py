"""Review 17 (cards): hostile card texts and fonts, as `smm cards` and `smm check` see them.

A card text far too long for its box is found not to fit in the time the box's own lines take,
not the whole text's (a 1 MiB post was minutes of line breaking). Characters the card's font has no
glyph for (emoji, Arabic, control characters) are `card.glyph-missing`, not a picture of empty boxes;
a font file that is no font is `card.font-missing`, not an internal error.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import post_text
from test_cards import run_with_fonts_from

from smm.cards import fonts


TEMPLATE = """\
sizes: {default: [1200, 675]}
background: {color: "#1f3d2b"}
text: {box: [0.06, 0.25, 0.88, 0.5], size: {min: 36, max: 88}, color: "#f4ecd6"}
subtitle: {box: [0.06, 0.8, 0.88, 0.12], size: {min: 20, max: 34}, color: "#c9b98f"}
"""


def _repo(make_repo, text: str, extra: str = "") -> None:
    media = f"\n  - card: quote\n    text: {text}{extra}"
    make_repo({"a.md": post_text("A post with a card", media=media)}, files={"brand/cards/quote.yml": TEMPLATE})


@pytest.mark.parametrize("text", [
    '"' + "茶" * 100_000 + '"',                        # a CJK run: a line break between any two characters
    '"' + "tea leaf " * 30_000 + '"',                 # Latin words
    '"' + "「好水配好茶，」" * 15_000 + '"',             # punctuation glued by 禁则
    '"' + "茶 tea " * 25_000 + '"',                    # mixed
])
def test_a_text_far_too_long_is_found_not_to_fit_quickly(make_repo, smm, text):
    _repo(make_repo, text)
    started = time.monotonic()
    code, _, err = smm("cards")
    assert code == 1 and "content/a.md:7:" in err and "[card.text-overflow]" in err, err
    assert time.monotonic() - started < 15  # (was 30 s and more: every size broke the whole text into lines)


# -- characters the card's font cannot draw ------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("text", '"Winter Blend 🍵"'),                     # an emoji
    ("text", '"family 👩\\u200d👩\\u200d👧"'),             # a ZWJ sequence: its people are no glyphs either
    ("text", '"中国 🇨🇳"'),                             # a flag: regional indicators
    ("text", '"مرحبا بالعالم"'),                        # Arabic
    ("text", '"שלום עולם"'),                            # Hebrew
    ("text", '"ภาษาไทย"'),                              # Thai
    ("text", '"red \\x1b[31m tea"'),                    # a control character
    ("text", '"tea\\u0000"'),                           # NUL
    ("text", '"tea \\uFFFE"'),                          # a noncharacter
    ("subtitle", '"Cloudleaf 🍃"'),                     # the subtitle too
])
def test_characters_the_font_cannot_draw_are_named_and_no_card_is_made(make_repo, smm, field, value):
    extra = f"\n    subtitle: {value}" if field == "subtitle" else ""
    _repo(make_repo, "好水配好茶" if field == "subtitle" else value, extra)
    code, _, err = smm("cards")
    line = 8 if field == "subtitle" else 7
    assert code == 1 and f"content/a.md:{line}:" in err and "[card.glyph-missing]" in err, err
    assert "U+" in err and not any(Path("data/cards").glob("*.png"))
    code, out, _ = smm("check")
    assert code == 1 and "[card.glyph-missing]" in out


@pytest.mark.parametrize("value", [
    '"Cafe\\u0301 naïve ά Привет 한국어 かな 「好茶」…"',    # accents, composed or not; Greek, Cyrillic, Hangul, kana
    '"好\\u200b茶\\u200d\\uFE0F\\u202E"',                    # invisible format characters draw nothing, no box
])
def test_what_the_font_draws_is_not_reported(make_repo, smm, value):
    """(Guards the check above against naming what the font draws; passes on the code before it too.)"""
    _repo(make_repo, value)
    code, out, err = smm("cards")
    assert code == 0 and "card.glyph-missing" not in out + err, err


# -- a font file that is no font ---------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"not a font\n",
    b"",
    b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
    b"version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n",
    "truncated",
])
def test_a_font_file_that_is_no_font_is_card_font_missing(make_repo, smm, monkeypatch, tmp_path, content):
    _repo(make_repo, "好水配好茶")
    if content == "truncated":
        real, _ = fonts.font_file("Noto Sans CJK", "regular")
        content = real.read_bytes()[:4096]
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / fonts.FILES[("Noto Sans CJK", "regular")]).write_bytes(content)
    code, _, err = run_with_fonts_from(folder, monkeypatch, lambda: smm("cards"))  # (Pillow looks a bad file up by name)
    assert code == 1 and "content/a.md:6:" in err and "[card.font-missing]" in err and "is not a font" in err, err


@pytest.mark.parametrize("field,value,line", [
    ("text", '"   "', 7), ("text", '"\\n\\n"', 7), ("text", '"\\t \\u3000"', 7),  # (U+3000: the ideographic space)
    ("subtitle", '" "', 8), ("subtitle", '"\\u2028"', 8),
])
def test_a_card_text_of_white_space_alone_is_refused(make_repo, smm, field, value, line):
    """It drew a blank card, its alt text blank too."""
    _repo(make_repo, value if field == "text" else "好水配好茶", f"\n    subtitle: {value}" if field == "subtitle" else "")
    code, out, _ = smm("check")
    assert code == 1 and f"content/a.md:{line}:" in out and "[schema.pattern]" in out and "white space" in out, out
