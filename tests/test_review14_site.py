"""The fourteenth session's outside-in review of `smm site build`: a rebuild after one input changed writes
the site a build from nothing (a new folder, an empty cache) writes, whatever the input."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, post_text

NOW = "2026-11-26T10:00+08:00"
MEDIA = ROOT / "content/media"
FOOTER = re.compile(rb'<footer class="site">.*?</footer>', re.S)  # a kept page says when it was made


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): FOOTER.sub(b"", p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}


def build(smm, out: str, cache: Path | None = None) -> None:
    code, _, err = smm("site", "build", "--out", out, "--now", NOW, env={"SMM_CACHE_DIR": str(cache)} if cache else None)
    assert code == 0, err


def rebuilt_as_from_nothing(smm, root: Path, change) -> dict[str, bytes]:
    """Build, `change(root)`, build again; assert the site is what a build from nothing writes; returns it."""
    build(smm, "_site")
    time.sleep(0.01)  # (a file's time changes with the edit)
    change(root)
    build(smm, "_site")
    build(smm, "cold", root / "cold-cache")
    site = tree(root / "_site")
    assert site == tree(root / "cold")
    return site


def copy(picture: str, to: str):
    def change(root: Path) -> None:
        (root / to).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MEDIA / picture, root / to)
    return change


OVERRIDE = "\n  mastodon:\n    media: [{file: content/media/o.png, alt: A picture}]"
VIDEO = "[{file: content/media/v.mp4, alt: A video, cover: content/media/c.png}]"
OVERRIDE_VIDEO = "\n  mastodon:\n    media: [{file: content/media/v.mp4, alt: A video, cover: content/media/c.png}]"

# the post's fields, the files there before, the change: every file a post names (for itself or an account)
NAMED_FILES = {
    "an override's picture appears": (dict(overrides=OVERRIDE), {}, copy("water-temperature.png", "content/media/o.png")),
    "an override's picture is edited": (dict(overrides=OVERRIDE), {"content/media/o.png": "water-temperature.png"},
                                        copy("winter-blend.png", "content/media/o.png")),
    "an override's picture is deleted": (dict(overrides=OVERRIDE), {"content/media/o.png": "water-temperature.png"},
                                         lambda root: (root / "content/media/o.png").unlink()),
    "a video's cover picture appears": (dict(media=VIDEO), {"content/media/v.mp4": "roastery-morning.mp4"},
                                        copy("water-temperature.png", "content/media/c.png")),
    "a video's cover picture is edited": (dict(media=VIDEO), {"content/media/v.mp4": "roastery-morning.mp4",
                                                              "content/media/c.png": "water-temperature.png"},
                                          copy("roastery-morning.mp4", "content/media/c.png")),
    "an override's video's cover appears": (dict(overrides=OVERRIDE_VIDEO), {"content/media/v.mp4": "roastery-morning.mp4"},
                                            copy("water-temperature.png", "content/media/c.png")),
    "an override's video appears": (dict(overrides=OVERRIDE_VIDEO), {"content/media/c.png": "water-temperature.png"},
                                    copy("roastery-morning.mp4", "content/media/v.mp4")),
}


@pytest.mark.parametrize("case", NAMED_FILES)
def test_a_post_page_is_drawn_again_when_any_file_the_post_names_changes(make_repo, smm, case):
    fields, there, change = NAMED_FILES[case]
    root = make_repo({"a.md": post_text(title="A", **fields), "b.md": post_text(title="B")},
                     files={to: (MEDIA / picture).read_bytes() for to, picture in there.items()})
    assert "posts/a/index.html" in rebuilt_as_from_nothing(smm, root, change)
