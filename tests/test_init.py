"""`smm init`: a new repository that passes `smm check` at once; the pre-commit hook."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from smm.newrepo import WORKFLOWS, _networks, workflow


def test_init_then_check_passes(tmp_path, smm, monkeypatch):
    target = tmp_path / "acme"
    code, out, _ = smm("init", str(target), "--brand", "Acme 顶峰", "--timezone", "Europe/Berlin",
                       "--now", "2026-11-26T10:00")
    assert code == 0, out
    for path in ("platforms.yml", "README.md", ".gitignore", "brand/brand.yml", "brand/calendar.yml",
                 "brand/handles.yml", "brand/goals.yml", "brand/voice.yml", "brand/voice/Wordy.yml",
                 "brand/voice/ClickHere.yml", "brand/templates/README.md", "data/.gitkeep",
                 "content/2026/11/2026-11-30-hello.md",
                 *(f".github/workflows/{w}" for w in WORKFLOWS)):
        assert (target / path).is_file(), path
    assert yaml.safe_load((target / "platforms.yml").read_text())["timezone"] == "Europe/Berlin"
    monkeypatch.chdir(target)
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    assert code == 0
    assert {d["severity"] for d in diagnostics} <= {"warning"}
    assert "Hello from Acme 顶峰" in (target / "content/2026/11/2026-11-30-hello.md").read_text()


@pytest.mark.parametrize("brand", ["Tea: Co", "yes", "#1 Tea", "- dash", "Quote \"this\""])
def test_any_brand_name_makes_a_valid_repository(tmp_path, smm, monkeypatch, brand):
    target = tmp_path / "x"
    assert smm("init", str(target), "--brand", brand, "--now", "2026-11-26T10:00")[0] == 0
    monkeypatch.chdir(target)
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    assert code == 0, diagnostics
    assert yaml.safe_load((target / "brand/brand.yml").read_text())["name"] == brand
    assert (target / ".gitattributes").read_text() == (ROOT / ".gitattributes").read_text()


def test_init_refuses_to_overwrite_unless_forced(tmp_path, smm):
    (tmp_path / "platforms.yml").write_text("mine\n")
    code, _, err = smm("init", str(tmp_path))
    assert code == 1 and "already has platforms.yml" in err and "--force" in err
    assert (tmp_path / "platforms.yml").read_text() == "mine\n"
    code, _, _ = smm("init", str(tmp_path), "--force")
    assert code == 0 and "timezone: UTC" in (tmp_path / "platforms.yml").read_text()


def test_init_rejects_an_unknown_time_zone(tmp_path, smm):
    code, _, err = smm("init", str(tmp_path / "x"), "--timezone", "Mars/Olympus")
    assert code == 2 and "unknown time zone" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", WORKFLOWS)
def test_scaffolded_workflows_are_this_repositorys_own(name):
    """One source: the repository's workflows are the scaffold's, installing smm from `.`."""
    assert workflow(name, ".") == (ROOT / ".github" / "workflows" / name).read_text()


@pytest.mark.parametrize("requirement,expected", [
    (".", ".[networks]"), ("smm", "smm[networks]"), ("smm==0.1.0", "smm[networks]==0.1.0"),
    ("smm>=0.1,<1", "smm[networks]>=0.1,<1"),
])
def test_networks_extra(requirement, expected):
    assert _networks(requirement) == expected


def test_pre_commit_manifest_is_valid():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [(h["id"], h["entry"]) for h in hooks] == [("smm-check", "smm check")]
    tool = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert tool, "pre-commit is in the test extra"
    result = subprocess.run([tool, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
