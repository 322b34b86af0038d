"""A post id that names files Windows cannot create (its record data/published/ID.json, the site's
posts/ID/) is a warning at the id; other ids are not. An id taken from a file name Windows cannot
create either is warned about once, as the file's (tests/test_post_path_portable.py)."""

from __future__ import annotations

import json

import pytest
from conftest import post_text

NOT_PORTABLE = ["con", "prn", "aux", "nul", "com1", "com0", "lpt9", "com¹", "con.json", "nul.tar.gz", "aux.x", "a."]
PORTABLE = ["console", "con-fair", "aux1", "com10", "lpt", "nullable", "a.b", "icon", "2026-12-01-con"]


@pytest.mark.parametrize("post_id", NOT_PORTABLE + PORTABLE)
def test_an_id_windows_cannot_name_a_file_after_is_a_warning_at_the_id(make_repo, smm, post_id):
    make_repo({"2026/12/a-post.md": post_text(id=post_id)})
    code, out, err = smm("check", "--format", "json")
    found = [d for d in json.loads(out) if d["rule"] == "post.id-portable"]
    if post_id in PORTABLE:
        assert found == [], found
        return
    assert code == (0 if post_id.isascii() else 1), err  # a warning (`com¹` is an error of the id's pattern too)
    assert [(d["file"], d["line"], d["severity"]) for d in found] == [("content/2026/12/a-post.md", 5, "warning")]
    assert f"`{post_id}`" in found[0]["message"] and "Windows" in found[0]["message"]


@pytest.mark.parametrize("post_id", ["CON", "Nul.json", "a:b", "a|b", "a?"])
def test_an_id_the_pattern_refuses_is_warned_about_too_when_windows_cannot_name_its_files(make_repo, smm, post_id):
    """The id's pattern error says what to fix; the warning says why a clone fails meanwhile (one rule for
    ids and post paths: smm.content.post.path_problem)."""
    make_repo({"2026/12/a-post.md": post_text(id=f'"{post_id}"')})
    code, out, err = smm("check", "--format", "json")
    found = [(d["line"], d["severity"]) for d in json.loads(out) if d["rule"] == "post.id-portable"]
    assert code == 1 and found == [(5, "warning")], out
