"""The eleventh session's outside-in review of the site (`smm site build`), without a browser: the listening and
competitors page and the home page's goals and alerts show the report's sections and values as the report page
does (localized headings and values, numbers formatted, no field names or raw JSON of the report's data), the
listening page counts only, never what people said. tests/test_review11_site_browser.py has what needs chromium."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_example

NOW = "2026-12-01T10:00"

# What a page must never show of the report's data: its field names, Python's or JSON's spellings of values.
RAW = re.compile(r"_pct\b|posts_per_week|median_engagement|previous_net|\bTrue\b|\bFalse\b|\bnull\b|\{&#34;|\{\"")
# The report's English, which a Chinese page shows translated.
ENGLISH = re.compile(r"(?<![\w-])(at risk|on track|no data|MAD above|mentions|followers)(?![\w-])")  # not in an id


@pytest.fixture(scope="module", params=["en", "zh-Hans"])
def built(request, tmp_path_factory) -> tuple[str, Path]:
    """The example's site with this interface language: (the language, the repository)."""
    root = copy_example(tmp_path_factory.mktemp(f"review11-{request.param}"))
    with (root / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write(f"language: {request.param}\n")
    subprocess.run([sys.executable, "-m", "smm", "site", "build", "--out", "_site", "--now", NOW], cwd=root, check=True,
                   capture_output=True, timeout=300)
    return request.param, root


def main_of(root: Path, page: str) -> str:
    text = (root / "_site" / page).read_text(encoding="utf-8")
    return text[text.index("<main>"):text.index("</main>")]


SHOWN = {  # page: the words it shows in each language
    "listening/index.html": {"en": ["Mentions", "Share of voice", "Competitor benchmark", "followers", "posts a week",
                                    "49.38%", "(brand)", "Alerts", "how far"],
                             "zh-Hans": ["品牌提及", "声量份额", "竞品对比", "粉丝", "每周发帖", "49.38%", "（本品牌）", "预警",
                                         "偏离程度"]},
    "index.html": {"en": ["goal", "at risk", "on track", "no data", "how far", "MAD above the 28-day median"],
                   "zh-Hans": ["目标", "有风险", "进展顺利", "无数据", "偏离程度", "比 28 天中位数"]},
}


@pytest.mark.parametrize("page", SHOWN)
def test_the_reports_sections_are_shown_as_the_report_shows_them_in_the_interfaces_language(built, page):
    """The listening and competitors page and the home page's goals and alerts: the report's sections and
    values, as the report page draws them (headings, numbers, percentages), in the page's language."""
    language, root = built
    main = main_of(root, page)
    assert not RAW.findall(main), RAW.findall(main)[:5]
    assert [word for word in SHOWN[page][language] if word not in main] == []
    if language.startswith("zh"):
        text = re.sub(r"<[^>]+>", " ", main)
        assert not ENGLISH.findall(text), ENGLISH.findall(text)[:5]


def test_the_listening_page_shows_counts_never_what_people_said(built):
    language, root = built
    with (root / "data/mentions/2026-11.csv").open(encoding="utf-8", newline="") as f:
        said = {row["text"] for row in csv.DictReader(f)}
    report = (root / "_site/report/30d/index.html").read_text(encoding="utf-8")
    assert any(text in report for text in said)  # the report quotes the top mentions
    assert not [text for text in said if text in main_of(root, "listening/index.html")]
