"""An outside tester's review of `smm check`'s cache and incremental modes (issue 14): a post is checked
again when any file its check judged changes, not only the `media:` it names (the images of an
article's body, an account's `cover`); and `smm check CHANGED` / `--since` report the problems across
posts that involve what changed even where the problem is reported at another file (an earlier post
of a day now over its limit, a reply whose inbox item is gone, an inbox file that no longer parses,
a publish record removed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, post_text

from smm.content import media

NOW = "2026-11-20T00:00:00+08:00"
ARTICLE = "content/2026/12/2026-12-23-brewing-guide-article.md"  # its body shows content/media/water-temperature.png
COVERED = "content/2026/12/2026-12-26-covered.md"  # a WeChat article without `media`: the account's `cover`
COVER = "content/media/cover-only.png"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


@pytest.fixture
def example(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    config = (ROOT / "platforms.yml").read_text(encoding="utf-8")
    (root / "platforms.yml").write_text(config.replace("    cover: content/media/winter-blend.png", f"    cover: {COVER}"),
                                        encoding="utf-8")
    shutil.copyfile(ROOT / "content/media/winter-blend.png", root / COVER)
    (root / COVERED).write_text(post_text("天冷了，一杯好茶。", title="冬日 A winter note", platforms="[wechat]",
                                          publish_at="2026-12-26T12:00", languages="[zh-Hans]"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _check(smm, tmp_path: Path, *args: str, cache: Path | None = None) -> tuple[int, list[dict]]:
    folder = cache or tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    media.inspect.cache_clear()  # as in a new process
    code, found, _ = smm.json("check", "--now", NOW, *args, env={"SMM_CACHE_DIR": str(folder)})
    return code, found


# a file a post's check reads besides its `media:` → what changes in it, and the problem it then has
JUDGED = {
    "an article's body image removed": ("content/media/water-temperature.png", None, ARTICLE, "media.missing"),
    "an article's body image no picture": ("content/media/water-temperature.png", b"not a picture", ARTICLE, "media.invalid"),
    "an account's cover removed": (COVER, None, COVERED, "media.missing"),
    "an account's cover no picture": (COVER, b"\x89PNG broken", COVERED, "media.invalid"),
}


@pytest.mark.parametrize("change", list(JUDGED), ids=list(JUDGED))
def test_a_post_is_checked_again_when_a_file_its_check_judged_changes(example, tmp_path, smm, change):
    file, data, post, rule = JUDGED[change]
    kept = tmp_path / "kept-cache"
    before = _check(smm, tmp_path, cache=kept)
    assert not any(d["file"] == post and d["rule"] == rule for d in before[1])
    assert _check(smm, tmp_path, cache=kept) == before
    if data is None:
        (example / file).unlink()
    else:
        (example / file).write_bytes(data)
    fresh = _check(smm, tmp_path)
    assert any(d["file"] == post and d["rule"] == rule for d in fresh[1])
    assert _check(smm, tmp_path, cache=kept) == fresh  # warm: the kept result of the post is not trusted
    assert _check(smm, tmp_path, post, cache=kept) == _check(smm, tmp_path, post)


EARLY = "content/2026/12/2026-12-23-early.md"


def _early_article(root: Path) -> list[str]:
    """A second WeChat article on 2026-12-23, earlier that day: the one already there is over the limit."""
    text = (root / ARTICLE).read_text(encoding="utf-8")
    (root / EARLY).write_text(text.replace("id: brewing-guide-article", "id: brewing-early")
                              .replace("publish_at: 2026-12-23T12:00", "publish_at: 2026-12-23T08:00"), encoding="utf-8")
    return [EARLY]


ITEM = {"id": "mastodon:111", "account": "mastodon", "platform": "mastodon", "kind": "mention", "author": "amy",
        "text": "hi", "url": None, "created_at": "2026-11-19T10:00:00+00:00", "due_by": "2026-11-20T10:00:00+00:00",
        "priority": "normal", "sentiment": "neutral", "intent": "question", "state": "open", "post": None,
        "updated_at": "2026-11-19T10:00:00+00:00"}
INBOX = "data/inbox/2026-11.jsonl"
REPLY = "content/replies/2026-11-20-amy.md"


def _with_reply(root: Path) -> None:
    (root / "data/inbox").mkdir()
    (root / INBOX).write_text(json.dumps(ITEM) + "\n", encoding="utf-8")
    (root / "content/replies").mkdir()
    (root / REPLY).write_text(post_text("Thanks Amy, we will look into it.", title="Thanks", platforms="[mastodon]",
                                        reply_to="'mastodon:111'", publish_at="2026-11-21T10:00"), encoding="utf-8")


def _item_removed(root: Path) -> list[str]:
    (root / INBOX).write_text(json.dumps({**ITEM, "id": "mastodon:222"}) + "\n", encoding="utf-8")
    return [INBOX]


def _inbox_broken(root: Path) -> list[str]:
    with open(root / INBOX, "a", encoding="utf-8") as handle:
        handle.write("not an item\n")
    return [INBOX]


BEIJING = "content/2026/10/2026-10-30-beijing-a-co-working-tea-break.md"  # published: due, were its record gone
HARVEST = "content/2026/05/2026-05-04-anxi-harvest-notes.md"


def _record_removed(root: Path) -> list[str]:
    """A pull request that drops a publish record: the post would go out a second time."""
    (root / "data/published/2026-10-30-beijing-a-co-working-tea-break.json").unlink()
    return ["data/published/2026-10-30-beijing-a-co-working-tea-break.json"]


def _record_of_another_id(root: Path) -> list[str]:
    file = root / "data/published/2026-05-04-anxi-harvest-notes.json"
    record = json.loads(file.read_text(encoding="utf-8"))
    file.write_text(json.dumps({**record, "post": "anxi-notes-before"}, indent=2), encoding="utf-8")
    return ["data/published/2026-05-04-anxi-harvest-notes.json"]


# change → (set-up committed first or None, the change (returning the files it changed), the problem
# a full check then finds, the file it is reported at)
INVOLVED = {
    "an earlier post the same day (daily limit)": (None, _early_article, "calendar.daily-limit", ARTICLE),
    "a reply's inbox item removed": (_with_reply, _item_removed, "reply.unknown-item", REPLY),
    "an inbox file that no longer parses": (_with_reply, _inbox_broken, "inbox.invalid", INBOX),
    "a publish record removed": (None, _record_removed, "post.past-unpublished", BEIJING),
    "a record naming its post by another id": (None, _record_of_another_id, "record.id-changed", HARVEST),
}


@pytest.mark.parametrize("change", list(INVOLVED), ids=list(INVOLVED))
def test_what_a_change_brings_is_reported_when_only_the_change_is_checked(example, tmp_path, smm, change):
    """`smm check CHANGED` and `smm check --since BASE` (the pull request's check) report the problem
    the change brings, wherever it is reported, and what a full check reports there."""
    setup, make, rule, where = INVOLVED[change]
    if setup is not None:
        setup(example)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + command, cwd=example, check=True)
    changed = make(example)
    code, full = _check(smm, tmp_path)
    problem = [d for d in full if d["rule"] == rule and d["file"] == where]
    assert problem
    errors = any(d["severity"] == "error" for d in problem)
    existing = [file for file in changed if (example / file).exists()]  # (a file removed cannot be named)
    for args in ([existing] if existing else []) + [["--since", "HEAD"]]:
        kept = tmp_path / f"kept-{args[0].replace('/', '-')}"
        for cache in (None, kept, kept):  # fresh, then writing its cache, then warm
            code, found = _check(smm, tmp_path, *args, cache=cache)
            assert all(d in found for d in problem) and code == (1 if errors else code), (args, found)
            assert all(d in full for d in found)


PROMO = "content/2026/12/2026-12-{day}-sale.md"


def test_a_post_made_promotional_sees_the_promotional_share_it_breaks(example, tmp_path, smm):
    for day, tags in (("06", "[news]"), ("08", "[promo]")):
        (example / PROMO.format(day=day)).write_text(post_text("A note on green tea.", title=f"Sale {day}",
                                                               platforms="[feed]", tags=tags,
                                                               publish_at=f"2026-12-{day}T12:00"), encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + command, cwd=example, check=True)
    changed = PROMO.format(day="06")
    (example / changed).write_text((example / changed).read_text(encoding="utf-8").replace("[news]", "[promo]"),
                                   encoding="utf-8")
    _, full = _check(smm, tmp_path)
    problem = [d for d in full if d["rule"] == "voice.promo-share" and "2026-12-08" in d["message"]]
    assert problem and problem[0]["file"] != changed  # reported at the stretch's last promotional post
    for args in ([changed], ["--since", "HEAD"]):
        assert all(d in _check(smm, tmp_path, *args)[1] for d in problem), args


@pytest.mark.parametrize("how", ["named", "--since"])
def test_a_post_whose_name_is_not_utf8_is_reported_when_only_it_is_checked(example, tmp_path, smm, how):
    """git allows any bytes in a name: such a post is not read (`file.unreadable`, named with `\\xNN`
    escapes), also when it is the path asked for or what changed (it was an internal error)."""
    import os

    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + command, cwd=example, check=True)
    name = os.fsdecode(b"content/2026/12/2026-12-30-caf\xe9.md")  # Latin-1, as an old editor saves it
    (example / name).write_text(post_text(), encoding="utf-8")
    code, full = _check(smm, tmp_path)
    problem = [d for d in full if d["rule"] == "file.unreadable"]
    assert code == 1 and [d["file"] for d in problem] == ["content/2026/12/2026-12-30-caf\\xe9.md"]
    code, found = _check(smm, tmp_path, *([name] if how == "named" else ["--since", "HEAD"]))
    assert code == 1 and all(d in found for d in problem) and all(d in full for d in found)


# where a picture a post's check reads may live outside content/ → how the post names it
OUTSIDE = {
    "a post's media at assets/": ("assets/pic.png", "media: [{file: assets/pic.png, alt: A cup of tea}]"),
    "a post's media at the root": ("pic.png", "media: [{file: pic.png, alt: A cup of tea}]"),
    "an account's cover at assets/": ("assets/cover.png", None),
}


@pytest.mark.parametrize("place", list(OUTSIDE), ids=list(OUTSIDE))
def test_a_picture_outside_content_changed_is_checked_again_since_the_base(example, tmp_path, smm, place):
    """A post may name any file of the repository: `--since` checks the posts again when one that is
    neither a post nor smm's settings changes (it saw pictures under content/ only)."""
    picture, field = OUTSIDE[place]
    (example / picture).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "content/media/winter-blend.png", example / picture)
    if field is None:
        config = (example / "platforms.yml").read_text(encoding="utf-8")
        (example / "platforms.yml").write_text(config.replace(f"cover: {COVER}", f"cover: {picture}"), encoding="utf-8")
        post = COVERED
    else:
        post = "content/2026/12/2026-12-27-outside.md"
        (example / post).write_text(post_text("A cup of tea.", title="Outside", platforms="[feed, mastodon]",
                                              publish_at="2026-12-27T12:00", media=field[len("media: "):]),
                                    encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(GIT + command, cwd=example, check=True)
    kept = tmp_path / "kept"
    assert not [d for d in _check(smm, tmp_path, "--since", "HEAD", cache=kept)[1] if d["file"] == post and d["rule"].startswith("media.")]
    (example / picture).write_bytes(b"not a picture")
    code, full = _check(smm, tmp_path)
    problem = [d for d in full if d["file"] == post and d["rule"] == "media.invalid"]
    assert problem
    for cache in (None, kept):
        code, found = _check(smm, tmp_path, "--since", "HEAD", cache=cache)
        assert code == 1 and all(d in found for d in problem), found


@pytest.mark.parametrize("damage", ["removed", "no picture", "replaced by a link out of the repository"])
def test_a_card_picture_outside_brand_changed_is_seen_by_a_warm_check(example, tmp_path, smm, damage):
    """A card template may name its logo anywhere in the repository: the kept settings (and every post's
    kept result, keyed by them) are made again when it changes, as they are for a file under brand/."""
    logo = example / "assets/logo.png"
    logo.parent.mkdir()
    shutil.move(example / "brand/cards/cloudleaf-logo.png", logo)
    card = example / "brand/cards/quote.yml"
    card.write_text(card.read_text(encoding="utf-8").replace("brand/cards/cloudleaf-logo.png", "assets/logo.png"),
                    encoding="utf-8")
    kept = tmp_path / "kept"
    before = _check(smm, tmp_path, cache=kept)
    assert not [d for d in before[1] if d["rule"] == "card.file"]
    if damage == "removed":
        logo.unlink()
    elif damage == "no picture":
        logo.write_bytes(b"not a picture")
    else:
        logo.unlink()
        logo.symlink_to("/etc/hostname")
    full = _check(smm, tmp_path)
    assert [d for d in full[1] if d["rule"] == "card.file"]
    assert _check(smm, tmp_path, cache=kept) == full
    assert _check(smm, tmp_path, "content/2026/11/2026-11-27-winter-blend.md", cache=kept)[1] == \
        _check(smm, tmp_path, "content/2026/11/2026-11-27-winter-blend.md")[1]
