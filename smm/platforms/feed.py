"""The feed: an Atom feed and a JSON Feed in the repository; no limits, no account."""

from smm.platforms.base import MediaRules, Platform


class Feed(Platform):
    name = "feed"
    label = "Feed (Atom + JSON Feed)"
    text_limit = None
    markup = "html"
    counting_rule = "no limit"
    media = MediaRules(max_count=100, max_bytes=100 * 1024 * 1024)
