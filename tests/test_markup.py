"""Markdown → network flavors; the plain-text fast path must equal the full conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from smm import markup

PLAIN_TEXT = st.lists(
    st.sampled_from(["tea", "茶", "乌龙。", "Hi!", "&", "a.b", "😀", "\n", "\n\n", " ", "#Tea", "x#y", "100%", "'q'"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXT, st.sampled_from(markup.FLAVORS))
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
    from smm.markup import strip_comments

    assert strip_comments(body) == (stripped, unclosed)
