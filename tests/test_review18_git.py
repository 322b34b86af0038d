"""Review 18, outside in: `smm publish --push` (and `smm inbox --auto --push`) when git misbehaves: a lost
race, a lock a killed git left, a hook, a file in the way, a huge run. Each post at most once at the network,
what went out recorded (locally, then on the remote once git works again), git's reason said, exit 1, and a
checkout the next run handles.

The runs are real `smm` processes in clones of a bare remote; `python tests/test_review18_git.py POINT CMD
smm-args...` is `smm` running the shell command CMD when the run reaches the checkpoint POINT (the first time),
as another runner or a person would act at that moment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from shlex import quote

import pytest

from conftest import post_text

NOW = "2026-12-01T12:00:00+08:00"
PLATFORMS = ("timezone: Asia/Shanghai\naccounts:\n  local: {platform: local, path: .local/local}\n"
             "  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}\n")
POSTS = {"a.md": post_text("Hello a", publish_at="2026-12-01T11:00", platforms="[local]"),
         "b.md": post_text("Hello b", publish_at="2026-12-01T11:10", platforms="[feed]")}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def _smm(root: Path, *args: str, at: tuple[str, str] | None = None, now: str = NOW) -> subprocess.CompletedProcess:
    """`smm ARGS` in root; `at`: (checkpoint, shell command run there the first time)."""
    command = [sys.executable, __file__, *at] if at else [sys.executable, "-m", "smm"]
    return subprocess.run([*command, *args], cwd=root, env={**os.environ, "SMM_NOW": now}, capture_output=True, text=True)


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare remote of a repository with two due posts: `a` on the local network, `b` in the feed."""
    return _remote(tmp_path, POSTS)


def _remote(tmp_path: Path, posts: dict[str, str]) -> Path:
    seed = tmp_path / "seed"
    for name, text in {"platforms.yml": PLATFORMS, ".gitignore": ".local/\n.smm-cache/\n",
                       **{f"content/{n}": t for n, t in posts.items()}}.items():
        (seed / name).parent.mkdir(parents=True, exist_ok=True)
        (seed / name).write_text(text, encoding="utf-8")
    _git(seed, "init", "-q", "-b", "main")
    _git(seed, "add", "-A")
    _git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(tmp_path / "origin.git")], check=True)
    return tmp_path / "origin.git"


def _clone(origin: Path, name: str) -> Path:
    where = origin.parent / name
    subprocess.run(["git", "clone", "-q", str(origin), str(where)], check=True)
    _git(where, "config", "user.name", name)
    _git(where, "config", "user.email", f"{name}@example.com")
    return where


def _editor_pushes(origin: Path, files: dict[str, str], message: str = "an editor's change") -> str:
    """A shell command: an editor's clone pulls, writes `files` and pushes (another push, mid-run)."""
    editor = origin.parent / "editor"
    writes = " && ".join(f"mkdir -p {quote(str(Path(name).parent))} && printf %s {quote(text)} > {quote(name)}"
                         for name, text in files.items())
    return (f"{{ test -d {editor} || git clone -q {origin} {editor}; }} && cd {editor} && git pull -q && {writes} && "
            f"git add -A && git -c user.name=e -c user.email=e@e commit -qm {quote(message)} && git push -q origin main")


def _sent(root: Path) -> list[str]:
    """The texts the local network holds, in order."""
    path = root / ".local/local/posts.json"
    return [post["text"] for post in json.loads(path.read_text())] if path.exists() else []


def _states(root: Path, ref: str = "HEAD") -> dict[str, str]:
    """post → account → state of the records in `ref` of the checkout (or the bare remote)."""
    names = _git(root, "ls-tree", "--name-only", f"{ref}:data/published") if _has(root, ref, "data/published") else ""
    return {f"{name[:-5]} → {account}": job["state"]
            for name in names.split() for account, job in
            json.loads(_git(root, "show", f"{ref}:data/published/{name}"))["accounts"].items()}


def _has(root: Path, ref: str, path: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{ref}:{path}"], cwd=root, capture_output=True).returncode == 0


# --- a claim that loses the race undoes itself alone ----------------------------------------------------------

def _first_comment(origin: Path, bot: Path) -> tuple[str, str] | None:
    """`a` has a first comment; another push comes between the run's first claim and its second (the comment's)."""
    (bot / "content/a.md").write_text(post_text("Hello a", publish_at="2026-12-01T11:00", platforms="[local]",
                                                first_comment="Links here"), encoding="utf-8")
    _git(bot, "commit", "-qam", "a first comment")
    _git(bot, "push", "-q", "origin", "main")
    return "after_claim", _editor_pushes(origin, {"README": "hello\n"})


def _earlier_run_unpushed(origin: Path, bot: Path) -> tuple[str, str] | None:
    """A run without --push published `a` and `b` (records on disk, not committed); a post `c` is due since,
    and an editor pushed before the next run."""
    assert _smm(bot, "publish").returncode == 0
    (bot / "content/c.md").write_text(post_text("Hello c", publish_at="2026-12-01T11:20", platforms="[local]"), encoding="utf-8")
    _git(bot, "add", "content/c.md")
    _git(bot, "commit", "-qm", "c")
    subprocess.run(_editor_pushes(origin, {"README": "hello\n"}), shell=True, check=True, capture_output=True)
    return None


# Undoing a claim that lost the race (a reset to the commit before it) undid what the run had written before the
# claim too, committed in the same commit: the first round's published records when the comments' claim lost
# (reported published, in_flight on the remote, the comment never sent), an earlier run's records left uncommitted
# (`a` published again).
@pytest.mark.parametrize("before", [_first_comment, _earlier_run_unpushed])
def test_a_claim_that_loses_a_race_keeps_what_the_run_wrote_before_it(origin, before):
    bot = _clone(origin, "bot")
    at = before(origin, bot)
    result = _smm(bot, "publish", "--push", at=at)
    assert result.returncode == 0, result.stderr
    again = _smm(bot, "publish", "--push", now="2026-12-01T12:30:00+08:00")
    assert (again.returncode, again.stdout.strip()) == (0, "nothing due"), again.stdout + again.stderr
    assert sorted(_sent(bot)) == sorted(set(_sent(bot))) and "Hello a" in _sent(bot)
    states = _states(origin, "main")
    assert set(states.values()) == {"published"} and states == _states(bot), states
    assert {"a → local", "b → feed"} <= set(states) and len(_sent(bot)) == len(states) - 1  # the feed is no network


# --- a claim git cannot commit is undone, and said ------------------------------------------------------------

def _hook(name: str):
    def install(bot: Path) -> None:
        (bot / ".hooks").mkdir(exist_ok=True)
        (bot / ".hooks" / name).write_text(f"#!/bin/sh\necho 'the {name} hook says no' >&2\nexit 1\n")
        (bot / ".hooks" / name).chmod(0o755)
        _git(bot, "config", "core.hooksPath", ".hooks")
    return install


def _unhook(bot: Path) -> None:
    _git(bot, "config", "--unset", "core.hooksPath")


def _lock(bot: Path) -> None:
    (bot / ".git/index.lock").touch()  # a git killed mid-command leaves it


COMMIT_REFUSED = {  # what keeps the claim from being committed, what smm says, how a person fixes it
    "a lock a killed git left": (_lock, "git add failed: fatal: Unable to create", lambda bot: (bot / ".git/index.lock").unlink()),
    "a prepare-commit-msg hook (--no-verify skips only pre-commit and commit-msg)":
        (_hook("prepare-commit-msg"), "git commit failed: the prepare-commit-msg hook says no", _unhook),
    "a reference-transaction hook": (_hook("reference-transaction"), "git commit failed: fatal: ref updates aborted by hook", _unhook),
}


# The claim's in_flight records stayed on disk: the next run took them for another live run's ("claimed by another
# run until …", 10 minutes; then a lookup, `unconfirmed` on a webhook network) and pushed them. git's reason was
# its last line of advice ("remove the file manually to continue."), and nothing said that nothing was sent.
@pytest.mark.parametrize("case", list(COMMIT_REFUSED))
def test_a_claim_git_cannot_commit_is_undone_and_the_next_run_publishes_at_once(origin, case):
    break_git, says, fix = COMMIT_REFUSED[case]
    bot = _clone(origin, "bot")
    break_git(bot)
    result = _smm(bot, "publish", "--push")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {says}"), result.stderr
    assert result.stderr.strip().endswith("; nothing was sent"), result.stderr
    assert _sent(bot) == [] and not (bot / "data/published/a.json").exists()
    fix(bot)
    again = _smm(bot, "publish", "--push")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "2 published", again.stdout
    assert _sent(bot) == ["Hello a"] and _states(origin, "main") == {"a → local": "published", "b → feed": "published"}


# --- a remote that refuses pushes is no race --------------------------------------------------------------------

def _pre_receive(says: str, unless: str = "^$"):
    """A hook of the bare remote refusing every push whose newest commit's subject does not match `unless`."""
    def install(origin: Path) -> None:
        hook = origin / "hooks/pre-receive"
        hook.write_text(f"#!/bin/sh\nwhile read old new ref; do git log -1 --format=%s $new | grep -q {quote(unless)} || "
                        f"{{ echo {quote(says)} >&2; exit 1; }}; done\n")
        hook.chmod(0o755)
    return install


def _pre_push(origin: Path) -> None:
    _hook("pre-push")(origin.parent / "bot")


REFUSALS = {  # what refuses the claim's push, what smm says
    "branch protection (a pre-receive hook of the remote)":
        (_pre_receive("protected branch"), "git push of the claim to origin failed: ! [remote rejected]"),
    "a pre-push hook of the checkout": (_pre_push, "git push of the claim to origin failed: the pre-push hook says no"),
}


# With a commit of the checkout the remote lacks (an earlier run's results, whose push was refused too) a refused
# claim was taken for a lost race (the remote's branch was not HEAD~1): the run read again five times and said
# "another push came first 5 times".
@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_claim_after_an_earlier_refused_push_is_said_as_refused(origin, case):
    refuse, says = REFUSALS[case]
    bot = _clone(origin, "bot")
    (bot / "content/a.md").write_text(post_text("Hello a", publish_at="2026-12-01T12:10", platforms="[local]"), encoding="utf-8")
    _git(bot, "commit", "-qam", "a later")
    refuse(origin)
    first = _smm(bot, "publish", "--push")  # b in the feed: no claim, its records committed, the push refused
    assert first.returncode == 1 and _git(bot, "rev-list", "--count", "origin/main..HEAD") == "2", first.stderr
    result = _smm(bot, "publish", "--push", now="2026-12-01T12:30:00+08:00")
    assert result.returncode == 1 and f"error: {says}" in result.stderr, result.stderr
    assert result.stderr.strip().endswith("; nothing was sent") and "another push came first" not in result.stderr
    assert _sent(bot) == [] and _git(bot, "status", "--porcelain", "--", "data") == ""


# --- auto-replies are claimed like any post -----------------------------------------------------------------

REPLIES = ("auto:\n  - name: shipping\n    match: {keywords: [order], kinds: [dm]}\n"
           "    template: \"Hi @{{ author }}, orders ship within two working days.\"\n")


def _inbox_item(root: Path) -> None:
    from smm.inbox.items import Item, append_items

    append_items(root, [Item(id="local:7", account="local", platform="local", kind="dm", author="fan",
                             text="where is my order?", url=None, created_at="2026-12-05T09:00:00+00:00",
                             due_by="2026-12-06T09:00:00+00:00", priority="normal", sentiment="neutral",
                             intent="other", state="open", post=None, updated_at="2026-12-05T10:00:00+00:00")])


INBOX_PUSHES = {  # which pushes the remote refuses in the first run; what it says of the item
    "every push (the claim too)": ("^$", "not answered: git push of the claim to origin failed"),
    "the last push (the run's records)": ("claim", "answered by rule `shipping`"),
}


# `smm inbox --auto --push` sent its replies with no claim pushed: a run whose last push was lost (refused, the
# runner gone) left the next run (a fresh checkout) nothing to look up, and it sent the reply again.
@pytest.mark.parametrize("case", list(INBOX_PUSHES))
def test_an_auto_reply_goes_out_once_whatever_becomes_of_the_runs_push(origin, case):
    passes, says = INBOX_PUSHES[case]
    editor = _clone(origin, "people")
    (editor / "brand").mkdir()
    (editor / "brand/replies.yml").write_text(REPLIES, encoding="utf-8")
    _inbox_item(editor)
    _git(editor, "add", "-A")
    _git(editor, "commit", "-qm", "an inbox item")
    _git(editor, "push", "-q", "origin", "main")
    bot = _clone(origin, "bot")
    _pre_receive("protected branch", passes)(origin)
    first = _smm(bot, "inbox", "--auto", "--push", now="2026-12-05T12:00:00+00:00")
    assert first.returncode == 1 and f"auto-reply: local:7 {says}" in first.stdout, first.stdout + first.stderr
    (origin / "hooks/pre-receive").unlink()
    fresh = _clone(origin, "fresh")  # the next scheduled run's checkout, the same network
    if (bot / ".local").exists():
        shutil.copytree(bot / ".local", fresh / ".local")
    _smm(fresh, "inbox", "--auto", "--push", now="2026-12-05T12:30:00+00:00")
    assert _sent(fresh).count("Hi @fan, orders ship within two working days.") == 1


# --- a run of any size is recorded ----------------------------------------------------------------------------

# The commit message (a line per job) was one argument of `git commit -m`: past the 128 KiB one argument may hold
# (about 1,200 jobs: a back catalogue imported with past dates, all recorded late) git could not start, the run
# ended "internal error: OSError: [Errno 7] Argument list too long" (exit 3) without its report, its records
# uncommitted: in CI the next run met the same, for ever.
@pytest.mark.parametrize("account,when,state", [("local", "2026-06-01T11:00", "late"), ("feed", "2026-12-01T11:00", "published")])
def test_a_run_of_any_size_is_recorded_with_every_job_in_its_message(tmp_path, account, when, state):
    jobs, name = 1400, "a-back-catalogue-post-imported-with-its-past-date-and-a-long-descriptive-name-"
    posts = {f"{name}{n:04d}.md": post_text(f"Post {n}", publish_at=when, platforms=f"[{account}]") for n in range(jobs)}
    bot = _clone(_remote(tmp_path, posts), "bot")
    result = _smm(bot, "publish", "--push", "--format", "json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert {job["state"] for job in json.loads(result.stdout)["jobs"]} == {state}
    body = _git(tmp_path / "origin.git", "log", "-1", "--format=%B", "main").splitlines()
    assert (body[0], len(body)) == (f"smm publish: {jobs} {state}", 2 + jobs)
    assert body[-1].startswith(f"- {name}{jobs - 1:04d} → {account}: {state}")
    assert _git(bot, "status", "--porcelain") == ""


if __name__ == "__main__":  # smm, running a shell command at a checkpoint (see the module's docstring)
    from smm.cli import main

    point, command, done = sys.argv[1], sys.argv[2], []

    def checkpoint(name: str) -> None:
        if name == point and not done:
            done.append(name)
            subprocess.run(command, shell=True, check=True)

    main(sys.argv[3:], obj={"checkpoint": checkpoint})
