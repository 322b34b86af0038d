"""What is due: pure functions of posts, records and the time (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from smm.content.derived import comment_path, comment_post
from smm.content.post import Post
from smm.data.jobs import JobState
from smm.data.records import RecordStore
from smm.workspace.config import Config


@dataclass(frozen=True)
class Job:
    post: Post
    account: str
    lateness: timedelta
    parent: str | None = None  # a first comment: the record id of the post it answers

    def late(self, config: Config) -> bool:
        limit = config.accounts[self.account].max_lateness
        return limit is not None and self.lateness > limit


def due_jobs(posts: list[Post], store: RecordStore, config: Config, now: datetime,
             comments: Callable[[str], bool] = lambda account: False) -> list[Job]:
    """Every (post, account) whose time has come and that is not published (or exported) yet, oldest first;
    after a published job, its first comment when that is not published yet and `comments(account)`
    says the account can publish one (never late: it follows its post whenever that went out).

    Catch-up, not exact-minute: everything due since the last run is here; nothing early.
    Instants are compared, never wall clocks (see `instant`).
    """
    now = instant(now)
    jobs = []
    for post in sorted(posts, key=lambda p: (instant(due_at(p, now) or now), p.id)):
        when = due_at(post, now)
        if post.draft or when is None or instant(when) > now:
            continue
        for account in post.accounts:
            if account not in config.accounts:
                continue
            record = store.job(post.id, account)
            if record.get("state") not in (JobState.PUBLISHED, JobState.EXPORTED):
                jobs.append(Job(post, account, now - instant(when)))
            elif (record.get("state") == JobState.PUBLISHED and comment_path(post, account) and comments(account)
                  and store.job(comment_post(post).id, account).get("state") != JobState.PUBLISHED):
                jobs.append(Job(comment_post(post), account, timedelta(0), parent=post.id))
    return jobs


def due_at(post: Post, now: datetime) -> datetime | None:
    """When a post is due: its `publish_at`; a reply without one is due now (once merged), never late."""
    return now if post.publish_at is None and post.reply_to else post.publish_at


def instant(moment: datetime) -> datetime:
    """The moment in UTC: Python compares and subtracts two datetimes of the same time zone by
    their wall clocks, so 02:30 on a night the clocks skip would come before 03:10 that night."""
    return moment.astimezone(timezone.utc)
