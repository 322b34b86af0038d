"""What a post's Markdown source says to the repository and not to a network: HTML comments
(stripped before anything is published) and the thread split marker; and code, inside which
neither counts. Plain regular expressions: reading a post needs no Markdown converter."""

from __future__ import annotations

import re

SPLIT_MARKER = "<!-- split -->"
# Code: what looks like markup inside is code (the voice rules skip it too)
CODE_SPAN = r"``[\s\S]+?``|`[^`\n]+`"
CODE_FENCE = r"^[ \t]{0,3}```[\s\S]*?(?:^[ \t]{0,3}```[ \t]*$|\Z)|^[ \t]{0,3}~~~[\s\S]*?(?:^[ \t]{0,3}~~~[ \t]*$|\Z)"

_NOT_CLOSING = r"(?:(?!-->)[\s\S])*"
_COMMENTS = re.compile(rf"(?P<code>{CODE_FENCE}|{CODE_SPAN})"
                       rf"|^[ \t]*(?P<line><!--{_NOT_CLOSING}-->)[ \t]*(?:\n|\Z)"  # alone on its lines: lines go
                       rf"|^(?P<lead><!--{_NOT_CLOSING}-->)[ \t]*"  # before text: the spaces after it go
                       rf"|[ \t]*(?P<inline><!--{_NOT_CLOSING}-->)"  # after text: the spaces before it go
                       r"|(?P<open><!--)", re.MULTILINE)


def strip_comments(body: str) -> tuple[str, int | None]:
    """The body without HTML comments (`<!-- split -->` stays: it splits threads), and the
    offset of a `<!--` that is never closed, if any. Comments in code are code: kept."""
    unclosed = []

    def replace(match: re.Match) -> str:
        comment = match["line"] or match["lead"] or match["inline"]
        if match["open"]:
            unclosed.append(match.start())
        if comment is None or comment == SPLIT_MARKER:
            return match.group()
        return ""

    if "<!--" not in body:
        return body, None
    return _COMMENTS.sub(replace, body), (unclosed or [None])[0]
