"""The HTML report speaks the brand's language (issue 19): Chinese interface text for a `zh` brand,
English otherwise, on the site's report pages and in `smm report --format html`, from one
catalogue (smm/report/words.py); the text, Markdown and JSON reports stay English."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from conftest import ROOT
from test_report import write_fixture
from test_site import NOW, Page, build

from smm.report import JSON_KEYS
from smm.report import build as build_report
from smm.report.charts import _date_ticks
from smm.report.formats import as_html, responsiveness_rows
from smm.report.words import WORDS, interface_words
from smm.workspace.repo import load_repo

# (English heading, Chinese heading) that every report page of the test fixture shows, then those of a
# period with measured posts
HEADINGS = [("Accounts", "账号"), ("Posts", "帖子"), ("Best posting times", "最佳发布时间"), ("Goals", "目标"),
            ("Definitions", "指标定义"), ("followers at start", "期初粉丝"), ("engagement rate", "互动率")]
MEASURED = [("Top posts by engagement rate", "互动率最高的帖子"), ("By pillar", "按内容支柱"),
            ("mean engagement rate", "平均互动率")]
# and those of the example repository's richer data (personas, listening, competitors, alerts)
EXAMPLE_HEADINGS = HEADINGS[:5] + [("Personas", "用户画像"), ("Mentions", "品牌提及"), ("Share of voice", "声量份额"),
                                   ("Competitor benchmark", "竞品对比"), ("Alerts", "预警"),
                                   ("best times on its networks", "其所在平台的最佳时间")]


def _texts(html: str) -> list[str]:
    """The page's text nodes (styles and charts left out), each stripped."""
    html = re.sub(r"<(style|svg)\b.*?</\1>", "", html, flags=re.S)
    return [t for t in (unescape(x).strip() for x in re.split(r"<[^>]+>", html)) if t]


def _lang(html: str) -> str:
    return Page(html).named("html")[0]["lang"]


@pytest.mark.parametrize(("language", "chinese"), [("zh-Hans", True), ("zh", True), ("zh-CN", True), ("en", False),
                                                   ("en-GB", False), ("fr", False)])
def test_site_report_pages_follow_the_brand_language(tmp_path, monkeypatch, smm, language, chinese):
    write_fixture(tmp_path)
    (tmp_path / "brand/brand.yml").write_text(f"name: Tea\nlanguage: {language}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = build(smm)
    assert code == 0, err
    found = sorted((tmp_path / "_site/report").rglob("*.html"))
    assert len(found) >= 6  # index, 7d, 30d, 90d and the months
    for path in found:
        html = path.read_text(encoding="utf-8")
        texts = _texts(html)
        assert _lang(html) == ("en" if language == "fr" else language), path  # fr: the interface's (English)
        measured = path.parent.name == "2026-10"
        for english, chinese_word in HEADINGS + MEASURED:
            shown, hidden = (chinese_word, english) if chinese else (english, chinese_word)
            assert shown in texts or (english, chinese_word) in MEASURED and not measured, (path, shown)
            assert hidden not in texts, (path, hidden)


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("zh-Hans", 1, 0), ("zh-Hant", 1, 0), ("en", 0, 1),
])
def test_the_html_report_of_the_example_follows_its_language(language, shown, hidden):
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    report = build_report(load_repo(ROOT), now - timedelta(days=30), now, now)
    html = as_html(dataclasses.replace(report, language=language))
    texts = _texts(html)
    assert _lang(html) == language
    for pair in EXAMPLE_HEADINGS:
        assert pair[shown] in texts and pair[hidden] not in texts, pair
    if shown:  # Chinese weekdays, goal statuses and sentence text; the data (titles, numbers, dates) as it is
        assert "周二" in html and not re.search(r"\b(Best times to post|posts published|Warning:|on track|at risk)\b",
                                                "\n".join(texts))
        assert any(t.startswith("已发布 ") for t in texts) and "2026-11-19" in html
        assert "34，比 28 天中位数 13.5 高 5.5 个 MAD" in texts  # an alert's distance, from its figures
        chart_texts = re.findall(r"<(?:text|title)[^>]*>([^<]*)<", html)
        assert "互动率中位数" in chart_texts and "推荐" in chart_texts and "本品牌: 47.66%" not in chart_texts
        assert not [t for t in chart_texts if re.search(r"\b(Oct|Nov|median|recommended|fewer|brand|mentions)\b", t)]


@pytest.mark.parametrize(("first", "last", "english", "chinese"), [
    (date(2026, 11, 1), date(2026, 11, 8), ["Nov 1", "Nov 2"], ["11月1日", "11月2日"]),
    (date(2026, 10, 1), date(2027, 2, 1), ["Oct 2026", "Nov", "Dec", "Jan 2027"], ["2026年10月", "11月", "12月", "2027年1月"]),
    (date(2026, 10, 10), date(2027, 2, 1), ["Oct 10, 2026", "Nov", "Dec", "Jan 2027"],
     ["2026年10月10日", "11月", "12月", "2027年1月"]),
])
def test_time_axis_labels_follow_the_language(first, last, english, chinese):
    for w, labels in ((interface_words("en"), english), (interface_words("zh"), chinese)):
        assert [label for _, label in _date_ticks(first, last, w)][:len(labels)] == labels


def test_smm_report_html_follows_brand_yml_and_other_formats_stay_english(tmp_path, monkeypatch, smm):
    write_fixture(tmp_path)
    (tmp_path / "brand/brand.yml").write_text("name: Tea\nlanguage: zh-Hans\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ("report", "--now", NOW)
    code, html, _ = smm(*args, "--format", "html")
    assert code == 0 and _lang(html) == "zh-Hans" and "最佳发布时间" in _texts(html)
    code, text, _ = smm(*args)
    assert code == 0 and "\nPosts\n" in text and "帖子" not in text
    _, markdown, _ = smm(*args, "--format", "markdown")
    assert "### Accounts" in markdown and "账号" not in markdown
    _, data, _ = smm(*args, "--format", "json")
    assert tuple(json.loads(data)) == JSON_KEYS and "interactions" in json.loads(data)["period"]["definitions"]


@pytest.mark.parametrize(("language", "row"), [
    ("en", ["high priority", "3", "2", "1h 05m", "50.00%", "1"]),
    ("zh-Hans", ["高 优先级", "3", "2", "1 小时 05 分", "50.00%", "1"]),  # the priority too (tests/test_review12_site_values.py)
])
def test_responsiveness_rows_follow_the_language(language, row):
    scope = {"items": 3, "answered": 2, "median_first_response_minutes": 65, "within_sla_pct": 50.0, "overdue": 1}
    figures = scope | {"by_account": [], "by_priority": [scope | {"priority": "high"}]}
    w = interface_words(language)
    assert responsiveness_rows(figures, w)[1] == row
    assert responsiveness_rows(figures | {"median_first_response_minutes": 9}, w)[0][3] == ("9m" if language == "en"
                                                                                            else "9 分钟")


def test_no_english_literal_left_in_the_report_template():
    template = (Path(__file__).parents[1] / "smm/templates/pages/report.html.j2").read_text(encoding="utf-8")
    without_jinja = re.sub(r"{{.*?}}|{%.*?%}", "", template, flags=re.S)
    assert re.findall(r">\s*[A-Za-z][a-z]+", without_jinja) == []
    assert not re.findall(r'"[A-Z][a-z]+ [a-z]+', template)  # nor a sentence in a Jinja string


def test_report_catalogue_has_every_message_in_both_languages():
    english, chinese = interface_words("en"), interface_words("zh-Hans")
    assert english.keys() == chinese.keys() == WORDS.keys()
    # the Chinese may leave an argument out (a plural) and use the figures an English text holds in one
    # (an alert's message: its score and median; a month's name: its number)
    known = {name for text in english.values() for name in re.findall(r"\{(\w+)", text)} | {"score", "median", "m"}
    for key in WORDS:
        assert english[key] and chinese[key], key
        assert set(re.findall(r"\{(\w+)", chinese[key])) <= known, key
        assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|SLA|MAD|smm \w+", "", chinese[key])), key
