"""The cards' fast path for the HTML smm renders (`cards._kept_as_written`) against the allow-list parser.

`safe_html` writes markup made only of text it keeps and allowed tags closed in order itself; anything
else goes to `_AllowList` fed by html.parser. Each case and each generated markup: the same page and the
same refused tags as html.parser reading it, and the fast path never answers where the parser refuses a tag.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import cards

MODES = {"feed": ({}, cards._BLOCK_TAGS | cards._INLINE_TAGS),
         "article": ({"styles": True}, cards._BLOCK_TAGS | cards._INLINE_TAGS | {"section"}),
         "telegram": ({"linkify": "telegram"}, cards._INLINE_TAGS | {"pre", "blockquote"})}


def _parser_reads(markup: str, allowed: set, **options) -> tuple[str, list[str]]:
    """The plain path: html.parser itself feeding the allow-list."""
    parser = cards._AllowList(allowed, **options)
    parser.feed(markup)
    return parser.result(), parser.refused


def _same_as_parser(tmp_path, mode: str, markup: str) -> str | None:
    options, allowed = MODES[mode]
    images = {"images": cards.Images(tmp_path)} if mode == "article" else {}
    plain = _parser_reads(markup, allowed, **options, **images)
    assert cards.safe_html(markup, allowed, **options, **images) == plain
    if "linkify" in options:  # text marked up as the network does: always the parser's way
        return None
    kept = cards._kept_as_written(markup, allowed, bool(options.get("styles")))
    if kept is not None:
        assert (kept, []) == plain, "the fast path wrote what the parser would not"
    return kept


HOSTILE = [
    # entities: kept only when written back alike
    "<p>a &amp; b &lt;c&gt;</p>", "<p>&amp;lt;script&amp;gt;</p>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    "<p>&quot;q&quot; &#39;s &#x41; &nbsp;x &AMP; &amp &lt</p>", "<p>a &amp;</p>&amp", "x &", "&#60;script&#62;",
    # attributes with quotes, references, handlers, several attributes
    '<p style="font-family: \'A B\', sans-serif;color:#3f3f3f">x</p>', "<p style='color:red'>x</p>",
    '<p style="a&amp;b">x</p>', '<p style="a&quot;b">x</p>', '<p style="a&#39;b">x</p>', '<p style="">x</p>',
    '<p onclick="alert(1)">x</p>', '<p style="color:red" onclick="alert(1)">x</p>', '<p class="x">x</p>',
    '<p style="background:url(javascript:alert(1))">x</p>', '<p style="x" style="y">z</p>', "<p style>x</p>",
    '<p  style="x">y</p>', '<p style="x" >y</p>', '<p\nstyle="x">y</p>', "<p style=x>y</p>", "<p >a</p>",
    # links: kept schemes only, whatever their case and spaces
    '<a href="https://x.example/?a=1&amp;b=2">x</a>', '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>', '<a href=" javascript:alert(1)">x</a>', '<a href="java&#115;cript:x">x</a>',
    '<a href="HTTPS://X.EXAMPLE">x</a>', '<a href=" https://x.example ">x</a>', '<a href="mailto:a@b.example">x</a>',
    '<a href="data:text/html,x">x</a>', '<a href="//x.example">x</a>', '<a href="">x</a>', "<a>x</a>", "<a href>x</a>",
    '<a href="https://x.example/&quot; onmouseover=&quot;alert(1)">x</a>', '<a href="https://x.example/\'">x</a>',
    '<a href="https://x.example" onclick="alert(1)">x</a>', '<a onclick="alert(1)" href="https://x.example">x</a>',
    '<a style="color:red">x</a>', '<a href="https://x.example"><a href="https://y.example">y</a></a>',
    # tags the allow-list refuses or rewrites
    "<script>alert(1)</script>", "<style>p{color:red}</style>", '<iframe src="https://x.example"></iframe>',
    "<svg onload=alert(1)>", "<foo>x</foo>", "<p><foo>x</foo></p>", "<textarea><p>x</p></textarea>", "<title>x</title>",
    "<span>x</span>", '<span class="tg-spoiler">x</span>', "<tg-spoiler>x</tg-spoiler>", "<tg-emoji>x</tg-emoji>",
    '<img src="x.png" alt="a &amp; b">', '<img src="">', "<P>x</P>", "<p>x</P>", "<STRONG>x</strong>",
    "<h1>x</h1><h7>y</h7>", "<section>x</section>",
    # nesting: nested lists, misnested, unclosed, stray ends, void tags
    "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>", "<ol><li><p>a</p></li></ol>",
    "<p><strong>a</p></strong>", "<ul><li>a", "<p>unclosed", "</p>stray", "</li></ul>", "<p>a</p></p>",
    "<br>", "<br/>", "<br />", "</br>", "<p>a<br>b</p>", '<hr style="border:0">', "<hr></hr>", "<p><br></br></p>",
    # no tag: `<` and `>` in text, comments, declarations
    "a < b", "a<b", "a > b", "a <= b", "<", ">", "</", "<>", "< p>", "</ p>", "<!-- <script> -->x", "<!DOCTYPE html>x",
    "<![CDATA[<script>]]>", "<?php x ?>", "<p><!-- c --></p>",
    # text of every script
    "<p>中文，标点「引号」与 #话题</p>", "<p>😀👩‍👩‍👧 emoji</p>", "<p>עברית\u202eevil</p>", "<p>a\x00b\r\nc\td</p>",
    "<p>https://x.example/?a=1&amp;b=2 #tag @me</p>", "<p>it's \"quoted\"</p>", "", "plain", "\n",
]


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("markup", HOSTILE)
def test_hostile_markup_is_written_as_the_parser_writes_it(tmp_path, mode, markup):
    _same_as_parser(tmp_path, mode, markup)


def test_the_fast_path_takes_the_renderers_html_and_only_it(tmp_path):
    """The cases exercise both paths: the renderer's kind of HTML is written by the fast one."""
    kept = [m for m in HOSTILE if _same_as_parser(tmp_path, "article", m) is not None]
    assert '<p style="font-family: \'A B\', sans-serif;color:#3f3f3f">x</p>' in kept
    assert '<a href="https://x.example/?a=1&amp;b=2">x</a>' in kept
    assert "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>" in kept
    assert 15 < len(kept) < len(HOSTILE) // 2
    assert cards._kept_as_written("<p>x</p>", MODES["telegram"][1], False) is None  # no <p> in Telegram
    assert cards.safe_html("<p>#tag</p>", MODES["feed"][1]) == ("<p>#tag</p>", [])


TAGS = ["<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "</ol>", "<strong>", "</strong>", "<code>", "</code>",
        "<pre>", "</pre>", "<section>", "</section>", "<sup>", "</sup>", "<br>", "<hr>", "<em>", "</em>", "<a>", "</a>",
        "<span>", "</span>", "<blockquote>", "</blockquote>", "<script>", "</script>", "<foo>", "</foo>", "<P>", "</br>",
        "<img>", "<tg-spoiler>", "</tg-spoiler>", "<!--", "-->", "<", ">", "</"]
NAMES = ["p", "li", "a", "section", "strong", "span", "br", "code", "img", "script", "x"]
ATTRIBUTES = ["style", "href", "onclick", "class", "src", "alt"]
VALUES = ["", "https://x.example/", " http://x.example ", "mailto:a@b.example", "javascript:alert(1)", "JAVASCRIPT:x",
          "color:red", "font-family: 'A B'", "a&amp;b", "a&quot;b", "a&#39;b", "a&lt;b", "a&b", "中文", "😀", "x.png"]
TEXT = ["text", " ", "\n", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&", "&amp", "&nbsp;", "中文", "😀", "#tag", "@me",
        "https://x.example/?a=1&amp;b=2", '"', "'", "=", "\x00", "javascript:alert(1)"]
tags = st.one_of(st.sampled_from(TAGS), st.builds(lambda name, attribute, value: f'<{name} {attribute}="{value}">',
                                                  st.sampled_from(NAMES), st.sampled_from(ATTRIBUTES),
                                                  st.sampled_from(VALUES)))
markups = st.lists(st.one_of(tags, st.sampled_from(TEXT)), max_size=24).map("".join)
# well nested, as the renderer writes it, with a link or a style the allow-list refuses or rewrites now and then
KEPT = ["p", "li", "ul", "ol", "strong", "em", "code", "pre", "section", "sup", "blockquote", "h2"] * 3 + ["span", "x"]
KEPT_VALUES = ["", "color:red", "font-family: 'A B'", "a&amp;b", "中文 😀", "https://x.example/?a=1&amp;b=2"] * 3 + VALUES
attributes = st.one_of(st.just(""), st.builds(lambda value: f' style="{value}"', st.sampled_from(KEPT_VALUES)),
                       st.builds(lambda attribute, value: f' {attribute}="{value}"', st.sampled_from(ATTRIBUTES),
                                 st.sampled_from(VALUES)))
elements = st.one_of(st.builds(lambda name, attribute: (f"<{name}{attribute}>", f"</{name}>"), st.sampled_from(KEPT),
                               attributes),
                     st.builds(lambda value: (f'<a href="{value}">', "</a>"), st.sampled_from(VALUES[1:4] * 3 + VALUES)))
KEPT_TEXT = ["text", " ", "\n", "&amp;", "&lt;", "&gt;", "中文", "😀", "#tag", "@me", '"', "'", "=", "<br>", "<hr>"]
nested = st.recursive(st.sampled_from(KEPT_TEXT * 4 + TEXT),
                      lambda inner: st.builds(lambda tag, body: tag[0] + body + tag[1], elements,
                                              st.lists(inner, min_size=1, max_size=4).map("".join)),
                      max_leaves=24)

@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(MODES)), st.one_of(markups, nested))
def test_generated_markup_is_written_as_the_parser_writes_it(tmp_path_factory, mode, markup):
    _same_as_parser(tmp_path_factory.getbasetemp(), mode, markup)


@pytest.mark.parametrize("name", sorted(__import__("smm.platforms", fromlist=["registry"]).registry()))
def test_a_counters_unit_is_marked_with_the_language_it_is_written_in(name):
    """The counter's words are the preview's (English); a unit in another language (Weibo's 汉字) carries its own `lang`."""
    from smm.platforms import platform_class
    from smm.render.rendered import Part

    platform = platform_class(name)
    counter = cards._counter(Part("text", 4, 10), platform)
    marked = f'<span lang="{platform.unit_lang}">{platform.unit}</span>' in counter
    assert marked == (platform.unit_lang != "en") and platform.unit_lang == ("en" if platform.unit.isascii() else "zh")
