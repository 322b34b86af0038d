"""Review 18: a new user's path, from `smm init` to a working content repository and its workflows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from smm import __version__ as smm_version

BIN = Path(sys.executable).parent
GIT = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.com", "-c", "init.defaultBranch=main"]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _step(workflow: Path, needle: str) -> dict:
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values()
    return next(s for job in jobs for s in job["steps"] if needle in s.get("name", ""))


# Markdown files under content/ that smm reads as no post (README.md says so): a note, a folder of
# drafts, a hidden file, a README in any case. A pull request may add them beside a post.
NOTES = ["content/_ideas.md", "content/_drafts/launch.md", "content/2026/.scratch.md", "content/.wip/a.md",
         "content/README.md", "content/2026/ReadMe.md", "content/笔记/_想法.md"]


@pytest.mark.parametrize("note", NOTES)
@pytest.mark.parametrize("workflows", [ROOT / ".github/workflows", None], ids=["this repository", "smm init"])
def test_the_pull_request_preview_shows_the_changed_posts_and_skips_notes(tmp_path, smm, note, workflows):
    """validate.yml's preview step, run as the runner runs it, on a pull request that adds a post and a note.
    Was: the note was handed to `smm preview`, which refuses it (exit 1), failing the step: no preview,
    no comment, and the sponsored-post gate never ran."""
    repo = tmp_path / "brand repo"
    assert smm("init", str(repo), "--now", "2026-11-26T10:00")[0] == 0
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    base = _git(repo, "rev-parse", "HEAD")
    post = repo / "content/2026/12/2026-12-02-winter tea 冬茶.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text("---\nid: winter-tea\ntitle: Winter tea\npublish_at: 2026-12-02T12:00\nplatforms: [feed]\n---\nHot tea.\n",
                    encoding="utf-8")
    (repo / note).parent.mkdir(parents=True, exist_ok=True)
    (repo / note).write_text("A note for the team, no front matter.\n", encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a post and a note")
    step = _step((workflows or repo / ".github/workflows") / "validate.yml", "Preview the changed posts")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE_SHA": base,
           "HEAD_SHA": _git(repo, "rev-parse", "HEAD"), "PR_NUMBER": "7", "CHECK_STATUS": "0",
           "GITHUB_STEP_SUMMARY": str(summary), "SMM_NOW": "2026-11-26T10:00"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    comment = (repo / "preview/comment.md").read_text(encoding="utf-8")
    assert "Winter tea" in comment and "A note for the team" not in comment
    assert "is not a post" not in result.stderr


@pytest.mark.parametrize("file,line", [
    (".github/workflows/publish.yml", f"smm-git[networks]=={smm_version}"),
    (".github/workflows/validate.yml", f"smm-git=={smm_version}"),
    (".github/workflows/check.yml", f"smm-git=={smm_version}"),
    (".github/workflows/pages.yml", f"smm-git=={smm_version}"),
    ("README.md", f"smm-git[networks]=={smm_version}"),  # how editors install it, as the workflows do
])
def test_init_pins_the_workflows_to_the_smm_that_wrote_them(tmp_path, smm, file, line):
    """Was `smm-git` unpinned: each scheduled run, holding every network's secret, installed whatever
    release was newest, and CI could judge posts by other rules than the editors' smm."""
    assert smm("init", str(tmp_path / "acme"), "--now", "2026-11-26T10:00")[0] == 0
    text = (tmp_path / "acme" / file).read_text(encoding="utf-8")
    assert set(re.findall(r"pip install (?:--quiet )?'([^']+)'", text)) == {line}


# (the folder, --brand or None, what the error says). Was: a folder's name that makes no brand name was
# refused as "the brand name" the user never typed, with no word of --brand; `--brand ""` was ignored
# and the folder's name used instead.
@pytest.mark.parametrize("folder,brand,says", [
    ("Tea\nCo", None, "the brand name (the folder's name; give one with --brand) must be one line of printable text"),
    (os.fsdecode(b"Tea\xffCo"), None, "the brand name (the folder's name; give one with --brand) must be one line"),
    ("t" * 201, None, "the brand name (the folder's name; give one with --brand) is 201 characters; at most 200"),
    ("acme", "", "error: the brand name must not be empty"),
])
def test_a_brand_name_init_cannot_use_says_where_it_came_from(tmp_path, smm, folder, brand, says):
    target = tmp_path / folder
    code, _, err = smm("init", str(target), *(["--brand", brand] if brand is not None else []))
    assert code == 2 and says in err and "Traceback" not in err, err
    assert not target.exists()



@pytest.mark.parametrize("platforms", ["", " ", ",", " , ,"])
def test_smm_new_with_platforms_that_name_no_account_is_a_usage_error(tmp_path, smm, monkeypatch, platforms):
    """Was: an empty `--platforms` was read as no option at all, and the draft went to every account."""
    assert smm("init", str(tmp_path / "acme"), "--now", "2026-11-26T10:00")[0] == 0
    monkeypatch.chdir(tmp_path / "acme")
    before = sorted((tmp_path / "acme/content").rglob("*.md"))
    code, out, err = smm("new", "Winter tea", "--platforms", platforms, "--now", "2026-11-26T10:00")
    assert code == 2 and f"--platforms {platforms!r} names no account; accounts are: feed" in err, out + err
    assert sorted((tmp_path / "acme/content").rglob("*.md")) == before


@pytest.mark.parametrize("name", ["validate.yml", "check.yml", "publish.yml", "pages.yml"])
@pytest.mark.parametrize("workflows", [ROOT / ".github/workflows", None], ids=["this repository", "smm init"])
def test_every_workflow_that_draws_cards_installs_their_fonts_first(tmp_path, smm, name, workflows):
    """Was: none did, and GitHub's Ubuntu runners have no Noto CJK font, so once brand/cards/ had a template
    every post with a `card:` failed the check (card.font-missing), its publishing and the site build."""
    from smm.cards.fonts import INSTALL_HINT
    from smm.workspace.settings import CARDS_DIR

    if workflows is None:
        assert smm("init", str(tmp_path / "acme"), "--now", "2026-11-26T10:00")[0] == 0
        workflows = tmp_path / "acme/.github/workflows"
    steps = [s for job in yaml.safe_load((workflows / name).read_text())["jobs"].values() for s in job["steps"]]
    fonts = [i for i, s in enumerate(steps) if "fonts-noto-cjk" in s.get("run", "")]
    smm_runs = [i for i, s in enumerate(steps) if re.search(r"(^|\n|; |&& )smm ", s.get("run", ""))]
    assert fonts and smm_runs and fonts[0] < smm_runs[0], f"{name}: no font step before {smm_runs[:1]}"
    assert steps[fonts[0]]["if"] == f"${{{{ hashFiles('{CARDS_DIR}/*.yml') != '' }}}}"  # only for a brand with cards
    assert "`apt-get install fonts-noto-cjk`" in INSTALL_HINT  # the package the check's own hint names
