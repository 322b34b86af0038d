"""Never twice, never lost, without the server's idempotency key (issue 12).

The `local` double is a Mastodon behind a proxy that strips `Idempotency-Key`: every call makes
a new post and find() is Mastodon's. Each table covers one class of defect: a reconciliation
that takes another post's status, a dead or losing runner's work, an edit after a kill, a 5xx
after the server acted, a call that may still take effect. The SIGKILL campaign against the
real servers is tests/campaign/never_twice.py (tests/test_campaign.py runs it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import post_text

from smm.platforms import Lookup, Outgoing, PublishResult
from smm.platforms.mastodon import match
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NOW = datetime.now(timezone.utc).replace(microsecond=0)
PLATFORMS = "timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n"


def due(body: str, minutes_ago: int = 10, **fields) -> str:
    return post_text(body, publish_at=(NOW - timedelta(minutes=minutes_ago)).isoformat(), platforms="[local]", **fields)


@pytest.fixture
def repo(make_repo):
    def build(posts: dict[str, str], faults: list[str] = (), platforms: str = PLATFORMS) -> Path:
        root = make_repo(posts, platforms=platforms, calendar=None)
        (root / ".local/local").mkdir(parents=True, exist_ok=True)
        (root / ".local/local/faults.json").write_text(json.dumps(list(faults)))
        return root
    return build


def posts(root: Path) -> list[dict]:
    path = root / ".local/local/posts.json"
    return json.loads(path.read_text()) if path.exists() else []


def add_post(root: Path, text: str, created: datetime, reply_to: str | None = None) -> str:
    """A post already on the network (made by an earlier call, or by hand)."""
    found = posts(root)
    number = str(len(found) + 1)
    found.append({"id": number, "key": "-", "url": f"local://local/{number}", "post": "-", "text": text,
                  "reply_to": reply_to, "media": [], "created_at": created.isoformat()})
    (root / ".local/local/posts.json").write_text(json.dumps(found))
    return number


def record(root: Path, post: str) -> dict:
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]["local"]


def write_record(root: Path, post: str, job: dict) -> None:
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    (root / f"data/published/{post}.json").write_text(json.dumps({"post": post, "file": f"content/{post}.md",
                                                                  "accounts": {"local": job}}))


def in_flight(texts: list[str], at: datetime, until: datetime | None = None, run: str = "a-dead-run") -> dict:
    """A job a killed run left: its attempt, what it sent, and (with --push) its claim."""
    return {"state": "in_flight", "attempts": 1, "key": "k-of-the-call", "first_attempt": at.isoformat(),
            "sent": [{"run": run, "at": at.isoformat(), "until": until.isoformat() if until else None,
                      "last_call": at.isoformat(), "texts": texts, "media": []}]}


def run(root: Path, sleeps: list | None = None, wall: datetime | None = None, **kwargs):
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    publisher = Publisher(load_repo(root), NOW, {}, sleep=sleep, wall=(lambda: wall) if wall else None, **kwargs)
    return [(j.post, j.state) for j in publisher.run().jobs]


def settling(seconds: float):
    """Publisher's `platform_for`: the local double, whose calls may take effect up to `seconds`
    after their answer was lost."""
    from smm.platforms.local import Local

    class Settling(Local):
        settle = seconds

    return lambda account: Settling


# --- 1. find() never takes another record's post, and only matches what this job sent ------------


@pytest.mark.parametrize("earlier,fault,expected", [
    ("published", "timeout", 2),  # the earlier identical post is owned by its record: b goes out
    ("published", "lost_response", 2),  # b went out: its own status is found, not a's
    ("published", "acted_then_503", 2),
    ("by hand a week ago", "timeout", 2),  # outside the attempt's time window
    ("by hand a week ago", "lost_response", 2),
])
def test_identical_texts_are_never_confused(repo, earlier, fault, expected):
    root = repo({"a.md": due("Happy Friday!", minutes_ago=60)} if earlier == "published" else {})
    if earlier == "published":
        assert run(root) == [("a", "published")]
    else:
        add_post(root, "Happy Friday!", NOW - timedelta(days=7))
    (root / "content/b.md").write_text(due("Happy Friday!"))
    (root / ".local/local/faults.json").write_text(json.dumps([fault]))
    assert run(root) == [("b", "published")]
    assert len(posts(root)) == expected
    assert record(root, "b")["remote_id"] == posts(root)[-1]["id"]  # its own post, not the earlier one


def _outgoing(text="Happy Friday!", reply_to=None, media=(), warning=None) -> Outgoing:
    return Outgoing(post_id="b", account="m", title="t", text=text, reply_to=PublishResult(reply_to) if reply_to else None,
                    media=media, content_warning=warning)


def _status(id_, minutes_ago, text="Happy Friday!", reply_to=None, alts=(), warning=""):
    return {"id": id_, "created_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(), "content": f"<p>{text}</p>",
            "in_reply_to_id": reply_to, "media_attachments": [{"description": a} for a in alts], "spoiler_text": warning}


@pytest.mark.parametrize("statuses,sent,owned,expected", [
    ([_status("9", 1), _status("8", 3)], [_outgoing()], set(), "8"),  # the oldest match in the window
    ([_status("9", 1), _status("8", 3)], [_outgoing()], {"8"}, "9"),  # never one another record owns
    ([_status("8", 3)], [_outgoing()], {"8"}, None),
    ([_status("7", 60 * 24 * 7)], [_outgoing()], set(), None),  # older than the attempt
    ([_status("9", 1, text="Happy Friday!!")], [_outgoing()], set(), None),
    ([_status("9", 1, reply_to="5")], [_outgoing()], set(), None),  # thread position
    ([_status("9", 1, reply_to="5")], [_outgoing(reply_to="5")], set(), "9"),
    ([_status("9", 1, alts=["a cup"])], [_outgoing(media=(("x.png", "a mug"),))], set(), None),  # media
    ([_status("9", 1, alts=["a cup"])], [_outgoing(media=(("x.png", "a cup"),))], set(), "9"),
    ([_status("9", 1, warning="Spoilers")], [_outgoing()], set(), None),  # content warning
    ([_status("9", 1, text="Helo")], [_outgoing("Hello"), _outgoing("Helo")], set(), "9"),  # any version sent
    ([{**_status("9", 1), "reblog": {"id": "3"}}], [_outgoing()], set(), None),
])
def test_mastodon_match_belongs_to_the_job(statuses, sent, owned, expected):
    lookup = Lookup(tuple(sent), NOW - timedelta(hours=1), NOW + timedelta(minutes=5), frozenset(owned))
    found = match(statuses, lookup)
    assert (found.remote_id if found else None) == expected


# --- 2. a dead runner's work is reconciled; a live one's is left alone -----------------------------


@pytest.mark.parametrize("went_out", [True, False])
def test_a_dead_runs_attempt_is_reconciled_before_any_call(repo, went_out):
    root = repo({"a.md": due("Hello 你好", minutes_ago=90)})
    at = NOW - timedelta(hours=1)
    write_record(root, "a", in_flight(["Hello 你好"], at, until=at + timedelta(minutes=10)))
    if went_out:
        add_post(root, "Hello 你好", at + timedelta(seconds=2))
    assert run(root) == [("a", "published")]
    assert len(posts(root)) == 1 and record(root, "a")["remote_id"] == "1"
    assert "sent" not in record(root, "a")


@pytest.mark.parametrize("until_in", [timedelta(minutes=5), timedelta(seconds=-30)])  # claim live, or settling
def test_a_job_another_live_run_holds_is_left_to_it(repo, until_in):
    slow = settling(60.0)
    root = repo({"a.md": due("Hello")})
    write_record(root, "a", in_flight(["Hello"], NOW - timedelta(minutes=1), until=NOW + until_in, run="a-live-run"))
    assert run(root, platform_for=slow, wall=NOW) == [("a", "in_flight")]
    assert posts(root) == [] and record(root, "a")["state"] == "in_flight"


# --- 3. edited after a kill: reconciled with what was sent --------------------------------------


@pytest.mark.parametrize("went_out,expected_text", [(True, "Helo world"), (False, "Hello world")])
def test_an_edit_after_a_kill_is_reconciled_with_the_text_sent(repo, went_out, expected_text):
    root = repo({"a.md": due("Hello world")})  # the typo fixed after the killed run
    at = NOW - timedelta(minutes=5)
    write_record(root, "a", in_flight(["Helo world"], at))
    if went_out:
        add_post(root, "Helo world", at + timedelta(seconds=1))
    assert run(root) == [("a", "published")]
    assert [p["text"] for p in posts(root)] == [expected_text]


# --- 4. any answer that does not prove a refusal is looked at before trying again ----------------


@pytest.mark.parametrize("fault", ["acted_then_503", "lost_response", "server_error", "timeout"])
def test_an_unknown_outcome_is_looked_at_before_trying_again(repo, fault):
    root = repo({"a.md": due("Hello")}, faults=[fault])
    assert run(root) == [("a", "published")]
    assert len(posts(root)) == 1


def test_every_5xx_is_an_unknown_outcome():
    import httpx

    from smm.errors import RateLimited, Rejected, TransientError
    from smm.platforms.http import check

    for status, unknown in [(500, True), (502, True), (503, True), (504, True), (507, True), (408, False), (425, False)]:
        with pytest.raises(TransientError) as caught:
            check(httpx.Response(status), "x")
        assert caught.value.outcome_unknown is unknown, status
    for status, error in [(429, RateLimited), (422, Rejected), (404, Rejected)]:
        with pytest.raises(error):
            check(httpx.Response(status), "x")


# --- 5. nothing found while a call may still take effect: wait, or leave it ------------------------


def test_a_call_that_may_still_take_effect_is_waited_for(repo):
    slow = settling(20.0)
    root = repo({"a.md": due("Hello")}, faults=["timeout"])  # no answer; the server acts while smm waits
    sleeps = []

    def server_acts_late(seconds):
        sleeps.append(seconds)
        add_post(root, "Hello", datetime.now(timezone.utc))

    publisher = Publisher(load_repo(root), NOW, {}, sleep=server_acts_late, platform_for=slow)
    assert [j.state for j in publisher.run().jobs] == ["published"]
    assert sleeps == [20.0] and len(posts(root)) == 1


@pytest.mark.parametrize("faults,acts_during", [
    (["timeout"], 0),  # within settle: found by the wait
    (["timeout"], 1),  # later than settle, during the back-off: found before the call again
    (["timeout", "timeout"], 2),  # the second call, within settle
    (["timeout", "timeout"], 3),  # the first or second call, landing during the second back-off
    (["timeout"], None),  # never landed: sent again, once
])
def test_a_lost_call_landing_later_than_settle_is_found_before_sending_again(repo, faults, acts_during):
    """A network slower than its `settle` (a loaded server, a slow proxy) must not make a retry a
    second post: each retry looks once more for every call of this run whose answer was lost."""
    root = repo({"a.md": due("Hello")}, faults=faults)
    sleeps = []

    def server_acts(seconds):
        if len(sleeps) == acts_during:
            add_post(root, "Hello", datetime.now(timezone.utc))
        sleeps.append(seconds)

    publisher = Publisher(load_repo(root), NOW, {}, sleep=server_acts, platform_for=settling(1.0))
    assert [j.state for j in publisher.run().jobs] == ["published"]
    assert len(posts(root)) == 1 and record(root, "a")["remote_id"] == posts(root)[0]["id"]
    assert sleeps.count(1.0) == len(faults)  # each lost call was waited for, once


def test_a_call_that_may_still_take_effect_longer_is_left_to_the_next_run(repo):
    slow = settling(600.0)
    root = repo({"a.md": due("Hello")}, faults=["timeout"])
    assert run(root, platform_for=slow) == [("a", "in_flight")]
    assert "may still take effect" in record(root, "a")["error"] and posts(root) == []
    assert run(root, platform_for=slow) == [("a", "in_flight")] and posts(root) == []  # an immediate rerun does not post either
    add_post(root, "Hello", datetime.now(timezone.utc))  # the server served it late
    assert run(root, platform_for=slow, wall=datetime.now(timezone.utc) + timedelta(minutes=11)) == [("a", "published")]
    assert len(posts(root)) == 1


def test_settled_and_not_there_goes_out_once(repo):
    slow = settling(600.0)
    root = repo({"a.md": due("Hello")}, faults=["timeout"])
    assert run(root, platform_for=slow) == [("a", "in_flight")]
    assert run(root, platform_for=slow, wall=datetime.now(timezone.utc) + timedelta(minutes=11)) == [("a", "published")]
    assert len(posts(root)) == 1


# --- the claim: with --push, a run that loses the race reads again and never calls ---------------


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_a_run_that_loses_the_claim_race_never_calls(repo, tmp_path):
    from smm.data import gitops

    shared = tmp_path / "network"  # both checkouts publish to the same (local) network
    root = repo({"a.md": due("Hello")}, platforms=f"timezone: UTC\naccounts:\n  local: {{platform: local, path: '{shared}'}}\n")
    origin = _origin(root, tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    for clone in (first, second):
        subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    late = Publisher(load_repo(second), NOW, {}, sleep=lambda s: None, claim=lambda m, write: gitops.claim(second, m, write))
    done = subprocess.run([sys.executable, "-m", "smm", "publish", "--push"], cwd=first, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = late.run()  # planned from a stale checkout: its claim is refused, it reads again
    assert [(j.post, j.state) for j in report.jobs] == []
    assert len(json.loads((shared / "posts.json").read_text())) == 1
    log = _git(origin, "log", "--format=%s", "main").splitlines()
    assert log[1].startswith("smm publish: claim 1 job(s) until") and log[0] == "smm publish: 1 published"


def _origin(root: Path, tmp_path: Path) -> Path:
    (root / ".gitignore").write_text(".smm-cache/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(origin)], check=True)
    return origin


def _publish(checkout: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    import os

    from crashing_smm import command

    return subprocess.run(command(crash, "publish", "--push", "--format", "json"), cwd=checkout, env=dict(os.environ),
                          capture_output=True, text=True)


@pytest.mark.parametrize("crash", ["after_claim", "after_in_flight", "after_call", "before_record", "before_commit",
                                   "platform_crash"])
def test_a_lost_runner_with_push_leaves_its_claims_and_nothing_goes_out_twice(repo, tmp_path, crash):
    shared = tmp_path / "network"
    body = ("word " * 90 + "\n\n") * 2
    root = repo({"a.md": due("Happy Friday!"), "b.md": due("Happy Friday!", minutes_ago=9),
                 "t.md": post_text(body, publish_at=(NOW - timedelta(minutes=8)).isoformat(), platforms="[local]", thread="auto")},
                platforms=f"timezone: UTC\naccounts:\n  local: {{platform: local, path: '{shared}'}}\n")
    origin = _origin(root, tmp_path)
    if crash == "platform_crash":
        shared.mkdir(exist_ok=True)
        (shared / "faults.json").write_text(json.dumps(["ok", "crash"]))
    lost = tmp_path / "lost"
    subprocess.run(["git", "clone", "-q", str(origin), str(lost)], check=True)
    assert _publish(lost, None if crash == "platform_crash" else crash).returncode == -9
    fresh = tmp_path / "fresh"  # the next runner: a new checkout; the lost one's local commits are gone
    subprocess.run(["git", "clone", "-q", str(origin), str(fresh)], check=True)
    held = _publish(fresh)
    assert held.returncode == 0, held.stderr
    assert {j["state"] for j in json.loads(held.stdout)["jobs"]} <= {"in_flight", "published"}
    _git(fresh, "pull", "-q")
    from smm.data import gitops

    later = datetime.now(timezone.utc) + timedelta(minutes=11)  # the lost run's claims have run out
    done = Publisher(load_repo(fresh), NOW, {}, sleep=lambda s: None, wall=lambda: later,
                     claim=lambda message, write: gitops.claim(fresh, message, write)).run()
    assert {j.state for j in done.jobs} == {"published"}
    found = json.loads((shared / "posts.json").read_text())
    assert sorted((p["text"][:13], p["reply_to"] is not None) for p in found) == [
        ("Happy Friday!", False), ("Happy Friday!", False), ("word word wor", False), ("word word wor", True)]
    records = {p: json.loads((fresh / f"data/published/{p}.json").read_text())["accounts"]["local"] for p in "abt"}
    assert {r["state"] for r in records.values()} == {"published"}
    owned = [r["remote_id"] for r in records.values()] + [records["t"]["parts"][1]["remote_id"]]
    assert sorted(owned) == sorted(p["id"] for p in found)  # every post is one job's: none twice, none lost


@pytest.mark.parametrize("b_state", ["dead in flight", "new, its call times out"])
def test_a_post_another_live_run_made_but_has_not_recorded_is_never_taken(repo, b_state):
    """Run A holds a (claimed, live) and has made its status, not pushed yet; run B reconciles b with
    the same text. B must wait for A's record, not take a's status for b."""
    root = repo({"a.md": due("Happy Friday!"), "b.md": due("Happy Friday!", minutes_ago=9)},
                faults=["timeout"] if b_state.startswith("new") else [])
    at = NOW - timedelta(minutes=1)
    write_record(root, "a", in_flight(["Happy Friday!"], at, until=datetime.now(timezone.utc) + timedelta(minutes=9),
                                      run="a-live-run"))
    if b_state.startswith("dead"):
        dead = in_flight(["Happy Friday!"], at - timedelta(minutes=30), until=at - timedelta(minutes=20))
        (root / "data/published/b.json").write_text(json.dumps({"post": "b", "file": "content/b.md",
                                                                "accounts": {"local": dead}}))
    made_by_a = add_post(root, "Happy Friday!", datetime.now(timezone.utc))  # A's call went through
    assert sorted(run(root)) == [("a", "in_flight"), ("b", "in_flight")]
    assert len(posts(root)) == 1
    write_record(root, "a", {"state": "published", "remote_id": made_by_a, "url": "local://local/1"})  # A pushed
    assert run(root) == [("b", "published")]
    assert len(posts(root)) == 2 and record(root, "b")["remote_id"] != made_by_a


# --- 6. a first comment is its own job: after its post, once, never with a second post ----------


SENT_COMMENT = "Link: https://example.com/x?utm_source=local&utm_medium=social"


def comments(root: Path) -> list[dict]:
    return [p for p in posts(root) if p["text"].startswith("Link: https://example.com/x")]  # UTM-tagged


@pytest.mark.parametrize("faults,first,second", [
    ([], [("a", "published"), ("a+comment", "published")], []),
    (["ok", "reject"], [("a", "published"), ("a+comment", "failed")], [("a+comment", "failed")]),  # refused: not retried
    (["ok", "server_error", "server_error", "server_error"],  # the post out, the comment not: next run, only the comment
     [("a", "published"), ("a+comment", "failed")], [("a+comment", "published")]),
    (["ok", "server_error"], [("a", "published"), ("a+comment", "published")], []),  # looked up, then sent again
    (["ok", "timeout"], [("a", "published"), ("a+comment", "published")], []),  # timed out: looked up, then sent
    (["ok", "lost_response"], [("a", "published"), ("a+comment", "published")], []),  # found, not sent again
    (["ok", "acted_then_503"], [("a", "published"), ("a+comment", "published")], []),
    (["ok", "rate_limit:1"], [("a", "published"), ("a+comment", "published")], []),
    (["timeout", "ok", "reject"], [("a", "published"), ("a+comment", "failed")], [("a+comment", "failed")]),
])
def test_a_first_comment_goes_out_once_under_its_post(repo, faults, first, second):
    root = repo({"a.md": due("Our new blend.", first_comment="'Link: https://example.com/x'")}, faults=faults)
    assert run(root) == first
    assert run(root) == second
    made = comments(root)
    state = record(root, "a+comment")["state"]
    assert len([p for p in posts(root) if p["text"] == "Our new blend."]) == 1
    assert len(made) == (1 if state == "published" else 0)
    if made:
        assert made[0]["reply_to"] == record(root, "a")["remote_id"]
        assert record(root, "a+comment")["remote_id"] == made[0]["id"]


def test_a_post_out_and_its_comment_failed_next_run_sends_only_the_comment(repo):
    root = repo({"a.md": due("Our new blend.", first_comment="'Link: https://example.com/x'")},
                faults=["ok", "server_error", "server_error", "server_error", "server_error"])
    assert run(root) == [("a", "published"), ("a+comment", "failed")]
    assert record(root, "a+comment")["retryable"] is True
    assert run(root) == [("a+comment", "published")]
    assert len(posts(root)) == 2 and comments(root)[0]["reply_to"] == record(root, "a")["remote_id"]


@pytest.mark.parametrize("comment_record", [
    "dead in flight, its call went through",
    "dead in flight, its call never arrived",
])
def test_a_comment_left_in_flight_is_reconciled_not_sent_again(repo, comment_record):
    root = repo({"a.md": due("Our new blend.", first_comment="'Link: https://example.com/x'")})
    post_id = add_post(root, "Our new blend.", NOW - timedelta(minutes=9))
    write_record(root, "a", {"state": "published", "remote_id": post_id, "url": f"local://local/{post_id}",
                             "parts": [{"remote_id": post_id, "url": f"local://local/{post_id}"}]})
    at = datetime.now(timezone.utc) - timedelta(minutes=5)
    if comment_record.endswith("went through"):
        add_post(root, SENT_COMMENT, at + timedelta(seconds=1), reply_to=post_id)
    (root / "data/published/a+comment.json").write_text(json.dumps({
        "post": "a+comment", "file": "content/a.md", "accounts": {"local": in_flight([SENT_COMMENT], at)}}))
    assert run(root) == [("a+comment", "published")]
    assert len(comments(root)) == 1 and comments(root)[0]["reply_to"] == post_id
    assert run(root) == []


@pytest.mark.parametrize("crash", ["after_claim:2", "after_in_flight:2", "after_call:2", "before_record:2",
                                   "after_call:1", "before_record:1"])
def test_a_runner_lost_between_a_post_and_its_comment_sends_neither_twice(repo, tmp_path, crash):
    """Killed at the comment's step (the second claim, call or record) or between the post's call
    and its record: a fresh runner ends with one post and one comment under it."""
    shared = tmp_path / "network"
    root = repo({"a.md": due("Our new blend.", first_comment="'Link: https://example.com/x'")},
                platforms=f"timezone: UTC\naccounts:\n  local: {{platform: local, path: '{shared}'}}\n")
    origin = _origin(root, tmp_path)
    lost = tmp_path / "lost"
    subprocess.run(["git", "clone", "-q", str(origin), str(lost)], check=True)
    assert _publish(lost, crash).returncode == -9
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(origin), str(fresh)], check=True)
    from smm.data import gitops

    later = datetime.now(timezone.utc) + timedelta(minutes=11)  # the lost run's claims have run out
    done = Publisher(load_repo(fresh), NOW, {}, sleep=lambda s: None, wall=lambda: later,
                     claim=lambda message, write: gitops.claim(fresh, message, write)).run()
    assert {j.state for j in done.jobs} == {"published"}
    found = json.loads((shared / "posts.json").read_text())
    assert sorted(p["text"][:14] for p in found) == ["Link: https://", "Our new blend."]
    post, comment = (json.loads((fresh / f"data/published/{p}.json").read_text())["accounts"]["local"]
                     for p in ("a", "a+comment"))
    assert [post["remote_id"], comment["remote_id"]] == [p["id"] for p in found]
    assert found[1]["reply_to"] == post["remote_id"]
