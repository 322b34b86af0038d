"""Threads (Meta): 500 characters where an emoji counts its UTF-8 bytes; at most 5 links."""

import regex

from smm.platforms.base import MediaRules, Platform

_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


class Threads(Platform):
    name = "threads"
    label = "Threads"
    text_limit = 500
    threads = True
    max_links = 5
    media = MediaRules(max_count=20, types=frozenset({"image/jpeg", "image/png"}), max_bytes=8 * 1024 * 1024,
                       alt_limit=1000)
    unit = "characters"
    counting_rule = "grapheme clusters, but an emoji counts as its UTF-8 bytes (Threads API docs)"
    secrets = ("token_env",)

    @staticmethod
    def length(text: str) -> int:
        return sum(len(g.encode("utf-8")) if _EMOJI.search(g) else 1 for g in _GRAPHEME.findall(text))
