"""The pages' language (the lead's decision, twelfth session): `<html lang>` is the INTERFACE's language; the
repository's text says the brand's language on the element that holds it where the two differ.

A brand in English or Chinese (brand/brand.yml `language: en-GB`, `zh-Hans`, ...) has its interface in its
language: the page is in the brand's tag, as before. A brand in another language (`ja`, `ko`, `fr`) has an
English interface: the page is `en`, and its titles, bodies, previews, brand name, pillars, campaigns, slot
labels, goals, competitors and inbox texts are marked `lang="ja"` (a post whose own `languages:` differ says
its own, as before). Table: brand language × page kind, on the example repository (the site, `smm preview
--format html`, `smm report --format html`); each row checks the language a reader (a screen reader, a
browser's fonts and hyphenation) gets for a piece of the repository's text and for a piece of the interface."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import copy_example
from test_html_pages import Tags

NOW = "2026-11-26T10:00+08:00"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Languages(HTMLParser):
    """Each text node of a page with its language: the `lang` of the nearest element that has one."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data.strip(), next((lang for _, lang in reversed(self.stack) if lang), None)))

    def language_of(self, text: str) -> set:
        """The languages of every text node that is `text` (stripped)."""
        found = {lang for shown, lang in self.texts if shown == text}
        assert found, f"{text!r} is not a text node of the page"
        return found


def inbox(root: Path) -> None:
    row = {"id": "mastodon:1", "account": "mastodon", "platform": "mastodon", "kind": "mention", "author": "lin",
           "text": "冬のブレンドはいつ届きますか", "url": "https://mastodon.example/@lin/1",
           "created_at": "2026-11-25T01:00:00+00:00", "due_by": "2026-11-25T05:00:00+00:00", "priority": "high",
           "sentiment": "neutral", "intent": "question", "state": "open", "post": None,
           "updated_at": "2026-11-25T01:00:00+00:00"}
    (root / "data/inbox").mkdir(parents=True, exist_ok=True)
    (root / "data/inbox/2026-11.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")


def smm(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "smm", *args], cwd=root, capture_output=True, text=True, timeout=600,
                          env=None)
    assert done.returncode == 0, done.stderr
    return done.stdout


# brand.yml `language` → (the pages' `<html lang>`, the language of the repository's text)
LANGUAGES = {"ja": ("en", "ja"), "ko": ("en", "ko"), "fr": ("en", "fr"), "pt-BR": ("en", "pt-BR"), "ar": ("en", "ar"),
             "en-GB": ("en-GB", "en-GB"), "zh-Hans": ("zh-Hans", "zh-Hans"), "en": ("en", "en"), "zh": ("zh", "zh")}


@pytest.fixture(scope="module", params=list(LANGUAGES))
def built(request, tmp_path_factory) -> tuple[str, dict[str, str]]:
    """The example with this brand language (and inbox texts shown): (the language, page kind → its HTML)."""
    root = copy_example(tmp_path_factory.mktemp(f"review12-{request.param}"))
    with (root / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write(f"language: {request.param}\nsite: {{include_inbox: true}}\n")
    inbox(root)
    smm(root, "site", "build", "--out", "_site", "--now", NOW)
    site = root / "_site"
    pages = {kind: (site / path).read_text(encoding="utf-8") for kind, path in SITE.items()}
    pages["preview"] = smm(root, "preview", "--format", "html")
    pages["report-html"] = smm(root, "report", "--format", "html", "--from", "2026-05-01", "--to", "2026-11-25",
                               "--now", NOW)
    return request.param, pages


SITE = {"home": "index.html", "month": "calendar/2026-11/index.html", "week": "calendar/2026-W47/index.html",
        "post": "posts/2026-11-18-water-temperature/index.html", "report": "report/index.html",
        "report-month": "report/2026-10/index.html", "listening": "listening/index.html", "inbox": "inbox/index.html",
        "search": "search/index.html", "search-index": "assets/search-index.js"}

ALT = "Bar chart titled Water temperature: green tea 80°C, oolong 95°C, black tea 90°C, pu-erh 100°C."

# page kind: (pieces of the repository's text it shows, pieces of its interface), in English (the example's
# brand is English unless `language` says Chinese: the interface's words are looked up in the page's)
SHOWN = {
    "home": (["Cloudleaf Tea 云叶茶", "bluesky-followers"], ["Home", "首页"]),
    "month": (["Cloudleaf Tea 云叶茶", "Water temperature cheat sheet 水温速查", "tips"], ["Calendar", "日历"]),
    "week": (["Cloudleaf Tea 云叶茶", "Water temperature cheat sheet 水温速查"], ["Calendar", "日历"]),
    "post": (["Cloudleaf Tea 云叶茶", "Water temperature cheat sheet 水温速查", "tips", ALT], ["Calendar", "日历"]),
    "report": (["Cloudleaf Tea 云叶茶", "Jadeleaf", "Longjing: water temperature 龙井水温"], ["Calendar", "日历"]),
    "report-month": (["Cloudleaf Tea 云叶茶", "tips"], ["Calendar", "日历"]),
    "listening": (["Cloudleaf Tea 云叶茶", "Jadeleaf", "Mistpeak"], ["Calendar", "日历"]),
    "inbox": (["Cloudleaf Tea 云叶茶", "冬のブレンドはいつ届きますか"], ["Calendar", "日历"]),
    "search": (["Cloudleaf Tea 云叶茶"], ["Calendar", "日历"]),
    "preview": (["Longjing: water temperature 龙井水温", "Cloudleaf Tea 云叶茶", ALT], ["no problems"]),
    "report-html": (["Keemun: storage 祁门红茶的储存", "Jadeleaf", "bluesky-followers"], ["Definitions", "指标定义"]),
}


@pytest.mark.parametrize("kind", SHOWN)
def test_the_page_is_in_the_interfaces_language_and_the_repositorys_text_in_the_brands(built, kind):
    language, pages = built
    page, text = LANGUAGES[language]
    html = pages[kind]
    assert re.search(r'<html lang="([^"]+)">', html)[1] == page
    found = Languages(html)
    ours, interface = SHOWN[kind]
    for piece in ours:
        assert found.language_of(piece) == {text}, (kind, piece)
    shown = [w for w in interface if any(t == w for t, _ in found.texts)]
    assert shown and all(found.language_of(w) == {page} for w in shown), (kind, interface)


def test_the_repositorys_text_on_a_card_says_its_language(built):
    """A card's own words are English (`lang="en"` on the cards): the brand's name in its header and a picture's
    alt text (its caption and the picture's accessible name) say theirs, as the post's text does (the brand's
    name and the alt text of a Chinese brand were marked English)."""
    language, pages = built
    page, text = LANGUAGES[language]
    for kind in ("post", "preview"):
        found = Languages(pages[kind])
        names = [lang for shown, lang in found.texts if shown == "Cloudleaf Tea 云叶茶"]
        assert names and set(names) == {text}, kind
        assert found.language_of(ALT) == {text}, kind
        shots = re.findall(r'<div class="shot [^"]*" role="img"( lang="[^"]*")? aria-label="Bar chart titled', pages[kind])
        assert shots and set(shots) == {"" if text == "en" else f' lang="{text}"'}, kind


def test_the_search_index_says_each_posts_language(built):
    """A post without `languages:` is in the brand's language, marked where the page is in another."""
    language, pages = built
    page, text = LANGUAGES[language]
    rows = json.loads(pages["search-index"].removeprefix("window.SMM_SEARCH_INDEX = ").rstrip(";\n"))
    row = next(r for r in rows if r[0] == "2026-11-18-water-temperature")
    assert row[5] == ("" if page == text else text)



@pytest.mark.parametrize("kind", ["report", "report-month", "report-html"])
def test_the_reports_heading_names_the_brand_once(built, kind):
    """The site's report pages headed `Cloudleaf Tea: social media report · Cloudleaf Tea` (the page's title,
    which names the site after the page, as its heading); the heading is the report's title, as `smm report` has it."""
    language, pages = built
    heading = re.search(r"<h1>(.*?)</h1>", pages[kind])[1]
    assert re.sub(r"<[^>]+>", "", heading).count("Cloudleaf Tea 云叶茶") == 1, heading


def test_a_right_to_left_brand_name_in_an_english_sentence_keeps_its_direction(tmp_path):
    """`<h1>متجر الشاي: social media report</h1>`: the name is isolated (`<bdi>`), so the colon and the
    sentence after it stay on the English side."""
    from conftest import copy_example

    root = copy_example(tmp_path / "repo")
    (root / "brand/brand.yml").write_text("name: متجر الشاي\nlanguage: ar\n", encoding="utf-8")
    report = smm(root, "report", "--format", "html", "--from", "2026-05-01", "--to", "2026-11-25", "--now", NOW)
    preview = smm(root, "preview", "--format", "html")
    assert '<h1><bdi lang="ar">متجر الشاي</bdi>: social media report</h1>' in report
    assert '<h1><bdi lang="ar">متجر الشاي</bdi>: what each account will receive</h1>' in preview


class Attributes(Tags):
    """The start tags that name an attribute twice (a `lang` added beside one the element had): `twice`."""

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.__dict__.setdefault("twice", []).append((tag, names))
        super().handle_starttag(tag, attrs)


@pytest.mark.parametrize("kind", list(SHOWN))
def test_no_element_says_an_attribute_twice(built, kind):
    assert getattr(Attributes(built[1][kind]), "twice", []) == []


@pytest.mark.parametrize("keyword", ["cloudleaf tea", "云叶茶"])
def test_the_listening_keywords_in_an_interface_sentence_say_their_language(built, keyword):
    """`Top keywords: cloudleaf tea (113), 云叶茶 (108), ...`: each keyword (brand/listening.yml's) says the brand's
    language inside the interface's sentence."""
    language, pages = built
    page, text = LANGUAGES[language]
    found = Languages(pages["listening"])
    nodes = {lang for shown, lang in found.texts if shown == keyword or f"{keyword} (" in shown and "keywords" in shown
             or shown.startswith("热门关键词") and f"{keyword} (" in shown}
    assert nodes == {text}
