"""Threads, Facebook Pages and Instagram against the local Meta Graph double over real HTTP
(tests/peers/meta_api.py, started by `bash tests/peers/apis.sh start`): publish for real, never twice,
reconcile a lost answer per thread part, map Meta's errors and budgets, read metrics and followers,
refresh a Threads token. Skipped locally when the double is not running; failed in CI (CI=true).
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest

from conftest import post_text
from peers import ApiDouble, http_json, require
from smm.errors import AuthError, PlatformError, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, platform_class
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer

LONG = ("Every Saturday at dawn the roastery wakes up and the leaves go into the drum in small batches. " * 4
        + "\n\n" + "Each leaf is turned by hand so that it warms evenly, and nothing burns. " * 5)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _due(minutes_ago: int, accounts: str, body: str, **fields) -> str:
    at = (_now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return post_text(body, publish_at=at, platforms=accounts, **fields)


def _jpeg(color="green") -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


def _publish(root, env):
    return Publisher(load_repo(root), _now(), env, sleep=lambda s: None).run()


def _records(root, post):
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


def _published(meta: ApiDouble, network: str) -> list[dict]:
    return [m for m in meta.state()["published"] if m["network"] == network and m.get("published", True)]


def _host(meta: ApiDouble, root: Path, *files: str) -> None:
    """Serve the repository's files where `media_base_url` says (as GitHub Pages would after a push)."""
    for file in files:
        split = urllib.parse.urlsplit(meta.url)
        import http.client

        conn = http.client.HTTPConnection(split.hostname, split.port)
        conn.request("POST", f"/_mock/files/{file}", body=(root / file).read_bytes(), headers={"Content-Type": "image/jpeg"})
        assert conn.getresponse().status == 200
        conn.close()


@pytest.fixture
def meta() -> ApiDouble:
    double = require("meta")
    double.reset()
    return double


def _platforms(meta: ApiDouble) -> str:
    return ("timezone: UTC\naccounts:\n"
            f"  threads: {{platform: threads, token_env: T_THREADS, user_id: '{meta['THREADS_USER_ID']}', "
            f"api_base: '{meta.url}', media_base_url: '{meta['FILES_URL']}'}}\n"
            f"  facebook: {{platform: facebook, token_env: T_FB, page_id: '{meta['PAGE_ID']}', api_base: '{meta.url}'}}\n"
            f"  instagram: {{platform: instagram, token_env: T_FB, user_id: '{meta['IG_USER_ID']}', "
            f"api_base: '{meta.url}', media_base_url: '{meta['FILES_URL']}'}}\n")


def _env(meta: ApiDouble) -> dict:
    return {"T_THREADS": meta["THREADS_TOKEN"], "T_FB": meta["USER_TOKEN"]}  # a Page admin's user token


MEDIA = {"content/media/cup.jpg": _jpeg(), "content/media/pot.jpg": _jpeg("red")}
ONE = "[{file: content/media/cup.jpg, alt: A green cup}]"
TWO = "[{file: content/media/cup.jpg, alt: A green cup}, {file: content/media/pot.jpg, alt: A red pot}]"


def test_the_three_networks_publish_everything_once(make_repo, meta):
    root = make_repo({
        "text.md": _due(30, "[threads, facebook]", "Hello from smm, 你好 👋", link="https://cloudleaf.example/tea"),
        "one.md": _due(29, "[threads, facebook, instagram]", "A cup of tea", media=ONE),
        "two.md": _due(28, "[threads, facebook, instagram]", "Two of them", media=TWO),
        "thread.md": _due(27, "[threads]", LONG, thread="auto"),
    }, platforms=_platforms(meta), calendar=None, files=MEDIA)
    _host(meta, root, *MEDIA)
    report = _publish(root, _env(meta))
    expected = {("text", "threads"), ("text", "facebook"), ("thread", "threads")} | {
        (post, account) for post in ("one", "two") for account in ("threads", "facebook", "instagram")}
    assert {(j.post, j.account, j.state) for j in report.jobs} == {(p, a, "published") for p, a in expected}
    containers = {c["id"]: c for c in meta.state()["containers"]}
    threads = {m["id"]: m for m in _published(meta, "threads")}
    parts = _records(root, "thread")["threads"]["parts"]
    assert len(parts) >= 2 and len(threads) == 3 + len(parts)
    for previous, part in zip(parts, parts[1:]):  # each part replies to the one before
        assert threads[part["remote_id"]]["fields"]["reply_to_id"] == previous["remote_id"]
    two = containers[threads[_records(root, "two")["threads"]["remote_id"]]["container"]]
    assert two["fields"]["media_type"] == "CAROUSEL" and len(two["children"]) == 2
    assert [containers[c]["fields"]["alt_text"] for c in two["children"]] == ["A green cup", "A red pot"]

    page = _published(meta, "facebook")
    posts = {m["id"]: m for m in page if "message" in m["fields"]}
    assert len(posts) == 3
    assert posts[_records(root, "text")["facebook"]["remote_id"]]["fields"]["link"].startswith("https://cloudleaf.example/tea")
    attached = posts[_records(root, "two")["facebook"]["remote_id"]]["fields"]
    assert len([k for k in attached if k.startswith("attached_media")]) == 2
    photos = [m for m in meta.state()["published"] if m["network"] == "facebook" and "bytes" in m["fields"]]
    assert photos == []  # the photos stay unpublished: one post carries them

    instagram = {m["id"]: m for m in _published(meta, "instagram")}
    carousel = containers[instagram[_records(root, "two")["instagram"]["remote_id"]]["container"]]
    assert carousel["fields"]["media_type"] == "CAROUSEL"
    single = containers[instagram[_records(root, "one")["instagram"]["remote_id"]]["container"]]
    assert single["image_url"] == f"{meta['FILES_URL']}/content/media/cup.jpg" and single["format"] == "jpeg"

    assert _publish(root, _env(meta)).jobs == []  # a second run publishes nothing
    assert len(meta.state()["published"]) == len(threads) + len(page) + len(instagram)


@pytest.mark.parametrize("account, fields, path", [
    ("threads", {"thread": "auto"}, "*/threads_publish"),  # parts 1 and 3 lost: each found, none sent twice
    ("threads", {"media": TWO}, "*/threads_publish"),
    ("facebook", {"media": TWO}, "*/feed"),
    ("facebook", {"link": "https://cloudleaf.example/a"}, "*/feed"),
    ("instagram", {"media": TWO}, "*/media_publish"),
    ("instagram", {"media": ONE}, "*/media_publish"),
])
def test_a_lost_answer_is_found_not_sent_again(make_repo, meta, account, fields, path):
    root = make_repo({"post.md": _due(5, f"[{account}]", LONG if "thread" in fields else "Tea time", **fields)},
                     platforms=_platforms(meta), calendar=None, files=MEDIA)
    _host(meta, root, *MEDIA)
    meta.add_fault({"methods": ["POST"], "path": path}, {"type": "drop"}, count=1)
    meta.add_fault({"methods": ["POST"], "path": path}, {"type": "latency", "delay_ms": 1}, count=1)
    meta.add_fault({"methods": ["POST"], "path": path}, {"type": "drop"}, count=1)
    report = _publish(root, _env(meta))
    assert [j.state for j in report.jobs] == ["published"]
    record = _records(root, "post")[account]
    ids = [part["remote_id"] for part in record.get("parts") or []] or [record["remote_id"]]
    posts = [m for m in _published(meta, account) if "bytes" not in m["fields"]]  # not the Page's photos
    assert sorted(m["id"] for m in posts) == sorted(ids)


@pytest.mark.parametrize("account, fault, error, unknown", [
    ("threads", {"type": "status", "status": 503}, TransientError, True),
    ("threads", {"type": "status", "status": 400, "code": 190, "error_subcode": 463}, AuthError, None),
    ("threads", {"type": "status", "status": 400, "code": 100}, Rejected, None),
    ("threads", {"type": "ratelimit"}, RateLimited, None),
    ("threads", {"type": "drop"}, TransientError, True),
    ("threads", {"type": "malformed"}, TransientError, True),
    ("facebook", {"type": "status", "status": 500}, TransientError, True),
    ("facebook", {"type": "status", "status": 400, "code": 200}, AuthError, None),
    ("facebook", {"type": "status", "status": 400, "code": 368}, Rejected, None),
    ("facebook", {"type": "drop"}, TransientError, True),
    ("instagram", {"type": "status", "status": 400, "code": 9, "error_subcode": 2207042}, RateLimited, None),
    ("instagram", {"type": "status", "status": 400, "code": -1, "error_subcode": 2207001}, TransientError, True),
    ("instagram", {"type": "status", "status": 400, "code": 9007, "error_subcode": 2207027}, TransientError, False),
    ("instagram", {"type": "status", "status": 400, "code": 36003, "error_subcode": 2207009}, Rejected, None),
    ("instagram", {"type": "drop"}, TransientError, True),
])
def test_faults_on_the_publishing_call_are_typed(meta, adapter_for, account, fault, error, unknown, tmp_path):
    path = {"threads": "*/threads_publish", "facebook": "*/feed", "instagram": "*/media_publish"}[account]
    meta.add_fault({"methods": ["POST"], "path": path}, fault, count=1)
    adapter, outgoing = adapter_for(account)
    with pytest.raises(PlatformError) as caught:
        adapter.publish(outgoing, idempotency_key="k")
    assert type(caught.value) is error, caught.value.message
    if unknown is not None:
        assert caught.value.outcome_unknown is unknown
    if error is RateLimited:
        assert caught.value.retry_after and caught.value.retry_after > 0
    assert meta["THREADS_TOKEN"] not in caught.value.message and meta["USER_TOKEN"] not in caught.value.message


@pytest.fixture
def adapter_for(meta, tmp_path):
    """(adapter, an Outgoing for it) of an account of _platforms, closed after the test."""
    made = []

    def make(name: str, env: dict | None = None):
        account = load_platforms(meta, tmp_path).config.accounts[name]
        adapter = platform_class(account.platform)(account, env or _env(meta), tmp_path)
        adapter.sleep = lambda s: None
        made.append(adapter)
        media = ()
        if name == "instagram":
            (tmp_path / "content/a.jpg").write_bytes(_jpeg())
            _host(meta, tmp_path, "content/a.jpg")
            media = ((tmp_path / "content/a.jpg", "Tea"),)
        return adapter, Outgoing("p", name, "T", f"Hello {name}", media=media)
    yield make
    for adapter in made:
        adapter.close()


def load_platforms(meta, root):
    (root / "platforms.yml").write_text(_platforms(meta))
    (root / "content").mkdir(exist_ok=True)
    return load_repo(root)


def test_a_container_that_fails_is_retried_later_and_none_is_published(meta, adapter_for, tmp_path):
    adapter, outgoing = adapter_for("threads")
    meta.control("POST", "container_outcome", {"status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"})
    with pytest.raises(TransientError) as caught:
        adapter.publish(outgoing, idempotency_key="k")
    assert "FAILED_DOWNLOADING_VIDEO" in caught.value.message and not caught.value.outcome_unknown
    meta.control("POST", "container_outcome", {"status": "ERROR", "error_message": "INVALID_ASPEC_RATIO"})
    with pytest.raises(Rejected):
        adapter.publish(outgoing, idempotency_key="k")
    assert _published(meta, "threads") == []
    assert adapter.publish(outgoing, idempotency_key="k").remote_id


def test_instagram_refuses_a_file_not_served_at_media_base_url(meta, adapter_for, tmp_path):
    adapter, outgoing = adapter_for("instagram")
    (tmp_path / "content/b.jpg").write_bytes(_jpeg("blue"))  # in the repository, never pushed to the host
    with pytest.raises(Rejected, match="Media download has failed"):
        adapter.publish(Outgoing("p", "instagram", "T", "Hi", media=((tmp_path / "content/b.jpg", None),)),
                        idempotency_key="k")
    assert _published(meta, "instagram") == []


@pytest.mark.parametrize("account, budget", [("instagram", "business"), ("facebook", "business"), ("threads", "app")])
def test_a_used_up_budget_waits_for_the_time_meta_gives(meta, adapter_for, account, budget, tmp_path):
    adapter, outgoing = adapter_for(account)
    meta.control("POST", "rate_limits", {budget: 1})
    owner, token = {"instagram": ("IG_USER_ID", "USER_TOKEN"), "facebook": ("PAGE_ID", "PAGE_TOKEN"),
                    "threads": ("THREADS_USER_ID", "THREADS_TOKEN")}[account]
    status, _ = http_json("GET", f"{meta.url}/v23.0/{meta[owner]}?fields=followers_count&access_token={meta[token]}")
    assert status == 200  # the budget's one call, made by someone else
    with pytest.raises(RateLimited) as caught:
        adapter.publish(outgoing, idempotency_key="k")
    if budget == "business":  # X-Business-Use-Case-Usage says when access is regained (minutes)
        assert 60 <= caught.value.retry_after <= 3600 and "too many calls" in caught.value.message
    else:  # X-App-Usage does not: a quarter of the rolling hour
        assert caught.value.retry_after == 900 and "(#17)" in caught.value.message
    assert _published(meta, account) == []


def test_past_95_percent_of_a_budget_no_call_is_made(meta, adapter_for, tmp_path):
    adapter, outgoing = adapter_for("threads")
    meta.control("POST", "rate_limits", {"app": 20})
    for _ in range(19):  # each answer says how much of the hour's budget is used
        adapter.graph.call("GET", adapter.user, "who")
    with pytest.raises(RateLimited, match="95 %"):
        adapter.graph.call("GET", adapter.user, "who")
    state = meta.control("POST", "rate_limits", {})  # the double saw no twentieth call: it is still allowed
    assert state["app"] == 20


def test_an_expired_token_is_an_auth_error(meta, adapter_for, tmp_path):
    adapter, outgoing = adapter_for("threads")
    meta.advance_clock(61 * 86400)
    with pytest.raises(AuthError, match="190/463"):
        adapter.publish(outgoing, idempotency_key="k")


def test_metrics_and_followers_are_read_from_insights(meta, adapter_for, tmp_path):
    for name, followers in (("threads", 300), ("facebook", 900), ("instagram", 2500)):
        adapter, outgoing = adapter_for(name)
        post = adapter.publish(outgoing, idempotency_key="k").remote_id
        counts = {"threads": {"likes": 7, "views": 70, "reposts": 2, "replies": 1, "quotes": 3},
                  "instagram": {"likes": 5, "comments": 4, "shares": 1, "views": 50},
                  "facebook": {"post_reactions_by_type_total": 6, "post_impressions": 60, "post_clicks": 9}}[name]
        meta.control("POST", "engage", {"id": post, **counts})
        [got] = adapter.metrics([post, "17000000000000000"])  # a post deleted since is skipped
        expected = {"threads": (7, 2, 1, 3, 70, None), "instagram": (5, 1, 4, None, 50, None),
                    "facebook": (6, None, None, None, 60, 9)}[name]
        assert (got.likes, got.reposts, got.replies, got.quotes, got.views, got.clicks) == expected
        assert adapter.followers() == followers


def test_token_info_says_who_the_token_is_and_when_it_expires(meta, adapter_for, tmp_path):
    threads, _ = adapter_for("threads")
    info = threads.token_info()
    assert info.valid and info.user_id == meta["THREADS_USER_ID"] and "threads_content_publish" in info.scopes
    assert timedelta(days=59) < info.expires_at - datetime.now(timezone.utc) <= timedelta(days=60)
    page, _ = adapter_for("facebook")
    assert page.token_info().kind == "PAGE" and page.token_info().expires_at is None


def test_a_threads_token_near_expiry_is_refreshed_into_the_rotated_secrets_folder(meta, adapter_for,
                                                                                  tmp_path_factory):
    folder = tmp_path_factory.mktemp("outside-the-repository") / "rotated"
    env = {**_env(meta), "SMM_ROTATED_SECRETS": str(folder)}
    adapter, outgoing = adapter_for("threads", env)
    adapter.publish(outgoing, idempotency_key="k")
    assert not folder.exists()  # 60 days left: nothing to do
    meta.advance_clock(-2 * 86400)  # a token issued two days ago that expires in ten
    meta.control("POST", "tokens", {"token": "near-expiry", "user": meta["THREADS_USER_ID"], "expires_in": 12 * 86400,
                                    "scopes": ["threads_basic", "threads_content_publish"], "extra": {"kind": "THREADS"}})
    meta.advance_clock(2 * 86400)
    env["T_THREADS"] = "near-expiry"
    adapter, outgoing = adapter_for("threads", env)
    assert adapter.publish(outgoing, idempotency_key="k").remote_id
    new = (folder / "T_THREADS").read_text().strip()
    assert new and new != "near-expiry" and (folder / "T_THREADS").stat().st_mode & 0o777 == 0o600
    status, answer = http_json("GET", f"{meta.url}/debug_token?input_token={new}&access_token={new}")
    assert status == 200 and answer["data"]["expires_at"] - answer["data"]["issued_at"] == 60 * 86400
    meta.advance_clock(11 * 86400)  # the old token has expired; the new one publishes
    fresh, outgoing = adapter_for("threads", {**env, "T_THREADS": new})
    assert fresh.publish(outgoing, idempotency_key="k").remote_id


@pytest.mark.parametrize("account, kind", [("instagram", "REELS"), ("threads", "VIDEO")])
def test_a_video_goes_as_a_reel_or_a_video_container(meta, adapter_for, tmp_path, account, kind):
    """smm check takes pictures only today; the adapters already send a video file as Meta documents."""
    adapter, _ = adapter_for(account)
    (tmp_path / "content/clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    post = adapter.publish(Outgoing("p", account, "T", "A clip", media=((tmp_path / "content/clip.mp4", None),)),
                           idempotency_key="k")
    [container] = [c for c in meta.state()["containers"] if c["status"] == "PUBLISHED"]
    assert container["fields"]["media_type"] == kind
    assert container["video_url"] == f"{meta['FILES_URL']}/content/clip.mp4" and post.remote_id


@pytest.mark.parametrize("name, kind", [("threads", "reply"), ("facebook", "comment"), ("instagram", "comment")])
def test_the_inbox_reads_comments_on_the_accounts_recent_posts(meta, adapter_for, name, kind):
    adapter, outgoing = adapter_for(name)
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    post = adapter.publish(outgoing, idempotency_key="k").remote_id
    said = meta.control("POST", "comment", {"id": post, "text": "Is the winter blend organic? 有机吗？", "username": "fan"})
    got = adapter.inbox(since)
    assert [(i.network_id, i.kind, i.author, i.text, i.in_reply_to) for i in got] == [
        (said["id"], kind, "fan", "Is the winter blend organic? 有机吗？", post)]
    assert adapter.inbox(datetime.now(timezone.utc) + timedelta(hours=1)) == []  # said before the window


@pytest.mark.parametrize("account, lost", [("threads", False), ("facebook", False), ("instagram", False),
                                           ("threads", True), ("facebook", True), ("instagram", True)])
def test_a_first_comment_goes_under_the_post_once(make_repo, meta, account, lost):
    """Threads replies (reply_to_id), Facebook and Instagram comment (`POST /{post}/comments`); a
    comment whose answer was lost is found among the post's comments, not sent again."""
    root = make_repo({"post.md": _due(5, f"[{account}]", "Tea time", media=ONE,
                                      first_comment="'More at https://cloudleaf.example/tea #tea'")},
                     platforms=_platforms(meta), calendar=None, files=MEDIA)
    _host(meta, root, *MEDIA)
    if lost:
        path = "*/threads_publish" if account == "threads" else "*/comments"
        skip = 1 if account == "threads" else 0  # Threads: the post's own publish call first
        if skip:
            meta.add_fault({"methods": ["POST"], "path": path}, {"type": "latency", "delay_ms": 1}, count=1)
        meta.add_fault({"methods": ["POST"], "path": path}, {"type": "drop"}, count=1)
    report = _publish(root, _env(meta))
    assert [(j.post, j.state) for j in report.jobs] == [("post", "published"), ("post+comment", "published")]
    post, comment = _records(root, "post")[account], _records(root, "post+comment")[account]
    if account == "threads":
        replies = [m for m in _published(meta, "threads") if m["fields"].get("reply_to_id")]
        assert [(m["id"], m["fields"]["reply_to_id"]) for m in replies] == [(comment["remote_id"], post["remote_id"])]
    else:
        mine = [c for c in meta.state()["comments"] if c.get("own")]
        assert [(c["id"], c["parent"]) for c in mine] == [(comment["remote_id"], post["remote_id"])]
        assert mine[0]["text"].startswith("More at https://cloudleaf.example/tea")
    assert _publish(root, _env(meta)).jobs == []
