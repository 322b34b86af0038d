"""Creator-centre exports (CSV or XLSX) dropped under data/imports/<account>/, read as metrics.

Networks smm exports bundles for have no open metrics API; their creator centres export a
table of works instead. Each file's header row (the first row naming an id or link column;
title rows above it are skipped) is matched against the network's `ImportColumns`: the work's
id (or a link holding it) and the counts smm keeps. Counts are read as the centres write them
(`1,234`, `1.2万`, `3.4w`, `-` for none). A work in several files takes the row of the file
whose name sorts last (name them by date: `2026-12-01.xlsx`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from smm.data import sheets
from smm.errors import Rejected
from smm.workspace.files import read_bytes
from smm.platforms.base import Metrics

IMPORTS_DIR = "data/imports"
MAX_IMPORT_BYTES = 50 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")
_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1000, "K": 1000}
_NUMBER = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|亿|w|W|k|K)?$")
NONE = ("", "-", "--", "—", "/")


@dataclass(frozen=True)
class ImportColumns:
    """Header names of one network's export: each Metrics field → the names it goes by."""

    ids: tuple[str, ...]  # the work's id
    links: tuple[str, ...]  # a link to the work (its id is read from it)
    counts: dict[str, tuple[str, ...]]  # Metrics field (likes, reposts, replies, views) → header names


def count(value: object) -> int | None:
    """A count as a creator centre writes it; None when empty or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 0 else None
    text = str(value).strip()
    if text in NONE:
        return None
    found = _NUMBER.match(text)
    if not found:
        return None
    number = float(found.group(1).replace(",", ""))
    return round(number * _UNITS.get(found.group(2) or "", 1))


def read_metrics(root: Path, account: str, columns: ImportColumns,
                 id_of_link: Callable[[str], str | None]) -> dict[str, Metrics]:
    """Every work in the account's import files, by id (the last file by name wins)."""
    folder = root / IMPORTS_DIR / account
    found: dict[str, Metrics] = {}
    if not folder.is_dir():
        return found
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))):
        file = f"{IMPORTS_DIR}/{account}/{path.name}"
        rows = _xlsx_rows(root, file) if path.suffix.lower() == ".xlsx" else _csv_rows(root, file)
        found.update(_works(file, rows, columns, id_of_link))
    return found


def _works(file: str, rows: list[tuple[int, list]], columns: ImportColumns,
           id_of_link: Callable[[str], str | None]) -> dict[str, Metrics]:
    header, where = None, {}
    works: dict[str, Metrics] = {}
    for line, row in rows:
        cells = ["" if c is None else str(c).strip() for c in row]
        if header is None:
            where = {name: cells.index(name) for name in cells if name}
            if any(n in where for n in columns.ids + columns.links):
                header = cells
            continue
        work = _work_id(cells, where, columns, id_of_link)
        if work is None:
            continue
        counts = {field: next((count(row[where[n]]) for n in names if n in where and where[n] < len(row)), None)
                  for field, names in columns.counts.items()}
        works[work] = Metrics(work, **counts)
    if header is None:
        names = ", ".join(f"`{n}`" for n in columns.ids + columns.links)
        raise Rejected(f"{file}:1: no header row naming the work's id or link ({names}): is it the creator "
                       "centre's export of works, as the README's import table shows?")
    return works


def _work_id(cells: list[str], where: dict, columns: ImportColumns, id_of_link) -> str | None:
    for name in columns.ids:
        if name in where and where[name] < len(cells) and cells[where[name]]:
            return cells[where[name]]
    for name in columns.links:
        if name in where and where[name] < len(cells) and cells[where[name]]:
            return id_of_link(cells[where[name]])
    return None


def _read(root: Path, file: str) -> bytes:
    data, problems = read_bytes(root, file, MAX_IMPORT_BYTES)
    if data is None:
        raise Rejected(f"{file}: {problems[0].message if problems else 'cannot be read'}")
    return data


def _csv_rows(root: Path, file: str) -> list[tuple[int, list]]:
    """Rows of a CSV file in UTF-8 (with or without BOM) or, as Excel in China saves it, GB18030."""
    data = _read(root, file)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Rejected(f"{file}: neither UTF-8 nor GB18030 text: save the export as CSV (UTF-8)")
    return _sheet(file, sheets.csv_rows, text)


def _xlsx_rows(root: Path, file: str) -> list[tuple[int, list]]:
    """Rows of an XLSX workbook's first sheet, values as Excel last computed them."""
    return _sheet(file, sheets.xlsx_rows, _read(root, file))


def _sheet(file: str, rows: Callable, source) -> list[tuple[int, list]]:
    try:
        return rows(source)
    except sheets.SheetError as exc:
        raise Rejected(f"{file}:{exc.row}: {exc.message}" + (f"; {exc.hint}" if exc.hint else "")) from None
