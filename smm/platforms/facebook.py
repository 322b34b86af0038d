"""Facebook Pages: 63,206 characters."""

from smm.platforms.base import TOKEN_OPTION, Display, MediaRules, Platform, VideoRules


class Facebook(Platform):
    name = "facebook"
    label = "Facebook"
    text_limit = 63_206
    # Page videos: MP4 or MOV alone, up to 10 GB and 240 minutes
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_bytes=10 * 1024 ** 3, max_seconds=240 * 60))
    secrets = ("token_env",)
    options = {**TOKEN_OPTION}
    display = Display("#1877f2", "#0b62d6")
