"""The rule kinds of word lists, with Vale's semantics: existence, substitution and occurrence
(smm.voice.forms has repetition, capitalization, conditional and consistency).

Differences from Vale, on purpose: a word edge is checked only against Latin letters and
digits (so `github` is found in `用github发布`, where Vale's `\\b` fails); an exception
also suppresses a match it contains (`第一次` keeps `第一` quiet); text is NFKC-normalized
for matching (`ｕｔｉｌｉｓｅ` is `utilise`) unless the rule says `nfkc: false`.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache


from smm.voice.base import Hit, Rule, format_message, in_re, longest_first, may_match, nested, regex_hits
from smm.voice.matcher import Entry, expand
from smm.voice.text import Normalized, edges_ok, normalize

_SENTENCE_END = re.compile(r"[.!?。！？]+[\"'”’」』）)\]]*(?=\s|$|[^\x00-\x7f])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


@lru_cache(maxsize=16)
def units(text: str, unit: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each paragraph or sentence of a text, or the whole text; the last
    few texts' are kept, so the rules that count per sentence find them once per text."""
    if unit == "whole":
        return ((0, len(text)),)
    cuts = [m.span() for m in _PARAGRAPH.finditer(text)]  # (end of a unit, start of the next)
    if unit == "sentence":
        # one scan of the whole text: a sentence's end holds no space, so none is in a
        # paragraph break, and at a paragraph's end the break's newline is the space after it
        ends = [(end, end) for end in map(_end, _SENTENCE_END.finditer(text))]
        if ends:
            cuts = sorted(cuts + ends)
    cuts.append((len(text), len(text)))
    trimmed = []
    start = 0
    for s, next_start in cuts:
        e = s
        s, start = start, next_start
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return tuple(trimmed)


_end = operator.methodcaller("end")


def accept(view: Normalized, start: int, end: int, entry: Entry) -> bool:
    if not entry.ignorecase:
        observed = view.text[start:end]
        if observed != entry.literal and observed.replace("\n", " ") != entry.literal:
            return False
    return edges_ok(view.text, start, end, entry.word_start, entry.word_end)


@dataclass
class TokenSet:
    """A rule's tokens (or exceptions): literal strings for the shared index, and patterns."""

    role: str
    literals: list[Entry] = field(default_factory=list)
    patterns: list[tuple] = field(default_factory=list)  # (compiled, data, word edges)

    def add(self, rule: Rule, pattern: str, data, word: bool, ignorecase: bool, literal_ok: bool = True) -> None:
        """Raises regex.error for a pattern that does not compile."""
        expanded = expand(pattern) if (rule.nfkc and literal_ok) else None
        if expanded is not None:
            for string in expanded.strings:
                literal = normalize(string).text
                self.literals.append(Entry(
                    rule.index, self.role, literal, ignorecase or expanded.ignorecase,
                    word or expanded.word_start, word or expanded.word_end, data))
            return
        self.patterns.append((rule.compile(pattern, ignorecase), data, word))


class TokenRule(Rule):
    """existence and substitution: tokens found in text, minus exceptions, longest first."""

    tokens: TokenSet
    exceptions: TokenSet

    def entries(self):
        return self.tokens.literals + self.exceptions.literals

    def found(self, ctx, candidates) -> dict:
        """Segment → accepted (start, end, data, match) in the rule's view, exceptions removed."""
        per_segment: dict = {}
        targets = self.targets
        for segment, start, end, entry in candidates:
            if segment.scope in targets and accept(segment.view(True), start, end, entry):
                bucket = per_segment.get(segment)
                if bucket is None:
                    bucket = per_segment[segment] = ([], [])
                if entry.role == "exception":
                    bucket[1].append((start, end))
                else:
                    bucket[0].append((start, end, entry.data, None))
        if self.tokens.patterns:
            scans = [(pattern, data, word, may_match(pattern.pattern, pattern.flags)) for pattern, data, word in self.tokens.patterns]
            for segment, view in ctx.views(targets, self.nfkc):
                text = view.text
                found = [(s, e, data, match) for pattern, data, word, may in scans if may(text)
                         for match in pattern.finditer(text) for s, e in [match.span()]
                         if s != e and (not word or edges_ok(text, s, e))]
                if found:
                    per_segment.setdefault(segment, ([], []))[0].extend(found)
        result = {}
        for segment, (found, excepted) in per_segment.items():
            if not found:
                continue
            view = self.view(segment)
            for pattern, _, _ in self.exceptions.patterns:
                excepted += [(s, e) for s, e, _ in regex_hits(pattern, view, True)]
            if excepted:
                found = [f for f in found if not any(nested(f[0], f[1], s, e) for s, e in excepted)]
            if found:
                result[segment] = longest_first(found) if len(found) > 1 else found
        return result


class Existence(TokenRule):
    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment, found in self.found(ctx, candidates).items():
            view = self.view(segment)
            for start, end, _, _ in found:
                s, e = view.orig(start), view.orig_end(end)
                observed = segment.text[s:e]
                hits.append(Hit(self, segment, s, e, format_message(self.message, observed.strip())))
        return hits


class Substitution(TokenRule):
    swap: list[tuple[str, str]]
    capitalize: bool = False
    matchcase: bool = False

    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment, found in self.found(ctx, candidates).items():
            view = self.view(segment)
            for start, end, index, match in found:
                s, e = view.orig(start), view.orig_end(end)
                observed = segment.text[s:e]
                said = self._said(index, observed, match)
                if said is not None:
                    options, message, single = said
                    if not self._in_context(view, start, end, options):
                        hits.append(Hit(self, segment, s, e, message, single, options))
        return hits

    def _said(self, index: int, observed: str, match) -> tuple | None:
        """(options, message, single replacement) for a match, None where it is already right;
        kept per swap and observed text, where the options do not depend on the match."""
        cache = self.__dict__.setdefault("_said_by", {})
        kept = match is None or self._fixed_options()[index] is not None
        said = cache.get((index, observed), False) if kept else False
        if said is False:
            options = self.options(index, observed, match)
            said = None if observed in options else (
                tuple(options), format_message(self.message, self._shown(options), observed),
                options[0] if len(options) == 1 else None)
            if kept and len(cache) < 10_000:
                cache[(index, observed)] = said
        return said

    def options(self, index: int, observed: str, match) -> list[str]:
        fixed = self._fixed_options()[index]
        if fixed is not None:
            options = fixed
        else:
            value = self.swap[index][1]
            if match is not None:
                value = match.expand(re.sub(r"\$(\d+)", r"\\g<\1>", value.replace("\\", "\\\\")))
            options = _split_options(value)
        if self.capitalize and observed[:1].isupper():
            options = [o[:1].upper() + o[1:] for o in options]
        if self.matchcase:
            options = [_recase(o, observed) for o in options]
        return options

    def _fixed_options(self) -> list[list[str] | None]:
        """Each swap value's options, or None where they depend on the match (`$1`)."""
        cached = self.__dict__.get("_options")
        if cached is None:
            cached = self.__dict__["_options"] = [
                None if re.search(r"\$\d", value) else _split_options(value) for _, value in self.swap]
        return cached

    def _shown(self, options: list[str]) -> str:
        if len(options) == 1:
            return options[0]
        quote = "'" if "'%s'" in self.message else '"' if '"%s"' in self.message else ""
        return f"{quote} or {quote}".join(options) if quote else " or ".join(options)

    @staticmethod
    def _in_context(view: Normalized, start: int, end: int, options: list[str]) -> bool:
        """The replacement is already there around the match (prh: `Blend` in `Winter Blend`)."""
        observed = view.text[start:end].lower()
        for option in options:
            low = option.lower()
            k = low.find(observed)
            while k >= 0:
                if (k or len(option) != end - start) and start - k >= 0 \
                        and view.text[start - k:start - k + len(option)] == option:
                    return True
                k = low.find(observed, k + 1)
        return False


def _split_options(value: str) -> list[str]:
    """`a|b` → two replacements (`\\|` is a literal bar); an empty value removes."""
    return [o.replace("\x00", "|") for o in value.replace("\\|", "\x00").split("|") if o] or [""]


def _recase(replacement: str, observed: str) -> str:
    if observed.isupper():
        return replacement.upper()
    if observed.islower():
        return replacement.lower()
    if observed[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Occurrence(Rule):
    token = None
    max: int = 0
    min: int = 0

    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment, view in ctx.views(self.targets, self.nfkc):
            spans = units(view.text, self.unit)
            if self.max and not self.min:  # each match takes a character: a unit no longer than max has no more
                spans = [(u_start, u_end) for u_start, u_end in spans if u_end - u_start > self.max]
            for u_start, u_end in spans:
                count = self.count(view.text, u_start, u_end)
                if self.max and count > self.max:
                    start, end = [m.span() for m in self.token.finditer(view.text, u_start, u_end)
                                  if m.end() > m.start()][self.max]
                elif self.min and count < self.min:
                    line_end = view.text.find("\n", u_start, u_end)
                    start, end = u_start, (line_end if line_end > u_start else u_end)
                else:
                    continue
                s, e = view.orig(start), view.orig_end(end)
                hits.append(Hit(self, segment, s, e, format_message(self.message, count)))
        return hits

    def count(self, text: str, start: int, end: int) -> int:
        """Non-empty matches of the token in text[start:end]."""
        token = self.__dict__.get("_counter")
        if token is None:  # in Python's re where it matches the same (twice as fast)
            token = self.__dict__["_counter"] = in_re(self.token) or self.token
        if token.groups:  # findall would give the groups, maybe empty in a non-empty match
            return sum(1 for m in token.finditer(text, start, end) if m.end() > m.start())
        found = token.findall(text, start, end)
        return len(found) - found.count("")
