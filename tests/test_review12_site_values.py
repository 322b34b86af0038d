"""Values the data spells in English (an inbox item's priority and kind, a publish job's state) are shown in the
interface's language, as the report's goal statuses and sentiments already were: a Chinese site's inbox said
`high` and `(mention)`, its post pages `published`, its report `urgent 优先级` (read with a Chinese voice)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import copy_example
from test_review12_site import Languages

NOW = "2026-11-26T10:00+08:00"
KINDS = ("mention", "reply", "comment", "quote", "dm")
PRIORITIES = ("urgent", "high", "normal", "low")
CHINESE = {"urgent": "紧急", "high": "高", "normal": "普通", "low": "低", "mention": "提及", "reply": "回复",
           "comment": "评论", "quote": "引用", "dm": "私信", "published": "已发布", "failed": "失败"}


@pytest.fixture(scope="module", params=["en", "zh-Hans"])
def built(request, tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp(f"values12-{request.param}"))
    with (root / "brand/brand.yml").open("a", encoding="utf-8") as f:
        f.write(f"language: {request.param}\nsite: {{include_inbox: true}}\n")
    rows = [{"id": f"mastodon:{i}", "account": "mastodon", "platform": "mastodon", "kind": kind, "author": "lin",
             "text": f"item {i}", "url": f"https://mastodon.example/@lin/{i}", "created_at": "2026-11-25T01:00:00+00:00",
             "due_by": "2026-11-25T05:00:00+00:00", "priority": PRIORITIES[i % 4], "sentiment": "neutral",
             "intent": "question", "state": "answered" if i == 0 else "open", "post": None,
             "updated_at": f"2026-11-25T0{1 + (i == 0)}:00:00+00:00"} for i, kind in enumerate(KINDS * 2)]
    (root / "data/inbox").mkdir(parents=True, exist_ok=True)
    (root / "data/inbox/2026-11.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "smm", "site", "build", "--out", "_site", "--now", NOW], cwd=root,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return request.param, root / "_site"


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]


@pytest.mark.parametrize("value", PRIORITIES + KINDS)
def test_the_inbox_says_each_priority_and_kind_in_the_interfaces_language(built, value):
    language, site = built
    shown = cells((site / "inbox/index.html").read_text(encoding="utf-8"))
    word = value if language == "en" else CHINESE[value]
    if value in PRIORITIES:
        assert word in shown and (language == "en" or value not in shown)
    else:
        assert [c for c in shown if c.endswith(f"({word})")]
        assert language == "en" or not [c for c in shown if c.endswith(f"({value})")]


def test_a_post_page_says_each_jobs_state_in_the_interfaces_language(built):
    language, site = built
    html = (site / "posts/2026-10-29-sampler-set/index.html").read_text(encoding="utf-8")
    word = "published" if language == "en" else CHINESE["published"]
    assert word in cells(html) and (language == "en" or "published" not in cells(html))
    assert Languages(html).language_of(word) == {language}


def test_the_reports_responsiveness_says_each_priority_in_the_interfaces_language(built):
    language, site = built
    html = (site / "report/index.html").read_text(encoding="utf-8")
    shown = cells(html)
    if language == "en":
        assert "high priority" in shown
    else:
        assert "高 优先级" in shown and not [c for c in shown if re.fullmatch(r"(urgent|high|normal|low) 优先级", c)]
