"""Weibo: limits are stated in 汉字; half-width characters count one half (rounded up)."""

from smm.platforms.base import TOKEN_OPTION, Display, MediaRules, Platform
from smm.render import counting


class Weibo(Platform):
    name = "weibo"
    label = "Weibo 微博"
    text_limit = 140  # what feeds show; the API takes up to 2000 since 2016: raise it with char_limit
    unit = "汉字"
    counting_rule = "汉字: full-width counts 1, half-width ½, rounded up (community-measured; set char_limit)"
    media = MediaRules(max_count=1, types=frozenset({"image/jpeg", "image/png", "image/gif"}),
                       max_bytes=5 * 1024 * 1024, alt_supported=False)
    secrets = ("token_env",)
    options = {**TOKEN_OPTION}
    display = Display("#e6162d", "#3a6ea5")

    length = staticmethod(counting.weibo_length)
