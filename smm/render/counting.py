"""Each social network's exact text-length rule, one pure function per rule.

Offsets are code point offsets into the ``str`` given.  The URL rules port
twitter-text v3 (X; and Mastodon's server, which runs twitter-text's Ruby gem
with its own overrides); the TLD list they share is ``smm/resources/tlds.txt``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache, partial

import regex

from smm.render.resources import RESOURCES
from smm.render.urlscan import (
    DIRECTIONAL,
    INVALID,
    LATIN,
    MAX_URL_LENGTH,
    SPACES,
    Domain,
    UrlScanner,
    idna2003_length,
    valid_labels,
)

__all__ = ["bluesky_length", "first_overflow", "graphemes", "graphemes_unicode15", "mastodon_length", "mastodon_spans",
           "utf16_length", "weibo_length", "x_length", "x_url_spans"]

# --- graphemes ---------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")
# No code point here joins a neighbour into a cluster (GB9-GB13); checked in
# the tests.  Latin, Greek, Cyrillic, CJK, kana and most emoji are here.
_SAFE = ("\x00-\x0c\x0e-\u02ff\u0370-\u0482\u048a-\u058f\u1e00-\u1fff\u2000-\u200b"
         "\u200e-\u20cf\u2100-\u2cee\u2cf2-\u2d7e\u2d80-\u2ddf\u2e00-\u3029\u3030-\u3098"
         "\u309b-\ua66e\uff00-\uff9d\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa"
         "\U0001f400-\U0001faff\U00020000-\U0003ffff")
_UNSAFE_RUN = re.compile(f"[^{_SAFE}]+")
_SAFE_TEXT = re.compile(f"[{_SAFE}]*")  # (matched whole in one loop in C: several times as fast as looking for the others)


def may_join(text: str) -> bool:
    """Whether a code point of `text` may join a neighbour into a grapheme cluster; if not, each is one."""
    return _SAFE_TEXT.fullmatch(text) is None


def graphemes(text: str) -> int:
    """Extended grapheme clusters (UAX #29): "👩‍👩‍👧" is 1, "\\r\\n" is 1."""
    if text.isascii():  # in ASCII only CR LF forms a multi-character cluster
        return len(text) - text.count("\r\n")
    if not may_join(text):  # (no linker either: each is outside _SAFE)
        return len(text)
    after_linker, gb9c = _linker_joins(text)
    return _regex_graphemes(text) + after_linker - gb9c


def _joining(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the stretches of `text` where code points may join into clusters: each run of
    code points outside _SAFE with one code point either side. Elsewhere each code point is a cluster."""
    start = end = 0
    for m in _UNSAFE_RUN.finditer(text):
        if m.start() - 1 > end:
            yield start, end
            start = m.start() - 1
        end = min(len(text), m.end() + 1)
    yield start, end


def _regex_graphemes(text: str) -> int:
    """What `regex`'s \\X counts, applied only around the code points that may join."""
    return len(text) - sum(end - start - len(_GRAPHEME.findall(text, start, end)) for start, end in _joining(text))


def clusters_holding(text: str, pattern: regex.Pattern) -> list[str]:
    """The grapheme clusters (`regex`'s \\X) of `text` in which `pattern` (no lookaround) finds a match,
    in order: \\X only where code points may join; elsewhere each code point is a cluster of its own."""
    found, pos = [], 0
    for start, end in [*_joining(text), (len(text), len(text))]:
        between = [m.group() for m in pattern.finditer(text, pos, start)]
        if any(len(match) > 1 for match in between):  # a match across clusters: each cluster on its own
            return [g for g in _GRAPHEME.findall(text) if pattern.search(g)]
        found += between + [g for g in _GRAPHEME.findall(text, start, end) if pattern.search(g)]
        pos = end
    return found


# Unicode 15.1 added rule GB9c: an Indic consonant, a virama (InCB=Linker) and the
# next consonant form one cluster ("क्ष" is 1).  `regex` joins a consonant after a
# linker even when no consonant comes before it ("a्क" is 1 there, 2 in Unicode and
# in ICU, which Bluesky's Intl.Segmenter uses).  Ruby up to 3.4, which Mastodon counts
# with, segments by Unicode 15.0, without that rule ("क्ष" is 2, Khmer "ក្ស" too).
_AFTER_LINKER = regex.compile(
    r"(?<=\p{InCB=Linker}[\p{InCB=Extend}\p{InCB=Linker}]*)\p{InCB=Consonant}")
_GB9C = regex.compile(r"(?<=\p{InCB=Consonant}[\p{InCB=Extend}\p{InCB=Linker}]*\p{InCB=Linker}"
                      r"[\p{InCB=Extend}\p{InCB=Linker}]*)\p{InCB=Consonant}")
_LINKER = regex.compile(r"\p{InCB=Linker}")


def _linker_joins(text: str) -> tuple[int, int]:
    """(consonants `regex`'s \\X joins after a linker, of which GB9c joins)."""
    if text.isascii() or not _LINKER.search(text):
        return 0, 0
    return len(_AFTER_LINKER.findall(text)), len(_GB9C.findall(text))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _unicode15_unknown() -> tuple[re.Pattern, list[int], list[int]]:
    """Code points unassigned in Unicode 15.0 that Ruby segments as plain characters: a
    pattern for those in the BMP (fast as a bitmap) and the other ranges' starts and ends."""
    lines = (RESOURCES / "unicode15_unknown.txt").read_text(encoding="utf-8").splitlines()
    ranges = [[int(n, 16) for n in line.split("..")] for line in lines if line and not line.startswith("#")]
    bmp = "".join(f"{re.escape(chr(a))}-{re.escape(chr(min(b, 0xFFFF)))}" for a, b in ranges if a <= 0xFFFF)
    astral = [(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF]
    return re.compile(f"[{bmp}]"), [a for a, _ in astral], [b for _, b in astral]


def _unknown_as_x(text: str) -> str:
    """``text`` with each code point unassigned in Unicode 15.0 made "x"."""
    bmp, starts, ends = _unicode15_unknown()

    def astral(m: re.Match) -> str:
        i = bisect_right(starts, ord(m.group())) - 1
        return "x" if i >= 0 and ord(m.group()) <= ends[i] else m.group()

    text = bmp.sub("x", text)
    return _ASTRAL.sub(astral, text) if _ASTRAL.search(text) else text


def graphemes_unicode15(text: str) -> int:
    """Grapheme clusters by Unicode 15.0's rules (no GB9c), as Ruby's
    ``String#each_grapheme_cluster`` counts them: "क्षि" is 2.  A code point
    unassigned in 15.0 is a plain character there, as "x" is, whatever it is now."""
    if text.isascii() or not may_join(text):  # nothing joins: as graphemes()
        return graphemes(text)
    text = _unknown_as_x(text)
    return _regex_graphemes(text) + _linker_joins(text)[0]


# --- X -----------------------------------------------------------------------

_X_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"  # twitter-text JS (no '"' or '`')
_X_PATH_CHAR = rf"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{LATIN}]"
_X_PARENS = rf"\((?:{_X_PATH_CHAR}+|(?:{_X_PATH_CHAR}*\({_X_PATH_CHAR}+\){_X_PATH_CHAR}*))\)"
_X_PATH = (rf"(?:(?:{_X_PATH_CHAR}*(?:{_X_PARENS}{_X_PATH_CHAR}*)*"
           rf"(?:[+\-a-z\u0400-\u04ff0-9=_#/{LATIN}]|{_X_PARENS}))|(?:@{_X_PATH_CHAR}+/))")
_X_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
_X_URLS = UrlScanner(
    "https?://", f"[^{_X_PUNCT}{SPACES}{INVALID}{DIRECTIONAL}]", r"xn--[\-0-9a-z]+", _X_PATH, _X_QUERY,
    non_run=rf"!'#%&()*+,\\/:;<=>?@\[\]^{{|}}~${SPACES}{INVALID}{DIRECTIONAL}",
    margin=len("_https://"), flags=re.IGNORECASE)
# The ASCII domains in a URL's domain: `(?:[\-a-z0-9{LATIN}]+\.)+(?:{TLD}|xn--[\-0-9a-z]+)`.
_X_ASCII_DOMAIN = Domain(rf"[\-a-z0-9{LATIN}]+\.", rf"[\-a-z0-9{LATIN}]+\.", r"xn--[\-0-9a-z]+", re.IGNORECASE)


_X_TCO = re.compile(rf"https?://t\.co/([a-z0-9]+)(?:{_X_QUERY})?", re.IGNORECASE)

# Ignoring case, Python's `re` and `regex` match "ſ" to "s" and "ı", "İ" to "i" (a TLD, a scheme,
# `[a-z]`); twitter-text's JavaScript (no `u` flag) matches none of them, Ruby's Onigmo (Mastodon)
# "ſ" only. Where the network's engine does not, smm's scanning sees "ĸ" instead: a Latin letter
# of no case, in the same character classes. Lengths are taken from the text as written.
_X_UNFOLDED = "ſıİ"
_M_UNFOLDED = "ıİ"


def _as_matched(text: str, unfolded: str) -> str:
    """`text` as the network's regular expressions match it ignoring case (same length)."""
    if not text.isascii():
        for letter in unfolded:  # (str's own search and replace: many times as fast as a pattern or a table)
            if letter in text:
                text = text.replace(letter, "ĸ")
    return text

# Weight-1 code points of twitter-text's v3 config: U+0000-10FF (in UTF-16, the high byte of each is at
# most 0x10), U+2000-200D, U+2010-201F and U+2032-2037; any other weighs 2.
_LIGHT_HIGH_BYTES = bytes(range(0x11))
_X_LIGHT_20 = re.compile("[\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
# Emoji sequences, which count 2 whatever their length (emojiParsingEnabled).
# U+FE0F belongs to an element only after a text-style pictograph ("©️"); after an emoji
# that is one already ("😀️") twitter-text weighs it apart, as 2.
_X_EMOJI_ELEMENT = (r"(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Emoji_Presentation}"
                    r"|\p{Extended_Pictographic}\ufe0f?)")
_X_EMOJI = regex.compile(
    r"[#*0-9]\ufe0f?\u20e3|\p{RI}\p{RI}|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    rf"|{_X_EMOJI_ELEMENT}(?:\u200d{_X_EMOJI_ELEMENT})*")
# Every emoji sequence of two or more code points holds one of these.
_X_EMOJI_HINT = re.compile(
    "[\u200d\u20e3\ufe0f\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def _may_hold_emoji_sequence(text: str) -> bool:
    """Whether _X_EMOJI_HINT finds a code point in `text`: those below U+10000 looked for one by one, the
    others only where the text has a code point that takes two UTF-16 units (a far quicker test)."""
    return ("\u200d" in text or "\u20e3" in text or "\ufe0f" in text
            or len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text) and _X_EMOJI_HINT.search(text) is not None)


@cache
def _x_emoji_weights() -> dict[str, int]:
    """Emoji sequences with the weight twitter-text 3.1.0 gives them: 2 for those it knows as one."""
    lines = (RESOURCES / "x_emoji_weights.txt").read_text(encoding="utf-8").splitlines()
    return {"".join(chr(int(c, 16)) for c in seq.split()): int(weight)
            for seq, weight in (line.split("\t") for line in lines if line and not line.startswith("#"))}


def _x_emoji(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, weight) of the emoji sequences twitter-text finds in `text`: one _X_EMOJI finds, if
    listed; else the longest listed sequence it knows as one emoji (weight 2) starting there, the search
    going on after it, or after the first code point if none (an unknown flag pair, a tag sequence of
    no flag, pictographs joined where Unicode joins none: their parts, as twitter-text weighs them)."""
    weights, pos = _x_emoji_weights(), 0
    while m := _X_EMOJI.search(text, pos):
        start, end = m.span()
        weight = weights.get(m.group()) if end - start > 1 else None
        if weight is None:
            end = next((cut for cut in range(end - 1, start + 1, -1) if weights.get(text[start:cut]) == 2), start + 1)
            weight = 2 if end > start + 1 else None
        if weight is not None:
            yield start, end, weight
        pos = end


def _x_urls_nfc(text: str) -> list[tuple[int, int, int]]:
    """twitter-text's extractUrlsWithIndices over NFC ``text``: (start, end, weighed end).

    parseTweet skips the length of the URL *string* after a URL's start; without a
    protocol and with a path that string is the last ASCII domain plus the path, shorter
    than the span when other text sits in the domain ("example.com慕田峪长城.网址/a"):
    the rest of the span is weighed as text.  The weighed end says where that starts.
    """
    urls: list[tuple[int, int, int]] = []
    for found_url in _X_URLS.finditer(_as_matched(text, _X_UNFOLDED)) if "." in text else ():
        before, url, protocol, domain, path, start, end = found_url
        domain_start = start + len(protocol or "")
        if (domain.startswith("xn--") and next(_X_ASCII_DOMAIN.finditer(domain), None) is None
                or not valid_labels(text[domain_start:domain_start + len(domain)])
                or len(protocol or "https://") + utf16_length(url) > MAX_URL_LENGTH):
            continue
        if not protocol:
            if before[-1:] in ("-", "_", ".", "/"):
                continue
            found = [(start + a, start + b, start + b) for a, b in _X_ASCII_DOMAIN.finditer(domain)]
            if found and path:
                last, last_end, _ = found[-1]
                found[-1] = (last, end, last + end - start - len(domain) + last_end - last)
            urls += found
        elif tco := _X_TCO.match(url):
            if len(tco.group(1)) <= 40:
                urls.append((start, start + tco.end(), start + tco.end()))
        else:
            urls.append((start, end, end))
    return urls


def _x_spans_nfc(text: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in _x_urls_nfc(text)]


def x_url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL that X counts as 23, as offsets into ``text``.

    X finds URLs in the NFC form of the text; if ``text`` is not NFC, a span is
    widened to whole grapheme clusters of ``text``.
    """
    if unicodedata.is_normalized("NFC", text):
        return _x_spans_nfc(text)
    bounds, i, j = [(0, 0)], 0, 0  # (offset in text, offset in NFC) per cluster
    for g in _GRAPHEME.findall(text):
        i, j = i + len(g), j + len(unicodedata.normalize("NFC", g))
        bounds.append((i, j))
    return [(max(i for i, j in bounds if j <= s), min(i for i, j in bounds if j >= e))
            for s, e in _x_spans_nfc(unicodedata.normalize("NFC", text))]


def _x_plain(text: str, start: int, end: int) -> int:
    """The weight of text[start:end] without URLs or emoji: its code points and one more for each of
    weight 2, found from the high bytes of its UTF-16 units (a code point above U+FFFF is two units,
    both above 0x10; a lone surrogate one) rather than by a pattern: several times as fast."""
    piece = text[start:end]
    if piece.isascii():
        return len(piece)
    high = piece.encode("utf-16-le", "surrogatepass")[1::2]
    heavy = len(high.translate(None, _LIGHT_HIGH_BYTES)) - (len(high) - len(piece))
    if 0x20 in high:
        heavy -= len(_X_LIGHT_20.findall(piece))
    return len(piece) + heavy


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3 parseTweet's weightedLength; limit 280).

    After NFC, code points in U+0000-10FF, U+2000-200D, U+2010-201F and
    U+2032-2037 count 1, others 2; an emoji sequence counts 2; each URL (with or
    without protocol, on a known TLD) counts 23.  An emoji sequence newer than
    twitter-text 3.1.0's list counts as 3.1.0 counts it, by its code points
    ("🐦‍🔥" is 5): that is never less than a newer list would count.
    """
    if text.isascii():
        return len(text) + sum(23 - w + s for s, _, w in _x_urls_nfc(text))
    text = unicodedata.normalize("NFC", text)
    # (start, URL first, end, weight); an entity starting inside another is unseen.
    entities = [(s, 0, w, 23) for s, _, w in _x_urls_nfc(text)]
    if _may_hold_emoji_sequence(text):
        entities += [(start, 1, end, weight) for start, end, weight in _x_emoji(text)]
        entities.sort()
    total = pos = 0
    for start, _, end, weight in entities:
        if start >= pos:
            total += _x_plain(text, pos, start) + weight
            pos = end
    return total + _x_plain(text, pos, len(text))


# --- Bluesky, UTF-16, Weibo --------------------------------------------------


def bluesky_length(text: str) -> tuple[int, int]:
    """(graphemes, UTF-8 bytes); Bluesky allows 300 and 3000. Links count in full."""
    return graphemes(text), len(text.encode("utf-8"))


def utf16_length(text: str) -> int:
    """UTF-16 code units, as JavaScript counts a string's length (a non-BMP character is 2)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def weibo_length(text: str) -> int:
    """Weibo's count in 汉字: an ASCII (half-width) character counts 1/2, any other UTF-16 code unit 1
    (full-width, CJK: 1; an emoji or a character outside the BMP: 2), the total rounded up.
    Community-measured; the limit is configurable."""
    half = len(text.encode("ascii", "ignore"))
    return (2 * utf16_length(text) - half + 1) // 2


# --- Mastodon ----------------------------------------------------------------

# Mastodon's StatusLengthValidator counts graphemes once each URL with a
# protocol is replaced by 23 characters and each "@user@domain" by "@user".
# Its URL regex is twitter-text's Ruby one as changed by Mastodon's
# config/initializers/twitter_regex.rb: more schemes, looser path and query;
# a URL whose domain libidn's IDNA 2003 ToASCII refuses is text (idna2003_length).
_RUBY_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"
_RUBY_CYRILLIC = ("\u0400-\u0484\u0487-\u052f\u1c80-\u1c8a\u1d2b\u1d78\u2de0-\u2dff"
                  "\ua640-\ua69f\ufe2e\ufe2f\U0001e030-\U0001e06d\U0001e08f")  # \p{Cyrillic}
_RUBY_DASH = ("\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
              "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010d6e\U00010ead")  # \p{Pd}
_M_OLD_CHAR = rf"[a-z{_RUBY_CYRILLIC}0-9!*';:=+,.$/%#\[\]{_RUBY_DASH}_~&|@{LATIN}]"
_M_OLD_PARENS = rf"\((?:{_M_OLD_CHAR}+|(?:{_M_OLD_CHAR}*\({_M_OLD_CHAR}+\){_M_OLD_CHAR}*))\)"
_RUBY_WHITE_SPACE = SPACES.replace("\u180e", "")  # \p{White_Space}
_M_PATH_CHAR = rf"[^{_RUBY_WHITE_SPACE}<>()?]"
_M_PARENS = rf"\((?:{_M_PATH_CHAR}+|(?:{_M_PATH_CHAR}*\({_M_PATH_CHAR}+\){_M_PATH_CHAR}*))\)"
_M_PATH = (rf"(?:(?:{_M_PATH_CHAR}*(?:{_M_PARENS}{_M_PATH_CHAR}*)*"
           rf"(?:[^{_RUBY_WHITE_SPACE}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_M_OLD_PARENS}))"
           rf"|(?:{_M_PATH_CHAR}+/))")
_M_UCHARS = "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\ue000-\uf8ff" + "".join(
    f"{chr(plane << 16 | (0x1000 if plane == 14 else 0))}-{chr(plane << 16 | 0xfffd)}"
    for plane in range(1, 17))
_M_QUERY = rf"\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_M_UCHARS}]*[a-z0-9_&=#/\-{_M_UCHARS}]"
_M_URLS = UrlScanner(
    "(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://",
    rf"[^{DIRECTIONAL}{_RUBY_PUNCT}\x00-\x20\x7f{INVALID}{SPACES}]", r"xn--[0-9a-z]+", _M_PATH, _M_QUERY,
    non_run=rf"{DIRECTIONAL}!\"#$%&'()*+,/:;<=>?@\[\]^`{{|}}~\x00-\x20\x7f{INVALID}{SPACES}",
    margin=len("_gemini://"), flags=re.IGNORECASE | re.MULTILINE)
_M_TCO = re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_M_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"  # Ruby's [[:word:]]
_M_MENTION = regex.compile(  # Account::MENTION_RE
    rf"(?<![=/{_M_WORD}])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
    rf"(?:@[{_M_WORD}]+(?:[.-]+[{_M_WORD}]+)*)?)")
_M_MENTION_END = regex.compile(rf"[@＠{LATIN}]|://", regex.IGNORECASE)
_M_MAX_DOMAIN = 253  # Extractor::MAX_DOMAIN_LENGTH: a longer domain is no mention, counted in full
_M_BLANK = re.compile(f"[{_RUBY_WHITE_SPACE}]*")  # ActiveSupport's String#blank?


def _mastodon_entities(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, username, or None for a URL), without overlaps."""
    found: list[tuple[int, int, str | None]] = []
    matched = _as_matched(text, _M_UNFOLDED)
    for found_url in _M_URLS.finditer(matched) if ":" in text else ():
        _, url, protocol, domain, _, start, end = found_url
        domain_start = start + len(protocol or "")
        if not protocol or (encoded := idna2003_length(text[domain_start:domain_start + len(domain)])) is None:
            continue
        if tco := _M_TCO.match(url):
            if len(tco.group(1)) > 40:
                continue
            url, end = tco.group(), start + tco.end()
        if len(url) + max(0, encoded - len(domain)) <= MAX_URL_LENGTH:
            found.append((start, end, None))
    for m in _M_MENTION.finditer(matched) if "@" in text else ():
        user, _, domain = m.group(1).partition("@")
        if not _M_MENTION_END.match(matched, m.end()) and len(domain) <= _M_MAX_DOMAIN:
            found.append((m.start(), m.end(), text[m.start(1):m.start(1) + len(user)]))
    found.sort(key=lambda entity: entity[0])
    kept: list[tuple[int, int, str | None]] = []
    for entity in found:
        if not kept or kept[-1][1] <= entity[0]:
            kept.append(entity)
    return kept


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Mastodon's count (limit 500 by default): grapheme clusters as Ruby counts
    them (Unicode 15.0), where each URL counts ``url_length`` and "@user@domain"
    counts as "@user".  Text of White_Space only counts 0 (U+001C is no space)."""
    if _M_BLANK.fullmatch(text):
        return 0
    parts, pos = [], 0
    for start, end, user in _mastodon_entities(text):
        parts += (text[pos:start], "x" * url_length if user is None else "@" + user)
        pos = end
    return graphemes_unicode15("".join(parts) + text[pos:]) if parts else graphemes_unicode15(text)


def mastodon_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL that Mastodon counts as 23 and each remote
    mention ("@user@domain", counted as "@user")."""
    return [(s, e) for s, e, user in _mastodon_entities(text)
            if user is None or e - s > len(user) + 1]


# --- first_overflow ------------------------------------------------------------

# Spans that a prefix may not cut, per rule: kept or dropped whole, as X's
# own "valid range" treats a URL.
_UNITS: dict[Callable, Callable[[str], list[tuple[int, int]]]] = {
    x_length: x_url_spans, mastodon_length: mastodon_spans}


def _cluster_ends(text: str) -> list[int]:
    """0 and the end of each grapheme cluster (`regex`'s \\X) of `text`: \\X only where code points may
    join (_joining), each code point elsewhere."""
    cuts, pos = [0], 0
    for start, end in _joining(text):
        cuts += range(pos + 1, start + 1)
        cuts += [m.end() for m in _GRAPHEME.finditer(text, start, end)]
        pos = max(pos, end)
    cuts += range(pos + 1, len(text) + 1)
    return cuts


def first_overflow(text: str, limit, length_fn: Callable[[str], object], *,
                   units: Callable[[str], list[tuple[int, int]]] | None = None) -> int | None:
    """Code point offset where ``text`` first exceeds ``limit`` under ``length_fn``.

    None if ``text`` fits; else ``text[:offset]`` fits and ``text`` up to the
    end of the next unit does not.  A unit is a grapheme cluster (never split)
    or a span from ``units(text)``: by default the URLs (and remote mentions)
    of ``x_length`` and ``mastodon_length``, since a prefix cutting one counts
    differently, often as plain text.  Pass ``units`` (``x_url_spans``,
    ``mastodon_spans``) when ``length_fn`` wraps one of those.  A tuple rule
    such as ``bluesky_length`` takes a tuple ``limit``, e.g. ``(300, 3000)``.

    Binary search: O(log n) calls of ``length_fn``, which should grow with
    each unit.  Ours do, except that a cut can make a word a URL
    ("example.comedy" cut to "example.co"); the offset found then still fits
    and the next unit does not, but an earlier offset may be such a place too.
    """
    def fits(end: int) -> bool:
        value = length_fn(text[:end])
        if isinstance(value, tuple):
            return all(v <= lim for v, lim in zip(value, limit, strict=True))
        return value <= limit

    if fits(len(text)):
        return None
    if not fits(0):
        return 0
    cuts = range(len(text) + 1) if not may_join(text) else _cluster_ends(text)  # (each code point a cluster: no list)
    if units is None:
        units = _UNITS.get(length_fn.func if isinstance(length_fn, partial) else length_fn)
    inside = {c for start, end in (units(text) if units else ()) for c in range(start + 1, end)}
    cuts = [c for c in cuts if c not in inside] if inside else cuts
    lo, hi = 0, len(cuts) - 1  # fits(cuts[lo]), not fits(cuts[hi])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(cuts[mid]) else (lo, mid)
    return cuts[lo]


def x_urls(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The NFC form of `text` and the spans of the URLs twitter-text finds in it (X shows each as a t.co link)."""
    text = unicodedata.normalize("NFC", text)
    return text, [(start, end) for start, end, _ in _x_urls_nfc(text)]
