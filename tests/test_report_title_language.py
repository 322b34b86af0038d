"""A post's title in the HTML report (`smm report --format html` and the site's report pages: the top and
bottom posts' tables and the top posts' chart) carries the post's own first `languages` tag, as the post's
page and the calendar do; a post without one, the language the repository's text is marked with
(smm.site.catalogue.text_language()). Before, every title carried the brand's: a Chinese post in an English
brand's report was read out by an English voice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from conftest import copy_example

from smm.site.catalogue import text_language

NOW = "2026-12-10T10:00+08:00"
LANGUAGES = [["zh-Hans"], ["en"], None, ["ja"], ["zh-Hant", "en"]]  # given to the posts in turn


def smm(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "smm", *args, "--now", NOW], cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def with_languages(root: Path, brand_language: str) -> dict[str, str | None]:
    """The example repository with each post's `languages` given in turn from LANGUAGES, the brand's `language`
    set; post id (its file's stem) → the language its title must carry in the report."""
    brand = root / "brand/brand.yml"
    brand.write_text(re.sub(r"(?m)^language:.*\n", "", brand.read_text(encoding="utf-8"))
                     + f"language: {brand_language}\n", encoding="utf-8")
    expected = {}
    for index, path in enumerate(sorted((root / "content").rglob("*.md"))):
        given = LANGUAGES[index % len(LANGUAGES)]
        text = re.sub(r"(?m)^languages:.*\n", "", path.read_text(encoding="utf-8"), count=1)
        if given:
            text = text.replace("---\n", f"---\nlanguages: [{', '.join(given)}]\n", 1)
        path.write_text(text, encoding="utf-8")
        expected[path.stem] = given[0] if given else text_language(brand_language)
    return expected


def title_marks(html: str, titles: dict[str, str]) -> dict[str, set[str | None]]:
    """Each shown title → the `lang` of every element in the report's tables and charts that holds it."""
    found: dict[str, set[str | None]] = {}
    for tag, attributes, inner in re.findall(r"<(a|bdi|tspan)\b([^>]*)>([^<]*)</\1>", html):
        text = unescape(inner)
        title = next((t for t in titles if text == t or (text.endswith("…") and t.startswith(text[:-1]))), None)
        if title is not None:
            lang = re.search(r'\blang="([^"]*)"', attributes)
            found.setdefault(title, set()).add(lang and lang.group(1))
    return found


@pytest.mark.parametrize("brand_language", ["en", "zh-Hans", "ja"])
def test_each_title_in_the_report_carries_its_posts_language(tmp_path, brand_language):
    root = copy_example(tmp_path / "repo")
    expected = with_languages(root, brand_language)
    report = json.loads(smm(root, "report", "--period", "90d", "--format", "json"))
    shown = report["posts"]["top"] + report["posts"]["bottom"]
    assert len({i["post"] for i in shown}) >= 5
    titles = {i["title"]: expected[i["post"]] for i in shown}
    html = smm(root, "report", "--period", "90d", "--format", "html")
    smm(root, "site", "build", "--out", str(tmp_path / "site"))
    site = (tmp_path / "site/report/90d/index.html").read_text(encoding="utf-8")
    for page in (html, site):
        marks = title_marks(page, titles)
        assert set(marks) == set(titles)
        assert marks == {title: {lang} for title, lang in titles.items()}


def test_a_change_of_a_posts_language_makes_the_sites_report_pages_again(tmp_path):
    root = copy_example(tmp_path / "repo")
    expected = with_languages(root, "en")
    smm(root, "site", "build", "--out", str(tmp_path / "site"))
    report = json.loads(smm(root, "report", "--period", "90d", "--format", "json"))
    first = report["posts"]["top"][0]
    path = next((root / "content").rglob(f"{first['post']}.md"))
    text = re.sub(r"(?m)^languages:.*\n", "", path.read_text(encoding="utf-8"), count=1)
    path.write_text(text.replace("---\n", "---\nlanguages: [ko]\n", 1), encoding="utf-8")
    smm(root, "site", "build", "--out", str(tmp_path / "site"))
    site = (tmp_path / "site/report/90d/index.html").read_text(encoding="utf-8")
    assert title_marks(site, {first["title"]: "ko"})[first["title"]] == {"ko"}, expected[first["post"]]
    shutil.rmtree(tmp_path / "site")
