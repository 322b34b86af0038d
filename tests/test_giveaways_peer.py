"""Giveaways on real servers: a brand post published with smm on mastodon-mock and on the local
Bluesky network, fans (unique accounts) who reply, repost and like, then `smm giveaway draw` and
`smm giveaway verify` through the CLI."""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import post_text
from peers import http_json, require
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo
from test_giveaways import commit, git

pytestmark = pytest.mark.peer


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def giveaway_repo(make_repo, platforms: str, account: str, staff: str, rules: str):
    """A repository whose giveaway post is published now (real clock), with a deadline a day later."""
    now = datetime.now(timezone.utc)
    deadline = now + timedelta(days=1)
    post = post_text(f"Reply, boost or like to win a tin of tea {secrets.token_hex(3)}", platforms=f"[{account}]",
                     publish_at=iso(now - timedelta(minutes=1)),
                     giveaway=f"\n  enter: [reply, repost, like]\n  deadline: \"{iso(deadline)}\"\n  winners: 1\n"
                              f"  rules: {rules}")
    root = make_repo({"g.md": post}, calendar=None, platforms=platforms,
                     files={"brand/brand.yml": f"name: Brand\nstaff: [\"{staff}\"]\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    commit(root, now - timedelta(minutes=2), "the giveaway")
    return root, deadline


def publish(root, env: dict, account: str) -> str:
    report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
    assert [j.state for j in report.jobs] == ["published"]
    return json.loads((root / "data/published/g.json").read_text())["accounts"][account]["remote_id"]


def draw_and_verify(root, smm, deadline: datetime, env: dict) -> dict:
    git(root, "add", "-A")
    seed = commit(root, deadline + timedelta(minutes=3), "after the deadline")
    code, record, err = smm.json("giveaway", "draw", "g", "--now", iso(deadline + timedelta(hours=1)), env=env)
    assert code == 0, err
    assert record["seed"]["commit"] == seed
    code, out, err = smm("giveaway", "verify", "g")
    assert code == 0 and out.startswith("match: g"), err
    code, _, err = smm("giveaway", "draw", "g", "--now", iso(deadline + timedelta(hours=2)), env=env)
    assert code == 1 and "already drawn" in err
    return record


def _masto(masto, token, method, path, body=None):
    status, answer = http_json(method, f"{masto.url}{path}", body, headers={"Authorization": f"Bearer {token}"})
    assert status == 200, answer
    return answer


def test_giveaway_on_mastodon(make_repo, smm):
    masto = require("mastodon")
    tag = secrets.token_hex(3)
    brand, winner, loner, staffer = (masto.create_account(f"g18{who}{tag}") for who in ("brand", "win", "lone", "staff"))
    host = masto.url.split("://", 1)[1]
    platforms = f"timezone: UTC\naccounts:\n  masto: {{platform: mastodon, instance: '{masto.url}', token_env: T_M}}\n"
    root, deadline = giveaway_repo(make_repo, platforms, "masto", f"@{staffer.username}@{host}", "{must_follow: true}")
    env = {"T_M": brand.token}
    remote = publish(root, env, "masto")
    _masto(masto, winner.token, "POST", "/api/v1/statuses", {"status": "me please!", "in_reply_to_id": remote})
    for fan in (winner, loner, staffer):
        _masto(masto, fan.token, "POST", f"/api/v1/statuses/{remote}/favourite")
    _masto(masto, loner.token, "POST", f"/api/v1/statuses/{remote}/reblog")
    for fan in (winner, staffer):
        _masto(masto, fan.token, "POST", f"/api/v1/accounts/{brand.id}/follow")

    record = draw_and_verify(root, smm, deadline, env)
    assert [(w["handle"], w["key"]) for w in record["winners"]] == [(f"{winner.username}@{host}", f"mastodon:{winner.username}@{host}".lower())]
    assert record["entrant_count"] == 1
    assert record["rejected"] == {"duplicate": 1, "not_following": 2, "staff": 1}
    assert "Mastodon does not say when a like was made: counted as before the deadline" in record["notes"]
    path = root / record["announcements"][0]
    announcement = path.read_text(encoding="utf-8")
    assert f'reply_to: "masto:{remote}"' in announcement and f"@{winner.username}@{host}" in announcement
    path.write_text(announcement.replace("draft: true\n", ""), encoding="utf-8")  # the editor approves it
    report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
    assert [j.state for j in report.jobs] == ["published"]
    replies = _masto(masto, brand.token, "GET", f"/api/v1/statuses/{remote}/context")["descendants"]
    assert [r["account"]["username"] for r in replies if str(r["in_reply_to_id"]) == remote].count(brand.username) == 1


def _login(client, account) -> None:
    from atproto_client.exceptions import BadRequestError

    give_up = time.monotonic() + 20
    while True:
        try:
            client.login(account.handle, account.password)
            return
        except BadRequestError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.2)


def test_giveaway_on_bluesky(make_repo, smm):
    bsky = require("bluesky")
    from atproto import Client, models

    brand, winner, other = (bsky.create_account(f"g18{who}") for who in ("brand", "win", "other"))
    platforms = (f"timezone: UTC\naccounts:\n  sky: {{platform: bluesky, service: '{bsky.pds_url}', "
                 f"handle: {brand.handle}, password_env: T_B}}\n")
    root, deadline = giveaway_repo(make_repo, platforms, "sky", f"@{other.handle}", "{one_per_person: true}")
    env = {"T_B": brand.password}
    remote = publish(root, env, "sky")
    client = Client(base_url=bsky.pds_url.rstrip("/") + "/xrpc")
    for fan in (winner, other):
        _login(client, fan)
        parent = models.create_strong_ref(client.get_post(remote.rsplit("/", 1)[1], brand.did))
        client.send_post("me please!", reply_to=models.AppBskyFeedPost.ReplyRef(parent=parent, root=parent))
        client.like(parent.uri, parent.cid)
        client.repost(parent.uri, parent.cid)
    give_up = time.monotonic() + 20  # the AppView indexes a moment behind the PDS
    while time.monotonic() < give_up:
        seen = client.get_posts([remote]).posts[0]
        if (seen.like_count, seen.repost_count, seen.reply_count) == (2, 2, 2):
            break
        time.sleep(0.2)

    record = draw_and_verify(root, smm, deadline, env)
    assert [(w["handle"], w["key"]) for w in record["winners"]] == [(winner.handle, f"bluesky:{winner.did}")]
    assert record["rejected"] == {"duplicate": 2, "staff": 3}
    assert "Bluesky does not say when a repost was made: counted as before the deadline" in record["notes"]
