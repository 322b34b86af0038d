"""The report as text (a terminal), Markdown (a CI job summary, well under 1 MiB), one
self-contained HTML page (inline CSS and SVG, no script, nothing fetched) and JSON."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from smm.report import JSON_KEYS, Report
from smm.report.charts import bar_chart, heatmap, line_chart
from smm.report.kpis import WEEKDAYS

MARKDOWN_LIMIT = 1024 * 1024  # GitHub's job summary limit per step
DASH = "—"


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "markdown":
        return as_markdown(report)
    if fmt == "html":
        return as_html(report)
    return as_text(report)


# -- numbers -----------------------------------------------------------------------------------


def n(value) -> str:
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def pct(value) -> str:
    """Two decimals, halves rounded up (3.125 → 3.13%), as people round."""
    if value is None:
        return DASH
    return f"{Decimal(repr(value)).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def signed(value, percent=None) -> str:
    if value is None:
        return DASH
    text = f"{value:+,}"
    return text + (f" ({percent:+.2f}%)" if percent is not None else "")


def _day(iso: str) -> str:
    return iso[:10]


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _period(data: dict) -> str:
    p = data["period"]
    return f"{_when(p['start'])} to {_when(p['end'])} ({p['timezone']}, {n(p['days'])} days)"


def _slot_line(posts: dict) -> str:
    return (f"{posts['published']} post{'s' if posts['published'] != 1 else ''} published; calendar: "
            f"{posts['planned_slots']} slots planned, {posts['filled_slots']} filled, {len(posts['missed_slots'])} missed; "
            f"{posts['outside_slots']} outside the slots")


def goal_value(g: dict, value) -> str:
    """A goal's figure: a percentage for engagement rates, a whole number otherwise."""
    if value is None:
        return DASH
    return pct(value) if g["metric"] == "engagement_rate" else f"{round(value):,}"


def _goal_line(g: dict) -> str:
    where = g["account"] or "all accounts"
    value, target, forecast = goal_value(g, g["current"]), goal_value(g, g["target"]), goal_value(g, g["forecast"])
    progress = f"{g['progress_pct']:.1f}%" if g["progress_pct"] is not None else DASH
    return (f"{g['metric']} on {where}: {value} toward {target} by {g['deadline']} "
            f"(baseline {goal_value(g, g['baseline'])}, progress {progress}, forecast {forecast})")


def _cell_text(cell: dict | None) -> str:
    return "" if cell is None else f"{cell['median_engagement_rate']:.2f}% ({cell['samples']})"


def _best_grid(best: dict) -> tuple[list[int], dict]:
    hours = sorted({c["hour"] for c in best["cells"]})
    by = {(c["weekday"], c["hour"]): c for c in best["cells"]}
    return hours, by


def _recommendation(best: dict) -> str:
    if not best["recommendations"]:
        return (f"No recommendation yet: no weekday × hour has {best['min_samples']} measured posts "
                f"({best['samples']} in all).")
    picks = ", ".join(f"{r['weekday']} {r['hour']:02d}:00 (median {r['median_engagement_rate']:.2f}%, {r['samples']} posts)"
                      for r in best["recommendations"])
    return f"Best times to post: {picks}."


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

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.status{font-weight:600;padding:0 .4rem;border-radius:3px;white-space:nowrap}
.s-achieved,.s-on-track{background:#e3f1e8;color:#1f5a3a}.s-at-risk,.s-missed{background:#fbe7df;color:#8a3413}
.s-no-data{background:#eee;color:#555}svg{max-width:100%;height:auto}dt{font-weight:600}dd{margin:0 0 .5rem 1rem}
"""


def _h(text) -> str:
    return escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], right: set[int] = frozenset(), raw: bool = False) -> str:
    head = "".join(f'<th class="num">{_h(c)}</th>' if i in right else f"<th>{_h(c)}</th>" for i, c in enumerate(header))
    body = "".join("<tr>" + "".join(
        f'<td class="num">{c if raw else _h(c)}</td>' if i in right else f"<td>{c if raw else _h(c)}</td>"
        for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_post(item: dict) -> str:
    title = _h(item["title"])
    url = item.get("url") or ""
    return f'<a href="{_h(url)}">{title}</a>' if url.startswith(("http://", "https://")) else title


def as_html(report: Report) -> str:
    d = report.data
    brand = _h(report.brand)
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
             f'content="width=device-width, initial-scale=1"><title>{brand}: social media report</title>'
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{brand}: social media report</h1><p class=\"meta\">{_h(_period(d))} · generated "
             f"{_h(_when(d['period']['generated_at']))}</p>"]
    parts.append("<h2>Accounts</h2>")
    rows = []
    for a in d["accounts"]:
        f = a["followers"]
        rows.append([_h(a["account"]), n(f["start"]), n(f["end"]), _h(signed(f["growth"], f["growth_pct"])),
                     n(a["posts"]), n(a["interactions"]), pct(a["engagement_rate"]), pct(a["engagement_rate_by_views"])])
    parts.append(_html_table(["account", "followers at start", "at end", "growth", "posts", "interactions",
                              "engagement rate", "by views"], rows, {1, 2, 3, 4, 5, 6, 7}, raw=True))
    parts.append(line_chart(report.charts.get("followers", {}), "Followers per account, by day"))
    posts = d["posts"]
    parts += ["<h2>Posts</h2>", f"<p>{_h(_slot_line(posts))}.</p>"]
    if posts["top"]:
        parts.append(bar_chart([(f"{i['title']} ({i['account']})", i["engagement_rate"]) for i in posts["top"]],
                               "Top posts by engagement rate"))
    for title, key in (("Top posts", "top"), ("Bottom posts", "bottom")):
        if posts[key]:
            parts.append(f"<h3>{title} by engagement rate</h3>")
            parts.append(_html_table(["engagement rate", "interactions", "published", "account", "post"],
                                     [[pct(i["engagement_rate"]), n(i["interactions"]), _h(_when(i["published_at"])),
                                       _h(i["account"]), _html_post(i)] for i in posts[key]], {0, 1}, raw=True))
    for title, key in (("By campaign", "campaign"), ("By pillar", "pillar")):
        groups = posts[f"by_{key}"]
        if groups:
            parts.append(f"<h3>{title}</h3>")
            parts.append(_html_table([key, "posts", "interactions", "engagement rate"],
                                     [[g[key], n(g["posts"]), n(g["interactions"]), pct(g["engagement_rate"])]
                                      for g in groups], {1, 2, 3}))
    best = d["best_times"]
    parts += ["<h2>Best posting times</h2>",
              f"<p>Median engagement rate by local weekday and hour, from {best['samples']} measured posts.</p>",
              heatmap(best["cells"], best["min_samples"], WEEKDAYS, "Median engagement rate by weekday and hour"),
              f"<p>{_h(_recommendation(best))}</p>"]
    if d["goals"]:
        parts.append("<h2>Goals</h2>")
        rows = [[f"{_h(g['id'])}" + (f"<br><small>{_h(g['description'])}</small>" if g["description"] else ""),
                 f'<span class="status s-{g["status"].replace(" ", "-")}">{_h(g["status"])}</span>',
                 _h(f"{g['metric']} ({g['account'] or 'all'})"), goal_value(g, g["current"]), goal_value(g, g["target"]),
                 _h(g["deadline"]), f"{g['progress_pct']:.1f}%" if g["progress_pct"] is not None else DASH,
                 goal_value(g, g["forecast"])]
                for g in d["goals"]]
        parts.append(_html_table(["goal", "status", "metric", "current", "target", "deadline", "progress", "forecast"],
                                 rows, {3, 4, 5, 6, 7}, raw=True))
    for warning in report.warnings:
        parts.append(f"<p><strong>warning:</strong> {_h(warning)}</p>")
    parts.append("<h2>Definitions</h2><dl>" + "".join(
        f"<dt>{_h(name)}</dt><dd>{_h(text)}</dd>" for name, text in d["period"]["definitions"].items()) + "</dl>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


# -- JSON ----------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    data = report.as_json()
    assert tuple(data) == JSON_KEYS, tuple(data)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
