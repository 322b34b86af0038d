"""The eleventh session's outside-in review of the site (`smm site build`) and the preview page (`smm preview
--format html`) in chromium: right-to-left titles among the interface's words, the search's note when it
lists fewer results than it found, and which language each part of a preview page is marked with.

Shares tests/browsing.py's chromium (these tests skip locally and fail under CI=true without it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import Origin, run_smm

pytestmark = pytest.mark.browser

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
"""
CALENDAR = """\
pillars:
  news: {description: News}
  tips: {description: Tips}
slots:
  - {day: monday, time: "12:00", pillar: news, label: "أخبار الاثنين"}
"""
NOW = "2026-12-01T10:00"


def post(title: str, day: str, *extra: str, body: str = "Hello") -> str:
    return "\n".join(["---", f'title: "{title}"', f'publish_at: "{day}T09:00"', "platforms: [feed, mastodon]",
                      *extra, "---", body, ""])


def write_repo(root: Path, posts: dict[str, str], brand: str = "") -> Path:
    (root / "content/2026/12").mkdir(parents=True)
    (root / "brand").mkdir()
    (root / "platforms.yml").write_text(PLATFORMS, encoding="utf-8")
    (root / "brand/calendar.yml").write_text(CALENDAR, encoding="utf-8")
    if brand:
        (root / "brand/brand.yml").write_text(brand, encoding="utf-8")
    for name, text in posts.items():
        (root / "content/2026/12" / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def build(served, tmp_path_factory, name: str, posts: dict[str, str], brand: str = "") -> Origin:
    """The repository's site in served/<name>/, over http under that sub-path."""
    repo = write_repo(tmp_path_factory.mktemp(name) / "repo", posts, brand)
    folder = served[0] / name
    base = served[1].removesuffix("repo/") + f"{name}/"
    run_smm("site", "build", "--out", str(folder), "--base-url", base, "--now", NOW, cwd=repo)
    return Origin("http", base, folder)


# -- right-to-left titles -------------------------------------------------------------------------------

RTL = {"2026-12-01-arabic": post("مرحبا بكم في متجر الشاي", "2026-12-01", "languages: [ar]", "draft: true", "pillar: tips",
                                body="مرحبا بكم في متجر الشاي!\n\nشاي الشتاء 2026"),
       "2026-12-02-hebrew": post("שלום עולם", "2026-12-02", "pillar: news")}

# For each element holding a post's title (or a slot's label): the digits of the interface's text drawn on
# its line before it in the page's order that are not left of it, those after it not right of it, and
# whether each text's digits are drawn left to right (a date after an Arabic title was drawn 01-12-2026).
ORDER = """(selector) => [...document.querySelectorAll(selector)].map(title => {
    const boxes = [...title.getClientRects()], line = title.closest('li, td, p, a.entry') || title.parentElement;
    const found = {title: title.textContent.trim(), misplaced: [], reversed: []};
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (title.contains(n)) continue;
        const after = title.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING;
        const xs = [];
        for (let i = 0; i < n.data.length; i++) {
            if (!/[0-9]/.test(n.data[i])) continue;
            const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
            const at = r.getBoundingClientRect();
            const box = boxes.find(b => at.bottom > b.top && at.top < b.bottom);  // the title's part on this line
            if (!box) continue;
            xs.push(at.left);
            if (after ? at.left < box.right - 1 : at.right > box.left + 1) found.misplaced.push(n.data.trim());
        }
        if (xs.some((x, i) => i && x < xs[i - 1])) found.reversed.push(n.data.trim());
    }
    return found;
}).filter(f => f.misplaced.length || f.reversed.length)"""

TITLES = "a[href*='posts/'], .entry span[lang], .entry span[dir], .gap bdi"


@pytest.fixture(scope="module")
def rtl_site(served, tmp_path_factory) -> Origin:
    return build(served, tmp_path_factory, "review11-rtl", RTL)


@pytest.mark.parametrize("page", ["index.html", "search/index.html#q=2026", "calendar/2026-W49/index.html",
                                  "calendar/2026-12/index.html", "calendar/index.html"])
def test_interface_text_beside_a_right_to_left_title_keeps_its_place_and_order(browser, rtl_site, page):
    """The time, date and draft label before or after an Arabic or Hebrew title are drawn where they are in
    the page's (left-to-right) order, their digits left to right: the title is isolated (dir="auto", <bdi>)."""
    browser.page.goto("about:blank")  # the search page: else only the address's fragment changes
    path, _, query = page.partition("#")
    problems = browser.open(rtl_site.url(rtl_site.folder / path) + (f"#{query}" if query else ""), rtl_site)
    browser.page.wait_for_timeout(100)
    shown = browser.page.evaluate(f"document.querySelectorAll({TITLES!r}).length")
    assert shown >= 2, page  # both posts (the month and week also the Monday slot)
    assert browser.page.evaluate(ORDER, TITLES) == [] and problems == []


@pytest.mark.parametrize("width, shown", [(390, "{day} {weekday}"), (1280, "{day}")], ids=["phone", "desktop"])
def test_a_phones_month_names_each_days_weekday(browser, rtl_site, width, shown):
    """At a phone's width the month's grid is one column, without its weekday headings: each day says its
    weekday (at a desktop's the column's heading does)."""
    from datetime import date

    names = "Mon Tue Wed Thu Fri Sat Sun".split()
    expected = [shown.format(day=d, weekday=names[date(2026, 12, d).weekday()]) for d in range(1, 32)]
    browser.resize({"width": width, "height": 800})
    try:
        problems = browser.open(rtl_site.url(rtl_site.folder / "calendar/2026-12/index.html"), rtl_site)
        assert browser.page.locator(".month .day").all_inner_texts() == expected and problems == []
    finally:
        browser.resize({"width": 1280, "height": 800})


# -- the search's limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("posts, brand, status", [
    (100, "", "100 results"),
    (101, "", "101 results; the first 100 are listed: add a word to narrow the search"),
    (101, "language: zh-Hans\n", "101 条结果，仅列出前 100 条：再输入一个词可缩小范围"),
], ids=["100", "101", "101-zh"])
def test_the_search_says_when_it_lists_only_the_first_results(browser, served, tmp_path_factory, posts, brand, status):
    many = {f"2026-12-{1 + i % 28:02d}-tea-{i:03d}": post(f"Tea {i}", f"2026-12-{1 + i % 28:02d}") for i in range(posts)}
    origin = build(served, tmp_path_factory, f"review11-search-{posts}{'-zh' if brand else ''}", many, brand)
    browser.page.goto("about:blank")
    problems = browser.open(origin.url(origin.folder / "search/index.html") + "#q=tea", origin)
    assert browser.page.locator("#results li").count() == min(posts, 100)
    assert browser.page.locator("#status").inner_text() == status and problems == []


FOLDED = {"2026-12-01-cafe": post("Cafe\u0301 cre\u0300me", "2026-12-01"),  # accents written apart (NFD)
          "2026-12-02-winter": post("Winter TEA 2026", "2026-12-02"),
          "2026-12-03-dong": post("冬茶 Ｌｏｏｓｅ ｌｅａｆ", "2026-12-03")}  # full-width letters in the title


@pytest.fixture(scope="module")
def folded_site(served, tmp_path_factory) -> Origin:
    return build(served, tmp_path_factory, "review11-folded", FOLDED)


@pytest.mark.parametrize("typed, found", [
    ("café crème", ["Cafe\u0301 cre\u0300me"]),  # typed composed (NFC)
    ("ＴＥＡ", ["Winter TEA 2026"]),  # a Chinese keyboard's full-width letters
    ("２０２６－１２－０２", ["Winter TEA 2026"]),  # and digits
    ("loose LEAF", ["冬茶 Ｌｏｏｓｅ ｌｅａｆ"]),
    ("tea\u3000winter", ["Winter TEA 2026"]),  # an ideographic space between the words
], ids=["nfd-title", "full-width-letters", "full-width-digits", "full-width-title", "ideographic-space"])
def test_the_search_finds_a_word_however_its_letters_are_encoded(browser, folded_site, typed, found):
    browser.page.goto("about:blank")
    problems = browser.open(folded_site.url(folded_site.folder / "search/index.html"), folded_site)
    browser.page.locator("#search").fill(typed)
    assert browser.page.locator("#results a").all_inner_texts() == found and problems == []


# -- the preview page's languages -----------------------------------------------------------------------

# Each part of the preview: the lang of the post's title (h2), of the cards' counters and of their text.
PREVIEW_LANGS = """() => ({
    title: document.querySelector('section.post h2').closest('[lang]').lang,
    counters: [...new Set([...document.querySelectorAll('.cards .count')].map(c => c.closest('[lang]').lang))],
    texts: [...new Set([...document.querySelectorAll('.cards .text')].map(c => c.closest('[lang]').lang))],
    meta: document.querySelector('section.post .meta').closest('[lang]').lang})"""


@pytest.mark.parametrize("brand, languages, page, text", [
    ("language: zh-Hans\n", "languages: [en]", "zh-Hans", "en"),
    ("language: en\n", "languages: [zh-Hans]", "en", "zh-Hans"),
    ("language: zh-Hans\n", "", "zh-Hans", "zh-Hans"),
], ids=["zh-page-en-post", "en-page-zh-post", "zh-page-no-language"])
def test_the_preview_marks_the_posts_text_with_its_language_and_the_cards_words_english(
        browser, served, tmp_path_factory, brand, languages, page, text):
    """As the site's post pages do: the title and each card's text in the post's language (else the page's),
    the cards' own words (counters) in English, the line of date, id and file in the page's."""
    repo = write_repo(tmp_path_factory.mktemp("preview") / "repo",
                      {"2026-12-01-a": post("Winter tea 冬茶", "2026-12-01", *[languages][:bool(languages)],
                                            body="Tea 茶")}, brand)
    out = served[0] / "review11-preview" / f"{page}-{text}.html"
    out.parent.mkdir(exist_ok=True)
    run_smm("preview", "--format", "html", out=out, cwd=repo)
    origin = Origin("http", served[1].removesuffix("repo/") + "review11-preview/", out.parent)
    problems = browser.open(origin.url(out), origin)
    assert browser.page.locator("html").get_attribute("lang") == page
    assert browser.page.evaluate(PREVIEW_LANGS) == {"title": text, "counters": ["en"], "texts": [text], "meta": page}
    assert problems == []


# Where the text of each element drawn from a right-to-left post starts: its right edge against its box's.
RIGHT_ALIGNED = """(selector) => [...document.querySelectorAll(selector)].map(e => {
    const r = document.createRange(); r.selectNodeContents(e);
    const text = r.getBoundingClientRect(), box = e.getBoundingClientRect(), pad = parseFloat(getComputedStyle(e).paddingRight);
    return [e.localName + '.' + e.className, Math.round(box.right - pad - text.right)];
})"""


@pytest.mark.parametrize("selector", ["h1", ".cards .entry-title", ".cards .text:not(.html-body)", ".cards .html-body > p"])
def test_a_right_to_left_posts_title_and_text_read_from_the_right(browser, rtl_site, selector):
    """On its page, an Arabic post's heading and each card's text run from the right edge (their direction is
    their own: dir="auto", unicode-bidi: plaintext), as the network would show them."""
    page = rtl_site.folder / "posts/2026-12-01-arabic/index.html"
    problems = browser.open(rtl_site.url(page), rtl_site)
    found = browser.page.evaluate(RIGHT_ALIGNED, selector)
    assert found and all(gap <= 1 for _, gap in found), found
    assert problems == []
