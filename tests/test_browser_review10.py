"""The site of `smm site build` (issue 19) in chromium, built from repositories the other browser tests do
not use: a Chinese-interface one (brand.yml `language: zh-Hans`) of the benchmark corpus's CJK-heavy posts
plus posts with long unbroken Chinese and English words, URLs and hashtags, a draft in English and inbox
items shown (`site.include_inbox: true`); an English-interface copy of this repository's example with inbox
items in both languages; and an empty repository (`smm init`, its example post removed).

Every page of each, from file:// and over http under a sub-path: no console or page error, nothing fetched
outside the site, no link to a missing file; axe-core finds no serious or critical violation at a desktop's
and at a phone's width; at a phone's width nothing is wider than the screen. `<html lang>` is the interface
language and text in a post's language carries that language, and only that text. The calendar and the
search work by keyboard (a visible focus, Enter) as well as by clicking.

Shares tests/browsing.py's chromium and web server (they fail under CI=true when the browser is missing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browsing import DESKTOP, PHONE, Origin, run_smm
from conftest import ROOT

pytestmark = pytest.mark.browser

LONG_ZH = "云叶茶园清晨采摘的嫩芽经过萎凋杀青揉捻干燥" * 12  # 264 characters, no space or punctuation
LONG_EN = "Cloudleaf" * 40  # one 360-letter word
LONG_URL = "https://cloudleaf.example/journal/" + "a1b2c3d4e5" * 30
LONG_TAG = "云叶茶冬季限定拼配" * 8

# name: (what the repository is, its interface language, --now)
SITES = {"zh": ("corpus", "zh-Hans", "2027-01-08T08:00+08:00"),
         "en": ("example", "en", "2026-12-01T10:00"),
         "empty": ("init", "en", "2026-12-07T10:00")}


def corpus_repo(path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "tests/bench/corpus.py"), str(path), "--posts", "10"], check=True,
                   capture_output=True, timeout=120)
    with (path / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write("language: zh-Hans\nsite: {include_inbox: true}\n")
    folder = path / "content/2027/01"
    (folder / "2027-01-06-long-zh.md").write_text(
        f'---\ntitle: "{LONG_ZH}"\npublish_at: "2027-01-06T09:00"\nplatforms: [feed, weibo]\npillar: tips\n'
        f'languages: [zh-Hans]\nhashtags: ["{LONG_TAG}"]\nlink: "{LONG_URL}"\n---\n{LONG_ZH}\n\n{LONG_EN}\n\n{LONG_URL}\n',
        encoding="utf-8")
    (folder / "2027-01-07-harvest-notes.md").write_text(
        '---\ntitle: "Harvest notes from the hill"\npublish_at: "2027-01-07T10:00"\nplatforms: [feed, mastodon]\n'
        "pillar: tips\nlanguages: [en]\ndraft: true\n---\nThe first flush is in.\n", encoding="utf-8")
    (path / "content/2027/02").mkdir()
    (path / "content/2027/02/2027-02-03-spring.md").write_text(  # a second month: the switcher has a next
        '---\ntitle: "春茶预告"\npublish_at: "2027-02-03T09:00"\nplatforms: [feed]\npillar: product\n'
        "languages: [zh-Hans]\n---\n春茶即将上市。\n", encoding="utf-8")
    inbox(path, "2027-01", "2027-01-07", [("小林", f"请问{LONG_ZH}什么时候发货？"), ("sam", f"When does {LONG_EN} ship? {LONG_URL}")])


def example_repo(path: Path) -> None:
    for part in ("brand", "content", "data"):
        shutil.copytree(ROOT / part, path / part)
    for month in (path / "content/2026").iterdir():  # two months of posts are enough, and far quicker to look at
        if month.name not in ("11", "12"):
            shutil.rmtree(month)
    shutil.copy(ROOT / "platforms.yml", path / "platforms.yml")
    with (path / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write("language: en\nsite: {include_inbox: true}\n")
    inbox(path, "2026-11", "2026-11-30", [("lin", "你们的冬季拼配什么时候到货？"), ("sam", "Is the winter blend back?")])


def init_repo(path: Path) -> None:
    run_smm("init", str(path), "--now", SITES["empty"][2], cwd=path.parent)
    shutil.rmtree(path / "content" / "2026")  # its example post: no post at all


def inbox(path: Path, month: str, day: str, said: list[tuple[str, str]]) -> None:
    rows = [{"id": f"mastodon:{i}", "account": "mastodon", "platform": "mastodon", "kind": "mention", "author": who,
             "text": text, "url": f"https://mastodon.example/@{who}/{i}", "created_at": f"{day}T01:00:00+00:00",
             "due_by": f"{day}T05:00:00+00:00", "priority": "high", "sentiment": "neutral", "intent": "question",
             "state": "open", "post": None, "updated_at": f"{day}T01:00:00+00:00"} for i, (who, text) in enumerate(said)]
    (path / "data/inbox").mkdir(parents=True, exist_ok=True)
    (path / f"data/inbox/{month}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


MAKERS = {"corpus": corpus_repo, "example": example_repo, "init": init_repo}


def kind(path: Path) -> str:
    """What template made a page: `calendar/2027-W01/index.html` → `calendar week`; a report period
    (`report/7d/index.html`) is a kind of its own."""
    parts = path.parts
    if len(parts) == 1:
        return "home"
    if parts[0] == "calendar" and len(parts) > 2:
        return "calendar week" if "-W" in parts[1] else "calendar month"
    if parts[0] == "report" and len(parts) > 2:
        return "report " + ("month" if parts[1][:1].isdigit() and "-" in parts[1] else parts[1])
    return parts[0]


class Site:
    def __init__(self, name: str, folder: Path, base: str) -> None:
        self.name, self.folder, self.http = name, folder, base
        self.lang = SITES[name][1]
        self.pages: dict[str, list[Path]] = {}
        for page in sorted(folder.rglob("*.html")):
            self.pages.setdefault(kind(page.relative_to(folder)), []).append(page)

    def origin(self, how: str) -> Origin:
        return Origin(how, self.folder.as_uri() + "/" if how == "file" else self.http, self.folder)

    def all(self) -> list[Path]:
        return [p for group in self.pages.values() for p in group]


@pytest.fixture(scope="module")
def sites(served, tmp_path_factory) -> dict[str, Site]:
    built = {}
    for name, (what, _, now) in SITES.items():
        repo = tmp_path_factory.mktemp(f"review-{name}") / "repo"
        if what != "init":
            repo.mkdir()
        MAKERS[what](repo)
        folder = served[0] / f"review-{name}"
        base = served[1].removesuffix("repo/") + f"review-{name}/"
        out = run_smm("site", "build", "--out", str(folder), "--base-url", base, "--now", now, cwd=repo)
        site = built[name] = Site(name, folder, base)
        assert f"site: {len(site.all())} pages" in out
    return built


@pytest.fixture(params=list(SITES))
def site(request, sites) -> Site:
    return sites[request.param]


# -- every page -----------------------------------------------------------------------------------------

PAGE_KINDS = {"home", "calendar", "calendar month", "calendar week", "posts", "report", "report 7d", "report 30d",
              "report 90d", "inbox", "listening", "search"}


def test_every_kind_of_page_is_there(sites):
    for name, site in sites.items():
        missing = PAGE_KINDS - set(site.pages) - ({"posts"} if name == "empty" else set())
        assert not missing, f"{name}: {missing}"
    assert "report month" in sites["en"].pages  # the example's data has months of records


OVERFLOW = "document.scrollingElement.scrollWidth - innerWidth"


@pytest.mark.parametrize("how, size", [("file", DESKTOP), ("http", DESKTOP), ("http", PHONE)],
                         ids=["file-desktop", "http-desktop", "http-phone"])
def test_every_page_loads_clean_and_passes_axe(browser, site, how, size):
    """No console or page error, nothing from outside, no broken link; axe-core (serious, critical) and the
    page's width, at a desktop's and at a phone's width."""
    browser.resize(size)
    try:
        # axe-core only over http: from file:// it fetches the stylesheet, which the page's CSP forbids
        problems = browser.survey(site.all(), site.origin(how), audit=how == "http")
    finally:
        browser.resize(DESKTOP)
    assert not problems, "\n".join(problems)


def test_no_favicon_is_asked_for(browser, sites, tmp_path):
    """Over http under a sub-path, a fresh browser context asks the server for nothing outside the site."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    site = sites["en"]
    asked = []

    class Recording(SimpleHTTPRequestHandler):
        def log_message(self, format, *args) -> None:  # noqa: A002
            asked.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Recording, directory=str(site.folder.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.chromium.new_context()
    try:
        page = context.new_page()
        for name in ("index.html", "search/index.html"):
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{site.folder.name}/{name}")
        page.wait_for_timeout(500)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert asked and not [p for p in asked if not p.startswith(f"/{site.folder.name}/")], asked


def test_wechat_article_text_has_enough_contrast(browser, sites):
    """A post for WeChat whose body has inline code and links (footnote marks): its article card on the
    post's page passes axe-core's colour contrast check."""
    site = sites["zh"]
    origin = site.origin("http")
    problems = browser.survey(site.pages["posts"], origin, audit=True)
    assert not [p for p in problems if "axe color-contrast" in p], "\n".join(problems)


def test_nothing_overflows_at_a_phone(browser, site):
    """document.scrollingElement.scrollWidth <= innerWidth on every page, and no element reaches past the
    screen's right edge (a box clipped by `overflow: hidden` would hide text)."""
    origin = site.origin("http")
    browser.resize(PHONE)
    problems = []
    try:
        for page in site.all():
            browser.open(origin.url(page), origin)
            if (over := browser.page.evaluate(OVERFLOW)) > 0:
                problems.append(f"{origin.url(page)}: {over}px wider than the screen")
    finally:
        browser.resize(DESKTOP)
    assert not problems, "\n".join(problems)


# -- languages ------------------------------------------------------------------------------------------

# Each element carrying a lang other than the page's: its text, and whether it holds interface text (an
# element of its own inside, such as a badge, or text that is not the post's).
OTHER_LANG = """(page) => [...document.querySelectorAll('body [lang]')].filter(e => e.lang !== page).map(
    e => [e.lang, e.textContent.trim()])"""


def test_html_lang_is_the_interface_language(browser, site):
    origin = site.origin("file")
    wrong = []
    for page in site.all():
        browser.open(origin.url(page), origin)
        lang = browser.page.locator("html").get_attribute("lang")
        if lang != site.lang:
            wrong.append(f"{page.relative_to(site.folder)}: {lang!r}")
    assert not wrong, wrong


def post_titles(site: Site, browser, origin) -> dict[str, str]:
    """post id → title, from the post pages' h1."""
    titles = {}
    for page in site.pages.get("posts", []):
        browser.open(origin.url(page), origin)
        titles[page.parent.name] = browser.page.locator("h1").first.inner_text().strip()
    return titles


# The language of `title` inside an element: that of the innermost element holding the whole title.
TITLE_LANG = """(e, title) => { let at = e;
    for (let inner = at; inner; inner = [...at.children].find(c => c.textContent.includes(title))) at = inner;
    const marked = at.closest('[lang]'); return marked ? marked.lang : null; }"""


def test_english_titles_on_a_chinese_site_carry_lang_en(browser, sites):
    """The draft written in English: `lang="en"` on its title wherever it is shown, the post's own page and
    every link to it (home, calendar month and week, search results)."""
    site = sites["zh"]
    origin = site.origin("file")
    post = site.folder / "posts" / "2027-01-07-harvest-notes" / "index.html"
    browser.open(origin.url(post), origin)
    assert browser.page.locator("h1").get_attribute("lang") == "en"
    assert browser.page.locator("html").get_attribute("lang") == "zh-Hans"
    linked = 0
    for page in site.all():
        browser.open(origin.url(page), origin)
        for link in browser.page.locator('a[href$="2027-01-07-harvest-notes/index.html"]').all():
            assert link.evaluate(TITLE_LANG, "Harvest notes from the hill") == "en", page
            linked += 1
    assert linked >= 3  # home (this week), the month, the week
    browser.page.goto("about:blank")  # else, on the search page already, only the fragment changes
    browser.open(origin.url(site.folder / "search" / "index.html") + "#q=harvest", origin)
    found = browser.page.locator("#results a")
    assert found.count() == 1 and found.first.evaluate(TITLE_LANG, "Harvest notes from the hill") == "en"


def test_interface_text_is_never_marked_with_a_posts_language(browser, sites):
    """An element with a post's language holds the post's text only: the time and the title, never an
    interface word such as the draft label, which is in the page's language."""
    site = sites["zh"]
    origin = site.origin("file")
    title = "Harvest notes from the hill"
    problems = []
    for page in site.pages["home"] + site.pages["calendar"] + site.pages["calendar month"] + site.pages["calendar week"]:
        browser.open(origin.url(page), origin)
        for lang, text in browser.page.evaluate(OTHER_LANG, site.lang):
            if lang == "en" and title in text and text.replace(title, "").strip(" 0123456789:"):
                problems.append(f"{page.relative_to(site.folder)}: {text!r} marked lang={lang}")
    assert not problems, "\n".join(problems)


def test_a_new_search_in_the_address_searches_again(browser, sites):
    site = sites["zh"]
    origin = site.origin("file")
    browser.page.goto("about:blank")
    browser.open(origin.url(site.folder / "search" / "index.html") + "#q=harvest", origin)
    assert browser.page.locator("#results a").count() == 1
    browser.page.evaluate("location.hash = '#q=' + encodeURIComponent('春茶')")
    browser.page.wait_for_timeout(100)
    assert browser.page.locator("#results a").all_inner_texts() == ["春茶预告"]


# Each preview card's counter: its text, and the lang it is in (that of its closest element with one).
COUNTERS = """() => [...document.querySelectorAll('.cards .count')].map(c => [c.closest('[lang]').lang, c.textContent.trim()])"""


@pytest.mark.parametrize("name", ["en", "zh"])
def test_the_cards_counters_are_interface_text(browser, sites, name):
    """A card's counter ("157/500 characters · 343 left") is the interface's, not the post's: marked with
    the language it is written in (English, or the page's once translated), whatever the post's language
    (a Chinese post on the English site, an English one on the Chinese site)."""
    site = sites[name]
    origin = site.origin("file")
    problems = []
    for page in site.pages["posts"]:
        browser.open(origin.url(page), origin)
        for lang, text in browser.page.evaluate(COUNTERS):
            english = any(word in text for word in ("characters", "left", "over by", "no limit"))  # else translated: in the page's language
            if not (lang.startswith("en") if english else lang == site.lang):
                problems.append(f"{page.parent.name}: {text!r} in lang={lang}")
    assert not problems, "\n".join(problems[:10])


# -- keyboard -------------------------------------------------------------------------------------------

FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {tag: e.localName, text: (e.textContent || e.value || '').trim().slice(0, 80), href: e.getAttribute('href'),
            visible: e.matches(':focus-visible') && (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                     || s.boxShadow !== 'none')}; }"""


def tab_to(browser, test, limit: int = 80) -> dict:
    """Press Tab until the focused element passes `test`; that element's description."""
    for _ in range(limit):
        browser.page.keyboard.press("Tab")
        focused = browser.page.evaluate(FOCUS)
        if test(focused):
            return focused
    raise AssertionError(f"not reached by {limit} presses of Tab")


def enter(browser) -> None:
    """Press Enter on the focused link and wait for the page it opens."""
    with browser.page.expect_navigation():
        browser.page.keyboard.press("Enter")


def messages(browser) -> dict[str, str]:
    from smm.site.catalogue import catalogue

    return catalogue(browser.page.locator("html").get_attribute("lang") or "en")


@pytest.mark.parametrize("name", ["zh", "en"])
def test_the_calendar_is_navigated_by_keyboard(browser, sites, name):
    """Tab to the switcher's next link (its focus visible), Enter: the next month; then back; Tab to a post
    in the grid, Enter: the post."""
    site = sites[name]
    origin = site.origin("http")
    months = site.pages["calendar month"]
    browser.open(origin.url(months[0]), origin)
    m = messages(browser)
    first = browser.page.locator("h1").first.inner_text().strip()
    focused = tab_to(browser, lambda f: f["tag"] == "a" and f["text"] == m["next"])
    assert focused["visible"], focused
    enter(browser)
    second = browser.page.locator("h1").first.inner_text().strip()
    assert second > first
    focused = tab_to(browser, lambda f: f["tag"] == "a" and f["text"] == m["previous"])
    enter(browser)
    assert browser.page.locator("h1").first.inner_text().strip() == first
    focused = tab_to(browser, lambda f: f["tag"] == "a" and "/posts/" in (f["href"] or ""), limit=200)
    assert focused["visible"], focused
    enter(browser)
    assert "/posts/" in browser.page.url
    assert browser.problems == []


@pytest.mark.parametrize("name, word, title", [
    ("zh", "嫩芽经过萎凋", LONG_ZH), ("zh", "harvest", "Harvest notes from the hill"),
    ("en", "tea", None)], ids=["zh-Chinese", "zh-English", "en"])
def test_the_search_works_by_keyboard(browser, sites, name, word, title):
    """Tab to the search box (its focus visible), type, Tab to the first result (visible), Enter: that post."""
    site = sites[name]
    origin = site.origin("http")
    browser.page.goto("about:blank")
    browser.open(origin.url(site.folder / "search" / "index.html"), origin)
    focused = tab_to(browser, lambda f: f["tag"] == "input")
    assert focused["visible"], focused
    browser.page.keyboard.insert_text(word) if not word.isascii() else browser.page.keyboard.type(word)
    results = browser.page.locator("#results a")
    assert results.count() >= 1
    expected = title or results.first.inner_text()
    assert results.first.inner_text() == expected
    focused = tab_to(browser, lambda f: f["tag"] == "a" and "/posts/" in (f["href"] or ""), limit=5)
    assert focused["visible"], focused
    enter(browser)
    assert "/posts/" in browser.page.url
    assert browser.page.locator("h1").first.inner_text().strip() == expected
    assert browser.problems == []


def test_the_empty_sites_search_and_calendar(browser, sites):
    """No post at all: the search finds nothing and says so, the calendar shows the month, by clicking."""
    site = sites["empty"]
    origin = site.origin("file")
    browser.page.goto("about:blank")
    browser.open(origin.url(site.folder / "search" / "index.html"), origin)
    browser.page.get_by_role("searchbox").fill("hello")
    assert browser.page.locator("#results li").count() == 0
    assert browser.page.locator("#status").inner_text().startswith("0 ")
    browser.open(origin.url(site.folder / "index.html"), origin)
    m = messages(browser)
    browser.page.get_by_role("link", name=m["calendar"], exact=True).first.click()
    browser.page.wait_for_load_state()
    assert "calendar/" in browser.page.url
    assert browser.problems == []
