"""LinkedIn: 3000 characters of "little text", where reserved characters must be escaped."""

import re

from smm.platforms.base import TOKEN_OPTION, Display, MediaRules, Platform, VideoRules

_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")


def escape_little_text(text: str) -> str:
    """Escape every reserved character, or LinkedIn silently cuts the text at it."""
    return _RESERVED.sub(r"\\\1", text)


class LinkedIn(Platform):
    name = "linkedin"
    label = "LinkedIn"
    text_limit = 3000
    unit = "characters"
    counting_rule = "characters before escaping"
    media = MediaRules(max_count=20, types=frozenset({"image/jpeg", "image/png", "image/gif"}),
                       max_bytes=36_152_320, alt_limit=4086,
                       # Videos API: one MP4 alone, 3 s to 30 min, 75 KB to 500 MB
                       video=VideoRules(types=frozenset({"video/mp4"}), max_bytes=500 * 1024 * 1024, min_seconds=3,
                                        max_seconds=30 * 60))
    secrets = ("token_env",)
    options = {**TOKEN_OPTION}
    display = Display("#0a66c2", "#0a66c2")

    @classmethod
    def finalize(cls, text: str) -> str:
        escaped = escape_little_text(text)
        return re.sub(r"\\#(\w+)", r"{hashtag|\\#|\1}", escaped)
