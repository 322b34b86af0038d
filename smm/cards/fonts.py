"""The Noto CJK fonts cards are drawn with, found on this machine.

Debian and Ubuntu: `apt-get install fonts-noto-cjk` (/usr/share/fonts/opentype/noto/*.ttc).
Elsewhere (macOS, Windows, other Linux): the same files from https://github.com/notofonts/noto-cjk
(`Sans/OTC/NotoSansCJK-*.ttc`, `Serif/OTC/NotoSerifCJK-*.ttc`) in a font folder, or in the folder
`$SMM_FONTS_DIR` names. The Simplified Chinese face (`... CJK SC`) of each collection is used.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

FILES = {("Noto Sans CJK", "regular"): "NotoSansCJK-Regular.ttc", ("Noto Sans CJK", "bold"): "NotoSansCJK-Bold.ttc",
         ("Noto Serif CJK", "regular"): "NotoSerifCJK-Regular.ttc", ("Noto Serif CJK", "bold"): "NotoSerifCJK-Bold.ttc"}
FOLDERS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk",
           "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "~/Library/Fonts", "/Library/Fonts")
REGION = "SC"
INSTALL_HINT = ("install the Noto CJK fonts: `apt-get install fonts-noto-cjk` on Debian or Ubuntu; elsewhere put "
                "NotoSansCJK-*.ttc and NotoSerifCJK-*.ttc from https://github.com/notofonts/noto-cjk in a font "
                "folder or in $SMM_FONTS_DIR (README: Social cards)")


class FontMissing(Exception):
    """The font file a card needs is not on this machine (or is no font FreeType can read)."""


def font_file(family: str, weight: str) -> tuple[Path, int]:
    """(file, face index) of the family's Simplified Chinese face in that weight."""
    name = FILES[(family, weight)]
    folders = ([os.environ["SMM_FONTS_DIR"]] if os.environ.get("SMM_FONTS_DIR") else []) + list(FOLDERS)
    for folder in folders:
        path = Path(folder).expanduser() / name
        if path.is_file():
            return path, _face(str(path), f"{family} {REGION}")
    raise FontMissing(f"font `{family}` ({weight}) is not installed: no {name} in {', '.join(folders)}")


@cache
def _face(path: str, wanted: str) -> int:
    """The index of the face named `wanted` in a font collection (0 when there is none)."""
    from PIL import ImageFont

    for index in range(16):
        try:
            if ImageFont.truetype(path, 12, index=index).getname()[0] == wanted:
                return index
        except OSError:  # past the last face
            break
    return 0


@cache
def font(family: str, weight: str, size: int):
    """The font at a pixel size (raises FontMissing)."""
    from PIL import ImageFont

    path, index = font_file(family, weight)
    try:
        return ImageFont.truetype(str(path), size, index=index)
    except OSError as exc:  # a damaged download, an HTML page saved under the font's name
        raise FontMissing(f"`{path}` is not a font FreeType can read ({exc})") from exc


def undrawable(text: str, family: str, weight: str) -> list[str]:
    """The characters of `text` the font has no glyph for, each once, in order: those drawn as the
    font's empty box, as a code point no font has (U+10FFFF) is (raises FontMissing)."""
    face = font(family, weight, 16)
    missing = _drawn(face, "\U0010ffff")
    return [char for char in dict.fromkeys(text) if not char.isspace() and _drawn(face, char) == missing]


def _drawn(face, char: str) -> tuple:
    mask = face.getmask(char)  # as the card draws it: a letter with an accent the font lacks is composed
    return mask.size, bytes(mask)
