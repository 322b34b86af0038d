"""`smm check` finds the same problems with its results cache (warm) and for some paths
(incremental) as a full run with no cache, whatever changed between runs (issue 14)."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest
from zoneinfo import ZoneInfo
from conftest import ROOT, post_text

from smm.content import media

NOW = "2026-11-20T00:00:00+08:00"
POST = "content/2026/11/2026-11-27-winter-blend.md"
GIVEAWAY = "content/2026/12/2026-12-01-giveaway.md"


def _append(file: str, text: str):
    def change(root: Path) -> str:
        with open(root / file, "a", encoding="utf-8") as handle:
            handle.write(text)
        return file
    return change


def _replace(file: str, old: str, new: str):
    def change(root: Path) -> str:
        text = (root / file).read_text(encoding="utf-8")
        assert old in text
        (root / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        return file
    return change


def _copy(file: str, to: str):
    def change(root: Path) -> str:
        shutil.copyfile(root / file, root / to)
        return to
    return change


def _write(file: str, data: bytes):
    def change(root: Path) -> str:
        (root / file).parent.mkdir(exist_ok=True)
        (root / file).write_bytes(data)
        return file
    return change


def _move(file: str, to: str):
    def change(root: Path) -> str:
        (root / file).rename(root / to)
        return to
    return change


def _copy_as(file: str, to: str, old: str, new: str):
    def change(root: Path) -> str:
        (root / to).write_text((root / file).read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        return to
    return change


def _same_size_same_time(file: str, old: str, new: str):
    """Bytes changed, size and modification time as they were (an edit within the clock's step):
    only the change time (and the bytes) can tell."""
    assert len(old.encode()) == len(new.encode())

    def change(root: Path) -> str:
        path = root / file
        before = path.stat()
        _replace(file, old, new)(root)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return file
    return change


def _touch(file: str):
    def change(root: Path) -> str:
        os.utime(root / file, ns=(1_900_000_000_000_000_000, 1_900_000_000_000_000_000))  # in 2030, bytes unchanged
        return file
    return change


def _remove(file: str):
    def change(root: Path) -> str:
        (root / file).unlink()
        return str(Path(file).parent)
    return change


PRICES = "content/2026/11/2026-11-23-pu-erh-prices.md"
HARVEST = "content/2026/05/2026-05-04-anxi-harvest-notes.md"  # published: data/published has its record
ARTICLE = "content/2026/12/2026-12-23-brewing-guide-article.md"  # the one post for WeChat (one a day)

# change → what it does to a copy of the example repository (returning the path it changed), the
# other files it involves (`smm check PATH` on each must report what a full check reports there),
# and a problem it brings (so each row tests something)
CHANGES = {
    "nothing": (lambda root: POST, [], None),
    "a post's text": (_append(POST, "\nAged puer and tie guan yin, very very unique.\n"), [], "voice.TeaNames"),
    "a post's fields": (_replace(POST, "pillar: product", "pillar: nosuchpillar"), [], "post.unknown-pillar"),
    "a voice rule file": (_replace("brand/voice/TeaNames.yml", "  jasmin tea:", "  roasted oolong: roast oolong\n  jasmin tea:"), [], "voice.TeaNames"),
    "voice.yml": (_append("brand/voice.yml", "\n# a comment changes nothing but the bytes\n"), [], None),
    "platforms.yml": (_replace("platforms.yml", "  bluesky:\n", "  blueskyy:\n"), [], "post.unknown-account"),
    "calendar.yml": (_replace("brand/calendar.yml", "product", "products"), [], "post.unknown-pillar"),
    "a media file": (_write("content/media/winter-blend.png", b"not a picture"), [], "media.invalid"),
    "a copy of a post (duplicate id)": (_copy(GIVEAWAY, "content/2026/12/2026-12-02-giveaway-again.md"), [GIVEAWAY], "post.duplicate-id"),
    "a post's id set to another's": (_replace(POST, "pillar: product", "id: winter-giveaway-2026\npillar: product"),
                                     [GIVEAWAY], "post.duplicate-id"),
    "a published post removed (its record orphaned)": (_remove(HARVEST), ["data"], "record.orphan"),
    "a published post's id changed": (_replace(HARVEST, "pillar: industry-news", "id: anxi-notes\npillar: industry-news"),
                                      ["data"], "record.id-changed"),
    "a post moved off its slot (a calendar gap)": (_replace(PRICES, "2026-11-23T12:00", "2026-11-24T12:00"),
                                                   ["brand/calendar.yml"], "calendar.gap"),
    "a post moved into another's week (promotional share)": (
        _replace(PRICES, "pillar: industry-news", "pillar: product"), [POST, GIVEAWAY], "voice.promo-share"),
    "a post made a draft": (_replace(PRICES, "pillar: industry-news", "pillar: industry-news\ndraft: true"), [], "calendar.gap"),
    "a second WeChat post that day (daily limit)": (
        _copy_as(ARTICLE, "content/2026/12/2026-12-23-brewing-guide-again.md", "id: brewing-guide-article", "id: brewing-again"),
        [ARTICLE], "calendar.daily-limit"),
    "a post renamed": (_move(PRICES, "content/2026/11/2026-11-23-pu-erh-prices-2.md"), [PRICES], None),
    "a post that no longer parses": (_replace(POST, "pillar: product", "pillar: [product"), [], "yaml.syntax"),
    "a post's text, same size and time": (_same_size_same_time(POST, "gentle", "oolang"), [], "voice.TeaNames"),
    "a post touched (same bytes)": (_touch(POST), [], None),
    "a post added": (_copy_as(POST, "content/2026/11/2026-11-28-winter-blend-again.md", "gentle", "oolang"), [], "voice.TeaNames"),
    "a post removed": (_remove(PRICES), [], "calendar.gap"),
    "a template added": (_write("brand/templates/bluesky.j2", b"{{ text }}\n\n{{ text }}\n"), [], "render.too-long"),
    "a card template": (_replace("brand/cards/quote.yml", "default: [1200, 675]", "default: [1200, -1]"), [], "schema.range"),
    "handles.yml added": (_write("brand/handles.yml", b"nosuchkey: 1\n"), [], "schema.type"),
}


# Problems across posts reported at one post that name the others they involve (the promotional
# ones of a stretch in the hint, the posts already on a day in the message): `smm check OTHER.md`
# shows them too.
INVOLVING = ("voice.promo-share", "calendar.daily-limit")


def _involves(root: Path, path: str, problem: dict) -> bool:
    if problem["rule"] not in INVOLVING or not path.endswith(".md"):
        return False
    meta = frontmatter.loads((root / path).read_text(encoding="utf-8")).metadata
    post_id = meta.get("id") if isinstance(meta.get("id"), str) else Path(path).stem
    return re.search(rf"(?<![\w-]){re.escape(post_id)}(?![\w-])", problem["message"] + "\n" + (problem.get("hint") or "")) is not None


def _found(result: tuple[int, list[dict]]) -> set[tuple[str, str]]:
    return {(d["file"], d["rule"]) for d in result[1]}


@pytest.fixture
def example(tmp_path) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "brand", "data"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "platforms.yml", root / "platforms.yml")
    return root


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_warm_and_incremental_checks_find_what_a_full_check_finds(example, tmp_path, monkeypatch, smm, change):
    monkeypatch.chdir(example)
    kept = tmp_path / "kept-cache"
    make, involved, brings = CHANGES[change]

    def check(*paths: str, cache: Path | None = None) -> tuple[int, list[dict]]:
        folder = cache or tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
        media.inspect.cache_clear()  # as in a new process: what a picture holds is remembered in-process
        code, found, _ = smm.json("check", "--now", NOW, *paths, env={"SMM_CACHE_DIR": str(folder)})
        return code, found

    before = check(cache=kept)
    assert list(kept.rglob("checks-*.pickle")), "a full check keeps its results"
    assert check(cache=kept) == before  # warm, nothing changed
    changed = make(example)
    full = check()
    assert brings is None or brings in {rule for _, rule in _found(full) - _found(before)}
    for _ in range(2):  # what changed is checked again, then all of it comes from the cache
        assert check(cache=kept) == full
    for path in [changed] + [p for p in involved if (example / p).exists()]:
        incremental = check(path, cache=kept)
        assert incremental == check(path)
        code, found = incremental
        named = [path] + ([] if path.endswith(".md") else _naming(example, path))  # a picture: the posts that show it too
        assert found == [d for d in full[1] if d["file"].startswith((*named, "brand/", "platforms.yml"))
                         or any(_involves(example, p, d) for p in named)]


@pytest.mark.parametrize("change", ["added", "upgraded", "removed"])
def test_an_installed_package_changes_the_cache_key(example, tmp_path, monkeypatch, change):
    """A new version of Markdown (or of any installed package) may render differently: every post is checked again."""
    from smm.workspace.kept_settings import settings_digest

    packages = tmp_path / "site-packages"
    (packages / "markdown-3.7.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(packages))
    before = settings_digest(example)
    assert settings_digest(example) == before
    if change == "added":
        (packages / "smm_plugin-1.0.dist-info").mkdir()
    elif change == "upgraded":
        (packages / "markdown-3.7.dist-info").rename(packages / "markdown-3.8.dist-info")
    else:
        (packages / "markdown-3.7.dist-info").rmdir()
    assert settings_digest(example) != before


def test_the_settings_key_is_the_same_however_the_root_is_spelled(example, tmp_path, monkeypatch):
    """Relative, absolute or through a symbolic link: one repository, one key (else each spelling
    would check every post again); a brand file renamed still changes it."""
    from smm.workspace.kept_settings import settings_digest

    link = tmp_path / "link"
    link.symlink_to(example)
    monkeypatch.chdir(example)
    spellings = [Path("."), example, example.resolve(), link, Path("..") / example.name]
    assert len({settings_digest(root) for root in spellings}) == 1
    before = settings_digest(example)
    (example / "brand/voice/TeaNames.yml").rename(example / "brand/voice/TeaNamesToo.yml")
    assert settings_digest(example) != before


# change → the files whose problems `smm check --since HEAD` reports besides the settings' (None: all)
SINCE = {
    "nothing": [],
    "a post's text": [POST],
    "a copy of a post (duplicate id)": ["content/2026/12/2026-12-02-giveaway-again.md"],
    "a published post removed (its record orphaned)": ["data/published/"],
    "a post renamed": ["content/2026/11/2026-11-23-pu-erh-prices-2.md", "data/published/"],
    "calendar.yml": None,
    "a voice rule file": None,
    "a media file": lambda root: _naming(root, "content/media/winter-blend.png"),  # the posts that show it
}


def _naming(root, picture: str) -> list[str]:
    """The posts whose text names `picture`."""
    return sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*.md") if picture in p.read_text("utf-8"))


@pytest.mark.parametrize("change", list(SINCE), ids=list(SINCE))
def test_since_checks_what_changed_and_what_depends_on_it(example, tmp_path, monkeypatch, smm, change):
    monkeypatch.chdir(example)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "example"]):
        subprocess.run(git + command, cwd=example, check=True)
    make, _, brings = CHANGES[change]
    make(example)
    env = {"SMM_CACHE_DIR": str(tmp_path / "cache")}
    full = smm.json("check", "--now", NOW, env=env)
    since = smm.json("check", "--now", NOW, "--since", "HEAD", env=env)
    files = SINCE[change](example) if callable(SINCE[change]) else SINCE[change]
    expected = full[1] if files is None else [
        d for d in full[1] if d["file"].startswith(("brand/", "platforms.yml")) or d["file"] in files
        or any(f.endswith("/") and d["file"].startswith(f) or _involves(example, f, d) for f in files)]
    assert since[:2] == (1 if any(d["severity"] == "error" for d in expected) else 0, expected)
    assert brings is None or brings in {d["rule"] for d in since[1]}


def test_since_an_unknown_commit_is_a_usage_error(example, monkeypatch, smm):
    monkeypatch.chdir(example)
    subprocess.run(["git", "init", "-q"], cwd=example, check=True)
    code, _, err = smm("check", "--since", "no-such-ref")
    assert code == 2 and "--since no-such-ref" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["text", "github"])
@pytest.mark.parametrize("change", ["nothing", "a post's text", "a media file", "a published post removed (its record orphaned)",
                                    "a post that no longer parses"])
def test_each_format_prints_from_the_cache_what_a_fresh_check_prints(example, tmp_path, monkeypatch, smm, fmt, change):
    """The report kept for the next run (smm.check.report) is the one a fresh check prints, in every
    format, for the whole repository and for the changed file."""
    monkeypatch.chdir(example)

    def check(cache: Path, *paths: str) -> tuple[int, str]:
        media.inspect.cache_clear()
        code, out, _ = smm("check", "--now", NOW, "--format", fmt, *paths, env={"SMM_CACHE_DIR": str(cache)})
        return code, out

    kept = tmp_path / "kept"
    before = check(kept)
    check(kept, POST)
    changed = CHANGES[change][0](example)
    fresh = check(tmp_path / "fresh")
    assert (fresh == before) == (change == "nothing")
    assert check(kept) == fresh
    assert check(kept) == fresh
    assert check(kept, changed) == check(tmp_path / "fresh-path", changed) == check(kept, changed)


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data.split(b"\n", 1)[0],  # the header line only, cut before its newline
    lambda data: b"0" * 32 + b" fine\n[]",  # another key: an empty report that must not be printed
    lambda data: b"\xff\xfe errors\n[]",
    lambda data: b"x" * 5000,  # no header line within the first thousand bytes
], ids=["empty", "header only", "another key", "garbage header", "no newline"])
def test_a_damaged_kept_report_is_made_again(example, tmp_path, monkeypatch, smm, damage):
    """The kept report (report-FORMAT.bytes in the cache folder) is printed only when its header
    names the current key; anything else is a miss, and the check prints the report afresh."""
    monkeypatch.chdir(example)
    kept = tmp_path / "kept"

    def check() -> tuple[int, str]:
        media.inspect.cache_clear()
        code, out, err = smm("check", "--now", NOW, "--format", "json", env={"SMM_CACHE_DIR": str(kept)})
        assert "Traceback" not in err
        return code, out

    first = check()
    [file] = kept.rglob("report-json.bytes")
    file.write_bytes(damage(file.read_bytes()))
    assert check() == first
    assert check() == first


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
@pytest.mark.parametrize("change", ["nothing", "a post's text", "a post that no longer parses"])
def test_a_check_that_cannot_keep_its_report_prints_the_same(example, tmp_path, monkeypatch, smm, fmt, change):
    """The report is written a batch of lines at a time: to the kept copy (then printed from it)
    or, when the cache folder cannot be written, straight out; the same bytes either way."""
    monkeypatch.chdir(example)
    (tmp_path / "a-file").write_text("not a folder")

    def check(cache: Path, *paths: str) -> tuple[int, str]:
        media.inspect.cache_clear()
        code, out, err = smm("check", "--now", NOW, "--format", fmt, *paths, env={"SMM_CACHE_DIR": str(cache)})
        assert "Traceback" not in err
        return code, out

    CHANGES[change][0](example)
    kept, unwritable = tmp_path / "kept", tmp_path / "a-file" / "cache"
    assert check(kept) == check(unwritable) == check(kept)
    assert check(kept, POST) == check(unwritable, POST) == check(kept, POST)
    assert not list(unwritable.parent.parent.glob("a-file.tmp*"))


@pytest.mark.parametrize("failure", ["raises", "checks other bytes", "dies", "exits"])
def test_a_post_checked_ahead_is_checked_here_when_the_second_process_fails(example, tmp_path, monkeypatch, smm, failure):
    """`smm check CHANGED` checks the changed posts in a second process while it loads the index
    (smm.check.run.PostChecks.start); a result it cannot use (the process failed, or it checked other
    bytes than this process reads) is made here: the findings are those of a fresh check."""
    from smm.check import run

    monkeypatch.chdir(example)
    kept = tmp_path / "kept"
    smm("check", "--now", NOW, env={"SMM_CACHE_DIR": str(kept)})
    _append(POST, "\nAged puer and tie guan yin, very very unique.\n")(example)
    fresh = smm("check", "--now", NOW, "--format", "json", POST, env={"SMM_CACHE_DIR": str(tmp_path / "fresh")})

    def broken(files):
        if failure == "raises":
            raise RuntimeError("the second process failed")
        if failure == "dies":
            os.kill(os.getpid(), __import__("signal").SIGKILL)
        if failure == "exits":
            sys.exit(0)
        return {file: (b"other bytes", None) for file in files}

    monkeypatch.setattr(run, "_check_ahead", broken)
    media.inspect.cache_clear()
    assert smm("check", "--now", NOW, "--format", "json", POST, env={"SMM_CACHE_DIR": str(kept)}) == fresh
    assert "voice.TeaNames" in fresh[1]


@pytest.mark.parametrize("damage", [
    lambda path: path.unlink(),
    lambda path: path.write_bytes(b""),
    lambda path: path.write_bytes(b"\x80\x05garbage"),
    lambda path: path.write_bytes(__import__("pickle").dumps(("another version", {}))),
], ids=["removed", "empty", "garbage", "another version"])
def test_lost_kept_problems_are_found_again(example, tmp_path, monkeypatch, smm, damage):
    """Each post's problems in itself are kept apart from the index (`owns-SHARD-N` in the cache
    folder), read only when reported: lost, the post is checked again and the report is the same."""
    monkeypatch.chdir(example)
    kept = tmp_path / "kept"

    def check(*paths: str, cache: Path = kept) -> tuple[int, str]:
        media.inspect.cache_clear()
        code, out, err = smm("check", "--now", NOW, "--format", "json", *paths, env={"SMM_CACHE_DIR": str(cache)})
        assert "Traceback" not in err
        return code, out

    first = check()
    assert "voice." in first[1]
    for path in kept.rglob("report-*.bytes"):
        path.unlink()  # else the kept report is printed and no post's problems are read
    owns = list(kept.rglob("owns-*.pickle"))
    assert owns, "a check keeps its posts' own problems"
    for path in owns:
        damage(path)
    assert check() == first
    for path in kept.rglob("owns-*.pickle"):
        damage(path)
    assert check(POST) == check(POST, cache=tmp_path / "fresh")


PROMO_CALENDAR = """\
pillars:
  tips: {description: Tips}
  product: {description: Launches, promotional: true}
slots:
  - {day: monday, time: "12:00", pillar: tips}
  - {day: monday, time: "08:00", pillar: product}
"""
PROMO_POST = post_text("The original text.", publish_at="2026-02-02T08:00:00+00:00", platforms="[local]", pillar="product",
                       evergreen="{every: 6d}")


def _published(at: str) -> str:
    return json.dumps({"post": "a", "accounts": {"local": {"state": "published", "published_at": at, "first_attempt": at}}})


# change → what it does to the repository of test_kept_checks_across_posts (no post's bytes change
# in the first rows: only the time or a record moves the planned re-shares), and the --now to check at
KEPT_ACROSS = {
    "nothing": (lambda root: None, "2026-02-02T09:00:00+00:00"),
    "a later --now": (lambda root: None, "2026-02-20T09:00:00+00:00"),
    "a much later --now": (lambda root: None, "2026-06-01T09:00:00+00:00"),
    "the record removed": (lambda root: (root / "data/published/a.json").unlink(), "2026-02-02T09:00:00+00:00"),
    "the record's time changed": (lambda root: (root / "data/published/a.json").write_text(_published("2026-02-06T08:00:00+00:00")),
                                  "2026-02-02T09:00:00+00:00"),
    "the re-share interval changed": (lambda root: (root / "content/a.md").write_text(PROMO_POST.replace("6d", "20d")),
                                      "2026-02-02T09:00:00+00:00"),
    "a plain post made promotional": (lambda root: (root / "content/p3.md").write_text(
        (root / "content/p3.md").read_text().replace("pillar: tips", "pillar: product")), "2026-02-02T09:00:00+00:00"),
    "a plain post's text edited (its summary unchanged)": (lambda root: (root / "content/p3.md").write_text(
        (root / "content/p3.md").read_text() + "\nMore text, and more.\n"), "2026-02-02T09:00:00+00:00"),
    "a line above the promotional post's fields": (lambda root: (root / "content/a.md").write_text(
        PROMO_POST.replace("---\n", "---\n# moved down a line\n", 1)), "2026-02-02T09:00:00+00:00"),
    "a post with the same id": (lambda root: (root / "content/b.md").write_text(PROMO_POST.replace("title:", "id: a\ntitle:")),
                                "2026-02-02T09:00:00+00:00"),
}


@pytest.mark.parametrize("change", list(KEPT_ACROSS), ids=list(KEPT_ACROSS))
def test_kept_checks_across_posts_are_those_a_fresh_check_makes(make_repo, tmp_path, smm, change):
    """The promotional share (planned re-shares included), ids used twice and daily limits are kept
    between runs (smm.check.across) under the posts' bytes and the planned re-shares: whatever moves
    them (the time, a record, a post), a warm check finds what a fresh one finds."""
    plain = {f"p{d}.md": post_text("x", publish_at=f"2026-02-{d:02d}T09:00:00+00:00", platforms="[local]", pillar="tips")
             for d in (3, 5, 10, 12)}
    root = make_repo({**plain, "a.md": PROMO_POST}, platforms="timezone: UTC\naccounts:\n  local: {platform: local, path: .local/local}\n",
                     calendar=PROMO_CALENDAR, files={"data/published/a.json": _published("2026-02-02T08:00:00+00:00"),
                                                     "brand/voice.yml": "promo_share: {max_percent: 40, days: 14, min_posts: 3, tags: [promo]}\n"})
    caches = tmp_path.parent / f"{tmp_path.name}-caches"

    def check(cache: str, now: str) -> tuple[int, list[dict]]:
        code, found, _ = smm.json("check", "--now", now, env={"SMM_CACHE_DIR": str(caches / cache)})
        return code, found

    before = check("kept", "2026-02-02T09:00:00+00:00")
    assert "a+reshare-2, a+reshare-3" in next(d["hint"] for d in before[1] if d["rule"] == "voice.promo-share")
    make, now = KEPT_ACROSS[change]
    make(root)
    fresh = check("fresh", now)
    assert (fresh == before) == (change in ("nothing", "a plain post's text edited (its summary unchanged)"))
    assert check("kept", now) == fresh
    assert check("kept", now) == fresh
    assert list(caches.glob("kept/*/across.pickle"))


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("out", ["pipe", "file", "file appended to", "file at an offset"])
def test_the_report_printed_from_the_kept_copy_is_the_report_wherever_it_goes(example, tmp_path, smm, monkeypatch, out, fmt):
    """The kept report goes to standard output through the kernel (os.sendfile) when it is a file
    or a pipe, else is copied: a real process prints the bytes a check in this process prints,
    cold and warm, into a pipe, a new file, after what a file already holds."""
    monkeypatch.chdir(example)
    env = {**os.environ, "SMM_CACHE_DIR": str(tmp_path / "kept")}
    expected = smm("check", "--now", NOW, "--format", fmt, env={"SMM_CACHE_DIR": str(tmp_path / "in-process")})[1].encode()
    before = b"already there\n" if out.startswith("file ") else b""
    for run in ("cold", "warm"):
        command = [sys.executable, "-m", "smm", "check", "--now", NOW, "--format", fmt]
        if out == "pipe":
            printed = subprocess.run(command, cwd=example, env=env, capture_output=True).stdout
        else:
            target = tmp_path / f"{run}.out"
            target.write_bytes(before)
            with open(target, "ab" if out == "file appended to" else "r+b") as handle:
                handle.seek(len(before))
                subprocess.run(command, cwd=example, env=env, stdout=handle)
            printed = target.read_bytes()
        assert printed == before + expected, run


@pytest.mark.parametrize("change,voice,markdown", [
    ("nothing", False, False),
    ("a publish record rewritten", False, False),  # checks across posts that follow from posts alone: kept
    ("a published post removed (its record orphaned)", True, False),  # the promotional share again: no post rendered
    ("a post moved off its slot (a calendar gap)", True, True),  # its bytes changed: checked again
    ("a post's text", True, True),
    ("a voice rule file", True, True),
])
def test_a_warm_check_imports_the_voice_engine_only_when_it_is_used(example, tmp_path, monkeypatch, change, voice, markdown):
    """The kept settings hold the compiled voice rules pickled apart, unpickled when first used (a
    post checked again, the promotional share over changed posts): a warm check imports no voice
    engine, no Markdown converter and no platform, and finds what a fresh check finds."""
    monkeypatch.chdir(example)
    script = ("import json, sys\nfrom smm.cli import cli\ntry:\n    cli(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print(json.dumps(sorted(sys.modules)), file=sys.stderr)")

    def check(cache: str) -> tuple[bytes, set[str]]:
        media.inspect.cache_clear()
        done = subprocess.run([sys.executable, "-c", script, "check", "--now", NOW, "--format", "json"], cwd=example,
                              env={**os.environ, "SMM_CACHE_DIR": str(tmp_path / cache)}, capture_output=True)
        return done.stdout, set(json.loads(done.stderr.decode().splitlines()[-1]))

    cold, imported = check("kept")
    assert {"smm.voice", "markdown", "smm.platforms.mastodon"} <= imported
    if change == "a publish record rewritten":
        record = example / "data/published" / (Path(HARVEST).stem + ".json")
        record.write_text(json.dumps(json.loads(record.read_text()), indent=4))
    else:
        CHANGES[change][0](example)
    warm, imported = check("kept")
    assert warm == check("fresh")[0]
    assert ("smm.voice" in imported, "markdown" in imported) == (voice, markdown)
    assert bool({name for name in imported if name.startswith("smm.platforms.") and name != "smm.platforms.base"}) == markdown
    if not voice:  # nor the modules of the settings it does not read (cards, replies, listening, goals), OpenSSL, logging
        assert not imported & {"smm.cards.templates", "smm.inbox.triage", "smm.listening.config", "smm.report",
                               "_hashlib", "logging"}


BERLIN = "timezone: Europe/Berlin\naccounts:\n  local: {platform: local, path: .local/local}\n"


@pytest.mark.parametrize("publish_at,now,due", [
    ("2026-12-01T12:00+05:30", "2026-12-01T06:30:00+00:00", False),  # the same instant: not yet
    ("2026-12-01T12:00+05:30", "2026-12-01T06:30:01+00:00", True),
    ("2026-12-01T12:00-08:00", "2026-12-02T03:59:59+08:00", False),
    ("2026-12-01T12:00-08:00", "2026-12-02T04:00:01+08:00", True),
    ("2026-12-01T12:00Z", "2026-12-01T13:00:00+01:00", False),
    ("2026-12-01T12:00", "2026-12-01T11:00:01Z", True),  # the repository's zone, winter (+01:00)
    ("2026-06-01T12:00", "2026-06-01T10:00:00Z", False),  # summer (+02:00) with `now` in winter's offset below
    ("2026-06-01T12:00", "2026-12-01T12:00:00+01:00", True),
    ("2026-03-29T02:30", "2026-03-29T00:59:59Z", False),  # a time the clocks skip
    ("2026-03-29T02:30", "2026-03-29T01:30:01Z", True),
    ("2026-10-25T02:30", "2026-10-25T00:29:59Z", False),  # a time they repeat: the first one
    ("2026-10-25T02:30", "2026-10-25T00:30:01Z", True),
])
def test_posts_times_in_any_zone_compare_as_instants_warm_or_fresh(make_repo, tmp_path, smm, publish_at, now, due):
    """Posts' times share one zone object per offset (in the check's cache too, smm.workspace.cache),
    and the check compares them with `now` in its repository's offset: whatever the offsets of the
    post and of `now`, a post is past due when its instant is, and a warm check says what a fresh one says."""
    root = make_repo({"a.md": post_text("x", publish_at=publish_at, platforms="[local]"),
                      "b.md": post_text("y", publish_at="2026-12-24T12:00", platforms="[local]")},
                     platforms=BERLIN, calendar=None)
    caches = tmp_path.parent / f"{tmp_path.name}-caches"

    def check(cache: str) -> list[dict]:
        return smm.json("check", "--now", now, env={"SMM_CACHE_DIR": str(caches / cache)})[1]

    kept = check("kept")
    assert [d["file"] for d in kept if d["rule"] == "post.past-unpublished"] == ["content/a.md"] * due
    assert check("kept") == kept == check("fresh")
    (root / "content/b.md").write_text(post_text("y, edited", publish_at="2026-12-24T12:00", platforms="[local]"))
    assert check("kept") == check("fresh-after-edit")


@pytest.mark.parametrize("fields", [
    {},
    {"pillar": "product", "tags": "[promo, 新品]", "campaign": "spring"},
    {"audience": "[tea-novice, 茶友, tea-novice]", "draft": "false", "campaign": "local"},
    {"tags": "[1, two, null]", "voice": "{skip: [Wordy]}", "evergreen": "{every: 30d}"},
    {"reply_to": "'local:123'", "id": "custom-id", "publish_at": "'2026-12-01T12:00:00+05:30'"},
    {"tags": "[]", "audience": "[]", "pillar": "''"},
])
def test_a_summary_comes_back_from_the_index_as_it_was_made(make_repo, tmp_path, monkeypatch, fields):
    """The index keeps each post's summary (its strings interned, its times' zones shared, in a
    tuple): what a warm check reads back is the summary a fresh one makes, field by field and place by place."""
    from smm.check.run import Checked
    from smm.content.post import SUMMARY_FIELDS, read_post
    from smm.workspace.cache import recall, remember

    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo({"a.md": post_text("x", **{"platforms": "[local]", **fields})}, platforms=BERLIN, calendar=None)
    post, _ = read_post(root, "content/a.md", ZoneInfo("Europe/Berlin"))
    made = Checked(post.summary(), (), [], b"own", b"summary")
    remember(root, "entries", "v1", {"content/a.md": made})
    back = recall(root, "entries", "v1")["content/a.md"]
    assert back == made and vars(back.post) == vars(made.post)
    paths = [(), *((name,) for name in SUMMARY_FIELDS if name in post.meta)]
    assert [back.post.at(path) for path in paths] == [post.at(path) for path in paths]
    assert back.post.publish_at is None or back.post.publish_at.utcoffset() == post.publish_at.utcoffset()


@pytest.mark.parametrize("root_spelled", ["absolute", "relative", "with ..", "a symbolic link"])
@pytest.mark.parametrize("names", [
    ["a.md"],
    ["2026/11/a.md", "2026/12/b.md", "2026/12/c.markdown", "2026/12/D.MD"],
    ["_drafts/a.md", ".hidden/b.md", "x/_note.md", "x/.swp.md", "README.md", "x/readme.md", "x/Readme-notes.md"],
    ["茶/新品.md", "folder with spaces/a b.md", "x.md/inside.md", "deep/er/and/deeper/still/a.md"],
])
def test_post_files_are_listed_as_paths_from_the_root_however_it_is_spelled(tmp_path, monkeypatch, names, root_spelled):
    """content_files builds each folder's path from the root without Path objects: the same list as
    `Path(folder).relative_to(root).as_posix()` gives, for any layout and any spelling of the root."""
    from smm.content.post import MARKDOWN_SUFFIXES, content_files

    real = tmp_path / "repo"
    for name in names:
        (real / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (real / "content" / name).write_text("---\n---\n")
    (tmp_path / "link").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    root = {"absolute": real, "relative": Path("repo"), "with ..": real / ".." / "repo", "a symbolic link": Path("link")}[root_spelled]
    found, lookalikes = [], []
    for folder, dirs, files in os.walk(root / "content"):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        for name in files + dirs:
            if name.startswith(("_", ".")) or name[:6].lower() == "readme" and Path(name).stem.lower() == "readme":
                continue
            path = f"{Path(folder).relative_to(root).as_posix()}/{name}"
            if name.endswith(".md"):
                found.append(path)
            elif name.lower().endswith(MARKDOWN_SUFFIXES) and name in files:
                lookalikes.append(path)
    assert content_files(root) == (sorted(found), sorted(lookalikes), [])
    assert content_files(root)[0]


@pytest.mark.parametrize("place", [(1, 1, None), (12, 7, 19), (3, 2, 2), (10**6, 1, None)])
@pytest.mark.parametrize("hint", [None, "", "give `publish_at` a time", "加上时间"])
@pytest.mark.parametrize("text", [("content/a.md", "warning", "post.past-unpublished", "`publish_at` 2026-12-01T12:00:00+08:00 has passed"),
                                  ("内容/帖子.md", "error", "schema.type", "expected a string, got 42"), ("", "error", "", "")])
def test_a_diagnostic_made_at_a_place_is_the_one_its_constructor_makes(place, hint, text):
    """Diagnostic.at builds the frozen dataclass without its __init__: equal, ordered, hashed, printed
    and pickled (to the same bytes: the index and the kept report are keyed by them) as the constructor's."""
    import pickle

    from smm.check.diagnostics import Diagnostic, format_json

    file, severity, rule, message = text
    made, plain = Diagnostic.at(file, place, severity, rule, message, hint), Diagnostic(file, *place[:2], severity, rule, message, hint, place[2])
    assert made == plain and not made < plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert list(vars(made).items()) == list(vars(plain).items())
    assert pickle.dumps([made], pickle.HIGHEST_PROTOCOL) == pickle.dumps([plain], pickle.HIGHEST_PROTOCOL)
    assert format_json([made]) == format_json([plain]) and made.as_json() == plain.as_json()
    with pytest.raises(AttributeError):
        made.line = 2


@pytest.mark.parametrize("size,known,limit", [
    (0, 0, 10), (5, 5, 10), (10, 10, 10), (11, 11, 10), (50, 50, 10),  # as stat saw it
    (8, 3, 10), (15, 3, 10), (10, 3, 10), (11, 3, 10), (3, 8, 10), (0, 5, 10), (30, 0, 10),  # grown or shrunk since
])
def test_a_file_read_up_to_its_size_gives_what_reading_up_to_the_limit_gave(tmp_path, size, known, limit):
    """The posts' bytes are read into a buffer of the size stat gave (not of the limit): the same bytes
    as `read(limit + 1)`, whether the file has grown or shrunk since, so too large is still too large."""
    from smm.workspace.files import read_up_to

    file = tmp_path / "f.md"
    file.write_bytes(bytes(48 + i % 70 for i in range(size)))
    with open(file, "rb") as handle:
        expected = handle.read(limit + 1)
    with open(file, "rb") as handle:
        assert read_up_to(handle.fileno(), known, limit) == expected
