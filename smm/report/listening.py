"""The report's listening figures from data/mentions/: the brand's mentions (volume per day, sentiment
split and trend, top mentions by reach, top keywords) and the share of voice (brand vs competitors).

- reach of a mention: the author's followers (0 when unknown) + its engagement.
- net sentiment: positive % − negative % of the brand's mentions; its trend is the change from the
  period of the same length just before.
- share of voice: each subject's mentions (`subject`: `brand` or a competitor) ÷ all mentions × 100.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

from smm.inbox.intent import SENTIMENTS
from smm.listening.config import BRAND
from smm.report.kpis import _round, percent
from smm.report.sections import Own, Section, Sentence, Table
from smm.report.words import ENGLISH, value_name

TOP = 5
TOP_KEYWORDS = 10


def days_between(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    """The local days of [start, end)."""
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def per_day(mentions, tz: tzinfo) -> dict[date, Counter]:
    """Each local day's counts: `mentions` and one per sentiment."""
    days: dict[date, Counter] = {}
    for m in mentions:
        counts = days.setdefault(m.created_at.astimezone(tz).date(), Counter())
        counts["mentions"] += 1
        counts[m.sentiment] += 1
    return days


def sentiment_split(mentions) -> dict:
    counts = Counter(m.sentiment for m in mentions)
    total = sum(counts[s] for s in SENTIMENTS)
    split = {s: counts[s] for s in SENTIMENTS} | {f"{s}_pct": _round(percent(counts[s], total), 2) for s in SENTIMENTS}
    net = None if not total else _round(percent(counts["positive"] - counts["negative"], total), 2)
    return split | {"net": net}


def mention_item(m, tz: tzinfo) -> dict:
    return {"network": m.network, "author": m.author, "author_followers": m.author_followers,
            "engagement": m.engagement, "reach": (m.author_followers or 0) + m.engagement,
            "created_at": m.created_at.astimezone(tz).isoformat(timespec="minutes"), "text": m.text, "url": m.url,
            "keyword": m.keyword, "sentiment": m.sentiment}


def mentions(found, start: datetime, end: datetime, tz: tzinfo) -> dict:
    """The brand's mentions in [start, end) (`found` may hold older ones: the previous period's trend)."""
    brand = [m for m in found if m.subject == BRAND]
    now = [m for m in brand if start <= m.created_at < end]
    before = [m for m in brand if start - (end - start) <= m.created_at < start]
    split, previous = sentiment_split(now), sentiment_split(before)
    change = None if split["net"] is None or previous["net"] is None else _round(split["net"] - previous["net"], 2)
    daily = per_day(now, tz)
    top = sorted(now, key=lambda m: (-((m.author_followers or 0) + m.engagement), m.created_at, m.id))[:TOP]
    keywords = Counter(m.keyword for m in now)
    return {"total": len(now),
            "days": [{"date": d.isoformat(), "mentions": daily.get(d, Counter())["mentions"],
                      **{s: daily.get(d, Counter())[s] for s in SENTIMENTS}} for d in days_between(start, end, tz)],
            "sentiment": split | {"previous_net": previous["net"], "net_change": change},
            "top": [mention_item(m, tz) for m in top],
            "keywords": [{"keyword": k, "mentions": c} for k, c in
                         sorted(keywords.items(), key=lambda kc: (-kc[1], kc[0]))[:TOP_KEYWORDS]]}


def share_of_voice(found, start: datetime, end: datetime, competitors: list[str]) -> list[dict]:
    """Mentions per subject in [start, end): the brand, then each competitor (listening.yml's order)."""
    counts = Counter(m.subject for m in found if start <= m.created_at < end)
    subjects = [BRAND, *competitors, *sorted(set(counts) - {BRAND, *competitors})]
    total = sum(counts.values())
    return [{"subject": s, "mentions": counts[s], "share_pct": _round(percent(counts[s], total), 2)} for s in subjects]


# -- the sections ----------------------------------------------------------------------------------


def _trend(s: dict, w: dict) -> str:
    from smm.report.formats import signed_points

    if s["net"] is None:
        return w["trend_none"]
    said = w["trend_net"].format(net=signed_points(s["net"], w))
    if s["net_change"] is None:
        return said + w["trend_no_before"]
    return said + w["trend_change"].format(change=signed_points(s["net_change"], w),
                                           previous=signed_points(s["previous_net"], w))


def mentions_section(d: dict, w: dict = ENGLISH, quotes: bool = True) -> Section | None:
    """The mentions' summary, busiest days, top mentions (what people said: only with `quotes`) and keywords."""
    from smm.report.formats import n, pct

    m = d["mentions"]
    if not m["total"]:
        return None
    s = m["sentiment"]
    parts = [w["mentions_summary"].format(
        total=n(m["total"]), trend=_trend(s, w),
        **{k: n(s[k]) for k in ("positive", "neutral", "negative")},
        **{f"{k}_pct": pct(s[f"{k}_pct"]) for k in ("positive", "neutral", "negative")})]
    busiest = sorted(m["days"], key=lambda x: (-x["mentions"], x["date"]))[:3]
    parts.append(w["busiest"].format(days=w["list_separator"].join(f"{x['date']} ({x['mentions']})" for x in busiest)))
    if quotes:
        parts.append(Table([w[k] for k in ("reach", "author", "network", "sentiment", "when", "mention")],
                           [[n(t["reach"]), t["author"], t["network"], value_name(t["sentiment"], w),
                             t["created_at"][:16].replace("T", " "), Own(_cut(t["text"]))] for t in m["top"]], frozenset({0})))
    parts.append(Sentence(w["top_keywords"], keywords=[piece for i, k in enumerate(m["keywords"]) for piece in (
        *((w["list_separator"],) if i else ()), Own(k["keyword"]), f" ({k['mentions']})")]))
    return Section(w["mentions"], parts, chart="mentions", caption=w["mentions_caption"])


def _subject(subject: str, w: dict) -> str:
    """A share of voice's subject as shown: `brand` in the interface's words, a competitor's name as the repository has it (Own)."""
    return value_name(subject, w) if subject == BRAND else Own(subject)


def share_section(d: dict, w: dict = ENGLISH) -> Section | None:
    from smm.report.formats import n, pct

    rows = d["share_of_voice"]
    if not any(r["mentions"] for r in rows):
        return None
    return Section(w["share_of_voice"], [Table([w["subject"], w["mentions_column"], w["share_column"]],
                                               [[_subject(r["subject"], w), n(r["mentions"]), pct(r["share_pct"])] for r in rows],
                                               frozenset({1, 2}))], chart="share_of_voice", caption=w["share_caption"])


def _cut(text: str, size: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"
