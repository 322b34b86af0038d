"""A tree of folders many levels deep under content/, brand/ or data/ costs each command work in
proportion to its folders, not to their square: resolving every folder's real path from the top
(os.path.realpath per folder) looked up each folder above it again, and every command spent 16 s
in the kernel on a brand file 1,000 folders deep (tests/test_hostile_repos.py only asks that they
end within a minute). Counted here as calls of os.stat and os.lstat, which do not depend on the
machine's speed: going from SHALLOW to DEEP folders may add at most PER_FOLDER calls a folder."""

from __future__ import annotations

import os

import pytest
from conftest import copy_example

SHALLOW, DEEP = 20, 220
PER_FOLDER = 12  # the old code: about DEEP / 2 a folder for brand/
TREES = {
    "content": ("content", "2026-12-06-deep.md",
                "---\ntitle: Deep\npublish_at: 2026-12-06T10:00\nplatforms: [mastodon]\n---\nDeep.\n"),
    "brand": ("brand", "x.yml", "x: 1\n"),
    "data": ("data", "x.csv", "x\n"),
}
COMMANDS = [("check",), ("preview",), ("report",), ("site", "build", "--out", "{out}"), ("publish", "--dry-run"),
            ("calendar",), ("inbox",)]


def calls(tmp_path, monkeypatch, smm, tree: str, depth: int, command: tuple[str, ...]) -> int:
    """How many times `smm COMMAND` stats a path in the example repository with a file `depth` folders
    deep under `tree`, from an empty cache."""
    root = copy_example(tmp_path / f"repo{depth}")
    top, name, text = TREES[tree]
    folder = root / top
    for _ in range(depth):
        folder = folder / "a"
        folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    counted = [0]

    def counting(function):
        def call(*args, **kwargs):
            counted[0] += 1
            return function(*args, **kwargs)
        return call

    with monkeypatch.context() as patch:
        patch.setattr(os, "stat", counting(os.stat))
        patch.setattr(os, "lstat", counting(os.lstat))
        code, _, err = smm(*(a.format(out=tmp_path / f"site{depth}") for a in command),
                           env={"SMM_CACHE_DIR": str(tmp_path / f"cache{depth}")})
    assert code in (0, 1), err
    return counted[0]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("tree", TREES)
def test_deep_folders_cost_each_command_linear_work(tmp_path, monkeypatch, smm, tree, command):
    shallow = calls(tmp_path, monkeypatch, smm, tree, SHALLOW, command)
    deep = calls(tmp_path, monkeypatch, smm, tree, DEEP, command)
    assert deep - shallow <= PER_FOLDER * (DEEP - SHALLOW), (shallow, deep)
