"""A post file Windows cannot create (a reserved character, a device name, a name ending in `.` or
a space, in the file's name or a folder's) is a `post.path-portable` warning at the file; two post
files whose paths differ only in case or Unicode normalisation are a `post.path-collision`
warning on each (Windows and macOS hold one of them). Portable paths are not warned about."""

from __future__ import annotations

import json
import unicodedata

import pytest
from conftest import post_text

NOT_PORTABLE = ["a:b.md", "a<b.md", "a>b.md", 'a"b.md', "a|b.md", "a?b.md", "a*b.md", "a\\b.md", "a\x01b.md",
                "con.md", "CON.md", "Nul.md", "com1.md", "lpt¹.md", "aux.tar.md",
                "q3:/a.md", "nul/a.md", "AUX/a.md", "x./a.md", "x /a.md", "a.md /b.md"]
PORTABLE = ["a-b.md", "console.md", "con-fair.md", "com10.md", "a.b.md", "q3/a.md", "notes/icon.md", "中文/帖子.md"]


def _warnings(smm, rule, *args):
    code, out, err = smm("check", "--format", "json", *args)
    assert code == 0, out + err
    return [(d["file"], d["line"]) for d in json.loads(out) if d["rule"] == rule], json.loads(out)


@pytest.mark.parametrize("name", NOT_PORTABLE + PORTABLE)
def test_a_post_path_windows_cannot_create_is_a_warning_at_the_file(make_repo, smm, name):
    make_repo({name: post_text(id="a-post")})
    found, everything = _warnings(smm, "post.path-portable")
    if name in PORTABLE:
        assert found == [], everything
        return
    assert found == [(f"content/{name}", 1)], everything
    message = next(d["message"] for d in everything if d["rule"] == "post.path-portable")
    assert "Windows" in message and f"`content/{name}`" in message


@pytest.mark.parametrize("name", ["con.md", "lpt1.md"])
def test_a_device_name_without_an_id_is_one_warning_about_the_file(make_repo, smm, name):
    make_repo({name: post_text()})  # its id, its name's stem, is not portable either: renaming the file mends both
    found, everything = _warnings(smm, "post.path-portable")
    assert found == [(f"content/{name}", 1)]
    assert [d for d in everything if d["rule"] == "post.id-portable"] == []


COLLIDING = [("A.md", "a.md"), ("News/x.md", "news/x.md"), ("Ä.md", "ä.md"),
             (unicodedata.normalize("NFC", "café.md"), unicodedata.normalize("NFD", "café.md"))]
APART = [("a.md", "b.md"), ("news/x.md", "news/y.md"), ("a-1.md", "a_1.md")]


@pytest.mark.parametrize("first,second", COLLIDING + APART)
def test_post_paths_equal_but_for_case_or_normalisation_are_a_warning_on_each(make_repo, smm, first, second):
    make_repo({first: post_text(id="one"), second: post_text(id="two")})
    found, everything = _warnings(smm, "post.path-collision")
    if (first, second) in APART:
        assert found == [], everything
        return
    assert sorted(found) == sorted([(f"content/{first}", 1), (f"content/{second}", 1)]), everything
    alone, _ = _warnings(smm, "post.path-collision", f"content/{second}")  # checking the one changed shows it
    assert alone == [(f"content/{second}", 1)]
