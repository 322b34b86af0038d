"""How .ci/run runs the suite: which tests share a pytest-xdist worker (tests/conftest.py), and a test that
needs a peer still starting waits for its start to end (tests/peers/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import peers
import pytest
from conftest import CHUNK, needs_bluesky, serial_group, work_units


@pytest.mark.parametrize("module,group", [
    ("tests/test_campaign.py", "peers"),  # the never-twice campaign posts to mastodon-mock and the PDS
    ("tests/test_adapters_real.py", "peers"),  # adds mastodon-mock fault rules, which any post would take
    ("tests/test_adapter_weibo.py", "peers"),  # resets the Weibo double (no `peer` mark: imports peers)
    ("tests/test_browser.py", "browser"),
    ("tests/test_browser_hostile.py", "browser"),
    ("tests/test_hostile_repos.py", None),
    ("tests/test_never_twice.py", None),  # its `local` network is a folder of the test's own
    ("tests/test_ci_run.py", "peers"),  # imports peers: grouped without looking further
])
def test_the_modules_that_share_servers_or_a_browser_run_whole_in_one_worker(module, group):
    assert serial_group(module) == group


@pytest.mark.parametrize("module,later", [
    ("tests/test_campaign.py", True), ("tests/test_adapters_real.py", True), ("tests/test_end_to_end.py", True),
    ("tests/test_adapter_weibo.py", False), ("tests/test_publish_ops_peer.py", False), ("tests/test_doctor.py", False),
])
def test_in_the_peers_group_the_modules_that_need_no_bluesky_go_first(module, later):
    assert needs_bluesky(module) is later


def test_the_other_tests_go_in_chunks_of_one_module_in_order():
    ids = ([f"tests/test_render_fast.py::t[{i}]" for i in range(CHUNK + 1)] + ["tests/test_campaign.py::t"]
           + [f"tests/test_adapters_real.py::t{i}" for i in range(3)] + ["tests/test_render.py::t"])
    units = work_units(ids)
    assert [units[i] for i in ids] == (["tests/test_render_fast.py#0"] * CHUNK + ["tests/test_render_fast.py#1"]
                                       + ["peers"] * 4 + ["tests/test_render.py#0"])


@pytest.fixture
def marks(tmp_path, monkeypatch):
    monkeypatch.setattr(peers, "PEERS_DIR", tmp_path)
    return tmp_path


def _waited(marks, content: str | None, remove_after: float | None = None) -> float:
    if content is not None:
        (marks / "bluesky.starting").write_text(content)
    if remove_after is not None:
        threading.Timer(remove_after, (marks / "bluesky.starting").unlink).start()
    t0 = time.monotonic()
    peers._wait_while_starting("bluesky.sh")
    return time.monotonic() - t0


def test_a_peer_still_starting_is_waited_for_until_its_start_ends(marks):
    assert 0.4 <= _waited(marks, str(os.getpid()), remove_after=0.5) < 5


@pytest.mark.parametrize("content", [None, "", "not a pid"], ids=["no mark", "empty", "garbage"])
def test_without_a_mark_of_a_live_ci_run_nothing_is_waited_for(marks, content):
    assert _waited(marks, content) < 0.2


def test_the_mark_of_a_ci_run_that_is_gone_is_stale(marks):
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert _waited(marks, str(gone.pid)) < 0.2


def test_a_missing_peer_after_its_start_still_fails_in_ci(marks, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("SMM_BLUESKY_PDS_URL", raising=False)
    (marks / "bluesky.starting").write_text(str(os.getpid()))
    threading.Timer(0.3, (marks / "bluesky.starting").unlink).start()
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        peers.require("bluesky")
