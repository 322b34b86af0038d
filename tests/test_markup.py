"""Markdown → network flavors; the plain-text fast path must equal the full conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import markup

PLAIN_TEXT = st.lists(
    st.sampled_from(["tea", "茶", "乌龙。", "Hi!", "&", "a.b", "😀", "\n", "\n\n", " ", "#Tea", "x#y", "100%", "'q'"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXT, st.sampled_from([f for f in markup.FLAVORS if f != "article"]))  # articles have no fast path
def test_fast_path_equals_markdown(text, flavor):
    writer = markup._TextWriter(flavor)
    if flavor == "html":
        expected = markup.to_html(text)
    else:
        writer.feed(markup.to_html(text))
        writer.close()
        expected = writer.result()
    assert markup.to_text(text, flavor) == expected


@pytest.mark.parametrize("flavor,expected", [
    ("plain", "Tea time: hot & fresh (https://x.example/a?b=1&c=2)\n\n• one\n• two"),
    ("telegram", 'Tea <b>time</b>: hot &amp; fresh <a href="https://x.example/a?b=1&amp;c=2">(link)</a>\n\n• one\n• two'),
    ("slack", "Tea *time*: hot &amp; fresh <https://x.example/a?b=1&c=2|(link)>\n\n• one\n• two"),
    ("discord", "Tea **time**: hot & fresh [(link)](https://x.example/a?b=1&c=2)\n\n• one\n• two"),
])
def test_flavors(flavor, expected):
    body = "Tea **time**: hot & fresh [(link)](https://x.example/a?b=1&c=2)\n\n- one\n- two"
    if flavor == "plain":
        body = body.replace("[(link)](https://x.example/a?b=1&c=2)", "(https://x.example/a?b=1&c=2)").replace("**time**", "time")
    assert markup.to_text(body, flavor) == expected


def test_line_starting_with_hashtag_is_not_a_heading():
    assert markup.to_text("#WinterBlend is here\nline two") == "#WinterBlend is here\nline two"
    assert markup.to_html("#WinterBlend") == "<p>#WinterBlend</p>"


@pytest.mark.parametrize("body,text", [
    ("- #Tea x\n- b", "• #Tea x\n• b"),
    ("* #Tea", "• #Tea"),
    ("+ #Tea", "• #Tea"),
    ("1. #Tea\n2. y", "1. #Tea\n2. y"),
    ("> #Tea x", "#Tea x"),
    ("- > #茶", "• #茶"),
    ("> - #Tea", "• #Tea"),
    ("- a\n    - #Tea", "• a\n  • #Tea"),
    ("- # Heading", "• Heading"),  # a space after `#`: still a heading, as the author wrote it
])
def test_hashtag_opening_a_list_item_or_quote_is_not_a_heading(body, text):
    """Markdown reads `#x` at a block's start as a heading wherever the block is: the `#` was lost."""
    assert markup.to_text(body) == text
    assert "<h1>" not in markup.to_html(body) or "Heading" in body


def test_raw_html_is_text_not_markup():
    assert markup.to_html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize("body,stripped,unclosed", [
    ("Hello <!-- x --> world", "Hello world", None),
    ("Line one\n<!-- x -->\nLine two", "Line one\nLine two", None),
    ("x\n  <!--\nmulti\nline\n-->  \ny", "x\ny", None),
    ("<!-- x --> lead", "lead", None),
    ("a<!-- x -->b", "ab", None),
    ("<!-- a --> t <!-- b -->\nz", "t\nz", None),
    ("a `<!-- code -->` b", "a `<!-- code -->` b", None),
    ("```\n<!-- fenced -->\n```\n", "```\n<!-- fenced -->\n```\n", None),
    ("one\n\n<!-- split -->\n\ntwo", "one\n\n<!-- split -->\n\ntwo", None),
    ("x <!-- never closed", "x <!-- never closed", 2),
    ("ok <!-- a --> then <!-- open", "ok then <!-- open", 19),
])
def test_strip_comments(body, stripped, unclosed):
    from smm.render.markup import strip_comments

    assert strip_comments(body) == (stripped, unclosed)


# Code is published as written: a `<` or a line's `#` inside it is neither an entity nor a backslash.
@pytest.mark.parametrize("body,plain,html", [
    ("Keep `<b>` here", "Keep <b> here", "<p>Keep <code>&lt;b&gt;</code> here</p>"),
    ("Use `a<b` now", "Use a<b now", "<p>Use <code>a&lt;b</code> now</p>"),
    ("Write `<!-- note -->` to hide", "Write <!-- note --> to hide", "<p>Write <code>&lt;!-- note --&gt;</code> to hide</p>"),
    ("```\n#include <stdio.h>\n```", "#include <stdio.h>", "<p><code>#include &lt;stdio.h&gt;</code></p>"),
    ("``a < b``", "a < b", "<p><code>a &lt; b</code></p>"),
    ("5 < 6 and `x<y`", "5 < 6 and x<y", "<p>5 &lt; 6 and <code>x&lt;y</code></p>"),
    ("#tag first\n`#x`", "#tag first\n#x", "<p>#tag first<br />\n<code>#x</code></p>"),
    ("<b>raw</b> `<i>`", "<b>raw</b> <i>", "<p>&lt;b&gt;raw&lt;/b&gt; <code>&lt;i&gt;</code></p>"),
])
def test_code_is_published_as_written(body, plain, html):
    assert markup.to_text(body) == plain
    assert markup.to_html(body) == html
    assert "&amp;lt;" not in markup.to_text(body, "telegram") and "\\#" not in markup.to_text(body, "discord")


def test_a_refused_link_is_named_as_written():
    assert markup.convert("[x](<javascript:alert(1)>) [y](java<script:z)", "plain").refused_links == \
        ("<javascript:alert(1)>", "java<script:z")
