"""`smm report`: KPIs of a period from data/ (publish records, collected metrics) and brand/goals.yml.

    start, end = window(repo.config.timezone, now, period="30d")   # or from_/to dates
    report = build(repo, start, end, now)
    print(render(report, "markdown"))     # text | markdown | html | json

    load.py     data/metrics and data/accounts → latest counts per (post, account), follower series
    kpis.py     the arithmetic and its definitions
    goals.py    brand/goals.yml: progress, trend forecast, status
    charts.py   SVG charts for the HTML page
    formats.py  text, Markdown (CI job summary), HTML (one self-contained page), JSON
    listening.py, competitors.py, alerts.py   mentions and share of voice, the competitor benchmark,
                the alerts (each builds its section: sections.py)
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property

from smm import output
from smm.content.derived import base_id, reshare_of
from smm.data.jobs import published_jobs
from smm.errors import InputError
from smm.inbox.responsiveness import DEFINITION, responsiveness
from smm.report import kpis
from smm.report.alerts import RULE as ALERT_RULE
from smm.report.goals import Context, evaluate
from smm.report.kpis import MeasuredPost
from smm.workspace.brand import first_language, page_language

JSON_KEYS = ("period", "accounts", "posts", "goals", "best_times", "responsiveness", "personas", "mentions",
             "share_of_voice", "competitors", "alerts")
DEFINITIONS = {
    "interactions": "likes + reposts + replies + quotes of a post on an account, as last collected before the "
                    "period's end (counts a network does not give count 0)",
    "engagement_rate": "interactions ÷ the account's followers at post time × 100 (followers at post time: the last "
                       "count collected at or before it, else the first after it); for an account or a group, the "
                       "mean over its posts",
    "engagement_rate_by_views": "interactions ÷ views × 100, only for posts whose network reports views; for a "
                                "group, the mean over those posts",
    "followers_growth": "followers at the end (last count before the end) − followers at the start (last count at "
                        "or before the start, else the first in the period); growth % is growth ÷ start × 100",
    "posts": "posts that went out on an account in the period (publish records); calendar slots are the weekly "
             "slots of brand/calendar.yml in the period, filled by a published post of their pillar that day",
    "best_times": f"median engagement rate of every measured post in the brand's history up to the period's end, "
                  f"by local weekday and hour it went out; recommended only with at least {kpis.MIN_SAMPLES} posts "
                  "in a cell",
    "responsiveness": DEFINITION,
    "personas": "per persona of brand/personas.yml: the posts of the period whose `audience` names it, as `posts` counts "
                "them; its best times are the best_times of the posts on its networks (every network without any), "
                "each marked `active` when the hour starts within its active hours (null without them)",
    "reach": "a mention's author followers (0 when unknown) + its engagement (likes + reposts + replies)",
    "net_sentiment": "positive % − negative % of the brand's mentions; its change is from the period of the same "
                     "length just before",
    "share_of_voice": "a subject's mentions (the brand or a competitor, as `subject` in data/mentions/) ÷ all "
                      "mentions in the period × 100",
    "competitor_engagement_rate": "median engagement (likes + reposts + replies of a post) ÷ followers at the end "
                                  "× 100; a competitor's posts are those of the 30 days before its last collection, "
                                  "the brand's those of the period; posts a week likewise",
    "alerts": ALERT_RULE,
}


@dataclass
class Report:
    data: dict  # exactly what `--format json` prints
    brand: str = ""
    charts: dict = field(default_factory=dict)  # data for the HTML charts (also in `data`)
    warnings: list[str] = field(default_factory=list)
    language: str = "en"  # `<html lang>` of the HTML report
    title_languages: dict = field(default_factory=dict)  # post id → the language of its title, where it has one

    def as_json(self) -> dict:
        return self.data


def window(tz: tzinfo, now: datetime, period: str | None = None, from_: date | None = None,
           to: date | None = None) -> tuple[datetime, datetime]:
    """The report's [start, end): `--from`/`--to` are local days, both included; else the
    `period` (`7d`, `30d`, `90d`; default 30d) up to now."""
    from smm.workspace.config import parse_duration

    try:
        length = parse_duration(period or "30d")
    except ValueError:
        raise InputError(f"--period {period!r}: expected a duration such as 7d, 30d or 90d") from None
    if length is None or length <= timedelta(0):
        raise InputError(f"--period {period!r}: expected a duration such as 7d, 30d or 90d")
    if from_ is None and to is None:
        return now - length, now
    if period is not None and from_ and to:
        raise InputError("--period with both --from and --to: give two of the three")
    start = datetime.combine(from_, time(), tzinfo=tz) if from_ else None
    if to:
        end = datetime.combine(to + timedelta(days=1), time(), tzinfo=tz)
    else:
        end = start + length if period and start else now
    start = start or end - length
    if end <= start:  # (without --to the report ends now)
        raise InputError("--to is before --from" if to else f"--from {from_.isoformat()} is after today: give --to too")
    return start, end


def shown_of(post) -> tuple:
    """What a report shows of a published post: title, pillar, campaign, audience and the language its
    title is marked with (the site's report pages are made again when it changes)."""
    return (post.title, post.pillar, post.campaign,
            tuple(a for a in (post.meta.get("audience") or []) if isinstance(a, str)), first_language(post))


class History:
    """What the reports of several periods share (the site builds one per period): the jobs that
    went out (history_jobs()), oldest first, with what a report shows of their posts; the posts
    by id and the pages' language. `jobs`: a function giving history_jobs(repo) (the site's
    cache), called when the jobs are first needed; `language`: page_language(), when known."""

    def __init__(self, repo, jobs=None, language: str | None = None) -> None:
        self._root = repo.root
        self._all_posts = repo.posts
        self._places: dict[str, list[int]] | None = None
        self.language = page_language(repo.brand, repo.posts) if language is None else language
        self._make_jobs = jobs or (lambda: history_jobs(repo))
        self._upto: dict = {}  # (end, metrics) → what each report up to `end` reads (several periods end now)

    @cached_property
    def posts(self) -> dict:
        return {p.id: p for p in self._all_posts}

    @cached_property
    def competitors(self) -> list[str]:
        """The competitors' names (brand/listening.yml), whose share of voice every report shows."""
        from smm.listening.config import load_listening

        return [c.name for c in getattr(load_listening(self._root), "competitors", ())]

    @cached_property
    def mentions(self) -> list:
        """Every mention in data/mentions/ (smm.listening.mentions.read_mentions)."""
        from smm.listening.mentions import read_mentions

        return read_mentions(self._root)

    @cached_property
    def jobs(self) -> list[tuple]:
        """(post id, title, account, its platform (None: no such account), when, pillar, campaign, url, audience)."""
        return self._make_jobs()

    @cached_property
    def moments(self) -> list[datetime]:
        return [job[4] for job in self.jobs]

    def upto(self, end: datetime, metrics, compute, what: str = "read"):
        """`compute()` once per end (and `what`) for the reports reading `metrics` (None: each time)."""
        if metrics is None:
            return compute()
        if (what, end, metrics) not in self._upto:
            self._upto[(what, end, metrics)] = compute()
        return self._upto[(what, end, metrics)]

    def known(self, end: datetime, metrics, what: str = "read"):
        """What upto() computed for `end` (and `what`), if it did (or was given it: give())."""
        return self._upto.get((what, end, metrics))

    def give(self, end: datetime, metrics, value, what: str = "read") -> None:
        """What upto(end, metrics, ..., what) computes (as a build before did, for an end it holds for)."""
        self._upto[(what, end, metrics)] = value

    def posts_of(self, ids: set[str]) -> list:
        """The posts of these ids, in the repository's order."""
        if self._places is None:
            self._places = {}
            for index, post in enumerate(self._all_posts):
                self._places.setdefault(post.id, []).append(index)
        return [self._all_posts[i] for i in sorted(i for post_id in ids for i in self._places.get(post_id, ()))]

    def before(self, end: datetime) -> list[tuple]:
        """The jobs that went out before `end` (they are sorted by that moment first)."""
        return self.jobs[:bisect.bisect_left(self.moments, end)]


def history_jobs(repo) -> list[tuple]:
    """History.jobs: each published job (published_jobs()) with what a report shows of its post."""
    posts = {p.id: p for p in repo.posts}
    accounts = repo.config.accounts
    found = []
    for job in published_jobs(repo.records, repo.posts):
        post = posts.get(base_id(job.post_id))  # a re-share is its post's, again
        title, pillar, campaign, audience, _ = shown_of(post) if post else (job.post_id, None, None, (), None)
        options = accounts.get(job.account)
        found.append((job.post_id, title, job.account, options.platform if options else None, job.published_at,
                      pillar, campaign, job.url, audience))
    return found


def entries(repo, snapshots: dict, followers: dict, end: datetime, history: History | None = None
            ) -> list[MeasuredPost]:
    """Every (post, account) published before `end`, with its latest counts and followers at post time."""
    found = []
    for post_id, title, account, platform, when, pillar, campaign, url, audience in (history or History(repo)).before(end):
        snap = snapshots.get((post_id, account))
        if platform is None:
            platform = snap.platform if snap else ""
        counts = ((snap.likes, snap.reposts, snap.replies, snap.quotes, snap.views, snap.clicks) if snap
                  else (None,) * 6)
        found.append(MeasuredPost(post_id, title, account, platform, when, pillar, campaign, url, *counts,
                                  snap is not None, kpis.count_at(followers.get(account, []), when), audience))
    return found


def build(repo, start: datetime, end: datetime, now: datetime, metrics=None, history: History | None = None) -> Report:
    """Every figure of the report for [start, end); `metrics` (a smm.report.load.Metrics) and
    `history` shared by several reports (else each is read for this one)."""
    from smm.report.load import load
    from smm.workspace.calendar import gaps

    tz = repo.config.timezone
    shared = history or History(repo)

    def upto() -> tuple:  # what every report up to `end` reads: its metrics, entries, best times
        snapshots, followers = metrics.load(end) if metrics is not None else load(repo.root, end, repo.config.renames)
        measured = entries(repo, snapshots, followers, end, shared)
        return (max((s.collected_at for s in snapshots.values()), default=None), followers, measured,
                kpis.best_times(measured, tz), persona_best_times(repo.personas, measured, tz))

    collected, followers, history, best, persona_best = shared.upto(end, metrics, upto)
    goals = shared.upto(end, metrics, lambda: _goals(repo.goals, Context(followers, history, tz), end), "goals")
    first = bisect.bisect_left(history, start, key=lambda e: e.published_at)  # in the order they went out
    period = history[first:]
    made = shared.upto(end, metrics, lambda: [None] * len(history), "items")  # kpis.item() of each entry, once
    for i in range(first, len(history)):
        if made[i] is None:
            made[i] = kpis.item(history[i], tz)
    accounts, follower_series = _accounts(repo, period, followers, start, end)

    published_ids = {e.post_id for e in period}
    by_id = shared.posts
    reshared = {e.post_id: replace(by_id[reshare_of(e.post_id)], id=e.post_id, publish_at=e.published_at)
                for e in reversed(period) if reshare_of(e.post_id) in by_id}  # as its post would, when it first went out
    published_posts = shared.posts_of(published_ids) + list(reshared.values())
    planned = kpis.planned_slots(repo.calendar, tz, start, end)
    missed = gaps(repo.calendar, published_posts, tz, start, end)
    filled = planned - len(missed)
    top, bottom = kpis.ranked(period)
    posts = {
        "published": len(published_ids),
        "planned_slots": planned,
        "filled_slots": filled,
        "missed_slots": [{"at": m.at.isoformat(timespec="minutes"), "pillar": m.slot.pillar, "label": m.slot.label}
                         for m in missed],
        "outside_slots": len(published_ids) - filled,
        "top": [kpis.item(e, tz) for e in top],
        "bottom": [kpis.item(e, tz) for e in bottom],
        "by_campaign": kpis.groups(period, "campaign"),
        "by_pillar": kpis.groups(period, "pillar"),
        "items": made[first:],
    }

    problems = repo.settings.found["goals"]
    warnings = [f"{d.file}:{d.line}: {d.message}" for d in problems]
    data = {
        "period": {"start": start.astimezone(tz).isoformat(timespec="minutes"),
                   "end": end.astimezone(tz).isoformat(timespec="minutes"),
                   "days": round((end - start).total_seconds() / 86400, 2), "timezone": str(tz),
                   "generated_at": now.astimezone(tz).isoformat(timespec="seconds"),
                   "last_collected": _last_collected(collected, followers, tz),
                   "definitions": DEFINITIONS},
        "accounts": accounts,
        "posts": posts,
        "goals": list(goals),
        "best_times": best,
        "responsiveness": responsiveness(repo.root, start, end, repo.config.renames),
        "personas": persona_rows(repo.personas, period, persona_best),
    }
    listened, charts = _listening(repo, period, followers, start, end, shared)
    data.update(listened)
    shown = {e.post_id: first_language(by_id[base_id(e.post_id)]) for e in top + bottom if base_id(e.post_id) in by_id}
    languages = {post_id: language for post_id, language in shown.items() if language}
    return Report(data, brand_name(repo), {"followers": follower_series, **charts}, warnings, shared.language, languages)


def _goals(goals: list[dict], context: Context, end: datetime) -> list[dict]:
    return [evaluate(g, context, end) for g in goals]


def _listening(repo, period: list[MeasuredPost], followers: dict, start: datetime, end: datetime,
               shared: History) -> tuple[dict, dict]:
    """Mentions, share of voice, the competitor benchmark and the alerts; and their charts' data
    (the mentions and the competitors' names read once for every report: `shared`)."""
    from smm.report import alerts, competitors, listening

    tz = repo.config.timezone
    found = [m for m in shared.mentions if m.created_at < end]
    brand = [m for m in found if m.subject == listening.BRAND]
    data = {"mentions": listening.mentions(found, start, end, tz),
            "share_of_voice": listening.share_of_voice(found, start, end, shared.competitors),
            "competitors": competitors.benchmark(repo, period, followers, start, end),
            "alerts": alerts.find(listening.per_day(brand, tz), listening.days_between(start, end, tz))}
    days = data["mentions"]["days"]
    charts = {"mentions": {"mentions": [(x["date"], x["mentions"]) for x in days],
                           "negative": [(x["date"], x["negative"]) for x in days]},
              "share_of_voice": [(r["subject"], r["share_pct"]) for r in data["share_of_voice"] if r["mentions"]]}
    return data, charts


def persona_best_times(personas, history: list[MeasuredPost], tz: tzinfo) -> dict[str, dict]:
    """Each persona's best times (by id): kpis.best_times() of the posts of `history` on its networks."""
    return {persona.id: kpis.best_times([e for e in history if persona.reaches(e.account, e.platform)], tz)
            for persona in personas.personas.values()}


def persona_rows(personas, period: list[MeasuredPost], best_times: dict[str, dict]) -> list[dict]:
    """Each persona: the KPIs of the period's posts for it, and its best times (persona_best_times())."""
    rows = []
    for persona in personas.personas.values():
        best = best_times[persona.id]
        rows.append({"persona": persona.id, "name": persona.name, "networks": list(persona.networks),
                     "languages": list(persona.languages),
                     **kpis.summary([e for e in period if persona.id in e.audience]),
                     "best_times": {"samples": best["samples"], "min_samples": best["min_samples"],
                                    "recommendations": [{**r, "active": persona.active_at(r["hour"])}
                                                        for r in best["recommendations"]]}})
    return rows


def _accounts(repo, period: list[MeasuredPost], followers: dict, start: datetime, end: datetime) -> tuple[list, dict]:
    """Each account's followers and KPIs for the period, then all of them together ("all"); and
    each account's daily follower series (for the chart)."""
    accounts = []
    follower_series = {}
    tz = repo.config.timezone
    names = list(repo.config.accounts) + sorted({e.account for e in period} - set(repo.config.accounts))
    for name in names:
        mine = [e for e in period if e.account == name]
        series = followers.get(name, [])
        options = repo.config.accounts.get(name)
        follower_series[name] = kpis.daily(series, start, end, tz)
        accounts.append({"account": name, "platform": options.platform if options else None,
                         "followers": {**kpis.growth(series, start, end), "daily": follower_series[name]},
                         **kpis.summary(mine)})
    with_counts = [a["followers"] for a in accounts if a["followers"]["start"] is not None and a["followers"]["end"] is not None]
    overall_start = sum(f["start"] for f in with_counts) if with_counts else None
    overall_end = sum(f["end"] for f in with_counts) if with_counts else None
    change = overall_end - overall_start if with_counts else None
    accounts.append({"account": "all", "platform": None,
                     "followers": {"start": overall_start, "end": overall_end, "growth": change,
                                   "growth_pct": kpis._round(kpis.percent(change, overall_start)), "daily": []},
                     **kpis.summary(period)})
    return accounts, follower_series


def brand_name(repo) -> str:
    """brand/brand.yml's `name`; without that file, a feed account's `title`, else the folder's name."""
    if (repo.root / "brand" / "brand.yml").exists() and repo.brand.name:
        return repo.brand.name
    titles = [a.options.get("title") for a in repo.config.accounts.values() if a.options.get("title")]
    return titles[0] if titles else repo.root.name


def _last_collected(collected: datetime | None, followers: dict, tz: tzinfo) -> str | None:
    """The newest of `collected` (the latest metrics row's time) and each account's last follower count."""
    moments = ([collected] if collected is not None else []) + [rows[-1][0] for rows in followers.values() if rows]
    return max(moments).astimezone(tz).isoformat(timespec="minutes") if moments else None


def write(report: Report, fmt: str = "text") -> str:
    from smm.report import formats

    return formats.write(report, fmt)


output.render.register(Report, write)
