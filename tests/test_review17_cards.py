"""Review 17 (cards): hostile card texts and fonts, as `smm cards` and `smm check` see them.

A card text far too long for its box is found not to fit in the time the box's own lines take,
not the whole text's (a 1 MiB post was minutes of line breaking).
"""

from __future__ import annotations

import time

import pytest
from conftest import post_text


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
