"""Giveaways: the rules (table), the seed commit (table), the draw's determinism, `smm check`'s
`giveaway.*` rules, and `smm giveaway draw` / `verify` on a repository with its own git history."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import post_text
from smm.errors import StateError
from smm.giveaways import draw
from smm.giveaways.config import Giveaway
from smm.giveaways.entries import Entry, judge
from smm.giveaways.run import draw_giveaway
from smm.giveaways.seed import seed_after
from smm.platforms.messages import Entrant
from smm.workspace.repo import load_repo

DEADLINE = datetime(2026, 12, 24, 20, 0, tzinfo=timezone(timedelta(hours=8)))
OLD = DEADLINE - timedelta(days=400)


def entrant(kind="reply", author="fan@mastodon.example", author_id="1", *, entered=None, created=OLD,
            follows=True, own=False) -> Entrant:
    return Entrant(kind, author, author_id, entered, created, follows, own)


def giveaway(**rules) -> Giveaway:
    return Giveaway(("reply", "repost", "like"), DEADLINE, 1, **rules)


M, B = "mastodon", "bluesky"
HANDLES = {"ann": {"mastodon": "@ann@mastodon.example", "bluesky": "@ann.bsky.social", "default": "Ann"},
           "sam": {"mastodon": "@sam@mastodon.example"}}


@pytest.mark.parametrize("entries, rules, staff, eligible, rejected", [
    pytest.param([(M, entrant("reply")), (M, entrant("like")), (M, entrant("repost"))], {}, (),
                 ["mastodon:1"], {"duplicate": 2}, id="one person, three kinds"),
    pytest.param([(M, entrant("reply")), (M, entrant("like"))], {"one_per_person": False}, (),
                 ["mastodon:1:like", "mastodon:1:reply"], {}, id="one_per_person false: one per kind"),
    pytest.param([(M, entrant(author="ann@mastodon.example", author_id="7")),
                  (B, entrant(author="ann.bsky.social", author_id="did:plc:ann"))], {}, (),
                 ["person:ann"], {"duplicate": 1}, id="linked across networks by handles.yml"),
    pytest.param([(M, entrant(author="bob@mastodon.example", author_id="8")),
                  (B, entrant(author="bob.bsky.social", author_id="did:plc:bob"))], {}, (),
                 ["bluesky:did:plc:bob", "mastodon:8"], {}, id="not linked: one entry per network"),
    pytest.param([(M, entrant(author="Sam@Mastodon.example", author_id="9")), (M, entrant())], {}, ("sam",),
                 ["mastodon:1"], {"staff": 1}, id="staff by handles.yml name"),
    pytest.param([(B, entrant(author="ann.bsky.social", author_id="did:plc:ann")), (M, entrant())], {},
                 ("@ann.bsky.social",), ["mastodon:1"], {"staff": 1}, id="staff by handle"),
    pytest.param([(M, entrant(own=True, author="brand@mastodon.example", author_id="0")),
                  (B, entrant(author="brand.bsky.social", author_id="did:plc:brand"))], {}, (),
                 [], {"brand": 2}, id="the brand's own accounts"),
    pytest.param([(M, entrant()), (M, entrant(author="x@mastodon.example", author_id="2"))],
                 {"exclude": ("@X@mastodon.example",)}, (), ["mastodon:1"], {"excluded": 1}, id="excluded handle"),
    pytest.param([(M, entrant(created=DEADLINE - timedelta(days=3))), (M, entrant(author_id="2", created=None)),
                  (M, entrant(author_id="3", created=DEADLINE - timedelta(days=30)))],
                 {"min_account_age_days": 30}, (), ["mastodon:3"], {"account_too_new": 1, "account_age_unknown": 1},
                 id="account age"),
    pytest.param([(M, entrant(follows=False)), (M, entrant(author_id="2", follows=True))], {"must_follow": True}, (),
                 ["mastodon:2"], {"not_following": 1}, id="must follow"),
    pytest.param([(M, entrant(follows=None)), (M, entrant(author_id="2", follows=False))], {"must_follow": False}, (),
                 ["mastodon:1", "mastodon:2"], {}, id="following not asked"),
    pytest.param([(M, entrant(entered=DEADLINE + timedelta(seconds=1))), (M, entrant(author_id="2", entered=DEADLINE))],
                 {}, (), ["mastodon:2"], {"late": 1}, id="entered after the deadline"),
    pytest.param([(M, entrant(entered=DEADLINE + timedelta(hours=1))), (M, entrant("like"))], {}, (),
                 ["mastodon:1"], {"late": 1}, id="a late reply, an earlier like of the same person"),
])
def test_rules(entries, rules, staff, eligible, rejected):
    judged = judge([Entry(a, a, e) for a, e in entries], giveaway(**rules), handles=HANDLES, staff=staff,
                   own_handles={"brand.bsky.social"}, labels={M: "Mastodon", B: "Bluesky"})
    assert [e["key"] for e in judged.eligible] == eligible
    reasons = {}
    for r in judged.rejected:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    assert reasons == rejected


def test_unknown_follow_and_entry_time_are_said_in_the_notes():
    judged = judge([Entry(M, M, entrant("like", follows=None))], giveaway(must_follow=True), handles={}, staff=(),
                   own_handles=(), labels={M: "Mastodon"})
    assert [e["key"] for e in judged.eligible] == ["mastodon:1"]
    assert "Mastodon does not let the brand check who follows it: must_follow not checked there" in judged.notes
    assert "Mastodon does not say when a like was made: counted as before the deadline" in judged.notes


# -- the seed ------------------------------------------------------------------------------------

def git(root: Path, *args: str, when: datetime | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull}
    if when is not None:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = when.isoformat()
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()


def commit(root: Path, when: datetime, message: str = "c") -> str:
    git(root, "commit", "-q", "--allow-empty", "-m", message, when=when)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


@pytest.mark.parametrize("offsets, chosen", [
    pytest.param([-60, -1], None, id="commits before the deadline only: none yet"),
    pytest.param([-60, 0], None, id="a commit at the deadline is not after it"),
    pytest.param([-60, 0, 1, 120], 2, id="the first commit after it"),
    pytest.param([-60, 300, 1], 1, id="the first in history, not the earliest time"),
])
def test_seed_commit(history, offsets, chosen):
    hashes = [commit(history, DEADLINE + timedelta(seconds=s), f"c{i}") for i, s in enumerate(offsets)]
    if chosen is None:
        with pytest.raises(StateError, match="no commit on main after the deadline"):
            seed_after(history, DEADLINE)
    else:
        seed = seed_after(history, DEADLINE)
        assert (seed.commit, seed.branch) == (hashes[chosen], "main")
        assert seed.committed_at == DEADLINE + timedelta(seconds=offsets[chosen])


def test_seed_ignores_other_branches(history):
    commit(history, DEADLINE - timedelta(hours=1))
    git(history, "checkout", "-q", "-b", "feature")
    commit(history, DEADLINE + timedelta(hours=1))
    with pytest.raises(StateError, match="no commit on main"):
        seed_after(history, DEADLINE)
    git(history, "checkout", "-q", "main")
    after = commit(history, DEADLINE + timedelta(hours=2))
    git(history, "checkout", "-q", "feature")
    assert seed_after(history, DEADLINE).commit == after


# -- the draw ------------------------------------------------------------------------------------

def pool(count: int) -> list[dict]:
    return [{"key": f"mastodon:{i}", "account": "mastodon", "network": "mastodon", "handle": f"u{i}@m.example"}
            for i in range(count)]


def test_draw_is_deterministic_and_order_free():
    entrants = pool(50)
    first = draw.pick(entrants, "a" * 40, 3)
    assert draw.pick(list(reversed(entrants)), "a" * 40, 3) == first
    assert draw.list_hash(list(reversed(entrants))) == draw.list_hash(entrants)
    assert [w["key"] for w in draw.pick(entrants, "b" * 40, 3)] != [w["key"] for w in first]
    assert len(draw.pick(pool(2), "a" * 40, 5)) == 2


def test_draw_follows_the_documented_procedure():
    import hashlib

    entrants = pool(5)
    canonical = json.dumps(entrants, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(canonical).hexdigest()
    by_rank = sorted(entrants, key=lambda e: hashlib.sha256(f"seed:{digest}:{e['key']}".encode()).hexdigest())
    assert [w["key"] for w in draw.pick(entrants, "seed", 2)] == [e["key"] for e in by_rank[:2]]


# -- check ---------------------------------------------------------------------------------------

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
  telegram: {platform: telegram, chat_id: "@brand", token_env: T_TELEGRAM}
"""


def giveaway_post(enter="[reply, like]", deadline="2026-12-24T20:00:00+08:00", winners=2, platforms="[mastodon, bluesky]",
                  rules="", publish_at="2026-12-20T12:00"):
    extra = f"\n  rules: {rules}" if rules else ""
    return post_text("Reply, boost or like to win a tin of tea!", platforms=platforms, publish_at=publish_at,
                     giveaway=f"\n  enter: {enter}\n  deadline: \"{deadline}\"\n  winners: {winners}{extra}")


@pytest.mark.parametrize("fields, rule, line", [
    pytest.param({"enter": "[reply, retweet]"}, "giveaway.entry", 6, id="unknown entry kind"),
    pytest.param({"winners": 0}, "giveaway.winners", 8, id="no winner"),
    pytest.param({"deadline": "2026-12-19T12:00:00+08:00"}, "giveaway.deadline", 7, id="deadline before publish_at"),
    pytest.param({"deadline": "2026-12-20T12:00:00+08:00"}, "giveaway.deadline", 7, id="deadline at publish_at"),
    pytest.param({"deadline": "2026-12-24T20:00"}, "giveaway.deadline", 7, id="deadline without an offset"),
    pytest.param({"deadline": "Christmas"}, "giveaway.deadline", 7, id="deadline not a time"),
    pytest.param({"platforms": "[mastodon, telegram]"}, "giveaway.network", 4, id="a network that cannot list entrants"),
])
def test_check_giveaway(make_repo, smm, fields, rule, line):
    make_repo({"g.md": giveaway_post(**fields)}, platforms=PLATFORMS)
    code, out, _ = smm.json("check")
    found = [d for d in out if d["rule"].startswith("giveaway.")]
    assert code == 1
    assert [(d["rule"], d["file"], d["line"]) for d in found] == [(rule, "content/g.md", line)]


def test_check_passes_a_sound_giveaway(make_repo, smm):
    make_repo({"g.md": giveaway_post(rules="{one_per_person: true, min_account_age_days: 30, must_follow: true, "
                                           "exclude: [\"@rival@mastodon.example\"]}")}, platforms=PLATFORMS)
    code, out, _ = smm.json("check")
    assert [d for d in out if d["rule"].startswith("giveaway.") or d["severity"] == "error"] == []


# -- draw and verify on a repository -------------------------------------------------------------

class FakeNetwork:
    """An adapter whose entrants are given: {remote id: [Entrant]}."""

    def __init__(self, entrants: dict[str, list[Entrant]]) -> None:
        self.given = entrants
        self.asked = []

    def entrants(self, remote_id, kinds):
        self.asked.append((remote_id, tuple(kinds)))
        return [e for e in self.given.get(remote_id, []) if e.kind in kinds]

    def close(self):
        pass


RECORD = {"post": "g", "file": "content/g.md", "accounts": {
    "mastodon": {"state": "published", "remote_id": "111", "url": "https://mastodon.example/@brand/111"},
    "bluesky": {"state": "published", "remote_id": "at://did:plc:brand/app.bsky.feed.post/3k",
                "url": "https://bsky.app/profile/brand.bsky.social/post/3k"}}}
FANS = {"111": [entrant("reply", f"fan{i}@mastodon.example", f"m{i}") for i in range(6)]
        + [entrant("like", "ann@mastodon.example", "m-ann"), entrant("like", "brand@mastodon.example", "0", own=True)],
        "at://did:plc:brand/app.bsky.feed.post/3k": [entrant("like", "ann.bsky.social", "did:plc:ann"),
                                                     entrant("reply", "joe.bsky.social", "did:plc:joe")]}


@pytest.fixture
def giveaway_repo(make_repo):
    root = make_repo({"g.md": giveaway_post(winners=3)}, platforms=PLATFORMS, files={
        "data/published/g.json": json.dumps(RECORD),
        "brand/handles.yml": "ann: {mastodon: \"@ann@mastodon.example\", bluesky: \"@ann.bsky.social\"}\n",
        "brand/brand.yml": "name: Brand\nstaff: [\"fan5@mastodon.example\"]\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    commit(root, DEADLINE - timedelta(days=5), "the giveaway post")
    return root


def drawn(root: Path, now=DEADLINE + timedelta(hours=1)) -> dict:
    network = FakeNetwork(FANS)
    return draw_giveaway(load_repo(root), "g", now, {}, adapter_for=lambda name: network)


def test_draw_writes_the_record_and_the_announcements(giveaway_repo, smm):
    seed = commit(giveaway_repo, DEADLINE + timedelta(minutes=5), "after the deadline")
    record = drawn(giveaway_repo)
    assert record["seed"] == {"commit": seed, "committed_at": "2026-12-24T12:05:00+00:00", "branch": "main"}
    assert record["entrant_count"] == 7  # 6 Mastodon fans (fan5 is staff) + ann once + joe
    assert record["rejected"] == {"brand": 1, "duplicate": 1, "staff": 1}
    assert record["entrants_hash"] == draw.list_hash(record["entrants"])
    assert [w["key"] for w in record["winners"]] == [w["key"] for w in draw.pick(record["entrants"], seed, 3)]
    saved = json.loads((giveaway_repo / "data/giveaways/g.json").read_text(encoding="utf-8"))
    assert saved == record
    assert sorted(record["announcements"]) == ["content/replies/2026-12-24-giveaway-g-bluesky.md",
                                               "content/replies/2026-12-24-giveaway-g-mastodon.md"]
    text = (giveaway_repo / record["announcements"][1]).read_text(encoding="utf-8")
    assert 'reply_to: "mastodon:111"' in text and "draft: true" in text
    assert all(f"@{w['handle']}" in text for w in record["winners"])
    code, out, err = smm("check")
    assert code == 0, out + err  # the drafts reply to the brand's own published post
    code, out, _ = smm("giveaway", "verify", "g")
    assert code == 0 and out.startswith("match: g: 7 entrants")


def tamper_winners(record):
    record["winners"] = list(reversed(record["winners"]))


def tamper_entrants(record):
    record["entrants"].append({"key": "mastodon:zz", "account": "mastodon", "network": "mastodon", "handle": "zz"})


def tamper_seed(record):
    record["seed"]["commit"] = "0" * 40


def tamper_hash(record):
    record["entrants"][0]["handle"] = "someone-else"


def tamper_deadline(record):
    record["deadline"] = "2026-12-23T20:00:00+08:00"


def tamper_shape(record):
    del record["seed"]


@pytest.mark.parametrize("tamper, named", [
    (tamper_winners, "winners:"), (tamper_entrants, "entrants_hash:"), (tamper_seed, "seed:"), (tamper_hash, "entrants_hash:"),
    (tamper_deadline, "deadline: the record says 2026-12-23T20:00:00+08:00"), (tamper_shape, "malformed"),
    # a record of the wrong shape was exit 3 (OverflowError, KeyError) or a match with a count below 1
    (lambda r: r.update(winners_wanted=2.5), "`winners_wanted` is not a whole number"),
    (lambda r: r.update(winners_wanted=-3), "`winners_wanted` is not a whole number"),
    (lambda r: r.update(winners_wanted=True), "`winners_wanted` is not a whole number"),
    (lambda r: [w.pop("handle") for w in r["winners"]], "`winners` is not a list of objects"),
    (lambda r: r.update(winners=[1, 2]), "`winners` is not a list of objects"),
    (lambda r: r.update(entrants={"key": "a"}), "`entrants` is not a list of objects"),
    (lambda r: r.update(entrants=[{"key": 1}, {"key": "a"}]), "`entrants` is not a list of objects"),
    (lambda r: r.update(deadline="2026-12-24T20:00:00"), "`deadline` has no UTC offset"),
    (lambda r: r.update(deadline=20261224), "`deadline` is not an ISO 8601 time"),
    (lambda r: r.update(seed={"commit": 5}), "`seed` has no `commit`"),
    (lambda r: r.update(entrant_count="7"), "`entrant_count` is not a whole number"),
])
def test_verify_catches_a_tampered_record(giveaway_repo, smm, tamper, named):
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    record = drawn(giveaway_repo)
    tamper(record)
    (giveaway_repo / "data/giveaways/g.json").write_text(json.dumps(record), encoding="utf-8")
    code, out, err = smm("giveaway", "verify", "g")
    assert code == 1
    assert err.startswith("mismatch: g") and named in err


def test_verify_catches_a_rewritten_history(giveaway_repo, smm):
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    drawn(giveaway_repo)
    git(giveaway_repo, "reset", "-q", "--hard", "HEAD~1")
    other = commit(giveaway_repo, DEADLINE + timedelta(minutes=9), "another")
    code, _, err = smm("giveaway", "verify", "g")
    assert code == 1 and f"the first commit on main after the deadline is {other}" in err


@pytest.mark.parametrize("now, commits, message", [
    pytest.param("2026-12-24T19:59:00+08:00", [], "is open until 2026-12-24T20:00:00+08:00", id="before the deadline"),
    pytest.param("2026-12-24T21:00:00+08:00", [], "no commit on main after the deadline", id="no seed commit yet"),
])
def test_draw_refuses(giveaway_repo, smm, now, commits, message):
    code, out, err = smm("giveaway", "draw", "g", "--now", now)
    assert code == 1 and message in err and out == ""
    assert not (giveaway_repo / "data/giveaways").exists()


def test_draw_outside_git_says_the_seed_needs_a_repository(giveaway_repo, smm):
    import shutil

    shutil.rmtree(giveaway_repo / ".git")
    code, out, err = smm("giveaway", "draw", "g", "--now", "2026-12-25T10:00:00+08:00")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "is not a git repository: a giveaway's seed" in err and "--commit" not in err


def test_a_second_draw_says_it_was_drawn(giveaway_repo, smm):
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    record = drawn(giveaway_repo)
    before = (giveaway_repo / "data/giveaways/g.json").read_bytes()
    code, _, err = smm("giveaway", "draw", "g", "--now", "2026-12-25T10:00:00+08:00")
    assert code == 1 and f"g was already drawn on {record['drawn_at']}" in err
    assert (giveaway_repo / "data/giveaways/g.json").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (("giveaway", "draw", "nope", "--now", "2026-12-25T10:00:00+08:00"), "no post 'nope'"),
    (("giveaway", "verify", "g"), "no draw recorded for g"),
])
def test_unknown_post_or_record(giveaway_repo, smm, args, message):
    code, _, err = smm(*args)
    assert code == 1 and message in err


def test_seed_reads_the_remote_default_branch_not_unpushed_commits(history, tmp_path_factory):
    commit(history, DEADLINE - timedelta(hours=1))
    clone = tmp_path_factory.mktemp("clone")
    git(clone, "clone", "-q", str(history), ".")
    commit(clone, DEADLINE + timedelta(hours=1), "not pushed")
    with pytest.raises(StateError, match="no commit on origin/main after the deadline"):
        seed_after(clone, DEADLINE)
    pushed = commit(history, DEADLINE + timedelta(hours=2), "on the remote")
    git(clone, "fetch", "-q")
    assert seed_after(clone, DEADLINE).commit == pushed


def test_draw_command_prints_and_commits(giveaway_repo, smm, monkeypatch):
    import smm.giveaways.run as run

    network = FakeNetwork(FANS)
    real = run.collect
    monkeypatch.setattr(run, "collect", lambda repo, accounts, g, env, adapter_for=None:
                        real(repo, accounts, g, env, lambda name: network))
    commit(giveaway_repo, DEADLINE + timedelta(minutes=5))
    code, out, err = smm("giveaway", "draw", "g", "--commit", "--now", "2026-12-25T10:00:00+08:00")
    assert code == 0, err
    assert out.splitlines()[0].startswith("g: 7 entrants (rejected: 1 brand, 1 duplicate, 1 staff); seed commit ")
    assert "wrote data/giveaways/g.json" in out and out.count("  winner ") == 3
    assert sorted(network.asked) == [("111", ("reply", "like")), ("at://did:plc:brand/app.bsky.feed.post/3k", ("reply", "like"))]
    committed = git(giveaway_repo, "show", "--name-only", "--format=%s", "HEAD").splitlines()
    assert committed[0] == "smm giveaway: draw g"
    assert set(committed[2:]) == {"data/giveaways/g.json", "content/replies/2026-12-25-giveaway-g-bluesky.md",
                                  "content/replies/2026-12-25-giveaway-g-mastodon.md"}
    code, out, _ = smm("giveaway", "verify", "g")
    assert code == 0, out
