"""An outside tester's review of `smm check`'s cache and incremental modes (issue 14): a post is checked
again when any file its check judged changes, not only the `media:` it names (the images of an
article's body, an account's `cover`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, post_text

from smm.content import media

NOW = "2026-11-20T00:00:00+08:00"
ARTICLE = "content/2026/12/2026-12-23-brewing-guide-article.md"  # its body shows content/media/water-temperature.png
COVERED = "content/2026/12/2026-12-26-covered.md"  # a WeChat article without `media`: the account's `cover`
COVER = "content/media/cover-only.png"


@pytest.fixture
def example(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    config = (ROOT / "platforms.yml").read_text(encoding="utf-8")
    (root / "platforms.yml").write_text(config.replace("    cover: content/media/winter-blend.png", f"    cover: {COVER}"),
                                        encoding="utf-8")
    shutil.copyfile(ROOT / "content/media/winter-blend.png", root / COVER)
    (root / COVERED).write_text(post_text("天冷了，一杯好茶。", title="冬日 A winter note", platforms="[wechat]",
                                          publish_at="2026-12-26T12:00", languages="[zh-Hans]"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _check(smm, tmp_path: Path, *args: str, cache: Path | None = None) -> tuple[int, list[dict]]:
    folder = cache or tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    media.inspect.cache_clear()  # as in a new process
    code, found, _ = smm.json("check", "--now", NOW, *args, env={"SMM_CACHE_DIR": str(folder)})
    return code, found


# a file a post's check reads besides its `media:` → what changes in it, and the problem it then has
JUDGED = {
    "an article's body image removed": ("content/media/water-temperature.png", None, ARTICLE, "media.missing"),
    "an article's body image no picture": ("content/media/water-temperature.png", b"not a picture", ARTICLE, "media.invalid"),
    "an account's cover removed": (COVER, None, COVERED, "media.missing"),
    "an account's cover no picture": (COVER, b"\x89PNG broken", COVERED, "media.invalid"),
}


@pytest.mark.parametrize("change", list(JUDGED), ids=list(JUDGED))
def test_a_post_is_checked_again_when_a_file_its_check_judged_changes(example, tmp_path, smm, change):
    file, data, post, rule = JUDGED[change]
    kept = tmp_path / "kept-cache"
    before = _check(smm, tmp_path, cache=kept)
    assert not any(d["file"] == post and d["rule"] == rule for d in before[1])
    assert _check(smm, tmp_path, cache=kept) == before
    if data is None:
        (example / file).unlink()
    else:
        (example / file).write_bytes(data)
    fresh = _check(smm, tmp_path)
    assert any(d["file"] == post and d["rule"] == rule for d in fresh[1])
    assert _check(smm, tmp_path, cache=kept) == fresh  # warm: the kept result of the post is not trusted
    assert _check(smm, tmp_path, post, cache=kept) == _check(smm, tmp_path, post)
