"""Video files as FFmpeg's libraries read them (PyAV), never by their name.

`probe` opens a file, reads its container, codecs, duration, size on screen (a phone's
rotation applied), frame rate, and decodes the first frame, so a file that only looks like
a video is found here rather than by the network. `frame_at` takes a cover frame.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

log = logging.getLogger(__name__)

# what the ISO base media `ftyp` brand or the Matroska DocType says the container is
QUICKTIME_BRAND = b"qt  "
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv"}


@dataclass(frozen=True)
class VideoInfo:
    mime: str
    container: str  # FFmpeg's name of the container format
    video_codec: str  # h264, hevc, vp9, av1...
    audio_codec: str | None  # aac, opus...; None: silent
    duration: float  # seconds
    width: int  # as shown: a video recorded upright on a phone is taller than wide
    height: int
    frame_rate: float | None

    @property
    def aspect(self) -> float:
        return self.width / self.height


class NotVideo(Exception):
    """The file cannot be read as a video: the message says why."""


def is_video_head(head: bytes) -> bool:
    """Whether the first bytes are those of an MP4, MOV or Matroska/WebM file."""
    return head[4:8] == b"ftyp" or head[:4] == b"\x1aE\xdf\xa3"


def mime_of(head: bytes) -> str:
    if head[:4] == b"\x1aE\xdf\xa3":
        return "video/webm" if b"webm" in head else "video/x-matroska"
    return "video/quicktime" if head[8:12] == QUICKTIME_BRAND else "video/mp4"


def probe(path: Path, head: bytes) -> VideoInfo:
    """The video's properties; raise NotVideo when FFmpeg cannot open or decode it."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                raise NotVideo("holds no video stream (audio only?)")
            stream = container.streams.video[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                raise NotVideo("has no frame that can be decoded")
            audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
            duration = _duration(container, stream)
            width, height = stream.codec_context.width, stream.codec_context.height
            if abs(getattr(frame, "rotation", 0) or 0) % 180 == 90:
                width, height = height, width
            rate = float(stream.average_rate) if stream.average_rate else None
            return VideoInfo(mime_of(head), container.format.name, stream.codec_context.name, audio, duration,
                             width, height, rate)
    except NotVideo:
        raise
    except (av.FFmpegError, StopIteration, ValueError, ZeroDivisionError) as exc:
        raise NotVideo(f"is a damaged or truncated video ({getattr(exc, 'strerror', None) or exc})") from None


def _duration(container, stream) -> float:
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    if stream.duration and stream.time_base:
        return float(stream.duration * Fraction(stream.time_base))
    return _measured(container, stream)


def _measured(container, stream) -> float:
    """The duration no header gives (a WebM recorded live, as browsers record one): where the last packet ends."""
    end = None
    for packet in container.demux(stream):
        if packet.pts is not None:
            end = max(end or 0, packet.pts + (packet.duration or 0))
    if end is None or not stream.time_base:
        return 0.0
    return max(0.0, float((end - (stream.start_time or 0)) * Fraction(stream.time_base)))


def frame_at(path: Path, seconds: float):
    """The frame shown at `seconds` (the last one before it), as a Pillow image, turned as the video is shown."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if seconds > 0 and stream.time_base:
            container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
        chosen = None
        for frame in container.decode(stream):
            if chosen is not None and frame.time is not None and frame.time > seconds:
                break
            chosen = frame
        if chosen is None:
            raise NotVideo(f"has no frame at {seconds:g} s")
        turned = getattr(chosen, "rotation", 0) or 0  # counter-clockwise, as a phone's display matrix says
        return chosen.to_image().rotate(turned, expand=True) if turned % 360 else chosen.to_image()


def parse_time(value: object) -> float | None:
    """Seconds from `00:00:03`, `1:02.5`, `3` or `3.5`; None when it is no time (an image's path)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    pieces = value.strip().split(":")
    if not 1 <= len(pieces) <= 3:
        return None
    try:
        numbers = [float(p) if i == len(pieces) - 1 else int(p) for i, p in enumerate(pieces)]
    except ValueError:
        return None
    if any(not math.isfinite(n) or n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def cover_source(root: Path, cover: object) -> float | Path | None:
    """A media item's `cover` as a publisher uses it: seconds into the video, or the picture's path."""
    if cover is None:
        return None
    at = parse_time(cover)
    return at if at is not None else Path(root) / str(cover)


def cover_image(path: Path, cover: float | Path | None):
    """The cover of the video at `path`: the frame at `cover` seconds, the picture `cover`, or the first frame."""
    if isinstance(cover, Path):
        return picture(cover)
    return frame_at(path, cover or 0.0).convert("RGB")


def picture(path: Path):
    """A picture as it is shown (turned as its EXIF orientation says: a phone's photo), in RGB: what is
    transparent on white, as the networks' pages show it (a JPEG has no transparency; it came out black)."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return image.convert("RGB")
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat


def jpeg(image, max_side: int | None = None, max_bytes: int | None = None) -> bytes:
    """The picture as a JPEG, scaled down to fit `max_side` pixels, and under `max_bytes` (lower quality first)."""
    import io

    image = image.convert("RGB")
    if max_side and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side))
    for quality in (90, 80, 70, 60, 50, 40):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if max_bytes is None or buffer.tell() <= max_bytes:
            break
    return buffer.getvalue()
