"""`smm check`: every problem in a content repository, found at once.

    run_check(root, now)
      load_settings ── every settings file once, the brand's voice rules compiled (before any worker forks)
      load_repo  ── each post: parse (its own problems), then PostChecks: what each
                    account would receive (limits, media), brand voice, accounts, pillar (kept in
                    a ResultCache under the post's bytes, the settings and its media files), due date
      check      ── across posts: duplicate ids, publish records, the promotional share,
                    goals, calendar gaps, accounts that cannot publish
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import astuple
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import smm
from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.check.integrity import check_duplicate_ids, check_records
from smm.content.post import Post
from smm.inbox.replies import check_replies
from smm.data.jobs import JobState, jobs_of
from smm.platforms import platform_class
from smm.render.rendered import Rendered, Renderer
from smm.workspace import lookalikes
from smm.workspace.cache import MISS, ResultCache
from smm.workspace.calendar import CALENDAR_FILE, gaps
from smm.workspace.config import PLATFORMS_FILE
from smm.workspace.files import SourceLines, open_regular
from smm.workspace.repo import Repo, load_repo, shard_of
from smm.workspace.schema import did_you_mean
from smm.workspace.settings import Settings, load_settings

GAP_WARNING_WINDOW = timedelta(days=7)


def run_check(root: Path, now: datetime, settings: Settings | None = None) -> Repo:
    """The repository, with its voice rules and every problem in `repo.diagnostics`."""
    repo = load_repo(root, PostChecks(now, settings_digest(root)), settings or load_settings(root, voice=True))
    repo.diagnostics += (repo.voice.check_calendar(repo.posts) + check_duplicate_ids(repo.posts + repo.broken)
                         + check_records(repo) + check_jobs_needing_a_human(repo) + check_gaps(repo, now)
                         + check_adapters(repo) + check_daily_limits(repo) + check_replies(repo))
    # a broken template is reported by every post that uses it: once is enough
    repo.diagnostics = list({astuple(d): d for d in repo.diagnostics}.values())
    repo.diagnostics = lookalikes.explain(repo.diagnostics, SourceLines(root).line)
    return repo


class PostChecks:
    """The checks of one post that need the repository's settings but no other post; all but the
    due date (which depends on the time and the records) are kept for the next run."""

    def __init__(self, now: datetime, settings_key: bytes) -> None:
        self.now = now
        self.settings_key = settings_key
        self.renderer: Renderer | None = None  # made in the process that uses it
        self.caches: dict[int, ResultCache] = {}  # by shard, loaded by the process that checks it

    def __call__(self, repo: Repo, post: Post, digest: bytes | None) -> list[Diagnostic]:
        shard = shard_of(post.file)
        if shard not in self.caches:
            self.caches[shard] = ResultCache(repo.root, f"checks-{shard}", self.settings_key.hex())
        key = None if digest is None else post_key(repo.root, post, digest)
        found = MISS if key is None else self.caches[shard].get(post.file, key)
        if found is MISS:
            found = self.inspect(repo, post)
            if key is not None:
                self.caches[shard].put(post.file, key, found)
        return found + check_due(repo, post, self.now) if post.valid else found

    def inspect(self, repo: Repo, post: Post) -> list[Diagnostic]:
        if not post.valid:  # its fields have errors: only what can be checked safely
            return check_accounts(repo, post) + check_pillar(repo, post)
        if self.renderer is None:
            self.renderer = Renderer(repo.root, repo.config, repo.brand)
        rendered = [self.renderer.render(post, name) for name in post.accounts if name in repo.config.accounts]
        return (check_rendering(rendered) + repo.voice.check_post(post, rendered) + check_accounts(repo, post)
                + check_pillar(repo, post))

    def save(self) -> None:
        """Keep this process's results for the next run."""
        for cache in self.caches.values():
            cache.save()
        self.caches.clear()


def settings_digest(root: Path) -> bytes:
    """A digest of everything a post's checks depend on besides the post and its media: smm (its
    version and source), Python, platforms.yml and every file under brand/ (voice rules,
    templates, handles, calendar, goals)."""
    digest = hashlib.blake2b(f"{smm.__version__} {sys.version}".encode(), digest_size=16)
    files = [root / PLATFORMS_FILE] + _files_under(root / "brand") + [
        p for p in _files_under(Path(smm.__file__).parent) if p.suffix != ".pyc"]
    for path in files:
        digest.update(f"\0{path}\0".encode())
        try:
            with open_regular(path) as handle:  # never a named pipe: it would block
                digest.update(handle.read())
        except OSError as exc:  # NotRegularFile too
            digest.update(f"unreadable {exc!r}".encode())
    return digest.digest()


def _files_under(folder: Path) -> list[Path]:
    found = []
    for where, dirs, files in os.walk(folder):
        dirs.sort()
        found += [Path(where) / name for name in sorted(files)]
    return found


def post_key(root: Path, post: Post, digest: bytes) -> bytes:
    """The post's bytes and the state of each media file it names (a changed picture is re-checked)."""
    key = hashlib.blake2b(digest, digest_size=16)
    names: set = set()
    for account in ([None] + list(post.accounts)) if post.valid else []:
        items = post.meta.get("media") if account is None else post.for_account(account).media
        names.update(item.get(field) for item in items or [] if isinstance(item, dict) for field in ("file", "cover"))
    for name in sorted(n for n in names if isinstance(n, str)):
        path = os.path.join(root, name)
        try:
            st, link = os.stat(path), os.lstat(path)
            key.update(repr((name, os.path.realpath(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino,
                             link.st_mtime_ns)).encode())
        except (OSError, ValueError) as exc:
            key.update(repr((name, type(exc).__name__, getattr(exc, "errno", None))).encode())
    return key.digest()


def _post_diagnostic(post: Post, path, severity, rule, message, hint=None, key=False) -> Diagnostic:
    return Diagnostic.at(post.file, post.at(path, key=key), severity, rule, message, hint)


def check_accounts(repo: Repo, post: Post) -> list[Diagnostic]:
    """Accounts the post names that platforms.yml does not declare; not judged while platforms.yml
    has errors (its own error is the one to fix, reported once)."""
    known = repo.config.account_names
    if known is None:
        return []
    found = []
    accounts = post.accounts if isinstance(post.accounts, list) else []
    for index, name in enumerate(accounts):
        if isinstance(name, str) and name not in known:
            found.append(_post_diagnostic(
                post, ("platforms", index), ERROR, "post.unknown-account",
                f"no account `{name}` in {PLATFORMS_FILE}",
                did_you_mean(name, known) or f"accounts are: {', '.join(known)}",
            ))
    for name in post.overridden:
        if name not in known:
            found.append(_post_diagnostic(
                post, ("overrides", name), ERROR, "post.unknown-account",
                f"override for `{name}`, which is not an account in {PLATFORMS_FILE}",
                did_you_mean(name, known), key=True,
            ))
        elif name not in post.accounts:
            found.append(_post_diagnostic(
                post, ("overrides", name), WARNING, "post.unused-override",
                f"override for `{name}`, but the post does not go to `{name}`",
                f"add `{name}` to `platforms` or remove the override", key=True,
            ))
    return found


def check_rendering(rendered: list[Rendered]) -> list[Diagnostic]:
    """What each account would receive: limits, mentions, templates, media rules."""
    found: dict[tuple, Diagnostic] = {}
    for one in rendered:
        for d in one.diagnostics:
            found.setdefault((d.file, d.line, d.column, d.rule, d.message), d)
    return list(found.values())


def check_pillar(repo: Repo, post: Post) -> list[Diagnostic]:
    pillars = repo.calendar.pillars
    if not isinstance(post.pillar, str) or not pillars or post.pillar in pillars:
        return []
    return [_post_diagnostic(
        post, ("pillar",), ERROR, "post.unknown-pillar", f"pillar `{post.pillar}` is not in {CALENDAR_FILE}",
        did_you_mean(post.pillar, pillars) or f"pillars are: {', '.join(pillars)}",
    )]


def check_due(repo: Repo, post: Post, now: datetime) -> list[Diagnostic]:
    if post.draft or post.publish_at is None or post.publish_at >= now or post.id in repo.records:
        return []
    return [_post_diagnostic(
        post, ("publish_at",), WARNING, "post.past-unpublished",
        f"`publish_at` {post.publish_at.isoformat()} has passed and the post has no publish record",
        "`smm publish` posts it on its next run if it is within each account's `max_lateness`",
    )]


def check_jobs_needing_a_human(repo: Repo) -> list[Diagnostic]:
    """Warnings for jobs the scheduled run will not retry by itself."""
    found = []
    for job in jobs_of(repo.records):
        if job.state is JobState.EXPORTED:
            found.append(Diagnostic(repo.records[job.post_id].file, 1, 1, WARNING, "record.exported",
                                    f"`{job.post_id}` on {job.account}: exported to {job.remote_id}, not uploaded yet",
                                    f"upload it in the creator app, then run `smm resolve {job.post_id} --account "
                                    f"{job.account} --published URL`"))
        elif job.needs_a_human:
            resolve = f"smm resolve {job.post_id} --account {job.account}"
            hint = (f"check {job.account}: if the post is there, run `{resolve} --published URL`; if not, "
                    f"`{resolve} --not-published` (the next run publishes it)" if job.state is JobState.UNCONFIRMED else
                    f"fix the post (a change makes smm try again) or the account, or run `{resolve} "
                    "--published URL` or `--not-published`")
            found.append(Diagnostic(repo.records[job.post_id].file, 1, 1, WARNING, f"record.{job.state}",
                                    f"`{job.post_id}` on {job.account}: {job.error or job.state}", hint))
    return found


def check_adapters(repo: Repo) -> list[Diagnostic]:
    """Warnings for accounts smm cannot publish to from here (not implemented, SDK missing, an option
    publishing needs not set; secrets are not looked for: they live in the publishing environment)."""
    found = []
    for name, account in repo.config.accounts.items():
        ready = platform_class(account.platform).readiness(account.options, {})
        reason = ready.unsupported or ready.not_installed or (ready.options and "not configured: set " + ", ".join(
            f"`{option}`" for option in ready.options))
        if reason:
            line, column, _ = repo.config.positions.at(("accounts", name), key=True)
            found.append(Diagnostic(PLATFORMS_FILE, line, column, WARNING, "config.cannot-publish",
                                    f"account `{name}`: {reason}", "posts for it are checked and previewed, not published"))
    return found


def check_daily_limits(repo: Repo) -> list[Diagnostic]:
    """Posts over an account's posts a day (WeChat: one group message a day, China time), drafts
    aside, published ones included: the calendar's later posts that day are the ones reported."""
    found = []
    for name, account in repo.config.accounts.items():
        platform = platform_class(account.platform)
        limit = account.options.get("daily_limit", platform.daily_limit)
        if not limit:
            continue
        zone = ZoneInfo(platform.day_zone) if platform.day_zone else repo.config.timezone
        days: dict = {}
        for post in sorted((p for p in repo.posts if p.valid and not p.draft and p.publish_at and name in p.accounts),
                           key=lambda p: (p.publish_at, p.file)):
            days.setdefault(post.publish_at.astimezone(zone).date(), []).append(post)
        for day, posts in days.items():
            for post in posts[limit:]:
                found.append(_post_diagnostic(
                    post, ("publish_at",), ERROR, "calendar.daily-limit",
                    f"`{name}` takes {limit} post{'s' * (limit > 1)} a day ({platform.label}, days in {zone.key}) and "
                    f"{day} already has {', '.join(p.id for p in posts[:limit])}",
                    "move `publish_at` to another day, or take the account off `platforms`"))
    return found


def check_gaps(repo: Repo, now: datetime) -> list[Diagnostic]:
    tz = repo.config.timezone
    found = []
    for entry in gaps(repo.calendar, repo.posts, tz, now, now + GAP_WARNING_WINDOW):
        slot = entry.slot
        found.append(Diagnostic(
            CALENDAR_FILE, slot.line, slot.column, WARNING, "calendar.gap",
            f"no post fills the {entry.at:%A %H:%M} slot `{slot.label}` on {entry.at:%Y-%m-%d}",
            f"schedule a post with `pillar: {slot.pillar}` that day" if slot.pillar else "schedule a post that day",
        ))
    return found


def select(diagnostics: list[Diagnostic], root: Path, paths: list[Path]) -> list[Diagnostic]:
    """Diagnostics for the files under paths, plus every settings problem."""
    if not paths:
        return diagnostics
    wanted = []
    for p in paths:
        try:
            wanted.append(p.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    def keep(d: Diagnostic) -> bool:
        if d.file == PLATFORMS_FILE or d.file.startswith("brand/"):
            return True
        return any(w == "." or d.file == w or d.file.startswith(w + "/") for w in wanted)
    return [d for d in diagnostics if keep(d)]
