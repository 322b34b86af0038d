"""Discord webhooks: 2000 characters of content, 10 attachments."""

from smm.platforms.base import MediaRules, Platform


class Discord(Platform):
    name = "discord"
    label = "Discord"
    text_limit = 2000
    unit = "characters"
    counting_rule = "characters"
    markup = "discord"
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_limit=1024)  # 10 MiB per file by default
    secrets = ("webhook_env",)

    @staticmethod
    def length(text: str) -> int:
        return len(text)
