"""Mastodon: 500 grapheme clusters by default (the instance may allow more), URLs count 23."""

from smm import counting
from smm.platforms.base import MediaRules, Platform


class Mastodon(Platform):
    name = "mastodon"
    label = "Mastodon"
    text_limit = 500
    unit = "characters"
    counting_rule = "grapheme clusters; each URL counts 23, @user@domain counts as @user"
    threads = True
    # Upstream defaults (app/models/media_attachment.rb, concerns/attachmentable.rb); instances may differ.
    media = MediaRules(max_count=4, types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
                                                     "image/heif", "image/avif"}),
                       max_bytes=16 * 1024 * 1024, max_pixels=33_177_600, alt_limit=1500)
    secrets = ("token_env",)

    length = staticmethod(counting.mastodon_length)
