"""The report's data: the latest metrics of each post on each account, and follower counts.

The CSV files under data/metrics/ grow by a row per post, account and collection (two
years of daily snapshots of 5,000 posts is about 3.6 million rows, 400 MB). DuckDB reads
them in parallel, typed, and reduces them to one row per (post, account) in SQL, so
Python only ever sees the reduced rows: see tests/bench/bench_report.py for the figures.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smm.errors import SmmError
from smm.metrics.collect import (
    ACCOUNTS_DIR,
    FOLLOWER_COLUMNS,
    METRIC_COLUMNS,
    METRICS_DIR,
    open_csv,
)

MEMORY_LIMIT = "600MB"  # DuckDB spills to disk beyond this
_MONTH = re.compile(r"^(\d{4})-(\d{2})\.csv$")
_TYPES = {"collected_at": "TIMESTAMPTZ", "post_id": "VARCHAR", "account": "VARCHAR", "platform": "VARCHAR",
          "remote_id": "VARCHAR", "followers": "BIGINT"}


@dataclass(frozen=True)
class Snapshot:
    """The latest collected counts of one post on one account (None: the network gives none)."""

    post_id: str
    account: str
    platform: str
    collected_at: datetime
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None
    clicks: int | None


def month_files(root: Path, folder: str, end: datetime) -> list[Path]:
    """`<folder>/<YYYY-MM>.csv` files of months up to the one holding `end` (UTC), oldest first."""
    directory = root / folder
    if not directory.is_dir():
        return []
    last = end.astimezone(timezone.utc).strftime("%Y-%m")
    found = []
    for path in sorted(directory.iterdir()):
        match = _MONTH.match(path.name)
        if match and f"{match.group(1)}-{match.group(2)}" <= last:
            with open_csv(path, root) as handle:  # a regular file, not too large, before DuckDB reads it
                if os.fstat(handle.fileno()).st_size > 0:
                    found.append(path)
    return found


def _check_header(path: Path, root: Path, columns: tuple[str, ...]) -> None:
    try:
        with open_csv(path, root) as handle:
            header = handle.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        file = path.relative_to(root).as_posix()
        raise SmmError(f"{file}: not UTF-8 text; restore it from git (`git checkout -- {file}`)") from None
    if header != ",".join(columns):
        raise SmmError(f"{path.relative_to(root).as_posix()}: the first line must be the header "
                       f"`{','.join(columns)}`, not `{header[:200]}`")


def _connect():
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute(f"SET threads = 2; SET memory_limit = '{MEMORY_LIMIT}'; SET preserve_insertion_order = false; "
                       "SET TimeZone = 'UTC'")
    return connection


def _read(files: list[Path], columns: tuple[str, ...]) -> str:
    types = ", ".join(f"'{c}': '{_TYPES.get(c, 'BIGINT')}'" for c in columns)
    return (f"read_csv($files, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"columns = {{{types}}})")


def _run(connection, sql: str, files: list[Path], end: datetime):
    import duckdb

    try:
        return connection.execute(sql, {"files": [str(f) for f in files], "end": end}).fetchall()
    except duckdb.Error as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        where = next((line.split("=", 1)[1].strip() for line in lines if line.startswith("file =")), None)
        what = next((line for line in lines if line.startswith("Error when converting")), None)
        detail = "; ".join(x for x in (lines[0] if lines else "", what) if x)
        raise SmmError(f"cannot read the collected metrics{f' in {where}' if where else ''}: {detail}") from None


def latest_snapshots(root: Path, end: datetime, connection=None) -> dict[tuple[str, str], Snapshot]:
    """Per (post, account): the counts of its last row collected before `end`."""
    files = month_files(root, METRICS_DIR, end)
    if not files:
        return {}
    for path in files:
        _check_header(path, root, METRIC_COLUMNS)
    counts = ", ".join(METRIC_COLUMNS[5:])
    sql = (f"SELECT post_id, account, max((collected_at, {counts}, platform)) FROM {_read(files, METRIC_COLUMNS)} "
           "WHERE collected_at < $end GROUP BY post_id, account")
    rows = _run(connection or _connect(), sql, files, end)
    found = {}
    for post_id, account, last in rows:
        at, likes, reposts, replies, quotes, views, clicks, platform = last
        found[(post_id, account)] = Snapshot(post_id, account, platform, at.astimezone(timezone.utc), likes, reposts,
                                             replies, quotes, views, clicks)
    return found


def follower_counts(root: Path, end: datetime, connection=None) -> dict[str, list[tuple[datetime, int]]]:
    """Per account: (collected_at, followers) rows collected before `end`, oldest first."""
    files = month_files(root, ACCOUNTS_DIR, end)
    if not files:
        return {}
    for path in files:
        _check_header(path, root, FOLLOWER_COLUMNS)
    sql = (f"SELECT account, collected_at, followers FROM {_read(files, FOLLOWER_COLUMNS)} "
           "WHERE collected_at < $end AND followers IS NOT NULL ORDER BY account, collected_at")
    series: dict[str, list[tuple[datetime, int]]] = {}
    for account, at, followers in _run(connection or _connect(), sql, files, end):
        series.setdefault(account, []).append((at.astimezone(timezone.utc), int(followers)))
    return series


def load(root: Path, end: datetime) -> tuple[dict[tuple[str, str], Snapshot], dict[str, list[tuple[datetime, int]]]]:
    """Both, through one DuckDB connection."""
    if not month_files(root, METRICS_DIR, end) and not month_files(root, ACCOUNTS_DIR, end):
        return {}, {}
    connection = _connect()
    try:
        return latest_snapshots(root, end, connection), follower_counts(root, end, connection)
    finally:
        connection.close()
