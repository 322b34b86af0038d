"""An outside tester's review of `smm site build` (issue 19): `--base-url` with a sub-path and odd
characters gives canonical links and a sitemap of URLs under it, or is refused with why (never a
URL whose `?` or `#` swallows the pages' paths, never a user name or password published on every
page); and a link checker over the built site: every link and source inside the site names a file,
nothing is loaded from outside, no secret of the environment reaches the site."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import post_text

NOW = "2026-11-20T10:00:00+08:00"

# --base-url → the canonical link of the home page, or None when refused (with a phrase of why)
BASE_URLS = {
    "https://acme.github.io/social/": "https://acme.github.io/social/index.html",
    "https://acme.github.io/social": "https://acme.github.io/social/index.html",
    "https://acme.github.io/a;b/%41/": "https://acme.github.io/a;b/%41/index.html",
    "http://[::1]:8080/x/": "http://[::1]:8080/x/index.html",
    "https://acme.github.io/社交/": "https://acme.github.io/社交/index.html",  # as given (an IRI: tests/test_new_inputs.py)
    "https://acme.github.io/a@b/": "https://acme.github.io/a@b/index.html",  # an `@` in the path is no user
    "https://acme.github.io/social/?": (None, "a query or a fragment"),
    "https://acme.github.io/social/#": (None, "a query or a fragment"),
    "https://acme.github.io/?page=": (None, "a query or a fragment"),
    "https://deploy:hunter2@acme.github.io/social/": (None, "user name or password"),
    "https://token@acme.github.io/": (None, "user name or password"),
    "https://acme.github.io/%zz/": (None, "starts no escape"),
    "https://acme.github.io/a\x7fb/": (None, "control character"),
    "javascript:alert(1)": (None, "not an http(s) URL"),
    "https://acme.github.io/social/index.html": (None, "names a page"),
    "https://acme.github.io/social/Index.HTM": (None, "names a page"),
    "https://acme.github.io/sitemap.xml": (None, "names a page"),
    "https://acme.github.io/v1.2": "https://acme.github.io/v1.2/index.html",  # a folder with a dot in its name
    "https://acme.github.io/html/": "https://acme.github.io/html/index.html",
}


@pytest.mark.parametrize("base", list(BASE_URLS), ids=[repr(b) for b in BASE_URLS])
def test_base_url_gives_valid_urls_under_it_or_is_refused(make_repo, smm, base):
    make_repo({"2026/11/2026-11-20-one.md": post_text(publish_at="2026-11-20T12:00")})
    code, out, err = smm("site", "build", "--out", "_site", "--base-url", base, "--now", NOW)
    expected = BASE_URLS[base]
    if isinstance(expected, tuple):
        assert code == 1 and expected[1] in err and "Traceback" not in err and not Path("_site").exists()
        assert "hunter2" not in err and "token@" not in err  # a password is not printed back to the log
        return
    assert code == 0, err
    home = Path("_site/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{expected}">' in home
    sitemap = Path("_site/sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    prefix = expected.removesuffix("index.html")
    assert locs and all(loc.startswith(prefix) and " " not in loc for loc in locs)
    assert f"<loc>{prefix}posts/2026-11-20-one/index.html</loc>" in sitemap


class Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str, str]] = []  # (tag, attribute, value, rel)
        self.lang: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang.append(values.get("lang"))
        for name in ("src", "href", "poster", "srcset", "action", "data", "background"):
            if values.get(name) is not None:
                self.refs.append((tag, name, values[name], values.get("rel") or ""))


def link_problems(site: Path) -> list[str]:
    """Every reference of every page: inside the site and naming a file (relative, from nested pages
    too), or a link (`<a href>`, the canonical link) out; never a resource from outside."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".css":
            for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", path.read_text(encoding="utf-8")):
                if not url.startswith("data:") and not (path.parent / unquote(url)).is_file():
                    problems.append(f"{path}: css url({url})")
        if path.suffix != ".html":
            continue
        page = Refs()
        page.feed(path.read_text(encoding="utf-8"))
        if not page.lang or not page.lang[0]:
            problems.append(f"{path}: no lang")
        for tag, name, value, rel in page.refs:
            parts = urlsplit(value.strip())
            if parts.scheme or value.strip().startswith("//"):
                if not (tag == "a" and name == "href" and parts.scheme in ("http", "https")) and rel != "canonical" \
                        and not (rel == "icon" and value == "data:image/x-icon;,"):  # no icon (a browser would ask the host's root)
                    problems.append(f"{path}: {tag} {name}={value}")
                continue
            if parts.path:
                target = (path.parent / unquote(parts.path)).resolve()
                if not target.is_relative_to(site.resolve()) or not target.is_file():
                    problems.append(f"{path}: {tag} {name}={value} names no file of the site")
    return problems


SECRETS = {"SMM_MASTODON_TOKEN": "s3cr3t-mastodon-9f1c", "SMM_BLUESKY_APP_PASSWORD": "s3cr3t-bluesky-77ab",
           "SMM_WECHAT_APP_SECRET": "s3cr3t-wechat-1d2e", "GITHUB_TOKEN": "ghp_s3cr3tgithub0123456789",
           "SMM_X_API_KEY": "s3cr3t-x-5a5a"}


@pytest.mark.parametrize("base", [None, "https://acme.github.io/social%20media/"])
def test_the_example_site_links_only_inside_itself_and_holds_no_secret(tmp_path, monkeypatch, smm, base):
    """The example repository (its posts, pictures, records, metrics, inbox and listening) with
    fake secrets in the environment, built into a nested folder."""
    import shutil

    from conftest import ROOT

    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    monkeypatch.chdir(root)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "public" / "nested"
    code, _, err = smm("site", "build", "--out", str(out), "--now", NOW, *(["--base-url", base] if base else []))
    assert code == 0, err
    assert link_problems(out) == []
    for where in (out, root / "data"):
        for path in where.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not [name for name, value in SECRETS.items() if value.encode() in data], path
    assert os.path.isfile(out / "search" / "index.html")


QUOTE_PAGE = "posts/2026-12-19-brewing-quote/index.html"  # a post whose picture is the `quote` card


@pytest.mark.parametrize("logo", ["brand/cards/cloudleaf-logo.png", "assets/logo.png", "logo.png"])
def test_a_card_picture_changed_rebuilds_the_pages_that_show_the_card(tmp_path, monkeypatch, smm, logo):
    """The pages a build keeps are keyed by every file the cards read, wherever the card template's
    logo lives: an incremental build after the logo changed equals a build from nothing."""
    import shutil

    from PIL import Image
    from conftest import ROOT

    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    (root / logo).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(root / "brand/cards/cloudleaf-logo.png", root / logo)
    card = root / "brand/cards/quote.yml"
    card.write_text(card.read_text(encoding="utf-8").replace("brand/cards/cloudleaf-logo.png", logo), encoding="utf-8")
    monkeypatch.chdir(root)

    def build(out: str, cache: str) -> str:
        code, _, err = smm("site", "build", "--out", str(tmp_path / out), "--now", NOW,
                           env={"SMM_CACHE_DIR": str(tmp_path / cache)})
        assert code == 0, err
        return (tmp_path / out / QUOTE_PAGE).read_text(encoding="utf-8")

    before = build("site", "kept")
    Image.new("RGB", (64, 64), "red").save(root / logo)
    after = build("site", "kept")
    assert after != before and after == build("fresh", "fresh-cache")
