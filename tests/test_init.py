"""`smm init`: a new repository that passes `smm check` at once; the pre-commit hook."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from packaging.requirements import Requirement

from smm import __version__
from smm.workspace.newrepo import WORKFLOWS, with_extra, workflow


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


@pytest.mark.parametrize("brand", ["Tea: Co", "yes", "#1 Tea", "- dash", "Quote \"this\"", "O'Brien's", "&a *b {c}",
                                   "云叶茶 <script>", "茶" * 200])
def test_any_brand_name_makes_a_valid_repository(tmp_path, smm, monkeypatch, brand):
    target = tmp_path / "x"
    assert smm("init", str(target), "--brand", brand, "--now", "2026-11-26T10:00")[0] == 0
    monkeypatch.chdir(target)
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    assert code == 0, diagnostics
    assert yaml.safe_load((target / "brand/brand.yml").read_text())["name"] == brand
    assert (target / ".gitattributes").read_text() == (ROOT / ".gitattributes").read_text()


# A name that would make a repository failing `smm check` (a CR in the post: file.line-endings; a
# 300-character title) or crash writing it (a byte that is not UTF-8: exit 3, half a repository).
@pytest.mark.parametrize("brand,says", [
    ("   ", "must not be empty"),
    ("Tea\nCo", "one line of printable text"), ("Tea\rCo", "one line of printable text"),
    ("Tea\tCo", "one line of printable text"), ("Tea\x1b[31mCo", "one line of printable text"),
    ("Tea\u2028Co", "one line of printable text"), ("\ufeffTea", "one line of printable text"),
    ("Tea\udcffCo", "one line of printable text"), ("茶" * 201, "at most 200"),
])
def test_a_brand_name_that_would_break_the_repository_is_refused(tmp_path, smm, brand, says):
    code, _, err = smm("init", str(tmp_path / "x"), "--brand", brand)
    assert code == 2 and says in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


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


# (what the user passes, the publish workflow's line, the validate workflow's line)
REQUIREMENTS = [
    ("smm-git", "smm-git[networks]", "smm-git"),
    ("smm-git==0.1.0", "smm-git[networks]==0.1.0", "smm-git==0.1.0"),
    ("smm-git>=0.1,<1", "smm-git[networks]<1,>=0.1", "smm-git>=0.1,<1"),
    ("smm-git[networks]>=0.2", "smm-git[networks]>=0.2", "smm-git[networks]>=0.2"),
    ("smm-git[mastodon]", "smm-git[mastodon,networks]", "smm-git[mastodon]"),
    ("git+https://github.com/o/smm@v0.1.0", "smm-git[networks] @ git+https://github.com/o/smm@v0.1.0",
     "git+https://github.com/o/smm@v0.1.0"),
    ("smm-git @ git+https://github.com/o/smm@v0.1.0", "smm-git[networks] @ git+https://github.com/o/smm@v0.1.0",
     "smm-git @ git+https://github.com/o/smm@v0.1.0"),
    ("smm-git[networks] @ git+https://github.com/o/smm", "smm-git[networks] @ git+https://github.com/o/smm",
     "smm-git[networks] @ git+https://github.com/o/smm"),
    ("https://example.org/smm_git-0.1.0-py3-none-any.whl",
     "smm-git[networks] @ https://example.org/smm_git-0.1.0-py3-none-any.whl",
     "https://example.org/smm_git-0.1.0-py3-none-any.whl"),
]
PATHS = [
    (".", ".[networks]", "."),
    (".[networks]", ".[networks]", ".[networks]"),
    ("./vendor/smm", "./vendor/smm[networks]", "./vendor/smm"),
    ("vendor/smm[test]", "vendor/smm[networks,test]", "vendor/smm[test]"),
    ("/opt/smm", "/opt/smm[networks]", "/opt/smm"),
]


@pytest.mark.parametrize("requirement,networks,plain", REQUIREMENTS + PATHS)
def test_each_requirement_form_gets_the_networks_extra_once(requirement, networks, plain):
    assert with_extra(requirement) == networks
    publish, validate = workflow("publish.yml", requirement), workflow("validate.yml", requirement)
    assert f"pip install --quiet '{networks}'" in publish
    assert f"pip install --quiet '{plain}'" in validate
    assert f"pip install --quiet '{plain}'" in workflow("pages.yml", requirement)  # the site needs no network SDK
    assert "[networks][" not in publish and "networks,networks" not in publish


@pytest.mark.parametrize("requirement", ["smm git", "smm-git>>1", "smm-git[networks", "it's", "a\nb", "",
                                         "smm", "smm==0.1.0", "SMM[networks]"])
def test_a_requirement_pip_cannot_read_is_refused_before_anything_is_written(tmp_path, smm, requirement):
    code, _, err = smm("init", str(tmp_path / "x"), "--smm-requirement", requirement)
    assert code == 2 and "--smm-requirement" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


_BACKEND = """
import os
def get_requires_for_build_wheel(config_settings=None):
    return []
def prepare_metadata_for_build_wheel(directory, config_settings=None):
    info = os.path.join(directory, "smm_git-0.1.0.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\\nName: smm-git\\nVersion: 0.1.0\\nProvides-Extra: networks\\n")
    return "smm_git-0.1.0.dist-info"
"""


def _pip_would_install(line: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index",
                           "--disable-pip-version-check", line], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("requirement", ["./vendor/smm", "vendor/smm", "./vendor/smm[networks]", "VENDOR_ABS",
                                         "WHEEL", "WHEEL_URL"])
def test_pip_itself_accepts_the_lines_for_paths_and_files(tmp_path, requirement):
    """Offline: a folder with a metadata-only build backend, and a wheel named like smm's."""
    project = tmp_path / "vendor" / "smm"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n')
    (project / "backend.py").write_text(_BACKEND)
    wheel = tmp_path / "smm_git-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("smm_git-0.1.0.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: smm-git\nVersion: 0.1.0\nProvides-Extra: networks\n")
        archive.writestr("smm_git-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr("smm_git-0.1.0.dist-info/RECORD", "")
    requirement = {"VENDOR_ABS": str(project), "WHEEL": f"./{wheel.name}", "WHEEL_URL": wheel.as_uri()}.get(requirement, requirement)
    for line in (with_extra(requirement), requirement):
        result = _pip_would_install(line, tmp_path)
        assert result.returncode == 0 and "Would install smm-git-0.1.0" in result.stdout, line + result.stderr


@pytest.mark.parametrize("requirement,networks,plain", REQUIREMENTS)
def test_pip_reads_every_name_and_url_line(requirement, networks, plain):
    """pip's parser (packaging) reads each name or URL line as smm-git with the networks extra
    (paths are not PEP 508: pip itself installs them offline in the test above)."""
    parsed = Requirement(networks)
    assert parsed.name == "smm-git" and "networks" in parsed.extras


def _run(*command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_what_init_writes_installs_smm_from_the_built_wheel_in_a_fresh_venv(tmp_path, smm):
    """The exact line of the generated publish workflow, run in a new venv, with the wheel built
    from this source; then a Mastodon account needs nothing but its token."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "smm", source / "smm", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist", source)
    target = tmp_path / "brand"
    assert smm("init", str(target), "--now", "2026-11-26T10:00")[0] == 0
    line = re.search(r"pip install --quiet '([^']+)'", (target / ".github/workflows/publish.yml").read_text())[1]
    assert line == f"smm-git[networks]=={__version__}"  # pinned to the smm that wrote it
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    _run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--find-links", tmp_path / "dist", line)
    platforms = target / "platforms.yml"
    platforms.write_text(re.sub(r"(?m)^  # ", "  ", platforms.read_text()))  # the commented Mastodon, Bluesky, X examples
    check = subprocess.run([venv / "bin/smm", "check", "--format", "json", "--now", "2026-11-26T10:00"],
                           cwd=target, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not [d for d in json.loads(check.stdout) if d["rule"] == "config.cannot-publish"]
    post = target / "content/2026/11/2026-11-30-hello.md"
    post.write_text(post.read_text().replace("draft: true", "draft: false").replace("[feed]", "[feed, mastodon]"))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SMM_MASTODON_TOKEN": "token"}
    dry = subprocess.run([venv / "bin/smm", "publish", "--dry-run", "--now", "2026-11-30T12:00"],
                         cwd=target, capture_output=True, text=True, env=env)
    assert "would_publish 2026-11-30-hello → mastodon" in dry.stdout, dry.stdout + dry.stderr


def test_pre_commit_manifest_is_valid():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [(h["id"], h["entry"], h["pass_filenames"]) for h in hooks] == [("smm-check", "smm check --since HEAD", False)]
    tool = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert tool, "pre-commit is in the test extra"
    result = subprocess.run([tool, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("where", ["under-a-file", "file-in-the-way"])
def test_init_where_nothing_can_be_written_says_so(tmp_path, smm, where):
    """Was exit 3 (NotADirectoryError; a folder nobody may write to: PermissionError, the same path)."""
    (tmp_path / "afile").write_text("x\n")
    target = tmp_path / "afile" / "repo"
    if where == "file-in-the-way":
        target = tmp_path / "repo"
        (target / "brand").mkdir(parents=True)
        (target / "brand" / "voice").write_text("a file where a folder goes\n")
    code, _, err = smm("init", str(target))
    assert code == 1 and err.startswith(f"error: cannot write {target}") and "Traceback" not in err
