"""First comments (`first_comment:`, issue 20): checked and counted like a reply on each network,
reported at the field that holds them, named where a network cannot comment, previewed as their
own entry. Publishing them never twice is tests/test_never_twice.py's (section 6)."""

from __future__ import annotations

import pytest
from conftest import post_text

PLATFORMS = """\
timezone: UTC
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON, char_limit: 500}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
  x: {platform: x, token_env: T_X}
  linkedin: {platform: linkedin, token_env: T_LI, author: "urn:li:organization:1"}
  discord: {platform: discord, webhook_env: T_HOOK}
  slack: {platform: slack, webhook_env: T_HOOK}
  slackbot: {platform: slack, token_env: T_SLACK, channel: C1}
"""


def _post(platforms: str, **fields) -> str:
    return post_text("The post itself.", platforms=platforms, **fields)


@pytest.mark.parametrize("platforms,fields,expected", [
    ("[mastodon, bluesky, x, linkedin, slackbot]", {"first_comment": "'More: https://example.com/a'"}, []),
    ("[bluesky]", {"first_comment": "'" + "a" * 301 + "'"}, [("render.too-long", "first_comment", "first comment: bluesky")]),
    ("[x]", {"first_comment": "'" + "茶" * 141 + "'"}, [("render.too-long", "first_comment", "first comment: x")]),
    ("[mastodon]", {"first_comment": "'" + "a" * 501 + "'"}, [("render.too-long", "first_comment", "first comment: mastodon")]),
    ("[mastodon, x]", {"overrides": "{x: {first_comment: '" + "a" * 300 + "'}}", "first_comment": "'short'"},
     [("render.too-long", "overrides.x.first_comment", "first comment: x")]),
    ("[slack]", {"first_comment": "'Link in the comment'"},  # a webhook cannot reply in a thread; a bot token can
     [("post.first-comment-unsupported", "first_comment", "slack: Slack cannot publish a comment")]),
    ("[feed, discord]", {"first_comment": "'Link in the comment'"},
     [("post.first-comment-unsupported", "first_comment", "discord: Discord"),
      ("post.first-comment-unsupported", "first_comment", "feed: Feed")]),
    ("[feed, mastodon]", {"overrides": "{mastodon: {first_comment: 'only here'}}"}, []),  # the hint's way out
    ("[mastodon]", {"first_comment": "''"}, [("schema.empty", "first_comment", "")]),
    ("[mastodon]", {"first_comment": "[a, b]"}, [("schema.type", "first_comment", "")]),
])
def test_a_first_comment_is_checked_like_a_reply_where_it_is_written(make_repo, smm, platforms, fields, expected):
    root = make_repo({"p.md": _post(platforms, **fields)}, platforms=PLATFORMS, calendar=None)
    lines = (root / "content/p.md").read_text().splitlines()
    code, found, _ = smm.json("check", "--now", "2026-11-01T00:00:00+00:00")
    got = sorted((d["rule"], d["line"], d["message"]) for d in found if d["file"] == "content/p.md")
    assert len(got) == len(expected), got
    for (rule, line, message), (want_rule, field, start) in zip(got, sorted(expected)):
        assert rule == want_rule and message.startswith(start), (rule, message)
        written = lines[line - 1].strip()
        assert written.startswith(field.split(".")[-1] + ":") or (field.startswith("overrides") and "first_comment" in written)
    assert code == (1 if any(r.startswith(("render", "schema")) for r, *_ in expected) else 0)


def test_the_preview_shows_the_first_comment_under_its_post(make_repo, smm):
    make_repo({"p.md": _post("[feed, mastodon, bluesky]", first_comment="'Tea at https://example.com/t'")},
              platforms=PLATFORMS, calendar=None)
    code, shown, _ = smm.json("preview")
    assert code == 0
    assert [(p["post"], [a["account"] for a in p["accounts"]]) for p in shown] == [
        ("p", ["feed", "mastodon", "bluesky"]), ("p+comment", ["mastodon", "bluesky"])]
    assert shown[1]["accounts"][0]["parts"][0]["text"].startswith("Tea at https://example.com/t?utm_source=mastodon")
    assert shown[1]["accounts"][0]["media"] == [] and shown[1]["accounts"][0]["link"] is None
    code, text, _ = smm("preview")
    assert "== p+comment: A post" in text
