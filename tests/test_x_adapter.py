"""The X adapter over real HTTP against the local X API v2 double (tests/peers/x_api.py): each way
to authenticate, threads as reply chains, media with alt text (one request, or chunked with
processing), never twice (a lost answer found again), X's refusals and rate limits, metrics,
followers and the rotated refresh token. Skipped locally when the double is not running.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest

from conftest import post_text
from peers import require
from smm.errors import AuthError, RateLimited, Rejected, TransientError
from smm.platforms import Lookup, Outgoing, platform_class
from smm.publish.pipeline import Publisher
from smm.workspace.config import Account
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer
_MADE: list = []  # adapters a test made, closed after it


@pytest.fixture
def x():
    double = require("x")
    double.reset()
    yield double
    while _MADE:
        _MADE.pop().close()
    double.reset()


def _oauth1(x, folder=None):
    return ({"api_key_env": "XK", "api_secret_env": "XS", "access_token_env": "XT", "access_secret_env": "XTS"},
            {"XK": x["OAUTH1_CONSUMER_KEY"], "XS": x["OAUTH1_CONSUMER_SECRET"], "XT": x["OAUTH1_TOKEN"],
             "XTS": x["OAUTH1_TOKEN_SECRET"]})


def _refresh(x, folder):
    return ({"refresh_token_env": "XR", "client_id": x["CLIENT_ID"]},
            {"XR": x["REFRESH_TOKEN"], "SMM_ROTATED_SECRETS": str(folder)})


AUTH = {
    "oauth1": _oauth1,
    "bearer": lambda x, folder: ({"token_env": "XB"}, {"XB": x["TOKEN"]}),
    "refresh": _refresh,
}


def adapter(x, options, env, root=None):
    account = Account("acct", "x", {"platform": "x", "api_base": x.url, "handle": "smm_brand", **options})
    made = platform_class("x")(account, env, root)
    made.sleep = lambda seconds: None
    _MADE.append(made)
    return made


def part(text, index=0, total=1, reply_to=None, media=()):
    return Outgoing("p", "acct", "T", text, index=index, total=total, reply_to=reply_to, media=tuple(media))


def _image(path, kind="PNG"):
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (20, 10), "green").save(buffer, kind)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("how", list(AUTH))
def test_each_way_to_authenticate_publishes_a_thread_as_a_reply_chain(x, tmp_path, how):
    options, env = AUTH[how](x, tmp_path / "rotated")
    made = adapter(x, options, env)
    first = made.publish(part("Winter blend is here 冬季 https://cloudleaf.example/w", 0, 2), idempotency_key="k0")
    second = made.publish(part("Part two", 1, 2, reply_to=first), idempotency_key="k1")
    made.close()
    posts = {t["id"]: t for t in x.state()["published"]}
    assert posts[second.remote_id]["referenced_tweets"] == [{"type": "replied_to", "id": first.remote_id}]
    assert first.url == f"https://x.com/smm_brand/status/{first.remote_id}"


def test_a_refresh_keeps_the_rotated_token_and_the_next_run_uses_it(x, tmp_path):
    options, env = _refresh(x, tmp_path / "rotated")
    made = adapter(x, options, env)
    grant = made.check_credentials()
    made.close()
    rotated = (tmp_path / "rotated" / "XR").read_text().strip()
    assert rotated and rotated != x["REFRESH_TOKEN"]
    assert oct((tmp_path / "rotated" / "XR").stat().st_mode & 0o777) == "0o600"
    assert grant.scopes >= platform_class("x").needed_scopes
    assert grant.renewed and grant.identity == "@smm_brand"
    again = adapter(x, options, env)  # the environment still holds the old, now refused, token
    assert again.followers() == 150
    again.close()
    (tmp_path / "rotated" / "XR").unlink()
    with pytest.raises(AuthError, match="XR was refused"):
        adapter(x, options, env).followers()


@pytest.mark.parametrize("env, said", [
    ({"XR": "r"}, "set SMM_ROTATED_SECRETS"),
    ({"XR": "r", "SMM_ROTATED_SECRETS": "REPO/rotated"}, "outside the repository"),
])
def test_a_refresh_token_needs_a_folder_outside_the_repository(x, tmp_path, env, said):
    env = {k: v.replace("REPO", str(tmp_path)) for k, v in env.items()}
    options = {"refresh_token_env": "XR", "client_id": x["CLIENT_ID"]}
    if "SMM_ROTATED_SECRETS" not in env:
        assert said in platform_class("x").readiness(options, env).not_configured
    with pytest.raises(AuthError, match=said):
        adapter(x, options, env, root=tmp_path).followers()


def test_images_go_in_one_request_and_a_gif_in_chunks_each_with_its_alt_text(x, tmp_path):
    options, env = _oauth1(x)
    media = [(_image(tmp_path / "a.png"), "A green cup"), (_image(tmp_path / "b.gif", "GIF"), "A moving cup")]
    result = adapter(x, options, env).publish(part("With media", media=media), idempotency_key="k")
    state = x.state()
    assert sorted((m["category"], m["alt_text"], m["state"]) for m in state["media"]) == [
        ("tweet_gif", "A moving cup", "succeeded"), ("tweet_image", "A green cup", "succeeded")]
    assert len(state["published"][0]["attachments"]["media_keys"]) == 2
    assert state["published"][0]["id"] == result.remote_id


def test_media_x_cannot_process_is_refused_and_nothing_is_posted(x, tmp_path):
    options, env = _oauth1(x)
    x.control("POST", "media_outcome", {"state": "failed"})
    with pytest.raises(Rejected, match="could not process b.gif: Unsupported video format"):
        adapter(x, options, env).publish(part("GIF", media=[(_image(tmp_path / "b.gif", "GIF"), None)]),
                                         idempotency_key="k")
    assert x.state()["published"] == []


def _lookup(sent, since, owned=()):
    return Lookup(tuple(sent), since, datetime.now(timezone.utc) + timedelta(minutes=1), frozenset(owned))


def test_a_lost_answer_is_found_again_and_never_posted_twice(x):
    options, env = _oauth1(x)
    made = adapter(x, options, env)
    since = datetime.now(timezone.utc) - timedelta(seconds=5)
    root = made.publish(part("Root"), idempotency_key="k0")
    reply = part("Tea & cakes <3 at cloudleaf.com https://cloudleaf.example/a?utm_source=x", 1, 2, reply_to=root)
    x.add_fault({"path": "/2/tweets", "methods": ["POST"]}, {"type": "drop"}, count=1)
    with pytest.raises(TransientError) as lost:
        made.publish(reply, idempotency_key="k1")
    assert lost.value.outcome_unknown
    found = made.find(reply, idempotency_key="k1", lookup=_lookup([reply], since))
    assert found is not None and len(x.state()["published"]) == 2
    assert "t.co/" in x.state()["published"][1]["text"]  # X shows links as t.co: still found
    assert made.find(reply, idempotency_key="k1", lookup=_lookup([reply], since, [found.remote_id])) is None
    elsewhere = part("Tea & cakes <3 at cloudleaf.com https://cloudleaf.example/a?utm_source=x")  # not a reply: another part
    assert made.find(elsewhere, idempotency_key="k1", lookup=_lookup([elsewhere], since)) is None


@pytest.mark.parametrize("limits, fault, error, said", [
    ({}, None, Rejected, "duplicate content"),  # the same text twice: X refuses the second
    ({}, {"type": "status", "status": 503}, TransientError, "503"),
    ({"POST /2/tweets": [1, 900]}, None, RateLimited, "429"),  # 1 post per 15 minutes
    ({"app_24h": {"POST /2/tweets": 1}}, None, RateLimited, "429"),  # 1 post a day for the app
])
def test_x_refusals_and_limits_are_typed_errors(x, limits, fault, error, said):
    options, env = _oauth1(x)
    made = adapter(x, options, env)
    x.control("POST", "rate_limits", limits)
    made.publish(part("Once"), idempotency_key="k0")
    if fault:
        x.add_fault({"path": "/2/tweets"}, fault, 1)
    with pytest.raises(error, match=said) as caught:
        made.publish(part("Once" if error is Rejected else "Another"), idempotency_key="k1")
    if error is RateLimited:  # until the exhausted window resets: its 15 minutes, or the app's day
        assert (900 if "app_24h" not in limits else 86400) - 5 < caught.value.retry_after <= (
            900 if "app_24h" not in limits else 86400)
    if error is TransientError:
        assert caught.value.outcome_unknown


@pytest.mark.parametrize("options, env", [
    ({"token_env": "XB"}, {"XB": "not-a-token"}),
    ({"api_key_env": "XK", "api_secret_env": "XS", "access_token_env": "XT", "access_secret_env": "XTS"},
     {"XK": "smm-x-api-key", "XS": "wrong-secret", "XT": "1600000000000000001-smmaccesstoken", "XTS": "x"}),
])
def test_refused_credentials_are_an_auth_error_without_the_secret(x, options, env):
    with pytest.raises(AuthError) as caught:
        adapter(x, options, env).publish(part("Hello"), idempotency_key="k")
    assert not any(secret in str(caught.value) for secret in env.values())


def test_metrics_followers_and_confirm(x):
    options, env = _oauth1(x)
    made = adapter(x, options, env)
    post = made.publish(part("Counted"), idempotency_key="k")
    x.control("POST", "engage", {"id": post.remote_id, "like_count": 7, "retweet_count": 2, "impression_count": 90,
                                 "followers": 321})
    [counted] = made.metrics([post.remote_id, "1799999999999999999"])  # a deleted post is left out
    assert (counted.likes, counted.reposts, counted.views, made.followers()) == (7, 2, 90, 321)
    assert made.confirm(f"https://x.com/smm_brand/status/{post.remote_id}").remote_id == post.remote_id
    with pytest.raises(Rejected):
        made.confirm("https://x.com/smm_brand/status/1799999999999999999")


def test_publish_runs_send_each_thread_part_once(x, make_repo):
    at = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    platforms = (f"timezone: UTC\naccounts:\n  x: {{platform: x, api_base: '{x.url}', handle: smm_brand, "
                 "api_key_env: XK, api_secret_env: XS, access_token_env: XT, access_secret_env: XTS}\n")
    root = make_repo({"thread.md": post_text("First part. " * 30 + "\n\n" + "Second part. " * 20, publish_at=at,
                                             platforms="[x]", thread="auto")}, platforms=platforms, calendar=None)
    env = _oauth1(x)[1]
    for _ in range(2):
        report = Publisher(load_repo(root), datetime.now(timezone.utc), env, sleep=lambda s: None).run()
        assert [j.state for j in report.jobs] in (["published"], [])
    parts = json.loads((root / "data/published/thread.json").read_text())["accounts"]["x"]["parts"]
    published = x.state()["published"]
    assert len(parts) == len(published) >= 2
    assert published[1]["referenced_tweets"][0]["id"] == published[0]["id"]


def test_the_inbox_reads_mentions_replies_and_quotes_by_others(x):
    options, env = AUTH["bearer"](x, None)
    brand = adapter(x, options, env)
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    own = brand.publish(part(f"Winter blend {uuid.uuid4().hex[:6]}"), idempotency_key="k").remote_id
    said = {
        "reply": x.control("POST", "post_as", {"username": "fan", "text": "@smm_brand is it organic?",
                                                "reply_to": own, "followers": 12})["data"]["id"],
        "mention": x.control("POST", "post_as", {"username": "critic", "text": "Tea time with @smm_brand & friends",
                                                  "followers": 50_000, "verified": True})["data"]["id"],
        "quote": x.control("POST", "post_as", {"username": "fan", "text": "@smm_brand look", "quote": own})["data"]["id"],
    }
    x.control("POST", "post_as", {"username": "other", "text": "no mention here"})
    got = {i.network_id: i for i in brand.inbox(since)}
    assert {kind: got[tweet].kind for kind, tweet in said.items()} == {"reply": "reply", "mention": "mention",
                                                                         "quote": "quote"}
    assert len(got) == 3 and own not in got  # the brand's own post is no item
    reply, mention = got[said["reply"]], got[said["mention"]]
    assert (reply.author, reply.in_reply_to, reply.author_followers) == ("fan", own, 12)
    assert (mention.text, mention.author_followers) == ("Tea time with @smm_brand & friends", 50_000)  # entities undone
    assert got[said["quote"]].quotes == own
    assert (mention.author_verified, reply.author_verified) == (True, False)
    assert mention.url == f"https://x.com/critic/status/{said['mention']}"


def test_a_first_comment_replies_under_the_post_once(x, make_repo):
    """The comment is the brand's reply to its post (`reply.in_reply_to_tweet_id`), its own job; a second run sends nothing."""
    at = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    platforms = (f"timezone: UTC\naccounts:\n  x: {{platform: x, api_base: '{x.url}', handle: smm_brand, "
                 "api_key_env: XK, api_secret_env: XS, access_token_env: XT, access_secret_env: XTS}\n")
    root = make_repo({"p.md": post_text("Winter Blend is here.", publish_at=at, platforms="[x]",
                                        first_comment="'Order: https://cloudleaf.example/winter'")},
                     platforms=platforms, calendar=None)
    env = _oauth1(x)[1]
    jobs = [[(j.post, j.state) for j in Publisher(load_repo(root), datetime.now(timezone.utc), env,
                                                  sleep=lambda s: None).run().jobs] for _ in range(2)]
    assert jobs == [[("p", "published"), ("p+comment", "published")], []]
    post, comment = x.state()["published"]
    assert comment["referenced_tweets"] == [{"type": "replied_to", "id": post["id"]}]
    assert json.loads((root / "data/published/p+comment.json").read_text())["accounts"]["x"]["remote_id"] == comment["id"]
