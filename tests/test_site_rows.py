"""What the site keeps of each post between builds (smm.site.build._posts_digests: the digests of its
listing and report rows, its first language, by the bytes it was read from) and the post pages'
keys (smm.site.posts.PostKeys, by the same digests): each input changed alone gives what a
build with nothing kept gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import post_text
from test_report import write_fixture
from test_site import _record, _replace, _same_size_same_time

from smm.site import build as site_build
from smm.workspace.repo import load_repo

CODE = "code"


def _digests(root: Path, monkeypatch, cache: Path, code: str = CODE) -> tuple:
    monkeypatch.setenv("SMM_CACHE_DIR", str(cache))
    repo = load_repo(root)
    listed, shown, firsts = site_build._posts_digests(repo, code)
    return listed, shown, dict(firsts)


def _retime(root: Path) -> None:
    _replace(root / "platforms.yml", "timezone: UTC", "timezone: Asia/Shanghai")


def _rename(root: Path) -> None:
    (root / "content/p2.md").rename(root / "content/p2b.md")


def _named(root: Path) -> None:
    (root / "content/p9.md").write_text(post_text("Nine", title="Nine", publish_at="2026-11-05T12:00", platforms="[a]"),
                                        encoding="utf-8")


def _name_it(root: Path) -> None:
    _record(root, "p9", "2026-11-05T12:00:00+00:00")


def _unchanged_size_and_time(root: Path) -> None:
    _same_size_same_time(root / "content/p3.md", b"Title of p3", b"Title of q3")


def _new_code(monkeypatch) -> str:
    """smm's code changed: its listing of a post with it."""
    from smm.site import posts

    listing = posts.listing
    monkeypatch.setattr(posts, "listing", lambda found: [(*row[:-1], "fr") for row in listing(found)])
    return "other code"


# (what is set up before the first build, the change, what it changes: listing, shown, first languages)
@pytest.mark.parametrize(("before", "change", "changes"), [
    (None, lambda root: _replace(root / "content/p2.md", "Title of p2", "Renamed p2"), (True, True, False)),
    (None, lambda root: _replace(root / "content/p2.md", "Post p2", "Post p2, longer"), (False, False, False)),
    (None, _unchanged_size_and_time, (True, True, False)),  # the bytes, not the file's stamp
    (None, lambda root: _replace(root / "content/p2.md", "pillar: tips", "pillar: tips\nlanguages: [zh]"),
     (True, True, True)),  # the report pages mark its title with it
    (None, _rename, (True, True, False)),  # the same bytes, another id
    (None, _retime, (True, True, False)),  # the same bytes read in another time zone (posts_version)
    (_named, _name_it, (False, True, False)),  # a record names a post: its row is shown
    (None, "code", (True, False, True)),  # smm's code (code_digest())
])
def test_each_input_of_what_is_kept_of_a_post(tmp_path, monkeypatch, before, change, changes):
    (tmp_path / "repo").mkdir()
    root = write_fixture(tmp_path / "repo")
    if before:
        before(root)
    kept = tmp_path / "kept"
    first = _digests(root, monkeypatch, kept)
    code = CODE
    if change == "code":
        code = _new_code(monkeypatch)
    else:
        change(root)
    again = _digests(root, monkeypatch, kept, code)
    fresh = _digests(root, monkeypatch, tmp_path / "nothing-kept", code)
    assert again == fresh
    assert tuple(a != b for a, b in zip(first, again)) == changes


def test_a_post_read_through_a_link_is_known_by_its_fields(tmp_path, monkeypatch):
    """A post read without the cache (a link) has no digest: its rows are made every time."""
    (tmp_path / "repo").mkdir()
    root = write_fixture(tmp_path / "repo")
    (root / "drafts").mkdir()
    target = root / "drafts/p2.md"
    target.write_text((root / "content/p2.md").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "content/p2.md").unlink()
    (root / "content/p2.md").symlink_to(target)
    kept = tmp_path / "kept"
    first = _digests(root, monkeypatch, kept)
    _replace(target, "Title of p2", "Renamed p2")
    again = _digests(root, monkeypatch, kept)
    assert again == _digests(root, monkeypatch, tmp_path / "nothing-kept")
    assert again[0] != first[0]


@pytest.mark.parametrize("keep_time", [False, True])
def test_a_post_page_follows_its_bytes_read_through_a_link_or_not(tmp_path, monkeypatch, smm, keep_time):
    """PostKeys: a post by the digest of the bytes it was read from (repo.digests), else (read through
    a link: not cached) by its file's stat; either way an edit (its size and time kept or not) shows
    as in a build with nothing kept."""
    from test_site import _tree, build

    (tmp_path / "repo").mkdir()
    root = write_fixture(tmp_path / "repo")
    (root / "drafts").mkdir()
    (root / "drafts/p3.md").write_text((root / "content/p3.md").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "content/p3.md").unlink()
    (root / "content/p3.md").symlink_to(root / "drafts/p3.md")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "kept"))
    assert build(smm)[0] == 0
    for post_id, file in (("p2", root / "content/p2.md"), ("p3", root / "drafts/p3.md")):
        old, new = f"Post {post_id}".encode(), f"Text {post_id}".encode()
        if keep_time:
            _same_size_same_time(file, old, new)
        else:
            file.write_bytes(file.read_bytes().replace(old, new + b" and more"))
    code, again, err = build(smm)
    assert code == 0, err
    assert {"posts/p2/index.html", "posts/p3/index.html"} <= set(again["written"])
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "nothing-kept"))
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh")
