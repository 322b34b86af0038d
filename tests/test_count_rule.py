"""One rule for a count under data/ (smm.data.tables): count() for the files Python reads (competitors,
mentions) and count_sql() over DuckDB's DOUBLE for the metrics and followers agree on every cell, so a
cell is a count in every file or in none. Python's float() alone also read digits of other scripts
(`١٢`, full-width `５`), which DuckDB refuses."""

from __future__ import annotations

import duckdb
import pytest

from smm.data.tables import count, count_sql

CELLS = ["5", "+5", " 5", "1e3", "5.", ".5e1", "00012", "0", "-0", "1_000", "١٢", "５", "٥", "-5", "1.5", "NaN",
         "inf", "1e300", "9007199254740991", "9007199254740993", "0x10", "1,000", "lots"]


def duckdb_count(cell: str) -> int | None:
    """What the metrics' query takes the cell for: a count, or None where it stops the query."""
    connection = duckdb.connect()
    value = connection.execute("SELECT TRY_CAST(? AS DOUBLE)", [cell]).fetchone()[0]
    if value is None:
        return None
    ok = connection.execute(f"SELECT {count_sql('x')} FROM (SELECT ?::DOUBLE AS x)", [value]).fetchone()[0]
    return int(value) if ok else None


def python_count(cell: str) -> int | None:
    try:
        return count(cell)
    except ValueError:
        return None


@pytest.mark.parametrize("cell", CELLS)
def test_python_and_duckdb_take_the_same_cells_for_counts(cell):
    assert python_count(cell) == duckdb_count(cell)
