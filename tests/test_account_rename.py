"""An account renamed in platforms.yml: its posts must not go out a second time under the new name.

Publish records name the account a post went out on. After `local` is renamed `shop` (in
platforms.yml and in the posts), the records say nothing about `shop`: without a guard the post
would go out again. `smm check` and `smm publish` stop on it (`record.unknown-account`) until the
account says `formerly: local`, after which the records count as `shop`'s.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import post_text

NOW = "2026-12-01T12:00:00+08:00"
LATER = "2026-12-01T12:30:00+08:00"  # still within every account's max_lateness


def platforms(local: str = "local", extra: str = "") -> str:
    return ("timezone: Asia/Shanghai\naccounts:\n"
            "  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}\n"
            f"  {local}: {{platform: local, path: .local/local{extra}}}\n")


def post(accounts: str) -> str:
    return post_text("Hello 你好", publish_at="2026-12-01T11:00", platforms=accounts)


def remote_posts(root: Path) -> list[dict]:
    path = root / ".local/local/posts.json"
    return json.loads(path.read_text()) if path.exists() else []


def record_accounts(root: Path) -> list[str]:
    return sorted(json.loads((root / "data/published/a.json").read_text())["accounts"])


@pytest.fixture
def published(make_repo, smm):
    """A repository whose post `a` went out on `feed` and `local`."""
    root = make_repo({"a.md": post("[feed, local]")}, platforms=platforms(), calendar=None)
    code, out, err = smm("publish", "--now", NOW)
    assert code == 0, out + err
    assert len(remote_posts(root)) == 1
    return root


def errors_of(smm, *paths: str) -> list[dict]:
    """`smm check`'s errors: exit 1 for a post's, 2 for platforms.yml's (a config error), 0 for none."""
    code, report, _ = smm.json("check", *paths)
    errors = [d for d in report if d["severity"] == "error"]
    assert code == (0 if not errors else 2 if any(d["file"] == "platforms.yml" for d in errors) else 1)
    return errors


# (platforms.yml after the change, the post's accounts after it, the rules `smm check` then reports
#  (the exit of `smm publish` too: 1 for a post's, 2 for platforms.yml's), how many posts the local
#  network holds after another `smm publish`, the record's accounts after it)
CASES = {
    "renamed, nothing said": (platforms("shop"), "[feed, shop]", ["record.unknown-account"], 1, ["feed", "local"]),
    "renamed, formerly as a name": (platforms("shop", ", formerly: local"), "[feed, shop]", [], 1, ["feed", "local"]),
    "renamed, formerly as a list": (platforms("shop", ", formerly: [old, local]"), "[feed, shop]", [], 1, ["feed", "local"]),
    "removed from both": (platforms("shop"), "[feed]", [], 1, ["feed", "local"]),
    "removed, a new account kept apart": (platforms("shop") + "  local: {platform: local, path: .local/local}\n",
                                          "[feed, shop]", [], 2, ["feed", "local", "shop"]),
    "formerly names an account there now": (platforms("shop", ", formerly: feed"), "[feed, shop]",
                                            ["config.formerly"], 1, ["feed", "local"]),
}


@pytest.mark.parametrize("case", CASES)
def test_a_renamed_account_never_publishes_a_post_again(published, smm, case):
    config, accounts, rules, remote, kept = CASES[case]
    (published / "platforms.yml").write_text(config)
    (published / "content/a.md").write_text(post(accounts))
    errors = errors_of(smm)
    assert sorted({d["rule"] for d in errors}) == rules
    code, out, err = smm("publish", "--now", LATER)
    assert code == (2 if "config.formerly" in rules else 1 if rules else 0), out + err
    assert "Traceback" not in out + err
    assert len(remote_posts(published)) == remote
    assert record_accounts(published) == kept


def test_the_error_names_the_post_line_record_and_fix_and_shows_for_either_file(published, smm):
    (published / "platforms.yml").write_text(platforms("shop"))
    (published / "content/a.md").write_text(post("[feed, shop]"))
    for paths in [(), ("content/a.md",), ("platforms.yml",), ("data/published/a.json",)]:
        [error] = errors_of(smm, *paths)
        assert (error["file"], error["rule"]) == ("content/a.md", "record.unknown-account"), paths
        line = (published / "content/a.md").read_text().splitlines()[error["line"] - 1]
        assert line.startswith("platforms:") and error["column"] == line.index("shop") + 1
        assert "`local`" in error["message"] and "data/published/a.json" in error["message"]
        assert "formerly: local" in error["hint"]
    code, out, err = smm("publish", "--now", LATER)
    assert code == 1 and "content/a.md:" in err and "record.unknown-account" in err


def test_the_records_move_to_the_new_name_when_the_post_is_written_again(published, smm):
    """A new account on a renamed account's post: it goes out there, once, and the record written
    again holds the old job under the new name."""
    (published / "platforms.yml").write_text(platforms("shop", ", formerly: local")
                                             + "  news: {platform: feed, path: data/feed/news.xml, site: https://example.com}\n")
    (published / "content/a.md").write_text(post("[feed, shop, news]"))
    assert errors_of(smm) == []
    code, out, err = smm("publish", "--now", LATER)
    assert code == 0, out + err
    assert record_accounts(published) == ["feed", "news", "shop"]
    assert len(remote_posts(published)) == 1
    code, out, err = smm("publish", "--now", LATER, "--include-late")
    assert code == 0 and len(remote_posts(published)) == 1


def test_two_accounts_cannot_claim_one_former_name(published, smm):
    (published / "platforms.yml").write_text(
        platforms("shop", ", formerly: local") + "  shop2: {platform: local, path: .local/l2, formerly: [local]}\n")
    [error] = errors_of(smm)
    assert (error["file"], error["rule"], error["line"]) == ("platforms.yml", "config.formerly", 5)
    assert "`shop`" in error["message"] and "`shop2`" in error["message"]


@pytest.mark.parametrize("front, rule, hint", [
    ('reply_to: "local:1"', "post.unknown-account", "`local` is `shop` now: write that"),
    ('reply_to: "local:1"\nplatforms: [shop]', None, None),
    ('reply_to: "local:1"\nplatforms: [feed]', "reply.account", None),
])
def test_a_reply_to_an_item_of_the_old_name_goes_out_from_the_new_one(make_repo, smm, front, rule, hint):
    inbox_of_the_old_name(make_repo({"replies/r.md": f"---\ntitle: Reply\n{front}\n---\nThank you 谢谢\n"},
                                    platforms=platforms("shop", ", formerly: local"), calendar=None))
    errors = errors_of(smm)
    assert [(d["rule"], d.get("hint") if hint else None) for d in errors] == ([(rule, hint)] if rule else [])


def test_smm_reply_drafts_from_the_new_name(make_repo, smm):
    root = inbox_of_the_old_name(make_repo(platforms=platforms("shop", ", formerly: local"), calendar=None))
    code, out, err = smm("reply", "local:1", "--now", NOW)
    assert code == 0, err
    [draft] = (root / "content/replies").iterdir()
    assert "platforms: [shop]\n" in draft.read_text()
    assert errors_of(smm) == []


def inbox_of_the_old_name(root: Path) -> Path:
    """An open inbox item that came to `local`."""
    from smm.inbox.items import Item, append_items

    append_items(root, [Item(id="local:1", account="local", platform="local", kind="mention", author="fan",
                             text="hi", url=None, created_at="2026-12-01T09:00:00+00:00",
                             due_by="2026-12-02T09:00:00+00:00", priority="normal", sentiment="neutral",
                             intent="other", state="open", post=None, updated_at="2026-12-01T09:00:00+00:00")])
    return root


def test_a_reply_published_from_the_new_name_answers_the_item(make_repo, smm):
    from datetime import datetime

    from smm.inbox.items import load_items
    from smm.inbox.replies import answered_items
    from smm.workspace.repo import load_repo

    root = inbox_of_the_old_name(make_repo(
        {"replies/r.md": '---\ntitle: Reply\nreply_to: "local:1"\nplatforms: [shop]\n---\nThank you 谢谢\n'},
        platforms=platforms("shop", ", formerly: local"), calendar=None))
    code, out, err = smm("publish", "--now", NOW)
    assert code == 0, out + err
    assert [p.get("reply_to") for p in remote_posts(root)] == ["1"]
    answered = answered_items(load_repo(root), load_items(root), datetime.fromisoformat(NOW))
    assert [(item.id, item.state) for item in answered] == [("local:1", "answered")]


# -- the numbers go on under the new name ------------------------------------------------------------------


def _renamed_in(root: Path, old: str, new: str, moved_from: str) -> None:
    """`old` renamed `new` in platforms.yml (with `formerly`), the posts and goals; the metrics and
    follower rows collected from `moved_from` on are under the new name, those before stay under the old."""
    import re

    config = (root / "platforms.yml").read_text()
    (root / "platforms.yml").write_text(re.sub(rf"^  {old}: {{(.*)}}$", rf"  {new}: {{\1, formerly: {old}}}", config, flags=re.M))
    for path in [*root.glob("content/*.md"), root / "brand/goals.yml"]:
        text = path.read_text()
        path.write_text(re.sub(rf"(platforms: \[.*?)\b{old}\b|(account: ){old}$", lambda m: (m.group(1) or m.group(2)) + new,
                               text, flags=re.M))
    for path in root.glob("data/*/*.csv"):
        lines = path.read_text().splitlines(keepends=True)
        moved = "".join(line if i == 0 or line[:20] < moved_from else line.replace(f",{old},", f",{new},", 1)
                        for i, line in enumerate(lines))
        if moved != "".join(lines):  # a file left as it was keeps its stat
            path.write_text(moved)


def test_the_report_counts_an_old_names_metrics_and_followers_as_the_accounts(tmp_path):
    """Follower growth, engagement, goals, responsiveness: the report after `a` became `shop` (its later
    rows collected as `shop`) is the report before, with `shop` for `a`."""
    from test_report import END, NOW, START, write_fixture

    from smm.report import build
    from smm.workspace.repo import load_repo

    from test_inbox import _item

    from smm.inbox.items import append_items

    root = write_fixture(tmp_path)
    append_items(root, [_item(f"local:{n}", account=account, platform="local", created_at=f"2026-11-0{n}T09:00:00+00:00",
                              due_by=f"2026-11-0{n}T10:00:00+00:00") for n, account in ((3, "a"), (4, "b"), (5, "a"))])
    before = build(load_repo(root), START, END, NOW).data
    assert [(a["account"], a["items"]) for a in before["responsiveness"]["by_account"]] == [("a", 2), ("b", 1)]
    _renamed_in(root, "a", "shop", moved_from="2026-11-05")
    repo = load_repo(root)
    assert not [d for d in repo.diagnostics if d.is_error]
    after = build(repo, START, END, NOW).data
    expected = json.loads(json.dumps(before).replace('"account": "a"', '"account": "shop"'))
    assert _unordered(json.loads(json.dumps(after))) == _unordered(expected)  # a post's rows go by account name


def _unordered(data):
    """`data` with each list of objects sorted (the same rows in any order compare equal)."""
    if isinstance(data, dict):
        return {key: _unordered(value) for key, value in data.items()}
    if isinstance(data, list):
        items = [_unordered(value) for value in data]
        return sorted(items, key=json.dumps) if all(isinstance(i, dict) for i in items) else items
    return data


def test_the_site_shows_an_old_names_metrics_under_the_account(tmp_path, monkeypatch, smm):
    """A post's page lists its metrics per account: the rows collected before the rename are `shop`'s,
    also when the site built before the rename is built again (its kept metrics are not reused)."""
    import re

    from test_report import write_fixture

    root = write_fixture(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    for step in ("before", "after"):
        if step == "after":
            _renamed_in(root, "a", "shop", moved_from="9999")  # every row still under `a`
        code, out, err = smm("site", "build", "--out", "_site", "--now", "2026-11-10T09:30Z")
        assert code == 0, out + err
    page = (root / "_site/posts/old/index.html").read_text()
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("Metrics", 1)[1]))
    assert re.search(r"\bshop 9 0 0\b", table) and not re.search(r"\ba\b", table), table


def test_metrics_just_collected_under_the_old_name_are_not_collected_again(published, smm):
    """Two `smm metrics` runs within the interval add no duplicate rows, across a rename too."""
    code, out, err = smm("metrics", "--now", LATER)
    assert code == 0, out + err
    rows = lambda: sorted(p.read_text() for p in published.glob("data/*/*.csv"))  # noqa: E731
    collected = rows()
    assert ",local," in "".join(collected)
    (published / "platforms.yml").write_text(platforms("shop", ", formerly: local"))
    (published / "content/a.md").write_text(post("[feed, shop]"))
    code, out, err = smm("metrics", "--now", "2026-12-01T12:40:00+08:00")
    assert code == 0, out + err
    assert rows() == collected
