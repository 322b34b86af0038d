"""The eighteenth session's own findings, each a table over its class."""

from __future__ import annotations

import dataclasses
import json

import frontmatter
import pytest
from test_inbox import _item

NOW = "2026-12-05T12:00:00+00:00"


# --- smm reply: two items whose ids make one file name -------------------------------------------

@pytest.mark.parametrize("first,second", [
    ("mastodon:A1", "mastodon:a1"),                      # case alone (X, Bluesky record keys keep case)
    ("mastodon:1.2", "mastodon:1-2"),                    # punctuation alone
    ("bluesky:at://did:plc:a/app.bsky.feed.post/3kx", "bluesky:at://did:plc:a/app-bsky-feed-post/3KX"),
    ("mastodon:1" + "9" * 70, "mastodon:2" + "9" * 70),  # the same last 60 characters
])
def test_each_item_gets_its_own_reply_draft(make_repo, smm, first, second):
    """The second item's draft was refused ("… exists already: edit it"), naming the first's file."""
    root = make_repo(calendar=None)
    (root / "data/inbox").mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(dataclasses.asdict(_item(i, author=f"fan{n}"))) for n, i in enumerate((first, second))]
    (root / "data/inbox/2026-12.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    drafts = {}
    for item in (first, second):
        code, out, err = smm("reply", item, "--now", NOW)
        assert code == 0, out + err
        drafts[item] = {p for p in (root / "content/replies").iterdir()} - set().union(*drafts.values())
    assert [len(d) for d in drafts.values()] == [1, 1]
    for item, (path,) in drafts.items():
        assert frontmatter.loads(path.read_text(encoding="utf-8"))["reply_to"] == item
    code, out, err = smm("reply", second, "--now", NOW)  # and still one draft per item
    assert code == 1 and "answers" in out + err
    code, found, _ = smm.json("check")
    assert not [d for d in found if d["severity"] == "error"], found
