"""`smm report`: KPI arithmetic on a small fixture computed by hand, goals, best times, and
golden files of every format (tests/golden/report/; regenerate after a deliberate change
with SMM_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, post_text

from smm.errors import InputError, SmmError
from smm.report import JSON_KEYS, build, kpis, window, write
from smm.workspace.repo import load_repo
from smm.workspace.settings import load_settings

GOLDEN = ROOT / "tests" / "golden" / "report"
UTC = timezone.utc
START = datetime(2026, 11, 2, tzinfo=UTC)  # Monday
END = datetime(2026, 11, 9, tzinfo=UTC)  # the period is the week 2026-11-02 … 2026-11-08
NOW = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)

PLATFORMS = """\
timezone: UTC
accounts:
  a: {platform: local, path: .local/a}
  b: {platform: local, path: .local/b}
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com, title: Fixture Tea}
"""
CALENDAR = """\
pillars:
  news: {description: News}
  tips: {description: Tips}
slots:
  - {day: monday, time: "12:00", pillar: news}
  - {day: wednesday, time: "12:00", pillar: tips}
"""
# post id: (publish_at, accounts, pillar, campaign)
POSTS = {
    "old": ("2026-10-26T12:00", ["a"], "news", None),
    "p1": ("2026-11-02T12:00", ["a", "b", "feed"], "news", "c1"),
    "p2": ("2026-11-04T18:00", ["a"], "tips", None),
    "p3": ("2026-11-06T09:00", ["b"], "tips", "c1"),
}
FOLLOWERS = [  # collected_at, account, followers
    ("2026-10-26T00:00:00Z", "a", 900), ("2026-11-01T00:00:00Z", "a", 1000), ("2026-11-04T00:00:00Z", "a", 1040),
    ("2026-11-08T00:00:00Z", "a", 1100), ("2026-11-10T00:00:00Z", "a", 1200),
    ("2026-11-03T00:00:00Z", "b", 400), ("2026-11-07T00:00:00Z", "b", 500),
]
METRICS = [  # collected_at, post, account, likes, reposts, replies, quotes, views, clicks
    ("2026-10-30T00:00:00Z", "old", "a", 9, 0, 0, None, None, None),
    ("2026-11-03T00:00:00Z", "p1", "a", 10, 2, 1, None, 1000, None),
    ("2026-11-08T12:00:00Z", "p1", "a", 30, 5, 3, 2, 2000, 7),
    ("2026-11-10T00:00:00Z", "p1", "a", 99, 9, 9, 9, 9999, 9),  # after the period: not counted
    ("2026-11-05T00:00:00Z", "p1", "b", 8, 1, 1, 0, None, None),
    ("2026-11-06T00:00:00Z", "p2", "a", 20, 4, 2, None, None, None),
    ("2026-11-08T00:00:00Z", "p3", "b", 12, 3, 0, 0, None, None),
]
GOALS = """\
goals:
  - id: a-followers
    description: Grow account a to 1,200 followers in November.
    metric: followers
    account: a
    baseline: 1000
    start: 2026-11-01
    target: 1200
    deadline: 2026-11-30
  - id: b-posts
    metric: posts
    account: b
    baseline: 1
    target: 10
    deadline: 2026-11-10
  - id: a-interactions
    metric: interactions
    account: a
    baseline: 50
    target: 60
    deadline: 2026-12-31
  - id: all-followers
    metric: followers
    baseline: 1000
    target: 2000
    deadline: 2026-11-05
"""


def _csv(rows) -> str:
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"


def write_fixture(root: Path, goals: str | None = GOALS) -> Path:
    (root / "platforms.yml").write_text(PLATFORMS, encoding="utf-8")
    (root / "brand").mkdir(parents=True, exist_ok=True)
    (root / "brand/calendar.yml").write_text(CALENDAR, encoding="utf-8")
    if goals is not None:
        (root / "brand/goals.yml").write_text(goals, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    for post_id, (at, accounts, pillar, campaign) in POSTS.items():
        fields = {"pillar": pillar, **({"campaign": campaign} if campaign else {})}
        (root / f"content/{post_id}.md").write_text(
            post_text(f"Post {post_id}", title=f"Title of {post_id}", publish_at=at, platforms=f"[{', '.join(accounts)}]",
                      **fields), encoding="utf-8")
        published = (datetime.fromisoformat(at).replace(tzinfo=UTC) + timedelta(minutes=1)).isoformat()
        record = {"post": post_id, "file": f"content/{post_id}.md", "accounts": {
            a: {"state": "published", "attempts": 1, "remote_id": f"{post_id}-{a}", "url": f"https://{a}.example/{post_id}",
                "published_at": published, "error": None} for a in accounts}}
        (root / f"data/published/{post_id}.json").write_text(json.dumps(record), encoding="utf-8")
    for folder, header, rows in (
            ("accounts", "collected_at,account,platform,followers", [(t, a, "local", n) for t, a, n in FOLLOWERS]),
            ("metrics", "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks",
             [(t, p, a, "local", f"{p}-{a}", *counts) for t, p, a, *counts in METRICS])):
        for month in ("2026-10", "2026-11"):
            mine = [r for r in rows if r[0].startswith(month)]
            if mine:
                (root / f"data/{folder}").mkdir(parents=True, exist_ok=True)
                (root / f"data/{folder}/{month}.csv").write_text(header + "\n" + _csv(mine), encoding="utf-8")
    return root


@pytest.fixture
def fixture_repo(tmp_path):
    return load_repo(write_fixture(tmp_path))


@pytest.fixture
def report(fixture_repo):
    return build(fixture_repo, START, END, NOW)


def by_account(report) -> dict:
    return {a["account"]: a for a in report.data["accounts"]}


# -- arithmetic, every expected number worked out by hand -----------------------------------------


def test_followers_growth_per_account_and_overall(report):
    accounts = by_account(report)
    # a: last count at or before the start (1,000 on 11-01) → last before the end (1,100 on 11-08)
    assert {k: accounts["a"]["followers"][k] for k in ("start", "end", "growth", "growth_pct")} == \
        {"start": 1000, "end": 1100, "growth": 100, "growth_pct": 10.0}
    # b: no count before the start: the first in the period (400 on 11-03)
    assert {k: accounts["b"]["followers"][k] for k in ("start", "end", "growth", "growth_pct")} == \
        {"start": 400, "end": 500, "growth": 100, "growth_pct": 25.0}
    assert accounts["feed"]["followers"]["start"] is None
    # all: 1,400 → 1,600, +200 = 14.2857 %
    assert {k: accounts["all"]["followers"][k] for k in ("start", "end", "growth", "growth_pct")} == \
        {"start": 1400, "end": 1600, "growth": 200, "growth_pct": 14.2857}
    assert accounts["a"]["followers"]["daily"] == [("2026-11-04", 1040), ("2026-11-08", 1100)]


def test_interactions_and_engagement_rates(report):
    accounts = by_account(report)
    # p1 on a: 30 + 5 + 3 + 2 = 40 (the row after the period is ignored) ÷ 1,000 = 4 %; by views 40 ÷ 2,000 = 2 %
    # p2 on a: 20 + 4 + 2 = 26 ÷ 1,040 (followers on 11-04, before 18:01) = 2.5 %
    a = accounts["a"]
    assert (a["posts"], a["interactions"], a["engagement_rate"], a["engagement_rate_by_views"]) == (2, 66, 3.25, 2.0)
    assert (a["likes"], a["reposts"], a["replies"], a["quotes"], a["views"], a["clicks"]) == (50, 9, 5, 2, 2000, 7)
    # p1 on b: 10 ÷ 400 (b's first count, none before the post) = 2.5 %; p3 on b: 15 ÷ 400 = 3.75 %
    b = accounts["b"]
    assert (b["posts"], b["interactions"], b["engagement_rate"], b["engagement_rate_by_views"]) == (2, 25, 3.125, None)
    feed = accounts["feed"]
    assert (feed["posts"], feed["measured"], feed["interactions"], feed["engagement_rate"]) == (1, 0, None, None)
    # all: 3 posts; 66 + 25 = 91; mean of 4, 2.5, 2.5, 3.75 = 3.1875
    everything = accounts["all"]
    assert (everything["posts"], everything["interactions"], everything["engagement_rate"]) == (3, 91, 3.1875)


def test_posts_against_the_calendar(report):
    posts = report.data["posts"]
    # slots: Mon 11-02 12:00 (news: p1 fills it) and Wed 11-04 12:00 (tips: p2 fills it); p3 is outside
    assert {k: posts[k] for k in ("published", "planned_slots", "filled_slots", "missed_slots", "outside_slots")} == \
        {"published": 3, "planned_slots": 2, "filled_slots": 2, "missed_slots": [], "outside_slots": 1}


def test_missed_slots_are_listed(fixture_repo):
    data = build(fixture_repo, START, END + timedelta(days=7), NOW).data["posts"]
    assert data["planned_slots"] == 4
    assert [m["at"] for m in data["missed_slots"]] == ["2026-11-09T12:00+00:00", "2026-11-11T12:00+00:00"]


def test_top_and_bottom_posts(report):
    posts = report.data["posts"]
    assert [(i["post"], i["account"], i["engagement_rate"]) for i in posts["top"]] == [
        ("p1", "a", 4.0), ("p3", "b", 3.75), ("p2", "a", 2.5), ("p1", "b", 2.5)]  # a tie: more interactions first
    assert posts["bottom"] == []
    entries = [e for e in _entries(report) if e.rate is not None]
    top, bottom = kpis.ranked(entries, 2)
    assert [(e.post_id, e.account) for e in top] == [("p1", "a"), ("p3", "b")]
    assert [(e.post_id, e.account) for e in bottom] == [("p1", "b"), ("p2", "a")]  # worst first


def _entries(report):
    return [kpis.MeasuredPost(i["post"], i["title"], i["account"], i["platform"], datetime.fromisoformat(i["published_at"]),
                       likes=i["likes"], reposts=i["reposts"], replies=i["replies"], quotes=i["quotes"], views=i["views"],
                       collected=i["interactions"] is not None, followers=i["followers_at_post"])
            for i in report.data["posts"]["items"]]


def test_per_campaign_and_pillar(report):
    posts = report.data["posts"]
    # c1: p1 on a (40, 4 %), p1 on b (10, 2.5 %), p3 on b (15, 3.75 %): 65, mean 3.4167 %
    assert [(g["campaign"], g["posts"], g["interactions"], g["engagement_rate"]) for g in posts["by_campaign"]] == [
        ("c1", 2, 65, 3.4167)]
    # news: p1 (40 + 10, mean of 4 and 2.5); tips: p2 and p3 (26 + 15, mean of 2.5 and 3.75)
    assert [(g["pillar"], g["posts"], g["interactions"], g["engagement_rate"]) for g in posts["by_pillar"]] == [
        ("news", 1, 50, 3.25), ("tips", 2, 41, 3.125)]


def test_best_times_from_the_whole_history(report):
    best = report.data["best_times"]
    # Monday 12:00 holds p1 on a (4 %), p1 on b (2.5 %) and `old` on a (9 ÷ 900 = 1 %), from before the period
    assert best["cells"] == [
        {"weekday": "Mon", "hour": 12, "median_engagement_rate": 2.5, "samples": 3},
        {"weekday": "Wed", "hour": 18, "median_engagement_rate": 2.5, "samples": 1},
        {"weekday": "Fri", "hour": 9, "median_engagement_rate": 3.75, "samples": 1},
    ]
    assert best["recommendations"] == []  # no cell has 5 posts
    entries = [e for e in _entries(report)]
    assert kpis.best_times(entries, UTC, min_samples=2)["recommendations"] == [
        {"weekday": "Mon", "hour": 12, "median_engagement_rate": 3.25, "samples": 2}]


def test_best_times_use_the_local_time_zone():
    entry = kpis.MeasuredPost("x", "x", "a", "local", datetime(2026, 11, 2, 23, 30, tzinfo=UTC), likes=3, collected=True,
                       followers=100)
    cells = kpis.best_times([entry], ZoneInfo("Asia/Shanghai"))["cells"]
    assert (cells[0]["weekday"], cells[0]["hour"]) == ("Tue", 7)


def test_goals_progress_forecast_and_status(report):
    goals = {g["id"]: g for g in report.data["goals"]}
    a = goals["a-followers"]
    # 1,100 now: (1,100 − 1,000) ÷ (1,200 − 1,000) = 50 %. Daily values 11-01 … 11-09: 1000 ×3, 1040 ×4, 1100 ×2;
    # least squares over x = −8 … 0 days: slope 780 ÷ 60 = 13/day, intercept 1,040 + 13 × 4 = 1,092;
    # 22 days to the end of 11-30: 1,092 + 13 × 22 = 1,378 ≥ 1,200
    assert {k: a[k] for k in ("current", "progress_pct", "trend_per_day", "forecast", "days_left", "status")} == \
        {"current": 1100.0, "progress_pct": 50.0, "trend_per_day": 13.0, "forecast": 1378.0, "days_left": 22,
         "status": "on track"}
    b = goals["b-posts"]
    # 2 posts on b in the 30 days before the end; weekly values over 90 days: twelve 0s, then 2;
    # slope 84 ÷ 8,918, intercept 2/13 + 42 × slope; in 2 days: 0.57 < 10
    assert {k: b[k] for k in ("current", "progress_pct", "forecast", "days_left", "status")} == \
        {"current": 2.0, "progress_pct": 11.1, "forecast": 0.57, "days_left": 2, "status": "at risk"}
    assert goals["a-interactions"]["current"] == 75.0  # 40 + 26 + 9 (`old` is within 30 days)
    assert goals["a-interactions"]["status"] == "achieved"
    assert (goals["all-followers"]["current"], goals["all-followers"]["status"]) == (1600.0, "missed")


def test_a_goal_to_reduce_and_one_without_data(tmp_path):
    goals = ("goals:\n  - {id: fewer, metric: posts, account: a, baseline: 10, target: 1, deadline: 2026-12-31}\n"
             "  - {id: empty, metric: engagement_rate, account: b, baseline: 1, target: 2, deadline: 2026-12-31}\n")
    repo = load_repo(write_fixture(tmp_path, goals))
    found = {g["id"]: g for g in build(repo, START, END, NOW).data["goals"]}
    assert found["fewer"]["current"] == 3.0 and found["fewer"]["progress_pct"] == 77.8  # (3 − 10) ÷ (1 − 10)
    late = build(repo, START - timedelta(days=60), END - timedelta(days=60), NOW).data["goals"]
    assert {g["id"]: g["status"] for g in late}["empty"] == "no data"


def test_goals_file_problems(tmp_path):
    bad = "goals:\n  - {id: x, metric: likes, baseline: 1, target: 2, deadline: 2026-12-31}\n"
    write_fixture(tmp_path, bad)
    settings = load_settings(tmp_path)
    goals, found = settings.goals, settings.found["goals"]
    assert goals == [] and [d.rule for d in found] == ["schema.enum"]
    write_fixture(tmp_path, "goals:\n  - {id: x, metric: posts, account: zz, baseline: 1, target: 2, deadline: 2026-02-30}\n")
    settings = load_settings(tmp_path)
    goals, found = settings.goals, settings.found["goals"]
    assert sorted(d.rule for d in found) == ["goals.date", "goals.unknown-account"]
    report = build(load_repo(tmp_path), START, END, NOW)
    assert report.data["goals"] == [] and report.warnings[0].startswith("brand/goals.yml:2: ")


def test_window():
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 26, 12, 0, tzinfo=tz)
    assert window(tz, now) == (now - timedelta(days=30), now)
    assert window(tz, now, "7d") == (now - timedelta(days=7), now)
    assert window(tz, now, None, date(2026, 10, 1), date(2026, 10, 31)) == (
        datetime(2026, 10, 1, tzinfo=tz), datetime(2026, 11, 1, tzinfo=tz))
    assert window(tz, now, "90d", None, date(2026, 10, 31))[0] == datetime(2026, 8, 3, tzinfo=tz)  # 1 Nov − 90 days
    assert window(tz, now, None, date(2026, 11, 20), None) == (datetime(2026, 11, 20, tzinfo=tz), now)
    with pytest.raises(InputError):
        window(tz, now, None, date(2026, 11, 2), date(2026, 11, 1))
    assert window(tz, now, "7d", date(2026, 10, 1), None) == (
        datetime(2026, 10, 1, tzinfo=tz), datetime(2026, 10, 8, tzinfo=tz))  # a week from --from
    with pytest.raises(InputError):
        window(tz, now, "7d", date(2026, 10, 1), date(2026, 10, 31))
    with pytest.raises(InputError):
        window(tz, now, "soon")


def test_no_data_yet(tmp_path):
    root = tmp_path
    (root / "platforms.yml").write_text("timezone: UTC\naccounts:\n  a: {platform: local}\n", encoding="utf-8")
    data = build(load_repo(root), START, END, NOW).data
    assert tuple(data) == JSON_KEYS
    assert data["accounts"][0]["followers"]["start"] is None and data["posts"]["published"] == 0
    for fmt in ("text", "markdown", "html", "json"):
        assert write(build(load_repo(root), START, END, NOW), fmt)


def test_a_csv_with_the_wrong_header_is_refused(tmp_path):
    write_fixture(tmp_path)
    (tmp_path / "data/metrics/2026-11.csv").write_text("when,post\n1,2\n", encoding="utf-8")
    with pytest.raises(SmmError, match="data/metrics/2026-11.csv: the first line must be the header"):
        build(load_repo(tmp_path), START, END, NOW)


# -- formats ----------------------------------------------------------------------------------------


def test_json_has_exactly_the_top_level_keys(report):
    data = json.loads(write(report, "json"))
    assert list(data) == ["period", "accounts", "posts", "goals", "best_times", "responsiveness", "personas",
                          "mentions", "share_of_voice", "competitors", "alerts"]
    assert set(data["period"]["definitions"]) >= {"engagement_rate", "engagement_rate_by_views", "interactions"}


def test_html_is_one_self_contained_page(report):
    page = write(report, "html")
    assert page.count("<svg") == 3  # followers over time, top posts, the weekday × hour heatmap
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|@import", page, re.I)
    assert "Median engagement rate by weekday and hour" in page


def test_markdown_fits_a_job_summary(report):
    text = write(report, "markdown")
    assert len(text.encode()) < 1024 * 1024
    assert "| **all** | 1,400 | 1,600 | +200 (+14.29%) | 3 | 91 | 3.19% | 2.00% |" in text


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SMM_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with SMM_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt,name", [("text", "report.txt"), ("markdown", "report.md"), ("html", "report.html"),
                                      ("json", "report.json")])
def test_golden_report(report, fmt, name):
    golden(name, write(report, fmt))


def test_the_example_repository_has_a_meaningful_history():
    repo = load_repo(ROOT)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    data = build(repo, *window(repo.config.timezone, now, "90d"), now).data
    accounts = {a["account"]: a for a in data["accounts"]}
    assert accounts["mastodon"]["followers"]["growth"] > 0 and accounts["bluesky"]["followers"]["growth"] > 0
    assert accounts["all"]["posts"] > 20 and accounts["all"]["engagement_rate"] > 1
    assert data["best_times"]["recommendations"] and data["goals"]
    assert {"on track", "at risk"} <= {g["status"] for g in data["goals"]}


@pytest.mark.parametrize("table, row, column", [
    ("metrics", "2026-11-08T00:00:00Z,p3,b,local,p3-b,many,,,,,", "likes"),
    ("accounts", "2026-11-08T00:00:00Z,b,local,lots", "followers"),
])
def test_a_malformed_row_names_the_file_as_the_repository_does_its_line_and_column(tmp_path, table, row, column):
    write_fixture(tmp_path)
    path = tmp_path / f"data/{table}/2026-11.csv"
    path.write_text(path.read_text("utf-8") + row + "\n", encoding="utf-8")
    with pytest.raises(SmmError) as raised:
        build(load_repo(tmp_path), START, END, NOW)
    assert re.match(rf"data/{table}/2026-11\.csv:\d+: {column} `\w+` is not a count", str(raised.value)), str(raised.value)
    assert str(tmp_path) not in str(raised.value)


GOAL_OK = "{id: ok, metric: posts, baseline: 1, target: 2, deadline: 2026-12-31}"
BROKEN_GOALS = [  # (a goal that breaks the schema, its rule)
    ("{id: x, metric: likes, baseline: 1, target: 2, deadline: 2026-12-31}", "schema.enum"),
    ("{id: x, metric: posts, target: 2, deadline: 2026-12-31}", "schema.required"),
    ("{id: x, metric: posts, baseline: many, target: 2, deadline: 2026-12-31}", "schema.type"),
    ("{id: X Y, metric: posts, baseline: 1, target: 2, deadline: 2026-12-31}", "schema.pattern"),
    ("just text", "schema.type"),
]


@pytest.mark.parametrize("broken,rule", BROKEN_GOALS)
def test_a_schema_error_in_one_goal_hides_no_other_goals_problems(tmp_path, broken, rule):
    goals = (f"goals:\n  - {broken}\n"
             "  - {id: late, metric: posts, baseline: 1, target: 2, start: 2026-06-01, deadline: 2026-01-01}\n"
             "  - {id: bad-day, metric: posts, baseline: 1, target: 2, deadline: 2026-02-30}\n"
             "  - {id: who, metric: posts, account: zz, baseline: 1, target: 2, deadline: 2026-12-31}\n"
             f"  - {GOAL_OK}\n  - {GOAL_OK}\n")
    write_fixture(tmp_path, goals)
    settings = load_settings(tmp_path)
    found = sorted((d.line, d.rule) for d in settings.found["goals"])
    assert settings.goals == []
    assert found == sorted([(2, rule), (3, "goals.deadline"), (4, "goals.date"), (5, "goals.unknown-account"),
                            (7, "goals.duplicate-id")])
