"""Publishing and reading Mastodon and Bluesky through faults, against the real local servers (tests/peers)
behind tests/peers/proxy.py, which strips `Idempotency-Key` and acts after the server acted.

- an answer the server sent after it acted but that names no id (a 200 whose JSON is no status or media):
  looked up, never recorded as the post `None`, every post once on the server;
- a Bluesky session refused in the middle of a thread (its app password revoked, the session refreshed):
  an auth failure retried on the next run, not a refusal of the post;
- an answer that never ends: refused at 32 MiB (smm.platforms.http.MAX_ANSWER) by the SDKs' clients too,
  in memory bounded, said per account.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from conftest import ROOT, post_text
from peers import http_json, require

from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

pytestmark = pytest.mark.peer


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _due(accounts: str, body: str, **fields) -> str:
    return post_text(body, publish_at=(_now() - timedelta(minutes=5)).isoformat(), platforms=accounts, **fields)


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return buffer.getvalue()


def _records(root, account: str) -> dict:
    return {p.stem: json.loads(p.read_text())["accounts"][account] for p in (root / "data/published").glob("*.json")}


def _owned(records: dict) -> list[str]:
    owned = set()
    for record in records.values():
        owned |= {p["remote_id"] for p in record.get("parts") or []} | {record["remote_id"]}
    return sorted(owned)


@pytest.fixture
def masto_proxy(make_repo, monkeypatch):
    """mastodon-mock behind the proxy, a fresh account (its statuses counted at the server)."""
    from peers.proxy import start, stop

    from smm.platforms.mastodon import Mastodon

    monkeypatch.setattr(Mastodon, "settle", 2.0)  # the proxy acts within a second
    masto = require("mastodon")
    process, url = start(masto.url)
    account = masto.create_account()
    root = make_repo({}, platforms=(f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: '{url}', "
                                    "token_env: T_MASTODON_TOKEN, char_limit: 500}\n"), calendar=None,
                     files={"content/media/cup.png": _png()})
    yield root, {"T_MASTODON_TOKEN": account.token}, url, account, masto
    stop(process)


def _statuses(masto, account) -> list[dict]:
    return http_json("GET", f"{masto.url}/api/v1/accounts/{account.id}/statuses?limit=40",
                     headers={"Authorization": f"Bearer {account.token}"})[1]


WORDS = " ".join(f"word{i}" for i in range(200))  # a thread of three parts
POSTS = {
    "image": lambda u: _due("[mastodon]", f"A cup {u}", media="[{file: content/media/cup.png, alt: A green cup}]"),
    "thread": lambda u: _due("[mastodon]", f"{u} {WORDS}", thread="auto"),
    "comment": lambda u: _due("[mastodon]", f"Our blend {u}", first_comment=f"'More {u}: https://example.com/x'"),
}


@pytest.mark.parametrize("post,path,call", [
    ("image", "/api/v2/media", 0),  # the media upload (alt text)
    ("image", "/api/v1/statuses", 1),  # the post
    ("thread", "/api/v1/statuses", 2),  # a thread's second part
    ("thread", "/api/v1/statuses", 3),  # its last part
    ("comment", "/api/v1/statuses", 2),  # the first comment
])
def test_mastodon_answer_naming_no_id_is_looked_up_never_recorded(masto_proxy, post, path, call):
    root, env, url, account, masto = masto_proxy
    (root / f"content/{post}.md").write_text(POSTS[post](uuid.uuid4().hex[:6]))
    fault = {"method": "POST", "path": path, "count": 1, "effect": "status", "status": 200}  # {"error": ...}
    calls = []

    def checkpoint(name):  # before the call'th status, the proxy is armed for it
        if name == "after_in_flight":
            calls.append(name)
            if len(calls) == call:
                http_json("POST", f"{url}/_proxy/faults", fault)
    if not call:
        http_json("POST", f"{url}/_proxy/faults", fault)
    first = Publisher(load_repo(root), _now(), env, checkpoint=checkpoint).run()
    assert http_json("GET", f"{url}/_proxy/faults")[1]["fired"] == {"status:200": 1}
    assert {j.state for j in first.jobs} == {"published"}, [(j.post, j.error) for j in first.jobs]
    assert Publisher(load_repo(root), _now(), env).run().jobs == []
    records = _records(root, "mastodon")
    assert {r["state"] for r in records.values()} == {"published"}
    assert _owned(records) == sorted(s["id"] for s in _statuses(masto, account))  # each once, none `None`
    if post == "image":
        assert [m["description"] for m in _statuses(masto, account)[0]["media_attachments"]] == ["A green cup"]


# --- Bluesky: the session refused in the middle of a thread ---------------------------------------------


@pytest.fixture
def bsky_account(make_repo):
    bsky = require("bluesky")
    owner = bsky.create_account("brand")
    status, made = http_json("POST", f"{bsky.pds_url}/xrpc/com.atproto.server.createAppPassword", {"name": "smm"},
                             headers={"Authorization": f"Bearer {owner.access_jwt}"})
    assert status == 200, made
    root = make_repo({}, platforms=(f"timezone: UTC\naccounts:\n  bluesky: {{platform: bluesky, service: "
                                    f"'{bsky.pds_url}', handle: {owner.handle}, password_env: T_BSKY}}\n"), calendar=None)
    return root, bsky, owner, made["password"]


def _posts_of(bsky, did: str) -> list[dict]:
    return http_json("GET", f"{bsky.pds_url}/xrpc/com.atproto.repo.listRecords?repo={did}"
                            "&collection=app.bsky.feed.post&limit=100")[1]["records"]


@pytest.mark.parametrize("part", [2, 3])
def test_bluesky_session_refused_mid_thread_is_retried_not_refused(bsky_account, monkeypatch, part):
    """The app password is revoked after part `part - 1` went out, and the session comes due for its
    refresh (two hours on): the PDS answers 400 ExpiredToken. The job fails as an auth failure, kept
    for the next run, which (with a new app password) sends only the rest of the thread."""
    from atproto import Client

    root, bsky, owner, password = bsky_account
    (root / "content/thread.md").write_text(_due("[bluesky]", f"{uuid.uuid4().hex[:6]} {' '.join(['tea'] * 200)}",
                                                 thread="auto"))
    calls, later = [], datetime.now(timezone.utc) + timedelta(hours=2)

    def checkpoint(name):
        if name == "after_in_flight":
            calls.append(name)
            if len(calls) == part:
                assert http_json("POST", f"{bsky.pds_url}/xrpc/com.atproto.server.revokeAppPassword", {"name": "smm"},
                                 headers={"Authorization": f"Bearer {owner.access_jwt}"})[0] == 200
                monkeypatch.setattr(Client, "get_current_time", lambda self: later)
    report = Publisher(load_repo(root), _now(), {"T_BSKY": password}, checkpoint=checkpoint).run()
    [job] = report.jobs
    assert job.state == "failed" and "not retried" not in job.error and "session" in job.error, job.error
    record = _records(root, "bluesky")["thread"]
    assert (record["retryable"], len(record["parts"])) == (True, part - 1)
    monkeypatch.undo()
    status, made = http_json("POST", f"{bsky.pds_url}/xrpc/com.atproto.server.createAppPassword", {"name": "smm2"},
                             headers={"Authorization": f"Bearer {owner.access_jwt}"})
    report = Publisher(load_repo(root), _now(), {"T_BSKY": made["password"]}).run()
    assert [j.state for j in report.jobs] == ["published"], report.jobs[0].error
    record = _records(root, "bluesky")["thread"]
    assert sorted(p["remote_id"] for p in record["parts"]) == sorted(r["uri"] for r in _posts_of(bsky, owner.did))
    assert len(record["parts"]) == 3


# --- answers that never end: refused at 32 MiB by the SDKs' clients ---------------------------------------


FLOOD = 256 * 2**20  # bytes the proxy answers after the server acted
MEMORY = 200 * 2**10  # KiB a run may take at its peak (smm alone is about 100 MiB)


def _smm_measured(root, env: dict, *args: str) -> tuple[int, str, str, int]:
    """`smm ARGS` in its own process: exit code, output, standard error, and its peak memory in KiB: its
    own (VmHWM, whose memory is new at exec), not getrusage's ru_maxrss, which Linux keeps across exec
    from the process that forked it (a test worker grown to 500 MiB: the first CI run failed so)."""
    code = ("import atexit, re, runpy, sys; atexit.register(lambda: sys.stderr.write('PEAK %s\\n' % re.search("
            "r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read())[1])); "
            f"sys.argv = ['smm', *{list(args)!r}]; runpy.run_module('smm', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
    peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
    return done.returncode, done.stdout, done.stderr.rsplit("PEAK ", 1)[0], peak


@pytest.mark.parametrize("network,path", [("mastodon", "/api/v1/statuses/*"), ("bluesky", "/xrpc/app.bsky.feed.getPosts")])
def test_an_answer_that_never_ends_is_refused_per_account_in_bounded_memory(make_repo, network, path):
    from peers.proxy import start, stop

    if network == "mastodon":
        masto = require("mastodon")
        process, url = start(masto.url)
        account = masto.create_account()
        env, options = {"T_SECRET": account.token}, f"instance: '{url}', token_env: T_SECRET"
    else:
        bsky = require("bluesky")
        process, url = start(bsky.pds_url)
        owner = bsky.create_account("brand")
        env, options = {"T_SECRET": owner.password}, f"service: '{url}', handle: {owner.handle}, password_env: T_SECRET"
    try:
        root = make_repo({"a.md": _due(f"[{network}]", f"Counted {uuid.uuid4().hex[:6]}")},
                         platforms=f"timezone: UTC\naccounts:\n  {network}: {{platform: {network}, {options}}}\n",
                         calendar=None)
        assert [j.state for j in Publisher(load_repo(root), _now(), env).run().jobs] == ["published"]
        http_json("POST", f"{url}/_proxy/faults", {"method": "GET", "path": path, "count": 3, "effect": "flood",
                                                   "bytes": FLOOD})
        code, out, err, peak = _smm_measured(root, env, "metrics", "--format", "json")
        assert http_json("GET", f"{url}/_proxy/faults")[1]["fired"] == {"flood": 3}  # each try
        assert code == 1 and "Traceback" not in err, err
        [collected] = json.loads(out)["accounts"]
        assert collected["state"] == "failed" and "an answer longer than 32 MiB" in collected["reason"], collected
        assert peak < MEMORY, f"{peak // 1024} MiB"
    finally:
        stop(process)
