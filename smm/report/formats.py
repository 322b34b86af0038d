"""The report as text (a terminal), Markdown (a CI job summary, well under 1 MiB), one
self-contained HTML page (inline CSS and SVG, no script, nothing fetched) and JSON."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, localcontext

from markupsafe import Markup

from smm import pages
from smm.report import JSON_KEYS, Report, alerts, competitors, kpis, listening
from smm.report.charts import bar_chart, heatmap, line_chart
from smm.report.kpis import WEEKDAYS
from smm.report.sections import Section, Table
from smm.report.words import ENGLISH, definitions, interface_words, value_name
from smm.listening.config import BRAND
from smm.site.catalogue import html_language, text_language, text_mark

MARKDOWN_LIMIT = 1024 * 1024  # GitHub's job summary limit per step
DASH = "—"


def write(report: Report, fmt: str) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "markdown":
        return as_markdown(report)
    if fmt == "html":
        return as_html(report)
    return as_text(report)


# -- numbers -----------------------------------------------------------------------------------


def decimals(value: float, places: int, spec: str = "") -> str:
    """`value` to `places` decimals, halves rounded up as people round (3.125 → 3.13; format() rounds the
    binary value half to even: 3.12), so a figure reads the same in every table and chart; `spec`: `+`
    and `,` as format() takes them."""
    exact = Decimal(repr(value))
    if not exact.is_finite():
        return DASH
    with localcontext() as context:  # digits enough for any float (1e300 of a hand-edited CSV: 303 of them)
        context.prec = max(context.prec, exact.adjusted() + places + 2)
        return format(exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), spec + "f")


def n(value) -> str:
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return decimals(value, 2, ",")
    return f"{int(value):,}"


def pct(value, sign: bool = False) -> str:
    """A percentage to two decimals (decimals(): 3.125 → 3.13%); `sign`: `+` before one above 0."""
    if value is None:
        return DASH
    text = decimals(value, 2, "+" if sign else "")
    return text if text == DASH else f"{text}%"


def signed(value, percent=None) -> str:
    if value is None:
        return DASH
    text = f"{value:+,}"
    return text + (f" ({pct(percent, sign=True)})" if percent is not None else "")


def signed_points(value, w: dict = ENGLISH) -> str:
    """A difference of percentages, in points: `+12.5 points`."""
    return DASH if value is None else w["points"].format(value=decimals(value, 1, "+"))


# The listening sections, in the order they are shown; each makes its Section of a report's data (Report.data).
SECTIONS = {"mentions": listening.mentions_section, "share_of_voice": listening.share_section,
            "competitors": competitors.section, "alerts": alerts.section}


def sections(report: Report, w: dict = ENGLISH) -> list[Section]:
    """The listening sections (mentions, share of voice, competitor benchmark, alerts) that have data."""
    return [s for make in SECTIONS.values() if (s := make(report.data, w)) is not None]


def _sections_text(report: Report) -> list[str]:
    out = []
    for section in sections(report):
        out += ["", section.title]
        for part in section.parts:
            out += ["  " + line for line in (_table([part.header] + part.rows, part.right) if isinstance(part, Table)
                                             else [part])]
    return out


def _sections_markdown(report: Report) -> list[str]:
    out = []
    for section in sections(report):
        out += ["", f"### {section.title}"]
        for part in section.parts:
            out += [""] + (_md_table(part.header, part.rows, part.right) if isinstance(part, Table) else [_md(part)])
    return out


def _day(iso: str) -> str:
    return iso[:10]


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _period(data: dict, w: dict = ENGLISH) -> str:
    p = data["period"]
    return w["period"].format(start=_when(p["start"]), end=_when(p["end"]), timezone=p["timezone"], days=n(p["days"]))


def _slot_line(posts: dict, w: dict = ENGLISH) -> str:
    return w["slot_line"].format(published=posts["published"], plural="s" if posts["published"] != 1 else "",
                                 planned=posts["planned_slots"], filled=posts["filled_slots"],
                                 missed=len(posts["missed_slots"]), outside=posts["outside_slots"])


def goal_value(g: dict, value) -> str:
    """A goal's figure: a percentage for engagement rates, a whole number otherwise."""
    if value is None:
        return DASH
    return pct(value) if g["metric"] == "engagement_rate" else decimals(value, 0, ",")


def _goal_line(g: dict) -> str:
    where = g["account"] or "all accounts"
    value, target, forecast = goal_value(g, g["current"]), goal_value(g, g["target"]), goal_value(g, g["forecast"])
    progress = f"{g['progress_pct']:.1f}%" if g["progress_pct"] is not None else DASH
    return (f"{g['metric']} on {where}: {value} toward {target} by {g['deadline']} "
            f"(baseline {goal_value(g, g['baseline'])}, progress {progress}, forecast {forecast})")


def _cell_text(cell: dict | None) -> str:
    return "" if cell is None else f"{pct(cell['median_engagement_rate'])} ({cell['samples']})"


def _best_grid(best: dict) -> tuple[list[int], dict]:
    hours = sorted({c["hour"] for c in best["cells"]})
    by = {(c["weekday"], c["hour"]): c for c in best["cells"]}
    return hours, by


def weekday_names(w: dict = ENGLISH) -> dict[str, str]:
    """The weekdays (kpis.WEEKDAYS, as the data names them) in the interface language."""
    return dict(zip(WEEKDAYS, w["weekdays"].split()))


def _recommendation(best: dict, w: dict = ENGLISH) -> str:
    if not best["recommendations"]:
        return w["no_recommendation"].format(min=best["min_samples"], samples=best["samples"])
    days = weekday_names(w)
    picks = w["list_separator"].join(
        w["pick"].format(day=days[r["weekday"]], hour=r["hour"], rate=pct(r["median_engagement_rate"]), samples=r["samples"])
        for r in best["recommendations"])
    return w["recommendation"].format(picks=picks)


def _minutes(value, w: dict = ENGLISH) -> str:
    if value is None:
        return DASH
    hours, minutes = divmod(int(value), 60)
    return w["hours_minutes" if hours else "minutes"].format(h=hours, m=minutes)


def responsiveness_rows(r: dict, w: dict = ENGLISH) -> list[list[str]]:
    """One row per scope (all, each account, each priority): items, answered, median first response,
    within SLA, overdue."""
    scopes = [(w["all"], r)] + [(a["account"], a) for a in r["by_account"]] + [
        (w["priority"].format(priority=value_name(p["priority"], w)), p) for p in r["by_priority"]]
    return [[name, n(f["items"]), n(f["answered"]), _minutes(f["median_first_response_minutes"], w),
             pct(f["within_sla_pct"]), n(f["overdue"])] for name, f in scopes]


def responsiveness_header(w: dict = ENGLISH) -> list[str]:
    return ["", *(w[k] for k in ("items", "answered", "first_response", "within_sla", "overdue"))]


def personas_header(w: dict = ENGLISH) -> list[str]:
    return [w[k] for k in ("persona", "posts_column", "interactions", "engagement_rate", "persona_best")]


RESPONSIVENESS_HEADER = responsiveness_header()
PERSONAS_HEADER = personas_header()


def persona_rows(personas: list[dict], w: dict = ENGLISH) -> list[list[str]]:
    """One row per persona: its posts' KPIs and its best times (`*`: within its active hours)."""
    rows = []
    days = weekday_names(w)
    for p in personas:
        best = p["best_times"]
        times = w["list_separator"].join(f"{days.get(r['weekday'][:3], r['weekday'][:3])} {r['hour']:02d}:00"
                                         f"{'*' if r['active'] else ''} ({pct(r['median_engagement_rate'])})"
                                         for r in best["recommendations"])
        rows.append([f"{p['name']} ({p['persona']})" if p["name"] != p["persona"] else p["persona"], n(p["posts"]),
                     n(p["interactions"]), pct(p["engagement_rate"]),
                     times or w["persona_none"].format(samples=best["samples"], min=best["min_samples"])])
    return rows


PERSONAS_NOTE = ENGLISH["personas_note"]


# -- text --------------------------------------------------------------------------------------


def _table(rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _post_label(item: dict) -> str:
    return f"{item['post']} on {item['account']}"


def as_text(report: Report) -> str:
    d = report.data
    out = [f"{report.brand}: report {_period(d)}", ""]
    out.append("Accounts")
    rows = [["account", "followers", "growth", "posts", "interactions", "eng. rate", "by views"]]
    for a in d["accounts"]:
        f = a["followers"]
        followers = f"{n(f['start'])} → {n(f['end'])}" if f["start"] is not None else DASH
        rows.append([a["account"], followers, signed(f["growth"], f["growth_pct"]), n(a["posts"]), n(a["interactions"]),
                     pct(a["engagement_rate"]), pct(a["engagement_rate_by_views"])])
    out += ["  " + line for line in _table(rows, {3, 4, 5, 6})]
    posts = d["posts"]
    out += ["", "Posts", "  " + _slot_line(posts)]
    for title, key in (("Top posts", "top"), ("Bottom posts", "bottom")):
        if posts[key]:
            out += ["", f"{title} (engagement rate)"]
            rows = [[pct(i["engagement_rate"]), n(i["interactions"]), _when(i["published_at"]), _post_label(i), i["title"]]
                    for i in posts[key]]
            out += ["  " + line for line in _table(rows, {0, 1})]
    for title, key in (("By campaign", "campaign"), ("By pillar", "pillar")):
        groups = posts[f"by_{key}"]
        if groups:
            out += ["", title]
            rows = [[key, "posts", "interactions", "eng. rate"]] + [
                [g[key], n(g["posts"]), n(g["interactions"]), pct(g["engagement_rate"])] for g in groups]
            out += ["  " + line for line in _table(rows, {1, 2, 3})]
    best = d["best_times"]
    out += ["", f"Best posting times (median engagement rate and posts, from {best['samples']} measured posts)"]
    hours, by = _best_grid(best)
    if hours:
        rows = [[""] + [f"{h:02d}:00" for h in hours]]
        rows += [[day] + [_cell_text(by.get((day, h))) for h in hours] for day in WEEKDAYS]
        out += ["  " + line for line in _table(rows, set(range(1, len(hours) + 1)))]
    out.append("  " + _recommendation(best))
    if d["goals"]:
        out += ["", "Goals"]
        for g in d["goals"]:
            out.append(f"  {g['status'].upper():<9} {g['id']}: {_goal_line(g)}")
    if d["personas"]:
        out += ["", "Personas"]
        out += ["  " + line for line in _table([PERSONAS_HEADER] + persona_rows(d["personas"]), {1, 2, 3})]
        out.append("  " + PERSONAS_NOTE)
    if d["responsiveness"]["items"]:
        out += ["", "Responsiveness"]
        out += ["  " + line for line in _table([RESPONSIVENESS_HEADER] + responsiveness_rows(d["responsiveness"]),
                                               {1, 2, 3, 4, 5})]
    out += _sections_text(report)
    for warning in report.warnings:
        out.append(f"warning: {warning}")
    out += ["", "Definitions"]
    out += [f"  {name}: {text}" for name, text in d["period"]["definitions"].items()]
    return "\n".join(out) + "\n"


# -- Markdown ----------------------------------------------------------------------------------


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"] + [
        "| " + " | ".join(_md(c) for c in r) + " |" for r in rows]


def _md_post(item: dict) -> str:
    title = _md(item["title"])
    return f"[{title}]({item['url']})" if item.get("url", "") and item["url"].startswith("http") else title


def as_markdown(report: Report) -> str:
    d = report.data
    out = [f"## {report.brand}: social media report", "", f"{_period(d)}", "", "### Accounts", ""]
    rows = []
    for a in d["accounts"]:
        f = a["followers"]
        rows.append([f"**{a['account']}**" if a["account"] == "all" else a["account"], n(f["start"]), n(f["end"]),
                     signed(f["growth"], f["growth_pct"]), n(a["posts"]), n(a["interactions"]),
                     pct(a["engagement_rate"]), pct(a["engagement_rate_by_views"])])
    out += _md_table(["account", "followers at start", "at end", "growth", "posts", "interactions", "engagement rate",
                      "by views"], rows, {1, 2, 4, 5, 6, 7})
    posts = d["posts"]
    out += ["", "### Posts", "", _slot_line(posts) + "."]
    for title, key in (("Top posts", "top"), ("Bottom posts", "bottom")):
        if posts[key]:
            out += ["", f"**{title}** by engagement rate", ""]
            out += _md_table(["engagement rate", "interactions", "published", "account", "post"],
                             [[pct(i["engagement_rate"]), n(i["interactions"]), _when(i["published_at"]), i["account"],
                               _md_post(i)] for i in posts[key]], {0, 1})
    for title, key in (("By campaign", "campaign"), ("By pillar", "pillar")):
        groups = posts[f"by_{key}"]
        if groups:
            out += ["", f"**{title}**", ""]
            out += _md_table([key, "posts", "interactions", "engagement rate"],
                             [[g[key], n(g["posts"]), n(g["interactions"]), pct(g["engagement_rate"])] for g in groups],
                             {1, 2, 3})
    best = d["best_times"]
    out += ["", "### Best posting times", "",
            f"Median engagement rate (and posts) by local weekday and hour, from {best['samples']} measured posts.", ""]
    hours, by = _best_grid(best)
    if hours:
        out += _md_table(["", *[f"{h:02d}:00" for h in hours]],
                         [[day, *[_cell_text(by.get((day, h))) for h in hours]] for day in WEEKDAYS],
                         set(range(1, len(hours) + 1)))
        out.append("")
    out.append(_recommendation(best))
    if d["goals"]:
        out += ["", "### Goals", ""]
        out += _md_table(["goal", "status", "metric", "current", "target", "deadline", "progress", "forecast"],
                         [[g["id"], g["status"], f"{g['metric']} ({g['account'] or 'all'})", goal_value(g, g["current"]),
                           goal_value(g, g["target"]), g["deadline"],
                           f"{g['progress_pct']:.1f}%" if g["progress_pct"] is not None else DASH,
                           goal_value(g, g["forecast"])] for g in d["goals"]], {3, 4, 6, 7})
    if d["personas"]:
        out += ["", "### Personas", ""]
        out += _md_table(PERSONAS_HEADER, persona_rows(d["personas"]), {1, 2, 3})
        out += ["", PERSONAS_NOTE]
    if d["responsiveness"]["items"]:
        out += ["", "### Responsiveness", ""]
        out += _md_table(RESPONSIVENESS_HEADER, responsiveness_rows(d["responsiveness"]), {1, 2, 3, 4, 5})
    out += _sections_markdown(report)
    for warning in report.warnings:
        out += ["", f"> warning: {_md(warning)}"]
    out += ["", "<details><summary>Definitions</summary>", ""]
    out += [f"- **{name}**: {text}" for name, text in d["period"]["definitions"].items()]
    out += ["", "</details>", ""]
    text = "\n".join(out)
    if len(text.encode("utf-8")) > MARKDOWN_LIMIT:  # never in practice: tables are bounded; stay valid anyway
        text = text.encode("utf-8")[:MARKDOWN_LIMIT - 100].decode("utf-8", "ignore") + "\n\n… (cut at 1 MiB)\n"
    return text


# -- HTML ----------------------------------------------------------------------------------------


def as_html(report: Report) -> str:
    """One self-contained page (smm/templates/pages/report.html.j2): inline CSS and SVG, no script."""
    return pages.page("report", **html_context(report))


def html_context(report: Report) -> dict:
    """What smm/templates/pages/report.html.j2 shows (the site's report pages extend it), in the
    interface language of the report's page language (`t`: smm.report.words)."""
    d = report.data
    w = interface_words(report.language)
    best = d["best_times"]
    hours, cells = _best_grid(best)
    posts = d["posts"]
    days = weekday_names(w)
    text, share = text_language(report.language), report.charts.get("share_of_voice", [])

    def title_lang(post_id: str) -> str | None:
        """The language a post's title is marked with: the post's own, else the repository text's (text_language())."""
        return report.title_languages.get(post_id) or text

    charts = {
        "followers": Markup(line_chart(report.charts.get("followers", {}), w["followers_chart"], w=w)),
        "top": Markup(bar_chart([(i["title"], i["engagement_rate"]) for i in posts["top"]], w["top_chart"],
                                notes=[i["account"] for i in posts["top"]], w=w,
                                langs=[title_lang(i["post"]) for i in posts["top"]])) if posts["top"] else "",
        "heatmap": Markup(heatmap([c | {"weekday": days[c["weekday"]]} for c in best["cells"]], best["min_samples"],
                                  tuple(days.values()), w["heatmap_chart"],
                                  [r | {"weekday": days[r["weekday"]]} for r in best["recommendations"]], w)),
        "mentions": Markup(line_chart({value_name(k, w): v for k, v in report.charts.get("mentions", {}).items()},
                                      w["mentions_chart"], w=w)),
        "share_of_voice": Markup(bar_chart([(value_name(k, w), v) for k, v in share], w["share_of_voice"], w=w,
                                           langs=[text if k != BRAND else None for k, _ in share])),
    }
    total = next((a for a in d["accounts"] if a["account"] == "all"), None)
    return dict(
        lang=html_language(report.language), tl=text_mark(report.language),
        title=w["title"].format(brand=report.brand), brand=report.brand, d=d, t=w,
        warnings=report.warnings, period=_period(d, w), slot_line=_slot_line(posts, w),
        recommendation=_recommendation(best, w), total=total, tiles=_tiles(d, total, w) if total else [],
        charts=charts, hours=hours, cells=cells, hour_labels=[f"{h:02d}:00" for h in hours], weekdays=WEEKDAYS,
        weekday_names=days, responsiveness_header=responsiveness_header(w),
        responsiveness=responsiveness_rows(d["responsiveness"], w), personas_header=personas_header(w),
        personas=persona_rows(d["personas"], w), sections=sections(report, w),
        collect=Markup("<code>smm collect</code>"),
        value=lambda v: value_name(v, w),
        definitions=definitions(d["period"]["definitions"], report.language, min_samples=kpis.MIN_SAMPLES,
                                alert_rule=w["alert_rule"].format(**alerts.RULE_NUMBERS)),
        n=n, pct=pct, signed=signed, when=_when, cell=_cell_text, goal_value=goal_value, title_lang=title_lang)


def _tiles(d: dict, total: dict, w: dict = ENGLISH) -> list[tuple[str, str]]:
    f = total["followers"]
    growth = f" ({pct(f['growth_pct'], sign=True)})" if f["growth_pct"] is not None else ""
    return [(n(f["end"]), w["tile_followers"]), (signed(f["growth"]), w["tile_growth"] + growth),
            (n(d["posts"]["published"]), w["tile_posts"]), (n(total["interactions"]), w["tile_interactions"]),
            (pct(total["engagement_rate"]), w["tile_rate"])]


# -- JSON ----------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    data = report.as_json()
    assert tuple(data) == JSON_KEYS, tuple(data)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
