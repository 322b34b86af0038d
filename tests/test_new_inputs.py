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
    "https://x.example:99999/", "https://[abc/x", "http://[]/", "https://[::1/",  # read by links.split_url
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


# A stranger's post saying `=HYPERLINK(…)` was written as is into data/mentions/*.csv, where a
# spreadsheet opening the file runs it; it is written as text (after a `'`) and read back unchanged.
@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://evil.example","click")', "=1+2", "+86 555 0100", "-2+3", "@SUM(A1:A2)", "\t=1",
    "'=already quoted", "''=twice", "'Tis the season", "-", "云叶茶 =1", "-3", "1e3",
])
def test_a_text_a_spreadsheet_would_run_is_written_as_text_and_read_back_unchanged(tmp_path, text):
    import csv

    from smm.data.tables import append_rows, read_rows
    from smm.listening.mentions import MENTIONS

    row = ["1", "mastodon", text, "5", "2026-11-20T08:00:00Z", text, "u", "Acme", "brand", "neutral", "3"]
    file = append_rows(tmp_path, "data/mentions/2026-11.csv", MENTIONS.columns, [row])
    with open(tmp_path / file, encoding="utf-8", newline="") as handle:
        cells = [cell for written in list(csv.reader(handle))[1:] for cell in written]
    runnable = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not c.lstrip("-").replace("e", "").isdigit()]
    assert not runnable, cells
    [read] = read_rows(tmp_path / file, tmp_path, MENTIONS)
    assert read["author"] == text and read["text"] == text


# A bare carriage return in a text cell was written unquoted (the files end lines with "\n"), so
# reading the file back split the row in two; line ends in a cell are kept as "\n".
@pytest.mark.parametrize("text, kept", [
    ("a\rb", "a\nb"), ("a\r\nb", "a\nb"), ("\r", "\n"), ("云叶茶\r\r好", "云叶茶\n\n好"), ("end\r", "end\n"),
])
def test_a_carriage_return_in_a_cell_never_splits_its_row(tmp_path, text, kept):
    from smm.data.tables import append_rows, read_rows
    from smm.listening.mentions import MENTIONS

    rows = [[str(n), "mastodon", "fan", "5", "2026-11-20T08:00:00Z", text, "u", "Acme", "brand", "neutral", "3"]
            for n in (1, 2)]
    file = append_rows(tmp_path, "data/mentions/2026-11.csv", MENTIONS.columns, rows)
    read = read_rows(tmp_path / file, tmp_path, MENTIONS)
    assert [r["id"] for r in read] == ["1", "2"] and all(r["text"] == kept for r in read)
