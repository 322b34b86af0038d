"""smm.workspace.patterns.LazyPattern: compiled on first use, it answers as `re.compile` does."""

from __future__ import annotations

import re

import pytest

from smm.workspace.patterns import LazyPattern

TEXTS = ["", "plain ascii", "#茶话会 and #tea_time", "ｔｉｐｓ：　full width", "한국어 텍스트", "かな and 漢字", "a\nb\nc"]


def _span(found: re.Match | None) -> tuple | None:
    return found and found.span()


@pytest.mark.parametrize("pattern,flags", [
    (r"#?[A-Za-z0-9_\u4e00-\u9fff]*[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*", 0),
    (r"[\u3040-\u30ff\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", 0),
    (r"[\uac00-\ud7a3\u3131-\u318e]", 0),
    (r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]*", 0),
    (r"^(\w+)$", re.MULTILINE),
    (r"TEA", re.IGNORECASE),
])
def test_a_lazy_pattern_finds_what_the_compiled_pattern_finds(pattern, flags):
    lazy, compiled = LazyPattern(pattern, flags), re.compile(pattern, flags)
    for text in TEXTS:
        assert bool(lazy.fullmatch(text)) == bool(compiled.fullmatch(text))
        assert _span(lazy.match(text)) == _span(compiled.match(text))
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert lazy.sub("<>", text) == compiled.sub("<>", text)
        for start in range(len(text)):  # the `pos` argument, as smm.workspace.lookalikes uses it
            assert _span(lazy.match(text, start)) == _span(compiled.match(text, start))
    assert (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)


def test_a_lazy_pattern_compiles_nothing_until_used():
    lazy = LazyPattern("[unbalanced")
    with pytest.raises(re.error):
        lazy.search("text")
