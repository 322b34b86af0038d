"""smm.data: one place for job states, one answer to "which jobs went out", one error per kind."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import post_text

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
