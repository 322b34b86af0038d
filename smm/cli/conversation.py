"""Commands for what people say back: inbox, reply, sentiment."""

from __future__ import annotations

import os
import sys

import click

from smm.cli import cli
from smm.cli.common import (
    NOW_OPTION,
    duration_of,
    fail_on_broken_config,
    finish_recorded,
    now_or_clock,
    repository,
)
from smm.errors import SmmError


@cli.command()
@click.option("--since", default="7d", show_default=True, metavar="DURATION", help="Read what was said this recently.")
@click.option("--auto", "auto_reply", is_flag=True,
              help="Answer the open items the `auto:` rules of brand/replies.yml fit (escalate the negative ones).")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@NOW_OPTION
def inbox(since: str, auto_reply: bool, commit: bool, push: bool, fmt: str, now: str | None) -> None:
    """Collect mentions, replies, comments, quotes and messages into data/inbox/; print the open queue.

    Exit 0 when every readable account was read, 1 when any failed or lacks its secrets,
    2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.inbox import collect, show
    from smm.inbox.auto import AUTO_DIR

    repo = repository()
    fail_on_broken_config(repo)
    moment, env = now_or_clock(now, repo.config.timezone), dict(os.environ)
    with recorded(repo.root, "inbox", commit=commit or push, push=push, describe=show.commit_message,
                  also=(AUTO_DIR,)) as recording:
        recording.report = run = collect.collect(repo, moment, env, duration_of(since, "--since"))
        if auto_reply:
            collect.answer_automatically(repo, run, moment, env, push)
    finish_recorded(run, fmt, nl=False)


@cli.command()
@click.argument("item_id")
@NOW_OPTION
def reply(item_id: str, now: str | None) -> None:
    """Write a draft reply to an inbox item under content/replies/, the original quoted in a comment."""
    from smm.inbox.replies import reply_file

    repo = repository()
    path = reply_file(repo, item_id, now_or_clock(now, repo.config.timezone).astimezone(repo.config.timezone))
    click.echo(f"wrote {path.relative_to(repo.root)}: write the answer, remove `draft: true`, open a pull request")


@cli.command()
def sentiment() -> None:
    """Classify each line of standard input: one JSON object per line,
    {"text", "language", "sentiment", "intent"}, offline (English and Chinese models)."""
    import json

    from smm.inbox.sentiment import classify
    from smm.workspace.files import MAX_TEXT_BYTES

    for number, raw in enumerate(iter(lambda: sys.stdin.buffer.readline(MAX_TEXT_BYTES + 1), b""), 1):
        if len(raw) > MAX_TEXT_BYTES:  # (a line without end, `< /dev/zero`, was read for ever)
            raise SmmError(f"standard input, line {number}: more than {MAX_TEXT_BYTES:,} bytes")
        try:
            text = raw.decode("utf-8").removesuffix("\n").removesuffix("\r").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise SmmError(f"standard input, line {number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                           "save or convert it as UTF-8") from None
        found = classify(text)
        click.echo(json.dumps({"text": text, "language": found.language, "sentiment": found.sentiment,
                               "intent": found.intent}, ensure_ascii=False))
