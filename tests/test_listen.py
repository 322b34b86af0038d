"""`smm listen`: brand/listening.yml, matching a post as a mention, data/mentions/ across runs and months,
what one failing network does to the others, and each network's search against its local server."""

from __future__ import annotations

import csv
import json
import uuid
from types import SimpleNamespace
from urllib.parse import urlencode
from datetime import datetime, timedelta, timezone

import pytest

from peers import http_json, require
from smm.errors import AuthError, RateLimited
from smm.listening.config import Competitor, Listening
from smm.listening.listen import listen
from smm.listening.matching import matched
from smm.listening.mentions import MENTIONS, read_mentions
from smm.output import render
from smm.platforms import Found
from smm.workspace.repo import load_repo

LISTENING = Listening(("Acme", "阿克米", "acme cloud"), ("acme of perfection", "极致"), ("acmecloud", "阿克米云"),
                      (Competitor("Globex", ("Globex", "吉罗"), {"mastodon": "@globex@example.social"}),))

MATCH_CASES = [  # (text, the keyword it is a mention by, or None)
    ("I love Acme!", "Acme"),
    ("ACME rocks", "Acme"),
    ("ＡＣＭＥ　全角也算", "Acme"),  # full-width letters are letters
    ("@acme is my favourite", "Acme"),
    ("Ac\u200bme hides a zero-width space", "Acme"),
    ("＃ＡｃｍｅＣｌｏｕｄ 全角标签", "#acmecloud"),
    ("用Acme云很方便", "Acme"),  # a Latin name between Chinese characters
    ("Acmeology is a word", None),  # not a whole word
    ("megaacme", None),
    ("acme_bot posted", None),
    ("try the acme\ncloud today", "Acme"),  # the first in the file's order
    ("我喜欢阿克米的茶", "阿克米"),  # Chinese as a substring
    ("阿克米极致体验", None),  # holds an exclusion
    ("The ACME of Perfection, really", None),  # an exclusion, case ignored
    ("Nice tea #AcmeCloud!", "#acmecloud"),
    ("#acmecloudy is something else", None),
    ("参加 #阿克米云# 活动", "阿克米"),  # the keyword comes first in the file's order
    ("参加 #acmecloud# 活动", "#acmecloud"),  # Weibo's topic form
    ("Globex is cheaper", "Globex"),
    ("吉罗新品", "吉罗"),
    ("Nothing to see here", None),
]


@pytest.mark.parametrize("text,keyword", MATCH_CASES)
def test_a_post_is_a_mention_when_it_names_a_term_and_holds_no_exclusion(text, keyword):
    term = matched(text, LISTENING)
    assert (term.query if term else None) == keyword


def test_the_searched_term_is_named_first_when_the_post_names_several():
    searched = LISTENING.terms[-1]  # 吉罗
    assert matched("Acme 和 吉罗", LISTENING, searched).query == "吉罗"
    assert matched("Acme 和 吉罗", LISTENING).query == "Acme"


CONFIG_CASES = [  # (brand/listening.yml, the rule smm check reports at its line)
    ("hashtags: ['#acme']\n", "schema.pattern", 1),
    ("keywords: [Acme, Acme]\n", "schema.unique", 1),
    ("keywords: ['  ']\n", "schema.pattern", 1),
    ("competitors:\n  Globex:\n    accounts: {myspace: globex}\n", "listening.account", 3),
    ("competitors:\n  brand:\n    keywords: [Other]\n", "listening.name", 2),
    ("keywords: [Acme]\ncompetitors:\n  Globex:\n    keywords: [acme]\n", "listening.duplicate", 4),
    ("keywords: [Acme]\ncompetitors:\n  Acme: {}\n", "listening.duplicate", 3),
    ("keywords: [Acme, acme of perfection]\nexclude: [acme of perfection]\n", "listening.excluded", 1),
    ("competitors:\n  Globex:\n    accounts: {x: 'two words'}\n", "schema.pattern", 3),
    ("keywords: Acme\n", "schema.type", 1),
]


@pytest.mark.parametrize("text,rule,line", CONFIG_CASES)
def test_a_bad_listening_file_is_named_at_its_line(make_repo, smm, text, rule, line):
    make_repo(files={"brand/listening.yml": text})
    code, found, _ = smm.json("check")
    hits = [d for d in found if d["rule"] == rule]
    assert hits and hits[0]["file"] == "brand/listening.yml" and hits[0]["line"] == line, found
    listened, _, err = smm("listen")
    blocking = rule != "listening.excluded"  # a warning does not stop the run
    assert listened == 1 and (f"[{rule}]" in err) == blocking and "Traceback" not in err


def test_listen_without_the_file_says_what_to_write(make_repo, smm):
    make_repo()
    code, _, err = smm("listen")
    assert code == 2 and "brand/listening.yml" in err


class FakeSearch:
    """An adapter whose search answers from a list of posts (each query sees them all), or raises."""

    def __init__(self, posts, fail_after=None, error=None):
        self.posts, self.fail_after, self.error, self.asked = posts, fail_after, error, []

    def search(self, query, since, *, authors=()):
        if self.fail_after is not None and len(self.asked) >= self.fail_after:
            raise self.error
        self.asked.append((query, authors))
        return list(self.posts)

    def close(self):
        pass


LISTEN_PLATFORMS = """\
timezone: UTC
accounts:
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
"""
LISTEN_FILE = "keywords: [Acme, 阿克米]\nexclude: [极致]\nhashtags: [acmecloud]\ncompetitors:\n  Globex:\n" \
              "    accounts: {mastodon: '@globex@example.social', bluesky: globex.bsky.social}\n"
ENV = {"T_MASTODON": "t", "T_BLUESKY": "p"}


def _post(id_, text, when, author="fan", likes=1):
    return Found(id_, author, 12, when, text, f"https://example.social/{id_}", likes, 2, 3)


RECORD = json.dumps({"post": "launch", "accounts": {"mastodon": {"state": "published", "remote_id": "8"},
                                                   "bluesky": {"state": "published", "remote_id": "8"}}})


def _repo(make_repo):
    return load_repo(make_repo({"launch.md": "---\ntitle: Launch\ndraft: true\n---\nAcme\n"}, platforms=LISTEN_PLATFORMS,
                               calendar=None, files={"brand/listening.yml": LISTEN_FILE,
                                                     "data/published/launch.json": RECORD}))


def test_mentions_are_kept_once_across_runs_and_months(make_repo):
    repo, now = _repo(make_repo), datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    posts = [_post("1", "Acme tea is great", datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc)),
             _post("2", "阿克米\n真好喝", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)),
             _post("3", "own post about Acme", now - timedelta(hours=1), author="@Brand.bsky.social"),
             _post("4", "Acme, long ago", now - timedelta(days=30)),
             _post("5", "阿克米极致", now - timedelta(hours=1)),
             _post("6", "unrelated text", now - timedelta(hours=1)),
             _post("8", "Acme, published by another brand account", now - timedelta(hours=1), author="brand2")]
    adapters = {"mastodon": FakeSearch(posts), "bluesky": FakeSearch(posts)}
    first = listen(repo, load_repo(repo.root).settings.listening, now, ENV, timedelta(days=7), adapter_for=adapters.get)
    assert [(m.network, m.id) for m in first.mentions] == [("bluesky", "1"), ("mastodon", "1"),
                                                          ("bluesky", "2"), ("mastodon", "2")]
    assert sorted(p.name for p in (repo.root / MENTIONS.folder).iterdir()) == ["2026-11.csv", "2026-12.csv"]
    second = listen(repo, repo.settings.listening, now + timedelta(hours=1), ENV, timedelta(days=7),
                    adapter_for=adapters.get)
    assert second.mentions == [] and first.exit_code == second.exit_code == 0
    stored = read_mentions(repo.root)
    assert len(stored) == 4 and stored[0].created_at == datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc)
    assert stored[2].text == "阿克米 真好喝" and stored[2].engagement == 6 and stored[2].author_followers == 12
    with open(repo.root / "data/mentions/2026-12.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(MENTIONS.columns) and len(rows) == 3
    assert adapters["bluesky"].asked[0] == ("Acme", ("globex.bsky.social",))  # competitors' handles on that network
    assert [q for q, _ in adapters["mastodon"].asked[:4]] == ["Acme", "阿克米", "#acmecloud", "Globex"]


def test_the_json_holds_the_new_mentions_with_the_contract_keys(make_repo):
    repo, now = _repo(make_repo), datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    posts = [_post("9", "Globex is cheaper than Acme", now - timedelta(hours=2))]
    run = listen(repo, repo.settings.listening, now, ENV, timedelta(days=1),
                 adapter_for={"mastodon": FakeSearch(posts), "bluesky": FakeSearch([])}.get)
    shown = json.loads(render(run, "json"))
    assert list(shown) == ["mentions"]
    assert shown["mentions"] == [{"id": "9", "network": "mastodon", "author": "fan", "author_followers": 12,
                                  "created_at": "2026-12-01T06:00:00Z", "text": "Globex is cheaper than Acme",
                                  "url": "https://example.social/9", "keyword": "Acme", "subject": "brand",
                                  "sentiment": shown["mentions"][0]["sentiment"], "engagement": 6}]
    assert shown["mentions"][0]["sentiment"] in ("positive", "neutral", "negative")
    text = render(run, "text")
    assert "cannot search: feed" in text and "1 new mention" in text


@pytest.mark.parametrize("error,state", [(RateLimited("Mastodon: rate limited (search)", retry_after=60), "partial"),
                                         (AuthError("Mastodon: the access token was refused (search)"), "failed")])
def test_a_failing_network_is_named_and_the_others_still_listened(make_repo, error, state):
    repo, now = _repo(make_repo), datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    posts = [_post("7", "Acme!", now - timedelta(hours=1))]
    run = listen(repo, repo.settings.listening, now, ENV, timedelta(days=1), adapter_for={
        "mastodon": FakeSearch(posts, fail_after=1 if state == "partial" else 0, error=error),
        "bluesky": FakeSearch(posts)}.get)
    searched = {s.platform: s for s in run.searched}
    assert searched["mastodon"].state == state and str(error) in searched["mastodon"].reason
    assert searched["bluesky"].state == "listened" and searched["bluesky"].new == 1
    assert run.exit_code == 1 and any("mastodon" in p for p in run.problems)
    assert {m.network for m in run.mentions} == ({"bluesky", "mastodon"} if state == "partial" else {"bluesky"})


# --- against the networks' local servers ----------------------------------------------------------------------

def _word() -> str:
    return f"Zorb{uuid.uuid4().hex[:8]}"


def _listen_json(smm, env):
    code, out, err = smm("listen", "--since", "1h", "--format", "json", env=env)
    return code, json.loads(out), err


@pytest.mark.peer
def test_mastodon_search_and_tag_timeline_find_fans_and_competitors_not_the_brand(make_repo, smm):
    masto = require("mastodon")
    brand, fan, rival = masto.create_account(), masto.create_account(), masto.create_account()
    word, tag, rival_word = _word(), _word().lower(), _word()
    for token, text in ((fan.token, f"Loving {word} tea"), (fan.token, f"Weekend with #{tag}"),
                        (fan.token, f"{word} of perfection, as they say"), (rival.token, f"{rival_word} launches a sale"),
                        (brand.token, f"{word} news from the brand itself")):
        status, answer = http_json("POST", f"{masto.url}/api/v1/statuses", {"status": text},
                                   headers={"Authorization": f"Bearer {token}"})
        assert status == 200, answer
    platforms = f"timezone: UTC\naccounts:\n  masto: {{platform: mastodon, instance: '{masto.url}', token_env: T_M}}\n"
    make_repo(platforms=platforms, calendar=None, files={"brand/listening.yml": (
        f"keywords: [{word}]\nexclude: [{word} of perfection]\nhashtags: [{tag}]\ncompetitors:\n"
        f"  Rival:\n    keywords: [{rival_word}]\n    accounts: {{mastodon: '@{rival.username}'}}\n")})
    code, found, err = _listen_json(smm, {"T_M": brand.token})
    got = sorted((m["keyword"], m["subject"], m["author"]) for m in found["mentions"])
    assert code == 0, err
    assert got == sorted([(word, "brand", fan.username), (f"#{tag}", "brand", fan.username),
                          (rival_word, "Rival", rival.username)])
    assert _listen_json(smm, {"T_M": brand.token})[1] == {"mentions": []}  # nothing twice


@pytest.mark.peer
def test_bluesky_search_finds_fans_and_the_competitor_not_the_brand(make_repo, smm):
    bsky = require("bluesky")
    brand, fan, rival = bsky.create_account("l18brand"), bsky.create_account("l18fan"), bsky.create_account("l18rival")
    word, rival_word = _word(), _word()
    for account, text in ((fan, f"{word} 的新茶很好喝"), (rival, f"{rival_word} spring sale"), (brand, f"{word} official")):
        status, answer = http_json("POST", f"{bsky.pds_url}/xrpc/com.atproto.repo.createRecord", {
            "repo": account.did, "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": text,
                       "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}},
            headers={"Authorization": f"Bearer {account.access_jwt}"})
        assert status == 200, answer
    platforms = (f"timezone: UTC\naccounts:\n  bsky: {{platform: bluesky, service: '{bsky.pds_url}', "
                 f"handle: {brand.handle}, password_env: T_B}}\n")
    make_repo(platforms=platforms, calendar=None, files={"brand/listening.yml": (
        f"keywords: [{word}]\ncompetitors:\n  Rival:\n    keywords: [{rival_word}]\n"
        f"    accounts: {{bluesky: {rival.handle}}}\n")})
    found = {}
    for _ in range(20):  # the AppView indexes what the PDS wrote a moment later
        code, answer, err = _listen_json(smm, {"T_B": brand.password})
        found.update({m["keyword"]: m for m in answer["mentions"]})
        if len(found) == 2:
            break
        import time
        time.sleep(0.5)
    assert code == 0, err
    assert {k: (m["subject"], m["author"], m["author_followers"]) for k, m in found.items()} == {
        word: ("brand", fan.handle, 0), rival_word: ("Rival", rival.handle, 0)}


@pytest.fixture
def x():
    double = require("x")
    double.reset()
    yield double
    double.reset()


def _x_repo(make_repo, x, listening):
    platforms = f"timezone: UTC\naccounts:\n  x: {{platform: x, api_base: '{x.url}', handle: smm_brand, token_env: T_X}}\n"
    make_repo(platforms=platforms, calendar=None, files={"brand/listening.yml": listening})
    return {"T_X": x["TOKEN"]}


@pytest.mark.peer
def test_x_recent_search_finds_keywords_phrases_and_hashtags(make_repo, smm, x):
    for username, text in (("fan", "I love Acme cloud tea"), ("fan2", "阿克米的茶 #AcmeCloud"),
                           ("critic", "Acmeology is a word"), ("rival_fan", "Globex is cheaper")):
        x.control("POST", "post_as", {"username": username, "text": text, "followers": 40})
    for index in range(12):  # more than one page of ten for `Acme`
        x.control("POST", "post_as", {"username": f"many{index}", "text": f"Acme number {index}"})
    env = _x_repo(make_repo, x, "keywords: [Acme, 阿克米, 'acme cloud']\nhashtags: [acmecloud]\n"
                                "competitors:\n  Globex: {}\n")
    code, found, err = _listen_json(smm, env)
    by_author = {m["author"]: m for m in found["mentions"]}
    assert code == 0, err
    assert by_author["fan"]["keyword"] == "Acme" and by_author["fan"]["author_followers"] == 40
    assert by_author["fan2"]["keyword"] == "阿克米" and by_author["rival_fan"]["subject"] == "Globex"
    assert "critic" not in by_author and len(found["mentions"]) == 15
    assert by_author["fan"]["url"].startswith("https://x.com/fan/status/")


@pytest.mark.peer
def test_x_rate_limit_is_named_and_the_run_exits_1(make_repo, smm, x):
    x.control("POST", "post_as", {"username": "fan", "text": "Acme again"})
    x.control("POST", "rate_limits", {"GET /2/tweets/search/recent": [1, 900]})
    env = _x_repo(make_repo, x, "keywords: [Acme, Other]\n")
    code, found, err = _listen_json(smm, env)
    assert code == 1 and "rate limited" in err and "x (x)" in err
    assert [m["author"] for m in found["mentions"]] == ["fan"]  # what came before the limit is kept


@pytest.mark.peer
def test_x_double_refuses_a_start_time_older_than_seven_days_and_unknown_operators(x):
    old = (datetime.now(timezone.utc) - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for query in ({"query": "acme", "start_time": old}, {"query": "acme place:paris"},
                  {"query": "acme", "max_results": "5"}, {"query": ""}):
        status, answer = http_json("GET", f"{x.url}/2/tweets/search/recent?" + urlencode(query), None, headers={"Authorization": f"Bearer {x['TOKEN']}"})
        assert status == 400 and answer["title"] == "Invalid Request", (query, answer)


@pytest.mark.peer
@pytest.mark.parametrize("token,allowed", [("TOKEN", False), ("SEARCH_TOKEN", True)])
def test_weibo_search_where_the_token_allows_it(make_repo, smm, token, allowed):
    weibo = require("weibo")
    weibo.reset()
    weibo.control("POST", "status", {"screen_name": "茶友", "text": "今天喝了 #阿克米云# 的新茶", "followers": 300})
    platforms = (f"timezone: UTC\naccounts:\n  weibo: {{platform: weibo, api_base: '{weibo.url}', token_env: T_W, "
                 f"safe_domain: {weibo['SAFE_DOMAIN']}}}\n")
    make_repo(platforms=platforms, calendar=None, files={"brand/listening.yml": "hashtags: [阿克米云]\n"})
    code, out, err = smm("listen", "--since", "1h", env={"T_W": weibo[token]})
    assert code == 0, err
    if allowed:
        assert "1 new mention" in out and "茶友" in out
    else:
        assert "0 new mentions" in out and "may not search" in out and "10014" in out
    weibo.reset()


class FakeAppView:
    """An atproto client whose AppView serves no search (searchPosts answers []), as some do: the timeline and
    the authors' feeds are what it can show."""

    def __init__(self, timeline, feeds):
        self.timeline, self.feeds, self.asked = timeline, feeds, []
        feed = SimpleNamespace(search_posts=self._search, get_timeline=self._timeline, get_author_feed=self._author)
        actor = SimpleNamespace(get_profiles=lambda params: SimpleNamespace(profiles=[
            SimpleNamespace(did=did, followers_count=len(did)) for did in params["actors"]]))
        self.app = SimpleNamespace(bsky=SimpleNamespace(feed=feed, actor=actor))
        self.com = SimpleNamespace(atproto=SimpleNamespace(server=SimpleNamespace(
            get_session=lambda: SimpleNamespace(did="did:plc:brand", handle="brand.test"))))
        self.request = SimpleNamespace(close=lambda: None)

    def login(self, *args, **kwargs):
        pass

    def _search(self, params):
        self.asked.append("search")
        return SimpleNamespace(posts=[], cursor=None)

    def _timeline(self, params):
        self.asked.append("timeline")
        return SimpleNamespace(feed=self.timeline, cursor=None)

    def _author(self, params):
        self.asked.append(params["actor"])
        return SimpleNamespace(feed=self.feeds.get(params["actor"], []), cursor=None)


def _view(rkey, handle, text, when, reposted=False):
    post = SimpleNamespace(uri=f"at://did:plc:{handle}/app.bsky.feed.post/{rkey}",
                           author=SimpleNamespace(handle=handle, did=f"did:plc:{handle.split('.')[0]}"),
                           record=SimpleNamespace(text=text, created_at=when), indexed_at=when,
                           like_count=2, repost_count=1, quote_count=1, reply_count=0)
    return SimpleNamespace(post=post, reason=SimpleNamespace() if reposted else None)


def test_bluesky_reads_the_timeline_and_competitors_feeds_where_the_appview_cannot_search():
    from smm.platforms import platform_class
    from smm.workspace.config import Account

    now = datetime.now(timezone.utc)
    recent, old = (now - timedelta(minutes=5)).isoformat(), (now - timedelta(days=9)).isoformat()
    appview = FakeAppView([_view("a", "fan.test", "Acme tea!", recent), _view("b", "brand.test", "Acme news", recent),
                           _view("c", "fan.test", "Acme long ago", old), _view("d", "fan.test", "boosted Acme", recent,
                                                                               reposted=True)],
                          {"globex.test": [_view("e", "globex.test", "Globex sale #acmecloud", recent)]})
    account = Account("bsky", "bluesky", {"platform": "bluesky", "handle": "brand.test", "password_env": "P"})
    adapter = platform_class("bluesky")(account, {"P": "pw"}, client_factory=lambda base_url: appview)
    since = now - timedelta(days=7)
    found = adapter.search("Acme", since, authors=("globex.test",))
    tagged = adapter.search("#acmecloud", since, authors=("globex.test",))
    assert [(f.author, f.text, f.reposts, f.author_followers) for f in found] == [
        ("fan.test", "Acme tea!", 2, len("did:plc:fan"))]
    assert [f.author for f in tagged] == ["globex.test"]
    assert appview.asked == ["search", "timeline", "globex.test", "search"]  # the feeds are read once per run


X_QUERIES = [  # the X double's recent-search subset: (query, the authors it finds)
    ("acme", {"fan", "critic"}),
    ('"acme cloud"', {"fan"}),
    ("acme -bad", {"fan"}),
    ("acme OR globex", {"fan", "critic", "other"}),
    ("#acmecloud", {"fan2"}),
    ("from:critic acme", {"critic"}),
    ("acme -is:retweet", {"fan", "critic"}),
    ("阿克米", {"zh"}),
]


@pytest.mark.peer
@pytest.mark.parametrize("query,authors", X_QUERIES)
def test_x_double_recent_search_query_subset(x, query, authors):
    for username, text in (("fan", "Acme cloud tea"), ("critic", "Acme is bad"), ("other", "Globex time"),
                           ("fan2", "#AcmeCloud rocks"), ("zh", "我爱阿克米")):
        x.control("POST", "post_as", {"username": username, "text": text})
    status, answer = http_json("GET", f"{x.url}/2/tweets/search/recent?" + urlencode(
        {"query": query, "expansions": "author_id", "max_results": 10}), None,
        headers={"Authorization": f"Bearer {x['APP_TOKEN']}"})  # app-only: public posts need no user
    assert status == 200, answer
    assert {u["username"] for u in (answer.get("includes") or {}).get("users", [])} == authors


def test_two_runs_mentions_merge_after_a_lost_push_race(make_repo):
    """A push that lost the race rebases: both runs' rows are kept, each once, under one header."""
    from smm.data.merge import merge_files

    header = ",".join(MENTIONS.columns)
    shared = "1,x,fan,,2026-12-01T01:00:00Z,Acme!,https://x.com/fan/status/1,Acme,brand,positive,3"
    pushed = "\n".join([header, shared, "2,x,a,,2026-12-01T02:00:00Z,Acme?,u,Acme,brand,neutral,0"]) + "\n"
    ours = "\n".join([header, shared, "3,bluesky,b,,2026-12-01T03:00:00Z,阿克米,u,阿克米,brand,neutral,0"]) + "\n"
    merged = merge_files({"data/mentions/2026-12.csv": (pushed, ours)}, lambda path: None)["data/mentions/2026-12.csv"]
    root = make_repo(calendar=None, files={"data/mentions/2026-12.csv": merged})
    assert [(m.network, m.id) for m in read_mentions(root)] == [("x", "1"), ("x", "2"), ("bluesky", "3")]


@pytest.mark.parametrize("setup,args,code,said", [
    ({}, ("--since", "a week"), 2, "--since 'a week': expected a duration"),
    ({}, ("--now", "yesterday"), 2, "--now 'yesterday'"),
    ({"data/mentions/2026-12.csv": "when,text\n1,2\n"}, (), 1, "data/mentions/2026-12.csv: the first line must be"),
    ({"data/mentions/2026-12.csv": ",".join(MENTIONS.columns) + "\n1,x,fan,many,2026-12-01,t,u,k,brand,neutral,0\n"},
     (), 1, "data/mentions/2026-12.csv:2: author_followers `many` is not a count"),
])
def test_bad_input_is_named_without_a_traceback(make_repo, smm, setup, args, code, said):
    make_repo(platforms="timezone: UTC\naccounts:\n  feed: {platform: feed, path: data/feed/feed.xml, site: https://e.x}\n",
              calendar=None, files={"brand/listening.yml": "keywords: [Acme]\n", **setup})
    got, _, err = smm("listen", *args)
    assert got == code and said in err and "Traceback" not in err, err
