"""Split text that is over a network's limit into thread parts.

Text is cut at paragraph breaks first, then at sentence ends (including CJK 。！？),
then between words, and only as a last resort between grapheme clusters; never inside
a URL, hashtag or mention. Optional "1/3" numbering is counted in each part's length. Text in
HTML (Telegram's) is never cut inside a tag, an entity or a link, and each part is well-formed: the
tags open at a cut are closed there and opened again at the next part's start.
"""

from __future__ import annotations

import re
from typing import Callable

import regex

from smm.content.comments import SPLIT_MARKER
from smm.render import counting
from smm.render.bounds import Bounds

_ATOM = regex.compile(r"https?://\S+|(?<![\w@])[#@][\w.@-]+|\X", regex.UNICODE)
_LONG_ATOM = regex.compile(r"https?://\S+|(?<![\w@])[#@][\w.@-]+", regex.UNICODE)  # _ATOM's but \X
_HTML = r"(?s:<a\s[^>]*>.*?</a>)|<[^<>]*>|&#?\w+;|"  # in HTML, a link, a tag and an entity are atoms too
_HTML_ATOM = regex.compile(_HTML + _ATOM.pattern, regex.UNICODE)
_HTML_LONG_ATOM = regex.compile(_HTML + _LONG_ATOM.pattern, regex.UNICODE)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_PARAGRAPH_END = re.compile(r"\n(?<=\n\n)")  # ends where a paragraph does: after each "\n\n" (overlapping)
# Boundaries are where a match ends: after white space that follows a sentence's end or after 。！？;
# between words (after white space or CJK, before anything but white space; before CJK). Each match
# holds the character before the boundary rather than looking back at it: several times as fast.
_SENTENCE_END = regex.compile(r"[.!?…]\s+|[。！？]")
_WORD_BREAK = regex.compile(r"[\s\p{Han}\p{Hiragana}\p{Katakana}](?=\S)|\S(?=[\p{Han}\p{Hiragana}\p{Katakana}])")

Length = Callable[[str], int]
Fits = Callable[[str, int], bool]


def fitting(length: Length, bounds: Bounds | None = None) -> Fits:
    """Whether a text's `length` is at most a room; `bounds` (smm.render.bounds) spare the count when
    they settle it."""
    if bounds is None:
        return lambda text, room: length(text) <= room

    def fits(text: str, room: int) -> bool:
        if bounds.high(text) <= room:
            return True
        return bounds.low(text) <= room and length(text) <= room
    return fits


def split(text: str, limit: int, length: Length, numbered: bool = False, bounds: Bounds | None = None,
          html: bool = False) -> list[str]:
    """Parts that each fit `limit` under `length`; the text alone if it already fits. `bounds` of
    `length`, if given, spare counting where they settle whether a part fits. `html`: the text is
    HTML, and `length` counts no tag (Telegram's), so the tags each part closes or opens again are free.

    Raises ValueError when one unsplittable piece (say a URL) cannot fit.
    """
    fits = fitting(length, bounds)
    text = text.strip()
    if fits(text, limit) and SPLIT_MARKER not in text:
        return [text]
    manual = [piece.strip() for piece in text.split(SPLIT_MARKER) if piece.strip()]
    total_guess = 1
    while True:
        reserve = len(f" {total_guess}/{total_guess}") if numbered else 0
        parts = [p for piece in manual for p in _pack(_paragraphs(piece), limit, fits, reserve, html=html)]
        if html:
            parts = balanced(parts)
        if not numbered or len(parts) <= total_guess:
            break
        total_guess = len(parts)
    if numbered and len(parts) > 1:
        parts = [f"{p} {i}/{len(parts)}" for i, p in enumerate(parts, 1)]
        if not all(fits(p, limit) for p in parts):  # numbering widened: one more round
            return split(text, limit - 1, length, numbered, bounds, html)
    return parts


def balanced(parts: list[str]) -> list[str]:
    """HTML parts each well-formed: the tags a part leaves open are closed at its end and opened again,
    as written, at the next part's start."""
    result, carried = [], ""
    for part in parts:
        text, open_tags = carried + part, []  # (name, the tag as written)
        for tag in _TAG.finditer(text):
            name = tag.group(2).lower()
            if not tag.group(1):
                open_tags.append((name, tag.group()))
            elif name in (n for n, _ in open_tags):
                del open_tags[max(i for i, (n, _) in enumerate(open_tags) if n == name)]
        result.append(text + "".join(f"</{name}>" for name, _ in reversed(open_tags)))
        carried = "".join(written for _, written in open_tags)
    return result


def _paragraphs(text: str) -> list[str]:
    """The text cut after each "\\n\\n" (so "\\n\\n\\n" gives "\\n\\n" and "\\n"), no piece empty."""
    cuts = [0, *(m.end() for m in _PARAGRAPH_END.finditer(text)), len(text)]
    return [text[start:end] for start, end in zip(cuts, cuts[1:]) if start < end]


def _pack(pieces: list[str], limit: int, fits: Fits, reserve: int, level: int = 0, html: bool = False) -> list[str]:
    """Greedy: join pieces while they fit; a piece too big alone is cut at the next finer level."""
    room = limit - reserve
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + piece
        if fits(candidate.strip(), room):
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip())
        current = ""
        if fits(piece.strip(), room):
            current = piece
            continue
        finer = _finer(piece, level, html)
        if finer is None:
            raise ValueError(f"cannot split {piece.strip()[:40]!r} to fit {limit}")
        sub = _pack(finer, limit, fits, reserve, level + 1, html)
        parts += sub[:-1]
        current = sub[-1] if sub else ""
    if current.strip():
        parts.append(current.strip())
    return parts


def _finer(piece: str, level: int, html: bool = False) -> list[str] | None:
    if level == 0:
        pieces = _cut(piece, _SENTENCE_END, html)
    elif level == 1:
        pieces = _cut(piece, _WORD_BREAK, html)
    elif level == 2:
        pieces = [m.group() for m in (_HTML_ATOM if html else _ATOM).finditer(piece)]
    else:
        return None
    return pieces if len(pieces) > 1 else _finer(piece, level + 1, html) if level < 2 else None


def _cut(text: str, boundary: regex.Pattern, html: bool = False) -> list[str]:
    """Cut at boundaries that fall outside URLs, hashtags and mentions (and, in HTML, links, tags and entities)."""
    protected = [(m.start(), m.end()) for m in _atoms(text, html) if m.end() - m.start() > 1]  # in order, apart
    pieces, start, next_atom = [], 0, 0
    for m in boundary.finditer(text):
        cut = m.end()  # (never less than the last)
        while next_atom < len(protected) and protected[next_atom][1] <= cut:
            next_atom += 1
        inside = next_atom < len(protected) and protected[next_atom][0] < cut
        if 0 < cut < len(text) and not inside:
            pieces.append(text[start:cut])
            start = cut
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _atoms(text: str, html: bool = False):
    """_ATOM's matches of more than one code point, and maybe others: where no code point joins another
    into a grapheme cluster, \\X matches one code point, so only URLs, hashtags and mentions are longer."""
    if html:
        return _HTML_LONG_ATOM.finditer(text) if not counting.may_join(text) else _HTML_ATOM.finditer(text)
    return _LONG_ATOM.finditer(text) if not counting.may_join(text) else _ATOM.finditer(text)
