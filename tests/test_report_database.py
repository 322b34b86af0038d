"""How the metrics are read through DuckDB (smm.report.load: one in-memory database per process for
one-off reads, one of its own for each Metrics): two readers at once keep their tables apart, and a
process forked after a read, as the site's page worker is, reads the metrics too. (A database still
open when the process forks makes the child hang opening its own: the fork row fails without the
database closed before a fork.)"""

from __future__ import annotations

import os
import signal
from datetime import datetime, timezone

import pytest

from smm.report import load

HEADER = "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"
END = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _repository(root, likes: int):
    (root / "data/metrics").mkdir(parents=True)
    (root / "data/metrics/2026-11.csv").write_text(
        HEADER + f"2026-11-20T08:00:00Z,p{likes},local,local,1,{likes},0,0,0,,\n", encoding="utf-8")
    return root


def test_two_readers_at_once_keep_their_own_metrics(tmp_path):
    """Each Metrics holds its month files in a table of its own connection (both named `metrics`)."""
    one, two = (load.Metrics(_repository(tmp_path / name, likes), END) for name, likes in (("one", 3), ("two", 7)))
    try:
        first, second = one.load(END)[0], two.load(END)[0]
        assert [s.likes for s in first.values()] == [3] and [s.likes for s in second.values()] == [7]
        assert [s.likes for s in one.load(END)[0].values()] == [3]
    finally:
        one.close()
        two.close()
    assert [s.likes for s in load.Metrics(tmp_path / "one", END).load(END)[0].values()] == [3]  # after both closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_reads_the_metrics_through_its_own_database(tmp_path):
    root = _repository(tmp_path, 5)
    assert load.newest_collected(root) is not None  # this process's database is open
    child = os.fork()
    if child == 0:  # the child: the same read, its answer as its exit code
        signal.alarm(20)  # a read that hangs ends the child (SIGALRM), a failure the parent sees
        try:
            os._exit(0 if [s.likes for s in load.load(root, END)[0].values()] == [5] else 1)
        except BaseException:  # noqa: BLE001
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
