"""Media files: what they are (type, bytes, pixels) and whether a network takes them."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from smm.platforms.base import MediaRules

_PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class MediaInfo:
    mime: str
    size: int
    width: int | None = None
    height: int | None = None


@lru_cache(maxsize=4096)
def inspect(path: Path) -> MediaInfo:
    """Type from the file's content (images) or name (others), byte size and pixel size."""
    from PIL import Image, UnidentifiedImageError

    size = path.stat().st_size
    try:
        with Image.open(path) as image:
            return MediaInfo(_PIL_TYPES.get(image.format, f"image/{(image.format or 'unknown').lower()}"),
                             size, image.width, image.height)
    except (UnidentifiedImageError, OSError):
        return MediaInfo(mimetypes.guess_type(path.name)[0] or "application/octet-stream", size)


def problems(info: MediaInfo, alt: str | None, rules: MediaRules, alt_required: bool) -> list[tuple[str, str]]:
    """(rule id, message) for each way the file breaks the network's rules."""
    found = []
    if info.mime not in rules.types:
        found.append(("media.type", f"{info.mime} is not accepted (accepted: {', '.join(sorted(rules.types))})"))
    if info.size > rules.max_bytes:
        found.append(("media.size", f"{info.size:,} bytes is over the limit of {rules.max_bytes:,}"))
    if rules.max_pixels and info.width and info.width * info.height > rules.max_pixels:
        found.append(("media.dimensions", f"{info.width}×{info.height} pixels is over {rules.max_pixels:,}"))
    if rules.alt_supported:
        if alt_required and not (alt or "").strip():
            found.append(("media.alt-missing", "has no alt text"))
        elif alt and rules.alt_limit and len(alt) > rules.alt_limit:
            found.append(("media.alt-too-long", f"alt text of {len(alt)} characters is over the limit of {rules.alt_limit}"))
    return found
