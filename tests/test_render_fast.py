"""The shortcuts in rendering and thread splitting find what the plain way finds (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import regex
from conftest import post_text
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from smm.render import htmlfeed, markup, quickmark, split, templating
from smm.render.rendered import Renderer, _occurrences
from smm.check.diagnostics import Diagnostic
from smm.platforms import platform_class
from smm.render.templating import Templates
from smm.workspace.repo import load_repo

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


# -- paragraphs with no Markdown in them: written without it --------------------------------------------

PARAGRAPH_BODIES = [
    "plain words\n\n**bold** words\n\nmore plain\nover two lines", "- a\n- b\n\nplain after a list\n\n- c",
    "> quote\n\nplain\n\n    code", "Title\n=====\n\nplain\n\nSub\n---\n\n---\n\n- - -", "a\n\n---", "x\n=",
    "tab\tin text", "plain\r\nwith CR\rold mac", "x\x02y\x03", "AT&T &copy; &#169; &#xA9; &#1. &#x41 x", "plain & more &amp",
    "   \nplain after a space line\n  \n\nend  ", "中文段落。\n\n#标签 开头", "　全角空格开头\n\n末尾全角空格　",
    "a\u2028b\n\nc\x0cd\n\ne\xa0f\n\n\x1c", "1. one\n\n2) two\n\n+ plus", "<https://example.com> plain", "\\*escaped",
    "", "\n\n\n", "plain only\n\nand more plain", "  lead\n  inner  \ntrail  \n\n\n\nnext", "１. 全角\n\n—— dash",
    "https://example.com/a?b=1&utm_source=x&utm_medium=social", "@a@b.c #tag ☕ e\u0301", "Hello\n--",
    "Our menu\n- - -\nTea", "a &amp; b", "AT&T; rocks", "x  \ny", "1986 was a year", "line\u3000\nnext", "end\xa0",
]
PARAGRAPH_PIECES = ["plain words", "中文", " ", "  ", "    ", "\t", "\n", "\n\n", "\n\n\n", "\n \n", "\r\n", "\r", "*",
                    "_", "`", "[", "]", "(", ")", "<", ">", "> ", "- ", "+ ", "1. ", "2) ", "1.", "#", "#tag", "\\", "&", "&copy;",
                    "&copy", "&#65;", "&#1", "&#x4", "---", "===", "-", "=", "- - -", "\x02", "\u3000", "\xa0", "\x0c",
                    "\u2028", "https://x.example/?a=1&b=2", "@me", "!"]
FLAVORS = ["html", "plain", "telegram", "slack", "discord"]


def through_markdown(body: str, flavor: str) -> str:
    """A flavor as Markdown (and for text the HTML walker) makes it."""
    return markup._through_markdown(body, flavor).text


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("body", PARAGRAPH_BODIES)
def test_paragraphs_without_markdown_as_markdown_writes_them(flavor, body):
    assert markup.convert(body, flavor).text == through_markdown(body, flavor)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PARAGRAPH_PIECES), max_size=30).map("".join), st.sampled_from(FLAVORS))
def test_paragraphs_without_markdown_agree_on_any_mix(body, flavor):
    assert markup.convert(body, flavor).text == through_markdown(body, flavor)


def article_through_markdown(body: str) -> markup.Rendering:
    """An article's conversion the plain way: comments out, then Python-Markdown with the article's extensions
    where it has their syntax (else the HTML flavor's own), no shortcut."""
    return markup._through_markdown(markup.strip_comments(body)[0], "article")


@pytest.mark.parametrize("body", ARTICLE_BODIES + PARAGRAPH_BODIES + ["a <!-- x --> b", "<!<!-- x -->-- y --> z", "`a`"])
def test_an_article_converted_as_html_is_what_markdown_makes_of_it(body):
    assert markup.convert(body, "article") == article_through_markdown(body)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(ARTICLE_PIECES + PARAGRAPH_PIECES + ["<!--", "-->", "**", "[a](https://x.example)"]),
                max_size=30).map("".join))
def test_an_article_converted_as_html_agrees_on_any_mix(body):
    assert markup.convert(body, "article") == article_through_markdown(body)


# -- smm's own templates, run without the budget a brand's template runs under ----------------------------

TEMPLATE_TEXTS = ["", "plain", "<p>a &amp; b</p>", "a < b & \"c\" 'd'", "中文 #标签", "line\n\nline  "]
LINKS = [None, "", "https://example.com/a?b=1&c=2", "https://example.com/\"'<>", "mailto:a@b.c"]
HASHTAG_LISTS = [[], ["#Tea"], ["#Tea", "#茶", "#a&b", "#<x>", "#\"q\""], ["#" + "t" * 600_000, "#" + "u" * 600_000]]


@pytest.mark.parametrize("platform", ["mastodon", "feed", "wechat", "telegram"])  # default.j2, html.j2, article.j2; escaped
@pytest.mark.parametrize("text", TEMPLATE_TEXTS)
@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("hashtags", HASHTAG_LISTS)
@pytest.mark.parametrize("placement", ["end", "last-line"])
def test_own_templates_make_what_they_make_under_the_budget(platform, text, link, hashtags, placement):
    templates, kind = Templates(Path("/nonexistent")), platform_class(platform)
    escaped = kind.markup in ("html", "article")
    context = {"text": Markup(text) if escaped else text, "link": link, "hashtags": hashtags, "hashtag_placement": placement,
               "title": "T", "account": "a", "platform": platform}
    try:
        budgeted = templating._run(templates.get(kind), context, len(text) + templating.TEMPLATE_OUTPUT_LIMIT)
    except templating._OverBudget:  # over the limit: the diagnostic a brand's template would get
        budgeted = "template.too-large"
    made = templates.render(kind, context, len(text), "content/p.md")
    assert (made.rule if isinstance(made, Diagnostic) else made) == budgeted


TEMPLATE_PIECES = ["a", " ", "\n", "&", "<", ">", "\"", "'", "#", "中", "&amp;", "<p>", "https://x.example/?a=1&b=2"]
template_strings = st.lists(st.sampled_from(TEMPLATE_PIECES), max_size=8).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["mastodon", "feed", "wechat", "telegram", "linkedin"]), template_strings,
       st.none() | template_strings, st.lists(template_strings, max_size=3),
       st.sampled_from(["end", "last-line", "first", ""]))
def test_own_templates_written_in_python_make_what_jinja_makes(platform, text, link, hashtags, placement):
    templates, kind = Templates(Path("/nonexistent")), platform_class(platform)
    escaped = kind.markup in templating.HTML_FLAVORS
    context = {"text": Markup(text) if escaped else text, "link": link, "hashtags": hashtags, "hashtag_placement": placement,
               "title": "T", "account": "a", "platform": platform}
    template = templates.get(kind)
    assert template.name in templating._OWN
    assert templates.render(kind, context, len(text), "content/p.md") == templating._run(template, context, 10**6)


@pytest.mark.parametrize("own, shown", [
    ("{{ text }} (brand)", "Hello (brand)"), ("{{ post.pillar }}: {{ text }}", "tips: Hello"),  # a brand's default.j2 wins
])
def test_a_brand_template_of_the_same_name_is_run_by_jinja(make_repo, own, shown):
    root = make_repo({"p.md": post_text("Hello", platforms="[mastodon]", pillar="tips")},
                     files={"brand/templates/default.j2": own})
    repo = load_repo(root)
    assert Renderer(root, repo.config, repo.brand).render(repo.posts[0], "mastodon").text == shown


# -- the common subset read without Python-Markdown (smm/render/quickmark.py) ---------------------------

def plain_way(body: str, flavor: str) -> markup.Rendering:
    """A flavor of a body as Python-Markdown (and for text the HTML walker) makes it."""
    return markup._through_markdown(markup.strip_comments(body)[0], flavor)


QUICK_BODIES = [  # (body, whether it is read without Python-Markdown)
    ("Tea **leaf** and *sip* with `code` and [a guide](https://x.example/g?a=1&b=2) 🍵 中文。", True),
    ("line one\nline two **b**\n#tag starts a line\n\n- one\n- **two** [t](https://x.example)\n\npara", True),
    ("1. one\n2. two\n\n3. three", True), ("3. three\n4. four", True), ("01. leading zero", True),
    ("- a\n- b\n\n- c\n- d\n\n\n- e", True), ("- a\n\n1. b\n\n- c", True), ("1. a\n\n1. b", True),
    ("utm_source=x&utm_medium=y https://x.example/?a_b=1&c=2 snake_case a__b", True),
    ("a > b & c \"q\" 'q' (p) ! ~~s~~ | x ^ y", True), ("**a**b**c** *d*e*f*", True), ("`a*b` `[x]` `>` `a_b`", True),
    ("a **b** c\n**d** e\n*f*", True), ("[t](https://x.example)(y) [u](http://y.example/a_b)", True), ("[u](http://y.example/_a_)", False),
    ("emoji 👩‍🌾 and 🇯🇵 e\u0301 and zero\u200bwidth", True), ("中文**强调**中文`代码`中文[链接](https://例子.网址/路径)", True),
    ("", True), ("\n\n", True), ("para\n\n\n\npara", True), ("\n\nleading and trailing\n\n", True),
    ("para\n\n- a list after a blank line\n- b", True), ("a <!-- note --> **b**\n\n<!-- a whole line -->\n\nc", True),
    ("- **bold item**\n- *em item*\n- `code item`\n- [link item](https://x.example)", True),
    # each of these has something the subset leaves to Python-Markdown
    ("para\n- item right after it", False), ("- item\nlazy line", False), ("- a\n    - nested", False),
    ("- a\n  - nested", False), ("1. a\n- b", False), ("* star item", False), ("+ plus item", False),
    ("- #tag in an item", False), ("- - -", False), ("---", False), ("***", False), ("Title\n=====", False),
    ("Title\n---", False), ("# heading", False), ("## heading", False), ("> quote", False), ("    code", False),
    ("trailing  \nbreak", False), (" lead space", False), ("tab\there", False), ("cr\r\nlf", False),
    ("*a**b*", False), ("**a*", False), ("***a***", False), ("** a**", False), ("*a *", False), ("a * b", False),
    ("_em_", False), ("__strong__", False), ("a _b_ c", False), ("x_ y", False), ("\\*escaped\\*", False),
    ("&amp; &copy; &#169;", False), ("a < b", False), ("<https://x.example>", False), ("<b>raw</b>", False),
    ("[t](https://x.example \"title\")", False), ("[t](https://x.example/(p))", False), ("[t](<https://x.example>)", False),
    ("[a [b] c](https://x.example)", False), ("[t]( https://x.example)", False), ("[t](javascript:alert(1))", False),
    ("[t](content/other.md)", False), ("[t][ref]\n\n[ref]: https://x.example", False), ("![alt](https://x.example/i.png)", False),
    ("[*t*](https://x.example)", False), ("[`t`](https://x.example)", False), ("[ t ](https://x.example)", False),
    ("`` double `` ticks", False), ("` a `", False), ("`unclosed", False), ("x`y\nz`", False),
    ("1) paren list", False), ("1.5 litres", False), ("12.\tx", False), ("a\u3000b", False), ("a\xa0b", False),
    ("a\u2028b", False), ("\x02stx", False), ("\ufdd0", False), ("**a\nb**", False), ("[a\nb](https://x.example)", False),
    ("[t](HTTPS://x.example)", False), ("[t](https:///x)", False), ("[t](mailto:a@b.c)", False), ("x\n\n  \n\ny", False),
]


@pytest.mark.parametrize("body, quick", QUICK_BODIES)
def test_common_markdown_is_read_as_python_markdown_reads_it(body, quick):
    found = quickmark.events(markup.strip_comments(body)[0])
    assert (found is not None) == quick
    for flavor in markup.FLAVORS:
        assert markup.convert(body, flavor) == plain_way(body, flavor), flavor


LINE_STARTS = ["", "", "", "- ", "- ", "1. ", "2. ", "10. ", "01. ", "* ", "+ ", "> ", "# ", "#tag ", "## ", " ", "  ",
               "    ", "  - ", "    - ", "\t", "---", "===", "- - -", "1) ", "1.", "-", "***", "___", "[r]: https://x.example"]
INLINE = ["tea", "leaf", "中文", "。", "☕", "👩‍🌾", " ", " ", "  ", "**bold**", "*em*", "**中文**", "`code`", "`a*b_c`",
          "[a guide](https://x.example/g?a=1&b=2)", "[t](https://x.example/p_q)", "https://x.example/a_b?c=1&d=2", "#tag",
          "@me", "a_b", "_", "__", "*", "**", "***", "`", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&copy", "\\", "!",
          "![i](https://x.example/i.png)", "[t](javascript:x)", "[t](https://x.example \"title\")", "[t](<https://x.example>)",
          "[t](https://x.example/(y))", "[t]", "\t", "\u3000", "\xa0", "\"", "'", "~~", ":", "1.", "<!-- note -->", "*a**b*",
          "**a**b", "_a_", "\r"]
BREAKS = ["\n", "\n", "\n\n", "\n\n", "\n\n\n", "  \n", " \n", "\n \n"]


def bodies_of_lines():
    """Bodies of lines, each a line start and inline pieces, with every kind of line break between."""
    line = st.tuples(st.sampled_from(LINE_STARTS), st.lists(st.sampled_from(INLINE), max_size=8).map("".join))
    return st.lists(st.tuples(line, st.sampled_from(BREAKS)), max_size=8).map(
        lambda lines: "".join(start + text + brk for (start, text), brk in lines))


def assert_quick_as_python_markdown(body: str) -> None:
    found = quickmark.events(body)
    if found is not None:  # the HTML parser's events and the HTML themselves, and nothing refused
        made, refused = markup._renderer.html(body)
        assert (quickmark.to_html(found), ()) == (made, refused)
        assert found == (htmlfeed._events(made) or [])
    for flavor in markup.FLAVORS:
        assert markup.convert(body, flavor) == plain_way(body, flavor), flavor


@settings(max_examples=600, deadline=None)
@given(bodies_of_lines())
def test_quick_markdown_agrees_on_any_mix_of_lines(body):
    assert_quick_as_python_markdown(body)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(INLINE + LINE_STARTS + BREAKS), max_size=30).map("".join))
def test_quick_markdown_agrees_on_any_mix_of_pieces(body):
    assert_quick_as_python_markdown(body)


SUBSET = ["tea", "Leaf", "中文", "。", "！", "☕", "👩‍🌾", "🇯🇵", "**bold**", "*em*", "**中文**", "`code`", "`a*b`", "#tag", "#标签",
          "[a guide](https://x.example/g?a=1&b=2)", "[链接](https://例子.网址/路径)", "https://x.example/a_b?c=1&d=2", "@me",
          "a_b", ">", "&", "(", ")", "!", "\"", "'", ":", "1.", "-", "=", "+", "#", "~", "1986"]


def subset_bodies():
    """Paragraphs and `-`/`1.` lists of mostly the subset's own pieces, some from anywhere (then most go to
    Python-Markdown), between blank lines: about half are read without Python-Markdown."""
    first = st.sampled_from(["tea", "中文", "☕", "**bold**", "*em*", "`code`", "[a guide](https://x.example)"])
    text = st.tuples(first, st.lists(st.sampled_from(SUBSET * 40 + INLINE), max_size=8)).map(
        lambda t: " ".join([t[0], *t[1]]).strip())
    lines = st.lists(text, min_size=1, max_size=4)
    paragraph = st.tuples(st.sampled_from(["", "", "", "#tag "] * 10 + LINE_STARTS), lines).map(
        lambda p: p[0] + "\n".join(p[1]))
    bullets = st.tuples(st.sampled_from(["- ", "- ", "1. ", "3. "] * 10 + LINE_STARTS), lines).map(
        lambda p: "\n".join((p[0] if p[0] != "3. " else f"{3 + i}. ") + line for i, line in enumerate(p[1])))
    return st.lists(st.tuples(st.one_of(paragraph, bullets), st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n"])),
                    max_size=6).map(lambda blocks: "".join(block + brk for block, brk in blocks))


@settings(max_examples=1000, deadline=None)
@given(subset_bodies())
def test_quick_markdown_agrees_on_the_subset_and_what_is_next_to_it(body):
    assert_quick_as_python_markdown(body)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["*", "**", "a", "b", " ", "\n", "`", "_", "[x](https://x.example)", "中", "- ", "1. "]),
                max_size=20).map("".join))
def test_quick_markdown_agrees_on_any_mix_of_stars_and_ticks(body):
    assert_quick_as_python_markdown(body)


def plain_utm_tag(url, *, source, medium, campaign, domains=None):
    """links.utm_tag as it was: the URL split and its query read for every account."""
    from urllib.parse import parse_qsl, urlunsplit

    from smm.content.links import _encoded, split_url
    parts = split_url(url)
    if parts is None:
        return url
    host = (parts.hostname or "").lower()
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    wanted = [("utm_source", source), ("utm_medium", medium)] + ([("utm_campaign", campaign)] if campaign else [])
    query += [(k, v) for k, v in wanted if k not in present]
    return urlunsplit(parts._replace(query=_encoded(query)))


URLS = ["https://cloudleaf.example/a", "https://cloudleaf.example/a?b=1&b=2&c=#frag", "https://Sub.CloudLeaf.example:8443/x",
        "https://x.example/?utm_source=mine&utm_campaign=", "https://x.example/?q=a%20b&r=茶", "http://a.com？x",
        "https://[abc/x", "https://x.example:99999/", "https://other.example/p?x", "mailto:a@b.example", "https://x.example/?a=1;b"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("domains", [None, ["cloudleaf.example"], ["x.example", "a.com"]])
@pytest.mark.parametrize("campaign", [None, "winter launch", 2027])
def test_a_link_read_once_is_tagged_for_each_account_as_read_each_time(url, domains, campaign):
    from smm.content.links import utm_tag
    for source in ["x", "bluesky", "x", "wechat"]:  # the same link for several accounts, in turn
        utm = {"source": source, "medium": "social", "campaign": campaign, "domains": domains}
        assert utm_tag(url, **utm) == plain_utm_tag(url, **utm)


@pytest.mark.parametrize("text", ["see https://cloudleaf.example/a/very/long/path?utm_source=bluesky", "https://例子.中国/茶 and again "
                                  "https://例子.中国/茶", "http://0x7f.1 http://[::1.2.3.4]/ https://%E4%BE%8B.cn/{x}", "见https://a.com/(b.com"])
def test_bluesky_shows_a_link_it_showed_before_as_it_showed_it(text):
    from smm.platforms import bluesky_text
    for _ in range(3):  # the candidate parts of a thread hold the same links again and again
        shown, links = bluesky_text.shorten_links(text)
        assert [shown[start:end] for start, end, _ in links] == [
            bluesky_text.short_url.__wrapped__(uri) if uri in text else uri.removeprefix("https://") for _, _, uri in links]
