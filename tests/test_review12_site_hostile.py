"""The twelfth session's review of the site (`smm site build`), the preview and the report HTML on a hostile
repository (tests/hostile_content.py: markup and script in every field a page shows, very long words, RTL and
CJK mixed, odd metrics), in a brand language of each kind: English, Chinese, and one that marks the
repository's text with its language (`ja`: tests/test_review12_site.py). Nothing of the repository becomes
markup, a script, a handler or a request on any page, wherever its language is marked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import hostile_content
import pytest
from test_html_pages import Tags

NOW = "2026-12-10T10:00+08:00"


def smm(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "smm", *args], cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module", params=["en", "zh-Hans", "ja"])
def hostile(request, tmp_path_factory) -> tuple[str, dict[str, str]]:
    """(the brand's language, page → its HTML): every page of the site, the preview and the report."""
    root = hostile_content.write(tmp_path_factory.mktemp(f"hostile12-{request.param}") / "repo")
    with (root / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write(f"language: {request.param}\n")
    smm(root, "site", "build", "--out", "_site", "--now", NOW, "--base-url", "https://example.org/site/")
    pages = {p.relative_to(root / "_site").as_posix(): p.read_text(encoding="utf-8")
             for p in sorted((root / "_site").rglob("*.html"))}
    pages["preview"] = smm(root, "preview", "--format", "html")
    pages["report"] = smm(root, "report", "--format", "html", "--from", "2026-11-01", "--to", "2026-12-09", "--now", NOW)
    return request.param, pages


def test_no_markup_of_the_repository_reaches_a_page(hostile):
    language, pages = hostile
    assert len(pages) > 20
    for name, html in pages.items():
        tags = Tags(html).tags
        scripts = [a.get("src") for t, a in tags if t == "script"]
        assert scripts == {"search/index.html": ["../assets/search-index.js", "../assets/search.js"],  # the site's own only
                           "inbox/index.html": ["../assets/clock.js"], "index.html": ["assets/clock.js"]}.get(name, []), name
        assert not [(t, k) for t, a in tags for k in a if k.startswith("on")], name
        assert not [a for t, a in tags if t in ("img", "image", "iframe", "object", "embed", "link", "source")
                    and any(re.match(r"\s*(https?:)?//", a.get(k) or "") for k in ("src", "href", "srcset"))
                    and a.get("rel") != "canonical"], name
        assert "alert(1)</script>" not in html and "<svg onload" not in html, name
        langs = {a["lang"] for _, a in tags if "lang" in a}
        assert all(re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", lang) for lang in langs), (name, langs)


def test_the_repositorys_text_says_its_language_only_where_the_page_is_in_another(hostile):
    language, pages = hostile
    for name, html in pages.items():
        assert re.search(r'<html lang="([^"]+)">', html)[1] == ("en" if language == "ja" else language), name
        marked = html.count('lang="ja"')
        assert (marked > 0) == (language == "ja") or name in ("search/index.html",), (name, marked)


@pytest.mark.parametrize(("value", "shown"), [
    (3.125, "3.13%"), (0.005, "0.01%"), (-2.5, "-2.50%"), (0.0, "0.00%"), (None, "—"),
    (1e300, "1" + "0" * 300 + ".00%"), (-1e300, "-1" + "0" * 300 + ".00%"), (1.5e28, "15" + "0" * 27 + ".00%"),
    (9e18 * 100, "900" + "0" * 18 + ".00%"), (float("inf"), "—"), (float("-inf"), "—"), (float("nan"), "—"),
])
def test_a_percentage_of_any_size_is_shown(value, shown):
    """A competitors' or metrics CSV edited by hand (a median engagement of 1e300): every report format and the
    site showed `internal error: InvalidOperation` (Decimal's 28 digits) instead of the number."""
    from smm.report.formats import pct

    assert pct(value) == shown


def test_a_huge_median_engagement_is_a_report_not_a_crash(tmp_path):
    root = hostile_content.write(tmp_path / "repo")
    for fmt in ("text", "markdown", "html", "json"):
        assert smm(root, "report", "--format", fmt, "--from", "2026-11-01", "--to", "2026-12-09", "--now", NOW)
