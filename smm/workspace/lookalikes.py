"""Characters that look like YAML syntax but are not: what a Chinese input method types.

A full-width colon `title：…`, a no-break or ideographic space after a colon or in the
indentation, full-width brackets and commas in a flow list `［a，b］`, a full-width list
dash `－`, curly quotes around a value: YAML reads each as text, so the error it gives (if
any) is generic and often a line late. These functions find such a character on a line,
where it stands in for syntax, and name it in the words of the people who type it.

They look at single lines, and only where something already went wrong: a file that does
not parse (`strict`: only characters that break the parse), or the line of an error about
a value (`explain`), so checking a repository that is fine costs nothing.
"""

from __future__ import annotations

import unicodedata
from typing import Callable, Iterable

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace.patterns import LazyPattern

RULE = "yaml.lookalike"
# character → (its name for the editor, what YAML needs instead): every colon, comma, bracket,
# dash and quote that an input method (full-width, small or vertical forms, math) types
_PUNCTUATION = {
    "：": ("全角冒号", ":"), "﹕": ("小型冒号", ":"), "∶": ("比号", ":"), "︰": ("竖排冒号", ":"),
    "︓": ("竖排冒号", ":"), "꞉": ("修饰冒号", ":"), "˸": ("修饰冒号", ":"),
    "，": ("全角逗号", ","), "、": ("顿号", ","), "﹐": ("小型逗号", ","), "﹑": ("小型顿号", ","),
    "︐": ("竖排逗号", ","), "︑": ("竖排顿号", ","), "‚": ("低位单引号", ","),
    "［": ("全角方括号", "["), "］": ("全角方括号", "]"), "【": ("方头括号", "["), "】": ("方头括号", "]"),
    "〔": ("六角括号", "["), "〕": ("六角括号", "]"), "〖": ("空心方头括号", "["), "〗": ("空心方头括号", "]"),
    "﹝": ("小型六角括号", "["), "﹞": ("小型六角括号", "]"), "﹇": ("竖排方括号", "["), "﹈": ("竖排方括号", "]"),
    "｛": ("全角花括号", "{"), "｝": ("全角花括号", "}"), "﹛": ("小型花括号", "{"), "﹜": ("小型花括号", "}"),
    "－": ("全角减号", "-"), "—": ("破折号", "-"), "–": ("连接号", "-"), "﹣": ("小型减号", "-"),
    "‐": ("连字符", "-"), "‑": ("不换行连字符", "-"), "−": ("数学减号", "-"), "﹘": ("小型破折号", "-"),
    "“": ("中文引号", '"'), "”": ("中文引号", '"'), "＂": ("全角引号", '"'), "「": ("直角引号", '"'),
    "」": ("直角引号", '"'), "『": ("直角引号", '"'), "』": ("直角引号", '"'), "〝": ("双引号", '"'),
    "〞": ("双引号", '"'), "„": ("低位双引号", '"'),
    "‘": ("中文单引号", "'"), "’": ("中文单引号", "'"), "＇": ("全角单引号", "'"),
}
_SPACES = "\u00a0\u1680\u3000" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f"  # not YAML's space
_SPACE_NAMES = {"\u00a0": "不换行空格", "\u3000": "全角空格"}


def _like(wanted: str) -> str:
    return "".join(ch for ch, (_, meant) in _PUNCTUATION.items() if meant == wanted)


_COLONS, _COMMAS, _DASHES = _like(":"), _like(","), _like("-")
_OPENERS, _CLOSERS, _QUOTES = _like("[") + _like("{"), _like("]") + _like("}"), _like('"') + _like("'")
_PUNCTUATION_MARKS = _COMMAS + _COLONS + _OPENERS + _CLOSERS

_LINE = LazyPattern(
    rf"(?P<indent>[ {_SPACES}]*)"
    rf"(?P<dashes>(?:[{_DASHES}]+[ {_SPACES}]*|-(?:[ {_SPACES}]+|$))*)"
    rf"(?:(?P<key>[A-Za-z0-9_][A-Za-z0-9_.-]*|\"[^\"]*\"|'[^']*')(?P<gap>[ {_SPACES}]*)"
    rf"(?P<colon>[{_COLONS}]|:(?=[ \t{_SPACES}]|$))(?P<after>[ {_SPACES}]*))?"
    r"(?P<value>.*)"
)
_FULL_WIDTH_LETTERS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"  # ０-９, Ａ-Ｚ, ａ-ｚ
_FULL_WIDTH_FORM = LazyPattern(f"[{_FULL_WIDTH_LETTERS}]")
_FULL_WIDTH_RUN = LazyPattern(f"[{_FULL_WIDTH_LETTERS}]*")
# Worth a look at all: a line without any of these has nothing to say (most lines).
SUSPECT = LazyPattern(f"[{_SPACES}{''.join(_PUNCTUATION)}{_FULL_WIDTH_LETTERS}]")
# Errors such a character can explain, and how: "any" look-alike inside what the error points
# at, full-width letters and digits included (`pillar: ｔｉｐｓ`); "key": any but those (a
# full-width key gets the field name it means from the error itself); only a "strict" one (a
# document that is one piece of text, not `key: value` fields: `title：x`); "inline": any,
# when the error's value is on one line (`{platform: feed}` missing `platform`; a block
# mapping's first line says nothing about a missing field).
EXPLAINS = {**dict.fromkeys(["schema.type", "schema.pattern", "schema.enum", "post.unknown-account",
                             "post.unknown-pillar", "post.hashtag", "post.publish-at", "config.timezone",
                             "config.unknown-platform", "calendar.unknown-pillar", "goals.unknown-account",
                             "goals.date"], "any"),
            "schema.unknown-field": "key", "schema.name": "key",
            "yaml.not-mapping": "strict", "frontmatter.not-mapping": "strict",
            "schema.required": "inline"}


def find(line: str, strict: bool = False, forms: bool = False) -> list[int]:
    """0-based columns of look-alike characters standing in for YAML syntax on one line.
    `strict`: only those that break the parse, never one that could be meant as text;
    `forms`: also full-width letters and digits in the value."""
    if not SUSPECT.search(line):
        return []
    m = _LINE.match(line)
    found = [m.start("indent") + i for i, ch in enumerate(m.group("indent")) if ch != " "][:1]
    found += [m.start("dashes") + i for i, ch in enumerate(m.group("dashes")) if ch not in " -"][:1]
    if m.group("colon"):
        found += [m.start("gap") + i for i, ch in enumerate(m.group("gap")) if ch != " "][:1]
        found += [m.start("colon")] if m.group("colon") != ":" else []
        found += [m.start("after") + i for i, ch in enumerate(m.group("after")) if ch != " "][:1]
    found += _in_value(m.group("value"), m.start("value"), strict)
    if forms:  # `pillar: ｔｉｐｓ`, `baseline: １００`: letters and digits typed full-width
        wide = _FULL_WIDTH_FORM.search(m.group("value"))
        found += [m.start("value") + wide.start()] if wide else []
    return found


def _in_value(value: str, start: int, strict: bool) -> list[int]:
    """A curly quote that was meant to close a quoted value; full-width punctuation in a value
    that opens a flow list or mapping (outside quotes); a value that starts with a full-width
    bracket or a curly quote, or ends in a Unicode space (not `strict`: it could be text)."""
    stripped = value.lstrip(" ")
    at = start + len(value) - len(stripped)
    trailing = len(stripped.rstrip(_SPACES + " "))
    if not strict and trailing < len(stripped.rstrip(" ")):  # `pillar: tips` + a no-break space
        return [at + trailing]
    if stripped[:1] in ("\"", "'") and stripped[0] not in stripped[1:]:  # `"Winter blend”`: never closed
        closers = [i for i, ch in enumerate(stripped) if ch in _QUOTES]
        return [at + closers[-1]] if closers else []
    if not stripped or stripped[0] not in "[{" + ("" if strict else _OPENERS + _QUOTES):
        return []
    found, quote, item_start, after_colon = [], None, True, False
    for offset, ch in enumerate(stripped):
        separates = item_start or after_colon  # a space here is syntax; inside an item it is text
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'" and item_start:
            quote = ch
        elif ch in _CLOSERS or (not strict and (ch in _PUNCTUATION_MARKS or (separates and ch in _SPACES + _QUOTES))):
            found.append(at + offset)
        if ch != " ":
            item_start, after_colon = ch in "[{," + _COMMAS + _OPENERS, ch in ":" + _COLONS
    return found


def _shown(char: str) -> str:
    return f"'{char}'" if char == '"' else f'"{char}"'


def describe(run: str) -> tuple[str, str]:
    """(message, hint) naming the character that starts `run`, for people on a Chinese keyboard
    (full-width letters and digits: the whole run)."""
    char = run[0]
    code = f"U+{ord(char):04X}"
    english = unicodedata.name(char, "unnamed character").lower()
    if char in _PUNCTUATION:
        name, wanted = _PUNCTUATION[char]
        after = " followed by a space" if wanted in ":-" else ""
        return (f"{name} {_shown(char)} ({code}, {english}) where YAML needs {_shown(wanted)}",
                f"type the half-width (半角) {_shown(wanted)}{after} instead")
    if _FULL_WIDTH_FORM.match(char):  # the whole run: `ｔｉｐｓ` → `tips`
        wanted = unicodedata.normalize("NFKC", run)
        return (f"全角字符 {_shown(run)} ({code}, {english}{' …' if len(run) > 1 else ''}) where {_shown(wanted)} is meant",
                f"type it in half-width (半角) mode: {_shown(wanted)}")
    name = _SPACE_NAMES.get(char, "特殊空格")
    return (f"{name} ({code}, {english}) where YAML needs a plain space",
            "replace it with an ordinary half-width (半角) space")


def diagnostics_for(file: str, line_number: int, line: str, strict: bool = False,
                    forms: bool = False) -> list[Diagnostic]:
    """One diagnostic per line, at its first look-alike; the hint names the others."""
    return _at_first(file, line_number, line, find(line, strict, forms))


def _at_first(file: str, line_number: int, line: str, columns: list[int]) -> list[Diagnostic]:
    columns = sorted(set(columns))
    if not columns:
        return []
    first, *rest = columns
    message, hint = describe(_FULL_WIDTH_RUN.match(line, first).group() or line[first])
    others = ", ".join(f"{_shown(line[c])} at column {c + 1}" for c in rest[:4])
    if others:
        hint += f"; this line also has {others}{' …' if len(rest) > 4 else ''}"
    return [Diagnostic(file, line_number, first + 1, ERROR, RULE, message, hint, first + 2)]


def explain(diagnostics: Iterable[Diagnostic], line_of: Callable[[str, int], str | None]) -> list[Diagnostic]:
    """Each error that a look-alike inside what it points at explains is replaced by the
    look-alike, its cause."""
    out = []
    for d in diagnostics:
        mode = EXPLAINS.get(d.rule) if d.is_error else None
        if not mode:  # most diagnostics (a whole repository's voice findings): nothing to look at
            out.append(d)
            continue
        text = line_of(d.file, d.line) if mode != "inline" or d.end_column else None
        columns = find(text, mode == "strict", mode in ("any", "inline")) if text else []
        inside = [c for c in columns if d.column <= c + 1 and (d.end_column is None or c + 1 < d.end_column)]
        out += _at_first(d.file, d.line, text, inside) or [d]
    unique: dict[tuple, Diagnostic] = {}
    for d in out:  # a look-alike that explains several errors is reported once, and so is any diagnostic found twice
        unique.setdefault((d.file, d.line, d.column, d.rule, d.message), d)
    return list(unique.values())
