"""Campaign tools: social cards from templates (`smm cards`) and posts from a spreadsheet (`smm import`)."""

from __future__ import annotations

from pathlib import Path

import click

from smm.cli import cli
from smm.cli.common import NOW_OPTION, PathArgument, fail_on_broken_config, now_or_clock, repository


@cli.command()
@click.option("--out", "out", type=PathArgument(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the pictures into DIR (default: data/cards/, where publishing takes them from).")
def cards(out: Path | None) -> None:
    """Draw every social card the posts use (brand/cards/*.yml), for each account, as PNG.

    Exit 1 when a template has errors or a card's text does not fit.
    """
    from smm.cards.templates import by_file, make_all
    from smm.check.diagnostics import write
    from smm.workspace.files import SourceLines

    repo = repository()
    fail_on_broken_config(repo)
    made, found = make_all(repo, out.resolve() if out else None)
    for file, uses in by_file(made).items():
        click.echo(f"{file}  ({uses[0].post}: {', '.join(one.account for one in uses)})")
    if found:
        click.echo(write(found, "text", SourceLines(repo.root).line), err=True)
    if not made and not found:
        click.echo("no post uses a card (a media entry `card: NAME` with `text:`)", err=True)
    raise SystemExit(1 if any(d.is_error for d in found) else 0)


@cli.command("import")
@click.argument("table", metavar="FILE.csv|FILE.xlsx", type=PathArgument(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and print what would be written; write nothing.")
@NOW_OPTION
def import_(table: Path, dry_run: bool, now: str | None) -> None:
    """Write a post for each row of a spreadsheet (CSV or XLSX), checked as `smm check` checks posts.

    Problems are reported at FILE:ROW:COLUMN; a row with errors, or whose post exists, is
    skipped (exit 1). Existing posts are never overwritten.
    """
    from smm.check.diagnostics import write
    from smm.content.importer import import_posts
    from smm.workspace.config import find_root

    root = find_root()
    repo = repository(root)
    fail_on_broken_config(repo)
    run = import_posts(root, table.resolve() if table.exists() else table, str(table), dry_run,
                       now_or_clock(now, repo.config.timezone))
    for planned in run.planned:
        if dry_run:
            click.echo(f"would write {planned.path} (row {planned.row})")
            click.echo(planned.text)
        elif planned.written:
            click.echo(f"wrote {planned.path} (row {planned.row})")
    if run.diagnostics:
        click.echo(write(run.diagnostics, "text"), err=True)
    raise SystemExit(run.exit_code)
