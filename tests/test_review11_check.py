"""The eleventh session's outside-in review of `smm check` (issue 14: the same findings cold, warm, with
`--since` and with paths). Each row: a repository set up, checked (the cache filled), then changed;
a warm check must then report exactly what a check from nothing reports."""

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
RULE = "extends: existence\nmessage: \"Avoid '%s'.\"\nlevel: warning\ntokens:\n  - {word}\n"


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "repo")


def _check(root: Path, cache: Path, *args: str) -> tuple[int, list[str]]:
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache), "SMM_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]
    return done.returncode, sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in json.loads(done.stdout))


def _relink(link: Path, target: Path | str) -> None:
    link.unlink()
    link.symlink_to(target)


# --- the settings' key: every file the settings are read from, as smm reads it ------------------------
# (before: brand/'s walk did not follow links to folders, and the files' bytes were run together)

def _templates_linked(root: Path):
    (root / "tpl").mkdir()
    (root / "tpl" / "mastodon.j2").write_text("{{ title }}\n\n{{ text }}\n")
    (root / "brand" / "templates").symlink_to("../tpl")
    return lambda: (root / "tpl" / "mastodon.j2").write_text("{{ no_such_field }}\n")


def _voice_linked(root: Path):
    shutil.move(root / "brand" / "voice", root / "rules")
    (root / "brand" / "voice").symlink_to("../rules")
    return lambda: (root / "rules" / "Hype.yml").write_text(RULE.format(word="tea"))


def _rule_link_turned_outside(root: Path):
    """A rule file that is a link, turned from a file in the repository to one out of it with the same
    bytes: its file is then not read (an error), though no byte of it changed."""
    (root / "shared").mkdir()
    (root / "shared" / "Extra.yml").write_text(RULE.format(word="kettle"))
    outside = root.parent / "outside.yml"
    outside.write_text(RULE.format(word="kettle"))
    (root / "brand" / "voice" / "Extra.yml").symlink_to("../../shared/Extra.yml")
    return lambda: _relink(root / "brand" / "voice" / "Extra.yml", outside)


def _bytes_run_together(root: Path):
    """Two rule files become one whose bytes are theirs with the second's name between them (before:
    the same key, so the warm check kept the first state's settings)."""
    first, second = RULE.format(word="kettle").encode(), RULE.format(word="teapot").encode()
    (root / "brand" / "voice" / "Zz.yml").write_bytes(first + b"\0brand/voice/Zzz.yml\0" + second)

    def edit() -> None:
        (root / "brand" / "voice" / "Zz.yml").write_bytes(first)
        (root / "brand" / "voice" / "Zzz.yml").write_bytes(second)
    return edit


SETTINGS_CHANGES = {
    "brand/templates, a link to a folder: a template edited": _templates_linked,
    "brand/voice, a link to a folder: a rule edited": _voice_linked,
    "a rule file's link turned out of the repository (same bytes)": _rule_link_turned_outside,
    "a file's bytes holding the next file's name": _bytes_run_together,
}


@pytest.mark.parametrize("name", sorted(SETTINGS_CHANGES))
def test_a_warm_check_after_a_settings_change_reports_what_a_cold_one_does(example, tmp_path, name):
    edit = SETTINGS_CHANGES[name](example)
    warm = tmp_path / "warm"
    before = _check(example, warm)
    edit()
    cold = _check(example, tmp_path / "cold")
    assert cold != before, "the change must change the findings (else the row tests nothing)"
    assert _check(example, warm) == cold


def test_a_link_from_brand_to_the_root_of_the_file_system_is_not_walked(example):
    """brand/ leading out of the repository is not read, nor walked for the settings' key (`brand -> /`
    would read every file of the machine)."""
    from smm.workspace.kept_settings import _brand_files

    shutil.rmtree(example / "brand")
    (example / "brand").symlink_to("/")
    assert _brand_files(example) == [(os.fspath(example), "brand", "\0outside")]


# --- folders walked whole: never through a link out of the repository ------------------------------

def test_voice_rules_through_a_link_to_the_root_are_one_error_not_a_walk_of_the_machine(example, tmp_path):
    """brand/voice -> / listed every file of the machine (the check ran for minutes): now one error."""
    shutil.rmtree(example / "brand" / "voice")
    (example / "brand" / "voice").symlink_to("/")
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(tmp_path / "cache"), "SMM_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json"], cwd=example, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr[-2000:]
    assert [d["rule"] for d in json.loads(done.stdout) if d["file"] == "brand/voice"] == ["file.outside-repo"]


@pytest.mark.parametrize("folder", ["data", "data-linked-in"])
def test_stale_temporary_files_are_removed_only_in_the_repository(tmp_path, folder):
    """`smm publish` removes the temporary files of killed writers under data/; with data/ a link out
    of the repository it removed such files out there (any of the machine's, for `data -> /`)."""
    from smm.workspace.files import remove_stale_temps

    root, outside = tmp_path / "repo", tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (root / "elsewhere" / "sub").mkdir(parents=True)
    dead = ".x.json.tmp999999999"  # no such process
    (outside / "sub" / dead).write_text("{}")
    (root / "elsewhere" / "sub" / dead).write_text("{}")
    (root / "data").symlink_to(outside if folder == "data" else root / "elsewhere")
    removed = remove_stale_temps(root, "data")
    assert (outside / "sub" / dead).exists()
    assert removed == ([] if folder == "data" else [root / "data" / "sub" / dead])


# --- `--since`: a record the change orphans is reported --------------------------------------------

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
PUBLISHED = "content/2026/05/2026-05-07-longjing-first-flush.md"  # data/published/ holds its record


def _unreadable(path: Path, how: str) -> None:
    if how == "a link out of the repository":
        path.unlink()
        path.symlink_to("/etc/hostname")
    else:
        path.write_bytes({"not UTF-8": b"\xff\xfe garbage", "empty": b"", "a NUL byte": b"---\ntitle: x\0\n---\n",
                          "over a megabyte": b"x" * 2_000_000}[how])


@pytest.mark.parametrize("how", ["not UTF-8", "empty", "a NUL byte", "over a megabyte", "a link out of the repository"])
def test_since_reports_the_record_a_published_post_made_unreadable_orphans(example, tmp_path, how):
    """The post's id can no longer be read, so its record is an orphan (at data/published/): the
    pre-commit hook's `smm check --since HEAD` must say so, as a full check does (before: it did not)."""
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + args, cwd=example, check=True, capture_output=True)
    _unreadable(example / PUBLISHED, how)
    _, full = _check(example, tmp_path / "c1")
    orphans = [d for d in full if "record.orphan" in d and "longjing-first-flush" in d]
    assert orphans
    _, since = _check(example, tmp_path / "c2", "--since", "HEAD")
    assert set(since) <= set(full)
    assert set(orphans) <= set(since)


# --- a post that is a link: reported with the post it leads to -----------------------------------

TARGET = "content/2026/08/2026-08-11-packing-day.md"
LINK = "content/2026/06/linked-packing-day.md"


def _target_removed(root: Path) -> None:
    (root / TARGET).unlink()


def _target_folder_moved(root: Path) -> None:
    (root / TARGET).parent.rename(root / "content" / "2026" / "08-moved")


def _target_broken(root: Path) -> None:
    (root / TARGET).write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")


def _target_too_long(root: Path) -> None:
    with open(root / TARGET, "a", encoding="utf-8") as handle:
        handle.write("\n" + "Longer and longer. " * 40 + "\n")


@pytest.mark.parametrize("edit", [_target_removed, _target_folder_moved, _target_broken, _target_too_long],
                         ids=lambda f: f.__name__)
def test_a_post_that_links_to_a_changed_post_is_reported_with_it(example, tmp_path, edit):
    """content/…/linked.md -> the post changed: its new problems are the change's too, for `--since`
    (the pre-commit hook) and for `smm check CHANGED` (before: left out; git sees no change of the link)."""
    (example / LINK).symlink_to(os.path.relpath(example / TARGET, (example / LINK).parent))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + args, cwd=example, check=True, capture_output=True)
    _, before = _check(example, tmp_path / "c0")
    edit(example)
    _, full = _check(example, tmp_path / "c1")
    new_at_link = {d for d in set(full) - set(before) if json.loads(d)["file"] == LINK}
    assert new_at_link
    _, since = _check(example, tmp_path / "c2", "--since", "HEAD")
    assert set(since) <= set(full)
    assert new_at_link <= set(since)
    if (example / TARGET).exists():
        _, asked = _check(example, tmp_path / "c2", TARGET)
        assert new_at_link <= set(asked)
