"""The `smm` command line: each command parses options, calls one function, maps errors to exit codes."""

from __future__ import annotations

import _thread
import os
import sys
import threading
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import click

from smm import __version__
from smm.errors import ConfigError, SmmError, UsageError


def _now(value: str | None, tz=timezone.utc) -> datetime:
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


_NOW = click.option("--now", envvar="SMM_NOW", metavar="ISO8601",
                    help="Treat this moment as now (default: the clock; env SMM_NOW).")


def _repo(start: Path | None = None):
    from smm.workspace.config import find_root
    from smm.workspace.repo import load_repo

    return load_repo(find_root(start or Path.cwd()))


def _fail_on_broken_config(repo) -> None:
    from smm.workspace.config import refuse_broken

    refuse_broken(repo.root, repo.diagnostics)


def _say(exc: SmmError) -> None:
    """An error on stderr: a broken file's diagnostics (file, line, column) when it has them."""
    if isinstance(exc, ConfigError) and exc.diagnostics:
        from smm.check.diagnostics import render
        from smm.workspace.files import SourceLines

        click.echo(render(exc.diagnostics, "text", SourceLines(exc.context["root"]).line), err=True)
    else:
        click.echo(f"error: {exc.message}", err=True)


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


class _Group(click.Group):
    """Maps SmmError to its message and exit code for every command, and Ctrl-C to one line
    and exit 130 (click's own handling says "Aborted!" and exits 1, like "errors found")."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            _stop_interrupted()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SmmError as exc:
            _say(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _stop_interrupted()


def _stop_interrupted() -> None:
    click.echo("interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _from_interrupt(exc: BaseException | None) -> bool:
    """Whether a Ctrl-C caused the exception (one that lands in an import or a class body is
    wrapped in another: `RuntimeError: Error calling __set_name__`)."""
    while exc is not None and not isinstance(exc, KeyboardInterrupt):
        exc = exc.__cause__ or exc.__context__
    return exc is not None


def _refuse_when_unsafe(repo) -> None:
    """Duplicate ids and unreadable or unmatched records could make a post go out twice."""
    from smm.check.diagnostics import render
    from smm.check.integrity import blocking
    from smm.workspace.files import SourceLines

    problems = blocking(repo)
    if problems:
        click.echo(render(problems, "text", SourceLines(repo.root).line), err=True)
        click.echo("error: refusing to publish until these are fixed (each could publish a post twice)", err=True)
        raise SystemExit(1)


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
@click.option("--fix", is_flag=True, help="Apply the brand voice's substitution fixes in place, then check.")
@click.option("--since", metavar="REF", help="Check what changed since the merge base of REF and HEAD (git), "
              "working tree included, and what depends on it; adds to PATHS.")
@_NOW
def check(paths: tuple[Path, ...], fmt: str, fix: bool, since: str | None, now: str | None) -> None:
    """Check posts, platforms.yml and brand/ files; report every problem at once.

    PATHS limit the report to posts under them (default: the whole repository).
    Exit 0 without errors (warnings allowed), 1 with errors, 2 for bad usage or an
    unusable platforms.yml.
    """
    from smm.check.diagnostics import render
    from smm.check.run import check_settings, run_check, select
    from smm.workspace.config import find_root
    from smm.workspace.files import SourceLines

    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or folder: {p}")
    root = find_root(paths[0] if paths else Path.cwd())
    if since is not None:
        paths = _changed_paths(root, since, paths)
    settings, key = check_settings(root)
    moment = _now(now, settings.config.timezone)
    if fix:  # before the check, which then reports what is left
        from smm.voice import apply_fixes
        from smm.workspace.repo import load_repo

        wanted = [p.resolve() for p in paths]
        posts = [p for p in load_repo(root, settings=settings).posts
                 if not wanted or any(w == (root / p.file).resolve() or w in (root / p.file).resolve().parents
                                      for w in wanted)]
        for changed in apply_fixes(root, posts, settings.voice):
            click.echo(f"fixed {changed}", err=True)
    repo = run_check(root, moment, list(paths), (settings, key))
    found = select(repo.diagnostics, repo.root, list(paths))
    click.echo(render(found, fmt, SourceLines(repo.root).line))
    if repo.config_broken:
        raise SystemExit(2)
    raise SystemExit(1 if any(d.is_error for d in found) else 0)


def _changed_paths(root: Path, since: str, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """PATHS plus what changed since `since` needs checked (smm.check.affected); () for everything."""
    from smm.check.run import affected
    from smm.data.gitops import changed_since
    from smm.workspace.config import PLATFORMS_FILE

    try:
        changed = affected(changed_since(root, since))
    except SmmError as exc:
        raise UsageError(f"--since {since}: {exc}") from None
    if changed is None:
        return ()
    return paths + tuple(root / p for p in changed) or (root / PLATFORMS_FILE,)  # nothing changed: the settings


@cli.command()
@click.argument("title")
@click.option("--at", "when", metavar="WHEN", help="Publish time, ISO 8601 (default: the next open calendar slot, else a draft).")
@click.option("--platforms", metavar="A,B", help="Comma-separated account names (default: every account that takes a post without media).")
@_NOW
def new(title: str, when: str | None, platforms: str | None, now: str | None) -> None:
    """Write a new post under content/<yyyy>/<mm>/ with a unique id."""
    from smm.content.newpost import create_post
    from smm.content.post import parse_when

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
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a date such as 2026-12-01") from None
    if not 1970 <= day.year <= 2999:
        raise UsageError(f"{option} {value!r}: expected a year between 1970 and 2999")
    return day


@cli.command()
@click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (default: today).")
@click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (default: 4 weeks after the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "ics", "json"]), default="text", show_default=True,
              help="text: by day; ics: an iCalendar feed; json: an array of posts and open slots.")
@_NOW
def calendar(start: str | None, end: str | None, fmt: str, now: str | None) -> None:
    """The content calendar: scheduled posts by day, and open slots from brand/calendar.yml."""
    from smm.workspace import calendar as cal

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
        from smm.data.gitops import origin_url

        domain = cal.uid_domain(origin_url(repo.root), repo.brand.name, repo.root)
        click.echo(cal.format_ics(entries, repo.brand.name, moment, domain), nl=False)
    else:
        click.echo(cal.format_text(entries))


def _post_paths(root: Path, paths: tuple[Path, ...]) -> list[Path]:
    """The PATHS of `smm preview`, resolved; each must be a post file or a folder that can hold
    posts (content/, one under it, or one above it), else an error (exit 1) that says so."""
    from smm.content.post import CONTENT_DIR, post_files
    from smm.errors import SmmError

    content = (root / CONTENT_DIR).resolve()
    posts = {(root / f).resolve() for f in post_files(root)}
    wanted = [p.resolve() for p in paths]
    for given, path in zip(paths, wanted):
        if path.is_dir() and (path == content or content in path.parents or path in content.parents):
            if not any(path in post.parents for post in posts):
                raise SmmError(f"{given} is a folder that holds no posts: posts are Markdown files (`*.md`) under content/, "
                               "except README.md and names starting `_` or `.`")
            continue
        if path not in posts:
            what = "a folder outside content/" if path.is_dir() else "not a post"
            raise SmmError(f"{given} is {what}: posts are Markdown files (`*.md`) under content/, "
                           "except README.md and names starting `_` or `.`")
    return wanted


def _under(path: Path, wanted: list[Path]) -> bool:
    """Whether `path` is one of the PATHS given, or inside one (none given: every path is)."""
    return not wanted or any(path == w or w in path.parents for w in wanted)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--account", "accounts", multiple=True, metavar="NAME", help="Only this account (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json", "article"]), default="text",
              show_default=True, help="markdown: for a pull request comment; html: a standalone page; article: the "
                                      "one WeChat article's HTML as sent.")
def preview(paths: tuple[Path, ...], accounts: tuple[str, ...], fmt: str) -> None:
    """What each account will receive: text or thread parts, counts, media, links.

    PATHS limit the preview to posts under them (default: every post).
    """
    from smm.render.rendered import Renderer
    from smm.render import preview as show
    from smm.workspace.brand import page_language

    repo = _repo(paths[0] if paths else None)
    _fail_on_broken_config(repo)
    unknown = [a for a in accounts if a not in repo.config.accounts]
    if unknown:
        raise UsageError(f"unknown account(s): {', '.join(unknown)}")
    wanted = _post_paths(repo.root, paths)
    renderer = Renderer(repo.root, repo.config, repo.brand)
    selected = []
    for post in repo.posts:
        if not _under((repo.root / post.file).resolve(), wanted):
            continue
        names = [a for a in post.accounts if a in repo.config.accounts and (not accounts or a in accounts)]
        if names:
            selected.append((post, [renderer.render(post, name) for name in names]))
    broken = sorted({d.file for d in repo.diagnostics if d.is_error and d.file.startswith("content/")
                     and _under((repo.root / d.file).resolve(), wanted)})
    if broken:
        click.echo(f"warning: {len(broken)} post file(s) not shown, they have errors (run `smm check`): "
                   + ", ".join(broken[:5]) + (" …" if len(broken) > 5 else ""), err=True)
    originals = _originals(repo, selected)
    if fmt == "json":
        click.echo(show.as_json(selected))
    elif fmt == "markdown":
        click.echo(show.as_markdown(selected, originals))
    elif fmt == "html":
        click.echo(show.as_html(selected, repo.root, repo.brand.name, page_language(repo.brand, repo.posts)))
    elif fmt == "article":
        click.echo(show.as_article(selected), nl=False)
    else:
        from smm.check.diagnostics import visible

        click.echo(visible(show.as_text(selected, originals), keep="\n\t"), nl=False)


def _originals(repo, selected) -> dict:
    """The inbox items the selected reply posts answer (none read when no post is a reply)."""
    if not any(post.reply_to for post, _ in selected):
        return {}
    from smm.inbox.items import load_items

    return load_items(repo.root)


@cli.command()
@click.option("--platform", "platform_name", required=True, metavar="NAME", help="mastodon, bluesky, x, telegram, ...")
@click.option("--json", "as_json", is_flag=True, help='Print {"platform", "length", "limit", "ok"}.')
def count(platform_name: str, as_json: bool) -> None:
    """Length of the text on standard input as NAME counts it (every byte counts: use printf '%s')."""
    import json

    from smm.platforms import registry

    known = registry()
    if platform_name not in known:
        raise UsageError(f"unknown platform {platform_name!r}; platforms are: {', '.join(sorted(known))}")
    platform = known[platform_name]
    length, limit, problems = _count(platform, sys.stdin.buffer.read())
    ok = not problems
    if as_json:
        click.echo(json.dumps({"platform": platform_name, "length": length, "limit": limit, "ok": ok}))
    else:
        click.echo(f"{length}" + (f"/{limit} {platform.unit}" if limit else f" {platform.unit}")
                   + "".join(f"  {problem}" for problem in problems))
    raise SystemExit(0 if ok else 1)


@cli.command()
def sentiment() -> None:
    """Classify each line of standard input: one JSON object per line,
    {"text", "language", "sentiment", "intent"}, offline (English and Chinese models)."""
    import json

    from smm.inbox.sentiment import classify

    for number, raw in enumerate(sys.stdin.buffer, 1):
        try:
            text = raw.decode("utf-8").removesuffix("\n").removesuffix("\r").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise SmmError(f"standard input, line {number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                           "save or convert it as UTF-8") from None
        found = classify(text)
        click.echo(json.dumps({"text": text, "language": found.language, "sentiment": found.sentiment,
                               "intent": found.intent}, ensure_ascii=False))


def _count(platform, data: bytes) -> tuple[int, int | None, list[str]]:
    """(length, limit, why the network would refuse it) of bytes that must be UTF-8 text."""
    from smm.errors import SmmError
    from smm.workspace.files import decode

    text, found = decode(data, "standard input")
    if text is None:
        raise SmmError(f"standard input: {found[0].message}: save or convert it as UTF-8 to count it")
    text = data.decode("utf-8")  # every byte counts, a byte order mark or a CR too
    length, limit = platform.length(text), platform.text_limit
    problems = list(platform.extra_problems(text))
    if not text and not problems:
        problems = [f"empty: {platform.label} publishes no post without text"]
    elif limit is not None and platform.cost(text) > limit:
        problems.insert(0, "over the limit")
    return length, limit, problems


@cli.command()
@_NOW
@click.option("--dry-run", is_flag=True, help="Show what is due; publish and write nothing.")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--include-late", is_flag=True, help="Publish jobs later than their account's max_lateness too.")
@click.option("--retry-unconfirmed", "retry", multiple=True, metavar="POST_ID",
              help="Retry this post's unconfirmed jobs, after a human checked they did not go out (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: a table for a CI job summary, failures first.")
@click.option("--lock-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
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
    from smm.publish.results import Report, commit_message, format_publish
    from smm.workspace.config import find_root

    checkpoint = (ctx.obj or {}).get("checkpoint", pipeline.no_checkpoint)  # a crash test's (tests/crashing_smm.py)
    root = find_root(Path.cwd())
    with recorded(root, "publish", wait=lock_timeout, lock=not dry_run, commit=(commit or push) and not dry_run,
                  push=push, describe=commit_message, before_commit=lambda: checkpoint("before_commit")) as run:
        repo = _repo(root)
        _fail_on_broken_config(repo)
        _refuse_when_unsafe(repo)
        unknown = sorted(set(retry) - {p.id for p in repo.posts})
        if unknown:
            raise UsageError(f"--retry-unconfirmed: no post with id {', '.join(unknown)}")
        moment = _now(now, repo.config.timezone)
        run.report = Report()  # what is committed if the run fails
        run.report = pipeline.publish(repo, moment, dict(os.environ), dry_run=dry_run, include_late=include_late,
                                      retry_unconfirmed=retry, push=push, checkpoint=checkpoint)
    report = run.report
    click.echo(format_publish(report, fmt))
    if report.git_error:
        click.echo(f"error: {report.git_error}", err=True)
    raise SystemExit(report.exit_code)


@cli.command()
@click.argument("post_id")
@click.option("--account", required=True, metavar="NAME", help="The account whose job is settled.")
@click.option("--published", "url", metavar="URL", help="It went out: the post's URL (or id), checked where smm can.")
@click.option("--not-published", "not_published", is_flag=True, help="It did not: publish it on the next run.")
@_NOW
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
    root = find_root(Path.cwd())
    with exclusive(root, "publish"):
        repo = _repo(root)
        _fail_on_broken_config(repo)
        if account not in repo.config.accounts:
            raise UsageError(f"no account `{account}` in platforms.yml; accounts are: {', '.join(repo.config.accounts)}")
        if post_id not in {p.id for p in repo.posts}:
            raise UsageError(f"no post with id `{post_id}`")
        done = settle(repo, post_id, account, url, _now(now, repo.config.timezone), dict(os.environ))
    if done.state == JobState.PENDING:
        click.echo(f"{post_id} → {account}: not published; the next `smm publish` publishes it")
    elif done.state == JobState.FAILED:  # a thread with parts still to go
        click.echo(f"{post_id} → {account}: part {done.url or url} recorded ({done.checked}); "
                   "the next `smm publish` sends the rest of the thread")
    else:
        click.echo(f"{post_id} → {account}: {done.state} {done.url or url} ({done.checked})")
    click.echo(f"commit data/published/{post_id}.json to keep it")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--brand", default=None, help="The brand's name (default: the directory's name).")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone for publish times.")
@click.option("--smm-requirement", default="smm-git", show_default=True, metavar="SPEC",
              help="How the workflows install smm: a pip requirement (smm-git==0.1.0), a URL "
                   "(git+https://github.com/OWNER/smm@v0.1.0) or a path (./vendor/smm).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@_NOW
def init(directory: Path, brand: str | None, tz: str, smm_requirement: str, force: bool, now: str | None) -> None:
    """Create a new content repository in DIRECTORY that passes `smm check` at once."""
    from smm.workspace.newrepo import init as scaffold

    written = scaffold(directory, brand or directory.resolve().name, tz, smm_requirement, _now(now), force)
    click.echo(f"created {len(written)} files in {directory}")
    click.echo("next: cd into it, `git init`, set the secrets of each account, then `smm check`")


def _duration(value: str, option: str):
    from smm.workspace.config import parse_duration

    try:
        duration = parse_duration(value)
    except ValueError:
        duration = None
    if duration is None:
        raise UsageError(f"{option} {value!r}: expected a duration such as 30m, 6h or 30d")
    return duration


@cli.command()
@click.option("--since", default="30d", show_default=True, metavar="DURATION", help="Posts published this recently.")
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="Do not ask again for what was collected this recently (no duplicate rows).")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 16), help="Calls in flight at most.")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lock-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another metrics run in this checkout.")
@_NOW
def metrics(since: str, interval: str, concurrency: int, commit: bool, push: bool, fmt: str, lock_timeout: float,
            now: str | None) -> None:
    """Collect likes, reposts, replies and followers into data/metrics/ and data/accounts/.

    Exit 0 when every account was collected (or has no metrics), 1 when any failed or
    lacks its secrets, 2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.metrics.collect import collect
    from smm.metrics.progress import progress_for
    from smm.metrics.results import commit_message, format_metrics

    repo = _repo()
    _fail_on_broken_config(repo)
    moment, since_, interval_ = _now(now, repo.config.timezone), _duration(since, "--since"), _duration(interval, "--interval")
    with recorded(repo.root, "metrics", wait=lock_timeout, commit=commit or push, push=push,
                  describe=commit_message) as run:
        run.report = collect(repo, moment, dict(os.environ), since_, interval_, concurrency=concurrency,
                             progress=progress_for(sys.stderr))
    report = run.report
    click.echo(format_metrics(report, fmt))
    if report.git_error:
        click.echo(f"error: {report.git_error}", err=True)
    raise SystemExit(report.exit_code)


@cli.command()
@click.option("--since", default="7d", show_default=True, metavar="DURATION", help="Read what was said this recently.")
@click.option("--auto", "auto_reply", is_flag=True,
              help="Answer the open items the `auto:` rules of brand/replies.yml fit (escalate the negative ones).")
@click.option("--commit", is_flag=True, help="Commit the changes under data/ as the bot.")
@click.option("--push", is_flag=True, help="Push the commit (implies --commit); on rejection fetch, rebase, retry.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@_NOW
def inbox(since: str, auto_reply: bool, commit: bool, push: bool, fmt: str, now: str | None) -> None:
    """Collect mentions, replies, comments, quotes and messages into data/inbox/; print the open queue.

    Exit 0 when every readable account was read, 1 when any failed or lacks its secrets,
    2 for usage or config errors.
    """
    from smm.data.lock import recorded
    from smm.inbox import collect, show
    from smm.inbox.auto import AUTO_DIR

    repo = _repo()
    _fail_on_broken_config(repo)
    moment, env = _now(now, repo.config.timezone), dict(os.environ)
    with recorded(repo.root, "inbox", commit=commit or push, push=push, describe=show.commit_message,
                  also=(AUTO_DIR,)) as recording:
        recording.report = run = collect.collect(repo, moment, env, _duration(since, "--since"))
        if auto_reply:
            collect.answer_automatically(repo, run, moment, env)
    click.echo(show.render(run, fmt), nl=False)
    if run.git_error:
        click.echo(f"error: {run.git_error}", err=True)
    raise SystemExit(run.exit_code)


@cli.command()
@click.argument("item_id")
@_NOW
def reply(item_id: str, now: str | None) -> None:
    """Write a draft reply to an inbox item under content/replies/, the original quoted in a comment."""
    from smm.inbox.replies import reply_file

    repo = _repo()
    path = reply_file(repo, item_id, _now(now, repo.config.timezone).astimezone(repo.config.timezone))
    click.echo(f"wrote {path.relative_to(repo.root)}: write the answer, remove `draft: true`, open a pull request")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="github: annotations on platforms.yml for a workflow run.")
@_NOW
def doctor(fmt: str, now: str | None) -> None:
    """Can every account publish: secrets, SDK, credentials, scopes and token expiry.

    Exit 0 when every account is ready (warnings allowed), 1 when any is not.
    """
    from smm.platforms import doctor as checkup

    repo = _repo()
    _fail_on_broken_config(repo)
    healths = checkup.diagnose(repo, dict(os.environ), _now(now, repo.config.timezone))
    click.echo(checkup.format_doctor(healths, fmt, repo.config.positions))
    raise SystemExit(checkup.exit_code(healths))


@cli.command()
@click.option("--period", type=click.Choice(["7d", "30d", "90d"]), default=None, help="The period up to now (default 30d).")
@click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (local).")
@click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (local, included).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]), default="text",
              show_default=True, help="markdown: for a CI job summary; html: one page with SVG charts.")
@_NOW
def report(period: str | None, start: str | None, end: str | None, fmt: str, now: str | None) -> None:
    """KPIs: followers and growth, engagement, top posts, campaigns, pillars, best times, goals."""
    from smm import report as kpis

    repo = _repo()
    _fail_on_broken_config(repo)
    moment = _now(now, repo.config.timezone)
    first, last = kpis.window(repo.config.timezone, moment, period, _day(start, "--from"), _day(end, "--to"))
    click.echo(kpis.render(kpis.build(repo, first, last, moment), fmt), nl=False)


_in_hook = threading.Lock()


def _interrupt_again(unraisable) -> None:
    """Python swallows a Ctrl-C that lands in a finalizer (`__del__`), printing its traceback,
    and the command runs on: deliver it again, from another thread once this hook has returned
    (delivered here, it would land in the hook and be swallowed again)."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    _in_hook.acquire()
    threading.Thread(target=_interrupt_after_hook, daemon=True).start()
    _in_hook.release()  # the last statement


def _interrupt_after_hook() -> None:
    with _in_hook:
        _thread.interrupt_main()


def main(args: list[str] | None = None, obj: dict | None = None) -> None:
    """Entry point: never a traceback for users; SMM_DEBUG=1 shows one for bugs. `obj` reaches
    the commands as click's context object (a crash test's `checkpoint`, see `publish`)."""
    sys.unraisablehook = _interrupt_again
    try:
        cli.main(args, prog_name="smm", obj=obj)
    except Exception as exc:
        if _from_interrupt(exc):
            _stop_interrupted()
        if os.environ.get("SMM_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set SMM_DEBUG=1 for details, and please report it)", err=True)
        sys.exit(3)
