"""Hashtag sets (brand/hashtags.yml): `+set` expanded in place, unknown sets reported where they are
written, and networks' caps applied with the set's order as priority."""

from __future__ import annotations

import pytest
from conftest import PLATFORMS, post_text

from smm.render.rendered import Renderer
from smm.workspace.hashtags import Tag, capped, expand
from smm.workspace.repo import load_repo

SETS = {"winter": ["WinterBlend", "冬季拼配", "TeaTime"], "tips": ["TeaTips", "#泡茶"]}


@pytest.mark.parametrize("entries,tags,unknown", [
    (["+winter"], [("WinterBlend", "winter"), ("冬季拼配", "winter"), ("TeaTime", "winter")], []),
    (["Own", "+tips", "Last"], [("Own", None), ("TeaTips", "tips"), ("#泡茶", "tips"), ("Last", None)], []),
    (["+tips", "+winter"], [("TeaTips", "tips"), ("#泡茶", "tips"), ("WinterBlend", "winter"), ("冬季拼配", "winter"),
                            ("TeaTime", "winter")], []),
    (["teatime", "+winter"], [("teatime", None), ("WinterBlend", "winter"), ("冬季拼配", "winter")], []),  # each tag once
    (["#泡茶", "+tips"], [("#泡茶", None), ("TeaTips", "tips")], []),
    (["+nope", "A"], [("A", None)], [(0, "nope")]),
    (["+", "+Winter"], [], [(0, ""), (1, "Winter")]),
])
def test_sets_expand_in_place(entries, tags, unknown):
    found, missing = expand(entries, SETS)
    assert [(t.text, t.from_set) for t in found] == tags
    assert missing == unknown


@pytest.mark.parametrize("tags,room,kept", [
    ("a b* c* d*", None, "a b* c* d*"),
    ("a b* c* d*", 4, "a b* c* d*"),
    ("a b* c* d*", 2, "a b*"),
    ("b* c* a d*", 2, "b* a"),
    ("a b c* d*", 1, "a b"),  # the post's own never give way
    ("a* b*", 0, ""),
])
def test_set_tags_give_way_from_the_last(tags, room, kept):
    made = [Tag(t.rstrip("*"), "s" if t.endswith("*") else None) for t in tags.split()]
    assert " ".join(t.text + ("*" if t.from_set else "") for t in capped(made, room)) == kept


SET_FILE = "winter: [WinterBlend, 冬季拼配, TeaTime, Oolong, 红茶]\ntips: [TeaTips]\n"
LIMITED = PLATFORMS + "  small: {platform: mastodon, instance: https://m.example, token_env: T_SMALL, hashtag_limit: 3}\n"


def _rendered(make_repo, hashtags: str, body: str = "Hello 你好", account: str = "small"):
    root = make_repo({"a.md": post_text(body, hashtags=hashtags, platforms="[mastodon, small]")}, platforms=LIMITED,
                     files={"brand/hashtags.yml": SET_FILE})
    repo = load_repo(root)
    return Renderer(root, repo.config, repo.brand).render(repo.posts[0], account)


@pytest.mark.parametrize("hashtags,body,account,last_line,errors", [
    ("[+winter]", "Hello", "mastodon", "#WinterBlend #冬季拼配 #TeaTime #Oolong #红茶", []),
    ("[+winter]", "Hello", "small", "#WinterBlend #冬季拼配 #TeaTime", []),
    ("[Own, +winter]", "Hello", "small", "#Own #WinterBlend #冬季拼配", []),
    ("[+winter, Own]", "Hello", "small", "#WinterBlend #冬季拼配 #Own", []),
    ("[+winter]", "Hello #Mine", "small", "#WinterBlend #冬季拼配", []),  # a tag in the text takes room too
    ("[+winter]", "Hello #TeaTime", "mastodon", "#WinterBlend #冬季拼配 #Oolong #红茶", []),  # not twice
    ("[A, B, C, D, +winter]", "Hello", "small", "#A #B #C #D", ["render.too-many-hashtags"]),
])
def test_caps_apply_with_the_set_order_as_priority(make_repo, hashtags, body, account, last_line, errors):
    rendered = _rendered(make_repo, hashtags, body, account)
    assert rendered.text.splitlines()[-1] == last_line
    assert [d.rule for d in rendered.diagnostics] == errors


@pytest.mark.parametrize("hashtags,line,column,hint", [
    ("[+wintr]", 5, 12, "did you mean `winter`?"),
    ("[Tea, +nope]", 5, 17, "sets: tips, winter"),
])
def test_an_unknown_set_is_reported_where_it_is_written(make_repo, smm, hashtags, line, column, hint):
    make_repo({"a.md": post_text("Hello", hashtags=hashtags)}, files={"brand/hashtags.yml": SET_FILE})
    code, out, _ = smm("check")
    assert code == 1
    assert f"content/a.md:{line}:{column}: error[hashtags.unknown-set]" in out and hint in out, out
    assert out.count("hashtags.unknown-set") == 1  # once, whatever the number of accounts
    assert "post.hashtag" not in out


@pytest.mark.parametrize("sets,line,rule", [
    ("winter: [Winter-Blend]\n", 1, "hashtags.tag"),
    ("winter: [Ok]\ntips: [Ok, +winter]\n", 2, "hashtags.tag"),
    ("winter: [Ok]\nWinter Sale: [Ok]\n", 2, "schema.name"),
    ("winter: []\n", 1, "schema.empty"),
    ("winter: Tea\n", 1, "schema.type"),
])
def test_broken_set_files_are_reported(make_repo, smm, sets, line, rule):
    make_repo({"a.md": post_text("Hello", hashtags="[+winter]")}, files={"brand/hashtags.yml": sets})
    code, out, _ = smm("check")
    assert code == 1 and f"brand/hashtags.yml:{line}:" in out and f"[{rule}]" in out, out
    assert "hashtags.unknown-set" not in out  # the file's own error is the one to fix


def test_a_post_with_sets_passes_check(make_repo, smm):
    make_repo({"a.md": post_text("Hello", hashtags="[+tips, Extra]", publish_at="2030-01-01T12:00")},
              files={"brand/hashtags.yml": SET_FILE})
    code, out, _ = smm("check")
    assert code == 0, out
