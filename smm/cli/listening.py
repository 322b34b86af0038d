"""`smm listen`: brand and competitor mentions found by the networks' search, into data/mentions/."""

from __future__ import annotations

import os

import click

from smm.cli import cli
from smm.cli.common import NOW_OPTION, duration_of, fail_on_broken_config, finish_recorded, now_or_clock, repository
from smm.errors import ConfigError


@cli.command()
@click.option("--since", default="7d", show_default=True, metavar="DURATION", help="Look back this far.")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@NOW_OPTION
def listen(since: str, commit: bool, push: bool, fmt: str, now: str | None) -> None:
    """Search every network that can for the keywords and hashtags of brand/listening.yml (the brand's
    and its competitors'); append the new mentions to data/mentions/.

    Exit 0 when every account that can search was asked, 1 when any failed or lacks its secrets (or
    brand/listening.yml has errors), 2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.listening.config import LISTENING_FILE, load_listening
    from smm.listening.listen import listen as run_listen
    from smm.listening.results import commit_message

    repo = repository()
    fail_on_broken_config(repo)
    moment, window = now_or_clock(now, repo.config.timezone), duration_of(since, "--since")
    listening = load_listening(repo.root)
    if listening is None:
        raise ConfigError(f"no {LISTENING_FILE}: write the brand's keywords there first (README: "
                          "\"Listening: brand/listening.yml\")")
    with recorded(repo.root, "listen", commit=commit or push, push=push, describe=commit_message) as recording:
        recording.report = run = run_listen(repo, listening, moment, dict(os.environ), window)
    if fmt == "json":
        for problem in run.problems:
            click.echo(f"error: {problem}", err=True)
    finish_recorded(run, fmt)
