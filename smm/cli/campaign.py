"""Campaign tools: social cards from templates (`smm cards`) and posts from a spreadsheet (`smm import`)."""

from __future__ import annotations

from pathlib import Path

import click

from smm.cli import cli
from smm.cli.common import fail_on_broken_config, repository


@cli.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
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
