"""Commands that check, write and show posts: check, approvals, new, calendar, preview, count, init."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import click

from smm import DISTRIBUTION, __version__
from smm.cli import cli
from smm.cli.common import (
    NOW_OPTION,
    PathArgument,
    day_of,
    fail_on_broken_config,
    now_or_clock,
    repository,
)
from smm.errors import SmmError, UsageError
from smm.output import render


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
              help="text: like a compiler; github: workflow annotations; json: an array of diagnostics.")
@click.option("--fix", is_flag=True, help="Apply the brand voice's substitution fixes in place, then check.")
@click.option("--since", metavar="REF", help="Check what changed since the merge base of REF and HEAD (git), "
              "working tree included, and what depends on it; adds to PATHS.")
@NOW_OPTION
def check(paths: tuple[Path, ...], fmt: str, fix: bool, since: str | None, now: str | None) -> None:
    """Check posts, platforms.yml and brand/ files; report every problem at once.

    PATHS limit the report to posts under them (default: the whole repository).
    Exit 0 without errors (warnings allowed), 1 with errors, 2 for bad usage or an
    unusable platforms.yml.
    """
    from smm.check.report import report
    from smm.check.run import check_settings, start_check
    from smm.workspace.config import find_root

    for p in paths:
        if not os.path.lexists(p):  # a post that is a broken link is reported as that file
            raise UsageError(f"no such file or folder: {p}")
    root = find_root(paths[0] if paths else None)
    settings, key = check_settings(root)
    earlier = None
    if since is not None:  # (a picture of the cards' templates changed: every post that may show a card)
        paths, earlier = _changed_paths(root, since, paths, getattr(settings.brand.cards, "pictures", ()))
    moment = now_or_clock(now, settings.config.timezone)
    if fix:  # before the check, which then reports what is left
        from smm.voice import apply_fixes
        from smm.workspace.files import as_named
        from smm.workspace.repo import load_repo

        wanted = [as_named(p) for p in paths]
        posts = [p for p in load_repo(root, settings=settings).posts if _under(as_named(root / p.file), wanted)]
        for changed in apply_fixes(root, posts, settings.voice):
            click.echo(f"fixed {changed}", err=True)
    run = start_check(root, moment, list(paths), (settings, key), earlier)
    made = report(run, fmt, list(paths))
    sys.stdout.flush()  # bytes as they are: nothing to strip (`diagnostics.visible` shows control characters as symbols)
    made.write_to(sys.stdout.buffer)
    sys.stdout.buffer.write(b"\n")
    sys.stdout.buffer.flush()
    if run.repo.config_broken:
        raise SystemExit(2)
    raise SystemExit(1 if made.errors else 0)


@cli.command()
@click.option("--since", required=True, metavar="REF", help="The pull request's base (its changes are counted from the merge base).")
@click.option("--pull-request", "number", type=click.IntRange(min=1), metavar="N", help="Its number (default: the workflow event's).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def approvals(since: str, number: int | None, fmt: str) -> None:
    """Fail until a reviewer named in brand/brand.yml approved the pull request's sponsored posts.

    Reads the reviews with GITHUB_TOKEN (`pull-requests: read`) from GITHUB_REPOSITORY.
    Exit 0 when no sponsored post changed or one of them approved this version, else 1.
    """
    import os

    from smm.check.approval import decide, latest_reviews, pull_request_number, sponsored_changes
    from smm.errors import ConfigError
    from smm.workspace.config import find_root
    from smm.workspace.settings import load_settings

    root = find_root()
    try:
        files = sponsored_changes(root, since)
    except SmmError as exc:
        raise UsageError(f"--since {since}: {exc}") from None
    reviewers = list(load_settings(root).brand.sponsored_reviewers)
    reviews = {}
    if files:
        if not reviewers:
            raise ConfigError(f"{', '.join(files)}: sponsored, but brand/brand.yml names no `sponsored: {{reviewers: [...]}}`")
        number = number or pull_request_number(os.environ)
        if number is None:
            raise UsageError("which pull request? pass --pull-request N (a workflow run's event names it)")
        reviews = latest_reviews(os.environ, number)
    verdict = decide(root, files, reviewers, reviews)
    click.echo(render(verdict, fmt))
    raise SystemExit(0 if verdict.ok else 1)


def _changed_paths(root: Path, since: str, paths: tuple[Path, ...],
                   settings_pictures=()) -> tuple[tuple[Path, ...], dict[str, bytes | None] | None]:
    """PATHS plus what changed since `since` needs checked (smm.check.affected); () for everything (in
    a repository without a commit yet, as before its first commit in the pre-commit hook: every file is new;
    in a shallow clone without the merge base: any file may have changed). And the bytes the changed
    posts had at the merge base (smm.check.run.posts_before; None when everything is checked)."""
    from smm.check.run import affected, posts_before, records_given_up
    from smm.data.gitops import at_merge_base, before_first_commit, changed_since, shallow_without_base
    from smm.workspace.config import PLATFORMS_FILE

    try:
        changes = changed_since(root, since)
        changed = affected(changes)
        if changed is not None:  # a post's id changed: its records, wherever they say it was
            earlier = posts_before(changes, lambda files: at_merge_base(root, since, files))
            changed = sorted({*changed, *records_given_up(root, earlier)})
    except SmmError as exc:
        if since == "HEAD" and before_first_commit(root):  # the pre-commit hook, on the first commit
            return (), None
        if shallow_without_base(root, since):  # the merge base may be beyond the history fetched: every file may have changed
            click.echo(f"note: --since {since}: this clone is shallow and holds no merge base of `{since}` and HEAD, "
                       "so the whole repository is checked (fetch the history, `fetch-depth: 0` in actions/checkout, "
                       "to check only what changed)", err=True)
            return (), None
        raise UsageError(f"--since {since}: {exc}") from None
    if changed is None or _any_of(root, changed, settings_pictures):
        return (), None
    return paths + tuple(root / p for p in changed) or (root / PLATFORMS_FILE,), earlier  # nothing changed: the settings


def _any_of(root: Path, changed: list[str], pictures) -> bool:
    """Whether a changed file is one of `pictures` (the cards' templates' pictures: every card may
    change), by its name or where it leads."""
    def place(name: str) -> str:
        return os.path.realpath(os.path.join(root, name))
    wanted = {place(p) for p in pictures if isinstance(p, str)}
    return bool(wanted) and any(place(p) in wanted for p in changed)


@cli.command()
@click.argument("title")
@click.option("--at", "when", metavar="WHEN", help="Publish time, ISO 8601 (default: the next open calendar slot, else a draft).")
@click.option("--platforms", metavar="A,B", help="Comma-separated account names (default: every account that takes a post without media).")
@NOW_OPTION
def new(title: str, when: str | None, platforms: str | None, now: str | None) -> None:
    """Write a new post under content/<yyyy>/<mm>/ with a unique id."""
    from smm.content.newpost import create_post
    from smm.content.post import parse_when

    repo = repository()
    fail_on_broken_config(repo)
    at = None
    if when:
        try:
            at = parse_when(when, repo.config.timezone)
        except ValueError as exc:
            raise UsageError(f"--at {when!r}: {exc}") from None
    accounts = None
    if platforms is not None:  # given empty (`--platforms ""`), it names no account: never every account instead
        accounts = [a.strip() for a in platforms.split(",") if a.strip()]
        if not accounts:
            raise UsageError(f"--platforms {platforms!r} names no account; accounts are: {', '.join(repo.config.accounts)}")
    path = create_post(repo, title, at, accounts, now_or_clock(now, repo.config.timezone))
    click.echo(path.relative_to(repo.root).as_posix())


@cli.command()
@click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (default: today).")
@click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (default: 4 weeks after the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "ics", "json"]), default="text", show_default=True,
              help="text: by day; ics: an iCalendar feed; json: an array of posts and open slots.")
@NOW_OPTION
def calendar(start: str | None, end: str | None, fmt: str, now: str | None) -> None:
    """The content calendar: scheduled posts by day, and open slots from brand/calendar.yml."""
    from smm.publish.evergreen import reshares
    from smm.workspace import calendar as cal

    repo = repository()
    fail_on_broken_config(repo)
    tz = repo.config.timezone
    moment = now_or_clock(now, tz)
    first = day_of(start, "--from") or moment.astimezone(tz).date()
    last = day_of(end, "--to") or first + timedelta(days=27)
    if last < first:
        raise UsageError("--to is before --from")
    window = (datetime.combine(first, time(), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(), tzinfo=tz))
    planned = reshares(repo.posts, repo.records, repo.calendar, tz, moment, window[1])  # evergreen posts again
    view = cal.CalendarView(cal.timeline(repo.calendar, repo.posts + planned, tz, *window), repo.brand.name, moment)
    if fmt == "ics":
        view = replace(view, domain=cal.uid_domain(_origin_url(repo.root), repo.brand.name, repo.root))
    click.echo(render(view, fmt), nl=False)


def _origin_url(root: Path) -> str | None:
    """The `origin` remote's URL, None when there is none or git cannot run (the feed's ids then
    come from the brand's name, as outside git)."""
    try:
        from smm.data.gitops import origin_url
    except SmmError:
        return None
    return origin_url(root)


def _post_paths(root: Path, paths: tuple[Path, ...]) -> list[Path]:
    """The PATHS of `smm preview`, as the repository names them (smm.workspace.files.as_named); each must be a post file or a folder that can hold
    posts (content/, one under it, or one above it), else an error (exit 1) that says so."""
    from smm.content.post import CONTENT_DIR, post_files
    from smm.errors import SmmError
    from smm.workspace.files import as_named

    content = as_named(root / CONTENT_DIR)
    posts = {as_named(root / f) for f in post_files(root)}
    wanted = [as_named(p) for p in paths]
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
    from smm.render import preview as show
    from smm.render.rendered import Renderer
    from smm.workspace.brand import page_language
    from smm.workspace.files import as_named

    repo = repository(paths[0] if paths else None)
    fail_on_broken_config(repo)
    unknown = [a for a in accounts if a not in repo.config.accounts]
    if unknown:
        raise UsageError(f"unknown account(s): {', '.join(unknown)}")
    wanted = _post_paths(repo.root, paths)
    renderer = Renderer(repo.root, repo.config, repo.brand)
    selected = []
    for post in repo.posts:
        if not _under(as_named(repo.root / post.file), wanted):
            continue
        names = [a for a in post.accounts if a in repo.config.accounts and (not accounts or a in accounts)]
        if names:
            selected += show.entries(repo.config, renderer, post, names)
    broken = sorted({d.file for d in repo.diagnostics if d.is_error and d.file.startswith("content/")
                     and _under(as_named(repo.root / d.file), wanted)})
    if broken:
        click.echo(f"warning: {len(broken)} post file(s) not shown, they have errors (run `smm check`): "
                   + ", ".join(broken[:5]) + (" …" if len(broken) > 5 else ""), err=True)
    view = show.PreviewView(selected, _originals(repo, selected), repo.root, repo.brand.name,
                            page_language(repo.brand, repo.posts))
    click.echo(render(view, fmt), nl=False)


def _originals(repo, selected) -> dict:
    """What the selected reply posts may answer: the inbox items and the brand's own published
    posts (none read when no post is a reply)."""
    if not any(post.reply_to for post, _ in selected):
        return {}
    from smm.inbox.items import load_items
    from smm.inbox.replies import own_posts

    return {**own_posts(repo.records), **load_items(repo.root)}


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
    length, limit, problems = _count(platform, _standard_input())
    ok = not problems
    if as_json:
        click.echo(json.dumps({"platform": platform_name, "length": length, "limit": limit, "ok": ok}))
        for problem in problems:  # why, as the text says it: the JSON keeps its documented keys
            click.echo(f"error: {problem}", err=True)
    else:
        click.echo(f"{length}" + (f"/{limit} {platform.unit}" if limit else f" {platform.unit}")
                   + "".join(f"  {problem}" for problem in problems))
    raise SystemExit(0 if ok else 1)


def _standard_input() -> bytes:
    """Standard input, up to MAX_TEXT_BYTES (`smm count < /dev/zero` read for ever, holding it all)."""
    from smm.workspace.files import MAX_TEXT_BYTES

    data = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise SmmError(f"standard input: more than {MAX_TEXT_BYTES:,} bytes; no network publishes a post that long")
    return data


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
    if length == 0 and not problems:  # no text, or only what the network counts as none (Mastodon's white space)
        problems = [f"empty: {platform.label} publishes no post without text"]
    elif limit is not None and length > limit:  # over another limit (Bluesky's bytes): extra_problems says which
        problems.insert(0, "over the limit")
    return length, limit, problems


@cli.command()
@click.argument("directory", type=PathArgument(file_okay=False, path_type=Path))
@click.option("--brand", default=None, help="The brand's name (default: the directory's name).")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone for publish times.")
# pinned to this smm by default: the scheduled job holds every network's secret, and its smm
# should be the one editors check with, not whatever release is newest at each run
@click.option("--smm-requirement", default=f"{DISTRIBUTION}=={__version__}", show_default=True, metavar="SPEC",
              help="How the workflows install smm: a pip requirement (smm-git==0.1.0), a URL "
                   "(git+https://github.com/OWNER/smm@v0.1.0) or a path (./vendor/smm).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@NOW_OPTION
def init(directory: Path, brand: str | None, tz: str, smm_requirement: str, force: bool, now: str | None) -> None:
    """Create a new content repository in DIRECTORY that passes `smm check` at once."""
    from smm.workspace.newrepo import init as scaffold

    written = scaffold(directory, brand, tz, smm_requirement, now_or_clock(now), force)
    click.echo(f"created {len(written)} files in {directory}")
    click.echo("next: cd into it, `git init`, set the secrets of each account, then `smm check`")
