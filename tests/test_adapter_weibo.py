"""The Weibo adapter over real HTTP against the local double of the open API (tests/peers/weibo_api.py):
publish with and without a picture, never twice, a lost answer found again, each documented error
code as the typed error smm acts on, metrics and followers, the token's expiry; and `smm check`'s
safe-domain rule. Skipped locally when the double is not running; failed in CI (CI=true).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import post_text
from peers import require
from smm.errors import AuthError, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, platform_class
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo
from test_adapters_real import _png

ENV_NAME = "T_WEIBO_TOKEN"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def weibo(make_repo):
    double = require("weibo")
    double.reset()
    yield double
    double.reset()


def _platforms(double, **extra) -> str:
    options = {"platform": "weibo", "token_env": ENV_NAME, "safe_domain": double["SAFE_DOMAIN"],
               "api_base": double.url, "rip": "203.0.113.7", **extra}
    return "timezone: UTC\naccounts:\n  weibo: " + json.dumps(options) + "\n"


def _due(double, body, minutes=10, **fields):
    at = (_now() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return post_text(body, publish_at=at, platforms="[weibo]", **fields)


@pytest.fixture
def adapter(make_repo, weibo):
    """The account's adapter on a fresh repository, closed after the test."""
    root = make_repo({}, platforms=_platforms(weibo), calendar=None)
    made = platform_class("weibo")(load_repo(root).config.accounts["weibo"], {ENV_NAME: weibo["TOKEN"]}, root)
    yield made
    made.close()


def _run(root, double):
    return Publisher(load_repo(root), _now(), {ENV_NAME: double["TOKEN"]}, sleep=lambda s: None).run()


def _record(root, post):
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]["weibo"]


def test_weibo_publishes_text_and_a_picture_exactly_once(make_repo, weibo):
    link = f"https://{weibo['SAFE_DOMAIN']}/winter"
    root = make_repo({"text.md": _due(weibo, "冬季新品上市，欢迎品尝", link=link),
                      "pic.md": _due(weibo, "烘焙房的早晨", 9, link=link,
                                     media="[{file: content/media/cup.png, alt: A cup}]")},
                     platforms=_platforms(weibo, utm=False), calendar=None, files={"content/media/cup.png": _png()})
    report = _run(root, weibo)
    assert sorted((j.post, j.state) for j in report.jobs) == [("pic", "published"), ("text", "published")]
    published = {s["idstr"]: s for s in weibo.state()["published"]}
    text, pic = published[_record(root, "text")["remote_id"]], published[_record(root, "pic")["remote_id"]]
    assert text["text"].startswith("冬季新品上市，欢迎品尝") and link in text["text"] and "original_pic" not in text
    assert "original_pic" in pic
    assert _record(root, "text")["url"] == f"https://m.weibo.cn/status/{text['idstr']}"
    _run(root, weibo)
    assert len(weibo.state()["published"]) == 2


def test_a_lost_answer_is_found_on_the_timeline_and_not_posted_again(make_repo, weibo):
    root = make_repo({"lost.md": _due(weibo, f"新茶 https://{weibo['SAFE_DOMAIN']}/new")},
                     platforms=_platforms(weibo), calendar=None)
    weibo.add_fault({"methods": ["POST"], "path": "/2/statuses/share.json"}, {"type": "drop"}, count=1)
    report = _run(root, weibo)
    assert [j.state for j in report.jobs] == ["published"]
    (status,) = weibo.state()["published"]
    assert _record(root, "lost")["remote_id"] == status["idstr"]


def _text(double, words="新品") -> str:
    return f"{words} https://{double['SAFE_DOMAIN']}/p"


# each documented failure of statuses/share → the typed error smm acts on (and what it says)
ERRORS = {
    "hourly call budget (10023)": (lambda d: d.control("POST", "rate_limits", {"all": 0}), RateLimited, "10023"),
    "hourly post budget (10024)": (lambda d: d.control("POST", "rate_limits", {"share": 0}), RateLimited, "10024"),
    "expired token (21327)": (lambda d: d.advance_clock(31 * 24 * 3600), AuthError, "expired"),
    "repeated content (20019)": (lambda d: None, Rejected, "repeated content"),
    "system busy (10002, 503)": (lambda d: d.add_fault({"path": "/2/statuses/share.json"},
                                                       {"type": "status", "status": 503}, count=1),
                                 TransientError, "10002"),
    "no safe-domain link (10017)": (lambda d: None, Rejected, "domain"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_each_documented_error_is_the_typed_error(adapter, weibo, case):
    if case.startswith("repeated"):
        adapter.publish(Outgoing("p", "weibo", "T", _text(weibo)), idempotency_key="a")
    setup, error, said = ERRORS[case]
    setup(weibo)
    text = "没有链接" if case.startswith("no safe") else _text(weibo)
    with pytest.raises(error) as caught:
        adapter.publish(Outgoing("p", "weibo", "T", text), idempotency_key="k")
    assert said in caught.value.message and weibo["TOKEN"] not in caught.value.message
    if error is RateLimited:  # Weibo sends no headers: the wait comes from account/rate_limit_status
        assert 3000 < caught.value.retry_after <= 3600
    if error is TransientError:
        assert caught.value.outcome_unknown
    assert len(weibo.state()["published"]) == (1 if case.startswith("repeated") else 0)


def test_metrics_followers_and_the_token(adapter, weibo):
    first = adapter.publish(Outgoing("p", "weibo", "T", _text(weibo, "一")), idempotency_key="a")
    second = adapter.publish(Outgoing("q", "weibo", "T", _text(weibo, "二")), idempotency_key="b")
    weibo.control("POST", "engage", {"id": first.remote_id, "attitudes": 7, "reposts": 2, "comments": 3})
    weibo.control("POST", "engage", {"followers": 4321})
    counts = {m.remote_id: (m.likes, m.reposts, m.replies) for m in adapter.metrics([first.remote_id, second.remote_id])}
    assert counts == {first.remote_id: (7, 2, 3), second.remote_id: (0, 0, 0)}
    assert adapter.followers() == 4321
    assert adapter.whoami() == f"smm品牌 (uid {weibo['UID']})"
    expires = adapter.token_expiry()
    assert timedelta(days=29) < expires - _now() <= timedelta(days=30, seconds=5)
    assert adapter.confirm(f"https://m.weibo.cn/status/{first.remote_id}").remote_id == first.remote_id


# --- smm check: the safe-domain rule ----------------------------------------------------------------

SAFE = {
    "no link at all": ("冬季新品上市", {}, "platforms"),
    "a link elsewhere": ("见 https://elsewhere.example/a", {}, "platforms"),
    "a look-alike domain": ("见 https://brand.example.com.evil.example/a", {}, "platforms"),
    "`link:` elsewhere": ("冬季新品", {"link": "https://elsewhere.example/a"}, "link"),
}


@pytest.mark.parametrize("case", list(SAFE))
def test_check_says_where_a_post_lacks_a_safe_domain_link(make_repo, smm, case):
    body, fields, where = SAFE[case]
    platforms = ("timezone: UTC\naccounts:\n  feed: {platform: feed, path: data/feed.xml}\n"
                 "  weibo: {platform: weibo, token_env: T, safe_domain: brand.example.com}\n")
    make_repo({"p.md": post_text(body, platforms="[feed, weibo]", **fields)}, platforms=platforms, calendar=None)
    code, out, _ = smm("check", "--format", "json")
    found = [d for d in json.loads(out) if d["rule"] == "render.safe-domain"]
    assert code == 1 and len(found) == 1, out
    lines = (make_repo.root / "content/p.md").read_text().splitlines()
    assert lines[found[0]["line"] - 1].startswith(f"{where}:") and "brand.example.com" in found[0]["message"]


@pytest.mark.parametrize("text", ["见 https://brand.example.com/a", "见 https://shop.brand.example.com/a。谢谢",
                                  "https://BRAND.example.com"])
def test_a_link_under_the_safe_domain_passes(make_repo, smm, text):
    platforms = "timezone: UTC\naccounts:\n  weibo: {platform: weibo, token_env: T, safe_domain: brand.example.com}\n"
    make_repo({"p.md": post_text(text, platforms="[weibo]")}, platforms=platforms, calendar=None)
    code, out, _ = smm("check", "--format", "json")
    assert not [d for d in json.loads(out) if d["rule"] == "render.safe-domain"], out


ACCOUNT_ERRORS = {  # a Weibo or LinkedIn account in platforms.yml → the rule `smm check` reports on its line
    "weibo without safe_domain": ("{platform: weibo, token_env: T}", "schema.required"),
    "a URL as safe_domain": ("{platform: weibo, token_env: T, safe_domain: 'https://brand.example.com'}",
                             "schema.pattern"),
    "more than statuses/share takes": ("{platform: weibo, token_env: T, safe_domain: a.example, char_limit: 2000}",
                                       "schema.range"),
    "linkedin without author": ("{platform: linkedin, token_env: T}", "schema.required"),
    "an author that is no URN": ("{platform: linkedin, token_env: T, author: cloudleaf}", "schema.pattern"),
    "token_issued not a date": ("{platform: linkedin, token_env: T, author: 'urn:li:person:x', token_issued: "
                                "'2026-02-30x'}", "schema.pattern"),
}


@pytest.mark.parametrize("case", list(ACCOUNT_ERRORS))
def test_check_refuses_an_account_that_cannot_publish(make_repo, smm, case):
    account, rule = ACCOUNT_ERRORS[case]
    make_repo({}, platforms=f"timezone: UTC\naccounts:\n  feed: {{platform: feed, path: data/f.xml}}\n  acct: {account}\n",
              calendar=None)
    code, out, _ = smm("check", "--format", "json")
    found = [d for d in json.loads(out) if d["file"] == "platforms.yml"]
    assert code != 0 and [(d["rule"], d["line"]) for d in found] == [(rule, 4)], out


TOPICS = {  # text → the topics `smm check` reports (statuses/share refuses "#话题#" in the text)
    "one topic": ("新品 #冬日茶饮# 上市 https://brand.example.com/a", ["#冬日茶饮#"]),
    "a topic twice": ("#新茶# 与 #新茶# https://brand.example.com/a", ["#新茶#"]),
    "hashtags, no topic": ("新品 #冬日茶饮 #WinterBlend https://brand.example.com/a", []),
    "a # inside a link": ("见 https://brand.example.com/a#b#c 吧", []),
}


@pytest.mark.parametrize("case", list(TOPICS))
def test_check_reports_weibo_topics_where_they_are_written(make_repo, smm, case):
    text, topics = TOPICS[case]
    platforms = "timezone: UTC\naccounts:\n  weibo: {platform: weibo, token_env: T, safe_domain: brand.example.com}\n"
    make_repo({"p.md": post_text(text, platforms="[weibo]")}, platforms=platforms, calendar=None)
    code, out, _ = smm("check", "--format", "json")
    found = [d for d in json.loads(out) if d["rule"] == "render.weibo-topic"]
    assert [d["message"].split("`")[1] for d in found] == topics, out
    body = (make_repo.root / "content/p.md").read_text().splitlines()
    assert all(body[d["line"] - 1][d["column"] - 1:].startswith(t) for d, t in zip(found, topics))
    assert code == (1 if topics else 0)


def test_the_inbox_reads_comments_on_the_accounts_statuses_and_mentions(make_repo, weibo):
    link = f"https://{weibo['SAFE_DOMAIN']}/winter"
    root = make_repo({"text.md": _due(weibo, "冬季新品上市", link=link)}, platforms=_platforms(weibo), calendar=None)
    _run(root, weibo)
    own = _record(root, "text")["remote_id"]
    comment = weibo.control("POST", "comment", {"id": own, "text": "茶叶收到是坏的，我要退款", "screen_name": "茶友",
                                                "followers": 88})
    mention = weibo.control("POST", "mention", {"text": "@云叶茶 冬季新品什么时候发货？", "screen_name": "路人",
                                                "verified": True})
    account = load_repo(root).config.accounts["weibo"]
    adapter = platform_class("weibo")(account, {ENV_NAME: weibo["TOKEN"]}, root)
    try:
        got = {i.network_id: i for i in adapter.inbox(_now() - timedelta(hours=1))}
        assert adapter.inbox(_now() + timedelta(hours=1)) == []  # older than the window: not read
    finally:
        adapter.close()
    assert set(got) == {comment["idstr"], mention["idstr"]}
    first, second = got[comment["idstr"]], got[mention["idstr"]]
    assert (first.kind, first.author, first.in_reply_to, first.author_followers) == ("comment", "茶友", own, 88)
    assert (second.kind, second.author, second.in_reply_to, second.text) == ("mention", "路人", None,
                                                                             "@云叶茶 冬季新品什么时候发货？")
    assert (first.author_verified, second.author_verified) == (False, True)
