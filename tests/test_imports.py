"""`smm metrics` for Douyin, Bilibili and Xiaohongshu: creator-centre exports under data/imports/<account>/.

The sample files follow the layout the README documents (its import table): the export's title
rows, then a header naming the work's id or link, then one row per work.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import post_text
from smm.metrics import imports

NOW = datetime.fromisoformat("2026-12-01T12:00:00+08:00")
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  douyin: {platform: douyin}
  bilibili: {platform: bilibili}
  xhs: {platform: xiaohongshu}
"""
DOUYIN_ID = "7301234567890123456"
BV = "BV1xx411c7mD"
NOTE = "64a1b2c3d4e5f60718293a4b"


@pytest.mark.parametrize("written, value", [
    (12, 12), (3.0, 3), ("1,234", 1234), ("1.2万", 12000), ("3.4w", 34000), ("2亿", 200_000_000), ("5k", 5000),
    ("-", None), ("", None), ("--", None), ("n/a", None), (-1, None), (True, None), (None, None), (" 7 ", 7),
])
def test_counts_as_creator_centres_write_them(written, value):
    assert imports.count(written) == value


def _published(root: Path, post_id: str, accounts: dict[str, str]) -> None:
    (root / f"content/{post_id}.md").write_text(post_text(publish_at="2026-11-30T12:00",
                                                          platforms=f"[{', '.join(accounts)}]"), encoding="utf-8")
    moment = (NOW - timedelta(days=1)).isoformat()
    record = {"post": post_id, "file": f"content/{post_id}.md", "accounts": {
        name: {"state": "published", "remote_id": remote, "url": None, "published_at": moment}
        for name, remote in accounts.items()}}
    (root / "data/published").mkdir(parents=True, exist_ok=True)
    (root / f"data/published/{post_id}.json").write_text(json.dumps(record), encoding="utf-8")


def _csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)


def _xlsx(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


@pytest.fixture
def root(make_repo) -> Path:
    root = make_repo(platforms=PLATFORMS, calendar=None)
    _published(root, "a", {"douyin": DOUYIN_ID, "bilibili": BV, "xhs": NOTE})
    return root


def _metrics(smm) -> tuple[int, dict]:
    code, out, err = smm("metrics", "--now", NOW.isoformat(), "--format", "json")
    return code, json.loads(out)


def _rows(root: Path) -> dict[str, dict]:
    with open(root / "data/metrics/2026-12.csv", encoding="utf-8", newline="") as handle:
        return {row["account"]: row for row in csv.DictReader(handle)}


def test_each_network_export_lands_in_the_metrics_csv(root, smm):
    imports_dir = root / "data/imports"
    _csv(imports_dir / "douyin/2026-11-30.csv", [  # UTF-8 with BOM, a title row, the counts as written
        ["作品数据导出 2026-11-01 至 2026-11-30"],
        ["作品名称", "发布时间", "作品ID", "播放量", "点赞量", "评论量", "分享量"],
        ["冬季拼配上市", "2026-11-30 12:00", DOUYIN_ID, "1.2万", "1,024", "33", "-"],
        ["别的作品", "2026-11-01 12:00", "7300000000000000001", "10", "1", "0", "0"],
    ])
    _xlsx(imports_dir / "bilibili/2026-11-30.xlsx", [
        ["稿件数据"], [],
        ["标题", "BV号", "播放", "点赞", "评论", "分享", "投币", "收藏"],
        ["冬季拼配上市", BV, 5321, 210, 18, 7, 40, 66],
    ])
    _csv(imports_dir / "xhs/notes.csv", [  # GB18030, as Excel in China saves CSV; matched by the link
        ["笔记标题", "笔记链接", "观看量", "点赞", "评论", "收藏", "分享"],
        ["冬季拼配上市", f"https://www.xiaohongshu.com/explore/{NOTE}?xsec=1", "980", "75", "9", "30", "4"],
    ], encoding="gb18030")
    code, report = _metrics(smm)
    assert code == 0, report
    rows = _rows(root)
    got = {a: (r["remote_id"], r["views"], r["likes"], r["replies"], r["reposts"]) for a, r in rows.items()}
    assert got == {"douyin": (DOUYIN_ID, "12000", "1024", "33", ""), "bilibili": (BV, "5321", "210", "18", "7"),
                   "xhs": (NOTE, "980", "75", "9", "4")}
    assert {r["platform"] for r in rows.values()} == {"douyin", "bilibili", "xiaohongshu"}


def test_the_file_whose_name_sorts_last_wins(root, smm):
    header = ["作品ID", "播放量", "点赞量"]
    _csv(root / "data/imports/douyin/2026-11-01.csv", [header, [DOUYIN_ID, "100", "1"]])
    _csv(root / "data/imports/douyin/2026-11-30.csv", [header, [DOUYIN_ID, "900", "9"]])
    assert _metrics(smm)[0] == 0
    assert (_rows(root)["douyin"]["views"], _rows(root)["douyin"]["likes"]) == ("900", "9")


def test_a_post_not_in_the_export_is_missing_not_zero(root, smm):
    _csv(root / "data/imports/douyin/x.csv", [["作品ID", "播放量"], ["7300000000000000001", "10"]])
    code, report = _metrics(smm)
    douyin = next(a for a in report["accounts"] if a["account"] == "douyin")
    assert (douyin["missing"], douyin["posts"]) == (["a"], 0)


BAD = [  # file, content, what the error says
    ("douyin/x.xlsx", b"PK\x03\x04 not really a workbook", "douyin/x.xlsx:1: not an XLSX workbook smm can read"),
    ("douyin/x.csv", "标题,播放量\n冬季,10\n".encode(), "douyin/x.csv:1: no header row naming the work's id or link"),
    ("douyin/x.csv", b"\xff\xfe\x00\xd8\x00\xdc\x81", "douyin/x.csv: neither UTF-8 nor GB18030"),
]


@pytest.mark.parametrize("file, content, says", BAD + [  # read as smm import reads a table (smm.data.sheets),
    ("douyin/x.csv", "作品ID,播放量\n1,1\n\n2,2\n3,3\n4,4\n".encode(), "douyin/x.csv:6: more than 3 rows under the header"),
])
def test_a_file_smm_cannot_read_fails_the_account_with_where(root, smm, monkeypatch, file, content, says):
    from smm.data import sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 3, raising=False)  # (made small here: 100,000)
    path = root / "data/imports" / file
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    code, report = _metrics(smm)
    douyin = next(a for a in report["accounts"] if a["account"] == "douyin")
    assert code == 1 and douyin["state"] == "failed" and says in douyin["reason"], douyin
