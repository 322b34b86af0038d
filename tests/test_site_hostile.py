"""Repository text with nothing to see in it (a title or an alt text of spaces, zero-width or invisible
format characters) still names what it labels: a link, a heading or a picture without a name is what a
screen reader cannot read (axe-core: link-name, role-img-alt). The post's id names it instead, and a
picture is "no alt text". tests/test_browser_hostile.py opens such pages in chromium."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, post_text

NOW = "2026-11-20T10:00:00+08:00"  # a Friday: the post of that day is on the home page's week
BLANK = {"space": " ", "ideographic space": "\u3000", "tab": "\t", "zero-width": "\u200b\u2060",
         "soft hyphen and BOM": "\u00ad\ufeff", "control": "\u0007 \u001b"}


class Named(HTMLParser):
    """The text of each link by its href, and the aria-label of each picture and the headings' text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, list[str]] = {}
        self.labels: list[str] = []
        self.headings: list[str] = []
        self._open: list = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("role") == "img":
            self.labels.append(values.get("aria-label"))
        if tag in ("a", "h1", "h2"):
            self._open.append([tag, values.get("href", ""), ""])

    def handle_data(self, data):
        for opened in self._open:
            opened[2] += data

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            name, href, text = self._open.pop()
            if name == "a":
                self.links.setdefault(href, []).append(text)
            else:
                self.headings.append(text)


@pytest.mark.parametrize("blank", BLANK.values(), ids=BLANK)
def test_a_title_or_alt_text_with_nothing_to_see_is_named_on_every_page(make_repo, smm, blank):
    picture = (ROOT / "content" / "media" / "winter-blend.png").read_bytes()
    media = f"[{{file: content/media/p.png, alt: {json.dumps(blank)}}}]"
    make_repo({"2026/11/2026-11-20-blank.md": post_text(title=json.dumps(blank), publish_at="2026-11-20T12:00",
                                                          media=media),
               "2026/11/2026-11-21-unscheduled.md": post_text(title=json.dumps(blank), publish_at=None, draft="true")},
              files={"content/media/p.png": picture})
    code, _, err = smm("site", "build", "--out", "_site", "--now", NOW)
    assert code == 0, err
    for page in ("index.html", "calendar/index.html", "calendar/2026-11/index.html", "calendar/2026-W47/index.html"):
        links = Named(Path(f"_site/{page}").read_text(encoding="utf-8")).links
        for post_id in ("2026-11-20-blank", "2026-11-21-unscheduled"):
            texts = links.get(f"{'../' * page.count('/')}posts/{post_id}/index.html", [])
            assert all(post_id in text for text in texts), (page, texts)
        assert any("2026-11-20-blank" in text for texts in links.values() for text in texts), page
    post = Named(Path("_site/posts/2026-11-20-blank/index.html").read_text(encoding="utf-8"))
    assert post.headings[0] == "2026-11-20-blank" and post.labels == ["no alt text"] * 2  # feed and mastodon
    index = Path("_site/assets/search-index.js").read_text(encoding="utf-8")
    rows = json.loads(index.removeprefix("window.SMM_SEARCH_INDEX = ").rstrip().rstrip(";"))
    assert [row[1] for row in rows] == ["2026-11-20-blank", "2026-11-21-unscheduled"]
    code, out, err = smm("preview", "--format", "html")
    preview = Named(out)
    assert {"2026-11-20-blank", "2026-11-21-unscheduled"} <= set(preview.headings) and "no alt text" in preview.labels
    assert all(text.strip() for texts in preview.links.values() for text in texts)


@pytest.mark.parametrize("title", ["Winter tea", "冬茶", "a\u200bb", "\u0645\u0631\u062d\u0628\u0627", "x"])
def test_a_title_one_can_see_is_shown_as_it_is(make_repo, smm, title):
    make_repo({"2026/11/2026-11-20-seen.md": post_text(title=json.dumps(title), publish_at="2026-11-20T12:00")})
    code, _, err = smm("site", "build", "--out", "_site", "--now", NOW)
    assert code == 0, err
    assert Named(Path("_site/posts/2026-11-20-seen/index.html").read_text(encoding="utf-8")).headings[0] == title
