"""smm.data: one place for job states, one answer to "which jobs went out", one error per kind."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import copy_example, post_text

from smm.data.jobs import RECORDED_STATES, JobState, published_jobs
from smm.metrics.targets import published_targets
from smm.report import entries
from smm.workspace.repo import load_repo
from smm.workspace.schema import SCHEMAS

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
POST_AT = "2026-11-30T09:00:00+00:00"  # the post's publish_at


def test_the_record_schema_names_exactly_the_recorded_states():
    schema = json.loads((SCHEMAS / "record.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["job"]["properties"]["state"]["enum"]) == {s.value for s in RECORDED_STATES}


# (the job as recorded, when it went out for metrics and report alike: None = not counted)
PUBLISHED = [
    ({"state": "published", "remote_id": "r", "published_at": "2026-11-30T10:00:00Z"}, "2026-11-30T10:00:00+00:00"),
    ({"state": "published", "remote_id": "r", "published_at": "2026-11-30T18:00:00+08:00"}, "2026-11-30T10:00:00+00:00"),
    ({"state": "published", "remote_id": "r", "published_at": "2026-11-30T10:00:00"}, "2026-11-30T10:00:00+00:00"),
    ({"state": "published", "remote_id": "r"}, POST_AT),  # no published_at: the post's time
    ({"state": "published", "remote_id": "r", "published_at": "yesterday"}, POST_AT),  # unreadable: the post's time
    ({"state": "failed", "remote_id": None, "published_at": "2026-11-30T10:00:00Z"}, None),
    ({"state": "unconfirmed", "error": "?"}, None),
    ({"state": "in_flight"}, None),
    ({"state": "late", "error": "late"}, None),
]


def _repo_with(root: Path, job: dict):
    (root / "content").mkdir(exist_ok=True)
    (root / "content/a.md").write_text(post_text(publish_at=POST_AT, platforms="[local]"), encoding="utf-8")
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    record = {"post": "a", "file": "content/a.md", "accounts": {"local": job}}
    (root / "data/published/a.json").write_text(json.dumps(record), encoding="utf-8")
    return load_repo(root)


@pytest.mark.parametrize("job, went_out", PUBLISHED)
def test_metrics_and_the_report_count_the_same_published_jobs_at_the_same_moment(make_repo, job, went_out):
    repo = _repo_with(make_repo(), job)
    expected = [("a", "local", datetime.fromisoformat(went_out))] if went_out else []
    assert [(j.post_id, j.account, j.published_at) for j in published_jobs(repo.records, repo.posts)] == expected
    report = [(e.post_id, e.account, e.published_at) for e in entries(repo, {}, {}, NOW)]
    assert report == expected
    targets = published_targets(repo, NOW, timedelta(days=30))
    assert [(t.post_id, t.account) for t in targets.get("local", [])] == [(p, a) for p, a, _ in expected]


def test_a_state_is_a_string_in_every_file_and_report():
    assert json.dumps({"state": JobState.IN_FLIGHT}) == '{"state": "in_flight"}'
    assert f"{JobState.PUBLISHED:<11}|" == "published  |" and JobState("late") is JobState.LATE
    assert not JobState.SKIPPED.recorded and JobState.UNCONFIRMED.recorded


# -- each kind of failure is its own error class, with a message naming the file ------------------

def _lock_held(root: Path):
    from smm.data.lock import exclusive, recorded

    with exclusive(root, "publish"):
        with recorded(root, "publish", wait=0):
            pass


def _csv(content: bytes):
    def read(root: Path):
        from smm.data.tables import METRICS, read_rows

        (root / "data/metrics").mkdir(parents=True)
        (root / "data/metrics/2026-11.csv").write_bytes(content)
        read_rows(root / "data/metrics/2026-11.csv", root, METRICS)
    return read


def _append_to_a_folder(root: Path):
    from smm.data.tables import METRICS, append_rows

    (root / "data/metrics/2026-11.csv").mkdir(parents=True)
    append_rows(root, "data/metrics/2026-11.csv", METRICS.columns, [])


def _commit_outside_git(root: Path):
    from smm.data import gitops

    gitops.commit_data(root, "smm metrics")


def _resolve_a_published_job(root: Path):
    from smm.publish.resolve import resolve

    repo = _repo_with(root, {"state": "published", "remote_id": "r", "url": "local://local/r"})
    resolve(repo, "a", "local", None, NOW, {})


def _broken_config(root: Path):
    from smm.workspace.config import refuse_broken

    (root / "platforms.yml").write_text("timezone: UTC\naccounts:\n  local: {platform: nowhere}\n", encoding="utf-8")
    repo = load_repo(root)
    refuse_broken(repo.root, repo.diagnostics)


@pytest.mark.parametrize("cause, error, says", [
    (_lock_held, "StateError", "another `smm publish` is running in this checkout"),
    (_commit_outside_git, "StateError", "is not a git repository: --commit and --push need one"),
    (_resolve_a_published_job, "StateError", "`a` on local is published: only unconfirmed, failed or exported jobs are resolved"),
    (_csv(b"\xff\xfe not text"), "DataError", "data/metrics/2026-11.csv: not UTF-8 text"),
    (_csv(b"when,likes\n1,2\n"), "DataError", "data/metrics/2026-11.csv: the first line must be the header"),
    (_csv(b""), "DataError", "data/metrics/2026-11.csv: the first line must be the header"),
    (_append_to_a_folder, "DataError", "data/metrics/2026-11.csv: it is not a regular file"),
    (_broken_config, "ConfigError", "platforms.yml has errors"),
], ids=["lock", "no-git", "resolve-published", "csv-not-text", "csv-header", "csv-empty", "csv-folder", "config"])
def test_each_kind_of_failure_raises_its_own_error(make_repo, cause, error, says):
    import smm.errors

    root = make_repo()
    with pytest.raises(getattr(smm.errors, error)) as raised:
        cause(root)
    assert says in raised.value.message
    assert type(raised.value) is getattr(smm.errors, error)  # not a subclass, not the bare root


def test_a_broken_config_is_reported_with_its_line_and_exit_2(make_repo, smm):
    root = make_repo()
    (root / "platforms.yml").write_text("timezone: UTC\naccounts:\n  local: {platform: nowhere}\n", encoding="utf-8")
    for command in (["publish", "--now", "2026-12-01T12:00"], ["metrics", "--now", "2026-12-01T12:00"]):
        code, out, err = smm(*command)
        assert code == 2 and out == "", (command, err)
        assert "platforms.yml:3:" in err and not err.startswith("error:"), err


@pytest.mark.parametrize("name", ["inbox", "giveaway", "listen"])
@pytest.mark.parametrize("target", ["missing", "a loop of links"])
def test_a_lock_whose_file_is_missing_or_unusable_locks_the_checkout_instead(make_repo, name, target):
    """No content/ (git keeps no empty folder: a fresh clone may have none), a loop of links: `smm inbox`
    crashed (exit 3) opening what it locks; now the checkout's folder is locked, and still one at a time."""
    import shutil

    from smm.data.lock import LOCKED, exclusive
    from smm.errors import StateError

    root = make_repo()
    locked = root / LOCKED[name]
    if locked.is_dir():
        shutil.rmtree(locked)
    locked.unlink(missing_ok=True)
    locked.parent.mkdir(parents=True, exist_ok=True)
    if target == "a loop of links":
        locked.symlink_to(locked.name)
    with exclusive(root, name, wait=0):
        with pytest.raises(StateError, match="another `smm publish` is running"):
            with exclusive(root, "publish", wait=0):
                pass


# A file under data/ that an editor saved "UTF-8 with BOM" (a hand fix on Windows): read as without it.
# The tables' header check refused it with an invisible difference (`﻿collected_at` is not `collected_at`),
# and an inbox line with one was "not an inbox item".
BOM_FILES = ["data/metrics", "data/accounts", "data/mentions", "data/competitors", "data/published"]


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("bom") / "repo")
    return root, _report(root)


def _report(root):
    done = subprocess.run([sys.executable, "-m", "smm", "report", "--format", "json", "--now", "2026-12-01T00:00:00Z"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("folder", BOM_FILES)
def test_a_data_file_saved_with_a_byte_order_mark_is_read_as_without(example_report, tmp_path, folder):
    plain, wanted = example_report
    root = copy_example(tmp_path / "repo")
    first = sorted((root / folder).iterdir())[0]
    first.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    assert _report(root) == wanted
