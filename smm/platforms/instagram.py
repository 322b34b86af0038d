"""Instagram: captions of 2200 characters and at most 30 hashtags; one to ten JPEGs (no text-only posts)."""

from smm.platforms.base import MediaRules, Platform


class Instagram(Platform):
    name = "instagram"
    label = "Instagram"
    text_limit = 2200
    max_hashtags = 30
    media = MediaRules(min_count=1, max_count=10, types=frozenset({"image/jpeg"}), max_bytes=8 * 1024 * 1024, alt_limit=1000)
    secrets = ("token_env",)
