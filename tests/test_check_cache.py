"""`smm check` finds the same problems with its results cache (warm) and for some paths
(incremental) as a full run with no cache, whatever changed between runs (issue 14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from smm.content import media

NOW = "2026-11-20T00:00:00+08:00"
POST = "content/2026/11/2026-11-27-winter-blend.md"
GIVEAWAY = "content/2026/12/2026-12-01-giveaway.md"


def _append(file: str, text: str):
    def change(root: Path) -> str:
        with open(root / file, "a", encoding="utf-8") as handle:
            handle.write(text)
        return file
    return change


def _replace(file: str, old: str, new: str):
    def change(root: Path) -> str:
        text = (root / file).read_text(encoding="utf-8")
        assert old in text
        (root / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        return file
    return change


def _copy(file: str, to: str):
    def change(root: Path) -> str:
        shutil.copyfile(root / file, root / to)
        return to
    return change


def _write(file: str, data: bytes):
    def change(root: Path) -> str:
        (root / file).write_bytes(data)
        return file
    return change


def _remove(file: str):
    def change(root: Path) -> str:
        (root / file).unlink()
        return str(Path(file).parent)
    return change


CHANGES = {
    "nothing": lambda root: POST,
    "a post's text": _append(POST, "\nAged puer and tie guan yin, very very unique.\n"),
    "a post's fields": _replace(POST, "pillar: product", "pillar: nosuchpillar"),
    "a voice rule file": _replace("brand/voice/TeaNames.yml", "  jasmin tea:", "  roasted oolong: roast oolong\n  jasmin tea:"),
    "voice.yml": _append("brand/voice.yml", "\n# a comment changes nothing but the bytes\n"),
    "platforms.yml": _replace("platforms.yml", "  bluesky:\n", "  blueskyy:\n"),
    "calendar.yml": _replace("brand/calendar.yml", "product", "products"),
    "a media file": _write("content/media/winter-blend.png", b"not a picture"),
    "a copy of a post (duplicate id)": _copy(GIVEAWAY, "content/2026/12/2026-12-02-giveaway-again.md"),
    "a published post removed (its record orphaned)": _remove("content/2026/05/2026-05-04-anxi-harvest-notes.md"),
}


@pytest.fixture
def example(tmp_path) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    return root


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_warm_and_incremental_checks_find_what_a_full_check_finds(example, tmp_path, monkeypatch, smm, change):
    monkeypatch.chdir(example)
    kept = tmp_path / "kept-cache"

    def check(*paths: str, cache: Path | None = None) -> tuple[int, list[dict]]:
        folder = cache or tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
        media.inspect.cache_clear()  # as in a new process: what a picture holds is remembered in-process
        code, found, _ = smm.json("check", "--now", NOW, *paths, env={"SMM_CACHE_DIR": str(folder)})
        return code, found

    before = check(cache=kept)
    assert list(kept.rglob("checks-*.pickle")), "a full check keeps its results"
    assert check(cache=kept) == before  # warm, nothing changed
    changed = CHANGES[change](example)
    full = check()
    for _ in range(2):  # what changed is checked again, then all of it comes from the cache
        assert check(cache=kept) == full
    assert check(changed, cache=kept) == check(changed)
