"""Bluesky: 300 grapheme clusters and 3000 UTF-8 bytes; rich text as facets over UTF-8 byte ranges.

Like the Bluesky app, long links are shown shortened (`example.com/some-long-p...`) and
the facet carries the full URL, so a UTM-tagged link costs what its short form costs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import regex

from smm import counting
from smm.links import URL
from smm.platforms.base import MediaRules, Platform

MAX_BYTES = 3000
_TAG = regex.compile(
    r"(?:^|(?<=\s))[#＃]((?!\ufe0f)[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*"
    r"[^\d\s\p{P}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*)"
)
_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)\b")


def short_url(url: str) -> str:
    """How the Bluesky app shows a link: no scheme, path cut to 13 characters and `...`."""
    parts = urlsplit(url)
    path = ("" if parts.path == "/" else parts.path) + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
    return parts.netloc + (path[:13] + "..." if len(path) > 15 else path)


def _byte_range(text: str, start: int, end: int) -> dict:
    before = len(text[:start].encode("utf-8"))
    return {"byteStart": before, "byteEnd": before + len(text[start:end].encode("utf-8"))}


class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    text_limit = 300
    unit = "grapheme clusters"
    counting_rule = f"grapheme clusters (and at most {MAX_BYTES} UTF-8 bytes); links shown shortened"
    threads = True
    # Lexicon app.bsky.embed.images: 2,000,000 bytes since 2026-04; alt has no lexicon limit,
    # 2000 is the official app's cap (MAX_ALT_TEXT).
    media = MediaRules(max_count=4, types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
                       max_bytes=2_000_000, alt_limit=2000)
    secrets = ("password_env",)

    length = staticmethod(counting.graphemes)

    @classmethod
    def cost(cls, text: str) -> int:
        graphemes, size = counting.bluesky_length(text)
        return max(graphemes, -(-size * cls.text_limit // MAX_BYTES))

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        size = len(text.encode("utf-8"))
        return [f"{size} UTF-8 bytes is over Bluesky's {MAX_BYTES}"] if size > MAX_BYTES else []

    @classmethod
    def shorten_links(cls, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        links = []

        def shorten(match) -> str:
            links.append((short_url(match.group()), match.group()))
            return links[-1][0]

        return URL.sub(shorten, text), tuple(links)

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[str, str], ...] = ()) -> list[dict]:
        """Link, mention and hashtag facets with UTF-8 byte offsets, in text order.

        Mentions carry the handle; the adapter resolves it to a DID when publishing.
        """
        found = []
        position = 0
        for display, uri in links:
            start = text.find(display, position)
            if start < 0:
                continue
            position = start + len(display)
            found.append((start, {"index": _byte_range(text, start, position),
                                  "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]}))
        for m in URL.finditer(text):  # links written in full
            if not any(f["features"][0].get("uri") and _byte_range(text, m.start(), m.end())["byteStart"] ==
                       f["index"]["byteStart"] for _, f in found):
                found.append((m.start(), {"index": _byte_range(text, m.start(), m.end()),
                                          "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group()}]}))
        for m in _MENTION.finditer(text):
            found.append((m.start(), {"index": _byte_range(text, m.start(), m.end()),
                                      "features": [{"$type": "app.bsky.richtext.facet#mention", "handle": m.group(1)}]}))
        for m in _TAG.finditer(text):
            tag = regex.sub(r"\p{P}+$", "", m.group(1))
            if tag and len(tag) <= 64:
                end = m.start(1) + len(tag)
                found.append((m.start(), {"index": _byte_range(text, m.start(), end),
                                          "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}))
        return [facet for _, facet in sorted(found, key=lambda pair: pair[0])]
