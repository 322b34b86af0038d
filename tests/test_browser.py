"""Every HTML page smm writes, opened in a real browser: Debian's chromium driven by the playwright package
(tests/peers/browser.sh installs both and axe-core; missing, these tests skip locally and fail under CI=true).

Each page is loaded from file:// and from a web server under a sub-path, as GitHub Pages serves a project
site (http://127.0.0.1:PORT/repo/): no console error, no page error, no request or link outside the site,
no missing file; axe-core finds no serious or critical accessibility violation; at a phone's width nothing
is wider than the screen. Screenshots at desktop and phone widths go to tests/.artifacts/browser/ for a
human to look at (the tests workflow uploads them).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, Origin, run_smm
from conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / ".artifacts" / "browser"
NOW = "2026-12-01T10:00"  # the example's data runs to early December 2026
MAX_SHOT = 4000  # px: the top of a long page is enough to judge it, and far quicker to encode


@pytest.fixture(scope="session")
def pages(served) -> dict[str, list[Path]]:
    """Every page smm writes for this repository, by kind: the site of `smm site build` (served/repo/, as
    GitHub Pages would serve it, built with that URL as --base-url) and the preview and report pages
    (served/repo/pages/)."""
    site = served[0] / "repo"
    built = run_smm("site", "build", "--out", str(site), "--base-url", served[1], "--now", NOW)
    found: dict[str, list[Path]] = {}
    for page in sorted(site.rglob("*.html")):
        found.setdefault(kind(page.relative_to(site)), []).append(page)
    assert f"site: {sum(map(len, found.values()))} pages" in built  # every page it wrote is looked at
    (site / "pages").mkdir()
    for command, *options in (("preview",), ("report", "--now", NOW)):
        found[f"smm {command}"] = [site / "pages" / f"{command}.html"]
        run_smm(command, *options, "--format", "html", out=found[f"smm {command}"][0])
    found["smm report zh"] = [site / "pages" / "report-zh.html"]
    found["smm report zh"][0].write_text(chinese_report(), encoding="utf-8")
    return found


def chinese_report() -> str:
    """The example's HTML report as a brand whose language is Chinese gets it (longer words, no spaces)."""
    import dataclasses
    from datetime import timedelta

    from smm.report import build
    from smm.report.formats import as_html
    from smm.workspace.repo import load_repo

    repo = load_repo(ROOT)
    now = datetime.fromisoformat(NOW).replace(tzinfo=repo.config.timezone)
    return as_html(dataclasses.replace(build(repo, now - timedelta(days=30), now, now), language="zh-Hans"))


def kind(path: Path) -> str:
    """What template made a page of the site: `calendar/2026-W49/index.html` → `calendar week`."""
    first = path.parts[0] if len(path.parts) > 1 else "home"
    if first == "calendar" and len(path.parts) > 2:
        return "calendar week" if "-W" in path.parts[1] else "calendar month"
    return first


@pytest.fixture(scope="session", params=["file", "http"])
def origin(request, served, browser) -> Origin:
    root, http_base = served
    folder = root / "repo"
    base = folder.as_uri() + "/" if request.param == "file" else http_base
    return Origin(request.param, base, folder)


# -- the tests ------------------------------------------------------------------------------------------


def all_pages(pages: dict[str, list[Path]]) -> list[Path]:
    found = [page for group in pages.values() for page in group]
    assert found, "no page to look at"
    return found


def test_every_page_loads_with_no_error_and_nothing_from_outside(browser, pages, origin):
    """From file:// and over http; over http, at a phone's width, also axe-core and the page's width."""
    audit = origin.name == "http"
    browser.resize(PHONE if audit else DESKTOP)
    try:
        problems = browser.survey(all_pages(pages), origin, audit)
    finally:
        browser.resize(DESKTOP)
    assert not problems, "\n".join(problems)


def test_screenshots_at_desktop_and_phone_widths(browser, pages, served):
    """One page of each kind, as a person sees it, for review (tests/.artifacts/browser/, uploaded by CI)."""
    origin = Origin("http", served[1], served[0] / "repo")
    assert set(pages) == {"home", "calendar", "calendar month", "calendar week", "posts", "report", "inbox",
                          "listening", "search", "smm preview", "smm report", "smm report zh"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for page in representatives(pages):
        browser.open(origin.url(page), origin)
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            browser.page.set_viewport_size(size)
            shot = ARTIFACTS / f"{page.relative_to(origin.folder).with_suffix('').as_posix().replace('/', '_')}-{name}.png"
            height = min(browser.page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT)
            browser.page.screenshot(path=str(shot), full_page=True,
                                    clip={"x": 0, "y": 0, "width": size["width"], "height": height})
            shots.append(shot)
        browser.page.set_viewport_size(DESKTOP)
    assert all(shot.stat().st_size > 2000 for shot in shots)  # a blank page compresses to far less


def heading(browser) -> str:
    return browser.page.locator("h1").first.inner_text().strip()


def messages(browser) -> dict[str, str]:
    """The site's interface text in the language of the page shown now."""
    from smm.site.catalogue import catalogue

    return catalogue(browser.page.locator("html").get_attribute("lang") or "en")


def test_the_calendar_is_navigated_by_clicking_to_a_post(browser, pages, origin):
    months = pages["calendar month"]  # calendar/YYYY-MM/index.html, in order
    middle = months[len(months) // 2]  # one with a month before and after it
    browser.open(origin.url(middle), origin)
    m, month = messages(browser), heading(browser)
    switcher = browser.page.get_by_role("navigation", name=m["calendar"])
    switcher.get_by_role("link", name=m["next"], exact=True).click()
    browser.page.wait_for_load_state()
    after = heading(browser)
    assert after > month and browser.page.url.endswith(f"calendar/{after}/index.html")
    browser.page.get_by_role("navigation", name=m["calendar"]).get_by_role("link", name=m["previous"], exact=True).click()
    browser.page.wait_for_load_state()
    assert heading(browser) == month
    entry = browser.page.locator("table.month a.entry").first
    entry_text = entry.inner_text()
    entry.click()
    browser.page.wait_for_load_state()
    assert "/posts/" in browser.page.url and heading(browser) in entry_text  # the post's title, shown in the day
    assert browser.problems == []


def rarest(titles: list[str], pattern: str) -> tuple[str, str]:
    """(the word matching `pattern` that the fewest titles contain, a title containing it)."""
    words = {w.lower() for title in titles for w in re.findall(pattern, title)}
    count = {w: sum(w in t.lower() for t in titles) for w in words}
    word = min(sorted(count), key=count.get)
    return word, next(t for t in titles if word in t.lower())


@pytest.mark.parametrize("pattern", [r"[A-Za-z]{5,}", r"[\u4e00-\u9fff]{2}"], ids=["English", "Chinese"])
def test_the_search_finds_a_post_by_a_word_and_clicking_opens_it(browser, pages, origin, pattern):
    from smm.workspace.repo import load_repo

    titles = [p.title for p in load_repo(ROOT).posts]
    word, title = rarest(titles, pattern)
    browser.open(origin.url(pages["search"][0]), origin)
    box = browser.page.get_by_role("searchbox")
    box.press_sequentially(word) if word.isascii() else box.fill(word)  # no IME here: Chinese is pasted
    result = browser.page.locator("#results").get_by_role("link", name=title, exact=True)
    result.first.click()
    browser.page.wait_for_load_state()
    assert "/posts/" in browser.page.url and heading(browser) == title
    assert browser.problems == []


def representatives(pages: dict[str, list[Path]]) -> list[Path]:
    return [group[0] for group in pages.values() if group]


# -- the checks themselves catch what they are for -------------------------------------------------------

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>A page</title></head>'
        "<body><main><h1>A page</h1>{}</main></body></html>")
DOT = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


@pytest.mark.parametrize("body, expected", [
    ('<p>Fine. <a href="page.html">itself</a> <a href="https://example.com/">a network</a></p>', None),
    ('<img src="https://example.com/pixel.png" alt="pixel">', "request outside the site: https://example.com/"),
    ('<link rel="stylesheet" href="/site.css">', "request outside the site"),  # root-absolute: breaks on a sub-path
    ("<script>console.error('boom')</script>", "console error: boom"),
    ("<script>notDefinedAnywhere()</script>", "page error: "),
    ('<img src="missing.png" alt="missing">', "missing.png"),
    ('<a href="nowhere.html">nowhere</a>', "link to a missing file"),
    ('<a href="/elsewhere/index.html">elsewhere</a>', "link outside the site"),
], ids=["clean", "remote image", "root-absolute stylesheet", "console error", "page error", "missing file",
        "broken link", "link beside the site"])
def test_a_page_that_breaks_is_caught(browser, served, origin, body, expected):
    folder = origin.folder / "checks"
    folder.mkdir(exist_ok=True)
    (folder / "page.html").write_text(PAGE.format(body), encoding="utf-8")
    found = browser.open(origin.url(folder / "page.html"), origin)
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found


@pytest.mark.parametrize("page, expected", [
    (PAGE.format(f'<img src="{DOT}">'), "axe image-alt (critical)"),
    (PAGE.format("<p>x</p>").replace(' lang="en"', ""), "axe html-has-lang (serious)"),
    (PAGE.format('<p style="color:#ccc;background:#fff">pale text</p>'), "axe color-contrast (serious)"),
    (PAGE.format('<div style="width:900px">wide</div>'), "wider than the screen"),
    (PAGE.format('<style>.num{position:absolute;left:10px;top:9px}</style>'
                 '<table><tr><th>pillar</th><th>posts</th></tr><tr><td>tips</td><td class="num">4</td></tr></table>'),
     "table cells drawn outside their table: ['4']"),
], ids=["image without alt", "no lang", "low contrast", "too wide for a phone", "a cell moved out of its table"])
def test_an_inaccessible_page_is_caught(browser, served, page, expected):
    origin = Origin("http", served[1], served[0] / "repo")
    (origin.folder / "checks").mkdir(exist_ok=True)
    (origin.folder / "checks" / "bad.html").write_text(page, encoding="utf-8")
    browser.resize(PHONE)
    try:
        browser.open(origin.url(origin.folder / "checks" / "bad.html"), origin)
        found = browser.audit()
    finally:
        browser.resize(DESKTOP)
    assert any(expected in f for f in found), found
