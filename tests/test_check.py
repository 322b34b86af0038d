"""`smm check`: the example repository, output formats, exit codes and cross-file checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CALENDAR, ROOT, SLOTS, post_text

from smm.cli import cli

NOW = "2026-11-20T00:00:00+08:00"


def test_example_repo_passes(smm, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, diagnostics, _ = smm.json("check")
    assert code == 0, [d for d in diagnostics if d["severity"] == "error"]


def test_json_has_exact_keys_and_exit_1(make_repo, smm):
    make_repo({"a.md": post_text(platforms="[feed, mastodn]")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 1
    assert len(diagnostics) == 1
    d = diagnostics[0]
    assert {"file", "line", "column", "severity", "rule", "message"} <= set(d)
    assert (d["file"], d["line"], d["column"], d["rule"]) == ("content/a.md", 4, 19, "post.unknown-account")
    assert "did you mean `mastodon`?" in d["hint"]


@pytest.mark.parametrize("diagnostics", [
    [],
    [("content/a.md", 4, 19, "error", "post.unknown-account", "no account `mastodn`", "did you mean `mastodon`?", None)],
    [("content/中文 \"q\".md", 1, 1, "warning", "voice.Terms", "用“乌龙”\\ not \t<tab> \x00\x1b\u2028", None, 7),
     ("brand/voice/A.yml", 12, 3, "error", "voice.A", "emoji 🍵 and \ud7ff", "", None)],
])
def test_json_output_is_what_json_dumps_writes(diagnostics):
    """The fast JSON writer lays out and escapes exactly as `json.dumps(indent=2, ensure_ascii=False)`."""
    from smm.check.diagnostics import Diagnostic, format_json

    items = [Diagnostic(*d) for d in diagnostics]
    written = format_json(items)
    assert written == json.dumps([d.as_json() for d in items], ensure_ascii=False, indent=2)
    assert json.loads(written) == [d.as_json() for d in items]


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
@pytest.mark.parametrize("batch", [1, 2, 3, 7, 1000])
@pytest.mark.parametrize("count", [0, 1, 2, 25])
def test_the_report_written_in_batches_is_the_report_written_at_once(fmt, batch, count):
    """`smm check` writes its report a batch of lines at a time (diagnostics.encoded): the bytes are
    those of the whole report written as one string, whatever the batch size, the format and the
    number of problems (non-ASCII, emoji, an undecodable file name, several errors and warnings)."""
    from smm.check.diagnostics import Diagnostic, encoded, lines, sort_key, write

    kinds = [("content/a.md", "error", "post.unknown-account", "no account `mastodn`", "did you mean `mastodon`?", None),
             ("content/中文 \udcff.md", "warning", "voice.Terms", "用“乌龙”\\ not \t<tab> \x1b🍵", None, 7),
             ("brand/voice/A.yml", "error", "voice.A", "emoji 🍵 and \ud7ff", "", None)]
    items = [Diagnostic(file, n // 3 + 1, n % 5 + 1, severity, rule, message, hint, end)
             for n in range(count) for file, severity, rule, message, hint, end in [kinds[n % len(kinds)]]]
    quoted = {("content/a.md", 1): "platforms: [mastodn]", ("brand/voice/A.yml", 2): "\tα: 🍵"}.get

    whole = write(items, fmt, lambda file, line: quoted((file, line))).encode("utf-8", "surrogateescape")
    made = encoded(lines(sorted(items, key=sort_key), fmt, lambda file, line: quoted((file, line))), batch)
    assert b"".join(made) == whole


def test_text_format_is_compiler_like(make_repo, smm):
    make_repo({"a.md": post_text(platforms="mastodon")})
    code, out, _ = smm("check", "--now", NOW)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "content/a.md:4:12: error[schema.type]: `platforms` must be a list, not text"
    assert lines[1] == " 4 | platforms: mastodon"
    assert lines[2] == "   |            ^^^^^^^^"
    assert lines[3] == "  = hint: write a list: `platforms: [mastodon]`"
    assert lines[-1] == "1 error, 0 warnings in 1 file"


def test_every_problem_reported_at_once(make_repo, smm):
    make_repo({
        "a.md": post_text(publsh_at="2026-12-01T12:00"),
        "b.md": post_text(publish_at="2026-02-30T10:00"),
        "c.md": post_text(draft="maybe"),
    })
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 1
    found = {(d["file"], d["rule"]) for d in diagnostics}
    assert ("content/a.md", "schema.unknown-field") in found
    assert ("content/b.md", "post.publish-at") in found
    assert ("content/c.md", "schema.type") in found


def test_paths_limit_the_report(make_repo, smm):
    make_repo({"one/a.md": post_text(platforms="[nope]"), "two/b.md": post_text(platforms="[nope]", id="b")})
    code, diagnostics, _ = smm.json("check", "content/one", "--now", NOW)
    assert code == 1
    assert {d["file"] for d in diagnostics} == {"content/one/a.md"}


def test_missing_path_is_usage_error(make_repo, smm):
    make_repo({})
    code, _, err = smm("check", "content/nothing-here.md")
    assert code == 2
    assert "no such file or folder" in err


def test_broken_platforms_exits_2(make_repo, smm):
    make_repo({"a.md": post_text()}, platforms="timezone: Mars/Base\naccounts:\n  feed: {platform: feed, path: f.xml}\n")
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 2
    d = next(d for d in diagnostics if d["rule"] == "config.timezone")
    assert (d["file"], d["line"], d["column"]) == ("platforms.yml", 1, 11)


@pytest.mark.parametrize("written, hint", [
    ("Asia/Beijing", "did you mean `Asia/Shanghai`?"),  # the spelling alone would say Asia/Brunei
    ("Asia/Peking", "did you mean `Asia/Shanghai`?"),
    ("Beijing", "did you mean `Asia/Shanghai`?"),
    ("China", "did you mean `Asia/Shanghai`?"),
    ("北京时间", "did you mean `Asia/Shanghai`?"),
    ("America/San_Francisco", "did you mean `America/Los_Angeles`?"),
    ("Europe/Frankfurt", "did you mean `Europe/Berlin`?"),
    ("asia/mumbai", "did you mean `Asia/Kolkata`?"),
    ("GMT+8", "`Asia/Shanghai`"),
    ("UTC+08:00", "`Asia/Shanghai`"),
    ("UTC-3", "`Etc/GMT+3` (the Etc/ sign is reversed: it means UTC-3)"),
    ("CST", "`Asia/Shanghai` (China) or `America/Chicago` (US Central)"),
    ("Asia/Shangai", "did you mean `Asia/Shanghai`?"),  # a typo: the did-you-mean of the spelling
    ("Europe/Berln", "did you mean `Europe/Berlin`?"),
])
def test_timezone_hint_names_the_zone_meant(make_repo, smm, written, hint):
    make_repo({"a.md": post_text(platforms="[feed]")}, platforms=f"timezone: {written}\naccounts:\n  feed: {{platform: feed, path: data/f.xml}}\n")
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    [d] = [d for d in diagnostics if d["severity"] == "error"]
    assert (code, d["rule"], d["line"], d["column"]) == (2, "config.timezone", 1, 11)
    assert hint in d["hint"], d["hint"]


@pytest.mark.parametrize("valid", ["Asia/Chongqing", "US/Pacific", "PRC", "Asia/Calcutta", "Etc/GMT-8"])
def test_old_and_linked_timezone_names_are_valid(make_repo, smm, valid):
    make_repo({"a.md": post_text(platforms="[feed]")}, platforms=f"timezone: {valid}\naccounts:\n  feed: {{platform: feed, path: data/f.xml}}\n")
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert (code, [d for d in diagnostics if d["rule"] == "config.timezone"]) == (0, [])


def test_no_platforms_file_exits_2(tmp_path, monkeypatch, smm):
    monkeypatch.chdir(tmp_path)
    code, _, err = smm("check")
    assert code == 2
    assert "no platforms.yml" in err


def test_found_from_a_subfolder(make_repo, smm, monkeypatch):
    root = make_repo({"2026/a.md": post_text()})
    monkeypatch.chdir(root / "content" / "2026")
    code, _, _ = smm("check", "--now", NOW)
    assert code == 0


def test_duplicate_ids(make_repo, smm):
    make_repo({"x/same.md": post_text(), "y/same.md": post_text(), "z.md": post_text(id="same")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    dupes = {d["file"]: d["message"] for d in diagnostics if d["rule"] == "post.duplicate-id"}
    assert code == 1
    assert dupes == {
        "content/x/same.md": "post id `same` is also used by content/y/same.md, content/z.md",
        "content/y/same.md": "post id `same` is also used by content/x/same.md, content/z.md",
        "content/z.md": "post id `same` is also used by content/x/same.md, content/y/same.md",
    }


@pytest.mark.parametrize("changed", ["content/a/first.md", "content/b/second.md"])
def test_duplicate_id_shows_when_checking_only_the_changed_file(make_repo, smm, changed):
    # a pull request adds one of the two files: `smm check CHANGED.md` must show the clash
    # whichever of the two sorts first
    root = make_repo({"a/first.md": post_text(id="winter"), "b/second.md": post_text(id="winter")})
    code, diagnostics, _ = smm.json("check", str(root / changed), "--now", NOW)
    assert code == 1
    assert [(d["file"], d["rule"], d["line"]) for d in diagnostics] == [(changed, "post.duplicate-id", 5)]


def test_media_missing_and_outside(make_repo, smm, tmp_path):
    outside = tmp_path.parent / "outside.png"
    outside.write_bytes(b"png")
    root = make_repo({
        "a.md": post_text(media="\n  - file: content/media/none.png\n    alt: x"),
        "b.md": post_text(media="[{file: ../outside.png}]"),
        "c.md": post_text(media="[{file: /etc/passwd}]"),
        "d.md": post_text(media="[{file: content/media/link.png}]"),
        "e.md": post_text(media="[{file: content/media/ok.png, alt: fine}]"),
    }, files={"content/media/ok.png": (Path(__file__).parent / "fixtures/invalid/base/content/media/photo.png").read_bytes()})
    (root / "content/media/link.png").symlink_to(outside)
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    rules = {d["file"]: (d["rule"], d["line"]) for d in diagnostics if d["severity"] == "error"}
    assert code == 1
    assert rules == {
        "content/a.md": ("media.missing", 6),
        "content/b.md": ("media.outside-repo", 5),
        "content/c.md": ("media.outside-repo", 5),
        "content/d.md": ("media.outside-repo", 5),
    }


def test_past_post_without_record_warns(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-11-01T09:00")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 0
    assert [(d["rule"], d["severity"], d["line"]) for d in diagnostics] == [("post.past-unpublished", "warning", 3)]


def _record(post_id: str, source: str) -> str:
    return json.dumps({"post": post_id, "file": source,
                       "accounts": {"feed": {"state": "published", "remote_id": "x"}}})


def test_published_post_removed_is_error(make_repo, smm):
    make_repo({"a.md": post_text()}, files={"data/published/gone.json": _record("gone", "content/gone.md")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 1
    d = next(d for d in diagnostics if d["rule"] == "record.orphan")
    assert d["file"] == "data/published/gone.json"
    assert "content/gone.md was removed or renamed" in d["message"]


def test_published_post_id_changed_is_error(make_repo, smm):
    make_repo({"a.md": post_text(id="renamed")}, files={"data/published/a.json": _record("a", "content/a.md")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    d = next(d for d in diagnostics if d["rule"] == "record.id-changed")
    assert code == 1
    assert (d["file"], d["line"]) == ("content/a.md", 5)
    assert "set `id: a`" in d["hint"]


def test_published_post_with_record_is_quiet(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2026-11-01T09:00")},
              files={"data/published/a.json": _record("a", "content/a.md")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert (code, diagnostics) == (0, [])


def test_unknown_pillar(make_repo, smm):
    make_repo({"a.md": post_text(pillar="tipz")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 1
    assert diagnostics[0]["rule"] == "post.unknown-pillar"
    assert diagnostics[0]["hint"] == "did you mean `tips`?"


def test_override_for_account_not_in_post_warns(make_repo, smm):
    make_repo({"a.md": post_text(overrides="\n  bluesky: {text: short}")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 0
    assert [(d["rule"], d["line"]) for d in diagnostics] == [("post.unused-override", 6)]


def test_calendar_gap_in_next_week_warns(make_repo, smm):
    # 2026-11-30 is a Monday; the Wednesday tips slot of 2026-12-02 is filled.
    make_repo({"a.md": post_text(publish_at="2026-12-02T09:00", pillar="tips")}, calendar=CALENDAR + SLOTS)
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-28T00:00:00+08:00")
    gaps = [d for d in diagnostics if d["rule"] == "calendar.gap"]
    assert code == 0
    assert [(d["file"], d["line"]) for d in gaps] == [("brand/calendar.yml", 6)]
    assert "2026-11-30" in gaps[0]["message"]


def test_draft_needs_no_date_and_is_not_due(make_repo, smm):
    make_repo({"a.md": post_text(publish_at="2020-01-01T00:00", draft="true"),
               "b.md": "---\ntitle: idea\nplatforms: [feed]\ndraft: true\n---\n"})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert (code, diagnostics) == (0, [])


def test_github_format(make_repo, smm):
    make_repo({f"p{i}.md": post_text(platforms="[nope]") for i in range(12)})
    code, out, _ = smm("check", "--format", "github", "--now", NOW)
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 10
    assert annotations[0].startswith("::error file=content/p0.md,line=4,col=13,title=post.unknown-account::")
    assert "::group::2 more problems not annotated (2 errors, 0 warnings" in out
    assert "::endgroup::" in out


def test_real_process_never_prints_a_traceback(make_repo):
    root = make_repo({"a.md": b"---\ntitle: [\n---\n\xff\xfe"})
    env = {**os.environ, "SMM_NOW": NOW}
    proc = subprocess.run([sys.executable, "-m", "smm", "check"], cwd=root, env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "content/a.md:4:1: error[file.encoding]" in proc.stdout


def test_parallel_loading_finds_the_same_problems(make_repo, smm, monkeypatch):
    import smm.workspace.repo as repo_module

    posts = {f"p{i}.md": post_text(f"Post {i} 茶", publish_at=f"2026-12-{1 + i % 28:02d}T12:00") for i in range(12)}
    posts["p3.md"] = post_text(platforms="[feed, mastodn]")
    posts["dup.md"] = post_text(id="p5")
    posts["long.md"] = post_text("x" * 600)
    make_repo(posts)
    serial = smm.json("check", "--now", NOW)
    monkeypatch.setattr(repo_module, "PARALLEL_FROM", 2)
    parallel = smm.json("check", "--now", NOW)
    assert parallel == serial
    assert {d["rule"] for d in serial[1]} == {"post.unknown-account", "post.duplicate-id", "render.too-long"}


def test_links_out_of_the_repository_are_never_read(make_repo, smm, tmp_path):
    secret = tmp_path.parent / "outside-secret.txt"
    secret.write_text("SECRET_TOKEN=do-not-print\n")
    root = make_repo({"a.md": post_text(platforms="[feed]")})
    (root / "brand/templates").mkdir(parents=True)
    (root / "brand/templates/feed.j2").symlink_to(secret)
    outside = tmp_path.parent / "outside-brand"
    outside.mkdir(exist_ok=True)
    (outside / "handles.yml").write_text("x: {default: SECRET_TOKEN}\n")
    (root / "brand/handles.yml").symlink_to(outside / "handles.yml")
    code, out, _ = smm("check", "--now", NOW)
    code2, preview, _ = smm("preview")
    assert "SECRET_TOKEN" not in out + preview
    assert "brand/templates/feed.j2:1:1: error[file.outside-repo]" in out
    assert "brand/handles.yml:1:1: error[file.outside-repo]" in out


@pytest.mark.parametrize("target", ["outside file", "another repository's post", "into .git", "proc environ"])
@pytest.mark.parametrize("given", ["content/leak.md", "content", "."])
def test_a_post_linking_out_of_the_repository_named_on_the_command_line_is_its_error(make_repo, smm, tmp_path, target, given):
    """`smm check CHANGED` (the pull request's check, the pre-commit hook) looks for platforms.yml from the
    named file's own folder and reports the link as that file's error: it followed the link before, so the
    error was left out (exit 0) or another repository was checked."""
    root = make_repo({"a.md": post_text(platforms="[feed]")})
    other = tmp_path.parent / f"other-{target.replace(' ', '-')}"
    (other / "content").mkdir(parents=True, exist_ok=True)
    (other / "platforms.yml").write_text((root / "platforms.yml").read_text())
    (other / "content/p.md").write_text(post_text("SECRET_TOKEN in another repository", platforms="[feed]"))
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git/p.md").write_text(post_text("SECRET_TOKEN in .git", platforms="[feed]"))
    link = {"outside file": other / "content/p.md", "another repository's post": other / "content/p.md",
            "into .git": root / ".git/p.md", "proc environ": Path("/proc/self/environ")}[target]
    (root / "content/leak.md").symlink_to(link)
    code, out, err = smm("check", "--now", NOW, given)
    assert code == 1, out + err
    assert "content/leak.md:1:1: error[file.outside-repo]" in out and "SECRET_TOKEN" not in out + err


@pytest.mark.parametrize("given", ["{link}", "{link}/content", "{link}/content/a.md"])
def test_a_repository_reached_through_a_link_is_checked_and_previewed_whole(make_repo, smm, tmp_path, given):
    """A folder given on the command line is where it is (a link to the repository, or to a folder in
    it, is followed); only a file that is a link is named as itself."""
    root = make_repo({"a.md": post_text("x" * 600, platforms="[feed, mastodon]")})
    link = tmp_path.parent / f"link-to-{root.name}"
    link.unlink(missing_ok=True)
    link.symlink_to(root)
    code, out, err = smm("check", "--now", NOW, given.format(link=link))
    assert code == 1 and "content/a.md" in out and "render.too-long" in out, out + err
    code, out, err = smm("preview", given.format(link=link))
    assert code == 0 and "mastodon" in out, out + err


@pytest.mark.parametrize(("target", "rule"), [("bad.md", "file.unreadable"), ("missing.md", "file.unreadable"),
                                              ("/nonexistent/p.md", "file.outside-repo")])
@pytest.mark.parametrize("given", [(), ("content/bad.md",), ("content",)])
def test_a_post_that_is_a_link_which_cannot_be_read_is_its_error_in_check_and_preview(make_repo, smm, target, rule, given):
    """A link to itself (a loop), to a missing file, out of the repository: `smm check` names it (exit 1, not
    "no such file" for a path that is there), `smm preview` leaves it out with a warning (it crashed on a loop)."""
    root = make_repo({"a.md": post_text(platforms="[feed]")})
    (root / "content/bad.md").symlink_to(target)
    code, out, err = smm("check", "--now", NOW, *given)
    assert code == 1 and f"content/bad.md:1:1: error[{rule}]" in out, out + err
    code, out, err = smm("preview", *[g for g in given if g == "content"])
    assert code == 0 and "content/bad.md" in err and "internal error" not in err, out + err


@pytest.mark.parametrize(("field", "link", "to"), [
    ("media: [{file: content/media/p.png, alt: A cup}]", "content/media/p.png", "p.png"),  # a picture that is a link to itself
    ("media: [{file: content/media/p.png, alt: A cup}]", "content/media", "media"),  # its folder a link to itself
    ("media: [{file: content/pics/p.png, alt: A cup}]", "content/pics", "pics2"),  # two folders linking to each other
])
def test_a_loop_of_links_on_a_pictures_path_is_the_posts_error_everywhere(make_repo, smm, field, link, to):
    """Resolving the path raised (exit 3 from check, preview and site build); now the post's media error."""
    root = make_repo({"a.md": post_text(platforms="[feed]", media=field.split(": ", 1)[1])})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(to)
    if to == "pics2":
        (root / "content/pics2").symlink_to("pics")
    code, out, err = smm("check", "--now", NOW)
    assert code == 1 and "error[media.outside-repo]" in out and "loop of symbolic links" in out, out + err
    for command in (("preview",), ("site", "build", "--now", NOW)):
        code, out, err = smm(*command)
        assert code == 0 and "internal error" not in err, (command, out, err)


@pytest.mark.parametrize(("folder", "name", "text"), [
    ("content", b"bad\xff\xfename.md", None),  # a post
    ("content/d\xff", b"p.md", None),  # a post in a folder whose name is not UTF-8
    ("brand/voice", b"bad\xffname.yml", "pattern: teh\nmessage: typo\n"),
    ("brand/templates", b"x\xff.j2", "{{ text }}\n"),
])
def test_a_file_name_that_is_not_utf8_is_named_and_never_crashes_a_command(make_repo, smm, folder, name, text):
    """git allows any bytes in a name; every command read such a name into a digest and crashed (exit 3).
    A post is not read (`file.unreadable`, the name shown with \\x escapes); a brand file is judged as before."""
    root = make_repo({"a.md": post_text(platforms="[feed]")})
    where = os.fsencode(root) + b"/" + folder.encode("latin-1") + b"/"
    os.makedirs(where, exist_ok=True)
    with open(where + name, "w", encoding="utf-8") as handle:
        handle.write(text or post_text(platforms="[feed]"))
    code, out, err = smm("check", "--now", NOW)
    assert code in (0, 1) and "internal error" not in err, out + err
    if text is None:
        assert code == 1 and "error[file.unreadable]: the file's name is not UTF-8 text" in out and "\\xff" in out
    report = smm.runner.invoke(cli, ["check", "--now", NOW, "--format", "json"]).stdout_bytes
    found = json.loads(report.decode("utf-8"))  # UTF-8 text whatever the names (a name's byte as its \udcXX escape)
    assert folder != "brand/voice" or [os.fsencode(d["file"]) for d in found] == [f"{folder}/".encode() + name]
    for command in (("preview",), ("site", "build", "--now", NOW), ("report",), ("publish", "--dry-run", "--now", NOW)):
        code, out, err = smm(*command)
        assert code in (0, 1) and "internal error" not in err, (command, out, err)


@pytest.mark.parametrize("path", ["feed.xml", "data/feed/feed.json", "/tmp/feed.xml"])
def test_the_feed_is_written_under_data_as_xml(make_repo, smm, path):
    make_repo({}, platforms=f"timezone: UTC\naccounts:\n  feed: {{platform: feed, path: '{path}'}}\n")
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 2
    assert [(d["rule"], d["file"]) for d in diagnostics if d["severity"] == "error"] == [("schema.pattern", "platforms.yml")]


@pytest.mark.parametrize("at,warned", [("2026-03-29T02:30", "does not exist"), ("2026-10-25T02:30", "happens twice"),
                                       ("2026-10-25T02:30+01:00", None), ("2026-06-01T12:00", None)])
def test_daylight_saving_times_are_flagged(make_repo, smm, at, warned):
    make_repo({"a.md": post_text(publish_at=at)},
              platforms=PLATFORMS_UTC.replace("timezone: UTC", "timezone: Europe/Berlin"))
    code, diagnostics, _ = smm.json("check", "--now", "2026-01-01T00:00+00:00")
    dst = [d["message"] for d in diagnostics if d["rule"] == "post.publish-at-dst"]
    assert code == 0
    assert (dst and warned in dst[0]) if warned else not dst


PLATFORMS_UTC = "timezone: UTC\naccounts:\n  feed: {platform: feed, path: data/feed/feed.xml}\n  mastodon: {platform: mastodon, instance: https://m.example, token_env: T}\n"


def test_a_post_with_errors_still_gets_the_checks_it_can_bear(make_repo, smm):
    make_repo({"a.md": post_text(platforms="[mastodn, feed]", tittle="x", pillar="tipz")},
              files={"data/published/b.json": _record("b", "content/b.md"),
                     "content/b.md": post_text(publsh_at="2026-12-01T12:00")})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    rules = sorted((d["file"], d["rule"]) for d in diagnostics)
    assert code == 1
    assert rules == [("content/a.md", "post.unknown-account"), ("content/a.md", "post.unknown-pillar"),
                     ("content/a.md", "schema.unknown-field"), ("content/b.md", "schema.unknown-field")]


PLATFORMS_INSTAGRAM = PLATFORMS_UTC + "  instagram: {platform: instagram, handle: brand, token_env: T_IG, media_base_url: https://brand.example}\n"


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("fields, line, column", [
    ({}, 4, 19),                                                     # no media at all: at `instagram` in platforms
    ({"media": "[]"}, 5, 8),                                         # an empty list: at the list
    ({"overrides": "\n  instagram:\n    media: []"}, 7, 12),         # the override sends none
    ({"media": "[{file: content/a.jpg, alt: Tea}]", "overrides": "{instagram: {media: []}}"}, 6, 32),
])
def test_an_instagram_post_needs_media(make_repo, smm, fields, line, column):
    make_repo({"a.md": post_text(platforms="[feed, instagram]", **fields)}, platforms=PLATFORMS_INSTAGRAM,
              files={"content/a.jpg": _jpeg()})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    errors = [(d["rule"], d["line"], d["column"]) for d in diagnostics if d["severity"] == "error"]
    assert (code, errors) == (1, [("media.none", line, column)])


def test_an_instagram_post_with_an_image_passes(make_repo, smm):
    make_repo({"a.md": post_text(platforms="[instagram]", media="[{file: content/a.jpg, alt: Tea}]")},
              platforms=PLATFORMS_INSTAGRAM, files={"content/a.jpg": _jpeg()})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert (code, [d for d in diagnostics if d["severity"] == "error"]) == (0, [])


@pytest.mark.parametrize("account, fields, expected", [
    # no media_base_url: the media file has no URL to be fetched from, said at the file
    ("{platform: instagram, token_env: T}", {"media": "[{file: content/a.jpg, alt: Tea}]"},
     [("error", "media.url", "content/a.md", 5, 16), ("warning", "config.cannot-publish", "platforms.yml", 3, 3)]),
    ("{platform: threads, user_id: '1', token_env: T}",
     {"media": "\n  - file: content/a.jpg\n    alt: Tea\n  - file: content/b.jpg\n    alt: Pot"},
     [("error", "media.url", "content/a.md", 6, 11), ("error", "media.url", "content/a.md", 8, 11)]),
    ("{platform: threads, user_id: '1', token_env: T}", {}, []),  # text alone needs no URL
    ("{platform: threads, user_id: '1', token_env: T, media_base_url: 'https://b.example/site'}",
     {"media": "[{file: content/a.jpg, alt: Tea}]"}, []),
    # a base URL with a query or a fragment cannot have a path appended: said at the option
    ("{platform: instagram, user_id: '1', token_env: T, media_base_url: 'https://b.example/?raw=1'}",
     {"media": "[{file: content/a.jpg, alt: Tea}]"}, [("error", "schema.pattern", "platforms.yml", 3, 75)]),
    ("{platform: instagram, user_id: '1', token_env: T, media_base_url: 'ftp://b.example'}",
     {"media": "[{file: content/a.jpg, alt: Tea}]"}, [("error", "schema.pattern", "platforms.yml", 3, 75)]),
    ("{platform: facebook, token_env: T}", {"media": "[{file: content/a.jpg}]"},  # Facebook uploads its photos
     [("warning", "config.cannot-publish", "platforms.yml", 3, 3)]),
])
def test_media_fetched_from_a_url_need_the_accounts_media_base_url(make_repo, smm, account, fields, expected):
    make_repo({"a.md": post_text(platforms="[acct]", **fields)}, calendar=None,
              platforms=f"timezone: UTC\naccounts:\n  acct: {account}\n",
              files={"content/a.jpg": _jpeg(), "content/b.jpg": _jpeg()})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    found = sorted((d["severity"], d["rule"], d["file"], d["line"], d["column"]) for d in diagnostics)
    exit_code = 2 if any(e[2] == "platforms.yml" and e[0] == "error" for e in expected) else \
        1 if any(e[0] == "error" for e in expected) else 0  # platforms.yml unusable: a configuration error
    assert (code, found) == (exit_code, sorted(expected))


@pytest.mark.parametrize("fields, line", [
    ({"hashtags": "[" + ", ".join(f"t{i}" for i in range(31)) + "]"}, 6),
    ({"hashtags": "[a]", "overrides": "\n  instagram:\n    hashtags: [" + ", ".join(f"t{i}" for i in range(31)) + "]"}, 9),
])
def test_too_many_hashtags_points_at_the_list_used(make_repo, smm, fields, line):
    make_repo({"a.md": post_text(platforms="[instagram]", media="[{file: content/a.jpg, alt: Tea}]", **fields)},
              platforms=PLATFORMS_INSTAGRAM, files={"content/a.jpg": _jpeg()})
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert [(d["rule"], d["line"]) for d in diagnostics if d["severity"] == "error"] == [("render.too-many-hashtags", line)]


def test_a_calendar_gap_points_at_its_slot(make_repo, smm):
    make_repo({}, calendar=CALENDAR + "slots:\n  - {day: monday, time: '12:00', pillar: news}\n"
                                      "  - day: tuesday\n    time: '09:00'\n")
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-29T12:00+08:00")
    gaps = [(d["rule"], d["line"], d["column"]) for d in diagnostics]
    assert (code, gaps) == (0, [("calendar.gap", 6, 5), ("calendar.gap", 7, 5)])


def test_full_width_punctuation_inside_text_is_not_a_lookalike(make_repo, smm):
    # what a Chinese editor writes on purpose: only stand-ins for YAML syntax are errors
    make_repo({"a.md": post_text(
        "正文：冬季新茶，【限时】“好喝”。\n  － 不是列表",
        title="【新品】冬茶：限时，“好喝”", tags="['你好，世界', 「引号」]", campaign="winter-2026",
        languages="[zh-Hans]", pillar="tips", content_warning="“注意”：热水")},
        calendar=CALENDAR.replace("Tips", "技巧：冲泡，【入门】"))
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert (code, [d for d in diagnostics if d["severity"] == "error"]) == (0, [])


@pytest.mark.parametrize("front, where, message", [
    ("title：Winter\nplatforms: [feed]", "2:6", '全角冒号 "：" (U+FF1A, fullwidth colon) where YAML needs ":"'),
    ("title: Winter\nplatforms:\u00a0[feed]", "3:11", "不换行空格 (U+00A0, no-break space) where YAML needs a plain space"),
    ("title: Winter\nplatforms:\n\u3000\u3000- feed", "4:1", "全角空格 (U+3000, ideographic space) where YAML needs a plain space"),
    ("title: Winter\nplatforms: [feed，mastodon]", "3:17", '全角逗号 "，" (U+FF0C, fullwidth comma) where YAML needs ","'),
    ("title﹕Winter\nplatforms: [feed]", "2:6", '小型冒号 "﹕" (U+FE55, small colon) where YAML needs ":"'),
    ("title∶Winter\nplatforms: [feed]", "2:6", '比号 "∶" (U+2236, ratio) where YAML needs ":"'),
    ("title: Winter\nplatforms: [feed﹐mastodon]", "3:17", '小型逗号 "﹐" (U+FE50, small comma) where YAML needs ","'),
    ("title: Winter\nplatforms:\n  ﹣ feed", "4:3", '小型减号 "﹣" (U+FE63, small hyphen-minus) where YAML needs "-"'),
])
def test_a_lookalike_is_named_in_the_editors_words(make_repo, smm, front, where, message):
    make_repo({"a.md": f"---\n{front}\ndraft: true\n---\nHello\n"})
    code, out, _ = smm("check", "--now", NOW)
    assert code == 1
    assert f"content/a.md:{where}: error[yaml.lookalike]: {message}" in out.splitlines(), out


# --- each settings file: read once, its problem reported once, with and without --fix ----------

SETTINGS_PROBLEMS = [  # (file, text, rule, line, exit code)
    ("platforms.yml", "timezone: Mars/Olympus\naccounts:\n  feed: {platform: feed, path: data/f.xml, site: https://e.example}\n",
     "config.timezone", 1, 2),
    ("brand/calendar.yml", "pillars:\n  news: {description: News}\nslots:\n  - {day: monday, time: '12:00', pillar: tipz}\n",
     "calendar.unknown-pillar", 4, 1),
    ("brand/brand.yml", "name: Tea\nhashtag_placement: 5\n", "schema.enum", 2, 1),
    ("brand/handles.yml", "alice: 5\n", "schema.type", 1, 1),
    ("brand/goals.yml", "goals:\n  - {id: g, metric: posts, baseline: 1, target: 2, deadline: 2026-12-31}\n"
     "  - {id: g, metric: posts, baseline: 1, target: 2, deadline: 2026-12-31}\n", "goals.duplicate-id", 3, 1),
    ("brand/voice.yml", "levels:\n  voice.Nothing: error\n", "voice.unknown-rule", 2, 0),
]


@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
@pytest.mark.parametrize("file,text,rule,line,exit_code", SETTINGS_PROBLEMS, ids=[p[0] for p in SETTINGS_PROBLEMS])
def test_each_settings_file_is_read_once_and_reported_once(make_repo, smm, monkeypatch, file, text, rule, line,
                                                          exit_code, fix):
    from smm.workspace import yamlsource

    make_repo({"a.md": post_text(platforms="[feed]")}, files={file: text})
    parsed = []  # the settings files parsed, in order
    load = yamlsource.load

    def counted(text, *, file, **kw):
        if not file.startswith("content/"):
            parsed.append(file)
        return load(text, file=file, **kw)

    monkeypatch.setattr(yamlsource, "load", counted)
    code, diagnostics, _ = smm.json("check", "--now", NOW, *(["--fix"] if fix else []))
    assert code == exit_code
    assert [(d["rule"], d["line"]) for d in diagnostics if d["file"] == file] == [(rule, line)]
    assert parsed.count(file) == 1 and len(parsed) == len(set(parsed)), parsed


@pytest.mark.parametrize("name,warned", [
    ("tea.markdown", True), ("tea.MD", True), ("tea.Md", True), ("sub/tea.mdown", True), ("tea.mkd", True),
    ("tea.mdx", True), ("README.md", False), ("README.markdown", False), ("_note.markdown", False),
    (".hidden.MD", False), ("media/photo.png", False), ("notes.txt", False),
])
def test_a_markdown_file_not_named_md_is_not_a_post_and_says_so(make_repo, smm, name, warned):
    make_repo({"good.md": post_text(), name: post_text()})
    code, diagnostics, _ = smm.json("check", "--now", "2026-11-26T10:00")
    found = [(d["file"], d["severity"]) for d in diagnostics if d["rule"] == "post.extension"]
    assert code == 0 and found == ([(f"content/{name}", "warning")] if warned else [])


@pytest.mark.parametrize("path,make,rule", [
    ("content/media", None, "file.not-regular"),                      # the media folder itself
    ("content/media/photos.png", "folder", "file.not-regular"),      # a folder named like a picture
    ("content/media/pipe.png", "fifo", "file.not-regular"),
    ("content/media/none.png", None, "media.missing"),
])
def test_a_media_path_that_is_no_regular_file_is_named_as_the_readme_says(make_repo, smm, path, make, rule):
    import os

    root = make_repo({"a.md": post_text(media=f"[{{file: {path}, alt: x}}]")}, files={"content/media/keep.txt": "x"})
    if make == "folder":
        (root / path).mkdir()
    elif make == "fifo":
        if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
            pytest.skip("no named pipes here")
        os.mkfifo(root / path)
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    assert code == 1 and [(d["rule"], d["line"]) for d in diagnostics if d["severity"] == "error"] == [(rule, 5)]


@pytest.mark.parametrize("line", [
    "tea " * 50_000,  # a 200,000-character line
    "乌龙茶\t" * 2_000 + "\x1b[31m" + "e\u0301" * 300,  # tabs, an escape, marks, CJK
    "x" * 121, "x" * 119 + "yz",  # around the cut
])
@pytest.mark.parametrize("at", ["start", "middle", "end"])
def test_a_problem_in_a_long_line_quotes_what_is_around_it(line, at):
    """The text format quotes a source line under each problem; of a long line (a minified
    paragraph), the part around the problem, "…" where cut, the caret on the same character: 20,000
    problems in one 78 KB line printed 3 GB and took 88 s."""
    from smm.check.diagnostics import QUOTED, Diagnostic, text_lines, visible

    column = {"start": 1, "middle": len(line) // 2, "end": len(line)}[at]
    d = Diagnostic("content/a.md", 7, column, "error", "render.mention", "no handle", None, column + 3)
    quoted, caret = list(text_lines([d], lambda file, number: line))[1:3]
    shown, marks = quoted.split(" | ", 1)[1], caret.split(" | ", 1)[1]
    assert len(shown) <= QUOTED + 2 and (len(line) > QUOTED or shown == visible(line.replace("\t", " ")))
    under = marks.index("^")
    assert shown[under] == visible(line.replace("\t", " "))[column - 1]
    assert shown.startswith("…") == (len(line) > QUOTED and column - 1 > QUOTED // 3)
