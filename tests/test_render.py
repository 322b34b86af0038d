"""Rendering per account: golden files per platform, and the rules behind them.

Golden files live in tests/golden/render/; after a deliberate change, regenerate them
with `SMM_UPDATE_GOLDEN=1 pytest tests/test_render.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re

import httpx
import pytest
from conftest import ROOT, post_text

from smm.render.rendered import Renderer
from smm.workspace.repo import load_repo

FIXTURE = ROOT / "tests" / "fixtures" / "render"
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("SMM_UPDATE_GOLDEN") == "1"


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with SMM_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def _show(rendered) -> str:
    out = []
    for index, part in enumerate(rendered.parts, 1):
        out.append(f"---- part {index}/{len(rendered.parts)}: {part.length}/{part.limit}")
        out.append(part.text)
        if part.facets:
            out.append(json.dumps(part.facets, ensure_ascii=False))
    out += [f"! {d.rule}: {d.message}" for d in rendered.diagnostics]
    return "\n".join(out) + "\n"


FIXTURE_REPO = load_repo(FIXTURE)
CASES = [(post.id, account) for post in FIXTURE_REPO.posts for account in post.accounts]


@pytest.mark.parametrize("post_id,account", CASES, ids=[f"{p}-{a}" for p, a in CASES])
def test_golden_rendering_per_platform(post_id, account):
    renderer = Renderer(FIXTURE_REPO.root, FIXTURE_REPO.config, FIXTURE_REPO.brand)
    post = next(p for p in FIXTURE_REPO.posts if p.id == post_id)
    golden(f"render/{post_id}.{account}.txt", _show(renderer.render(post, account)))


def test_golden_example_repo_preview(smm, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = smm("preview", "--format", "json")
    assert code == 0
    golden("example-preview.json", out)


# --- rules, each on a small repository --------------------------------------------------


def render(make_repo, body="Hello", account="mastodon", files=None, platforms=None, **fields):
    kwargs = {"platforms": platforms} if platforms else {}
    root = make_repo({"p.md": post_text(body, platforms=f"[{account}]", **fields)}, files=files, **kwargs)
    repo = load_repo(root)
    assert repo.posts, repo.diagnostics
    return Renderer(root, repo.config, repo.brand).render(repo.posts[0], account)


def test_hashtags_already_inline_are_not_added_again(make_repo):
    r = render(make_repo, "Enjoy #winterblend today", hashtags="[WinterBlend, '#Tea']")
    assert r.text == "Enjoy #winterblend today\n\n#Tea"


def test_hashtags_on_the_last_line(make_repo):
    r = render(make_repo, "Enjoy", hashtags="[Tea]", files={"brand/brand.yml": "hashtag_placement: last-line\n"})
    assert r.text == "Enjoy #Tea"


def test_link_appended_once_and_utm_tagged(make_repo):
    r = render(make_repo, "See https://shop.example/a?x=1", link="https://shop.example/a?x=1", campaign="w26")
    assert r.text == "See https://shop.example/a?x=1&utm_source=mastodon&utm_medium=social&utm_campaign=w26"
    assert r.link == "https://shop.example/a?x=1&utm_source=mastodon&utm_medium=social&utm_campaign=w26"


def test_utm_off_for_an_account(make_repo):
    platforms = "timezone: UTC\naccounts:\n  mastodon: {platform: mastodon, instance: https://m.example, token_env: T, utm: false}\n"
    r = render(make_repo, "See https://shop.example/a", platforms=platforms)
    assert r.text == "See https://shop.example/a"


def test_mentions_resolve_per_network(make_repo):
    files = {"brand/handles.yml": "alice: {mastodon: '@alice@m.example', default: Alice}\n"}
    assert render(make_repo, "Hi @{alice}!", files=files).text == "Hi @alice@m.example!"
    assert render(make_repo, "Hi @{alice}!", account="feed", files=files).text == "<p>Hi Alice!</p>"


def test_unresolved_mention_is_an_error_at_its_position(make_repo):
    r = render(make_repo, "First line\nHi @{bob}!")
    (d,) = r.diagnostics
    assert (d.rule, d.line, d.column) == ("render.mention", 7, 4)
    assert "brand/handles.yml" in d.hint


def test_over_limit_points_where_it_overflows(make_repo):
    body = "a" * 490 + " overflow starts here and goes on"
    (d,) = render(make_repo, body).diagnostics
    assert d.rule == "render.too-long"
    assert (d.line, d.column) == (6, 501)
    assert "text is 523 characters, over the limit of 500 by 23" in d.message
    assert "thread: auto" in d.hint


def test_thread_auto_splits_for_threaded_networks(make_repo):
    body = ("word " * 90 + "\n\n") * 2
    r = render(make_repo, body, thread="auto")
    assert len(r.parts) == 2 and not r.diagnostics
    assert all(p.length <= 500 for p in r.parts)


def test_linkedin_escapes_reserved_characters(make_repo):
    platforms = "timezone: UTC\naccounts:\n  linkedin: {platform: linkedin, token_env: T}\n"
    r = render(make_repo, "Tea (hot) & <cold> a_b [x] #Tea", account="linkedin", platforms=platforms, hashtags="[Tea]")
    assert r.text == "Tea \\(hot\\) & \\<cold\\> a\\_b \\[x\\] {hashtag|\\#|Tea}"


LINKEDIN_LINKS = {  # text → as sent: reserved characters escaped around a link, never inside it
    "underscores": ("snake_case https://a.example/a_b?utm_x=1", "snake\\_case https://a.example/a_b?utm_x=1"),
    "in parentheses": ("(https://a.example/p_(q))", "\\(https://a.example/p_(q)\\)"),
    "a fragment then a hashtag": ("https://a.example/#frag_1 #Tag", "https://a.example/#frag_1 {hashtag|\\#|Tag}"),
    "two links": ("a* https://a.example/x~y and https://b.example/[z]", "a\\* https://a.example/x~y and "
                  "https://b.example/[z]"),
}


@pytest.mark.parametrize("case", list(LINKEDIN_LINKS))
def test_linkedin_keeps_links_whole(case):
    from smm.platforms.linkedin import LinkedIn

    text, sent = LINKEDIN_LINKS[case]
    assert LinkedIn.finalize(text) == sent


LINKEDIN_MENTIONS = {  # a LinkedIn handle in brand/handles.yml → how `@{them}` is sent
    "an organization": ("@[Zhuxiang Teahouse](urn:li:organization:2414183)",
                        "@[Zhuxiang Teahouse](urn:li:organization:2414183)"),
    "a person": ("@[Jane Doe](urn:li:person:a1B2-c3)", "@[Jane Doe](urn:li:person:a1B2-c3)"),
    "plain text": ("Zhuxiang (teahouse)", "Zhuxiang \\(teahouse\\)"),
    "a link, not a URN": ("@[Bad](https://evil.example)", "\\@Bad \\(https://evil.example?utm_source=linkedin&utm_medium=social\\)"),
    "a mark typed in the text": ("\ue0009\ue001", "\ue0009\ue001"),
}


@pytest.mark.parametrize("case", list(LINKEDIN_MENTIONS))
def test_linkedin_mentions_are_kept_whole_only_when_written_as_its_mentions(make_repo, case):
    handle, sent = LINKEDIN_MENTIONS[case]
    platforms = "timezone: UTC\naccounts:\n  linkedin: {platform: linkedin, token_env: T, author: 'urn:li:person:x'}\n"
    handles = f"them:\n  linkedin: {json.dumps(handle)}\n"
    r = render(make_repo, "Tea at @{them} (hot) #Tea", account="linkedin", platforms=platforms,
               files={"brand/handles.yml": handles})
    assert r.text == f"Tea at {sent} \\(hot\\) {{hashtag|\\#|Tea}}" and not r.diagnostics


def test_telegram_html_is_escaped_and_counted_as_shown(make_repo):
    platforms = "timezone: UTC\naccounts:\n  telegram: {platform: telegram, token_env: T, chat_id: '@c'}\n"
    r = render(make_repo, "**Tea** & <b>x</b>", account="telegram", platforms=platforms)
    assert r.text == "<b>Tea</b> &amp; &lt;b&gt;x&lt;/b&gt;"
    assert r.parts[0].length == len("Tea & <b>x</b>")


@pytest.mark.parametrize("prefix", ["", "😀 ", "👩‍👩‍👧 ", "冬日茶饮 ", "क्षि e\u0301 "])
def test_bluesky_facet_offsets_are_utf8_bytes(make_repo, prefix):
    r = render(make_repo, f"{prefix}see https://cloudleaf.example/a/very/long/path?q=1 #Tea", account="bluesky")
    part = r.parts[0]
    data = part.text.encode("utf-8")
    spans = [(data[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode(), f["features"][0]) for f in part.facets]
    assert spans[0][0] == "cloudleaf.example/a/very/long/..."
    assert spans[0][1]["uri"].startswith("https://cloudleaf.example/a/very/long/path?q=1&utm_source=bluesky")
    assert spans[1] == ("#Tea", {"$type": "app.bsky.richtext.facet#tag", "tag": "Tea"})


def test_template_override_and_sandbox(make_repo):
    files = {"brand/templates/mastodon.j2": "{{ title }}: {{ text }}"}
    assert render(make_repo, "Hi", files=files).text == "A post: Hi"
    unsafe = {"brand/templates/mastodon.j2": "{{ text.__class__.__mro__ }}"}
    (d,) = render(make_repo, "Hi", files=unsafe).diagnostics
    assert d.rule == "template.render" and d.file == "brand/templates/mastodon.j2"
    undefined = {"brand/templates/mastodon.j2": "{{ nope }}"}
    (d,) = render(make_repo, "Hi", files=undefined).diagnostics
    assert d.rule == "template.render" and "nope" in d.message


def test_template_syntax_error_is_located(make_repo):
    files = {"brand/templates/mastodon.j2": "line one\n{% if %}\n"}
    (d,) = render(make_repo, "Hi", files=files).diagnostics
    assert (d.file, d.line, d.rule) == ("brand/templates/mastodon.j2", 2, "template.syntax")


def _png(width=2, height=2) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), "green").save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (2, 2), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_media_alt_text_required_and_types_per_network(make_repo):
    files = {"content/media/a.png": _png()}
    r = render(make_repo, "Hi", files=files, media="[{file: content/media/a.png}]")
    assert [(d.rule, d.line) for d in r.diagnostics] == [("media.alt-missing", 5)]
    platforms = "timezone: UTC\naccounts:\n  instagram: {platform: instagram, token_env: T, media_base_url: https://brand.example}\n"
    r = render(make_repo, "Hi", account="instagram", platforms=platforms, files=files,
               media="[{file: content/media/a.png, alt: a green square}]")
    assert [d.rule for d in r.diagnostics] == ["media.type"]


def test_media_alt_optional_by_brand_setting(make_repo):
    files = {"content/media/a.png": _png(), "brand/brand.yml": "alt_text: optional\n"}
    assert render(make_repo, "Hi", files=files, media="[{file: content/media/a.png}]").diagnostics == ()


def test_too_many_media(make_repo):
    files = {f"content/media/{i}.png": _png() for i in range(5)}
    media = "[" + ", ".join(f"{{file: content/media/{i}.png, alt: x}}" for i in range(5)) + "]"
    (d,) = render(make_repo, "Hi", files=files, media=media).diagnostics
    assert (d.rule, d.line) == ("media.count", 5)


def test_heading_hash_is_a_hashtag_and_raw_html_is_text(make_repo):
    r = render(make_repo, "#Tea time <script>x</script>")
    assert r.text == "#Tea time <script>x</script>"


def test_count_command(smm):
    from click.testing import CliRunner

    from smm.cli import cli

    result = CliRunner().invoke(cli, ["count", "--platform", "x", "--json"], input="Hello 世界 https://example.com 👩‍👩‍👧")
    assert json.loads(result.stdout) == {"platform": "x", "length": 37, "limit": 280, "ok": True}
    result = CliRunner().invoke(cli, ["count", "--platform", "bluesky"], input="茶" * 301)
    assert (result.exit_code, result.stdout.strip()) == (1, "301/300 grapheme clusters  over the limit")
    result = CliRunner().invoke(cli, ["count", "--platform", "tiktok"], input="x")
    assert result.exit_code == 2


INSTANCE_ANSWERS = [  # (account, what GET /api/v2/instance answers, the limit used)
    ("big", httpx.Response(200, json={"domain": "big.example", "configuration": {"statuses": {"max_characters": 5000}}}),
     5000),
    ("down", httpx.Response(503), 500),
    ("odd", httpx.Response(200, json={"domain": "odd.example"}), 500),  # not Mastodon, or an old version
    ("zero", httpx.Response(200, json={"configuration": {"statuses": {"max_characters": 0}}}), 500),
    ("set", httpx.Response(200, json={"configuration": {"statuses": {"max_characters": 5000}}}), 700),  # char_limit wins
    ("huge", httpx.Response(200, content=iter([b'{"configuration": {"statuses": {"max_characters": 5000}}, "pad": "',
                                               *[b"x" * 2**20] * 32, b'"}'])),
     500),  # an answer over 32 MiB is not read (smm.platforms.http.MAX_ANSWER)
]


@pytest.mark.parametrize("account,answer,limit", INSTANCE_ANSWERS)
def test_mastodon_limit_comes_from_the_instance_once_before_rendering(make_repo, account, answer, limit):
    """A replay of GET /api/v2/instance as documented by Mastodon (configuration.statuses)."""
    from smm.platforms import reported_limits

    asked = []

    def instance(request):
        asked.append(str(request.url))
        return answer

    platforms = (f"timezone: UTC\naccounts:\n  {account}: {{platform: mastodon, instance: https://{account}.example, "
                 f"token_env: T{', char_limit: 700' if account == 'set' else ''}}}\n"
                 f"  also: {{platform: mastodon, instance: https://{account}.example, token_env: T}}\n")
    root = make_repo({"p.md": post_text("x" * 600, platforms=f"[{account}]")}, platforms=platforms, calendar=None)
    repo = load_repo(root)
    limits = reported_limits(repo.config.accounts, transport=httpx.MockTransport(instance))
    rendered = Renderer(root, repo.config, repo.brand, limits).render(repo.posts[0], account)
    assert rendered.parts[0].limit == limit
    assert asked == [f"https://{account}.example/api/v2/instance"]  # once for the two accounts


def test_a_content_warning_counts_toward_the_mastodon_limit(make_repo):
    r = render(make_repo, "x" * 490, content_warning="Spoilers for the tasting notes")  # 30 characters
    (d,) = r.diagnostics
    assert d.rule == "render.too-long" and r.parts[0].limit == 470
    assert render(make_repo, "x" * 490, account="feed", content_warning="Spoilers").diagnostics == ()


def test_bluesky_thread_parts_link_to_their_own_urls(make_repo):
    first = "https://cloudleaf.example/collections/winter-first"
    second = "https://cloudleaf.example/collections/winter-second"
    body = f"{'word ' * 50}{first}\n\n{'more ' * 50}{second}"
    r = render(make_repo, body, account="bluesky", thread="auto")
    assert len(r.parts) == 2
    uris = [[f["features"][0]["uri"] for f in p.facets] for p in r.parts]
    assert uris[0][0].startswith(first) and uris[1][0].startswith(second)
    assert r.parts[0].text.endswith("cloudleaf.example/collections/...")


def test_html_templates_escape_every_field(make_repo):
    files = {"brand/templates/feed.j2": "<h2>{{ title }}</h2>{{ text }}<p>{{ post.campaign }}</p>"}
    r = render(make_repo, "**Hi** & bye", account="feed", files=files, title='"<script>alert(1)</script>"',
               campaign="a")
    assert r.text == "<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2><p><strong>Hi</strong> &amp; bye</p><p>a</p>"


def test_preview_says_which_posts_it_cannot_show(make_repo, smm):
    make_repo({"good.md": post_text(), "bad.md": post_text(platforms="nope-not-a-list")})
    code, out, err = smm("preview", "--format", "json")
    assert code == 0 and [p["post"] for p in json.loads(out)] == ["good"]
    assert "1 post file(s) not shown, they have errors (run `smm check`): content/bad.md" in err


def test_overflow_position_in_repeated_text(make_repo):
    platforms = "timezone: UTC\naccounts:\n  linkedin: {platform: linkedin, token_env: T}\n"
    r = render(make_repo, "alpha beta gamma delta. " * 130, account="linkedin", platforms=platforms)
    (d,) = r.diagnostics
    assert d.rule == "render.too-long" and d.line == 6
    assert abs(d.column - 3000) < 30  # where it overflows, not the first "alpha"


# --- what an editor writes for the repository never reaches a network ------------------------

EVERY_PLATFORM = (FIXTURE / "platforms.yml").read_text(encoding="utf-8")
EVERY_ACCOUNT = list(FIXTURE_REPO.config.accounts)


def render_everywhere(make_repo, body: str, **fields) -> list:
    root = make_repo({"p.md": post_text(body, platforms=f"[{', '.join(EVERY_ACCOUNT)}]", **fields)},
                     platforms=EVERY_PLATFORM)
    repo = load_repo(root)
    assert repo.posts, repo.diagnostics
    renderer = Renderer(root, repo.config, repo.brand)
    return [renderer.render(repo.posts[0], account) for account in EVERY_ACCOUNT]


COMMENTS = [  # (body with comments, the same body as it should be published)
    ("Hello <!-- team note --> world", "Hello world"),
    ("Line one\n<!-- team note -->\nLine two", "Line one\nLine two"),
    ("<!-- smm-disable voice.Wordy -->\nOur **new** tea", "Our **new** tea"),
    ("Tea\n<!--\nteam note\non three lines\n-->\n\nMore tea", "Tea\n\nMore tea"),
    ("<!-- team note --> Tea first", "Tea first"),
    ("Tea<!-- team note -->time, @{nobody} <!-- @{nobody} team note -->", "Teatime, @{nobody}"),
    ("A [link](https://example.com) <!-- team note [x](https://example.org) -->", "A [link](https://example.com)"),
    ("Code `<!-- kept -->` here <!-- team note -->", "Code `<!-- kept -->` here"),
    ("```\n<!-- kept -->\n```\n<!-- team note -->", "```\n<!-- kept -->\n```"),
]


@pytest.mark.parametrize("body,published", COMMENTS)
def test_comments_are_never_published_nor_counted_in_any_flavour(make_repo, body, published):
    with_comments = render_everywhere(make_repo, body, hashtags="[Tea]")
    without = render_everywhere(make_repo, published, hashtags="[Tea]")
    for got, expected in zip(with_comments, without):
        assert "team note" not in got.text, (got.account, got.text)
        assert [(p.text, p.length) for p in got.parts] == [(p.text, p.length) for p in expected.parts], got.account
        assert {d.rule for d in got.diagnostics} == {d.rule for d in expected.diagnostics}, got.account
    if "kept" in body:  # a comment in code is code
        assert all("kept" in r.text for r in with_comments)


def test_comments_in_an_override_and_the_preview_are_stripped(make_repo, smm):
    make_repo({"p.md": post_text("Body <!-- team note -->", platforms="[mastodon, feed]",
                                 overrides="{mastodon: {text: \"Own text <!-- team note -->\"}}")})
    for fmt in ("text", "markdown", "html", "json"):
        code, out, _ = smm("preview", "--format", fmt)
        assert code == 0 and "team note" not in out and "Own text" in out, fmt


def test_split_marker_is_a_comment_that_keeps_its_meaning(make_repo):
    r = render(make_repo, "One <!-- note -->\n\n<!-- split -->\n\nTwo", thread="auto")
    assert [p.text for p in r.parts] == ["One", "Two"]


def test_positions_skip_nothing_after_a_comment(make_repo):
    """The overflow column is in the source, after a comment that does not count."""
    r = render(make_repo, "<!-- " + "n" * 300 + " -->" + "a" * 490 + " overflow starts here")
    (d,) = r.diagnostics
    assert (d.rule, d.line, d.column) == ("render.too-long", 6, len("<!-- " + "n" * 300 + " -->") + 501)
    assert "over the limit of 500 by 11; it overflows at “starts here”" in d.message


def test_an_unclosed_comment_is_an_error_where_it_opens(make_repo, smm):
    make_repo({"p.md": post_text("Fine\nTea <!-- team note that never ends", platforms="[feed, mastodon]")})
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    found = [(d["rule"], d["line"], d["column"]) for d in diagnostics if d["severity"] == "error"]
    assert code == 1 and found == [("render.unclosed-comment", 7, 5)]


# --- only http(s) and mailto links leave the repository -------------------------------------

UNSAFE_LINKS = [  # (body, the target that must not leave, the text shown instead)
    ("[click](javascript:alert(1))", "javascript:alert(1)", "click"),
    ("[click](JaVa&#x53;cript:alert(1))", "cript:alert(1)", "click"),
    ("[click](&#106;avascript:alert(1))", "avascript:alert(1)", "click"),
    ("[click](java\tscript:alert(1))", "script:alert(1)", "click"),
    ("[click](vbscript:msgbox(1))", "vbscript:", "click"),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "data:text", "click"),
    ("[click](file:///etc/passwd)", "file:", "click"),
    ("[**bold** click][r]\n\n[r]: javascript:alert(1)", "javascript:", "click"),
    ("![a picture](javascript:alert(1))", "javascript:", "a picture"),
    ("[our page](/about)", "/about", "our page"),
    ("[our site](www.example.com)", "www.example.com", "our site"),
]


@pytest.mark.parametrize("body,target,label", UNSAFE_LINKS)
def test_unsafe_link_targets_become_text_and_an_error_in_every_flavour(make_repo, body, target, label):
    for r in render_everywhere(make_repo, "Before " + body + ("\n\nAfter" if "\n" in body else " after")):
        assert target.casefold() not in r.text.casefold(), (r.account, r.text)
        assert label in r.text and "href" not in r.text, (r.account, r.text)
        (d,) = [d for d in r.diagnostics if d.rule == "render.unsafe-link"]
        assert d.line == 6 + body.count("\n"), r.account  # where the target is written (a reference: its definition)


def test_an_unsafe_link_is_reported_once_at_its_target(make_repo, smm):
    make_repo({"p.md": post_text("Line\nSee [click](javascript:alert(1))", platforms="[feed, mastodon, bluesky]")})
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    found = [(d["rule"], d["line"], d["column"]) for d in diagnostics if d["severity"] == "error"]
    assert code == 1 and found == [("render.unsafe-link", 7, len("See [click](") + 1)]


@pytest.mark.parametrize("body,href", [
    ("[ok](https://example.com/a)", "https://example.com/a"),
    ("[ok](HTTP://example.com/a)", "HTTP://example.com/a"),
    ("[mail us](mailto:hi@example.com)", "mailto:hi@example.com"),
    ("<https://example.com/b>", "https://example.com/b"),
])
def test_http_and_mailto_links_are_published(make_repo, body, href):
    for r in render_everywhere(make_repo, body):
        # Bluesky shows a short link (the facet holds the target); LinkedIn escapes `@` and `(`
        shown = json.dumps(r.as_json()).replace("\\\\", "")
        assert href in shown and not [d for d in r.diagnostics if d.rule == "render.unsafe-link"], r.account


def test_raw_html_links_are_text_not_links_in_html_flavours(make_repo):
    import re

    from smm.content.links import leaves_safely
    from smm.platforms import platform_class

    renderings = render_everywhere(make_repo, '<a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>')
    html_flavoured = [r for r in renderings if platform_class(r.platform).markup in ("html", "article", "telegram")]
    assert {r.platform for r in html_flavoured} == {"feed", "wechat", "telegram"}
    for r in html_flavoured:
        assert "&lt;a href" in r.text
        assert all(leaves_safely(href) for href in re.findall(r'<a href="([^"]*)"', r.text)), r.account
        assert "<img" not in r.text.replace("&lt;img", ""), r.account


@pytest.mark.parametrize("path,what", [
    ("README.md", "not a post"),
    ("platforms.yml", "not a post"),
    ("brand/brand.yml", "not a post"),
    ("content/README.md", "not a post"),
    ("content/_notes.md", "not a post"),
    ("content/media/dot.png", "not a post"),
    ("brand", "a folder outside content/"),
    ("content/media", "a folder that holds no posts"),  # it printed nothing, exit 0
    ("content/drafts", "a folder that holds no posts"),
    ("content/_old", "a folder that holds no posts"),
])
def test_preview_of_a_path_that_is_not_a_post_says_so(make_repo, smm, path, what):
    make_repo({"p.md": post_text()}, files={"README.md": "# hi\n", "brand/brand.yml": "name: X\n",
                                            "content/README.md": "# notes\n", "content/_notes.md": "x\n",
                                            "content/media/dot.png": b"\x89PNG", "content/drafts/README.md": "x\n",
                                            "content/_old/p.md": post_text()})
    for fmt in ("text", "json", "markdown", "html"):
        code, out, err = smm("preview", path, "--format", fmt)
        assert (code, out) == (1, "") and f"{path} is {what}: posts are Markdown files" in err


@pytest.mark.parametrize("path", [".", "content", "content/p.md"])
def test_preview_of_posts_and_their_folders_still_works(make_repo, smm, path):
    make_repo({"p.md": post_text()})
    code, out, _ = smm("preview", path, "--format", "json")
    assert code == 0 and [p["post"] for p in json.loads(out)] == ["p"]


def test_preview_warns_only_about_the_broken_posts_it_was_asked_for(make_repo, smm):
    make_repo({"p.md": post_text(), "a/broken.md": "---\ntitle: [\n---\nx\n", "b/broken.md": "---\ntitle: [\n---\nx\n"})
    assert "content/b/broken.md" not in smm("preview", "content/p.md")[2]
    code, out, err = smm("preview", "content/a")
    assert code == 0 and "1 post file(s) not shown" in err and "content/a/broken.md" in err and "content/b" not in err


@pytest.mark.parametrize("template,unsafe", [
    ('<a href="javascript:alert(1)">{{ text }}</a>', "javascript:alert(1)"),
    ("<p>{{ text }}</p><img src='data:image/svg+xml,x'>", "data:image/svg+xml,x"),
    ('<a href="JaVa&#x53;cript:alert(1)">x</a>{{ text }}', "JaVaScript:alert(1)"),
    ('<a href="{{ link }}">{{ text }}</a>', None),
    ('<p>{{ text }}</p><a href="mailto:hi@example.com">mail</a>', None),
])
def test_a_templates_own_links_obey_the_same_rule(make_repo, template, unsafe):
    r = render(make_repo, "Hi [there](https://example.com/a)", account="feed", link="https://example.com/b",
               files={"brand/templates/feed.j2": template})
    found = [(d.file, d.rule) for d in r.diagnostics]
    assert found == ([("brand/templates/feed.j2", "render.unsafe-link")] if unsafe else [])
    if unsafe:
        assert f"`{unsafe}`" in r.diagnostics[0].message


@pytest.mark.parametrize("options, tags, problem", [
    ("", 5, None),  # Instagram's limit since 2025-12: 5
    ("", 6, "instagram: 6 hashtags; Instagram allows 5"),
    (", hashtag_limit: 30", 30, None),  # an account that still has the old limit
    (", hashtag_limit: 30", 31, "instagram: 31 hashtags; the account's `hashtag_limit` allows 30"),
    (", hashtag_limit: 0", 1, "instagram: 1 hashtags; the account's `hashtag_limit` allows 0"),
])
def test_instagram_hashtag_limit_per_account(make_repo, options, tags, problem):
    files = {"content/media/a.jpg": _jpeg()}
    platforms = f"timezone: UTC\naccounts:\n  instagram: {{platform: instagram, token_env: T, media_base_url: https://brand.example{options}}}\n"
    body = " ".join(f"#tag{i}" for i in range(tags))
    r = render(make_repo, body, account="instagram", platforms=platforms, files=files,
               media="[{file: content/media/a.jpg, alt: a square}]")
    assert [d.message for d in r.diagnostics if d.rule == "render.too-many-hashtags"] == ([problem] if problem else [])


def test_hashtag_limit_applies_to_any_account(make_repo):
    platforms = "timezone: UTC\naccounts:\n  mastodon: {platform: mastodon, instance: 'https://m.example', token_env: T, hashtag_limit: 1}\n"
    r = render(make_repo, "#a #b", platforms=platforms)
    assert [d.rule for d in r.diagnostics] == ["render.too-many-hashtags"]


@pytest.mark.parametrize("char, length, problems", [
    ("字", 19_999, []),
    ("字", 20_000, ["render.too-long"]),  # "fewer than 20,000 characters": 20,000 is too many
    ("a", 20_000, ["render.too-long"]),
    ("a", 19_000, []),
])
def test_wechat_article_fewer_than_20000_characters(make_repo, char, length, problems):
    """The article counted is the one sent: its inline styles count too."""
    platforms = "timezone: UTC\naccounts:\n  wechat: {platform: wechat, cover: c.png}\n"
    styled = render(make_repo, "x", account="wechat", platforms=platforms, files={"c.png": _png()}).parts[0].length - 1
    r = render(make_repo, char * (length - styled), account="wechat", platforms=platforms, files={"c.png": _png()})
    assert r.parts[0].length == length
    assert [d.rule for d in r.diagnostics] == problems


@pytest.mark.parametrize("size, problems", [(999_999, []), (1_000_000, ["1000000 UTF-8 bytes; WeChat takes an article under 1 MB"])])
def test_wechat_article_under_1_mb(size, problems):
    from smm.platforms.wechat import WeChat

    assert WeChat.extra_problems("a" * size) == problems


@pytest.mark.parametrize("body, text, links", [
    ("Read https://en.wikipedia.org/wiki/Foo_(bar) now", "Read en.wikipedia.org/wiki/Foo_(bar) now",
     [("https://en.wikipedia.org/wiki/Foo_(bar)", 5, 36)]),
    ("详见https://example.com/a/much/longer/path 谢谢", "详见example.com/a/much/longe... 谢谢",
     [("https://example.com/a/much/longer/path", 6, 33)]),
    ("“https://example.com/a” she said", "“example.com/a” she said", [("https://example.com/a", 3, 16)]),
    ("Visit www.example.com.", "Visit www.example.com.", [("https://www.example.com", 6, 21)]),
])
def test_bluesky_links_shortened_and_faceted(make_repo, body, text, links):
    platforms = "timezone: UTC\nutm: {enabled: false}\naccounts:\n  bluesky: {platform: bluesky, handle: a.bsky.social, password_env: P}\n"
    r = render(make_repo, body, account="bluesky", platforms=platforms)
    (part,) = r.parts
    assert part.text == text
    assert [(f["features"][0]["uri"], f["index"]["byteStart"], f["index"]["byteEnd"]) for f in part.facets
            if f["features"][0]["$type"].endswith("#link")] == links


@pytest.mark.parametrize("body, uri", [
    ("Read https://en.wikipedia.org/wiki/Foo_(bar) now", "https://en.wikipedia.org/wiki/Foo_(bar)?utm_source=bluesky&utm_medium=social"),
    ("Read [this](https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)?utm_source=bluesky&utm_medium=social"),
    ("See https://example.com/a[1] too", "https://example.com/a[1]?utm_source=bluesky&utm_medium=social"),
    ("See https://example.com/「a」 too", "https://example.com/「a」?utm_source=bluesky&utm_medium=social"),
    ("It's at https://example.com/it's here", "https://example.com/it's?utm_source=bluesky&utm_medium=social"),
    ("详见https://example.com/a。谢谢", "https://example.com/a?utm_source=bluesky&utm_medium=social"),
    ("(see https://example.com/a), ok", "https://example.com/a?utm_source=bluesky&utm_medium=social"),
])
def test_utm_tagging_keeps_the_whole_url(make_repo, body, uri):
    """The UTM query goes after the whole URL (brackets it opens, apostrophes inside),
    and the Bluesky facet links that tagged URL."""
    platforms = "timezone: UTC\naccounts:\n  bluesky: {platform: bluesky, handle: a.bsky.social, password_env: P}\n"
    (part,) = render(make_repo, body, account="bluesky", platforms=platforms).parts
    assert [f["features"][0]["uri"] for f in part.facets if f["features"][0]["$type"].endswith("#link")] == [uri]


# --- what each account gets: its override where it sets a field, else the post's own ----------

ACCOUNT_VIEWS = [  # (front matter fields, {account: (text, media files, link)})
    ({}, {"mastodon": ("Hello", [], None), "bluesky": ("Hello", [], None)}),
    ({"overrides": "{bluesky: {text: Own words}}"},
     {"mastodon": ("Hello", [], None), "bluesky": ("Own words", [], None)}),
    ({"hashtags": "[Tea]", "overrides": "{mastodon: {hashtags: [Oolong]}}"},
     {"mastodon": ("Hello\n\n#Oolong", [], None), "bluesky": ("Hello\n\n#Tea", [], None)}),
    ({"hashtags": "[Tea]", "overrides": "{mastodon: {hashtags: []}}"},  # an empty list: the post's own
     {"mastodon": ("Hello\n\n#Tea", [], None), "bluesky": ("Hello\n\n#Tea", [], None)}),
    ({"media": "[{file: content/media/a.png, alt: a}]", "overrides": "{mastodon: {media: []}}"},  # none here
     {"mastodon": ("Hello", [], None), "bluesky": ("Hello", ["content/media/a.png"], None)}),
    ({"media": "[{file: content/media/a.png, alt: a}]", "overrides": "{bluesky: {media: [{file: content/media/b.png, alt: b}]}}"},
     {"mastodon": ("Hello", ["content/media/a.png"], None), "bluesky": ("Hello", ["content/media/b.png"], None)}),
    ({"link": "https://a.example/", "overrides": "{bluesky: {link: 'https://b.example/'}}"},
     {"mastodon": ("Hello\n\nhttps://a.example/", [], "https://a.example/"),
      "bluesky": ("Hello\n\nb.example", [], "https://b.example/")}),  # as Bluesky shows a link
]


@pytest.mark.parametrize("fields,expected", ACCOUNT_VIEWS)
def test_each_account_gets_its_override_or_the_post(make_repo, fields, expected):
    files = {name: _png() for name in ("content/media/a.png", "content/media/b.png")}
    root = make_repo({"p.md": post_text("Hello", platforms="[mastodon, bluesky]", **fields)}, files=files,
                     platforms=PLATFORMS_NO_UTM)
    repo = load_repo(root)
    assert repo.posts, repo.diagnostics
    renderer = Renderer(root, repo.config, repo.brand)
    for account, (text, media, link) in expected.items():
        r = renderer.render(repo.posts[0], account)
        assert (r.text, [m.file for m in r.media], r.link) == (text, media, link), account
        assert not [d for d in r.diagnostics if d.rule.startswith("media.")]


PLATFORMS_NO_UTM = """\
timezone: UTC
utm: {enabled: false}
accounts:
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
"""


@pytest.mark.parametrize("fields,shown", [
    ({}, None),
    ({"content_warning": "'Spoilers'"}, "Spoilers"),
    ({"content_warning": "'Spoilers'", "languages": "[zh, en]", "title": "'Tea 茶'"}, "Spoilers"),
])
def test_rendered_carries_title_languages_and_content_warning(make_repo, fields, shown):
    """What an adapter needs comes with the rendering; a warning only where the network shows one."""
    root = make_repo({"p.md": post_text("Hello", platforms="[mastodon, bluesky]", **fields)},
                     platforms=PLATFORMS_NO_UTM)
    repo = load_repo(root)
    post = repo.posts[0]
    renderer = Renderer(root, repo.config, repo.brand)
    mastodon, bluesky = renderer.render(post, "mastodon"), renderer.render(post, "bluesky")
    assert mastodon.content_warning == shown and bluesky.content_warning is None
    assert mastodon.title == bluesky.title == post.title
    assert mastodon.languages == tuple(post.meta.get("languages") or ())


# --- tokens: one pattern each for URLs, hashtags and mentions ---------------------------------

TOKENS = [  # (text, hashtags, urls, mentions)
    ("Tea #Oolong and #绿茶 today", ["#Oolong", "#绿茶"], [], []),
    ("no tag in a#b, ##double or &#39; entities", [], [], []),
    ("See https://shop.example/a?x=1. Then https://b.example/茶。", [],
     ["https://shop.example/a?x=1", "https://b.example/茶"], []),
    ("(https://a.example/x) and 'https://b.example'", [], ["https://a.example/x", "https://b.example"], []),
    ("Hi @alice, @bob@m.example. and @{brand}!", [], [], ["@alice", "@bob@m.example", "@{brand}"]),
    ("@张三 喝茶 #冬日", ["#冬日"], [], ["@张三"]),
]


@pytest.mark.parametrize("text,tags,links,mentions", TOKENS)
def test_tokens_are_found_one_way(text, tags, links, mentions):
    from smm.content.tokens import MENTION, hashtags, urls

    assert hashtags(text) == tags
    assert urls(text) == links
    assert [m.group() for m in MENTION.finditer(text)] == mentions


@pytest.mark.parametrize("body,shown", [
    ("Tea &amp;#39; time", "Tea &#39; time\n\n#Tea"),  # Markdown's `&amp;` is `&`; `&#39;` is no hashtag: `#Tea` is added
    ("[Tea](https://a.example) &amp;#39; time", "Tea (https://a.example?utm_source=mastodon&utm_medium=social) &#39; time\n\n#Tea"),  # the same with Markdown syntax
    ("Tea #tea time", "Tea #tea time"),  # a hashtag already in the text is not added again, whatever its case
    ("Tea a#Tea time", "Tea a#Tea time\n\n#Tea"),  # `a#Tea` is no hashtag
])
def test_hashtags_added_unless_already_in_the_text(make_repo, body, shown):
    assert render(make_repo, body, hashtags="[Tea]").text == shown


FIELD_COMMENTS = [  # (front matter fields with comments, the same fields as they should be published)
    ({"title": '"Launch <!-- team note -->"'}, {"title": "Launch"}),
    ({"title": '"<!-- team note --> Launch day"'}, {"title": "Launch day"}),
    ({"content_warning": '"Spoilers <!-- team note -->"'}, {"content_warning": "Spoilers"}),
    ({"media": '[{file: content/media/a.png, alt: "A green square <!-- team note -->"}]'},
     {"media": '[{file: content/media/a.png, alt: "A green square"}]'}),
    ({"hashtags": '["Tea<!-- team note -->", Green]'}, {"hashtags": "[Tea, Green]"}),
    ({"overrides": '{mastodon: {media: [{file: content/media/a.png, alt: "Leaf <!-- team note -->"}]}}'},
     {"overrides": '{mastodon: {media: [{file: content/media/a.png, alt: "Leaf"}]}}'}),
    ({"link": '"https://example.com/tea<!-- team note -->"'}, {"link": "https://example.com/tea"}),
    ({"overrides": '{mastodon: {text: "Own <!-- team note -->", hashtags: ["Tea <!-- team note -->"], '
                   'link: "https://example.com/x<!-- team note -->"}}'},
     {"overrides": '{mastodon: {text: "Own", hashtags: [Tea], link: "https://example.com/x"}}'}),
    ({"campaign": '"winter<!-- team note -->"'}, {"campaign": "winter"}),  # a template's `post.*` and UTM
    ({"languages": '["zh-Hans<!-- team note -->", en]'}, {"languages": "[zh-Hans, en]"}),
]


def _published_everywhere(make_repo, fields: dict) -> list:
    files = {"content/media/a.png": _png(), "brand/templates/feed.j2": "{{ text }}<p>{{ post.campaign }}</p>"}
    root = make_repo({"p.md": post_text("Hello", platforms=f"[{', '.join(EVERY_ACCOUNT)}]", **fields)},
                     platforms=EVERY_PLATFORM, files=files)
    repo = load_repo(root)
    assert repo.posts, repo.diagnostics
    renderer = Renderer(root, repo.config, repo.brand)
    return [renderer.render(repo.posts[0], account) for account in EVERY_ACCOUNT]


@pytest.mark.parametrize("with_comments,published", FIELD_COMMENTS)
def test_comments_in_front_matter_text_are_never_published(make_repo, smm, with_comments, published):
    expected = _published_everywhere(make_repo, published)
    got = _published_everywhere(make_repo, with_comments)
    for r, e in zip(got, expected):
        shown = (r.title, r.content_warning, json.dumps(r.as_json(), ensure_ascii=False))
        assert "team note" not in "".join(str(s) for s in shown), r.account
        assert (r.title, r.content_warning, r.link, r.languages) == (e.title, e.content_warning, e.link, e.languages)
        assert r.as_json() == e.as_json(), r.account
        assert {d.rule for d in r.diagnostics} == {d.rule for d in e.diagnostics}, r.account
    for fmt in ("text", "markdown", "html", "json"):
        code, out, _ = smm("preview", "--format", fmt)
        assert code == 0 and "team note" not in out, fmt


COUNT_INPUTS = [  # (platform, standard input, exit code, words in what it prints)
    ("x", b"", 1, "X refuses an empty post"),
    ("mastodon", b"", 1, "empty: Mastodon publishes no post without text"),
    ("bluesky", b"", 1, "empty:"),
    ("feed", b"", 1, "empty:"),
    ("x", b"   ", 0, "3/280"),  # twitter-text 3.1.0: white space alone is a valid post, weighted 3
    ("mastodon", b"   ", 1, "empty: Mastodon"),  # counted 0: Rails' `blank?` text, "Text can't be blank"
    ("mastodon", "\u3000\n".encode(), 1, "empty: Mastodon"),  # an ideographic space is white space too
    ("bluesky", b"   ", 0, "3/300"),  # the lexicon bounds graphemes only
    ("mastodon", "茶".encode() * 501, 1, "over the limit"),
    ("x", b"caf\xe9", 1, "not valid UTF-8"),
    ("mastodon", "冬日".encode("gbk"), 1, "UTF-8"),
    ("bluesky", "tea".encode("utf-16"), 1, "UTF-16"),
    ("x", b"a\x00b", 1, "binary"),
]


@pytest.mark.parametrize("platform,data,code,words", COUNT_INPUTS)
def test_count_says_why_a_text_cannot_be_posted(platform, data, code, words):
    from click.testing import CliRunner

    from smm.cli import cli

    result = CliRunner().invoke(cli, ["count", "--platform", platform], input=data)
    shown = result.stdout + result.stderr
    assert (result.exit_code, words in shown, "Traceback" in shown) == (code, True, False), shown
    if code == 1 and "UTF" in words or "binary" in words:
        assert "standard input" in result.stderr and not result.stdout


@pytest.mark.parametrize("fields,field_line", [
    ({"title": '"Launch <!-- legal asked"'}, 2),
    ({"content_warning": '"Spoilers <!-- team"'}, 5),
    ({"media": '[{file: content/media/a.png, alt: "Leaf <!-- team"}]'}, 5),
    ({"overrides": '{mastodon: {link: "https://example.com/<!--x"}}'}, 5),
])
def test_an_unclosed_comment_in_a_front_matter_field_is_an_error_at_the_field(make_repo, smm, fields, field_line):
    make_repo({"p.md": post_text("Hello", **fields)}, files={"content/media/a.png": _png()})
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    found = [(d["rule"], d["line"]) for d in diagnostics if d["severity"] == "error"]
    assert code == 1 and found == [("render.unclosed-comment", field_line)]


SHARED_HANDLES = ("alice: {mastodon: '@alice@m.example', bluesky: '@alice.bsky.social', x: '@alice_x', "
                  "linkedin: 'urn:li:person:1', default: Alice Smith}\nbob: {default: '@bob'}\n")
SHARED_CONVERSION = [  # bodies where what differs per account (a handle, utm_source) sits next to Markdown syntax
    "Hi @{alice}, see https://shop.example/a?x=1 and [the shop](https://shop.example/b)",
    "@{alice} first\n\n- @{bob} listed\n1. @{alice}. numbered",
    "Entity-like &@{bob}; and _@{alice}_ and *@{bob}* and @{alice}_x_ and \\@{bob}",
    "In a link [@{alice}](https://shop.example/@{bob}) or [x](@{bob}) or <@{alice}> or (@{bob})",
    "Already tagged https://shop.example/?utm_source=news and bare https://shop.example/c.",
    "Text that names smmstandinaaa and @smmstandinaab itself, @{alice} https://shop.example/d",
    "# @{alice}\n\n> @{bob} quoted `@{alice}`\n\n    @{bob} indented",
    "A reference [ @{bob}] and [x][ @{bob}] and [x][\n@{bob}]\n\n[@bob]: https://shop.example/r",
]


@pytest.mark.parametrize("body", SHARED_CONVERSION)
def test_one_conversion_for_every_account_renders_as_each_own(make_repo, monkeypatch, body):
    """Markdown converted once for all accounts (handles and utm_source stood in for) gives, for
    every account, exactly what converting that account's own text gives."""
    from smm.render import markup, rendered
    root = make_repo({"p.md": post_text(body, platforms=f"[{', '.join(EVERY_ACCOUNT)}]", campaign="w1")},
                     platforms=EVERY_PLATFORM, files={"brand/handles.yml": SHARED_HANDLES})
    repo = load_repo(root)
    assert repo.posts, repo.diagnostics

    def everywhere() -> list:
        markup.convert.cache_clear()
        renderer = Renderer(root, repo.config, repo.brand)
        return [(_show(r), r.link) for r in (renderer.render(repo.posts[0], a) for a in EVERY_ACCOUNT)]

    shared = everywhere()
    monkeypatch.setattr(rendered, "_INERT_HANDLE", re.compile(r"(?!)"))  # no stand-ins: each account's own text
    monkeypatch.setattr(rendered, "_INERT_SOURCE", re.compile(r"(?!)"))
    assert shared == everywhere()
