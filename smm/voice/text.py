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

# -- skipping -----------------------------------------------------------------------

_URL = r"(?:\b(?:https?|ftp)://|\bwww\.)[!-~]*[A-Za-z0-9/#=_~+&%-]"  # ASCII only: `https://x.com发布` stops at 发
_EMAIL = r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_MENTION = (r"(?<![\w@/])@(?:\{[^}\s]+\}|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
            r"(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
_HASHTAG = r"(?<![\w#&])#\w+#?"  # `#tag`, and Weibo's `#话题#`
_CODE_SPAN = r"``[\s\S]+?``|`[^`\n]+`"
_FENCE = r"^[ \t]{0,3}```[\s\S]*?(?:^[ \t]{0,3}```[ \t]*$|\Z)|^[ \t]{0,3}~~~[\s\S]*?(?:^[ \t]{0,3}~~~[ \t]*$|\Z)"
_COMMENT = r"<!--[\s\S]*?-->"
_AUTOLINK = r"<(?:https?|ftp|mailto):[^>\s]*>"
_REFDEF = r"^[ ]{0,3}\[[^\]\n]+\]:[^\n]*"
_TARGET = r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"  # `](url "title")`
_REFLINK = r"(?<=\])\[[^\]\n]*\]"
_TAG = r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
_ENTITY = r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);"

_SKIP = {
    "markdown": re.compile("|".join([_FENCE, _COMMENT, _CODE_SPAN, _AUTOLINK, _REFDEF, _TARGET, _REFLINK, _TAG,
                                     _URL, _EMAIL, _MENTION, _HASHTAG]), re.MULTILINE),
    "plain": re.compile("|".join([_CODE_SPAN, _URL, _EMAIL, _MENTION, _HASHTAG])),
    "html": re.compile("|".join([_TAG, _ENTITY, _URL, _EMAIL, _MENTION, _HASHTAG])),
}
_QUICK = re.compile(r"[`<@#\]:w&~]")  # none of these: nothing to skip
_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str) -> str:
    return _NOT_NEWLINE.sub(" ", text)


def prepare(text: str, flavor: str) -> str:
    """The text with code, URLs, mentions and hashtags (and Markdown link targets, HTML
    tags and comments) replaced by spaces, newlines kept. flavor: markdown, plain or html."""
    if not _QUICK.search(text):
        return text
    return _SKIP[flavor].sub(lambda m: blank(m.group()), text)


URL_PATTERN = re.compile(_URL)
HASHTAG_PATTERN = re.compile(_HASHTAG)
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
_TABLE: dict[int, str] | None = None
_LOWER_SPACES = {10: " ", 9: " "}


def _table() -> dict[int, str]:
    """Characters whose NFKC form is one other character (full-width forms, ideographic
    space, compatibility ideographs...): normalized with one str.translate."""
    global _TABLE
    if _TABLE is None:
        table = dict(_EXTRA)
        for lo, hi in ((0xA0, 0x2FF), (0x2000, 0x33FF), (0xF900, 0xFAFF), (0xFB00, 0xFFEF)):
            for code in range(lo, hi + 1):
                ch = chr(code)
                norm = unicodedata.normalize("NFKC", ch)
                if len(norm) == 1 and norm != ch and unicodedata.combining(norm) == 0:
                    table[code] = norm
        _TABLE = table
    return _TABLE


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
    return low.translate(_LOWER_SPACES)


_NFKC_CACHE: dict[str, str] = {}


def normalize(text: str, nfkc: bool = True) -> Normalized:
    if not nfkc:
        return Normalized(text, _lower(text))
    mapped = text.translate(_table())
    if unicodedata.is_normalized("NFKC", mapped):
        return Normalized(mapped, _lower(mapped))
    return _normalize_slow(mapped)


def _normalize_slow(text: str) -> Normalized:
    """Character clusters (a base and its combining marks) one at a time, with a map."""
    out: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    n = 0
    i = 0
    run_start = None  # start of a one-to-one run (orig index)
    length = len(text)
    while i < length:
        j = i + 1
        while j < length and unicodedata.combining(text[j]) or (j < length and text[j] in "\uff9e\uff9f\u3099\u309a"):
            j += 1
        cluster = text[i:j]
        norm = _NFKC_CACHE.get(cluster)
        if norm is None:
            norm = unicodedata.normalize("NFKC", cluster)
            if len(_NFKC_CACHE) < 10_000:
                _NFKC_CACHE[cluster] = norm
        if len(norm) == len(cluster) == 1:
            if run_start is None:
                run_start = i
                norm_starts.append(n)
                orig_starts.append(i)
                orig_ends.append(i)
            orig_ends[-1] = j
        else:
            run_start = None
            norm_starts.append(n)
            orig_starts.append(i)
            orig_ends.append(j)
        out.append(norm)
        n += len(norm)
        i = j
    normalized = "".join(out)
    return Normalized(normalized, _lower(normalized), norm_starts, orig_starts, orig_ends)
