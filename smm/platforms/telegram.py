"""Telegram channels: 4096 UTF-16 code units of text, 1024 for a media caption."""

import html
import re

from smm import counting
from smm.platforms.base import MediaRules, Platform

_TAG = re.compile(r"<[^>]*>")


class Telegram(Platform):
    name = "telegram"
    label = "Telegram"
    text_limit = 4096
    caption_limit = 1024
    unit = "UTF-16 code units"
    counting_rule = "UTF-16 code units (after entity parsing)"
    markup = "telegram"
    threads = True
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_supported=False)
    secrets = ("token_env",)

    @staticmethod
    def length(text: str) -> int:
        """UTF-16 code units of the message as shown: HTML tags removed, entities decoded."""
        return counting.utf16_length(html.unescape(_TAG.sub("", text)))
