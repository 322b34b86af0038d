"""Personas (issue 20): brand/personas.yml and its diagnostics, a post's `audience`, the warning
for a persona no post was for lately, and `smm report` grouped by persona with its best times."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from conftest import post_text
from test_report import END, NOW, START, write_fixture

from smm.report import build, write
from smm.workspace.repo import load_repo

PLATFORMS = "timezone: UTC\naccounts:\n  a: {platform: local, path: .local/a}\n  feed: {platform: feed, path: data/f.xml}\n"
PERSONAS = """\
personas:
  novice:
    name: Tea novice
    networks: [local]
    active_hours: ["07:00-09:00", "22:00-01:00"]
    languages: [en]
  owner:
    name: Café owner
"""


@pytest.mark.parametrize("text,expected", [
    (PERSONAS, []),
    ("quiet_days: 30\npersonas: {novice: {networks: [a, feed]}}\n", []),  # account names too
    ("personas: {novice: {networks: [instagramm]}}\n", [(1, "personas.unknown-network", "instagram")]),
    ("personas: {novice: {networks: [local, b]}}\n", [(1, "personas.unknown-network", "")]),
    ("personas: {novice: {active_hours: ['7-9']}}\n", [(1, "schema.pattern", "")]),
    ("personas: {novice: {active_hours: ['07:00-25:00']}}\n", [(1, "schema.pattern", "")]),
    ("personas: {Novice Reader: {name: x}}\n", [(1, "schema.name", "")]),
    ("personas: {novice: {nmae: x}}\n", [(1, "schema.unknown-field", "name")]),
    ("quiet_days: 0\npersonas: {}\n", [(1, "schema.range", "")]),
    ("personas: {novice: {languages: [english!]}}\n", [(1, "schema.pattern", "")]),
])
def test_personas_file_problems_are_positioned(make_repo, smm, text, expected):
    make_repo({}, platforms=PLATFORMS, calendar=None, files={"brand/personas.yml": text})
    code, found, _ = smm.json("check", "--now", "2026-11-10T00:00:00+00:00")
    got = [(d["line"], d["rule"], d.get("hint") or "") for d in found if d["file"] == "brand/personas.yml"
           and d["severity"] == "error"]
    assert [(line, rule) for line, rule, _ in got] == [(line, rule) for line, rule, _ in expected]
    assert all(want in hint for (_, _, hint), (_, _, want) in zip(got, expected))
    assert code == (1 if expected else 0)


@pytest.mark.parametrize("audience,expected", [
    ("[novice]", []),
    ("[novice, owner]", []),
    ("[novise]", [("post.unknown-persona", 5, 12, "did you mean `novice`?")]),
    ("[owner, stranger]", [("post.unknown-persona", 5, 19, "personas are: novice, owner")]),
    ("novice", [("schema.type", 5, 11, "")]),
    ("[novice, novice]", [("schema.unique", 5, 20, "")]),  # at the second one
])
def test_an_audience_names_known_personas(make_repo, smm, audience, expected):
    make_repo({"p.md": post_text("Hi", platforms="[a]", audience=audience)}, platforms=PLATFORMS, calendar=None,
              files={"brand/personas.yml": PERSONAS})
    code, found, _ = smm.json("check", "--now", "2026-11-10T00:00:00+00:00")
    got = [(d["rule"], d["line"], d["column"], d.get("hint") or "") for d in found if d["file"] == "content/p.md"
           and d["severity"] == "error"]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    assert all(want.lower() in hint.lower() for (*_, hint), (*_, want) in zip(got, expected))


def test_an_audience_without_a_personas_file_is_unknown(make_repo, smm):
    make_repo({"p.md": post_text("Hi", platforms="[a]", audience="[novice]")}, platforms=PLATFORMS, calendar=None)
    code, found, _ = smm.json("check", "--now", "2026-11-10T00:00:00+00:00")
    assert [(d["rule"], d["hint"]) for d in found if d["severity"] == "error"] == [
        ("post.unknown-persona", "declare it under `personas:` in brand/personas.yml")]


def _at(day: int, audience: str | None, draft: bool = False) -> str:
    return post_text("Hi", platforms="[a]", publish_at=f"2026-11-{day:02d}T12:00", audience=audience,
                     draft="true" if draft else None)


@pytest.mark.parametrize("posts,quiet_days,quiet", [
    ({"a.md": _at(5, "[novice]"), "b.md": _at(8, "[owner]")}, None, []),
    ({"a.md": _at(5, "[novice]")}, None, ["owner"]),
    ({"a.md": _at(5, "[novice, owner]")}, 3, ["novice", "owner"]),  # 5 days ago, over `quiet_days: 3`
    ({"a.md": _at(1, "[novice]"), "b.md": _at(8, "[owner]")}, None, []),  # within the default 14 days
    ({"a.md": _at(1, "[novice]"), "b.md": _at(8, "[owner]")}, 7, ["novice"]),
    ({"a.md": _at(9, "[novice]", draft=True), "b.md": _at(8, "[owner]")}, None, ["novice"]),  # a draft does not count
    ({"a.md": _at(20, "[novice]"), "b.md": _at(8, "[owner]")}, None, ["novice"]),  # a later post does not either
    ({}, None, ["novice", "owner"]),
])
def test_a_persona_without_a_post_lately_is_a_warning(make_repo, smm, posts, quiet_days, quiet):
    text = (f"quiet_days: {quiet_days}\n" if quiet_days else "") + PERSONAS
    make_repo(posts, platforms=PLATFORMS, calendar=None, files={"brand/personas.yml": text})
    code, found, _ = smm.json("check", "--now", "2026-11-10T00:00:00+00:00")
    warned = [d for d in found if d["rule"] == "persona.quiet"]
    assert [d["message"].split("`")[1] for d in warned] == quiet
    assert all(d["severity"] == "warning" and d["file"] == "brand/personas.yml" for d in warned)
    lines = text.splitlines()
    assert all(lines[d["line"] - 1].strip().startswith(d["message"].split("`")[1] + ":") for d in warned)
    assert f"in the last {quiet_days or 14} days" in (warned[0]["message"] if warned else f"in the last {quiet_days or 14} days")
    assert code == 0


def test_the_report_groups_results_by_persona_with_best_times_from_its_networks(tmp_path):
    root = write_fixture(tmp_path)
    (root / "brand/personas.yml").write_text(
        "personas:\n  x: {name: Ex, networks: [a], active_hours: ['11:00-13:00']}\n  y: {name: Why}\n  z: {}\n")
    for post, audience in (("p1", "[x]"), ("p2", "[x, y]")):
        path = root / f"content/{post}.md"
        path.write_text(path.read_text().replace("pillar:", f"audience: {audience}\npillar:", 1))
    report = build(load_repo(root), START, END, NOW)
    rows = {p["persona"]: p for p in report.data["personas"]}
    assert list(rows) == ["x", "y", "z"]
    assert (rows["x"]["posts"], rows["y"]["posts"], rows["z"]["posts"]) == (2, 1, 0)
    # x's posts: p1 on a (30 + 5 + 3 + 2 on 8 Nov) and b (8 + 1 + 1 + 0), p2 on a (20 + 4 + 2); y's: p2
    assert rows["x"]["interactions"] == 40 + 10 + 26 and rows["y"]["interactions"] == 26
    assert rows["x"]["best_times"]["samples"] == 3  # old, p1 and p2 on account a only: its network
    assert rows["y"]["best_times"]["samples"] == rows["z"]["best_times"]["samples"] == 5  # every network
    for fmt, heading in (("text", "Personas"), ("markdown", "### Personas"), ("html", "<h2>Personas</h2>")):
        shown = write(report, fmt)
        assert heading in shown and "Ex (x)" in shown and "Why (y)" in shown


@pytest.mark.parametrize("hours,hour,active", [
    ((), 8, None), (("07:00-09:00",), 8, True), (("07:00-09:00",), 9, False),
    (("22:00-01:00",), 23, True), (("22:00-01:00",), 0, True), (("22:00-01:00",), 1, False),
])
def test_active_hours_mark_best_times(hours, hour, active):
    from datetime import time

    from smm.workspace.personas import Persona

    spans = tuple((time.fromisoformat(h.split("-")[0]), time.fromisoformat(h.split("-")[1])) for h in hours)
    assert Persona("p", "p", active_hours=spans).active_at(hour) is active


def test_no_personas_file_means_no_personas_and_no_warning(make_repo, smm):
    make_repo({"p.md": post_text("Hi", platforms="[a]")}, platforms=PLATFORMS, calendar=None)
    code, found, _ = smm.json("check", "--now", datetime(2026, 11, 10, tzinfo=timezone.utc).isoformat())
    assert [d for d in found if "persona" in d["rule"]] == []
