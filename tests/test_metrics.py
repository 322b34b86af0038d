"""`smm metrics`: collection into data/metrics and data/accounts, against the local test double.

Tests never sleep: `sleep` is a list's append (or advances a fake clock), and the adapters
are the `local` double (likes in its posts.json, followers in followers.json) or fakes.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import post_text

from smm.errors import RateLimited, TransientError
from smm.data.tables import FOLLOWERS, METRICS, append_rows
from smm.metrics import collect as metrics
from smm.metrics.progress import PlainProgress, RichProgress, progress_for
from smm.metrics.results import MetricsReport, commit_message, format_metrics, format_text
from smm.platforms.bluesky import Bluesky
from smm.platforms.local import Local
from smm.platforms.mastodon import Mastodon
from smm.workspace.repo import load_repo

NOW = datetime.fromisoformat("2026-12-01T12:00:00+08:00")
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  local: {platform: local, path: .local/local}
  other: {platform: local, path: .local/other}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON_TOKEN}
"""
METRIC_HEADER = "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks"
FOLLOWER_HEADER = "collected_at,account,platform,followers"


def published(root: Path, post_id: str, at: str, accounts: dict[str, str]) -> None:
    """A post file and its publish record: published on each account under the given remote id."""
    (root / "content").mkdir(exist_ok=True)
    (root / f"content/{post_id}.md").write_text(
        post_text(publish_at=at, platforms=f"[{', '.join(accounts)}]"), encoding="utf-8")
    moment = datetime.fromisoformat(at + "+08:00") + timedelta(minutes=2)
    record = {"post": post_id, "file": f"content/{post_id}.md", "accounts": {
        name: {"state": "published", "attempts": 1, "remote_id": remote_id, "url": f"local://{name}/{remote_id}",
               "published_at": moment.astimezone().isoformat(timespec="seconds"), "error": None}
        for name, remote_id in accounts.items()}}
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    (root / f"data/published/{post_id}.json").write_text(json.dumps(record), encoding="utf-8")


def remote(root: Path, account: str, posts: list[dict], followers: int | None = None) -> None:
    """What the local double holds: posts (id, likes, reposts, replies) and a follower count."""
    folder = root / ".local" / account
    folder.mkdir(parents=True, exist_ok=True)
    full = [{"key": f"k{p['id']}", "url": f"local://{account}/{p['id']}", "post": "", "text": "", "reply_to": None,
             "likes": 0, "reposts": 0, "replies": 0, **p} for p in posts]
    (folder / "posts.json").write_text(json.dumps(full), encoding="utf-8")
    if followers is not None:
        (folder / "followers.json").write_text(json.dumps(followers), encoding="utf-8")


@pytest.fixture
def root(make_repo) -> Path:
    root = make_repo(platforms=PLATFORMS, calendar=None)
    published(root, "a", "2026-11-30T12:00", {"feed": "urn:uuid:1", "local": "1", "other": "1", "mastodon": "m1"})
    published(root, "b", "2026-12-01T09:00", {"local": "2"})
    published(root, "old", "2026-10-01T09:00", {"local": "3"})  # outside the default 30 days
    remote(root, "local", [{"id": "1", "likes": 5, "reposts": 2, "replies": 1}, {"id": "2", "likes": 7},
                           {"id": "3", "likes": 1}], followers=120)
    remote(root, "other", [{"id": "1", "likes": 3}], followers=45)
    return root


def rows(root: Path, file: str) -> list[dict]:
    with open(root / file, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def collect(root: Path, now: datetime = NOW, **kwargs) -> MetricsReport:
    kwargs.setdefault("sleep", [].append)
    return metrics.collect(load_repo(root), now, {}, **kwargs)


def test_rows_have_the_exact_columns_and_counts(root):
    report = collect(root)
    text = (root / "data/metrics/2026-12.csv").read_text("utf-8")
    assert text.splitlines() == [
        METRIC_HEADER,
        "2026-12-01T04:00:00Z,a,local,local,1,5,2,1,,,",
        "2026-12-01T04:00:00Z,b,local,local,2,7,0,0,,,",
        "2026-12-01T04:00:00Z,a,other,local,1,3,0,0,,,",
    ]
    assert (root / "data/accounts/2026-12.csv").read_text("utf-8").splitlines() == [
        FOLLOWER_HEADER, "2026-12-01T04:00:00Z,local,local,120", "2026-12-01T04:00:00Z,other,local,45"]
    assert (report.metric_rows, report.follower_rows) == (3, 2)
    assert report.files == ["data/metrics/2026-12.csv", "data/accounts/2026-12.csv"]
    assert tuple(METRICS.columns) == tuple(METRIC_HEADER.split(","))
    assert tuple(FOLLOWERS.columns) == tuple(FOLLOWER_HEADER.split(","))


def test_adapters_without_metrics_or_secrets_are_skipped_with_a_reason(root):
    report = collect(root)
    by = {a.account: a for a in report.accounts}
    assert (by["feed"].state, by["feed"].reason) == ("skipped", "Feed (Atom + JSON Feed) has no metrics to collect")
    assert (by["mastodon"].state, by["mastodon"].reason) == ("not_configured", "not configured: set T_MASTODON_TOKEN")
    assert (by["local"].state, by["local"].posts, by["local"].followers) == ("collected", 2, 120)
    assert report.exit_code == 1  # an account lacks its secret, as with `smm publish`
    out = format_text(report)
    assert "skipped            feed  Feed (Atom + JSON Feed) has no metrics to collect" in out
    assert "collected          local  2 posts; followers 120" in out
    assert out.splitlines()[-1] == ("3 metric rows, 2 follower rows appended to data/metrics/2026-12.csv and "
                                    "data/accounts/2026-12.csv")


def test_without_unconfigured_accounts_the_run_succeeds(make_repo):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n", calendar=None)
    published(root, "a", "2026-11-30T12:00", {"local": "1"})
    remote(root, "local", [{"id": "1", "likes": 2}], followers=10)
    report = collect(root)
    assert report.exit_code == 0
    assert report.as_json() == {
        "collected_at": "2026-12-01T04:00:00Z", "since": "2026-11-01T04:00:00Z",
        "accounts": [{"account": "local", "platform": "local", "state": "collected", "posts": 1, "fresh": 0,
                      "missing": [], "followers": 10, "followers_state": "collected", "reason": None}],
        "rows": {"metrics": 1, "followers": 1, "competitors": 0},
        "files": ["data/metrics/2026-12.csv", "data/accounts/2026-12.csv"], "competitors": []}


def test_a_second_run_within_the_interval_adds_no_rows(root):
    collect(root)
    again = collect(root, NOW + timedelta(minutes=59))
    assert (again.metric_rows, again.follower_rows) == (0, 0)
    assert {a.account: a.state for a in again.accounts}["local"] == "fresh"
    assert len(rows(root, "data/metrics/2026-12.csv")) == 3
    assert len(rows(root, "data/accounts/2026-12.csv")) == 2
    later = collect(root, NOW + timedelta(minutes=61))
    assert (later.metric_rows, later.follower_rows) == (3, 2)
    assert len(rows(root, "data/metrics/2026-12.csv")) == 6


def test_the_interval_is_configurable(root):
    collect(root)
    assert collect(root, NOW + timedelta(minutes=11), interval=timedelta(minutes=10)).metric_rows == 3
    assert collect(root, NOW + timedelta(hours=5), interval=timedelta(hours=6)).metric_rows == 0


def test_dedupe_reads_last_month_across_the_boundary(root):
    first = datetime.fromisoformat("2026-12-01T07:40:00+08:00")  # 2026-11-30T23:40Z: the November file
    collect(root, first)
    assert rows(root, "data/metrics/2026-11.csv")
    report = collect(root, first + timedelta(minutes=30))  # December in UTC now
    assert report.metric_rows == 0 and not (root / "data/metrics/2026-12.csv").exists()


def test_only_new_posts_are_asked_within_the_interval(root):
    collect(root)
    published(root, "c", "2026-12-01T12:10", {"local": "4"})
    remote(root, "local", [{"id": "1", "likes": 9}, {"id": "2"}, {"id": "4", "likes": 1}], followers=121)
    report = collect(root, NOW + timedelta(minutes=20))
    local = {a.account: a for a in report.accounts}["local"]
    assert (local.posts, local.fresh) == (1, 2)
    assert [r["post_id"] for r in rows(root, "data/metrics/2026-12.csv")][-1] == "c"


def test_the_window_is_configurable(root):
    report = collect(root, since=timedelta(days=90))
    assert {r["post_id"] for r in rows(root, "data/metrics/2026-12.csv")} == {"a", "b", "old"}
    assert report.since == NOW - timedelta(days=90)


def test_posts_the_network_no_longer_has_are_reported(root):
    remote(root, "local", [{"id": "1", "likes": 5}], followers=120)
    report = collect(root)
    local = {a.account: a for a in report.accounts}["local"]
    assert (local.posts, local.missing) == (1, ["b"])
    assert "not found: b" in format_text(report)


class FaultyLocal(Local):
    """The local double, with a scripted list of errors before its metrics calls succeed."""

    faults: list = []
    calls: list = []

    def metrics(self, remote_ids):
        FaultyLocal.calls.append(list(remote_ids))
        if FaultyLocal.faults:
            raise FaultyLocal.faults.pop(0)
        return super().metrics(remote_ids)


def faulty(root: Path, faults: list):
    FaultyLocal.faults, FaultyLocal.calls = list(faults), []
    repo = load_repo(root)
    return lambda account: FaultyLocal(repo.config.accounts[account], {}, root)


class FakeClock:
    """Monotonic seconds that move only when the collector sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limits_are_waited_out_as_the_network_asks(root):
    clock = FakeClock()
    adapters = faulty(root, [RateLimited("429", retry_after=7), RateLimited("429", retry_after=3)])
    report = collect(root, sleep=clock.sleep, clock=clock, adapter_for=adapters, concurrency=1)
    assert clock.sleeps == [7.0, 3.0]
    assert {a.account: a.state for a in report.accounts}["local"] == "collected"
    assert len(rows(root, "data/metrics/2026-12.csv")) == 3


def test_a_long_rate_limit_is_left_to_the_next_run(root):
    clock = FakeClock()
    report = collect(root, sleep=clock.sleep, clock=clock, adapter_for=faulty(root, [RateLimited("429", retry_after=900)]),
                     concurrency=1)
    local = {a.account: a for a in report.accounts}["local"]
    assert clock.sleeps == []
    assert local.state == "failed" and local.reason.startswith("rate limited (429; asked to wait 900 s)")
    assert report.exit_code == 1
    assert [r["account"] for r in rows(root, "data/metrics/2026-12.csv")] == ["other"]
    again = collect(root, NOW + timedelta(minutes=5), adapter_for=faulty(root, []))
    assert {a.account: a.posts for a in again.accounts}["local"] == 2  # the rest, on the next run


def test_a_rate_limit_without_retry_after_backs_off(root):
    clock = FakeClock()
    collect(root, sleep=clock.sleep, clock=clock, adapter_for=faulty(root, [RateLimited("429"), TransientError("503")]),
            concurrency=1)
    assert clock.sleeps == [2.0, 4.0]
    assert len(rows(root, "data/metrics/2026-12.csv")) == 3


def test_concurrency_is_bounded(make_repo):
    accounts = "".join(f"  l{i}: {{platform: local, path: .local/l{i}}}\n" for i in range(3))
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n{accounts}", calendar=None)
    for n in range(60):
        published(root, f"p{n:02d}", "2026-11-30T12:00", {f"l{i}": str(n) for i in range(3)})
    for i in range(3):
        remote(root, f"l{i}", [{"id": str(n), "likes": n} for n in range(60)], followers=i)
    lock, state = threading.Condition(), {"active": 0, "max": 0, "calls": 0}

    class Counting(Local):
        def _enter(self):
            with lock:
                state["active"] += 1
                state["calls"] += 1
                state["max"] = max(state["max"], state["active"])
                lock.notify_all()
                lock.wait_for(lambda: state["active"] >= 2, timeout=5)  # proves two run at once

        def _leave(self):
            with lock:
                state["active"] -= 1

        def metrics(self, remote_ids):
            self._enter()
            try:
                return super().metrics(remote_ids)
            finally:
                self._leave()

        def followers(self):
            self._enter()
            try:
                return super().followers()
            finally:
                self._leave()

    repo = load_repo(root)
    report = metrics.collect(repo, NOW, {}, concurrency=2, sleep=[].append,
                             adapter_for=lambda a: Counting(repo.config.accounts[a], {}, root))
    assert state["calls"] == 3 * (3 + 1)  # 3 batches of 25, 25, 10 and followers, per account
    assert state["max"] == 2
    assert report.metric_rows == 180


def test_a_partial_line_from_a_crash_is_cut_before_appending(root):
    collect(root)
    path = root / "data/metrics/2026-12.csv"
    path.write_text(path.read_text("utf-8") + "2026-12-01T05:00:00Z,a,lo", encoding="utf-8")
    collect(root, NOW + timedelta(hours=2))
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 7 and all(line.count(",") == 10 for line in lines)


def test_progress_prints_plain_lines_in_ci(root):
    stream = io.StringIO()
    progress = progress_for(stream, {"CI": "true"})
    assert isinstance(progress, PlainProgress)
    collect(root, progress=progress)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "smm metrics: 4 calls to make"
    assert [line.split("] ")[0] for line in lines[1:]] == [f"smm metrics: [{n}/4" for n in range(1, 5)]
    assert sorted(line.split("] ")[1] for line in lines[1:]) == [
        "local: 2 posts", "local: followers", "other: 1 post", "other: followers"]


def test_a_terminal_gets_a_progress_bar():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert isinstance(progress_for(Tty(), {}), RichProgress)
    assert isinstance(progress_for(Tty(), {"CI": "true"}), PlainProgress)


def test_commit_message_and_json(root):
    report = collect(root)
    message = commit_message(report)
    assert message.splitlines()[0] == "smm metrics: 3 metric rows, 2 follower rows"
    assert "- local: collected, 2 posts, 120 followers" in message
    data = json.loads(format_metrics(report, "json"))
    assert set(data) == {"collected_at", "since", "accounts", "rows", "files", "competitors"}


def test_run_commits_data_as_the_bot(root):
    import git

    repository = git.Repo.init(root)
    repository.git.add("--all")
    repository.git.commit("-m", "init", env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                                             "GIT_COMMITTER_EMAIL": "t@t"})
    from smm.data.lock import recorded

    with recorded(root, "metrics", commit=True, describe=commit_message) as run:
        run.report = metrics.collect(load_repo(root), NOW, {}, sleep=[].append)
    assert run.report.git_error is None
    head = repository.head.commit
    assert head.message.startswith("smm metrics: 3 metric rows, 2 follower rows")
    assert sorted(head.stats.files) == ["data/accounts/2026-12.csv", "data/metrics/2026-12.csv"]


# -- the real adapters' metrics() and followers(), with their SDK clients stubbed -------------


def test_mastodon_statuses_become_rows(make_repo):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  m: {platform: mastodon, instance: https://m.example, "
                               "token_env: T}\n", calendar=None)
    published(root, "a", "2026-11-30T12:00", {"m": "1101"})
    published(root, "b", "2026-11-30T13:00", {"m": "1102"})
    statuses = {"1101": {"favourites_count": 4, "reblogs_count": 1, "replies_count": 2, "quotes_count": None},
                "1102": {"favourites_count": 0, "reblogs_count": 0, "replies_count": 0}}
    closed = []
    api = SimpleNamespace(status=lambda i: statuses[i], me=lambda: {"followers_count": 321},
                          session=SimpleNamespace(close=lambda: closed.append(True)))
    repo = load_repo(root)

    def adapter(account):
        return Mastodon(repo.config.accounts[account], {"T": "x"}, root, client_factory=lambda **keywords: api)

    report = metrics.collect(repo, NOW, {"T": "x"}, adapter_for=adapter, sleep=[].append)
    assert [list(r.values())[1:] for r in rows(root, "data/metrics/2026-12.csv")] == [
        ["a", "m", "mastodon", "1101", "4", "1", "2", "", "", ""], ["b", "m", "mastodon", "1102", "0", "0", "0", "", "", ""]]
    assert report.accounts[0].followers == 321
    assert closed == [True]  # its connections are released at the end of the run


def test_bluesky_posts_become_rows(make_repo):
    root = make_repo(platforms="timezone: UTC\naccounts:\n  b: {platform: bluesky, handle: x.bsky.social, "
                               "password_env: P}\n", calendar=None)
    uri = "at://did:plc:abc/app.bsky.feed.post/3kabc"
    published(root, "a", "2026-11-30T12:00", {"b": uri})
    view = SimpleNamespace(uri=uri, like_count=9, repost_count=2, reply_count=1, quote_count=3)
    client = SimpleNamespace(get_posts=lambda uris: SimpleNamespace(posts=[view] if uri in uris else []),
                             get_profile=lambda did: SimpleNamespace(followers_count=77 if did == "did:plc:abc" else 0),
                             login=lambda handle, password, **options: None,
                             request=SimpleNamespace(close=lambda: None),
                             com=SimpleNamespace(atproto=SimpleNamespace(server=SimpleNamespace(
                                 get_session=lambda: SimpleNamespace(did="did:plc:abc")))))
    repo = load_repo(root)

    def adapter(account):
        return Bluesky(repo.config.accounts[account], {"P": "x"}, root, client_factory=lambda base_url: client)

    metrics.collect(repo, NOW, {"P": "x"}, adapter_for=adapter, sleep=[].append)
    assert (root / "data/metrics/2026-12.csv").read_text("utf-8").splitlines()[1] == \
        f"2026-12-01T04:00:00Z,a,b,bluesky,{uri},9,2,1,3,,"
    assert (root / "data/accounts/2026-12.csv").read_text("utf-8").splitlines()[1] == "2026-12-01T04:00:00Z,b,bluesky,77"


def test_a_whole_last_row_without_newline_is_kept_and_a_partial_one_cut(tmp_path):

    columns = ["collected_at", "account", "platform", "followers"]
    (tmp_path / "whole.csv").write_text("collected_at,account,platform,followers\n2026-11-26T04:00:00Z,b,bluesky,1737")
    append_rows(tmp_path, "whole.csv", columns, [["2026-11-27T04:00:00Z", "b", "bluesky", 1740]])
    assert (tmp_path / "whole.csv").read_text().splitlines()[1:] == [
        "2026-11-26T04:00:00Z,b,bluesky,1737", "2026-11-27T04:00:00Z,b,bluesky,1740"]
    (tmp_path / "partial.csv").write_text("collected_at,account,platform,followers\n2026-11-26T04:00:00Z,b,blu")
    append_rows(tmp_path, "partial.csv", columns, [["2026-11-27T04:00:00Z", "b", "bluesky", 1740]])
    assert (tmp_path / "partial.csv").read_text().splitlines()[1:] == ["2026-11-27T04:00:00Z,b,bluesky,1740"]


@pytest.mark.parametrize("content", [b"wrong,header\n1,2\n", b"\xff\xfe not text"])
def test_an_unreadable_metrics_file_is_a_message_not_a_traceback(tmp_path, content, monkeypatch):
    import subprocess
    import sys

    from conftest import PLATFORMS

    (tmp_path / "platforms.yml").write_text(PLATFORMS)
    (tmp_path / "data/metrics").mkdir(parents=True)
    (tmp_path / "data/metrics/2026-11.csv").write_bytes(content)
    for command in (["metrics", "--now", "2026-11-26T12:00"], ["report", "--now", "2026-11-26T12:00"]):
        result = subprocess.run([sys.executable, "-m", "smm", *command], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 1, (command, result.stderr)
        assert result.stderr.startswith("error: data/metrics/2026-11.csv:"), result.stderr
