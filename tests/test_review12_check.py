"""The twelfth session's outside-in review of `smm check` (issue 14): `smm check --since REF` reports what
a full check reports of the change. Each row: a repository in git, changed, checked in full and with
`--since`; what the full check finds of the change must be in the `--since` report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_example

NOW = "2026-11-25T08:00:00+08:00"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]
POST_ID = "2026-05-07-longjing-first-flush"
PUBLISHED = f"content/2026/05/{POST_ID}.md"  # data/published/ holds its record, naming this file
RENAMED = "content/2026/05/longjing.md"


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "repo")


def _git(root: Path, *args: str) -> None:
    subprocess.run(GIT + list(args), cwd=root, check=True, capture_output=True)


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", message)


def _check(root: Path, cache: Path, *args: str) -> list[str]:
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache), "SMM_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]
    return sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in json.loads(done.stdout))


def _set_id(path: Path, post_id: str | None) -> None:
    """The post's `id:` line set (None: removed), or added after `---`."""
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if not line.startswith("id:")]
    if post_id is not None:
        lines.insert(1, f"id: {post_id}")
    path.write_text("\n".join(lines), encoding="utf-8")


def _renamed_earlier(root: Path) -> Path:
    """The published post renamed in an earlier commit, keeping its id: its record still names the old file."""
    _set_id(root / PUBLISHED, POST_ID)
    (root / PUBLISHED).rename(root / RENAMED)
    _commit(root, "renamed, id kept")
    return root / RENAMED


def _comment_record(root: Path) -> None:
    """A record of the post's first comment too (`ID+comment`): orphaned with the post's."""
    record = json.loads((root / f"data/published/{POST_ID}.json").read_text(encoding="utf-8"))
    record["post"] = f"{POST_ID}+comment"
    (root / f"data/published/{POST_ID}+comment.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


def _id_changed(root: Path) -> None:
    _set_id(_renamed_earlier(root), "longjing-2026")


def _id_removed(root: Path) -> None:  # the id is the file's name again: `longjing`
    _set_id(_renamed_earlier(root), None)


def _fields_unreadable(root: Path) -> None:
    _renamed_earlier(root).write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")


def _id_changed_with_comment(root: Path) -> None:
    _comment_record(root)
    _id_changed(root)


def _id_changed_committed_on_a_branch(root: Path) -> str:
    post = _renamed_earlier(root)
    _git(root, "checkout", "-qb", "feature")
    _set_id(post, "longjing-2026")
    _commit(root, "new id")
    return "main"


def _renamed_twice(root: Path) -> None:
    """Renamed earlier keeping its id, then renamed again with a new id (guard: a removal checks the records)."""
    post = _renamed_earlier(root)
    _set_id(post, "longjing-2026")
    post.rename(root / "content/2026/05/longjing-2026.md")


def _removed(root: Path) -> None:  # guard
    _renamed_earlier(root).unlink()


def _id_changed_in_place(root: Path) -> None:  # guard: the record names this very file
    _set_id(root / PUBLISHED, "longjing-2026")


ORPHANING = {
    "renamed earlier, then its id changed": _id_changed,
    "renamed earlier, then its `id:` removed": _id_removed,
    "renamed earlier, then its fields unreadable": _fields_unreadable,
    "renamed earlier, then its id changed (a first comment's record too)": _id_changed_with_comment,
    "renamed earlier, then its id changed in commits of a branch (--since main)": _id_changed_committed_on_a_branch,
    "renamed earlier, then renamed again with a new id (guard)": _renamed_twice,
    "renamed earlier, then removed (guard)": _removed,
    "its id changed in place (guard: record.id-changed)": _id_changed_in_place,
}


@pytest.mark.parametrize("name", sorted(ORPHANING))
def test_since_reports_the_records_an_id_change_orphans(example, tmp_path, name):
    """A post renamed earlier keeping its `id:` (its record names the old file) whose id then changes:
    a full check reports the record as an orphan, and so must `--since` (before: the record named no
    file of the change, so `--since` left it out)."""
    _git(example, "init", "-q")
    _commit(example, "base")
    since = ORPHANING[name](example) or "HEAD"
    full = _check(example, tmp_path / "c1")
    orphans = [d for d in full if ("record.orphan" in d or "record.id-changed" in d) and POST_ID in d]
    assert orphans, "the change must orphan the record (else the row tests nothing)"
    if "comment" in name:
        assert len(orphans) == 2
    found = _check(example, tmp_path / "c2", "--since", since)
    assert set(found) <= set(full)
    assert set(orphans) <= set(found)
    assert _check(example, tmp_path / "c2", "--since", since) == found  # warm: the same


def test_since_an_edit_keeping_the_id_adds_no_record(example, tmp_path):
    """A published post edited, its id kept: `--since` reports what it did before (no other record)."""
    _git(example, "init", "-q")
    _commit(example, "base")
    post = _renamed_earlier(example)
    post.write_text(post.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    found = _check(example, tmp_path / "c1", "--since", "HEAD")
    assert not [d for d in found if json.loads(d)["file"].startswith("data/published/")]


def test_records_given_up_reads_the_ids_the_posts_had(example):
    """smm.check.run.records_given_up: the records of the ids changed posts gave up, whatever their files are named."""
    from smm.check.run import posts_before, records_given_up

    shutil.move(example / f"data/published/{POST_ID}.json", example / "data/published/renamed-by-hand.json")
    before = {PUBLISHED: (example / PUBLISHED).read_bytes()}
    _set_id(example / PUBLISHED, "longjing-2026")
    changes = [("M", PUBLISHED), ("M", "content/2026/05/no-such-post.md"), ("A", "content/new.md"), ("M", "brand/voice.yml")]
    earlier = posts_before(changes, lambda paths: {p: before[p] for p in paths if p in before})
    assert earlier == {PUBLISHED: before[PUBLISHED], "content/new.md": None}  # (a post that was no file then: left out)
    assert records_given_up(example, earlier) == ["data/published/renamed-by-hand.json"]
    assert records_given_up(example, {PUBLISHED: (example / PUBLISHED).read_bytes()}) == []


# --- `--since`: a promotional share the change brought, at posts it did not touch ------------------

def _promotional_week(root: Path) -> None:
    """Five posts in a week, the first and the last promotional (40% at most in any stretch: the brand's most)."""
    (root / "content/2027/01").mkdir(parents=True)
    for day in range(1, 6):
        tags = "tags: [promo]\n" if day in (1, 5) else ""
        (root / f"content/2027/01/p{day}.md").write_text(
            f"---\ntitle: Post {day}\npublish_at: 2027-01-0{day}T12:00\nplatforms: [feed]\n{tags}---\nText {day}.\n",
            encoding="utf-8")


def _edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


STRETCH_CHANGES = {
    "a post of the stretch removed": lambda root: (root / "content/2027/01/p3.md").unlink(),
    "a post of the stretch moved out of it": lambda root: _edit(root, "content/2027/01/p3.md", "2027-01-03", "2027-02-03"),
    "a post of the stretch made a draft": lambda root: _edit(root, "content/2027/01/p3.md", "platforms:", "draft: true\nplatforms:"),
    "a post of the stretch moved to another folder, later": lambda root: (
        (root / "content/2027/02").mkdir(), (root / "content/2027/01/p2.md").rename(root / "content/2027/02/p2.md"),
        _edit(root, "content/2027/02/p2.md", "2027-01-02", "2027-02-02")),
    "a post of the stretch made promotional (guard: it is involved)": lambda root: _edit(
        root, "content/2027/01/p3.md", "platforms:", "tags: [promo]\nplatforms:"),
}


@pytest.mark.parametrize("name", sorted(STRETCH_CHANGES))
def test_since_reports_the_promotional_share_a_change_brought(example, tmp_path, name):
    """A change that takes a post out of a stretch of the calendar pushes its promotional share over
    the brand's: the full check warns at a promotional post the change did not touch, and so must
    `--since` (before: the warning involved only the promotional posts, so `--since` left it out)."""
    _promotional_week(example)
    _git(example, "init", "-q")
    _commit(example, "base")
    before = _check(example, tmp_path / "c0")
    STRETCH_CHANGES[name](example)
    full = _check(example, tmp_path / "c1")
    brought = [d for d in set(full) - set(before) if "voice.promo-share" in d]
    assert brought, "the change must bring a promotional share (else the row tests nothing)"
    found = _check(example, tmp_path / "c2", "--since", "HEAD")
    assert set(found) <= set(full)
    assert set(brought) <= set(found)
    assert _check(example, tmp_path / "c2", "--since", "HEAD") == found  # warm: the same
    assert not [d for d in set(full) & set(before) if "voice.promo-share" in d and d in found]  # not the ones before it


def test_since_an_edit_of_a_stretch_that_brings_nothing_reports_no_share(example, tmp_path):
    """A post's text edited: the promotional shares of the calendar are what they were; none is reported."""
    _promotional_week(example)
    _git(example, "init", "-q")
    _commit(example, "base")
    _edit(example, "content/2027/01/p5.md", "Text 5.", "Text 5, longer.")
    assert not [d for d in _check(example, tmp_path / "c1", "--since", "HEAD") if "voice.promo-share" in d]
