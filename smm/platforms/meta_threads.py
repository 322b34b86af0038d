"""Threads (Meta): 500 characters where an emoji counts its UTF-8 bytes; at most 5 links."""

import regex

from smm.platforms.base import (
    HANDLE_OPTION,
    TOKEN_OPTION,
    Display,
    MediaRules,
    Platform,
)
from smm.render import counting

_GRAPHEME = regex.compile(r"\X")
# A cluster is an emoji when it holds a pictograph, a flag letter or a skin tone, or
# is a keycap: "1️⃣" is one, "1" and "1️" are not.
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|[#*0-9]\ufe0f\u20e3")


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
    options = {**HANDLE_OPTION, **TOKEN_OPTION}
    display = Display("#000", "#0b62d6", link_chars=30)

    @staticmethod
    def length(text: str) -> int:
        count = counting.graphemes(text)
        if text.isascii() or not _EMOJI.search(text):
            return count
        return count + sum(len(g.encode("utf-8")) - 1 for g in _GRAPHEME.findall(text) if _EMOJI.search(g))
