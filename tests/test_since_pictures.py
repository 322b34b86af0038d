"""`smm check --since` after a picture changed reports the posts that show it, not the whole repository:
wherever the picture lies (content/, another folder, a hidden one, under data/), however the post reaches
it (its `media:`, an article's body, a folder that is a link), edited or removed; a picture of a card
template still checks everything (every card may change). A problem of a post that shows no such picture
(`UNRELATED`) stays out of the report, as it does for `smm check POST.md`; every problem of the posts that
show it is in (an article's cover in platforms.yml is shown by the articles that have no `media:`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_example

NOW = "2026-11-25T08:00:00+08:00"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
POST = "content/2026/12/2026-12-09-tidewell-kettle.md"
ARTICLE = "content/2026/12/2026-12-23-brewing-guide-article.md"
UNRELATED = "content/2026/12/2026-12-30-unrelated.md"  # a post with a problem of its own, shown by no picture
PICTURE = "content/media/winter-blend.png"


def _check(root: Path, cache: Path, *args: str) -> tuple[int, list[dict]]:
    env = {**os.environ, "SMM_OFFLINE": "1", "SMM_CACHE_DIR": str(cache), "SMM_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "smm", "check", "--format", "json", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


def _shows(root: Path, post: str, picture: str) -> None:
    """`post` shows `picture` (a copy of the example's) as its first medium."""
    (root / picture).parent.mkdir(parents=True, exist_ok=True)
    if not (root / picture).exists():
        shutil.copyfile(root / PICTURE, root / picture)
    text = (root / post).read_text(encoding="utf-8")
    (root / post).write_text(text.replace("---\n", f"---\nmedia: [{{file: {picture}, alt: A cup of tea}}]\n", 1),
                             encoding="utf-8")


def _in_content(root: Path):
    return PICTURE, None


def _named(picture: str):
    def setup(root: Path):
        _shows(root, POST, picture)
        return picture, None
    return setup


def _through_a_link(root: Path):
    (root / "assets").mkdir()
    shutil.copyfile(root / PICTURE, root / "assets/cup.png")
    os.symlink("../../assets", root / "content/media/linked")
    _shows(root, POST, "content/media/linked/cup.png")
    return "assets/cup.png", None


def _in_an_articles_body(root: Path):
    (root / "assets").mkdir()
    shutil.copyfile(root / PICTURE, root / "assets/body.png")
    with open(root / ARTICLE, "a", encoding="utf-8") as out:
        out.write("\n![A cup of tea](assets/body.png)\n")
    return "assets/body.png", None


def _a_card_templates(root: Path):
    (root / "assets").mkdir()
    shutil.move(root / "brand/cards/cloudleaf-logo.png", root / "assets/logo.png")
    template = root / "brand/cards/quote.yml"
    template.write_text(template.read_text(encoding="utf-8").replace("brand/cards/cloudleaf-logo.png", "assets/logo.png"),
                        encoding="utf-8")
    return "assets/logo.png", "everything"


# where the picture is and how a post reaches it → setup (returns the picture, and "everything" when
# every post is to be reported)
PICTURES = {
    "under content/media (three posts)": _in_content,
    "in another folder": _named("assets/cup.png"),
    "in a hidden folder": _named(".assets/cup.png"),
    "under data/": _named("data/pictures/cup.png"),
    "through a folder that is a link": _through_a_link,
    "in an article's body": _in_an_articles_body,
    "of a card template (every card)": _a_card_templates,
}


@pytest.mark.parametrize("damage", [b"not a picture", None], ids=["broken", "removed"])
@pytest.mark.parametrize("where", list(PICTURES), ids=list(PICTURES))
def test_since_reports_the_posts_that_show_a_changed_picture(tmp_path, where, damage):
    root = copy_example(tmp_path / "repo")
    picture, reported = PICTURES[where](root)
    (root / UNRELATED).write_text("---\ntitle: Unrelated\nplatforms: [nowhere]\npublish_at: 2026-12-30T09:00:00+08:00\n---\n"
                                  "A post with a problem of its own.\n", encoding="utf-8")
    subprocess.run(GIT + ["init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(GIT + ["add", "-A"], cwd=root, check=True)
    subprocess.run(GIT + ["commit", "-qm", "base"], cwd=root, check=True)
    kept = tmp_path / "kept"
    before = _check(root, kept)
    assert any(d["file"] == UNRELATED for d in before[1]), before
    assert not any(d["rule"].startswith(("media.", "card.")) for d in before[1]), before
    if damage is None:
        (root / picture).unlink()
    else:
        (root / picture).write_bytes(damage)
    full = _check(root, tmp_path / "fresh")
    since = _check(root, kept, "--since", "HEAD")
    showing = {d["file"] for d in full[1] if d["rule"].startswith(("media.", "card."))}
    assert showing - {"brand/cards/quote.yml"} or reported, full  # the change is seen by a full check, at the posts that show it
    assert since[1] == [d for d in full[1] if d in since[1]]  # nothing a full check does not find
    assert [d for d in full[1] if d["file"] in showing or d["file"].startswith("brand/")] == [
        d for d in since[1] if d["file"] in showing or d["file"].startswith("brand/")]  # every problem of the posts that show it
    assert since[0] == (1 if any(d["severity"] == "error" for d in since[1]) else 0)
    assert (UNRELATED in {d["file"] for d in since[1]}) == (reported == "everything")
    if reported == "everything":
        assert since == full
