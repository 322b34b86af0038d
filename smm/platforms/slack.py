"""Slack incoming webhooks: 40,000 characters of mrkdwn text; no media upload."""

from smm.platforms.base import MediaRules, Platform


class Slack(Platform):
    name = "slack"
    label = "Slack"
    text_limit = 40_000
    unit = "characters"
    counting_rule = "characters"
    markup = "slack"
    media = MediaRules(max_count=0, alt_supported=False)
    secrets = ("webhook_env",)

    @staticmethod
    def length(text: str) -> int:
        return len(text)
