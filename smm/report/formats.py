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
:root{color-scheme:light}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei','Apple Color Emoji','Segoe UI Emoji','Noto Color Emoji',sans-serif;
margin:0;color:#222;background:#fff}
main{max-width:1000px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.5rem;margin:0 0 .2rem;line-height:1.25}h2{font-size:1.2rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid #ddd}
h3{font-size:1rem;margin:1.4rem 0 .4rem}.meta{color:#595959;margin:0}
a{color:#1a5c9e}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.6rem;margin:1.2rem 0 0}
.tile{border:1px solid #e2e2e2;border-radius:8px;padding:.5rem .75rem;background:#fafafa}
.tile b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums;line-height:1.3}.tile span{color:#595959;font-size:.85rem}
.scroll{overflow-x:auto;max-width:100%;background:linear-gradient(90deg,#fff 30%,#fff0) left/2rem 100% no-repeat local,
linear-gradient(270deg,#fff 30%,#fff0) right/2rem 100% no-repeat local,
radial-gradient(farthest-side at 0 50%,#0003,#0000) left/.6rem 100% no-repeat scroll,
radial-gradient(farthest-side at 100% 50%,#0003,#0000) right/.6rem 100% no-repeat scroll}
table{border-collapse:collapse;margin:.4rem 0;font-size:.9rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #e8e8e8;text-align:left;vertical-align:top}
th{font-weight:600;color:#444;border-bottom-color:#bbb;white-space:nowrap}
tbody tr:last-child td{border-bottom-color:#bbb}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nowrap{white-space:nowrap}td.title{min-width:12rem;overflow-wrap:anywhere}
tr.total td{font-weight:600}
figure{margin:.8rem 0 1rem}figcaption{font-size:.85rem;color:#595959;margin-bottom:.3rem}
.chart svg{display:block;max-width:100%;height:auto;min-width:600px}
.status{font-weight:600;padding:0 .4rem;border-radius:3px;white-space:nowrap}
.s-achieved,.s-on-track{background:#e3f1e8;color:#1f5a3a}.s-at-risk,.s-missed{background:#fbe7df;color:#8a3413}
.s-no-data{background:#eee;color:#555}
.warning{background:#fff4e5;border-left:4px solid #c0622f;padding:.5rem .8rem;border-radius:4px}
.note{color:#595959}details{margin:.6rem 0}summary{cursor:pointer;color:#1a5c9e}
dt{font-weight:600}dd{margin:0 0 .6rem 1rem;color:#333}
@media (max-width:640px){body{font-size:14px}main{padding:1rem .75rem 2rem}th,td{padding:.25rem .45rem}}
@media print{.chart svg{min-width:0}.scroll{overflow:visible}}
"""


def _h(text) -> str:
    return escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], right: set[int] = frozenset(), raw: bool = False,
                classes: dict[int, str] | None = None, row_classes: list[str] | None = None) -> str:
    """A table in a horizontal scroller (wide tables never widen the page on a phone)."""
    def cell(i: int, c: str, tag: str) -> str:
        names = " ".join(filter(None, ["num" if i in right else "", (classes or {}).get(i, "") if tag == "td" else ""]))
        return f'<{tag} class="{names}">' if names else f"<{tag}>"
    head = "".join(f"{cell(i, c, 'th')}{_h(c)}</th>" for i, c in enumerate(header))
    body = "".join(
        (f'<tr class="{row_classes[index]}">' if row_classes and row_classes[index] else "<tr>")
        + "".join(f"{cell(i, c, 'td')}{c if raw else _h(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for index, r in enumerate(rows))
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _figure(caption: str, svg: str) -> str:
    return f'<figure class="chart"><figcaption>{_h(caption)}</figcaption><div class="scroll">{svg}</div></figure>'


def _html_post(item: dict) -> str:
    title = _h(item["title"])
    url = item.get("url") or ""
    return f'<a href="{_h(url)}">{title}</a>' if url.startswith(("http://", "https://")) else title


def _tiles(d: dict) -> str:
    total = next((a for a in d["accounts"] if a["account"] == "all"), None)
    if total is None:
        return ""
    f = total["followers"]
    growth = f" ({f['growth_pct']:+.2f}%)" if f["growth_pct"] is not None else ""
    tiles = [(n(f["end"]), "followers at the end"), (_h(signed(f["growth"])), "follower growth" + growth),
             (n(d["posts"]["published"]), "posts published"), (n(total["interactions"]), "interactions"),
             (pct(total["engagement_rate"]), "mean engagement rate")]
    return '<div class="tiles">' + "".join(f"<div class=\"tile\"><b>{value}</b><span>{_h(label)}</span></div>"
                                           for value, label in tiles) + "</div>"


def as_html(report: Report) -> str:
    d = report.data
    brand = _h(report.brand)
    parts = [(f'<!DOCTYPE html>\n<html lang="{_h(report.language)}"><head><meta charset="utf-8"><meta name="viewport" '
              f'content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" '
              f"content=\"default-src 'none'; style-src 'unsafe-inline'\"><meta name=\"referrer\" content=\"no-referrer\">"
              f"<title>{brand}: social media report</title><style>{_CSS}</style></head><body><main>"),
             (f"<h1>{brand}: social media report</h1><p class=\"meta\">{_h(_period(d))} · generated "
              f"{_h(_when(d['period']['generated_at']))}</p>"), _tiles(d)]
    for warning in report.warnings:
        parts.append(f'<p class="warning"><strong>Warning:</strong> {_h(warning)}</p>')
    parts.append("<h2>Accounts</h2>")
    rows = []
    for a in d["accounts"]:
        f = a["followers"]
        rows.append([_h(a["account"]), n(f["start"]), n(f["end"]), _h(signed(f["growth"], f["growth_pct"])),
                     n(a["posts"]), n(a["interactions"]), pct(a["engagement_rate"]), pct(a["engagement_rate_by_views"])])
    parts.append(_html_table(["account", "followers at start", "at end", "growth", "posts", "interactions",
                              "engagement rate", "by views"], rows, {1, 2, 3, 4, 5, 6, 7}, raw=True,
                             row_classes=["total" if a["account"] == "all" else "" for a in d["accounts"]]))
    parts.append(_figure("Followers per account, by day (the legend gives the last count)",
                         line_chart(report.charts.get("followers", {}), "Followers per account, by day")))
    posts = d["posts"]
    parts += ["<h2>Posts</h2>", f"<p>{_h(_slot_line(posts))}.</p>"]
    for title, key in (("Top posts", "top"), ("Bottom posts", "bottom")):
        if posts[key]:
            parts.append(f"<h3>{title} by engagement rate</h3>")
            if key == "top":
                parts.append(_figure("Engagement rate of the top posts (interactions ÷ followers at post time)", bar_chart(
                    [(i["title"], i["engagement_rate"]) for i in posts["top"]], "Top posts by engagement rate",
                    notes=[i["account"] for i in posts["top"]])))
            parts.append(_html_table(["post", "account", "engagement rate", "interactions", "published"],
                                     [[_html_post(i), _h(i["account"]), pct(i["engagement_rate"]), n(i["interactions"]),
                                       _h(_when(i["published_at"]))] for i in posts[key]], {2, 3}, raw=True,
                                     classes={0: "title", 4: "nowrap"}))
    if not posts["top"] and not posts["bottom"]:
        parts.append('<p class="note">No measured posts in this period yet: run <code>smm collect</code> after '
                     "publishing.</p>")
    for title, key in (("By campaign", "campaign"), ("By pillar", "pillar")):
        groups = posts[f"by_{key}"]
        if groups:
            parts.append(f"<h3>{title}</h3>")
            parts.append(_html_table([key, "posts", "interactions", "engagement rate"],
                                     [[g[key], n(g["posts"]), n(g["interactions"]), pct(g["engagement_rate"])]
                                      for g in groups], {1, 2, 3}, classes={0: "nowrap"}))
    best = d["best_times"]
    parts += ["<h2>Best posting times</h2>",
              f"<p>{_h(_recommendation(best))}</p>",
              _figure(f"Median engagement rate by local weekday and hour of publishing, from {best['samples']} "
                      "measured posts",
                      heatmap(best["cells"], best["min_samples"], WEEKDAYS, "Median engagement rate by weekday and hour",
                              best["recommendations"]))]
    hours, by = _best_grid(best)
    if hours:
        parts.append("<details><summary>The same as a table: median engagement rate (posts)</summary>"
                     + _html_table(["", *[f"{h:02d}:00" for h in hours]],
                                   [[day, *[_cell_text(by.get((day, h))) for h in hours]] for day in WEEKDAYS],
                                   set(range(1, len(hours) + 1))) + "</details>")
    if d["goals"]:
        parts.append("<h2>Goals</h2>")
        rows = [[f"{_h(g['id'])}" + (f"<br><small>{_h(g['description'])}</small>" if g["description"] else ""),
                 f'<span class="status s-{_h(g["status"].replace(" ", "-"))}">{_h(g["status"])}</span>',
                 _h(f"{g['metric']} ({g['account'] or 'all'})"), goal_value(g, g["current"]), goal_value(g, g["target"]),
                 _h(g["deadline"]), f"{g['progress_pct']:.1f}%" if g["progress_pct"] is not None else DASH,
                 goal_value(g, g["forecast"])]
                for g in d["goals"]]
        parts.append(_html_table(["goal", "status", "metric", "current", "target", "deadline", "progress", "forecast"],
                                 rows, {3, 4, 5, 6, 7}, raw=True, classes={0: "title"}))
    parts.append("<h2>Definitions</h2><dl>" + "".join(
        f"<dt>{_h(name)}</dt><dd>{_h(text)}</dd>" for name, text in d["period"]["definitions"].items()) + "</dl>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


# -- JSON ----------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    data = report.as_json()
    assert tuple(data) == JSON_KEYS, tuple(data)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
