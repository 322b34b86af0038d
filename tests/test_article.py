"""WeChat articles as users see them: `smm preview --format article` (the HTML sent), the theme,
what `smm check` says about an article's images, title and cover, and one group message a day."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from conftest import post_text

PLATFORMS = "timezone: Asia/Shanghai\naccounts:\n  wx: {platform: wechat, cover: content/media/c.png}\n" \
            "  masto: {platform: mastodon, instance: 'https://m.example', token_env: T}\n"


def _image(kind="PNG", size=(8, 8), noise=False) -> bytes:
    from PIL import Image

    image = Image.effect_noise(size, 100).convert("RGB") if noise else Image.new("RGB", size, "green")
    buffer = BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def _repo(make_repo, body, files=None, config=PLATFORMS, **fields):
    fields = {"platforms": "[wx]", **fields}
    return make_repo({"a.md": post_text(body, **fields)}, platforms=config, calendar=None,
                     files={"content/media/c.png": _image(), **(files or {})})


def _article(smm, make_repo, body, **kwargs) -> str:
    _repo(make_repo, body, **kwargs)
    code, out, err = smm("preview", "content/a.md", "--account", "wx", "--format", "article")
    assert code == 0, err
    return out


# Markdown → what the article carries: every style inline, nothing WeChat strips
CASES = {
    "heading and emphasis": ("# 冬季 Winter\n\nSome **bold** and *soft* tea.", ["<h1 style=", "<strong", "<em"]),
    "link becomes a reference": ("See [the story](https://cloudleaf.example/s).",
                                 ["the story<sup style=", ">[1]</sup>", "[1] the story: https://cloudleaf.example/s"]),
    "the same link twice is one reference": ("[a](https://x.example/1) and [b](https://x.example/1)",
                                             ["a<sup", "b<sup", "[1] a: https://x.example/1"]),
    "a WeChat article link stays a link": ("[older](https://mp.weixin.qq.com/s/abc)",
                                           ['<a href="https://mp.weixin.qq.com/s/abc', "older</a>"]),
    "code keeps lines and spaces": ("```\nif x:\n    go()\n```", ["if\xa0x:<br>\xa0\xa0\xa0\xa0go()", "<pre style="]),
    "table scrolls": ("| a | b |\n|---|---|\n| 1 | 2 |", ['<section style="overflow-x: auto', "<td style="]),
    "footnote": ("Tea[^1].\n\n[^1]: Camellia sinensis.", ["<sup>1</sup>", "Camellia sinensis."]),
    "quote": ("> 好茶", ["<blockquote style=", "border-left: 4px solid #07c160"]),
    "raw HTML stays text": ("<script>alert(1)</script> <b style='x'>", ["&lt;script&gt;alert(1)&lt;/script&gt;"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_article_html_is_inline_styled_and_keeps_what_wechat_strips_out(smm, make_repo, case):
    body, expected = CASES[case]
    out = _article(smm, make_repo, body)
    for piece in expected:
        assert piece in out, piece
    assert not re.search(r"<(style|script)\b|\sclass=|\sid=|<a (?![^>]*mp\.weixin\.qq\.com)", out)
    assert out.startswith('<section style="font-family:')


THEMES = {
    "colours": ("colors: {accent: '#c0392b'}\n", "> q\n\n`code`", ["color: #c0392b", "border-left: 4px solid #07c160"]),
    "quote": ("quote: {border: '#123456', background: '#fafafa'}\n", "> q", ["border-left: 4px solid #123456"]),
    "heading": ("headings: {h2: {size: 30, color: '#222', align: right}}\n", "## Title",
                ["font-size: 30px", "color: #222", "text-align: right"]),
    "fonts": ("fonts: {body: 'Songti SC, serif', size: 17, line_height: 2}\n", "text",
              ["font-family: Songti SC, serif", "font-size: 17px", "line-height: 2"]),
    "references title": ("references: 延伸阅读\n", "[a](https://x.example)", [">延伸阅读</p>"]),
}


@pytest.mark.parametrize("case", list(THEMES))
def test_brand_theme_sets_the_look(smm, make_repo, case):
    theme, body, expected = THEMES[case]
    out = _article(smm, make_repo, body, files={"brand/theme.yml": theme})
    for piece in expected:
        assert piece in out, piece


@pytest.mark.parametrize("theme, field", [
    ("colors: {accent: red}\n", "colors.accent"),
    ("fonts: {body: 'x; background: url(http://evil)'}\n", "fonts.body"),
    ("headings: {h7: {size: 20}}\n", "h7"),
    ("quote: {colour: '#fff'}\n", "colour"),
    ("fonts: {size: 200}\n", "fonts.size"),
])
def test_a_bad_theme_is_a_positioned_error(smm, make_repo, theme, field):
    _repo(make_repo, "text", files={"brand/theme.yml": theme})
    code, out, err = smm("check")
    assert code == 1
    assert re.search(rf"brand/theme.yml:1:\d+: error\[schema\.[a-z-]+\]: .*{re.escape(field)}", out), out


# What `smm check` says about an article's images, cover and title
CHECKS = {
    "external image": ("![x](https://cdn.example/x.png)", {}, {}, "render.external-image"),
    "missing image": ("![x](content/media/none.png)", {}, {}, "media.missing"),
    "GIF in the body": ("![x](content/media/g.gif)", {"content/media/g.gif": _image("GIF")}, {}, "media.type"),
    "body image over 1 MB": ("![x](content/media/big.png)",
                             {"content/media/big.png": _image("PNG", (700, 700), noise=True)}, {}, "media.size"),
    "image outside the repository": ("![x](../x.png)", {}, {}, "media.outside-repo"),
    "title over 32": ("text", {}, {"title": "'" + "标题" * 17 + "'"}, "render.title-too-long"),
}


@pytest.mark.parametrize("case", list(CHECKS))
def test_check_finds_what_wechat_would_refuse(smm, make_repo, case):
    body, files, fields, rule = CHECKS[case]
    _repo(make_repo, body, files=files, **fields)
    code, out, err = smm("check")
    assert code == 1
    assert re.search(rf"content/a.md:\d+:\d+: error\[{re.escape(rule)}\]", out), out


# Where an article's picture problem is reported: the image in the body (found in the text), in an override's
# text or the account in `platforms` (front matter fields: their positions are needed)
PLACES = {
    "body image missing": ("text\n\n![x](content/media/none.png)", PLATFORMS, "content/a.md:8:6: error[media.missing]", False),
    "body image of an override": ("text", PLATFORMS, "content/a.md:5:24: error[media.missing]", True),
    "account's cover missing": ("text", PLATFORMS.replace("content/media/c.png", "content/media/none.png"),
                                "content/a.md:4:13: error[media.missing]", True),
    "nothing wrong": ("text\n\n![x](content/media/c.png)", PLATFORMS, None, False),
}


@pytest.mark.parametrize("case", list(PLACES))
def test_a_picture_problem_is_placed_whether_or_not_the_post_kept_its_positions(smm, make_repo, case):
    """A post read from the cache or from another process has no positions: its file is read again only
    to place a problem it has, at the same place."""
    from smm.render.rendered import Renderer
    from smm.workspace.repo import load_repo

    body, config, expected, field = PLACES[case]
    overrides = '{wx: {text: "![x](content/media/none.png)"}}' if "override" in case else None
    root = _repo(make_repo, body, config=config, overrides=overrides)
    code, out, _ = smm("check")
    assert (expected in out) if expected else ("error" not in out.replace("0 errors", "")), out
    repo = load_repo(root)
    post = repo.posts[0]
    renderer = Renderer(root, repo.config, repo.brand)
    kept, dropped = post, post.without_positions()
    assert renderer.render(dropped, "wx").diagnostics == renderer.render(kept, "wx").diagnostics
    assert ("positions" in dropped.__dict__) == field  # read again only for a problem at a field


def test_an_article_without_cover_is_an_error_unless_the_account_has_one(smm, make_repo):
    platforms = "timezone: Asia/Shanghai\naccounts:\n  wx: {platform: wechat}\n"
    _repo(make_repo, "text", config=platforms)
    code, out, _ = smm("check")
    assert code == 1 and "media.none" in out and "cover" in out
    _repo(make_repo, "text", media="[{file: content/media/c.png}]", config=platforms)
    assert "media.none" not in smm("check")[1]


@pytest.mark.parametrize("times, errors", [
    (["2026-12-01T09:00", "2026-12-02T09:00"], 0),
    (["2026-12-01T09:00", "2026-12-01T20:00"], 1),
    (["2026-12-01T09:00", "2026-12-01T20:00", "2026-12-01T21:00"], 2),
    (["2026-12-01T23:30:00+08:00", "2026-12-01T16:30:00Z"], 0),  # 00:30 on the 2nd in China: another day
    (["2026-12-01T08:00:00+08:00", "2026-11-30T23:00:00-08:00"], 1),  # both the 1st in China
])
def test_one_group_message_a_day_in_china_time(smm, make_repo, times, errors):
    posts = {f"p{i}.md": post_text("text", platforms="[wx]", publish_at=f'"{at}"', title=f"P{i}")
             for i, at in enumerate(times)}
    make_repo(posts, platforms=PLATFORMS, calendar=None, files={"content/media/c.png": _image()})
    code, out, _ = smm("check")
    assert out.count("calendar.daily-limit") == errors, out
    assert code == (1 if errors else 0), out


def test_daily_limit_option_and_drafts(smm, make_repo):
    platforms = PLATFORMS.replace("cover: content/media/c.png", "cover: content/media/c.png, daily_limit: 2")
    posts = {f"p{i}.md": post_text("text", platforms="[wx]", publish_at=f"2026-12-01T0{i}:00", title=f"P{i}",
                                   draft="true" if i == 3 else None) for i in range(1, 5)}
    make_repo(posts, platforms=platforms, calendar=None, files={"content/media/c.png": _image()})
    out = smm("check")[1]
    assert out.count("calendar.daily-limit") == 1 and "content/p4.md" in out, out


def test_preview_article_needs_one_article(smm, make_repo):
    _repo(make_repo, "text", platforms="[wx, masto]")
    code, out, err = smm("preview", "--format", "article")
    assert code == 0 and out.startswith("<section")  # one post, one WeChat account: the other is not an article
    code, out, err = smm("preview", "--account", "masto", "--format", "article")
    assert code == 1 and "prints one article" in err


def test_html_preview_shows_the_article_styled_in_a_phone_frame(smm, make_repo):
    _repo(make_repo, "> 好茶 [a](https://x.example)\n\n![pot](content/media/c.png) ![far](https://x.example/i.png)")
    code, out, _ = smm("preview", "--format", "html")
    assert code == 0
    frame = out[out.index('<div class="phone"'):]
    assert re.search(r'<span class="shot inline img-\d+" role="img" aria-label="pot">', frame)  # the file, shown
    assert "[image: far]" in frame  # not a repository file: a placeholder (and an error in check)
    assert 'style="margin: .6em 0' in frame or "border-left: 4px solid #07c160" in frame
    assert "<script" not in out and "[1] a: https://x.example" in frame


@pytest.mark.parametrize("hashtags, over", [("[]", False), ("[a, b]", False), ("[a, b, c]", True)])
def test_colours_in_an_articles_styles_are_no_hashtags(smm, make_repo, hashtags, over):
    """`#3f3f3f` in a `style` is no hashtag: the brand's limit counts the article's own."""
    _repo(make_repo, "> quote `code` | table\n\n## h2", hashtags=hashtags,
          files={"brand/voice.yml": "hashtags:\n  max: 2\n"})
    out = smm("check")[1]
    assert ("voice.hashtags" in out) is over, out
