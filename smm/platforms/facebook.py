"""Facebook Pages: 63,206 characters."""

from smm.platforms.base import TOKEN_OPTION, Display, MediaRules, Platform


class Facebook(Platform):
    name = "facebook"
    label = "Facebook"
    text_limit = 63_206
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_supported=False)
    secrets = ("token_env",)
    options = {**TOKEN_OPTION}
    display = Display("#1877f2", "#0b62d6")
