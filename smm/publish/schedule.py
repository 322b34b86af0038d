"""What is due: pure functions of posts, records and the time (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from smm.content.post import Post
from smm.data.records import RecordStore
from smm.workspace.config import Config


@dataclass(frozen=True)
class Job:
    post: Post
    account: str
    lateness: timedelta

    def late(self, config: Config) -> bool:
        limit = config.accounts[self.account].max_lateness
        return limit is not None and self.lateness > limit


def due_jobs(posts: list[Post], store: RecordStore, config: Config, now: datetime) -> list[Job]:
    """Every (post, account) whose time has come and that is not published yet, oldest first.

    Catch-up, not exact-minute: everything due since the last run is here; nothing early.
    Instants are compared, never wall clocks (see `instant`).
    """
    now = instant(now)
    jobs = []
    for post in sorted(posts, key=lambda p: (instant(p.publish_at or now), p.id)):
        if post.draft or post.publish_at is None or instant(post.publish_at) > now:
            continue
        for account in post.accounts:
            if account not in config.accounts:
                continue
            if store.job(post.id, account).get("state") != "published":
                jobs.append(Job(post, account, now - instant(post.publish_at)))
    return jobs


def instant(moment: datetime) -> datetime:
    """The moment in UTC: Python compares and subtracts two datetimes of the same time zone by
    their wall clocks, so 02:30 on a night the clocks skip would come before 03:10 that night."""
    return moment.astimezone(timezone.utc)
