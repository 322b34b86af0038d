"""Every HTML page smm writes, opened in a real browser: Debian's chromium driven by the playwright package
(tests/peers/browser.sh installs both and axe-core; missing, these tests skip locally and fail under CI=true).

Each page is loaded from file:// and from a web server under a sub-path, as GitHub Pages serves a project
site (http://127.0.0.1:PORT/repo/): no console error, no page error, no request or link outside the site,
no missing file; axe-core finds no serious or critical accessibility violation; at a phone's width nothing
is wider than the screen. Screenshots at desktop and phone widths go to tests/.artifacts/browser/ for a
human to look at (the tests workflow uploads them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT
from peers import require

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / ".artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")
NOW = "2026-12-01T10:00"  # the example's data runs to early December 2026
MAX_SHOT = 4000  # px: the top of a long page is enough to judge it, and far quicker to encode


# -- what a page does in the browser --------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """The site's folder, reached one way: `base` is the URL of the folder, ending in /."""

    name: str
    base: str
    folder: Path

    def url(self, page: Path) -> str:
        return self.base + page.relative_to(self.folder).as_posix()


AXE_START = """() => { window.__smmAxe = axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(
    v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))); }"""
WIDTH = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
ASTRAY = """() => [...document.querySelectorAll('td, th')].filter(c => {
    const t = c.closest('table').getBoundingClientRect(), r = c.getBoundingClientRect();
    return r.width && (r.left < t.left - 1 || r.right > t.right + 1 || r.top < t.top - 1 || r.bottom > t.bottom + 1);
}).slice(0, 3).map(c => c.textContent.trim().slice(0, 40))"""  # a stylesheet of one page kind moving another's cells


class Tab:
    """One browser tab; `problems`: what went wrong since its page was opened, one line each."""

    def __init__(self, browser: Browser) -> None:
        self.browser, self.page, self.problems = browser, browser.context.new_page(), []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.url} answered {r.status}"))
        self.page.on("requestfailed", lambda r: browser.inside(r.url) and self.problems.append(
            f"{r.url} failed: {r.failure}"))  # the others were aborted by the route, and counted there

    def open(self, url: str, origin: Origin) -> list[str]:
        """Load `url`, a page of the site at `origin`; what went wrong there."""
        self.browser.route_outside(origin.base, self)
        self.problems = []
        self.page.goto(url, wait_until="load")
        for href in self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            self._check_link(href, origin)
        return self.problems

    def _check_link(self, href: str, origin: Origin) -> None:
        """A link into the site names a file that is there; one beside the site (same host) is a mistake."""
        if href.startswith(origin.base):
            target = origin.folder / unquote(urlsplit(href[len(origin.base):]).path)
            if not (target.is_file() or (target / "index.html").is_file()):
                self.problems.append(f"link to a missing file: {href}")
        elif urlsplit(href).scheme == "file" or urlsplit(href).netloc == urlsplit(origin.base).netloc:
            self.problems.append(f"link outside the site: {href}")

    def start_audit(self) -> None:
        """Start axe-core on the page loaded now, without waiting (injected over the CDP, so the page's
        Content-Security-Policy, which forbids scripts, stays as it is); measure its width, and find table
        cells drawn outside their table."""
        self.page.evaluate(self.browser.axe)
        self.page.evaluate(AXE_START)
        width = self.page.evaluate(WIDTH)
        if width > 1:
            self.problems.append(f"at {self.page.viewport_size['width']}px: {width}px wider than the screen")
        if astray := self.page.evaluate(ASTRAY):
            self.problems.append(f"table cells drawn outside their table: {astray}")

    def audit(self) -> list[str]:
        """What `start_audit` found: axe-core's serious and critical violations, a page too wide."""
        found = self.page.evaluate("window.__smmAxe")
        return self.problems + [f"axe {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
                                for v in found if v["impact"] in SERIOUS]


class Browser:
    """One chromium for the session, with a few tabs; `page`/`open` use the first."""

    TABS = 3  # pages checked side by side: axe-core runs in one tab while the next loads

    def __init__(self, playwright, executable: str, axe: str) -> None:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium's sandbox refuses root
        self.chromium = playwright.chromium.launch(executable_path=executable, args=args)
        self.context = self.chromium.new_context(viewport=DESKTOP)
        self.axe = Path(axe).read_text(encoding="utf-8")
        self.site = ""  # the URL prefix of the site being visited
        self.tabs = [Tab(self) for _ in range(self.TABS)]
        self.page = self.tabs[0].page

    def inside(self, url: str) -> bool:
        return url.startswith((self.site, "data:", "about:"))

    def route_outside(self, site: str, tab: Tab) -> None:
        """Nothing outside the site is fetched: every other request is aborted, and counted. (The browser
        matches the pattern itself, so requests inside the site never wait for Python.)"""
        if site != self.site:
            self.context.unroute_all()
            self.context.route(re.compile(f"^(?!{re.escape(site)}|data:|about:)"), self._outside)
        self.site = site

    def _outside(self, route) -> None:
        tab = next((t for t in self.tabs if t.page == route.request.frame.page), self.tabs[0])
        tab.problems.append(f"request outside the site: {route.request.url}")
        route.abort("blockedbyclient")

    @property
    def problems(self) -> list[str]:
        return self.tabs[0].problems

    def open(self, url: str, origin: Origin) -> list[str]:
        return self.tabs[0].open(url, origin)

    def audit(self) -> list[str]:
        self.tabs[0].start_audit()
        return self.tabs[0].audit()

    def survey(self, pages: list[Path], origin: Origin, audit: bool) -> list[str]:
        """Every page opened (and, with `audit`, checked by axe-core and for its width), the tabs taking
        turns: a tab's findings are read when its turn comes again, or at the end."""
        problems, waiting = [], {}
        for i, page in enumerate(pages + [None] * len(self.tabs)):
            tab = self.tabs[i % len(self.tabs)]
            if tab in waiting:
                found = tab.audit() if audit else tab.problems
                problems += [f"{waiting.pop(tab)}: {p}" for p in found]
            if page is not None:
                tab.open(origin.url(page), origin)
                if audit:
                    tab.start_audit()
                waiting[tab] = origin.url(page)
        return problems

    def resize(self, size: dict) -> None:
        for tab in self.tabs:
            tab.page.set_viewport_size(size)

    def close(self) -> None:
        self.context.close()
        self.chromium.close()


@pytest.fixture(scope="session")
def browser():
    tools = require("browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        opened = Browser(playwright, tools.chromium, tools.axe)
        yield opened
        opened.close()


# -- where the pages are --------------------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 (the standard library's name)
        pass


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """A folder standing for the web server's root; what lands in served/repo/ is the site."""
    root = tmp_path_factory.mktemp("served")
    (root / "repo").mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/repo/"
    server.shutdown()
    server.server_close()


def run_smm(*args: str, out: Path | None = None) -> str:
    """The real `smm` on this repository (its example content); stdout, or into `out`."""
    result = subprocess.run([sys.executable, "-m", "smm", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"smm {' '.join(args)} exited {result.returncode}: {result.stderr[-2000:]}"
    if out is not None:
        out.write_text(result.stdout, encoding="utf-8")
    return result.stdout


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
