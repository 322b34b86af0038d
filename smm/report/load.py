"""The report's data: the latest metrics of each post on each account, and follower counts.

The CSV files under data/metrics/ grow by a row per post, account and collection (two
years of daily snapshots of 5,000 posts is about 3.6 million rows, 400 MB). DuckDB reads
them in parallel, typed, and reduces them to one row per (post, account) in SQL, so
Python only ever sees the reduced rows: see tests/bench/bench_report.py for the figures.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smm.data.tables import COUNTS, FOLLOWERS, METRICS, Table, bad_row, check_header, count_sql, open_csv
from smm.errors import DataError
from smm.workspace.files import is_utf8, require_folder
from smm.workspace.timezones import YEARS

MEMORY_LIMIT = "600MB"  # DuckDB spills to disk beyond this
_MONTH = re.compile(r"^(\d{4})-(\d{2})\.csv$")
_TYPES = {"collected_at": "TIMESTAMPTZ", "post_id": "VARCHAR", "account": "VARCHAR", "platform": "VARCHAR",
          "remote_id": "VARCHAR"}  # any other column is a count, read as DOUBLE and checked (count_sql)
_BAD_CELL = "smm: a bad cell in "  # how the checks name the file holding a cell that is no count or time
_IN_YEARS = (f"collected_at >= TIMESTAMPTZ '{YEARS.start}-01-01 00:00:00+00' "
             f"AND collected_at < TIMESTAMPTZ '{YEARS.stop}-01-01 00:00:00+00'")  # parse_time's rule (empty: none)


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


def month_files(root: Path, table: Table, end: datetime) -> list[Path]:
    """The table's `<YYYY-MM>.csv` files of months up to the one holding `end` (UTC), oldest first."""
    directory = root / table.folder
    require_folder(root, table.folder)
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


def _database():
    """A DuckDB database of its own, in memory (making one takes about 15 ms)."""
    import duckdb

    database = duckdb.connect(":memory:")
    database.execute(f"SET threads = 2; SET memory_limit = '{MEMORY_LIMIT}'; SET preserve_insertion_order = false; "
                     "SET TimeZone = 'UTC'")
    return database


_SHARED: list = []  # [(pid, database)]: the process's database for one-off reads, closed before it forks


def _connect():
    """A connection for one read, to the process's database (a read makes no table: Metrics has a
    database of its own). The database is closed before the process forks: a child forked while one
    was open hung opening its own (tests/test_report_database.py), and a child makes its own."""
    if not _SHARED or _SHARED[0][0] != os.getpid():
        _SHARED[:] = [(os.getpid(), _database())]
    connection = _SHARED[0][1].cursor()
    connection.execute("SET TimeZone = 'UTC'")  # a setting of each connection, not of the database
    return connection


def _close_shared() -> None:
    if _SHARED and _SHARED[0][0] == os.getpid():
        _SHARED[0][1].close()
    _SHARED.clear()


os.register_at_fork(before=_close_shared)


def _read(files: list[Path], columns: tuple[str, ...]) -> str:
    """The rows of the files, each count checked (a cell that is none stops the query: _run names it)."""
    types = ", ".join(f"'{c}': '{_TYPES.get(c, 'DOUBLE')}'" for c in columns)
    counted = " AND ".join([*(count_sql(c) for c in columns if c not in _TYPES), f"({_IN_YEARS})"])
    return (f"(SELECT * FROM read_csv($files, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"columns = {{{types}}}, filename = true) WHERE CASE WHEN {counted} THEN true "
            f"ELSE error('{_BAD_CELL}' || filename) END)")


def _run(connection, sql: str, files: list[Path], end: datetime | None):
    """The rows of the query, through `connection` (None: a connection of its own, closed after)."""
    import duckdb

    own = connection is None
    connection = _connect() if own else connection
    names = [_duckdb_name(f) for f in files]
    parameters = {"files": names, **({"end": end} if end is not None else {})}
    try:
        return connection.execute(sql, parameters).fetchall()
    except duckdb.Error as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        where = next((line.split("=", 1)[1].strip() for line in lines if line.startswith("file =")),
                     next((line.split(_BAD_CELL, 1)[1] for line in lines if _BAD_CELL in line), None))
        named = [f for f, name in zip(files, names) if name == where]
        for file in named:  # a row cut short, a cell that is no count or time: name its line
            bad_row(file, file.parents[2], METRICS if file.parent.name == "metrics" else FOLLOWERS)
        where = _named(named[0]) if named else where
        what = next((line for line in lines if line.startswith("Error when converting")), None)
        detail = "; ".join(x for x in (lines[0] if lines else "", what) if x)
        raise DataError(f"cannot read the collected metrics{f' in {where}' if where else ''}: {detail}") from None
    finally:
        if own:
            connection.close()


def _duckdb_name(file: Path) -> str:
    """The file's path as DuckDB takes one, in UTF-8: a repository in a folder whose name is not
    (its bytes read as surrogates) is named from the current folder, which is the repository's or
    one inside it (find_root), so only `..` and the repository's own ASCII names are left."""
    name = str(file)
    if not is_utf8(name):
        with contextlib.suppress(OSError, ValueError):
            name = os.path.relpath(name)
    if not is_utf8(name):
        raise DataError(f"cannot read the collected metrics in {_named(file)}: DuckDB opens only paths in "
                        "UTF-8, and the repository's folder name is not; run smm from inside the repository")
    return name


def _named(file: Path) -> str:
    """A month file as the repository names it (`data/metrics/2026-11.csv`: month_files() are all there)."""
    return "/".join(file.parts[-3:])


def _checked(root: Path, table: Table, end: datetime) -> list[Path]:
    files = month_files(root, table, end)
    for path in files:
        check_header(path, root, table)
    return files


def latest_snapshots(root: Path, end: datetime, connection=None, table: str | None = None,
                     renames: dict[str, str] | None = None) -> dict[tuple[str, str], Snapshot]:
    """Per (post, account): the counts of its last row collected before `end`; `table`: a table of
    the month files already read (Metrics), else the files are read. `renames` (old account name →
    its name now: `formerly` in platforms.yml): rows under an old name count as the account's."""
    files = _checked(root, METRICS, end)
    if not files:
        return {}
    counts = ", ".join(COUNTS)
    source, where = (_read(files, METRICS.columns), "") if table is None else (table, " AND list_contains($files, filename)")
    sql = (f"SELECT post_id, account, max((collected_at, {counts}, platform)) FROM {source} "
           f"WHERE collected_at < $end{where} GROUP BY post_id, account")
    rows = _run(connection, sql, files, end)
    found = {}
    if renames:  # an old name's row and the new name's: the newer wins
        rows = sorted(rows, key=lambda row: row[2][0])
    for post_id, account, last in rows:
        at, *counts, platform = last
        account = (renames or {}).get(account, account)
        found[(post_id, account)] = Snapshot(post_id, account, platform, at.astimezone(timezone.utc),
                                             *(None if c is None else int(c) for c in counts))
    return found


def newest_collected(root: Path, table: Table = METRICS) -> datetime | None:
    """When the newest row of data/metrics (or `table`: FOLLOWERS) was collected (None: no row)."""
    files = _checked(root, table, datetime.max.replace(tzinfo=timezone.utc))
    if not files:
        return None
    (newest,), = _run(None, f"SELECT max(collected_at) FROM {_read(files, table.columns)}", files, None)
    return newest


def follower_counts(root: Path, end: datetime, connection=None, renames: dict[str, str] | None = None
                    ) -> dict[str, list[tuple[datetime, int]]]:
    """Per account: (collected_at, followers) rows collected before `end`, oldest first; `renames` as
    latest_snapshots() takes them: an old name's rows are the account's."""
    files = _checked(root, FOLLOWERS, end)
    if not files:
        return {}
    sql = (f"SELECT account, collected_at, followers FROM {_read(files, FOLLOWERS.columns)} "
           "WHERE collected_at < $end AND followers IS NOT NULL ORDER BY account, collected_at")
    series: dict[str, list[tuple[datetime, int]]] = {}
    renamed = False
    for account, at, followers in _run(connection, sql, files, end):
        renamed = renamed or account in (renames or {})
        series.setdefault((renames or {}).get(account, account), []).append((at.astimezone(timezone.utc), int(followers)))
    if renamed:  # two names' rows in one series (ordered by name first: `shop` before `old-shop`): in time order again
        for rows in series.values():
            rows.sort(key=lambda row: row[0])
    return series


def load(root: Path, end: datetime, renames: dict[str, str] | None = None
         ) -> tuple[dict[tuple[str, str], Snapshot], dict[str, list[tuple[datetime, int]]]]:
    """Both, through one DuckDB connection."""
    if not month_files(root, METRICS, end) and not month_files(root, FOLLOWERS, end):
        return {}, {}
    connection = _connect()
    try:
        return (latest_snapshots(root, end, connection, renames=renames),
                follower_counts(root, end, connection, renames))
    finally:
        connection.close()


class Metrics:
    """`load()` for several ends up to `last` (the site's report periods), the month files read
    once: the metrics into one DuckDB table, the follower series cut at each end."""

    def __init__(self, root: Path, last: datetime, renames: dict[str, str] | None = None) -> None:
        self.root, self.last, self.renames = root, last, renames
        self._connection = None
        self._followers: dict[str, list[tuple[datetime, int]]] | None = None

    def load(self, end: datetime) -> tuple[dict[tuple[str, str], Snapshot], dict[str, list[tuple[datetime, int]]]]:
        if end > self.last:
            return load(self.root, end, self.renames)
        if not month_files(self.root, METRICS, end) and not month_files(self.root, FOLLOWERS, end):
            return {}, {}
        if self._followers is None:
            self._followers = follower_counts(self.root, self.last, renames=self.renames)
            self._connection = _database()  # its table apart from any other reader's
            files = _checked(self.root, METRICS, self.last)
            if files:
                source = _read(files, METRICS.columns)
                _run(self._connection, f"CREATE TABLE metrics AS SELECT * FROM {source} WHERE collected_at < $end",
                     files, self.last)
        cut = {account: rows[:bisect.bisect_left(rows, end, key=lambda row: row[0])]
               for account, rows in self._followers.items()}
        return (latest_snapshots(self.root, end, self._connection, "metrics", self.renames),
                {account: rows for account, rows in cut.items() if rows})

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
