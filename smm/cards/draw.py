"""A card template and its texts → PNG bytes: text auto-fitted into its boxes, the same bytes for
the same input (no metadata, fixed compression), so a published card's digest is stable."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from smm.cards import fonts
from smm.cards.linebreak import wrap

DEFAULT_SIZE = {"min": 24, "max": 96}
PNG_COMPRESSION = 6


@dataclass(frozen=True)
class Layout:
    """Text set in a box: its lines at a font size, or no lines when even the smallest size overflows."""

    lines: tuple[str, ...]
    size: int
    line_height: float

    @property
    def fits(self) -> bool:
        return bool(self.lines)


def pixels(box: list, card: tuple[int, int]) -> tuple[int, int, int, int]:
    """A `[left, top, width, height]` box of fractions → pixels."""
    width, height = card
    return round(box[0] * width), round(box[1] * height), round(box[2] * width), round(box[3] * height)


def fit(text: str, spec: dict, card: tuple[int, int]) -> Layout:
    """The largest font size in the box's range at which `text` fits (raises fonts.FontMissing)."""
    _, _, width, height = pixels(spec["box"], card)
    sizes = spec.get("size", DEFAULT_SIZE)
    family, weight = spec.get("font", "Noto Sans CJK"), spec.get("weight", "regular")
    line_height = spec.get("line_height", 1.3)

    def lines_at(size: int) -> list[str] | None:
        face = fonts.font(family, weight, size)
        # a text far too long is not broken into lines to its end: one more line than the box could hold
        # (and one spare against rounding) is too tall for it
        room = max(0, math.floor((height - size * 1.2) / (size * line_height)) + 2)
        lines = wrap(text, width, face.getlength, room)
        tall = size * line_height * (len(lines) - 1) + size * 1.2  # the last line: its glyphs, not its leading
        return lines if tall <= height and all(face.getlength(line) <= width for line in lines) else None

    low, high, best = sizes["min"], sizes["max"], None
    while low <= high:  # fitting is monotone in the size: search for the largest that fits
        middle = (low + high) // 2
        found = lines_at(middle)
        if found is None:
            high = middle - 1
        else:
            best, low = (found, middle), middle + 1
    return Layout(tuple(best[0]), best[1], line_height) if best else Layout((), sizes["min"], line_height)


def render(root: Path, template: dict, texts: dict[str, str], size: tuple[int, int]) -> bytes:
    """The card as PNG bytes; every text must fit (see `fit`)."""
    from PIL import Image, ImageDraw

    background = template.get("background", {})
    image = Image.new("RGB", size, background.get("color", "#ffffff"))
    if background.get("image"):
        image.paste(_cover(root / background["image"], size))
    logo = template.get("logo")
    if logo:
        _paste_logo(image, root / logo["file"], pixels(logo["box"], size))
    canvas = ImageDraw.Draw(image)
    for box, text in texts.items():
        spec = template[box]
        _draw_text(canvas, fit(text, spec, size), spec, pixels(spec["box"], size))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=PNG_COMPRESSION)
    return out.getvalue()


def _cover(path: Path, size: tuple[int, int]):
    from PIL import Image, ImageOps

    with Image.open(path) as picture:
        return ImageOps.fit(picture.convert("RGB"), size, Image.Resampling.LANCZOS)


def _paste_logo(image, path: Path, box: tuple[int, int, int, int]) -> None:
    from PIL import Image, ImageOps

    left, top, width, height = box
    with Image.open(path) as picture:
        logo = ImageOps.contain(picture.convert("RGBA"), (max(1, width), max(1, height)), Image.Resampling.LANCZOS)
    image.paste(logo, (left + (width - logo.width) // 2, top + (height - logo.height) // 2), logo)


def _draw_text(canvas, layout: Layout, spec: dict, box: tuple[int, int, int, int]) -> None:
    left, top, width, height = box
    face = fonts.font(spec.get("font", "Noto Sans CJK"), spec.get("weight", "regular"), layout.size)
    step = layout.size * layout.line_height
    tall = step * (len(layout.lines) - 1) + layout.size * 1.2
    valign = spec.get("valign", "top")
    y = top + {"top": 0, "middle": (height - tall) / 2, "bottom": height - tall}[valign]
    align = spec.get("align", "left")
    for line in layout.lines:
        room = width - face.getlength(line)
        x = left + {"left": 0, "center": room / 2, "right": room}[align]
        canvas.text((round(x), round(y)), line, font=face, fill=spec.get("color", "#000000"))
        y += step
