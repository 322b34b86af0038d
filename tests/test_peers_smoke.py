"""The local peers are real servers: a round trip through each, the way smm will publish.

Needs the servers that tests/peers/*.sh start (`bash .ci/run` starts them): skipped locally when they
are not running, failed in CI (CI=true).
"""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import datetime, timezone

import pytest
from peers import http_json, require, unavailable

pytestmark = pytest.mark.peer

INDEX_WAIT_S = 15.0  # upper bound for the AppView to index a like (seen: ~0.5 s)
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(micros: int, clock_id: int) -> str:
    """An atproto TID (the record-key format of app.bsky.feed.post): 53-bit microseconds + 10-bit clock id."""
    n = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(TID_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(13)))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ----------------------------------------------------------------------------- Bluesky


@pytest.fixture
def atproto_client():
    """Make atproto SDK clients; closes their HTTP connections at teardown (unclosed sockets
    would be ResourceWarnings, errors under this suite's filterwarnings)."""
    try:
        from atproto import Client
    except ImportError as err:
        unavailable(f"the atproto SDK is not installed: {err}")
    made = []

    def make(base_url: str):
        client = Client(base_url=base_url)
        made.append(client)
        return client

    yield make
    for client in made:
        client.request.close()


def test_bluesky_put_get_like_and_appview_like_count(atproto_client):
    bsky = require("bluesky")
    from atproto import models

    alice_acct = bsky.create_account("alice")
    bob_acct = bsky.create_account("bob")
    alice = atproto_client(f"{bsky.pds_url}/xrpc")
    bob = atproto_client(f"{bsky.pds_url}/xrpc")
    # a brand-new account may not be indexed by the AppView yet: don't fetch the profile at login
    alice.login(alice_acct.handle, alice_acct.password, fetch_bsky_profile=False)
    bob.login(bob_acct.handle, bob_acct.password, fetch_bsky_profile=False)

    # putRecord with a key the publisher chose: repeating it is an upsert, not a second post
    rkey = tid(int(time.time() * 1_000_000), secrets.randbelow(1024))
    text = f"smm smoke test {uuid.uuid4().hex[:8]}"
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": now_iso(), "langs": ["en"]}
    put = models.ComAtprotoRepoPutRecord.Data(
        repo=alice_acct.did, collection="app.bsky.feed.post", rkey=rkey, record=record)
    first = alice.com.atproto.repo.put_record(put)
    again = alice.com.atproto.repo.put_record(put)
    assert first.uri == again.uri == f"at://{alice_acct.did}/app.bsky.feed.post/{rkey}"
    assert first.cid == again.cid  # same content, same CID

    got = alice.com.atproto.repo.get_record(models.ComAtprotoRepoGetRecord.Params(
        repo=alice_acct.did, collection="app.bsky.feed.post", rkey=rkey))
    assert (got.uri, got.cid, got.value.text) == (first.uri, first.cid, text)
    listed = alice.com.atproto.repo.list_records(models.ComAtprotoRepoListRecords.Params(
        repo=alice_acct.did, collection="app.bsky.feed.post"))
    assert [r.uri for r in listed.records] == [first.uri]

    # bob likes it: a like is a record in bob's repo pointing at the post (uri + cid)
    like = bob.app.bsky.feed.like.create(bob_acct.did, models.AppBskyFeedLike.Record(
        subject=models.create_strong_ref(first), created_at=bob.get_current_time_iso()))
    assert like.uri.startswith(f"at://{bob_acct.did}/app.bsky.feed.like/")

    # the AppView indexes the PDS firehose shortly after: poll, bounded in count and time
    appview = atproto_client(f"{bsky.appview_url}/xrpc")
    params = models.AppBskyFeedGetPosts.Params(uris=[first.uri])
    deadline = time.monotonic() + INDEX_WAIT_S
    posts = []
    for _ in range(int(INDEX_WAIT_S / 0.1)):
        posts = appview.app.bsky.feed.get_posts(params).posts
        if posts and posts[0].like_count:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert posts, f"the AppView never returned {first.uri}"
    post = posts[0]
    assert (post.uri, post.cid, post.author.did, post.author.handle) == (
        first.uri, first.cid, alice_acct.did, alice_acct.handle)
    assert post.record.text == text
    assert post.like_count == 1


# ----------------------------------------------------------------------------- Mastodon


def _masto(method: str, url: str, token: str, body=None, headers=None):
    status, data = http_json(method, url, body, {"Authorization": f"Bearer {token}", **(headers or {})})
    return status, data


def test_mastodon_idempotent_post_favourite_and_counts():
    masto = require("mastodon")
    status, me = _masto("GET", f"{masto.url}/api/v1/accounts/verify_credentials", masto.token)
    assert status == 200 and me["username"] == masto.username

    key = f"smm-smoke-{uuid.uuid4()}"
    text = f"smm smoke test {uuid.uuid4().hex[:8]}"
    body = {"status": text, "visibility": "public", "language": "en"}
    s1, first = _masto("POST", f"{masto.url}/api/v1/statuses", masto.token, body, {"Idempotency-Key": key})
    s2, second = _masto("POST", f"{masto.url}/api/v1/statuses", masto.token, body, {"Idempotency-Key": key})
    assert (s1, s2) == (200, 200), (first, second)
    assert first["id"] == second["id"]
    status, mine = _masto("GET", f"{masto.url}/api/v1/accounts/{me['id']}/statuses?limit=40", masto.token)
    assert status == 200
    assert [s["id"] for s in mine if text in s["content"]] == [first["id"]]

    # the second account favourites and boosts it
    status, fav = _masto("POST", f"{masto.url}/api/v1/statuses/{first['id']}/favourite", masto.token2)
    assert status == 200 and fav["favourited"] is True
    status, boost = _masto("POST", f"{masto.url}/api/v1/statuses/{first['id']}/reblog", masto.token2)
    assert status == 200 and boost["reblog"]["id"] == first["id"]

    status, seen = _masto("GET", f"{masto.url}/api/v1/statuses/{first['id']}", masto.token)
    assert status == 200
    assert (seen["favourites_count"], seen["reblogs_count"]) == (1, 1)
    assert seen["favourited"] is False  # as seen by the brand account itself
    status, notes = _masto("GET", f"{masto.url}/api/v1/notifications?types[]=favourite", masto.token)
    assert status == 200
    assert any(n["status"]["id"] == first["id"] and n["account"]["username"] == masto.username2 for n in notes)


def test_mastodon_fault_injection_answers_once_then_recovers():
    masto = require("mastodon")
    rule = {"match": {"methods": ["POST"], "path": "/api/v1/statuses"},
            "effect": {"type": "status", "status": 503}, "count": 1}
    status, added = http_json("POST", f"{masto.url}/api/v1/_mock/faults", rule)
    assert status == 200, added
    try:
        body = {"status": f"fault test {uuid.uuid4().hex[:8]}"}
        failed, _ = _masto("POST", f"{masto.url}/api/v1/statuses", masto.token, body)
        ok, posted = _masto("POST", f"{masto.url}/api/v1/statuses", masto.token, body)
        assert (failed, ok) == (503, 200), posted
    finally:
        http_json("DELETE", f"{masto.url}/api/v1/_mock/faults/{added['id']}")  # 404 once spent: fine
