"""Every command's result in the format asked for: `render(result, fmt)`.

The module that makes a kind of result registers how it is written (`render.register(Kind, writer)`,
writer(result, fmt) -> str), so a command asks for its result in a format and never picks a
writer itself."""

from __future__ import annotations

from functools import singledispatch


@singledispatch
def render(result, fmt: str) -> str:
    raise TypeError(f"smm has no formats for a {type(result).__name__}")


def fence(text: str) -> str:
    """The fence of a Markdown code block that shows `text` as written: longer than any run of backticks in it."""
    import re

    return "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
