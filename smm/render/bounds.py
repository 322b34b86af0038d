"""Cheap bounds of what a network counts, so that fitting a thread counts exactly only near the limit.

`bounds_for(platform)` gives two functions of a text with

    low(text) <= platform.cost(platform.shorten_links(text)[0]) <= high(text)

(the count `rendered` keeps a thread's parts under), made of a few passes in C (len, encode,
`str.count`, a regular expression) where the exact count finds URLs and links, shortens them and
segments graphemes: a candidate part whose `high` is within the limit fits, one whose `low` is over
does not, and only the others are counted. Each bound is proved in its docstring from the counting
function as it is written (smm.render.counting, smm.platforms.*), and tests/test_fit_fast.py
checks it on many generated texts. X's count is not bounded here: bounds as cheap as the proofs
allow cost about as much as its count. A network without bounds is always counted exactly.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Callable, NamedTuple

import regex

from smm.render.counting import _UNSAFE_RUN, may_join


class Bounds(NamedTuple):
    low: Callable[[str], int]
    high: Callable[[str], int]


def _again(bound: Callable[[str], int]) -> Callable[[str], int]:
    """`bound`, giving the value for the text it was last given (the same object) without reckoning it
    again: a whole text is asked about twice, before splitting and as the first thing split asks."""
    last: list = [None, 0]

    def remembered(text: str) -> int:
        if text is not last[0]:
            last[:] = text, bound(text)
        return last[1]
    return remembered


# A code point outside the runs of code points that may join (counting._UNSAFE_RUN, where
# counting.may_join finds one), whose neighbours are outside them too, is a grapheme cluster of its
# own: `counting._regex_graphemes` counts 1 for each code point outside its stretches (each such run
# with one code point either side), and graphemes() and graphemes_unicode15() only add to that
# (GB9c's correction adds back what `regex` joined; Ruby's joins after a linker likewise).
# What a network may count otherwise than as text lies in a word (a run between separators) holding a
# marker; the word is found from the marker.
_JS_SPACE = "\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # bluesky_text's
_ASCII_SPACE = "\t\n\x0b\x0c\r "
# (Each marker starts with one character class, which `re` scans for quickly.)
_BLUESKY_MARK = re.compile(r"[.:](?:(?<=[a-z0-9]\.)[a-z0-9]|(?<=:)//)", re.IGNORECASE)  # where _MAYBE_LINK matches
_MASTODON_MARK = re.compile("[:@](?:(?<=:)//|(?<!:))")  # "://" or "@"
_SCHEME = re.compile(r"://[/\\]*")  # (a browser skips any more slashes before the host)
_HOST_END = re.compile(f"[/\\\\?#{_JS_SPACE}]|$")


@cache
def _separators(chars: str) -> tuple[re.Pattern, regex.Pattern]:
    return re.compile(f"[{chars}]"), regex.compile(f"(?r)[{chars}]")


def singles(text: str) -> int:
    """At most the number of code points that are grapheme clusters of their own, as counting
    segments (see _UNSAFE_RUN above): all but each run of possibly joining ones with a neighbour either side.
    So graphemes(text) and graphemes_unicode15(text) are at least this, and at most len(text)."""
    if text.isascii() and "\r" not in text or not may_join(text):
        return len(text)
    return len(text) - sum(len(run) + 2 for run in _UNSAFE_RUN.findall(text))


def marked_words(text: str, marker: re.Pattern, separators: str) -> list[tuple[int, int]]:
    """(start, end) of each word (a run without `separators`) in which `marker` (no separator in
    its matches) matches."""
    forth, back = _separators(separators)
    words: list[tuple[int, int]] = []
    for m in marker.finditer(text):
        if words and m.start() < words[-1][1]:
            continue
        before = back.search(text, 0, m.start())
        after = forth.search(text, m.end())
        words.append((before.end() if before else 0, after.start() if after else len(text)))
    return words


def _kept(text: str, marker: re.Pattern, separators: str) -> int:
    """singles(text) less each marked word with a code point either side: those single code points
    keep their neighbours when the marked words (all the count may change) are changed."""
    return singles(text) - sum(end - start + 2 for start, end in marked_words(text, marker, separators))


def _mastodon_low(text: str) -> int:
    """counting.mastodon_length: grapheme clusters (Unicode 15.0) of the text with each URL made 23
    "x" and each "@user@domain" "@user"; 0 for blank text (then `strip()` leaves nothing, and 0 is
    given here). A URL or mention holds no ASCII white space (its domain excludes \\x00-\\x20, its
    path Ruby's white space, its query all but \\xa0 and above) and holds "://" or "@", so it lies in
    a marked word; elsewhere the text is the same (see _kept)."""
    return _kept(text, _MASTODON_MARK, _ASCII_SPACE) if text.strip() else 0


def _mastodon_high(text: str) -> int:
    """Each URL has a protocol, so holds "://" (URLs do not overlap): the replaced text is at most
    len(text) + 23 per "://"; graphemes_unicode15 are at most its code points (unknown code points
    become "x", one for one)."""
    return len(text) + 23 * text.count("://")


MASTODON = Bounds(_again(_mastodon_low), _again(_mastodon_high))


def _bluesky_low(text: str) -> int:
    """Bluesky.cost of bluesky_text.shorten_links(text) is max(graphemes, ceil(UTF-8 bytes / 10)) of the
    shown text, at least its graphemes. Each link lies in a word without JavaScript's white space in
    which bluesky_text._MAYBE_LINK matches ("://", or a letter or digit, ".", a letter or digit:
    every _LINK and _URL match holds one); elsewhere the shown text is the text (see _kept)."""
    return _kept(text, _BLUESKY_MARK, _JS_SPACE) if "." in text or "://" in text else singles(text)


def _bluesky_high(text: str) -> int:
    """graphemes and ceil(bytes / 10) are at most the code points. A link with a scheme is shown as the
    app's short_url shows it: its host as a browser writes it — at most 41 characters more than an ASCII
    host without `%` (IPv4 numbers dotted, IPv6 compressed: ≤ 41 in all), 32 per character of any other
    (percent-decoded, UTS #46-mapped, in Punycode: at most 29 for one code point, checked over all) —
    and at most 16 characters of the rest (13 and "..."); a bare domain or a URL a browser cannot read
    stays as written. Each such link holds "://" and lies in a word without JavaScript's white space."""
    if "://" not in text:
        return len(text)
    more = 0
    for m in _SCHEME.finditer(text):
        host = text[m.end():_HOST_END.search(text, m.end()).start()]
        more += 16 + (len(host) + 41 if host.isascii() and "%" not in host else 32 * len(host) + 41)
    return len(text) + more


BLUESKY = Bounds(_again(_bluesky_low), _bluesky_high)  # (len: nothing to remember)


# Every code point meta_threads._EMOJI matches alone (Extended_Pictographic, Regional_Indicator,
# Emoji_Modifier) is one of these (checked in the tests); its keycaps hold U+FE0F, which may join.
_MAYBE_EMOJI = re.compile("[\xa9\xae\u203c\u2049\u2122-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001ffff]")


def _threads_high(text: str) -> int:
    """Threads.length: graphemes (at least singles(text), at most len(text)), plus for each cluster
    holding an emoji (meta_threads._EMOJI) its UTF-8 bytes less one. Such a cluster is one code point
    of _MAYBE_EMOJI (its bytes less one are added here), or several, which lie in a run of possibly
    joining code points with a neighbour either side (their bytes and 4 per neighbour added here)."""
    if text.isascii():
        return len(text)
    emoji = sum(len(match.encode()) - 1 for match in _MAYBE_EMOJI.findall(text))
    joining = sum(len(run.encode("utf-8", "surrogatepass")) + 8 for run in _UNSAFE_RUN.findall(text)) if may_join(text) else 0
    return len(text) + emoji + joining


THREADS = Bounds(_again(singles), _again(_threads_high))


@cache
def _known() -> dict[type, Bounds]:
    from smm.platforms.bluesky import Bluesky
    from smm.platforms.mastodon import Mastodon
    from smm.platforms.meta_threads import Threads
    return {Bluesky: BLUESKY, Mastodon: MASTODON, Threads: THREADS}


def bounds_for(platform: type) -> Bounds | None:
    """The bounds of this network's count (rendered's `cost` of shown text), None if unknown: only
    for the very classes above, whose counting and link shortening they were proved for."""
    return _known().get(platform)
