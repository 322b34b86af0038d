"""Video fixtures made by PyAV inside the tests (no video files in git)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

FORMATS = {".mp4": "mp4", ".mov": "mov", ".webm": "webm", ".mkv": "matroska"}


def make_video(path: Path, width: int = 720, height: int = 1280, seconds: float = 1.0, fps: int = 10,
               codec: str = "libx264", audio: bool = False) -> Path:
    """A small real video: `seconds` of frames that change colour each frame (so frames differ)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if codec == "libx264" and path.suffix == ".webm":
        codec = "libvpx-vp9"
    with av.open(str(path), "w", format=FORMATS[path.suffix]) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("libopus" if path.suffix == ".webm" else "aac", rate=48000) if audio else None
        for index in range(max(1, round(seconds * fps))):
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, base in zip(frame.planes, (index * 23 % 256, 128, 128)):
                plane.update(bytes([base]) * plane.buffer_size)
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if sound is not None:
            _silence(out, sound, seconds)
    return path


def _silence(out, stream, seconds: float) -> None:
    samples = stream.codec_context.frame_size or 960
    for index in range(int(seconds * 48000 / samples)):
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.rate, frame.pts = 48000, index * samples
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
