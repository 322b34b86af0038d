"""`smm publish` in operation: secrets as CI stores them, permanent failures, platforms that
cannot publish, rate-limit signals, daylight saving, temp files, push races, `smm resolve`,
and a read-only checkout."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import post_text

from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NOW = "2026-12-01T12:00:00+08:00"
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  local: {platform: local, path: .local/local}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON_TOKEN}
  x: {platform: x, token_env: T_X_TOKEN}
"""


def due(at="2026-12-01T11:00", accounts="[local]", body="Hello 你好", **fields) -> str:
    return post_text(body, publish_at=at, platforms=accounts, **fields)


def record(root, post: str) -> dict:
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


def remote_posts(root) -> list[dict]:
    path = root / ".local/local/posts.json"
    return json.loads(path.read_text()) if path.exists() else []


def publish(smm, *args, now=NOW, env=None):
    code, out, err = smm("publish", "--now", now, "--format", "json", *args, env=env)
    return code, (json.loads(out) if out.strip().startswith("{") else out), err


# --- daylight saving: --now without an offset is an instant ----------------------------------------

DST = [  # zone, the post's local publish_at, --now without offset, due?
    ("America/New_York", "2026-03-08T02:30", "2026-03-08T03:10", False),  # skipped: 02:30 is 03:30 EDT
    ("America/New_York", "2026-03-08T02:30", "2026-03-08T03:30", True),
    ("America/New_York", "2026-03-08T03:10", "2026-03-08T02:50", True),  # --now skipped: 03:50 EDT
    ("Europe/Berlin", "2026-03-29T02:40", "2026-03-29T03:20", False),
    ("Europe/Berlin", "2026-03-29T02:40", "2026-03-29T03:40", True),
    ("Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-04T02:35", False),  # a 30-minute gap
    ("Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-04T02:45", True),
    ("Australia/Sydney", "2026-10-04T02:30", "2026-10-04T03:10", False),
    ("America/Santiago", "2026-09-06T00:30", "2026-09-06T01:10", False),  # the gap is at midnight
    ("America/New_York", "2026-11-01T01:30", "2026-11-01T01:10-05:00", True),  # repeated hour: the second 01:10
    ("America/New_York", "2026-11-01T01:30", "2026-11-01T01:10", False),  # the first 01:10
    ("Europe/London", "2026-10-25T01:30", "2026-10-25T01:10+00:00", True),
    ("Europe/London", "2026-10-25T01:30", "2026-10-25T01:20+01:00", False),
]


@pytest.mark.parametrize("zone,at,now,is_due", DST, ids=[f"{z}-{a}-now-{n}" for z, a, n, _ in DST])
def test_daylight_saving_compares_instants(make_repo, smm, zone, at, now, is_due):
    make_repo({"a.md": due(at)}, platforms=f"timezone: {zone}\naccounts:\n  local: {{platform: local, path: .l}}\n",
              calendar=None)
    code, report, _ = publish(smm, "--dry-run", now=now)
    assert code == 0
    assert [j["state"] for j in report["jobs"]] == (["would_publish"] if is_due else [])


# --- secrets as CI stores them: checked before any call ----------------------------------------------

ADAPTERS = {  # account options of each adapter with a secret, and the variable holding it
    "mastodon": ("{platform: mastodon, instance: https://mastodon.example, token_env: T_SECRET}", "token_env"),
    "bluesky": ("{platform: bluesky, handle: brand.bsky.social, password_env: T_SECRET}", "password_env"),
    "telegram": ("{platform: telegram, token_env: T_SECRET, chat_id: '@brand'}", "token_env"),
    "discord": ("{platform: discord, webhook_env: T_SECRET}", "webhook_env"),
    "slack": ("{platform: slack, token_env: T_SECRET, channel: C1}", "token_env"),
}
BROKEN_SECRETS = [  # value, what the run says
    ("tok en", "T_SECRET holds white space or a control character inside its value: paste the secret again"),
    ("token\nsecond-line", "T_SECRET holds white space or a control character inside its value: paste the secret again"),
    ("token\x00", "T_SECRET holds white space or a control character inside its value: paste the secret again"),
    ("tok\u200ben", "T_SECRET holds white space or a control character inside its value: paste the secret again"),
    ("tok\ten", "T_SECRET holds white space or a control character inside its value: paste the secret again"),
    ("\n", "set T_SECRET"),
    ("   ", "set T_SECRET"),
]


def _secret_repo(make_repo, platform: str):
    options, _ = ADAPTERS[platform]
    return make_repo({"a.md": due(accounts="[acct]")}, calendar=None,
                     platforms=f"timezone: Asia/Shanghai\naccounts:\n  acct: {options}\n")


@pytest.mark.parametrize("platform", list(ADAPTERS))
@pytest.mark.parametrize("value,said", BROKEN_SECRETS, ids=[repr(v) for v, _ in BROKEN_SECRETS])
def test_an_unusable_secret_is_a_configuration_error_before_any_call(make_repo, monkeypatch, platform, value, said):
    root = _secret_repo(make_repo, platform)

    def no_adapter(*args):
        raise AssertionError("no adapter may be made, no call sent")

    monkeypatch.setattr(Publisher, "adapter", no_adapter)
    report = Publisher(load_repo(root), datetime.fromisoformat(NOW), {"T_SECRET": value}).run()
    assert [(j.state, j.error) for j in report.jobs] == [("skipped", f"not configured: {said}")]
    assert report.exit_code == 1
    assert record(root, "a")["acct"]["state"] == "pending"  # never unconfirmed: nothing was sent
    assert value.strip() not in json.dumps(record(root, "a")) or not value.strip()


@pytest.mark.parametrize("platform", list(ADAPTERS))
@pytest.mark.parametrize("value", ["https://hooks.example/T0/B0/abcdef\n", " https://hooks.example/T0/B0/abcdef\r\n"])
def test_white_space_around_a_secret_is_ignored_with_a_warning(make_repo, caplog, platform, value):
    from smm.platforms import platform_class

    root = _secret_repo(make_repo, platform)
    account = load_repo(root).config.accounts["acct"]
    cls = platform_class(platform)
    assert cls.not_configured(account.options, {"T_SECRET": value}) is None
    with caplog.at_level("WARNING"):
        assert cls(account, {"T_SECRET": value}, root).secret(ADAPTERS[platform][1]) == value.strip()
    assert "white space around the value of T_SECRET ignored" in caplog.text
    assert value.strip() not in caplog.text


def test_metrics_says_the_same_about_an_unusable_secret(make_repo):
    from smm.metrics.collect import collect

    root = _secret_repo(make_repo, "mastodon")
    report = collect(load_repo(root), datetime.fromisoformat(NOW), {"T_SECRET": "tok en"})
    assert [(a.state, a.reason) for a in report.accounts] == [("not_configured", f"not configured: {BROKEN_SECRETS[0][1]}")]


def test_a_header_the_http_library_refuses_is_not_an_unknown_outcome():
    import socket

    import httpx

    from smm.errors import AuthError
    from smm.platforms import http

    with socket.socket() as listener, httpx.Client() as client:  # h11 refuses the header after connecting
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
        with pytest.raises(AuthError) as caught:
            http.send(client, "POST", url, "Net", headers={"Authorization": "Bearer tok\nX"})
    assert "not sent" in caught.value.message and "tok" not in caught.value.message


# --- what fails the scheduled run, and what does not ----------------------------------------------

RUN_OUTCOMES = [  # accounts, environment, states, exit code
    ("[local, x]", {}, {"local": "published", "x": "skipped"}, 0),  # X cannot publish from smm: reported only
    ("[x]", {"T_X_TOKEN": "set"}, {"x": "skipped"}, 0),
    ("[local, mastodon]", {}, {"local": "published", "mastodon": "skipped"}, 1),  # a missing secret fails it
    ("[local, x, mastodon]", {}, {"local": "published", "x": "skipped", "mastodon": "skipped"}, 1),
    ("[local, mastodon]", {"T_MASTODON_TOKEN": "a b"}, {"local": "published", "mastodon": "skipped"}, 1),
]


@pytest.mark.parametrize("accounts,env,states,code", RUN_OUTCOMES)
def test_an_account_that_cannot_publish_here_does_not_fail_the_run(make_repo, smm, accounts, env, states, code):
    make_repo({"a.md": due(accounts=accounts)}, platforms=PLATFORMS, calendar=None)
    for _ in range(2):  # the next run too: the pending job stays reported and red only when it must
        got, report, _ = publish(smm, env=env)
        assert {j["account"]: j["state"] for j in report["jobs"] if j["state"] != "published" or _ == 0} == {
            a: s for a, s in states.items() if s != "published" or _ == 0}
        assert got == code
    if "x" in states:
        x = next(j for j in report["jobs"] if j["account"] == "x")
        assert x["error"] == "publishing to X is not implemented yet (check and preview only)"


def _reject(root):
    (root / ".local/local").mkdir(parents=True, exist_ok=True)
    (root / ".local/local/faults.json").write_text(json.dumps(["reject"]))


def _missing_media(root):
    (root / "content/a.md").write_text(due(media="[{file: content/media/a.png, alt: a cup}]"))


def _out_of_attempts(root):
    (root / ".local/local").mkdir(parents=True, exist_ok=True)
    (root / ".local/local/faults.json").write_text(json.dumps(["server_error"] * 15))


@pytest.mark.parametrize("cause", [_reject, _missing_media, _out_of_attempts])
def test_a_permanently_failed_job_fails_every_run_until_a_human_acts(make_repo, smm, cause):
    root = make_repo({"a.md": due()}, platforms=PLATFORMS, calendar=None)
    cause(root)
    for _ in range(6):  # until smm gives up (without sleeping between tries)
        Publisher(load_repo(root), datetime.fromisoformat(NOW), {}, sleep=lambda s: None).run()
        if record(root, "a")["local"].get("retryable") is False:
            break
    for _ in range(2):  # every later run says so, and exits 1
        code, report, _ = publish(smm)
        assert code == 1
        [job] = report["jobs"]
        assert job["state"] == "failed"
        assert job["error"].startswith("failed earlier and not retried: ")
        assert "smm resolve a --account local" in job["error"]
    assert remote_posts(root) == []
    (root / ".local/local/faults.json").unlink(missing_ok=True)
    (root / "content/a.md").write_text(due(body="Changed by an editor"))  # a human acts
    code, report, _ = publish(smm)
    assert (code, [j["state"] for j in report["jobs"]]) == (0, ["published"])


# --- rate limits: the shorter signal -------------------------------------------------------------

RATE_LIMITS = [  # headers of a 429, seconds to wait (now is 2026-12-01T04:00:00Z)
    ({"Retry-After": "30", "X-RateLimit-Reset": "2026-12-01T05:00:00.000Z"}, 30.0),  # Mastodon behind a proxy
    ({"X-RateLimit-Reset": "2026-12-01T04:05:00Z"}, 300.0),  # Mastodon alone
    ({"Retry-After": "Tue, 01 Dec 2026 04:00:20 GMT", "X-RateLimit-Reset": "2026-12-01T05:00:00Z"}, 20.0),
    ({"Retry-After": "600", "X-RateLimit-Reset": "2026-12-01T04:01:00Z"}, 60.0),  # the reset is the shorter
    ({"Retry-After": "12", "RateLimit-Reset": str(int(datetime.fromisoformat("2026-12-01T05:00:00+00:00").timestamp()))},
     12.0),  # Bluesky: epoch seconds
    ({"Retry-After": "7", "X-RateLimit-Reset-After": "1.5"}, 1.5),  # Discord
    ({"Retry-After": "not a number"}, None),
]


@pytest.mark.parametrize("headers,wait", RATE_LIMITS)
def test_the_shorter_rate_limit_signal_is_honoured(headers, wait):
    import httpx

    from smm.platforms.http import retry_after

    now = datetime.fromisoformat("2026-12-01T04:00:00+00:00")
    assert retry_after(httpx.Response(429, headers=headers), now) == wait


# --- a killed writer's temporary files ----------------------------------------------------------

def _git(root, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def _git_repo(root):
    (root / ".gitignore").write_text(".local/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")


LEFTOVERS = ["data/published/.a.json.tmp4000000", "data/feed/.feed.json.tmp4000001", "data/feed/.feed.xml.tmp4000002",
             "data/published/.b.json.tmp1"]  # pid 1 is alive: its file stays, and is not committed


@pytest.mark.parametrize("command", ["publish", "metrics"])
def test_a_killed_writers_temp_files_are_never_committed(make_repo, smm, command):
    platforms = "timezone: Asia/Shanghai\naccounts:\n  local: {platform: local, path: .local/local}\n" \
                "  feed: {platform: feed, path: data/feed/feed.xml}\n"
    root = make_repo({"a.md": due(accounts="[local, feed]")}, platforms=platforms, calendar=None)
    _git_repo(root)
    for leftover in LEFTOVERS:
        (root / leftover).parent.mkdir(parents=True, exist_ok=True)
        (root / leftover).write_text('{"half": ')
    code, _, err = smm(command, "--now", NOW, "--commit")
    assert code == 0, err
    committed = _git(root, "ls-files", "data").split()
    assert not [f for f in committed if ".tmp" in f]
    if command == "publish":
        assert "data/published/a.json" in committed
        assert [f for f in LEFTOVERS if (root / f).exists()] == ["data/published/.b.json.tmp1"]


# --- two runs race to push: smm's own files are merged ------------------------------------------

WINNERS = [  # the pushed job, ours, which one the merged record keeps
    ({"state": "published", "remote_id": "1"}, {"state": "in_flight", "attempts": 2}, "pushed"),
    ({"state": "in_flight", "attempts": 2}, {"state": "published", "remote_id": "1"}, "ours"),
    ({"state": "in_flight", "attempts": 1}, {"state": "unconfirmed", "attempts": 1}, "ours"),
    ({"state": "failed", "attempts": 3, "retryable": True}, {"state": "in_flight", "attempts": 1}, "ours"),
    ({"state": "failed", "attempts": 1, "retryable": False}, {"state": "late"}, "pushed"),
    ({"state": "pending"}, {"state": "late"}, "ours"),
    ({"state": "failed", "attempts": 2, "retryable": True}, {"state": "failed", "attempts": 3, "retryable": True}, "ours"),
    ({"state": "in_flight", "attempts": 2, "parts": [{"remote_id": "1"}, {"remote_id": "2"}]},
     {"state": "in_flight", "attempts": 2, "parts": [{"remote_id": "1"}]}, "pushed"),
    ({"state": "published", "remote_id": "1"}, {"state": "published", "remote_id": "2"}, "pushed"),  # kept as pushed
]


@pytest.mark.parametrize("pushed,ours,winner", WINNERS)
def test_merged_records_keep_the_job_that_got_furthest(pushed, ours, winner):
    from smm.data.merge import merge_records

    def text(job, other_account):
        return json.dumps({"post": "a", "file": "content/a.md", "accounts": {"local": job, other_account: {"state": "pending"}}})

    merged = json.loads(merge_records(text(pushed, "feed"), text(ours, "bluesky")))
    assert merged["accounts"]["local"] == {"pushed": pushed, "ours": ours}[winner]
    assert set(merged["accounts"]) == {"local", "feed", "bluesky"}  # the union of the accounts


def _clone(bare, where):
    import subprocess

    subprocess.run(["git", "clone", "-q", str(bare), str(where)], check=True)
    return where


def _run(root, *args, now=NOW):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SMM_NOW": now}
    env.pop("SMM_TEST_CRASH_AT", None)
    return subprocess.run([sys.executable, "-m", "smm", *args], cwd=root, env=env, capture_output=True, text=True)


def test_two_runs_racing_to_push_merge_records_feed_and_metrics(make_repo, tmp_path):
    import subprocess
    from xml.etree import ElementTree as ET

    platforms = ("timezone: Asia/Shanghai\naccounts:\n  local: {platform: local, path: .local/local}\n"
                 "  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}\n")
    root = make_repo({"a.md": due(accounts="[local, feed]"), "b.md": due("2026-12-01T11:30", accounts="[local, feed]"),
                      "c.md": due("2026-12-01T12:20", accounts="[local, feed]")}, platforms=platforms, calendar=None)
    _git_repo(root)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    first, second = _clone(bare, tmp_path / "first"), _clone(bare, tmp_path / "second")
    assert _run(first, "publish", "--push").returncode == 0
    # the second run's claim loses the race: it catches up first and publishes only what is left
    late = _run(second, "publish", "--push", now="2026-12-01T12:30:00+08:00")
    assert late.returncode == 0, late.stderr
    assert late.stdout.splitlines()[-1] == "2 published"
    assert _run(first, "metrics", "--push", now="2026-12-01T13:00:00+08:00").returncode == 0
    metrics = _run(second, "metrics", "--push", now="2026-12-01T13:10:00+08:00")
    assert metrics.returncode == 0, metrics.stderr

    check = _clone(bare, tmp_path / "check")
    assert _git(check, "status", "--porcelain") == ""
    records = {p: record(check, p) for p in "abc"}
    assert {p: sorted(r) for p, r in records.items()} == {p: ["feed", "local"] for p in "abc"}
    assert all(job["state"] == "published" for r in records.values() for job in r.values())
    feed = json.loads((check / "data/feed/feed.json").read_text())
    assert [i["_smm"]["post"] for i in feed["items"]] == ["c", "b", "a"]
    atom = ET.parse(check / "data/feed/feed.xml").getroot()
    assert [e.findtext("{http://www.w3.org/2005/Atom}id") for e in atom] [-3:] == [i["id"] for i in feed["items"]]
    rows = (check / "data/metrics/2026-12.csv").read_text().splitlines()
    assert rows[0].startswith("collected_at,post_id") and rows.count(rows[0]) == 1
    assert sorted({r.split(",")[0] for r in rows[1:]}) == ["2026-12-01T05:00:00Z", "2026-12-01T05:10:00Z"]
    log = _git(check, "log", "--format=%s").splitlines()
    claims = [line for line in log if line.startswith("smm publish: claim")]
    assert len(claims) == 2  # each run claimed its due local jobs before calling (the feed needs no claim)
    assert sum(line.startswith("smm publish") for line in log) - len(claims) == 2
    assert sum(line.startswith("smm metrics") for line in log) == 2


# --- smm resolve: a human settles what smm could not -------------------------------------------------

EDITOR = "Editor Name <editor@example.com>"


@pytest.fixture
def settled(make_repo, monkeypatch):
    """A checkout with an editor's git identity, post `a` due on local (and mastodon), its job in `state`."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def build(state: str, accounts="[local]", body="Hello 你好", parts=None, identity=True, **job):
        root = make_repo({"a.md": due(accounts=accounts, body=body, thread="auto")}, platforms=PLATFORMS, calendar=None)
        _git_repo(root)
        if identity:
            _git(root, "config", "user.name", "Editor Name")
            _git(root, "config", "user.email", "editor@example.com")
        (root / "data/published").mkdir(parents=True, exist_ok=True)
        jobs = {a: {"state": state, "attempts": 1, "key": "k1", "error": "outcome unknown", **job,
                    **({"parts": parts} if parts else {})} for a in accounts.strip("[]").split(", ")}
        (root / "data/published/a.json").write_text(json.dumps({"post": "a", "file": "content/a.md", "accounts": jobs}))
        (root / ".local/local").mkdir(parents=True, exist_ok=True)
        (root / ".local/local/posts.json").write_text(json.dumps([
            {"id": "7", "key": "k1", "url": "local://local/7", "post": "a", "text": body, "reply_to": None},
            {"id": "8", "key": "k2", "url": "local://local/8", "post": "a", "text": body, "reply_to": "7"}]))
        return root
    return build


@pytest.mark.parametrize("state", ["unconfirmed", "failed"])
@pytest.mark.parametrize("reference", ["local://local/7", "7"])
@pytest.mark.parametrize("now", [NOW, "2026-12-01T12:00:00", "2026-12-01T04:00:00Z"])  # no offset: the repository's zone
def test_resolve_published_records_the_post_who_and_when(settled, smm, state, reference, now):
    root = settled(state, retryable=False)
    code, out, err = smm("resolve", "a", "--account", "local", "--published", reference, "--now", now)
    assert code == 0, err
    assert out.splitlines()[0] == "a → local: published local://local/7 (found on the network)"
    job = record(root, "a")["local"]
    assert (job["state"], job["remote_id"], job["url"]) == ("published", "7", "local://local/7")
    assert job["resolved"] == {"by": EDITOR, "at": "2026-12-01T04:00:00+00:00", "as": "published", "was": state,
                               "checked": True}
    code, report, _ = publish(smm)
    assert (code, report) == (0, {"jobs": []})  # settled: nothing posted again
    assert len(remote_posts(root)) == 2


def test_resolve_not_published_publishes_on_the_next_run(settled, smm):
    root = settled("unconfirmed")
    code, out, err = smm("resolve", "a", "--account", "local", "--not-published", "--now", NOW)
    assert code == 0, err
    job = record(root, "a")["local"]
    assert (job["state"], job["resolved"]["as"], job["resolved"]["by"]) == ("pending", "not_published", EDITOR)
    code, report, _ = publish(smm)
    assert (code, [j["state"] for j in report["jobs"]]) == (0, ["published"])
    assert len(remote_posts(root)) == 3


def test_resolve_a_thread_part_then_the_rest_goes_out(settled, smm):
    body = ("word " * 90 + "\n\n") * 3
    root = settled("unconfirmed", body=body, parts=[{"remote_id": "7", "url": "local://local/7"}])
    code, out, err = smm("resolve", "a", "--account", "local", "--published", "local://local/8", "--now", NOW)
    assert code == 0, err
    assert out.splitlines()[0] == ("a → local: part local://local/8 recorded (found on the network); "
                                   "the next `smm publish` sends the rest of the thread")
    job = record(root, "a")["local"]
    assert (job["state"], [p["remote_id"] for p in job["parts"]]) == ("failed", ["7", "8"])
    assert job["error"] == "resolved: 2 of 3 parts went out; the rest on the next run"
    code, report, _ = publish(smm)
    assert (code, [j["state"] for j in report["jobs"]]) == (0, ["published"])
    assert remote_posts(root)[-1]["reply_to"] == "8"


REFUSED = [  # job state, arguments, exit code, message
    ("unconfirmed", ["--published", "local://local/99"], 1, "error: --published local://local/99: no post local://local/99 in local"),
    ("published", ["--not-published"], 1, "error: `a` on local is published: only unconfirmed or failed jobs are resolved"),
    ("late", ["--published", "7"], 1, "error: `a` on local is late: only unconfirmed or failed jobs are resolved"),
    ("unconfirmed", [], 2, "error: give either --published URL or --not-published"),
    ("unconfirmed", ["--published", "7", "--not-published"], 2, "error: give either --published URL or --not-published"),
]


@pytest.mark.parametrize("state,args,code,message", REFUSED)
def test_resolve_refuses_what_it_cannot_settle(settled, smm, state, args, code, message):
    root = settled(state)
    before = (root / "data/published/a.json").read_text()
    got, out, err = smm("resolve", "a", "--account", "local", *args, "--now", NOW)
    assert (got, err.strip()) == (code, message)
    assert (root / "data/published/a.json").read_text() == before


@pytest.mark.parametrize("args,message", [
    (["a", "--account", "nope", "--not-published"], "error: no account `nope` in platforms.yml; accounts are: local, mastodon, x"),
    (["zzz", "--account", "local", "--not-published"], "error: no post with id `zzz`"),
])
def test_resolve_names_an_unknown_post_or_account(settled, smm, args, message):
    settled("unconfirmed")
    assert smm("resolve", *args)[0::2] == (2, message + "\n")


def test_resolve_needs_to_know_who_you_are(settled, smm):
    root = settled("unconfirmed", identity=False)
    code, _, err = smm("resolve", "a", "--account", "local", "--not-published")
    assert (code, err) == (1, "error: set `git config user.name` and `user.email`: the record keeps who resolved a job\n")
    assert record(root, "a")["local"]["state"] == "unconfirmed"


def test_resolve_without_the_accounts_secret_records_it_unchecked(settled, smm):
    root = settled("unconfirmed", accounts="[mastodon]")
    url = "https://mastodon.example/@brand/111"
    code, out, err = smm("resolve", "a", "--account", "mastodon", "--published", url, "--now", NOW)
    assert code == 0, err
    assert out.splitlines()[0] == f"a → mastodon: published {url} (not checked (not configured: set T_MASTODON_TOKEN))"
    job = record(root, "a")["mastodon"]
    assert (job["state"], job["url"], job["remote_id"], job["resolved"]["checked"]) == ("published", url, None, False)


# A post another record already owns (last week's "Happy Friday!") is never recorded for this job
# too: that would lose this one, as find() must never do either.
@pytest.mark.parametrize("accounts,b_job,reference", [
    ("[local]", {"remote_id": "7", "url": "local://local/7"}, "local://local/7"),
    ("[local]", {"remote_id": "7", "url": "local://local/7"}, "7"),
    ("[local]", {"remote_id": "6", "url": "local://local/6", "parts": [{"remote_id": "6"}, {"remote_id": "7"}]}, "7"),
    ("[mastodon]", {"remote_id": None, "url": "https://mastodon.example/@brand/111"}, "https://mastodon.example/@brand/111"),
])
def test_resolve_refuses_a_post_another_record_owns(settled, smm, accounts, b_job, reference):
    root = settled("unconfirmed", accounts=accounts)
    account = accounts.strip("[]")
    (root / "content/b.md").write_text(due(accounts=accounts))
    (root / "data/published/b.json").write_text(json.dumps({"post": "b", "file": "content/b.md", "accounts": {
        account: {"state": "published", "published_at": "2026-11-24T04:00:00+00:00", **b_job}}}))
    before = (root / "data/published/a.json").read_text()
    code, _, err = smm("resolve", "a", "--account", account, "--published", reference, "--now", NOW)
    assert (code, err.strip()) == (1, f"error: --published {reference}: that post is already recorded for `b`; "
                                      "give the URL of `a`'s own post, or --not-published")
    assert (root / "data/published/a.json").read_text() == before


def test_check_names_smm_resolve_for_an_unconfirmed_job(settled, smm):
    settled("unconfirmed")
    code, out, _ = smm("check", "--format", "json")
    [hint] = [d["hint"] for d in json.loads(out) if d["rule"] == "record.unconfirmed"]
    assert "`smm resolve a --account local --published URL`" in hint and "`smm resolve a --account local --not-published`" in hint


# --- a read-only checkout ---------------------------------------------------------------------------

READ_ONLY = [  # command, exit code, what it says on stderr (the last line), or on stdout
    (["publish", "--dry-run", "--format", "json"], 0, None, '"state": "would_publish"'),
    (["publish"], 1, None, "failed        b → local  cannot write data/published/b.json: Permission denied; nothing was sent"),
    (["publish", "--format", "markdown"], 1, None,
     "| ❌ failed | `c` | feed | cannot write data/published/c.json: Permission denied; nothing was sent |"),
    (["check", "--format", "json"], 1, None, '"rule": "voice.Terms"'),
    (["check", "--fix"], 1, "error: cannot fix content/a.md: Permission denied", None),
    (["new", "Hello"], 1, "error: cannot write content/2026/12/2026-12-01-hello.md: Permission denied", None),
    (["metrics", "--format", "json"], 1, "error: cannot write data/metrics/2026-12.csv: Permission denied", None),
    (["preview", "--format", "json"], 0, None, '"account": "local"'),
    (["calendar"], 0, None, "2026-12-01"),
]


@pytest.fixture(scope="module")
def read_only_checkout(tmp_path_factory):
    """A checkout nobody may write to (and no writable home for caches); commands run as `nobody`
    when the tests run as root, for whom permissions do not bite."""
    import shutil
    import stat
    import tempfile

    from conftest import RepoFactory

    root = Path(tempfile.mkdtemp(prefix="smm-read-only-"))
    RepoFactory(root)({"a.md": due(accounts="[local]", body="We utilise github"), "b.md": due(accounts="[local]"),
                       "c.md": due(accounts="[feed]")}, calendar=None, platforms=(
        "timezone: Asia/Shanghai\naccounts:\n  local: {platform: local, path: .local/local}\n"
        "  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}\n"), files={
        "brand/voice/Terms.yml": "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nlevel: error\n"
                                 "swap:\n  utilise: use\n",
        ".local/local/posts.json": json.dumps([{"id": "1", "key": "k", "url": "local://local/1", "post": "a",
                                               "text": "x", "reply_to": None, "likes": 2, "reposts": 0, "replies": 0}]),
        "data/published/a.json": json.dumps({"post": "a", "file": "content/a.md", "accounts": {"local": {
            "state": "published", "remote_id": "1", "url": "local://local/1",
            "published_at": "2026-12-01T03:00:00+00:00"}}})})
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) | stat.S_IROTH
                   | (stat.S_IXOTH if path.is_dir() else 0))
    yield root
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(root)


def _files(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("args,code,error,output", READ_ONLY, ids=[" ".join(a[:2]) for a, *_ in READ_ONLY])
def test_a_read_only_checkout_is_never_a_crash(read_only_checkout, args, code, error, output):
    import os
    import subprocess
    import sys

    root = read_only_checkout
    env = {k: v for k, v in os.environ.items() if k not in ("SMM_CACHE_DIR", "SMM_TEST_CRASH_AT")}
    env.update(HOME="/nonexistent", XDG_CACHE_HOME="/nonexistent/.cache", SMM_NOW=NOW)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    before = _files(root)
    result = subprocess.run([*as_nobody, sys.executable, "-m", "smm", *args], cwd=root, env=env,
                            capture_output=True, text=True)
    assert result.returncode == code, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    if error:
        assert result.stderr.strip().splitlines()[-1] == error
    if output:
        assert output in result.stdout
    assert _files(root) == before  # nothing written, nothing left behind


BLUESKY_REFERENCES = [  # what a human pastes, the record key looked up, or why it is refused
    ("https://bsky.app/profile/brand.bsky.social/post/3kabc2def", "3kabc2def", None),
    ("at://did:plc:brand/app.bsky.feed.post/3kabc2def", "3kabc2def", None),
    ("https://bsky.app/profile/did:plc:brand/post/3kabc2def/", "3kabc2def", None),
    ("https://bsky.app/profile/other.bsky.social/post/3kabc2def", None,
     "https://bsky.app/profile/other.bsky.social/post/3kabc2def is a post of other.bsky.social, not of brand.bsky.social"),
    ("https://bsky.app/profile/brand.bsky.social/post/3kmissing", "3kmissing",
     "no post 3kmissing in brand.bsky.social's repository"),
    ("https://example.com/post/1", None,
     "https://example.com/post/1 is not a Bluesky post URL (https://bsky.app/profile/…/post/…) or at:// URI"),
]


@pytest.mark.parametrize("reference,rkey,refused", BLUESKY_REFERENCES)
def test_bluesky_confirm_looks_in_the_accounts_repository(make_repo, reference, rkey, refused):
    from types import SimpleNamespace

    from smm.errors import Rejected
    from smm.platforms.bluesky import Bluesky

    asked = []

    def get_record(params):
        asked.append(params)
        if params["rkey"] == "3kmissing":
            raise Rejected("Bluesky: refused (look up): RecordNotFound")
        return SimpleNamespace(uri=f"at://{params['repo']}/{params['collection']}/{params['rkey']}", cid="bafycid")

    root = _secret_repo(make_repo, "bluesky")
    client = SimpleNamespace(login=lambda handle, password, **options: None, com=SimpleNamespace(atproto=SimpleNamespace(
        repo=SimpleNamespace(get_record=get_record),
        server=SimpleNamespace(get_session=lambda: SimpleNamespace(did="did:plc:brand")))))
    adapter = Bluesky(load_repo(root).config.accounts["acct"], {"T_SECRET": "app-pass"}, root,
                      client_factory=lambda base_url: client)
    if refused:
        with pytest.raises(Rejected) as caught:
            adapter.confirm(reference)
        assert caught.value.message == refused
    else:
        found = adapter.confirm(reference)
        assert (found.remote_id, found.url, found.extra) == (
            f"at://did:plc:brand/app.bsky.feed.post/{rkey}", f"https://bsky.app/profile/brand.bsky.social/post/{rkey}",
            {"cid": "bafycid"})
    assert [a["rkey"] for a in asked] == ([rkey] if rkey else [])
    assert all(a["repo"] == "did:plc:brand" for a in asked)


BLUESKY_RATE_LIMITS = [  # 429 headers (ratelimit-reset: seconds from now, made epoch), the wait
    ({"retry-after": "30", "ratelimit-reset": 3600}, 30.0),  # a proxy's Retry-After; the window ends in an hour
    ({"retry-after": "600", "ratelimit-reset": 60}, 60.0),  # the window ends first
    ({"ratelimit-reset": 60}, 60.0),
    ({"retry-after": "5"}, 5.0),
]


@pytest.mark.parametrize("headers,wait", BLUESKY_RATE_LIMITS)
def test_bluesky_rate_limit_waits_for_the_shorter_signal(make_repo, headers, wait):
    import time
    from types import SimpleNamespace

    from atproto_client.exceptions import RateLimitExceededError
    from atproto_client.request import Response

    from smm.errors import RateLimited
    from smm.platforms import Outgoing
    from smm.platforms.bluesky import Bluesky

    sent = {k: str(int(time.time()) + v) if k == "ratelimit-reset" else v for k, v in headers.items()}

    def limited(params):
        raise RateLimitExceededError(Response(success=False, status_code=429, content=None, headers=sent))

    client = SimpleNamespace(login=lambda handle, password, **options: None, com=SimpleNamespace(atproto=SimpleNamespace(
        repo=SimpleNamespace(put_record=limited), server=SimpleNamespace(get_session=lambda: SimpleNamespace(did="did:x")))))
    root = _secret_repo(make_repo, "bluesky")
    adapter = Bluesky(load_repo(root).config.accounts["acct"], {"T_SECRET": "app-pass"}, root,
                      client_factory=lambda base_url: client)
    with pytest.raises(RateLimited) as caught:
        adapter.publish(Outgoing("p", "acct", "Title", "Hello", published_at="2026-12-01T00:00:00+00:00"),
                        idempotency_key="k")
    assert wait - 2 <= caught.value.retry_after <= wait


def test_each_replayed_commit_is_merged_in_turn(make_repo, tmp_path):
    """The intent commits of a run (webhook networks) and its last commit, all over a concurrent push."""
    import subprocess

    from smm.data import gitops

    def write(root, job_local=None, job_feed=None, rows=()):
        path = root / "data/published/a.json"
        accounts = json.loads(path.read_text())["accounts"] if path.exists() else {}
        accounts |= ({"local": job_local} if job_local else {}) | ({"feed": job_feed} if job_feed else {})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"post": "a", "file": "content/a.md", "accounts": accounts}))
        if rows:
            csv = root / "data/metrics/2026-12.csv"
            csv.parent.mkdir(parents=True, exist_ok=True)
            csv.write_text((csv.read_text() if csv.exists() else "collected_at,post_id\n") + "".join(f"{r}\n" for r in rows))

    root = make_repo({"a.md": due()}, platforms=PLATFORMS, calendar=None)
    write(root, job_local={"state": "pending"}, job_feed={"state": "pending"}, rows=["t0,a"])
    _git_repo(root)
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    first, second = _clone(bare, tmp_path / "first"), _clone(bare, tmp_path / "second")
    write(first, job_feed={"state": "published", "remote_id": "f1"}, rows=["t1,a"])
    assert gitops.record(first, "first run", True) is None
    write(second, job_local={"state": "in_flight", "attempts": 1})
    gitops.commit_data(second, "sending a to local")
    write(second, job_local={"state": "published", "remote_id": "l1"}, rows=["t2,a"])
    assert gitops.record(second, "second run", True) is None
    check = _clone(bare, tmp_path / "check")
    assert record(check, "a") == {"feed": {"state": "published", "remote_id": "f1"},
                                  "local": {"state": "published", "remote_id": "l1"}}
    assert (check / "data/metrics/2026-12.csv").read_text() == "collected_at,post_id\nt0,a\nt1,a\nt2,a\n"
    assert _git(check, "log", "--format=%s").splitlines()[:3] == ["second run", "sending a to local", "first run"]
