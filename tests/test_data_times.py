"""Times in data/ that Python cannot hold in UTC, or that lie outside the years smm reads (1970–2999).

`0001-01-01T00:00:00+14:00` is year 0 in UTC: DuckDB handed it back as text and `smm report` and
`smm site build` stopped with an internal error; a publish record of year 1 made the site build a
report for year 1 and overflow. Each is now an error naming the file and line (exit 1), or, for a
record's `published_at` (the post's `publish_at` stands in) and a month file named for year 1,
nothing at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1]
NOW = "2026-11-30T00:00:00Z"
TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
         "3000-01-01T00:00:00Z"]
BLUESKY_POST = "2026-10-05-qimen-prices-this-season"


def _append(file: str, line: str):
    def change(root: Path) -> str:
        path = root / file
        path.write_text(path.read_text() + line + "\n")
        return f"{file}:{path.read_text().count(chr(10))}"
    return change


def _inbox(time: str):
    def change(root: Path) -> str:
        (root / "data/inbox").mkdir(exist_ok=True)
        item = dict(id="mastodon:1", account="mastodon", platform="mastodon", kind="mention", author="a", text="hi",
                    url=None, created_at=time, due_by=time, priority="normal", sentiment="neutral", intent="other",
                    state="open", post=None, updated_at=time)
        (root / "data/inbox/2026-11.jsonl").write_text(json.dumps(item) + "\n")
        return "data/inbox/2026-11.jsonl:1"
    return change


# a data file → how a row of that time is put in it (returning the `file:line` an error must name)
ROWS = {
    "metrics": lambda t: _append("data/metrics/2026-11.csv", f"{t},{BLUESKY_POST},bluesky,bluesky,x,1,1,1,1,1,1"),
    "followers": lambda t: _append("data/accounts/2026-11.csv", f"{t},bluesky,bluesky,5"),
    "mentions": lambda t: _append("data/mentions/2026-11.csv", f"99,weibo,hao,1,{t},hi,https://weibo.com/x,云叶茶,brand,neutral,5"),
    "competitors": lambda t: _append("data/competitors/2026-11.csv", f"{t},Jadeleaf,mastodon,@jadeleaf@mastodon.example,1,1,1"),
    "inbox": _inbox,
}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """The example repository's content, brand and data (no git history needed), in one folder for the
    module: its posts' parse and check are kept in the cache between tests (only data/ changes)."""
    root = tmp_path_factory.mktemp("example") / "repo"
    for name in ("content", "brand", "data", "platforms.yml"):
        (shutil.copytree if (EXAMPLE / name).is_dir() else shutil.copy)(EXAMPLE / name, root / name)
    return root


@pytest.fixture
def repo(example) -> Path:
    """The example, its data/ as the example's again, and no site built."""
    shutil.rmtree(example / "data")
    shutil.copytree(EXAMPLE / "data", example / "data")
    shutil.rmtree(example.parent / "site", ignore_errors=True)
    return example


def _smm(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SMM_DEBUG"}
    return subprocess.run([sys.executable, "-m", "smm", *args, "--now", NOW], cwd=root, capture_output=True,
                          text=True, env={**env, "SMM_CACHE_DIR": str(root.parent / "cache")})


@pytest.mark.parametrize("time", TIMES)
@pytest.mark.parametrize("data", list(ROWS))
def test_a_time_out_of_range_in_data_is_an_error_at_its_line(repo, data, time):
    where = ROWS[data](time)(repo)
    for args in [("report",), *[("site", "build", "--out", str(repo.parent / "site"))] * (time == TIMES[0])]:
        done = _smm(repo, *args)
        assert done.returncode == 1, (args, done.stdout[-500:], done.stderr[-2000:])
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert where in done.stderr and "1970 and 2999" in done.stderr, done.stderr[-1000:]


@pytest.mark.parametrize("time", TIMES)
def test_a_record_published_out_of_range_counts_at_its_posts_time(repo, time):
    file = repo / "data/published" / f"{BLUESKY_POST}.json"
    record = json.loads(file.read_text())
    record["accounts"]["bluesky"]["published_at"] = time
    file.write_text(json.dumps(record, ensure_ascii=False, indent=2))
    for args in [("report",), *[("site", "build", "--out", str(repo.parent / "site"))] * (time in TIMES[:2])]:
        done = _smm(repo, *args)
        assert done.returncode == 0, (args, done.stderr[-2000:])
    assert not list((repo.parent / "site/report").glob("0001*")) and not list((repo.parent / "site/report").glob("10000*"))


def test_a_month_file_named_for_year_1_builds_no_report_of_year_1(repo):
    (repo / "data/accounts/0001-01.csv").write_text("collected_at,account,platform,followers\n"
                                                    "2026-11-01T00:00:00Z,bluesky,bluesky,5\n")
    done = _smm(repo, "site", "build", "--out", str(repo.parent / "site"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert not list((repo.parent / "site/report").glob("0001*"))
