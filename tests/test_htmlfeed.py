"""smm.render.htmlfeed reports to an HTMLParser exactly what the parser's own feed reports (issue 14)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.render import htmlfeed, markup


class Recorder(HTMLParser):
    """Every call HTMLParser makes, in order (its default handle_startendtag calls the other two)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.calls: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.calls.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.calls.append(("startend", tag, attrs))

    def handle_endtag(self, tag):
        self.calls.append(("end", tag))

    def handle_data(self, data):
        self.calls.append(("data", data))

    def handle_comment(self, data):
        self.calls.append(("comment", data))

    def handle_decl(self, decl):
        self.calls.append(("decl", decl))

    def handle_pi(self, data):
        self.calls.append(("pi", data))


def calls(text: str, fast: bool) -> list[tuple]:
    parser = Recorder()
    htmlfeed.feed(parser, text) if fast else parser.feed(text)
    parser.close()
    return parser.calls


MARKDOWN = [
    "plain *em* **strong** `code <b>` and a [link](https://example.com/?a=1&b=2 \"t\") & more",
    "# tag line\n\n- one\n- two\n\n1. a\n2. b\n\n> quote\n\n    code & <x>\n\n---\n\nend  \nbreak",
    "![alt \"q\"](https://example.com/i.png) <https://example.com> <mail@example.com> a < b > c &amp; &copy; &#169;",
    "中文 **强调** 和 [链接](https://例子.网址/路径?q=值) ☕ 👩‍👩‍👧",
    "Footnote[^1]\n\n[^1]: the note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nfenced <x> & y\n```",
]

HTML = [
    "", "text only", "text & more", "ends with an entity &amp", "ends &amp; fine", "x &copy y",
    '<p class="a" id=\'b\'>single quotes</p>', "<a href=x>unquoted</a>", '<a href="a"title="b">glued</a>',
    "<br/><br /><hr>", '<img src="a.png" alt="A &amp; B"/>', '<input disabled checked="">',
    "<!-- a comment --><p>x</p>", "<!DOCTYPE html><p>x</p>", "<?pi x?>", "a < b and c <3", "<p>unclosed <b",
    "<script>if (a < b) { x = '<a href=\"j\">' }</script><p>after</p>", "<style>p > a { }</style>",
    "<title>T &amp; <b></title>", "<textarea><a href=\"x\"></textarea>", "<P CLASS=\"Up\">Upper</P>",
    "</p >", "< p>", '<a href="x" >spaced</a>', '<a href="&quot;&lt;&#x41;">e</a>', '<a href="">empty</a>',
    "<a\nhref=\"x\"\n>newlines</a>", "<p>a\r\nb</p>", "<p>x</p>\n&", "<p>x</p>&amp;", "<p>x</p>tail&",
    '<div data-x="1" aria-label="l" xml:lang="en">attrs</div>', "<a href=\"x\u00a0\">nbsp</a>",
    '<p title="a > b">gt in a value</p>', "<p>&#0; &#x110000; &bogus; &amp</p>",
]


@pytest.mark.parametrize("text", HTML + [markup.to_html(m) for m in MARKDOWN]
                         + [markup.convert(m, "article").text for m in MARKDOWN])
def test_fast_feed_reports_what_html_parser_reports(text):
    assert calls(text, fast=True) == calls(text, fast=False)


@pytest.mark.parametrize("text", [markup.to_html(m) for m in MARKDOWN] + ["<p>a &amp; b</p>", '<a href="x">y</a>z'])
def test_plain_html_takes_the_fast_way(text):
    """Markdown's HTML is what the fast way reads; the table above proves it reads it right."""
    assert htmlfeed._events(text) is not None


PIECES = ["<p>", "</p>", "<a href=\"https://x.example/?a=1&amp;b=2\">", "</a>", "<br />", "<img src=\"i.png\" alt=\"\"/>",
          "<b>", "</B>", "<em class=x>", "text", " ", "\n", "&amp;", "&lt;", "&", "&#39;", "<", ">", "<!--", "-->",
          "<script>", "</script>", "中文", "☕", "\"", "=", "<p title=\"a\"", "<!x>", "</", "&copy", ";"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_fast_feed_agrees_on_any_mix(text):
    assert calls(text, fast=True) == calls(text, fast=False)


class Refusing(Recorder):
    """A parser that shows a start tag not named `allowed` as html.parser wrote it (as the preview's allow-list
    does): that text is only html.parser's own, so the fast way must leave such HTML to it."""

    allowed = frozenset({"p", "a", "br", "b", "em", "img"})

    def handle_starttag(self, tag, attrs):
        self.calls.append(("start", tag, attrs) if tag in self.allowed else ("raw", self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):
        self.calls.append(("startend", tag, attrs) if tag in self.allowed else ("raw", self.get_starttag_text()))


def refusing_calls(text: str, fast: bool) -> list[tuple]:
    parser = Refusing()
    htmlfeed.feed(parser, text, Refusing.allowed) if fast else parser.feed(text)
    parser.close()
    return parser.calls


def start_names(text: str) -> set[str]:
    return {c[1] for c in calls(text, fast=False) if c[0] in ("start", "startend")}


@pytest.mark.parametrize("text", HTML + [markup.to_html(m) for m in MARKDOWN] + ["<p>a <em class=x>b</em></p>", "<P>x<BR/>"])
def test_fast_feed_for_named_tags_only_reports_what_html_parser_reports(text):
    assert refusing_calls(text, fast=True) == refusing_calls(text, fast=False)
    fast = htmlfeed._events(text, Refusing.allowed) is not None
    assert fast == (htmlfeed._events(text) is not None and start_names(text) <= Refusing.allowed)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_fast_feed_for_named_tags_agrees_on_any_mix(text):
    assert refusing_calls(text, fast=True) == refusing_calls(text, fast=False)


LINKED = frozenset({"a", "img"})
LINK_PIECES = PIECES + ["<A HREF=\"up\">", "<img src=x>", "<img/>", "<a>", "<a href>", "<IMG SRC=\"u\" />", "<area href=\"n\">",
                        "<style>", "</style>", "<title>", "<textarea>"]


def parser_start_tags(text: str, names: frozenset) -> list[tuple]:
    """Start tags named one of `names` as HTMLParser itself reports them (a self-closing one too)."""
    return [(tag, attrs) for kind, tag, attrs in (c for c in calls(text, fast=False) if c[0] in ("start", "startend"))
            if tag in names]


@pytest.mark.parametrize("text", HTML + [markup.to_html(m) for m in MARKDOWN] + [markup.convert(m, "article").text for m in MARKDOWN])
def test_start_tags_are_those_html_parser_reports(text):
    found = htmlfeed.start_tags(text, LINKED)
    assert found == parser_start_tags(text, LINKED) if htmlfeed._events(text) is not None else found in (None, parser_start_tags(text, LINKED))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=25).map("".join))
def test_start_tags_agree_on_any_mix(text):
    found = htmlfeed.start_tags(text, LINKED)
    assert found is None or found == parser_start_tags(text, LINKED)
    assert found is not None or htmlfeed._events(text) is None  # what the fast feed reads, this reads too


class StartTags(HTMLParser):
    """The start tags of some names a parser is given (as smm's link and image finders read them)."""

    def __init__(self, names) -> None:
        super().__init__(convert_charrefs=True)
        self.names, self.seen = names, []

    def handle_starttag(self, tag, attrs):
        if tag in self.names:
            self.seen.append((tag, attrs))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=25).map("".join), st.sampled_from([LINKED, frozenset({"img"})]))
def test_a_start_tag_reader_is_given_what_html_parser_gives_it(text, names):
    fast, plain = StartTags(names), StartTags(names)
    htmlfeed.feed_start_tags(fast, text, names)
    plain.feed(text)
    plain.close()
    assert fast.seen == plain.seen
