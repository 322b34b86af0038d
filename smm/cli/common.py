"""What every command shares: the clock (`--now`), finding the repository, refusing a broken one."""

from __future__ import annotations

import errno
import math
import os
import stat
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
        raise UsageError(f"{_now_named()} {value!r}: {exc}") from None


def _now_named() -> str:
    """Where the command's --now came from: the option, or SMM_NOW (the user may not know it is set)."""
    ctx = click.get_current_context(silent=True)
    from_environment = ctx is not None and ctx.get_parameter_source("now") == click.core.ParameterSource.ENVIRONMENT
    return "SMM_NOW" if from_environment else "--now"


class PathArgument(click.Path):
    """click.Path that also refuses what no command can look up (a name too long for the system, a
    loop of symbolic links), and for a folder (`file_okay=False`) anything else found there: a
    device, a link that leads nowhere. Usage errors (exit 2) naming the argument."""

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if not os.path.isabs(path):
            try:
                os.getcwd()
            except FileNotFoundError:
                self.fail(f"{os.fsdecode(path)!r}: the current folder it is relative to was removed", param, ctx)
        try:
            kind = os.stat(path).st_mode
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.fail(f"{os.fsdecode(path)!r} is not a folder or file: a loop of symbolic links", param, ctx)
            if exc.errno == errno.ENAMETOOLONG:
                self.fail(f"{os.fsdecode(path)!r}: {exc.strerror}", param, ctx)
            if not self.file_okay and os.path.lexists(path):
                self.fail(f"{os.fsdecode(path)!r} is a symbolic link that leads nowhere, not a folder", param, ctx)
            return path
        if not self.file_okay and not stat.S_ISDIR(kind):
            self.fail(f"{os.fsdecode(path)!r} is not a folder", param, ctx)
        return path


class Seconds(click.FloatRange):
    """A number of seconds, 0 or more (inf: no end); not NaN, which no wait ever reaches."""

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return seconds


NOW_OPTION = click.option("--now", envvar="SMM_NOW", metavar="ISO8601",
                    help="Treat this moment as now (default: the clock; env SMM_NOW).")


def repository(start: Path | None = None):
    """The repository around `start` (default: here), its settings from the cache when unchanged."""
    from smm.workspace.config import find_root
    from smm.workspace.kept_settings import kept_settings
    from smm.workspace.repo import load_repo

    root = find_root(start)
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
