"""Shared test helpers: a small content repository built in a temp folder, and the CLI."""

from __future__ import annotations

import json
import os
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
# The parse caches of the many small test repositories go to one temporary folder.
os.environ.setdefault("SMM_CACHE_DIR", tempfile.mkdtemp(prefix="smm-test-cache-"))

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
