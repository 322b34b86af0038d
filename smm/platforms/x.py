"""X (Twitter): 280 weighted characters per twitter-text v3."""

from smm.platforms.base import (
    HANDLE_OPTION,
    TOKEN_OPTION,
    Display,
    MediaRules,
    Platform,
)
from smm.render import counting


class X(Platform):
    name = "x"
    label = "X"
    text_limit = 280
    unit = "weighted characters"
    counting_rule = "twitter-text v3 weighted length (CJK and emoji count 2, URLs 23)"
    threads = True
    media = MediaRules(max_count=4, max_bytes=5 * 1024 * 1024, alt_limit=1000)
    secrets = ("token_env",)
    options = {**HANDLE_OPTION, **TOKEN_OPTION}
    display = Display("#000", "#0b62d6", link_chars=30)

    length = staticmethod(counting.x_length)

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        """twitter-text refuses an empty post, or one holding U+FFFE, U+FEFF or U+FFFF.

        White space only is no empty post for twitter-text 3.1.0 (parseTweet("   ") is
        valid, weighted 3; its conformance suite refuses only ""), so it is counted here.
        A rendered post is stripped: white space alone arrives here empty."""
        if not text:
            return ["X refuses an empty post"]
        bad = sorted({f"U+{ord(ch):04X}" for ch in text if ch in "\ufffe\ufeff\uffff"})
        return [f"X refuses text containing {', '.join(bad)}"] if bad else []
