"""Review 16: what smm reads from networks, faced with answers a real server may give and the code did not expect.

The commands' tables use two X accounts answering through one replay (smm.platforms.http's client, given an
httpx.MockTransport): `x`, whose answers are the fault under test, and `y`, whose answers are sound, so each row
shows the fault named with its account, the others still read, and nothing wrong written under data/. The other
networks are reached through the seams the adapters take (`transport`, `client_factory`): Bluesky's and
Mastodon's SDKs, Meta's, LinkedIn's, Weibo's and WeChat's APIs, while publishing and looking up a lost call.
Every row failed before this session's fixes (a traceback or an internal error, a count or time written that the
next command refuses, a post counted twice, a rate limit taken for a refusal, a published post its record could
not keep, an answer read into memory without end).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import httpx
import pytest
from conftest import post_text

from smm.errors import PlatformError, RateLimited, Rejected
from smm.giveaways.config import Giveaway
from smm.giveaways.entries import collect as entrants_of, judge
from smm.metrics import calls, collect as metrics
from smm.metrics.results import format_text
from smm.platforms import Outgoing, http, platform_class
from smm.platforms.bluesky import Bluesky
from smm.platforms.facebook import Facebook
from smm.platforms.mastodon import Mastodon
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

X_TOKEN, Y_TOKEN = "s3cr3t-x-Token-review16-0123456789", "s3cr3t-y-Token-review16-9876543210"
ENV = {"T_X": X_TOKEN, "T_Y": Y_TOKEN, "T_LI": X_TOKEN, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
NOW = "2026-12-01T04:00:00Z"
PLATFORMS = """\
timezone: UTC
accounts:
  x: {platform: x, token_env: T_X}
  y: {platform: x, token_env: T_Y}
"""
LISTENING = "keywords: [Acme]\ncompetitors:\n  Rival:\n    accounts: {x: rival}\n"
ME = {X_TOKEN: "9", Y_TOKEN: "19"}  # each account's user id


def _tweet(tweet_id: str, **fields) -> dict:
    return {"id": tweet_id, "text": "Acme tea is lovely", "author_id": "77", "created_at": "2026-11-30T10:00:00.000Z",
            "public_metrics": {"like_count": 3, "retweet_count": 1, "reply_count": 0, "quote_count": 0}} | fields


def _sound(request: httpx.Request, me: str) -> dict:
    """The documented answer to each call smm makes, for the account whose user id is `me`."""
    path = request.url.path
    fan = {"includes": {"users": [{"id": "77", "username": "fan", "public_metrics": {"followers_count": 5}}]}}
    if path == "/2/users/me":
        return {"data": {"id": me, "username": f"brand{me}", "public_metrics": {"followers_count": 10}}}
    if path == "/2/tweets":  # metrics: the posts asked for
        return {"data": [_tweet(i) for i in request.url.params["ids"].split(",")]}
    if path in (f"/2/users/{me}/mentions", "/2/tweets/search/recent"):
        return {"data": [_tweet(f"5{me}")], "meta": {"result_count": 1}} | fan
    if path == "/2/users/by/username/rival":
        return {"data": {"id": "55", "username": "rival", "public_metrics": {"followers_count": 100, "tweet_count": 9}}}
    if path == "/2/users/55/tweets":
        return {"data": [_tweet("551")], "meta": {"result_count": 1}}
    if path.startswith("/2/tweets/"):
        return {"data": {"id": path.rsplit("/", 1)[1], "author_id": me}}
    if path == "/v2/me":  # LinkedIn
        return {"id": "abc", "localizedFirstName": "Brand"}
    raise AssertionError(f"no answer for {request.method} {request.url}")


@pytest.fixture
def network(monkeypatch):
    """`faults[path]`: x's answer there (an httpx.Response, or JSON); every other answer is sound."""
    faults: dict = {}

    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        fault = faults.get(request.url.path) if token == X_TOKEN else None
        if fault is None:
            return httpx.Response(200, json=_sound(request, ME.get(token, "9")))
        return fault if isinstance(fault, httpx.Response) else httpx.Response(200, json=fault)
    real = http.client
    monkeypatch.setattr(http, "client", lambda timeout=None, transport=None: real(timeout, transport or httpx.MockTransport(answer)))
    monkeypatch.setattr(calls, "TRIES", 1)  # a fault is not tried again (no sleeping in a test)
    return faults


@pytest.fixture
def repo(make_repo):
    root = make_repo({"a.md": post_text(publish_at="2026-11-30T12:00", platforms="[x, y]")}, platforms=PLATFORMS,
                     calendar=None, files={"brand/listening.yml": LISTENING})
    jobs = {account: {"state": "published", "attempts": 1, "remote_id": remote, "url": f"https://x.com/i/web/status/{remote}",
                      "published_at": "2026-11-30T12:02:00+00:00", "error": None}
            for account, remote in (("x", "111"), ("y", "222"))}
    (root / "data/published").mkdir(parents=True)
    (root / "data/published/a.json").write_text(json.dumps({"post": "a", "file": "content/a.md", "accounts": jobs}))
    return root


def run(smm, *args):
    code, out, err = smm(*args, "--now", NOW, env=ENV)
    assert X_TOKEN not in out + err and Y_TOKEN not in out + err
    return code, out + err


def rows(root, folder: str) -> list[dict]:
    files = sorted((root / folder).glob("*.csv"))
    return [row for file in files for row in csv.DictReader(io.StringIO(file.read_text("utf-8")))]


def inbox_lines(root) -> list[dict]:
    return [json.loads(line) for file in sorted((root / "data/inbox").glob("*.jsonl"))
            for line in file.read_text("utf-8").splitlines()]


# -- an answer that is not what the adapter reads: the account named, exit 1, the others read -------------------

UNREADABLE = {
    "an HTML page": httpx.Response(200, text="<html><body>Service Unavailable</body></html>",
                                   headers={"content-type": "text/html"}),
    "an empty body": httpx.Response(200, content=b""),
    "cut-off JSON": httpx.Response(200, content=b'{"data": [{"id": "1'),
    "JSON null": httpx.Response(200, content=b"null"),
    "a list for an object": httpx.Response(200, json=[]),
    "null for a post": {"data": [None], "meta": {}},
}
READERS = {  # command → the call x's fault answers, what is said, the file and the rows still written there
    "metrics": ("/2/tweets", "x  followers 10; X (metrics): an answer smm cannot read", "data/metrics", ["y"]),
    "inbox": ("/2/users/9/mentions", "x: failed (X (inbox): an answer smm cannot read", "data/inbox", ["y"]),
    "listen": ("/2/tweets/search/recent", "failed: x (x); X (search): an answer smm cannot read", "data/mentions",
               ["y"]),
    "competitors": ("/2/users/55/tweets", "Rival on x (rival)  X (recent_posts): an answer smm cannot read",
                    "data/competitors", []),
}


@pytest.mark.parametrize("body", list(UNREADABLE))
@pytest.mark.parametrize("command", list(READERS))
def test_an_answer_smm_cannot_read_names_the_account_and_the_others_are_read(repo, smm, network, command, body):
    path, said, folder, accounts = READERS[command]
    network[path] = UNREADABLE[body]
    code, out = run(smm, "metrics" if command == "competitors" else command)
    assert code == 1 and said in out, out
    if folder == "data/inbox":
        assert [line["account"] for line in inbox_lines(repo)] == accounts
    else:  # a mention's network id names the account it was found through (5<user id>)
        assert [row.get("account") or {"519": "y"}.get(row.get("id")) for row in rows(repo, folder)] == accounts


@pytest.mark.parametrize("body", ["an HTML page", "cut-off JSON", "a list for an object"])
def test_doctor_and_resolve_say_an_answer_they_cannot_read(repo, smm, network, body):
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    for key, value in (("user.name", "Editor"), ("user.email", "editor@example.com")):
        subprocess.run(["git", "config", key, value], cwd=repo, check=True)
    with open(repo / "platforms.yml", "a") as platforms:
        platforms.write("  li: {platform: linkedin, token_env: T_LI, author: 'urn:li:organization:1'}\n")
    network["/v2/me"] = network["/2/tweets/111"] = UNREADABLE[body]
    code, out = run(smm, "doctor")
    assert "li (linkedin): warning\n  warning: credentials not checked now: LinkedIn (check_credentials): an answer " \
           "smm cannot read" in out, out
    record = json.loads((repo / "data/published/a.json").read_text())
    record["accounts"]["x"] = {"state": "unconfirmed", "attempts": 1, "key": "k", "error": "outcome unknown"}
    (repo / "data/published/a.json").write_text(json.dumps(record))
    code, out = run(smm, "resolve", "a", "--account", "x", "--published", "111")
    assert code == 1 and out.startswith("error: could not check 111: X (confirm): an answer smm cannot read"), out


def _jwt() -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return ".".join([part({"alg": "ES256K"}), part({"scope": "com.atproto.access", "sub": "did:plc:brand",
                                                   "exp": int(time.time()) + 3600}), "sig"])


@pytest.mark.parametrize("answer, said", [
    (UNREADABLE["an HTML page"], "Bluesky (metrics): an answer smm cannot read (ModelError: Can't properly parse "
                                 "response model because JSON is expected in response)"),
    (httpx.Response(200, json={"posts": [{"uri": "at://did:plc:brand/app.bsky.feed.post/3k"}]}),
     "Bluesky (metrics): an answer smm cannot read (ModelError: 4 validation errors for Response posts.0.author"),
])
def test_an_sdk_adapter_that_cannot_read_an_answer_names_it_too(make_repo, answer, said):
    """Bluesky's SDK raises its own errors on an answer it cannot parse: the account fails, the run goes on."""
    from atproto import Client
    from atproto_client.request import Request

    root = make_repo({"a.md": post_text(publish_at="2026-11-30T12:00", platforms="[b]")}, calendar=None,
                     platforms="timezone: UTC\naccounts:\n  b: {platform: bluesky, handle: brand.example, password_env: P}\n")
    (root / "data/published").mkdir(parents=True)
    (root / "data/published/a.json").write_text(json.dumps({"post": "a", "file": "content/a.md", "accounts": {"b": {
        "state": "published", "attempts": 1, "remote_id": "at://did:plc:brand/app.bsky.feed.post/3k", "url": None,
        "published_at": "2026-11-30T12:02:00+00:00", "error": None}}}))

    def replay(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(("createSession", "getSession")):
            return httpx.Response(200, json={"accessJwt": _jwt(), "refreshJwt": _jwt(), "handle": "brand.example",
                                             "did": "did:plc:brand"})
        if request.url.path.endswith("getProfile"):
            return httpx.Response(200, json={"did": "did:plc:brand", "handle": "brand.example", "followersCount": 7})
        return answer
    repo = load_repo(root)
    report = metrics.collect(repo, datetime(2026, 12, 1, 4, tzinfo=timezone.utc), {"P": "pw"}, sleep=[].append,
                             adapter_for=lambda name: Bluesky(repo.config.accounts[name], {"P": "pw"}, root, client_factory=
                                                              lambda base_url: Client(base_url, Request(
                                                                  transport=httpx.MockTransport(replay)))))
    assert report.exit_code == 1 and f"failed b followers 7; {said}" in " ".join(format_text(report).split()), \
        format_text(report)
    assert [(row["account"], row["followers"]) for row in rows(root, "data/accounts")] == [("b", "7")]


# -- values smm cannot keep: never written; the account named, exit 1 --------------------------------------------

COUNTS = [-5, 2 ** 70, 1e300, True, "lots", [3]]


@pytest.mark.parametrize("likes", COUNTS, ids=repr)
def test_a_post_count_that_is_no_count_is_never_written(repo, smm, network, likes):
    network["/2/tweets"] = {"data": [_tweet("111", public_metrics={"like_count": likes, "retweet_count": 1})]}
    code, out = run(smm, "metrics")
    assert code == 1 and "x  followers 10; X answered a post smm cannot keep, left out: 111: likes `" in out, out
    assert [(row["account"], row["likes"]) for row in rows(repo, "data/metrics")] == [("y", "3")]
    code, out = run(smm, "report")
    assert code == 0, out  # what was written is read


@pytest.mark.parametrize("followers", COUNTS, ids=repr)
def test_a_follower_count_that_is_no_count_is_never_written(repo, smm, network, followers):
    network["/2/users/me"] = {"data": {"id": "9", "username": "brand", "public_metrics": {"followers_count": followers}}}
    code, out = run(smm, "metrics")
    assert code == 1 and "X: followers `" in out, out
    assert [(row["account"], row["followers"]) for row in rows(repo, "data/accounts")] == [("y", "10")]


def test_an_id_sent_as_a_number_is_the_post_it_names(repo, smm, network):
    network["/2/tweets"] = {"data": [_tweet(111)]}
    code, out = run(smm, "metrics")
    assert code == 0, out
    assert sorted((row["account"], row["likes"]) for row in rows(repo, "data/metrics")) == [("x", "3"), ("y", "3")]


def _mention(**fields) -> dict:
    return {"data": [_tweet("509", **fields)], "meta": {}, "includes": {"users": [{"id": "77", "username": "fan"}]}}


INBOX = {  # x's mention → the text it is kept with (None: left out, exit 1)
    "a time without its zone": (_mention(created_at="2026-11-30T10:00:00"), "Acme tea is lovely"),
    "a lone surrogate": (httpx.Response(200, content=json.dumps(_mention(text="Acme \ud800 tea")).encode()),
                         "Acme \ufffd tea"),
    "100 KB of text": (_mention(text="茶" * 100_000), "茶" * 9_999 + "…"),
    "NUL and control characters": (_mention(text="Acme\x00 tea\x1b[31m"), "Acme tea[31m"),
    "a time in the year 9999": (_mention(created_at="9999-12-31T23:59:59Z"), None),
}


@pytest.mark.parametrize("fault", list(INBOX))
def test_an_inbox_item_is_kept_as_its_file_can_hold_it_or_left_out(repo, smm, network, fault):
    network["/2/users/9/mentions"], text = INBOX[fault]
    code, out = run(smm, "inbox")
    kept = {line["id"]: line for line in inbox_lines(repo)}
    assert "y:519" in kept
    if text is None:
        assert code == 1 and "x: partial (X answered an item smm cannot keep, left out: 509: created_at `9999-" in out
        assert "x:509" not in kept
    else:
        assert code == 0, out
        assert (kept["x:509"]["text"], kept["x:509"]["created_at"]) == (text, "2026-11-30T10:00:00+00:00")
    code, out = run(smm, "inbox")  # the next run reads what this one wrote
    assert code == (1 if text is None else 0), out


MENTIONS = {  # x's search hit → what is said (None: kept, written without the fault)
    "NUL in the text": (_mention(text="Acme\x00 tea"), None),
    "a negative follower count": ({**_mention(), "includes": {"users": [{"id": "77", "username": "fan",
                                                                         "public_metrics": {"followers_count": -1}}]}},
                                  "author_followers `-1` is not a count"),
    "2**70 likes": (_mention(public_metrics={"like_count": 2 ** 70}), "likes `1180591620717411303424` is not a count"),
}


@pytest.mark.parametrize("fault", list(MENTIONS))
def test_a_mention_is_written_as_its_file_can_hold_it_or_left_out(repo, smm, network, fault):
    network["/2/tweets/search/recent"], said = MENTIONS[fault]
    code, out = run(smm, "listen")
    written = rows(repo, "data/mentions")
    assert b"\x00" not in b"".join(f.read_bytes() for f in (repo / "data/mentions").glob("*.csv"))
    if said:
        assert code == 1 and f"partly listened: x (x); 2 queries, 0 new; X answered a post smm cannot keep, left out: " \
                              f"509: {said}" in out, out
        assert [row["id"] for row in written] == ["519"]
    else:
        assert code == 0, out
        assert sorted((row["id"], row["text"]) for row in written) == [("509", "Acme tea"), ("519", "Acme tea is lovely")]
    code, out = run(smm, "report")
    assert code == 0, out


COMPETITOR = {  # x's answers about the competitor → its row (None: no row, the reason said)
    "a negative follower count": ({"/2/users/by/username/rival": {"data": {"id": "55", "public_metrics": {
        "followers_count": -1}}}}, None),
    "likes that are no count": ({"/2/users/55/tweets": {"data": [_tweet("551", public_metrics={"like_count": "lots"})]}},
                                None),
    "a post twice in one page": ({"/2/users/55/tweets": {"data": [_tweet("551"), _tweet("551")], "meta": {}}},
                                 ("100", "1", "4")),
    "a cursor that repeats": ({"/2/users/55/tweets": {"data": [_tweet("551")], "meta": {"next_token": "same"}}},
                              ("100", "1", "4")),
}


@pytest.mark.parametrize("fault", list(COMPETITOR))
def test_a_competitor_row_holds_each_post_once_or_is_not_written(repo, smm, network, fault):
    answers, row = COMPETITOR[fault]
    network.update(answers)
    code, out = run(smm, "metrics")
    written = [(r["followers"], r["posts"], r["median_engagement"]) for r in rows(repo, "data/competitors")]
    if row is None:
        assert code == 1 and "Rival" in out and "is not a count" in out, out
        assert written == []
    else:
        assert code == 0, out
        assert written == [row]


# -- giveaways: every entrant once, or no draw ----------------------------------------------------------------------

class _Page(list):
    _pagination_next = {"max_id": "1"}  # Mastodon.py's mark of a next page: a server that always has one


@pytest.mark.parametrize("fault, said", [
    ("the same page every time", None),
    ("no `descendants` in the context", "m: Mastodon (entrants): an answer smm cannot read (KeyError: 'descendants')"),
    ("a join time in the year 9999", "m: Mastodon answered an entrant smm cannot keep, no draw: fan@m.example: account_created_at"),
])
def test_giveaway_entrants_are_each_person_once_or_no_draw(make_repo, fault, said):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  m: {platform: mastodon, instance: https://m.example, "
                               "token_env: T_M}\n", calendar=None)
    fan = {"id": "2", "acct": "fan", "created_at": "9999-01-01T00:00:00Z" if "9999" in fault else "2020-01-01T00:00:00Z"}
    api = SimpleNamespace(
        me=lambda: {"id": "1"}, status_favourited_by=lambda remote_id: _Page([fan]), fetch_next=lambda page: _Page(page),
        status_reblogged_by=lambda remote_id: _Page(), session=SimpleNamespace(close=lambda: None),
        status_context=lambda remote_id: {} if "descendants" in fault else {"descendants": []},
        account_relationships=lambda ids: [{"id": "2", "followed_by": True}])
    repo = load_repo(root)
    giveaway = Giveaway(("reply", "like"), datetime(2026, 12, 24, 12, tzinfo=timezone.utc), 1)

    def entries():
        return entrants_of(repo, {"m": "111"}, giveaway, {}, adapter_for=lambda name: Mastodon(
            repo.config.accounts[name], {"T_M": "token"}, root, client_factory=lambda **keywords: api))
    if said:
        with pytest.raises(PlatformError) as caught:
            entries()
        assert caught.value.message.startswith(said), caught.value.message
        return
    judged = judge(entries(), giveaway, handles={}, staff=[], own_handles=[], labels={})
    assert [e["handle"] for e in judged.eligible] == ["fan@m.example"] and judged.rejected == []


# -- numbers in headers, and what the network says of a post just published ---------------------------------------

def test_a_rate_limit_reset_that_is_no_number_is_still_a_rate_limit(repo, smm, network):
    network["/2/tweets"] = httpx.Response(429, json={"title": "Too Many Requests"}, headers={
        "x-rate-limit-remaining": "0", "x-rate-limit-reset": "soon", "retry-after": "900"})
    code, out = run(smm, "metrics")
    assert code == 1 and "x  followers 10; rate limited (X (metrics): HTTP 429 rate limited; asked to wait 900 s)" in out, out


PERMALINK = "https://www.facebook.com/1000/posts/5"


@pytest.mark.parametrize("usage, permalink, url", [
    pytest.param({"X-App-Usage": '{"call_count": "abc"}'}, PERMALINK, PERMALINK, id="a usage that is text"),
    pytest.param({"X-App-Usage": '{"call_count": 1e400}'}, PERMALINK, PERMALINK, id="an infinite usage"),
    pytest.param({"X-Business-Use-Case-Usage": "[1]"}, PERMALINK, PERMALINK, id="a list of budgets"),
    pytest.param({"X-Business-Use-Case-Usage": '{"1000": [{"estimated_time_to_regain_access": "soon"}]}'}, PERMALINK,
                 PERMALINK, id="a wait that is text"),
    pytest.param({}, 123, None, id="a number for a permalink"),
    pytest.param({}, {"url": PERMALINK}, None, id="an object for a permalink"),
])
def test_a_published_post_is_recorded_whatever_its_follow_up_answers_say(make_repo, usage, permalink, url):
    root = make_repo({"a.md": post_text(publish_at="2026-11-30T23:58", platforms="[fb]")}, calendar=None,
                     platforms="timezone: UTC\naccounts:\n  fb: {platform: facebook, token_env: T, page_id: '1000'}\n")

    def answer(request: httpx.Request) -> httpx.Response:  # every answer with the usage headers under test
        if request.method == "POST":
            return httpx.Response(200, json={"id": "1000_5"}, headers=usage)
        if "access_token" in request.url.params.get("fields", ""):
            return httpx.Response(200, json={"access_token": "page-token"}, headers=usage)
        return httpx.Response(200, json={"id": "1000_5", "permalink_url": permalink}, headers=usage)

    class Page(Facebook):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, transport=httpx.MockTransport(answer), **kwargs)
    report = Publisher(load_repo(root), datetime(2026, 12, 1, tzinfo=timezone.utc), {"T": "token"},
                       platform_for=lambda account: Page).run()
    assert [(j.state, j.url, j.error) for j in report.jobs] == [("published", url, None)]
    job = json.loads((root / "data/published/a.json").read_text())["accounts"]["fb"]
    assert (job["state"], job["remote_id"], job["url"]) == ("published", "1000_5", url)
    assert [d.message for d in load_repo(root).diagnostics if d.is_error] == []


# -- an answer that never ends is not read into memory ---------------------------------------------------------------

def test_an_answer_that_never_ends_is_refused_not_read_into_memory(repo, smm, network, monkeypatch):
    monkeypatch.setattr(http, "MAX_ANSWER", 2 ** 20, raising=False)
    sent = []

    def endless():
        for _ in range(1024):  # 64 MiB, a stand-in for forever
            sent.append(65536)
            yield b" " * 65536
    network["/2/tweets"] = httpx.Response(200, content=endless(), headers={"content-type": "application/json"})
    code, out = run(smm, "metrics")
    assert code == 1 and "x  followers 10; X (metrics): an answer longer than 1 MiB; not read" in out, out
    assert sum(sent) <= 2 * 2 ** 20


# -- a status or error code sent as text is the code it spells; an error said as text is an error --------------------

def _wechat(request: httpx.Request, code) -> httpx.Response:
    """WeChat's answers to a publication, each with `errcode` as given (WeChat sends numbers)."""
    answers = {"/cgi-bin/stable_token": {"access_token": "wx-token", "expires_in": "7200"},
               "/cgi-bin/material/add_material": {"media_id": "cover", "url": "http://mmbiz.qpic.cn/c/0"},
               "/cgi-bin/draft/add": {"media_id": "draft"}, "/cgi-bin/freepublish/submit": {"publish_id": "1"},
               "/cgi-bin/freepublish/get": {"publish_id": "1", "publish_status": str(code), "article_id": "art",
                                            "article_detail": {"count": 1, "item": [{"idx": 1, "article_url": "u"}]}}}
    return httpx.Response(200, json={"errcode": str(code), "errmsg": "ok", **answers[request.url.path]})


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
CODES = {  # account, its answer → what publishing makes of it
    "WeChat's success as `\"0\"`": ("{platform: wechat, app_id: wx5mm0c0ffee0test, secret_env: T, cover: c.png}",
                                    lambda request: _wechat(request, 0), "published"),
    "Meta's rate limit as `\"4\"`": ("{platform: threads, token_env: T, user_id: '2000'}", lambda request: httpx.Response(
        400, json={"error": {"message": "(#4) Application request limit reached", "code": "4"}}), RateLimited),
    "Weibo's rate limit as `\"10023\"`": ("{platform: weibo, token_env: T, safe_domain: brand.example.com, rip: 203.0.113.7}",
                                          lambda request: httpx.Response(403, json={
                                              "error": "User requests out of rate limit!", "error_code": "10023"})
                                          if "rate_limit_status" not in request.url.path else httpx.Response(
                                              200, json={"reset_time_in_seconds": 900}), RateLimited),
    "Meta's error as a text": ("{platform: threads, token_env: T, user_id: '2000'}", lambda request: httpx.Response(
        400, json={"error": "Bad request"}), Rejected),
}


@pytest.mark.parametrize("name", list(CODES))
def test_a_code_sent_as_text_means_what_the_number_means(make_repo, name, monkeypatch):
    account, answer, outcome = CODES[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {account}\n", calendar=None, files={"c.png": PNG})
    monkeypatch.setattr("smm.platforms.wechat.POLL_SECONDS", 0.0)
    made = platform_class(load_repo(root).config.accounts["acct"].platform)(
        load_repo(root).config.accounts["acct"], {"T": "s3cr3t-token"}, root, transport=httpx.MockTransport(answer))
    outgoing = Outgoing("p", "acct", "Launch", "Hello", published_at="2026-12-01T04:00:00+00:00")
    if outcome == "published":
        assert made.publish(outgoing, idempotency_key="k").remote_id == "art"
        return
    with pytest.raises(PlatformError) as caught:
        made.publish(outgoing, idempotency_key="k")
    assert type(caught.value) is outcome, caught.value.message


# -- the text limit an instance reports -----------------------------------------------------------------------------

@pytest.mark.parametrize("reported, words, errors", [
    pytest.param(True, 60, [], id="true: no limit of 1"),
    pytest.param(1e300, 200, ["render.too-long"], id="1e300: the default 500"),
])
def test_a_limit_an_instance_reports_as_no_count_is_none(make_repo, smm, monkeypatch, tmp_path, reported, words, errors):
    """`max_characters: true` held every post to 1 character; `1e300` lifted the limit altogether."""
    answer = {"configuration": {"statuses": {"max_characters": reported}}}
    real = http.client
    monkeypatch.setattr(http, "client", lambda timeout=None, transport=None: real(
        timeout, transport or httpx.MockTransport(lambda request: httpx.Response(200, json=answer))))
    make_repo({"p.md": post_text("word " * words, platforms="[mastodon]")}, calendar=None,
              platforms="timezone: UTC\naccounts:\n  mastodon: {platform: mastodon, instance: https://m.example, token_env: T}\n")
    code, out, err = smm("check", "--format", "json", "--now", NOW, env={"SMM_OFFLINE": "0", "SMM_CACHE_DIR": str(tmp_path)})
    assert sorted(d["rule"] for d in json.loads(out) if d["severity"] == "error") == errors, out


# -- a time that is no time in what a reconciliation reads ----------------------------------------------------------

def _own_posts(request: httpx.Request, moment: str) -> httpx.Response | None:
    """The account's recent posts as Facebook and LinkedIn list them: one whose time is `moment` (JSON text), then
    the post the lost call made."""
    now, text = int(time.time()), "Hello 你好"
    if request.url.path.endswith("/published_posts"):
        posts = [{"id": "1000_9", "message": text, "created_time": "MOMENT"},
                 {"id": "1000_5", "message": text, "created_time": now, "permalink_url": PERMALINK}]
    elif request.url.path == "/rest/posts" and request.method == "GET":
        posts = [{"id": "urn:li:share:9", "commentary": text, "createdAt": "MOMENT"},
                 {"id": "urn:li:share:5", "commentary": text, "createdAt": now * 1000}]
    else:
        return None
    key = "data" if "published_posts" in request.url.path else "elements"
    return httpx.Response(200, content=json.dumps({key: posts}).replace('"MOMENT"', moment).encode())


@pytest.mark.parametrize("moment", ["1e300", "1e999", "-1e20"])  # 1e999 is infinity to a JSON reader
@pytest.mark.parametrize("account, url", [
    ("{platform: facebook, token_env: T, page_id: '1000'}", PERMALINK),
    ("{platform: linkedin, token_env: T, author: 'urn:li:organization:1'}",
     "https://www.linkedin.com/feed/update/urn:li:share:5/"),
])
def test_a_lost_answer_is_found_past_a_post_whose_time_is_no_time(make_repo, account, url, moment):
    """The publishing call's answer is lost; the run looks through the account's recent posts, one of which
    says a time no clock has: the post sent is found (not sent again), not an internal error."""
    root = make_repo({"a.md": post_text(publish_at="2026-11-30T23:58", platforms="[acct]")}, calendar=None,
                     platforms=f"timezone: UTC\naccounts:\n  acct: {account}\n")
    posted = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(request)
            raise httpx.ReadTimeout("the answer was lost")
        return _own_posts(request, moment) or httpx.Response(200, json={"id": "1000", "access_token": "page-token"})
    cls = platform_class(load_repo(root).config.accounts["acct"].platform)

    class Replayed(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, transport=httpx.MockTransport(answer), **kwargs)
    report = Publisher(load_repo(root), datetime(2026, 12, 1, tzinfo=timezone.utc), {"T": "token"},
                       platform_for=lambda name: Replayed, sleep=lambda seconds: None).run()
    assert [(j.state, j.url, j.error) for j in report.jobs] == [("published", url, None)]
    assert len(posted) == 1


@pytest.mark.parametrize("body", ["an HTML page", "a list for an object", "null for a post"])
def test_a_lost_answer_looked_up_in_an_answer_smm_cannot_read_is_unconfirmed(make_repo, body):
    """find() cannot tell whether the lost call made a post: the job waits for a person (`smm resolve`), as
    when the lookup times out, never an internal error, never sent again."""
    root = make_repo({"a.md": post_text(publish_at="2026-11-30T23:58", platforms="[acct]")}, calendar=None,
                     platforms="timezone: UTC\naccounts:\n  acct: {platform: linkedin, token_env: T, "
                               "author: 'urn:li:organization:1'}\n")
    posted = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(request)
            raise httpx.ReadTimeout("the answer was lost")
        return UNREADABLE[body] if isinstance(UNREADABLE[body], httpx.Response) else httpx.Response(
            200, json={"elements": UNREADABLE[body]["data"]})

    class Replayed(platform_class("linkedin")):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, transport=httpx.MockTransport(answer), **kwargs)
    report = Publisher(load_repo(root), datetime(2026, 12, 1, tzinfo=timezone.utc), {"T": "token"},
                       platform_for=lambda name: Replayed, sleep=lambda seconds: None).run()
    [job] = report.jobs
    assert job.state == "unconfirmed" and job.error.startswith(
        "could not reconcile an earlier call: LinkedIn (find): an answer smm cannot read"), job.error
    assert "smm resolve a --account acct" in job.error and len(posted) == 1


# -- a record the network names by no id is left out, never kept as the id `None` ------------------------------------

def _mastodon_status(id_):
    return {"id": id_, "account": {"acct": "fan@social.example", "id": "9"}, "content": "<p>Hi @brand</p>",
            "url": "https://social.example/@fan/1", "created_at": "2026-12-01T04:00:00+00:00", "mentions": []}


def _weibo_comment(**ids):
    return {**ids, "text": "好茶", "created_at": "Tue Dec 01 12:00:00 +0800 2026", "user": {"id": 7, "screen_name": "茶友"}}


def _named(what: str, id_):
    """The record an adapter makes of an answer naming the id `id_`."""
    from smm.platforms import mastodon, weibo

    if what == "mastodon inbox":
        return mastodon._incoming({"type": "mention", "status": _mastodon_status(id_),
                                   "account": {"acct": "fan@social.example"}}, "1")
    if what == "mastodon search":
        return mastodon.found(_mastodon_status(id_))
    return weibo._incoming(_weibo_comment(id=id_, idstr=id_), "comment")


@pytest.mark.parametrize("what", ["mastodon inbox", "mastodon search", "weibo inbox"])
def test_a_record_named_by_no_id_is_left_out(what):
    from smm.platforms import answers

    kept, problems = answers.kept([_named(what, None), _named(what, 12345)])
    assert [getattr(r, "network_id", None) or r.id for r in kept] == ["12345"]  # a number: its digits
    assert len(problems) == 1 and "missing" in next(iter(problems.values())), problems
