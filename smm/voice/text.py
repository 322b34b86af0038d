"""Text as the voice rules see it: what to skip, how to normalize, where a word ends.

Skipping blanks a span out with spaces (newlines kept), so every offset into the
prepared text is still an offset into the original: columns stay right. Normalizing
(NFKC, curly apostrophes) may change lengths, so `Normalized` keeps a map from each
normalized index back to the original one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import regex

from smm.content.comments import CODE_FENCE as _FENCE
from smm.content.comments import CODE_SPAN as _CODE_SPAN
from smm.content.tokens import MENTION, NOT_BEFORE_HASHTAG

# -- skipping -----------------------------------------------------------------------

# Patterns start with a literal character, so scanning for them is fast; what may not come
# before a match (a letter before `https://`, a word before `#`) is checked after. Wider than
# smm.content.tokens on purpose: no rule may fire inside anything that could be a link or a tag.
_URL = r"(?:(?:https?|ftp)://|www\.)[!-~]*[A-Za-z0-9/#=_~+&%-]"  # ASCII only: `用https://x.com发布`
_HASHTAG = r"#\w+#?"  # `#tag`, and Weibo's `#话题#`
_COMMENT = r"<!--[\s\S]*?-->"
_AUTOLINK = r"<(?:https?|ftp|mailto):[^>\s]*>"
_REFDEF = r"^[ ]{0,3}\[[^\]\n]+\]:[^\n]*"
_TARGET = r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"  # `](url "title")`
_REFLINK = r"\]\[[^\]\n]*\]"
_TAG = r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
_ENTITY = r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);"
_EMAIL_TAIL = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL_HEAD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_NOT_BEFORE_URL = re.compile(r"[A-Za-z0-9.+-]")
_NOT_BEFORE_TAG = re.compile(NOT_BEFORE_HASHTAG)


def blank(text: str) -> str:
    """Spaces of the same length, newlines kept."""
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


class _Pass:
    """One kind of text to blank: found by a pattern, in texts holding one of its triggers."""

    def __init__(self, triggers: tuple[str, ...], patterns: list[str], not_after: re.Pattern | None = None,
                 keep: int = 0) -> None:
        self.triggers = triggers
        self.pattern = re.compile("|".join(patterns), re.MULTILINE)
        self.not_after = not_after
        self.keep = keep  # characters kept at the start (the `]` of a link target)

    def __call__(self, text: str) -> str:
        if not any(t in text for t in self.triggers):
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        start = match.start()
        if self.not_after is not None and start and self.not_after.match(match.string, start - 1):
            return match.group()
        found = match.group()
        return found[:self.keep] + blank(found[self.keep:])


def _blank_at_signs(text: str) -> str:
    """E-mail addresses and @mentions (`@name`, `@name@instance.social`, `@{name}`, `@中文名`)."""
    if "@" not in text:
        return text
    spans = []
    i = text.find("@")
    while i >= 0:
        j = i
        while j > 0 and text[j - 1] in _EMAIL_HEAD:
            j -= 1
        match = None
        if j < i:
            match = _EMAIL_TAIL.match(text, i)
            if match:
                spans.append((j, match.end()))
        elif not (i and (text[i - 1] in _EMAIL_HEAD or text[i - 1] in "_@/")):
            match = MENTION.match(text, i)
            if match:
                spans.append((i, match.end()))
        i = text.find("@", match.end() if match else i + 1)
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


class _Anchored:
    """Like _Pass, for patterns found faster from a fixed string in them (`://`, `](`, `#`):
    str.find the anchor, back up `back(text, i)` to where a match may start, match there."""

    def __init__(self, anchors: tuple[str, ...], pattern: str, back, not_after: re.Pattern | None = None,
                 keep: int = 0) -> None:
        self.anchors = anchors
        self.pattern = re.compile(pattern)
        self.back = back
        self.not_after = not_after
        self.keep = keep

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping (start, end) of the matches, in order."""
        found = []
        for anchor in self.anchors:
            i = text.find(anchor)
            while i >= 0:
                start = self.back(text, i)
                match = self.pattern.match(text, start) if start is not None else None
                if match and not (start and self.not_after is not None and self.not_after.match(text, start - 1)):
                    found.append((start, match.end()))
                    i = text.find(anchor, max(match.end(), i + 1))
                else:
                    i = text.find(anchor, i + 1)
        if len(self.anchors) > 1 and len(found) > 1:
            found.sort()
            kept = [found[0]]
            for span in found[1:]:
                if span[0] >= kept[-1][1]:
                    kept.append(span)
            found = kept
        return found

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end in spans:
            start = max(start + self.keep, last)
            if end <= start:
                continue
            out.append(text[last:start])
            out.append(blank(text[start:end]))
            last = end
        out.append(text[last:])
        return "".join(out)


def _scheme_start(text: str, i: int) -> int | None:
    """`https://`: the anchor `://` is at i; the match starts at the scheme."""
    if i == 0:  # a bare `www.` anchor is found at its own position
        return 0
    for scheme in ("https", "http", "ftp"):
        if text.startswith(scheme, i - len(scheme)) and text.startswith("://", i):
            return i - len(scheme)
    return i if text.startswith("www.", i) else None


_CODE = _Pass(("`",), [_FENCE, _CODE_SPAN])
_URLS = _Anchored(("://", "www."), _URL, _scheme_start, _NOT_BEFORE_URL)
_HASHTAGS = _Anchored(("#",), _HASHTAG, lambda text, i: i, _NOT_BEFORE_TAG)
_TARGETS = _Anchored(("](", "]["), _TARGET + "|" + _REFLINK, lambda text, i: i, keep=1)
# In order; what one blanks, the later ones never see.
_SKIP = {
    "markdown": [_CODE, _Pass(("<",), [_COMMENT, _AUTOLINK, _TAG]), _Pass(("]:",), [_REFDEF]),
                 _TARGETS, _URLS, _blank_at_signs, _HASHTAGS],
    "plain": [_CODE, _Pass(("<",), [_COMMENT]), _URLS, _blank_at_signs, _HASHTAGS],
    "html": [_Pass(("<", "&"), [_TAG, _ENTITY]), _URLS, _blank_at_signs, _HASHTAGS],
}


def prepare(text: str, flavor: str) -> str:
    """The text with code, URLs, mentions and hashtags (and Markdown link targets, HTML
    tags and comments) replaced by spaces, newlines kept. flavor: markdown, plain or html."""
    for step in _SKIP[flavor]:
        text = step(text)
    return text


def find_urls(text: str):
    """(start, end, url) of each URL in a text."""
    for start, end in _URLS.spans(text):
        yield start, end, text[start:end]


def find_hashtags(text: str) -> list[str]:
    return [text[start:end] for start, end in _HASHTAGS.spans(text)]


MARKDOWN_TARGET = re.compile(r"\]\(\s*<?([^()\s>]+)")

# -- words ---------------------------------------------------------------------------


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0x1100 <= o <= 0x11FF or 0xFF66 <= o <= 0xFFDC or 0x20000 <= o <= 0x3FFFF)


_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def is_word(ch: str) -> bool:
    """A character that continues a Latin-script word: letters and digits, but not CJK
    (Han, kana, Hangul), so `用github发布` has word edges around `github`."""
    if ch < "\x80":
        return ch in _ASCII_WORD
    return ch.isalnum() and not is_cjk(ch)


def edges_ok(text: str, start: int, end: int, check_start: bool = True, check_end: bool = True) -> bool:
    """A match is a whole word at each edge where the match itself has a word character."""
    if check_start and start > 0 and is_word(text[start]) and is_word(text[start - 1]):
        return False
    if check_end and end < len(text) and is_word(text[end - 1]) and is_word(text[end]):
        return False
    return True


# -- normalizing -------------------------------------------------------------------

_EXTRA = {0x2018: "'", 0x2019: "'", 0x02BC: "'"}  # curly apostrophes match straight ones
# Only the Basic Multilingual Plane: a character class beyond it makes every search slow.
# Anything else NFKC changes (𝐛𝐨𝐥𝐝 letters, ligatures, combining marks) takes the slow path.
_RANGES = ((0xA0, 0x2FF), (0x2000, 0x33FF), (0xF900, 0xFAFF), (0xFB00, 0xFFEF))
_SINGLE: tuple[dict[str, str], re.Pattern] | None = None


def _single() -> tuple[dict[str, str], re.Pattern]:
    """Characters whose NFKC form is one other character (full-width forms, ideographic
    space, compatibility ideographs, circled letters), and a pattern finding them."""
    global _SINGLE
    if _SINGLE is None:
        table = {chr(k): v for k, v in _EXTRA.items()}
        for lo, hi in _RANGES:
            for code in range(lo, hi + 1):
                ch = chr(code)
                norm = unicodedata.normalize("NFKC", ch)
                if len(norm) == 1 and norm != ch and unicodedata.combining(norm) == 0:
                    table[ch] = norm
        codes = sorted(ord(c) for c in table)
        ranges, start = [], codes[0]
        for prev, code in zip(codes, codes[1:] + [None], strict=True):
            if code != prev + 1:
                ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
                start = code
        _SINGLE = table, re.compile("[" + "".join(ranges) + "]")
    return _SINGLE


@dataclass
class Normalized:
    """NFKC text for matching, its lowercase twin (newlines as spaces), and the way back."""

    text: str
    low: str
    _norm_starts: list[int] | None = None  # breakpoints: normalized index where a piece starts
    _orig_starts: list[int] | None = None
    _orig_ends: list[int] | None = None  # original end of each piece

    def orig(self, index: int) -> int:
        """Original index of the character at a normalized index."""
        if self._norm_starts is None:
            return index
        k = max(bisect_right(self._norm_starts, index) - 1, 0)
        if self._one_to_one(k):
            return self._orig_starts[k] + index - self._norm_starts[k]
        return self._orig_starts[k]

    def orig_end(self, end: int) -> int:
        """Original index just after the character before a normalized end index."""
        if self._norm_starts is None or end <= 0:
            return end
        k = max(bisect_right(self._norm_starts, end - 1) - 1, 0)
        if self._one_to_one(k):
            return self._orig_starts[k] + end - self._norm_starts[k]
        return self._orig_ends[k]

    def _one_to_one(self, k: int) -> bool:
        following = self._norm_starts[k + 1] if k + 1 < len(self._norm_starts) else len(self.text)
        return self._orig_ends[k] - self._orig_starts[k] == following - self._norm_starts[k]


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # İ and a few others lowercase to two characters
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.replace("\n", " ").replace("\t", " ")


_NFKC_CACHE: dict[str, str] = {}


def normalize(text: str, nfkc: bool = True) -> Normalized:
    if not nfkc or text.isascii():
        return Normalized(text, _lower(text))
    table, pattern = _single()
    mapped = pattern.sub(lambda m: table[m.group()], text)
    if not unicodedata.is_normalized("NFKC", mapped):  # …, ﬁ, ㈱, combining marks: keep a map
        return _normalize_slow(mapped)
    return Normalized(mapped, _lower(mapped))


# Every character `unicodedata.combining` is true of is a mark (tests/test_voice_fast.py),
# and so are the half-width kana voicing marks the clusters below also take in.
_MARKS = regex.compile(r"[\p{M}\uff9e\uff9f]")


def _stretches(text: str):
    """(start, end, plain) of each line of a text (one that starts with a mark stays with the
    line before); plain: no marks, and every character is its own NFKC form."""
    start, length = 0, len(text)
    k = text.find("\n")
    while k >= 0:
        k += 1
        if k < length and not _MARKS.match(text, k):
            yield start, k, _plain(text[start:k])
            start = k
        k = text.find("\n", k)
    if start < length:
        yield start, length, _plain(text[start:])


def _plain(line: str) -> bool:
    return unicodedata.is_normalized("NFKC", line) and not _MARKS.search(line)


def _normalize_slow(text: str) -> Normalized:
    """Character clusters (a base and its combining marks) one at a time, with a map; a
    plain line (see `_stretches`) is copied whole: its characters map one to one."""
    out: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    n = 0
    in_run = False  # the last piece mapped one to one: the next such piece extends its entry

    def one_to_one(i: int, j: int) -> None:  # text[i:j] stands as it is, at n
        nonlocal in_run
        if not in_run:
            in_run = True
            norm_starts.append(n)
            orig_starts.append(i)
            orig_ends.append(i)
        orig_ends[-1] = j

    for start, end, plain in _stretches(text):
        if plain:
            one_to_one(start, end)
            out.append(text[start:end])
            n += end - start
            continue
        i = start
        while i < end:
            j = i + 1
            while j < end and unicodedata.combining(text[j]) or (j < end and text[j] in "\uff9e\uff9f\u3099\u309a"):
                j += 1
            cluster = text[i:j]
            norm = _NFKC_CACHE.get(cluster)
            if norm is None:
                norm = unicodedata.normalize("NFKC", cluster)
                if len(_NFKC_CACHE) < 10_000:
                    _NFKC_CACHE[cluster] = norm
            if len(norm) == len(cluster) == 1:
                one_to_one(i, j)
            else:
                in_run = False
                norm_starts.append(n)
                orig_starts.append(i)
                orig_ends.append(j)
            out.append(norm)
            n += len(norm)
            i = j
    normalized = "".join(out)
    return Normalized(normalized, _lower(normalized), norm_starts, orig_starts, orig_ends)
