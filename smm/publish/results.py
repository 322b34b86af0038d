"""What one `smm publish` run did, job by job, and how it is shown: text, JSON, Markdown (a CI
job summary, failures first), the commit message; and what a human does about a job."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from smm.data.jobs import JobState
from smm.output import render


@dataclass
class JobResult:
    post: str
    account: str
    state: JobState
    url: str | None = None
    error: str | None = None
    fails_run: bool = True  # False for a job skipped because its platform cannot publish from smm at all

    def as_json(self) -> dict:
        return {"post": self.post, "account": self.account, "state": self.state, "url": self.url, "error": self.error}


@dataclass
class PublishRun:
    jobs: list[JobResult] = field(default_factory=list)
    not_configured: dict[str, list[str]] = field(default_factory=dict)  # account → missing variables
    git_error: str | None = None  # why the records could not be committed or pushed

    @property
    def exit_code(self) -> int:
        return 1 if self.git_error or any(j.state in (JobState.FAILED, JobState.UNCONFIRMED)
                                          or (j.state == JobState.SKIPPED and j.fails_run) for j in self.jobs) else 0

    def as_json(self) -> dict:
        return {"jobs": [j.as_json() for j in self.jobs]} | ({"git_error": self.git_error} if self.git_error else {})


def resolve_hint(post_id: str, account: str) -> str:
    """What a human does about a job whose outcome nobody could tell."""
    resolve = f"smm resolve {post_id} --account {account}"
    return f"check the account: if the post is there, run `{resolve} --published URL`, if not `{resolve} --not-published`"


def settle_hint(post_id: str, account: str) -> str:
    """What a human does about a job that failed for good."""
    return f"change the post, or run `smm resolve {post_id} --account {account} --published URL | --not-published`"


def humanize(delta) -> str:
    """`2 d 4 h`, `3 h 10 min`, `12 min`."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0 min"


def commit_message(report: PublishRun) -> str:
    head = "smm publish: " + (_counts(report) if report.jobs else "records")
    lines = [f"- {j.post} → {j.account}: {j.state}" + (f" {j.url}" if j.url else "") for j in report.jobs]
    return "\n".join([head, "", *lines]) if lines else head


def format_publish(report: PublishRun, fmt: str) -> str:
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


def _counts(report: PublishRun) -> str:
    counts = Counter(j.state for j in report.jobs)
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) if report.jobs else "nothing due"


_ICONS = {JobState.PUBLISHED: "✅", JobState.EXPORTED: "📦", JobState.FAILED: "❌", JobState.UNCONFIRMED: "❓", JobState.IN_FLIGHT: "⏳",
          JobState.LATE: "⏰", JobState.WOULD_PUBLISH: "📝"}
_RANK = {JobState.FAILED: 0, JobState.SKIPPED: 1, JobState.UNCONFIRMED: 2, JobState.IN_FLIGHT: 3,
         JobState.LATE: 4}  # what a human must see first


def _rank(job) -> int:
    """Failures first (a skip for a missing or unusable secret fails the run too); a harmless
    skip (the platform cannot publish from smm at all) last."""
    return 10 if job.state == JobState.SKIPPED and not job.fails_run else _RANK.get(job.state, 9)


def _label(job) -> str:
    if job.state == JobState.SKIPPED:
        return "❌ skipped (fails the run)" if job.fails_run else "➖ skipped (cannot publish from smm)"
    return f"{_ICONS.get(job.state, '')} {job.state}"


def _markdown(report: PublishRun) -> str:
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


render.register(PublishRun, format_publish)
