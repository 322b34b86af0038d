"""The `smm` command line: each command parses options, calls one function, maps errors to exit codes."""

from __future__ import annotations

import os
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import click

from smm import __version__
from smm.errors import SmmError, UsageError


def _now(value: str | None, tz=timezone.utc) -> datetime:
    """--now (or the clock); without an offset it is read in the repository's time zone."""
    from smm.content import parse_when

    if not value:
        return datetime.now(timezone.utc)
    try:
        return parse_when(value, tz)
    except ValueError as exc:
        raise UsageError(f"--now {value!r}: {exc}") from None


_NOW = click.option("--now", envvar="SMM_NOW", metavar="ISO8601",
                    help="Treat this moment as now (default: the clock; env SMM_NOW).")


def _repo(start: Path | None = None):
    from smm.config import find_root
    from smm.repo import load_repo

    return load_repo(find_root(start or Path.cwd()))


def _fail_on_broken_config(repo) -> None:
    from smm.diagnostics import render

    if repo.config_broken:
        broken = [d for d in repo.diagnostics if d.file == "platforms.yml"]
        click.echo(render(broken, "text", repo.root), err=True)
        raise SystemExit(2)


class _Group(click.Group):
    """Maps SmmError to its message and exit code for every command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SmmError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smm")
def cli() -> None:
    """smm: social media management as code.

    Posts are Markdown files under content/, accounts live in platforms.yml and the
    brand under brand/. Commands find the repository by walking up to platforms.yml.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
              help="text: like a compiler; github: workflow annotations; json: an array of diagnostics.")
@_NOW
def check(paths: tuple[Path, ...], fmt: str, now: str | None) -> None:
    """Check posts, platforms.yml and brand/ files; report every problem at once.

    PATHS limit the report to posts under them (default: the whole repository).
    Exit 0 without errors (warnings allowed), 1 with errors, 2 for bad usage or an
    unusable platforms.yml.
    """
    from smm.check import check as run_check, select
    from smm.diagnostics import render

    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or folder: {p}")
    repo = _repo(paths[0] if paths else None)
    found = select(run_check(repo, _now(now, repo.config.timezone)), repo.root, list(paths))
    click.echo(render(found, fmt, repo.root))
    if repo.config_broken:
        raise SystemExit(2)
    raise SystemExit(1 if any(d.is_error for d in found) else 0)


@cli.command()
@click.argument("title")
@click.option("--at", "when", metavar="WHEN", help="Publish time, ISO 8601 (default: the next open calendar slot, else a draft).")
@click.option("--platforms", metavar="A,B", help="Comma-separated account names (default: every account).")
@_NOW
def new(title: str, when: str | None, platforms: str | None, now: str | None) -> None:
    """Write a new post under content/<yyyy>/<mm>/ with a unique id."""
    from smm.content import parse_when
    from smm.newpost import create_post

    repo = _repo()
    _fail_on_broken_config(repo)
    at = None
    if when:
        try:
            at = parse_when(when, repo.config.timezone)
        except ValueError as exc:
            raise UsageError(f"--at {when!r}: {exc}") from None
    accounts = [a.strip() for a in platforms.split(",") if a.strip()] if platforms else None
    path = create_post(repo, title, at, accounts, _now(now, repo.config.timezone))
    click.echo(path.relative_to(repo.root).as_posix())


def _day(value: str | None, option: str):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a date such as 2026-12-01") from None


@cli.command()
@click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (default: today).")
@click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (default: 4 weeks after the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "ics", "json"]), default="text", show_default=True,
              help="text: by day; ics: an iCalendar feed; json: an array of posts and open slots.")
@_NOW
def calendar(start: str | None, end: str | None, fmt: str, now: str | None) -> None:
    """The content calendar: scheduled posts by day, and open slots from brand/calendar.yml."""
    from smm import calendar as cal

    repo = _repo()
    _fail_on_broken_config(repo)
    tz = repo.config.timezone
    moment = _now(now, tz)
    first = _day(start, "--from") or moment.astimezone(tz).date()
    last = _day(end, "--to") or first + timedelta(days=27)
    if last < first:
        raise UsageError("--to is before --from")
    window = (datetime.combine(first, time(), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(), tzinfo=tz))
    entries = cal.timeline(repo.calendar, repo.posts, tz, *window)
    if fmt == "json":
        click.echo(cal.format_json(entries))
    elif fmt == "ics":
        click.echo(cal.format_ics(entries, repo.root.name, moment), nl=False)
    else:
        click.echo(cal.format_text(entries))


def main() -> None:
    """Entry point: never a traceback for users; SMM_DEBUG=1 shows one for bugs."""
    try:
        cli.main(prog_name="smm")
    except Exception as exc:
        if os.environ.get("SMM_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set SMM_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(3)
