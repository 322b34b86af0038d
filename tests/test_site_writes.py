"""How the site's files are written (smm.site.output): into a folder that was empty each file is made
in place (no temporary file and rename per page; the page cache links to it at once), into a folder
smm wrote before through a temporary file and a rename (a reader never sees half a page); both make
the same files, and a file the other process made meanwhile is replaced, not an error."""

from __future__ import annotations

import os

import pytest
from conftest import post_text
from test_site import _tree, build


from smm.site import output


BASE = ("--base-url", "https://example.org/site/")


@pytest.fixture
def renames(monkeypatch) -> list[str]:
    """The target of every os.replace() (the site's files, the page cache's, any other of the build's)."""
    done: list[str] = []
    real = os.replace

    def counted(source, target, *args, **kwargs):
        done.append(os.fspath(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", counted)
    return done


@pytest.mark.parametrize(("out_first", "renamed_pages"), [
    (None, False),  # a new folder
    ("empty", False),  # an empty folder that is there already
    ("built", True),  # a folder smm built before (its pages are replaced)
])
def test_a_folder_that_was_empty_gets_its_files_without_renames(make_repo, smm, renames, out_first, renamed_pages):
    root = make_repo({f"p{i}.md": post_text(f"post {i}", title=f"P{i}") for i in range(3)})
    if out_first == "empty":
        (root / "_site").mkdir()
    elif out_first == "built":
        assert build(smm)[0] == 0
        renames.clear()
    code, built, err = build(smm, *BASE)  # (after a build: another setting, every page made again)
    assert code == 0, err
    renamed = [p for p in renames if p.endswith("/index.html") and "/site-pages/" not in p]  # (the site's pages)
    assert bool(renamed) == renamed_pages
    assert not [p for p in renames if "/site-pages/" in p]  # the page cache: links made at once
    assert not [p for p in _tree(root / "_site") if ".tmp" in p]
    assert build(smm, *BASE, out="again")[0] == 0
    assert _tree(root / "_site") == _tree(root / "again")


@pytest.mark.parametrize("write", [getattr(output, "new_file", output.replace_file), output.replace_file])
@pytest.mark.parametrize("there", [None, "file", "folder made"])
def test_a_file_is_written_whatever_is_there(tmp_path, write, there):
    path = tmp_path / "posts" / "p" / "index.html"
    made: set[str] = set()
    if there:
        path.parent.mkdir(parents=True)
        if there == "file":
            path.write_bytes(b"written by the other process")
    write(os.fspath(path), b"this page", made)
    write(os.fspath(tmp_path / "posts" / "q" / "index.html"), b"the next", made)  # a sibling folder: one mkdir
    assert path.read_bytes() == b"this page"
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.html"]
    assert os.fspath(path.parent) in made


def test_a_folder_in_place_of_a_file_is_an_error(tmp_path):
    (tmp_path / "posts").write_text("a file")
    for write in (getattr(output, "new_file", output.replace_file), output.replace_file):
        with pytest.raises(OSError):
            write(os.fspath(tmp_path / "posts" / "p" / "index.html"), b"page", set())
