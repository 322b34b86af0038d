"""Evergreen recycling (issue 20): when a published post goes out again. The planning is a pure
function of the repository (posts, records, calendar) and the time; publishing a re-share is a
job of its own, never twice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import post_text

from smm.publish.evergreen import reshares
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NOW = datetime(2026, 2, 1, tzinfo=timezone.utc)  # a Sunday
CALENDAR = """\
pillars:
  tips: {description: Tips}
  news: {description: News}
  product: {description: Launches, promotional: true}
slots:
  - {day: monday, time: "12:00", pillar: tips}
  - {day: wednesday, time: "12:00", pillar: news}
"""
PLATFORMS = "timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n"


def _post(evergreen: str, pillar: str = "tips", at: str = "2026-01-05T12:00:00+00:00") -> str:
    return post_text("The original text.", publish_at=at, platforms="[local]", pillar=pillar, evergreen=evergreen)


def _record(post: str, state: str = "published", at: str = "2026-01-05T12:00:00+00:00") -> dict:
    job = {"state": state, "published_at": at if state == "published" else None, "first_attempt": at}
    return {f"data/published/{post}.json": json.dumps({"post": post, "accounts": {"local": job}})}


def _plan(make_repo, posts: dict, records: dict, end: datetime = NOW + timedelta(days=60)):
    root = make_repo(posts, platforms=PLATFORMS, calendar=CALENDAR, files=records)
    repo = load_repo(root)
    return [(p.id, p.publish_at.isoformat(), p.body) for p in
            reshares(repo.posts, repo.records, repo.calendar, repo.config.timezone, NOW, end)]


ORIGINAL = "The original text.\n"


@pytest.mark.parametrize("posts,records,expected", [
    # the interval: 30 days after 5 Jan is Wed 4 Feb; the first tips slot from then is Mon 9 Feb, then 30 days on
    ({"a.md": _post("{every: 30d}")}, _record("a"),
     [("a+reshare-1", "2026-02-09T12:00:00+00:00", ORIGINAL), ("a+reshare-2", "2026-03-16T12:00:00+00:00", ORIGINAL)]),
    # until: none after that day
    ({"a.md": _post("{every: 30d, until: 2026-03-01}")}, _record("a"), [("a+reshare-1", "2026-02-09T12:00:00+00:00", ORIGINAL)]),
    ({"a.md": _post("{every: 30d, until: 2026-02-08}")}, _record("a"), []),
    # no open slot: Mon 9 Feb is filled by another tips post, so the next Monday
    ({"a.md": _post("{every: 30d, until: 2026-03-01}"),
      "b.md": post_text("b", publish_at="2026-02-09T12:00:00+00:00", platforms="[local]", pillar="tips")},
     _record("a"), [("a+reshare-1", "2026-02-16T12:00:00+00:00", ORIGINAL)]),
    # the pillar decides the slot: news goes on Wednesdays; a pillar without slots is never re-shared
    ({"a.md": _post("{every: 30d, until: 2026-02-10}", pillar="news")}, _record("a"),
     [("a+reshare-1", "2026-02-04T12:00:00+00:00", ORIGINAL)]),
    ({"a.md": _post("{every: 30d}", pillar="product")}, _record("a"), []),
    # not published yet, or a draft: nothing to recycle
    ({"a.md": _post("{every: 30d}")}, {}, []),
    ({"a.md": _post("{every: 30d}").replace("pillar:", "draft: true\npillar:")}, _record("a"), []),
    # the variants in turn; a slot long past is not caught up on (one day back at most)
    ({"a.md": _post("{every: 14d, variants: [One, Two]}")}, _record("a"),
     [("a+reshare-1", "2026-02-02T12:00:00+00:00", "One"), ("a+reshare-2", "2026-02-16T12:00:00+00:00", "Two"),
      ("a+reshare-3", "2026-03-02T12:00:00+00:00", "One"), ("a+reshare-4", "2026-03-16T12:00:00+00:00", "Two"),
      ("a+reshare-5", "2026-03-30T12:00:00+00:00", "One")]),
    # a re-share that went out keeps its time; the next is `every` after it went out, never sooner
    ({"a.md": _post("{every: 30d, variants: [One, Two]}")}, {**_record("a"), **_record("a+reshare-1", at="2026-02-20T15:00:00+00:00")},
     [("a+reshare-1", "2026-02-20T15:00:00+00:00", "One"), ("a+reshare-2", "2026-03-23T12:00:00+00:00", "Two")]),
    # one under way (in flight): the next waits for it
    ({"a.md": _post("{every: 30d}")}, {**_record("a"), **_record("a+reshare-1", "in_flight", "2026-02-09T12:00:05+00:00")},
     [("a+reshare-1", "2026-02-09T12:00:05+00:00", ORIGINAL)]),
    # two evergreen posts never take one slot: the first by id has it
    ({"a.md": _post("{every: 30d, until: 2026-02-20}"), "b.md": _post("{every: 30d, until: 2026-02-20}")},
     {**_record("a"), **_record("b")},
     [("a+reshare-1", "2026-02-09T12:00:00+00:00", ORIGINAL), ("b+reshare-1", "2026-02-16T12:00:00+00:00", ORIGINAL)]),
])
def test_reshares_are_planned_from_the_repository(make_repo, posts, records, expected):
    assert _plan(make_repo, posts, records) == expected


def test_two_runs_plan_the_same_reshares(make_repo):
    posts = {"a.md": _post("{every: 14d, variants: [One, Two]}"), "b.md": _post("{every: 7d}")}
    first = _plan(make_repo, posts, {**_record("a"), **_record("b")})
    assert first and first == _plan(make_repo, posts, {**_record("a"), **_record("b")})


def test_a_reshare_is_its_own_job_published_once(make_repo):
    """Due in its slot: published with its variant under its own record; the original is untouched."""
    root = make_repo({"a.md": _post("{every: 30d, variants: [Again, with feeling]}")}, platforms=PLATFORMS,
                     calendar=CALENDAR, files=_record("a"))
    (root / ".local/local").mkdir(parents=True)
    due = datetime(2026, 2, 9, 12, 5, tzinfo=timezone.utc)
    assert Publisher(load_repo(root), NOW, {}).run().jobs == []  # within the interval: nothing
    report = Publisher(load_repo(root), due, {}, sleep=lambda s: None).run()
    assert [(j.post, j.state) for j in report.jobs] == [("a+reshare-1", "published")]
    sent = json.loads((root / ".local/local/posts.json").read_text())
    assert [p["text"] for p in sent] == ["Again"]
    record = json.loads((root / "data/published/a+reshare-1.json").read_text())
    assert record["accounts"]["local"]["state"] == "published"
    assert json.loads((root / "data/published/a.json").read_text())["accounts"]["local"]["published_at"] == "2026-01-05T12:00:00+00:00"
    assert Publisher(load_repo(root), due + timedelta(hours=1), {}).run().jobs == []  # never twice
    later = datetime(2026, 3, 16, 12, 1, tzinfo=timezone.utc)  # 30 days after it went out, the next slot
    report = Publisher(load_repo(root), later, {}, sleep=lambda s: None).run()
    assert [(j.post, j.state) for j in report.jobs] == [("a+reshare-2", "published")]
    assert [p["text"] for p in json.loads((root / ".local/local/posts.json").read_text())] == ["Again", "with feeling"]


def test_the_calendar_shows_the_planned_reshares(make_repo, smm):
    make_repo({"a.md": _post("{every: 30d, variants: [One]}")}, platforms=PLATFORMS, calendar=CALENDAR, files=_record("a"))
    code, entries, _ = smm.json("calendar", "--from", "2026-02-01", "--to", "2026-02-28", "--now", NOW.isoformat())
    assert code == 0
    shares = [(e["post"], e["at"], e["reshare_of"]) for e in entries if e["type"] == "post"]
    assert shares == [("a+reshare-1", "2026-02-09T12:00:00+00:00", "a")]
    assert "2026-02-09" not in {e["date"] for e in entries if e["type"] == "gap" and e["pillar"] == "tips"}  # it fills it
    code, text, _ = smm("calendar", "--from", "2026-02-01", "--to", "2026-02-28", "--now", NOW.isoformat())
    assert "12:00  a+reshare-1  A post  [local]  pillar=tips  (re-share of a)" in text
    code, ics, _ = smm("calendar", "--from", "2026-02-01", "--to", "2026-02-28", "--format", "ics", "--now", NOW.isoformat())
    assert "SUMMARY:[re-share] A post" in ics and "UID:post-a+reshare-1@" in ics


PROMO = "promo_share: {max_percent: 40, days: 14, min_posts: 3, tags: [promo]}\n"


@pytest.mark.parametrize("evergreen,pillar,expected", [
    ("{every: 30d}", "tips", []),
    ("{every: 0d}", "tips", [("post.evergreen", "error")]),
    ("{every: 30d}", "news", [("post.evergreen-no-slot", "warning")]),  # no Wednesday slot in this calendar
    ("{every: 30d, until: 31-12-2026}", "tips", [("schema.pattern", "error")]),
    ("{every: soon}", "tips", [("schema.pattern", "error")]),
    ("{until: 2026-12-31}", "tips", [("schema.required", "error")]),
    ("{every: 30d, variants: ['" + "x" * 501 + "']}", "tips", [("render.too-long", "error")]),
])
def test_smm_check_judges_evergreen(make_repo, smm, evergreen, pillar, expected):
    make_repo({"a.md": _post(evergreen, pillar=pillar)}, platforms=PLATFORMS,
              calendar=CALENDAR.replace('  - {day: wednesday, time: "12:00", pillar: news}\n', ""), files=_record("a"))
    code, found, _ = smm.json("check", "--now", NOW.isoformat())
    got = [(d["rule"], d["severity"]) for d in found if d["file"] == "content/a.md"]
    assert got == expected
    if expected and expected[0][0] == "render.too-long":
        assert next(d for d in found if d["rule"] == "render.too-long")["message"].startswith("variant 1: local")


def test_planned_reshares_count_in_the_promotional_share(make_repo, smm):
    """Two plain posts, and a product post re-shared weekly: the re-shares make the share too high."""
    plain = {f"p{d}.md": post_text("x", publish_at=f"2026-02-{d:02d}T09:00:00+00:00", platforms="[local]", pillar="tips")
             for d in (3, 5, 10, 12)}
    promo = _post("{every: 6d}", pillar="product", at="2026-02-02T08:00:00+00:00")
    calendar = CALENDAR + '  - {day: monday, time: "08:00", pillar: product}\n'
    root = make_repo({**plain, "a.md": promo}, platforms=PLATFORMS, calendar=calendar,
                     files={**_record("a", at="2026-02-02T08:00:00+00:00"), "brand/voice.yml": PROMO})
    code, found, _ = smm.json("check", "--now", "2026-02-02T09:00:00+00:00")
    promos = [d for d in found if d["rule"] == "voice.promo-share"]
    assert promos and "a+reshare-2, a+reshare-3" in promos[0]["hint"]
    (root / "content/a.md").write_text(promo.replace("evergreen: {every: 6d}\n", ""))
    code, found, _ = smm.json("check", "--now", "2026-02-02T09:00:00+00:00")
    assert [d for d in found if d["rule"] == "voice.promo-share"] == []


def test_a_published_reshare_counts_in_the_report_as_its_post(make_repo):
    """In the report a re-share is its post again (pillar, title) and fills the slot it went out in."""
    from smm.report import build

    records = {**_record("a"), **_record("a+reshare-1", at="2026-02-09T12:00:00+00:00")}
    root = make_repo({"a.md": _post("{every: 30d}")}, platforms=PLATFORMS, calendar=CALENDAR, files=records)
    report = build(load_repo(root), datetime(2026, 2, 9, tzinfo=timezone.utc), datetime(2026, 2, 16, tzinfo=timezone.utc),
                   datetime(2026, 2, 16, tzinfo=timezone.utc))
    posts = report.data["posts"]
    assert [(i["post"], i["pillar"], i["title"]) for i in posts["items"]] == [("a+reshare-1", "tips", "A post")]
    assert (posts["published"], posts["filled_slots"], posts["outside_slots"]) == (1, 1, 0)
