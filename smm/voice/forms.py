"""The rule kinds about a text's form, with Vale's semantics: repetition, capitalization,
conditional and consistency (smm.voice.kinds has those of word lists)."""

from __future__ import annotations

import operator
import re
from itertools import accumulate, compress, islice

import regex

from smm.voice.base import Hit, Rule, format_message, in_re, nested, regex_hits
from smm.voice.kinds import TokenSet, accept, units
from smm.voice.matcher import Entry
from smm.voice.text import Normalized


class Repetition(Rule):
    pattern = None
    max: int = 0
    alpha: bool = False
    exceptions: TokenSet

    def entries(self):
        return []

    def check(self, ctx, candidates) -> list[Hit]:
        hits = []
        for segment, view in ctx.views(self.targets, self.nfkc):
            excepted = None
            for u_start, u_end in units(view.text, self.unit):
                count = 0
                previous = -1
                for index, start, end, current in self.repeated(view.text, u_start, u_end):
                    count = count + 1 if index == previous + 1 else 1  # repeated tokens in a row
                    previous = index
                    if count > self.max:
                        if excepted is None:
                            excepted = self._excepted(view)
                        if not any(nested(start, end, s, e) for s, e in excepted):
                            s, e = view.orig(start), view.orig_end(end)
                            hits.append(Hit(self, segment, s, e, format_message(self.message, current)))
                            count = 0
        return hits

    def repeated(self, text: str, start: int, end: int):
        """(index, start, end, token) of each token of text[start:end] that repeats the one
        before it: the same (in any case with ignorecase; letters only with alpha) with
        nothing but spaces or non-sentence punctuation between; start: the earlier one's.
        index counts the tokens (those that are only spaces are no tokens)."""
        # The pattern is `(token|token…)` (smm.voice.rules): with no group in the tokens,
        # one split gives the text before the first token, a token, what is between, …
        if self.pattern.groups != 1 or start or end != len(text):
            yield from self._repeated_scan(text, start, end)
            return
        parts = self.splitter().split(text)
        tokens = list(map(str.strip, parts[1::2]))
        if "" in tokens:  # only spaces: the scan skips it, what lies around it is one gap
            yield from self._repeated_scan(text, start, end)
            return
        keys = list(map(str.casefold, tokens)) if self.ignorecase else tokens
        offsets = None
        for i in compress(range(1, len(keys)), map(operator.eq, keys, islice(keys, 1, None))):
            current = tokens[i]
            if (not self.alpha or current.isalpha()) and _only_space(parts[2 * i]):
                if offsets is None:
                    offsets = list(accumulate(map(len, parts), initial=0))
                yield i, offsets[2 * i - 1], offsets[2 * i + 2], current  # token i is parts[2i + 1]

    def splitter(self):
        """The pattern, or the same in Python's `re` (more than twice as fast) where that
        is sure to split alike (`in_re`)."""
        splitter = self.__dict__.get("_splitter")
        if splitter is None:
            splitter = self.__dict__["_splitter"] = in_re(self.pattern) or self.pattern
        return splitter

    def _repeated_scan(self, text: str, start: int, end: int):
        """`repeated`, one match at a time."""
        prev = None
        index = -1
        for match in self.pattern.finditer(text, start, end):
            current = match.group().strip()
            if not current:
                continue
            index += 1
            if prev is not None and (current.casefold() == prev[2].casefold() if self.ignorecase else current == prev[2]) \
                    and (not self.alpha or current.isalpha()) and _only_space(text[prev[1]:match.start()]):
                yield index, prev[0], match.end(), current
            prev = (match.start(), match.end(), current)

    def _excepted(self, view: Normalized) -> list[tuple[int, int]]:
        spans = []
        for pattern, _, _ in self.exceptions.patterns:
            spans += [(s, e) for s, e, _ in regex_hits(pattern, view, True)]
        low = view.low
        for entry in self.exceptions.literals:
            key = entry.literal.lower()
            k = low.find(key)
            while k >= 0:
                if accept(view, k, k + len(key), entry):
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


_WORD_PART = re.compile(r"[-'’]")


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
        for segment, view in ctx.views(self.targets, self.nfkc):
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
            w = _WORD_PART.split(t, 1)[0] or t
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
        firsts = []  # (segment, view, matches of `first`): without any, `second` need not be looked for
        for segment, view in ctx.views(self.targets, self.nfkc):
            matches = list(self.first.finditer(view.text))
            if matches:
                firsts.append((segment, view, matches))
        if not firsts:
            return []
        defined: set[str] = set()
        present = False
        for _, view in ctx.views(self.targets, self.nfkc):
            for match in self.second.finditer(view.text):
                present = True
                defined.update(g for g in match.groups() if g)
        if present and not self.second_has_group:
            return []
        hits = []
        for segment, view, matches in firsts:
            excepted = None
            for match in matches:
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
            if accept(view, k, k + len(key), entry):
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
            if self.applies(segment) and accept(segment.view(True), start, end, entry):
                seen.append((order[id(segment)], start, end, entry.data[0], entry.data[1], segment))
        for segment, view in ctx.views(self.targets, self.nfkc):
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
