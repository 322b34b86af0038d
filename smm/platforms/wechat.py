"""WeChat Official Accounts: articles; the body is HTML under 20,000 characters."""

from smm.platforms.base import MediaRules, Platform


class WeChat(Platform):
    name = "wechat"
    label = "WeChat 公众号"
    text_limit = 20_000
    unit = "characters"
    counting_rule = "characters of the article body"
    markup = "html"
    media = MediaRules(max_count=1, types=frozenset({"image/jpeg", "image/png"}), max_bytes=10 * 1024 * 1024,
                       alt_supported=False)
    secrets = ("token_env",)

    length = staticmethod(len)
