"""`smm metrics` reads a competitor's public figures from real servers: a competitor account made on
mastodon-mock and on the Bluesky network (with posts, likes, boosts and a follower made there; each
test its own uniquely named accounts), and one on the X double (tests/peers/x_api.py). Skipped
locally when a server is down; failed in CI."""

from __future__ import annotations

import csv
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from peers import http_json, require, unavailable

from smm.metrics import collect as metrics
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer

INDEX_WAIT = 15.0  # seconds the Bluesky AppView may take to index what was just made


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _run(make_repo, platforms: str, competitor: str, accounts: str, env: dict, now: datetime):
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n{platforms}", calendar=None,
                     files={"brand/listening.yml": f"competitors:\n  {competitor}:\n    accounts: {accounts}\n"})
    report = metrics.collect(load_repo(root), now, env, sleep=lambda s: None)
    path = root / f"data/competitors/{now:%Y-%m}.csv"
    rows = []
    if path.exists():
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    return report, rows


def test_mastodon_competitor_followers_posts_and_median_engagement(make_repo):
    masto = require("mastodon")
    rival = masto.create_account(f"rival{uuid.uuid4().hex[:8]}")
    fan = {"Authorization": f"Bearer {masto.token2}"}
    as_rival = {"Authorization": f"Bearer {rival.token}"}
    made = [http_json("POST", f"{masto.url}/api/v1/statuses", {"status": f"Rival news {i} {rival.username}"},
                      headers=as_rival)[1]["id"] for i in range(3)]
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{made[0]}/favourite", headers=fan)[0] == 200
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{made[0]}/reblog", headers=fan)[0] == 200
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{made[1]}/favourite", headers=fan)[0] == 200
    assert http_json("POST", f"{masto.url}/api/v1/accounts/{rival.id}/follow", headers=fan)[0] == 200
    fan_post = http_json("POST", f"{masto.url}/api/v1/statuses", {"status": f"fan {rival.username}"}, headers=fan)[1]
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{fan_post['id']}/reblog", headers=as_rival)[0] == 200
    host = masto.url.split("://", 1)[1]
    report, rows = _run(make_repo, f"  mastodon: {{platform: mastodon, instance: '{masto.url}', token_env: T_M}}\n",
                        "Rival", f"{{mastodon: '@{rival.username}@{host}'}}", {"T_M": masto.token}, _now())
    assert [c.state for c in report.competitors] == ["collected"], report.competitors
    # engagement 2, 1, 0 (the rival's boost of the fan's status is no post of its own): median 1
    assert [(r["competitor"], r["network"], r["followers"], r["posts"], r["median_engagement"]) for r in rows] == [
        ("Rival", "mastodon", "1", "3", "1")]
    unknown = _run(make_repo, f"  mastodon: {{platform: mastodon, instance: '{masto.url}', token_env: T_M}}\n",
                   "Nobody", f"{{mastodon: '@nobody{uuid.uuid4().hex[:6]}@{host}'}}", {"T_M": masto.token}, _now())[0]
    assert [c.state for c in unknown.competitors] == ["failed"] and "Mastodon: no account @nobody" in \
        unknown.competitors[0].reason


def _bluesky_client(bsky, account):
    from atproto import Client

    client = Client(base_url=f"{bsky.pds_url}/xrpc")
    client.login(account.handle, account.password, fetch_bsky_profile=False)
    return client


def _create(client, did: str, collection: str, **fields):
    """A record in `did`'s repository (a post, like, repost or follow); its strong ref."""
    made = client.com.atproto.repo.create_record({"repo": did, "collection": collection, "record": {
        "$type": collection, "createdAt": client.get_current_time_iso(), **fields}})
    return {"uri": made.uri, "cid": made.cid}


def test_bluesky_competitor_followers_posts_and_median_engagement(make_repo):
    bsky = require("bluesky")
    try:
        import atproto  # noqa: F401
    except ImportError as exc:
        unavailable(f"the atproto SDK is not installed: {exc}")
    brand, rival, fan = bsky.create_account("brand"), bsky.create_account("rival"), bsky.create_account("fan")
    rivals, fans = _bluesky_client(bsky, rival), _bluesky_client(bsky, fan)
    try:
        posts = [_create(rivals, rival.did, "app.bsky.feed.post", text=f"Rival news {i}") for i in range(3)]
        _create(fans, fan.did, "app.bsky.feed.like", subject=posts[0])
        _create(fans, fan.did, "app.bsky.feed.repost", subject=posts[0])
        _create(fans, fan.did, "app.bsky.feed.like", subject=posts[1])
        _create(fans, fan.did, "app.bsky.graph.follow", subject=rival.did)
        mine = _create(fans, fan.did, "app.bsky.feed.post", text="a fan's own post")
        _create(rivals, rival.did, "app.bsky.feed.repost", subject=mine)  # in the rival's feed, not its post
    finally:
        rivals.request.close()
        fans.request.close()
    platforms = (f"  bluesky: {{platform: bluesky, service: '{bsky.pds_url}', handle: {brand.handle}, "
                 "password_env: T_B}\n")
    deadline = time.monotonic() + INDEX_WAIT
    while True:  # bounded: the AppView indexes the firehose shortly after
        report, rows = _run(make_repo, platforms, "Rival", f"{{bluesky: {rival.handle}}}", {"T_B": brand.password},
                            _now())
        got = [(r["followers"], r["posts"], r["median_engagement"]) for r in rows]
        if got == [("1", "3", "1")] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [c.state for c in report.competitors] == ["collected"], report.competitors
    assert got == [("1", "3", "1")]  # engagement 2, 1, 0; the repost is left out
    unknown = _run(make_repo, platforms, "Nobody", "{bluesky: nobody-at-all.test}", {"T_B": brand.password}, _now())[0]
    assert [(c.state, c.reason) for c in unknown.competitors] == [("failed", "Bluesky: no account nobody-at-all.test")]


def test_x_competitor_followers_posts_and_median_engagement(make_repo):
    x = require("x")
    name = f"rival{uuid.uuid4().hex[:6]}"
    old = x.control("POST", "post_as", {"username": name, "text": "an old post", "followers": 321})["data"]["id"]
    x.control("POST", "engage", {"id": old, "like_count": 900})
    now = datetime.fromtimestamp(x.advance_clock(31 * 86400), timezone.utc)  # the old post: 31 days ago
    made = [x.control("POST", "post_as", {"username": name, "text": f"Rival news {i}"})["data"]["id"] for i in range(4)]
    x.control("POST", "engage", {"id": made[0], "like_count": 10, "retweet_count": 2, "reply_count": 1})
    x.control("POST", "engage", {"id": made[1], "like_count": 4})
    x.control("POST", "engage", {"id": made[2], "like_count": 6, "quote_count": 50})  # quotes are not counted
    platforms = (f"  x: {{platform: x, api_base: '{x.url}', api_key_env: XK, api_secret_env: XS, "
                 "access_token_env: XT, access_secret_env: XTS}\n")
    env = {"XK": x["OAUTH1_CONSUMER_KEY"], "XS": x["OAUTH1_CONSUMER_SECRET"], "XT": x["OAUTH1_TOKEN"],
           "XTS": x["OAUTH1_TOKEN_SECRET"]}
    report, rows = _run(make_repo, platforms, "Rival", f"{{x: {name}, mastodon: '@nobody@example.com'}}", env,
                        now + timedelta(minutes=1))
    assert [c.state for c in report.competitors] == ["collected"], report.competitors
    # engagement 13, 4, 6, 0 (the 31-day-old post is out): median 5
    assert [(r["handle"], r["followers"], r["posts"], r["median_engagement"]) for r in rows] == [(name, "321", "4", "5")]
    unknown = _run(make_repo, platforms, "Nobody", "{x: nobody_here}", env, now + timedelta(minutes=2))[0]
    assert [(c.state, c.reason) for c in unknown.competitors] == [("failed", "X: no user @nobody_here")]
