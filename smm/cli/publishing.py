"""Commands of the scheduled job and its people: publish, resolve, metrics, report, doctor."""

from __future__ import annotations

import os
import sys

import click

from smm.cli import cli
from smm.cli.common import (
    NOW_OPTION,
    Seconds,
    day_of,
    duration_of,
    fail_on_broken_config,
    finish_recorded,
    now_or_clock,
    refuse_errors,
    refuse_when_unsafe,
    repository,
)
from smm.errors import UsageError
from smm.output import render


@cli.command()
@NOW_OPTION
@click.option("--dry-run", is_flag=True, help="Show what is due; publish and write nothing.")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--include-late", is_flag=True, help="Publish jobs later than their account's max_lateness too.")
@click.option("--retry-unconfirmed", "retry", multiple=True, metavar="POST_ID",
              help="Retry this post's unconfirmed jobs, after a human checked they did not go out (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: a table for a CI job summary, failures first.")
@click.option("--lock-timeout", type=Seconds(), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another publish run in this checkout.")
@click.pass_context
def publish(ctx: click.Context, now: str | None, dry_run: bool, commit: bool, push: bool, include_late: bool,
            retry: tuple[str, ...], fmt: str, lock_timeout: float) -> None:
    """Publish every post that is due and not yet published, exactly once.

    Catch-up, not exact-minute: everything due since the last run goes out, never early;
    jobs later than `max_lateness` are recorded as late instead. Exit 0 when every due job
    was published (or nothing was due), 1 when any failed, is unconfirmed or was skipped
    (missing secrets), or git could not record the run; 2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.publish import pipeline
    from smm.publish.results import PublishRun, commit_message
    from smm.workspace.config import find_root

    checkpoint = (ctx.obj or {}).get("checkpoint", pipeline.no_checkpoint)  # a crash test's (tests/crashing_smm.py)
    root = find_root()
    with recorded(root, "publish", wait=lock_timeout, lock=not dry_run, commit=(commit or push) and not dry_run,
                  push=push, describe=commit_message, before_commit=lambda: checkpoint("before_commit")) as run:
        repo = repository(root)
        fail_on_broken_config(repo)
        refuse_when_unsafe(repo)
        unknown = sorted(set(retry) - {p.id for p in repo.posts})
        if unknown:
            raise UsageError(f"--retry-unconfirmed: no post with id {', '.join(unknown)}")
        moment = now_or_clock(now, repo.config.timezone)
        run.report = PublishRun()  # what is committed if the run fails
        run.report = pipeline.publish(repo, moment, dict(os.environ), dry_run=dry_run, include_late=include_late,
                                      retry_unconfirmed=retry, push=push, checkpoint=checkpoint)
    finish_recorded(run.report, fmt)


@cli.command()
@click.argument("post_id")
@click.option("--account", required=True, metavar="NAME", help="The account whose job is settled.")
@click.option("--published", "url", metavar="URL", help="It went out: the post's URL (or id), checked where smm can.")
@click.option("--not-published", "not_published", is_flag=True, help="It did not: publish it on the next run.")
@NOW_OPTION
def resolve(post_id: str, account: str, url: str | None, not_published: bool, now: str | None) -> None:
    """Settle an unconfirmed or failed job by hand: it went out (--published URL) or not (--not-published).

    Records who resolved it (git user.name) and when. Exit 0 when recorded, 1 when the URL is not
    this account's post or the job needs no resolving, 2 for usage errors.
    """
    from smm.data.jobs import JobState
    from smm.data.lock import exclusive
    from smm.publish.resolve import resolve as settle
    from smm.workspace.config import find_root

    if (url is None) == (not not_published):
        raise UsageError("give either --published URL or --not-published")
    root = find_root()
    with exclusive(root, "publish"):
        repo = repository(root)
        fail_on_broken_config(repo)
        if account not in repo.config.accounts:
            raise UsageError(f"no account `{account}` in platforms.yml; accounts are: {', '.join(repo.config.accounts)}")
        if post_id not in {p.id for p in repo.posts}:
            raise UsageError(f"no post with id `{post_id}`")
        done = settle(repo, post_id, account, url, now_or_clock(now, repo.config.timezone), dict(os.environ))
    if done.state == JobState.PENDING:
        click.echo(f"{post_id} → {account}: not published; the next `smm publish` publishes it")
    elif done.state == JobState.FAILED:  # a thread with parts still to go
        click.echo(f"{post_id} → {account}: part {done.url or url} recorded ({done.checked}); "
                   "the next `smm publish` sends the rest of the thread")
    else:
        click.echo(f"{post_id} → {account}: {done.state} {done.url or url} ({done.checked})")
    click.echo(f"commit data/published/{post_id}.json to keep it")


@cli.command()
@click.option("--since", default="30d", show_default=True, metavar="DURATION", help="Posts published this recently.")
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="Do not ask again for what was collected this recently (no duplicate rows).")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 16), help="Calls in flight at most.")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lock-timeout", type=Seconds(), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another metrics run in this checkout.")
@NOW_OPTION
def metrics(since: str, interval: str, concurrency: int, commit: bool, push: bool, fmt: str, lock_timeout: float,
            now: str | None) -> None:
    """Collect likes, reposts, replies and followers into data/metrics/ and data/accounts/.

    Exit 0 when every account was collected (or has no metrics), 1 when any failed or
    lacks its secrets, 2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.metrics.collect import collect
    from smm.metrics.progress import progress_for
    from smm.metrics.results import commit_message

    repo = repository()
    fail_on_broken_config(repo)
    moment, since_, interval_ = now_or_clock(now, repo.config.timezone), duration_of(since, "--since"), duration_of(interval, "--interval")
    with recorded(repo.root, "metrics", wait=lock_timeout, commit=commit or push, push=push,
                  describe=commit_message) as run:
        run.report = collect(repo, moment, dict(os.environ), since_, interval_, concurrency=concurrency,
                             progress=progress_for(sys.stderr))
    finish_recorded(run.report, fmt)


@cli.command()
@click.option("--period", type=click.Choice(["7d", "30d", "90d"]), default=None, help="The period up to now (default 30d).")
@click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (local).")
@click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (local, included).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="markdown: for a CI job summary; html: one page with SVG charts.")
@click.option("--alerts", "only_alerts", is_flag=True,
              help="Only the alerts of the period (text, markdown or json): the scheduled job's summary.")
@NOW_OPTION
def report(period: str | None, start: str | None, end: str | None, fmt: str, only_alerts: bool, now: str | None) -> None:
    """KPIs: followers and growth, engagement, top posts, campaigns, pillars, best times, goals, mentions,
    share of voice, competitors, alerts."""
    from smm import report as kpis
    from smm.report import alerts

    if only_alerts and fmt == "html":
        raise UsageError("--alerts prints text, markdown or json, not html")
    repo = repository()
    fail_on_broken_config(repo)
    refuse_errors(repo, lambda file: file.startswith("data/"), "the report")  # a post's figures would go missing
    moment = now_or_clock(now, repo.config.timezone)
    first, last = kpis.window(repo.config.timezone, moment, period, day_of(start, "--from"), day_of(end, "--to"))
    built = kpis.build(repo, first, last, moment)
    click.echo(alerts.write(built.data["alerts"], fmt) if only_alerts else render(built, fmt), nl=False)
    if only_alerts or fmt == "json":  # outputs without a place for them: a brand file left out still said
        for warning in built.warnings:
            click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="github: annotations on platforms.yml for a workflow run.")
@NOW_OPTION
def doctor(fmt: str, now: str | None) -> None:
    """Can every account publish: secrets, SDK, credentials, scopes and token expiry.

    Exit 0 when every account is ready (warnings allowed), 1 when any is not.
    """
    from smm.platforms import doctor as checkup

    repo = repository()
    fail_on_broken_config(repo)
    result = checkup.Checkup(checkup.diagnose(repo, dict(os.environ), now_or_clock(now, repo.config.timezone)),
                             repo.config.positions)
    click.echo(render(result, fmt))
    raise SystemExit(result.exit_code)
