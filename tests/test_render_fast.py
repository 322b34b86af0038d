"""The shortcuts in rendering and thread splitting find what the plain way finds (issue 14)."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import markup, split
from smm.render.rendered import _occurrences

TEXTS = [
    "", "plain words and more words", "a #tag, a @mention and https://example.com/a?b=c#d in a sentence.",
    "中文句子。还有一个句子！#标签 和 @名字", "tea ☕ #tea☕ @a.b-c@d", "e\u0301 and 👩‍👩‍👧 join: #caf\u0065\u0301",
    "line\r\nbreak #x\r\n@y", "flags 🇯🇵🇫🇷 https://例子.网址/路径", "x#notatag a@b.c email and #", "@@double ##double",
    "https://a.example/(x) then http://b.example", "ok👍🏽#skin", "क्षि #देवनागरी",
]


def long_atom_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in split._ATOM.finditer(text) if m.end() - m.start() > 1]


@pytest.mark.parametrize("text", TEXTS)
def test_protected_atoms_as_a_full_scan(text):
    assert [m.span() for m in split._atoms(text) if m.end() - m.start() > 1] == long_atom_spans(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "#", "@", ".", "-", "https://", "x.example", "中", "☕", "é", "e\u0301",
                                 "\u200d", "👩", "\r", "\n", "_", "1", "/"]), max_size=30).map("".join))
def test_protected_atoms_agree_on_any_mix(text):
    assert [m.span() for m in split._atoms(text) if m.end() - m.start() > 1] == long_atom_spans(text)


@pytest.mark.parametrize("piece, text", [
    ("a", "banana"), ("ana", "banana"), ("aa", "aaaaa"), ("x", "banana"), ("中文", "中文和中文"), ("a.b", "a.b axb a.b"),
    ("(", "f(x) (y)"), ("\\", "a\\b\\"), ("*", "**bold**"), ("👩‍👧", "👩‍👧👩‍👧"),
])
def test_occurrences_as_a_regular_expression_finds_them(piece, text):
    assert list(_occurrences(piece, text)) == [m.start() for m in re.finditer(re.escape(piece), text)]


ARTICLE_BODIES = [
    "# Title\n\nA paragraph with **bold**, *em*, `code` and a [link](https://example.com/a?b=1&c=2).",
    "- one\n- two\n    - nested\n\n1. first\n2. second\n\n> a quote\n> over lines\n\n---\n\nend  \nhard break",
    "    indented code <b> & stuff\n\nAfter [local](content/other.md) and <https://example.com> <me@example.com>",
    "中文段落，**强调**，[链接](https://例子.网址/路径)。\n\n#标签 开头的行\n\n## 二级标题",
    "a < b > c & d &amp; &copy; \\*escaped\\* `` code with ` tick ``\n\nSetext\n======\n\nLine\n---",
    "[ref link][r] and [r]\n\n[r]: https://example.com/ref \"Title\"\n\n[bad](javascript:alert(1)) [mail](mailto:a@b.c)",
    "~~ two tildes ~~ and `` two ticks `` and [ ^spaced] and ! [not an image](https://example.com)",
]
ARTICLE_PIECES = ["a", " ", "\n", "\n\n", "#", "*", "_", "`", "``", "~~", "[", "]", "(", ")", "^", "!", ">", "<", "-", "1.",
                  "    ", "https://example.com", "content/a.png", "&", "\\", ":", "\"", "=", "中", "|", "```", "~~~", "\n---"]


@pytest.mark.parametrize("body", ARTICLE_BODIES)
def test_article_without_its_syntax_converts_as_plain_markdown(body):
    assert not markup._ARTICLE_SYNTAX.search(body)
    assert markup._article_renderer.html(body) == markup._renderer.html(body)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ARTICLE_PIECES), max_size=30).map("".join))
def test_article_shortcut_agrees_on_any_mix(body):
    if not markup._ARTICLE_SYNTAX.search(body):
        assert markup._article_renderer.html(body) == markup._renderer.html(body)


@pytest.mark.parametrize("body", ["```\ncode\n```", "~~~\ncode\n~~~", "| a | b |\n|---|---|\n| 1 | 2 |", "x[^1]\n\n[^1]: n",
                                  "![alt](content/media/a.png)"])
def test_article_syntax_still_gets_the_article_extensions(body):
    assert markup._ARTICLE_SYNTAX.search(body)
    assert markup.convert(body, "article").text == markup._article_renderer.html(markup.strip_comments(body)[0])[0]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["\n", "\n\n", "a", " ", "\r", "中", "\u2029", "\x1c"]), max_size=30).map("".join))
def test_paragraphs_cut_as_the_regex_module_cuts_them(text):
    assert split._paragraphs(text) == [p for p in regex.split(r"(?<=\n\n)", text) if p]


def with_every_inline_pattern(renderer, body: str) -> tuple:
    """What `renderer.html` gives when Markdown tries each of its inline patterns everywhere."""
    chosen = renderer.inline_patterns
    renderer.inline_patterns = lambda source: renderer.md.inlinePatterns
    try:
        return renderer.html(body)
    finally:
        renderer.inline_patterns = chosen


INLINE_BODIES = ARTICLE_BODIES + [
    "no marks at all, just words\nand a second line", "tab\tat the end\t\nnext", "two spaces  \nbreak", "a_b_c snake_case",
    "*one* _two_ **three** __four__ ***five***", "x\\*y\\_z \\` \\[", "<https://example.com/a?b=1> and <me@example.com>",
    "&amp; &copy; &#169; &#xA9; & alone", "![img](content/a.png) [^1]\n\n[^1]: note", "`code` and ``co`de``",
    "[a]: https://example.com\n\n[a] and [b][a]", "line\r\nwindows\rold mac", "\x02stx\x03 etx \ufdd0 \ufdd1",
]
INLINE_PIECES = ARTICLE_PIECES + ["\t", "  \n", "\r", "&amp;", "&#65;", "<https://x.example>", "<a@b.c>", "\\*", "**", "__"]


@pytest.mark.parametrize("body", INLINE_BODIES)
@pytest.mark.parametrize("renderer", [markup._renderer, markup._article_renderer], ids=["html", "article"])
def test_markdown_without_the_inline_patterns_that_cannot_match_makes_the_same_html(renderer, body):
    assert renderer.html(body) == with_every_inline_pattern(renderer, body)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=30).map("".join))
def test_inline_pattern_shortcut_agrees_on_any_mix(body):
    for renderer in (markup._renderer, markup._article_renderer):
        assert renderer.html(body) == with_every_inline_pattern(renderer, body)


def _through_markdown(body: str, flavor: str) -> markup.Rendering:
    """`markup.convert` with its no-Markdown shortcut turned off."""
    saved = markup._NEEDS_MARKDOWN
    markup._NEEDS_MARKDOWN = re.compile("")  # matches every body: Markdown always runs
    try:
        return markup.convert.__wrapped__(body, flavor)
    finally:
        markup._NEEDS_MARKDOWN = saved


SHORTCUT_FLAVORS = ("plain", "html", "telegram", "slack", "discord")


@pytest.mark.parametrize("body", [
    "Hello\n---", "Hello\n===", "Hello\n--", "---", "Our menu\n- - -\nTea", "a &copy; b", "a &amp; b", "&#169; 2026",
    "&#x4e2d;文", "a\tb", "\tindented by a tab", "line\u3000\nnext", "\u3000全角空格开头", "end\xa0", "x\x0c",
    "Tea & cakes", "AT&T; rocks", "plain 中文 words 🍵 https://x.example/a?b=1&c=2", "x  \ny", "1986 was a year",
])
@pytest.mark.parametrize("flavor", SHORTCUT_FLAVORS)
def test_text_without_markdown_converts_as_markdown_would(body, flavor):
    assert markup.convert.__wrapped__(body, flavor) == _through_markdown(body, flavor)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["Hello", "茶叶", "🍵", "&", "&amp;", "&copy;", "&#169;", "\t", "  ", " ", "\n", "\n\n",
                                 "\n---", "\n===", "---", "=", "-", "- ", "***", "1.", "1)", "a.b", "#tag", "@me",
                                 "https://x.y/a?b=1&c=2", "\u00a0", "\u3000", "\x0c", "\r\n", "    ", "'", '"', "|", ":"]),
                max_size=10).map("".join), st.sampled_from(SHORTCUT_FLAVORS))
def test_no_markdown_shortcut_agrees_on_any_mix(body, flavor):
    assert markup.convert.__wrapped__(body, flavor) == _through_markdown(body, flavor)
