"""Spreadsheets people hand smm (`smm import`'s posts, a creator centre's export under data/imports/):
the numbered rows that hold something, read in memory bounded by the file's size.

A workbook's first sheet is read as far as its cells go, not as far as the size it declares (five
kilobytes may say A1:XFD1048576), in its first MAX_COLUMNS columns (a CSV row is as wide as its bytes
make it); a workbook that unpacks to more than
MAX_UNPACKED bytes is refused. Blank rows are counted, not kept (ten million blank CSV lines are 20 MB),
and a table of more than MAX_ROWS rows under its header is refused.
"""

from __future__ import annotations

import csv
import io
import zipfile

MAX_ROWS = 100_000  # rows under the header: a year of a busy brand's posts is a few thousand
MAX_COLUMNS = 1_024  # of a workbook: the columns after it are not read (a sheet is 16,384 wide)
MAX_UNPACKED = 256 * 1024 * 1024  # bytes of a workbook's unpacked parts: no table of posts comes near
AS_XLSX = "save it again as .xlsx, or as CSV UTF-8"


class SheetError(ValueError):
    """A table smm cannot read, or will not: `row` is where it stopped."""

    def __init__(self, message: str, row: int = 1, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.row, self.hint = message, row, hint


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """(row number, cells) of each row of the CSV text that holds something."""
    try:
        return _with_something(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error as exc:
        raise SheetError(f"not a CSV table: {exc}") from None


def xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    """(row number, values as Excel last computed them) of each row of the workbook's first sheet that
    holds something."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a few kilobytes can unpack to gigabytes
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise SheetError(f"the workbook unpacks to {unpacked:,} bytes, more than {MAX_UNPACKED:,}", hint=AS_XLSX)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # its cells, not the rectangle it declares
            return _with_something(sheet.iter_rows(values_only=True), MAX_COLUMNS)
        finally:
            book.close()
    except SheetError:
        raise
    except Exception as exc:  # a damaged workbook makes zipfile and the XML parser raise almost anything
        raise SheetError(f"not an XLSX workbook smm can read ({type(exc).__name__})", hint=AS_XLSX) from None


def _with_something(rows, width: int | None) -> list[tuple[int, list]]:
    """The numbered rows with something in their first `width` cells (None: in any), cut there: the
    header and at most MAX_ROWS more."""
    kept = []
    for number, row in enumerate(rows, 1):
        row = row[:width]
        if _has_something(row):
            kept.append((number, list(row)))
            if len(kept) > MAX_ROWS + 1:
                raise SheetError(f"more than {MAX_ROWS:,} rows under the header: smm reads at most {MAX_ROWS:,}",
                                 number, "split the table into several files")
    return kept


def _has_something(row) -> bool:
    """Whether a cell of the row has something in it (counted in C: a sheet may hold a million rows of
    blank cells)."""
    return bool(row) and (row[-1] is not None and row[-1] != "" or row.count(None) + row.count("") < len(row))
