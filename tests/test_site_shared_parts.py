"""What every site page shows alike (the stylesheet link, the navigation bar, the footer) is drawn
once per folder depth and section by smm.site.render.Site, not by the macros on each page: ten
thousand post pages share them. The pages are as the macros draw them on each page."""

from __future__ import annotations

from collections import Counter

import jinja2.runtime
import pytest
from conftest import post_text
from test_site import build

from smm import pages
from smm.site.catalogue import catalogue
from smm.site.render import Site


@pytest.fixture
def macro_calls(monkeypatch) -> Counter:
    calls: Counter = Counter()
    real = jinja2.runtime.Macro._invoke

    def counted(self, arguments, autoescape):
        calls[self.name] += 1
        return real(self, arguments, autoescape)

    monkeypatch.setattr(jinja2.runtime.Macro, "_invoke", counted)
    return calls


@pytest.mark.parametrize("base_url", [None, "https://example.org/site/"])
def test_the_shared_parts_are_drawn_once_per_depth_and_section(make_repo, smm, macro_calls, base_url):
    make_repo({f"p{i}.md": post_text(f"post {i}", title=f"P{i}") for i in range(12)})
    code, built, err = build(smm, *(["--base-url", base_url] if base_url else []))
    assert code == 0, err
    sections = {(page.count("/"), page.split("/")[0] if "/" in page else page) for page in built["written"]
                if page.endswith(".html")}
    assert built["pages"] >= 12 + 5
    assert macro_calls["nav"] == macro_calls["footer"] == len(sections) < built["pages"]
    assert macro_calls["head"] == len(sections) + (built["pages"] if base_url else 0)  # (a canonical link: each page its own)


@pytest.mark.parametrize("base_url", [None, "https://example.org/site/"])
@pytest.mark.parametrize("path", ["index.html", "search/index.html", "posts/p1/index.html", "calendar/2026-11/index.html"])
def test_a_page_shows_what_the_macros_draw(path, base_url):
    messages = catalogue("en")
    site = Site("Tea <&> \"Co\"", "en", messages, base_url, "2026-11-20 10:00 CST")
    page = site.page("search", path, "Search <x>", count=3)
    parts = pages.environment().get_template("site/parts.html.j2").module
    up = "../" * path.count("/")
    canonical = f"{base_url.rstrip('/')}/{path}" if base_url else None
    section = path.split("/")[0] if "/" in path else path
    nav = [(messages[key], up + target, section == (target.split("/")[0] if "/" in target else target))
           for key, target in (("home", "index.html"), ("calendar", "calendar/index.html"), ("report", "report/index.html"),
                               ("inbox", "inbox/index.html"), ("listening", "listening/index.html"),
                               ("search", "search/index.html"))]
    for part in (parts.head(up, canonical), parts.nav(messages, site.brand, up, nav), parts.footer(messages, site.generated)):
        assert str(part) and page.count(str(part)) == 1
    assert page.count('aria-current="page"') == (section != "posts")  # (no post in the bar)
