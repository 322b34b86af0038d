"""Media files: what they are (type from the content, bytes, pixels; a video's properties through
smm.content.video) and whether a network takes them."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from smm.content import video
from smm.workspace.files import NotRegularFile, open_regular

if TYPE_CHECKING:
    from smm.platforms.base import MediaRules, VideoRules

_PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# ISO base media files Pillow may not open: the brand in their `ftyp` box names the type
_FTYP_BRANDS = {b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
                b"mif1": "image/heif", b"msf1": "image/heif", b"avif": "image/avif", b"avis": "image/avif"}
UNKNOWN = "application/octet-stream"


@dataclass(frozen=True)
class MediaInfo:
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    problem: str | None = None  # why the content is unusable (not a known type, damaged, a decompression bomb)
    video: video.VideoInfo | None = None  # a video's container, codecs, duration, size on screen

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def opens(self) -> bool:
        """Whether smm can open the picture itself (Pillow decoded it), as it must to cut a cover from it;
        a HEIC is known by its header alone."""
        return self.width is not None and not self.is_video


@lru_cache(maxsize=4096)
def inspect(path: Path) -> MediaInfo:
    """Type from the file's content, byte size and pixel size; an image is decoded in full, so a
    truncated or damaged one is found here rather than by the network."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(64)
            handle.seek(0)
            if not head:
                return MediaInfo(UNKNOWN, 0, problem="is empty (0 bytes)")
            if video.is_video_head(head) and head[8:12] not in _FTYP_BRANDS:
                return _video(path, head, size)
            return _decode(handle, head, size)
    except NotRegularFile as exc:
        return MediaInfo(UNKNOWN, 0, problem=f"is {exc.kind}, not a regular file")
    except OSError as exc:
        return MediaInfo(UNKNOWN, 0, problem=f"cannot be read: {exc.strerror or exc}")


def _video(path: Path, head: bytes, size: int) -> MediaInfo:
    try:
        found = video.probe(path, head)
    except video.NotVideo as exc:
        return MediaInfo(video.mime_of(head), size, problem=str(exc))
    return MediaInfo(found.mime, size, found.width, found.height, video=found)


def _decode(handle, head: bytes, size: int) -> MediaInfo:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow only warns between its limit and twice it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(handle) as image:
                mime = _PIL_TYPES.get(image.format, f"image/{(image.format or 'unknown').lower()}")
                image.draft(image.mode, (1, 1))  # a JPEG decodes at 1/8 scale: every byte still read
                image.load()
                return MediaInfo(mime, size, image.width, image.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return MediaInfo(UNKNOWN, size, problem=f"has more than {Image.MAX_IMAGE_PIXELS:,} pixels: too many to "
                                                f"open safely (a decompression bomb?)")
    except UnidentifiedImageError:
        if head[4:8] == b"ftyp" and head[8:12] in _FTYP_BRANDS:
            return MediaInfo(_FTYP_BRANDS[head[8:12]], size)
        return MediaInfo(UNKNOWN, size, problem=f"is not a picture or video smm recognises (JPEG, PNG, GIF, WebP, "
                                                f"HEIC, AVIF; MP4, MOV, WebM): its content is {_looks_like(head)}")
    except Exception as exc:  # a damaged file makes a decoder raise almost anything (OSError, SyntaxError, ...)
        return MediaInfo(UNKNOWN, size, problem=f"is a damaged or truncated image ({exc})")


# what a file that is no picture starts with, and what to call it
_SIGNATURES = ((b"%pdf-", "a PDF document"), (b"pk\x03\x04", "a ZIP archive (or a Word, Excel or PowerPoint file)"),
               (b"\xff\xd8", "a JPEG cut short or damaged"), (b"\x89png", "a PNG cut short or damaged"))


def _looks_like(head: bytes) -> str:
    start = head.lstrip().lower()
    if start.startswith((b"<svg", b"<?xml")):
        return "an SVG drawing or other XML"
    if start.startswith((b"<!doctype", b"<html")):
        return "an HTML page"
    named = next((what for signature, what in _SIGNATURES if head.lower().startswith(signature)), None)
    if named:
        return named
    text = head.decode("utf-8", errors="replace").rstrip("\ufffd")  # a character cut at the end is no sign
    if text and all(c.isprintable() or c in "\t\n\r" for c in text) and "\ufffd" not in text:
        return "plain text"
    return "data of a type smm does not know"


def problems(info: MediaInfo, alt: str | None, rules: MediaRules, alt_required: bool) -> list[tuple[str, str]]:
    """(rule id, message) for each way the file breaks the network's rules."""
    if info.video is not None:
        found = video_problems(info.video, info.size, rules.video)
        limit = rules.video.alt_limit if rules.video else None
        if alt and limit and len(alt) > limit:
            found.append(("media.alt-too-long", f"alt text of {len(alt)} characters is over the limit of {limit} for a video"))
        return found
    found = []
    if not rules.types:
        found.append(("media.type", "is a picture; this network takes a video only"))
    elif info.mime not in rules.types:
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


def video_problems(found: video.VideoInfo, size: int, rules: VideoRules | None) -> list[tuple[str, str]]:
    """(rule id, message) for each way a video breaks the network's video rules."""
    if rules is None:
        return [("media.type", "is a video; smm sends this network pictures only")]
    shown = f"{found.width}×{found.height}"
    checks = [
        (found.mime not in rules.types, "media.type",
         f"{found.mime} is not accepted (accepted: {', '.join(sorted(rules.types))})"),
        (size > rules.max_bytes, "media.size", f"{size:,} bytes is over the limit of {rules.max_bytes:,} for a video"),
        (found.duration < rules.min_seconds, "media.duration",
         f"lasts {found.duration:.1f} s, under the minimum of {rules.min_seconds:g} s"),
        (rules.max_seconds is not None and found.duration > rules.max_seconds, "media.duration",
         f"lasts {found.duration:.1f} s, over the limit of {rules.max_seconds or 0:g} s"),
        (rules.min_aspect is not None and found.aspect < rules.min_aspect - 0.01, "media.aspect",
         f"is {shown} (aspect {found.aspect:.2f}), narrower than {rules.min_aspect or 0:.2f}"),
        (rules.max_aspect is not None and found.aspect > rules.max_aspect + 0.01, "media.aspect",
         f"is {shown} (aspect {found.aspect:.2f}), wider than {rules.max_aspect or 0:.2f}"),
        (rules.codecs is not None and found.video_codec not in (rules.codecs or ()), "media.codec",
         f"is encoded as {found.video_codec}; accepted: {', '.join(sorted(rules.codecs or ()))}"),
        (rules.max_frame_rate is not None and (found.frame_rate or 0) > (rules.max_frame_rate or 0), "media.codec",
         f"runs at {found.frame_rate or 0:g} frames a second, over {rules.max_frame_rate or 0:g}"),
    ]
    return [(rule, message) for broken, rule, message in checks if broken]


def mix_problems(infos: list[MediaInfo], rules: MediaRules) -> list[tuple[str, str]]:
    """(rule id, message) when a post's videos are too many for the network, or mixed with pictures."""
    videos = sum(1 for info in infos if info.video is not None)
    if not videos or rules.video is None:
        return []
    found = []
    if videos > rules.video.max_count:
        found.append(("media.video-count", f"{videos} videos; at most {rules.video.max_count} in a post"))
    if videos < len(infos) and not rules.video.with_images:
        found.append(("media.video-count", "a video and pictures in one post: a video goes alone"))
    return found
