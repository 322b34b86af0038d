"""The two HTML pages a person opens: `smm preview --format html` and `smm report --format html`.

Post content comes from pull requests, so everything in it must come out as text: no tag,
attribute or link target from a post, a template or a data file reaches the page. Both
pages are single files: no script, nothing fetched. (Their look is checked by eye, with
screenshots; these tests hold the structure and the escaping.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import post_text
from test_report import END, NOW, START, write_fixture

from smm.render.cards import rich_text, safe_html
from smm.report import build, write
from smm.report.charts import bar_chart, fit, heatmap, line_chart, text_width
from smm.workspace.repo import load_repo

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def assert_inert(page: str, allowed_images: str | None = None) -> Tags:
    """No script, no event handler, no foreign image or frame, no javascript: link; a CSP that forbids them."""
    tags = Tags(page)
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "iframe", "object", "embed", "link", "base", "form", "input", "frame", "svg:script"}
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src", "xlink:href", "action", "formaction"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:text")), (tag, attrs)
        if tag == "img":
            assert allowed_images and attrs["src"].startswith(allowed_images), attrs
        if tag == "a" and "href" in attrs:
            assert attrs["href"].startswith(("http://", "https://", "mailto:", "#")), attrs
    csp = [a["content"] for a in tags.named("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script" not in csp[0]
    ours = re.sub(r'<style>(\.img-\d+\{background-image:url\("data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+"\)\})+</style>'
                  r"</head>", "</head>", page)  # the preview's inlined images: base64 only, one rule each
    assert not re.search(r"url\(|@import|<link\b", ours, re.IGNORECASE)
    return tags


# -- the preview -------------------------------------------------------------------------------------

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
  telegram: {platform: telegram, chat_id: "@brand", token_env: T_TELEGRAM}
"""
# a template from a pull request that forgets to escape, and worse
FEED_TEMPLATE = """<h2>{{ title }}</h2>
{{ text }}
<script>alert('template')</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">js</a>
<p onclick="alert(4)" style="background:url(https://evil.example/x.png)">styled</p>
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"  # 1×1, transparent
                    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")


def _preview_repo(make_repo):
    media = '\nmedia:\n  - file: content/media/dot.png\n    alt: "\\"><img src=x onerror=alert(1)>"'
    return make_repo({
        "a.md": post_text("Body <script>alert('body')</script> and \"><img src=x onerror=alert(1)> & <b>b</b>\n\n"
                          "**bold** https://example.com/a?b=1&c=2 #tag",
                          title='"<script>alert(1)</script>"', platforms="[feed, mastodon, bluesky, telegram]")
        .replace("\n---\n", media + "\n---\n", 1),
        "b.md": post_text("Short.", title="'\"><img src=x onerror=alert(1)>'", publish_at="2026-12-02T12:00"),
        "long.md": post_text("\n\n".join(["Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4] * 3),
                             title="Long 长", publish_at="2026-12-03T12:00", platforms="[mastodon, bluesky]",
                             thread="auto"),
        "over.md": post_text("这条太长了。" * 80, title="Over", publish_at="2026-12-04T12:00",
                             platforms="[bluesky]"),
    }, platforms=PLATFORMS, files={"brand/templates/feed.j2": FEED_TEMPLATE, "content/media/dot.png": PNG})


def test_preview_shows_hostile_titles_bodies_alt_text_and_templates_as_text(make_repo, smm):
    _preview_repo(make_repo)
    code, page, _ = smm("preview", "--format", "html")
    assert code == 0
    tags = assert_inert(page)
    for payload in PAYLOADS:
        assert payload not in page
    assert '<h2 dir="auto">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</h2>' in page  # escaped by the page template
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the template's markup is visible to the reviewer, in red, and named under the card
    assert '<code class="raw">&lt;script&gt;</code>' in page and "shown as text, not rendered here" in page
    assert not [a for _, a in tags.tags if "style" in a and "url(" in a["style"]]
    # the image is inlined with its alt text as an attribute value, and the alt shown as text
    images = [a for a in tags.named("div") if a.get("role") == "img"]
    assert len(images) == 4 and all(i["aria-label"] == '"><img src=x onerror=alert(1)>' for i in images)
    assert page.count("<article") == 4 + 2 + 2 + 1


def test_preview_structure_threads_counts_and_problems(make_repo, smm):
    _preview_repo(make_repo)
    page = smm("preview", "--format", "html")[1]
    section = page[page.index(">Long 长</h2>"):page.index(">Over</h2>")]
    assert section.count('<ol class="thread many">') == 2  # Mastodon and Bluesky both split it
    assert '<span class="num" title="part 2 of' in section
    over = page[page.index(">Over</h2>"):]
    assert 'class="card net-bluesky bad"' in over and '<div class="count over">' in over and "over by" in over
    # the over-long post, and the two the hostile feed template links to javascript: for
    assert "3 with problems" in page and all(f'href="#post-{n}"' in page for n in (1, 2, 4))
    assert '<meta name="viewport"' in page and "<!doctype html>" in page.lower()


def test_preview_with_nothing_to_show(make_repo, smm):
    _preview_repo(make_repo)
    for post in (make_repo.root / "content").glob("*.md"):  # a folder without posts is refused: no post at all
        post.unlink()
    page = smm("preview", "--format", "html")[1]
    assert 'class="empty"' in page and "<article" not in page
    assert_inert(page)


def test_allow_list_keeps_formatting_and_refuses_the_rest():
    clean, refused = safe_html('<p onclick="x" class="y">a <b>b</b> <a href="https://e.example/?a=1&amp;b=2" '
                               'onmouseover="x">l</a></p><script>s()</script><a href="javascript:x()">j</a>'
                               '<style>p{}</style><img src="https://e.example/i.png" alt="i"><p>unclosed')
    assert clean.startswith('<p>a <b>b</b> <a href="https://e.example/?a=1&amp;b=2">l</a></p>')
    assert "<script" not in clean and "<style" not in clean and "<img" not in clean and "javascript:x()\">" not in clean
    assert '<code class="raw">&lt;script&gt;</code>s()' in clean and "[image: i]" in clean
    assert clean.endswith("<p>unclosed</p>")
    assert refused == ["script", "a href", "style"]
    telegram, _ = safe_html("<b>x</b> https://e.example #tag <tg-spoiler>s</tg-spoiler>",
                            {"b", "a", "tg-spoiler"}, linkify="telegram")
    assert telegram == ('<b>x</b> <a href="https://e.example">https://e.example</a> <span class="tag">#tag</span> '
                        '<span class="spoiler">s</span>')


def test_rich_text_escapes_and_shows_links_as_the_network_does():
    text = "<b>hi</b> & https://cloudleaf.example/journal/a-long-path?utm_source=mastodon #茶 @a@b.example"
    shown = rich_text(text, "mastodon")
    assert shown.startswith("&lt;b&gt;hi&lt;/b&gt; &amp; ")
    assert '>cloudleaf.example/journal/a-lo…</a>' in shown and 'href="https://cloudleaf.example/' in shown
    assert '<span class="tag">#茶</span>' in shown and '<span class="mention">@a@b.example</span>' in shown
    assert "journal/a-long-path?utm_source=bluesky</a>" in rich_text(text.replace("mastodon", "bluesky"), "bluesky")
    # Bluesky: the facets (UTF-8 byte offsets) say what is a link, not a regular expression
    facets = [{"index": {"byteStart": 4, "byteEnd": 18},
               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://e.example/full"}]}]
    assert rich_text("茶 e.example/f... <i>", "bluesky", facets) == (
        '茶 <a href="https://e.example/full">e.example/f...</a> &lt;i&gt;')
    assert "javascript" not in rich_text("javascript:alert(1)", "mastodon").replace("javascript:alert(1)", "", 1)


# -- the report ----------------------------------------------------------------------------------------


def _hostile_report(tmp_path):
    root = write_fixture(tmp_path)
    for post_id, payload in (("p1", PAYLOADS[0]), ("p3", PAYLOADS[1])):
        path = root / f"content/{post_id}.md"
        path.write_text(path.read_text("utf-8").replace(f"title: Title of {post_id}", f"title: '{payload}'"), "utf-8")
    report = build(load_repo(root), START, END, NOW)
    report.brand = PAYLOADS[1]
    report.warnings.append(PAYLOADS[0])
    report.charts["followers"][PAYLOADS[1]] = [("2026-11-03", 5), ("2026-11-05", 7)]
    report.data["posts"]["by_campaign"][0]["campaign"] = PAYLOADS[0]
    return report


def test_report_shows_hostile_titles_as_text(tmp_path):
    page = write(_hostile_report(tmp_path), "html")
    tags = assert_inert(page)
    for payload in PAYLOADS:
        assert payload not in page
    assert not tags.named("img") and all(a["href"].startswith("https://") for a in tags.named("a"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") >= 4  # title, h1, a bar, a table row, legend
    assert "<strong>Warning:</strong> &lt;script&gt;" in page


def test_report_structure(tmp_path):
    page = write(build(load_repo(write_fixture(tmp_path)), START, END, NOW), "html")
    assert_inert(page)
    tags = Tags(page)
    assert len(tags.named("svg")) == 3 and len(tags.named("figure")) == 3
    assert all(a.get("role") == "img" and a.get("aria-label") for a in tags.named("svg"))
    assert len(re.findall(r"<svg [^>]*><title>[^<]+</title>", page)) == 3  # each chart names itself
    assert '<meta name="viewport"' in page and 'class="tiles"' in page
    assert page.count('<div class="scroll" tabindex="0"><table>') == page.count("<table>")  # wide tables scroll, not the page
    assert ">Mon</text>" in page and ">Sun</text>" in page and ">23</text>" in page
    assert "fewer than 5 posts" in page and "No recommendation yet" in page
    assert write(build(load_repo(tmp_path), START, END, NOW), "html") == page  # deterministic


def test_report_with_no_data(tmp_path):
    (tmp_path / "platforms.yml").write_text("timezone: UTC\naccounts:\n  a: {platform: local}\n", encoding="utf-8")
    page = write(build(load_repo(tmp_path), START, END, NOW), "html")
    assert_inert(page)
    assert "No follower counts in this period." in page and "No measured posts yet." in page
    assert "No measured posts in this period yet" in page and page.count("<svg") == 2


# -- the charts ------------------------------------------------------------------------------------------


def test_labels_are_measured_and_cut_with_an_ellipsis():
    assert text_width("茶茶", 10) == 20 and text_width("ab", 10) == 12
    assert fit("short", 100) == "short"
    cut = fit("成都老巷茶馆" * 10, 100)
    assert cut.endswith("…") and text_width(cut) <= 100
    svg = bar_chart([("成都：老巷茶馆里的下午茶 Chengdu: teatime at an old lane teahouse " * 3, 8.5)], "t",
                    notes=["bluesky"])
    assert "…" in svg and "bluesky" in svg and ">8.50%</text>" in svg


def test_heatmap_marks_recommended_and_untrusted_cells():
    cells = [{"weekday": "Tue", "hour": 20, "median_engagement_rate": 3.91, "samples": 18},
             {"weekday": "Mon", "hour": 12, "median_engagement_rate": 1.7, "samples": 48},
             {"weekday": "Fri", "hour": 9, "median_engagement_rate": 9.0, "samples": 1}]
    svg = heatmap(cells, 5, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "t",
                  [{"weekday": "Tue", "hour": 20}])
    assert svg.count('stroke="#c0622f" stroke-width="2.5"') == 2  # the cell and the legend
    assert "Fri 09:00 · median 9.00% · 1 post (fewer than 5" in svg
    assert ">1.70%</text>" in svg and ">3.91%</text>" in svg  # the scale's ends: trusted cells only
    tue = svg[svg.index("Tue 20:00"):]
    assert 'fill="#1b4f36"' in tue[:300] and 'fill="#fff">18<' in tue[:400]  # darkest, with white ink


def test_line_chart_axis_and_legend():
    days = [(f"2026-{m:02d}-{d:02d}", 100 + m * 10 + d) for m in (5, 6, 7) for d in (1, 15)]
    svg = line_chart({"mastodon": days, "微博 weibo": days[:3]}, "Followers")
    assert ">Jun</text>" in svg and ">May 2026</text>" in svg
    assert ">mastodon: 185</text>" in svg and ">微博 weibo: 161</text>" in svg
    assert "No follower counts" in line_chart({"a": []}, "Followers")


def test_preview_embeds_each_image_once_however_many_accounts_show_it(make_repo, smm):
    import base64

    photo = PNG + b"\0" * 11_000  # an 11 KB PNG (trailing bytes after IEND are ignored)
    other = PNG + b"\1" * 100
    media = ("\nmedia:\n  - {file: content/media/photo.png, alt: A photo}\n"
             "  - {file: content/media/other.png, alt: Other}")
    make_repo({f"{name}.md": post_text("Tea", platforms="[feed, mastodon, bluesky, telegram]").replace(
        "\n---\n", media + "\n---\n", 1) for name in ("a", "b")},
        platforms=PLATFORMS, files={"content/media/photo.png": photo, "content/media/other.png": other})
    code, page, _ = smm("preview", "--format", "html")
    assert code == 0
    assert page.count(base64.b64encode(photo).decode()) == 1 and page.count(base64.b64encode(other).decode()) == 1
    assert len(page.encode()) < len(photo) * 4 / 3 + len(other) * 2 + 60_000
    shots = [a["class"] for a in Tags(page).named("div") if a.get("role") == "img"]
    assert len(shots) == 2 * 4 * 2 and len(set(shots)) == 2
    assert_inert(page)


@pytest.mark.parametrize("brand_yml,languages,lang", [
    ("name: 云叶茶\nlanguage: zh-Hans\n", [], "zh-Hans"),
    ("name: Cloudleaf\nlanguage: en-GB\n", ["zh-Hans"], "en-GB"),
    ("name: Cloudleaf\n", ["zh-Hant", "en"], "zh-Hant"),
    ("name: 云叶茶\n", [], "zh"),
    ("name: お茶の時間\n", [], "en"),  # a brand in neither English nor Chinese: the interface (English) is the page's,
    ("name: 차 한잔\n", [], "en"),  # its text says its own language (tests/test_review12_site.py)
    ("name: Cloudleaf Tea\n", [], "en"),
])
def test_pages_carry_the_brands_language(tmp_path, monkeypatch, smm, brand_yml, languages, lang):
    root = write_fixture(tmp_path)
    monkeypatch.chdir(root)
    (root / "brand/brand.yml").write_text(brand_yml, encoding="utf-8")
    for post in (root / "content").glob("*.md") if languages else ():
        post.write_text(post.read_text(encoding="utf-8").replace(
            "\n---\n", f"\nlanguages: [{', '.join(languages)}]\n---\n", 1), encoding="utf-8")
    assert f'<html lang="{lang}">' in write(build(load_repo(root), START, END, NOW), "html")
    code, preview, _ = smm("preview", "--format", "html")
    assert code == 0 and f'<html lang="{lang}">' in preview
    brands = {"お": "ja", "차": "ko"}.get(brand_yml[6])  # the post's language where the page is in another
    own = f' lang="{languages[0]}"' if languages else f' lang="{brands}"' if brands else ""
    assert f'<section class="post" id="post-1"><h2{own} dir="auto">' in preview  # each post says its own language


def test_a_language_that_is_not_a_tag_is_a_schema_error(make_repo, smm):
    make_repo({"a.md": post_text()}, files={"brand/brand.yml": "language: 中文\n"})
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    assert code == 1 and [(d["file"], d["rule"]) for d in diagnostics if d["severity"] == "error"] == \
        [("brand/brand.yml", "schema.pattern")]
