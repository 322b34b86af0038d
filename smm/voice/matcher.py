"""Finding every literal term of every rule in one pass.

Rule tokens are regular expressions (Vale's syntax), but most are words and phrases, or
small alternations of them (`(?:utilize|utilise)`, `[Cc]lick here`). `expand` turns those
into the finite list of strings they match; all of them, from all rules, go into one
Aho-Corasick automaton (pyahocorasick), run once over each text's lowercase form.
Word edges and letter case are then checked in Python for the few hits. Tokens that
are real patterns (`\\w+ly`, look-arounds) stay regular expressions.

Without pyahocorasick the same index runs as one `re` alternation (slower, same results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:
    import ahocorasick
except ImportError:  # pragma: no cover - exercised by forcing the fallback in tests
    ahocorasick = None

MAX_EXPANSION = 64


class NotLiteral(Exception):
    """The pattern is a real regular expression, not a small set of strings."""


@dataclass(frozen=True)
class Expanded:
    strings: tuple[str, ...]
    ignorecase: bool  # the pattern started with (?i)
    word_start: bool  # an explicit \b at the start
    word_end: bool  # an explicit \b at the end


def expand(pattern: str) -> Expanded | None:
    """The strings a simple pattern matches, or None when it is a real pattern."""
    ignorecase = False
    body = pattern
    if body.startswith("(?i)"):
        ignorecase, body = True, body[4:]
    word_start = body.startswith(r"\b")
    if word_start:
        body = body[2:]
    word_end = body.endswith(r"\b") and not body.endswith(r"\\b")
    if word_end:
        body = body[:-2]
    try:
        parser = _Parser(body)
        strings = parser.alternation()
        if parser.i != len(body):
            raise NotLiteral
    except NotLiteral:
        return None
    strings = tuple(dict.fromkeys(strings))
    if not strings or any(not s for s in strings):
        return None
    return Expanded(strings, ignorecase, word_start, word_end)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def alternation(self) -> list[str]:
        options = self.sequence()
        while self.peek() == "|":
            self.i += 1
            options = options + self.sequence()
            if len(options) > MAX_EXPANSION:
                raise NotLiteral
        return options

    def sequence(self) -> list[str]:
        result = [""]
        while self.peek() and self.peek() not in "|)":
            atom = self.atom()
            if self.peek() == "?":
                self.i += 1
                if self.peek() in ("?", "+"):
                    raise NotLiteral
                atom = atom + [""]
            if self.peek() and self.peek() in "*+{":
                raise NotLiteral
            result = [a + b for a in result for b in atom]
            if len(result) > MAX_EXPANSION:
                raise NotLiteral
        return result

    def atom(self) -> list[str]:
        ch = self.peek()
        if ch == "(":
            if self.text.startswith("(?:", self.i):
                self.i += 3
            elif self.text.startswith("(?", self.i):
                raise NotLiteral  # look-arounds, named groups, flags
            else:
                self.i += 1
            inner = self.alternation()
            if self.peek() != ")":
                raise NotLiteral
            self.i += 1
            return inner
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            escaped = self.text[self.i + 1:self.i + 2]
            if not escaped or escaped.isalnum() or escaped == "_":
                raise NotLiteral  # \w, \d, \s, \b, \p{..}, \1 ...
            self.i += 2
            return [escaped]
        if ch in ".^$*+?{}":
            raise NotLiteral
        self.i += 1
        return [ch]

    def char_class(self) -> list[str]:
        self.i += 1
        if self.peek() in ("^", ""):
            raise NotLiteral
        chars: list[str] = []
        first = True
        while True:
            ch = self.peek()
            if not ch:
                raise NotLiteral
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            if ch == "\\":
                escaped = self.text[self.i + 1:self.i + 2]
                if not escaped or escaped.isalnum():
                    raise NotLiteral
                ch = escaped
                self.i += 2
            elif ch == "[":
                raise NotLiteral  # POSIX classes [:alpha:]
            else:
                self.i += 1
            if self.peek() == "-" and self.text[self.i + 1:self.i + 2] not in ("]", ""):
                end = self.text[self.i + 1]
                if end == "\\" or ord(end) - ord(ch) > 26 or ord(end) < ord(ch):
                    raise NotLiteral
                chars.extend(chr(c) for c in range(ord(ch), ord(end) + 1))
                self.i += 2
            else:
                chars.append(ch)
            if len(chars) > MAX_EXPANSION:
                raise NotLiteral
        return list(dict.fromkeys(chars))


@dataclass(frozen=True)
class Entry:
    """One literal string of one rule, as the index stores it."""

    rule: int  # index into the engine's rules
    role: str  # "token", "exception", "either"
    literal: str  # the string, normalized, in its own case
    ignorecase: bool
    word_start: bool  # check the word edge at the start (when the literal starts with a word character)
    word_end: bool
    data: object = None  # a substitution's replacement, a consistency option's side...


class LiteralIndex:
    """Every literal of every rule; `find` yields (start, end, entries) over a lowercase text."""

    def __init__(self, use_automaton: bool = True) -> None:
        self.entries: dict[str, list[Entry]] = {}
        self.use_automaton = use_automaton and ahocorasick is not None
        self._automaton = None
        self._regex: re.Pattern | None = None
        self._prefixes: dict[str, list[str]] = {}
        self._built = False

    @property
    def backend(self) -> str:
        return "pyahocorasick" if self.use_automaton else "re"

    def add(self, entry: Entry) -> None:
        key = entry.literal.lower()
        if key:
            self.entries.setdefault(key, []).append(entry)
            self._built = False

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.update(_automaton=None, _regex=None, _prefixes={}, _built=False)
        return state

    def build(self) -> None:
        if self._built:
            return
        self._built = True
        if not self.entries:
            return
        if self.use_automaton:
            automaton = ahocorasick.Automaton()
            for key, entries in self.entries.items():
                automaton.add_word(key, (len(key), entries))
            automaton.make_automaton()
            self._automaton = automaton
        else:
            keys = sorted(self.entries, key=len, reverse=True)
            self._regex = re.compile("(?=(" + "|".join(map(re.escape, keys)) + "))")
            self._prefixes = {k: [p for p in keys if p != k and k.startswith(p)] for k in keys}

    def find(self, low: str):
        if not self._built:
            self.build()
        if self._automaton is not None:
            for end, (size, entries) in self._automaton.iter(low):
                yield end + 1 - size, end + 1, entries
        elif self._regex is not None:
            for match in self._regex.finditer(low):
                start, key = match.start(), match.group(1)
                yield start, start + len(key), self.entries[key]
                for prefix in self._prefixes[key]:
                    yield start, start + len(prefix), self.entries[prefix]
