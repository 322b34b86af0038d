"""An outside tester's review of the trust in smm's caches (issue 14: "a cache written by a pull request
is never trusted by the publish job"): the caches are pickles, and a pickle runs code when it is read.
A cache folder set inside the checkout (`SMM_CACHE_DIR=.smm-cache`, `XDG_CACHE_HOME` in the
workspace, through a link or not) holds files a commit can add, so a command that reads secrets
(`smm publish`, `metrics`, `inbox`, `doctor`...) neither reads nor writes a cache there; the other
commands (`smm check`, `smm site build`) keep using it."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

NOW = "2026-11-20T00:00:00+08:00"


class _Planted:
    """What a commit could put in the cache folder: a pickle that, read, creates `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _environment(root: Path, tmp_path: Path, where: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SMM_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(SMM_OFFLINE="1", SMM_NOW=NOW, HOME=str(tmp_path / "home"))
    if where == "SMM_CACHE_DIR in the checkout":
        env["SMM_CACHE_DIR"] = ".smm-cache"  # relative: from the checkout's top, where the workflow runs
    elif where == "SMM_CACHE_DIR through a link to the checkout":
        (tmp_path / "link").symlink_to(root)
        env["SMM_CACHE_DIR"] = str(tmp_path / "link" / ".smm-cache")
    else:
        env["XDG_CACHE_HOME"] = str(root / ".cache")
    return env


@pytest.mark.parametrize("where", ["SMM_CACHE_DIR in the checkout", "SMM_CACHE_DIR through a link to the checkout",
                                   "XDG_CACHE_HOME in the checkout"])
@pytest.mark.parametrize("command", [["publish", "--dry-run"], ["metrics"], ["inbox"], ["doctor"], ["listen"]],
                         ids=lambda c: c[0])
def test_a_command_holding_secrets_runs_no_pickle_planted_in_the_checkout(tmp_path, command, where):
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    env = _environment(root, tmp_path, where)

    def smm(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "smm", *args], cwd=root, env=env, capture_output=True, text=True)

    for warm in (["check"], command):  # the caches a check (and the command itself) keep, inside the checkout
        smm(*warm)
    kept = [path for path in root.rglob("*.pickle") if ".smm-cache" in path.parts or ".cache" in path.parts]
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Planted(marker))
    pickle.loads(planted)
    assert marker.exists()  # the planted pickle runs when read
    marker.unlink()
    assert kept  # `smm check` keeps its caches there
    for path in kept:
        path.write_bytes(planted)
    for folder in {path.parent for path in kept}:  # and what a command may read that no run wrote yet
        for name in ("settings-plain", "settings", "across", "records"):
            (folder / f"{name}.pickle").write_bytes(planted)
    result = smm(*command)
    assert "Traceback" not in result.stderr, result.stderr
    assert not marker.exists(), f"`smm {' '.join(command)}` read a pickle from inside the checkout"


@pytest.mark.parametrize("relative", ["cache", ".cache", "./x/y"])
def test_a_relative_xdg_cache_home_is_ignored_as_the_spec_says(tmp_path, relative):
    """"If an implementation encounters a relative path in any of these variables it should consider the path
    invalid and ignore it" (XDG Base Directory Specification): the cache goes to ~/.cache/smm, never into
    the folder a command happens to run from (often the checkout)."""
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    env = {k: v for k, v in os.environ.items() if k not in ("SMM_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(SMM_OFFLINE="1", SMM_NOW=NOW, HOME=str(tmp_path / "home"), XDG_CACHE_HOME=relative)
    before = sorted(p.name for p in root.iterdir())
    result = subprocess.run([sys.executable, "-m", "smm", "check"], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert sorted(p.name for p in root.iterdir()) == before
    assert list((tmp_path / "home/.cache/smm").iterdir())
