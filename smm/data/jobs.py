"""A job: one (post, account) of a publish record, typed; its states; which jobs went out.

    JobState         every state a job can be in; a new state is added here, and only here
    JobRecord        one account's entry of data/published/<post>.json, read into types
    published_jobs   every job recorded published, with the moment it went out (metrics, report)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import StrEnum

from smm.content.derived import is_comment
from smm.workspace.timezones import YEARS


class JobState(StrEnum):
    """A job's state. The recorded ones come first, in merge order: when two runs recorded the
    same job, the later state here wins (smm.data.merge). A published post exists, whatever
    else the other run believed; a human's question (unconfirmed) outranks a call that may
    be under way (in_flight, reconciled on the next run), which outranks a refusal, a late
    mark and a job never tried.

    A new state is a member here (its place is its merge rank), in LIVE_STATES if its post may
    be on the network, and in record.schema.json's enum (tests/test_data_layer.py checks)."""

    PENDING = "pending"  # due, not tried: the account's secrets or adapter are missing
    LATE = "late"  # later than the account's max_lateness: not published
    FAILED = "failed"  # refused (retried when `retryable`, or when the post changes)
    IN_FLIGHT = "in_flight"  # a call was under way: the next run reconciles it
    UNCONFIRMED = "unconfirmed"  # nobody could tell whether it went out: a human resolves it
    EXPORTED = "exported"  # a bundle under data/exports/ waits for a human to upload it (smm.platforms.bundle)
    PUBLISHED = "published"
    # Only in a run's report, never recorded:
    NEW = "new"  # no record yet
    SKIPPED = "skipped"  # not tried in this run (secrets or adapter missing)
    WOULD_PUBLISH = "would_publish"  # --dry-run

    @property
    def recorded(self) -> bool:
        return self not in _REPORT_ONLY


_REPORT_ONLY = frozenset({JobState.NEW, JobState.SKIPPED, JobState.WOULD_PUBLISH})
_VALUES = frozenset(s.value for s in JobState)
RECORDED_STATES = tuple(s for s in JobState if s.recorded)  # merge order
LIVE_STATES = frozenset({JobState.PUBLISHED, JobState.EXPORTED, JobState.IN_FLIGHT,
                         JobState.UNCONFIRMED})  # may be on the network (or in a bundle)


def parse_time(raw: object) -> datetime | None:
    """A timestamp smm wrote (`2026-11-26T04:00:00Z`, `…+00:00`) as an aware datetime (UTC when it
    names no offset); None when it is missing or not a timestamp, or not in YEARS in UTC (none smm
    writes: year 1 at +14:00 is no time in UTC at all)."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    try:
        return moment if moment.astimezone(timezone.utc).year in YEARS else None
    except OverflowError:
        return None


@dataclass(frozen=True)
class JobRecord:
    """One account's job as recorded; `fields` is the JSON object as written."""

    post_id: str
    account: str
    state: JobState | None  # None: a state this smm does not know (a newer smm wrote it)
    remote_id: str | None
    url: str | None
    published_at: datetime | None
    error: str | None
    retryable: bool | None
    fields: dict

    @classmethod
    def from_json(cls, post_id: str, account: str, job: dict) -> JobRecord:
        job = job if isinstance(job, dict) else {}
        state = job.get("state")
        return cls(post_id, account, JobState(state) if state in _VALUES else None,
                   job.get("remote_id"), job.get("url"), parse_time(job.get("published_at")), job.get("error"),
                   job.get("retryable"), job)

    @property
    def needs_a_human(self) -> bool:
        """Unconfirmed, or failed for good: the scheduled run will not try it again by itself."""
        return self.state is JobState.UNCONFIRMED or (self.state is JobState.FAILED and not self.retryable)


def jobs_of(records: dict) -> list[JobRecord]:
    """Every job of every record (smm.data.records.Record by post id), record by record."""
    return [JobRecord.from_json(record.post, account, job)
            for record in records.values() for account, job in record.accounts.items()]


def published_jobs(records: dict, posts) -> list[JobRecord]:
    """Every job recorded published, oldest first; `published_at` is when it went out (the post's
    `publish_at` for a record that lacks it). Jobs with neither are left out, and so are first
    comments (`<post>+comment`: a reply under a post, not a post of their own)."""
    publish_at = {p.id: p.publish_at for p in posts}
    found = []
    for job in jobs_of(records):
        when = job.published_at or publish_at.get(job.post_id)
        if job.state is JobState.PUBLISHED and when is not None and not is_comment(job.post_id):
            found.append(replace(job, published_at=when))
    return sorted(found, key=lambda j: (j.published_at, j.post_id, j.account))
