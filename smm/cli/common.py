"""What every command shares: the clock (`--now`), finding the repository, refusing a broken one."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from smm.errors import UsageError
from smm.workspace.timezones import YEARS, YEARS_TEXT


def now_or_clock(value: str | None, tz=timezone.utc) -> datetime:
    """--now (or the clock) as an instant in UTC; without an offset it is read in the repository's
    time zone. UTC, because Python compares two times of the same zone by their wall clocks (a post
    at a skipped local time would be due early); between zones it compares instants."""
    from smm.content.post import parse_when

    if not value:
        return datetime.now(timezone.utc)
    try:
        return parse_when(value, tz).astimezone(timezone.utc)
    except ValueError as exc:
        raise UsageError(f"--now {value!r}: {exc}") from None


NOW_OPTION = click.option("--now", envvar="SMM_NOW", metavar="ISO8601",
                    help="Treat this moment as now (default: the clock; env SMM_NOW).")


def repository(start: Path | None = None):
    """The repository around `start` (default: here), its settings from the cache when unchanged."""
    from smm.workspace.config import find_root
    from smm.workspace.kept_settings import kept_settings
    from smm.workspace.repo import load_repo

    root = find_root(start or Path.cwd())
    return load_repo(root, settings=kept_settings(root)[0])


def fail_on_broken_config(repo) -> None:
    from smm.workspace.config import refuse_broken

    refuse_broken(repo.root, repo.diagnostics)


def refuse_errors(repo, among, doing: str) -> None:
    """The repository's errors in the files `among(file)` accepts (platforms.yml, brand/, the records
    under data/): each with its file, line and column, exit 1."""
    from smm.check.diagnostics import write
    from smm.workspace.files import SourceLines

    broken = [d for d in repo.diagnostics if d.is_error and among(d.file)]
    if broken:
        click.echo(write(broken, "text", SourceLines(repo.root).line), err=True)
        click.echo(f"error: fix these before {doing}", err=True)
        raise SystemExit(1)


def refuse_when_unsafe(repo) -> None:
    """Duplicate ids and unreadable or unmatched records could make a post go out twice."""
    from smm.check.diagnostics import write
    from smm.check.integrity import blocking
    from smm.workspace.files import SourceLines

    problems = blocking(repo)
    if problems:
        click.echo(write(problems, "text", SourceLines(repo.root).line), err=True)
        click.echo("error: refusing to publish until these are fixed (each could publish a post twice)", err=True)
        raise SystemExit(1)


def day_of(value: str | None, option: str):
    from datetime import date

    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a date such as 2026-12-01") from None
    if day.year not in YEARS:
        raise UsageError(f"{option} {value!r}: expected {YEARS_TEXT}")
    return day


def duration_of(value: str, option: str):
    from smm.workspace.config import parse_duration

    try:
        duration = parse_duration(value)
    except ValueError:
        duration = None
    if duration is None:
        raise UsageError(f"{option} {value!r}: expected a duration such as 30m, 6h or 30d")
    return duration


def finish_recorded(report, fmt: str, nl: bool = True):
    """The end of a command that records its run in git (publish, metrics, inbox): the report in
    its format, why git failed if it did, and the report's exit code."""
    from smm.output import render

    click.echo(render(report, fmt), nl=nl)
    if report.git_error:
        click.echo(f"error: {report.git_error}", err=True)
    raise SystemExit(report.exit_code)
