"""Douyin, Bilibili and Xiaohongshu: export bundles, their checks, `smm resolve` and imported metrics."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import post_text
from videos import make_video

NOW = "2026-12-01T12:00:00+08:00"
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  douyin: {platform: douyin}
  bilibili: {platform: bilibili}
  xhs: {platform: xiaohongshu}
"""
VIDEO = "content/media/clip.mp4"


def _png(root: Path, name: str, size=(1600, 1200)) -> str:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "teal").save(root / name)
    return name


def _post(accounts: str, media: list[str], title: str = "冬季拼配上市", body: str = "新茶上市 #冬日茶饮", **fields) -> str:
    items = "".join(f"\n  - {m if m.startswith('{') else '{file: ' + m + '}'}" for m in media)
    return post_text(body, title=title, platforms=accounts, publish_at="2026-12-01T11:00", media=items or None,
                     **fields)


@pytest.fixture
def bundles(make_repo):
    def build(posts: dict[str, str], video: dict | None = None) -> Path:
        root = make_repo(posts, platforms=PLATFORMS, calendar=None)
        make_video(root / VIDEO, **(video or {"width": 720, "height": 1280, "seconds": 2}))
        return root
    return build


def publish(smm, *args):
    code, out, err = smm("publish", "--now", NOW, "--format", "json", *args)
    return code, json.loads(out), err


def record(root: Path, post: str = "a") -> dict:
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


# --- the bundle, per network -----------------------------------------------------------------

@pytest.mark.parametrize("account, platform, cover_size, topics", [
    ("douyin", "douyin", (720, 1280), ["#冬日茶饮"]),  # the video's own shape
    ("bilibili", "bilibili", (1146, 717), []),
    ("xhs", "xiaohongshu", (1080, 1440), ["#冬日茶饮"]),
])
def test_a_video_post_is_exported_once_as_a_bundle(bundles, smm, account, platform, cover_size, topics):
    root = bundles({"a.md": _post(f"[{account}]", [f"{{file: {VIDEO}, cover: \"00:00:01\"}}"])})
    assert smm("check", "--now", NOW)[0] == 0
    code, report, _ = publish(smm)
    folder = f"data/exports/{account}/a"
    assert (code, report["jobs"]) == (0, [{"post": "a", "account": account, "state": "exported", "url": folder,
                                           "error": None}])
    bundle = root / folder
    assert sorted(p.name for p in bundle.iterdir()) == ["README.md", "cover.jpg", "post.json", "video.mp4"]
    assert (bundle / "video.mp4").read_bytes() == (root / VIDEO).read_bytes()  # never re-encoded
    with Image.open(bundle / "cover.jpg") as cover:
        assert (cover.format, cover.size) == ("JPEG", cover_size)
    manifest = json.loads((bundle / "post.json").read_text())
    assert manifest == {
        "platform": platform, "account": account, "post": "a", "title": "冬季拼配上市",
        "description": "新茶上市 #冬日茶饮", "tags": ["冬日茶饮"], "topics": topics, "video": "video.mp4",
        "images": [], "cover": "cover.jpg", "planned_time": "2026-12-01T11:00:00+08:00", "link": None,
        "limits": manifest["limits"]}
    readme = (bundle / "README.md").read_text()
    assert "发布清单" in readme and "Upload checklist" in readme
    assert f"smm resolve a --account {account} --published URL" in readme
    job = record(root)[account]
    assert (job["state"], job["remote_id"], job["exported_at"]) == ("exported", folder, "2026-12-01T04:00:00+00:00")
    assert "published_at" not in job
    assert publish(smm)[1] == {"jobs": []}  # never exported twice


@pytest.mark.parametrize("account, count", [("douyin", 3), ("xhs", 2)])
def test_an_image_post_exports_numbered_jpegs_scaled_down(bundles, smm, account, count):
    root = bundles({})
    names = [_png(root, f"content/media/{i}.png", (4000, 3000)) for i in range(count)]
    (root / "content/a.md").write_text(_post(f"[{account}]", names))
    code, report, _ = publish(smm)
    assert (code, [j["state"] for j in report["jobs"]]) == (0, ["exported"]), report
    bundle = root / f"data/exports/{account}/a"
    expected = [f"{i + 1:02d}.jpg" for i in range(count)]
    assert json.loads((bundle / "post.json").read_text())["images"] == expected
    for name in expected:
        with Image.open(bundle / name) as image:
            assert image.format == "JPEG" and max(image.size) == 2048


def test_a_cover_picture_is_used_and_cut_to_the_network_shape(bundles, smm):
    root = bundles({})
    _png(root, "content/media/cover.png", (2000, 1000))
    (root / "content/a.md").write_text(_post("[bilibili]", [f"{{file: {VIDEO}, cover: content/media/cover.png}}"]))
    assert publish(smm)[0] == 0
    with Image.open(root / "data/exports/bilibili/a/cover.jpg") as cover:
        assert cover.size == (1146, 717) and cover.getpixel((500, 300))[1] > 100  # teal, not the video's frame


# --- smm check: each network's rules ------------------------------------------------------------

CHECKS = [  # accounts, title, body, media, video properties, expected (rule, field line)
    ("[xhs]", "一" * 20, "正文", [VIDEO], None, []),
    ("[xhs]", "一" * 21, "正文", [VIDEO], None, [("render.title-too-long", 2)]),
    ("[xhs]", "a" * 40, "正文", [VIDEO], None, []),  # half-width counts ½
    ("[xhs]", "a" * 41, "正文", [VIDEO], None, [("render.title-too-long", 2)]),
    ("[douyin]", "一" * 31, "正文", [VIDEO], None, [("render.title-too-long", 2)]),
    ("[bilibili]", "T" * 81, "正文", [VIDEO], None, [("render.title-too-long", 2)]),
    ("[douyin]", "标题", " ".join(f"#话题{i}" for i in range(6)), [VIDEO], None, [("render.too-many-hashtags", 2)]),
    ("[bilibili]", "标题", " ".join(f"#tag{i}" for i in range(11)), [VIDEO], None, [("render.too-many-hashtags", 2)]),
    ("[bilibili]", "标题", "#" + "长" * 21, [VIDEO], None, [("render.too-long", 2)]),
    ("[xhs]", "标题", "正文", [], None, [("media.none", 4)]),
    ("[bilibili]", "标题", "正文", ["content/media/0.png"], None, [("media.type", 6)]),
    ("[xhs]", "标题", "正文", [VIDEO, "content/media/0.png"], None, [("media.video-count", 6)]),
    ("[xhs]", "标题", "正文", [f"content/media/{i}.png" for i in range(19)], None, [("media.count", 6)]),
    ("[douyin]", "标题", "正文", [VIDEO], {"width": 16, "height": 16, "seconds": 901, "fps": 1},
     [("media.duration", 6)]),
    ("[xhs]", "标题", "正文", ["content/media/clip.webm"], None, [("media.type", 6)]),
]


@pytest.mark.parametrize("accounts, title, body, media, video, expected", CHECKS)
def test_each_network_rules_in_smm_check(bundles, smm, accounts, title, body, media, video, expected):
    root = bundles({}, video)
    for name in media:
        if name.endswith(".png"):
            _png(root, name, (64, 64))
        elif name.endswith(".webm"):
            make_video(root / name)
    (root / "content/a.md").write_text(_post(accounts, media, title=title, body=body))
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    found = [(d["rule"], d["line"]) for d in diagnostics if d["severity"] == "error"]
    assert found == expected and code == (1 if expected else 0)


# --- resolve: the human uploaded it ------------------------------------------------------------

RESOLVED = [
    ("douyin", "https://www.douyin.com/video/7301234567890123456", 0, "7301234567890123456"),
    ("bilibili", "https://www.bilibili.com/video/BV1xx411c7mD?p=1", 0, "BV1xx411c7mD"),
    ("xhs", "https://www.xiaohongshu.com/explore/64a1b2c3d4e5f60718293a4b", 0, "64a1b2c3d4e5f60718293a4b"),
    ("douyin", "https://v.douyin.com/iRNBho6/", 1, "a share link that hides the post's id"),
    ("bilibili", "https://www.douyin.com/video/7301234567890123456", 1, "is not a Bilibili B站 post's URL"),
    ("xhs", "https://www.xiaohongshu.com/user/profile/5b8487bf1cd8b70001fb3a13", 1, "is not a Xiaohongshu"),
]


@pytest.mark.parametrize("account, url, code, expected", RESOLVED)
def test_resolve_records_an_exported_bundle_published(bundles, smm, account, url, code, expected):
    root = bundles({"a.md": _post(f"[{account}]", [VIDEO])})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Editor"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "editor@example.com"], cwd=root, check=True)
    assert publish(smm)[0] == 0
    got, out, err = smm("resolve", "a", "--account", account, "--published", url, "--now", NOW)
    job = record(root)[account]
    if code:
        assert got == 1 and expected in err and job["state"] == "exported"
        return
    assert got == 0, err
    assert (job["state"], job["remote_id"], job["url"]) == ("published", expected, url)
    assert job["resolved"]["was"] == "exported" and "smm cannot look it up" in out
    assert publish(smm)[1] == {"jobs": []}


# --- never twice: a run killed while exporting -------------------------------------------------

def _run(root: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    from crashing_smm import command

    return subprocess.run(command(crash, "publish", "--commit"), cwd=root, env={**os.environ, "SMM_NOW": NOW},
                          capture_output=True, text=True)


@pytest.mark.parametrize("crash", ["after_in_flight", "after_call", "before_record", "before_commit", "half_written"])
def test_killed_while_exporting_then_run_again_exports_exactly_once(bundles, crash):
    root = bundles({"a.md": _post("[douyin, xhs]", [VIDEO])})
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    if crash == "half_written":  # a run killed inside the export left a hidden folder behind
        stale = root / "data/exports/douyin/.a.tmp999999"
        stale.mkdir(parents=True)
        (stale / "video.mp4").write_bytes(b"half")
    else:
        assert _run(root, crash).returncode == -9
    written = {p: p.stat().st_mtime_ns for p in (root / "data/exports").rglob("post.json")}
    second = _run(root)
    assert second.returncode == 0, second.stdout + second.stderr
    assert {a: j["state"] for a, j in record(root).items()} == {"douyin": "exported", "xhs": "exported"}
    for path, mtime in written.items():  # a bundle written before the kill is recorded, not written again
        assert path.stat().st_mtime_ns == mtime
    assert sorted(p.parent.name for p in (root / "data/exports").rglob("post.json")) == ["a", "a"]
    assert not list((root / "data/exports").rglob(".a.tmp*"))
    status = subprocess.run(["git", "status", "--porcelain", "--", "data"], cwd=root, capture_output=True, text=True)
    assert status.stdout == ""
    assert _run(root).stdout.strip().splitlines()[-1] == "nothing due"
