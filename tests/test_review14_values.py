"""The fifteenth session's review of settings values (issue 14): a value the JSON schema took but smm's code
could not use (a whole-number float where a count is sliced with, `.nan` in a card's box, a number of days too
many for a timedelta, a length too long for a regular expression, a duration the parser refuses) stopped a
command with an internal error. Each row: one such value in one kind of file; `smm check` names the file, line
and field and exits 1 (2 for platforms.yml), never an internal error."""

from __future__ import annotations

import json
import re

import pytest
from conftest import PLATFORMS, post_text

from smm.workspace.config import parse_duration
from smm.workspace.schema import schema

NOW = "2026-11-25T08:00:00+08:00"
POST = "content/p.md"
HUGE = "9" * 400  # a whole number a float cannot hold, well under the 4,300 digits YAML numbers may have


def _account(option: str, account: str = "mastodon") -> str:
    platforms = PLATFORMS.replace(f"  {account}: {{", f"  {account}: {{{option}, ", 1)
    assert platforms != PLATFORMS
    return platforms


CARD = "sizes: {default: [1200, 675]}\ntext:\n  box: %s\n"
RULE = "extends: occurrence\nmessage: m\nscope: sentence\n%s\ntoken: a\n"
GOALS = "goals:\n  - {id: g, metric: followers, baseline: %s, target: 2500, deadline: 2027-03-31}\n"
GIVEAWAY = "{enter: [reply], deadline: \"2026-12-02T12:00:00+08:00\", winners: 1, rules: {min_account_age_days: %s}}"

# a case → (the file, its text, the line of the bad value, the rule reported there)
VALUES = {
    "platforms.yml daily_limit: 2.0": ("platforms.yml", _account("daily_limit: 2.0"), 4, "schema.type"),
    "platforms.yml char_limit: 1.0e+308": ("platforms.yml", _account("char_limit: 1.0e+308"), 4, "schema.type"),
    "platforms.yml max_entries: 10.0": ("platforms.yml", _account("max_entries: 10.0", "feed"), 3, "schema.type"),
    "platforms.yml max_lateness: 100001d": ("platforms.yml", _account("max_lateness: 100001d"), 4, "schema.pattern"),
    "voice.yml promo_share.days: 1.0e+308": ("brand/voice.yml", "promo_share:\n  days: 1.0e+308\n", 2, "schema.type"),
    "voice.yml promo_share.days: 10**20": ("brand/voice.yml", "promo_share:\n  days: 100000000000000000000\n", 2,
                                           "schema.range"),
    "voice.yml all_caps.min_length: 5e9": ("brand/voice.yml", "all_caps:\n  min_length: 5000000000\n", 2,
                                           "schema.range"),
    "voice.yml hashtags.max: 3.0": ("brand/voice.yml", "hashtags:\n  max: 3.0\n", 2, "schema.type"),
    "voice.yml promo_share.max_percent: .nan": ("brand/voice.yml", "promo_share: {max_percent: .nan}\n", 1,
                                                "schema.type"),
    "voice rule max: 2.0": ("brand/voice/Big.yml", RULE % "max: 2.0", 4, "schema.type"),
    "card box .nan": ("brand/cards/c.yml", CARD % "[.nan, 0.1, 0.8, 0.5]", 3, "schema.type"),
    "card line_height .nan": ("brand/cards/c.yml", CARD % "[0, 0, 1, 1]\n  line_height: .nan", 4, "schema.type"),
    "card size 1200.0": ("brand/cards/c.yml", "sizes: {default: [1200.0, 675]}\ntext:\n  box: [0, 0, 1, 1]\n", 1,
                         "schema.type"),
    "replies.yml sla 100001h": ("brand/replies.yml", "sla: {urgent: 100001h}\n", 1, "schema.pattern"),
    "personas.yml quiet_days: 7.0": ("brand/personas.yml", "quiet_days: 7.0\n", 1, "schema.type"),
    "goals.yml baseline: 10**400": ("brand/goals.yml", GOALS % HUGE, 2, "schema.range"),
    "goals.yml baseline: .nan": ("brand/goals.yml", GOALS % ".nan", 2, "schema.type"),
    "post evergreen every: 100001d": (POST, post_text(evergreen="{every: 100001d}"), 5, "schema.pattern"),
    "post giveaway min_account_age_days: 10**10": (POST, post_text(giveaway=GIVEAWAY % "10000000000"), 5,
                                                   "schema.range"),
    "post giveaway winners: 1.0": (POST, post_text(giveaway=GIVEAWAY.replace("winners: 1", "winners: 1.0") % "1"), 5,
                                   "schema.type"),
    "post media cover: 10**400": (POST, post_text(media=f"[{{file: content/v.mp4, alt: a, cover: {HUGE}}}]"), 5,
                                  "schema.range"),
    "post media cover: .inf": (POST, post_text(media="[{file: content/v.mp4, alt: a, cover: .inf}]"), 5,
                               "schema.type"),
}


@pytest.mark.parametrize("case", list(VALUES))
def test_a_value_the_code_cannot_use_is_reported_where_it_is(make_repo, smm, case):
    file, text, line, rule = VALUES[case]
    files = {} if file in ("platforms.yml", POST) else {file: text}
    make_repo({"p.md": text if file == POST else post_text()},
              platforms=text if file == "platforms.yml" else PLATFORMS, files=files)
    code, out, err = smm("check", "--format", "json", "--now", NOW)
    assert "internal error" not in err and "Traceback" not in err, err[-2000:]
    found = json.loads(out)
    assert rule in [d["rule"] for d in found if d["file"] == file and d["line"] == line], json.dumps(found, ensure_ascii=False)
    assert code == (2 if file == "platforms.yml" else 1)


def _patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


DURATIONS = [f"{n}{unit}" for n in ("0", "7", "00030", "99999", "100000", "100001", "9" * 30) for unit in "smhd"]


@pytest.mark.parametrize("name", ["platforms", "post", "replies"])
def test_every_duration_a_schema_takes_is_one_the_parser_reads(name):
    """A duration `smm check` passes (`max_lateness`, `evergreen.every`, replies.yml's `sla`) is one
    parse_duration reads: `sla: {urgent: 100001h}` passed the schema and stopped every command."""
    durations = [p for p in _patterns(schema(name).document) if "mhd]" in p]
    assert durations
    for pattern in durations:
        taken = [text for text in DURATIONS if re.search(pattern, text)]
        assert "99999d" in taken, pattern
        for text in taken:
            parse_duration(text)
