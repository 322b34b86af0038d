"""Review 17, planning: giveaway verification, goal dates, the sponsored-post gate's reading of
post files, and the calendar's iCalendar feed (time zones past 2037, one UID per event)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import pytest

from smm.giveaways.config import Giveaway
from smm.giveaways.entries import collect as entrants_of, judge
from smm.platforms.mastodon import Mastodon
from smm.workspace.repo import load_repo
from tests.conftest import CALENDAR, PLATFORMS, post_text
from tests.test_approvals import _commit, _edit, _run, pull_request  # noqa: F401  (a fixture)
from tests.test_giveaways import DEADLINE, commit, drawn, giveaway_repo  # noqa: F401  (a fixture)


# -- giveaway verify: the winners as announced, in the record of this post ------------------------

def _winner(field, value):
    return lambda record: record["winners"][0].update({field: value})


@pytest.mark.parametrize("tamper, named", [
    pytest.param(_winner("handle", "friend@mastodon.example"), "winners: the record says @friend@mastodon.example",
                 id="a winner's handle replaced (the announcement names it)"),
    pytest.param(_winner("account", "bluesky"), "winners:", id="a winner's account replaced"),
    pytest.param(_winner("rank", "0" * 64), "winners:", id="a winner's rank replaced"),
    pytest.param(_winner("prize", "the big one"), "winners:", id="a field added to a winner"),
    pytest.param(lambda record: record.update(post="another-post"), "post: the record says 'another-post'",
                 id="the record of another post"),
])
def test_verify_compares_the_winners_whole_and_the_post(giveaway_repo, smm, tamper, named):  # noqa: F811
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    record = drawn(giveaway_repo)
    tamper(record)
    (giveaway_repo / "data/giveaways/g.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, err = smm("giveaway", "verify", "g")
    assert (code, out) == (1, "")
    assert err.startswith("mismatch: g") and named in err


# -- goal dates: in the years smm reads times in ---------------------------------------------------

@pytest.mark.parametrize("start, deadline, field", [
    pytest.param(None, "9999-12-31", "deadline", id="deadline on the last day a date can have (report: exit 3)"),
    pytest.param(None, "3000-01-01", "deadline", id="deadline in 3000"),
    pytest.param("0001-01-01", "2027-01-01", "start", id="start in year 1"),
    pytest.param("1969-12-31", "2027-01-01", "start", id="start before 1970"),
])
def test_goal_dates_outside_the_years_are_named(make_repo, smm, start, deadline, field):
    since = f"start: {start}, " if start else ""
    make_repo(files={"brand/goals.yml": "goals:\n  - {id: far, metric: followers, baseline: 0, target: 10, "
                                        f"{since}deadline: {deadline}}}\n"})
    code, found, _ = smm.json("check", "--now", "2026-09-20T10:00")
    goal_errors = [(d["file"], d["line"], d["rule"]) for d in found if d["file"] == "brand/goals.yml"]
    assert code == 1 and goal_errors == [("brand/goals.yml", 2, "goals.date")]
    assert any("is not in a year between 1970 and 2999" in d["message"] and f"`{field}`" in d["message"] for d in found)
    for command in (("report", "--format", "json"), ("site", "build", "--out", "_site")):
        code, out, err = smm(*command, "--now", "2026-09-20T10:00")
        assert code in (0, 1) and "internal error" not in err, (command, code, err)


# -- smm report: a brand file's problem is said in every format ------------------------------------

@pytest.mark.parametrize("args", [
    pytest.param(("--format", "json"), id="json"),
    pytest.param(("--alerts",), id="alerts, text"),
    pytest.param(("--alerts", "--format", "json"), id="alerts, json"),
    pytest.param(("--alerts", "--format", "markdown"), id="alerts, markdown"),
])
def test_report_says_why_goals_are_left_out_in_every_format(make_repo, smm, args):
    make_repo(files={"brand/goals.yml": "goals:\n  - {id: g, metric: posts, baseline: 0, target: 10, "
                                        "deadline: 2026-02-30}\n"})
    code, out, err = smm("report", *args, "--now", "2026-09-20T10:00")
    assert code == 0
    assert "warning: brand/goals.yml:2: `deadline` 2026-02-30 is not a real date" in err


# -- smm approvals reads a changed post only as a regular file of the repository -------------------

@pytest.mark.parametrize("make_link", [
    pytest.param(lambda root, link: link.symlink_to(root / "brand"), id="a link to a folder (was exit 3)"),
    pytest.param(lambda root, link: link.symlink_to(link.name), id="a link to itself (was exit 3)"),
    pytest.param(lambda root, link: link.symlink_to("missing.md"), id="a link to nothing"),
])
def test_approvals_reads_no_folder_or_loop_as_a_post(pull_request, smm, make_link):  # noqa: F811
    root, repo = pull_request
    make_link(root, root / "content" / "odd.md")
    _edit(root, "new-ad.md", post_text("New #ad", sponsored="true"))
    _commit(repo, "change")
    code, verdict, err, _ = _run(smm, [])
    assert "internal error" not in err, err[-1000:]
    assert (code, verdict["sponsored"]) == (1, ["content/new-ad.md"])


# -- smm calendar --format ics: one UID per event; the zones' rules as far as the feed's events -----

def _feed(smm, *args) -> icalendar.Calendar:
    code, out, err = smm("calendar", *args, "--format", "ics", "--now", "2026-09-20T10:00")
    assert code == 0, err
    return icalendar.Calendar.from_ical(out)


TWO_SLOTS = "  - {day: tuesday, time: \"09:00\"%s, label: On Mastodon}\n  - {day: tuesday, time: \"09:00\"%s, label: On Bluesky}\n"


@pytest.mark.parametrize("slots, posts", [
    pytest.param(TWO_SLOTS % (", pillar: tips", ", pillar: tips"), {}, id="two slots of one pillar at one time"),
    pytest.param(TWO_SLOTS % ("", ""), {}, id="two slots of any pillar at one time"),
    pytest.param("", {"a.md": post_text(publish_at="2026-10-06T09:00", id="same"),
                      "b.md": post_text(publish_at="2026-10-07T09:00", id="same")}, id="two posts claiming one id"),
])
def test_ics_gives_each_event_its_own_uid(make_repo, smm, slots, posts):
    make_repo(posts, calendar=CALENDAR + "slots:\n" + slots if slots else CALENDAR)
    events = list(_feed(smm, "--from", "2026-10-05", "--to", "2026-10-11").walk("VEVENT"))
    uids = [str(e["uid"]) for e in events]
    assert len(events) == 2 and len(set(uids)) == 2, uids


@pytest.mark.parametrize("zone, publish_at", [
    pytest.param("America/New_York", "2040-07-01T12:00", id="New York, summer 2040 (an hour off)"),
    pytest.param("Europe/Berlin", "2039-08-01T12:00", id="Berlin, summer 2039"),
    pytest.param("Australia/Lord_Howe", "2045-07-01T12:00", id="Lord Howe's half-hour change, winter 2045"),
    pytest.param("Pacific/Chatham", "2050-07-01T12:00", id="Chatham +12:45, winter 2050"),
    pytest.param("Asia/Kathmandu", "2999-12-31T23:00", id="Kathmandu +05:45, the last year"),
    pytest.param("America/Santiago", "2026-10-01T12:00", id="Santiago, 2026 (within the default range)"),
])
def test_ics_time_zone_rules_reach_the_last_event(make_repo, smm, zone, publish_at):
    make_repo({"a.md": post_text(publish_at=publish_at)}, platforms=PLATFORMS.replace("Asia/Shanghai", zone))
    day = publish_at[:10]
    feed = _feed(smm, "--from", day, "--to", day)
    (event,) = feed.walk("VEVENT")
    own_rules = feed.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)  # as an app reads the feed, not from tzdata
    wall = event.decoded("dtstart").replace(tzinfo=None)
    assert wall.replace(tzinfo=own_rules).utcoffset() == wall.replace(tzinfo=ZoneInfo(zone)).utcoffset()


# -- giveaways: one person is one entrant on Mastodon, whichever instance the brand asked ----------

def _instance(likes: list[dict]):
    """Mastodon.py's API as one instance answers it: these accounts liked the post (ids are the instance's)."""
    return SimpleNamespace(me=lambda: {"id": "1"}, status_favourited_by=lambda remote_id: likes,
                           status_reblogged_by=lambda remote_id: [], status_context=lambda remote_id: {"descendants": []},
                           account_relationships=lambda ids: [], session=SimpleNamespace(close=lambda: None))


FAN_HERE = {"id": "2", "acct": "fan", "created_at": "2020-01-01T00:00:00Z"}  # on a.example, where the fan lives
FAN_THERE = {"id": "9", "acct": "Fan@a.example", "created_at": "2020-01-01T00:00:00Z"}  # the same fan, seen from b
BOB_THERE = {"id": "2", "acct": "bob", "created_at": "2020-01-01T00:00:00Z"}  # b's own 2: another person


@pytest.mark.parametrize("likes, rules, eligible, rejected", [
    pytest.param(([FAN_HERE], [FAN_THERE]), {}, ["fan@a.example"], ["duplicate"],
                 id="one fan through two instances: one entry (was two)"),
    pytest.param(([FAN_HERE], [BOB_THERE]), {}, ["bob@b.example", "fan@a.example"], [],
                 id="two people with one account id on two instances: two entries (one was a duplicate)"),
    pytest.param(([FAN_HERE], [FAN_THERE, BOB_THERE]), {"one_per_person": False},
                 ["Fan@a.example", "bob@b.example", "fan@a.example"], [], id="one_per_person false: one per account"),
])
def test_mastodon_entrants_are_people_across_instances(make_repo, likes, rules, eligible, rejected):
    root = make_repo(platforms="timezone: UTC\naccounts:\n"
                               "  a: {platform: mastodon, instance: https://a.example, token_env: T_A}\n"
                               "  b: {platform: mastodon, instance: https://b.example, token_env: T_B}\n", calendar=None)
    repo = load_repo(root)
    apis = dict(zip("ab", map(_instance, likes)))
    giveaway = Giveaway(("like",), datetime(2026, 12, 24, 12, tzinfo=timezone.utc), 1, **rules)
    entries = entrants_of(repo, {"a": "111", "b": "222"}, giveaway, {}, adapter_for=lambda name: Mastodon(
        repo.config.accounts[name], {"T_A": "t", "T_B": "t"}, root, client_factory=lambda **keywords: apis[name]))
    judged = judge(entries, giveaway, handles={}, staff=[], own_handles=[], labels={})
    assert sorted(e["handle"] for e in judged.eligible) == sorted(eligible)
    assert [r["reason"] for r in judged.rejected] == rejected


@pytest.mark.parametrize("zone, publish_at, utc", [
    pytest.param("America/New_York", "2026-11-01T01:30-05:00", "2026-11-01T06:30", id="New York, the second 01:30"),
    pytest.param("America/New_York", "2026-11-01T01:30-04:00", "2026-11-01T05:30", id="New York, the first 01:30"),
    pytest.param("Australia/Lord_Howe", "2027-04-04T01:45+10:30", "2027-04-03T15:15", id="Lord Howe, the second 01:45"),
    pytest.param("Europe/Berlin", "2026-10-25T02:30+01:00", "2026-10-25T01:30", id="Berlin, the second 02:30"),
])
def test_ics_events_at_a_local_time_that_occurs_twice_are_read_back_at_their_instant(make_repo, smm, zone, publish_at, utc):
    """RFC 5545 reads a repeated local time with a zone as its first occurrence: the second is written in UTC."""
    make_repo({"a.md": post_text(publish_at=publish_at)}, platforms=PLATFORMS.replace("Asia/Shanghai", zone))
    feed = _feed(smm, "--from", publish_at[:10], "--to", publish_at[:10])
    (event,) = feed.walk("VEVENT")
    start = event.decoded("dtstart")
    if start.utcoffset() != timedelta(0):  # a local time: as an app reads it, by the feed's rules, the first of two
        start = start.replace(tzinfo=feed.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False), fold=0)
    assert start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M") == utc
