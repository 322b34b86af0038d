"""Review 18: videos, covers and the export bundles (Douyin, Bilibili, Xiaohongshu) from the outside:
what `smm check` says of hostile files, and what a bundle holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from conftest import post_text
from test_bundles import NOW, PLATFORMS  # the three export networks
from videos import make_video

BEFORE = "2026-12-01T10:00:00+08:00"


def _post(account: str, media: str, title: str = "冬季拼配上市", body: str = "新茶上市 #冬日茶饮") -> str:
    return post_text(body, title=title, platforms=f"[{account}]", publish_at="2026-12-01T11:00",
                     media=f"\n  - {media}")


def _exported(smm, root: Path, account: str) -> Path:
    code, out, err = smm("publish", "--now", NOW)
    assert code == 0, out + err
    return root / "data/exports" / account / "a"


# --- the bundle keeps the video's container in its name -------------------------------------------

@pytest.mark.parametrize("account, file, name", [
    ("douyin", "clip.mp4", "video.mp4"),
    ("douyin", "clip.mov", "video.mov"),
    ("douyin", "clip.webm", "video.webm"),
    ("xhs", "clip.mov", "video.mov"),
    ("bilibili", "clip.mkv", "video.mkv"),  # was video.mp4: a Matroska file under an MP4 name
])
def test_the_bundle_names_the_video_by_its_container(make_repo, smm, account, file, name):
    root = make_repo({"a.md": _post(account, f"{{file: content/media/{file}}}")}, platforms=PLATFORMS, calendar=None)
    make_video(root / "content/media" / file, seconds=1)
    bundle = _exported(smm, root, account)
    assert json.loads((bundle / "post.json").read_text())["video"] == name
    assert (bundle / name).read_bytes() == (root / "content/media" / file).read_bytes()
    assert f"`{name}`" in (bundle / "README.md").read_text()


# --- a video whose header gives no duration (a WebM recorded live, as browsers record) --------------

def _clip(path: Path, seconds: int, fps: int = 10, size=(16, 16), live: bool = False) -> Path:
    """A small video whose picture is bright above and dark below; `live`: muxed with no duration in its
    header, as MediaRecorder writes a WebM."""
    from fractions import Fraction

    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    formats = {".webm": ("webm", "libvpx-vp9"), ".mkv": ("matroska", "libx264"), ".mp4": ("mp4", "libx264")}
    container, codec = formats[path.suffix]
    width, height = size
    picture = Image.new("RGB", size, "black")
    picture.paste("white", (0, 0, width, height // 2))
    with av.open(str(path), "w", format=container, options={"live": "1"} if live else {}) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(seconds * fps):
            frame = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.mark.parametrize("account, file, seconds, fps, cover, expected", [
    ("douyin", "live.webm", 3, 10, '"00:00:02"', []),  # was: cover at 2 s is after the end (0.0 s)
    ("bilibili", "live.mkv", 3, 10, "2.5", []),
    ("douyin", "live.webm", 901, 1, None, [("media.duration", "lasts 901.0 s, over the limit of 900 s")]),
    ("douyin", "live.webm", 3, 10, "4", [("media.cover", "after the end of `content/media/live.webm` (3.0 s)")]),
])
def test_a_video_without_a_duration_in_its_header_is_measured(make_repo, smm, account, file, seconds, fps, cover,
                                                              expected):
    item = f"{{file: content/media/{file}" + (f", cover: {cover}}}" if cover else "}")
    root = make_repo({"a.md": _post(account, item)}, platforms=PLATFORMS, calendar=None)
    _clip(root / "content/media" / file, seconds, fps, live=True)
    code, diagnostics, _ = smm.json("check", "--now", BEFORE)
    found = [(d["rule"], d["message"]) for d in diagnostics if d["severity"] == "error"]
    assert [rule for rule, _ in found] == [rule for rule, _ in expected], found
    assert all(part in message for (_, message), (_, part) in zip(found, expected))
    assert code == (1 if expected else 0)


# --- pictures and covers turned as they are shown (a phone's photo or video) ----------------------

def _upright_on_phone(path: Path) -> None:
    """Give an MP4 the display matrix a phone writes for a video shot upright (shown turned 90° clockwise)."""
    import struct

    data = bytearray(path.read_bytes())
    tkhd = data.index(b"tkhd")
    matrix = tkhd + 4 + 4 + (20 if data[tkhd + 4] == 0 else 32) + 8 + 8
    data[matrix:matrix + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
    path.write_bytes(bytes(data))


def _photo(path: Path, orientation: int) -> None:
    """A 1600×1200 JPEG, bright above and dark below, whose EXIF says to show it turned (6: 90° clockwise)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (1600, 1200), "black")
    image.paste("white", (0, 0, 1600, 600))
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(path, exif=exif.tobytes())


def _bright_side(path: Path) -> tuple[tuple[int, int], str]:
    with Image.open(path) as image:
        image = image.convert("L")
        width, height = image.size
        left, right = image.getpixel((width // 8, height // 2)), image.getpixel((width * 7 // 8, height // 2))
        top, bottom = image.getpixel((width // 2, height // 8)), image.getpixel((width // 2, height * 7 // 8))
    ends = {"left": left, "right": right, "top": top, "bottom": bottom}
    return (width, height), max(ends, key=ends.get)


PHOTO, CLIP = "content/media/phone.jpg", "content/media/phone.mp4"
SHOWN = [  # account, media item, what to make, {bundle file: (size, the bright side)}
    ("douyin", f"{{file: {PHOTO}}}", "photo6", {"01.jpg": ((1200, 1600), "right"), "cover.jpg": ((1200, 1600), "right")}),
    ("xhs", f"{{file: {PHOTO}}}", "photo8", {"01.jpg": ((1200, 1600), "left"), "cover.jpg": ((1080, 1440), "left")}),
    ("douyin", f"{{file: {PHOTO}}}", "photo1", {"01.jpg": ((1600, 1200), "top")}),
    ("bilibili", f"{{file: {CLIP}, cover: {PHOTO}}}", "photo6", {"cover.jpg": ((1146, 717), "right")}),
    ("douyin", f"{{file: {CLIP}}}", "phone video", {"cover.jpg": ((128, 256), "right")}),
    ("douyin", f"{{file: {CLIP}, cover: 1}}", "phone video", {"cover.jpg": ((128, 256), "right")}),
    ("douyin", f"{{file: {CLIP}}}", "video", {"cover.jpg": ((256, 128), "top")}),
]


@pytest.mark.parametrize("account, item, made, expected", SHOWN)
def test_bundle_pictures_and_covers_are_turned_as_shown(make_repo, smm, account, item, made, expected):
    root = make_repo({"a.md": _post(account, item)}, platforms=PLATFORMS, calendar=None)
    _clip(root / CLIP, 2, size=(256, 128))
    if made == "phone video":
        _upright_on_phone(root / CLIP)
    if made.startswith("photo"):
        _photo(root / PHOTO, int(made[-1]))
    bundle = _exported(smm, root, account)
    assert {name: _bright_side(bundle / name) for name in expected} == expected


# --- a cover picture smm cannot open is found by smm check, not by the export ----------------------

HEIC = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(64)  # known by its header; Pillow opens no HEIC


@pytest.mark.parametrize("account, name, data, expected", [
    pytest.param("douyin", "cover.heic", HEIC, "is image/heic, a picture smm cannot open", id="heic"),
    pytest.param("xhs", "cover.jpg", HEIC.replace(b"heic", b"heix", 1), "is image/heic, a picture smm cannot open",
                 id="heic-named-jpg"),
    pytest.param("bilibili", "cover.png", None, None, id="png"),
])
def test_a_cover_picture_smm_cannot_open_is_an_error_in_check(make_repo, smm, account, name, data, expected):
    root = make_repo({"a.md": _post(account, f"{{file: {CLIP}, cover: content/media/{name}}}")},
                     platforms=PLATFORMS, calendar=None)
    _clip(root / CLIP, 1)
    if data is None:
        Image.new("RGB", (64, 48), "teal").save(root / "content/media" / name)
    else:
        (root / "content/media" / name).write_bytes(data)
    code, out, err = smm("check", "--now", BEFORE)
    if expected is None:
        assert code == 0, out + err
        return
    assert code == 1 and "content/a.md:6:" in out and f"error[media.cover]: cover `content/media/{name}` {expected}" in out
    assert "Traceback" not in out + err


# --- the bundle's folder: never out of the repository, and a run after it is mended exports ---------

def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("broken, expected", [
    ("data/exports", "it leads outside the repository"),
    ("data/exports/douyin", "it leads outside the repository"),
    ("file", "Not a directory"),
])
def test_a_bundle_folder_that_leads_out_or_is_a_file_is_never_written_and_exports_once_mended(
        make_repo, smm, tmp_path_factory, broken, expected):
    root = make_repo({"a.md": _post("douyin", f"{{file: {CLIP}}}")}, platforms=PLATFORMS, calendar=None)
    _clip(root / CLIP, 1)
    outside = tmp_path_factory.mktemp("outside")
    (outside / "a").mkdir()
    (outside / "a" / "keep.txt").write_text("not the repository's")
    link = root / ("data/exports/douyin" if broken == "file" else broken)
    link.parent.mkdir(parents=True, exist_ok=True)
    if broken == "file":
        link.write_text("a file where the account's bundles go\n")
    else:
        link.symlink_to(outside, target_is_directory=True)
    before = _listing(outside)
    code, out, err = smm("publish", "--now", NOW)
    assert code == 1 and f"cannot write data/exports/douyin/a: {expected}" in out + err, out + err
    assert "Traceback" not in out + err and "answer smm cannot read" not in out + err
    assert _listing(outside) == before
    link.unlink()  # mended
    code, out, err = smm("publish", "--now", NOW)
    assert code == 0 and "exported" in out, out + err
    assert (root / "data/exports/douyin/a/post.json").is_file()


# --- the checklist shows the title and description as post.json has them ------------------------------

@pytest.mark.parametrize("title, body", [
    ("冬季拼配上市", "新茶上市 #冬日茶饮"),
    ('"冬季 ``` 拼配"', "新茶上市 with a fence:\n\n`` ``` ``\n\nand after it"),  # a line ``` ended the block
    ('"冬季\\n拼配"', "Tea with `code` and ``` fences ```` here #冬日茶饮"),
])
def test_the_checklist_shows_title_and_description_as_written(make_repo, smm, title, body):
    import html
    import re

    import markdown

    root = make_repo({"a.md": _post("douyin", f"{{file: {CLIP}}}", title=title, body=body)}, platforms=PLATFORMS,
                     calendar=None)
    _clip(root / CLIP, 1)
    bundle = _exported(smm, root, "douyin")
    manifest = json.loads((bundle / "post.json").read_text())
    readme = (bundle / "README.md").read_text()
    assert readme.splitlines()[0] == "# " + " ".join(manifest["title"].split())
    shown = markdown.markdown(readme, extensions=["fenced_code"])
    blocks = [html.unescape(code) for code in re.findall(r"<pre><code>(.*?)</code></pre>", shown, re.S)]
    assert blocks == [manifest["title"] + "\n", manifest["description"] + "\n"]


# --- the WeChat article's digest (摘要) ------------------------------------------------------------

FAMILY = "👩\u200d👩\u200d👧"  # one emoji of 5 code points


@pytest.mark.parametrize("body, expected", [
    pytest.param("Plain first paragraph 第一段\n\nsecond", "Plain first paragraph 第一段", id="first-paragraph"),
    pytest.param("# 标题\n\n- [茶](https://x.example/a)\n- b", "", id="no-paragraph-not-the-references-title"),
    pytest.param("See [the story](https://x.example/s) now\n\nmore", "See the story now", id="no-reference-mark"),
    pytest.param("Tea[^1] time\n\n[^1]: a note", "Tea time", id="no-footnote-mark"),
    pytest.param(FAMILY * 30, FAMILY * 23 + "…", id="emoji-never-cut"),
    pytest.param("a" * 118 + "🇨🇳 more", "a" * 118 + "…", id="flag-never-cut"),
])
def test_the_digest_is_the_first_paragraph_of_the_article_cut_between_characters(make_repo, body, expected):
    from datetime import datetime, timezone

    import httpx

    from smm.platforms.wechat import WeChat
    from smm.publish.pipeline import Publisher
    from smm.workspace.repo import load_repo

    drafts = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/draft/add"):
            drafts.append(json.loads(request.content))
        return httpx.Response(200, json={"access_token": "T", "expires_in": 7200, "media_id": "M"})

    class Captured(WeChat):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, transport=httpx.MockTransport(answer), **kwargs)

    platforms = ("timezone: Asia/Shanghai\naccounts:\n  wx: {platform: wechat, app_id: wx0123456789abcdef, "
                 "secret_env: WX_SECRET, api_base: 'http://wechat.test', mode: draft}\n")
    post = post_text(body, title="冬季拼配", platforms="[wx]", publish_at="2026-12-01T11:00",
                     media="[{file: content/media/cover.png}]")
    root = make_repo({"a.md": post}, platforms=platforms, calendar=None)
    (root / "content/media").mkdir()
    Image.new("RGB", (90, 50), "teal").save(root / "content/media/cover.png")
    Publisher(load_repo(root), datetime(2026, 12, 1, 4, tzinfo=timezone.utc), {"WX_SECRET": "s"},
              sleep=lambda s: None, platform_for=lambda account: Captured).run()
    (draft,) = drafts
    assert draft["articles"][0]["digest"] == expected


# --- what is transparent in a picture is white in the bundle's JPEGs -----------------------------------

@pytest.mark.parametrize("account, name, mode, files", [
    ("xhs", "logo.png", "RGBA", ["01.jpg", "cover.jpg"]),
    ("douyin", "logo.webp", "RGBA", ["01.jpg", "cover.jpg"]),
    ("douyin", "logo.png", "P", ["01.jpg"]),  # a palette with a transparent colour
    ("douyin", "logo.png", "RGB", ["01.jpg"]),  # no transparency: its own black stays black
])
def test_transparent_pixels_are_white_in_bundle_jpegs(make_repo, smm, account, name, mode, files):
    root = make_repo({"a.md": _post(account, f"{{file: content/media/{name}}}")}, platforms=PLATFORMS, calendar=None)
    (root / "content/media").mkdir()
    logo = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (100, 100, 300, 200))
    if mode == "P":
        palette = logo.convert("RGB").quantize(4)
        palette.save(root / "content/media" / name, transparency=palette.getpixel((0, 0)))
    else:
        logo.convert(mode).save(root / "content/media" / name)
    bundle = _exported(smm, root, account)
    corner = (0, 0, 0) if mode == "RGB" else (255, 255, 255)
    for file in files:
        with Image.open(bundle / file) as image:
            assert all(abs(a - b) < 8 for a, b in zip(image.getpixel((2, 2)), corner)), file
            red = image.getpixel((image.width // 2, image.height // 2))
            assert red[0] > 150 and red[1] < 90, file
