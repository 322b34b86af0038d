"""Each social network's exact text-length rule, one pure function per rule.

All offsets are code point offsets into the ``str`` given.  The URL rules port
twitter-text v3 (X, and Mastodon's server, which uses twitter-text's Ruby gem
with its own overrides); the TLD list they need is ``smm/data/tlds.txt``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

import regex

__all__ = [
    "bluesky_length", "first_overflow", "graphemes", "mastodon_length",
    "utf16_length", "weibo_length", "x_length", "x_url_spans",
]

# --- graphemes ---------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """Extended grapheme clusters (UAX #29), e.g. "👩‍👩‍👧" is 1 and "\\r\\n" is 1."""
    if text.isascii():  # in ASCII only CR LF forms a multi-character cluster
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


# --- twitter-text URL extraction, shared by X and Mastodon -------------------

_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_LATIN = ("\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
          "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_PRECEDING = rf"(?:[^A-Za-z0-9@＠$#＃{_INVALID}]|[{_DIRECTIONAL}]|^)"
_IDN_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_NON_PRINTABLE = re.compile(r"[^\x20-\x7e]")
_MAX_URL_LENGTH = 4096


def _load_tlds() -> list[str]:
    path = Path(__file__).with_name("data") / "tlds.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w.strip().lower() for w in lines if w.strip() and not w.startswith("#")]


def _trie_regex(words: list[str]) -> str:
    """An alternation of ``words`` as a trie; longer words are tried first."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_TLDS = _trie_regex(_load_tlds())


def _domain_regex(domain_char: str, punycode: str) -> str:
    c = domain_char
    subdomain = rf"(?:(?:{c}(?:[_-]|{c})*)?{c}\.)"
    name = rf"(?:(?:{c}(?:-|{c})*)?{c}\.)"
    tld = rf"(?:{_TLDS})(?=[^0-9a-zA-Z@+-]|$)"
    return rf"(?:{subdomain}*{name}(?:{tld}|{punycode}))"


def _url_regex(protocol: str, domain: str, path: str, query: str) -> str:
    # groups: 1 preceding char, 2 URL, 3 protocol, 4 domain, 5 port, 6 path, 7 query
    return (rf"({_PRECEDING})(({protocol})?({domain})(?::([0-9]+))?"
            rf"(/{path}*)?({query})?)")


def _punycode_length(label: str) -> int:
    """Length of ``label`` after IDNA ToASCII (punycode.js semantics)."""
    if not _NON_PRINTABLE.search(label):
        return len(label)
    parts = _IDN_DOTS.split(label)
    return len(parts) - 1 + sum(
        4 + len(p.encode("punycode")) if _NON_PRINTABLE.search(p) else len(p) for p in parts)


def _valid_labels(domain: str) -> bool:
    """Every DNS label is 1..63 characters once punycode-encoded."""
    return all(0 < _punycode_length(label) <= 63 for label in domain.split("."))


class _UrlScanner:
    """``url_re.finditer`` that jumps to the text around each '.'.

    A plain scan costs O(n^2) on long runs of domain characters without a dot
    (e.g. Chinese text); every URL contains a '.' inside a run of domain
    characters, and starts at most ``margin`` characters before that run.
    """

    def __init__(self, url_re: str, non_run: str, margin: int, flags: int) -> None:
        self.url = regex.compile(url_re, flags)
        self.non_run = regex.compile(f"[{non_run}]")
        self.non_run_back = regex.compile(f"(?r)[{non_run}]")
        self.margin = margin

    def finditer(self, text: str):
        pos, n = 0, len(text)
        k = text.find(".")
        while k >= 0:
            back = self.non_run_back.search(text, pos, k)
            start = max(pos, (back.end() if back else pos) - self.margin)
            fwd = self.non_run.search(text, k)
            run_end = fwd.start() if fwd else n
            # Within [start, run_end] a match whose domain is in this run depends
            # only on text[:run_end + 1]: search there, then match in full.
            m = self.url.search(text, start, min(n, run_end + 1))
            if m is not None:
                first = m.start()
                for p in range(max(start, run_end + 1 - self.margin), first):
                    if (early := self.url.match(text, p)) is not None:  # domain further on
                        m = early
                        break
                else:
                    m = self.url.match(text, first)
                yield m
                pos = m.end()
                k = text.find(".", pos)
            else:
                k = text.find(".", run_end)


# --- X -----------------------------------------------------------------------

_X_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"  # twitter-text JS: no '"' or '`'
_X_DOMAIN = _domain_regex(f"[^{_X_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]",
                          r"(?:xn--[\-0-9a-z]+)")
_X_PATH_CHAR = rf"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN}]"
_X_PARENS = rf"\((?:{_X_PATH_CHAR}+|(?:{_X_PATH_CHAR}*\({_X_PATH_CHAR}+\){_X_PATH_CHAR}*))\)"
_X_PATH_END = rf"(?:[+\-a-z\u0400-\u04ff0-9=_#/{_LATIN}]|{_X_PARENS})"
_X_PATH = (rf"(?:(?:{_X_PATH_CHAR}*(?:{_X_PARENS}{_X_PATH_CHAR}*)*{_X_PATH_END})"
           rf"|(?:@{_X_PATH_CHAR}+/))")
_X_QUERY_CHARS = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_X_QUERY_END = r"[a-z0-9\-_&=#/]"
_X_QUERY = rf"\?{_X_QUERY_CHARS}*{_X_QUERY_END}"
_X_URLS = _UrlScanner(
    _url_regex(r"https?://", _X_DOMAIN, _X_PATH, _X_QUERY),
    non_run=rf"!'#%&()*+,\\/:;<=>?@\[\]^{{|}}~${_SPACES}{_INVALID}{_DIRECTIONAL}",
    margin=len("_https://"), flags=regex.IGNORECASE)
_X_ASCII_DOMAIN = regex.compile(
    rf"(?:[\-a-z0-9{_LATIN}]+\.)+(?:(?:{_TLDS})(?=[^0-9a-zA-Z@+-]|$)|xn--[\-0-9a-z]+)",
    regex.IGNORECASE)
_X_TCO = regex.compile(rf"^https?://t\.co/([a-z0-9]+)(?:{_X_QUERY})?", regex.IGNORECASE)
_X_NO_PROTOCOL_BEFORE = re.compile(r"[-_./]$")

# Weight-1 code points of twitter-text's v3 config; everything else weighs 2.
_X_HEAVY = re.compile("[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")
# Emoji sequences, which count 2 whatever their length (emojiParsingEnabled).
_X_EMOJI = regex.compile(
    r"[#*0-9]\ufe0f?\u20e3|\p{RI}\p{RI}|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    r"|(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Extended_Pictographic}\ufe0f?)"
    r"(?:\u200d(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Extended_Pictographic}\ufe0f?))*")
# Every emoji sequence of two or more code points contains one of these.
_X_EMOJI_HINT = re.compile("[\u200d\u20e3\ufe0f\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff"
                           "\U000e0020-\U000e007f]")
_X_URL_WEIGHT = 23  # transformedURLLength
_X_EMOJI_WEIGHT = 2  # defaultWeight / scale


def _x_spans_nfc(text: str) -> list[tuple[int, int]]:
    """twitter-text's extractUrlsWithIndices over already-NFC ``text``."""
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    for m in _X_URLS.finditer(text):
        before, url, protocol, domain, path = m.group(1, 2, 3, 4, 6)
        start, end = m.start(2), m.end(2)
        if (domain.startswith("xn--") and not _X_ASCII_DOMAIN.search(domain)) \
                or not _valid_labels(domain) \
                or len(protocol or "https://") + utf16_length(url) > _MAX_URL_LENGTH:
            continue
        if not protocol:
            if _X_NO_PROTOCOL_BEFORE.search(before):
                continue
            found = [(start + a.start(), start + a.end()) for a in _X_ASCII_DOMAIN.finditer(domain)]
            if found and path:
                found[-1] = (found[-1][0], end)
            spans += found
        elif tco := _X_TCO.match(url):
            if len(tco.group(1)) <= 40:
                spans.append((start, start + tco.end()))
        else:
            spans.append((start, end))
    return spans


def _nfc_boundaries(text: str) -> list[tuple[int, int]]:
    """(offset in ``text``, offset in its NFC form) at each grapheme boundary."""
    pairs, i, j = [(0, 0)], 0, 0
    for g in _GRAPHEME.findall(text):
        i, j = i + len(g), j + len(unicodedata.normalize("NFC", g))
        pairs.append((i, j))
    return pairs


def x_url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL that X counts as 23, as offsets into ``text``.

    X finds URLs in the NFC form of the text; when ``text`` is not NFC, a span
    is widened to whole grapheme clusters of ``text``.
    """
    if unicodedata.is_normalized("NFC", text):
        return _x_spans_nfc(text)
    pairs = _nfc_boundaries(text)
    spans = []
    for s, e in _x_spans_nfc(unicodedata.normalize("NFC", text)):
        start = max(i for i, j in pairs if j <= s)
        spans.append((start, min(i for i, j in pairs if j >= e)))
    return spans


def _x_plain(text: str, start: int, end: int) -> int:
    """Weighted length of text[start:end] counted code point by code point."""
    return end - start + sum(map(len, _X_HEAVY.findall(text, start, end)))


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3 parseTweet's weightedLength; limit 280).

    NFC first; code points in U+0000-10FF, U+2000-200D, U+2010-201F and
    U+2032-2037 count 1, others 2; each emoji sequence counts 2; each URL
    (with or without protocol, on a known TLD) counts 23.
    """
    if text.isascii():
        spans = _x_spans_nfc(text)
        return len(text) + sum(_X_URL_WEIGHT - e + s for s, e in spans)
    text = unicodedata.normalize("NFC", text)
    # (start, priority, end, weight): at the same start a URL wins over an emoji.
    entities = [(s, 0, e, _X_URL_WEIGHT) for s, e in _x_spans_nfc(text)]
    if _X_EMOJI_HINT.search(text):
        entities += [(m.start(), 1, m.end(), _X_EMOJI_WEIGHT)
                     for m in _X_EMOJI.finditer(text) if m.end() - m.start() > 1]
        entities.sort()
    total = pos = 0
    for start, _, end, weight in entities:
        if start >= pos:  # an entity starting inside an earlier one is not seen
            total += _x_plain(text, pos, start) + weight
            pos = end
    return total + _x_plain(text, pos, len(text))


# --- Bluesky, Telegram, Weibo --------------------------------------------------


def bluesky_length(text: str) -> tuple[int, int]:
    """(graphemes, UTF-8 bytes); Bluesky allows 300 and 3000. Links count in full."""
    return graphemes(text), len(text.encode("utf-8"))


def utf16_length(text: str) -> int:
    """UTF-16 code units, as Telegram counts (a non-BMP character is 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def weibo_length(text: str) -> int:
    """Weibo's count, in 汉字: ASCII (half-width) counts 1/2, anything else 1.

    The total is rounded up.  Community-measured; the limit is configurable.
    """
    half = len(text.encode("ascii", "ignore"))  # the ASCII code points
    return (2 * len(text) - half + 1) // 2


# --- Mastodon ----------------------------------------------------------------

# Mastodon's server (StatusLengthValidator) counts graphemes after replacing each
# URL with protocol by 23 characters and each "@user@domain" by "@user".  Its
# URL regex is twitter-text's (Ruby gem) with config/initializers/twitter_regex.rb
# applied: more schemes, and far more permissive path and query characters.
_M_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"  # twitter-text Ruby
_M_DOMAIN_CHAR = rf"[^{_DIRECTIONAL}{_M_PUNCT}\x00-\x20\x7f{_INVALID}{_SPACES}]"
_M_DOMAIN = _domain_regex(_M_DOMAIN_CHAR, r"(?:xn--[0-9a-z]+)")
_M_OLD_PATH_CHAR = rf"[a-z\p{{Cyrillic}}0-9!*';:=+,.$/%#\[\]\p{{Pd}}_~&|@{_LATIN}]"
_M_OLD_PARENS = (rf"\((?:{_M_OLD_PATH_CHAR}+|(?:{_M_OLD_PATH_CHAR}*\({_M_OLD_PATH_CHAR}+\)"
                 rf"{_M_OLD_PATH_CHAR}*))\)")
_M_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_M_PARENS = rf"\((?:{_M_PATH_CHAR}+|(?:{_M_PATH_CHAR}*\({_M_PATH_CHAR}+\){_M_PATH_CHAR}*))\)"
_M_PATH_END = rf"(?:[^\p{{White_Space}}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_M_OLD_PARENS})"
_M_PATH = (rf"(?:(?:{_M_PATH_CHAR}*(?:{_M_PARENS}{_M_PATH_CHAR}*)*{_M_PATH_END})"
           rf"|(?:{_M_PATH_CHAR}+/))")
_M_UCHARS = ("\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
             "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-"
             "\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
             "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-"
             "\U000dfffd\U000e1000-\U000efffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-"
             "\U0010fffd")
_M_QUERY = rf"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_M_UCHARS}]*[a-z0-9_&=#/\-{_M_UCHARS}]"
_M_URLS = _UrlScanner(
    _url_regex(r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://", _M_DOMAIN, _M_PATH,
               _M_QUERY),
    non_run=rf"{_DIRECTIONAL}!\"#$%&'()*+,/:;<=>?@\[\]^`{{|}}~\x00-\x20\x7f{_INVALID}{_SPACES}",
    margin=len("_gemini://"), flags=regex.IGNORECASE | regex.MULTILINE)
_M_TCO = regex.compile(r"https?://t\.co/([a-z0-9]+)", regex.IGNORECASE)
_M_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"  # Ruby's [[:word:]]
_M_MENTION = regex.compile(  # Account::MENTION_RE
    rf"(?<![=/{_M_WORD}])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
    rf"(?:@[{_M_WORD}]+(?:[.-]+[{_M_WORD}]+)*)?)")
_M_MENTION_END = regex.compile(rf"[@＠]|[{_LATIN}]|://", regex.IGNORECASE)


def _mastodon_entities(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, local username or None for a URL), overlaps removed."""
    found: list[tuple[int, int, str | None]] = []
    if ":" in text:
        for m in _M_URLS.finditer(text):
            url, protocol, domain = m.group(2, 3, 4)
            start, end = m.start(2), m.end(2)
            if not protocol:
                continue
            if tco := _M_TCO.match(url):
                if len(tco.group(1)) > 40:
                    continue
                url, end = tco.group(), start + tco.end()
            extra = max(0, sum(map(_punycode_length, domain.split("."))) + domain.count(".")
                        - len(domain))
            if _valid_labels(domain) and len(url) + extra <= _MAX_URL_LENGTH:
                found.append((start, end, None))
    if "@" in text:
        for m in _M_MENTION.finditer(text):
            if not _M_MENTION_END.match(text, m.end()):
                found.append((m.start(), m.end(), m.group(1).split("@")[0]))
    found.sort(key=lambda entity: entity[0])
    kept: list[tuple[int, int, str | None]] = []
    for entity in found:
        if not kept or kept[-1][1] <= entity[0]:
            kept.append(entity)
    return kept


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Mastodon's count: graphemes, with each URL counting ``url_length`` and a
    remote mention "@user@domain" counting as "@user" (whitespace-only text is 0).
    """
    if not text or text.isspace():
        return 0
    entities = _mastodon_entities(text) if ":" in text or "@" in text else []
    if not entities:
        return graphemes(text)
    parts, pos = [], 0
    for start, end, user in entities:
        parts += (text[pos:start], "x" * url_length if user is None else "@" + user)
        pos = end
    parts.append(text[pos:])
    return graphemes("".join(parts))


def _mastodon_atomic(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e, user in _mastodon_entities(text) if user is None or e - s > len(user) + 1]


# --- first_overflow ------------------------------------------------------------

# Spans a prefix must not cut, per length rule: a URL (or remote mention) is
# kept or dropped whole, as X's own "valid range" does.
_ATOMIC: dict[Callable, Callable[[str], list[tuple[int, int]]]] = {
    x_length: x_url_spans, mastodon_length: _mastodon_atomic}


def first_overflow(text: str, limit, length_fn: Callable[[str], object]) -> int | None:
    """Code point offset where ``text`` first exceeds ``limit`` under ``length_fn``.

    None if the whole text fits.  Otherwise ``text[:offset]`` fits and adding
    the next unit does not.  A unit is a grapheme cluster, so no cluster is ever
    split; for ``x_length`` and ``mastodon_length`` a URL (and a remote mention)
    of the whole text is one unit, because a prefix that cuts a URL counts
    differently (often as plain text).  A tuple-valued rule such as
    ``bluesky_length`` takes a tuple ``limit``, e.g. ``(300, 3000)``.
    Binary search: O(log n) calls of ``length_fn``, which must be monotone
    over these units (the rules here are, except that a prefix can turn a
    word into a URL, e.g. "example.comedy" cut to "example.co"; the offset
    returned then still fits with the next unit not fitting).
    """
    def fits(end: int) -> bool:
        value = length_fn(text[:end])
        if isinstance(value, tuple):
            return all(v <= lim for v, lim in zip(value, limit, strict=True))
        return value <= limit

    if fits(len(text)):
        return None
    cuts = [0] + [m.end() for m in _GRAPHEME.finditer(text)]
    func = length_fn.func if isinstance(length_fn, partial) else length_fn
    if (atomic := _ATOMIC.get(func)) is not None:
        for start, end in atomic(text):
            cuts = [c for c in cuts if not start < c < end]
    if not fits(0):
        return 0
    lo, hi = 0, len(cuts) - 1  # fits(cuts[lo]) and not fits(cuts[hi])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(cuts[mid]):
            lo = mid
        else:
            hi = mid
    return cuts[lo]
