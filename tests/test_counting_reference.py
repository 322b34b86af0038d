"""Counting against the networks' own code: each case of tests/conformance/counting/reference.json
names the reference implementation its number came from (tests/tools/reference_counts.py
recomputes the file; the tests only read it)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from smm.platforms.bluesky import Bluesky
from smm.platforms.bluesky_text import short_url
from smm.platforms.meta_threads import Threads
from smm.platforms.x import X
from smm.render.counting import (
    bluesky_length,
    graphemes_unicode15,
    mastodon_length,
    x_length,
)

REFERENCE = json.loads((Path(__file__).parent / "conformance" / "counting" / "reference.json").read_text(encoding="utf-8"))
CASES = [pytest.param(case, id=f"{case['platform']}-{case['id']}") for case in REFERENCE["cases"]]
# Where smm deliberately differs from detectFacets (README, counting notes): it links a
# URL glued to the text before it, and ends a URL before full-width punctuation and
# unopened full-width brackets.  Per case: (the reference's facet smm does not make,
# smm's facet instead); None for nothing.
DELIBERATE = {
    "curly-quoted-url": (None, (7, 28, "link", "https://example.com/a")),
    "cjk-glued-url": (None, (6, 32, "link", "https://example.com/路径")),
    "cjk-bracketed-url": (None, (3, 24, "link", "https://example.com/a")),
    "cjk-punctuation-after-url": ((7, 37, "link", "https://example.com/a。谢谢"), (7, 28, "link", "https://example.com/a")),
    "cjk-unbalanced-bracket": ((10, 28, "link", "https://x.com/a）"), (10, 25, "link", "https://x.com/a")),
}


def by(platform: str) -> list:
    return [p for p in CASES if p.values[0]["platform"] == platform]


def test_every_class_has_several_cases():
    counts = Counter(case["platform"] for case in REFERENCE["cases"])
    assert all(counts[p] >= 10 for p in ("x", "bluesky", "mastodon", "ruby_graphemes", "threads", "bluesky_short_url")), counts
    assert all(case["reference"] for case in REFERENCE["cases"])


@pytest.mark.parametrize("case", by("x"))
def test_x_as_twitter_text(case):
    text, expected = case["text"], case["expected"]
    assert x_length(text) == expected["weightedLength"]
    assert (X.cost(text) <= X.text_limit and not X.extra_problems(text)) == expected["valid"]


@pytest.mark.parametrize("case", by("bluesky"))
def test_bluesky_as_richtext(case):
    text, expected = case["text"], case["expected"]
    assert bluesky_length(text) == (expected["graphemes"], expected["bytes"])
    facets = [(f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]["$type"].split("#")[1],
               next(v for k, v in f["features"][0].items() if k != "$type")) for f in Bluesky.facets(text)]
    reference = [tuple(f) for f in expected["facets"]]
    if case["id"] in DELIBERATE:
        theirs, ours = DELIBERATE[case["id"]]
        assert theirs is None or theirs in reference
        reference = sorted([f for f in reference if f != theirs] + [ours])
    assert facets == reference


@pytest.mark.parametrize("case", by("mastodon"))
def test_mastodon_as_its_validator(case):
    assert mastodon_length(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", by("ruby_graphemes"))
def test_graphemes_as_ruby(case):
    assert graphemes_unicode15(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", by("threads"))
def test_threads_as_documented(case):
    assert Threads.length(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", by("bluesky_short_url"))
def test_bluesky_link_shown_as_the_app_shows_it(case):
    """Host as a browser writes it (lower case, Punycode, IPv4 dotted, no user or default port),
    path, query and fragment percent-encoded, then cut: the shown text is what is counted."""
    assert short_url(case["text"]) == case["expected"]
