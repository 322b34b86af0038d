"""Scans made cheaper for rendering (issue 14) find what the plain scans find: each fast pattern, test
or shortcut against what it replaces (kept here as the oracle), on tables and generated texts."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smm.content import links, tokens
from smm.content.post import Post, for_account
from smm.platforms import bluesky_text
from smm.platforms.meta_threads import _EMOJI, Threads
from smm.platforms.x import X
from smm.render import article, cards, counting, htmlfeed, markup, split

# Pieces around which the patterns differ: the characters each one looks for or back at, every kind of
# white space, CJK and its punctuation, marks that join, emoji parts, case folds of [a-z], a lone surrogate.
PIECES = ["a", "Z", "9", "_", "tea", "the.", "e.g.", "3.5", "#", "＃", "&", "&#39;", "@", "$", "(", ")", ".", ",", ":",
          "://", "http://", "https://", "HTTPS://", "(@", "@b.test", "a.b", "x.example", "cloudleaf.example/a?b=c#d", "-", "…", "!", "?",
          "中", "乌龙茶", "。", "！", "？", "か", "カ", " ", "\n", "\n\n", "\t", "\r", "\r\n", "\x0b", "\x1c", "\x85", "\xa0",
          "\u1680", "\u2003", "\u2028", "\u202f", "\u3000", "\ufeff", "\u200b", "e\u0301", "\u0301", "क्षि", "\u094d",
          "\u0600", "각", "\u1100\u1161", "☕", "🍵", "👍🏽", "🇨🇳", "🇯", "1️⃣", "©️", "\u200d", "\u20e3", "\ufe0f",
          "\U000e0067", "🏴\U000e0067\U000e0062\U000e007f", "\U0001f3fb", "\u212a", "\u017f", "\u0130", "\u0131", "\ud800"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
TABLE = ["", "#tag", "a#b #c ##d &#e (#f) #中文 ＃g", "@alice.bsky.social hi (@bob.test) x@carol.test @",
         "see https://cloudleaf.example/a. and e.g. x.example/path(1) or (a.b", "Done. Next!  Then… 好。对！吗？",
         "乌龙茶 tea 新茶上市。Ok", "e\u0301 👩‍👩‍👧 1️⃣ 🇨🇳 क्षि \r\n", "\u3000(https://a.example)\u3000b.example\u2028c.io"]

OLD_HASHTAG = re.compile(rf"(?<!{tokens.NOT_BEFORE_HASHTAG})#\w+")
OLD_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")
OLD_WORD_BREAK = regex.compile(r"(?<=\s)(?=\S)|(?<=[\p{Han}\p{Hiragana}\p{Katakana}])(?=\S)"
                               r"|(?<=\S)(?=[\p{Han}\p{Hiragana}\p{Katakana}])")
OLD_PARAGRAPH = re.compile(r"(?<=\n\n)")
OLD_MENTION = re.compile(rf"(?P<lead>^|[{bluesky_text._JS_SPACE}(])(@([a-zA-Z0-9.-]+))(?a:\b)")
OLD_NEEDS_MARKDOWN = re.compile(r"[*_`\[\]<>\\\x00\x02\x03\ufdd0\ufdd1]|^\s*(?:[-+]|\d+[.)])\s|^\s*>|^ {4}|^\s*#"
                                r"|^ *[-=][-= ]*$|&(?:#|\w+;)|[^\S \n]", re.MULTILINE)


def same_scans(text: str) -> None:
    assert [m.span() for m in tokens.HASHTAG.finditer(text)] == [m.span() for m in OLD_HASHTAG.finditer(text)]
    for new, old in ((split._SENTENCE_END, OLD_SENTENCE_END), (split._WORD_BREAK, OLD_WORD_BREAK)):
        assert [m.end() for m in new.finditer(text)] == [m.end() for m in old.finditer(text)]  # split cuts at the ends
    assert [(m.span(), m.groups()) for m in bluesky_text._link_matches(text)] == \
        [(m.span(), m.groups()) for m in bluesky_text._LINK.finditer(text)]
    assert [(m.span(), m.group(1)) for m in bluesky_text._MENTION.finditer(text)] == \
        [(m.span(2), m.group(3)) for m in OLD_MENTION.finditer(text)]
    assert split._paragraphs(text) == [p for p in OLD_PARAGRAPH.split(text) if p]
    assert markup.needs_markdown(text) == (OLD_NEEDS_MARKDOWN.search(text) is not None)
    assert counting.may_join(text) == (counting._UNSAFE_RUN.search(text) is not None)
    assert counting._may_hold_emoji_sequence(text) == (counting._X_EMOJI_HINT.search(text) is not None)
    if not text.isascii():  # graphemes() as it counts where code points may join
        after_linker, gb9c = counting._linker_joins(text)
        assert counting.graphemes(text) == counting._regex_graphemes(text) + after_linker - gb9c


@pytest.mark.parametrize("text", TABLE)
def test_fast_scans_find_what_the_plain_ones_find(text):
    same_scans(text)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_fast_scans_find_what_the_plain_ones_find_in_generated_text(text):
    same_scans(text)


# Each way a body needs Markdown (markup.needs_markdown), alone in otherwise plain text, and its near misses.
MARKDOWN_LINES = ["- tea", "+ tea", "* tea", "1. tea", "12) tea", "1.tea", "-tea", "> quote", ">", "    code", "   x",
                  "# title", "#title", "  #", "---", "===", " - = -", "-- x", "a*b", "a_b", "`c`", "[a]", "<b>", "a\\b",
                  "&amp;", "&#39;", "& b", "&amp", "a\tb", "a\rb", "a\u3000b", "a\xa0b", "\x02", "\ufdd0", "tea. Next", "乌龙茶"]


@pytest.mark.parametrize("line", MARKDOWN_LINES)
@pytest.mark.parametrize("around", [("", ""), ("plain words\n", "\nmore words"), ("中文\n\n", "")])
def test_needs_markdown_as_the_one_pattern_it_replaces(line, around):
    text = around[0] + line + around[1]
    assert markup.needs_markdown(text) == (OLD_NEEDS_MARKDOWN.search(text) is not None)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_LINES + ["\n", "\n\n", " ", "tea"]), max_size=12).map("".join))
def test_needs_markdown_as_the_one_pattern_on_any_mix_of_lines(text):
    assert markup.needs_markdown(text) == (OLD_NEEDS_MARKDOWN.search(text) is not None)


@pytest.mark.parametrize(("text", "problems"), [
    ("", ["X refuses an empty post"]), ("tea", []), ("tea\ufeff", ["X refuses text containing U+FEFF"]),
    ("\uffffa\ufeff\ufffe\uffff", ["X refuses text containing U+FEFF, U+FFFE, U+FFFF"]),
    ("\ufffe\ufffe", ["X refuses text containing U+FFFE"]),
])
def test_x_names_each_character_it_refuses_once_in_order(text, problems):
    assert X.extra_problems(text) == problems


def plain_leaves_safely(target: str) -> bool:
    """links.leaves_safely as it was: three decodings, the edges trimmed with a string made each time."""
    seen = target
    for _ in range(3):
        seen = html.unescape(seen)
    seen = re.sub(r"[\t\n\r]", "", seen).strip("".join(map(chr, range(0x21))))
    return bool(links._LEAVES.match(target.strip())) and bool(links._LEAVES.match(seen))


LINK_PIECES = ["https://", "http:", "HTTP://", "mailto:", "javascript:", "data:", "&amp;", "&#x6A;", "&#x53;", "&#",
               "&#x20;", "&amp;#x20;", "&amp;#9;", "&#10;", "&amp;amp;#x20;",
               "&amp;#x3a;", "&colon;", "&", ";", "\t", "\n", "\r", "\x01", "\x20", "\x7f", " ", "a", "x.example", "/",
               "?", "#", ":", "=", "+", "%41", "中", "\u3000", "\xa0"]
QUERY_PIECES = ["utm_source", "x", "a b", "&", "=", "%", "+", "~", "-", "_", ".", ":/@!$'()*+,;", "中", "é", "\n", "\"", ""]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=12).map("".join))
def test_a_link_leaves_safely_as_before(target):
    assert links.leaves_safely(target) == plain_leaves_safely(target)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(*[st.lists(st.sampled_from(QUERY_PIECES), max_size=4).map("".join)] * 2), max_size=4))
def test_a_tagged_query_is_encoded_as_urlencode_encodes_it(query):
    assert links._encoded(query) == urlencode(query, safe=links._QUERY_SAFE)


OLD_X_HEAVY = re.compile("[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")  # weight 2 in X's count
WEIGHT_EDGES = st.lists(st.sampled_from(["a", "é", "\x00", "\u10ff", "\u1100", "\u1fff", "\u2000", "\u200d", "\u200e",
                                          "\u200f", "\u2010", "\u201c", "\u201f", "\u2020", "\u2026", "\u2031", "\u2032",
                                          "\u2037", "\u2038", "\u20ff", "\u2100", "\u3000", "中", "\ud800", "\udfff",
                                          "\ue000", "\uffff", "\U00010000", "😀", "\U0010ffff"]), max_size=16).map("".join)


@settings(max_examples=800, deadline=None)
@given(WEIGHT_EDGES)
def test_x_weighs_plain_text_as_its_pattern_does(text):
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert counting._x_plain(text, start, end) == end - start + sum(map(len, OLD_X_HEAVY.findall(text, start, end)))


def plain_threads_length(text: str) -> int:
    """Threads.length with its emoji looked for by _EMOJI alone."""
    count = counting.graphemes(text)
    if text.isascii() or not _EMOJI.search(text):
        return count
    return count + sum(len(g.encode("utf-8")) - 1 for g in counting.clusters_holding(text, _EMOJI))


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_threads_counts_as_when_it_looked_for_emoji_by_their_pattern(text):
    assert outcome(Threads.length, text) == outcome(plain_threads_length, text)


def outcome(count, text: str):
    """What `count` gives for text, or the kind of error it raises (a lone surrogate cannot be encoded)."""
    try:
        return count(text)
    except UnicodeEncodeError as exc:
        return type(exc)


def plain_strip(markup: str) -> str:
    """article's last pass as HTMLParser makes it: every class, id and on* attribute out."""
    stripped = article._Strip()
    htmlfeed.feed(stripped, markup)
    return stripped.result()


HTML_PIECES = ["<p>", "</p>", "<P>", '<p class="x" style="a: b;">', '<section class="smm-article" id="top">', "</section>",
               '<a href="https://x.example/?a=1&amp;b=2">', "</a>", '<img src="content/media/a.png" alt="">', "<br>",
               "</br>", "<br/>", "<hr>", '<td colspan="2" onclick="go()">', "<input checked>", '<code style="color: #07c160;">',
               "<script>", "</script>", "<style>", "<textarea>", "<!-- c -->", "<!DOCTYPE html>", "tea", "乌龙茶", " ", "\n",
               "&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#39;", "&copy;", "&", "&amp", "<", ">", '"', "'", "a>b", "\xa0",
               '<a title="x>y">', '<a title="&quot;q&quot;">', '<a title="1 &lt; 2 &amp; 3">', "<a title=x>", "<1>", "< p>"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=25).map("".join))
def test_an_articles_classes_go_as_the_parser_takes_them_out(markup):
    fast = article._without_classes(markup)
    assert fast is None or fast == plain_strip(markup)


@pytest.mark.parametrize("markup", [
    "<p>tea</p>", '<p>see <a href="https://x.example/a?b=1&amp;c=2">this</a> &amp; <code>x &lt; y</code></p>',
    "<pre><code>a  b\n  c</code></pre>", "<table><tr><th>a</th><td>b &nbsp; c</td></tr></table>",
    '<p><img src="content/media/a.png" alt="a &quot;b&quot;"></p><hr><p>end<sup id="fnref:1"><a class="footnote-ref" '
    'href="#fn:1">1</a></sup></p><div class="footnote"><ol><li id="fn:1"><p>note</p></li></ol></div>',
    '<p><a href="https://mp.weixin.qq.com/s/x">kept</a> <script>alert(1)</script> <b onclick="x()">b</b></p>',
])
def test_an_article_is_built_as_the_parser_builds_it(markup, monkeypatch):
    theme = article.theme_of(None)
    fast = article.build(markup, theme)
    monkeypatch.setattr(article, "_without_classes", lambda inlined: None)
    assert fast == article.build(markup, theme)


@pytest.mark.parametrize("meta", [
    {}, {"hashtags": ["Tea", "+winter"], "media": [{"file": "a.png"}], "link": "https://x.example"},
    {"hashtags": ["Tea"], "overrides": {"x": {"text": "Own", "hashtags": [], "media": []}, "bluesky": {"link": "https://b.example"}}},
    {"overrides": {"x": "not a mapping", "mastodon": {"text": ""}}, "link": "<!-- c -->https://x.example"},
])
def test_an_accounts_view_is_made_once_as_the_fields_give_it(meta):
    post = Post("content/p.md", "p", meta, "Body", 5, None)
    for account in ("x", "bluesky", "mastodon", "feed"):
        view = post.for_account(account)
        assert view == for_account(meta, "Body", account) and post.for_account(account) is view


def old_facets(text: str, links=()) -> list[dict]:
    """bluesky_text.facets as it was: each link blanked by slicing the whole text, each byte offset
    from the text's start (both quadratic in the links: 30,000 took 9 s)."""
    found = [(start, end, "link", {"uri": uri}) for start, end, uri in links or bluesky_text.links_in(text)]
    blanked = text
    for start, end, _, _ in found:
        blanked = blanked[:start] + "\u200b" * (end - start) + blanked[end:]
    for m in bluesky_text._MENTION.finditer(blanked) if "@" in blanked else ():
        if bluesky_text._valid_domain(m.group(1)) or m.group(1).endswith(".test"):
            found.append((m.start(), m.end(), "mention", {"handle": m.group(1)}))
    for m in bluesky_text._TAG.finditer(blanked):
        tag = bluesky_text._TRAILING_PUNCTUATION.sub("", m.group(1))
        if tag and counting.graphemes(tag) <= 64:
            found.append((m.start(), m.start(1) + len(tag), "tag", {"tag": tag}))
    for m in bluesky_text._CASHTAG.finditer(blanked) if "$" in blanked else ():
        found.append((m.start(2), m.end(2), "tag", {"tag": "$" + m.group(3).upper()}))
    made = []
    for start, end, kind, feature in bluesky_text._apart(sorted(found, key=lambda span: span[0])):
        before = len(text[:start].encode("utf-8"))
        made.append({"index": {"byteStart": before, "byteEnd": before + len(text[start:end].encode("utf-8"))},
                     "features": [{"$type": f"app.bsky.richtext.facet#{kind}", **feature}]})
    return made


FACET_PIECES = PIECES + ["#茶https://a.example/x", "$TEA", " $tea.", "见https://例子.中国/茶", "@a.bsky.social"]


@pytest.mark.parametrize("text", TABLE + ["#茶https://a.example/x #b https://b.example/#c @d.test $TEA", "🍵#a https://x.io 中@e.test"])
def test_bluesky_facets_as_when_each_link_was_blanked_alone(text):
    assert bluesky_text.facets(text) == old_facets(text)
    shown, links_shown = bluesky_text.shorten_links(text)
    assert bluesky_text.facets(shown, links_shown) == old_facets(shown, links_shown)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FACET_PIECES), max_size=40).map("".join))
def test_bluesky_facets_as_when_each_link_was_blanked_alone_in_generated_text(text):
    try:
        expected = old_facets(text)
    except UnicodeEncodeError:  # a lone surrogate before a facet: neither can give its byte offset
        with pytest.raises(UnicodeEncodeError):
            bluesky_text.facets(text)
        return
    assert bluesky_text.facets(text) == expected


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES[:-1]), max_size=30).map("".join), st.lists(st.integers(-200, 200) | st.booleans(), max_size=12))
def test_a_facets_byte_offset_is_the_characters_decoding_the_bytes_before_it_counts(text, offsets):
    """The preview cards place a Bluesky facet (UTF-8 byte offsets, maybe mid-character, negative or
    past the end in a record) where decoding the bytes before it (errors ignored) ends, as they did."""
    data, chars_before = text.encode("utf-8"), cards._chars_before(text)
    assert [chars_before(offset) for offset in offsets] == [len(data[:offset].decode("utf-8", "ignore")) for offset in offsets]


@settings(max_examples=1000, deadline=None)
@given(st.text("ab.中 ", max_size=60), st.text("ab.中 ", min_size=1, max_size=5), st.floats(0, 1))
def test_a_problem_is_placed_at_the_occurrence_the_plain_search_chose(text, piece, near):
    """rendered._nearest: of the occurrences _occurrences lists (left to right, not overlapping), the first
    nearest the target, as min() over them all gave it (pieces that overlap themselves, "aa", "a.a", included)."""
    from smm.render.rendered import _nearest, _occurrences

    target = near * len(text)
    found = list(_occurrences(piece, text))
    assert _nearest(piece, text, target) == (min(found, key=lambda i: abs(i - target)) if found else -1)
