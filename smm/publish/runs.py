"""The scheduled job's commands as pipelines: publish (then commit and push), and its report."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Mapping

from smm.publish.pipeline import Publisher, Report, checkpoint
from smm.workspace.files import remove_stale_temps
from smm.workspace.repo import Repo


def publish(repo: Repo, now: datetime, env: Mapping[str, str], *, dry_run: bool = False, include_late: bool = False,
            retry_unconfirmed: tuple[str, ...] = (), commit: bool = False, push: bool = False) -> Report:
    """Publish what is due; with commit/push, record it in git as the run goes."""

    from smm.data import gitops  # gitpython is slow to import: only when git is used

    def claim(message: str) -> bool:
        # Before the first call: every due job's attempt in the remote, or none (another push came first).
        return gitops.claim(repo.root, message)

    if not dry_run:
        remove_stale_temps(repo.root / gitops.DATA_DIR)  # a killed run's, never committed either way
    publisher = Publisher(repo, now, env, dry_run=dry_run, include_late=include_late,
                          retry_unconfirmed=retry_unconfirmed, claim=claim if push else None)
    report = Report()
    try:
        report = publisher.run()
    finally:  # whatever happened, what was published is recorded in git; a failure is reported with it
        if commit and not dry_run:
            checkpoint("before_commit")
            report.git_error = gitops.record(repo.root, commit_message(report), push)
    return report


def commit_message(report: Report) -> str:
    head = "smm publish: " + (_counts(report) if report.jobs else "records")
    lines = [f"- {j.post} → {j.account}: {j.state}" + (f" {j.url}" if j.url else "") for j in report.jobs]
    return "\n".join([head, "", *lines]) if lines else head


def format_publish(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return _markdown(report)
    out = []
    for j in report.jobs:
        detail = j.url or j.error or ""
        out.append(f"{j.state:<13} {j.post} → {j.account}" + (f"  {detail}" if detail else ""))
    if report.not_configured:
        out.append("not configured: " + ", ".join(f"{a} (set {', '.join(v)})" for a, v in report.not_configured.items()))
    out.append(_counts(report))
    if report.git_error:
        out.append(f"not recorded in git: {report.git_error}")
    return "\n".join(out)


def _counts(report: Report) -> str:
    counts = Counter(j.state for j in report.jobs)
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) if report.jobs else "nothing due"


_ICONS = {"published": "✅", "failed": "❌", "unconfirmed": "❓", "in_flight": "⏳", "late": "⏰",
          "would_publish": "📝"}
_RANK = {"failed": 0, "skipped": 1, "unconfirmed": 2, "in_flight": 3, "late": 4}  # what a human must see first


def _rank(job) -> int:
    """Failures first (a skip for a missing or unusable secret fails the run too); a harmless
    skip (the platform cannot publish from smm at all) last."""
    return 10 if job.state == "skipped" and not job.fails_run else _RANK.get(job.state, 9)


def _label(job) -> str:
    if job.state == "skipped":
        return "❌ skipped (fails the run)" if job.fails_run else "➖ skipped (cannot publish from smm)"
    return f"{_ICONS.get(job.state, '')} {job.state}"


def _markdown(report: Report) -> str:
    """For a CI job summary: failures first, so they are seen."""
    out = [f"### smm publish: {_counts(report)}", ""]
    if report.git_error:
        out += [f"❌ **Not recorded in git:** {report.git_error}", ""]
    if report.jobs:
        out += ["| | post | account | details |", "|---|---|---|---|"]
        for j in sorted(report.jobs, key=_rank):
            detail = (j.url or j.error or "").replace("|", "\\|")
            out.append(f"| {_label(j)} | `{j.post}` | {j.account} | {detail} |")
    if report.not_configured:
        out += ["", "Not configured: " + ", ".join(f"**{a}** (set `{'`, `'.join(v)}`)" for a, v in report.not_configured.items())]
    return "\n".join(out) + "\n"
