"""`smm report`'s listening sections: the MAD alerts, share of voice, the competitor benchmark's math,
and their place in every format (JSON shape, text, Markdown, HTML, `--alerts`)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from conftest import ROOT

from smm.report import alerts, build, competitors, listening, write
from smm.report.kpis import MeasuredPost
from smm.workspace.repo import load_repo

UTC = timezone.utc
DAY = date(2026, 11, 20)


def history(values: list[int], today: int, negative: list[int] | None = None, today_negative: int = 0) -> dict:
    """Daily counts: `values` for the days before DAY (oldest first), then `today` on DAY."""
    days = {}
    for i, count in enumerate(values):
        day = DAY - timedelta(days=len(values) - i)
        days[day] = Counter(mentions=count, negative=(negative or [0] * len(values))[i])
    days[DAY] = Counter(mentions=today, negative=today_negative)
    return days


NOISY = [10, 12, 9, 11, 10, 8, 13, 10, 11, 9, 12, 10, 11, 10] * 2  # median 10, MAD 1 (× 1.4826)


@pytest.mark.parametrize("days, expected", [
    (history([10] * 28, 10), []),  # flat baseline, an ordinary day
    (history([10] * 28, 12), []),  # flat: MAD 0 counts as 1 mention, 2 above is no alert
    (history([10] * 28, 13), [("mentions", 3.0, "13 mentions, 3.0 MAD above the 28-day median of 10")]),
    (history([0] * 28, 1), []),  # zero MAD on a silent baseline: one mention is no spike
    (history([0] * 28, 3), [("mentions", 3.0, "3 mentions, 3.0 MAD above the 28-day median of 0")]),
    (history(NOISY, 14), []),  # 4 above a median of 10 is 2.7 scaled MAD
    (history(NOISY, 40), [("mentions", 20.2, "40 mentions, 20.2 MAD above the 28-day median of 10")]),
    (history([10] * 13, 90), []),  # short history: 13 days are no baseline
    (history([10] * 14, 90), [("mentions", 80.0, "90 mentions, 80.0 MAD above the 28-day median of 10")]),
    (history([10] * 40, 9), []),  # below the baseline is never an alert
], ids=["flat", "flat-plus-two", "flat-plus-three", "zero-mad-one", "zero-mad-three", "noisy-ordinary", "noisy-spike",
        "short-history", "just-enough-history", "a-quiet-day"])
def test_volume_alerts(days, expected):
    found = alerts.find(days, [DAY])
    assert [(a["metric"], a["deviations"], a["message"].split(": ", 1)[1]) for a in found] == expected


@pytest.mark.parametrize("days, expected", [
    (history([20] * 28, 20, [2] * 28, 2), []),  # the usual 10 %
    (history([20] * 28, 20, [2] * 28, 12), ["60% negative (12 of 20 mentions), 10.0 MAD above the 28-day median of 10%"]),
    (history([20] * 28, 20, [2] * 28, 4), []),  # 20 %: 10 points above a flat baseline is 2 floor-MADs
    (history([20] * 28, 9, [2] * 28, 9), []),  # 9 mentions, all negative: too few to judge a share
    (history([9] * 28, 20, [1] * 28, 15), []),  # the baseline's days had too few mentions: no baseline
], ids=["usual", "complaints", "a-little-more", "too-few-today", "too-few-before"])
def test_negative_share_alerts(days, expected):
    found = [a for a in alerts.find(days, [DAY]) if a["metric"] == "negative_share"]
    assert [a["message"].split(": ", 1)[1] for a in found] == expected


def test_alerts_before_the_first_mention_are_no_history():
    days = history([10] * 30, 10)
    days[DAY - timedelta(days=60)] = Counter(mentions=1)  # one early mention: the days between count 0
    assert alerts.find(days, [DAY - timedelta(days=45)]) == []  # 15 days of zeros, then 0: no alert
    assert alerts.deviation(5, [1, 2, 3], 1.0) is None


def test_deviation_uses_the_scaled_mad():
    median, mad, score = alerts.deviation(20, [10, 11, 9, 10, 12, 8, 10, 10, 11, 9, 10, 10, 12, 8], 1.0)
    assert median == 10 and mad == pytest.approx(1.4826) and score == pytest.approx(10 / 1.4826)


def mention(subject: str, day: int, sentiment: str = "neutral", followers: int | None = 10, engagement: int = 1,
            keyword: str = "Acme", hour: int = 12) -> SimpleNamespace:
    return SimpleNamespace(id=f"{subject}{day}{hour}{sentiment}{followers}", network="mastodon", author=f"a{day}",
                           author_followers=followers, created_at=datetime(2026, 11, day, hour, tzinfo=UTC),
                           text=f"about {subject}", url="https://m.example/1", keyword=keyword, subject=subject,
                           sentiment=sentiment, engagement=engagement)


START, END = datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 17, tzinfo=UTC)


@pytest.mark.parametrize("found, competitors_, expected", [
    ([], ["Globex"], [("brand", 0, None), ("Globex", 0, None)]),
    ([mention("brand", 10), mention("brand", 11), mention("Globex", 12)], ["Globex", "Initech"],
     [("brand", 2, 66.67), ("Globex", 1, 33.33), ("Initech", 0, 0.0)]),
    ([mention("brand", 10), mention("Hooli", 11), mention("Globex", 9), mention("Globex", 17)], ["Globex"],
     [("brand", 1, 50.0), ("Globex", 0, 0.0), ("Hooli", 1, 50.0)]),  # outside the period: not counted
], ids=["nothing", "brand-and-competitors", "period-and-unknown-subject"])
def test_share_of_voice(found, competitors_, expected):
    rows = listening.share_of_voice(found, START, END, competitors_)
    assert [(r["subject"], r["mentions"], r["share_pct"]) for r in rows] == expected


def test_mentions_volume_sentiment_trend_reach_and_keywords():
    found = [mention("brand", 3, "positive"), mention("brand", 4, "negative"),  # the week before: net 0
             mention("brand", 10, "positive", followers=1000, engagement=5), mention("brand", 10, "positive", hour=13),
             mention("brand", 12, "negative", followers=None, engagement=50, keyword="阿克米"),
             mention("brand", 16, "neutral", followers=20), mention("Globex", 11, "negative", followers=99999)]
    m = listening.mentions(found, START, END, UTC)
    assert m["total"] == 4 and len(m["days"]) == 7
    assert m["days"][0] == {"date": "2026-11-10", "mentions": 2, "positive": 2, "neutral": 0, "negative": 0}
    s = m["sentiment"]
    assert (s["positive"], s["neutral"], s["negative"], s["net"]) == (2, 1, 1, 25.0)
    assert (s["previous_net"], s["net_change"]) == (0.0, 25.0)
    assert [(t["author_followers"], t["reach"]) for t in m["top"]] == [(1000, 1005), (None, 50), (20, 21), (10, 11)]
    assert m["keywords"] == [{"keyword": "Acme", "mentions": 3}, {"keyword": "阿克米", "mentions": 1}]


def measured(account: str, likes: int, reposts: int, replies: int, quotes: int = 0) -> MeasuredPost:
    return MeasuredPost(post_id=f"p{likes}", title="t", account=account, platform="mastodon",
                        published_at=START + timedelta(days=1), likes=likes, reposts=reposts, replies=replies,
                        quotes=quotes, collected=True)


def test_benchmark_math(make_repo):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  masto: {platform: mastodon, instance: https://m.example, "
                               "token_env: T}\n  feed: {platform: feed, path: f.xml, site: https://e.example}\n",
                     calendar=None, files={"data/competitors/2026-11.csv": (
                         "collected_at,competitor,network,handle,followers,posts,median_engagement\n"
                         "2026-11-09T00:00:00Z,Globex,mastodon,@g@m.example,1000,30,10\n"
                         "2026-11-12T00:00:00Z,Globex,mastodon,@g@m.example,1100,21,22\n"
                         "2026-11-20T00:00:00Z,Globex,mastodon,@g@m.example,9999,99,99\n")})
    repo = load_repo(root)
    followers = {"masto": [(START - timedelta(days=1), 400), (END - timedelta(days=1), 500)]}
    period = [measured("masto", 10, 2, 1, quotes=50), measured("masto", 4, 0, 0)]  # engagement 13 and 4
    rows = competitors.benchmark(repo, period, followers, START, END)
    assert [(r["name"], r["brand"]) for r in rows] == [("masto", True), ("Globex", False)]  # no feed row
    brand, globex = rows
    assert globex["followers"] == {"start": 1000, "end": 1100, "growth": 100, "growth_pct": 10.0}
    assert globex["posts_per_week"] == 4.9 and globex["median_engagement"] == 22.0  # 21 × 7 ÷ 30
    assert globex["engagement_rate"] == 2.0  # 22 ÷ 1100 × 100
    assert brand["followers"]["growth"] == 100 and brand["posts_per_week"] == 2.0  # 2 posts in 7 days
    assert brand["median_engagement"] == 8.5 and brand["engagement_rate"] == 1.7  # quotes are not engagement


def listening_repo(make_repo):
    rows = ["id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement"]
    for day in range(1, 31):
        count = 40 if day == 25 else 10
        for i in range(count):
            sentiment = "negative" if i == 0 else "positive"
            subject = "Globex" if i % 5 == 4 else "brand"
            rows.append(f"{day}-{i},mastodon,fan{i},{i * 10},2026-11-{day:02d}T0{i % 10}:00:00Z,\"Acme, again\","
                        f"https://m.example/{day}/{i},Acme,{subject},{sentiment},{i}")
    listening_yml = "keywords: [Acme]\ncompetitors:\n  Globex:\n    accounts: {mastodon: '@globex@m.example'}\n"
    return make_repo(platforms="timezone: UTC\naccounts:\n  masto: {platform: mastodon, instance: https://m.example, "
                               "token_env: T}\n", calendar=None,
                     files={"data/mentions/2026-11.csv": "\n".join(rows) + "\n", "brand/listening.yml": listening_yml,
                            "data/competitors/2026-11.csv": "collected_at,competitor,network,handle,followers,posts,"
                                                            "median_engagement\n2026-11-25T00:00:00Z,Globex,mastodon,"
                                                            "@globex@m.example,800,12,\n"})


def test_the_report_json_shape(make_repo):
    root = listening_repo(make_repo)
    data = json.loads(write(build(load_repo(root), datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
                                  datetime(2026, 12, 1, tzinfo=UTC)), "json"))
    assert list(data)[-4:] == ["mentions", "share_of_voice", "competitors", "alerts"]
    assert set(data["mentions"]) == {"total", "days", "sentiment", "top", "keywords"}
    assert set(data["mentions"]["top"][0]) == {"network", "author", "author_followers", "engagement", "reach",
                                               "created_at", "text", "url", "keyword", "sentiment"}
    assert [r["subject"] for r in data["share_of_voice"]] == ["brand", "Globex"]
    assert data["competitors"][0]["name"] == "masto" and data["competitors"][1]["median_engagement"] is None
    assert [(a["date"], a["metric"]) for a in data["alerts"]] == [("2026-11-25", "mentions")]
    assert set(data["alerts"][0]) == {"date", "metric", "value", "baseline_median", "mad", "deviations", "message"}


def test_every_format_shows_the_sections(make_repo, smm):
    listening_repo(make_repo)
    args = ("report", "--from", "2026-11-20", "--to", "2026-11-30", "--now", "2026-12-01T00:00Z")
    code, text, _ = smm(*args)
    assert code == 0
    for title in ("Mentions", "Share of voice", "Competitor benchmark", "Alerts"):
        assert f"\n{title}\n" in text
    assert "  2026-11-25  mentions  32 mentions, 24.0 MAD above the 28-day median of 8" in text
    _, markdown, _ = smm(*args, "--format", "markdown")
    assert "### Alerts" in markdown and "| brand | 112 | 80.00% |" in markdown
    _, page, _ = smm(*args, "--format", "html")
    assert page.count("<svg") == 4 and not re.search(r"<script|\bsrc=", page)  # followers, heatmap + mentions, share
    code, summary, _ = smm(*args, "--alerts", "--format", "markdown")
    assert code == 0 and summary.startswith("### smm alerts\n\n- ⚠️ 2026-11-25: 32 mentions, ")
    code, only, _ = smm(*args, "--alerts", "--format", "json")
    assert [a["date"] for a in json.loads(only)["alerts"]] == ["2026-11-25"]


def test_the_example_shows_the_listening_sections():
    repo = load_repo(ROOT)
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    data = build(repo, now - timedelta(days=30), now, now).data
    assert data["mentions"]["total"] > 200 and len(data["share_of_voice"]) == 3
    assert {r["name"] for r in data["competitors"]} >= {"Jadeleaf", "Mistpeak", "mastodon", "bluesky"}
    assert {(a["date"], a["metric"]) for a in data["alerts"]} >= {("2026-11-19", "mentions"),
                                                                  ("2026-11-23", "negative_share")}


HEADER = "id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement\n"


@pytest.mark.parametrize("content, said", [
    ("id,network\n1,x\n", "data/mentions/2026-11.csv: the first line must be the header `id,network,author,"),
    (HEADER + "1,mastodon,a,many,2026-11-20T08:00:00Z,t,u,Acme,brand,positive,3\n", "data/mentions/2026-11.csv:2:"),
    (HEADER + "1,mastodon,a,,2026-11-20T08:00:00Z,t,u,Acme,brand,positive,3\n"
     "2,mastodon,a,5,yesterday,t,u,Acme,brand,positive,3\n", "data/mentions/2026-11.csv:3:"),
    (HEADER + "1,mastodon,a,5,2026-11-20T08:00:00Z,t,u,Acme,brand,positive,lots\n", "data/mentions/2026-11.csv:2:"),
    # a cell over the csv module's 128 KiB limit was exit 3
    (HEADER + "1,mastodon,a,5,2026-11-20T08:00:00Z,t,u,Acme,brand,positive,3\n"
     '2,mastodon,a,5,2026-11-20T08:00:00Z,"' + "x" * 200_000 + '",u,Acme,brand,positive,3\n',
     "data/mentions/2026-11.csv:3: not a CSV row smm can read"),
    (HEADER + '1,mastodon,a,5,2026-11-20T08:00:00Z,"' + "云" * 140_000 + '",u,Acme,brand,positive,3\n',
     "data/mentions/2026-11.csv:2: not a CSV row smm can read"),
], ids=["header", "followers", "created_at", "engagement", "huge cell", "huge CJK cell"])
def test_a_broken_mentions_file_is_named_with_its_line(make_repo, smm, content, said):
    make_repo(platforms="timezone: UTC\naccounts:\n  a: {platform: local}\n", calendar=None,
              files={"data/mentions/2026-11.csv": content})
    code, out, err = smm("report", "--now", "2026-12-01T00:00Z")
    assert code == 1 and said in err and "Traceback" not in err


@pytest.mark.parametrize("row, said", [
    ("2026-11-20T00:00:00Z,G,mastodon,@g@m.example,many,3,2", "data/competitors/2026-11.csv:2: followers `many`"),
    ("2026-11-20T00:00:00Z,G,mastodon,@g@m.example,10,-3,2", "data/competitors/2026-11.csv:2: posts `-3`"),
    ("2026-11-20T00:00:00Z,G,mastodon,@g@m.example,10,3,nan", "data/competitors/2026-11.csv:2: median_engagement `nan`"),
    ('2026-11-20T00:00:00Z,"' + "G" * 200_000 + '",mastodon,@g@m.example,10,3,2',
     "data/competitors/2026-11.csv:2: not a CSV row smm can read"),
], ids=["followers", "negative posts", "nan median", "huge cell"])
def test_a_broken_competitors_file_is_named_with_its_line(make_repo, smm, row, said):
    make_repo(platforms="timezone: UTC\naccounts:\n  a: {platform: local}\n", calendar=None, files={
        "data/competitors/2026-11.csv": "collected_at,competitor,network,handle,followers,posts,median_engagement\n"
                                        + row + "\n"})
    code, out, err = smm("report", "--now", "2026-12-01T00:00Z")
    assert code == 1 and said in err and "Traceback" not in err
