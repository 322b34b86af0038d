"""Line breaking for card text in Chinese, Japanese and Latin scripts, mixed.

A line may break between two CJK characters, at a space, or where CJK meets Latin text; never
inside a Latin word (`GitHub`, `well-known`, `3.5%`); and by the rules of 禁则 (kinsoku): no
closing punctuation (，。、）」』！？：；…) at the start of a line, no opening punctuation
（（「『《“) at its end. A word wider than the line alone stays whole: the caller sees the line
is too wide (the text does not fit at that size).
"""

from __future__ import annotations

import re
from typing import Callable

CLOSING = set("，。、．,.!?！？：；:;）)」』》〉】〕］]｝}”’\"'…‥・·ー—～〜%％‰ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻")
OPENING = set("（(「『《〈【〔［[｛{“‘")
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
                  r"\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")


def tokens(text: str) -> list[tuple[str, bool]]:
    """(unbreakable piece, whether a space comes before it): each CJK character alone, each run
    of other non-space characters whole, punctuation glued to its neighbour by 禁则."""
    raw: list[tuple[str, bool]] = []
    space = False
    for match in re.finditer(r"\s+|" + _CJK.pattern + r"|[^\s" + _CJK.pattern[1:-1] + r"]+", text):
        piece = match.group()
        if piece.isspace():
            space = bool(raw)
            continue
        raw.append((piece, space))
        space = False
    glued: list[tuple[str, bool]] = []
    for piece, spaced in raw:
        previous = glued[-1][0] if glued else ""
        if glued and not spaced and (piece[0] in CLOSING or previous[-1] in OPENING):
            glued[-1] = (previous + piece, glued[-1][1])
        else:
            glued.append((piece, spaced))
    return glued


def wrap(text: str, width: float, measure: Callable[[str], float], most: int | None = None) -> list[str]:
    """The lines of `text` (its own line breaks kept) filling `width` as `measure` measures them;
    with `most`, no more than `most + 1` lines: enough to tell the text needs more than `most`."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece, spaced in tokens(paragraph):
            candidate = f"{line}{' ' if spaced and line else ''}{piece}"
            if line and measure(candidate) > width:
                lines.append(line)
                if most is not None and len(lines) > most:
                    return lines
                line = piece
            else:
                line = candidate
        lines.append(line)
        if most is not None and len(lines) > most:
            return lines
    return lines
