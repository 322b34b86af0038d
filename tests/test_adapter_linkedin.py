"""The LinkedIn adapter over real HTTP against the local double of the versioned REST API
(tests/peers/linkedin_api.py): posts with hashtags, organization mentions, an article link preview
and images through the Images API, shown whole (nothing cut by an unescaped character); never
twice; a lost answer found again; each documented error as the typed error smm acts on; share
statistics, followers and the token's expiry. Skipped locally when the double is not running;
failed in CI (CI=true).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import post_text
from peers import require
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, platform_class
from smm.platforms.linkedin import until_midnight_utc
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo
from test_adapters_real import _metric_rows, _png

ENV_NAME, SECRET_NAME = "T_LINKEDIN_TOKEN", "T_LINKEDIN_CLIENT_SECRET"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def linkedin():
    double = require("linkedin")
    double.reset()
    yield double
    double.reset()


def _platforms(double, **extra) -> str:
    options = {"platform": "linkedin", "token_env": ENV_NAME, "author": double["AUTHOR"], "api_base": double.url, **extra}
    return "timezone: UTC\naccounts:\n  linkedin: " + json.dumps(options) + "\n"


def _env(double) -> dict:
    return {ENV_NAME: double["TOKEN"], SECRET_NAME: double["CLIENT_SECRET"]}


def _due(body, minutes=10, **fields):
    at = (_now() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return post_text(body, publish_at=at, platforms="[linkedin]", **fields)


def _run(root, double):
    return Publisher(load_repo(root), _now(), _env(double), sleep=lambda s: None).run()


def _record(root, post):
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]["linkedin"]


HANDLES = 'teahouse:\n  linkedin: "@[Zhuxiang Teahouse](urn:li:organization:2414183)"\n  default: Zhuxiang\n'


def test_linkedin_publishes_mentions_articles_and_images_exactly_once(make_repo, linkedin):
    media = "[{file: content/media/a.png, alt: A green cup}, {file: content/media/b.png, alt: The roastery}]"
    root = make_repo({
        "article.md": _due("Winter (oolong) at @{teahouse} — a_b <new> #TeaTime", 12,
                           link="https://cloudleaf.example/winter", hashtags="[WinterBlend]"),
        "one.md": _due("One cup [hot]", 11, media="[{file: content/media/a.png, alt: A green cup}]"),
        "two.md": _due("Two pictures", 10, media=media),
    }, platforms=_platforms(linkedin), calendar=None,
        files={"content/media/a.png": _png(), "content/media/b.png": _png("red"), "brand/handles.yml": HANDLES})
    report = _run(root, linkedin)
    assert sorted((j.post, j.state) for j in report.jobs) == [
        ("article", "published"), ("one", "published"), ("two", "published")]
    posts = {p["id"]: p for p in linkedin.state()["published"]}
    article, one, two = (posts[_record(root, name)["remote_id"]] for name in ("article", "one", "two"))
    tagged = "https://cloudleaf.example/winter?utm_source=linkedin&utm_medium=social"  # whole: no `\\_`
    assert article["shown"] == f"Winter (oolong) at Zhuxiang Teahouse — a_b <new> #TeaTime\n\n{tagged}\n\n#WinterBlend"
    assert "@[Zhuxiang Teahouse](urn:li:organization:2414183)" in article["commentary"]
    assert article["content"] == {"article": {"source": tagged, "title": "A post"}}
    assert one["shown"] == "One cup [hot]" and one["content"]["media"]["altText"] == "A green cup"
    assert [i["altText"] for i in two["content"]["multiImage"]["images"]] == ["A green cup", "The roastery"]
    assert all(i["status"] == "AVAILABLE" for i in linkedin.state()["images"])
    assert _record(root, "one")["url"] == f"https://www.linkedin.com/feed/update/{one['id']}/"
    _run(root, linkedin)
    assert len(linkedin.state()["published"]) == 3


def test_a_lost_answer_is_found_among_the_authors_posts(make_repo, linkedin):
    root = make_repo({"lost.md": _due("Lost & found")}, platforms=_platforms(linkedin), calendar=None)
    linkedin.add_fault({"methods": ["POST"], "path": "/rest/posts"}, {"type": "drop"}, count=1)
    assert [j.state for j in _run(root, linkedin).jobs] == ["published"]
    (post,) = linkedin.state()["published"]
    assert _record(root, "lost")["remote_id"] == post["id"]


@pytest.fixture
def adapter(make_repo, linkedin, request):
    """The account's adapter (more platforms.yml options by indirect parametrization), closed after the test."""
    root = make_repo({}, platforms=_platforms(linkedin, **getattr(request, "param", {})), calendar=None)
    made = platform_class("linkedin")(load_repo(root).config.accounts["linkedin"], _env(linkedin), root)
    yield made
    made.close()


def _token(double, **fields) -> str:
    return double.control("POST", "tokens", {"user": double["PERSON"], "extra": {"admin_of": [double["AUTHOR"]]},
                                             **fields})["token"]


# each documented failure → (setup on the double, the typed error, what its message says)
ERRORS = {
    "expired token (60 days)": (lambda d, a: d.advance_clock(61 * 24 * 3600), AuthError, "60 days"),
    "revoked token": (lambda d, a: a.env.update({ENV_NAME: _token(d, extra={"revoked": True})}), AuthError,
                      "REVOKED_ACCESS_TOKEN"),
    "token without w_organization_social": (lambda d, a: a.env.update({ENV_NAME: _token(d, scopes=["r_basicprofile"])}),
                                            AuthError, "ACCESS_DENIED"),
    "retired LinkedIn-Version": (lambda d, a: a.options.update(linkedin_version="202001"), AuthError,
                                 "linkedin_version"),
    "daily limit (429, no headers)": (lambda d, a: d.add_fault({"path": "/rest/posts"}, {"type": "ratelimit"}, count=1),
                                      RateLimited, "TOO_MANY_REQUESTS"),
    "duplicate content (422)": (lambda d, a: a.publish(Outgoing("p", "linkedin", "T", "Same"), idempotency_key="a"),
                                Rejected, "duplicate"),
    "server error (503)": (lambda d, a: d.add_fault({"path": "/rest/posts"}, {"type": "status", "status": 503}, count=1),
                           TransientError, "503"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_each_documented_error_is_the_typed_error(adapter, linkedin, case):
    setup, error, said = ERRORS[case]
    setup(linkedin, adapter)
    before = len(linkedin.state()["published"])
    with pytest.raises(error) as caught:
        adapter.publish(Outgoing("p", "linkedin", "T", "Same"), idempotency_key="k")
    assert said in caught.value.message and linkedin["TOKEN"] not in caught.value.message
    if error is RateLimited:  # LinkedIn's limits are daily and it sends no header: wait for midnight UTC
        assert abs(caught.value.retry_after - until_midnight_utc()) < 5
    if error is TransientError:
        assert caught.value.outcome_unknown
    assert len(linkedin.state()["published"]) == before


@pytest.mark.parametrize("adapter", [{"token_issued": "2026-11-01"}], indirect=True)
def test_share_statistics_followers_and_who_the_token_is(adapter, linkedin):
    first = adapter.publish(Outgoing("p", "linkedin", "T", "First"), idempotency_key="a")
    second = adapter.publish(Outgoing("q", "linkedin", "T", "Second"), idempotency_key="b")
    linkedin.control("POST", "engage", {"share": first.remote_id, "likeCount": 9, "commentCount": 2, "shareCount": 1,
                                        "impressionCount": 300, "clickCount": 12})
    linkedin.control("POST", "engage", {"followers": 1234})
    found = {m.remote_id: (m.likes, m.replies, m.reposts, m.views, m.clicks)
             for m in adapter.metrics([first.remote_id, second.remote_id])}
    assert found == {first.remote_id: (9, 2, 1, 300, 12), second.remote_id: (0, 0, 0, 0, 0)}
    assert adapter.followers() == 1234
    assert adapter.whoami() == f"Smm Admin ({linkedin['PERSON']})"
    assert adapter.token_expiry() == datetime(2026, 12, 31, tzinfo=timezone.utc)  # 60 days from token_issued
    assert adapter.confirm(first.url).remote_id == first.remote_id


@pytest.mark.parametrize("adapter", [{"client_id": "smm-linkedin-client", "client_secret_env": SECRET_NAME}],
                         indirect=True)
def test_the_token_expiry_is_asked_when_the_app_is_named(adapter, linkedin):
    assert abs(adapter.token_expiry() - (_now() + timedelta(days=60))) < timedelta(minutes=5)
    linkedin.advance_clock(61 * 24 * 3600)
    with pytest.raises(AuthError, match="expired"):
        adapter.token_expiry()


def test_a_member_author_has_no_page_statistics(adapter):
    adapter.options["author"] = "urn:li:person:smmAdmin01"
    with pytest.raises(NotSupported, match="organization pages only"):
        adapter.metrics(["urn:li:share:1"])


def test_smm_metrics_collects_weibo_and_linkedin(make_repo, linkedin, smm, monkeypatch):
    weibo = require("weibo")
    weibo.reset()
    platforms = _platforms(linkedin) + "  weibo: " + json.dumps({
        "platform": "weibo", "token_env": "T_WEIBO_TOKEN", "safe_domain": weibo["SAFE_DOMAIN"], "api_base": weibo.url,
        "rip": "203.0.113.7"}) + "\n"
    root = make_repo({"p.md": post_text("新品 New tea", publish_at=(_now() - timedelta(minutes=5)).isoformat(),
                                        platforms="[linkedin, weibo]", link=f"https://{weibo['SAFE_DOMAIN']}/new")},
                     platforms=platforms, calendar=None)
    env = {**_env(linkedin), "T_WEIBO_TOKEN": weibo["TOKEN"]}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert [j.state for j in Publisher(load_repo(root), _now(), env, sleep=lambda s: None).run().jobs] == [
        "published", "published"]
    share, status = _record(root, "p")["remote_id"], json.loads(
        (root / "data/published/p.json").read_text())["accounts"]["weibo"]["remote_id"]
    linkedin.control("POST", "engage", {"share": share, "likeCount": 4, "commentCount": 1, "followers": 77})
    weibo.control("POST", "engage", {"id": status, "attitudes": 6, "reposts": 2, "followers": 88})
    code, out, err = smm("metrics", "--format", "json", "--interval", "1m")
    assert code == 0, out + err
    rows = {r["account"]: (r["remote_id"], r["likes"], r["replies"], r["reposts"]) for r in _metric_rows(root)}
    assert rows == {"linkedin": (share, "4", "1", "0"), "weibo": (status, "6", "0", "2")}
    followers = "".join(p.read_text() for p in (root / "data/accounts").glob("*.csv"))
    assert ",linkedin,linkedin,77" in followers and ",weibo,weibo,88" in followers
    weibo.reset()


def test_the_inbox_reads_comments_on_the_authors_recent_posts(make_repo, linkedin):
    root = make_repo({"a.md": _due("Winter blend is here")}, platforms=_platforms(linkedin), calendar=None)
    _run(root, linkedin)
    share = _record(root, "a")["remote_id"]
    said = linkedin.control("POST", "comment", {"share": share, "text": "Where can I buy it? 哪里能买到？"})
    adapter = platform_class("linkedin")(load_repo(root).config.accounts["linkedin"], _env(linkedin), root)
    try:
        got = adapter.inbox(_now() - timedelta(hours=1))
        assert [(i.network_id, i.kind, i.author, i.text, i.in_reply_to) for i in got] == [
            (said["id"], "comment", "urn:li:person:fan123", "Where can I buy it? 哪里能买到？", share)]
        assert adapter.inbox(_now() + timedelta(hours=1)) == []
    finally:
        adapter.close()


@pytest.mark.parametrize("lost", [False, True])
def test_a_first_comment_is_the_authors_comment_under_the_post_once(make_repo, linkedin, lost):
    """`POST /rest/socialActions/{post}/comments` as the author, in plain text (not little text); a lost
    answer is found among the post's comments, not sent again."""
    root = make_repo({"p.md": _due("A post (with parentheses)", first_comment="'More (and #TeaTime): https://cloudleaf.example/a_b'")},
                     platforms=_platforms(linkedin), calendar=None)
    if lost:
        linkedin.add_fault({"methods": ["POST"], "path": "/rest/socialActions/*"}, {"type": "drop"}, count=1)
    report = _run(root, linkedin)
    assert [(j.post, j.state) for j in report.jobs] == [("p", "published"), ("p+comment", "published")]
    comments = linkedin.state()["comments"]
    assert [(c["object"], c["actor"], c["id"]) for c in comments] == [
        (_record(root, "p")["remote_id"], linkedin["AUTHOR"], _record(root, "p+comment")["remote_id"])]
    assert comments[0]["message"]["text"] == (
        "More (and #TeaTime): https://cloudleaf.example/a_b?utm_source=linkedin&utm_medium=social")
    assert _run(root, linkedin).jobs == [] and len(linkedin.state()["comments"]) == 1
