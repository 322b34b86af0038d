"""Competitors in `smm metrics`: brand/listening.yml's competitor accounts read with the brand's account on
the same network (the `local` double's others.json here; the real servers in test_competitors_peer.py),
a row each in data/competitors/<YYYY-MM>.csv; a network that cannot is named once, the others go on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from smm.metrics import collect as metrics
from smm.metrics.competitors import median_engagement
from smm.metrics.results import format_text
from smm.workspace.repo import load_repo

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)
PLATFORMS = """\
timezone: UTC
accounts:
  local: {platform: local, path: .local/local}
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_UNSET_TOKEN}
"""
LISTENING = """\
keywords: [Acme]
competitors:
  Globex:
    accounts: {local: globex, bluesky: globex.bsky.social, feed: globex-feed}
  Initech:
    accounts: {local: initech, feed: initech-feed}
"""
HEADER = "collected_at,competitor,network,handle,followers,posts,median_engagement"


def post(days_ago: float, likes: int, reposts: int = 0, replies: int = 0) -> dict:
    at = NOW - timedelta(days=days_ago)
    return {"id": f"p{days_ago}", "created_at": at.isoformat(), "likes": likes, "reposts": reposts, "replies": replies}


OTHERS = {
    "globex": {"followers": 5000, "posts": [post(1, 10, 2, 1), post(3, 4), post(29, 20, 5), post(31, 900)]},
    "initech": {"followers": 800, "posts": [post(2, 3, 1), post(5, 1)]},
}


@pytest.fixture
def repo_root(make_repo):
    root = make_repo(platforms=PLATFORMS, calendar=None, files={"brand/listening.yml": LISTENING})
    (root / ".local/local").mkdir(parents=True)
    (root / ".local/local/others.json").write_text(json.dumps(OTHERS), encoding="utf-8")
    return root


def run(root, now=NOW, **kwargs):
    return metrics.collect(load_repo(root), now, {}, sleep=[].append, **kwargs)


def test_each_competitor_account_gets_a_row_with_30_days_of_posts(repo_root):
    report = run(repo_root)
    lines = (repo_root / "data/competitors/2026-12.csv").read_text("utf-8").splitlines()
    # globex: 3 posts in 30 days (the 31-day-old one is out), engagement 13, 4, 25 → median 13;
    # initech: 4 and 1 → median 2.5. Bluesky: the brand has no account there (not asked).
    assert lines == [HEADER, "2026-12-01T04:00:00Z,Globex,local,globex,5000,3,13",
                     "2026-12-01T04:00:00Z,Initech,local,initech,800,2,2.5"]
    assert "data/competitors/2026-12.csv" in report.files
    assert not any(c.network == "bluesky" for c in report.competitors)


def test_a_network_that_cannot_is_named_once_and_the_others_go_on(repo_root):
    report = run(repo_root)
    text = format_text(report)
    feed_lines = [line for line in text.splitlines() if "profiles on Feed" in line]
    assert feed_lines == ["skipped            competitors on feed (Globex, Initech): smm cannot read other accounts' "
                          "profiles on Feed (Atom + JSON Feed)"]
    assert "competitor         Globex on local (globex)  followers 5,000; 3 posts in 30 days; median engagement 13" in text
    assert report.exit_code == 1  # the mastodon account lacks its secret (as without competitors)
    assert text.splitlines()[-1] == "0 metric rows, 0 follower rows, 2 competitor rows appended to " \
                                    "data/competitors/2026-12.csv"


def test_an_account_without_its_secret_is_named_once(make_repo):
    root = make_repo(platforms=PLATFORMS, calendar=None, files={"brand/listening.yml": (
        "competitors:\n  Globex: {accounts: {mastodon: '@g@m.example'}}\n  Initech: {accounts: {mastodon: i}}\n")})
    report = run(root)
    lines = [line for line in format_text(report).splitlines() if "competitors on" in line]
    assert lines == ["not configured     competitors on mastodon (Globex, Initech): account `mastodon`: set T_UNSET_TOKEN"]
    assert report.exit_code == 1


def test_json_lists_the_competitor_rows(repo_root):
    data = run(repo_root).as_json()
    assert data["rows"]["competitors"] == 2
    by = {(c["competitor"], c["network"]): c for c in data["competitors"]}
    assert by[("Globex", "local")] == {"competitor": "Globex", "network": "local", "handle": "globex", "followers": 5000,
                                       "posts": 3, "median_engagement": 13, "state": "collected", "reason": None}
    assert by[("Initech", "feed")]["state"] == "unsupported"


def test_an_unknown_handle_fails_that_account_only(repo_root):
    others = {"globex": OTHERS["globex"]}
    (repo_root / ".local/local/others.json").write_text(json.dumps(others), encoding="utf-8")
    report = run(repo_root)
    by = {(c.competitor, c.network): c for c in report.competitors}
    assert by[("Initech", "local")].state == "failed" and "no account initech" in by[("Initech", "local")].reason
    assert by[("Globex", "local")].state == "collected"
    assert report.exit_code == 1
    assert "competitor failed  Initech on local (initech)  no account initech" in format_text(report)


def test_a_second_run_within_the_interval_adds_no_rows(repo_root):
    run(repo_root)
    second = run(repo_root, now=NOW + timedelta(minutes=30))
    assert [c.state for c in second.competitors if c.network == "local"] == ["fresh", "fresh"]
    assert len((repo_root / "data/competitors/2026-12.csv").read_text("utf-8").splitlines()) == 3
    third = run(repo_root, now=NOW + timedelta(hours=2))
    assert [c.state for c in third.competitors if c.network == "local"] == ["collected", "collected"]


@pytest.mark.parametrize("listening, said", [
    ("competitors: [Globex]\n", "brand/listening.yml:1:14: `competitors` must be a mapping"),
    ("competitors:\n  Globex: {accounts: [globex]}\n", "brand/listening.yml:2:22: `competitors.Globex.accounts` must be"),
    ("competitors:\n  Globex: {accounts: {local: ''}}\n", "brand/listening.yml:2:30: `competitors.Globex.accounts.local` "
                                                          "must not be empty"),
    ("competitors: {Globex: {accounts: {local: x}\n", "brand/listening.yml:1:"),
], ids=["a list", "accounts a list", "an empty handle", "broken YAML"])
def test_a_broken_listening_file_is_named_and_the_brand_metrics_still_collected(make_repo, listening, said):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n",
                     calendar=None, files={"brand/listening.yml": listening, ".local/local/followers.json": "12"})
    report = run(root)
    assert [c.state for c in report.competitors] == ["failed"] and said in report.competitors[0].reason
    assert report.accounts[0].followers == 12 and report.exit_code == 1


def test_without_listening_file_nothing_changes(make_repo):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n",
                     calendar=None)
    report = run(root)
    assert report.competitors == [] and not (root / "data/competitors").exists() and report.exit_code == 0


@pytest.mark.parametrize("engagements, median", [
    ([], None), ([7], 7), ([1, 9, 4], 4), ([1, 2, 3, 10], 2.5), ([0, 0, 0], 0),
], ids=["none", "one", "odd", "even", "zeros"])
def test_median_engagement(engagements, median):
    assert median_engagement([SimpleNamespace(likes=e, reposts=0, replies=0) for e in engagements]) == median
