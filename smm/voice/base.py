"""What every rule shares: levels, scopes, messages, and the hits rules report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import regex

from smm.voice.text import Normalized, edges_ok, normalize, prepare

LEVELS = ("error", "warning", "suggestion")

# Where text comes from in a post (a segment's scope).
SEGMENT_SCOPES = ("title", "body", "alt", "card", "hashtags", "rendered", "raw")
PROSE = frozenset({"title", "body", "alt", "card"})  # card: a social card's `text` and `subtitle`

# Scope names a rule may give, smm's own and Vale's: → (segment scopes, unit)
SCOPES: dict[str, tuple[frozenset, str]] = {
    "text": (PROSE, "whole"),
    "title": (frozenset({"title"}), "whole"),
    "heading": (frozenset({"title"}), "whole"),
    "body": (frozenset({"body"}), "whole"),
    "summary": (frozenset({"body"}), "whole"),
    "list": (frozenset({"body"}), "whole"),
    "blockquote": (frozenset({"body"}), "whole"),
    "paragraph": (PROSE, "paragraph"),
    "sentence": (PROSE, "sentence"),
    "alt": (frozenset({"alt"}), "whole"),
    "card": (frozenset({"card"}), "whole"),
    "hashtags": (frozenset({"hashtags"}), "whole"),
    "rendered": (frozenset({"rendered"}), "whole"),
    "raw": (frozenset({"raw"}), "whole"),
}
SKIPPED_SCOPES = {"code", "comment", "table", "script", "attr", "md", "link"}  # never linted: smm skips them


def parse_scopes(value) -> tuple[frozenset, str, list[str]]:
    """A rule's `scope` → (segment scopes, unit, problems)."""
    names = [value] if isinstance(value, str) else list(value or ["text"])
    targets: set[str] = set()
    removed: set[str] = set()
    unit = "whole"
    problems = []
    for raw_name in names:
        name = str(raw_name)
        negated = name.startswith("~")
        base = name.lstrip("~").split(".")[0]
        if "&" in name:
            problems.append(f"scope `{name}` (several scopes joined with `&`) is not supported; `text` is used")
            targets |= PROSE
            continue
        if base in SKIPPED_SCOPES:
            if not negated:
                problems.append(f"scope `{name}` is never checked: smm skips code, comments, tables and link targets")
            continue
        if base not in SCOPES:
            problems.append(f"unknown scope `{name}`; scopes are: {', '.join(SCOPES)}")
            continue
        scopes, scope_unit = SCOPES[base]
        if negated:
            removed |= scopes
        else:
            targets |= scopes
            if scope_unit != "whole":
                unit = scope_unit
    if removed and not targets:
        targets = set(PROSE)
    return frozenset(targets - removed), unit, problems


_QUOTE_MARKS = "\"'“”‘’„‚「」『』«»‹›〝〞〟＂＇《》〈〉"
_PAIRS = dict(zip("“”‘’「」『』«»‹›〝〞《》〈〉", ["“”", "“”", "‘’", "‘’", "「」", "「」", "『』", "『』", "«»", "«»", "‹›", "‹›",
                                               "〝〞", "〝〞", "《》", "《》", "〈〉", "〈〉"]))
_PLACEHOLDER = re.compile(rf"%%|([{_QUOTE_MARKS}]?)%[sdv]([{_QUOTE_MARKS}]?)")


def _shown_value(value: str, opening: str, closing: str) -> str:
    """A value in its place in the message. Quote marks as a value (`“`, `「」`) are shown as
    their pair in backticks, without the message's own quotes around them: `“”`, not “““."""
    if value and all(ch in _QUOTE_MARKS for ch in value):
        return f"`{_PAIRS.get(value, value)}`"
    return f"{opening}{value}{closing}"


def format_message(message: str, *args) -> str:
    """Vale's messages: each `%s` (or `%d`, `%v`) takes the next argument."""
    if "%" not in message:
        return message
    values = iter(args)
    return "".join(piece if piece.__class__ is str else _shown_value(str(next(values, "")), *piece)
                   for piece in _pieces(message))


@lru_cache(maxsize=1024)
def _pieces(message: str) -> tuple:
    """A message cut once into its text (strings) and placeholders ((opening, closing) quote marks)."""
    pieces: list = []
    last = 0
    for match in _PLACEHOLDER.finditer(message):
        pieces += [message[last:match.start()], "%" if match.group() == "%%" else match.groups()]
        last = match.end()
    return (*pieces, message[last:])


@dataclass(slots=True)
class Hit:
    """A rule's finding in a segment, in the segment's original offsets."""

    rule: object
    segment: object
    start: int
    end: int
    message: str
    replacement: str | None = None  # a substitution's single replacement: fixable
    options: tuple[str, ...] = ()  # every suggested replacement
    extra_hint: str | None = None
    path: tuple | None = None  # a front matter field, for hits not inside a text (segment None)


@dataclass
class Rule:
    """A rule loaded from brand/voice/<Name>.yml."""

    id: str
    name: str
    file: str
    kind: str
    level: str
    message: str
    targets: frozenset
    unit: str = "whole"
    description: str | None = None
    link: str | None = None
    ignorecase: bool = False
    nonword: bool = False
    nfkc: bool = True
    limit: int | None = None
    line: int = 1
    index: int = -1  # position in the engine's rule list
    needs_scan: bool = False  # runs even without literal hits (regex tokens, counting kinds)
    flags: int = field(default=0, repr=False)

    def entries(self):
        """Literal strings for the shared index."""
        return []

    def applies(self, segment) -> bool:
        return segment.scope in self.targets

    def check(self, ctx, candidates) -> list[Hit]:
        raise NotImplementedError

    # helpers

    def compile(self, pattern: str, ignorecase: bool | None = None):
        flags = regex.MULTILINE | regex.V0
        if (self.ignorecase if ignorecase is None else ignorecase) and not case_blind(pattern):
            flags |= regex.IGNORECASE  # (a third slower where it changes nothing: `[^\s.!?]+`)
        return regex.compile(pattern, flags)

    def view(self, segment) -> Normalized:
        return segment.view(self.nfkc)

    def hint(self, extra: str | None = None) -> str | None:
        suffix = self.__dict__.get("_hint_suffix")
        if suffix is None:
            parts = [p for p in (self.description.strip() if self.description else None,
                                 f"see {self.link}" if self.link else None) if p]
            suffix = self.__dict__["_hint_suffix"] = "; ".join(parts)
        if extra and suffix:
            return f"{extra}; {suffix}"
        return extra or suffix or None


_UNCASED = re.compile("[\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uff20]")  # no other case, none folds to them


def case_blind(pattern: str) -> bool:
    """Whether IGNORECASE changes nothing a pattern matches: it has no letter but those of `\\s`,
    `\\d`, `\\w`, `\\b` and their capitals (sets closed under case), no backreference, no range (`!-~`
    holds letters); its other characters are ASCII, or Chinese characters and punctuation."""
    escaped = False
    for ch in pattern:
        if escaped:
            if ch.isalnum() and ch not in "sSdDwWbB" or not ch.isascii():
                return False
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "-" or (ch.isalpha() if ch.isascii() else not _UNCASED.match(ch)):
            return False
    return not escaped


# regex's `\s` (Unicode's White_Space) written out: `re`'s `\s` also takes \x1c-\x1f
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def in_re(pattern) -> re.Pattern | None:
    r"""A compiled regex pattern as a Python `re` pattern (about twice as fast) that matches
    the same, where that is sure: a sequence of characters and classes of characters (single
    characters, ranges, `\s`), each maybe with `*`, `+` or `?` but not all of them, maybe in one
    group around all (`[A-Za-z][A-Za-z'’-]*`, `([^\s.!?]+)`), not ignoring case: sets of code
    points, matched by the same greedy backtracking in either engine, never empty. None for
    any other pattern."""
    source = pattern.pattern
    if pattern.flags & regex.IGNORECASE:
        return None
    grouped = source.startswith("(") and source.endswith(")") and not source.startswith("(?")
    body = source[1:-1] if grouped else source
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "[":
            end = body.find("]", i + 2)  # `[]…]`: a first `]` is a character; such sets are refused below
            atom = _plain_set(body[i + 1:end]) if end > 0 else None
            i = end + 1
        elif ch == "\\":
            atom = _plain_escape(body[i + 1:i + 2])
            i += 2
        elif ch in ".^$*+?{}()|#" or not ch.isprintable():
            return None
        else:
            atom = re.escape(ch)
            i += 1
        if atom is None:
            return None
        if body[i:i + 1] in ("*", "+", "?"):
            if body[i + 1:i + 2] in ("*", "+", "?", "{"):
                return None  # lazy, possessive
            atom += body[i]
            i += 1
        out.append(atom)
    if all(atom.endswith(("*", "?")) for atom in out):
        return None  # it may match nothing, and regex (V0) takes such matches as `re` did before 3.7
    return re.compile("(" * grouped + "".join(out) + ")" * grouped)


def _plain_escape(escaped: str) -> str | None:
    r"""`\s` or an escaped punctuation mark, as a `re` class or character."""
    if escaped == "s":
        return f"[{WHITE_SPACE}]"
    if escaped and escaped.isascii() and not escaped.isalnum() and escaped != "_":
        return re.escape(escaped)
    return None  # \w, \d, \b, \p{..}, \x41...: defined otherwise in re, or more to read


def _plain_set(inside: str) -> str | None:
    r"""The inside of `[…]` of single characters, ranges and `\s` as a `re` class, or None."""
    negated = inside.startswith("^")
    inside = inside[negated:]
    out = []
    i = 0
    while i < len(inside):
        ch = inside[i]
        if ch == "\\":
            escaped = inside[i + 1:i + 2]
            part = WHITE_SPACE if escaped == "s" else _plain_escape(escaped)
            i += 2
        elif ch == "-" and 0 < i < len(inside) - 1:
            if len(out) > 1 and out[-2] == "-" or out[-1].startswith(WHITE_SPACE) or inside[i + 1] in "\\[]-":
                return None  # only a range between two single characters
            part = "-"
            i += 1
        elif ch in "[]^&|~" or not ch.isprintable():
            return None  # nested sets, set operations
        else:
            part = re.escape(ch)
            i += 1
        if part is None:
            return None
        out.append(part)
    if not out:
        return None
    return "[" + "^" * negated + "".join(out) + "]"


def regex_hits(pattern, view: Normalized, word_edges: bool, start: int = 0, end: int | None = None):
    """(start, end) of each match of a compiled pattern in a view, whole words unless nonword."""
    text = view.text
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        s, e = match.span()
        if s == e:
            continue
        if word_edges and not edges_ok(text, s, e):
            continue
        yield s, e, match


def longest_first(found: list[tuple]) -> list[tuple]:
    """Non-overlapping matches: at each place the longest wins (全网第一 over 第一)."""
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    chosen = []
    last_end = -1
    for item in found:
        if item[0] >= last_end:
            chosen.append(item)
            last_end = item[1]
    return chosen


def nested(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """One span lies inside the other."""
    return (b_start <= a_start and a_end <= b_end) or (a_start <= b_start and b_end <= a_end)


def text_view(text: str, nfkc: bool = True, flavor: str = "markdown") -> Normalized:
    return normalize(prepare(text, flavor), nfkc)


# -- which texts a pattern may match in -----------------------------------------------------------

_QUANTIFIER = re.compile(r"(?:[*+?]|\{(\d*)(?:,(\d*))?\})[?+]?")  # and its minimum: group 1 of {m,n}
_CLASS_ESCAPES = frozenset("dDwWsShHvV")  # escapes of a class of characters (unknown here)
_ZERO_WIDTH_ESCAPES = frozenset("bBAZGmMK")


def _escape_end(source: str, i: int) -> tuple[int, str | None] | None:
    """At a backslash: (where the escape ends, the character it stands for or None for a class or an
    assertion); None for an escape not read here (code points, names, backreferences)."""
    escaped = source[i + 1:i + 2]
    if not escaped:
        return None
    if not escaped.isascii() or not escaped.isalnum() and escaped != "_":
        return i + 2, escaped
    if escaped in _CLASS_ESCAPES or escaped in _ZERO_WIDTH_ESCAPES:
        return i + 2, None
    if escaped in "pP":
        if source[i + 2:i + 3] != "{":
            return (i + 3, None) if source[i + 2:i + 3].isalpha() else None
        close = source.find("}", i + 3)
        return (close + 1, None) if close > 0 else None
    return None


def _class_end(source: str, i: int) -> tuple[int, str | None] | None:
    """At a `[`: (where the set ends, its characters or None where they are not all known here)."""
    j = i + 1
    negated = source[j:j + 1] == "^"
    j += negated
    chars: list[str] = []
    known = not negated
    first = True
    while True:
        if j >= len(source):
            return None
        ch = source[j]
        if ch == "]" and not first:
            break
        first = False
        if ch == "[" or source.startswith(("&&", "||", "--", "~~"), j):
            return None  # POSIX classes, nested sets, set operations
        if ch == "\\":
            escape = _escape_end(source, j)
            if escape is None:
                return None
            j, ch = escape
            if ch is None:
                known = False
                continue
        else:
            j += 1
        if source[j:j + 1] == "-" and source[j + 1:j + 2] not in ("]", ""):
            end = source[j + 1]
            if end in "\\[":
                return None  # a range to an escaped character, or a set operation
            j += 2
            if ord(end) < ord(ch) or ord(end) - ord(ch) > 256:
                known = False
                continue
            chars += map(chr, range(ord(ch), ord(end) + 1))
        else:
            chars.append(ch)
    return j + 1, "".join(dict.fromkeys(chars)) if known and chars else None


def _group_end(source: str, i: int) -> int | None:
    """At a `(`: where its group ends (after the `)`), escapes and sets skipped; None if unbalanced."""
    depth, j = 0, i
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            found = _class_end(source, j)
            if found is None:
                return None
            j = found[0]
            continue
        depth += ch == "("
        depth -= ch == ")"
        j += 1
        if depth == 0:
            return j
    return None


def required_characters(source: str, flags: int) -> str | None:
    """Characters of which every non-empty match of a `regex` pattern holds one, from an atom of its
    top level that it must match at least once (a character, an escaped one, a set of known characters;
    groups and look-arounds are left unread); the fewest such, none of them white space (held by most
    texts). None where none is known, or the pattern is not read here (an alternation at the top,
    inline flags, named groups, verbose or fuzzy syntax). Ignoring case, only ASCII characters that
    are no letters are taken (a letter may match others: `K` matches the Kelvin sign)."""
    if flags & (regex.VERBOSE | regex.V1):
        return None
    ignorecase = bool(flags & regex.IGNORECASE)
    found: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        atom: str | None = None
        if ch == "(":
            if source.startswith("(?", i) and not source.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!"), i):
                return None
            end = _group_end(source, i)
            if end is None:
                return None
            i = end
        elif ch == "[":
            found_class = _class_end(source, i)
            if found_class is None:
                return None
            i, atom = found_class
        elif ch == "\\":
            escape = _escape_end(source, i)
            if escape is None:
                return None
            i, atom = escape
        elif ch in "^$":
            i += 1
            continue
        elif ch in "|)*+?{":
            return None
        else:
            atom = None if ch == "." else ch
            i += 1
        least = 1
        if (quantifier := _QUANTIFIER.match(source, i)) is not None:
            i = quantifier.end()
            least = int(quantifier.group(1) or 0) if quantifier.group().startswith("{") else int(quantifier.group()[0] == "+")
        elif source[i:i + 1] == "{":
            return None  # fuzzy matching, or a brace read as itself
        if atom and least and not any(c.isspace() for c in atom) \
                and (not ignorecase or all(c.isascii() and not c.isalpha() for c in atom)):
            found.append(atom)
    return min(found, key=lambda atom: (_commonness(atom), len(atom))) if found else None


def _commonness(chars: str) -> int:
    """2 where a set holds a lowercase ASCII letter or a digit (most texts hold one), 1 for another ASCII letter."""
    return max((2 if c.islower() or c.isdigit() else 1 if c.isalpha() else 0) if c.isascii() else 0 for c in chars)


@lru_cache(maxsize=1024)
def may_match(source: str, flags: int) -> Callable[[str], bool]:
    """A cheap test that is False only for texts in which the `regex` pattern (`source`, compiled with
    `flags`) has no non-empty match: whether the text holds one of its required characters; always
    True where none is known, or where most texts would hold one."""
    chars = required_characters(source, flags)
    if chars is None or _commonness(chars) == 2:
        return _always
    if len(chars) <= 2:
        return lambda text: any(c in text for c in chars)
    search = re.compile(f"[{''.join(map(re.escape, chars))}]").search
    return lambda text: search(text) is not None


def _always(text: str) -> bool:
    return True
