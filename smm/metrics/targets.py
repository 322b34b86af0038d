"""What a metrics run asks for: the posts published in the window, less what was collected
less than `interval` ago (so two runs within it add no duplicate rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from smm.data.jobs import parse_time, published_jobs
from smm.data.tables import FOLLOWERS, METRICS, Table, read_rows


@dataclass(frozen=True)
class Target:
    post_id: str
    account: str
    platform: str
    remote_id: str


def published_targets(repo, now: datetime, since: timedelta) -> dict[str, list[Target]]:
    """Per account: every post published there in [now - since, now], oldest first."""
    found: dict[str, list[Target]] = {}
    for job in published_jobs(repo.records, repo.posts):
        if job.remote_id and now - since <= job.published_at <= now:
            options = repo.config.accounts.get(job.account)
            platform = options.platform if options else ""
            found.setdefault(job.account, []).append(Target(job.post_id, job.account, platform, job.remote_id))
    return found


def recent_collections(root: Path, now: datetime, interval: timedelta, renames: dict[str, str]) -> tuple[dict, dict]:
    """Latest `collected_at` per (post, account) and per account, from rows newer than now - interval
    (a row under an account's former name, `renames`, is the account's)."""
    def account(row: dict) -> str:
        return renames.get(row["account"], row["account"])

    return (collected_since(root, METRICS, now, interval, lambda r: (r["post_id"], account(r))),
            collected_since(root, FOLLOWERS, now, interval, account))


def collected_since(root: Path, table: Table, now: datetime, interval: timedelta, key: Callable[[dict], object]) -> dict:
    """Latest `collected_at` per key(row) among the table's rows newer than now - interval."""
    cutoff = now - interval
    seen: dict = {}
    for file in sorted({table.month_file(cutoff), table.month_file(now)}):
        path = root / file
        if not path.exists():
            continue
        for row in read_rows(path, root, table):
            moment = parse_time(row.get("collected_at"))
            if moment is None:
                continue  # a partial or malformed line: not a collection
            k = key(row)
            if moment > cutoff and (k not in seen or seen[k] < moment):
                seen[k] = moment
    return seen
