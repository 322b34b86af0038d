"""The inbox's SLA clocks in chromium: the site is built at one time and read at another (hours later, from
a Pages site or a file), so each clock is written again for the reader's time (assets/clock.js), in the
interface's language, and goes on ticking: an item comes due while the page is open, the overdue counts and
the oldest wait follow (the inbox page's and the home page's), and the home page shows an item once it is
overdue."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from browsing import Origin, Tab, run_smm

pytestmark = pytest.mark.browser

BUILT = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
# item: (created, due) relative to BUILT
ITEMS = {"mastodon:1": (-timedelta(hours=1), timedelta(minutes=50)),
         "mastodon:2": (-timedelta(hours=5), -timedelta(hours=1))}


def repo(path: Path, language: str) -> Path:
    run_smm("init", str(path), "--now", BUILT.isoformat(), cwd=path.parent)
    with (path / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write(f"language: {language}\nsite: {{include_inbox: true}}\n")
    rows = [{"id": item, "account": "mastodon", "platform": "mastodon", "kind": "mention", "author": "lin",
             "text": "When is the winter blend back?", "url": None, "created_at": (BUILT + said).isoformat(),
             "due_by": (BUILT + due).isoformat(), "priority": "high", "sentiment": "neutral", "intent": "question",
             "state": "open", "post": None, "updated_at": (BUILT + said).isoformat()} for item, (said, due) in ITEMS.items()]
    (path / "data/inbox").mkdir(parents=True, exist_ok=True)
    (path / "data/inbox/2026-12.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run_smm("site", "build", "--out", "_site", "--now", BUILT.isoformat(), cwd=path)
    return path / "_site"


def overdue(tab: Tab) -> list[str]:
    """The page's overdue counts (the home page's total first) and oldest waits, per network (one here)."""
    return tab.page.eval_on_selector_all("[data-overdue-by], [data-since]", "cells => cells.map(c => c.textContent)")


def listed(tab: Tab) -> list[bool]:
    """Whether each of the home page's overdue items is shown (most overdue first)."""
    return tab.page.eval_on_selector_all("[data-late-only]", "items => items.map(i => !i.hidden && i.offsetHeight > 0)")


def clocks(tab: Tab) -> list[tuple[str, bool]]:
    return tab.page.eval_on_selector_all("[data-due]", "cs => cs.map(c => [c.textContent, c.classList.contains('late')])")


@pytest.mark.parametrize("language, left, late", [("en", "{} left", "overdue {}"), ("zh-Hans", "剩余 {}", "超时 {}")])
def test_the_clocks_say_the_time_left_when_the_page_is_read_and_go_on(tmp_path, browser, language, left, late):
    site = repo(tmp_path / "repo", language)
    origin = Origin("file", site.as_uri() + "/", site)
    tab = Tab(browser)
    try:
        inbox, home = (origin.url(site / page) for page in ("inbox/index.html", "index.html"))
        built = re.findall(r'<span class="clock( late)?" data-due="[0-9]+"[^>]*>([^<]*)</span>',
                           (site / "inbox/index.html").read_text())
        assert built == [(" late", late.format("1h00m")), ("", left.format("0h50m"))]  # as of the build, most late first

        tab.page.clock.install(time=BUILT)
        tab.page.clock.pause_at(BUILT + timedelta(minutes=20))  # read 20 minutes after the build
        assert tab.open(inbox, origin) == []
        assert clocks(tab) == [[late.format("1h20m"), True], [left.format("0h30m"), False]]
        assert overdue(tab) == ["1", "5h20m"]
        tab.page.clock.run_for("40:00")  # the page left open: the other comes due, and the count says so
        assert clocks(tab) == [[late.format("2h00m"), True], [late.format("0h10m"), True]]
        assert overdue(tab) == ["2", "6h00m"]

        tab.page.clock.set_fixed_time(BUILT + timedelta(minutes=20))  # the home page, read as the inbox was
        assert tab.open(home, origin) == []
        assert (overdue(tab), listed(tab)) == (["1", "1", "5h20m"], [True, False])
        tab.page.clock.set_fixed_time(BUILT + timedelta(days=1, hours=3, minutes=7))  # a day later
        tab.page.reload()
        assert clocks(tab) == [[late.format("1d4h07m"), True], [late.format("1d2h17m"), True]]
        assert (overdue(tab), listed(tab)) == (["2", "2", "1d8h07m"], [True, True])
        assert tab.problems == []
    finally:
        tab.page.close()
