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
