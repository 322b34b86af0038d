"""The CSV files under data/, written only by `smm metrics`: their columns, and the one way to
open, check, read and append them (the report reads them too, through DuckDB).

    data/metrics/<YYYY-MM>.csv    a post's counts on an account, a row per collection (METRICS)
    data/accounts/<YYYY-MM>.csv   an account's followers, a row per collection (FOLLOWERS)
    data/competitors/<YYYY-MM>.csv  a competitor account's public figures, a row per collection (COMPETITORS)

One file per UTC month; `collected_at` is `2026-11-26T04:00:00Z`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from smm.data.jobs import parse_time
from smm.errors import DataError
from smm.workspace.files import LEADS_OUTSIDE, links_outside, open_regular, refuse_outside
from smm.workspace.timezones import YEARS_TEXT

MAX_CSV_BYTES = 100 * 1024 * 1024  # one month's file; GitHub refuses files over 100 MB anyway
COUNTS = ("likes", "reposts", "replies", "quotes", "views", "clicks")
MAX_COUNT = 2 ** 53 - 1  # the largest whole number a double (DuckDB, JSON, a chart) holds exactly


@dataclass(frozen=True)
class Table:
    folder: str
    columns: tuple[str, ...]
    counts: tuple[str, ...] = ()  # the columns that hold a count: count() reads them

    def month_file(self, moment: datetime) -> str:
        """The file of `moment`'s UTC month."""
        return f"{self.folder}/{moment.astimezone(timezone.utc):%Y-%m}.csv"


METRICS = Table("data/metrics", ("collected_at", "post_id", "account", "platform", "remote_id", *COUNTS), COUNTS)
FOLLOWERS = Table("data/accounts", ("collected_at", "account", "platform", "followers"), ("followers",))
COMPETITORS = Table("data/competitors", ("collected_at", "competitor", "network", "handle", "followers", "posts",
                                         "median_engagement"), ("followers", "posts"))


def count(text: str | None) -> int | None:
    """A count cell as written (empty: None); ValueError when it is not a whole number from 0 to
    MAX_COUNT (`-5`, `1.5`, `NaN`, `1e300`, `lots`). count_sql() is the same rule for DuckDB."""
    if text in (None, ""):
        return None
    if not text.isascii():  # Python's float() reads `١٢` and `５`; DuckDB, and this rule, do not
        raise ValueError(text)
    number = float(text)  # as DuckDB reads a DOUBLE: `1e3` and `+5` are counts too
    if not 0 <= number <= MAX_COUNT or number != int(number):
        raise ValueError(text)
    return int(number)


def count_sql(column: str) -> str:
    """count()'s rule in SQL, for a DOUBLE column: true when it holds a count or nothing."""
    return f"coalesce({column} >= 0 AND {column} <= {MAX_COUNT} AND {column} = trunc({column}), true)"


def whole(row: dict) -> bool:
    """Whether a row read by read_rows has every column and no more: not a line cut short or two
    lines run together (a crash, a bad merge, a hand edit)."""
    return None not in row and None not in row.values()


def count_cell(row: dict, column: str, where: str) -> int | None:
    """count() of a row's cell; a DataError at `where` (`file:line`) naming the column when it is no count."""
    try:
        return count(row.get(column))
    except (ValueError, TypeError):
        raise DataError(f"{where}: {column} `{str(row.get(column))[:40]}` is not a count (a whole number from 0 "
                        f"to {MAX_COUNT:,})") from None


def bad_row(path: Path, root: Path, table: Table) -> None:
    """A DataError naming the first row of the file that is none of the table (cut short, two run
    together), whose `collected_at` is empty or no time in YEARS, or whose count is no count (none: return)."""
    file = path.relative_to(root).as_posix()
    for line, row in numbered_rows(path, root, table):
        if not whole(row):
            raise DataError(f"{file}:{line}: not a row of {', '.join(table.columns)}: a cell too few or too many; "
                            "restore the file from git")
        if parse_time(row["collected_at"]) is None:
            raise DataError(f"{file}:{line}: collected_at `{row['collected_at'][:40]}` is not a time such as "
                            f"2026-11-26T04:00:00Z in {YEARS_TEXT}")
        for column in table.counts:
            count_cell(row, column, f"{file}:{line}")


def timestamp(moment: datetime) -> str:
    """`2026-11-26T04:00:00Z`: the form of `collected_at`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_csv(path: Path, root: Path) -> io.TextIOWrapper:
    """A CSV file under data/ opened as UTF-8 text; one that is not a regular file of at most
    MAX_CSV_BYTES is an error naming it."""
    file = path.relative_to(root).as_posix()
    if links_outside(root, file):  # its content could be a secret (a link to /proc/self/environ)
        raise DataError(f"{file}: {LEADS_OUTSIDE}")
    try:
        raw = open_regular(path)
    except OSError as exc:
        raise DataError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    size = os.fstat(raw.fileno()).st_size
    if size > MAX_CSV_BYTES:
        raw.close()
        raise DataError(f"{file}: {size:,} bytes is over the limit of {MAX_CSV_BYTES:,} for one month's file")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")  # (an editor's byte order mark is dropped)


def _not_text(path: Path, root: Path) -> DataError:
    file = path.relative_to(root).as_posix()
    return DataError(f"{file}: not UTF-8 text; restore it from git (`git checkout -- {file}`)")


def check_header(path: Path, root: Path, table: Table) -> None:
    """Refuse a file whose first line is not the table's header."""
    try:
        with open_csv(path, root) as handle:
            header = handle.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise _not_text(path, root) from None
    if header != ",".join(table.columns):
        raise DataError(f"{path.relative_to(root).as_posix()}: the first line must be the header "
                        f"`{','.join(table.columns)}`, not `{header[:200]}`")


def read_rows(path: Path, root: Path, table: Table) -> list[dict]:
    """A file's rows as dicts, after its header is checked."""
    return [row for _, row in numbered_rows(path, root, table)]


def numbered_rows(path: Path, root: Path, table: Table) -> list[tuple[int, dict]]:
    """A file's rows, each with the number of the line it starts on (after an empty line, or a cell
    holding a line break, that is not its place in the list), after its header is checked. As
    csv.DictReader makes them: a row cut short has None for its missing cells, one too long its
    extra cells under the key None (whole() tells); an empty line is no row."""
    check_header(path, root, table)
    ended = 0  # the last line read whole
    try:
        with open_csv(path, root) as handle:
            reader = csv.reader(handle)
            next(reader, None)
            rows, ended = [], reader.line_num
            for cells in reader:
                start, ended = ended + 1, reader.line_num
                if cells:
                    row = {column: _uncell(cell) for column, cell in zip(table.columns, cells)}
                    row.update({column: None for column in table.columns[len(cells):]})
                    if len(cells) > len(table.columns):
                        row[None] = cells[len(table.columns):]
                    rows.append((start, row))
            return rows
    except UnicodeDecodeError:
        raise _not_text(path, root) from None
    except csv.Error as exc:  # a cell over the csv module's limit (128 KiB), a NUL in a quoted cell
        raise DataError(f"{path.relative_to(root).as_posix()}:{ended + 1}: not a CSV row smm can read ({exc}); "
                        f"restore it from git (`git checkout -- {path.relative_to(root).as_posix()}`)") from None


# A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)` in a stranger's post) is written
# after a `'`, which spreadsheets show as text; read_rows takes it off again (a text that starts
# with `'` before one of these gets one more, so every text comes back as it was).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and "\r" in value:  # unquoted by the writer ("\n" lines), it would end the row
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, str) and _FORMULA.match(value) and not _is_number(value):
        return "'" + value
    return value


def _uncell(value):
    return value[1:] if isinstance(value, str) and value.startswith("'") and _FORMULA.match(value) else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def append_rows(root: Path, file: str, columns: Iterable[str], rows: list[list]) -> str:
    """Append rows (None as empty) to a CSV under data/, writing the header to a new file.

    A last line without its newline is ended when it is a whole row (edited by hand) and cut
    off when it is a partial one (left by a crash), so a file always holds whole rows.
    """
    path = root / file
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if path.exists() and not path.is_file():
        raise DataError(f"{file}: it is not a regular file; smm writes only regular files")
    new = not path.exists() or path.stat().st_size == 0
    if new:
        writer.writerow(columns)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    columns = list(columns)
    try:
        refuse_outside(root, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            if not new:
                _mend_last_line(handle, len(columns))
            handle.write(buffer.getvalue().encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:  # a read-only checkout, a full disk
        raise DataError(f"cannot write {file}: {exc.strerror}") from None
    return file


def _mend_last_line(handle, width: int) -> None:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size == 0:
        return
    handle.seek(size - 1)
    if handle.read(1) == b"\n":
        return
    handle.seek(max(0, size - 4096))
    last = handle.read().rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    if len(next(csv.reader([last]), [])) == width:
        handle.write(b"\n")  # a whole row that only lacked its newline
        return
    position = size
    while position > 0:  # back to the last newline
        step = min(4096, position)
        handle.seek(position - step)
        chunk = handle.read(step)
        index = chunk.rfind(b"\n")
        if index >= 0:
            handle.truncate(position - step + index + 1)
            return
        position -= step
    handle.truncate(0)
