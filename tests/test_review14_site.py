"""The fifteenth session's outside-in review of `smm site build`: a rebuild after one input changed writes
the site a build from nothing (a new folder, an empty cache) writes, whatever the input."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_example, post_text
from test_html_pages import Tags

NOW = "2026-11-26T10:00+08:00"
MEDIA = ROOT / "content/media"
# a kept page says when it was made: the footer, and a report's line under its heading
MADE = re.compile('<footer class="site">.*?</footer>| · generated [0-9: -]+(?=</p>)'.encode(), re.S)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): MADE.sub(b"", p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}


def build(smm, out: str, now: str = NOW, cache: Path | None = None) -> None:
    code, _, err = smm("site", "build", "--out", out, "--now", now, env={"SMM_CACHE_DIR": str(cache)} if cache else None)
    assert code == 0, err


def rebuilt_as_from_nothing(smm, root: Path, change, now: str = NOW, then: str = NOW) -> dict[str, bytes]:
    """Build at `now`, `change(root)`, build again at `then`; assert the site is what a build from nothing
    (a new folder, an empty cache) writes; returns it."""
    build(smm, "_site", now)
    time.sleep(0.01)  # (a file's time changes with the edit)
    change(root)
    build(smm, "_site", then)
    build(smm, "cold", then, root / "cold-cache")
    site = tree(root / "_site")
    assert site == tree(root / "cold")
    return site


def copy(picture: str, to: str):
    def change(root: Path) -> None:
        (root / to).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MEDIA / picture, root / to)
    return change


OVERRIDE = "\n  mastodon:\n    media: [{file: content/media/o.png, alt: A picture}]"
VIDEO = "[{file: content/media/v.mp4, alt: A video, cover: content/media/c.png}]"
OVERRIDE_VIDEO = "\n  mastodon:\n    media: [{file: content/media/v.mp4, alt: A video, cover: content/media/c.png}]"

# the post's fields, the files there before, the change: every file a post names (for itself or an account)
NAMED_FILES = {
    "an override's picture appears": (dict(overrides=OVERRIDE), {}, copy("water-temperature.png", "content/media/o.png")),
    "an override's picture is edited": (dict(overrides=OVERRIDE), {"content/media/o.png": "water-temperature.png"},
                                        copy("winter-blend.png", "content/media/o.png")),
    "an override's picture is deleted": (dict(overrides=OVERRIDE), {"content/media/o.png": "water-temperature.png"},
                                         lambda root: (root / "content/media/o.png").unlink()),
    "a video's cover picture appears": (dict(media=VIDEO), {"content/media/v.mp4": "roastery-morning.mp4"},
                                        copy("water-temperature.png", "content/media/c.png")),
    "a video's cover picture is edited": (dict(media=VIDEO), {"content/media/v.mp4": "roastery-morning.mp4",
                                                              "content/media/c.png": "water-temperature.png"},
                                          copy("roastery-morning.mp4", "content/media/c.png")),
    "an override's video's cover appears": (dict(overrides=OVERRIDE_VIDEO), {"content/media/v.mp4": "roastery-morning.mp4"},
                                            copy("water-temperature.png", "content/media/c.png")),
    "an override's video appears": (dict(overrides=OVERRIDE_VIDEO), {"content/media/c.png": "water-temperature.png"},
                                    copy("roastery-morning.mp4", "content/media/v.mp4")),
}


@pytest.mark.parametrize("case", NAMED_FILES)
def test_a_post_page_is_drawn_again_when_any_file_the_post_names_changes(make_repo, smm, case):
    fields, there, change = NAMED_FILES[case]
    root = make_repo({"a.md": post_text(title="A", **fields), "b.md": post_text(title="B")},
                     files={to: (MEDIA / picture).read_bytes() for to, picture in there.items()})
    assert "posts/a/index.html" in rebuilt_as_from_nothing(smm, root, change)


def broken_links(out: Path) -> list[str]:
    """Each link or source of a page in `out` naming a file of the site that is not there."""
    found = []
    for page in sorted(out.rglob("*.html")):
        for tag, attrs in Tags(page.read_text(encoding="utf-8")).tags:
            target = (attrs.get("href") or attrs.get("src") or "").partition("#")[0]
            if target and ":" not in target and not (page.parent / target).is_file():
                found.append(f"{page.relative_to(out)}: {target}")
    return found


# (the first build's --now, the next one's): the months with data shown then are not those shown now
MONTHS_COME_AND_GO = {
    "a month gone (a build at an earlier time)": ("2026-11-26T10:00+08:00", "2026-10-15T10:00+08:00"),
    "a month gone by one second": ("2026-11-01T00:00+08:00", "2026-10-31T23:59:59+08:00"),
    "a month come": ("2026-10-15T10:00+08:00", "2026-11-26T10:00+08:00"),
}


@pytest.mark.parametrize("case", MONTHS_COME_AND_GO)
def test_every_report_pages_switcher_links_the_periods_there_are_now(tmp_path, monkeypatch, smm, case):
    """A month's report is kept while its data is the same, but its switcher links every period of this build."""
    monkeypatch.chdir(copy_example(tmp_path))
    now, then = MONTHS_COME_AND_GO[case]
    site = rebuilt_as_from_nothing(smm, tmp_path, lambda root: None, now, then)
    assert "report/2026-10/index.html" in site and broken_links(tmp_path / "_site") == []


@pytest.mark.parametrize(("title", "named"), [('" "', "2026-11-20-blank"), ('"\\u200b"', "2026-11-20-blank"),
                                             ('"\\u3000\\t"', "2026-11-20-blank"), ('"\\u00ad\\ufeff"', "2026-11-20-blank"),
                                             ("Winter 冬茶", "Winter 冬茶")])
def test_a_post_page_whose_title_has_nothing_to_see_is_named_by_its_id_in_the_window_title(make_repo, smm, title, named):
    """The `<title>` (a tab's, a screen reader's first words) names the page as its heading does."""
    root = make_repo({"2026/11/2026-11-20-blank.md": post_text(title=title, publish_at="2026-11-20T12:00")})
    build(smm, "_site")
    page = (root / "_site/posts/2026-11-20-blank/index.html").read_text(encoding="utf-8")
    assert re.search(f"<title>{named} · [^<]+</title>", page), page[:600]


@pytest.mark.parametrize("column", ["account", "post_id", "platform", "remote_id", "collected_at"])
def test_a_metrics_row_with_an_empty_cell_the_report_reads_does_not_stop_the_site(tmp_path, monkeypatch, smm, column):
    """`smm report` reads such a row (an empty cell is none); the site shows it as the report does, no internal error.
    A row without its `collected_at` (no collection at all) stops both alike, at its line (review 18: it was left out)."""
    monkeypatch.chdir(copy_example(tmp_path))
    path = tmp_path / "data/metrics/2026-11.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[-1].split(",")
    cells[lines[0].split(",").index(column)] = ""
    path.write_text("\n".join(lines[:-1] + [",".join(cells)]) + "\n", encoding="utf-8")
    if column == "collected_at":
        for args in (("report", "--now", NOW), ("site", "build", "--out", "_site", "--now", NOW)):
            code, _, err = smm(*args)
            assert code == 1 and f"data/metrics/2026-11.csv:{len(lines)}: collected_at `` is not a time" in err, err
        return
    assert smm("report", "--now", NOW)[0] == 0
    build(smm, "_site")


def test_a_post_page_is_drawn_again_a_day_after_its_instance_reports_another_limit(make_repo, smm, tmp_path,
                                                                                  monkeypatch):
    """A Mastodon account without `char_limit` is held to the limit its instance reports (kept a day); the
    post's page showed the first build's limit until the post changed, whatever the instance said since."""
    from test_review14_check import _a_day_later, _Instance

    instance = _Instance()
    try:
        root = make_repo({"p.md": post_text("word " * 200, platforms="[mastodon]")},
                         platforms=f"timezone: UTC\naccounts:\n  mastodon: {{platform: mastodon, instance: "
                                   f"\"{instance.url}\", token_env: T}}\n")
        online = {"SMM_OFFLINE": "0", "SMM_CACHE_DIR": str(tmp_path / "cache")}
        for limit in (5000, 500):
            instance.limit = limit
            code, _, err = smm("site", "build", "--out", "_site", "--now", NOW, env=online)
            assert code == 0, err
            page = (root / "_site/posts/p/index.html").read_text()
            assert f"999/{limit:,} " in page, page[-3000:]  # the card's counter: 200 words of 5 characters, stripped
            _a_day_later(monkeypatch)
        assert instance.asked == 2
    finally:
        instance.server.shutdown()
        instance.server.server_close()


@pytest.mark.parametrize("out", ["brand/site", "brand", "data/site", "data/published", "./brand/../data/x"])
def test_the_site_is_never_written_into_what_it_is_made_from(make_repo, smm, out):
    """A site under brand/ changed what every page is made from (everything under brand/ is in their key),
    so each build built every page again; under data/, the bot's records, `smm publish --commit` would
    commit it. Refused, nothing written there."""
    root = make_repo({"p.md": post_text()})
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    code, out_text, err = smm("site", "build", "--out", out, "--now", NOW)
    assert code == 2 and f"--out {Path(out)}: inside " in err and "_site/" in err, err
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
