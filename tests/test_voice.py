"""Brand voice rules: every kind in English and Chinese, CJK edges, NFKC positions, scopes,
skipping, disable comments and front matter, levels, the example repository.

Helpers here (`voice_repo`, `check`) are shared by the other test_voice_* files.
"""

from __future__ import annotations

import pickle
import textwrap
import zoneinfo
from pathlib import Path

import pytest
from conftest import CALENDAR, PLATFORMS, ROOT, post_text

from smm.check.diagnostics import Diagnostic
from smm.content.post import post_files, read_post
from smm.voice import Voice
from smm.workspace.settings import load_settings

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
def post(body: str = "Hello", **fields) -> str:
    """A post going to Mastodon only, unless `platforms` says otherwise."""
    return post_text(body, **{"platforms": "[mastodon]", **fields})


def voice_repo(root: Path, rules: dict[str, str] | None = None, posts: dict[str, str] | None = None,
               voice_yml: str | None = None, calendar: str = CALENDAR) -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "brand" / "voice").mkdir(parents=True, exist_ok=True)
    (root / "platforms.yml").write_text(PLATFORMS, encoding="utf-8")
    (root / "brand" / "calendar.yml").write_text(calendar, encoding="utf-8")
    if voice_yml is not None:
        (root / "brand" / "voice.yml").write_text(textwrap.dedent(voice_yml), encoding="utf-8")
    for name, text in (rules or {}).items():
        path = root / "brand" / "voice" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in (posts or {}).items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def load(root: Path, **options) -> tuple[Voice, list[Diagnostic]]:
    settings = load_settings(root, voice=True)
    voice, problems = settings.voice, settings.found["voice"]
    if options:
        voice = Voice(voice.rules, {}, voice.pillars, **options)
    return voice, problems


def posts_of(root: Path):
    found = []
    for file in post_files(root):
        item, problems = read_post(root, file, TZ)
        assert item is not None, problems
        found.append(item)
    return found


def check(root: Path, voice: Voice | None = None, rendered=False) -> list[Diagnostic]:
    """Every voice diagnostic of every post (loading problems must be none)."""
    if voice is None:
        voice, problems = load(root)
        assert problems == [], problems
    found = []
    results = {}
    if rendered:
        from smm.render.rendered import Renderer
        from smm.workspace.repo import load_repo

        repo = load_repo(root)
        renderer = Renderer(root, repo.config, repo.brand)
        results = {p.file: [renderer.render(p, a) for a in p.accounts] for p in repo.posts}
    for item in posts_of(root):
        found += voice.check_post(item, results.get(item.file, []))
    return sorted(found)


def brief(diagnostics) -> list[tuple]:
    return [(d.line, d.column, d.rule) for d in diagnostics]


def one_rule(tmp_path, rule: str, body: str, name: str = "Rule.yml", **fields) -> list[Diagnostic]:
    """One rule (level warning unless it says) over one post."""
    if "\nlevel:" not in "\n" + rule:
        rule += "level: warning\n"
    root = voice_repo(tmp_path, {name: rule}, {"p.md": post(body, **fields)})
    return check(root)


# -- existence ---------------------------------------------------------------------------

EXISTENCE = """\
extends: existence
message: "Avoid '%s'."
level: error
ignorecase: true
tokens: [click here, 第一, 全网第一, 最好]
exceptions: [第一次]
"""


@pytest.mark.parametrize("body,expected", [
    ("Please click here.", [(6, 8, "click here")]),
    ("Please CLICK HERE now", [(6, 8, "CLICK HERE")]),
    ("clicking here is fine; click hereby too", []),
    ("我们是第一", [(6, 4, "第一")]),
    ("第一次来", []),  # the exception
    ("全网第一的茶", [(6, 1, "全网第一")]),  # the longest wins: one report, not two
    ("这是全网第一，第一次也是第一", [(6, 3, "全网第一"), (6, 13, "第一")]),
    ("最好", [(6, 1, "最好")]),
])
def test_existence(tmp_path, body, expected):
    found = one_rule(tmp_path, EXISTENCE, body)
    assert [(d.line, d.column, d.message.split("'")[1]) for d in found] == expected
    assert all(d.rule == "voice.Rule" and d.severity == "error" for d in found)


def test_existence_end_column_and_message(tmp_path):
    [d] = one_rule(tmp_path, EXISTENCE, "x click here")
    assert (d.column, d.end_column, d.message) == (3, 13, "Avoid 'click here'.")


def test_case_sensitive_by_default(tmp_path):
    rule = "extends: existence\nmessage: '%s'\ntokens: [Teavana]\n"
    assert brief(one_rule(tmp_path, rule, "teavana and Teavana")) == [(6, 13, "voice.Rule")]


def test_vale_exception_inside_the_match(tmp_path):
    rule = "extends: existence\nmessage: '%s'\nignorecase: true\ntokens: ['very \\w+']\nexceptions: [very much]\n"
    found = one_rule(tmp_path, rule, "very good, very much so")
    assert [d.message for d in found] == ["very good"]


# -- CJK and mixed text ------------------------------------------------------------------

TERMS = """\
extends: substitution
message: "Use '%s' instead of '%s'."
level: error
ignorecase: true
swap:
  github: GitHub
  utilise: use
"""


@pytest.mark.parametrize("body,columns", [
    ("用github发布", [2]),  # Vale's \\b fails here: Han letters are word characters to it
    ("用GitHub发布", []),  # already right
    ("github的仓库", [1]),
    ("githubusercontent", []),  # a longer Latin word
    ("my-github-page", [4]),  # hyphens are word edges
    ("ＧｉｔＨｕｂ", [1]),  # full-width: normalized for matching, but not the right form
    ("ｕｔｉｌｉｓｅ！", [1]),
    ("用Ｇｉｔｈｕｂ发布", [2]),
    ("x _github_ y", [4]),  # `_` is Markdown emphasis, not part of a word
])
def test_cjk_and_mixed_text(tmp_path, body, columns):
    found = one_rule(tmp_path, TERMS, body)
    assert [d.column for d in found] == columns


def test_nfkc_positions_point_into_the_original(tmp_path):
    # "…" becomes "..." and "ﬁ" becomes "fi" when normalized: columns must not drift
    body = "A…B…ﬁne ＧｉｔＨｕｂ… then github"
    found = one_rule(tmp_path, TERMS, body)
    assert [(d.column, d.end_column) for d in found] == [(9, 15), (22, 28)]
    line = body
    assert line[found[0].column - 1:found[0].end_column - 1] == "ＧｉｔＨｕｂ"
    assert line[found[1].column - 1:found[1].end_column - 1] == "github"


def test_nfkc_combining_characters(tmp_path):
    rule = "extends: existence\nmessage: '%s'\ntokens: [café]\n"
    body = "a cafe\u0301 and a café"  # decomposed, then precomposed
    found = one_rule(tmp_path, rule, body)
    assert [(d.column, d.end_column) for d in found] == [(3, 8), (15, 19)]


def test_curly_apostrophes_match_straight_ones(tmp_path):
    rule = "extends: existence\nmessage: '%s'\nignorecase: true\ntokens: [\"don't miss out\"]\n"
    assert len(one_rule(tmp_path, rule, "Don’t miss out!")) == 1


def test_nfkc_false_sees_full_width_punctuation(tmp_path):
    rule = """\
extends: substitution
message: "'%s' not '%s'"
nonword: true
nfkc: false
swap:
  '(?<=\\p{Han}),': ，
"""
    found = one_rule(tmp_path, rule, "好喝,便宜，OK, yes")
    assert [(d.column, d.message) for d in found] == [(3, "'，' not ','")]


# -- substitution -----------------------------------------------------------------------


def test_substitution_hint_has_the_replacement(tmp_path):
    [d] = one_rule(tmp_path, TERMS, "We utilise it")
    assert d.message == "Use 'use' instead of 'utilise'."
    assert "`use`" in d.hint and "--fix" in d.hint


def test_substitution_several_replacements(tmp_path):
    rule = "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nswap:\n  commence: start|begin\n"
    [d] = one_rule(tmp_path, rule, "We commence")
    assert d.message == "Use 'start' or 'begin' instead of 'commence'."
    assert d.hint == "replace with `start` or `begin`"  # two options: not fixed automatically


def test_substitution_skips_the_replacement_in_context(tmp_path):
    rule = "extends: substitution\nmessage: '%s %s'\nignorecase: true\nswap:\n  blend: Winter Blend\n"
    assert brief(one_rule(tmp_path, rule, "Our Winter Blend, a blend")) == [(6, 21, "voice.Rule")]


def test_substitution_capture_groups_and_capitalize(tmp_path):
    rule = """\
extends: substitution
message: "'%s' for '%s'"
capitalize: true
ignorecase: true
swap:
  '(\\d+) degrees C': $1°C
  puer: pu-erh
"""
    found = one_rule(tmp_path, rule, "Puer at 80 degrees C")
    assert [d.message for d in found] == ["'Pu-erh' for 'Puer'", "'80°C' for '80 degrees C'"]


def test_substitution_chinese(tmp_path):
    rule = "extends: substitution\nmessage: '应为“%s”，不是“%s”'\nswap:\n  铁观因: 铁观音\n  冬日拼配: 冬季拼配\n"
    found = one_rule(tmp_path, rule, "安溪铁观因和冬日拼配，铁观音没问题")
    assert [(d.column, d.message) for d in found] == [(3, "应为“铁观音”，不是“铁观因”"), (7, "应为“冬季拼配”，不是“冬日拼配”")]


# -- occurrence, repetition, capitalization, conditional, consistency ---------------------


def test_occurrence_per_sentence(tmp_path):
    rule = "extends: occurrence\nmessage: '%d words'\nscope: sentence\nmax: 4\ntoken: '[A-Za-z]+'\n"
    body = "One two three four. One two three four five six. 一二三四五六七八。"
    [d] = one_rule(tmp_path, rule, body)
    assert (d.column, d.message) == (40, "6 words")  # at the fifth word of the long sentence


def test_occurrence_chinese_sentence_length(tmp_path):
    rule = "extends: occurrence\nmessage: '%d字'\nscope: sentence\nmax: 5\ntoken: '\\p{Han}'\n"
    found = one_rule(tmp_path, rule, "短句。这一句话有点太长了！")
    assert [(d.column, d.message) for d in found] == [(9, "9字")]  # at the sixth Han character


def test_occurrence_min(tmp_path):
    rule = "extends: occurrence\nmessage: 'only %d'\nscope: alt\nmin: 3\ntoken: '[A-Za-z]+|\\p{Han}'\n"
    found = one_rule(tmp_path, rule, "body", media='[{file: a.png, alt: "A cat"}, {file: b.png, alt: "一只小猫"}]')
    assert [d.message for d in found] == ["only 2"]


def test_repetition(tmp_path):
    rule = "extends: repetition\nmessage: \"'%s' twice\"\nignorecase: true\nalpha: true\ntokens: ['[^\\s.!?]+']\n"
    found = one_rule(tmp_path, rule, "Brew the The leaves. Brew. Brew 42 42")
    assert [(d.column, d.end_column, d.message) for d in found] == [(6, 13, "'The' twice")]


def test_repetition_chinese(tmp_path):
    rule = "extends: repetition\nmessage: '%s'\ntokens: ['[的了]']\nexceptions: [的的确确, 不了了之]\n"
    found = one_rule(tmp_path, rule, "我们的的茶，我的书和你的笔，的的确确，不了了之")
    assert [(d.column, d.message) for d in found] == [(3, "的")]


@pytest.mark.parametrize("title,ok", [
    ("Early frost in Lincang 临沧早霜", True),
    ("Winter Blend milk tea 冬季拼配奶茶", True),  # an exception
    ("Customer story: Pages & Leaves 客户故事", True),  # a capital after `:`, an exception
    ("Early Frost In The Hills Of Lincang", False),
    ("early frost", False),
    ("客户故事：苏州周阿姨", True),  # no letters with case
])
def test_capitalization_sentence(tmp_path, title, ok):
    rule = "extends: capitalization\nmessage: '%s'\nscope: heading\nmatch: $sentence\nexceptions: [Winter Blend, Pages & Leaves]\n"
    found = one_rule(tmp_path, rule, "body", title=f'"{title}"')
    assert (found == []) is ok
    if not ok:
        assert found[0].line == 2 and found[0].column == 9


def test_capitalization_title_and_lower(tmp_path):
    rule = "extends: capitalization\nmessage: '%s'\nscope: title\nmatch: $title\n"
    assert one_rule(tmp_path, rule, "b", title="The Art of Brewing Tea") == []
    found = one_rule(tmp_path / "2", rule, "b", title="The art of brewing tea")
    assert len(found) == 1 and "The Art of Brewing Tea" in found[0].hint
    lower = "extends: capitalization\nmessage: '%s'\nscope: title\nmatch: $lower\n"
    assert len(one_rule(tmp_path / "3", lower, "b", title="Shouting")) == 1


def test_conditional_acronyms(tmp_path):
    rule = r"""
extends: conditional
message: "'%s' is not defined"
first: '\b([A-Z]{3,5})\b'
second: '(?:\b[A-Z][a-z]+ )+\(([A-Z]{3,5})\)|\p{Han}+[（(]([A-Z]{3,5})[）)]'
exceptions: [UTM]
"""
    body = "Protected Geographical Indication (PGI) tea. PGI and UTM. 地理标志（GIS）与GIS。WHO?"
    found = one_rule(tmp_path, rule, body)
    assert [d.message for d in found] == ["'WHO' is not defined"]


def test_conditional_without_group_is_a_presence_check(tmp_path):
    rule = "extends: conditional\nmessage: '%s needs a date'\nfirst: 限时\nsecond: '\\d+月\\d+日'\n"
    assert len(one_rule(tmp_path, rule, "限时优惠")) == 1
    assert one_rule(tmp_path / "2", rule, "限时优惠，12月3日截止") == []


def test_consistency(tmp_path):
    rule = "extends: consistency\nmessage: \"'%s' vs '%s'\"\nignorecase: true\neither:\n  email: e-mail\n"
    found = one_rule(tmp_path, rule, "Send an e-mail. Email us. Another e-mail.", title="Our email")
    assert [(d.line, d.column, d.message) for d in found] == [(6, 9, "'e-mail' vs 'email'"), (6, 35, "'e-mail' vs 'email'")]


def test_consistency_chinese_quotes(tmp_path):
    rule = "extends: consistency\nmessage: '%s %s'\nnonword: true\nnfkc: false\neither:\n  “: 「\n"
    found = one_rule(tmp_path, rule, "他说“好”，她说「好」")
    assert [d.column for d in found] == [9]
    assert one_rule(tmp_path / "2", rule, "他说“好”，她说“好”") == []


# -- scopes and skipping --------------------------------------------------------------------

WORD = "extends: existence\nmessage: '%s'\nignorecase: true\ntokens: [utilise, 亲]\n"


def test_skips_urls_code_mentions_hashtags_and_link_targets(tmp_path):
    body = textwrap.dedent("""\
        https://utilise.example/utilise and www.utilise.com and a@utilise.org
        `utilise` and ``x utilise``, @utilise @{utilise} @me@utilise.social #utilise #亲#
        [utilise the guide](https://example.com/utilise "utilise") <https://utilise.example>
        <!-- utilise --> <span title="utilise">亲</span>
        ```
        utilise
        ```
        [ref]: https://utilise.example
        """)
    found = one_rule(tmp_path, WORD, body)
    assert [(d.line, d.column) for d in found] == [(8, 2), (9, 40)]  # link text and the text in a tag


SPACING = "extends: existence\nmessage: 'one space'\nnonword: true\ntokens: ['(?<=[^\\s]) {2,}(?=[^\\s])']\n"
PUNCTUATION = "extends: existence\nmessage: 'space before'\nnonword: true\ntokens: [' [,.!?]']\n"
REPEATED = "extends: repetition\nmessage: '%s again'\nignorecase: true\nalpha: true\ntokens: ['[^\\s.!?]+']\n"


@pytest.mark.parametrize("rule,body,expected", [
    # what is skipped (a URL, a link target, a mention, a hashtag, code, a comment, a tag) is blanked with
    # spaces: a pattern matching spaces or punctuation must not find them there
    (SPACING, "See https://cloudleaf.example/tea now.", []),
    (SPACING, "Read [the guide](https://cloudleaf.example/guide) today.", []),
    (SPACING, "Thanks @{teahouse} and @lin@mastodon.example for it.", []),
    (SPACING, "Brew it #TeaTime #冬日茶饮 with care.", []),
    (SPACING, "Use `code here` and <!-- a note --> then <b>bold</b> text.", []),
    (SPACING, "Mail a@cloudleaf.example today.", []),
    (SPACING, "See https://cloudleaf.example now.  Then sip.", [(6, 35)]),  # a real double space still counts
    (SPACING, "Brew it.  Then sip.", [(6, 9)]),
    (PUNCTUATION, "Tea https://cloudleaf.example/a . Then", [(6, 32)]),  # the real one after the URL
    (PUNCTUATION, "Tea @{teahouse} , then", [(6, 16)]),
    (PUNCTUATION, "Tea #TeaTime ! then", [(6, 13)]),
    (REPEATED, "Season quiet @{masterwu} quiet roast.", []),  # not one word after the other
    (REPEATED, "A short #gaiwaan short short day.", [(6, 18)]),
    (REPEATED, "Read more [here](https://x.example/here) here.", []),
])
def test_patterns_never_match_what_is_skipped(tmp_path, rule, body, expected):
    assert [(d.line, d.column) for d in one_rule(tmp_path, rule, body)] == expected


def test_title_alt_and_override_text_are_checked(tmp_path):
    found = one_rule(
        tmp_path, WORD, "body",
        title='"We utilise"',
        media='[{file: a.png, alt: "亲 and utilise"}]',
        overrides='{mastodon: {text: "Now utilise it"}}',
    )
    assert brief(found) == [(2, 12, "voice.Rule"), (5, 29, "voice.Rule"), (5, 35, "voice.Rule"), (6, 35, "voice.Rule")]


def test_multiline_and_escaped_front_matter_values(tmp_path):
    text = '---\ntitle: "Say \\"hi\\" then\n  utilise"\npublish_at: 2026-12-01T12:00\nplatforms: [mastodon]\n' \
           'media:\n  - file: a.png\n    alt: >-\n      first line\n      then utilise it\n---\nbody\n'
    root = voice_repo(tmp_path, {"Rule.yml": WORD}, {"p.md": text})
    assert brief(check(root)) == [(3, 3, "voice.Rule"), (10, 12, "voice.Rule")]


def test_scopes(tmp_path):
    rule = "extends: existence\nmessage: '%s'\nignorecase: true\nscope: [hashtags, title]\ntokens: [f4f, spam]\n"
    found = one_rule(tmp_path, rule, "spam f4f #f4f", title="Spam", hashtags='[F4F, "#spam", ok]')
    assert brief(found) == [(2, 8, "voice.Rule"), (5, 12, "voice.Rule"), (5, 19, "voice.Rule")]


def test_default_scope_excludes_hashtags_and_negation(tmp_path):
    rule = "extends: existence\nmessage: '%s'\nignorecase: true\nscope: ~title\ntokens: [spam]\n"
    found = one_rule(tmp_path, rule, "spam", title="spam", hashtags="[spam]")
    assert brief(found) == [(7, 1, "voice.Rule")]


def test_rendered_scope(tmp_path):
    rule = "extends: existence\nmessage: '%s'\nlevel: warning\nscope: rendered\ntokens: [Zhuxiang, Read more]\n"
    root = voice_repo(tmp_path, {"Rule.yml": rule}, {"p.md": post("Tea with @{house}.")}, )
    (root / "brand" / "handles.yml").write_text("house: {default: Zhuxiang Teahouse}\n", encoding="utf-8")
    (root / "brand" / "templates").mkdir()
    (root / "brand" / "templates" / "mastodon.j2").write_text("{{ text }}\n\nRead more", encoding="utf-8")
    found = check(root, rendered=True)
    # in no source text (a template's words, a resolved mention): at the body, naming the account
    assert sorted((d.line, d.column, d.message) for d in found) == [(6, 1, "mastodon: Read more"),
                                                                     (6, 1, "mastodon: Zhuxiang")]


# -- disabling -------------------------------------------------------------------------------


def test_disable_comments(tmp_path):
    rules = {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n",
             "B.yml": "extends: existence\nmessage: b\ntokens: [foo]\nlevel: warning\n"}
    body = textwrap.dedent("""\
        foo
        <!-- smm-disable A -->
        foo
        <!-- smm-enable voice.A --><!-- smm-disable -->
        foo
        <!-- smm-enable A, voice.B -->
        foo
        <!-- smm-enable -->
        foo
        """)
    root = voice_repo(tmp_path, rules, {"p.md": post(body)})
    assert brief(check(root)) == [(6, 1, "voice.A"), (6, 1, "voice.B"), (8, 1, "voice.B"), (12, 1, "voice.A"),
                                  (12, 1, "voice.B"), (14, 1, "voice.A"), (14, 1, "voice.B")]


def test_disable_in_front_matter_and_style_folders(tmp_path):
    rules = {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n",
             "Vale/B.yml": "extends: existence\nmessage: b\ntokens: [foo]\n"}
    root = voice_repo(tmp_path, rules, {"p.md": post("foo"), "q.md": post("foo", voice="{disable: [Vale]}"),
                                        "r.md": post("foo", voice="{disable: [voice.A, Nope]}")})
    found = check(root)
    assert [(d.file[-4:], d.rule) for d in found] == [
        ("p.md", "voice.A"), ("p.md", "voice.Vale.B"), ("q.md", "voice.A"), ("r.md", "voice.unknown-rule"),
        ("r.md", "voice.Vale.B")]
    unknown = found[-2]
    assert (unknown.line, unknown.column, unknown.severity) == (5, 28, "warning")


def test_unknown_rule_in_a_disable_comment(tmp_path):
    root = voice_repo(tmp_path, {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n"},
                      {"p.md": post("x\n<!-- smm-disable Typo -->")})
    [d] = check(root)
    assert (d.rule, d.line, d.column) == ("voice.unknown-rule", 7, 1)


@pytest.mark.parametrize("comment, rule, names", [
    ("<!-- smm-disable Typo -->", "voice.unknown-rule", "`Typo`"),
    ("<!-- smm-disable a -->", "voice.unknown-rule", "`a`"),  # rule ids are case-sensitive
    ("<!-- smm-enable A, Nope -->", "voice.unknown-rule", "`Nope`"),
    ("<!-- smm-disabled A -->", "voice.directive", "not written as"),
    ("<!-- smm_disable A -->", "voice.directive", "not written as"),
    ("<!-- SMM-DISABLE A -->", "voice.directive", "not written as"),
    ("<!-- smm disable A -->", "voice.directive", "not written as"),
    ("<!--smm-enabled-->", "voice.directive", "not written as"),
    ("<!-- smm-disable voice.hashtags -->", "voice.directive", "`voice.hashtags` judges the whole post"),
    ("<!-- smm-disable voice.promo-share, voice.disclosure -->", "voice.directive", "`voice.promo-share`"),
    ("<!-- smm-disable A, voice.hashtags -->", "voice.directive", "`voice.hashtags`"),  # that name does nothing
    ("<!-- smm-disable --><!-- smm-enable -->", "voice.directive", "covers no text"),
    ("<!-- smm-disable A -->\n<!-- team note -->\n<!-- smm-enable A -->", "voice.directive", "covers no text"),
    ("<!-- smm-enable -->", "voice.directive", "turns nothing back on"),
    ("<!-- smm-enable A -->", "voice.directive", "turns nothing back on"),
])
def test_a_disable_comment_that_disables_nothing_is_a_warning(tmp_path, comment, rule, names):
    root = voice_repo(tmp_path, {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n"},
                      {"p.md": post(f"x\n{comment}\ny")})
    found = [d for d in check(root) if d.rule in ("voice.unknown-rule", "voice.directive")]
    assert [(d.rule, d.line, d.column, d.severity) for d in found][:1] == [(rule, 7, 1, "warning")]
    assert names in found[0].message


@pytest.mark.parametrize("body", [
    "foo\n<!-- smm-disable A -->\nfoo",                  # no matching enable: fine, to the end of the text
    "<!-- smm-disable -->\nfoo\n<!-- smm-enable -->",      # every rule
    "<!-- smm-disable Vale -->\nfoo",                      # a style folder
    "<!-- team note: smm is great -->\nbar",              # an ordinary comment
    "<!-- smm-disable A -->\nfoo <!-- smm-enable A --> <!-- smm-disable Vale -->bar<!-- smm-enable -->",
])
def test_disable_comments_that_do_something_are_quiet(tmp_path, body):
    rules = {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n",
             "Vale/B.yml": "extends: existence\nmessage: b\ntokens: [bar]\n"}
    root = voice_repo(tmp_path, rules, {"p.md": post(body)})
    assert [d for d in check(root) if d.rule in ("voice.unknown-rule", "voice.directive")] == []


# -- levels -----------------------------------------------------------------------------------


def test_levels(tmp_path):
    rules = {"E.yml": "extends: existence\nmessage: e\nlevel: error\ntokens: [foo]\n",
             "W.yml": "extends: existence\nmessage: w\nlevel: warning\ntokens: [foo]\n",
             "S.yml": "extends: existence\nmessage: s\ntokens: [foo]\n",  # Vale's default level
             "O.yml": "extends: existence\nmessage: o\nlevel: error\ntokens: [foo]\n"}
    root = voice_repo(tmp_path, rules, {"p.md": post("foo")}, voice_yml="levels: {voice.W: error, O: off}\n")
    found = check(root)
    assert [(d.rule, d.severity, d.message) for d in found] == [
        ("voice.E", "error", "e"), ("voice.S", "warning", "suggestion: s"), ("voice.W", "error", "w")]


# -- the engine as an object --------------------------------------------------------------------


def test_pickles_and_the_fallback_matches_the_same(tmp_path):
    root = voice_repo(tmp_path, {"T.yml": TERMS, "E.yml": EXISTENCE},
                      {"p.md": post("用github发布 第一次 全网第一 ｕｔｉｌｉｓｅ click here\n第一")})
    voice, _ = load(root)
    expected = check(root, voice)
    assert len(expected) == 5
    assert check(root, pickle.loads(pickle.dumps(voice))) == expected
    fallback, _ = load(root, use_automaton=False)
    assert fallback.backend == "re"
    assert check(root, fallback) == expected


def test_no_rules_no_problems(tmp_path):
    root = voice_repo(tmp_path, posts={"p.md": post("anything at all!!!")})
    voice, problems = load(root)
    assert problems == [] and voice.rules == [] and check(root, voice) == []


# -- the example repository -----------------------------------------------------------------------


def test_example_repository_passes():
    voice, problems = load(ROOT)
    assert problems == []
    assert len(voice.rules) >= 30
    assert {r.kind for r in voice.rules} == {"existence", "substitution", "occurrence", "repetition",
                                              "capitalization", "conditional", "consistency"}
    from smm.render.rendered import Renderer
    from smm.workspace.repo import load_repo

    repo = load_repo(ROOT)
    renderer = Renderer(ROOT, repo.config, repo.brand)
    found = []
    for item in repo.posts:
        found += voice.check_post(item, [renderer.render(item, a) for a in item.accounts])
    found += voice.check_calendar(repo.posts)
    assert [d for d in found if d.is_error] == []


def test_example_rules_catch_what_they_are_for(tmp_path):
    import shutil

    shutil.copytree(ROOT / "brand", tmp_path / "brand")
    body = ("Click here: our winter blend boosts immunity!!!! Follow us on Wechat 🎉🎉🎉\n\n"
            "亲，全网最低价，第一次也是销量第一，用github发布，好喝,便宜。")
    voice_repo(tmp_path, posts={"p.md": post(body)}, calendar=(ROOT / "brand" / "calendar.yml").read_text())
    rules = {d.rule for d in check(tmp_path)}
    assert {"voice.ClickHere", "voice.ProductNames", "voice.HealthClaims", "voice.Terms", "voice.exclamation",
            "voice.emoji", "voice.ZhQin", "voice.ZhSuperlatives", "voice.ZhPunctuation"} <= rules


@pytest.mark.parametrize("message,args,shown", [
    ("这里用了“%s”式引号，前面用的是“%s”式：请统一。", ("“", "「"), "这里用了`“”`式引号，前面用的是`「」`式：请统一。"),
    ("这里用了“%s”式引号", ("」",), "这里用了`「」`式引号"),
    ("Inconsistent: '%s' (this post also has '%s').", ('"', "'"), "Inconsistent: `\"` (this post also has `'`)."),
    ("Use «%s», not %s.", ("«", "“”"), "Use `«»`, not `“”`."),
    ("Use '%s' instead of '%s'.", ("tea", "it's"), "Use 'tea' instead of 'it's'."),
    ("用“%s”代替“%s”。", ("茶", "“茶”"), "用“茶”代替““茶””。"),  # text with quotes in it stays text
    ("%d%% of %s", (5, "x"), "5% of x"),
])
def test_message_values_that_are_quote_marks_stay_readable(message, args, shown):
    from smm.voice.base import format_message

    assert format_message(message, *args) == shown


def test_the_example_chinese_quote_rule_names_both_styles_readably(tmp_path):
    rule = (ROOT / "brand/voice/ZhQuoteStyle.yml").read_text(encoding="utf-8")
    root = voice_repo(tmp_path, rules={"ZhQuoteStyle.yml": rule}, posts={"p.md": post("他说“好”，她说「不」。")})
    [d] = check(root)
    assert d.message == "这里用了`「」`式引号，前面用的是`“”`式：请统一。"


@pytest.mark.parametrize("body", ["x\n<!-- smm-disable A -->", "x\n<!-- smm-disable -->\n<!-- team note -->\n",
                                  "x <!-- smm-disable A -->\n\n"])
def test_a_disable_at_the_end_of_the_text_is_a_warning(tmp_path, body):
    root = voice_repo(tmp_path, {"A.yml": "extends: existence\nmessage: a\ntokens: [foo]\n"}, {"p.md": post(body)})
    [d] = [d for d in check(root) if d.rule == "voice.directive"]
    line = 6 + body[:body.index("<!-- smm")].count("\n")
    assert (d.line, d.severity) == (line, "warning") and "covers no text" in d.message and "the end" in d.message


@pytest.mark.parametrize("where", ["comment", "front matter"])
@pytest.mark.parametrize("name,meant", [("voice.wordy", "voice.Wordy"), ("WORDY", "voice.Wordy"),
                                        ("vale.b", "voice.Vale.B"), ("voice.Wordi", "voice.Wordy")])
def test_a_rule_name_almost_right_gets_a_did_you_mean(tmp_path, where, name, meant):
    rules = {"Wordy.yml": "extends: existence\nmessage: a\ntokens: [foo]\n",
             "Vale/B.yml": "extends: existence\nmessage: b\ntokens: [bar]\n"}
    if where == "comment":
        text = post(f"<!-- smm-disable {name} -->\nfoo")
    else:
        text = post("foo", voice=f"{{disable: [{name}]}}")
    root = voice_repo(tmp_path, rules, {"p.md": text})
    [d] = [d for d in check(root) if d.rule == "voice.unknown-rule"]
    assert f"did you mean `{meant}`?" in d.hint


@pytest.mark.parametrize("fields,expected", [  # comments in a front matter text are for the repository
    ({"title": '"Launch <!-- hype: amazing --> day"'}, []),
    ({"title": '"Launch <!-- note --> amazing day"'}, [(2, 30)]),       # the column past the comment
    ({"media": '[{file: m.png, alt: "<!-- amazing --> A leaf"}]'}, []),
    ({"content_warning": '"amazing <!-- amazing -->"'}, []),            # not a scope voice reads
])
def test_voice_ignores_comments_in_front_matter_text(tmp_path, fields, expected):
    rule = "extends: existence\nmessage: '%s'\nlevel: warning\nscope: [title, alt]\ntokens: [amazing]\n"
    found = one_rule(tmp_path, rule, "body", **fields)
    assert [(d.line, d.column) for d in found] == expected
