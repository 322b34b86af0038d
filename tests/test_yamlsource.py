"""YAML with positions: values, keys, and the surprises it refuses or defuses."""

from __future__ import annotations

import pytest

from smm.workspace.yamlsource import load


def test_positions_of_values_and_keys():
    parsed = load("title: Hi\nmedia:\n  - file: a.png\n    alt: 茶杯\n", file="f", first_line=2)
    assert parsed.diagnostics == []
    assert parsed.positions.of_value(("title",)) == (2, 8, 2, 10)
    assert parsed.positions.of_key(("media",)) == (3, 1, 3, 6)
    assert parsed.positions.of_value(("media", 0, "alt")) == (5, 10, 5, 12)
    # a path that does not exist falls back to the nearest enclosing value
    assert parsed.positions.of_value(("media", 0, "nope"))[:2] == (4, 5)


@pytest.mark.parametrize("text,value", [
    ("v: 12:00", "12:00"),                       # no base-60 integers
    ("v: 2026-11-27T12:00:00+08:00", "2026-11-27T12:00:00+08:00"),  # no timestamps
    ("v: 2026-02-30", "2026-02-30"),             # an impossible date stays text for a clear error later
    ("v: 0x1F", 31),
    ("v: 1_000", 1000),
    ("v: 1.5", 1.5),
    ("v: yes", True),
    ("v: ~", None),
    ("v: '#茶'", "#茶"),
])
def test_scalar_types(text, value):
    assert load(text, file="f").data == {"v": value}


@pytest.mark.parametrize("text,rule,line,column", [
    ("a: 1\nb: 2\na: 3\n", "yaml.duplicate-key", 3, 1),
    ("a:\n\t- b\n", "yaml.tab", 2, 1),
    ("a: &x [1, *x]\n", "yaml.recursive-alias", 1, 11),  # at the alias that loops
    ("a: &x {b: [c, {d: *x}]}\n", "yaml.recursive-alias", 1, 19),
    ("a: !python/object x\n", "yaml.unsupported", 1, 4),
    ("base: &b {x: 1}\nc:\n  <<: *b\n", "yaml.unsupported", 3, 3),
    ("? [a]\n: 1\n", "yaml.complex-key", 1, 3),
    ("title: x\nhashtags: [Tea, #茶]\n", "yaml.syntax", 2, 11),
    ("a: \"unclosed\n", "yaml.syntax", 1, 4),
])
def test_problems_are_located(text, rule, line, column):
    diagnostics = load(text, file="f").diagnostics
    assert [(d.rule, d.line, d.column) for d in diagnostics] == [(rule, line, column)]


@pytest.mark.parametrize("text, line, column, char", [
    ("title：Hi\nb: 1\n", 1, 6, "U+FF1A"),                       # the parser would blame line 2
    ("a: 1\nb:\u00a0x\nc: 2\n", 2, 3, "U+00A0"),
    ("a:\n\u3000\u3000- x\nb: 2\n", 2, 1, "U+3000"),
    ("a: {b: 1，c: 2}\n", 1, 9, "U+FF0C"),                         # on the line the parser stopped at
    ("a: [x, y］\nb: 1\n", 1, 9, "U+FF3D"),
    # the same kinds in their small, vertical and mathematical forms
    ("title﹕Hi\nb: 1\n", 1, 6, "U+FE55"),
    ("title∶Hi\nb: 1\n", 1, 6, "U+2236"),
    ("title︰Hi\nb: 1\n", 1, 6, "U+FE30"),
    ("title꞉Hi\nb: 1\n", 1, 6, "U+A789"),
    ("a: {b: 1﹐c: 2}\n", 1, 9, "U+FE50"),
    ("a: [x, y〕\nb: 1\n", 1, 9, "U+3015"),
    ("a: [x, y﹈\nb: 1\n", 1, 9, "U+FE48"),
    ("a: {b: 1﹜\nc: 2\n", 1, 9, "U+FE5C"),
    ("a: 1\nb:\u1680x\nc: 2\n", 2, 3, "U+1680"),
    # a full-width colon inside text is meant: the real error is named
    ("a: |\n  Note：quoted text\nb: [x\n", 3, 4, None),
    ("a: \"Note：x\nb: [x\n", 1, 4, None),
])
def test_lookalikes_are_named_where_they_stand(text, line, column, char):
    (d,) = load(text, file="f").diagnostics
    assert (d.line, d.column) == (line, column)
    assert (d.rule == "yaml.lookalike" and char in d.message) if char else d.rule == "yaml.syntax"


def test_comment_hint_for_hash_values():
    (d,) = load("hashtags: [Tea, #茶]\n", file="f").diagnostics
    assert "quote a value that begins with it" in d.hint


def test_alias_bomb_is_bounded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
              for i in range(1, 9)]
    parsed = load("\n".join(lines), file="f")
    assert [(d.rule, d.line, d.column) for d in parsed.diagnostics] == [("yaml.too-complex", 5, 25)]
    assert "`*a3`" in parsed.diagnostics[0].message  # where it explodes, not at `&a0` on line 1


@pytest.mark.parametrize("text, line, column, message", [
    # the count passes 50,000 values at the 5th `*a3` on line 5 (keys are not counted)
    ("\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]), 5, 25, "`*a3`"),
    # one alias of a huge anchored value, used twice, far below it
    ("big: &b [" + ", ".join(["[" + ", ".join(["x"] * 100) + "]"] * 300) + "]\nother: 1\nagain: *b\nmore: *b\n",
     3, 8, "`*b`"),
    # no aliases at all: just too many values
    ("a: [" + ", ".join(["1"] * 50_001) + "]", 1, 3 * 50_000 - 1, "more than 50,000 values"),
])
def test_too_many_values_is_reported_where_it_explodes(text, line, column, message):
    (d,) = load(text, file="f").diagnostics
    assert (d.rule, d.line, d.column) == ("yaml.too-complex", line, column)
    assert message in d.message
