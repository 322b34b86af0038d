"""Commands for giveaways (抽奖): draw the winners, verify a draw."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import click

from smm.cli import cli
from smm.cli.common import NOW_OPTION, fail_on_broken_config, now_or_clock, repository


@cli.group()
def giveaway() -> None:
    """Draw a post's giveaway winners with a seed anyone can check, and verify a draw."""


@giveaway.command("draw")
@click.argument("post_id")
@click.option("--commit", is_flag=True, help="Commit the record and the announcement drafts as the bot.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@NOW_OPTION
def draw(post_id: str, commit: bool, fmt: str, now: str | None) -> None:
    """Collect the entrants after the deadline, apply the rules, draw the winners once.

    Writes data/giveaways/POST_ID.json and a draft reply per account naming the winners.
    Exit 0 when drawn; 1 before the deadline, without a seed commit yet, when already drawn
    or a network could not be read; 2 for usage or config errors."""
    from smm.data.lock import recorded
    from smm.giveaways.run import draw_giveaway
    from smm.inbox.replies import REPLIES_DIR

    repo = repository()
    fail_on_broken_config(repo)
    moment = now_or_clock(now, repo.config.timezone)
    with recorded(repo.root, "giveaway", commit=commit, also=(REPLIES_DIR,),
                  describe=lambda report: f"smm giveaway: draw {post_id}") as recording:
        record = draw_giveaway(repo, post_id, moment, dict(os.environ))
        recording.report = report = SimpleNamespace(git_error=None)
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(_text(record))
    if report.git_error:
        click.echo(f"error: {report.git_error}", err=True)
        raise SystemExit(1)


def _text(record: dict) -> str:
    rejected = ", ".join(f"{n} {reason}" for reason, n in record["rejected"].items()) or "none"
    lines = [f"{record['post']}: {record['entrant_count']} entrants (rejected: {rejected}); seed commit "
             f"{record['seed']['commit']} ({record['seed']['branch']}, {record['seed']['committed_at']})"]
    lines += [f"  winner {i}: @{w['handle']} ({w['account']})" for i, w in enumerate(record["winners"], 1)]
    lines += [f"  note: {note}" for note in record["notes"]]
    lines += [f"wrote data/giveaways/{record['post']}.json"] + [
        f"wrote {file}: review it, remove `draft: true`, open a pull request" for file in record["announcements"]]
    return "\n".join(lines)


@giveaway.command("verify")
@click.argument("post_id")
def verify(post_id: str) -> None:
    """Redo a recorded draw from its entrants and the repository's commits: match or mismatch.

    Exit 0 on a match, 1 on a mismatch (naming what differs) or without a record."""
    from smm.giveaways.run import verify_giveaway

    record, differences = verify_giveaway(repository(), post_id)
    if differences:
        click.echo(f"mismatch: {post_id}", err=True)
        for difference in differences:
            click.echo(f"  {difference}", err=True)
        raise SystemExit(1)
    click.echo(f"match: {post_id}: {record['entrant_count']} entrants (sha256 {record['entrants_hash']}), seed commit "
               f"{record['seed']['commit']}, winners {', '.join('@' + w['handle'] for w in record['winners']) or 'none'}")
