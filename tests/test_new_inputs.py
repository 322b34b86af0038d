"""Hostile inputs to the newer commands (site, listening, giveaways, cards, import, personas):
each is refused with a clear message and exit 1, or handled, never a traceback (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import post_text

NOW = "2026-11-20T10:00:00+08:00"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", 'https://x.example/"><script>alert(1)</script>', "https://x.example/a b",
    "http://", "https:///path", "https://x.example:port/", "https://x.example/?q=1", "https://x.example/#top",
    "https://x.example/\x1b[2J", "ftp://x.example/", "https://x.example/<b>",
])
def test_a_base_url_that_is_no_plain_http_url_is_refused(make_repo, smm, url):
    make_repo({"p.md": post_text()})
    code, out, err = smm("site", "build", "--out", "_site", "--now", NOW, "--base-url", url)
    assert code == 1 and "--base-url" in err and "expected an http(s) URL" in err, out + err
    assert not Path("_site").exists()


@pytest.mark.parametrize("url,loc", [
    ("https://x.example/a&b/", "https://x.example/a&amp;b/index.html"),
    ("https://云叶.example/", "https://云叶.example/index.html"),
    ("http://localhost:8000", "http://localhost:8000/index.html"),
])
def test_the_sitemap_escapes_what_it_holds(make_repo, smm, url, loc):
    make_repo({"p.md": post_text()})
    code, out, err = smm("site", "build", "--out", "_site", "--now", NOW, "--base-url", url)
    assert code == 0, out + err
    assert f"<loc>{loc}</loc>" in Path("_site/sitemap.xml").read_text(encoding="utf-8")
