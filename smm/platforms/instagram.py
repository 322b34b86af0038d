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
    VideoRules,
)


class Instagram(Platform):
    name = "instagram"
    label = "Instagram"
    text_limit = 2200
    max_hashtags = 5
    # Graph API reels: MOV or MP4, H.264 or HEVC, 3 s to 15 min, ≤ 300 MB, ≤ 60 fps; in a carousel too
    media = MediaRules(min_count=1, max_count=10, types=frozenset({"image/jpeg"}), max_bytes=8 * 1024 * 1024, alt_limit=1000,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_count=10, with_images=True,
                                        max_bytes=300 * 1024 * 1024, min_seconds=3, max_seconds=15 * 60,
                                        codecs=frozenset({"h264", "hevc"}), max_frame_rate=60))
    secrets = ("token_env",)
    options = {**HANDLE_OPTION, **TOKEN_OPTION}
    display = Display("#e1306c", "#00376b")
