"""Tokens in post text as smm finds them: URLs, hashtags, mentions and `@{name}` handles.

One pattern each, shared by rendering, counting links and hashtags, the preview and the
voice engine. What a network does its own way stays explicit where it belongs: Bluesky's
facet detection (smm/platforms/bluesky.py), X's and Mastodon's character counting
(smm/render/counting.py), Mastodon's `@user@domain` shown as `@user` (smm/platforms/mastodon.py);
and the voice engine skips a wider net (`www.` and `ftp://` links, Weibo's `#话题#`) so that
no rule fires inside one (smm/voice/text.py).
"""

from __future__ import annotations

import re

# A URL (http(s) only) runs to white space, <, >, ", ` or full-width punctuation, keeps
# brackets that it opens ("…/wiki/Foo_(bar)", "…/「a」") and an apostrophe inside ("it's"),
# and ends without trailing punctuation: "[text](https://x.example/a)." gives "https://x.example/a".
_URL_CHAR = r"[^\s<>\"`()\[\]（）「」『』【】。，！？、；：]"
_URL_PAIR = r"\([^\s<>\"`()]*\)|\[[^\s<>\"`\[\]]*\]|（[^\s（）]*）|「[^\s「」]*」|『[^\s『』]*』|【[^\s【】]*】"
URL = re.compile(rf"https?://(?:{_URL_CHAR}|{_URL_PAIR})+(?<![.,;:!?'])")
# not after a letter, another `#` or `&` (`&#39;` is an HTML character reference); the look back
# stands after the `#` (the same test), so that `re` looks for a `#` alone: fifty times as fast
NOT_BEFORE_HASHTAG = r"[\w#&]"
HASHTAG = re.compile(rf"#(?<!{NOT_BEFORE_HASHTAG}#)\w+")
# `@me`, `@中文名`, `@user@example.social`, and a `@{name}` handle not yet resolved; a final `.` or `-` is the sentence's
MENTION = re.compile(r"@(?:\{[^}\s]+\}|\w(?:[\w.-]*\w)?(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
_MENTION_ALONE = re.compile(rf"(?<![\w@/.+-]){MENTION.pattern}")
HANDLE = re.compile(r"@\{([^}\s]+)\}")  # `@{name}`: the brand's handle for `name` on each network (brand/handles.yml)


def hashtag(tag: str) -> str:
    """A front matter hashtag (`#` optional) as written in a post: `Tea` → `#Tea`."""
    return "#" + tag.lstrip("#")


def hashtags(text: str) -> list[str]:
    return HASHTAG.findall(text)


def mentions(text: str) -> list[str]:
    """The mentions of `text` (MENTION) that start a word: not the `@` of an e-mail address or of a
    URL's path (`https://x.example/@a`), nor a second `@`."""
    return _MENTION_ALONE.findall(text)


def urls(text: str) -> list[str]:
    return URL.findall(text)
