"""The tenth session's outside-in review of `smm check`'s modes and cache (issue 14: "the same findings in
every mode"): a cache file damaged on disk (a bit flipped by a disk or a copy, a write cut short) is
never trusted, so a warm check still reports what a check from nothing reports; `--since` reports what
is now where a post was (a folder, a link out of the repository); `--since HEAD` works before the first
commit (the pre-commit hook's first run) and in a shallow clone; the validate workflow previews posts
whose names hold spaces or Chinese."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_example

NOW = "2026-11-25T08:00:00+08:00"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
BIN = Path(sys.executable).parent


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "repo")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(GIT + list(args), cwd=root, check=True, capture_output=True, text=True).stdout


def _check(root: Path, cache: Path, *args: str) -> tuple[int, list[dict], str]:
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache), "SMM_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout), done.stderr


def _letter_changed(needle: bytes, report_too: bool = False, pattern: str = "*"):
    """Damage that still unpickles: one letter of a text the report shows, in the first file that holds
    it (`report_too`: and the kept report removed, so that the report is made from the damaged file)."""
    def damage(folder: Path) -> None:
        for kept in folder.rglob("report-*.bytes") if report_too else ():
            kept.unlink()
        holders = [p for p in sorted(folder.rglob(pattern)) if p.is_file() and needle in p.read_bytes()]
        assert holders, needle
        data = holders[0].read_bytes()
        at = data.index(needle)
        holders[0].write_bytes(data[:at] + needle[:1].swapcase() + data[at + 1:])
    return damage


def _cut(pattern: str, keep: float):
    def damage(folder: Path) -> None:
        for path in [p for p in folder.rglob(pattern) if p.is_file()]:
            data = path.read_bytes()
            path.write_bytes(data[:int(len(data) * keep)])
    return damage


def _old_format(folder: Path) -> None:
    """Every pickle as smm wrote them before they carried a length and checksum: a plain pickle."""
    import pickle

    for path in folder.rglob("*.pickle"):
        data = path.read_bytes()
        try:
            pickle.loads(data[12:])
        except Exception:  # noqa: BLE001  (already plain)
            continue
        path.write_bytes(data[12:])


# damage → what it does to the cache folder after a warm run
DAMAGE = {
    "a letter of the promotional share's message (across)": _letter_changed(b"promotional ("),
    "a letter of a warning in the kept report": _letter_changed(b"has passed and the post"),
    "a letter of a post's own problems (owns), the report gone": _letter_changed(b"use one form", report_too=True),
    "a letter of a persona's name (settings), the report gone": _letter_changed(b"Tea novice", True, "settings.pickle"),
    "every index file cut in half": _cut("checks-*.pickle", 0.5),
    "every file cut to a few bytes": _cut("*", 0.01),
    "the kept report cut short": _cut("report-*.bytes", 0.9),
    "plain pickles (no length, no checksum)": _old_format,
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_cache_is_never_trusted(example, tmp_path, damage):
    kept = tmp_path / "kept"
    fresh = _check(example, tmp_path / "fresh")
    assert _check(example, kept) == fresh == _check(example, kept)  # the kept report written, then copied out
    DAMAGE[damage](kept)
    assert _check(example, kept) == fresh
    assert _check(example, kept) == fresh  # and what it wrote again is whole


POST = "content/2026/12/2026-12-09-tidewell-kettle.md"


def _folder(root: Path) -> None:
    (root / POST).unlink()
    (root / POST).mkdir()
    (root / POST / "notes.md").write_text("---\ntitle: x\n---\nbody\n", encoding="utf-8")


def _link_out(root: Path) -> None:
    (root / POST).unlink()
    (root / POST).symlink_to(ROOT / "README.md")


# what is put where a committed post was → the rule a full check reports there
REPLACED = {"a folder": (_folder, "file.not-regular"), "a link out of the repository": (_link_out, "file.outside-repo")}


@pytest.mark.parametrize("replaced", list(REPLACED), ids=list(REPLACED))
def test_since_reports_what_took_a_posts_place(example, tmp_path, replaced):
    _git(example, "init", "-q", "-b", "main")
    _git(example, "add", "-A")
    _git(example, "commit", "-qm", "example")
    make, rule = REPLACED[replaced]
    make(example)
    full = _check(example, tmp_path / "one")
    assert any(d["file"] == POST and d["rule"] == rule for d in full[1])
    since = _check(example, tmp_path / "two", "--since", "HEAD")
    assert [d for d in full[1] if d["file"].startswith(POST)] == [d for d in since[1] if d["file"].startswith(POST)]
    assert since[0] == full[0]


def test_since_head_before_the_first_commit_checks_everything(example, tmp_path):
    """The pre-commit hook (`smm check --since HEAD`) on a repository's first commit: every file is new."""
    _git(example, "init", "-q", "-b", "main")
    _git(example, "add", "-A")
    (example / POST).write_text((example / POST).read_text(encoding="utf-8").replace("title:", "titel:"), encoding="utf-8")
    full = _check(example, tmp_path / "one")
    assert any(d["rule"] == "schema.unknown-field" for d in full[1])
    assert _check(example, tmp_path / "two", "--since", "HEAD")[:2] == full[:2]


def test_since_in_a_shallow_clone_without_the_merge_base_checks_everything(example, tmp_path):
    """actions/checkout fetches one commit unless told otherwise: the merge base is not there, so every
    file may have changed; a name that is no commit stays a usage error."""
    _git(example, "init", "-q", "-b", "main")
    _git(example, "add", "-A")
    _git(example, "commit", "-qm", "one")
    _git(example, "checkout", "-qb", "feature")
    (example / POST).write_text((example / POST).read_text(encoding="utf-8").replace("title:", "titel:"), encoding="utf-8")
    _git(example, "commit", "-qam", "two")
    _git(example, "checkout", "-q", "main")
    _git(example, "commit", "-q", "--allow-empty", "-m", "three")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", example.as_uri(), str(clone)], check=True)
    _git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    full = _check(clone, tmp_path / "one")
    code, found, err = _check(clone, tmp_path / "two", "--since", "origin/main")
    assert (code, found) == full[:2] and "shallow" in err and "fetch-depth: 0" in err
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(tmp_path / "three")}
    wrong = subprocess.run([sys.executable, "-m", "smm", "check", "--since", "no-such-ref"], cwd=clone, env=env,
                           capture_output=True, text=True)
    assert wrong.returncode == 2 and "no-such-ref" in wrong.stderr


@pytest.mark.parametrize("name", ["冬日 特卖.md", "tab\tand \"quote\".md"])
def test_the_validate_workflow_previews_a_post_whatever_its_name(tmp_path, name):
    """The preview step's own script, run as the runner runs it, on what `smm init` writes: a post whose
    name git would quote (non-ASCII, a tab, a quote) reaches `smm preview` as it is."""
    target = tmp_path / "brand"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "SMM_CACHE_DIR": str(tmp_path / "cache"),
           "SMM_OFFLINE": "1", "SMM_NOW": NOW}
    subprocess.run([sys.executable, "-m", "smm", "init", str(target), "--now", NOW], check=True, env=env,
                   capture_output=True)
    _git(target, "init", "-q", "-b", "main")
    _git(target, "add", "-A")
    _git(target, "commit", "-qm", "base")
    base = _git(target, "rev-parse", "HEAD").strip()
    (target / "content" / name).write_text("---\nid: hello-winter\ntitle: Hello\npublish_at: 2026-12-01T12:00\nplatforms: [feed]\n---\n"
                                           "A winter note.\n", encoding="utf-8")
    _git(target, "add", "-A")
    _git(target, "commit", "-qm", "a post")
    workflow = yaml.safe_load((target / ".github/workflows/validate.yml").read_text(encoding="utf-8"))
    step = next(s for s in workflow["jobs"]["check"]["steps"] if s.get("name") == "Preview the changed posts")
    summary = tmp_path / "summary.md"
    env.update(BASE_SHA=base, HEAD_SHA="f" * 40, PR_NUMBER="7", CHECK_STATUS="0", GITHUB_STEP_SUMMARY=str(summary))
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=target, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "Hello" in (target / "preview/preview.md").read_text(encoding="utf-8")


CARD_PICTURE = "data/cards/quote-1200x675-fac1ebdeffa75c01.png"  # drawn by smm for content/2026/12/2026-12-19-brewing-quote.md


def _own_picture_under_data(root: Path) -> str:
    (root / "data/pictures").mkdir()
    shutil.copyfile(root / "content/media/winter-blend.png", root / "data/pictures/cup.png")
    text = (root / POST).read_text(encoding="utf-8")
    (root / POST).write_text(text.replace("---\n", "---\nmedia: [{file: data/pictures/cup.png, alt: A cup of tea}]\n", 1),
                             encoding="utf-8")
    return "data/pictures/cup.png"


# a picture a post shows, under data/ → how it is set up (returning its path)
UNDER_DATA = {"a card's picture (data/cards/)": lambda root: CARD_PICTURE,
              "a picture a post names under data/": _own_picture_under_data}


@pytest.mark.parametrize("damage", [b"not a picture", None], ids=["no picture", "removed"])
@pytest.mark.parametrize("picture", list(UNDER_DATA), ids=list(UNDER_DATA))
def test_since_rechecks_the_posts_whose_picture_under_data_changed(example, tmp_path, picture, damage):
    """A pull request that breaks a picture under data/ fails `--since` as it fails a full check, with the
    problems of the posts that show it (a card's picture removed is drawn again by either)."""
    _git(example, "init", "-q", "-b", "main")
    path = UNDER_DATA[picture](example)
    _git(example, "add", "-A")
    _git(example, "commit", "-qm", "example")
    kept = tmp_path / "kept"
    assert _check(example, kept)[0] == 0
    if damage is None:
        (example / path).unlink()
    else:
        (example / path).write_bytes(damage)
    since = _check(example, kept, "--since", "HEAD")  # first: a card's picture removed is drawn again
    full = _check(example, tmp_path / "one")
    assert full[0] == 1 and any(d["rule"].startswith("media.") for d in full[1]) or path == CARD_PICTURE and damage is None
    _reports_the_posts_that_show_it(since, full)
    if damage is not None:
        _reports_the_posts_that_show_it(_check(example, tmp_path / "two", "--since", "HEAD"), full)


def _reports_the_posts_that_show_it(since, full) -> None:
    """`--since` after a picture changed: what a full check finds, for the posts that show the picture
    (those with a media problem now) and the settings (tests/test_since_pictures.py: not the others)."""
    showing = {d["file"] for d in full[1] if d["rule"].startswith("media.")}
    assert since[1] == [d for d in full[1] if d in since[1]]
    assert [d for d in since[1] if d["file"] in showing] == [d for d in full[1] if d["file"] in showing]
    assert since[0] == full[0]
