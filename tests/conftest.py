"""Shared test helpers: a small content repository built in a temp folder, and the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from smm.cli import cli

ROOT = Path(__file__).resolve().parents[1]

# Tests never reach the internet (example instances such as mastodon.example would be asked
# for their character limit otherwise); tests of that lookup unset it.
os.environ["SMM_OFFLINE"] = "1"
# The parse caches of the many small test repositories go to one temporary folder: one per pytest-xdist
# worker (a worker inherits the folder its controller made here, and is given its own).
if os.environ.get("SMM_CACHE_DIR") is None or os.environ.get("SMM_CACHE_DIR") == os.environ.get("SMM_TEST_CACHE_MADE"):
    os.environ["SMM_CACHE_DIR"] = os.environ["SMM_TEST_CACHE_MADE"] = tempfile.mkdtemp(prefix="smm-test-cache-")

# Property tests must not fail because a busy 2-core machine generated data slowly.
settings.register_profile("smm", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("smm")

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
"""

CALENDAR = """\
pillars:
  news: {description: News}
  tips: {description: Tips}
  product: {description: Launches, promotional: true}
"""

SLOTS = """slots:
  - {day: monday, time: "12:00", pillar: news, label: Monday news}
  - {day: wednesday, time: "12:00", pillar: tips}
"""


def copy_example(root: Path) -> Path:
    """This repository's example brand (content/, brand/, data/, platforms.yml) copied to root."""
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    return root


def post_text(body: str = "Hello 你好", **fields) -> str:
    """A post file: title, publish_at, platforms, then other fields (YAML text; None drops one)."""
    fields = {"title": "A post", "publish_at": "2026-12-01T12:00", "platforms": "[feed, mastodon]", **fields}
    front = "\n".join(f"{k}: {v}" for k, v in fields.items() if v is not None)
    return f"---\n{front}\n---\n{body}\n"


class RepoFactory:
    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, posts: dict[str, str] | None = None, *, platforms: str = PLATFORMS,
                 calendar: str | None = CALENDAR, files: dict[str, str | bytes] | None = None) -> Path:
        (self.root / "content").mkdir(parents=True, exist_ok=True)
        (self.root / "platforms.yml").write_text(platforms, encoding="utf-8")
        if calendar is not None:
            (self.root / "brand").mkdir(exist_ok=True)
            (self.root / "brand" / "calendar.yml").write_text(calendar, encoding="utf-8")
        for name, text in {**(posts or {})}.items():
            self.write(f"content/{name}", text)
        for name, data in (files or {}).items():
            self.write(name, data)
        return self.root

    def write(self, name: str, data: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
        return path


@pytest.fixture
def make_repo(tmp_path, monkeypatch) -> RepoFactory:
    """Build a repo in tmp_path and make it the working directory."""
    monkeypatch.chdir(tmp_path)
    return RepoFactory(tmp_path)


class Smm:
    """Run the real CLI in-process; returns (exit code, stdout, stderr)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict | None = None):
        result = self.runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str, env: dict | None = None):
        code, out, err = self(*args, "--format", "json", env=env)
        return code, json.loads(out), err


@pytest.fixture
def smm() -> Smm:
    return Smm()


from browsing import browser, served  # noqa: E402, F401  (one chromium, one web server for every browser test)



# pytest-xdist: `pytest -n 3 --dist loadgroup`, as .ci/run runs the suite. The tests go to the workers in
# chunks of up to CHUNK tests of one module, in order, except two groups that each run whole, in order, in
# one worker, as in a plain run, and are handed out first (the longest work first):
# - "peers": the modules that import tests/peers. They share servers whose state a test changes for all
#   (mastodon-mock's fault rules, an API double's reset, the never-twice campaign's posts), so none of them
#   runs beside another. The modules that need no Bluesky go first (its install is the longest).
# - "browser": the browser tests share one chromium and one built site.
# (xdist's own loadgroup, by `xdist_group` marks, does not group under pytest 9.2: it renames `_nodeid`,
# which pytest no longer reads.)
CHUNK = 40
BROWSER_MODULES = {"tests/test_browser.py", "tests/test_browser_hostile.py", "tests/test_browser_review10.py",
                   "tests/test_review11_site_browser.py", "tests/test_site_clock.py"}
PEERS_IMPORT = re.compile(r"^(?:from peers(?:\.\w+)? import|import peers)\b", re.M)


def serial_group(module: str) -> str | None:
    """"peers", "browser" or None for a test module (its path from the repository's root)."""
    if module in BROWSER_MODULES:
        return "browser"
    path = ROOT / module
    return "peers" if path.is_file() and PEERS_IMPORT.search(path.read_text(encoding="utf-8")) else None


def needs_bluesky(module: str) -> bool:
    """Whether a module of the "peers" group asks for the Bluesky network, the slowest peer to install and
    start (.ci/run starts the tests meanwhile): the group runs the other modules first."""
    path = ROOT / module
    return path.is_file() and 'require("bluesky")' in path.read_text(encoding="utf-8")


def work_units(nodeids: list[str]) -> dict[str, str]:
    """Each test's unit of work: its serial group, else a chunk of its module."""
    groups: dict[str, str | None] = {}
    counts: dict[str, int] = {}
    units = {}
    for nodeid in nodeids:
        module = nodeid.split("::", 1)[0]
        if module not in groups:
            groups[module] = serial_group(module)
        n = counts[module] = counts.get(module, -1) + 1
        units[nodeid] = groups[module] or f"{module}#{n // CHUNK}"
    return units


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        units: dict[str, str] = {}
        ordered = False

        def schedule(self) -> None:
            if self.collection is None and self.registered_collections:
                self.units = work_units(list(next(iter(self.registered_collections.values()))))
            super().schedule()

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the serial groups go out first; in "peers", what needs no Bluesky first
                for unit in ("browser", "peers"):
                    if unit in self.workqueue:
                        self.workqueue.move_to_end(unit, last=False)
                if "peers" in self.workqueue:
                    tests = self.workqueue["peers"]
                    later = {module: needs_bluesky(module) for module in {nodeid.split("::", 1)[0] for nodeid in tests}}
                    self.workqueue["peers"] = dict(sorted(tests.items(), key=lambda t: later[t[0].split("::", 1)[0]]))
                self.ordered = True
            super()._assign_work_unit(node)

        def _split_scope(self, nodeid: str) -> str:
            return self.units.get(nodeid, nodeid)

    return Grouped(config, log)
