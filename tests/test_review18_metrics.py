"""Review 18, metrics, KPIs and the report from outside: small repositories built here, each figure computed
by hand and compared with what `smm report` (JSON, text, Markdown, HTML) and the site's report pages show."""

from __future__ import annotations

import json

import pytest

NOW = "2026-11-20T00:00:00Z"
WEEK = ("--from", "2026-11-01", "--to", "2026-11-07", "--now", NOW)  # [2026-11-01, 2026-11-08) UTC
METRICS = "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks"
FOLLOWERS = "collected_at,account,platform,followers"


def build(root, posts: dict, *, metrics=(), followers=(), accounts: str = "  a: {platform: local, path: .local/a}\n",
          timezone: str = "UTC", files: dict | None = None):
    """A repository: `posts` id → (publish_at, accounts, published_at as recorded); the rows of
    data/metrics and data/accounts (one file per UTC month of their collected_at); other files."""
    (root / "platforms.yml").write_text(f"timezone: {timezone}\naccounts:\n{accounts}", encoding="utf-8")
    for folder in ("brand", "content", "data/published"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for post_id, (at, names, published) in posts.items():
        (root / f"content/{post_id}.md").write_text(
            f"---\ntitle: Title of {post_id}\npublish_at: {at}\nplatforms: [{', '.join(names)}]\n---\nBody\n",
            encoding="utf-8")
        record = {"post": post_id, "file": f"content/{post_id}.md", "accounts": {
            name: {"state": "published", "attempts": 1, "remote_id": f"{post_id}-{name}",
                   "url": f"https://x.example/{post_id}", "published_at": published, "error": None} for name in names}}
        (root / f"data/published/{post_id}.json").write_text(json.dumps(record), encoding="utf-8")
    for folder, header, rows in (("metrics", METRICS, metrics), ("accounts", FOLLOWERS, followers)):
        months: dict[str, list[str]] = {}
        for row in rows:
            months.setdefault(row[:7], []).append(row)
        for month, lines in months.items():
            (root / f"data/{folder}").mkdir(parents=True, exist_ok=True)
            (root / f"data/{folder}/{month}.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def report(smm, *args) -> dict:
    code, out, err = smm("report", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# -- a renamed account's follower series, in time order whatever the names ------------------------------------------


@pytest.mark.parametrize("old,new", [("old", "new"), ("zeta", "alpha"), ("a", "shop"), ("shop-2", "shop")])
def test_a_renamed_accounts_followers_go_on_in_time_order_whatever_its_names(make_repo, smm, old, new):
    """Rows under the old name until 11-04, then under the new: the series is read by name, then time; the new
    name sorting first put its rows first (growth ended at the old name's last count, 110, not 130)."""
    build(make_repo.root, {"p": ("2026-11-05T12:00", [new], "2026-11-05T12:00:00+00:00")},
          accounts=f"  {new}: {{platform: local, path: .local/a, formerly: {old}}}\n",
          metrics=["2026-11-06T00:00:00Z,p,{new},local,p-a,13,0,0,,,".format(new=new)],
          followers=[f"2026-11-01T00:00:00Z,{old},local,100", f"2026-11-04T00:00:00Z,{old},local,110",
                     f"2026-11-06T00:00:00Z,{new},local,130"],
          files={"brand/goals.yml": f"goals:\n  - {{id: g, metric: followers, account: {new}, baseline: 100, target: 200, "
                                    "deadline: 2026-12-31}\n"})
    data = report(smm, *WEEK)
    account = data["accounts"][0]
    assert (account["account"], account["followers"]["start"], account["followers"]["end"]) == (new, 100, 130)
    assert (account["followers"]["growth"], account["followers"]["growth_pct"]) == (30, 30.0)
    assert data["posts"]["items"][0]["followers_at_post"] == 110  # the last count before 11-05 12:00
    assert data["posts"]["items"][0]["engagement_rate"] == round(13 / 110 * 100, 4)
    assert (data["goals"][0]["current"], data["goals"][0]["progress_pct"]) == (130.0, 30.0)


# -- a row of data/metrics or data/accounts that is none: named with its file, line and what is wrong ----------------

NO_ROW = "not a row of collected_at, "
NO_TIME = "is not a time such as 2026-11-26T04:00:00Z"
BAD_ROWS = [  # (file, the line appended, what is said after `file:line: `)
    ("data/metrics/2026-11.csv", ",p,a,local,p-a,5,0,0,,,", f"collected_at `` {NO_TIME}"),  # was left out in silence
    ("data/accounts/2026-11.csv", ",a,local,500", f"collected_at `` {NO_TIME}"),  # was left out in silence
    ("data/metrics/2026-11.csv", "2026-11-05T00:00:00Z,p,a,local", NO_ROW),  # was DuckDB's `CSV Error on Line: 4`
    ("data/metrics/2026-11.csv", "2026-11-05T00:00:00Z,p,a,local,p-a,5,0,0,,,,7", NO_ROW),
    ("data/accounts/2026-11.csv", "2026-11-05T00:00:00Z,a", NO_ROW),
    ("data/accounts/2026-11.csv", "<<<<<<< HEAD", NO_ROW),
]


@pytest.mark.parametrize("file,line,said", BAD_ROWS)
def test_a_line_that_is_no_row_stops_the_report_and_the_site_with_its_place(make_repo, smm, file, line, said):
    root = build(make_repo.root, {"p": ("2026-11-03T12:00", ["a"], "2026-11-03T12:00:00+00:00")},
                 metrics=["2026-11-04T00:00:00Z,p,a,local,p-a,10,0,0,,,"],
                 followers=["2026-11-01T00:00:00Z,a,local,100", "2026-11-04T00:00:00Z,a,local,110"])
    with open(root / file, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    number = (root / file).read_text(encoding="utf-8").count("\n")
    for args in (("report", *WEEK), ("site", "build", "--out", str(root / "_site"), "--now", NOW)):
        code, out, err = smm(*args)
        assert code == 1 and f"error: {file}:{number}: {said}" in err, (args, err)
        assert "Traceback" not in err and (said != NO_ROW or "a cell too few or too many; restore the file" in err)


# -- the line named is the line in the file, after an empty line or a cell holding a line break ----------------------

GOOD = {  # a file's header and a good row of it
    "data/metrics/2026-11.csv": (METRICS, "2026-11-04T00:00:00Z,p,a,local,{cell},10,0,0,,,"),
    "data/accounts/2026-11.csv": (FOLLOWERS, "2026-11-04T00:00:00Z,a,{cell},110"),
    "data/competitors/2026-11.csv": ("collected_at,competitor,network,handle,followers,posts,median_engagement",
                                     "2026-11-04T00:00:00Z,Globex,local,{cell},1000,5,2.5"),
    "data/mentions/2026-11.csv": ("id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,"
                                  "engagement", "1,local,x,10,2026-11-04T00:00:00Z,{cell},https://x.example/1,Acme,"
                                                "brand,neutral,1"),
}
BAD = {  # the same file's bad row, and what is said of it
    "data/metrics/2026-11.csv": ("2026-11-05T00:00:00Z,p,a,local,p-a,-5,0,0,,,", "likes `-5` is not a count"),
    "data/accounts/2026-11.csv": ("2026-11-05T00:00:00Z,a,local,-5", "followers `-5` is not a count"),
    "data/competitors/2026-11.csv": ("2026-11-05T00:00:00Z,Globex,local,globex,-5,5,2.5", "followers `-5` is not a count"),
    "data/mentions/2026-11.csv": ("2,local,x,10,2026-11-05T00:00:00Z,t,https://x.example/2,Acme,brand,angry,1",
                                  "unknown sentiment `angry`"),
}
GAPS = {  # what stands between the header and the bad row
    "empty lines": lambda good: "\n" + good.format(cell="x") + "\n\n\n",
    "a cell holding line breaks": lambda good: good.format(cell='"one\ntwo\nthree"') + "\n",
}


@pytest.mark.parametrize("gap", GAPS)
@pytest.mark.parametrize("file", GOOD)
def test_a_bad_row_is_named_with_the_line_it_is_on(make_repo, smm, file, gap):
    root = build(make_repo.root, {"p": ("2026-11-03T12:00", ["a"], "2026-11-03T12:00:00+00:00")})
    header, good = GOOD[file]
    bad, said = BAD[file]
    text = header + "\n" + GAPS[gap](good) + bad + "\n"
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_text(text, encoding="utf-8")
    code, out, err = smm("report", *WEEK)
    assert code == 1 and f"error: {file}:{text.count(chr(10))}: {said}" in err, err


@pytest.mark.parametrize("file", ["data/competitors/2026-11.csv", "data/mentions/2026-11.csv"])  # (DuckDB reads the others)
def test_a_cell_over_the_csv_limit_is_named_with_the_line_it_is_on(make_repo, smm, file):
    root = build(make_repo.root, {"p": ("2026-11-03T12:00", ["a"], "2026-11-03T12:00:00+00:00")})
    header, good = GOOD[file]
    text = header + "\n" + GAPS["empty lines"](good)
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_text(text + good.format(cell='"' + "x" * 200_000 + '"') + "\n", encoding="utf-8")
    code, out, err = smm("report", *WEEK)
    assert code == 1 and f"error: {file}:{text.count(chr(10)) + 1}: not a CSV row smm can read" in err, err


# -- a figure reads the same wherever it is shown: halves rounded up ------------------------------------------------

TUESDAYS = ["2026-10-06", "2026-10-13", "2026-10-20", "2026-10-27", "2026-11-03"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "site"])
def test_a_percentage_is_rounded_alike_in_every_table_chart_and_format(make_repo, smm, fmt):
    """Each post: 25 interactions ÷ 800 followers = 3.125% (in binary exactly, so format() rounded it half to
    even: 3.12% in the best times, their recommendation and the bar chart, 3.13% in the tables); growth
    1 ÷ 800 = +0.125%."""
    root = build(make_repo.root, {f"p{day}": (f"{day}T12:00", ["a"], f"{day}T12:00:00+00:00") for day in TUESDAYS},
                 metrics=[f"2026-11-05T00:00:00Z,p{day},a,local,p{day}-a,20,5,0,,," for day in TUESDAYS],
                 followers=["2026-10-01T00:00:00Z,a,local,800", "2026-11-07T00:00:00Z,a,local,801"])
    if fmt == "site":
        code, out, err = smm("site", "build", "--out", str(root / "_site"), "--now", NOW)
        assert code == 0, err
        shown = (root / "_site/report/2026-11/index.html").read_text(encoding="utf-8")  # the same figures as WEEK's
    else:
        code, shown, err = smm("report", *WEEK, "--format", fmt)
        assert code == 0, err
    assert "3.12" not in shown and "0.12%" not in shown, shown
    assert shown.count("3.13%") >= (3 if fmt == "text" or fmt == "markdown" else 5)  # tables, best times, pick, charts
    assert "+1 (+0.13%)" in shown and "median 3.13%, 5 posts" in shown
    data = report(smm, *WEEK)
    assert (data["accounts"][0]["engagement_rate"], data["accounts"][0]["followers"]["growth_pct"]) == (3.125, 0.125)
