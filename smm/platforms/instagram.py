"""Instagram: captions of 2200 characters and at most 5 hashtags; JPEG only.

Instagram cut the hashtags a post or reel may carry from 30 to 5 (announced by
@creators on 2025-12-19, rolled out gradually); an account may set its own
`hashtag_limit` in platforms.yml.
"""

from smm.platforms.base import (
    HANDLE_OPTION,
    TOKEN_OPTION,
    Display,
    MediaRules,
    Platform,
)


class Instagram(Platform):
    name = "instagram"
    label = "Instagram"
    text_limit = 2200
    max_hashtags = 5
    media = MediaRules(min_count=1, max_count=10, types=frozenset({"image/jpeg"}), max_bytes=8 * 1024 * 1024, alt_limit=1000)
    secrets = ("token_env",)
    options = {**HANDLE_OPTION, **TOKEN_OPTION}
    display = Display("#e1306c", "#00376b")
