"""What the browser tests share (tests/test_browser.py, tests/test_browser_hostile.py): one chromium for
the session (`browser`), a web server for the sites (`served`), and the checks of a page: no console or
page error, nothing fetched outside the site, no link to a missing file, axe-core, the width at a phone's.
conftest.py makes the two fixtures every test's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from peers import require

ROOT = Path(__file__).resolve().parents[1]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


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
        self.page.on("dialog", lambda d: (self.problems.append(f"a script opened a {d.type}: {d.message}"), d.dismiss()))
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
                found, url = tab.audit() if audit else tab.problems, waiting.pop(tab)
                problems += [f"{url}: {p}" for p in found]
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


def run_smm(*args: str, out: Path | None = None, cwd: Path = ROOT) -> str:
    """The real `smm` on the repository `cwd` (this one: its example content); stdout, or into `out`."""
    result = subprocess.run([sys.executable, "-m", "smm", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"smm {' '.join(args)} exited {result.returncode}: {result.stderr[-2000:]}"
    if out is not None:
        out.write_text(result.stdout, encoding="utf-8")
    return result.stdout
