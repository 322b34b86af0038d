"""Every page of the site, each written only when what it shows changed (smm.site.output)."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from html import escape

from markupsafe import Markup

import smm
from smm.site import calendar as cal
from smm.site import inbox, posts, reports
from smm.site.catalogue import catalogue, text_language
from smm.site.output import FOOTER, WORKER_FROM, PageCache, SiteFolder, collecting, digest, lasting, plain_bytes
from smm.site.render import Site, stylesheet
from smm.workspace.brand import first_language, page_language
from smm.workspace.cache import MISS, recall, remember
from smm.workspace.files import file_state, files_under

KEEP_ROWS_FROM = 100  # posts' rows made or gone: below this _posts_digests() makes them again rather than keep them
SOURCES = ("site", "render", "report", "templates", "platforms", "data")  # smm's code a page depends on


@dataclass
class Built:
    out: Path
    pages: int
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    not_shown: list[str] = field(default_factory=list)  # post files with errors

    def as_json(self) -> dict:
        return {"out": str(self.out), "pages": self.pages, "written": self.written, "removed": self.removed,
                "not_shown": self.not_shown}


def code_digest() -> str:
    """smm's version and the code pages depend on (SOURCES, by file stat)."""
    h = hashlib.blake2b(smm.__version__.encode(), digest_size=16)
    package = Path(smm.__file__).parent
    for folder in [package / s for s in SOURCES]:
        for path in files_under(folder):
            if "__pycache__" not in path.parts and path.is_file():
                stat = path.stat()
                h.update(f"{path.as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return h.hexdigest()


def settings_digest(repo, lang: str, base_url: str | None, code: str | None = None, limits: dict | None = None) -> str:
    """smm's version and code (`code`: code_digest(), when known), platforms.yml, every file under
    brand/, the cards' pictures (anywhere in the repository) and the text limits the networks report
    (`limits`: _limits()): a change rebuilds every page."""
    h = hashlib.blake2b(f"{code or code_digest()}\0{lang}\0{base_url}\0{sorted((limits or {}).items())}".encode(),
                        digest_size=16)
    from smm.workspace.kept_settings import repository_key

    h.update(repository_key(repo.root))  # platforms.yml and brand/, as the check's key counts them
    for name in getattr(repo.brand.cards, "pictures", ()):
        h.update(repr((name, file_state(repo.root, name))).encode())
    return h.hexdigest()


def build(repo, out: Path, now: datetime, base_url: str | None = None) -> Built:
    """Write the site into `out`; returns what was written and removed."""
    with collecting(False):  # but while a page is rendered (SiteFolder.page)
        return _build(repo, out, now, base_url)


def _build(repo, out: Path, now: datetime, base_url: str | None) -> Built:
    from smm.report import brand_name

    repo, in_conflict = _without_conflicts(repo)
    tz = repo.config.timezone
    files = reports.data_files(repo.root)
    code = code_digest()
    listed, shown, firsts = _posts_digests(repo, code)
    lang = page_language(repo.brand, repo.posts, firsts.elements())
    site = Site(brand_name(repo), lang, catalogue(lang), base_url, now.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"))
    settings = settings_digest(repo, lang, base_url, code, _limits(repo))
    folder = SiteFolder(repo.root, out)
    folder.page("assets/site.css", digest(settings, "css"), stylesheet)
    for script in ("search.js", "clock.js"):
        folder.page(f"assets/{script}", digest(settings, script), lambda script=script: _script(script))
    state = reports.data_state(repo, files, shown)
    from smm.report.load import Metrics

    metrics = Metrics(repo.root, now, repo.config.renames)
    history_key = cache(lambda: reports.history_key(settings, files, shown))
    readings = reports.Readings(repo.root, lambda: reports.readings_key(history_key(), files), now,
                                reports.reads_from(now, tz))
    history = cache(lambda: _history(repo, history_key(), lang, readings, metrics))
    report_for = cache(lambda period: _report(repo, period, now, metrics, history()))
    newest = cache(lambda table: _newest(repo.root, table))  # read once a build

    def other_pages() -> None:  # while a worker renders post pages
        today = now.astimezone(repo.config.timezone).date()
        folder.group("calendar", digest(settings, today, repo.calendar, listed),
                     lambda: _calendar_pages(site, folder, repo, now, settings))
        every = reports.periods(repo, now, _data_months(repo, folder, digest(settings, state)))
        _report_pages(site, folder, every, now, settings, state, report_for)
        _other_pages(site, folder, repo, now, settings, reports.period_key(settings, state, every[1], now),
                     lambda: report_for(every[1]))

    records = {f"{place}/{name}": stamped for place, name, stamped in files if place == "data/published"}
    _post_pages(site, folder, repo, now, settings, listed, records, other_pages, lambda: newest("metrics"))
    if history.cache_info().currsize:
        readings.keep(history(), metrics, lambda: max(filter(None, (newest("metrics"), newest("followers"))), default=None))
    if base_url:
        folder.page("sitemap.xml", digest(sorted(folder.current), base_url), lambda: _sitemap(folder, base_url))
    pages = sum(p.endswith(".html") for p in folder.current)
    metrics.close()
    removed = folder.finish()
    not_shown = sorted({d.file for d in repo.diagnostics if d.is_error and d.file.startswith("content/")} | in_conflict)
    return Built(out, pages, sorted(folder.written), removed, not_shown)


def _posts_digests(repo, code: str) -> tuple[str, str, Counter]:
    """(a digest of posts.listing(), a digest of the reports.shown_row() of each post reports.named(),
    how many posts have each first language). Each post's rows in them (their digests) and its first
    language are kept in the cache folder while its file holds the same bytes (repo.digests), parsed
    by the same code in the same time zone (posts_version()), and smm's code is the same (`code`:
    code_digest()); kept again once KEEP_ROWS_FROM posts changed (fewer are made again each time)."""
    from smm.workspace.repo import posts_version

    version = digest(code, posts_version(repo.config))
    kept = recall(repo.root, "site-post-rows", version)
    kept = {} if kept is MISS else kept
    named = reports.named(repo)
    rows, listed, shown, firsts, made = {}, [], [], [], 0
    for post in repo.posts:
        source = repo.digests.get(post.file)
        row = kept.get(post.file)
        if row is None or source is None or row[0] != source:  # (a post read through a link has no digest)
            listing = posts.listing([post])[0]
            row = (source, plain_bytes(listing), plain_bytes(reports.shown_row(post)), listing[-1])
            made += 1
        if source is not None:
            rows[post.file] = row
        listed.append(row[1])
        firsts.append(row[3])
        if post.id in named:
            shown.append(row[2])
    stale = len(kept) - (len(repo.posts) - made)  # rows kept of posts changed or gone
    if made and not kept or max(made, stale) >= KEEP_ROWS_FROM:  # (a few rows are made again for less than keeping them)
        remember(repo.root, "site-post-rows", version, rows)
    return (hashlib.blake2b(b"".join(listed), digest_size=16).hexdigest(),
            hashlib.blake2b(b"".join(shown), digest_size=16).hexdigest(), Counter(filter(None, firsts)))


def _without_conflicts(repo):
    """The repository without the posts that stop `smm publish` through another file (an id two
    posts claim, a published post's id or account changed), and their files: two posts of one id would
    share one page, the one shown depending on which was built last."""
    from smm.check.integrity import blocking

    files = {d.file for d in blocking(repo)}
    kept = [p for p in repo.posts if p.file not in files]
    if len(kept) == len(repo.posts):
        return repo, set()
    return replace(repo, posts=kept), {p.file for p in repo.posts if p.file in files}


def _data_months(repo, folder, state: str) -> set:
    """reports.data_months(), kept in the manifest while `state` (the settings, data/ by file stat) is the same."""
    old = folder.previous_notes.get("months")
    months = ({date.fromisoformat(m) for m in old["months"]} if old and old["state"] == state
              else reports.data_months(repo))
    folder.notes["months"] = {"state": state, "months": sorted(m.isoformat() for m in months)}
    return months


def _report(repo, period, now, metrics, history):
    from smm import report

    return report.build(repo, period.start, period.end, now, metrics, history)


def _history(repo, key: str, lang: str, readings, metrics):
    """The reports' History (its jobs kept: reports.history()), given what the last build read up to its time when that holds."""
    found = reports.history(repo, key, lang)
    readings.give(found, metrics)
    return found


def _newest(root, table: str):
    """When the newest row of data/metrics ("metrics") or data/accounts ("followers") was collected (None: no row)."""
    from smm.report.load import FOLLOWERS, METRICS, newest_collected

    return newest_collected(root, {"metrics": METRICS, "followers": FOLLOWERS}[table])


def _post_pages(site, folder, repo, now, settings, listed: str, records: dict, meanwhile, newest) -> None:
    """`listed`: the digest of posts.listing(), which the search index shows; `records`: posts.PostKeys's;
    `newest()`: when the newest metrics row was collected.
    One pass keeps each fresh page; the others are rendered (or copied from the page cache)."""
    tz = repo.config.timezone
    metrics, snapshots_of = _post_metrics(repo, folder, now, newest)
    empty = posts.metrics_digest({})
    footer = Markup(FOOTER + "{}</footer>").format(site.messages["generated"].format(when=site.generated))
    store = PageCache(repo.root, str(footer))
    post_keys = posts.PostKeys(os.fspath(repo.root), settings, records, repo.digests)
    keys, stale = [], []
    for post in repo.posts:
        record = repo.records.get(post.id)
        path = posts.page_path(post.id)
        key = post_keys.key(post, record, metrics.get(post.id, empty))
        keys.append(key)
        if folder.is_fresh(path, key):
            folder.keep(path, key)
        else:
            stale.append((path, key, post, record))
    renderer = cache(lambda: _renderer(repo))
    jobs = [(path, key, lambda post=post, record=record, key=key: store.page(
        folder, key, lambda shown: posts.post_page(site, folder, renderer(), post, record,
                                                   snapshots_of().get(post.id, {}) if post.id in metrics else {},
                                                   tz, shown)),
             lambda file, data, key=key: store.kept(key, file, data)) for path, key, post, record in stale]
    to_render = [(path, key) for path, key, _, _ in stale if not store.has(key)]
    measured = any(post_id in metrics for post_id in (path.split("/")[1] for path, _ in to_render))
    folder.pages(jobs, before_rendering=lambda: (renderer(), snapshots_of() if measured else None) if to_render else None,
                 meanwhile=meanwhile)
    if len(to_render) >= WORKER_FROM:
        store.keep_only(set(keys))
    for path, key in to_render:  # an edited post's older page
        if folder.previous.get(path, key) != key:
            store.forget(folder.previous[path])
    folder.page("assets/search-index.js", digest(settings, listed), lambda: posts.search_index(repo.posts, tz, text_language(site.lang)))


def _post_metrics(repo, folder, now, newest) -> tuple[dict[str, str], object]:
    """(post id → the digest of its latest metrics, a function giving post id → its snapshots).
    The last build's digests and snapshots (kept in the cache folder) are reused without reading
    the metrics when data/metrics is unchanged and its newest row was collected before both builds' times."""
    from smm.report.load import latest_snapshots

    state = digest(reports.folder_state(repo.root, "data/metrics"), sorted(repo.config.renames.items()))
    old = folder.previous_notes.get("metrics")
    unchanged = bool(old) and old["state"] == state and old["newest"] < now.timestamp()
    kept = cache(lambda: recall(repo.root, "site-metrics", state) if unchanged else MISS)
    by_post = cache(lambda: _by_post(latest_snapshots(repo.root, now, renames=repo.config.renames))
                    if kept() is MISS else kept())
    if unchanged:
        folder.notes["metrics"] = old
        return old["posts"], by_post
    found = {post_id: posts.metrics_digest(mine) for post_id, mine in by_post().items()}
    last = newest()
    last = last.timestamp() if last is not None else float("-inf")
    if last < now.timestamp():
        folder.notes["metrics"] = {"state": state, "newest": last, "posts": found}
        remember(repo.root, "site-metrics", state, by_post())
    return found, by_post


def _by_post(snapshots: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for (post_id, account), snap in snapshots.items():
        found.setdefault(post_id, {})[(post_id, account)] = snap
    return found


def _renderer(repo):
    from smm.render.rendered import Renderer

    return Renderer(repo.root, repo.config, repo.brand, _limits(repo))


def _limits(repo) -> dict[str, int]:
    """The text limits the networks report (a Mastodon instance's, kept a day:
    smm.platforms.kept_reported_limits), asked once a build (or by the check before it)."""
    from smm.platforms import kept_reported_limits

    if repo.settings.reported_limits is None:
        repo.settings.reported_limits = kept_reported_limits(repo.root, repo.config.accounts)
    return repo.settings.reported_limits


def _calendar_pages(site, folder, repo, now, settings) -> None:
    today = now.astimezone(repo.config.timezone).date()
    months = cal.shown_months(repo, today)
    weeks, shown = cal.shown_weeks(months), set(months)
    days = {day: found for start, end in cal.runs(weeks) for day, found in cal.entries_by_day(repo, start, end).items()}
    for i, month in enumerate(months):
        grid = cal.month_grid(month, days)
        entries = [e for week in grid for d, inside, found in week if inside for e in found]
        context = dict(month=month, grid=grid, unscheduled=[], pillars=cal.pillar_counts(entries),
                       prev=cal.month_path(months[i - 1]) if i else None,
                       next=cal.month_path(months[i + 1]) if i + 1 < len(months) else None,
                       week=cal.week_path(today if today.replace(day=1) == month else month), today=today)
        key = digest(settings, context)
        folder.page(cal.month_path(month), key, lambda c=context: site.page("month", cal.month_path(c["month"]),
                                                                           f"{c['month']:%Y-%m}", **c))
        if month == today.replace(day=1):  # the calendar's first page: this month, and the posts without a time
            here = {**context, "unscheduled": [cal.Entry("", p.title, p.pillar, p.id, bool(p.draft), first_language(p))
                                               for p in repo.posts if not p.publish_at]}
            folder.page("calendar/index.html", digest(key, here["unscheduled"]),
                        lambda c=here: site.page("month", "calendar/index.html", f"{c['month']:%Y-%m}", **c))
    for i, monday in enumerate(weeks):
        found = [(monday + timedelta(days=d), days.get(monday + timedelta(days=d), [])) for d in range(7)]
        path = cal.week_path(monday)
        context = dict(monday=monday, days=found, pillars=cal.pillar_counts([e for _, es in found for e in es]),
                       prev=cal.week_path(weeks[i - 1]) if i else None,
                       next=cal.week_path(weeks[i + 1]) if i + 1 < len(weeks) else None,
                       month=cal.month_path(monday.replace(day=1) if monday.replace(day=1) in shown
                                            else (monday + timedelta(days=6)).replace(day=1)), today=today)
        folder.page(path, digest(settings, context),
                    lambda c=context, p=path: site.page("week", p, "{} {}".format(site.messages["week"], p.split("/")[1]),
                                                        **c))


def _report_pages(site, folder, every, now, settings, state, report_for) -> None:
    @cache
    def shown(period) -> dict:  # (the last 30 days make two pages)
        from smm.report.formats import html_context

        return lasting(lambda: html_context(report_for(period)))

    slugs = [p.slug for p in every]  # the switcher's links: a month comes and goes with --now, its data unchanged
    for period in every:
        for path in (period.path, "report/index.html") if period.slug == "30d" else (period.path,):
            def render(period=period, path=path):
                context = dict(shown(period))
                up = "../" * path.count("/")
                return site.page("report", path, context.pop("title"), **context,
                                 periods=reports.switcher(every, period, up, site.messages))
            folder.page(path, digest(reports.period_key(settings, state, period, now), path, slugs), render)


HOME_ITEMS = 20  # the home page's overdue items, most overdue first (each shown once it is overdue)


def _other_pages(site, folder, repo, now, settings, report_key: str, thirty) -> None:
    """The home page, the inbox, listening and competitors, search; `thirty()`: the last 30 days' report."""
    tz = repo.config.timezone
    items = inbox.queue(repo.root)
    networks = inbox.by_network(items, now)
    rows = inbox.shown(items, now, repo.brand.include_inbox)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    days = cal.entries_by_day(repo, monday, monday + timedelta(days=7))
    week = [e for d in range(7) for e in days.get(monday + timedelta(days=d), [])]
    home = dict(week=week, monday=monday, networks=networks, open=len(items), overdue=sum(r["late"] for r in rows),
                week_path=cal.week_path(monday), first_due=sorted((r for r in rows if "text" in r), key=lambda r: r["due"])[:HOME_ITEMS])
    folder.page("index.html", digest(settings, report_key, home),
                lambda: site.page("home", "index.html", site.messages["home"], report=thirty().data,
                                  warnings=thirty().warnings, **home))
    folder.page("inbox/index.html", digest(settings, networks, rows),
                lambda: site.page("inbox", "inbox/index.html", site.messages["inbox"], networks=networks, rows=rows,
                                  include_text=repo.brand.include_inbox))
    folder.page("listening/index.html", digest(settings, report_key, "listening"),
                lambda: site.page("listening", "listening/index.html", site.messages["listening"],
                                  report=thirty().data))
    folder.page("search/index.html", digest(settings, len(repo.posts)),
                lambda: site.page("search", "search/index.html", site.messages["search"], count=len(repo.posts)))


def _sitemap(folder, base_url: str) -> str:
    base = base_url.rstrip("/")
    urls = "".join(f"<url><loc>{escape(f'{base}/{p}', quote=False)}</loc></url>"
                   for p in sorted(folder.current) if p.endswith(".html"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>\n")


def _script(name: str) -> str:
    """One of the site's scripts (smm/templates/site/NAME)."""
    from smm import pages

    env = pages.environment()
    return env.loader.get_source(env, f"site/{name}")[0]
