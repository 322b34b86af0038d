"""The site build's fast paths (issue 19) against the plain ones: the same pages, the same reports.

- the cards' token pattern (links, hashtags, mentions) against the shared patterns it is made of;
- the cards' allow-list reading plain HTML itself against html.parser reading it;
- the reports of several periods sharing one History against each report built alone;
- the post pages shared by two processes against one process rendering them all;
- plain_digest (marshal) against digest (repr): equal for equal values, whichever objects hold them;
- the page cache's links (or copies) against rendering every page; a new folder's build sweeping nothing;
- a measured post's interactions against the sum over INTERACTIONS.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from markupsafe import Markup
from conftest import ROOT, SLOTS, post_text
from test_report import write_fixture
from test_site import NOW

from smm import report
from smm.content.tokens import HASHTAG, MENTION, URL
from smm.data.jobs import published_jobs
from smm.render import cards
from smm.render import htmlfeed
from smm.render.cards import plain_tokens, rich_text
from smm.report.load import Metrics
from smm.site import output, reports
from smm.workspace.repo import load_repo

PLAIN_TOKENS = re.compile(rf"(?P<url>{URL.pattern})|(?P<tag>{HASHTAG.pattern})|(?P<mention>(?<![\w@/]){MENTION.pattern})")
PIECES = ["#", "@", "h", "http://", "https://x.example/a_(b)", "&#39;", "&", "/", "a", "中", "话题", " ", "\n", ".",
          "-", "_", "{", "}", "@{name}", "#tag", "@me@example.social", "x@y.z", "（", "」", "1", "?u=", "#x", "ttp", ":",
          "https://x.example/#a@b", "😀", "\x00"]


def _generated(count: int, seed: int = 19) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(count)]


@pytest.mark.parametrize("text", [
    "#tag at the start", "a#b not a tag", "##double", "&#39;s not a tag", "@me @you", "a@b.example mail", "/@path",
    "@@twice", "@{handle} resolved later", "https://x.example/#frag and #real", "中文#话题 and #话题", "@user@example.social.",
    "http://x.example/@user", "#", "@", "", "h", "trailing @", "#xhttp://a.example/?u=http://b.example #y",
    "@mehttp://a.example/http://b.example", "https://a.example/#tag#tag2 #tag3", "https://a.example/@x@y.z @z",
    "#a#b#c", "@a@b@c", "#tag@me@example.social http://x", "http://http://x.example", *_generated(1500)])
def test_card_tokens_are_the_shared_patterns(text):
    """The three patterns searched alone and merged find what their one alternation finds."""
    fast = [((start, end), kind) for start, end, kind, _ in plain_tokens(text)]
    assert fast == [(m.span(), m.lastgroup) for m in PLAIN_TOKENS.finditer(text)]
    assert [token for *_, token in plain_tokens(text)] == [m.group() for m in PLAIN_TOKENS.finditer(text)]
    assert rich_text(text, "mastodon").count('class="tag"') == sum(kind == "tag" for _, kind in fast)


TAG_PIECES = ["<p>", "</p>", "<P>", "<strong>", "</strong>", "<a href=\"https://x.example/?a=1&amp;b=2\">", "</a>",
              "<a href=\"javascript:alert(1)\">", "<a href='https://x.example/'>", "<a href=https://x.example/>", "<a href>",
              "<section style=\"color: red;font-size: 15px\">", "</section>", "<span class=\"tg-spoiler\">", "</span>",
              "<tg-spoiler>", "</tg-spoiler>", "<br>", "<br/>", "<br />", "<hr>", "<img alt=\"a &amp; b\" src=\"x.png\">",
              "<img src=\"\">", "<script>", "</script>", "<style>", "</style>", "<iframe>", "</iframe>", "<textarea>",
              "<title>", "<!-- a comment -->", "<!DOCTYPE html>", "<?pi?>", "<![CDATA[x]]>", "<", ">", "</", "</ p>",
              "<p  >", "<p class=\"\">", "<li>", "</li>", "<ul>", "</ul>", "<code>", "</code>", "<pre>", "</pre>", "<sup>"]
TEXT_PIECES = ["text", " ", "\n", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&", "&amp", "&#x41;", "&nbsp;", "中文",
               "#tag", "@me", "https://x.example/a?b=1&c=2", '"', "'", "=", "\x00"]


def _markup(count: int, seed: int = 19) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(TAG_PIECES if rng.random() < 0.45 else TEXT_PIECES) for _ in range(rng.randint(0, 16)))
            for _ in range(count)]


def _html_parser_reads(markup: str, allowed: set, **options) -> tuple[str, list[str]]:
    parser = cards._AllowList(allowed, **options)
    parser.feed(markup)
    return parser.result(), parser.refused


MODES = {"feed": ({}, cards._BLOCK_TAGS | cards._INLINE_TAGS),
         "article": ({"styles": True}, cards._BLOCK_TAGS | cards._INLINE_TAGS | {"section"}),
         "telegram": ({"linkify": "telegram"}, cards._INLINE_TAGS | {"pre", "blockquote"})}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("markup", ["", "plain", "<p>a</p>", "<p>a &amp; b</p>\n<p>c</p>", "<br/><br />x", "a < b",
                                    "<p>unclosed", "</p>stray end", *_markup(300)])
def test_allow_list_reads_plain_html_as_html_parser_does(tmp_path, mode, markup):
    options, allowed = MODES[mode]
    images = cards.Images(tmp_path) if mode == "article" else None
    fast = cards.safe_html(markup, allowed, images=images, **options)
    assert fast == _html_parser_reads(markup, allowed, images=cards.Images(tmp_path) if images else None, **options)


def test_plain_html_is_read_without_html_parser():
    """The generated markup exercises both readers: plain pieces only are read by the fast one."""
    plain = [m for m in _markup(300) if htmlfeed._events(m) is not None]
    assert 30 < len(plain) < 290


@pytest.fixture
def repo(tmp_path):
    return load_repo(write_fixture(tmp_path))


@pytest.mark.parametrize("end", ["2026-01-01T00:00", "2026-10-01T00:00", "2026-10-20T10:01", "2026-10-20T10:02",
                                 "2026-11-05T00:00", "2026-11-10T09:30", "2027-06-01T00:00"])
def test_history_before_an_end_is_every_job_out_before_it(repo, end):
    moment = datetime.fromisoformat(end + "+00:00")
    history = report.History(repo)
    plain = [(j.post_id, j.account, j.published_at) for j in published_jobs(repo.records, repo.posts)
             if j.published_at < moment]
    assert [(post_id, account, when) for post_id, _, account, _, when, *_ in history.before(moment)] == plain


def _example(root: Path) -> Path:
    for name in ("brand", "content", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "platforms.yml", root / "platforms.yml")
    return root


@pytest.mark.parametrize("which", ["fixture", "example"])
def test_reports_sharing_metrics_and_history_equal_reports_built_alone(tmp_path, which):
    repo = load_repo(write_fixture(tmp_path) if which == "fixture" else _example(tmp_path))
    now = datetime.fromisoformat(NOW)
    periods = reports.periods(repo, now) + [reports.Period("old", now - timedelta(days=900), now - timedelta(days=800), None)]
    assert len(periods) > 4
    metrics, history = Metrics(repo.root, now), report.History(repo)
    try:
        for period in periods:
            shared = report.build(repo, period.start, period.end, now, metrics, history)
            alone = report.build(repo, period.start, period.end, now)
            assert (shared.data, shared.charts, shared.language, shared.warnings) == \
                   (alone.data, alone.charts, alone.language, alone.warnings), period.slug
    finally:
        metrics.close()


def test_a_measured_posts_interactions_are_the_sum_of_its_counts():
    """MeasuredPost.interactions adds its INTERACTIONS counts by name (was: a loop over them)."""
    from smm.report.kpis import INTERACTIONS, MeasuredPost

    rng = random.Random(19)
    moment = datetime.fromisoformat(NOW)
    values = [None, 0, 1, 7, 10 ** 12, 2.5, 0.1]
    for _ in range(2000):
        counts = {name: rng.choice(values) for name in ("likes", "reposts", "replies", "quotes", "views", "clicks")}
        entry = MeasuredPost("p", "T", "a", "mastodon", moment, **counts, collected=rng.random() < 0.9,
                             followers=rng.choice([None, 0, 1000]))
        plain = sum(getattr(entry, name) or 0 for name in INTERACTIONS) if entry.collected else None
        assert entry.interactions == plain and type(entry.interactions) is type(plain)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("posts", [3, 12, 40])
def test_pages_shared_by_two_processes_equal_pages_of_one(make_repo, smm, monkeypatch, posts):
    picture = (ROOT / "content/media/winter-blend.png").read_bytes()
    media = "[{file: content/media/p.png, alt: A tin}]"
    make_repo({f"p{i}.md": post_text(f"post {i} #tag @me https://x.example/{i}", title=f"P{i}",
                                      media=media if i % 3 == 0 else None,
                                      platforms="[feed, mastodon, bluesky]" if i % 2 else "[feed, mastodon]")
               for i in range(posts)}, files={"content/media/p.png": picture})
    built = {}
    for worker_from, out in ((10 ** 9, "one"), (2, "two")):  # each with its own cache: every page rendered
        monkeypatch.setattr(output, "WORKER_FROM", worker_from)
        code, text, err = smm("site", "build", "--out", out, "--now", NOW, "--format", "json",
                              env={"SMM_CACHE_DIR": str(Path(f"cache-{out}").resolve())})
        assert code == 0, err
        built[out] = json.loads(text)
    kept = [p for p in Path("cache-two").glob("*/site-pages/*/*") if p.suffix != ".json"]
    assert len(kept) == posts  # rendered, not copied from the other build
    assert _files(Path("one")) == _files(Path("two"))
    assert built["one"]["written"] == built["two"]["written"] == sorted(built["one"]["written"])


def _cached_pages() -> list[Path]:
    return [p for p in Path("cache").glob("*/site-pages/*/*") if p.suffix != ".json"]


@pytest.mark.parametrize("posts", [4, 15])
@pytest.mark.parametrize("linked", [True, False])
def test_pages_kept_as_links_or_copies_equal_pages_rendered(make_repo, smm, monkeypatch, posts, linked):
    """The page cache keeps each rendered page as a hard link to the site's file, or a copy where
    no link can be made: builds that copy pages from it (site removed, a new folder, a page edited
    and put back) equal builds that render every page."""
    import errno
    import os

    picture = (ROOT / "content/media/winter-blend.png").read_bytes()
    root = make_repo({f"p{i}.md": post_text(f"post {i} #tag https://x.example/{i}", title=f"P{i}",
                                             media="[{file: content/media/p.png, alt: A tin}]" if i % 3 == 0 else None)
                      for i in range(posts)}, files={"content/media/p.png": picture})
    if not linked:
        def no_link(source, target):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        monkeypatch.setattr(output.os, "link", no_link)
    cache = {"SMM_CACHE_DIR": str(Path("cache").resolve())}

    def built(out: str, env: dict = cache) -> dict[str, bytes]:
        code, _, err = smm("site", "build", "--out", out, "--now", NOW, env=env)
        assert code == 0, err
        return _files(Path(out))

    first = built("site")
    kept = _cached_pages()
    assert len(kept) == posts and len({p.name for p in kept}) == posts
    site_pages = {os.stat(p).st_ino for p in Path("site/posts").glob("*/index.html")}
    assert ({p.stat().st_ino for p in kept} == site_pages) == linked
    assert all(p.stat().st_nlink == (2 if linked else 1) for p in kept)
    shutil.rmtree("site")
    assert built("site") == first  # every page from the cache
    assert built("other") == first
    edited = root / "content/p0.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("post 0", "post zero"), encoding="utf-8")
    built("site")
    edited.write_text(text, encoding="utf-8")
    assert built("site") == first == built("plain", {"SMM_CACHE_DIR": str(Path("plain-cache").resolve())})
    assert len(_cached_pages()) == posts  # an edited post's older pages forgotten


@pytest.mark.parametrize(("before", "removed"), [
    (None, []),  # no folder: nothing to look at
    ({}, []),  # an empty folder
    ({".smm-site": "x", "posts/gone/index.html": "old", "media/old.png": "x"}, ["media/old.png", "posts/gone/index.html"]),
    ({".smm-site": "x", "posts/p0/index.html": "stale"}, []),  # written again, not removed
    ({".smm-site": "x", "deep/er/file.txt": "x", "index.html": "old"}, ["deep/er/file.txt"]),
])
def test_a_build_without_a_manifest_removes_every_file_it_did_not_make(make_repo, smm, before, removed):
    """Without the last build's manifest (another cache folder) the folder is swept; a folder that
    was new or empty is not looked at (it holds only what the build made)."""
    make_repo({f"p{i}.md": post_text(f"post {i}", title=f"P{i}") for i in range(3)})
    for name, text in (before or {}).items():
        Path("out", name).parent.mkdir(parents=True, exist_ok=True)
        Path("out", name).write_text(text, encoding="utf-8")
    if before == {}:
        Path("out").mkdir()
    code, text, err = smm("site", "build", "--out", "out", "--now", NOW, "--format", "json",
                          env={"SMM_CACHE_DIR": str(Path("cache").resolve())})
    assert code == 0, err
    assert json.loads(text)["removed"] == removed
    assert not any(Path("out", name).exists() for name in removed)
    code, _, err = smm("site", "build", "--out", "fresh", "--now", NOW, env={"SMM_CACHE_DIR": str(Path("other").resolve())})
    assert code == 0, err
    assert _files(Path("out")) == _files(Path("fresh"))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "America/Havana", "Pacific/Apia"])
@pytest.mark.parametrize("monday", ["2026-03-02", "2026-03-09", "2026-10-26", "2026-11-02", "2026-12-28"])
def test_a_weeks_timeline_from_the_posts_near_it_is_the_whole_timeline(make_repo, monkeypatch, zone, monday):
    from datetime import date
    from zoneinfo import ZoneInfo

    from smm.workspace import calendar
    from smm.workspace.calendar import timeline

    rng = random.Random(f"{zone}{monday}")
    start = date.fromisoformat(monday)
    times = [datetime.combine(start + timedelta(days=rng.randint(-3, 10)), datetime.min.time())
             + timedelta(minutes=rng.choice([0, 1, 59, 720, 1439]) + rng.randint(0, 3)) for _ in range(30)]
    make_repo({f"p{i}.md": post_text(title=f"P{i}", publish_at=f"{t:%Y-%m-%dT%H:%M}", pillar=rng.choice(["news", "tips"]),
                                      **({"draft": "true"} if i % 7 == 0 else {}))
               for i, t in enumerate(times)},
              platforms=f"timezone: {zone}\naccounts:\n  feed: {{platform: feed, path: data/feed/feed.xml, site: https://example.com}}\n",
              calendar="pillars:\n  news: {description: News}\n  tips: {description: Tips}\n" + SLOTS)
    repo = load_repo(Path.cwd())
    assert len(repo.posts) == 30
    tz = ZoneInfo(zone)
    first = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    last = datetime.combine(start + timedelta(days=7), datetime.min.time(), tzinfo=tz)
    near = timeline(repo.calendar, repo.posts, tz, first, last)  # from the posts near the week
    monkeypatch.setattr(calendar, "NEAR_DAY", timedelta(days=100_000))  # every post looked at
    assert near == timeline(repo.calendar, repo.posts, tz, first, last)


def _accounts_month(root: Path, month: str) -> None:
    (root / f"data/accounts/{month}.csv").write_text(f"collected_at,account,platform,followers\n{month}-15T00:00:00Z,a,local,120\n",
                                                     encoding="utf-8")


@pytest.mark.parametrize(("before", "change"), [
    (None, lambda root: None),
    (None, lambda root: _accounts_month(root, "2026-09")),  # a month with data before the others
    (lambda root: _accounts_month(root, "2026-08"), lambda root: (root / "data/accounts/2026-08.csv").unlink()),
    (None, lambda root: _accounts_month(root, "2027-01")),  # after now: no page
    (None, lambda root: (root / "platforms.yml").write_text(  # another time zone: months begin elsewhere
        (root / "platforms.yml").read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Pacific/Kiritimati"),
        encoding="utf-8")),
])
def test_report_months_kept_from_the_last_build_are_the_months_found_again(tmp_path, monkeypatch, smm, before, change):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    if before:
        before(tmp_path)
    assert smm("site", "build", "--now", NOW)[0] == 0
    change(tmp_path)
    assert smm("site", "build", "--now", NOW)[0] == 0  # the months from the manifest while data/ is unchanged
    code, _, err = smm("site", "build", "--now", NOW, "--out", "fresh", env={"SMM_CACHE_DIR": str(tmp_path / "other")})
    assert code == 0, err
    kept, found = (sorted(p.relative_to(tmp_path / out).as_posix() for p in (tmp_path / out / "report").rglob("*.html"))
                   for out in ("_site", "fresh"))
    assert kept == found and len(found) >= 5


@pytest.mark.parametrize("enabled", [True, False])
def test_cycle_collection_runs_while_pages_render_and_is_as_before_after(make_repo, smm, monkeypatch, enabled):
    """The build's bookkeeping runs without cycle collection; rendering a page (which may leave cycles) with it."""
    import gc

    from smm.site import posts as site_posts

    make_repo({f"p{i}.md": post_text(f"post {i}", title=f"P{i}") for i in range(3)})
    during = []
    real = site_posts.post_page
    monkeypatch.setattr(site_posts, "post_page", lambda *a, **k: during.append(gc.isenabled()) or real(*a, **k))
    gc.enable() if enabled else gc.disable()
    try:
        assert smm("site", "build", "--now", NOW)[0] == 0
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert during == [True] * 3


def test_pages_from_compiled_templates_equal_pages_compiled_anew(make_repo, smm, monkeypatch):
    """Templates loaded from smm's cache folder render what templates compiled anew render; a template folder
    that cannot be written (a file in its place) keeps nothing and changes nothing."""
    from smm import pages
    from smm.workspace.cache import cache_dir

    make_repo({f"p{i}.md": post_text(f"post {i} #tag https://x.example/{i}", title=f"P{i}") for i in range(3)})
    monkeypatch.setenv("SMM_CACHE_DIR", str(Path("cache").resolve()))
    built = {}
    folder = Path(pages._compiled_folder())
    for out in ("anew", "loaded", "unwritable"):
        pages.environment.cache_clear()  # a new process's environment
        shutil.rmtree(cache_dir(Path.cwd()) / "site-pages", ignore_errors=True)  # every page rendered again
        if out == "loaded":
            kept = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
        if out == "unwritable":
            shutil.rmtree(folder)
            folder.write_text("not a folder", encoding="utf-8")
        code, _, err = smm("site", "build", "--out", out, "--now", NOW)
        assert code == 0, err
        if out == "anew":
            assert len(list(folder.iterdir())) >= 5  # the site's templates, compiled and kept
        if out == "loaded":  # every template loaded, none compiled and kept again
            assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == kept
        built[out] = _files(Path(out))
    pages.environment.cache_clear()
    assert built["anew"] == built["loaded"] == built["unwritable"]


def _plain_values(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "none", "bool"] + (["tuple", "list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))
    if kind == "int":
        return rng.choice([0, 1, -1, 255, 2 ** 31, 2 ** 70, rng.randint(-10 ** 6, 10 ** 6)])
    if kind == "float":
        return rng.choice([0.0, -0.0, 1.5, 1e300, rng.random() * 1e9])
    if kind in ("none", "bool"):
        return rng.choice([None, True, False])
    items = [_plain_values(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == "dict":
        return {str(i) + str(v)[:3]: v for i, v in enumerate(items)}
    return tuple(items) if kind == "tuple" else items


def _copied(value):
    """An equal value made of other objects (strings neither shared nor interned as in `value`)."""
    if isinstance(value, str):
        return "".join(list(value))
    if isinstance(value, (tuple, list)):
        return type(value)(_copied(v) for v in value)
    if isinstance(value, dict):
        return {_copied(k): _copied(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("seed", range(40))
def test_plain_digest_tells_values_apart_as_digest_does(seed):
    rng = random.Random(seed)
    first, second = _plain_values(rng), _plain_values(rng)
    shared = "pillar"  # one object twice, and an equal one made apart
    first, second = (first, shared, shared), (second, sys.intern("pil" + "lar"[:3]), "".join(["pil", "lar"]))
    assert output.plain_digest(first) == output.plain_digest(_copied(first))
    assert (output.plain_digest(first) == output.plain_digest(second)) == (output.digest(first) == output.digest(second))


@pytest.mark.parametrize("value", [datetime(2026, 1, 1), {"a": ("x", Markup("<b>"))}, (object,), [Path("x")]])
def test_plain_digest_of_other_values_is_their_digest(value):
    assert output.plain_digest(value) == output.digest(value)


@pytest.mark.parametrize("change,renderer", [
    ("nothing", False),
    ("the clock an hour on", False),  # the rolling reports and the home page again, no post page
    ("a post's text", True),
])
def test_a_build_imports_the_renderer_only_when_a_post_page_is_made(tmp_path, change, renderer):
    """The cards need no renderer to be imported (Markdown and every converter): a build that makes
    no post page again imports none of it, and writes what a build from nothing writes."""
    import os
    import subprocess

    for name in ("brand", "content", "data"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "platforms.yml", tmp_path / "platforms.yml")
    script = ("import json, sys\nfrom smm.cli import cli\ntry:\n    cli(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print(json.dumps(sorted(sys.modules)), file=sys.stderr)")

    def build(now: str, out: str = "_site", cache: str = "kept") -> set[str]:
        done = subprocess.run([sys.executable, "-c", script, "site", "build", "--now", now, "--out", out], cwd=tmp_path,
                              env={**os.environ, "SMM_CACHE_DIR": str(tmp_path.parent / f"{tmp_path.name}-{cache}")},
                              capture_output=True, check=True)
        return set(json.loads(done.stderr.decode().splitlines()[-1]))

    assert {"markdown", "smm.render.rendered"} <= build(NOW)
    now = NOW
    if change == "the clock an hour on":
        now = (datetime.fromisoformat(NOW) + timedelta(hours=1)).isoformat()
    elif change == "a post's text":
        post = sorted((tmp_path / "content").rglob("*.md"))[3]
        post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    imported = build(now)
    assert ("markdown" in imported, "smm.render.rendered" in imported) == (renderer, renderer)
    build(now, "fresh", "fresh")
    kept, fresh = tmp_path / "_site", tmp_path / "fresh"
    assert sorted(p.relative_to(kept) for p in kept.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())


def test_records_read_while_a_worker_reads_posts_are_found_as_before(make_repo, monkeypatch):
    """Without a reader (a site build) the publish records are read while a worker reads half of the
    posts: the same records, posts and problems, in the same order, as when read one after another."""
    import smm.workspace.repo as repo_module
    from smm.workspace.repo import load_repo

    posts = {f"p{i}.md": post_text(f"Post {i}", id=f"p{i}") for i in range(12)}
    posts["dup.md"] = post_text(id="p5")
    root = make_repo(posts, files={
        "brand/handles.yml": "x: [\n",  # a settings problem, listed first
        "data/published/p1.json": '{"post": "p1", "file": "content/p1.md", "accounts": {}}',
        "data/published/p2.json": '{"post": ',  # a record's problem, listed next
        "data/published/p3.json": '{"post": "p3", "file": "content/p3.md"}',
        "content/note.MD": "---\ntitle: x\n---\n",  # a post file's lookalike, then the posts' problems
    })

    def loaded():
        repo = load_repo(root)
        return ([(d.file, d.line, d.rule, d.message) for d in repo.diagnostics], repo.records,
                [p.file for p in repo.posts], [p.file for p in repo.broken])

    monkeypatch.setenv("SMM_CACHE_DIR", str(root / "cache-serial"))
    serial = loaded()
    monkeypatch.setenv("SMM_CACHE_DIR", str(root / "cache-parallel"))  # (nothing kept: every post read again)
    monkeypatch.setattr(repo_module, "PARALLEL_FROM", 2)
    pools = []
    monkeypatch.setattr(repo_module, "forked_pool", lambda n, made=repo_module.forked_pool: pools.append(made(n)) or pools[-1])
    assert loaded() == serial
    assert pools and pools[0] is not None  # a worker read posts
    files = [d[0] for d in serial[0]]
    assert files.index("brand/handles.yml") < files.index("data/published/p2.json") < files.index("data/published/p3.json")
    assert files.index("data/published/p3.json") < min(i for i, f in enumerate(files) if f.startswith("content/"))
    assert sorted(serial[1]) == ["p1"]


# -- the media a post names, without each account's whole view (the site keys every page by it) -------------

_MEDIA = [None, [], [{"file": "a.png"}], [{"file": "v.mp4", "cover": "c.jpg"}], [{"file": "a.png<!-- old -->"}],
          ["not a mapping", {"alt": "no file"}, {"file": 5}], "not a list"]


def _media_post(rng: random.Random):
    from smm.content.post import Post

    accounts = rng.sample(["x", "bluesky", "weibo", "wechat"], rng.randint(0, 4))
    meta = {"platforms": accounts}
    if (own := rng.choice(_MEDIA)) is not None:
        meta["media"] = own
    chosen = {}
    for account in rng.sample(["x", "bluesky", "weibo", "other"], rng.randint(0, 3)):
        override = rng.choice([{}, {"text": "t"}, {"media": rng.choice(_MEDIA)}, "not a mapping"])
        chosen[account] = override
    if chosen:
        meta["overrides"] = chosen
    return Post("content/p.md", "p", meta, "body", 5, None)


def test_media_names_are_what_each_accounts_view_names():
    """media_names() against its definition: the post's own `media` and every account's view of it."""
    from smm.content.post import media_names

    rng = random.Random(16)
    for _ in range(2000):
        post = _media_post(rng)
        views = [post.meta.get("media")] + [post.for_account(a).media for a in post.accounts]
        names = {item.get(f) for items in views for item in items or [] if isinstance(item, dict) for f in ("file", "cover")}
        assert media_names(post) == sorted(n for n in names if isinstance(n, str)), post.meta
