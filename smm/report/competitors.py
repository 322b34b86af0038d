"""The competitor benchmark: each competitor account of data/competitors/ beside the brand's own
accounts on the same networks.

- followers and growth: as for the brand's accounts (smm.report.kpis.growth) over the period;
- posting cadence: posts per week; a competitor's from the last collection before the period's end
  (its posts of the 30 days before it × 7 ÷ 30), the brand's from its posts published in the period;
- engagement rate: median engagement (likes + reposts + replies of a post) ÷ followers at the end × 100;
  the brand's median over its posts of the period, as last collected.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from smm.data.jobs import parse_time
from smm.data.tables import COMPETITORS, count_cell, numbered_rows, whole
from smm.errors import DataError
from smm.report.kpis import _round, growth, median, percent
from smm.report.sections import Own, Section, Table
from smm.report.words import ENGLISH
from smm.workspace.timezones import YEARS_TEXT

WINDOW_DAYS = 30  # a collection's `posts` are those of the 30 days before it


def load(root: Path, end: datetime) -> dict[tuple[str, str, str], list[tuple[datetime, dict]]]:
    """Per (competitor, network, handle): its rows collected before `end`, oldest first."""
    from smm.report.load import month_files

    found: dict[tuple[str, str, str], list[tuple[datetime, dict]]] = {}
    for path in month_files(root, COMPETITORS, end):
        for line, row in numbered_rows(path, root, COMPETITORS):
            where = f"{path.relative_to(root).as_posix()}:{line}"
            at = parse_time(row.get("collected_at"))
            if at is None or not whole(row):  # a cut or merged line: as the metrics' report
                raise DataError(f"{where}: not a row of {', '.join(COMPETITORS.columns)} (collected_at as "
                                f"2026-11-25T16:05:00Z, in {YEARS_TEXT}); restore the file from git")
            for column in COMPETITORS.counts:
                count_cell(row, column, where)
            if _number(row["median_engagement"]) is None and row["median_engagement"]:
                raise DataError(f"{where}: median_engagement `{row['median_engagement'][:40]}` is not a number")
            if at < end:
                found.setdefault((row["competitor"], row["network"], row["handle"]), []).append((at, row))
    return {key: sorted(rows, key=lambda r: r[0]) for key, rows in found.items()}


def _number(value: str | None) -> float | None:
    """A count or median as written (empty: none); None when it is no finite number either."""
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def row(name: str, network: str, handle: str, brand: bool, followers: dict, per_week: float | None,
        engagement: float | None) -> dict:
    return {"name": name, "network": network, "handle": handle, "brand": brand, "followers": followers,
            "posts_per_week": _round(per_week, 2), "median_engagement": engagement,
            "engagement_rate": _round(percent(engagement, followers["end"]), 4)}


def competitor_rows(series: dict, start: datetime, end: datetime) -> list[dict]:
    rows = []
    for (name, network, handle), collected in series.items():
        counts = [(at, int(f)) for at, r in collected if (f := _number(r["followers"])) is not None]
        last = collected[-1][1]
        posts = _number(last["posts"])
        rows.append(row(name, network, handle, False, growth(counts, start, end),
                        None if posts is None else posts * 7 / WINDOW_DAYS, _number(last["median_engagement"])))
    return rows


def brand_rows(repo, period: list, followers: dict, networks: set[str], start: datetime, end: datetime) -> list[dict]:
    """The brand's accounts on the competitors' networks (`period`: its MeasuredPosts of the period)."""
    weeks = (end - start).total_seconds() / (7 * 86400)
    rows = []
    for account, options in repo.config.accounts.items():
        if options.platform not in networks:
            continue
        mine = [e for e in period if e.account == account]
        engagement = median((e.likes or 0) + (e.reposts or 0) + (e.replies or 0) for e in mine if e.collected)
        rows.append(row(account, options.platform, options.options.get("handle") or account, True,
                        growth(followers.get(account, []), start, end), len(mine) / weeks if weeks else None,
                        engagement))
    return rows


def benchmark(repo, period: list, followers: dict, start: datetime, end: datetime) -> list[dict]:
    """The benchmark's rows, by network: the brand's account first, then the competitors by followers."""
    series = load(repo.root, end)
    if not series:
        return []
    rows = competitor_rows(series, start, end)
    rows += brand_rows(repo, period, followers, {r["network"] for r in rows}, start, end)
    return sorted(rows, key=lambda r: (r["network"], not r["brand"], -(r["followers"]["end"] or 0), r["name"]))


def section(d: dict, w: dict = ENGLISH) -> Section | None:
    from smm.report.formats import n, pct, signed

    rows = d["competitors"]
    if not rows:
        return None
    table = [[w["brand_account"].format(name=r["name"]) if r["brand"] else Own(r["name"]), r["network"], r["handle"],
              n(r["followers"]["end"]), signed(r["followers"]["growth"], r["followers"]["growth_pct"]),
              n(r["posts_per_week"]), n(r["median_engagement"]), pct(r["engagement_rate"])] for r in rows]
    header = [w[k] for k in ("account", "network", "handle", "followers", "growth", "posts_a_week", "median_engagement",
                             "engagement_rate")]
    return Section(w["competitors"], [Table(header, table, frozenset({3, 4, 5, 6, 7})), w["competitors_note"]])
