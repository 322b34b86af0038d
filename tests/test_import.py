"""`smm import FILE.csv|FILE.xlsx`: one post per row, each row checked as `smm check` checks a post
and reported at FILE:ROW:COLUMN, never over an existing post; CSV encodings and XLSX workbooks."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import post_text

HEADER = ["title", "time", "platforms", "text", "link", "media", "pillar", "campaign", "hashtags"]
GOOD = ["Winter launch 冬日新品", "2030-01-07T12:00", "mastodon, feed", "Winter Blend is here 冬季拼配上市", "", "", "", "", ""]


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(kind: str, rows: list[list]) -> tuple[str, bytes]:
    return (f"plan.{kind}", _csv(rows) if kind == "csv" else _xlsx(rows))


def _row(**changes) -> list[str]:
    row = dict(zip(HEADER, GOOD))
    row.update(changes)
    return [row[name] for name in HEADER]


@pytest.fixture(params=["csv", "xlsx"])
def kind(request) -> str:
    return request.param


@pytest.mark.parametrize("row,rule,column", [
    (_row(time="tomorrow"), "post.publish-at", 2),
    (_row(time="2030-02-30T12:00"), "post.publish-at", 2),
    (_row(time=""), "post.publish-at", 2),
    (_row(platforms="myspace"), "post.unknown-account", 3),
    (_row(platforms=""), "schema.empty", 3),
    (_row(text="长" * 600), "render.too-long", 4),
    (_row(text=""), "post.empty-body", 4),
    (_row(title=""), "schema.empty", 1),
    (_row(link="not a link"), "schema.pattern", 5),
    (_row(media="content/media/none.png | a photo"), "media.missing", 6),
    (_row(pillar="nope"), "post.unknown-pillar", 7),
    (_row(campaign="winter 2026"), "schema.pattern", 8),
    (_row(hashtags="Green-Tea"), "post.hashtag", 9),
    (_row(hashtags="+nope"), "hashtags.unknown-set", 9),
])
def test_bad_rows_are_reported_at_their_cell_and_skipped(make_repo, smm, kind, row, rule, column):
    root = make_repo()
    name, data = _table(kind, [HEADER, _row(title="A good one"), row])
    (root / name).write_bytes(data)
    code, out, err = smm("import", name)
    assert code == 1
    assert f"{name}:3:{column}: error[{rule}]" in err, err
    assert f"{name}:2:" not in err  # the good row has no problem ...
    written = sorted(p.name for p in (root / "content").rglob("*.md"))
    assert written == ["2030-01-07-a-good-one.md"]  # ... and is written; the bad one is not
    assert "wrote content/2030/01/2030-01-07-a-good-one.md (row 2)" in out


def test_good_rows_become_posts_that_pass_check(make_repo, smm, kind):
    root = make_repo()
    rows = [["标题", "时间", "平台", "正文", "链接", "话题", "栏目", "活动"],
            ["冬日新品", "2030-01-07T12:00", "mastodon，feed", "Winter Blend 上市\n\n第二段", "https://example.com/w",
             "WinterBlend、冬季拼配", "news", "winter-2030"],
            ["Tips", "2030-01-09 18:30", "mastodon", "Brew at 80 °C", "", "", "tips", ""]]
    name, data = _table(kind, rows)
    (root / name).write_bytes(data)
    code, out, err = smm("import", name)
    assert code == 0, err
    first = root / "content/2030/01/2030-01-07-dong-ri-xin-pin.md"
    text = first.read_text(encoding="utf-8")
    assert "platforms:\n- mastodon\n- feed\n" in text and "campaign: winter-2030" in text
    assert text.endswith("Winter Blend 上市\n\n第二段\n")
    assert (root / "content/2030/01/2030-01-09-tips.md").exists()
    code, out, _ = smm("check")
    assert code == 0, out


@pytest.mark.parametrize("header", [
    ["TITLE", "Time", "Platforms", "TEXT"],
    [" title ", "publish_at", "platforms", "text"],
    ["标题", "发布时间", "平台", "正文"],
])
def test_header_names_are_case_insensitive_with_chinese_aliases(make_repo, smm, header):
    root = make_repo()
    (root / "plan.csv").write_bytes(_csv([header, GOOD[:4]]))
    code, _, err = smm("import", "plan.csv")
    assert code == 0, err


@pytest.mark.parametrize("header,message", [
    (["title", "time", "platforms"], "no `text` column"),
    (["title", "time", "text"], "no `platforms` column"),
    (["title", "title", "time", "platforms", "text"], "column `title` is given twice"),
])
def test_missing_or_repeated_columns_stop_the_import(make_repo, smm, header, message):
    root = make_repo()
    (root / "plan.csv").write_bytes(_csv([header, ["a"] * len(header)]))
    code, _, err = smm("import", "plan.csv")
    assert code == 1 and "error[import.column]" in err and message in err
    assert not list((root / "content").rglob("*.md"))


def test_an_unknown_column_is_a_warning_with_a_suggestion(make_repo, smm):
    root = make_repo()
    (root / "plan.csv").write_bytes(_csv([HEADER[:4] + ["hashtag"], GOOD[:4] + ["Tea"]]))
    code, _, err = smm("import", "plan.csv")
    assert code == 0 and "plan.csv:1:5: warning[import.column]" in err and "did you mean `hashtags`?" in err


@pytest.mark.parametrize("extra, named, more", [(1, 1, None), (20, 20, None), (21, 20, 1), (5000, 20, 4980)])
def test_unknown_columns_are_named_up_to_twenty_then_counted(make_repo, smm, extra, named, more):
    root = make_repo()
    header = HEADER[:4] + [f"extra{i}" for i in range(extra)]
    (root / "plan.csv").write_bytes(_csv([header, GOOD[:4] + ["x"] * extra]))
    code, _, err = smm("import", "plan.csv")
    assert code == 0, err
    assert err.count("` is not read") == named
    assert (f"{more} more columns are not read" in err) == (more is not None)


def test_duplicate_rows_and_existing_posts_are_skipped_never_overwritten(make_repo, smm, kind):
    existing = post_text("Mine", title="Taken", publish_at="2030-01-08T12:00")
    root = make_repo({"2030/01/2030-01-08-taken.md": existing})
    name, data = _table(kind, [HEADER, _row(), _row(), _row(title="Taken", time="2030-01-08T09:00")])
    (root / name).write_bytes(data)
    code, out, err = smm("import", name)
    assert code == 1
    assert f"{name}:3:1: error[import.duplicate-row]" in err and "row 2" in err
    assert f"{name}:4:1: error[import.exists]" in err
    assert (root / "content/2030/01/2030-01-08-taken.md").read_text(encoding="utf-8") == existing
    code, out, err = smm("import", name)  # a second import writes nothing again
    assert code == 1 and f"{name}:2:1: error[import.exists]" in err and "wrote" not in out


def test_dry_run_writes_nothing_and_shows_the_posts(make_repo, smm, kind):
    root = make_repo()
    name, data = _table(kind, [HEADER, _row()])
    (root / name).write_bytes(data)
    code, out, _ = smm("import", name, "--dry-run")
    assert code == 0
    assert "would write content/2030/01/2030-01-07-winter-launch-dong-ri-xin-pin.md (row 2)" in out
    assert "title: Winter launch 冬日新品" in out
    assert not list((root / "content").rglob("*.md"))


def test_xlsx_date_cells_are_times(make_repo, smm):
    from datetime import datetime

    root = make_repo()
    (root / "plan.xlsx").write_bytes(_xlsx([HEADER[:4], ["Dated", datetime(2030, 1, 7, 12, 0), "mastodon", "Hi"]]))
    code, _, err = smm("import", "plan.xlsx")
    assert code == 0, err
    assert "publish_at: 2030-01-07T12:00" in (root / "content/2030/01/2030-01-07-dated.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("data,ok,says", [
    (b"\xef\xbb\xbf" + _csv([HEADER[:4], GOOD[:4]]), True, ""),  # Excel's "CSV UTF-8": a BOM
    (_csv([HEADER[:4], GOOD[:4]]).replace(b"\n", b"\r\n"), True, ""),
    (_csv([["标题", "时间", "平台", "正文"], ["冬日新品", "2030-01-07T12:00", "mastodon", "冬季拼配上市，欢迎品尝"]], "gbk"),
     False, "iconv -f GB18030 -t UTF-8"),
    (_csv([HEADER[:4], GOOD[:4]], "utf-16"), False, "iconv -f UTF-16"),
    (b"PK\x03\x04 not a workbook", False, "error[import.column]"),
])
def test_csv_encodings(make_repo, smm, data, ok, says):
    root = make_repo()
    (root / "plan.csv").write_bytes(data)
    code, _, err = smm("import", "plan.csv")
    assert (code == 0) is ok, err
    assert says in err
    if not ok:
        assert "plan.csv:" in err and "Traceback" not in err


@pytest.mark.parametrize("name,data,message", [
    ("plan.xlsx", b"not a zip", "not an XLSX workbook"),
    ("plan.csv", b"", "the table has no rows"),
])
def test_unreadable_tables(make_repo, smm, name, data, message):
    root = make_repo()
    (root / name).write_bytes(data)
    code, _, err = smm("import", name)
    assert code == 1 and message in err


@pytest.mark.parametrize("args,message", [
    (["missing.csv"], "no such file"),
    (["plan.txt"], "imports .csv or .xlsx"),
])
def test_usage_errors(make_repo, smm, args, message):
    root = make_repo()
    (root / "plan.txt").write_text("title\n", encoding="utf-8")
    code, _, err = smm("import", *args)
    assert code == 2 and message in err


# Tables whose rows in memory are out of proportion to the file: a few kilobytes of workbook that says it
# is A1:XFD1048576, a CSV of ten million blank lines. They went to gigabytes (a MemoryError, or exit 3), so
# they run here in a process of their own under 1 GB of address space.
def _sized_workbook(stray: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in (HEADER, GOOD):
        book.active.append(row)
    book.active[stray] = "stray"  # the sheet's size is the rectangle up to this cell
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, make, row", [
    ("declared.xlsx", lambda: _sized_workbook("XFD1048576"), 2),  # a cell past the 1,024th column is not read
    ("wide.xlsx", lambda: _sized_workbook("XFD3"), 2),
    ("blank.csv", lambda: _csv([HEADER]) + b"\r\n" * 10_000_000 + _csv([GOOD]), 10_000_002),
])
def test_a_table_is_read_in_memory_bounded_by_its_size(make_repo, name, make, row):
    import resource
    import subprocess
    import sys

    root = make_repo()
    (root / name).write_bytes(make())

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
    proc = subprocess.run([sys.executable, "-m", "smm", "import", name, "--dry-run"], cwd=root, capture_output=True,
                          text=True, preexec_fn=limited, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "would write content/2030/01/" in proc.stdout and f"(row {row})" in proc.stdout, proc.stdout


@pytest.mark.parametrize("kind, bound, table, said", [
    ("csv", "MAX_ROWS", [HEADER, GOOD, [], GOOD, GOOD], "plan.csv:5:1: error[import.table]: more than 2 rows under the header"),
    ("xlsx", "MAX_ROWS", [HEADER, GOOD, [], GOOD, GOOD], "plan.xlsx:5:1: error[import.table]: more than 2 rows under the header"),
    ("xlsx", "MAX_UNPACKED", [HEADER, GOOD], "plan.xlsx:1:1: error[import.table]: the workbook unpacks to"),
])
def test_a_table_over_smm_s_bounds_is_refused_whole(make_repo, smm, monkeypatch, kind, bound, table, said):
    """At most MAX_ROWS rows with text (a blank row is not counted), a workbook of at most MAX_UNPACKED
    bytes unpacked (a zip bomb): shown here with the bounds made small."""
    from smm.data import sheets

    monkeypatch.setattr(sheets, bound, 2 if bound == "MAX_ROWS" else 2_000, raising=False)
    root = make_repo()
    name, data = _table(kind, table)
    (root / name).write_bytes(data)
    code, out, err = smm("import", name)
    assert code == 1 and said in err, err
    assert not (root / "content/2030").exists()
