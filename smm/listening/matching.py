"""Whether a post names a keyword or a hashtag, as a reader would say it does.

Text and phrase are compared NFKC-normalized (full-width `ＡＣＭＥ` is `ACME`), case-folded and
without invisible format characters (`Ac\u200bme` is `Acme`).
A phrase's Latin ends must be word ends: `Acme` is in "I love Acme!", "#Acme", "@acme" and
"用Acme云", not in "Acmeology" or "megaacme". Chinese, Japanese and Korean have no spaces
between words, so a phrase ending in one of their characters is matched as a substring. White
space inside a phrase matches any white space. A hashtag `tag` is `#tag` not followed by a
letter or digit (`#阿克米云#`, Weibo's topic form, included).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from smm.listening.config import Listening, Term

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"
_NOT_AFTER = rf"(?<![^\W{_CJK}])"  # not preceded by a letter, digit or `_` of a spaced script
_NOT_BEFORE = rf"(?![^\W{_CJK}])"


def normal(text: str) -> str:
    """NFKC, case-folded, without invisible format characters (a zero-width space inside a name)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()


@lru_cache(maxsize=4096)
def _pattern(phrase: str, hashtag: bool) -> regex.Pattern:
    words = normal(phrase).split()
    body = r"\s+".join(regex.escape(w) for w in words)
    if hashtag:
        return regex.compile(rf"[#＃]{body}(?![\w])")
    start = _NOT_AFTER if regex.match(rf"[^\W{_CJK}]", words[0][0]) else ""
    end = _NOT_BEFORE if regex.match(rf"[^\W{_CJK}]", words[-1][-1]) else ""
    return regex.compile(start + body + end)


def holds(text: str, phrase: str, hashtag: bool = False) -> bool:
    """Whether `text` says `phrase` (or, with `hashtag`, carries the tag `#phrase`)."""
    return bool(phrase.strip()) and _pattern(phrase, hashtag).search(normal(text)) is not None


def excluded(text: str, listening: Listening) -> bool:
    return any(holds(text, phrase) for phrase in listening.exclude)


def matched(text: str, listening: Listening, first: Term | None = None) -> Term | None:
    """The term a post names (`first` when it names that one, else the first in the file's order),
    or None when it names none or holds an exclusion."""
    if excluded(text, listening):
        return None
    terms = ((first,) if first else ()) + listening.terms
    return next((t for t in terms if holds(text, t.text, t.hashtag)), None)
