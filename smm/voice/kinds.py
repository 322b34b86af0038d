"""The rule kinds, with Vale's semantics: existence, substitution, occurrence, repetition,
capitalization, conditional and consistency.

Differences from Vale, on purpose: a word edge is checked only against Latin letters and
digits (so `github` is found in `用github发布`, where Vale's `\\b` fails); an exception
also suppresses a match it contains (`第一次` keeps `第一` quiet); text is NFKC-normalized
for matching (`ｕｔｉｌｉｓｅ` is `utilise`) unless the rule says `nfkc: false`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from smm.voice.base import Hit, Rule, format_message, longest_first, nested, regex_hits
from smm.voice.matcher import Entry, expand
from smm.voice.text import Normalized, edges_ok, normalize

_SENTENCE_END = re.compile(r"[.!?。！？]+[\"'”’」』）)\]]*(?=\s|$|[^\x00-\x7f])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


def units(text: str, unit: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph or sentence of a text, or the whole text."""
    if unit == "whole":
        return [(0, len(text))]
    spans = []
    start = 0
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
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def _accept(view: Normalized, start: int, end: int, entry: Entry) -> bool:
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
            if segment.scope in targets and _accept(segment.view(True), start, end, entry):
                bucket = per_segment.get(segment)
                if bucket is None:
                    bucket = per_segment[segment] = ([], [])
                if entry.role == "exception":
                    bucket[1].append((start, end))
                else:
                    bucket[0].append((start, end, entry.data, None))
        if self.tokens.patterns:
            for segment in ctx.segments:
                if not self.applies(segment):
                    continue
                view = self.view(segment)
                for pattern, data, word in self.tokens.patterns:
                    for s, e, match in regex_hits(pattern, view, word):
                        per_segment.setdefault(segment, ([], []))[0].append((s, e, data, match))
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
                options = self.options(index, observed, match)
                if observed in options or self._in_context(view, start, end, options):
                    continue
                shown = self._shown(options)
                message = format_message(self.message, shown, observed)
                single = options[0] if len(options) == 1 else None
                hits.append(Hit(self, segment, s, e, message, single, tuple(options)))
        return hits

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
        for segment in ctx.segments:
            if not self.applies(segment):
                continue
            view = self.view(segment)
            for u_start, u_end in units(view.text, self.unit):
                spans = [m.span() for m in self.token.finditer(view.text, u_start, u_end) if m.end() > m.start()]
                count = len(spans)
                if self.max and count > self.max:
                    start, end = spans[self.max]
                elif self.min and count < self.min:
                    line_end = view.text.find("\n", u_start, u_end)
                    start, end = u_start, (line_end if line_end > u_start else u_end)
                else:
                    continue
                s, e = view.orig(start), view.orig_end(end)
                hits.append(Hit(self, segment, s, e, format_message(self.message, count)))
        return hits


class Repetition(Rule):
    pattern = None
    max: int = 0
    alpha: bool = False
    exceptions: TokenSet

    def entries(self):
        return []

    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment in ctx.segments:
            if not self.applies(segment):
                continue
            view = self.view(segment)
            text = view.text
            excepted = None
            for u_start, u_end in units(text, self.unit):
                prev = None
                count = 0
                for match in self.pattern.finditer(text, u_start, u_end):
                    current = match.group().strip()
                    if not current:
                        continue
                    same = prev is not None and (current.casefold() == prev[2].casefold() if self.ignorecase
                                                 else current == prev[2])
                    same = same and (not self.alpha or current.isalpha()) and _only_space(text[prev[1]:match.start()])
                    count = count + 1 if same else 0
                    if same and count > self.max:
                        start, end = prev[0], match.end()
                        if excepted is None:
                            excepted = self._excepted(view)
                        if not any(nested(start, end, s, e) for s, e in excepted):
                            s, e = view.orig(start), view.orig_end(end)
                            hits.append(Hit(self, segment, s, e, format_message(self.message, current)))
                            count = 0
                    prev = (match.start(), match.end(), current)
        return hits

    def _excepted(self, view: Normalized) -> list[tuple[int, int]]:
        spans = []
        for pattern, _, _ in self.exceptions.patterns:
            spans += [(s, e) for s, e, _ in regex_hits(pattern, view, True)]
        low = view.low
        for entry in self.exceptions.literals:
            key = entry.literal.lower()
            k = low.find(key)
            while k >= 0:
                if _accept(view, k, k + len(key), entry):
                    spans.append((k, k + len(key)))
                k = low.find(key, k + 1)
        return spans


def _only_space(between: str) -> bool:
    """Nothing but spaces or non-sentence punctuation between two repeated tokens."""
    return not any(ch.isalnum() or ch in ".!?。！？" for ch in between)


_SMALL_WORDS_AP = {"a", "an", "and", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "so", "the", "to",
                   "up", "yet", "as", "off", "per", "via", "vs"}
_SMALL_WORDS_CHICAGO = _SMALL_WORDS_AP | {"about", "above", "across", "after", "against", "along", "among", "around",
                                          "before", "behind", "below", "beneath", "beside", "between", "beyond",
                                          "during", "except", "from", "inside", "into", "like", "near", "onto",
                                          "outside", "over", "past", "since", "through", "toward", "under",
                                          "until", "upon", "with", "within", "without"}


class Capitalization(Rule):
    match: str = "$sentence"
    style: str = "AP"
    threshold: float = 0.8
    indicators: tuple[str, ...] = (":",)
    prefix: str = ""
    exceptions: list[str]
    pattern = None
    tokenizer = None
    except_pattern = None

    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment in ctx.segments:
            if not self.applies(segment):
                continue
            view = self.view(segment)
            for u_start, u_end in units(view.text, self.unit):
                text = view.text[u_start:u_end]
                checked = text[len(self.prefix):] if self.prefix and text.startswith(self.prefix) else text
                if not any(ch.isalpha() and ch.lower() != ch.upper() for ch in checked):
                    continue  # no cased letters (Chinese, numbers): nothing to say
                expected, ok = self.evaluate(checked)
                if ok:
                    continue
                line_end = text.find("\n")
                end = u_start + (line_end if line_end >= 0 else len(text))
                s, e = view.orig(u_start), view.orig_end(end)
                hint = f"write it as “{expected}”" if expected and expected != checked else None
                hits.append(Hit(self, segment, s, e, format_message(self.message, text, expected), extra_hint=hint))
        return hits

    def excepted(self, word: str) -> bool:
        return bool(self.except_pattern and self.except_pattern.fullmatch(word))

    def evaluate(self, text: str) -> tuple[str, bool]:
        if self.match == "$lower":
            return text.lower(), text == text.lower() or self._search_exception(text)
        if self.match == "$upper":
            return text.upper(), text == text.upper() or self._search_exception(text)
        if self.match == "$sentence":
            return self._sentence(text)
        if self.match == "$title":
            return self._title(text)
        return self.match, bool(self.pattern.search(text)) or self._search_exception(text)

    def _search_exception(self, text: str) -> bool:
        return bool(self.except_pattern and self.except_pattern.search(text))

    def _tokens(self, text: str) -> list[regex.Match]:
        return list(self.tokenizer.finditer(text.rstrip("?!.:")))

    def _sentence(self, text: str) -> tuple[str, bool]:
        tokens = self._tokens(text)
        count = words = 0
        expected = text
        for i, token in enumerate(tokens):
            t = token.group()
            w = re.split(r"[-'’]", t)[0] or t
            prev = tokens[i - 1].group() if i else ""
            want = t
            if w == w.upper() or any(prev.endswith(x) for x in self.indicators) or self.excepted(t):
                count += 1
            elif i == 0 and w != w[:1].upper() + w[1:].lower():
                want = t[:1].upper() + t[1:].lower()
                expected = expected[:token.start()] + want + expected[token.end():]
                return expected, False
            elif i == 0 or w == w.lower():
                count += 1
            else:
                want = t.lower()
            if want != t:
                expected = expected[:token.start()] + want + expected[token.end():]
            words += 1
        return expected, words == 0 or count / words >= self.threshold

    def _title(self, text: str) -> tuple[str, bool]:
        tokens = self._tokens(text)
        small = _SMALL_WORDS_CHICAGO if self.style.lower() == "chicago" else _SMALL_WORDS_AP
        count = words = 0
        expected = text
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            t = token.group()
            if self.excepted(t) or t == t.upper():
                want = t
            elif t.lower() in small and 0 < i < last and not tokens[i - 1].group().endswith(":"):
                want = t.lower()
            else:
                want = "-".join(p[:1].upper() + p[1:] for p in t.split("-"))
            if want == t:
                count += 1
            else:
                expected = expected[:token.start()] + want + expected[token.end():]
            words += 1
        return expected, words == 0 or count / words >= self.threshold


class Conditional(Rule):
    first = None
    second = None
    second_has_group: bool = False
    exceptions: TokenSet

    def check(self, ctx, candidates) -> list[Hit]:
        segments = [s for s in ctx.segments if self.applies(s)]
        defined: set[str] = set()
        present = False
        for segment in segments:
            view = self.view(segment)
            for match in self.second.finditer(view.text):
                present = True
                defined.update(g for g in match.groups() if g)
        if present and not self.second_has_group:
            return []
        hits = []
        for segment in segments:
            view = self.view(segment)
            excepted = None
            for match in self.first.finditer(view.text):
                observed = match.group(1) if match.groups() and match.group(1) else match.group()
                if observed in defined:
                    continue
                if excepted is None:
                    excepted = [(s, e) for p, _, _ in self.exceptions.patterns for s, e, _ in regex_hits(p, view, True)]
                    excepted += _literal_spans(view, self.exceptions.literals)
                start, end = match.span()
                if any(nested(start, end, s, e) for s, e in excepted):
                    continue
                s, e = view.orig(start), view.orig_end(end)
                hits.append(Hit(self, segment, s, e, format_message(self.message, observed)))
        return hits


def _literal_spans(view: Normalized, entries: list[Entry]) -> list[tuple[int, int]]:
    spans = []
    for entry in entries:
        key = entry.literal.lower()
        k = view.low.find(key)
        while k >= 0:
            if _accept(view, k, k + len(key), entry):
                spans.append((k, k + len(key)))
            k = view.low.find(key, k + 1)
    return spans


class Consistency(Rule):
    options: TokenSet
    pairs: list[tuple[str, str]]

    def entries(self):
        return self.options.literals

    def check(self, ctx, candidates) -> list[Hit]:
        seen: list[tuple] = []  # (segment order, start, end, pair, side, segment)
        order = {id(s): i for i, s in enumerate(ctx.segments)}
        for segment, start, end, entry in candidates:
            if self.applies(segment) and _accept(segment.view(True), start, end, entry):
                seen.append((order[id(segment)], start, end, entry.data[0], entry.data[1], segment))
        for segment in ctx.segments:
            if not self.applies(segment):
                continue
            view = self.view(segment)
            for pattern, data, word in self.options.patterns:
                for s, e, _ in regex_hits(pattern, view, word):
                    seen.append((order[id(segment)], s, e, data[0], data[1], segment))
        seen.sort(key=lambda x: (x[0], x[1], -(x[2] - x[1])))
        hits = []
        first_side: dict[int, tuple[int, str]] = {}
        taken: dict[int, int] = {}  # segment order → end of the last accepted match
        for order_key, start, end, pair, side, segment in seen:
            if start < taken.get(order_key, -1):
                continue
            taken[order_key] = end
            view = self.view(segment)
            s, e = view.orig(start), view.orig_end(end)
            observed = segment.text[s:e]
            if pair not in first_side:
                first_side[pair] = (side, observed)
            elif first_side[pair][0] != side:
                hits.append(Hit(self, segment, s, e, format_message(self.message, observed, first_side[pair][1]),
                                extra_hint=f"this post also writes “{first_side[pair][1]}”: use one form"))
        return hits
