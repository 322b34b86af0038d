"""Malformed inputs: `smm check` reports each with the right rule, line and exit code, never a traceback.

The cases live in tests/fixtures/invalid/ (see expected.yml there): each is copied over a
valid base repository in a temp folder and checked with the real CLI. Files over 100 KB
and symbolic links are made at run time instead of being committed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from smm.check.diagnostics import ERROR, WARNING, Diagnostic, format_github
from smm.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
BASE = FIXTURES / "base"
CASES = FIXTURES / "cases"
EXPECTED: dict[str, dict] = yaml.safe_load((FIXTURES / "expected.yml").read_text("utf-8"))
NOW = "2026-01-01T00:00:00+00:00"  # every post in the fixtures is due after this
# Valid files of the base that name accounts: no case may make them wrong (no cascade).
BYSTANDERS = {"content/2026/base-post.md", "brand/goals.yml"}


def build(name: str, tmp_path: Path) -> Path:
    """A copy of the base repository with the case applied, in tmp_path/repo."""
    spec = EXPECTED[name]
    kind, case = name.split("/", 1)
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo, symlinks=True)
    if kind == "posts":
        shutil.copyfile(CASES / "posts" / f"{case}.md", repo / "content" / f"{case}.md")
    elif kind == "platforms":
        shutil.copyfile(CASES / "platforms" / f"{case}.yml", repo / "platforms.yml")
    elif kind == "calendar":
        shutil.copyfile(CASES / "calendar" / f"{case}.yml", repo / "brand" / "calendar.yml")
    elif kind == "trees":
        shutil.copytree(CASES / "trees" / case, repo, dirs_exist_ok=True, symlinks=True)
    else:
        assert kind == "generated", name
    setup = spec.get("setup") or {}
    if "large_file" in setup:
        make_large_file(repo, **setup["large_file"])
    if "symlink_outside" in setup:
        make_symlink_outside(repo, tmp_path / "outside", **setup["symlink_outside"])
    if "special_file" in setup:
        make_special_file(repo, **setup["special_file"])
    if "deep_json" in setup:
        make_deep_json(repo, **setup["deep_json"])
    return repo


def make_large_file(repo: Path, path: str, size: int) -> None:
    """A well-formed file of exactly `size` bytes: a post with a long body, or padded YAML."""
    target = repo / path
    if path.endswith(".md"):
        head = b"---\ntitle: A very long post\npublish_at: 2026-11-27T12:00\nplatforms: [feed]\n---\n"
    else:
        head = target.read_bytes()
    line = b"Tea, leaves and water; " * 3 + b"\n" if path.endswith(".md") else b"# " + b"padding " * 8 + b"\n"
    count, rest = divmod(size - len(head), len(line))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(head + line * count + b"#" * (rest - 1) + b"\n" if rest else head + line * count)
    assert target.stat().st_size == size


def make_symlink_outside(repo: Path, outside: Path, path: str, text: str | None = None,
                         copy_of: str | None = None) -> None:
    outside.mkdir(exist_ok=True)
    target = outside / Path(path).name
    if copy_of:
        shutil.copyfile(repo / copy_of, target)
    else:
        target.write_text(text or "", encoding="utf-8")
    link = repo / path
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    try:
        link.symlink_to(target)
    except OSError as exc:  # pragma: no cover - Windows without the symlink privilege
        pytest.skip(f"cannot create symlinks here: {exc}")


def make_special_file(repo: Path, path: str, kind: str) -> None:
    """A named pipe, a socket (neither can be committed), or a symbolic link that loops or
    leads to nothing, where smm expects a file."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    if kind in ("loop", "dangling"):
        target.symlink_to(target.name if kind == "loop" else "missing-" + target.name)
        return
    if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
        pytest.skip("no named pipes or Unix sockets here")
    if kind == "fifo":
        os.mkfifo(target)
        return
    assert kind == "socket", kind
    with contextlib.chdir(target.parent), socket.socket(socket.AF_UNIX) as server:
        server.bind(target.name)  # relative: a socket's full path is limited to about 100 bytes


def make_deep_json(repo: Path, path: str, depth: int) -> None:
    """A publish record whose `accounts` holds `depth` nested lists."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"post": "deep", "accounts": ' + "[" * depth + "]" * depth + "}\n", encoding="utf-8")


def case_file(name: str) -> str:
    """The repository-relative file the expected diagnostic is about."""
    spec = EXPECTED[name]
    if "file" in spec:
        return spec["file"]
    kind, case = name.split("/", 1)
    return {"posts": f"content/{case}.md", "platforms": "platforms.yml", "calendar": "brand/calendar.yml"}[kind]


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_reported(name: str, diagnostics: list[dict], code: int) -> None:
    spec = EXPECTED[name]
    file = case_file(name)
    shown = "\n".join(f"  {d['file']}:{d['line']}:{d['column']} {d['severity']}[{d['rule']}] {d['message']}"
                      f"  (hint: {d.get('hint')})" for d in diagnostics)
    matching = [d for d in diagnostics if d["file"] == file and d["rule"] == spec["rule"] and d["line"] == spec["line"]]
    assert matching, f"{name}: no {spec['rule']} at {file}:{spec['line']}; got:\n{shown}"
    if "column" in spec:
        assert any(d["column"] == spec["column"] for d in matching), \
            f"{name}: {spec['rule']} at {file}:{spec['line']} has the wrong column (want {spec['column']}):\n{shown}"
    assert all(d["severity"] == ERROR for d in matching), shown
    if "message_contains" in spec:
        assert any(spec["message_contains"] in d["message"] for d in matching), \
            f"{name}: no message containing {spec['message_contains']!r}:\n{shown}"
    if "hint_contains" in spec:
        assert any(spec["hint_contains"] in (d.get("hint") or "") for d in matching), \
            f"{name}: no hint containing {spec['hint_contains']!r}:\n{shown}"
    if spec.get("only", True):
        errors = [d for d in diagnostics if d["file"] == file and d["severity"] == ERROR]
        assert len(errors) == 1, f"{name}: want only the {spec['rule']} error for {file}, got:\n{shown}"
    assert code == spec["exit"], f"{name}: exit {code}, want {spec['exit']}:\n{shown}"


def test_expected_covers_every_case_file():
    on_disk = {f"posts/{p.stem}" for p in (CASES / "posts").glob("*.md")}
    on_disk |= {f"platforms/{p.stem}" for p in (CASES / "platforms").glob("*.yml")}
    on_disk |= {f"calendar/{p.stem}" for p in (CASES / "calendar").glob("*.yml")}
    on_disk |= {f"trees/{p.name}" for p in (CASES / "trees").iterdir() if p.is_dir()}
    listed = {name for name in EXPECTED if not name.startswith("generated/")}
    assert on_disk == listed
    assert len(EXPECTED) >= 45
    for name, spec in EXPECTED.items():
        assert {"rule", "line", "exit"} <= spec.keys(), name
        assert spec["exit"] == (2 if case_file(name) == "platforms.yml" else 1), name
    big = [f for f in FIXTURES.rglob("*") if f.is_file() and f.stat().st_size > 100 * 1024]
    assert not big, "files over 100 KB are generated by the tests, not committed"


def test_base_repository_is_valid(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    code, out, err = run_cli("check", str(repo), "--format", "json", "--now", NOW)
    assert (code, json.loads(out)) == (0, []), out + err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_input(name, tmp_path):
    repo = build(name, tmp_path)
    code, out, err = run_cli("check", str(repo), "--format", "json", "--now", NOW)
    assert "Traceback" not in out + err
    diagnostics = json.loads(out)
    for d in diagnostics:
        assert d["line"] >= 1 and d["column"] >= 1 and d["rule"] and d["severity"] in (ERROR, WARNING), d
    secret = EXPECTED[name].get("secret")
    if secret:
        text = run_cli("check", str(repo), "--now", NOW)
        github = run_cli("check", str(repo), "--format", "github", "--now", NOW)
        for output in (out, err, *text[1:], *github[1:]):
            assert secret not in output, f"{name}: a file outside the repository was read and shown:\n{output}"
    assert_reported(name, diagnostics, code)
    cascade = [d for d in diagnostics if d["file"] in BYSTANDERS - {case_file(name)} and d["severity"] == ERROR]
    assert not cascade, f"{name}: the cause must be reported once, not again on the valid files:\n{cascade}"


SUBPROCESS_CASES = [
    "posts/bom", "posts/binary-junk", "posts/gbk", "posts/yaml-unclosed-flow-list", "posts/yaml-custom-tag-scalar",
    "posts/yaml-billion-laughs", "posts/yaml-deep-nesting", "posts/yaml-control-character",
    "platforms/yaml-error", "platforms/timezone-unknown", "generated/too-large", "trees/record-invalid-json",
    # once a hang, crashes (exit 3) and a warning printed by Pillow outside pytest's warnings-as-errors
    "generated/post-named-pipe", "generated/platforms-named-pipe", "trees/media-named-pipe", "posts/media-nul-byte",
    "trees/media-decompression-bomb", "trees/media-decompression-bomb-warning", "trees/template-recursive-macro",
    "trees/template-100mb", "generated/record-nested-200000", "posts/utf16-le",
    "posts/lookalike-fullwidth-colon", "posts/lookalike-fullwidth-comma", "platforms/lookalike-nbsp-after-colon",
    "posts/yaml-alias-bomb-in-media",
]


def run_module(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SMM_DEBUG"}
    return subprocess.run([sys.executable, "-m", "smm", *args], cwd=repo, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_invalid_input_in_a_real_process(name, tmp_path):
    repo = build(name, tmp_path)
    proc = run_module(repo, "check", "--format", "json", "--now", NOW)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "internal error" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
    assert_reported(name, json.loads(proc.stdout), proc.returncode)


def test_missing_platforms_file_is_a_usage_error(tmp_path):
    (tmp_path / "content").mkdir()
    proc = run_module(tmp_path, "check", "--format", "json")
    assert proc.returncode == 2
    assert "platforms.yml" in proc.stderr and "Traceback" not in proc.stderr


def test_nonexistent_path_is_a_usage_error(tmp_path):
    repo = build("posts/bom", tmp_path)
    proc = run_module(repo, "check", "content/no-such-post.md")
    assert proc.returncode == 2
    assert "no-such-post.md" in proc.stderr and "Traceback" not in proc.stderr


def test_text_format_is_compiler_style(tmp_path):
    repo = build("posts/unknown-pillar", tmp_path)
    code, out, _ = run_cli("check", str(repo), "--now", NOW)
    assert code == 1
    lines = out.splitlines()
    assert "content/unknown-pillar.md:5:9: error[post.unknown-pillar]: pillar `recipes` is not in brand/calendar.yml" in lines
    at = lines.index("content/unknown-pillar.md:5:9: error[post.unknown-pillar]: pillar `recipes` is not in brand/calendar.yml")
    assert lines[at + 1] == " 5 | pillar: recipes"
    assert lines[at + 2] == "   |         ^^^^^^^"
    assert lines[-1] == "1 error, 0 warnings in 1 file"


def test_text_format_of_an_encoding_error_does_not_crash(tmp_path):
    repo = build("posts/latin1", tmp_path)
    code, out, err = run_cli("check", str(repo), "--now", NOW)
    assert code == 1 and "content/latin1.md:2:11: error[file.encoding]:" in out
    assert "Traceback" not in out + err


def test_github_format_escapes_properties_and_data(tmp_path):
    # a post file name with `,`, `%` and `:` is not a valid id; its message quotes the name
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    name = "a,b%c:d.md"
    shutil.copyfile(CASES / "posts" / "Upper-Case-Name.md", repo / "content" / name)
    code, out, _ = run_cli("check", str(repo), "--format", "github", "--now", NOW)
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=content/a%2Cb%25c%3Ad.md,line=1,col=1,title=post.id::")
    data = annotations[0].split("::", 2)[2]
    assert "`a,b%25c:d.md`" in data  # in data only % (and CR, LF) are escaped
    assert "%0Ahint: " in data and "\n" not in data


def test_format_github_escapes_cr_lf_percent_colon_comma():
    d = Diagnostic("content/we,ird:na%me\r\n.md", 3, 7, ERROR, "yaml.syntax", "100% broken:\r\nline two, really",
                   hint="fix: this")
    out = format_github([d]).splitlines()
    assert out[0] == ("::error file=content/we%2Cird%3Ana%25me%0D%0A.md,line=3,col=7,title=yaml.syntax"
                      "::100%25 broken:%0D%0Aline two, really%0Ahint: fix: this")
    assert out[-1] == "1 error, 0 warnings in 1 file"


def test_github_format_groups_errors_past_ten(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    for i in range(12):
        shutil.copyfile(CASES / "posts" / "missing-title.md", repo / "content" / f"post-{i:02}.md")
    code, out, _ = run_cli("check", str(repo), "--format", "github", "--now", NOW)
    assert code == 1
    lines = out.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    group = [i for i, line in enumerate(lines) if line.startswith("::group::")]
    assert len(group) == 1
    assert lines[group[0]].startswith("::group::2 more problems not annotated (2 errors, 0 warnings;")
    assert lines[group[0] + 1] == "content/post-10.md:2:1: error[schema.required]: missing required field `title`"
    assert lines[group[0] + 2] == "content/post-11.md:2:1: error[schema.required]: missing required field `title`"
    assert lines[group[0] + 3] == "::endgroup::"
    assert lines[-1] == "12 errors, 0 warnings in 12 files"


def test_format_github_limit_counts_errors_and_warnings_separately():
    errors = [Diagnostic(f"content/e{i:02}.md", 1, 1, ERROR, "post.id", "bad") for i in range(11)]
    warnings = [Diagnostic(f"content/w{i:02}.md", 1, 1, WARNING, "calendar.gap", "gap") for i in range(10)]
    out = format_github(errors + warnings).splitlines()
    assert sum(line.startswith("::error ") for line in out) == 10
    assert sum(line.startswith("::warning ") for line in out) == 10
    assert any(line.startswith("::group::1 more ") and "(1 error, 0 warnings;" in line for line in out)


# A control character in a file is shown as its symbol, never sent as is to the terminal or
# the CI log (a NUL made the output binary; an escape sequence could rewrite the screen).
@pytest.mark.parametrize("written,shown", [
    (r'"content/media/a\0b.png"', "content/media/a␀b.png"),
    (r'"content/media/\e[2J.png"', "content/media/␛[2J.png"),
    (r'"content/media/bell\a.png"', "content/media/bell␇.png"),
    (r'"content/media/line\nbreak.png"', "content/media/line␊break.png"),
    (r'"content/media/del\x7f.png"', "content/media/del␡.png"),
    (r'"content/media/c1\x9b31m.png"', "content/media/c1�31m.png"),
])
def test_control_characters_are_printed_as_symbols(tmp_path, written, shown):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    (repo / "content" / "ctl.md").write_text(
        "---\ntitle: T\npublish_at: 2026-11-27T12:00\nplatforms: [feed]\n"
        f"media:\n  - file: {written}\n    alt: x\n---\nBody.\n", encoding="utf-8")
    (repo / "content" / "raw.md").write_text("---\ntitle: T\x1b[2J\x07\n---\nBody.\n", encoding="utf-8")
    for fmt in ("text", "github"):
        code, out, err = run_cli("check", str(repo), "--format", fmt, "--now", NOW)
        expected = shown if fmt == "text" else shown.replace("␊", "%0A")  # GitHub's own escape
        assert code == 1 and f"`{expected}`" in out, out
        assert "U+001B" in out and ("title: T␛[2J␇" in out) == (fmt == "text")  # the source line, in text
        printed = out.replace("\n", "")
        assert not [c for c in printed if ord(c) < 32 or 127 <= ord(c) < 160], repr(out)
    code, out, _ = run_cli("preview", str(repo / "content" / "ctl.md"))  # the media path, and why not
    assert shown.replace("␊", "\n") in out and not [c for c in out.replace("\n", "") if ord(c) < 32 or 127 <= ord(c) < 160], repr(out)


# A file that is no picture is named for what it is (two bytes of a JPEG were "plain text").
@pytest.mark.parametrize("content,named", [
    (b"\xff\xd8", "a JPEG cut short"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG cut short"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "a PDF document"),
    (b"PK\x03\x04" + bytes(30), "a ZIP archive"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "a video"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "a video"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01", "a video"),
    (b"caption for the photo\n", "plain text"),
    (b"\x80\x81\x82\x83", "data of a type smm does not know"),
])
def test_a_file_that_is_no_picture_is_named_for_what_it_is(tmp_path, content, named):
    from smm.content.media import inspect

    (tmp_path / "photo.jpg").write_bytes(content)
    problem = inspect(tmp_path / "photo.jpg").problem
    assert problem.startswith("is not a picture smm recognises") and f"its content is {named}" in problem


# A moment the calendar, reports and UTC cannot hold was exit 3 (OverflowError) in every command.
@pytest.mark.parametrize("args", [
    ["calendar", "--now", "0001-01-01T00:00"], ["report", "--now", "9999-12-31T23:59"],
    ["check", "--now", "9999-12-31T23:59-12:00"], ["publish", "--dry-run", "--now", "0001-01-01T00:00+14:00"],
    ["calendar", "--format", "ics", "--now", "1900-01-01T00:00"], ["new", "Hello", "--at", "0001-01-01T00:00"],
    ["new", "Hello", "--at", "9999-12-31T12:00", "--now", "2026-11-01T00:00"],
])
def test_a_moment_out_of_range_is_a_usage_error(tmp_path, monkeypatch, args):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    monkeypatch.chdir(repo)
    code, out, err = run_cli(*args)
    assert code == 2 and "expected a year between 1970 and 2999" in err, out + err
    assert not list((repo / "content").rglob("*hello*"))


# A cache that cannot be written is skipped (a file where its folder should be was exit 3).
@pytest.mark.parametrize("where", ["file", "under-a-file", "dev-null", "fifo"])
@pytest.mark.parametrize("command", [["check", "--now", NOW], ["preview", "--format", "json"],
                                     ["publish", "--dry-run", "--now", NOW]])
def test_a_cache_that_cannot_be_written_is_skipped(tmp_path, monkeypatch, where, command):
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    blocker = tmp_path / "blocker"
    if where == "fifo":
        if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
            pytest.skip("no named pipes here")
        os.mkfifo(blocker)
    else:
        blocker.write_text("not a folder\n")
    monkeypatch.delenv("SMM_CACHE_DIR", raising=False)
    if where == "dev-null":
        monkeypatch.setenv("XDG_CACHE_HOME", os.devnull)
    else:
        monkeypatch.setenv("SMM_CACHE_DIR", str(blocker / "sub" if where == "under-a-file" else blocker))
    monkeypatch.chdir(repo)
    for _ in range(2):  # the second run finds no cache either
        code, out, err = run_cli(*command)
        assert code == 0 and "internal error" not in err, out + err
    assert blocker.is_fifo() or blocker.read_text() == "not a folder\n"
