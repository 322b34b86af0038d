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
import subprocess
import sys
import threading
from dataclasses import dataclass, field
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


@dataclass
class Visit:
    """What one page did while it loaded: each problem as one line."""

    problems: list[str] = field(default_factory=list)


class Browser:
    """One chromium for the session; `visit` loads a page and says what went wrong there."""

    def __init__(self, playwright, executable: str, axe: str) -> None:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium's sandbox refuses root
        self.chromium = playwright.chromium.launch(executable_path=executable, args=args)
        self.context = self.chromium.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.axe = Path(axe).read_text(encoding="utf-8")
        self.site = ""  # the URL prefix of the site being visited
        self.visit = Visit()
        self.page.on("console", lambda m: m.type == "error" and self._problem(f"console error: {m.text}"))
        self.page.on("pageerror", lambda err: self._problem(f"page error: {err}"))
        self.page.on("response", lambda r: r.status >= 400 and self._problem(f"{r.url} answered {r.status}"))
        self.page.on("requestfailed", self._failed)
        self.context.route("**/*", self._route)

    def _problem(self, text: str) -> None:
        self.visit.problems.append(text)

    def _inside(self, url: str) -> bool:
        return url.startswith((self.site, "data:", "about:"))

    def _route(self, route) -> None:
        """Nothing outside the site is fetched: every other request is aborted, and counted."""
        url = route.request.url
        if self._inside(url):
            route.continue_()
        else:
            self._problem(f"request outside the site: {url}")
            route.abort("blockedbyclient")

    def _failed(self, request) -> None:
        if self._inside(request.url):  # the others were aborted above, and counted there
            self._problem(f"{request.url} failed: {request.failure}")

    def open(self, url: str, origin: Origin) -> Visit:
        """Load `url`, a page of the site at `origin`; what went wrong there."""
        self.site, self.visit = origin.base, Visit()
        self.page.goto(url, wait_until="load")
        for href in self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            self._check_link(href, origin)
        return self.visit

    def _check_link(self, href: str, origin: Origin) -> None:
        """A link into the site names a file that is there; one beside the site (same host) is a mistake."""
        if href.startswith(origin.base):
            target = origin.folder / unquote(urlsplit(href[len(origin.base):]).path)
            if not (target.is_file() or (target / "index.html").is_file()):
                self._problem(f"link to a missing file: {href}")
        elif urlsplit(href).scheme == "file" or urlsplit(href).netloc == urlsplit(origin.base).netloc:
            self._problem(f"link outside the site: {href}")

    def violations(self) -> list[str]:
        """axe-core's serious and critical findings on the page loaded now (injected over the CDP, so the
        page's Content-Security-Policy, which forbids scripts, stays as it is)."""
        self.page.evaluate(self.axe)
        found = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({"
            "id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
        return [f"axe {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
                for v in found if v["impact"] in SERIOUS]

    def wider_than_the_screen(self) -> str:
        """At the viewport's width, what is wider than the screen (a sideways scroll), if anything."""
        width = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        return f"{width}px wider than the screen" if width > 1 else ""

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
    """Every page smm writes for this repository, by what writes it, under the served site folder."""
    single = served[0] / "repo" / "pages"
    single.mkdir()
    found = {}
    for command in ("preview", "report"):
        found[command] = [single / f"{command}.html"]
        run_smm(command, "--format", "html", out=found[command][0])
    return found


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
    problems = []
    for page in all_pages(pages):
        visit = browser.open(origin.url(page), origin)
        problems += [f"{origin.url(page)}: {p}" for p in visit.problems]
    assert not problems, "\n".join(problems)


def test_axe_finds_no_serious_accessibility_violation_and_a_phone_needs_no_sideways_scroll(browser, pages, served):
    origin = Origin("http", served[1], served[0] / "repo")
    problems = []
    for page in all_pages(pages):
        browser.page.set_viewport_size(PHONE)
        browser.open(origin.url(page), origin)
        wide = browser.wider_than_the_screen()
        problems += [f"{page.name}: {v}" for v in browser.violations() + ([f"at {PHONE['width']}px: {wide}"] if wide else [])]
    browser.page.set_viewport_size(DESKTOP)
    assert not problems, "\n".join(problems)


def test_screenshots_at_desktop_and_phone_widths(browser, pages, served):
    """One page of each kind, as a person sees it, for review (tests/.artifacts/browser/, uploaded by CI)."""
    origin = Origin("http", served[1], served[0] / "repo")
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
    visit = browser.open(origin.url(folder / "page.html"), origin)
    if expected is None:
        assert visit.problems == []
    else:
        assert any(expected in p for p in visit.problems), visit.problems


@pytest.mark.parametrize("page, expected", [
    (PAGE.format(f'<img src="{DOT}">'), "axe image-alt (critical)"),
    (PAGE.format("<p>x</p>").replace(' lang="en"', ""), "axe html-has-lang (serious)"),
    (PAGE.format('<p style="color:#ccc;background:#fff">pale text</p>'), "axe color-contrast (serious)"),
    (PAGE.format('<div style="width:900px">wide</div>'), "wider than the screen"),
], ids=["image without alt", "no lang", "low contrast", "too wide for a phone"])
def test_an_inaccessible_page_is_caught(browser, served, page, expected):
    origin = Origin("http", served[1], served[0] / "repo")
    (origin.folder / "checks").mkdir(exist_ok=True)
    (origin.folder / "checks" / "bad.html").write_text(page, encoding="utf-8")
    browser.page.set_viewport_size(PHONE)
    try:
        browser.open(origin.url(origin.folder / "checks" / "bad.html"), origin)
        found = browser.violations() + [browser.wider_than_the_screen()]
    finally:
        browser.page.set_viewport_size(DESKTOP)
    assert any(expected in f for f in found), found
