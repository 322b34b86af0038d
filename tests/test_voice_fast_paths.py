"""More of the voice engine's fast paths, each against the plain code it stands for: sentences
found in one scan of the text, one view for both NFKC settings where NFKC changes nothing,
repetition split and occurrences counted by Python's `re`, a substitution's message kept per swap and word, and
the diagnostics sorted by their place."""

from __future__ import annotations

import random
import re
import sys

import pytest
import regex
from test_voice_fast import REPETITION_TEXTS, _rule

from smm.voice.engine import _Context
from smm.voice.segments import Segment
from smm.voice.text import normalize

# -- sentences and paragraphs ------------------------------------------------------------------


def _units_before(text: str, unit: str) -> tuple:
    """kinds.units as it was: each paragraph scanned for sentence ends on its own."""
    from smm.voice.kinds import _PARAGRAPH, _SENTENCE_END

    if unit == "whole":
        return ((0, len(text)),)
    spans, start = [], 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    if unit == "sentence":
        sentences = []
        for p_start, p_end in spans:
            start = p_start
            for match in _SENTENCE_END.finditer(text, p_start, p_end):
                sentences.append((start, match.end()))
                start = match.end()
            sentences.append((start, p_end))
        spans = sentences
    trimmed = []
    for s, e in spans:  # spaces trimmed (str.strip: the characters str.isspace takes)
        piece = text[s:e]
        if piece.strip():
            start = s + len(piece) - len(piece.lstrip())
            trimmed.append((start, s + len(piece.rstrip())))
    return tuple(trimmed)


PIECES = ["a", "Bc", " ", "\n", "\n\n", " \n \t\n", ".", "!", "?", "。", "！", "？", "\"", "'", "”", "’", "」", ")",
          "]", "\t", "中", "…", "x.", "\u3000", "\u2028", "\x85", "\r\n\r\n"]


@pytest.mark.parametrize("unit", ["sentence", "paragraph", "whole"])
def test_units_as_each_paragraph_scanned_alone(unit):
    from smm.voice.kinds import units

    rng = random.Random(14)
    texts = ["", " ", "One. Two! Three?", "One.\n\nTwo.”\n\n  \n\nThree", "好。好！\n\n好？」 x", "end.\n\n", "a.’b c.'’d"]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 16))) for _ in range(20_000)]
    for text in texts:
        assert units.__wrapped__(text, unit) == _units_before(text, unit), repr(text)


# -- one view for both NFKC settings ---------------------------------------------------------------

VIEW_TEXTS = ["plain ASCII text", "", "Ｗｉｎｔｅｒ Blend", "中文，没有变化", "ﬁne café", "e\u0301 combining", "İstanbul",
              "line\nbreak\ttab", "…three", "❶ circled", "“curly” ‘quotes’"]


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("flavor", ["markdown", "none"])
def test_each_view_is_what_normalizing_gives(first, flavor):
    for text in VIEW_TEXTS:
        segment = Segment("body", text, flavor, None)
        views = {first: segment.view(first), not first: segment.view(not first)}
        for nfkc, view in views.items():
            assert view == normalize(segment.prepared, nfkc), (text, nfkc)


# -- repetition split by re -------------------------------------------------------------------------

def _all_characters() -> str:
    return "".join(map(chr, [*range(0xD800), *range(0xE000, sys.maxunicode + 1)]))


def test_white_space_is_what_regex_takes_for_a_space():
    from smm.voice.base import WHITE_SPACE

    everything = _all_characters()
    assert set(regex.findall(r"\s", everything, flags=regex.V0)) == set(re.findall(f"[{WHITE_SPACE}]", everything))


SAME_IN_RE = [r"([^\s.!?]+)", "([的了是在和与])", r"([\s])", r"([^\s]+)", "([.,;:]+)", "([^中])",
              "[A-Za-z][A-Za-z'’-]*", "[A-Za-z0-9]+", r"a\.b+c?", r"\s+x?", r"[\--0]", "[0-9-]", "[^-]", "(ab+)", "x y",
              "[a-c]?[^a-c]+", "x[^y]*y", "a?b"]


@pytest.mark.parametrize("token", SAME_IN_RE)
def test_patterns_taken_to_re_match_the_same(token):
    from smm.voice.base import in_re

    pattern = regex.compile(token, regex.MULTILINE | regex.V0)
    plain = in_re(pattern)
    assert plain is not None
    everything = _all_characters()
    assert plain.findall(everything) == pattern.findall(everything)
    rng = random.Random(token)
    texts = REPETITION_TEXTS + [" \x1c\x1d the\x1fthe \u180e\u200b x", "a.bbbc a.b a. - -0 ab abb cab", "x  y x y"]
    texts += ["".join(rng.choice("ab c.x-0y中\u3000\x1c’'") for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in texts:
        assert plain.split(text) == pattern.split(text), text
        assert plain.findall(text, 1, len(text) - 1) == pattern.findall(text, 1, len(text) - 1), text


@pytest.mark.parametrize("token,flags", [
    (r"\w+", 0), ("[abc]+", regex.IGNORECASE), (r"[^\s.!?]+|x", 0), ("[[:alpha:]]", 0), (r"\p{Han}", 0),
    (r"[\d]+", 0), (r"[\x41]", 0), (r"[\p{Han}]", 0), ("[a&&b]", 0), ("[a||b]", 0), ("[^]a]", 0), ("[a-z-0]", 0),
    ("[ab]{2}", 0), ("a*?", 0), ("a++", 0), ("(?i)[ab]", 0), ("([ab])|([c])", 0), (r"([^\]\\a]+)", 0), ("[a-c]?[^a-c]*", 0), ("x*", 0), ("(a)(b)", 0), ("(?:ab)", 0),
    ("[a\tb]+", 0), (r"[\N{BULLET}]", 0), (r"\bx", 0), ("^x", 0), ("x$", 0), ("a.b", 0), (r"(a)\1", 0),
    (r"[\s-a]", 0), ("a|b", 0), ("(?<=a)b", 0), ("[]]", 0), ("", 0),
])
def test_other_patterns_are_left_to_regex(token, flags):
    from smm.voice.base import in_re

    assert in_re(regex.compile(token, regex.MULTILINE | regex.V0 | flags)) is None


# -- a substitution's message, kept per swap and word --------------------------------------------------

SUBSTITUTIONS = [
    "swap: {utilize: use, 'colou?r': color}\nignorecase: true\n",
    "swap: {utilize: use|employ}\ncapitalize: true\nignorecase: true\n",
    "swap: {utilize: use}\nmatchcase: true\nignorecase: true\n",
    "swap: {'(\\w+)ise': '$1ize', 'grey': 'gray'}\n",
    "swap: {'Winter': 'Winter Blend', 'blend': 'Blend'}\n",
    "swap: {'e-mail': '', 'web site': website}\nignorecase: true\n",
]
SUBSTITUTION_TEXTS = ["Utilize it. utilize it. UTILIZE it.", "colour, Colour, color", "organise, realise, organise",
                      "grey grey", "Winter Blend and winter", "Blend; blend; Winter Blend", "e-mail the web site",
                      "E-MAIL", ""]


@pytest.mark.parametrize("swaps", SUBSTITUTIONS)
def test_substitution_messages_as_made_for_each_match(tmp_path, swaps):
    rule = _rule(tmp_path, "extends: substitution\nmessage: 'Use %s, not %s'\n" + swaps)
    for _ in range(2):  # the second time from what the first kept
        for text in SUBSTITUTION_TEXTS:
            segment = Segment("body", text, "markdown", None)
            found = rule.found(_Context(None, [segment]), _candidates(rule, segment)).get(segment, [])
            view = rule.view(segment)
            expected = []
            for start, end, index, match in found:  # Substitution.check, each message made afresh
                s, e = view.orig(start), view.orig_end(end)
                observed = segment.text[s:e]
                options = rule.options(index, observed, match)
                if observed in options or rule._in_context(view, start, end, options):
                    continue
                message = "Use " + rule._shown(options) + ", not " + observed
                expected.append((s, e, message, options[0] if len(options) == 1 else None, tuple(options)))
            hits = rule.check(_Context(None, [segment]), _candidates(rule, segment))
            assert [(h.start, h.end, h.message, h.replacement, h.options) for h in hits] == expected, text


def _candidates(rule, segment) -> list:
    from smm.voice.matcher import LiteralIndex

    index = LiteralIndex()
    for entry in rule.entries():
        index.add(entry)
    return [(segment, s, e, entry) for s, e, entries in index.find(segment.view(True).low) for entry in entries]


# -- diagnostics sorted by place -------------------------------------------------------------------------

def test_diagnostics_sorted_by_place_as_by_their_order():
    from smm.check.diagnostics import Diagnostic
    from smm.voice.engine import _place

    rng = random.Random(7)
    found = [Diagnostic.at(rng.choice("ab"), (rng.randint(1, 3), rng.randint(1, 3), None), "warning",
                           f"voice.R{i}", f"message {i}") for i in range(300)]
    assert [id(d) for d in sorted(found, key=_place)] == [id(d) for d in sorted(found)]


# -- rendered texts as segments only where one names a banned domain ---------------------------------

@pytest.mark.parametrize("rules", [{}, {"R.yml": "extends: existence\nmessage: '%s'\nscope: rendered\ntokens: [zzz]\nlevel: warning\n"}])
def test_rendered_texts_are_those_of_the_rendered_segments(tmp_path, rules):
    """link_hits looks at the texts the engine lists, then at _rendered_segments: the same texts, in order,
    whether a rule reads rendered text (segments made by build_segments) or not (made for link_hits)."""
    from test_voice import load, post, posts_of, voice_repo

    from smm.render.rendered import Part, Rendered
    from smm.voice.engine import _rendered_segments
    from smm.voice.segments import FrontMatter, build_segments

    config = "link_domains: {banned: [bit.ly]}\n"
    root = voice_repo(tmp_path, rules, posts={"p.md": post("Plain text.")}, voice_yml=config)
    voice, problems = load(root)
    assert problems == []
    [item] = posts_of(root)
    texts = ["Plain text. https://BIT.ly/x", "part two", "https://bit.ly/y", ""]
    for rendered in ([], [Rendered(item.id, "mastodon", "mastodon", tuple(Part(t, len(t), 500) for t in texts[:2]), (), None),
                          Rendered(item.id, "bluesky", "bluesky", tuple(Part(t, len(t), 300) for t in texts[2:]), (), None)]):
        segments = build_segments(item, rendered, FrontMatter(item), voice.scopes)
        assert [s.text for s in _rendered_segments(segments, rendered)] == [p.text for r in rendered for p in r.parts]
        found = [(d.line, d.message) for d in voice.check_post(item, rendered) if d.rule == "voice.link-domain"]
        assert len(found) == (2 if rendered else 0)


# -- exclamation marks counted with str.count first -------------------------------------------------------

@pytest.mark.parametrize("maximum", [0, 1, 2, 3])
def test_exclamation_marks_as_counted_by_the_pattern(maximum):
    from smm.voice import social

    rule = social.Builtin("voice.exclamation", "exclamation", "warning", {"max": maximum})
    bodies = ["", "no marks", "one!", "two!!", "！！", "‼ and !", "a!b！c‼d!", "x`!!!`y", "<!-- c -->!", "[a!](http://x/!)!",
              "a! <!-- smm-disable voice.exclamation -->b! c!<!-- smm-enable voice.exclamation --> d!"]
    for body in bodies:
        segments = [Segment("body", body, "markdown", None), Segment("title", "Title!!!!", "plain", None)]
        plain = [h for s in segments if s.scope == "body"
                 for h in social.count_hits(rule, s, [m.span() for m in social._EXCLAMATION.finditer(s.prepared)], maximum,
                                            "exclamation marks")]
        found = social.exclamation_hits(rule, segments)
        assert [(h.segment, h.start, h.end, h.message) for h in found] == \
            [(h.segment, h.start, h.end, h.message) for h in plain], body
