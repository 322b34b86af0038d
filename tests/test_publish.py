"""`smm publish`: due jobs, records, the never-twice protocol, faults, crashes, locks, the feed."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import post_text

from smm.errors import AuthError, NotSupported, TransientError
from smm.platforms import PublishResult
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NOW = "2026-12-01T12:00:00+08:00"
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com, max_entries: 3}
  local: {platform: local, path: .local/local}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON_TOKEN}
"""


@pytest.fixture
def repo(make_repo):
    def build(posts: dict[str, str], faults: list[str] | None = None, platforms: str = PLATFORMS) -> Path:
        root = make_repo(posts, platforms=platforms, calendar=None)
        if faults is not None:
            set_faults(root, faults)
        return root
    return build


def set_faults(root: Path, faults: list[str]) -> None:
    (root / ".local/local").mkdir(parents=True, exist_ok=True)
    (root / ".local/local/faults.json").write_text(json.dumps(faults))


def remote_posts(root: Path) -> list[dict]:
    path = root / ".local/local/posts.json"
    return json.loads(path.read_text()) if path.exists() else []


def record(root: Path, post: str) -> dict:
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


def due(at="2026-12-01T11:00", accounts="[feed, local]", body="Hello 你好", **fields) -> str:
    return post_text(body, publish_at=at, platforms=accounts, **fields)


def publish(smm, *args, now=NOW):
    code, out, err = smm("publish", "--now", now, "--format", "json", *args)
    return code, (json.loads(out) if out.strip().startswith("{") else out), err


def test_publishes_due_posts_once_and_never_early(repo, smm):
    root = repo({"a.md": due(), "b.md": due("2026-12-01T11:30"), "later.md": due("2026-12-01T12:01")})
    code, report, _ = publish(smm)
    assert code == 0
    assert sorted((j["post"], j["account"], j["state"]) for j in report["jobs"]) == [
        ("a", "feed", "published"), ("a", "local", "published"), ("b", "feed", "published"), ("b", "local", "published")]
    assert [p["post"] for p in remote_posts(root)] == ["a", "b"]
    assert record(root, "a")["local"]["state"] == "published"
    assert record(root, "a")["local"]["url"] == "local://local/1"
    code, report, _ = publish(smm)
    assert (code, report) == (0, {"jobs": []})
    assert len(remote_posts(root)) == 2
    assert not (root / "data/published/later.json").exists()


def test_text_output_and_nothing_due(repo, smm):
    repo({"a.md": due()})
    code, out, _ = smm("publish", "--now", NOW)
    assert code == 0
    assert "published     a → local  local://local/1" in out
    assert out.splitlines()[-1] == "2 published"
    code, out, _ = smm("publish", "--now", NOW)
    assert out.splitlines()[-1] == "nothing due"


def test_late_jobs_are_recorded_not_published(repo, smm):
    root = repo({"old.md": due("2026-12-01T05:00"), "recent.md": due("2026-12-01T07:00")})
    code, report, _ = publish(smm)
    states = {(j["post"], j["account"]): j["state"] for j in report["jobs"]}
    assert code == 0
    assert states == {("old", "feed"): "published", ("old", "local"): "late",
                      ("recent", "feed"): "published", ("recent", "local"): "published"}
    assert "over this account's max_lateness" in record(root, "old")["local"]["error"]
    assert publish(smm)[1] == {"jobs": []}  # reported once
    code, report, _ = publish(smm, "--include-late")
    assert [(j["post"], j["state"]) for j in report["jobs"]] == [("old", "published")]
    assert [p["post"] for p in remote_posts(root)] == ["recent", "old"]


def test_missing_secret_skips_and_names_the_variable(repo, smm):
    root = repo({"a.md": due(accounts="[feed, mastodon]")})
    code, report, _ = publish(smm)
    job = next(j for j in report["jobs"] if j["account"] == "mastodon")
    assert code == 1
    assert job == {"post": "a", "account": "mastodon", "state": "skipped", "url": None,
                   "error": "not configured: set T_MASTODON_TOKEN"}
    assert record(root, "a")["mastodon"] == {"state": "pending", "error": "not configured: set T_MASTODON_TOKEN"}
    code, out, _ = smm("publish", "--now", NOW)
    assert "not configured: mastodon (set T_MASTODON_TOKEN)" in out


def adapters(root: Path, **replaced):
    """Publisher's `platform_for`: each account's adapter class, some `replaced` by account name."""
    from smm.platforms import platform_class

    accounts = load_repo(root).config.accounts
    return lambda account: replaced.get(account) or platform_class(accounts[account].platform)


def _publisher(root: Path, sleeps: list | None = None, **kwargs) -> Publisher:
    return Publisher(load_repo(root), datetime.fromisoformat(NOW), {}, sleep=(sleeps if sleeps is not None else []).append,
                     **kwargs)


def test_rate_limit_is_waited_out_within_the_run(repo):
    root = repo({"a.md": due(accounts="[local]")}, faults=["rate_limit:7", "rate_limit:3"])
    sleeps = []
    report = _publisher(root, sleeps).run()
    assert [j.state for j in report.jobs] == ["published"]
    assert sleeps == [7.0, 3.0]
    assert record(root, "a")["local"]["attempts"] == 1


def test_a_long_rate_limit_is_left_to_the_next_run(repo):
    root = repo({"a.md": due(accounts="[local]")}, faults=["rate_limit:900"])
    report = _publisher(root).run()
    assert [(j.state, j.error) for j in report.jobs] == [("failed", "429 Too Many Requests")]
    assert record(root, "a")["local"]["retryable"] is True
    assert [j.state for j in _publisher(root).run().jobs] == ["published"]


def test_lost_response_is_reconciled_not_repeated(repo):
    root = repo({"a.md": due(accounts="[local]")}, faults=["lost_response"])
    assert [j.state for j in _publisher(root).run().jobs] == ["published"]
    assert len(remote_posts(root)) == 1


def test_timeout_before_creation_is_retried(repo):
    root = repo({"a.md": due(accounts="[local]")}, faults=["timeout", "server_error"])
    sleeps = []
    assert [j.state for j in _publisher(root, sleeps).run().jobs] == ["published"]
    assert len(remote_posts(root)) == 1 and sleeps == [2.0, 4.0]


def test_permanent_rejection_is_not_retried_until_the_post_changes(repo, smm):
    root = repo({"a.md": due(accounts="[local]")}, faults=["reject"])
    code, report, _ = publish(smm)
    assert (code, report["jobs"][0]["state"]) == (1, "failed")
    assert "not retried" in report["jobs"][0]["error"]
    code, report, _ = publish(smm)  # reported by every run, never retried
    assert (code, [j["state"] for j in report["jobs"]], len(remote_posts(root))) == (1, ["failed"], 0)
    (root / "content/a.md").write_text(due(accounts="[local]", body="Shorter text"))
    code, report, _ = publish(smm)
    assert (code, report["jobs"][0]["state"]) == (0, "published")
    assert [p["text"] for p in remote_posts(root)] == ["Shorter text"]


def test_thread_resumes_from_the_failed_part(repo):
    body = ("word " * 90 + "\n\n") * 2
    root = repo({"t.md": due(accounts="[local]", body=body, thread="auto")},
                faults=["ok", "server_error", "server_error", "server_error"])
    report = _publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert len(record(root, "t")["local"]["parts"]) == 1
    report = _publisher(root).run()
    assert [j.state for j in report.jobs] == ["published"]
    posts = remote_posts(root)
    assert [(p["id"], p["reply_to"]) for p in posts] == [("1", None), ("2", "1")]


# Every way find() can fail to tell leaves the job unconfirmed, never retried by itself, and the
# message names `smm resolve` (--retry-unconfirmed still works).
def _raises(error):
    def find():
        raise error
    return find


@pytest.mark.parametrize("cannot_tell", [
    _raises(NotSupported("no way to look")), _raises(TransientError("503 while looking")),
    _raises(AuthError("token expired while looking")), lambda: PublishResult("owned-by-b", None),
], ids=["not-supported", "transient", "auth", "matches-another-records-post"])
def test_in_flight_that_cannot_be_reconciled_becomes_unconfirmed(repo, cannot_tell):
    from smm.platforms.local import Local

    class CannotTell(Local):
        def find(self, outgoing, *, idempotency_key, lookup):
            return cannot_tell()

    root = repo({"a.md": due(accounts="[local]"), "b.md": due(accounts="[local]")})
    (root / "data/published").mkdir(parents=True)
    (root / "data/published/a.json").write_text(json.dumps(
        {"post": "a", "file": "content/a.md", "accounts": {"local": {"state": "in_flight", "attempts": 1, "key": "k1"}}}))
    (root / "data/published/b.json").write_text(json.dumps({"post": "b", "file": "content/b.md", "accounts": {"local": {
        "state": "published", "remote_id": "owned-by-b", "url": None, "published_at": "2026-11-30T00:00:00+00:00"}}}))
    for _ in range(2):  # never retried automatically
        report = _publisher(root, platform_for=adapters(root, local=CannotTell)).run()
        assert (report.exit_code, report.jobs[0].state) == (1, "unconfirmed")
        error = report.jobs[0].error
        assert "`smm resolve a --account local --published URL`" in error and "--not-published" in error
        assert "retry-unconfirmed" not in error
    assert remote_posts(root) == []
    report = _publisher(root, platform_for=adapters(root, local=CannotTell), retry_unconfirmed=("a",)).run()
    assert (report.exit_code, report.jobs[0].state) == (0, "published")
    assert remote_posts(root)[0]["key"] == "k1"  # the key of the call that was under way


def test_dry_run_writes_nothing(repo, smm):
    root = repo({"a.md": due()})
    code, report, _ = publish(smm, "--dry-run")
    assert {j["state"] for j in report["jobs"]} == {"would_publish"}
    assert not (root / "data").exists() and remote_posts(root) == []


def test_a_second_run_waits_for_the_lock_then_gives_up(repo, smm):
    from smm.data.lock import exclusive

    root = repo({"a.md": due()})
    with exclusive(root, "publish"):
        code, _, err = smm("publish", "--now", NOW, "--lock-timeout", "0")
    assert code == 1
    assert "another `smm publish` is running" in err
    assert remote_posts(root) == []


def test_feed_is_valid_atom_and_json_feed(repo, smm):
    root = repo({f"p{i}.md": due(f"2026-12-01T0{i}:00", accounts="[feed]", title=f"Post {i} & <more>")
                 for i in range(1, 6)})
    publish(smm)
    tree = ET.parse(root / "data/feed/feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert tree.tag == "{http://www.w3.org/2005/Atom}feed"
    for tag in ("id", "title", "updated", "author/a:name"):
        assert tree.find(f"a:{tag}", ns) is not None, tag
    entries = tree.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["Post 5 & <more>", "Post 4 & <more>", "Post 3 & <more>"]
    for entry in entries:
        assert entry.find("a:id", ns).text.startswith("urn:uuid:")
        assert entry.find("a:updated", ns).text.endswith("+00:00")
        assert entry.find("a:content", ns).get("type") == "html"
    data = json.loads((root / "data/feed/feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"] for i in data["items"]] == [e.find("a:id", ns).text for e in entries]
    ids_before = [i["id"] for i in data["items"]]
    (root / "data/published/p5.json").unlink()  # republishing the same post keeps its entry id
    publish(smm, "--include-late")
    assert [i["id"] for i in json.loads((root / "data/feed/feed.json").read_text())["items"]] == ids_before


# A feed.json smm cannot use fails the feed job with where it is wrong, never "internal error".
@pytest.mark.parametrize("written,says", [
    ('{"items": 5}', "`items` is not a list"),
    ('{"items": [1, "x", null]}', "`items[0]` is not an entry smm wrote"),
    ('{"items": [{"id": 5, "date_published": 7}]}', "`items[0]` has no text `id`"),
    ('{"items": [{"id": "urn:x", "title": "t", "content_html": {"a": 1}}]}', "`items[0]` has no text `content_html`"),
    ('{"items": [{"id": "urn:x", "title": "t", "content_html": "", "date_published": "2026-11-30T10:00:00+00:00"}]}',
     "`items[0]` has no text `date_modified`"),
    ('{"items": [{"id": "u", "title": "t", "content_html": "", "date_published": "d", "date_modified": "d", "url": 3}]}',
     "`items[0]` is not an entry smm wrote"),
    ('{"items": [{"id": "u", "title": "t", "content_html": "", "date_published": "d", "date_modified": "d", '
     '"attachments": [{"url": "u", "mime_type": "video/mp4"}]}]}', "`items[0]` is not an entry smm wrote"),
    ("[1, 2]", "data/feed/feed.json:1:1: not a JSON object"),
    ("[" * 5000 + "]" * 5000, "nested more than 32 levels deep"),
])
def test_a_feed_file_smm_cannot_use_fails_the_job_with_where(repo, smm, written, says):
    root = repo({"a.md": due(accounts="[feed]")})
    (root / "data/feed").mkdir(parents=True)
    (root / "data/feed/feed.json").write_text(written)
    code, report, err = publish(smm)
    assert code == 1 and [j["state"] for j in report["jobs"]] == ["failed"], report
    error = report["jobs"][0]["error"]
    assert says in error and "git checkout -- data/feed/feed.json" in error and "internal error" not in error


# A record or feed smm cannot write (read-only checkout, a file or folder in the way) fails each
# job with the path and the reason, never "internal error", and nothing goes out. (A read-only
# checkout, where root cannot be used, is run as `nobody` in test_publish_ops.py; a file where
# data/published belongs stops the run before any job: test_review13_data.py.)
@pytest.mark.parametrize("accounts,in_the_way,says", [
    ("[feed]", lambda root: (root / "data").mkdir() or (root / "data/feed").write_text("x"),
     "cannot write data/feed/feed.xml: File exists"),
    ("[feed]", lambda root: (root / "data/feed/feed.xml").mkdir(parents=True),
     "cannot write data/feed/feed.xml: Is a directory"),
])
def test_a_file_smm_cannot_write_fails_the_job_with_path_and_reason(repo, smm, accounts, in_the_way, says):
    root = repo({"a.md": due(accounts=accounts)})
    in_the_way(root)
    code, report, _ = publish(smm)
    assert code == 1 and {j["state"] for j in report["jobs"]} == {"failed"}, report
    assert all(says in j["error"] and "internal error" not in j["error"] for j in report["jobs"]), report
    assert remote_posts(root) == [] and not (root / "data/feed/feed.json").is_file()


# A record that cannot be written before the call sends nothing; after the call, the report says
# what went out, the record on disk stays in flight, and the next run finds it: never twice.
@pytest.mark.parametrize("fails_when,says,sent", [
    (lambda text: True, "cannot write data/published/a.json: No space left on device; nothing was sent", 0),
    (lambda text: '"parts"' in text, "; sent but not recorded: local://local/1 (the record on disk says in flight", 1),
    (lambda text: '"published"' in text, "; it went out (local://local/1) and the record on disk has it", 1),
])
def test_a_record_it_cannot_write_mid_job_never_loses_or_doubles_the_post(repo, monkeypatch, fails_when, says, sent):
    import errno

    import smm.data.records
    from smm.workspace.files import write_atomic

    root = repo({"a.md": due(accounts="[local]")})

    def full_disk(path, text, root=None):
        if path.name == "a.json" and fails_when(text):
            raise smm.workspace.files.CannotWrite("data/published/a.json", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        write_atomic(path, text, root)

    with monkeypatch.context() as patched:
        patched.setattr(smm.data.records, "write_atomic", full_disk)
        [job] = _publisher(root).run().jobs
    assert (job.state, len(remote_posts(root))) == ("failed", sent) and says in job.error, job.error
    [job] = _publisher(root).run().jobs  # the disk has room again
    assert job.state == "published" and len(remote_posts(root)) == 1


# --- a real `smm publish` process, killed at each step, then run again -----------------------

CRASH_POINTS = ["after_in_flight", "after_call", "before_record", "before_commit"]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def _run(root: Path, *args: str, crash: str | None = None) -> subprocess.CompletedProcess:
    from crashing_smm import command

    return subprocess.run(command(crash, "publish", *args), cwd=root, env={**os.environ, "SMM_NOW": NOW},
                          capture_output=True, text=True)


@pytest.mark.parametrize("crash", CRASH_POINTS + ["platform_crash"])
def test_killed_at_any_step_then_run_again_publishes_exactly_once(repo, crash):
    body = ("word " * 90 + "\n\n") * 2
    root = repo({"a.md": due(), "t.md": due(accounts="[local]", body=body, thread="auto")})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    if crash == "platform_crash":
        set_faults(root, ["crash"])
    first = _run(root, "--commit", crash=None if crash == "platform_crash" else crash)
    assert first.returncode == -9, first.stderr  # SIGKILL
    second = _run(root, "--commit")
    assert second.returncode == 0, second.stdout + second.stderr
    posts = remote_posts(root)
    assert sorted((p["post"], p["reply_to"] is not None) for p in posts) == [("a", False), ("t", False), ("t", True)]
    assert record(root, "a")["local"]["state"] == record(root, "t")["local"]["state"] == "published"
    assert record(root, "a")["feed"]["state"] == "published"
    feed = json.loads((root / "data/feed/feed.json").read_text())
    assert [i["_smm"]["post"] for i in feed["items"]] == ["a"]
    assert _git(root, "status", "--porcelain", "--", "data") == ""
    assert _run(root, "--commit").stdout.strip().splitlines()[-1] == "nothing due"


# --- git: commit as the bot, push with rebase-and-retry, conflicts kept -------------------


def _clone(bare: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(bare), str(where)], check=True)
    _git(where, "config", "user.name", "editor")
    _git(where, "config", "user.email", "editor@example.com")
    return where


@pytest.fixture
def origin(tmp_path, repo):
    root = repo({"a.md": due(accounts="[feed]"), "b.md": due("2026-12-01T11:30", accounts="[feed]")})
    (root / ".gitignore").write_text(".local/\n.smm-cache/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    return bare


def test_commit_and_push_rebase_over_a_concurrent_push(origin, tmp_path):
    bot = _clone(origin, tmp_path / "bot")
    editor = _clone(origin, tmp_path / "editor")
    (editor / "content/c.md").write_text(due("2026-12-02T09:00", accounts="[feed]"))
    _git(editor, "add", "-A")
    _git(editor, "commit", "-qm", "Add post c")
    _git(editor, "push", "-q", "origin", "main")
    result = _run(bot, "--push")
    assert result.returncode == 0, result.stderr
    log = _git(origin, "log", "--format=%an|%s", "main").splitlines()
    assert log == ["smm-bot|smm publish: 2 published", "editor|Add post c", "t|init"]
    body = _git(origin, "log", "-1", "--format=%b", "main")
    assert "- a → feed: published" in body and "- b → feed: published" in body
    files = _git(origin, "ls-tree", "-r", "--name-only", "main", "data").split()
    assert files == ["data/feed/feed.json", "data/feed/feed.xml", "data/published/a.json", "data/published/b.json"]


def test_a_real_conflict_aborts_cleanly_keeps_the_commit_and_still_reports(origin, tmp_path):
    first = _clone(origin, tmp_path / "first")
    second = _clone(origin, tmp_path / "second")
    assert _run(first, "--push").returncode == 0
    (first / "data/published/a.json").write_text("edited by hand, not JSON\n")  # nothing smm can merge
    _git(first, "commit", "-qam", "Edit a record by hand")
    _git(first, "push", "-q", "origin", "main")
    result = _run(second, "--push", "--now", "2026-12-01T12:30:00+08:00", "--format", "markdown")
    assert result.returncode == 1
    assert "a real conflict; local commits are kept" in result.stderr
    assert result.stdout.startswith("### smm publish: 2 published\n\n❌ **Not recorded in git:** cannot rebase")
    assert "| ✅ published | `a` | feed |" in result.stdout  # the report is printed all the same
    assert _git(second, "log", "-1", "--format=%s").startswith("smm publish: 2 published")
    assert _git(second, "status", "--porcelain") == ""
    assert not (second / ".git/rebase-merge").exists()


def _refusing_hook(bare: Path, name: str = "pre-receive") -> None:
    hook = bare / "hooks" / name
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)


def _bot_after_an_editor_pushed_a_due_post(origin: Path, tmp_path: Path) -> Path:
    """An editor pushes a due post `c` to the local network; the bot's fresh checkout of it."""
    editor = _clone(origin, tmp_path / "editor")
    (editor / "content/c.md").write_text(due(accounts="[local]"))
    _git(editor, "add", "-A")
    _git(editor, "commit", "-qm", "Add post c")
    _git(editor, "push", "-q", "origin", "main")
    return _clone(origin, tmp_path / "bot")


# A claim the remote refuses for any reason but a race is said as such, undone, and nothing is sent
# (was: "another push came first 5 times").
@pytest.mark.parametrize("break_remote,says", [
    (_refusing_hook, "git push of the claim to origin failed: ! [remote rejected]"),
    (lambda bare: _refusing_hook(bare, "update"), "git push of the claim to origin failed: ! [remote rejected]"),
    (lambda bare: bare.rename(bare.with_name("gone.git")), "after a lost claim failed:"),
])
def test_a_claim_the_remote_refuses_sends_nothing_and_says_why(origin, tmp_path, break_remote, says):
    bot = _bot_after_an_editor_pushed_a_due_post(origin, tmp_path)
    head = _git(bot, "rev-parse", "HEAD")
    break_remote(origin)
    result = _run(bot, "--push")
    assert result.returncode == 1 and says in result.stderr and "nothing was sent" in result.stderr, result.stderr
    assert "another push came first" not in result.stderr and "Traceback" not in result.stderr
    assert remote_posts(bot) == []
    assert _git(bot, "rev-parse", "HEAD") == head and _git(bot, "status", "--porcelain", "--", "data") == ""


def _killed_mid_rebase(bot: Path) -> None:
    _git(bot, "checkout", "-q", "--detach")
    (bot / ".git/rebase-merge").mkdir()
    (bot / ".git/rebase-merge/head-name").write_text("refs/heads/main\n")


# A checkout not on its branch (a run killed mid-rebase leaves one) is refused before any call, with what to do.
@pytest.mark.parametrize("leave,says", [
    (_killed_mid_rebase, "error: a rebase is under way in this checkout (a run killed during one leaves it): "
                         "run `git rebase --abort`, then publish again"),
    (lambda bot: _git(bot, "checkout", "-q", "--detach"),
     "error: cannot push from a detached HEAD: check out the branch to publish from"),
])
def test_a_checkout_off_its_branch_sends_nothing_and_says_what_to_do(origin, tmp_path, leave, says):
    bot = _bot_after_an_editor_pushed_a_due_post(origin, tmp_path)
    leave(bot)
    result = _run(bot, "--push")
    assert result.returncode == 1 and result.stderr.strip().splitlines()[-1] == says, result.stderr
    assert remote_posts(bot) == []


def test_an_adapter_without_its_sdk_is_disabled_with_a_reason(repo):
    from smm.platforms.mastodon import Mastodon

    class WithoutSdk(Mastodon):
        requires = ("no_such_sdk_module",)

    root = repo({"a.md": due(accounts="[feed, mastodon]")})
    report = Publisher(load_repo(root), datetime.fromisoformat(NOW), {"T_MASTODON_TOKEN": "secret"},
                       platform_for=adapters(root, mastodon=WithoutSdk)).run()
    assert {(j.account, j.state) for j in report.jobs} == {("feed", "published"), ("mastodon", "skipped")}
    skipped = next(j for j in report.jobs if j.account == "mastodon")
    assert skipped.error == "the Mastodon adapter is not installed: pip install 'smm-git[networks]'"
    assert report.exit_code == 1


def test_platforms_register_through_entry_points():
    from importlib.metadata import entry_points

    from smm.platforms import registry

    names = {e.name for e in entry_points(group="smm.platforms")}
    assert names == set(registry()) >= {"feed", "local", "mastodon", "bluesky", "telegram", "discord", "slack"}


def test_markdown_summary_lists_failures_first(repo, smm):
    repo({"a.md": due(accounts="[feed, mastodon]")})
    code, out, _ = smm("publish", "--now", NOW, "--format", "markdown")
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "### smm publish: 1 published, 1 skipped"
    assert lines[4].startswith("| ❌ skipped (fails the run) | `a` | mastodon | not configured: set T_MASTODON_TOKEN |")
    assert lines[5].startswith("| ✅ published | `a` | feed |")
    assert lines[-2] == "Not configured: **mastodon** (set `T_MASTODON_TOKEN`)"


def _job(state: str, post: str, fails_run: bool = True):
    from smm.publish.results import JobResult
    return JobResult(post, "acct", state, "https://x/1" if state == "published" else None, f"why {post}", fails_run)


# The job summary's rows, top to bottom: what fails the run first, a harmless skip last and said as such.
@pytest.mark.parametrize("jobs,rows", [
    ([_job("published", "p"), _job("failed", "f")], ["❌ failed | `f`", "✅ published | `p`"]),
    ([_job("skipped", "w", False), _job("skipped", "s"), _job("published", "p")],
     ["❌ skipped (fails the run) | `s`", "✅ published | `p`", "➖ skipped (cannot publish from smm) | `w`"]),
    ([_job("late", "l"), _job("unconfirmed", "u"), _job("in_flight", "i"), _job("failed", "f")],
     ["❌ failed | `f`", "❓ unconfirmed | `u`", "⏳ in_flight | `i`", "⏰ late | `l`"]),
    ([_job("skipped", "w", False), _job("unconfirmed", "u"), _job("skipped", "s")],
     ["❌ skipped (fails the run) | `s`", "❓ unconfirmed | `u`", "➖ skipped (cannot publish from smm) | `w`"]),
])
def test_markdown_summary_puts_what_fails_the_run_first(jobs, rows):
    from smm.publish.results import PublishRun, format_publish
    table = [line for line in format_publish(PublishRun(jobs), "markdown").splitlines() if line.startswith("| ") and "`" in line]
    assert [line.split(" | acct")[0].removeprefix("| ") for line in table] == rows


def test_missing_media_fails_until_the_file_is_there(repo, smm):
    root = repo({"a.md": due(accounts="[local]", media="[{file: content/media/a.png, alt: a cup}]")})
    code, report, _ = publish(smm)
    assert (code, report["jobs"][0]["state"], report["jobs"][0]["error"]) == (
        1, "failed", "does not pass smm check: media file `content/media/a.png` does not exist")
    assert [j["state"] for j in publish(smm)[1]["jobs"]] == ["failed"]  # not retried while nothing changed
    from test_render import _png

    (root / "content/media").mkdir(parents=True)
    (root / "content/media/a.png").write_bytes(_png())
    code, report, _ = publish(smm)
    assert (code, report["jobs"][0]["state"]) == (0, "published")


@pytest.mark.parametrize("case", ["duplicate-id", "unreadable-record", "renamed-file"])
def test_publish_refuses_what_could_publish_twice(repo, smm, case):
    root = repo({"a.md": due(), "b.md": due()})
    assert publish(smm)[0] == 0
    if case == "duplicate-id":
        (root / "content/later").mkdir()
        (root / "content/later/a.md").write_text(due(body="Another post with the same file name"))
    elif case == "unreadable-record":
        record_file = root / "data/published/a.json"
        record_file.write_text(record_file.read_text().replace('"attempts": 1', '"attempts": "1"'))
        (root / "content/a.md").write_text(due(body="Changed"))
    else:
        (root / "content/a.md").rename(root / "content/a-renamed.md")
    calls = len(remote_posts(root))
    code, out, err = smm("publish", "--now", NOW)
    assert code == 1
    assert "refusing to publish" in err
    assert {"duplicate-id": "error[post.duplicate-id]", "unreadable-record": "error[record.invalid]",
            "renamed-file": "error[record.orphan]"}[case] in err
    assert len(remote_posts(root)) == calls


def test_a_late_post_moved_to_a_new_time_goes_out_then(repo, smm):
    root = repo({"a.md": due("2026-11-29T09:00", accounts="[local]")})
    assert publish(smm)[1]["jobs"][0]["state"] == "late"
    (root / "content/a.md").write_text(due("2026-12-01T11:50", accounts="[local]"))
    code, report, _ = publish(smm)
    assert (code, [j["state"] for j in report["jobs"]]) == (0, ["published"])


def test_a_thread_edited_after_it_partly_went_out_is_left_to_a_human(repo):
    body = ("word " * 90 + "\n\n") * 2
    root = repo({"t.md": due(accounts="[local]", body=body, thread="auto")}, faults=["ok", "reject"])
    assert [j.state for j in _publisher(root).run().jobs] == ["failed"]
    (root / "content/t.md").write_text(due(accounts="[local]", body="A new opening.\n\n" + body, thread="auto"))
    report = _publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert "part 1 has changed since" in report.jobs[0].error
    assert len(remote_posts(root)) == 1  # nothing repeated, nothing out of order


def test_an_unexpected_error_fails_that_job_only(repo):
    from smm.platforms.feed import Feed

    class Broken(Feed):
        def publish(self, outgoing, *, idempotency_key):
            raise KeyError("surprise")

    root = repo({"a.md": due()})
    report = _publisher(root, platform_for=adapters(root, feed=Broken)).run()
    states = {j.account: (j.state, j.error) for j in report.jobs}
    assert states["local"] == ("published", None)
    assert states["feed"][0] == "failed" and "KeyError: 'surprise'" in states["feed"][1]


def test_saving_a_record_keeps_what_another_run_wrote(repo):
    from smm.data.records import RecordStore

    root = repo({"a.md": due(accounts="[feed, local]")})
    store = RecordStore(root, load_repo(root).records)
    store.save("a", "content/a.md", "feed", {"state": "published", "remote_id": "f1"})
    other = json.loads((root / "data/published/a.json").read_text())
    other["accounts"]["local"] = {"state": "published", "remote_id": "l1"}  # another checkout, rebased in
    (root / "data/published/a.json").write_text(json.dumps(other))
    store.save("a", "content/a.md", "feed", {"state": "published", "remote_id": "f1", "url": "x"})
    assert set(record(root, "a")) == {"feed", "local"}
