"""`smm calendar` and `smm new`: scheduled posts, open slots, iCalendar, new post files."""

from __future__ import annotations

import json

import icalendar
import pytest
from conftest import CALENDAR, PLATFORMS, ROOT, SLOTS, post_text

# 2026-11-30 is a Monday.
WEEK = ["--from", "2026-11-30", "--to", "2026-12-06"]


def test_calendar_text_shows_posts_and_gaps(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-12-02T10:30", pillar="tips", campaign="winter")},
              calendar=CALENDAR + SLOTS)
    code, out, _ = smm("calendar", *WEEK)
    assert code == 0
    assert out.splitlines() == [
        "Mon 2026-11-30",
        "  12:00  -- open slot: Monday news  pillar=news",
        "Wed 2026-12-02",
        "  10:30  a  A post  [feed, mastodon]  pillar=tips  campaign=winter",
        "1 scheduled post, 1 open slot",
    ]


def test_calendar_json_is_one_array_of_posts_and_gaps(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-12-02T10:30+00:00", pillar="news")}, calendar=CALENDAR + SLOTS)
    code, out, _ = smm("calendar", *WEEK, "--format", "json")
    entries = json.loads(out)
    assert code == 0
    assert [(e["type"], e["date"], e["time"]) for e in entries] == [
        ("gap", "2026-11-30", "12:00"),
        ("gap", "2026-12-02", "12:00"),
        ("post", "2026-12-02", "18:30"),  # shown in the repository's time zone
    ]
    assert entries[2]["accounts"] == ["feed", "mastodon"]
    assert entries[2]["at"] == "2026-12-02T18:30:00+08:00"


def test_a_post_fills_one_slot_only(make_repo, smm):
    calendar = CALENDAR + SLOTS + "  - {day: monday, time: '18:00', pillar: news}\n"
    make_repo({"a.md": post_text(publish_at="2026-11-30T17:00", pillar="news")}, calendar=calendar)
    code, entries, _ = smm.json("calendar", *WEEK)
    gaps = [(e["date"], e["time"]) for e in entries if e["type"] == "gap"]
    assert gaps == [("2026-11-30", "12:00"), ("2026-12-02", "12:00")]


def test_drafts_listed_but_fill_no_slot(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-11-30T12:00", pillar="news", draft="true")},
              calendar=CALENDAR + SLOTS)
    code, entries, _ = smm.json("calendar", *WEEK)
    assert [(e["type"], e.get("draft")) for e in entries][:2] == [("post", True), ("gap", None)]


def test_calendar_ics_is_valid_icalendar(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-12-02T10:30", pillar="tips")}, calendar=CALENDAR + SLOTS)
    code, out, _ = smm("calendar", *WEEK, "--format", "ics")
    assert code == 0
    cal = icalendar.Calendar.from_ical(out)
    events = {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    assert set(events) == {"post-a", "slot-20261130T1200-news"}
    start = events["post-a"].decoded("dtstart")
    assert start.isoformat() == "2026-12-02T10:30:00+08:00"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_calendar_rejects_bad_dates(make_repo, smm):
    make_repo({})
    assert smm("calendar", "--from", "2026-02-30")[0] == 2
    assert smm("calendar", "--from", "2026-12-05", "--to", "2026-12-01")[0] == 2


def test_new_writes_a_valid_post(make_repo, smm):
    make_repo({})
    code, out, _ = smm("new", "Winter blend 冬季拼配", "--at", "2026-12-03T09:00", "--platforms", "feed,bluesky")
    assert code == 0
    assert out.strip() == "content/2026/12/2026-12-03-winter-blend-dong-ji-pin-pei.md"
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert (code, diagnostics) == (0, [])
    code, entries, _ = smm.json("calendar", "--from", "2026-12-03", "--to", "2026-12-03")
    assert entries[0]["accounts"] == ["feed", "bluesky"]
    assert entries[0]["at"] == "2026-12-03T09:00:00+08:00"


def test_new_ids_are_unique(make_repo, smm):
    make_repo({})
    first = smm("new", "Same", "--at", "2026-12-03T09:00")[1].strip()
    second = smm("new", "Same", "--at", "2026-12-03T15:00")[1].strip()
    third = smm("new", "新品", "--at", "2026-12-03T15:00")[1].strip()
    assert (first, second, third) == (
        "content/2026/12/2026-12-03-same.md",
        "content/2026/12/2026-12-03-same-2.md",
        "content/2026/12/2026-12-03-xin-pin.md",
    )
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert code == 0


def test_new_without_time_takes_next_open_slot(make_repo, smm):
    make_repo({}, calendar=CALENDAR + SLOTS)
    code, out, _ = smm("new", "Tip of the week", "--now", "2026-11-30T13:00+08:00")
    assert out.strip() == "content/2026/12/2026-12-02-tip-of-the-week.md"
    text = (make_repo.root / out.strip()).read_text()
    assert "publish_at: 2026-12-02T12:00+08:00" in text
    assert "pillar: tips" in text


def test_new_without_slots_writes_a_draft(make_repo, smm):
    make_repo({})
    code, out, _ = smm("new", "Idea", "--now", "2026-11-30T13:00+08:00")
    assert code == 0
    assert "draft: true" in (make_repo.root / out.strip()).read_text()
    assert smm("check", "--now", "2026-11-30T13:00+08:00")[0] == 0


TEXT_NETWORKS = {"x": "{platform: x}", "threads": "{platform: threads}", "linkedin": "{platform: linkedin, token_env: T_LI, author: 'urn:li:organization:1'}",
                 "facebook": "{platform: facebook}", "weibo": "{platform: weibo, token_env: T_WB, safe_domain: cloudleaf.example}", "wechat": "{platform: wechat}",
                 "telegram": "{platform: telegram, token_env: T_TG, chat_id: '@brand'}",
                 "discord": "{platform: discord, webhook_env: T_DISCORD}", "slack": "{platform: slack, webhook_env: T_SLACK}",
                 "feed": None, "mastodon": None, "bluesky": None}


@pytest.mark.parametrize("account", sorted(TEXT_NETWORKS))
def test_a_new_draft_passes_check_and_undrafted_unchanged_fails_once(make_repo, smm, account):
    """The placeholder is no error while a draft (X said "X refuses an empty post" on it); un-drafted, the
    post is empty once, for every account, not again per network."""
    extra = f"  {account}: {TEXT_NETWORKS[account]}\n" if TEXT_NETWORKS[account] else ""
    make_repo({}, platforms=PLATFORMS + extra)
    code, out, _ = smm("new", "Idea", "--at", "2026-12-03T09:00", "--platforms", account)
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert code == 0 and not [d for d in diagnostics if d["severity"] == "error"], diagnostics
    post = make_repo.root / out.strip()
    post.write_text(post.read_text().replace("draft: true", "draft: false"))
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert code == 1 and [d["rule"] for d in diagnostics if d["severity"] == "error"] == ["post.empty-body"]


def test_new_rejects_unknown_account(make_repo, smm):
    make_repo({})
    code, _, err = smm("new", "x", "--platforms", "mastodon,tiktok")
    assert code == 2
    assert "unknown account(s): tiktok" in err


def test_two_slots_at_the_same_time_are_two_slots(make_repo, smm):
    calendar = CALENDAR + "slots:\n  - {day: monday, time: '12:00', pillar: news}\n  - {day: monday, time: '12:00', pillar: tips}\n"
    make_repo({"a.md": post_text(publish_at="2026-11-30T12:00", pillar="news")}, calendar=calendar)
    code, entries, _ = smm.json("calendar", *WEEK)
    assert [(e["type"], e.get("pillar")) for e in entries] == [("post", "news"), ("gap", "tips")]


NEW_TITLES = [  # (title, the slug `smm new` gives it)
    ("Winter sale", "winter-sale"),
    ("冬日特卖", "dong-ri-te-mai"),
    ("云叶茶 2026 新品 launch!", "yun-ye-cha-2026-xin-pin-launch"),
    ("Café déjà vu", "cafe-deja-vu"),
    ("🍵😀", "teacup-without-handle-grinning-face"),
    ("!!! ??? ——", "post"),
    ("Tea: yes # no", "tea-yes-no"),
    ("a" * 300, "a" * 60),
    ("冬" * 300, "-".join(["dong"] * 12)),
    ("Longer words than fit " * 13, "longer-words-than-fit-longer-words-than-fit-longer-words"),
    # other scripts transliterated (anyascii), Chinese still in pinyin
    ("겨울 세일", "gyeoul-seil"),
    ("Зимняя распродажа", "zimnyaya-rasprodazha"),
    ("Χειμερινές εκπτώσεις", "cheimerines-ekptoseis"),
    ("Новый чай 新茶 2026", "novyy-chay-xin-cha-2026"),
    ("こんにちは", "konnichiha"),
    ("ชาเขียว", "chaekhiyw"),
]


@pytest.mark.parametrize("title,slug", NEW_TITLES)
def test_new_writes_a_draft_with_a_readable_slug_that_checks_clean(make_repo, smm, title, slug):
    make_repo({})
    code, out, err = smm("new", title, "--at", "2026-12-03T09:00")
    assert code == 0, err
    assert out.strip() == f"content/2026/12/2026-12-03-{slug}.md"
    text = (make_repo.root / out.strip()).read_text(encoding="utf-8")
    assert text.endswith("-->\n") and not text.endswith("\n\n")
    assert "draft: true" in text and "publish_at: 2026-12-03T09:00+08:00" in text
    assert smm.json("check", "--now", "2026-12-01T00:00+08:00")[:2] == (0, [])
    # un-drafted unchanged, the placeholder publishes nothing: check says so
    (make_repo.root / out.strip()).write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert code == 1 and [d["rule"] for d in diagnostics] == ["post.empty-body"]


def test_new_refuses_a_title_longer_than_a_post_allows(make_repo, smm):
    make_repo({})
    code, _, err = smm("new", "a" * 301)
    assert code == 2 and "at most 300" in err
    assert not list((make_repo.root / "content").rglob("*.md"))


@pytest.mark.parametrize("title", ["Tea\nCo", "Tea\rCo", "Tea\x1b[2JCo", "Tea\tCo", "Tea\u2028Co", "\ufeffTea",
                                   "Tea\udcffCo", "Tea\x85Co"])
def test_new_refuses_a_title_that_is_not_one_printable_line(make_repo, smm, title):
    make_repo({})
    code, _, err = smm("new", title)
    assert code == 2 and "one line of printable text" in err and "Traceback" not in err
    assert not list((make_repo.root / "content").rglob("*.md"))


def test_new_drafts_take_different_slots(make_repo, smm):
    make_repo({}, calendar=CALENDAR + SLOTS)
    first = smm("new", "One", "--now", "2026-11-30T13:00+08:00")[1].strip()
    second = smm("new", "Two", "--now", "2026-11-30T13:00+08:00")[1].strip()
    assert (first, second) == ("content/2026/12/2026-12-02-one.md", "content/2026/12/2026-12-07-two.md")


def _ics(smm) -> icalendar.Calendar:
    code, out, _ = smm("calendar", *WEEK, "--format", "ics")
    assert code == 0
    return icalendar.Calendar.from_ical(out)


def test_ics_calendar_is_named_after_the_brand(make_repo, smm):
    make_repo({"a.md": post_text()}, files={"brand/brand.yml": "name: Cloudleaf Tea 云叶茶\n"})
    assert str(_ics(smm)["x-wr-calname"]) == "Cloudleaf Tea 云叶茶 content calendar"


@pytest.mark.parametrize("first,second,same", [
    ("git@github.com:acme/social.git", "https://github.com/acme/social", True),
    ("https://x-access-token:secret@github.com/acme/social.git", "ssh://git@github.com/acme/social.git/", True),
    ("git@github.com:acme/social.git", "git@github.com:acme/other.git", False),
    ("https://github.com/acme/social", "https://gitlab.com/acme/social", False),
    (None, "git@github.com:acme/social.git", False),
])
def test_ics_uids_are_per_repository_and_stable_across_clones(first, second, same):
    from smm.workspace.calendar import uid_domain

    assert uid_domain(first, "Acme") == uid_domain(first, "Acme")
    assert (uid_domain(first, "Acme") == uid_domain(second, "Acme")) is same
    assert uid_domain(None, "Acme") != uid_domain(None, "Other")


def test_two_repositories_give_different_uids_for_the_same_post(make_repo, smm, tmp_path, monkeypatch):
    import git

    root = make_repo({"a.md": post_text()})
    uids = []
    for remote in ("git@github.com:acme/one.git", "git@github.com:acme/two.git"):
        repository = git.Repo.init(root)
        if repository.remotes:
            repository.delete_remote("origin")
        repository.create_remote("origin", remote)
        uids.append({str(e["uid"]) for e in _ics(smm).walk("VEVENT")})
        assert uids[-1] == {str(e["uid"]) for e in _ics(smm).walk("VEVENT")}  # stable across runs
    assert not uids[0] & uids[1]


EVERY_PLATFORM = (ROOT / "tests" / "fixtures" / "render" / "platforms.yml").read_text(encoding="utf-8")
ACCOUNT_LINES = [line for line in EVERY_PLATFORM.splitlines() if line.startswith("  ") and "platform:" in line]


@pytest.mark.parametrize("line", ACCOUNT_LINES, ids=[line.split(":")[0].strip() for line in ACCOUNT_LINES])
def test_new_with_default_platforms_checks_clean_whatever_the_accounts(make_repo, smm, line):
    """Every platform type next to the feed: the draft names only the accounts a text-only post can go to."""
    platforms = "timezone: Asia/Shanghai\naccounts:\n  blog: {platform: feed, path: data/feed/feed.xml, site: https://x.example}\n"
    make_repo({}, platforms=platforms + line + "\n")
    code, out, err = smm("new", "Winter sale", "--at", "2026-12-03T09:00")
    assert code == 0, err
    code, diagnostics, _ = smm.json("check", "--now", "2026-12-01T00:00+08:00")
    assert (code, [d["rule"] for d in diagnostics if d["severity"] == "error"]) == (0, [])
    written = (make_repo.root / out.strip()).read_text(encoding="utf-8")
    account = line.split(":")[0].strip()
    assert ("- blog" in written) and (f"- {account}\n" in written) == (account != "instagram")


def test_new_when_every_account_needs_media_asks_for_platforms(make_repo, smm):
    make_repo({}, platforms="timezone: UTC\naccounts:\n  insta: {platform: instagram, handle: c, token_env: T}\n")
    code, _, err = smm("new", "Winter sale")
    assert code == 2 and "insta" in err and "--platforms" in err and "Traceback" not in err
    assert not list((make_repo.root / "content").rglob("*.md"))
    assert smm("new", "Winter sale", "--platforms", "insta")[0] == 0  # named, it is the editor's choice


@pytest.mark.parametrize("brand", ["", "   ", "name: \"\"\n", "name: \"  \"\n"])
def test_repositories_without_remote_or_brand_name_get_their_own_uids(make_repo, smm, tmp_path, monkeypatch, brand):
    """Two repositories with the same post, no `origin` and no brand name: different UIDs, each stable."""
    uids = []
    for folder in ("one", "two"):
        root = tmp_path / folder
        root.mkdir()
        monkeypatch.chdir(root)
        make_repo.root = root
        make_repo({"a.md": post_text()}, files={"brand/brand.yml": brand} if brand.startswith("name") else None)
        first, again = _ics(smm), _ics(smm)
        uid = [str(e["uid"]) for e in first.walk("vevent") if str(e["uid"]).startswith("post-")]
        assert uid == [str(e["uid"]) for e in again.walk("vevent") if str(e["uid"]).startswith("post-")]
        uids += uid
    assert len(uids) == 2 and uids[0] != uids[1]


# Across a daylight-saving change a slot is filled by the post nearest in real time (not by the wall
# clock), and a slot at a time the clocks skip is shown when it happens. America/New_York: the
# clocks go back on Sunday 2026-11-01 at 02:00 and forward on Sunday 2026-03-08 at 02:00.
DST_CASES = [
    # (day, slot times, post times, open slots expected as (date, time))
    ("2026-11-01", ["00:30", "03:00"], ["2026-11-01T01:50"], [("2026-11-01", "03:00")]),   # 01:50 EDT: 1h20 after 00:30, 2h10 before 03:00 EST
    ("2026-11-01", ["00:30", "03:00"], ["2026-11-01T01:50-05:00"], [("2026-11-01", "00:30")]),  # 01:50 EST: 1h10 before 03:00
    ("2026-11-01", ["00:30", "03:00"], [], [("2026-11-01", "00:30"), ("2026-11-01", "03:00")]),
    ("2026-03-08", ["02:30"], [], [("2026-03-08", "03:30")]),   # the clocks skip 02:00-03:00
    ("2026-03-08", ["01:00", "02:30"], ["2026-03-08T03:40"], [("2026-03-08", "01:00")]),
    ("2026-03-08", ["01:00", "04:00"], ["2026-03-08T03:15"], [("2026-03-08", "01:00")]),  # 45 min vs 1h15 real (2h15 on the wall)
]


@pytest.mark.parametrize("day,slots,posts,expected", DST_CASES)
def test_slots_across_a_clock_change_are_matched_in_real_time(make_repo, smm, day, slots, posts, expected):
    calendar = CALENDAR + "slots:\n" + "".join(f'  - {{day: sunday, time: "{t}", pillar: news}}\n' for t in slots)
    platforms = PLATFORMS.replace("Asia/Shanghai", "America/New_York")
    make_repo({f"p{i}.md": post_text(publish_at=at, pillar="news") for i, at in enumerate(posts)},
              platforms=platforms, calendar=calendar)
    code, entries, _ = smm.json("calendar", "--from", day, "--to", day)
    assert code == 0
    assert [(e["date"], e["time"]) for e in entries if e["type"] == "gap"] == expected


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Europe/London", "Pacific/Chatham", "UTC"])
@pytest.mark.parametrize("seed", range(6))
def test_gaps_looks_only_at_posts_near_its_days_and_finds_what_looking_at_all_finds(zone, seed, monkeypatch):
    """`gaps` skips the posts more than NEAR_DAY outside [start, end] (most of a large repository):
    the open slots are those found when every post is looked at, for posts at any offset around
    the window's first and last days, daylight-saving changes included."""
    import random
    from datetime import datetime, time, timedelta, timezone
    from zoneinfo import ZoneInfo

    from smm.content.post import Post
    from smm.workspace import calendar
    from smm.workspace.calendar import Calendar, Slot, gaps

    rng = random.Random(f"{zone}-{seed}")
    tz = ZoneInfo(zone)
    slots = tuple(Slot(n % 7, time(rng.randrange(24), rng.choice([0, 30])), rng.choice([None, "tips", "news"]),
                       f"s{n}", (), n + 1) for n in range(21))  # three a day
    start = datetime(2026, rng.choice([3, 10, 11]), rng.randrange(1, 28), rng.randrange(24), tzinfo=tz)  # clock changes
    end = start + timedelta(days=rng.choice([1, 7, 30]), hours=rng.randrange(24))
    offsets = [timezone(timedelta(hours=h)) for h in (-11, -5, 0, 8, 13)] + [tz]
    days = [start.date() + timedelta(days=d) for d in (-1, 0)] + [end.date() + timedelta(days=d) for d in (0, 1)]
    posts = []
    for n in range(30):  # on the window's first and last days (and the days around), any time, any offset
        at = datetime.combine(rng.choice(days), time(rng.randrange(24), rng.choice([0, 15, 59])), tzinfo=tz)
        posts.append(Post(f"content/p{n}.md", f"p{n}", {"pillar": rng.choice(["tips", "news", None]), "draft": rng.random() < 0.1},
                          "", 1, at.astimezone(rng.choice(offsets))))
    made = gaps(Calendar({}, slots), posts, tz, start, end)
    monkeypatch.setattr(calendar, "NEAR_DAY", timedelta(days=100_000))  # every post looked at
    assert made == gaps(Calendar({}, slots), posts, tz, start, end)  # a post left out would leave a slot open
