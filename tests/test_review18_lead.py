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


# --- a post whose card template has errors ------------------------------------------------------

LOCAL = "timezone: Asia/Shanghai\naccounts:\n  loc: {platform: local}\n"


@pytest.mark.parametrize("broken", [
    ('"#1f3d2b"', "12"),                                             # the schema: a colour that is a number
    ("[0.06, 0.25, 0.88, 0.5]", "[0.5, 0.25, 0.88, 0.5]"),            # a box outside the card
    ("brand/cards/logo.png", "brand/cards/nope.png"),                 # a picture that is not there
    ("{min: 36, max: 88}", "{min: 90, max: 88}"),                     # sizes that cannot be
])
def test_a_post_waits_for_its_broken_card_template_never_sent_without_its_card(make_repo, smm, broken):
    """The post was published without its card (its media: none), and previewed without it, exit 0."""
    from test_cards import QUOTE, _card_post, _card_repo

    post = _card_post(platforms="[loc]", publish_at="2026-12-01T12:00")
    root = _card_repo(make_repo, QUOTE.replace(*broken), {"a.md": post})
    (root / "platforms.yml").write_text(LOCAL, encoding="utf-8")
    code, found, _ = smm.json("check")
    at_post = [(d["rule"], d["line"]) for d in found if d["file"] == "content/a.md" and d["severity"] == "error"]
    assert code == 1 and at_post == [("card.broken", 6)], found
    code, out, err = smm("preview", "content/a.md")
    assert "card template `quote` has errors" in out, out
    code, out, err = smm("publish", "--now", "2026-12-01T12:05:00+08:00")
    assert code == 1 and "card template `quote` has errors" in out + err, out + err
    assert not (root / ".smm-local/loc/posts.json").exists()
    (root / "brand/cards/quote.yml").write_text(QUOTE, encoding="utf-8")  # mended: it goes, with its card
    code, out, err = smm("publish", "--now", "2026-12-01T12:35:00+08:00")
    sent = json.loads((root / ".smm-local/loc/posts.json").read_text(encoding="utf-8"))
    assert code == 0 and [len(p["media"]) for p in sent] == [1], out + err


# --- a post whose hashtag set has errors -----------------------------------------------------------

@pytest.mark.parametrize("sets,broken", [
    ("tips: 3\n", True),                                   # not a list: the post went without its tags
    ("tips: [TeaTips, 12]\n", True),                       # a number among them: sent with the rest
    ("tips:\n  - TeaTips\n  - tea time\n", True),          # a tag no network links whole
    ("tips: []\n", True),                                  # none at all
    ("tips: [TeaTips, TeaTips]\n", True),                  # the same twice
    ("news: [News, 12]\ntips: [TeaTips]\n", False),        # (guard: another set's error)
    ("tips: [TeaTips]\nnews: 3\n", False),                 # (guard: the next set's error)
])
def test_a_post_waits_for_its_broken_hashtag_set_never_sent_without_its_tags(make_repo, smm, sets, broken):
    root = make_repo({"a.md": post_text_with(hashtags="[+tips]")}, files={"brand/hashtags.yml": sets})
    (root / "platforms.yml").write_text(LOCAL, encoding="utf-8")
    code, found, _ = smm.json("check")
    at_post = [(d["rule"], d["line"]) for d in found if d["file"] == "content/a.md" and d["severity"] == "error"]
    assert at_post == ([("hashtags.broken-set", 5)] if broken else []), found
    code, out, err = smm("publish", "--now", "2026-12-01T12:05:00+08:00")
    sent = root / ".smm-local/loc/posts.json"
    if broken:
        assert code == 1 and not sent.exists(), out + err
    else:
        assert [p["text"].split()[-1] for p in json.loads(sent.read_text(encoding="utf-8"))] == ["#TeaTips"], out + err


def post_text_with(**fields) -> str:
    from conftest import post_text

    return post_text("Water at 80 °C.", platforms="[loc]", **fields)


# --- a post whose handle file has errors ----------------------------------------------------------

@pytest.mark.parametrize("handles,line", [
    ("cloudleaf:\n  default: Cloudleaf\n  loc: 12\n", 3),          # the post went as "Ask cloudleaf: …"
    ("cloudleaf: [a, b]\n", 1),
    ("other:\n  default: x\nbad: 3\n", 3),                           # another name's error: the file counts as empty
    ("cloudleaf:\n  default: Cloudleaf Tea\n", None),                # (guard)
])
def test_a_post_waits_for_a_broken_handles_file_never_sent_with_the_bare_name(make_repo, smm, handles, line):
    """The file's error is reported once, at the file (the post is no second cause), and holds the post."""
    root = make_repo({"a.md": post_text_with().replace("Water", "Ask @{cloudleaf}: water"),
                      "b.md": post_text_with().replace("Water", "Ask @{cloudleaf} again: water")},
                     files={"brand/handles.yml": handles})
    (root / "platforms.yml").write_text(LOCAL, encoding="utf-8")
    code, found, _ = smm.json("check")
    errors = [(d["file"], d["line"]) for d in found if d["severity"] == "error"]
    assert errors == ([("brand/handles.yml", line)] if line else []), found
    code, out, err = smm("preview", "content/a.md")
    assert ("PROBLEM" in out) == bool(line), out
    code, out, err = smm("publish", "--now", "2026-12-01T12:05:00+08:00")
    sent = root / ".smm-local/loc/posts.json"
    if line:
        assert code == 1 and not sent.exists() and f"brand/handles.yml:{line}:" in out + err, out + err
    else:
        assert sorted(p["text"][:15] for p in json.loads(sent.read_text(encoding="utf-8"))) == ["Ask Cloudleaf T"] * 2, out + err
