"""A post file smm writes into content/ (`smm new` and `smm import`, reply drafts, auto-replies,
giveaway announcements) is there whole or not at all: a write that fails midway (the disk full, a
file size limit, a kill) leaves no half post that a later run would check, commit or publish, and
the error names the file (CannotWrite: exit 1, no traceback)."""

from __future__ import annotations

import resource
import signal
from contextlib import contextmanager

import pytest
from test_review11_outside_writes import _announcement, _append_items, _auto_reply, _new_post

from smm.workspace.files import CannotWrite


def _reply_draft(root):
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from smm.inbox.replies import reply_file

    reply_file(SimpleNamespace(root=root, config=SimpleNamespace(renames={}), posts=[], broken=[]), "m:1", datetime(2026, 12, 1, tzinfo=timezone.utc))


WRITERS = {"smm new": (_new_post, "content/2026/12/a.md"),
           "a giveaway announcement": (_announcement, "content/replies/2026-12-01-giveaway-g-m.md"),
           "a reply draft": (_reply_draft, "content/replies/2026-12-01-m-1.md"),
           "an auto-reply": (_auto_reply, "content/replies/auto/auto-m-1.md")}


@contextmanager
def files_cut_at(size: int):
    """Every file this process writes fails past `size` bytes (EFBIG), as on a full disk."""
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_post_file_cut_short_while_written_is_not_left_behind(tmp_path, writer):
    write, file = WRITERS[writer]
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "platforms.yml").write_text("accounts: {}\n", encoding="utf-8")
    _append_items(root)  # the inbox item a reply answers
    with files_cut_at(16), pytest.raises(CannotWrite) as failed:
        write(root)
    assert failed.value.message.startswith(f"cannot write {file}:")  # what `error:` says
    assert not (root / file).exists()  # no half post
    assert [p for p in (root / "content").rglob("*") if p.is_file()] == []  # nor a temporary file
    write(root)  # with room, it is written whole
    assert (root / file).read_text(encoding="utf-8").startswith("---\n")


@pytest.mark.parametrize("hard_links", [True, False], ids=["hard links", "a file system without them"])
def test_a_new_post_file_never_replaces_one_made_meanwhile(tmp_path, monkeypatch, hard_links):
    from smm.workspace.files import write_atomic

    if not hard_links:
        monkeypatch.setattr("os.link", lambda *_: (_ for _ in ()).throw(PermissionError(1, "Operation not permitted")))
    path = tmp_path / "content/a.md"
    write_atomic(path, "---\ntitle: first\n---\n", tmp_path, new=True)
    with pytest.raises(FileExistsError):
        write_atomic(path, "---\ntitle: second\n---\n", tmp_path, new=True)
    assert path.read_text(encoding="utf-8") == "---\ntitle: first\n---\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.md"]  # no temporary file left


def test_a_file_where_the_new_posts_folder_goes_is_cannot_write_not_taken(tmp_path):
    """Only the post's own name being taken is FileExistsError (smm new picks another id); a file where
    its folder goes (mkdir's "File exists") is an error naming the post."""
    from smm.workspace.files import write_atomic

    (tmp_path / "content").write_text("not a folder", encoding="utf-8")
    with pytest.raises(CannotWrite) as failed:
        write_atomic(tmp_path / "content/a.md", "---\ntitle: a\n---\n", tmp_path, new=True)
    assert failed.value.message == "cannot write content/a.md: File exists"
