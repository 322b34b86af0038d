"""Bluesky and Mastodon adapters against real local servers (tests/peers): publish for real,
never twice, reconcile a lost answer, and read back the likes and reposts a second account made.

Bluesky is the reference PDS + AppView from npm; Mastodon is mastodon-mock, a faithful mock
server of the REST API (no real Mastodon server can be installed here). Skipped locally when
the servers are not running; failed in CI (CI=true).
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from conftest import post_text
from peers import http_json, require, unavailable

from smm.platforms import platform_class
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer

INDEX_WAIT = 15.0  # seconds the AppView may take to index a like (seen: under 0.5 s)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _publish(root, env):
    return Publisher(load_repo(root), _now(), env, sleep=lambda s: None).run()


def _records(root, post):
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


def _png(color="green"):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def _due(minutes_ago: int, accounts: str, body: str, **fields) -> str:
    at = (_now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return post_text(body, publish_at=at, platforms=accounts, **fields)


LONG = ("Every Saturday at dawn the roastery wakes up and the leaves go into the drum in small batches. " * 3
        + "\n\n" + "每周六清晨，烘焙房开工，茶叶分小批放进滚筒，让每一片叶子都受热均匀。" * 4)


# --- Bluesky: a real PDS and AppView ---------------------------------------------------------------


@pytest.fixture
def bluesky_repo(make_repo):
    bsky = require("bluesky")
    try:
        from atproto import Client
    except ImportError as exc:
        unavailable(f"the atproto SDK is not installed: {exc}")
    brand, fan = bsky.create_account("brand"), bsky.create_account("fan")
    platforms = (f"timezone: UTC\naccounts:\n  bluesky: {{platform: bluesky, service: '{bsky.pds_url}', "
                 f"handle: {brand.handle}, password_env: T_BSKY_PASSWORD}}\n")
    root = make_repo({
        "text.md": _due(30, "[bluesky]", "Hello from smm, 你好 👋", languages="[en, zh]"),
        "facets.md": _due(29, "[bluesky]", f"Winter is here @{fan.handle} #WinterBlend",
                          link="https://cloudleaf.example/winter?ref=home"),
        "image.md": _due(28, "[bluesky]", "A cup of tea", media="[{file: content/media/cup.png, alt: A green cup}]"),
        "thread.md": _due(27, "[bluesky]", LONG, thread="auto"),
    }, platforms=platforms, calendar=None, files={"content/media/cup.png": _png()})
    clients = []

    def client(account):
        c = Client(base_url=f"{bsky.pds_url}/xrpc")
        c.login(account.handle, account.password, fetch_bsky_profile=False)
        clients.append(c)
        return c

    yield root, {"T_BSKY_PASSWORD": brand.password}, brand, fan, client
    for c in clients:
        c.request.close()


def _posts_of(client, did):
    return client.com.atproto.repo.list_records({"repo": did, "collection": "app.bsky.feed.post", "limit": 100}).records


def test_bluesky_publishes_for_real_exactly_once(bluesky_repo):
    root, env, brand, fan, client = bluesky_repo
    report = _publish(root, env)
    assert sorted((j.post, j.state) for j in report.jobs) == [
        ("facets", "published"), ("image", "published"), ("text", "published"), ("thread", "published")]
    reader = client(brand)
    posts = {r.uri: r.value for r in _posts_of(reader, brand.did)}
    thread_parts = _records(root, "thread")["bluesky"]["parts"]
    assert len(thread_parts) >= 2
    assert len(posts) == 3 + len(thread_parts)

    text = posts[_records(root, "text")["bluesky"]["remote_id"]]
    assert (text.text, text.langs) == ("Hello from smm, 你好 👋", ["en", "zh"])

    facets = posts[_records(root, "facets")["bluesky"]["remote_id"]]
    data = facets.text.encode()
    found = {f.features[0].py_type: (data[f.index.byte_start:f.index.byte_end].decode(), f.features[0])
             for f in facets.facets}
    assert found["app.bsky.richtext.facet#mention"][1].did == fan.did
    assert found["app.bsky.richtext.facet#tag"][0] == "#WinterBlend"
    link_text, link = found["app.bsky.richtext.facet#link"]
    assert link_text.startswith("cloudleaf.example/winter")
    assert link.uri == "https://cloudleaf.example/winter?ref=home&utm_source=bluesky&utm_medium=social"
    assert facets.embed.external.uri == link.uri

    image = posts[_records(root, "image")["bluesky"]["remote_id"]]
    assert [i.alt for i in image.embed.images] == ["A green cup"]

    first, second = thread_parts[0]["remote_id"], thread_parts[1]["remote_id"]
    assert posts[second].reply.parent.uri == first and posts[second].reply.root.uri == first

    assert _publish(root, env).jobs == []  # a second run publishes nothing
    assert len(_posts_of(reader, brand.did)) == len(posts)


def test_bluesky_publishes_a_video_embed_the_pds_accepts(bluesky_repo):
    from videos import make_video

    root, env, brand, fan, client = bluesky_repo
    for name in ("text", "facets", "image", "thread"):
        (root / f"content/{name}.md").unlink()
    make_video(root / "content/media/clip.mp4", width=320, height=568, seconds=1)
    (root / "content/video.md").write_text(
        _due(20, "[bluesky]", "A short clip", media="[{file: content/media/clip.mp4, alt: Steam over a cup}]"))
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("video", "published")], report.jobs
    reader = client(brand)
    [post] = [r.value for r in _posts_of(reader, brand.did)]
    embed = post.embed
    assert (embed.py_type, embed.alt) == ("app.bsky.embed.video", "Steam over a cup")
    assert (embed.aspect_ratio.width, embed.aspect_ratio.height) == (320, 568)
    assert (embed.video.mime_type, embed.video.size) == ("video/mp4", (root / "content/media/clip.mp4").stat().st_size)
    blob = reader.com.atproto.sync.get_blob({"did": brand.did, "cid": embed.video.cid.encode()})
    assert blob == (root / "content/media/clip.mp4").read_bytes()


def test_bluesky_reconciles_a_call_whose_answer_was_lost(bluesky_repo):
    root, env, brand, fan, client = bluesky_repo
    _publish(root, env)
    record_file = root / "data/published/text.json"
    record = json.loads(record_file.read_text())
    job = record["accounts"]["bluesky"]
    record["accounts"]["bluesky"] = {"state": "in_flight", "attempts": 1, "key": job["key"],
                                     "first_attempt": job["first_attempt"]}  # as if killed after the call
    record_file.write_text(json.dumps(record))
    before = len(_posts_of(client(brand), brand.did))
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("text", "published")]
    assert _records(root, "text")["bluesky"]["remote_id"] == job["remote_id"]
    assert len(_posts_of(client(brand), brand.did)) == before


def test_bluesky_metrics_match_the_likes_and_reposts_made(bluesky_repo):
    root, env, brand, fan, client = bluesky_repo
    _publish(root, env)
    uri = _records(root, "text")["bluesky"]["remote_id"]
    fans = client(fan)
    cid = fans.com.atproto.repo.get_record({"repo": brand.did, "collection": "app.bsky.feed.post",
                                            "rkey": uri.rsplit("/", 1)[1]}).cid
    subject = {"uri": uri, "cid": cid}
    for collection in ("app.bsky.feed.like", "app.bsky.feed.repost"):  # records in the fan's repository
        fans.com.atproto.repo.create_record({"repo": fan.did, "collection": collection, "record": {
            "$type": collection, "subject": subject, "createdAt": fans.get_current_time_iso()}})
    repo = load_repo(root)
    adapter = platform_class("bluesky")(repo.config.accounts["bluesky"], env, root)
    try:
        deadline = time.monotonic() + INDEX_WAIT
        metrics = None
        while time.monotonic() < deadline:  # bounded: the AppView indexes the firehose shortly after
            (metrics,) = adapter.metrics([uri])
            if metrics.likes and metrics.reposts:
                break
            time.sleep(0.1)
        assert (metrics.likes, metrics.reposts, metrics.replies) == (1, 1, 0)
    finally:
        adapter.close()


# --- Mastodon: mastodon-mock ---------------------------------------------------------------------


@pytest.fixture
def mastodon_repo(make_repo):
    masto = require("mastodon")
    platforms = (f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{masto.url}', "
                 "token_env: T_MASTODON_TOKEN, char_limit: 500, visibility: unlisted}\n")
    unique = uuid.uuid4().hex[:8]  # the server keeps idempotency keys an hour: every test posts new text
    root = make_repo({
        "text.md": _due(30, "[mastodon]", f"Hello from smm {unique}, 你好", languages="[zh]",
                        content_warning="Tea talk"),
        "image.md": _due(28, "[mastodon]", f"A cup of tea {unique}", media="[{file: content/media/cup.png, alt: A green cup}]"),
        "thread.md": _due(27, "[mastodon]", f"{unique} " + LONG * 2, thread="auto"),
    }, platforms=platforms, calendar=None, files={"content/media/cup.png": _png()})
    yield root, {"T_MASTODON_TOKEN": masto.token}, masto
    for rule in http_json("GET", f"{masto.url}/api/v1/_mock/faults")[1] or []:
        http_json("DELETE", f"{masto.url}/api/v1/_mock/faults/{rule['id']}")


def _statuses(masto, token=None):
    status, me = http_json("GET", f"{masto.url}/api/v1/accounts/verify_credentials",
                           headers={"Authorization": f"Bearer {token or masto.token}"})
    status, found = http_json("GET", f"{masto.url}/api/v1/accounts/{me['id']}/statuses?limit=40",
                              headers={"Authorization": f"Bearer {token or masto.token}"})
    return found


def _fault(masto, effect: dict, count: int = 1):
    rule = {"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": effect, "count": count}
    status, added = http_json("POST", f"{masto.url}/api/v1/_mock/faults", rule)
    assert status == 200, added


def test_mastodon_publishes_for_real_exactly_once(mastodon_repo):
    root, env, masto = mastodon_repo
    before = {s["id"] for s in _statuses(masto)}
    report = _publish(root, env)
    assert sorted((j.post, j.state) for j in report.jobs) == [
        ("image", "published"), ("text", "published"), ("thread", "published")]
    new = {s["id"]: s for s in _statuses(masto) if s["id"] not in before}
    parts = _records(root, "thread")["mastodon"]["parts"]
    assert len(new) == 2 + len(parts) and len(parts) >= 2
    image = new[_records(root, "image")["mastodon"]["remote_id"]]
    assert [m["description"] for m in image["media_attachments"]] == ["A green cup"]
    assert new[parts[1]["remote_id"]]["in_reply_to_id"] == parts[0]["remote_id"]
    text = new[_records(root, "text")["mastodon"]["remote_id"]]
    assert (text["language"], text["spoiler_text"], text["visibility"]) == ("zh", "Tea talk", "unlisted")
    assert _publish(root, env).jobs == []
    assert len([s for s in _statuses(masto) if s["id"] not in before]) == len(new)


@pytest.mark.parametrize("cover", [None, "0.5"])
def test_mastodon_publishes_a_video_for_real(mastodon_repo, cover):
    from videos import make_video

    root, env, masto = mastodon_repo
    for name in ("text", "image", "thread"):
        (root / f"content/{name}.md").unlink()
    make_video(root / "content/media/clip.mp4", width=320, height=240, seconds=1, audio=True)
    item = "{file: content/media/clip.mp4, alt: A short clip" + (f", cover: {cover}" if cover else "") + "}"
    (root / "content/video.md").write_text(_due(20, "[mastodon]", f"A clip {uuid.uuid4().hex[:8]}", media=f"[{item}]"))
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("video", "published")]
    status = next(s for s in _statuses(masto) if s["id"] == _records(root, "video")["mastodon"]["remote_id"])
    [attachment] = status["media_attachments"]
    assert (attachment["type"], attachment["description"]) == ("video", "A short clip")
    with httpx.Client() as client:
        assert client.get(attachment["url"]).content == (root / "content/media/clip.mp4").read_bytes()


def test_mastodon_finds_a_status_whose_answer_was_lost(mastodon_repo):
    root, env, masto = mastodon_repo
    _publish(root, env)
    record_file = root / "data/published/text.json"
    record = json.loads(record_file.read_text())
    job = record["accounts"]["mastodon"]
    record["accounts"]["mastodon"] = {"state": "in_flight", "attempts": 1, "key": "a-key-older-than-an-hour",
                                      "first_attempt": job["first_attempt"]}
    record_file.write_text(json.dumps(record))
    count = len(_statuses(masto))
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("text", "published")]
    assert _records(root, "text")["mastodon"]["remote_id"] == job["remote_id"]  # found among recent statuses
    assert len(_statuses(masto)) == count


@pytest.mark.parametrize("effect,expected", [
    ({"type": "status", "status": 503}, "published"),  # retried within the run
    ("ratelimit", "published"),  # a short reset is waited out within the run
    ({"type": "malformed"}, "published"),  # not created: find() says so, then it is retried
    ({"type": "status", "status": 422, "body": {"error": "Validation failed: Text is too long"}}, "failed"),
])
def test_mastodon_faults_against_the_engine(mastodon_repo, effect, expected):
    root, env, masto = mastodon_repo
    (root / "content/image.md").unlink()
    (root / "content/thread.md").unlink()
    if effect == "ratelimit":  # Mastodon's reset is an ISO 8601 time
        reset = (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat()
        effect = {"type": "ratelimit", "headers": {"X-RateLimit-Reset": reset, "Retry-After": "2"}}
    _fault(masto, effect)
    before = {s["id"] for s in _statuses(masto)}
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("text", expected)]
    created = [s for s in _statuses(masto) if s["id"] not in before]
    assert len(created) == (1 if expected == "published" else 0)


def test_mastodon_metrics_match_the_favourites_and_boosts_made(mastodon_repo):
    root, env, masto = mastodon_repo
    _publish(root, env)
    status_id = _records(root, "text")["mastodon"]["remote_id"]
    fan = {"Authorization": f"Bearer {masto.token2}"}
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{status_id}/favourite", headers=fan)[0] == 200
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{status_id}/reblog", headers=fan)[0] == 200
    repo = load_repo(root)
    adapter = platform_class("mastodon")(repo.config.accounts["mastodon"], env, root)
    try:
        (metrics,) = adapter.metrics([status_id])
        assert (metrics.likes, metrics.reposts, metrics.replies) == (1, 1, 0)
        assert adapter.followers() is not None
    finally:
        adapter.close()


# --- smm metrics against both servers ---------------------------------------------------------------


def _metric_rows(root):
    import csv

    rows = []
    for path in sorted((root / "data/metrics").glob("*.csv")):
        with open(path, newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_metrics_collects_real_counts_from_both_servers(bluesky_repo, smm, monkeypatch):
    root, env, brand, fan, client = bluesky_repo
    masto = require("mastodon")
    platforms = (root / "platforms.yml").read_text() + (
        f"  mastodon: {{platform: mastodon, instance: '{masto.url}', token_env: T_MASTODON_TOKEN, char_limit: 500}}\n")
    (root / "platforms.yml").write_text(platforms)
    for name in ("facets", "image", "thread"):
        (root / f"content/{name}.md").unlink()
    (root / "content/text.md").write_text(_due(30, "[bluesky, mastodon]", f"Metrics test {uuid.uuid4().hex[:8]} 你好"))
    env = {**env, "T_MASTODON_TOKEN": masto.token}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _publish(root, env).jobs[0].state == "published"
    records = _records(root, "text")
    uri, status_id = records["bluesky"]["remote_id"], records["mastodon"]["remote_id"]

    fans = client(fan)  # likes and reposts the test makes, on both networks
    cid = fans.com.atproto.repo.get_record({"repo": brand.did, "collection": "app.bsky.feed.post",
                                            "rkey": uri.rsplit("/", 1)[1]}).cid
    for collection in ("app.bsky.feed.like", "app.bsky.feed.repost"):
        fans.com.atproto.repo.create_record({"repo": fan.did, "collection": collection, "record": {
            "$type": collection, "subject": {"uri": uri, "cid": cid}, "createdAt": fans.get_current_time_iso()}})
    auth = {"Authorization": f"Bearer {masto.token2}"}
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{status_id}/favourite", headers=auth)[0] == 200
    assert http_json("POST", f"{masto.url}/api/v1/statuses/{status_id}/reblog", headers=auth)[0] == 200

    deadline = time.monotonic() + INDEX_WAIT
    while True:  # bounded: the AppView indexes the like and the repost shortly after
        shutil.rmtree(root / "data/metrics", ignore_errors=True)
        code, out, err = smm("metrics", "--format", "json", "--interval", "1m")
        rows = {(r["account"], r["post_id"]): r for r in _metric_rows(root)}
        if (rows.get(("bluesky", "text"), {}).get("likes") == "1" and rows[("bluesky", "text")]["reposts"] == "1"
                or time.monotonic() > deadline):
            break
        time.sleep(0.2)
    assert code == 0, out + err
    assert {k: (r["platform"], r["remote_id"], r["likes"], r["reposts"], r["replies"]) for k, r in rows.items()} == {
        ("bluesky", "text"): ("bluesky", uri, "1", "1", "0"),
        ("mastodon", "text"): ("mastodon", status_id, "1", "1", "0"),
    }
    followers = (root / "data/accounts").glob("*.csv")
    accounts = "".join(p.read_text() for p in followers)
    assert ",bluesky,bluesky," in accounts and ",mastodon,mastodon," in accounts
    code, out, _ = smm("metrics", "--format", "json")  # again within the interval: no duplicate rows
    assert code == 0 and len(_metric_rows(root)) == 2


def test_mastodon_metrics_skip_a_deleted_status(mastodon_repo):
    root, env, masto = mastodon_repo
    (root / "content/image.md").unlink()
    _publish(root, env)
    parts = [p["remote_id"] for p in _records(root, "thread")["mastodon"]["parts"]]
    status = http_json("DELETE", f"{masto.url}/api/v1/statuses/{parts[0]}",
                       headers={"Authorization": f"Bearer {masto.token}"})[0]
    assert status == 200
    repo = load_repo(root)
    adapter = platform_class("mastodon")(repo.config.accounts["mastodon"], env, root)
    try:
        assert [m.remote_id for m in adapter.metrics(parts)] == parts[1:]
    finally:
        adapter.close()


def test_the_example_repository_publishes_for_real(tmp_path, smm, monkeypatch):
    """This repository's own example, its Mastodon and Bluesky accounts pointed at the local servers."""
    from conftest import ROOT

    bsky, masto = require("bluesky"), require("mastodon")
    brand = bsky.create_account("cloudleaf")
    root = tmp_path / "example"
    for part in ("content", "brand", "data"):
        shutil.copytree(ROOT / part, root / part)
    platforms = (ROOT / "platforms.yml").read_text()
    platforms = platforms.replace("instance: https://mastodon.example", f"instance: {masto.url}")
    platforms = platforms.replace("handle: cloudleaf.bsky.social", f"handle: {brand.handle}\n    service: {bsky.pds_url}")
    (root / "platforms.yml").write_text(platforms)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SMM_MASTODON_TOKEN", masto.token)
    monkeypatch.setenv("SMM_BLUESKY_APP_PASSWORD", brand.password)
    now = "2026-12-01T20:05:00+08:00"  # the giveaway (20:00) is due; earlier November posts are late
    code, report, err = smm("publish", "--now", now, "--include-late", "--format", "json")
    jobs = json.loads(report)["jobs"]
    assert code == 0, [j for j in jobs if j["state"] != "published"]
    published = {(j["post"], j["account"]) for j in jobs if j["state"] == "published"}
    assert ("winter-giveaway-2026", "mastodon") in published and ("winter-giveaway-2026", "bluesky") in published
    assert len(published) == len(jobs) > 20
    code, again, _ = smm("publish", "--now", now, "--include-late", "--format", "json")
    assert (code, json.loads(again)) == (0, {"jobs": []})
    code, out, _ = smm("report", "--format", "json", "--now", now)
    assert code == 0 and set(json.loads(out)) >= {"period", "accounts", "posts", "goals", "best_times"}


# --- Mastodon without its idempotency key: behind a proxy that strips it ------------------------


@pytest.fixture
def stripped(make_repo):
    """mastodon-mock behind tests/peers/proxy.py (no Idempotency-Key reaches it), a fresh account."""
    from peers.proxy import start, stop

    masto = require("mastodon")
    process, url = start(masto.url)
    account = masto.create_account()
    root = make_repo({}, platforms=(f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{url}', "
                                    "token_env: T_MASTODON_TOKEN, char_limit: 500}\n"), calendar=None)
    yield root, {"T_MASTODON_TOKEN": account.token}, url, account.token, masto
    stop(process)


@pytest.mark.parametrize("fault", [{"effect": "status", "status": 503}, {"effect": "status", "status": 500},
                                   {"effect": "drop"}, {"effect": "late", "delay_ms": 300},
                                   {"before": {"type": "malformed"}},  # not made: a's status must not be taken for b's
                                   {"before": {"type": "status", "status": 502}}])
def test_mastodon_without_its_key_never_twice_with_identical_texts(stripped, monkeypatch, fault):
    from smm.platforms.mastodon import Mastodon

    monkeypatch.setattr(Mastodon, "settle", 2.0)  # the proxy acts within 0.3 s; smm waits this long for it
    root, env, url, token, masto = stripped
    (root / "content/a.md").write_text(_due(60, "[mastodon]", "Happy Friday!"))
    assert [j.state for j in Publisher(load_repo(root), _now(), env).run().jobs] == ["published"]
    (root / "content/b.md").write_text(_due(5, "[mastodon]", "Happy Friday!"))  # a week later, the same text
    if "before" in fault:  # mastodon-mock's own faults act before the status is made
        _fault(masto, fault["before"])
    else:  # the proxy's act after it was made
        assert http_json("POST", f"{url}/_proxy/faults", {"method": "POST", "path": "/api/v1/statuses", "count": 1,
                                                          **fault})[0] == 200
    assert [j.state for j in Publisher(load_repo(root), _now(), env).run().jobs] == ["published"]
    statuses = _statuses(masto, token)
    assert len(statuses) == 2  # made once, never twice, never mistaken for a's
    assert {_records(root, p)["mastodon"]["remote_id"] for p in ("a", "b")} == {s["id"] for s in statuses}
    assert http_json("GET", f"{url}/_proxy/faults")[1]["stripped"] >= 2


# --- first comments (issue 20): a reply under the post, once -----------------------------------


def test_bluesky_first_comment_replies_under_the_post_once(bluesky_repo):
    """The comment is a reply whose root and parent are the post (its last part, for a thread);
    a comment whose record was left in flight is read back at its record key, not sent again."""
    root, env, brand, fan, client = bluesky_repo
    for name in ("text", "facets", "image"):
        (root / f"content/{name}.md").unlink()
    (root / "content/thread.md").write_text(_due(27, "[bluesky]", LONG, thread="auto",
                                                 first_comment="'Read more: https://cloudleaf.example/roast'"))
    report = _publish(root, env)
    assert [(j.post, j.state) for j in report.jobs] == [("thread", "published"), ("thread+comment", "published")]
    parts = _records(root, "thread")["bluesky"]["parts"]
    comment_job = _records(root, "thread+comment")["bluesky"]
    posts = {r.uri: r.value for r in _posts_of(client(brand), brand.did)}
    comment = posts[comment_job["remote_id"]]
    assert comment.text.startswith("Read more: cloudleaf.example/roast")
    assert (comment.reply.parent.uri, comment.reply.root.uri) == (parts[-1]["remote_id"], parts[0]["remote_id"])
    record_file = root / "data/published/thread+comment.json"
    record = json.loads(record_file.read_text())
    record["accounts"]["bluesky"] = {"state": "in_flight", "attempts": 1, "key": comment_job["key"],
                                     "first_attempt": comment_job["first_attempt"]}
    record_file.write_text(json.dumps(record))
    assert [(j.post, j.state) for j in _publish(root, env).jobs] == [("thread+comment", "published")]
    assert _records(root, "thread+comment")["bluesky"]["remote_id"] == comment_job["remote_id"]
    assert len(_posts_of(client(brand), brand.did)) == len(posts)


def test_mastodon_first_comment_replies_under_the_post_once(mastodon_repo):
    root, env, masto = mastodon_repo
    unique = uuid.uuid4().hex[:8]
    (root / "content/image.md").write_text(_due(28, "[mastodon]", f"A cup of tea {unique}",
                                                media="[{file: content/media/cup.png, alt: A green cup}]",
                                                first_comment=f"'Shop {unique}: https://cloudleaf.example/cup #tea'"))
    before = {s["id"] for s in _statuses(masto)}
    report = _publish(root, env)
    assert sorted((j.post, j.state) for j in report.jobs) == [
        ("image", "published"), ("image+comment", "published"), ("text", "published"), ("thread", "published")]
    new = {s["id"]: s for s in _statuses(masto) if s["id"] not in before}
    comment = new[_records(root, "image+comment")["mastodon"]["remote_id"]]
    assert comment["in_reply_to_id"] == _records(root, "image")["mastodon"]["remote_id"]
    assert comment["media_attachments"] == [] and f"Shop {unique}" in comment["content"]
    assert _publish(root, env).jobs == []
    assert len([s for s in _statuses(masto) if s["id"] not in before]) == len(new)
