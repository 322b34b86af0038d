"""WeChat Official Accounts: articles; the body is HTML of fewer than 20,000 characters and under 1 MB."""

from smm.platforms.base import TOKEN_OPTION, Display, MediaRules, Platform

MAX_BYTES = 1_000_000  # "小于1M": the smaller reading of 1 MB, so both readings pass


class WeChat(Platform):
    name = "wechat"
    label = "WeChat 公众号"
    text_limit = 19_999  # "必须少于2万字符": 20,000 characters is already too many
    unit = "characters"
    counting_rule = "characters of the article body (HTML): fewer than 20,000, and under 1 MB"
    markup = "html"
    media = MediaRules(max_count=1, types=frozenset({"image/jpeg", "image/png"}), max_bytes=10 * 1024 * 1024,
                       alt_supported=False)
    secrets = ("token_env",)
    options = {**TOKEN_OPTION}
    display = Display("#07c160", "#576b95")

    length = staticmethod(len)

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        size = len(text.encode("utf-8"))
        return [f"{size} UTF-8 bytes; WeChat takes an article under 1 MB"] if size >= MAX_BYTES else []
