"""smm writes only inside the repository: with `data/` or `content/` (or one of their folders) a
symbolic link out of it, every writer there refuses with a message naming the file, nothing is
written out there, and `smm publish` refuses before it calls any network (its records would go out
there and be read by no later run: a post published twice)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import copy_example

from smm.errors import SmmError
from smm.workspace.files import CannotWrite


def _write_atomic(root):
    from smm.workspace.files import write_atomic

    write_atomic(root / "data/published/x.json", "{}\n", root)


def _append_rows(root):
    from smm.data.tables import append_rows

    append_rows(root, "data/metrics/2026-12.csv", ["a", "b"], [[1, 2]])


def _append_items(root):
    from smm.inbox.items import Item, append_items

    append_items(root, [Item("m:1", "m", "mastodon", "comment", "a", "hi", None, "2026-12-01T10:00:00+00:00",
                             "2026-12-02T10:00:00+00:00", "normal", "neutral", "question", "open", None,
                             "2026-12-01T10:00:00+00:00")])


def _new_post(root):
    from smm.content.newpost import write_new_post

    write_new_post(root, root / "content/2026/12/a.md", "---\ntitle: a\n---\nhi\n")


def _announcement(root):
    from smm.giveaways.announce import write_announcements

    record = {"winners": [{"handle": "w"}], "accounts": {"m": "1"}, "drawn_at": "x", "entrant_count": 1,
              "seed": {"commit": "0" * 40}}
    write_announcements(root, SimpleNamespace(id="g", title="G"), record, datetime(2026, 12, 1, tzinfo=timezone.utc))


def _reply_draft(root):
    from smm.inbox.replies import reply_file

    _append_items(root)  # the item it answers
    reply_file(SimpleNamespace(root=root, config=SimpleNamespace(renames={}), posts=[], broken=[]), "m:1", datetime(2026, 12, 1, tzinfo=timezone.utc))


def _auto_reply(root):
    from smm.inbox.auto import _write
    from smm.inbox.items import Item

    item = Item("m:1", "m", "mastodon", "comment", "a", "hi", None, "2026-12-01T10:00:00+00:00",
                "2026-12-02T10:00:00+00:00", "normal", "neutral", "question", "open", None, "2026-12-01T10:00:00+00:00")
    _write(root, item, SimpleNamespace(name="thanks", render=lambda **_: "Thank you!"))


WRITERS = [_write_atomic, _append_rows, _append_items, _new_post, _announcement, _reply_draft, _auto_reply]
LINKS = ["data", "data/published", "data/metrics", "data/inbox", "content", "content/replies"]
WRITES_IN = {_write_atomic: "data/published", _append_rows: "data/metrics", _append_items: "data/inbox",
             _new_post: "content/2026", _announcement: "content/replies", _reply_draft: "content/replies",
             _auto_reply: "content/replies/auto"}


def _link_out(root: Path, outside: Path, link: str) -> None:
    outside.mkdir(parents=True, exist_ok=True)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__name__)
@pytest.mark.parametrize("link", LINKS)
def test_no_writer_writes_through_a_link_out_of_the_repository(tmp_path, writer, link):
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    _link_out(root, outside, link)
    leads_out = WRITES_IN[writer]
    if leads_out == link or leads_out.startswith(link + "/"):
        with pytest.raises((CannotWrite, SmmError), match="leads outside the repository"):
            writer(root)
    elif writer is _reply_draft and "data/inbox".startswith(link):  # its inbox item cannot be written there first
        with pytest.raises(SmmError, match="leads outside the repository"):
            writer(root)
    else:
        writer(root)  # another folder is linked out: this one is written in the repository
        assert any((root / leads_out).iterdir())
    assert not [p for p in outside.rglob("*") if p.is_file()]


@pytest.mark.parametrize("link", ["data", "data/published"])
def test_publish_refuses_when_its_records_would_go_out_of_the_repository(tmp_path, link):
    root, outside = copy_example(tmp_path / "repo"), tmp_path / "outside"
    shutil.rmtree(root / link)
    _link_out(root, outside, link)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMM_")}
    env.update(SMM_CACHE_DIR=str(tmp_path / "cache"), SMM_NOW="2026-12-07T12:00+08:00")
    done = subprocess.run([sys.executable, "-m", "smm", "publish"], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "data/published:1:1: error[record.invalid]: the records' folder leads outside the repository" in done.stderr
    assert "Traceback" not in done.stderr
    assert not [p for p in outside.rglob("*") if p.is_file()]
    checked = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json"], cwd=root, env=env,
                             capture_output=True, text=True)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    if link == "data":  # the check stops at the first card picture it would write out there
        assert "error: cannot write data/cards/" in checked.stderr and "leads outside the repository" in checked.stderr
    else:
        assert "record.invalid" in {d["rule"] for d in json.loads(checked.stdout) if d["file"] == "data/published"}
    assert not [p for p in outside.rglob("*") if p.is_file()]
