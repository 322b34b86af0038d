"""A site build stopped midway (killed, interrupted) and a change then put back: the next build's site
is a clean build's. The stopped build had rewritten pages, but the last build's manifest still
listed them under their old keys, so the build after the change was put back kept them: the
edited text stayed on the site (the whole class: any page, any moment after the first write).
tests/campaign/site_kills.py kills real processes at random moments."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import copy_example
from test_site import NOW

from smm.site import output


class Stopped(BaseException):
    """The build stopped here, as SIGKILL would stop it (no clean-up runs)."""


def _edit_body(root):
    post = sorted((root / "content").rglob("*.md"))[3]
    post.write_text(post.read_text(encoding="utf-8") + "\nAn edit, then put back. 改了又改回。\n", encoding="utf-8")


def _edit_title(root):
    post = sorted((root / "content").rglob("*.md"))[5]
    post.write_text(post.read_text(encoding="utf-8").replace("title:", "title: Renamed —", 1), encoding="utf-8")


def _edit_brand(root):  # every page shows the brand's name
    brand = root / "brand/brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1), encoding="utf-8")


def _remove_post(root):
    sorted((root / "content").rglob("*.md"))[2].unlink()


CHANGES = {"a post's text": _edit_body, "a post's title": _edit_title, "brand/brand.yml": _edit_brand,
           "a post removed": _remove_post}
DRAWN_AT = re.compile(rb'<footer class="site">[^<]*</footer>|<p class="meta">[^<]*</p>')  # when a kept page was drawn


def _site(out):
    return {p.relative_to(out).as_posix(): DRAWN_AT.sub(b"", p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("stop", ["after the first file written", "after the third", "before the manifest is saved"])
@pytest.mark.parametrize("change", CHANGES)
def test_a_build_stopped_midway_then_the_change_put_back_leaves_a_clean_builds_site(
        tmp_path, monkeypatch, smm, change, stop):
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_example(tmp_path / "repo")
    monkeypatch.chdir(root)
    saved = {p: p.read_bytes() for p in [*root.rglob("*.md"), root / "brand/brand.yml"]}
    assert smm("site", "build", "--now", NOW)[0] == 0

    CHANGES[change](root)
    writes = {"after the first file written": 1, "after the third": 3}.get(stop)
    real_write, real_finish, done = output.SiteFolder.write, output.SiteFolder.finish, []

    def write(folder, path, text):
        result = real_write(folder, path, text)
        done.append(path)
        if len(done) == writes:
            folder._unlock()  # as the system does for a killed process
            raise Stopped
        return result

    def finish(folder):
        folder._unlock()
        raise Stopped

    monkeypatch.setattr(output.SiteFolder, "write", write)
    monkeypatch.setattr(output.SiteFolder, "finish", finish)  # (where the build writes fewer files)
    with pytest.raises(Stopped):
        smm("site", "build", "--now", NOW)
    monkeypatch.setattr(output.SiteFolder, "write", real_write)
    monkeypatch.setattr(output.SiteFolder, "finish", real_finish)

    for path, data in saved.items():  # the change put back
        path.write_bytes(data)
    assert smm("site", "build", "--now", NOW)[0] == 0
    shutil.rmtree(tmp_path / "cache")
    assert smm("site", "build", "--now", NOW, "--out", str(tmp_path / "clean"))[0] == 0
    assert _site(root / "_site") == _site(tmp_path / "clean")
