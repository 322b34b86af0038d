"""`smm site build`: the static dashboard site (smm.site)."""

from __future__ import annotations

from pathlib import Path

import click

from smm.cli import cli
from smm.cli.common import NOW_OPTION, PathArgument, now_or_clock, refuse_errors, repository


@cli.group()
def site() -> None:
    """The static site: calendar, previews, report, inbox, listening."""


@site.command()
@click.option("--out", type=PathArgument(path_type=Path), default=None, metavar="DIR",
              help="Where to write the site (default: _site/ in the repository).")
@click.option("--base-url", metavar="URL", help="Where the site is served (canonical links, sitemap.xml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@NOW_OPTION
def build(out: Path | None, base_url: str | None, fmt: str, now: str | None) -> None:
    """Write the site; only pages whose inputs changed are written again, stale ones removed."""
    import json

    from smm.site.build import build as build_site

    repo = repository()
    refuse_errors(repo, lambda file: not file.startswith("content/"), "building the site")
    problem = _base_url_problem(base_url) if base_url is not None else None
    if problem:
        shown = _without_password(base_url)  # a password is not printed to the log
        click.echo(f"error: --base-url {shown!r}: {problem}; expected an http(s) URL such as "
                   "https://acme.github.io/social/", err=True)
        raise SystemExit(1)
    moment = now_or_clock(now, repo.config.timezone)
    built = build_site(repo, out if out is not None else repo.root / "_site", moment, base_url)
    if built.not_shown:
        click.echo(f"warning: {len(built.not_shown)} post file(s) not shown, they have errors (run `smm check`): "
                   + ", ".join(built.not_shown[:5]) + (" …" if len(built.not_shown) > 5 else ""), err=True)
    if fmt == "json":
        click.echo(json.dumps(built.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"site: {built.pages} pages in {built.out} ({len(built.written)} files written, "
                   f"{len(built.removed)} removed)")


def _base_url_problem(url: str) -> str | None:
    """Why `url` cannot prefix the site's links (canonical, sitemap.xml), or None: every page and the
    sitemap carry it as it is, so a `?` or `#` would swallow the pages' paths (even with nothing after
    it) and a user name or password would be published."""
    import re

    from smm.content.links import split_url

    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c in '"<>\'`\\{}|^' for c in url):
        return "it holds a space, a quote, an angle bracket or a control character"
    parts = split_url(url)
    if parts is None:
        return "it is not a URL (a bracketed host that is no address, or a port that is no number from 0 to 65535)"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "it names no host"
    if "?" in url or "#" in url:
        return "it has a query or a fragment"
    if "@" in parts.netloc:
        return "it holds a user name or password, which every page would show"
    if re.search(r"\.(html?|xml)$", parts.path, re.IGNORECASE):
        return "it names a page, not the folder the site is served from (`…/index.html` would become `…/index.html/index.html`)"
    if re.search("%(?![0-9A-Fa-f]{2})", url):
        return "it holds a `%` that starts no escape such as `%20`"
    return None


def _without_password(url: str) -> str:
    """The URL with what comes before the `@` of its host (a user name and password) hidden."""
    head, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    return f"{head}{sep}…@{authority.rpartition('@')[2]}{slash}{path}" if sep and "@" in authority else url


