"""The sixteenth session's crash campaign over the command line and its environment: each command and
option driven with hostile values (names too long for the system, loops of links, links that lead nowhere
or out of the repository, NaN and out-of-range numbers, ids that are paths), in odd environments (git
missing or unable to start, a cache folder that cannot be one, SMM_NOW, a GitHub event of another shape)
and with odd standard streams (closed, a full disk, an encoding that cannot show Chinese, endless input).
Each row once ended in an internal error (exit 3), a hang, or a wrong exit code or message; now it is a
message naming the argument and exit 1 or 2 (click's usage errors), or the command works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example

from smm.cli import cli

NOW = "2026-11-20T10:00:00+08:00"
LONG = "a" * 300  # one name longer than any file system takes (255 bytes)
SPONSORED = "content/2026/12/2026-12-09-tidewell-kettle.md"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example repository in git: a first commit, then one that edits a sponsored post (`approvals
    --since HEAD~1`); beside the files, untracked, a loop of links, a link to nowhere and one out of it."""
    top = tmp_path_factory.mktemp("review16-cli")
    root = copy_example(top / "repo")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "example")
    with open(root / SPONSORED, "a", encoding="utf-8") as post:
        post.write("\nOne more line.\n")
    _git(root, "commit", "-q", "-am", "sponsored edit")
    (top / "elsewhere").mkdir()
    (root / "outside").symlink_to(top / "elsewhere")
    (root / "loop").symlink_to("loop2")
    (root / "loop2").symlink_to("loop")
    (root / "dangling").symlink_to("nowhere")
    return root


def _smm(root: Path, *args: str, env: dict | None = None, stdin: bytes | None = None) -> tuple[int, str, str]:
    """The command in-process in `root` (an exception, exit 3 for users, fails the test)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, list(args), env={"SMM_NOW": NOW, **(env or {})}, input=stdin,
                                    catch_exceptions=False)
    finally:
        os.chdir(here)
    return result.exit_code, result.stdout, result.stderr


def _assert_clean(code: int, out: str, err: str, wanted: int, *said: str) -> None:
    assert code == wanted, f"exit {code}, want {wanted}\n{out[-1500:]}\n{err[-1500:]}"
    assert "Traceback" not in out + err and "internal error" not in err, err
    for words in said:
        assert words in err, f"{words!r} not in:\n{err}"


# A value given on the command line → (exit, what the message says).
USAGE = {
    "site build --out: a name too long": (["site", "build", "--out", LONG], 2, ["'--out'", "File name too long"]),
    "import: a name too long": (["import", LONG + ".csv", "--dry-run"], 2, ["File name too long"]),
    "cards --out: a loop of links": (["cards", "--out", "loop"], 2, ["'--out'", "'loop' is not a folder or file: a loop of symbolic links"]),
    "init: a loop of links": (["init", "loop"], 2, ["'DIRECTORY'", "'loop' is not a folder or file: a loop of symbolic links"]),
    "init: a link to nowhere": (["init", "dangling"], 2, ["'dangling' is a symbolic link that leads nowhere"]),
    "cards --out: a device": (["cards", "--out", os.devnull], 2, [f"'{os.devnull}' is not a folder"]),
    "giveaway verify: an id too long": (["giveaway", "verify", LONG], 2, ["is not a post id"]),
    "giveaway verify: an id that is a path": (["giveaway", "verify", "../../outside/x"], 2, ["'../../outside/x' is not a post id"]),
    "publish --lock-timeout nan (waited for ever)": (["publish", "--dry-run", "--lock-timeout", "nan"], 2, ["'--lock-timeout'", "'nan'"]),
    "metrics --lock-timeout -1": (["metrics", "--lock-timeout", "-1"], 2, ["'--lock-timeout'", "x>=0"]),
    "approvals --pull-request 0": (["approvals", "--since", "HEAD~1", "--pull-request", "0"], 2, ["'--pull-request'"]),
    "report --from after today, no --to": (["report", "--from", "2999-12-31"], 2, ["--from 2999-12-31 is after today"]),
}


@pytest.mark.parametrize("case", list(USAGE))
def test_a_value_no_command_can_use_is_a_usage_error_naming_it(example, case):
    args, wanted, said = USAGE[case]
    before = sorted(p.name for p in example.iterdir())
    _assert_clean(*_smm(example, *args), wanted, *said)
    assert sorted(p.name for p in example.iterdir()) == before  # nothing written


def test_smm_now_is_named_when_it_is_what_was_wrong(example):
    _assert_clean(*_smm(example, "calendar", env={"SMM_NOW": "garbage"}), 2, "SMM_NOW 'garbage'")
    _assert_clean(*_smm(example, "calendar", "--now", "garbage", env={"SMM_NOW": NOW}), 2, "--now 'garbage'")


# `smm check PATH...` with a path out of the repository, given or found by --since (an untracked link to a
# folder outside): its stand-in name holds a NUL, which os.path.realpath refused (exit 3).
@pytest.mark.parametrize("args", [["content/2026/11", "outside"], ["content/2026/11", "../elsewhere"], ["--since", "HEAD"]],
                         ids=["a link out", "a folder out", "--since with an untracked link out"])
def test_check_with_a_path_out_of_the_repository(example, args):
    code, out, err = _smm(example, "check", *args)
    _assert_clean(code, out, err, 0)
    assert out.splitlines()[-1].startswith("0 errors, ")


# GITHUB_EVENT_PATH naming an event that is no pull request's (a list, `pull_request` a number, `number` true).
@pytest.mark.parametrize("event", ["[1]", '{"pull_request": 5}', '{"pull_request": {"number": true}}', '"push"'])
def test_approvals_with_a_workflow_event_of_another_shape(example, tmp_path, event):
    (tmp_path / "event.json").write_text(event, encoding="utf-8")
    code, out, err = _smm(example, "approvals", "--since", "HEAD~1", env={"GITHUB_EVENT_PATH": str(tmp_path / "event.json")})
    _assert_clean(code, out, err, 2, "which pull request? pass --pull-request N")


# A cache folder that cannot be one: `smm site build` removed and wrote its manifest there unguarded.
@pytest.mark.parametrize("cache", ["a file", "under a file", "a device", "a loop of links", "a link to nowhere", "a name too long"])
def test_site_build_with_a_cache_folder_that_cannot_be_one(example, tmp_path, cache):
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    folder = {"a file": tmp_path / "file", "under a file": tmp_path / "file" / "sub", "a device": Path(os.devnull),
              "a loop of links": example / "loop", "a link to nowhere": example / "dangling",
              "a name too long": tmp_path / LONG}[cache]
    code, out, err = _smm(example, "site", "build", "--out", str(tmp_path / "site"), env={"SMM_CACHE_DIR": str(folder)})
    _assert_clean(code, out, err, 0)
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "file").read_text() == "not a folder\n"
    assert not (example / "nowhere").exists()


# Standard input without end (`< /dev/zero`) was read for ever, held whole in memory.
@pytest.mark.parametrize("command", [["count", "--platform", "x"], ["sentiment"]])
def test_standard_input_over_a_mebibyte_is_refused(example, command):
    code, out, err = _smm(example, *command, stdin=b"\0" * (1024 * 1024 + 1))
    _assert_clean(code, out, err, 1, "standard input", "more than 1,048,576 bytes")


# ---- in a real process: standard streams, and git that cannot run ----

def _run(root: Path, *args: str, env: dict | None = None, **streams) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SMM_DEBUG"} | {"SMM_NOW": NOW, **(env or {})}
    streams = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, **streams}
    return subprocess.run([sys.executable, "-m", "smm", *args], cwd=root, env=environment, stderr=subprocess.PIPE,
                          timeout=120, **streams)


def _close(fd: int):
    return lambda: os.close(fd)


# (command, how its streams are set) → (exit, what stderr says)
STREAMS = {
    "check, standard output closed": (["check"], {"preexec_fn": _close(1), "stdout": None}, 0, ""),
    "count, standard input closed": (["count", "--platform", "x"], {"preexec_fn": _close(0), "stdin": None}, 1, ""),
    "sentiment, standard input closed": (["sentiment"], {"preexec_fn": _close(0), "stdin": None}, 0, ""),
    "check, a full disk": (["check"], {"full": True}, 1, "error: cannot write to standard output: No space left on device"),
    "preview, a full disk": (["preview"], {"full": True}, 1, "error: cannot write to standard output: No space left on device"),
    "calendar, a full disk": (["calendar"], {"full": True}, 1, "error: cannot write to standard output: No space left on device"),
}


@pytest.mark.parametrize("case", list(STREAMS))
def test_odd_standard_streams(example, case):
    args, streams, wanted, said = STREAMS[case]
    if streams.pop("full", False):
        if not os.path.exists("/dev/full"):  # pragma: no cover - not Linux
            pytest.skip("no /dev/full here")
        with open("/dev/full", "wb") as full:
            proc = _run(example, *args, stdout=full)
    else:
        proc = _run(example, *args, **streams)
    err = proc.stderr.decode("utf-8", "replace")
    _assert_clean(proc.returncode, "", err, wanted, said)
    if said:
        assert err.count("\n") == 1, err  # the one line, nothing more as Python exits


# A terminal whose encoding cannot show Chinese (or an emoji on GBK): every character it cannot show was exit 3.
@pytest.mark.parametrize("args", [["preview"], ["calendar", "--from", "2026-12-01"], ["report"]])
def test_output_in_an_encoding_that_cannot_show_it(example, args):
    proc = _run(example, *args, env={"PYTHONIOENCODING": "latin-1"})
    _assert_clean(proc.returncode, "", proc.stderr.decode("utf-8", "replace"), 0)
    assert b"\\u" in proc.stdout, proc.stdout[-500:]  # what it cannot show, as escapes


def _no_git(tmp_path: Path, example: Path) -> dict[str, dict]:
    return {"git missing": {"PATH": str(tmp_path / "no-programs-here")},  # (smm runs as sys.executable, by its path)
            "git cannot start": {"HOME": str(example / "loop")}}


@pytest.mark.parametrize("why", ["git missing", "git cannot start"])
@pytest.mark.parametrize("args,wanted", [(["check", "--since", "HEAD"], 1), (["approvals", "--since", "HEAD~1"], 1),
                                         (["calendar", "--format", "ics"], 0)], ids=["check --since", "approvals", "calendar ics"])
def test_git_that_cannot_run(example, tmp_path, why, args, wanted):
    proc = _run(example, *args, env=_no_git(tmp_path, example)[why])
    _assert_clean(proc.returncode, "", proc.stderr.decode("utf-8", "replace"), wanted, *(["error: git cannot run: "] if wanted else []))
    if not wanted:
        assert b"BEGIN:VCALENDAR" in proc.stdout


def test_publish_commit_without_git_reports_its_run_and_why_it_was_not_committed(example, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(example, root, symlinks=True)
    proc = _run(root, "publish", "--commit", "--format", "json", env=_no_git(tmp_path, example)["git missing"])
    _assert_clean(proc.returncode, "", proc.stderr.decode("utf-8", "replace"), 1)
    report = json.loads(proc.stdout)
    assert report["git_error"].startswith("git cannot run: ") and any(job["state"] == "published" for job in report["jobs"])


# `--push` in a clone without the remote: the reason shown was the last line of git's advice after it.
def test_push_without_a_remote_names_what_git_said(example, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(example, root, symlinks=True)
    code, out, err = _smm(root, "inbox", "--push")
    _assert_clean(code, out, err, 1, "error: git fetch from origin failed: fatal: 'origin' does not appear to be a git repository")


# Run from a folder that was removed meanwhile (`cd x; rm -rf ../x`): looking for the repository from it,
# or a path relative to it, was exit 3 (FileNotFoundError from os.getcwd).
@pytest.mark.parametrize("args,said", [
    (["check"], "the current folder was removed"), (["publish", "--dry-run"], "the current folder was removed"),
    (["site", "build"], "the current folder was removed"), (["new", "Hello"], "the current folder was removed"),
    (["init", "here"], "'here': the current folder it is relative to was removed"),
    (["cards", "--out", "cards"], "'cards': the current folder it is relative to was removed"),
    (["import", "posts.csv"], "'posts.csv': the current folder it is relative to was removed"),
])
def test_run_from_a_folder_that_was_removed(tmp_path, args, said):
    gone = tmp_path / "gone"
    gone.mkdir()
    here = os.getcwd()
    os.chdir(gone)
    gone.rmdir()
    try:
        result = CliRunner().invoke(cli, args, env={"SMM_NOW": NOW}, catch_exceptions=False)
    finally:
        os.chdir(here)
    _assert_clean(result.exit_code, result.stdout, result.stderr, 2, said)
    assert list(tmp_path.iterdir()) == []


# A folder whose name is not UTF-8 (a GBK name unzipped on Linux): the cache folder's key encoded it as UTF-8,
# so every command in such a repository was exit 3, and so was `smm site build --out` into such a folder.
# DuckDB opens UTF-8 paths only: `smm report` and `smm site build` there were exit 1 with its message.
NOT_UTF8 = os.fsdecode(b"\xd4\xc6\xd2\xb6")  # 云叶 in GBK


@pytest.mark.parametrize("args", [["check"], ["preview"], ["calendar"], ["new", "Hello"], ["report"]])
def test_a_repository_in_a_folder_whose_name_is_not_utf8(tmp_path, args):
    root = copy_example(tmp_path / NOT_UTF8)
    code, out, err = _smm(root, *args)
    _assert_clean(code, out, err, 0)


def test_a_site_of_a_repository_in_a_folder_whose_name_is_not_utf8(tmp_path):
    """Its report pages are those of the same repository in a plain folder (the metrics read)."""
    pages = []
    for root in (copy_example(tmp_path / "plain"), copy_example(tmp_path / NOT_UTF8)):
        proc = _run(root, "site", "build")  # a process of its own: smm's main() sets how the name is printed
        _assert_clean(proc.returncode, "", proc.stderr.decode("utf-8", "replace"), 0)
        pages.append((root / "_site/report/30d/index.html").read_bytes())
    assert pages[0] == pages[1]


def test_the_report_in_a_folder_whose_name_is_not_utf8_is_the_report(tmp_path):
    """Run from a folder inside it, the metrics are all read; a bad cell is named by its line."""
    plain, odd = copy_example(tmp_path / "plain"), copy_example(tmp_path / NOT_UTF8)
    wanted = _smm(plain / "content", "report", "--format", "json")
    assert wanted[0] == 0 and _smm(odd / "content", "report", "--format", "json") == wanted
    month = sorted((odd / "data/metrics").glob("*.csv"))[-1]
    with open(month, "a", encoding="utf-8") as table:
        table.write(month.read_text(encoding="utf-8").splitlines()[1].replace(",", ",-1,", 1) + "\n")
    code, out, err = _smm(odd, "report")
    _assert_clean(code, out, err, 1, f"data/metrics/{month.name}:")


def test_a_site_into_a_folder_whose_name_is_not_utf8(example, tmp_path):
    proc = _run(example, "site", "build", "--out", str(tmp_path / NOT_UTF8))
    _assert_clean(proc.returncode, "", proc.stderr.decode("utf-8", "replace"), 0)
    assert (tmp_path / NOT_UTF8 / "index.html").is_file() and b"\\udcd4" in proc.stdout  # the name, escaped
