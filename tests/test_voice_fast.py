"""The voice engine's fast paths find what the plain scans they replace found: repetition
from one split of the text, occurrence counts without a match object per word (and no
count at all in a unit too short to exceed `max`), banned link domains looked up only in
URLs that name one. Each is compared with the previous code, kept here as the reference."""

from __future__ import annotations

import pytest
from test_voice import load, post, voice_repo

from smm.voice.engine import _Context
from smm.voice.segments import Segment
from smm.voice.social import _banned, _host
from smm.voice.text import find_urls


def _rule(tmp_path, text: str):
    root = voice_repo(tmp_path, {"R.yml": text + "level: warning\n"})
    voice, problems = load(root)
    assert problems == []
    [rule] = voice.rules
    return rule


def _hits(rule, text: str) -> list[tuple]:
    segment = Segment("body", text, "markdown", None)
    return [(h.start, h.end, h.message) for h in rule.check(_Context(None, [segment]), [])]


# -- repetition --------------------------------------------------------------------------

def _repetition_before(rule, text: str) -> list[tuple]:
    """The scan of one match at a time that Repetition.check ran before (no exceptions)."""
    from smm.voice.base import format_message
    from smm.voice.forms import _only_space
    from smm.voice.kinds import units

    view = Segment("body", text, "markdown", None).view(rule.nfkc)
    text = view.text
    hits = []
    for u_start, u_end in units(text, rule.unit):
        prev = None
        count = 0
        for match in rule.pattern.finditer(text, u_start, u_end):
            current = match.group().strip()
            if not current:
                continue
            same = prev is not None and (current.casefold() == prev[2].casefold() if rule.ignorecase
                                         else current == prev[2])
            same = same and (not rule.alpha or current.isalpha()) and _only_space(text[prev[1]:match.start()])
            count = count + 1 if same else 0
            if same and count > rule.max:
                hits.append((view.orig(prev[0]), view.orig_end(match.end()), format_message(rule.message, current)))
                count = 0
            prev = (match.start(), match.end(), current)
    return hits


WORDS = "tokens: ['[^\\s.!?]+']\n"
REPETITION_TEXTS = [
    "Brew the the leaves.", "Brew the The leaves. Brew. Brew 42 42", "the the the the", "a a a a a b b",
    "Brew. Brew", "Brew, brew; BREW", "Brew the\n\nthe leaves", "no repeat at all", "", "   ", "x",
    "Winter winter Blend – blend", "Ｗｉｎｔｅｒ ｗｉｎｔｅｒ", "ﬁne ﬁne fine", "straße STRASSE strasse",
    "用 github github 发布", "我们的的茶，我的书和你的笔", "是是非非 是 是", "了了 了 了 了",
    "[the](https://x.example) the", "`the` the the", "the #the the", "x" * 50 + " the the",
]


@pytest.mark.parametrize("options", [
    "", "ignorecase: true\n", "alpha: true\n", "ignorecase: true\nalpha: true\n", "max: 1\n",
    "scope: sentence\n", "scope: paragraph\nignorecase: true\n",
])
@pytest.mark.parametrize("tokens", [WORDS, "tokens: ['[的了是]']\n", "tokens: ['\\w+', '\\p{Han}']\n",
                                    "tokens: ['(t)he', 'a']\n", "tokens: ['\\s*\\w+\\s*']\n", "tokens: ['[a-z]*']\n"])
def test_repetition_finds_what_the_scan_found(tmp_path, options, tokens):
    rule = _rule(tmp_path, "extends: repetition\nmessage: '%s'\n" + tokens + options)
    for text in REPETITION_TEXTS:
        assert _hits(rule, text) == _repetition_before(rule, text), text
        view = Segment("body", text, "markdown", None).view(True)
        fast = list(rule.repeated(view.text, 0, len(view.text)))
        assert fast == list(rule._repeated_scan(view.text, 0, len(view.text))), text


def test_repetition_of_many_words_in_a_row(tmp_path):
    rule = _rule(tmp_path, "extends: repetition\nmessage: '%s'\nmax: 1\n" + WORDS)
    text = "go go go go go stop go go go"
    assert [text[s:e] for s, e, _ in _hits(rule, text)] == ["go go", "go go", "go go"]
    assert _hits(rule, text) == _repetition_before(rule, text)


# -- occurrence --------------------------------------------------------------------------

def _occurrence_before(rule, text: str) -> list[tuple]:
    """The count of Occurrence.check before: every match's span, then the count."""
    from smm.voice.base import format_message
    from smm.voice.kinds import units

    view = Segment("body", text, "markdown", None).view(rule.nfkc)
    hits = []
    for u_start, u_end in units(view.text, rule.unit):
        spans = [m.span() for m in rule.token.finditer(view.text, u_start, u_end) if m.end() > m.start()]
        count = len(spans)
        if rule.max and count > rule.max:
            start, end = spans[rule.max]
        elif rule.min and count < rule.min:
            line_end = view.text.find("\n", u_start, u_end)
            start, end = u_start, (line_end if line_end > u_start else u_end)
        else:
            continue
        hits.append((view.orig(start), view.orig_end(end), format_message(rule.message, count)))
    return hits


OCCURRENCE_TEXTS = [
    "One two three four. One two three four five six. 一二三四五六七八。", "abcd.", "abcde.", "abcdef.", "a b c d e",
    "短句。这一句话有点太长了！", "一二三四", "一二三四五", "一二三四五六", "", "Hi!\n\nOne two three four five six seven",
    "ｏｎｅ ｔｗｏ ｔｈｒｅｅ ｆｏｕｒ ｆｉｖｅ", "x-y-z a-b c", "don't can't won't isn't wasn't", "   one   ",
]


@pytest.mark.parametrize("limits", ["max: 4\n", "max: 5\n", "min: 3\n", "max: 5\nmin: 2\n", "max: 1\n"])
@pytest.mark.parametrize("scope", ["sentence", "paragraph", "text"])
@pytest.mark.parametrize("token", ["'[A-Za-z]+'", "'\\p{Han}'", "'[A-Za-z]*'", "'([A-Za-z])[a-z]*'", "'(x)?\\w'",
                                   "\"[A-Za-z][A-Za-z'’-]*\"", "'\\b'"])
def test_occurrence_counts_what_the_scan_counted(tmp_path, limits, scope, token):
    rule = _rule(tmp_path, f"extends: occurrence\nmessage: '%d'\nscope: {scope}\ntoken: {token}\n" + limits)
    for text in OCCURRENCE_TEXTS:
        assert _hits(rule, text) == _occurrence_before(rule, text), text


# -- banned link domains ----------------------------------------------------------------------

URLS = ["https://bit.ly/abc", "https://BIT.LY/abc", "HTTPS://Bit.Ly.", "https://user:pw@bit.ly:8080/x",
        "https://sub.spam.example/p", "https://notbit.ly/x", "https://bit.ly.example.com/x", "www.bit.ly/x",
        "https://example.com/?u=bit.ly", "https://example.com/bit.ly", "https://[::1]/bit.ly", "ftp://spam.example",
        "https://xn--spam.example/", "https://spam.example.org/", "https://cloudleaf.example/g/1"]


@pytest.mark.parametrize("url", URLS)
def test_banned_link_domains_as_before(tmp_path, url):
    config = "link_domains: {banned: [bit.ly, spam.example]}\n"
    root = voice_repo(tmp_path, posts={"p.md": post(f"See {url} now.")}, voice_yml=config)
    voice, problems = load(root)
    from test_voice import posts_of

    [item] = posts_of(root)
    found = [d.message for d in voice.check_post(item, []) if d.rule == "voice.link-domain"]
    expected = [f"link to a banned domain `{domain}`: {link}" for _, _, link in find_urls(f"See {url} now.")
                if (domain := _banned(_host(link), ["bit.ly", "spam.example"]))]
    assert found == expected


def test_banned_link_domains_in_rendered_text_as_before(tmp_path):
    """A template's link (rendered text only) is still found, in any case of its host."""
    config = "link_domains: {banned: [bit.ly]}\n"
    root = voice_repo(tmp_path, posts={"p.md": post("Plain text, no link.")}, voice_yml=config)
    voice, _ = load(root)
    from test_voice import posts_of

    from smm.render.rendered import Part, Rendered

    [item] = posts_of(root)
    for text, wanted in [("Plain text, no link. https://BIT.ly/x", 1), ("Plain text, no link. https://bit.lyx.example/", 0),
                         ("Plain text, no link. https://cloudleaf.example/bit.ly", 0)]:
        rendered = [Rendered(item.id, "mastodon", "mastodon", (Part(text, len(text), 500),), (), None)]
        found = [d for d in voice.check_post(item, rendered) if d.rule == "voice.link-domain"]
        assert len(found) == wanted, text


# -- conditional --------------------------------------------------------------------------

def _conditional_before(rule, texts: list[str]) -> list[tuple]:
    """Conditional.check before: `second` looked for first, then each match of `first`."""
    from smm.voice.base import format_message, nested, regex_hits
    from smm.voice.forms import _literal_spans

    views = [Segment("body", text, "markdown", None).view(rule.nfkc) for text in texts]
    defined, present = set(), False
    for view in views:
        for match in rule.second.finditer(view.text):
            present = True
            defined.update(g for g in match.groups() if g)
    if present and not rule.second_has_group:
        return []
    hits = []
    for index, view in enumerate(views):
        excepted = [(s, e) for p, _, _ in rule.exceptions.patterns for s, e, _ in regex_hits(p, view, True)]
        excepted += _literal_spans(view, rule.exceptions.literals)
        for match in rule.first.finditer(view.text):
            observed = match.group(1) if match.groups() and match.group(1) else match.group()
            if observed in defined or any(nested(*match.span(), s, e) for s, e in excepted):
                continue
            hits.append((index, view.orig(match.start()), view.orig_end(match.end()), format_message(rule.message, observed)))
    return hits


ACRONYMS = ("extends: conditional\nmessage: '%s'\nfirst: '\\b([A-Z]{3,5})\\b'\n"
            "second: '(?:\\b[A-Z][a-z]+ )+\\(([A-Z]{3,5})\\)|\\p{Han}+[（(]([A-Z]{3,5})[）)]'\nexceptions: [FAQ, '\\bDI[Y]']\n")
CONDITIONAL_TEXTS = [
    ["Our tea has EU organic certification and a PGI."], ["Protected Geographical Indication (PGI) tea. Every PGI lot."],
    ["地理标志（PGI）产品，PGI茶园"], ["no acronym here", "nor here"], ["Protected Indication (PGI)", "a PGI lot"],
    ["a PGI lot", "Protected Indication (PGI)"], ["FAQ and DIY and ABC"], [""], ["(PGI) alone, and PGI"],
    ["Tea Board (TB) and TBA", "ＰＧＩ full width"],
]


@pytest.mark.parametrize("second", ["", "second: 'Spelled Out'\n"])
@pytest.mark.parametrize("texts", CONDITIONAL_TEXTS)
def test_conditional_finds_what_it_found(tmp_path, texts, second):
    rule = _rule(tmp_path, ACRONYMS.split("second:")[0] + second + "exceptions: [FAQ]\n" if second else ACRONYMS)
    segments = [Segment("body", text, "markdown", None) for text in texts]
    found = [(segments.index(h.segment), h.start, h.end, h.message) for h in rule.check(_Context(None, segments), [])]
    assert found == _conditional_before(rule, texts)


# -- counted social marks ---------------------------------------------------------------------

@pytest.mark.parametrize("body,mark", [
    ("one! two! three!", None), ("one! two! three! four!", "four!"), ("！！！！", "！！！！"),
    ("a! b! <!-- smm-disable voice.exclamation -->c! d!<!-- smm-enable voice.exclamation --> e!", None),
    ("a! b! <!-- smm-disable voice.exclamation -->c!<!-- smm-enable voice.exclamation --> e! f!", "f!"),
    ("🍵🍵🍵 tea! 🌿", "🌿"), ("🍵🍵 🌿", None),
])
def test_counted_marks_past_the_maximum(tmp_path, body, mark):
    """A hit at the first mark past the maximum (`mark`: the text ending at it)."""
    config = "exclamation: {max: 3}\nemoji: {max: 3}\n"
    root = voice_repo(tmp_path, posts={"p.md": post(body)}, voice_yml=config)
    voice, _ = load(root)
    from test_voice import posts_of

    [item] = posts_of(root)
    found = voice.check_post(item, [])
    assert [(d.line, d.column) for d in found] == ([(item.body_line, body.rindex(mark) + len(mark))] if mark else [])


# -- NFKC with a map ----------------------------------------------------------------------------

def _normalize_before(text: str):
    """smm.voice.text._normalize_slow before: every character cluster one at a time."""
    import unicodedata

    from smm.voice.text import Normalized, _lower

    out, norm_starts, orig_starts, orig_ends = [], [], [], []
    n = i = 0
    run_start = None
    while i < len(text):
        j = i + 1
        while j < len(text) and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f\u3099\u309a"):
            j += 1
        cluster = text[i:j]
        norm = unicodedata.normalize("NFKC", cluster)
        if len(norm) == len(cluster) == 1:
            if run_start is None:
                run_start = i
                norm_starts.append(n)
                orig_starts.append(i)
                orig_ends.append(i)
            orig_ends[-1] = j
        else:
            run_start = None
            norm_starts.append(n)
            orig_starts.append(i)
            orig_ends.append(j)
        out.append(norm)
        n += len(norm)
        i = j
    normalized = "".join(out)
    return Normalized(normalized, _lower(normalized), norm_starts, orig_starts, orig_ends)


LINES = ["plain English line", "中文一行，没有什么特别", "等一下…好吧", "ﬁne ﬂour", "x\u0301 and e\u0301", "\u0301starts with a mark",
         "ｶﾞｷﾞ half-width kana", "か\u3099", "\u1100\u1161 jamo", "𝐛𝐨𝐥𝐝", "Å Ω ㈱", "", " ", "tab\there", "line\r"]


@pytest.mark.parametrize("first", LINES)
def test_normalizing_line_by_line_maps_as_before(first):
    from smm.voice.text import _normalize_slow

    for second in LINES:
        for text in (first + "\n" + second, first + "\n\n" + second + "\n", "\n" + first + "…\n" + second,
                     first + "\n" + second + "\n" + first, first + second):
            fast, before = _normalize_slow(text), _normalize_before(text)
            assert fast == before, repr(text)
            assert [fast.orig(k) for k in range(len(fast.text))] == [before.orig(k) for k in range(len(before.text))]


def test_every_combining_character_is_a_mark():
    """The plain-line test looks for marks: it must find every character that combines."""
    import unicodedata

    from smm.voice.text import _MARKS

    assert not [c for c in range(0x110000) if unicodedata.combining(chr(c)) and not _MARKS.match(chr(c))]


# -- patterns that case cannot change --------------------------------------------------------

# Characters where case folding has surprises: the Kelvin sign and long s fold to ASCII letters,
# dotted İ lowercases to two characters, circled and full-width letters and Roman numerals have case.
TRICKY = "Kkſsİiıß\u212a\u2126ΩωΣσςǅǆⒶⓐＡａⅠⅰ\u0345ιﬀ" + "".join(map(chr, range(0x20, 0x3000))) + "一二茶。，“”…！？"


@pytest.mark.parametrize("pattern,blind", [
    ("[^\\s.!?]+", True), ("([的了是在和与])", True), ("\\d+/\\d+", True), ("\\w+", True), ("\\s{2,}", True),
    ("(?<=[^\\s]) {2,}(?=[^\\s])", True), ("[.!?。！？]+", True), ("\\b\\W\\B", True), ("[“”…]", True),
    ("a", False), ("[^a]", False), ("\\p{Han}", False), ("\\p{Lu}", False), ("(\\w)\\1", False), ("[!-~]", False),
    ("[\\!-\\~]", False), ("(?i)x", False), ("\\x41", False), ("\\u0041", False), ("(?P<n>\\d)", False),
    ("Ａ", False), ("ⓐ", False), ("K", False), ("ſ", False), ("\\N{LATIN SMALL LETTER A}", False), ("\\", False),
])
def test_case_blind_patterns_match_the_same_in_any_case(pattern, blind):
    """A pattern judged blind to case is compiled without IGNORECASE (faster): it must match exactly
    what it matches with it, on every character whose case folding surprises."""
    import regex

    from smm.voice.base import case_blind

    assert case_blind(pattern) is blind
    if blind:
        flags = regex.MULTILINE | regex.V0
        plain = [m.span() for m in regex.finditer(pattern, TRICKY, flags | regex.IGNORECASE)]
        assert [m.span() for m in regex.finditer(pattern, TRICKY, flags)] == plain


def test_the_characters_taken_as_without_case_have_none():
    """Every character `case_blind` lets through matches only itself, with IGNORECASE, in all of Unicode."""
    import regex

    from smm.voice.base import _UNCASED

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    uncased = _UNCASED.pattern
    assert regex.findall(uncased, every, regex.IGNORECASE | regex.V0) == regex.findall(uncased, every, regex.V0)
    ascii_non_letters = "[\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]"
    assert len(regex.findall(ascii_non_letters, every, regex.IGNORECASE | regex.V0)) == 128 - 52


@pytest.mark.parametrize("ignorecase", ["ignorecase: true\n", ""])
def test_repetition_compiled_without_ignorecase_finds_the_same(tmp_path, ignorecase):
    """Repetition's tokens `[^\\s.!?]+` are compiled without IGNORECASE: the same hits as with it."""
    import regex

    rule = _rule(tmp_path, "extends: repetition\nmessage: '%s'\nalpha: true\n" + WORDS + ignorecase)
    assert not rule.pattern.flags & regex.IGNORECASE
    fast = [_hits(rule, text) for text in REPETITION_TEXTS + [TRICKY, "Kk K\u212a ſs s ſ İi"]]
    rule.pattern = regex.compile(rule.pattern.pattern, rule.pattern.flags | regex.IGNORECASE)
    assert fast == [_hits(rule, text) for text in REPETITION_TEXTS + [TRICKY, "Kk K\u212a ſs s ſ İi"]]


# -- messages ------------------------------------------------------------------------------

def _message_before(message: str, *args) -> str:
    """format_message before: a regular expression substitution per message."""
    from smm.voice.base import _PLACEHOLDER, _shown_value

    values = iter(args)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else _shown_value(str(next(values, "")), m.group(1), m.group(2)),
                            message) if "%" in message else message


@pytest.mark.parametrize("message", [
    "Use '%s' instead of '%s'.", "“%s”, not “%s”", "%d words; 100%% sure", "no placeholder", "%s", "%%", "%s%s%s",
    "「%s」 or 『%v』", "trailing %", "%x is no placeholder", "'%s' %d", "",
])
def test_messages_are_filled_as_before(message):
    from smm.voice.base import format_message

    for args in [(), ("a",), ("a", "b"), ("“", "「」", 3), ("", "x", "y", "z"), (5, None)]:
        assert format_message(message, *args) == _message_before(message, *args), (message, args)


# -- patterns of existence and substitution rules ------------------------------------------------

TOKEN_TEXTS = ["Closes 12/14. Open 24/7.", "Brew it.  Then sip.", "Thank you，Lin", "绿茶80℃，乌龙95ºC", "x" * 40,
               "a12/13b 1/2/2024 ab/cd", "", "ＡＢ１２", "only 3 left, ONLY 12 LEFT", "茶?好!", "1/1 1/1"]


@pytest.mark.parametrize("rule_text", [
    "extends: existence\nmessage: '%s'\nnonword: true\ntokens: ['\\b\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?\\b', ' {2,}']\n",
    "extends: existence\nmessage: '%s'\ntokens: ['\\d+/\\d+', 'only \\d+ left']\nignorecase: true\nexceptions: [24/7]\n",
    "extends: substitution\nmessage: '%s, not %s'\nnonword: true\nnfkc: false\nswap: {'℃': '°C', '(\\d) degrees C\\b': '$1°C'}\n",
    "extends: substitution\nmessage: '%s, not %s'\nswap: {'(?<=\\p{Han})\\?': '？', '(?<=\\p{Han})!': '！', '[０-９]+': 'digits'}\n",
    "extends: existence\nmessage: '%s'\ntokens: ['\\w*']\n",
])
def test_token_patterns_find_what_regex_hits_found(tmp_path, rule_text):
    """TokenRule.found looks for a rule's patterns in one comprehension: as it did one match at a time."""
    from smm.voice.base import longest_first, regex_hits

    rule = _rule(tmp_path, rule_text)
    for text in TOKEN_TEXTS:
        segment = Segment("body", text, "markdown", None)
        view = segment.view(rule.nfkc)
        before = [(s, e, data, m.span()) for p, data, word in rule.tokens.patterns for s, e, m in regex_hits(p, view, word)]
        excepted = [(s, e) for p, _, _ in rule.exceptions.patterns for s, e, _ in regex_hits(p, view, True)]
        before = [f for f in before if not any(s <= f[0] and f[1] <= e or f[0] <= s and e <= f[1] for s, e in excepted)]
        found = rule.found(_Context(None, [segment]), []).get(segment, [])
        expected = longest_first(before) if len(before) > 1 else before
        assert [(s, e, d, m.span()) for s, e, d, m in found] == expected, text


# -- banned domains in rendered texts: one look at them all first ----------------------------------

@pytest.mark.parametrize("parts", [
    ["Plain text, no link.", "https://BIT.ly/x"], ["https://bit.", "ly/x"], ["bit.ly", "no link"],
    ["ΣΑΣ https://bit.ly/y", "İ https://BİT.LY/z"], ["İ", "https://bit.ly/q"], ["https://cloudleaf.example/bit.ly"],
    ["x https://bit.lyx.example/", "https://www.bit.ly/w ΣΣ"], [], [""], ["https://bit.ly/x", "see https://bit.ly/x?y"],
])
def test_banned_domains_in_rendered_parts_as_one_by_one(tmp_path, parts):
    from smm.voice import social
    from smm.voice.social import find_urls as urls_in

    rule = social.Builtin("voice.link-domain", "link_domains", "error", {"banned": ["bit.ly", "spam.example"]})
    segments = [Segment("rendered", text, "html", None) for text in parts]
    found = [(segments.index(h.segment), h.start, h.end, h.message) for h in social.link_hits(rule, _Meta(), [], parts, lambda: segments)]
    expected, seen = [], []  # each part looked at (a link found once is not reported again)
    for i, text in enumerate(parts):
        for s, e, url in urls_in(text):
            domain = _banned(_host(url), ["bit.ly", "spam.example"])
            if domain and not any(url.startswith(u) or u.startswith(url.split("?")[0]) for u in seen):
                expected.append((i, s, e, f"link to a banned domain `{domain}`: {url}"))
                seen.append(url)
    assert found == expected


class _Meta:
    """A post with no front matter links."""

    meta: dict = {}
