"""Hostile repositories: every file and folder smm reads x every odd file-system entry x every command
that reads the repository without a network. Each must exit 0, 1 or 2 (never 3, a crash), print no
traceback, finish in time (a named pipe must never block it) and show nothing of a secret: not the
canary in the environment, not the canary file a link out of the repository leads to, not
/proc/self/environ.

One repository per (entry, place): a small clean repository (built once: it passes `smm check`, has
published records, metrics, followers, mentions, competitors and inbox rows), copied, with one odd
entry planted; then every command runs against it in-process, each under an alarm."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from smm.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CANARY = "SMMHOSTILECANARY93d1"
NOW = "2026-12-06T12:00:00+08:00"
SECONDS = 15  # per command: a blocked read fails the row instead of hanging the suite

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://cloudleaf.example}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: SMM_HOSTILE_UNSET}
  bluesky: {platform: bluesky, handle: cloudleaf.bsky.social, password_env: SMM_HOSTILE_UNSET}
  wechat: {platform: wechat, app_id: wx0c1eaf7ea0example, secret_env: SMM_HOSTILE_UNSET, cover: content/media/winter-blend.png}
  local: {platform: local}
"""
POSTS = {
    "content/2026/12/2026-12-06-tin.md": """\
---
title: The winter tin
publish_at: 2026-12-06T10:00
platforms: [feed, mastodon, local, wechat]
pillar: product
media:
  - file: content/media/winter-blend.png
    alt: A dark green tea tin on a wooden table, beside a white cup of amber tea.
---
Our Winter Blend comes in a new tin. Ask @{cloudleaf} for one.
""",
    "content/2026/12/2026-12-06-water.md": """\
---
title: Water for green tea
publish_at: 2026-12-06T11:00
platforms: [feed, local, bluesky]
pillar: tips
---
Green tea likes water at 80 °C. 绿茶用八十度的水。
""",
}
BRAND = {  # beside the example's brand/*.yml and brand/cards/
    "brand/handles.yml": 'cloudleaf:\n  mastodon: "@cloudleaf@mastodon.example"\n  default: Cloudleaf\n',
    "brand/templates/mastodon.j2": "{{ title }}\n\n{{ text }}\n",
    "brand/theme.yml": "colors: {accent: '#07c160'}\nreferences: 参考链接 References\n",
}
DATA = {
    "data/metrics/2026-12.csv": "collected_at,post_id,account,platform,remote_id,likes,reposts,replies,quotes,views,clicks\n"
                                "2026-12-06T04:05:00Z,2026-12-06-tin,local,local,1,3,1,0,0,,\n",
    "data/accounts/2026-12.csv": "collected_at,account,platform,followers\n2026-12-06T04:05:00Z,local,local,120\n",
    "data/mentions/2026-12.csv": "id,network,author,author_followers,created_at,text,url,keyword,subject,sentiment,engagement\n"
                                 "1,mastodon,ivy@mastodon.example,150,2026-12-05T00:54:00Z,Cloudleaf tins are here.,"
                                 "https://mastodon.example/@ivy/1,Cloudleaf,brand,neutral,3\n",
    "data/competitors/2026-12.csv": "collected_at,competitor,network,handle,followers,posts,median_engagement\n"
                                    "2026-12-06T04:05:00Z,Jadeleaf,mastodon,@jadeleaf@mastodon.example,4422,39,36.5\n",
    "data/inbox/2026-12.jsonl": json.dumps({
        "id": "mastodon:1", "account": "mastodon", "platform": "mastodon", "kind": "mention", "author": "fan",
        "text": "Is the tin recyclable?", "url": None, "created_at": "2026-12-05T09:00:00+00:00",
        "due_by": "2026-12-06T09:00:00+00:00", "priority": "normal", "sentiment": "neutral", "intent": "question",
        "state": "open", "post": None, "updated_at": "2026-12-05T10:00:00+00:00"}) + "\n",
}

# Where smm reads: (path, "file" or "folder"); the first post, its picture and record are those above.
FILES = ["platforms.yml", "content/2026/12/2026-12-06-tin.md", "content/media/winter-blend.png",
         "brand/brand.yml", "brand/calendar.yml", "brand/handles.yml", "brand/goals.yml", "brand/hashtags.yml",
         "brand/listening.yml", "brand/personas.yml", "brand/replies.yml", "brand/voice.yml", "brand/theme.yml",
         "brand/voice/Hype.yml", "brand/templates/mastodon.j2", "brand/cards/quote.yml",
         "data/published/2026-12-06-tin.json", "data/metrics/2026-12.csv", "data/accounts/2026-12.csv",
         "data/inbox/2026-12.jsonl", "data/mentions/2026-12.csv", "data/competitors/2026-12.csv", "data/feed/feed.xml"]
FOLDERS = ["content", "content/media", "content/replies", "brand", "brand/voice", "brand/templates", "brand/cards",
           "data", "data/published", "data/metrics", "data/accounts", "data/inbox", "data/mentions", "data/competitors",
           "data/giveaways", "data/imports"]

COMMANDS = [("check",), ("check", "--format", "json"), ("preview",), ("publish", "--dry-run"), ("report",),
            ("report", "--format", "json"), ("site", "build", "--out", "{out}"), ("inbox",), ("listen",), ("metrics",),
            ("calendar",), ("cards",), ("doctor",), ("approvals", "--since", "HEAD"), ("giveaway", "verify", "2026-12-06-tin")]


def _with_canary(path: Path) -> None:
    """Add the canary to a copy of a repository file, in a form smm would show if it read it."""
    suffix, text = path.suffix, path.read_bytes()
    added = {".md": f"{CANARY}\n", ".yml": f"\ncanary_{CANARY}: {CANARY}\n", ".csv": f"{CANARY},{CANARY}\n",
             ".jsonl": DATA["data/inbox/2026-12.jsonl"].replace("mastodon:1", "mastodon:2").replace("Is the tin", CANARY),
             ".j2": f"{CANARY}\n"}.get(suffix)
    if suffix == ".json":
        path.write_text(text.decode().rstrip().rstrip("}") + f', "{CANARY}": "{CANARY}"}}\n')
    elif added:
        path.write_bytes(text + added.encode())
    else:
        path.write_bytes(text + CANARY.encode())


def _outside(root: Path, place: str) -> Path:
    """A copy of the place out of the repository, holding the canary."""
    target = root.parent / "outside" / Path(place).name
    target.parent.mkdir(parents=True, exist_ok=True)
    source = root / place
    if source.is_dir():
        shutil.copytree(source, target)
        files = [p for p in target.rglob("*") if p.is_file()]
    else:
        shutil.copyfile(source, target) if source.exists() else target.write_text("x\n")
        files = [target]
    for file in files or [target / "x.md"]:
        file.write_text("x\n") if not file.exists() else None
        _with_canary(file)
    return target


def _replace(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _link(path: Path, target: str | Path) -> None:
    _replace(path)
    path.symlink_to(target)


def _sibling(path: Path, name: bytes) -> Path:
    return Path(os.fsdecode(os.fsencode(path.parent) + b"/" + name))


def _plant(root: Path, place: str, entry: str) -> None:
    path = root / place
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry == "broken link":
        _link(path, root / "nowhere" / path.name)
    elif entry == "link to itself":
        _link(path, path.name)
    elif entry == "loop of two links":
        _link(path, path.name + ".other")
        _link(path.with_name(path.name + ".other"), path.name)
    elif entry == "folder":  # where a file belongs: a folder holding a file of the same name
        _replace(path)
        (path / path.name).mkdir(parents=True)
    elif entry == "file":  # where a folder belongs
        _replace(path)
        path.write_text("not a folder\n")
    elif entry == "named pipe":
        _replace(path)
        os.mkfifo(path)
    elif entry == "link out of the repository":
        _link(path, _outside(root, place))
    elif entry == "link to /proc/self/environ":
        _link(path, "/proc/self/environ")
    elif entry == "empty":
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
        else:
            _replace(path)
            path.write_bytes(b"")
    elif entry == "invalid UTF-8":
        target = path / ("zz" + (next(path.iterdir()).suffix if path.is_dir() and any(path.iterdir()) else ".md")) \
            if path.is_dir() else path
        _replace(target) if not path.is_dir() else None
        target.write_bytes(b"\xff\xfe\xfd not UTF-8 \xc3\x28\n")
    elif entry == "name not UTF-8":  # a copy of the file (or of a file in the folder) named with bytes
        source = next((p for p in sorted(path.iterdir()) if p.is_file()), None) if path.is_dir() else path
        folder = path if path.is_dir() else path.parent
        data = source.read_bytes() if source and source.is_file() else b"x\n"
        suffix = source.suffix if source else ""
        _sibling(folder / "x", b"bad\xff\xfe" + suffix.encode()).write_bytes(data)
    elif entry == "missing":
        _replace(path)
    else:
        raise AssertionError(entry)


# A link to itself and a loop of two links are the same to the kernel (ELOOP): one each for files and folders.
FILE_ENTRIES = ["broken link", "link to itself", "folder", "named pipe", "link out of the repository",
                "link to /proc/self/environ", "empty", "invalid UTF-8", "name not UTF-8", "missing"]
FOLDER_ENTRIES = ["broken link", "loop of two links", "file", "named pipe", "link out of the repository", "empty",
                  "invalid UTF-8", "name not UTF-8", "missing"]  # a link to a file out: as "file"
CASES = [(place, entry) for place in FILES for entry in FILE_ENTRIES] + \
        [(place, entry) for place in FOLDERS for entry in FOLDER_ENTRIES]


class Hung(BaseException):
    """A command ran past SECONDS (BaseException: no `except Exception` in smm swallows it)."""


def _alarm(signum, frame):
    raise Hung


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The clean repository every case starts from."""
    root = tmp_path_factory.mktemp("hostile-template") / "repo"
    (root / "brand" / "voice").mkdir(parents=True)
    for path in (ROOT / "brand").glob("*.yml"):
        shutil.copyfile(path, root / "brand" / path.name)
    shutil.copytree(ROOT / "brand" / "cards", root / "brand" / "cards")
    shutil.copyfile(ROOT / "brand" / "voice" / "Hype.yml", root / "brand" / "voice" / "Hype.yml")
    (root / "content" / "media").mkdir(parents=True)
    shutil.copyfile(ROOT / "content" / "media" / "winter-blend.png", root / "content" / "media" / "winter-blend.png")
    for name, text in {"platforms.yml": PLATFORMS, **POSTS, **BRAND, **DATA}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    for folder in ("content/replies", "data/giveaways", "data/imports"):
        (root / folder).mkdir(parents=True)
        (root / folder / ".gitkeep").write_text("")
    code, out = _run(root, ("publish",))  # the records, the feed (the accounts without secrets are skipped: exit 1)
    assert "4 published" in out, out
    code, out = _run(root, ("check",))
    assert code == 0, out
    return root


def _run(root: Path, args: tuple[str, ...], seconds: float = SECONDS) -> tuple[int, str]:
    """Run one command in-process in `root`, under the alarm; (exit code, 3 for an exception; output)."""
    here = os.getcwd()
    os.chdir(root)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        result = CliRunner().invoke(cli, list(args), env={"SMM_NOW": NOW, CANARY: CANARY, "SMM_CANARY": CANARY})
    except Hung:
        return -1, f"still running after {seconds} s"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(here)
    output = result.stdout + result.stderr
    if result.exception and not isinstance(result.exception, SystemExit):
        import traceback
        return 3, output + "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def _environ_entries() -> list[str]:
    """The beginnings of this process's /proc/self/environ entries: no output may show one."""
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:
        return []
    return [e[:20] for e in raw.decode("utf-8", "replace").split("\0") if len(e) >= 8]


def _leak(text: str, environ: list[str]) -> str | None:
    """What of a secret the text shows: the canary, or the beginning of an environment entry."""
    return next((secret for secret in [CANARY, *environ] if secret in text), None)


@pytest.mark.parametrize("place,entry", CASES)
def test_every_command_survives_an_odd_entry(template, tmp_path, place, entry):
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    _plant(root, place, entry)
    out_dir, environ, failures = tmp_path / "site", _environ_entries(), []
    for command in COMMANDS:
        args = tuple(a.format(out=out_dir) for a in command)
        code, output = _run(root, args)
        leak = _leak(output, environ)
        if code not in (0, 1, 2) or "Traceback" in output or leak:
            shown = "\n".join(line for line in output.splitlines() if leak and leak in line)[:1500] or output[-1500:]
            failures.append(f"smm {' '.join(command)} -> exit {code}{f', shows {leak!r}' if leak else ''}:\n{shown}")
    for page in (p for p in out_dir.rglob("*") if p.is_file() and not p.is_symlink()):
        leak = _leak(page.read_bytes().decode("utf-8", "replace"), environ)
        if leak:
            failures.append(f"smm site build wrote {leak!r} into {page.relative_to(out_dir)}")
            break
    assert not failures, "\n".join(failures)


# Hostile contents (the ones tests/test_invalid_inputs.py and tests/test_fuzz_front_matter.py do not
# cover already: there are the BOM, CRLF, NUL, 5 MB posts, alias bombs and deep nesting in a post).
POST = "content/2026/12/2026-12-06-water.md"
FRONT = "---\ntitle: Water for green tea\npublish_at: 2026-12-06T11:00\nplatforms: [feed, local, bluesky]\npillar: tips\n---\n"
LAUGHS = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(10))
CONTENTS = {  # name: (file, bytes, or None to append)
    "a body of 1,000,000 `[` (Markdown's link search was quadratic: hours)": (POST, FRONT + "[" * 999_000 + "\n"),
    "a body of 3,000 words opening a `[` each": (POST, FRONT + "tea [leaf " * 3_000 + "\n"),
    "a body of `[` nested 100,000 deep": (POST, FRONT + "[" * 100_000 + "]" * 100_000 + "\n"),
    "a body of one 1 MB line": (POST, FRONT + "tea " * 240_000 + "\n"),
    "a 50 MB post": (POST, FRONT + "tea\n" * 12_500_000),
    "lone CR line ends": (POST, FRONT.replace("\n", "\r") + "Green tea.\rWater at 80 °C.\r"),
    "an inbox line nested 10,000 deep (exit 3: json's parser recursed)": ("data/inbox/2026-12.jsonl", None),
    "brand/calendar.yml nested 10,000 deep": ("brand/calendar.yml", None),
    "an alias bomb in brand/listening.yml": ("brand/listening.yml", None),
    "a post 1,000 folders deep": ("content/" + "a/" * 1_000 + "2026-12-06-deep.md", FRONT + "Deep.\n"),
    "a brand file 1,000 folders deep (Path.rglob recursed: site build crashed)": ("brand/" + "a/" * 1_000 + "x.yml", "x: 1\n"),
    "a data file 1,000 folders deep (Path.rglob recursed: publish crashed)": ("data/" + "a/" * 1_000 + "x.csv", "x\n"),
}
APPENDED = {"data/inbox/2026-12.jsonl": "[" * 10_000 + "]" * 10_000 + "\n",
            "brand/calendar.yml": "deep: " + "[" * 10_000 + "]" * 10_000 + "\n", "brand/listening.yml": LAUGHS}
CONTENT_COMMANDS = [("check",), ("check", "--format", "json"), ("preview",), ("publish", "--dry-run"), ("report",),
                    ("site", "build", "--out", "{out}"), ("inbox",), ("calendar",), ("new", "Deep tea"), ("publish",)]
CONTENT_SECONDS = 60  # per command, on a busy 2-core machine; quadratic work took minutes to hours
CONTENT_MEGABYTES = 800  # the test process's peak memory may grow by this much at most


@pytest.mark.parametrize("name", CONTENTS)
def test_every_command_survives_a_hostile_content(template, tmp_path, name):
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    file, text = CONTENTS[name]
    folder = root
    for part in file.split("/")[:-1]:  # not mkdir(parents=True): it recurses once per folder
        folder = folder / part
        folder.mkdir(exist_ok=True)
    with open(root / file, "a" if text is None else "w", encoding="utf-8", newline="") as handle:
        handle.write(APPENDED[file] if text is None else text)
    before, failures = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, []
    for command in CONTENT_COMMANDS:
        code, output = _run(root, tuple(a.format(out=tmp_path / "site") for a in command), CONTENT_SECONDS)
        if code not in (0, 1, 2) or "Traceback" in output:
            failures.append(f"smm {' '.join(command)} -> exit {code}:\n{output[-1500:]}")
    while folder != root:  # pytest's clean-up (shutil.rmtree) recurses once per folder too
        shutil.rmtree(folder)
        folder = folder.parent
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
    assert not failures and grown < CONTENT_MEGABYTES, "\n".join(failures) or f"the peak memory grew by {grown} MB"


# Bodies whose problems are many: each cost grew with their number times the text's length.
# (body, command): the old code ran past the bound (88 s, 46 s); in proportion they take a second or two.
MANY = {
    "20,000 mention problems in one line (check's text report quoted the whole line under each)":
        (" ".join(f"@{{nobody{i}}} 茶" for i in range(5_000)), ("check",)),
    "a thread of 60,000 words with a problem every few (each problem listed every occurrence to place it)":
        (" ".join(["tea", "乌龙茶", "https://example.com/a", "#tag", "@{nobody}", "新茶上市。", "🍵"][i * 7 % 11 % 7]
                  for i in range(60_000)), ("preview", POST)),
}
MANY_SECONDS = 25


@pytest.mark.parametrize("name", MANY)
def test_many_problems_cost_in_proportion(template, tmp_path, name):
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    body, command = MANY[name]
    (root / POST).write_text(FRONT.replace("platforms: [feed, local, bluesky]", "platforms: [feed, local, bluesky, wechat]\nthread: auto")
                             + body + "\n", encoding="utf-8")
    code, output = _run(root, tuple(a.format(out=tmp_path / "site") for a in command), MANY_SECONDS)
    assert code in (0, 1), output[-1500:]
