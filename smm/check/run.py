"""`smm check`: every problem in a content repository, found at once.

    run_check(root, now)
      load_settings ── every settings file once, the brand's voice rules compiled (before any worker forks)
      load_repo  ── each post through PostChecks: parse (its own problems), what each account
                    would receive (limits, media), brand voice, accounts, pillar; all of it kept
                    in an index outside the checkout (checks-N-M.pickle: the post's summary for the
                    checks across posts, its problems) while the post's bytes, the settings and
                    its media files are unchanged; the due date every time
      check      ── across posts: duplicate ids, publish records, the promotional share,
                    goals, calendar gaps, accounts that cannot publish (those that follow from
                    the posts' summaries alone are kept between runs: smm.check.across)
"""

from __future__ import annotations

import os
import pickle
import posixpath
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from smm.check.across import KeptAcross, posts_digest
from smm.check.derived import check_comments, check_evergreen, check_variants
from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.check.personas import check_audience, check_quiet_personas
from smm.check.integrity import check_duplicate_ids, check_path_collisions, check_records
from smm.content.post import CONTENT_DIR, Post, calendar_order, media_names, read_post, shown_name
from smm.data.jobs import JobState, jobs_of
from smm.data.records import RECORDS_DIR, record_file
from smm.inbox.items import INBOX_DIR
from smm.inbox.replies import check_replies
from smm.platforms import kept_reported_limits, platform_class
from smm.publish.evergreen import reshares
from smm.workspace import lookalikes
from smm.workspace.cache import MISS, FileCache, blake2b, recall, remember
from smm.workspace.calendar import CALENDAR_FILE, gaps
from smm.workspace.config import PLATFORMS_FILE, Config
from smm.workspace.files import MAX_TEXT_BYTES, SourceLines, as_named, file_state
from smm.workspace.repo import Forked, Repo, ShardedCache, load_repo
from smm.workspace.kept_settings import kept_settings
from smm.workspace.schema import did_you_mean
from smm.workspace.settings import Settings
from smm.workspace.timezones import exact

if TYPE_CHECKING:
    from smm.render.rendered import Rendered

GAP_WARNING_WINDOW = timedelta(days=7)
RESHARES_AHEAD = timedelta(days=90)  # planned re-shares count in the promotional share this far ahead


def run_check(root: Path, now: datetime, paths: list[Path] | None = None,
              loaded: tuple[Settings, bytes] | None = None) -> Repo:
    """The repository, with its voice rules and every problem in `repo.diagnostics`; `repo.posts` are
    summaries (Post.summary). With `paths`, the problems of posts outside them are left out (all
    the checks across posts still run): `select` would drop them. `loaded`: `check_settings(root)`."""
    run = start_check(root, now, paths, loaded)
    run.repo.diagnostics = run.diagnostics()
    return run.repo


@dataclass
class CheckRun:
    """A check whose posts' problems in their own files are still pickled, and read from the cache
    folder only when they are reported (`checks.own`: file → (digest of the file's bytes or None,
    digest of the pickled problems, the pickled problems or None: in the index's `owns` file));
    `repo.diagnostics` holds every other problem."""

    repo: Repo
    settings_key: bytes
    checks: PostChecks

    @property
    def own(self) -> dict[str, tuple[bytes | None, bytes, bytes | None]]:
        return self.checks.own

    @property
    def showing(self) -> set[str]:
        """The posts reported because they show a picture asked for, not being under a path asked for."""
        wanted = self.checks.wanted
        return set() if wanted is None else {file for file in self.own if not _under(file, wanted)}

    def diagnostics(self) -> list[Diagnostic]:
        """Every problem: explained by look-alike characters where they are the cause; reported once
        each (a broken template is reported by every post that uses it)."""
        own = [d for file in sorted(self.own) for d in pickle.loads(self.checks.own_problems(self.repo, file))]
        return lookalikes.explain(own + self.repo.diagnostics, SourceLines(self.repo.root).line)


def start_check(root: Path, now: datetime, paths: list[Path] | None = None,
                loaded: tuple[Settings, bytes] | None = None, earlier: dict[str, bytes | None] | None = None) -> CheckRun:
    """`run_check` but for unpickling and explaining the problems posts have in their own files.
    `earlier`: the bytes of the posts changed since a commit then (posts_before; `--since`): the
    promotional shares the change brought are reported with it, though it touched no post of theirs
    (a post taken out of a stretch)."""
    settings, key = loaded or check_settings(root)
    checks = PostChecks(now, key, [_relative(root, p) for p in paths or []] or None)
    repo = load_repo(root, checks, settings)
    kept = KeptAcross(root, key, posts_digest(key, checks.summaries))
    promotional = _promotional_share(repo, kept, now, repo.posts)
    if earlier:
        posts, summaries = _posts_then(repo, earlier, checks.summaries)
        promotional = brought(promotional, _promotional_share(repo, kept, now, posts, posts_digest(key, summaries)),
                              sorted(earlier))
    repo.diagnostics += (
        promotional
        + kept.result("duplicate ids", lambda: check_duplicate_ids(repo.posts + repo.broken))
        + kept.result("path collisions", lambda: check_path_collisions(repo.posts + repo.broken))
        + check_records(repo) + check_jobs_needing_a_human(repo) + check_gaps(repo, now)
        + kept.result("daily limits", lambda: check_daily_limits(repo)) + check_replies(repo) + check_evergreen(repo)
        + check_quiet_personas(repo, now))
    kept.save()
    return CheckRun(repo, key, checks)


def _promotional_share(repo: Repo, kept: KeptAcross, now: datetime, posts: list[Post], digest: bytes | None = None):
    """The brand's promotional share over `posts` and their re-shares planned ahead (kept under the
    posts' digest: `digest`, the posts of another time than the repository's)."""
    planned = reshares(posts, repo.records, repo.calendar, repo.config.timezone, now, now + RESHARES_AHEAD)
    return kept.result("promotional share" + " then" * (digest is not None), lambda: repo.voice.check_calendar(posts + planned),
                       also="".join(f"\0{p.file}\0{p.id}\0{p.publish_at.isoformat()}" for p in planned), posts=digest)


def _posts_then(repo: Repo, earlier: dict[str, bytes | None], summaries: dict[str, bytes]) -> tuple[list[Post], dict[str, bytes]]:
    """The posts (summaries) as they were before the changes, and the digests of their summaries
    (Checked.summary_digest) for posts_digest."""
    posts = [p for p in repo.posts if p.file not in earlier]
    summaries = {file: digest for file, digest in summaries.items() if file not in earlier}
    for file, data in earlier.items():
        if data is None:  # not there then
            continue
        post = read_post(repo.root, file, repo.config.timezone, data=data)[0]
        summary = post and post.summary()
        summaries[file] = _digest(pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))
        if summary is not None and summary.valid:
            posts.append(summary)
    return sorted(posts, key=lambda p: p.file), summaries


class Checked(NamedTuple):
    """What `smm check` keeps of one post file between runs (valid while the file, the settings and
    the media files it names are unchanged); a tuple: 10,000 of them unpickle in half the time of
    as many dataclasses."""

    post: Post | None  # its summary; None: the file has no fields to read
    media: tuple  # (name, state) of each media file it names, as it was checked
    foreign: list[Diagnostic]  # its problems in other files (a template it uses)
    own_digest: bytes  # of its problems in its own file, pickled (kept apart, in `owns-SHARD-N`, by this digest)
    summary_digest: bytes  # of `post` pickled: the checks across posts kept with smm.check.across depend on it alone


class PostChecks:
    """Reads and checks each post (see repo.Reader): parsing and every check of one post that needs
    the settings but no other post, kept in an index (`checks-SHARD-N`, a ShardedCache) for the next run;
    only the due date (which depends on the time and the records) is checked every time."""

    def __init__(self, now: datetime, settings_key: bytes, wanted: list[str] | None = None) -> None:
        self.now = now
        self.settings_key = settings_key
        self.wanted = wanted  # None: every post's problems are reported
        self.renderer = None  # smm.render.rendered.Renderer, made in the process that uses it
        self.index: ShardedCache | None = None  # `checks-SHARD-N` in the cache folder
        self.media_states: dict[str, tuple] = {}
        self.own: dict[str, tuple[bytes | None, bytes, bytes | None]] = {}  # reported file → CheckRun.own
        self.summaries: dict[str, bytes] = {}  # each post file read → Checked.summary_digest
        self.made: dict[bytes, bytes] = {}  # own problems pickled this run, by their digest
        self.owns: dict[str, dict[bytes, bytes]] = {}  # own problems kept by earlier runs, by index file
        self.exact = True  # False: a post's kept problems were missing and it changed since (the report is not kept)
        self.ahead = None  # the second process checking the posts asked for (start), and its result
        self.ahead_result = None
        self.pictures: tuple[list[str], list[str]] | None = None  # the files asked for that a post may show (shows_asked)
        self.places: list[str] | None = None  # where the paths asked for lead (leads_to_asked)

    def _index(self, root: Path) -> ShardedCache:
        if self.index is None:
            self.index = ShardedCache(root, "checks", self.settings_key.hex())
        return self.index

    def _cache(self, root: Path, file: str) -> FileCache:
        return self._index(root)(file)

    def stale(self, root: Path, files: list[str]) -> list[str]:
        return self._index(root).stale(files)

    def start(self, repo: Repo) -> None:
        """Before the posts are read: the few posts asked for (`smm check CHANGED...`) that the
        index does not hold are checked in a second process meanwhile (their Markdown converter,
        templates and platforms are imported there, while this one loads the index)."""
        self.now = exact(self.now.astimezone(repo.config.timezone))  # the zone object of the posts' times: fast to compare
        files = self.stale(repo.root, [f for f in self.wanted or [] if f.endswith(".md") and (repo.root / f).is_file()])
        if 0 < len(files) <= AHEAD_AT_MOST:
            global _AHEAD
            _AHEAD = (self, repo)
            self.ahead = Forked.start(_check_ahead, files)
            _AHEAD = None

    def stop(self) -> None:
        """After the posts are read: the second process, if any, is gone."""
        if self.ahead is not None:
            self.ahead.stop()
            self.ahead = None

    def _checked_ahead(self, file: str, digest: bytes | None) -> tuple[Checked, bytes] | None:
        """The second process's check_file result for the file if it checked these bytes."""
        if self.ahead is None or digest is None:
            return None
        if self.ahead_result is None:
            try:
                self.ahead_result = self.ahead.get()
            except Exception:  # noqa: BLE001  (a process that failed: the post is checked here)
                self.ahead_result = {}
        kept = self.ahead_result.get(file)
        return kept[1] if kept is not None and kept[0] == digest else None

    def read(self, repo: Repo, file: str) -> tuple[Post | None, list[Diagnostic]]:
        index = self.index or self._index(repo.root)
        cache = index.of.get(file) or index(file)  # `stale` found most (10,000 calls: no layers)
        checked, data = cache.lookup(file, MAX_TEXT_BYTES)
        own = None
        if checked is MISS or checked.media and checked.media != self.media_state(repo.root, [name for name, _ in checked.media]):
            checked, own = self._checked_ahead(file, cache.digests.get(file) if data is not None else None) or \
                self.check_file(repo, file, data)
            self.made[checked.own_digest] = own
            cache.store(file, checked)
        self.summaries[file] = checked.summary_digest
        if self.wanted is None or _under(file, self.wanted) or checked.media and self.shows_asked(repo.root, checked.media) \
                or file not in cache.digests and self.leads_to_asked(repo.root, file):
            self.own[file] = (cache.digests.get(file), checked.own_digest, own)
        post = checked.post
        if post is None or not post.valid:
            return post, list(checked.foreign)
        return post, checked.foreign + check_due(repo, post, self.now)

    def shows_asked(self, root: Path, media: tuple) -> bool:
        """Whether a file the post's check judged (Checked.media) is one asked for, or under a folder
        asked for, by its name or where it leads: a changed picture reports the posts that show it."""
        if self.pictures is None:
            asked = [w for w in self.wanted if not w.endswith(".md")]  # (a post is no picture: none for `smm check POST.md`)
            self.pictures = asked, _places(root, asked)
        names, places = self.pictures
        return bool(names) and any(_under(posixpath.normpath(name), names) or _under(_place(root, name, state), places)
                                   for name, state in media)

    def leads_to_asked(self, root: Path, file: str) -> bool:
        """Whether a post file that is no regular file (a link) leads to a path asked for, or into a
        folder asked for: a post changed, moved or removed reports the links to it."""
        if self.places is None:
            self.places = _places(root, self.wanted)
        return _under(_place(root, file, ()), self.places)

    def check_file(self, repo: Repo, file: str, data: bytes | None) -> tuple[Checked, bytes]:
        """Parse the post (`data`: its bytes, or None to read them) and run every check of it alone:
        what the index keeps, and its problems in its own file, pickled."""
        post, found = read_post(repo.root, file, repo.config.timezone, data=data)
        if post is not None:
            found += self.inspect(repo, post)  # a post with errors: the checks it can bear
        own = pickle.dumps([d for d in found if d.file == file], pickle.HIGHEST_PROTOCOL)
        # the files its check judged: its media, an article's pictures, an account's `cover` (inspect renders a valid post)
        names = sorted(set(media_names(post)) | self.renderer.media_asked) if post is not None and post.valid else []
        summary = post and post.summary()
        return Checked(summary, self.media_state(repo.root, names), [d for d in found if d.file != file],
                       _digest(own), _digest(pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))), own

    def own_problems(self, repo: Repo, file: str) -> bytes:
        """A reported file's problems in itself, pickled: made this run, else kept in the index's
        `owns` file; if that lost them, the post is checked again."""
        _, digest, own = self.own[file]
        if own is None:
            own = self._owns(repo.root, self._cache(repo.root, file)).get(digest)
        if own is None:
            checked, own = self.check_file(repo, file, None)
            self.exact = self.exact and checked.own_digest == digest
        return own

    def _owns(self, root: Path, cache: FileCache) -> dict[bytes, bytes]:
        name = _owns_name(cache)
        if name not in self.owns:
            kept = recall(root, name, self.settings_key.hex())
            self.owns[name] = kept if isinstance(kept, dict) else {}
        return self.owns[name]

    def _keep_owns(self, cache: FileCache, entries: dict) -> None:
        """Before an index file is written: its `owns` file, with the problems of its entries old
        and new (an interrupted save leaves the old index with what it needs)."""
        kept = self._owns(cache.root, cache)
        wanted = {entry[2].own_digest for entry in entries.values()} | {entry[2].own_digest for entry in cache.entries.values()}
        remember(cache.root, _owns_name(cache), self.settings_key.hex(),
                 {d: self.made.get(d) or kept[d] for d in wanted if d in self.made or d in kept})

    def inspect(self, repo: Repo, post: Post) -> list[Diagnostic]:
        if not post.valid:  # its fields have errors: only what can be checked safely
            return (check_accounts(repo, post) + check_pillar(repo, post) + check_post_giveaway(repo, post)
                    + check_audience(repo, post))
        if self.renderer is None:
            from smm.render.rendered import Renderer  # templates and Markdown: only for posts checked again

            self.renderer = Renderer(repo.root, repo.config, repo.brand, repo.settings.reported_limits)
        self.renderer.media_asked.clear()
        rendered = [self.renderer.render(post, name) for name in post.accounts if name in repo.config.accounts]
        return (check_rendering(rendered) + repo.voice.check_post(post, rendered) + check_accounts(repo, post)
                + check_pillar(repo, post) + check_post_giveaway(repo, post) + check_comments(repo, self.renderer, post)
                + check_variants(repo, self.renderer, post) + check_audience(repo, post))

    def media_state(self, root: Path, names: list[str]) -> tuple:
        """(name, state) of each media file: a changed picture is checked again."""
        return tuple((name, self.media_states.get(name) or self.media_states.setdefault(name, file_state(root, name)))
                     for name in names)

    def save(self, shard: int, files: list[str]) -> tuple[dict, dict]:
        """Keep the results of a shard this process read (its `files`) for the next run; their own
        problems (pickled) and the digests of their summaries go to the main process."""
        if self.index is not None:
            self.index.save(shard, self._keep_owns)
        own, summaries = self.own, self.summaries
        return {f: own[f] for f in files if f in own}, {f: summaries[f] for f in files if f in summaries}

    def merge(self, handed: tuple[dict, dict]) -> None:
        self.own.update(handed[0])
        self.summaries.update(handed[1])


AHEAD_AT_MOST = 20  # posts asked for; more are checked with the rest (two processes when many changed)
_AHEAD: tuple[PostChecks, Repo] | None = None  # shared with the forked process


def _check_ahead(files: list[str]) -> dict[str, tuple[bytes, tuple[Checked, bytes]]]:
    """In the second process: {file: (digest of the bytes checked, check_file's result)} of the
    files the index does not hold as they are."""
    checks, repo = _AHEAD
    found = {}
    for file in files:
        cache = checks._cache(repo.root, file)
        kept, data = cache.lookup(file, MAX_TEXT_BYTES)
        if kept is MISS and data is not None:
            found[file] = (cache.digests[file], checks.check_file(repo, file, data))
    return found


def check_settings(root: Path) -> tuple[Settings, bytes]:
    """`load_settings(root, voice=True)`, with the accounts smm cannot publish to among its problems
    (check_adapters), and `settings_digest(root)`. They are kept in the cache under that digest:
    parsing hundreds of rule files and importing every platform takes a while (the platforms'
    daily limits are kept with them: a warm check imports no platform). The text limits the networks
    report (a Mastodon instance's) count in the key: a post checked against another limit is
    checked again."""
    settings, key = kept_settings(root, voice=True, complete=_add_platform_facts)
    settings.reported_limits = kept_reported_limits(root, settings.config.accounts)
    if settings.reported_limits:
        key = blake2b(key + repr(sorted(settings.reported_limits.items())).encode(), digest_size=len(key)).digest()
    return settings, key


def _add_platform_facts(settings: Settings) -> None:
    settings.found["adapters"] = check_adapters(settings.config)
    settings.daily_limits = daily_limits(settings.config)


def _owns_name(cache: FileCache) -> str:
    """The cache file of the own problems an index file's entries name (`checks-S-N` → `owns-S-N`)."""
    return cache.path.stem.replace("checks-", "owns-", 1)


def _digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def _relative(root: Path, path: Path) -> str:
    """A path given on the command line, relative to the repository ("." for all of it; outside: never
    matches), named as reports name it (a name that is not UTF-8 with `\\xNN` escapes: such a post is not read)."""
    try:
        return shown_name(as_named(path).relative_to(root.resolve()).as_posix())
    except ValueError:
        return OUTSIDE


OUTSIDE = "\0outside"  # a path given that is outside the repository: no file's name holds a NUL


def _places(root: Path, wanted: list[str]) -> list[str]:
    """Where each path asked for leads (none for one outside the repository: os.path refuses a NUL)."""
    return [os.path.realpath(os.path.join(root, w)) for w in wanted if w != OUTSIDE]


def _post_diagnostic(post: Post, path, severity, rule, message, hint=None, key=False) -> Diagnostic:
    return Diagnostic.at(post.file, post.at(path, key=key), severity, rule, message, hint)


def check_post_giveaway(repo: Repo, post: Post) -> list[Diagnostic]:
    """The post's `giveaway:` (smm.giveaways.config)."""
    from smm.giveaways.config import check_giveaway
    from smm.platforms import registry

    return check_giveaway(post, repo.config.accounts, registry()) if "giveaway" in post.meta else []


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
                f"`{name}` is `{repo.config.renames[name]}` now: write that" if name in repo.config.renames
                else did_you_mean(name, known) or f"accounts are: {', '.join(known)}",
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
    if post.publish_at is None or post.publish_at >= now or post.draft or post.id in repo.records:
        return []
    return [_post_diagnostic(
        post, ("publish_at",), WARNING, "post.past-unpublished",
        f"`publish_at` {post.publish_at.isoformat()} has passed and the post has no publish record",
        "`smm publish` posts it on its next run if it is within each account's `max_lateness`",
    ).involving((record_file(post.id),))]  # a record removed: the post goes out again


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


def check_adapters(config: Config) -> list[Diagnostic]:
    """Warnings for accounts smm cannot publish to from here (not implemented, SDK missing, an option
    publishing needs not set; secrets are not looked for: they live in the publishing environment)."""
    found = []
    for name, account in config.accounts.items():
        ready = platform_class(account.platform).readiness(account.options, {})
        reason = ready.unsupported or ready.not_installed or (ready.options and "not configured: set " + ", ".join(
            f"`{option}`" for option in ready.options))
        if reason:
            line, column, _ = config.positions.at(("accounts", name), key=True)
            found.append(Diagnostic(PLATFORMS_FILE, line, column, WARNING, "config.cannot-publish",
                                    f"account `{name}`: {reason}", "posts for it are checked and previewed, not published"))
    return found


def daily_limits(config: Config) -> dict[str, tuple[int, str | None, str]]:
    """(posts a day, the zone of the network's days or None for platforms.yml's, the platform's
    label) of each account that has a daily limit."""
    found = {}
    for name, account in config.accounts.items():
        platform = platform_class(account.platform)
        limit = account.options.get("daily_limit", platform.daily_limit)
        if limit:
            found[name] = (limit, platform.day_zone, platform.label)
    return found


def check_daily_limits(repo: Repo) -> list[Diagnostic]:
    """Posts over an account's posts a day (WeChat: one group message a day, China time), drafts
    aside, published ones included: the calendar's later posts that day are the ones reported."""
    found = []
    limits = repo.settings.daily_limits
    limits = daily_limits(repo.config) if limits is None else limits
    zones = {name: ZoneInfo(day_zone) if day_zone else repo.config.timezone for name, (_, day_zone, _) in limits.items()}
    days: dict[str, dict] = {name: {} for name in limits}  # account → day → its posts, in the calendar's order
    for post in sorted((p for p in repo.posts if p.valid and not p.draft and p.publish_at),
                       key=calendar_order) if limits else []:
        for name in days.keys() & post.accounts:
            days[name].setdefault(post.publish_at.astimezone(zones[name]).date(), []).append(post)
    for name, (limit, _, label) in limits.items():
        zone = zones[name]
        for day, posts in days[name].items():
            for post in posts[limit:]:
                found.append(_post_diagnostic(
                    post, ("publish_at",), ERROR, "calendar.daily-limit",
                    f"`{name}` takes {limit} post{'s' * (limit > 1)} a day ({label}, days in {zone.key}) and "
                    f"{day} already has {', '.join(p.id for p in posts[:limit])}",
                    "move `publish_at` to another day, or take the account off `platforms`",
                ).involving(p.file for p in posts[:limit]))  # `smm check EARLIER.md` shows it too
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


def affected(changes: list[tuple[str, str]]) -> list[str] | None:
    """What to check after these changes ((status, path) as gitops.changed_since gives them): each
    post added or changed; the publish records when a post was removed (one may be orphaned); each
    record changed (and its post: a record removed re-arms it), and the name of a post removed (a
    folder or link put in its place is reported there); the inbox when an inbox file changed
    (its lines, the replies to its items); any other file as itself: a post's picture, reported
    at the posts whose check judged it (`PostChecks.read`); None (the whole repository) when a
    file every post depends on changed (platforms.yml, brand/; a picture of the cards' templates:
    see the CLI). Problems across posts are found whatever is checked; an empty list: only the
    settings files."""
    paths: set[str] = set()
    for status, path in changes:
        if path == PLATFORMS_FILE or path.startswith("brand/"):
            return None
        if path.startswith(f"{CONTENT_DIR}/") and path.endswith(".md"):
            paths.add(path)  # removed: what may be there now (a folder of that name) is reported at it
            if status == "D":
                paths.add(RECORDS_DIR)
        elif path.startswith(f"{RECORDS_DIR}/"):
            paths.add(path)
        elif path.startswith(f"{INBOX_DIR}/"):
            paths.add(INBOX_DIR)
        else:  # a post's `media:` or an account's `cover` may name any file of the repository (a card's under data/cards/)
            paths.add(path)
    return sorted(paths)


def posts_before(changes: list[tuple[str, str]], before: Callable[[list[str]], dict[str, bytes]]) -> dict[str, bytes | None]:
    """The bytes each post changed (added, changed, removed) had before the changes ((status, path) as
    gitops.changed_since gives them; `before(paths)`: the bytes of those that were a file then), None for
    one that was not there; a post that was something else then (a link) is left out."""
    posts = {path: status for status, path in changes if path.startswith(f"{CONTENT_DIR}/") and path.endswith(".md")}
    found = before([path for path, status in posts.items() if status != "A"]) if posts else {}
    return {path: found.get(path) for path, status in posts.items() if status == "A" or path in found}


def records_given_up(root: Path, earlier: dict[str, bytes | None]) -> list[str]:
    """The publish records of the ids that changed posts had before (`earlier`: posts_before) and have
    no longer: an id given up orphans its records wherever they say the post was (a post renamed
    earlier keeping its id: the record names the old file)."""
    from smm.content.derived import base_id
    from smm.data.records import load_records

    given_up = set()
    for path, data in earlier.items():
        was = read_post(root, path, timezone.utc, data=data)[0] if data is not None else None
        now = read_post(root, path, timezone.utc)[0] if was is not None else None
        if was is not None and (now is None or now.id != was.id):
            given_up.add(was.id)
    return sorted(r.file for r in load_records(root)[0].values() if base_id(r.post) in given_up) if given_up else []


def brought(now: list[Diagnostic], before: list[Diagnostic], changed: list[str]) -> list[Diagnostic]:
    """`now`, those not found `before` the changes (by place, rule and message) concerning the `changed`
    files too: a problem across posts that a change brought, reported with it wherever it is."""
    seen = {(d.file, d.line, d.column, d.rule, d.message) for d in before}
    return [d if (d.file, d.line, d.column, d.rule, d.message) in seen else copy(d).involving((*d.involves, *changed))
            for d in now]


def _place(root: Path, name: str, state: tuple) -> str:
    """Where a media file leads (file_state's first item; a missing file's path resolved as it stands)."""
    if state and isinstance(state[0], str) and state[0].startswith("/"):
        return state[0]
    try:
        return os.path.realpath(os.path.join(root, name))
    except ValueError:  # a NUL in the name
        return ""


def select(diagnostics: list[Diagnostic], root: Path, paths: list[Path], showing: set[str] = frozenset()) -> list[Diagnostic]:
    """Diagnostics for the files under paths and the posts `showing` a picture asked for (see
    PostChecks.shows_asked), and those that involve one of them (`Diagnostic.involves` names it or
    a folder holding it: an earlier post of a day over its limit, an inbox file a reply names an
    item of, a post's publish record), plus every settings problem."""
    if not paths:
        return diagnostics
    wanted = [_relative(root, p) for p in paths]
    return [d for d in diagnostics if d.file == PLATFORMS_FILE or d.file.startswith("brand/") or d.file in showing
            or _under(d.file, wanted) or d.involves and (any(_under(w, d.involves) for w in wanted)
                                                          or any(file in showing for file in d.involves))]


def _under(file: str, wanted: list[str]) -> bool:
    return any(w == "." or file == w or file.startswith(w + "/") for w in wanted)
