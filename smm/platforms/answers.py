"""What smm keeps of a network's answers."""

from __future__ import annotations

import re

_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def said(value: str, limit: int = 40) -> str:
    """Text as a message quotes it: on one line, without control characters, at most `limit` characters."""
    value = _SURROGATE.sub("\ufffd", _DROPPED.sub("", value)).replace("\n", " ").replace("\r", " ")
    return value if len(value) <= limit else value[:limit - 1] + "…"
