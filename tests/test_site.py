"""`smm site build`: the static site (issue 19), without a browser (tests/test_site_browser.py has one).

Every page must work from file:// and from a Pages sub-path: every link relative, every
relative link leading to a file of the site, nothing outside the site loaded; the interface
text in the pages' language; inbox texts only when brand.yml allows them; and a rebuild
writes only what changed and removes what is gone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import PLATFORMS, ROOT, post_text
from test_report import write_fixture

from smm.site.catalogue import MESSAGES, catalogue
from smm.workspace.repo import load_repo

NOW = "2026-11-20T10:00:00+08:00"


class Page(HTMLParser):
    """A page's tags with their attributes, and the text of its <style> elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def named(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def build(smm, *extra: str, out: str = "_site") -> tuple[int, dict, str]:
    code, out_text, err = smm("site", "build", "--out", out, "--now", NOW, "--format", "json", *extra)
    return code, (json.loads(out_text) if code == 0 else {}), err


def pages(out: Path) -> dict[str, Page]:
    return {p.relative_to(out).as_posix(): Page(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.html"))}


def references(page: Page) -> list[str]:
    """Every URL the page links to or loads."""
    found = [a.get("href") for tag, a in page.tags if tag in ("a", "link")] + [a.get("src") for _, a in page.tags]
    found += re.findall(r"url\(\"?([^\")]+)", " ".join(page.styles) + " ".join(a.get("style", "") for _, a in page.tags))
    return [u for u in found if u]


@pytest.fixture
def example(tmp_path, monkeypatch) -> Path:
    """A copy of this repository's example brand: posts, brand, six months of data."""
    for name in ("brand", "content", "data"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "platforms.yml", tmp_path / "platforms.yml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_page_links_inside_the_site_and_loads_nothing_outside(example, smm):
    code, built, err = build(smm)
    assert code == 0, err
    out = example / "_site"
    found = pages(out)
    posts = sorted(p.id for p in load_repo(example).posts)
    for expected in ["index.html", "calendar/index.html", "report/index.html", "report/7d/index.html",
                     "report/90d/index.html", "report/2026-10/index.html", "inbox/index.html", "listening/index.html",
                     "search/index.html", "calendar/2026-11/index.html", "calendar/2026-W47/index.html"]:
        assert expected in found, expected
    assert {f"posts/{p}/index.html" for p in posts} <= set(found)
    assert built["pages"] == len(found)
    linked = set()
    for path, page in found.items():
        for url in references(page):
            parts = urlsplit(url)
            if url == "data:image/x-icon;,":  # the page's icon: none (else a browser asks for /favicon.ico outside a sub-path)
                continue
            if parts.scheme or url.startswith("//"):
                # only links to the published posts on their networks: nothing loaded from outside
                assert parts.scheme in ("https", "http") and url in [a.get("href") for a in page.named("a")], (path, url)
                continue
            if not parts.path:  # "#content"
                continue
            assert not parts.path.startswith("/"), (path, url)  # relative: works from file:// and a sub-path
            assert not parts.path.endswith("/"), (path, url)  # index.html named: file:// shows no folder index
            target = (out / path).parent / unquote(parts.path)
            assert target.resolve().is_relative_to(out.resolve()) and target.is_file(), (path, url)
            linked.add(target.resolve().relative_to(out.resolve()).as_posix())
        html = page.named("html")[0]
        assert html.get("lang") == "en", path
        metas = {m.get("name") or m.get("http-equiv"): m.get("content") for m in page.named("meta")}
        assert "width=device-width" in metas["viewport"]
        assert "default-src 'none'" in metas["Content-Security-Policy"]
    assert {f"posts/{p}/index.html" for p in posts} <= linked  # every post reachable (calendar)
    assert {"assets/site.css", "assets/search.js", "assets/search-index.js"} <= linked


def test_calendar_pages_chain_month_to_month_and_show_gaps(example, smm):
    assert build(smm)[0] == 0
    out = example / "_site"
    month = Page((out / "calendar/2026-08/index.html").read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in month.named("a")]
    assert "../../calendar/2026-07/index.html" in hrefs and "../../calendar/2026-09/index.html" in hrefs
    text = (out / "calendar/2026-07/index.html").read_text(encoding="utf-8")
    assert "open slot" in text  # the example leaves about one slot in twelve empty
    assert "customer-stories" in text


@pytest.mark.parametrize(("dates", "now"), [
    (["2999-12-31T10:00+08:00"], NOW),  # one post far ahead: was 12,000 month and 52,000 week pages
    (["1971-01-04T10:00+08:00"], NOW),  # one far behind
    (["1971-01-04T10:00+08:00", "2500-06-15T10:00+08:00", "2999-12-31T10:00+08:00"], NOW),
    ([], "1970-01-05T10:00:00+08:00"),  # today far before every post
    ([], "2999-06-01T10:00:00+08:00"),  # and far after
])
def test_the_calendar_far_from_today_has_pages_only_for_months_with_posts(example, smm, dates, now):
    """Every month within a year of today's has its pages; further out only a month holding a post
    (and its weeks), and every calendar link still leads to a page of the site."""
    for index, when in enumerate(dates):
        (example / f"content/far-{index}.md").write_text(post_text(publish_at=when, platforms="[feed]"), encoding="utf-8")
    code, _, err = smm("site", "build", "--now", now, "--format", "json")
    assert code == 0, err
    out = example / "_site/calendar"
    months = {p.parent.name for p in out.glob("*/index.html") if "-W" not in p.parent.name}
    with_posts = {f"{p.publish_at:%Y-%m}" for p in load_repo(example).posts if p.publish_at}  # (+08:00 like the repo)
    assert {when[:7] for when in dates} <= months and with_posts <= months
    assert len(months) <= 2 * 12 + 1 + len(with_posts)
    assert len(list(out.glob("*-W*/index.html"))) <= 6 * len(months)
    for page in out.rglob("index.html"):
        for href in (a["href"] for a in Page(page.read_text(encoding="utf-8")).named("a") if a.get("href")):
            if not urlsplit(href).scheme and not href.startswith("#"):
                assert (page.parent / unquote(urlsplit(href).path)).is_file(), (page, href)


def test_post_page_shows_every_account_its_records_and_metrics(example, smm):
    assert build(smm)[0] == 0
    page = (example / "_site/posts/2026-05-04-anxi-harvest-notes/index.html").read_text(encoding="utf-8")
    links = [a.get("href") for a in Page(page).named("a")]
    record = json.loads((example / "data/published/2026-05-04-anxi-harvest-notes.json").read_text(encoding="utf-8"))
    for account, job in record["accounts"].items():
        assert f"<td>{account}</td>" in page
        assert job["url"] in links
    assert "No metrics collected yet." not in page and "likes" in page


def test_search_index_is_a_script_with_every_post(example, smm):
    assert build(smm)[0] == 0
    script = (example / "_site/assets/search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.SMM_SEARCH_INDEX = ")
    rows = json.loads(script[len("window.SMM_SEARCH_INDEX = "):].rstrip().rstrip(";"))
    assert sorted(r[0] for r in rows) == sorted(p.id for p in load_repo(example).posts)
    search = Page((example / "_site/search/index.html").read_text(encoding="utf-8"))
    assert [s["src"] for s in search.named("script")] == ["../assets/search-index.js", "../assets/search.js"]


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>", "a <b> & \"c\"", "标题 </SCRIPT>"])
def test_titles_cannot_end_the_search_script_or_add_markup(make_repo, smm, title):
    make_repo({"p.md": post_text(title=json.dumps(title))})
    assert build(smm)[0] == 0
    script = Path("_site/assets/search-index.js").read_text(encoding="utf-8")
    assert "</" not in script.lower()
    for path, page in pages(Path("_site")).items():
        assert page.named("script") == [] or path == "search/index.html"
        assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")], path
    post = Path("_site/posts/p/index.html").read_text(encoding="utf-8")
    assert title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in post


@pytest.mark.parametrize(("language", "html_lang", "word", "absent"), [
    ("en", "en", "Calendar", "日历"),
    ("zh-Hans", "zh-Hans", "日历", ">Calendar<"),
    ("zh", "zh", "收件箱", ">Inbox<"),
])
def test_interface_text_follows_the_brand_language(make_repo, smm, language, html_lang, word, absent):
    make_repo({"p.md": post_text(title="Tea 茶", languages="[en, zh-Hans]")},
              files={"brand/brand.yml": f"name: Tea\nlanguage: {language}\n"})
    assert build(smm)[0] == 0
    for path, page in pages(Path("_site")).items():
        if path.startswith("report/"):
            continue  # the report pages: tests/test_report_language.py
        text = Path("_site", path).read_text(encoding="utf-8")
        assert page.named("html")[0]["lang"] == html_lang
        assert word in text and absent not in text, path
    post = Page(Path("_site/posts/p/index.html").read_text(encoding="utf-8"))
    assert [a.get("lang") for a in post.named("h1")] == ["en"]  # the post's own language, on mixed content


def test_catalogue_has_every_message_in_both_languages():
    english, chinese = catalogue("en"), catalogue("zh-Hans")
    assert english.keys() == chinese.keys() == MESSAGES.keys()
    for key in MESSAGES:
        assert english[key] and chinese[key] and english[key] != chinese[key], key
        assert re.findall(r"\{\w+\}", english[key]) == re.findall(r"\{\w+\}", chinese[key]), key


INBOX_TEXTS = ["Where is my order #12345? 我的订单呢", "<img src=x onerror=alert(1)> refund now",
               "call me at +86 138 0000 0000", "😡 worst tea ever, my email is li@example.com",
               "line one\nline two & \"quotes\"", "退款！退款！"]


def _inbox(root: Path, texts: list[str]) -> None:
    lines = []
    for i, text in enumerate(texts):
        lines.append(json.dumps({
            "id": f"mastodon:{i}", "account": "mastodon", "platform": "mastodon", "kind": "mention",
            "author": f"@secret_author_{i}@example.social", "text": text, "url": f"https://mastodon.example/@x/{i}",
            "created_at": "2026-11-20T00:00:00+00:00", "due_by": "2026-11-20T01:00:00+00:00" if i % 2 else
            "2026-11-21T00:00:00+00:00", "priority": "high" if i % 2 else "normal", "sentiment": "negative",
            "intent": "question", "state": "open", "post": None, "updated_at": "2026-11-20T00:00:00+00:00"},
            ensure_ascii=False))
    (root / "data/inbox").mkdir(parents=True, exist_ok=True)
    (root / "data/inbox/2026-11.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("text", INBOX_TEXTS)
def test_inbox_text_never_leaks_unless_the_brand_allows_it(make_repo, smm, text):
    root = make_repo({"p.md": post_text()})
    _inbox(root, [text, "another message 另一条"])
    assert build(smm)[0] == 0
    everything = b"".join(p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file())
    for secret in [text, "another message", "secret_author", "mastodon.example/@x", "mastodon:0"] + text.split("\n"):
        assert secret.encode() not in everything, secret
        escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
        assert escaped.encode() not in everything, secret
    inbox = (root / "_site/inbox/index.html").read_text(encoding="utf-8")
    assert "mastodon" in inbox and ">2<" in inbox  # counts per network
    assert "overdue" in inbox

    (root / "brand/brand.yml").write_text("site: {include_inbox: true}\n", encoding="utf-8")
    assert build(smm)[0] == 0
    inbox = (root / "_site/inbox/index.html").read_text(encoding="utf-8")
    assert Page(inbox).named("img") == []  # shown as text
    first_line = text.split("\n")[0]
    assert first_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in inbox
    assert "secret_author_0" in inbox
    home = (root / "_site/index.html").read_text(encoding="utf-8")
    listed = re.findall(r"<li data-late-only( hidden)?>.*?(secret_author_\d)", home)  # most overdue first
    assert listed == [("", "secret_author_1"), (" hidden", "secret_author_0")]  # the other shown once overdue


def test_base_url_gives_canonical_links_and_a_sitemap_only(make_repo, smm):
    make_repo({"p.md": post_text()})
    assert build(smm)[0] == 0
    assert not Path("_site/sitemap.xml").exists()
    assert 'rel="canonical"' not in Path("_site/index.html").read_text(encoding="utf-8")
    code, _, err = build(smm, "--base-url", "https://acme.github.io/social/")
    assert code == 0, err
    home = Page(Path("_site/index.html").read_text(encoding="utf-8"))
    assert [l["href"] for l in home.named("link") if l.get("rel") == "canonical"] == ["https://acme.github.io/social/index.html"]
    post = Page(Path("_site/posts/p/index.html").read_text(encoding="utf-8"))
    assert [l["href"] for l in post.named("link") if l.get("rel") == "canonical"] == [
        "https://acme.github.io/social/posts/p/index.html"]
    assert all(not a["href"].startswith("https://acme") for a in post.named("a"))  # links stay relative
    sitemap = Path("_site/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://acme.github.io/social/posts/p/index.html</loc>" in sitemap


def test_rebuild_writes_only_what_changed_and_removes_a_deleted_post(make_repo, smm):
    root = make_repo({"a.md": post_text("first", title="A"), "b.md": post_text("second", title="B",
                                                                                  publish_at="2026-12-02T12:00")})
    code, first, err = build(smm)
    assert code == 0, err
    assert "posts/a/index.html" in first["written"] and "posts/b/index.html" in first["written"]
    assert build(smm)[1]["written"] == []  # nothing changed
    (root / "content/a.md").write_text(post_text("first, edited", title="A"), encoding="utf-8")
    assert build(smm)[1]["written"] == ["posts/a/index.html"]
    (root / "content/b.md").unlink()
    _, after, _ = build(smm)
    assert after["removed"] == ["posts/b/index.html"]
    assert not (root / "_site/posts/b").exists()
    assert "calendar/2026-12/index.html" in after["written"]  # b is gone from its month
    assert "posts/b/" not in (root / "_site/calendar/2026-12/index.html").read_text(encoding="utf-8")
    shutil.rmtree(root / "_site/posts/a")  # a page removed by hand is written again
    assert "posts/a/index.html" in build(smm)[1]["written"]


def test_a_folder_smm_did_not_write_is_refused(make_repo, smm):
    root = make_repo({"p.md": post_text()})
    (root / "mine").mkdir()
    (root / "mine/notes.txt").write_text("keep me", encoding="utf-8")
    code, _, err = build(smm, out="mine")
    assert code == 2 and "smm did not write" in err
    assert (root / "mine/notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("out", ["mine", "mine/site"])
@pytest.mark.parametrize("target", ["mine", "/nonexistent/site", "file.txt"])
def test_an_out_that_is_a_link_to_no_folder_is_refused(make_repo, smm, target, out):
    """A link to itself (a loop), to nothing, to a file, or a folder under one: refused (a loop crashed the build)."""
    root = make_repo({"p.md": post_text()})
    (root / "file.txt").write_text("keep me", encoding="utf-8")
    (root / "mine").symlink_to(target)
    code, _, err = build(smm, out=out)
    assert code == 2 and ("not a folder" in err or "cannot be made" in err) and "internal error" not in err, err
    assert (root / "file.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(("file", "text", "where"), [
    ("brand/brand.yml", "name: Tea\nsite: {include_inbox: yes please}\n", "brand/brand.yml:2:"),
    ("brand/brand.yml", "site:\n  include_text: true\n", "brand/brand.yml:2:"),
    ("brand/calendar.yml", "slots:\n  - {day: someday, time: '12:00'}\n", "brand/calendar.yml:2:"),
    ("brand/goals.yml", "goals:\n  - {id: g, metric: fame, target: 3, deadline: 2026-12-01}\n", "brand/goals.yml:2:"),
    ("data/published/p.json", "{not json", "data/published/p.json:1:"),
])
def test_bad_settings_are_reported_with_their_place_and_exit_1(make_repo, smm, file, text, where):
    make_repo({"p.md": post_text()}, files={file: text})
    code, _, err = build(smm)
    assert code == 1, err
    assert where in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("file", "text", "where"), [
    ("data/metrics/2026-11.csv", "collected_at,post_id\n2026-11-01T00:00:00Z,p\n", "data/metrics/2026-11.csv"),
    ("data/inbox/2026-11.jsonl", "{\"id\": 1}\n", "data/inbox/2026-11.jsonl:1"),
    ("data/metrics/2026-11.csv", "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"
     "yesterday,p,a,local,x,1,2,3,,,\n", "data/metrics/2026-11.csv"),
])
def test_bad_data_files_are_named_and_exit_1(tmp_path, monkeypatch, smm, file, text, where):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / file).write_text(text, encoding="utf-8")
    code, _, err = build(smm)
    assert code == 1, err
    assert where in err and "Traceback" not in err


@pytest.mark.parametrize("file", ["data/metrics/2025-01.csv", "data/accounts/2025-01.csv", "data/inbox/2025-01.jsonl",
                                  "data/mentions/2025-01.csv", "data/competitors/2025-01.csv"])
@pytest.mark.parametrize("kind", ["broken link", "folder", "link loop", "named pipe"])
def test_a_data_entry_that_is_no_file_is_named_and_exits_1(tmp_path, monkeypatch, smm, file, kind):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "broken link":
        path.symlink_to(tmp_path / "nowhere" / "x.csv")
    elif kind == "link loop":
        path.symlink_to(path.name)
    elif kind == "named pipe":
        os.mkfifo(path)  # read as a file, it would block the build for ever
    else:
        path.mkdir()
    code, _, err = build(smm)
    assert code == 1 and file in err and "Traceback" not in err and "internal error" not in err, err


def test_report_pages_switch_between_prebuilt_periods(tmp_path, monkeypatch, smm):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(smm)[0] == 0
    out = tmp_path / "_site"
    periods = ["7d", "30d", "90d", "2026-10", "2026-11"]
    for slug in periods:
        page = Page((out / f"report/{slug}/index.html").read_text(encoding="utf-8"))
        switch = [a["href"] for a in page.named("a") if a["href"].startswith("../") and "report" not in a["href"][:3]]
        assert {f"../{p}/index.html" for p in periods} <= {h.replace("../../report/", "../") for h in switch}, slug
        current = [a for a in page.named("a") if a.get("aria-current") == "page" and "/report/" in "/" + a["href"]]
        assert any(slug in a["href"] for a in current), slug
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "a-followers" in home  # goals at a glance


def test_pages_rendered_by_the_second_process_are_kept_like_the_others(make_repo, smm, monkeypatch):
    from smm.site import output

    monkeypatch.setattr(output, "WORKER_FROM", 2)
    picture = (ROOT / "content/media/winter-blend.png").read_bytes()
    media = "[{file: content/media/p.png, alt: A tin}]"
    root = make_repo({f"p{i}.md": post_text(f"post {i}", title=f"P{i}", media=media) for i in range(6)},
                     files={"content/media/p.png": picture})
    code, first, err = build(smm)
    assert code == 0, err
    assert {f"posts/p{i}/index.html" for i in range(6)} <= set(first["written"])
    pictures = [p for p in first["written"] if p.startswith("media/")]
    assert len(pictures) >= 1 and all((root / "_site" / p).read_bytes() == picture for p in pictures)
    for i in range(6):
        page = (root / "_site" / f"posts/p{i}/index.html").read_text(encoding="utf-8")
        assert any(f"../../{p}" in page for p in pictures)
    _, again, _ = build(smm)
    assert again["written"] == [] and again["removed"] == []  # the worker's pages and pictures are in the manifest


def test_listening_page_shows_the_reports_mentions_and_share_of_voice(make_repo, smm):
    root = make_repo({"p.md": post_text()})
    page = lambda: (root / "_site/listening/index.html").read_text(encoding="utf-8")  # noqa: E731
    assert build(smm)[0] == 0
    assert "No listening data yet" in page()
    rows = [f"m{i},mastodon,@fan{i}@x.example,,2026-11-1{i}T08:00:00Z,I love Acme tea {i},https://x.example/{i},Acme,"
            f"{'brand' if i < 3 else 'Globex'},positive,{i}" for i in range(5)]
    (root / "data/mentions").mkdir(parents=True)
    (root / "data/mentions/2026-11.csv").write_text(
        "id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement\n"
        + "\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = build(smm)
    assert code == 0, err
    text = page()
    assert "No listening data yet" not in text and "Share of voice" in text and "Globex" in text
    assert "I love Acme tea" not in text  # counts, not what people said


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


METRIC_P2 = "2026-11-12T00:00:00Z,p2,a,local,p2-a,77,7,7,,,\n"
FUTURE_P2 = "2026-11-25T00:00:00Z,p2,a,local,p2-a,88,8,8,,,\n"  # collected after NOW


@pytest.mark.parametrize(("change", "later", "written", "kept"), [
    (lambda root: None, False, [], ["posts/p1/index.html", "calendar/2026-11/index.html"]),
    (lambda root: _append(root / "data/metrics/2026-11.csv", METRIC_P2), False,
     ["posts/p2/index.html", "report/2026-11/index.html"], ["posts/p1/index.html", "calendar/2026-11/index.html"]),
    (lambda root: (root / "content/p3.md").write_text((root / "content/p3.md").read_text(encoding="utf-8").replace(
        "Title of p3", "Renamed p3"), encoding="utf-8"), False,
     ["posts/p3/index.html", "calendar/2026-11/index.html", "calendar/2026-W45/index.html"], ["posts/p1/index.html"]),
    (lambda root: (root / "content/p3.md").write_text((root / "content/p3.md").read_text(encoding="utf-8").replace(
        "title: Title of p3", "title: Title of p3\nlanguages: [en]"), encoding="utf-8"), False,  # the search index shows it
     ["posts/p3/index.html", "assets/search-index.js"], ["posts/p1/index.html"]),
    (lambda root: _append(root / "data/metrics/2026-11.csv", FUTURE_P2), False,
     ["report/2026-11/index.html"], ["posts/p2/index.html", "calendar/2026-11/index.html"]),
    (lambda root: None, True, ["report/7d/index.html"], ["posts/p2/index.html", "calendar/2026-11/index.html"]),
    (lambda root: (root / "data/published/p2.json").write_text((root / "data/published/p2.json").read_text(
        encoding="utf-8").replace("https://a.example/p2", "https://a.example/p2b"), encoding="utf-8"), False,  # its record
     ["posts/p2/index.html"], ["posts/p1/index.html", "calendar/2026-11/index.html"]),
    (lambda root: (root / "data/published/p2.json").unlink(), False,  # no record: not published
     ["posts/p2/index.html"], ["posts/p1/index.html", "calendar/2026-11/index.html"]),
])
def test_a_rebuild_renders_exactly_the_pages_whose_inputs_changed(tmp_path, monkeypatch, smm, change, later, written,
                                                                  kept):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(smm)[0] == 0
    change(tmp_path)
    code, again, err = build(smm, *(["--now", "2026-11-20T11:00:00+08:00"] if later else []))
    assert code == 0, err
    assert set(written) <= set(again["written"]) and not set(kept) & set(again["written"])
    if not written:
        assert again["written"] == []
    fresh = tmp_path / "fresh"  # the same inputs into a new folder: the same pages (a kept page keeps its build time)
    assert build(smm, *(["--now", "2026-11-20T11:00:00+08:00"] if later else []), out="fresh")[0] == 0
    for page in written + kept:
        assert _unstamped(tmp_path / "_site" / page) == _unstamped(fresh / page), page


def _unstamped(path: Path) -> str:
    return re.sub(r"<footer.*?</footer>", "", path.read_text(encoding="utf-8"), flags=re.S)


def test_metrics_collected_after_the_last_build_show_once_the_build_time_passes_them(tmp_path, monkeypatch, smm):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    _append(tmp_path / "data/metrics/2026-11.csv", FUTURE_P2)
    assert build(smm)[0] == 0
    assert ">88<" not in (tmp_path / "_site/posts/p2/index.html").read_text(encoding="utf-8")
    code, again, err = build(smm, "--now", "2026-11-26T10:00:00+08:00")
    assert code == 0, err
    assert "posts/p2/index.html" in again["written"]
    assert ">88<" in (tmp_path / "_site/posts/p2/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("later", [False, True])
def test_a_build_into_a_new_folder_reuses_the_cached_post_pages_with_its_own_time(make_repo, smm, later):
    picture = (ROOT / "content/media/winter-blend.png").read_bytes()
    root = make_repo({"p.md": post_text("with a picture", title="P", media="[{file: content/media/p.png, alt: A tin}]"),
                      "q.md": post_text("plain", title="Q")}, files={"content/media/p.png": picture})
    assert build(smm)[0] == 0
    when = ["--now", "2026-11-21T10:00:00+08:00"] if later else []
    code, fresh, err = build(smm, *when, out="fresh")
    assert code == 0, err
    assert {"posts/p/index.html", "posts/q/index.html"} <= set(fresh["written"])
    pictures = [p for p in fresh["written"] if p.startswith("media/")]
    assert pictures and all((root / "fresh" / p).read_bytes() == picture for p in pictures)
    for page in ("posts/p/index.html", "posts/q/index.html"):
        text = (root / "fresh" / page).read_text(encoding="utf-8")
        assert ("2026-11-21 10:00" in text) == later and text.count("<footer") == 1
        assert _unstamped(root / "fresh" / page) == _unstamped(root / "_site" / page)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("edits", "hidden"), [
    ([("b.md", post_text("B text", title="B", id="a"))], {"a.md", "b.md"}),  # b's id is a's file name
    ([("b.md", post_text("B text", title="B", id="same")), ("a.md", post_text("A text", title="A", id="same"))],
     {"a.md", "b.md"}),
    ([("c.md", post_text("C text", title="C", id="a")), ("b.md", post_text("B text", title="B", id="a"))],
     {"a.md", "b.md", "c.md"}),  # three posts, one id
    ([("b.md", post_text("B text", title="B", id="a", platforms="[nowhere]"))], {"a.md", "b.md"}),  # b has errors too
    ([("b.md", post_text("B text", title="B", id="a")), ("a.md", post_text("A again", title="A", id="x"))], set()),
])
def test_posts_claiming_one_id_are_not_shown_and_a_rebuild_equals_a_fresh_build(make_repo, smm, edits, hidden):
    """Two posts of one id would share one page, which one depending on which was built last."""
    root = make_repo({"a.md": post_text("A text", title="A"), "b.md": post_text("B text", title="B"),
                      "c.md": post_text("C text", title="C")})
    assert build(smm)[0] == 0
    for name, text in edits:
        (root / "content" / name).write_text(text, encoding="utf-8")
        code, built, err = build(smm)
        assert code == 0, err
    assert set(built["not_shown"]) == {f"content/{name}" for name in hidden}
    shown = {"A", "B", "C"} - {name[0].upper() for name in hidden}
    index = (root / "_site/assets/search-index.js").read_text(encoding="utf-8")
    assert {t for t in ("A", "B", "C") if f'"{t}"' in index} == shown
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh")


PICTURE = (ROOT / "content/media/winter-blend.png").read_bytes()
OTHER_PICTURE = (ROOT / "content/media/water-temperature.png").read_bytes()
WECHAT = PLATFORMS + "  wechat: {platform: wechat, app_id: wx0c1eaf7ea0example, secret_env: T_WECHAT}\n"
ARTICLE = {"title": "P", "platforms": "[wechat]", "media": "[{file: content/media/cover.png, alt: A cover}]"}


SHARING = {"a": ["p.png"], "b": ["p.png", "q.png"], "c": ["q.png"], "d": ["missing.png"], "e": []}  # post → its media


@pytest.mark.parametrize(("edit", "rewritten"), [
    (lambda media: (media / "p.png").write_bytes(OTHER_PICTURE), {"a", "b"}),
    (lambda media: (media / "q.png").write_bytes(OTHER_PICTURE), {"b", "c"}),
    (lambda media: (media / "q.png").unlink(), {"b", "c"}),
    (lambda media: (media / "missing.png").write_bytes(PICTURE), {"d"}),  # a file named but missing, then added
    (lambda media: (media / "unnamed.png").write_bytes(PICTURE), set()),
])
def test_a_picture_several_posts_name_makes_each_of_their_pages_again(make_repo, smm, edit, rewritten):
    """The media a post names are in its page's key by their files (each looked at once per build)."""
    def media(names):
        return "[" + ", ".join(f"{{file: content/media/{n}, alt: A tin}}" for n in names) + "]" if names else None

    root = make_repo({f"{name}.md": post_text(f"Post {name}.", title=name.upper(), media=media(names))
                      for name, names in SHARING.items()},
                     files={"content/media/p.png": PICTURE, "content/media/q.png": PICTURE})
    assert build(smm)[0] == 0
    edit(root / "content/media")
    code, again, err = build(smm)
    assert code == 0, err
    assert {p.split("/")[1] for p in again["written"] if p.startswith("posts/")} == rewritten
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh")


@pytest.mark.parametrize(("post", "picture", "edit"), [
    (post_text("Text.\n\n![A tin](content/media/p.png)", **ARTICLE), "p.png", "replace"),  # in an article's body
    (post_text("Text.\n\n![A tin][tin]\n\n[tin]: content/media/p.png", **ARTICLE), "p.png", "replace"),
    (post_text("Text.\n\n![A tin](content/media/p.png)", **ARTICLE), "p.png", "remove"),
    (post_text("Text.", **ARTICLE), "cover.png", "replace"),  # named in the front matter
])
def test_a_page_is_made_again_when_a_picture_it_shows_changes(make_repo, smm, post, picture, edit):
    """A picture named in a body (or by a template) is no input of the page's key: its file is."""
    root = make_repo({"p.md": post, "q.md": post_text("plain", title="Q")}, platforms=WECHAT,
                     files={"content/media/p.png": PICTURE, "content/media/cover.png": PICTURE})
    assert build(smm)[0] == 0
    assert build(smm, out="other")[0] == 0  # from the pages kept in the cache folder
    if edit == "replace":
        (root / "content/media" / picture).write_bytes(OTHER_PICTURE)
    else:
        (root / "content/media" / picture).unlink()
    for out in ("_site", "other"):
        code, again, err = build(smm, out=out)
        assert code == 0, err
        assert "posts/p/index.html" in again["written"] and "posts/q/index.html" not in again["written"]
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh") == _tree(root / "other")
    shown = [(root / "fresh" / p).read_bytes() for p in _tree(root / "fresh") if p.startswith("media/")]
    assert (OTHER_PICTURE in shown) == (edit == "replace") and len(shown) == (1 if picture == "cover.png" or edit == "remove" else 2)


def _field(root: Path, post_id: str, line: str) -> None:
    path = root / f"content/{post_id}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{line}\n", 1), encoding="utf-8")


@pytest.mark.parametrize("edit", [
    lambda root: _field(root, "p1", "audience: [cafe-owner]"),  # the persona table
    lambda root: _field(root, "p2", "campaign: c1"),
    lambda root: (root / "content/p3.md").write_text((root / "content/p3.md").read_text(encoding="utf-8").replace(
        "pillar: tips", "pillar: news"), encoding="utf-8"),
    lambda root: (root / "content/p2.md").write_text((root / "content/p2.md").read_text(encoding="utf-8").replace(
        "Title of p2", "Renamed p2"), encoding="utf-8"),
])
def test_report_pages_are_made_again_when_what_they_show_of_a_published_post_changes(tmp_path, monkeypatch, smm, edit):
    write_fixture(tmp_path)
    shutil.copy(ROOT / "brand/personas.yml", tmp_path / "brand/personas.yml")
    monkeypatch.chdir(tmp_path)
    assert build(smm)[0] == 0
    edit(tmp_path)
    code, again, err = build(smm)
    assert code == 0, err
    assert "report/2026-11/index.html" in again["written"]
    assert build(smm, out="fresh")[0] == 0
    assert _tree(tmp_path / "_site") == _tree(tmp_path / "fresh")


@pytest.mark.parametrize("change", ["edit the picture", "remove the site's copy"])
def test_pages_sharing_a_picture_stay_tied_to_it_through_builds_that_keep_them(make_repo, smm, change):
    body = "Text.\n\n![A tin](content/media/p.png)"
    root = make_repo({"p.md": post_text(body, **ARTICLE), "r.md": post_text(body, **{**ARTICLE, "title": "R"})},
                     platforms=WECHAT, files={"content/media/p.png": PICTURE, "content/media/cover.png": PICTURE})
    assert build(smm)[0] == 0
    assert build(smm)[1]["written"] == []  # both pages kept: each must still know the pictures it shows
    if change == "edit the picture":
        (root / "content/media/p.png").write_bytes(OTHER_PICTURE)
    else:
        for name in [p for p in _tree(root / "_site") if p.startswith("media/")]:
            (root / "_site" / name).unlink()
    code, again, err = build(smm)
    assert code == 0, err
    assert {"posts/p/index.html", "posts/r/index.html"} <= set(again["written"])
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh")


def _same_size_same_time(path: Path, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (as long) in the file, and set its modification time back."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize(("file", "old", "new"), [
    ("data/metrics/2026-11.csv", b",p1,a,local,p1-a,99,", b",p1,a,local,p1-a,98,"),  # a post's and a report's figures
    ("data/accounts/2026-11.csv", b",a,local,1200", b",a,local,1300"),  # followers: the report
    ("data/published/p2.json", b"https://a.example/p2", b"https://a.example/q2"),  # a post's record
    ("content/p3.md", b"Title of p3", b"Title of q3"),
])
def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(tmp_path, monkeypatch, smm, file, old, new):
    """Stamps hold the change time too, as the check's cache does: setting the modification time back
    (a tool, an archive extracted, a clock) does not hide an edit."""
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(smm)[0] == 0
    _same_size_same_time(tmp_path / file, old, new)
    code, again, err = build(smm)
    assert code == 0, err
    assert again["written"]
    assert build(smm, out="fresh")[0] == 0
    assert _tree(tmp_path / "_site") == _tree(tmp_path / "fresh")


@pytest.mark.parametrize("picture", ["p.png", "cover.png"])
def test_a_picture_edited_in_place_keeping_size_and_time_is_shown_new(make_repo, smm, picture):
    root = make_repo({"p.md": post_text("Text.\n\n![A tin](content/media/p.png)", **ARTICLE)}, platforms=WECHAT,
                     files={"content/media/p.png": PICTURE, "content/media/cover.png": PICTURE})
    assert build(smm)[0] == 0
    middle = PICTURE[len(PICTURE) // 2:len(PICTURE) // 2 + 8]
    _same_size_same_time(root / "content/media" / picture, middle, bytes(255 - b for b in middle))
    assert build(smm)[0] == 0
    assert build(smm, out="fresh")[0] == 0
    assert _tree(root / "_site") == _tree(root / "fresh")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _record(root: Path, post_id: str, published_at: str | None, account: str = "a") -> None:
    job = {"state": "published", "attempts": 1, "remote_id": f"{post_id}-{account}",
           "url": f"https://{account}.example/{post_id}", "error": None,
           **({"published_at": published_at} if published_at else {})}
    (root / f"data/published/{post_id}.json").write_text(
        json.dumps({"post": post_id, "file": f"content/{post_id}.md", "accounts": {account: job}}), encoding="utf-8")


def _new_post(root: Path, post_id: str, publish_at: str, published_at: str | None) -> None:
    (root / f"content/{post_id}.md").write_text(post_text(f"Post {post_id}", title=f"Title of {post_id}",
                                                          publish_at=publish_at, platforms="[a]", pillar="news"),
                                                encoding="utf-8")
    _record(root, post_id, published_at)


LATER = "2026-11-20T11:00:00+08:00"


def _jobs_before_the_goals_window(root: Path) -> None:
    """Five posts on b that went out 113 days before NOW: read by the goals' trend of a report ending
    at NOW (values over 30 days, weekly over the 90 days before it), not by one ending eight days
    later; and a goal of posts on b whose forecast shows them."""
    for n in range(5):
        post_id = f"early{n}"
        (root / f"content/{post_id}.md").write_text(post_text(f"Post {post_id}", title=f"Title of {post_id}",
                                                              publish_at="2026-07-30T02:00", platforms="[b]"),
                                                    encoding="utf-8")
        _record(root, post_id, "2026-07-30T02:00:00+00:00", account="b")
    _append(root / "brand/goals.yml", "  - {id: b-posts-later, metric: posts, account: b, baseline: 1, target: 50, "
                                      "deadline: 2027-06-30}\n")
ROLLING_PAGES = ["report/7d/index.html", "report/30d/index.html", "report/90d/index.html", "report/2026-11/index.html",
                 "report/index.html", "index.html", "listening/index.html"]


# (before the first build, after it, the two builds' times, what the later build's last 30 days show or do not show)
@pytest.mark.parametrize(("before", "after", "times", "shown", "present"), [
    # what the reports' jobs are made of (reports.history_key): the records, the posts they name, as shown
    (None, lambda root: _replace(root / "data/published/p2.json", "https://a.example/p2", "https://a.example/p2-moved"),
     (NOW, LATER), "p2-moved", True),
    (None, lambda root: (root / "data/published/p3.json").unlink(), (NOW, LATER), "Title of p3", False),
    (None, lambda root: _replace(root / "content/p2.md", "Title of p2", "Renamed p2"), (NOW, LATER), "Renamed p2", True),
    (None, lambda root: _field(root, "p2", "campaign: c9"), (NOW, LATER), "c9", True),
    (lambda root: _record(root, "p2", None),  # a record without its time: the post's publish_at is when it went out
     lambda root: _replace(root / "content/p2.md", "2026-11-04T18:00", "2026-11-05T17:00"), (NOW, LATER), "17:00", True),
    # what they read besides (reports.readings_key): the metrics and follower counts
    (None, lambda root: _append(root / "data/metrics/2026-11.csv", "2026-11-12T00:00:00Z,p2,a,local,p2-a,777,7,7,,,\n"),
     (NOW, LATER), "791", True),
    (None, lambda root: _append(root / "data/accounts/2026-11.csv", "2026-11-15T00:00:00Z,a,local,4321\n"),
     (NOW, LATER), "4,321", True),
    # the time moved past a metrics row, a follower count, a job; into the month of a file not read before
    (lambda root: _append(root / "data/metrics/2026-11.csv", "2026-11-20T02:30:00Z,p2,a,local,p2-a,777,7,7,,,\n"),
     None, (NOW, LATER), "791", True),
    (lambda root: _append(root / "data/accounts/2026-11.csv", "2026-11-20T02:30:00Z,a,local,4321\n"),
     None, (NOW, LATER), "4,321", True),
    (lambda root: _new_post(root, "p4", "2026-11-20T02:20", "2026-11-20T02:30:00+00:00"), None, (NOW, LATER),
     "<b>5</b><span>posts published", True),
    (lambda root: (root / "data/metrics/2026-12.csv").write_text(  # a row of November in December's file
        "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"
        "2026-11-15T00:00:00Z,p2,a,local,p2-a,777,7,7,,,\n", encoding="utf-8"),
     None, ("2026-11-30T23:30:00+00:00", "2026-12-01T00:30:00+00:00"), "791", True),
    # back in time in the same month: the goals read jobs older than any a report ending at the later time reads
    (_jobs_before_the_goals_window, None, ("2026-11-28T10:00:00+08:00", NOW), "b-posts-later", True),
])
def test_reports_made_at_a_later_time_show_every_change_of_what_they_read(tmp_path, monkeypatch, smm, before, after,
                                                                           times, shown, present):
    """The rolling reports made again at a later time, from what the build before read when it
    holds (reports.Readings, reports.history), equal those of a build with no cache."""
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    if before:
        before(tmp_path)
    first, later = times
    assert build(smm, "--now", first)[0] == 0
    if after:
        after(tmp_path)
    code, again, err = build(smm, "--now", later)
    assert code == 0, err
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "another-cache"))
    assert build(smm, "--now", later, out="fresh")[0] == 0
    site, fresh = _tree(tmp_path / "_site"), _tree(tmp_path / "fresh")
    for page in ROLLING_PAGES:
        if page in fresh:
            assert site[page] == fresh[page], page
    assert (shown in fresh["report/30d/index.html"].decode()) is present


def test_a_build_an_hour_later_with_nothing_changed_reads_no_metrics(tmp_path, monkeypatch, smm):
    """The rolling reports are made again from what the build before read (reports.Readings)."""
    from smm.report import load

    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert build(smm)[0] == 0
    monkeypatch.setattr(load, "_connect", lambda: pytest.fail("the metrics were read again"))
    code, again, err = build(smm, "--now", LATER)
    assert code == 0, err
    assert "report/7d/index.html" in again["written"]


def test_the_reports_ending_now_read_no_job_before_reads_from(tmp_path):
    """What reports.Readings keeps: the reports ending at a time (the rolling periods, this month's)
    made from the entries of the jobs from reads_from() on equal those made from every entry; from
    eight days later on, some differ (the goals read from 114 days back: weekly values over 30 days)."""
    import bisect
    from datetime import datetime, timedelta

    from smm.report import History, build as report
    from smm.report.load import Metrics
    from smm.site import reports

    write_fixture(tmp_path)
    _jobs_before_the_goals_window(tmp_path)
    for n in range(300):  # a post a day on a or b from May 2026 to February 2027
        day = (datetime(2026, 5, 1) + timedelta(days=n)).strftime("%Y-%m-%dT12:00")
        account = "ab"[n % 2]
        (tmp_path / f"content/s{n}.md").write_text(post_text(f"Post s{n}", title=f"Title of s{n}", publish_at=day,
                                                             platforms=f"[{account}]"), encoding="utf-8")
        _record(tmp_path, f"s{n}", day + ":00+00:00", account=account)
    repo = load_repo(tmp_path)
    differs = set()
    for now in (NOW, "2026-11-01T00:30:00+00:00", "2026-12-31T23:00:00+00:00", "2027-02-20T00:00:00+00:00",
                "2027-03-01T00:00:00+00:00"):
        moment = datetime.fromisoformat(now)
        since = reports.reads_from(moment, repo.config.timezone)
        metrics = Metrics(tmp_path, moment)
        for period in [p for p in reports.periods(repo, moment) if p.end == moment]:
            whole = History(repo)
            expected = report(repo, period.start, period.end, moment, metrics, whole)
            value = whole.known(moment, metrics)
            for cut, same in ((since, True), (since + timedelta(days=8), False)):
                first = bisect.bisect_left(value[2], cut, key=lambda e: e.published_at)
                assert first > 0
                part = History(repo)
                part.give(moment, metrics, (*value[:2], value[2][first:], *value[3:]))
                made = report(repo, period.start, period.end, moment, metrics, part)
                if same:
                    assert (made.data, made.charts) == (expected.data, expected.charts), (now, period.slug)
                elif made.data != expected.data:
                    differs.add(now)
        metrics.close()
    assert len(differs) >= 3, differs
