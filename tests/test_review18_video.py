"""Review 18: videos, covers and the export bundles (Douyin, Bilibili, Xiaohongshu) from the outside:
what `smm check` says of hostile files, and what a bundle holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import post_text
from videos import make_video

NOW = "2026-12-01T12:00:00+08:00"
BEFORE = "2026-12-01T10:00:00+08:00"
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  douyin: {platform: douyin}
  bilibili: {platform: bilibili}
  xhs: {platform: xiaohongshu}
"""


def _post(account: str, media: str, title: str = "冬季拼配上市", body: str = "新茶上市 #冬日茶饮") -> str:
    return post_text(body, title=title, platforms=f"[{account}]", publish_at="2026-12-01T11:00",
                     media=f"\n  - {media}")


def _exported(smm, root: Path, account: str) -> Path:
    code, out, err = smm("publish", "--now", NOW)
    assert code == 0, out + err
    return root / "data/exports" / account / "a"


# --- the bundle keeps the video's container in its name -------------------------------------------

@pytest.mark.parametrize("account, file, name", [
    ("douyin", "clip.mp4", "video.mp4"),
    ("douyin", "clip.mov", "video.mov"),
    ("douyin", "clip.webm", "video.webm"),
    ("xhs", "clip.mov", "video.mov"),
    ("bilibili", "clip.mkv", "video.mkv"),  # was video.mp4: a Matroska file under an MP4 name
])
def test_the_bundle_names_the_video_by_its_container(make_repo, smm, account, file, name):
    root = make_repo({"a.md": _post(account, f"{{file: content/media/{file}}}")}, platforms=PLATFORMS, calendar=None)
    make_video(root / "content/media" / file, seconds=1)
    bundle = _exported(smm, root, account)
    assert json.loads((bundle / "post.json").read_text())["video"] == name
    assert (bundle / name).read_bytes() == (root / "content/media" / file).read_bytes()
    assert f"`{name}`" in (bundle / "README.md").read_text()


# --- a video whose header gives no duration (a WebM recorded live, as browsers record) --------------

def _live(path: Path, seconds: int, fps: int = 10) -> None:
    """A video muxed live: no duration in its header, as MediaRecorder writes a WebM."""
    from fractions import Fraction

    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    codec = "libvpx-vp9" if path.suffix == ".webm" else "libx264"
    with av.open(str(path), "w", format="webm" if path.suffix == ".webm" else "matroska",
                 options={"live": "1"}) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        for index in range(seconds * fps):
            frame = av.VideoFrame(16, 16, "yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.mark.parametrize("account, file, seconds, fps, cover, expected", [
    ("douyin", "live.webm", 3, 10, '"00:00:02"', []),  # was: cover at 2 s is after the end (0.0 s)
    ("bilibili", "live.mkv", 3, 10, "2.5", []),
    ("douyin", "live.webm", 901, 1, None, [("media.duration", "lasts 901.0 s, over the limit of 900 s")]),
    ("douyin", "live.webm", 3, 10, "4", [("media.cover", "after the end of `content/media/live.webm` (3.0 s)")]),
])
def test_a_video_without_a_duration_in_its_header_is_measured(make_repo, smm, account, file, seconds, fps, cover,
                                                              expected):
    item = f"{{file: content/media/{file}" + (f", cover: {cover}}}" if cover else "}")
    root = make_repo({"a.md": _post(account, item)}, platforms=PLATFORMS, calendar=None)
    _live(root / "content/media" / file, seconds, fps)
    code, diagnostics, _ = smm.json("check", "--now", BEFORE)
    found = [(d["rule"], d["message"]) for d in diagnostics if d["severity"] == "error"]
    assert [rule for rule, _ in found] == [rule for rule, _ in expected], found
    assert all(part in message for (_, message), (_, part) in zip(found, expected))
    assert code == (1 if expected else 0)
