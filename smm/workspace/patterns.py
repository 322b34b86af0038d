"""Regular expressions compiled on first use, for modules every command imports: a character class
of Chinese or Korean compiles in about a millisecond, which a warm `smm check` (that parses no post)
would pay for nothing."""

from __future__ import annotations

import re


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when one of its attributes is first asked for; each
    attribute (a bound method such as `search`) is then kept on this object, so later uses cost
    what they cost on the compiled pattern."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern, self._flags = pattern, flags

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # copy, pickle and the like look for special methods: none here
            raise AttributeError(name)
        value = getattr(re.compile(self._pattern, self._flags), name)
        setattr(self, name, value)
        return value
