"""Video in posts: real properties read by PyAV, each network's video rules, `cover:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import post_text
from videos import make_video
from smm.content import media, video

NOW = "2026-11-20T00:00:00+08:00"
PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  feed: {platform: feed, path: data/feed/feed.xml, site: https://example.com}
  mastodon: {platform: mastodon, instance: https://mastodon.example, token_env: T_MASTODON}
  telegram: {platform: telegram, token_env: T_TELEGRAM, chat_id: "@brand"}
  discord: {platform: discord, webhook_env: T_DISCORD}
  bluesky: {platform: bluesky, handle: brand.bsky.social, password_env: T_BLUESKY}
  x: {platform: x}
  instagram: {platform: instagram, media_base_url: 'https://cloudleaf.github.io/social'}
"""
PNG = "content/media/still.png"


def _png(root: Path, name: str = PNG) -> None:
    from PIL import Image

    (root / name).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), "teal").save(root / name)


def _media(*items: str) -> str:
    return "\n" + "\n".join(f"  - {item}" for item in items)


def check(make_repo, smm, platforms: str, media_yaml: str, videos: dict[str, dict]) -> list[tuple[int, int, str, str]]:
    root = make_repo({"a.md": post_text(platforms=platforms, media=media_yaml)}, platforms=PLATFORMS)
    _png(root)
    for name, kw in videos.items():
        make_video(root / name, **kw)
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    return [(d["line"], d["column"], d["rule"], d["message"]) for d in diagnostics if d["severity"] == "error"]


@pytest.mark.parametrize("name, kw, mime, codec, size", [
    ("v.mp4", {}, "video/mp4", "h264", (720, 1280)),
    ("v.mov", {"audio": True}, "video/quicktime", "h264", (720, 1280)),
    ("v.webm", {"width": 640, "height": 360}, "video/webm", "vp9", (640, 360)),
    ("v.mp4", {"codec": "mpeg4", "width": 320, "height": 240, "seconds": 2}, "video/mp4", "mpeg4", (320, 240)),
    ("wrong-name.png", {}, None, "h264", (720, 1280)),  # a video named like a picture is still a video
])
def test_real_properties_not_the_name(tmp_path, name, kw, mime, codec, size):
    path = tmp_path / name
    make_video(path.with_suffix(".mp4") if path.suffix == ".png" else path, **kw)
    if path.suffix == ".png":
        path.with_suffix(".mp4").rename(path)
    info = media.inspect(path)
    assert info.problem is None and info.video is not None
    assert (info.video.video_codec, (info.width, info.height)) == (codec, size)
    assert info.mime == (mime or "video/mp4")
    assert info.video.duration == pytest.approx(kw.get("seconds", 1.0), abs=0.15)
    assert info.video.frame_rate == pytest.approx(10)


@pytest.mark.parametrize("cut", [lambda d: d[:len(d) // 2], lambda d: d[:40], lambda d: d[:12] + b"\0" * 200])
def test_damaged_video_is_media_invalid(make_repo, smm, cut):
    root = make_repo({"a.md": post_text(platforms="[mastodon]", media=_media("file: content/v.mp4"))}, platforms=PLATFORMS)
    data = make_video(root / "content/v.mp4").read_bytes()
    (root / "content/v.mp4").write_bytes(cut(data))
    code, diagnostics, _ = smm.json("check", "--now", NOW)
    found = [(d["line"], d["rule"]) for d in diagnostics if d["severity"] == "error"]
    assert code == 1 and found == [(6, "media.invalid")]
    assert "damaged or truncated video" in diagnostics[0]["message"]


# Each class of video problem, positioned at the media item's `file` (or the list), per network.
@pytest.mark.parametrize("platforms, media_yaml, videos, expected", [
    ("[telegram]", _media("file: content/v.webm"), {"content/v.webm": {}}, [(6, 11, "media.type", "telegram")]),
    ("[bluesky]", _media("file: content/v.webm"), {"content/v.webm": {}}, [(6, 11, "media.type", "bluesky")]),
    ("[bluesky]", _media("file: content/v.mp4\n    alt: " + "a" * 1001), {"content/v.mp4": {}},
     [(7, 10, "media.alt-too-long", "bluesky")]),
    ("[bluesky]", _media("file: content/v.mp4"), {"content/v.mp4": {"seconds": 181, "fps": 1, "width": 16, "height": 16}},
     [(6, 11, "media.duration", "bluesky")]),
    ("[discord]", _media("file: content/v.mp4"), {"content/v.mp4": {"seconds": 40, "fps": 30, "codec": "mpeg4",
                                                                     "width": 1280, "height": 720}},
     [(6, 11, "media.size", "discord")]),
    ("[mastodon]", _media("file: content/a.mp4", "file: content/b.mp4"), {"content/a.mp4": {}, "content/b.mp4": {}},
     [(6, 3, "media.video-count", "mastodon")]),
    ("[mastodon]", _media("file: content/a.mp4", f"{{file: {PNG}, alt: a still}}"), {"content/a.mp4": {}},
     [(6, 3, "media.video-count", "mastodon")]),
    ("[mastodon]", _media("file: content/a.mp4"), {"content/a.mp4": {"fps": 240, "seconds": 0.5}},
     [(6, 11, "media.codec", "mastodon")]),
    ("[x]", _media("file: content/v.mp4"), {"content/v.mp4": {"width": 1000, "height": 200}},
     [(6, 11, "media.aspect", "x")]),  # wider than 3:1
    ("[x]", _media("file: content/v.mp4"), {"content/v.mp4": {"codec": "mpeg4", "width": 320, "height": 240}},
     [(6, 11, "media.codec", "x")]),
    ("[instagram]", _media("file: content/v.mp4"), {"content/v.mp4": {"seconds": 2}},
     [(6, 11, "media.duration", "instagram")]),  # reels last 3 s at least
    ("[instagram]", _media("file: content/v.mp4", f"{{file: {PNG}, alt: a still}}"), {"content/v.mp4": {"seconds": 3}},
     [(7, 12, "media.type", "instagram")]),  # a carousel takes a video, but only JPEG pictures
    ("[telegram, discord, feed]", _media("file: content/a.mp4", f"{{file: {PNG}, alt: a still}}"), {"content/a.mp4": {}}, []),
])
def test_network_video_rules(make_repo, smm, platforms, media_yaml, videos, expected):
    found = check(make_repo, smm, platforms, media_yaml, videos)
    assert [(line, column, rule) for line, column, rule, _ in found] == [e[:3] for e in expected]
    assert all(message.startswith(e[3] + ":") for (_, _, _, message), e in zip(found, expected))


@pytest.mark.parametrize("cover, expected", [
    ('"00:00:00.5"', []),
    ("0.2", []),
    (f"{PNG}", []),
    ('"00:00:03"', [(7, 12, "media.cover")]),  # after the end of a 1 s video
    ("content/media/none.png", [(7, 12, "media.cover")]),
    ("content/v.mp4", [(7, 12, "media.cover")]),  # a video is no cover picture
    ("-3", [(7, 12, "media.cover")]),
])
def test_cover_time_or_picture(make_repo, smm, cover, expected):
    found = check(make_repo, smm, "[mastodon]", _media(f"file: content/v.mp4\n    cover: {cover}"),
                  {"content/v.mp4": {}})
    assert [(line, column, rule) for line, column, rule, _ in found] == expected


def test_cover_on_a_picture_is_an_error(make_repo, smm):
    found = check(make_repo, smm, "[mastodon]", _media(f"file: {PNG}\n    alt: still\n    cover: 1"), {})
    assert [(rule, line) for _, line, rule, _ in found][:1] and found[0][2] == "media.cover"


@pytest.mark.parametrize("text, seconds", [
    ("00:00:03", 3.0), ("1:02.5", 62.5), ("3", 3.0), (3, 3.0), (2.5, 2.5), ("01:00:00", 3600.0),
    ("content/a.png", None), ("1:75", None), ("-1", None), (True, None), ("inf", None), ("", None),
])
def test_parse_time(text, seconds):
    assert video.parse_time(text) == seconds


def test_frame_at_takes_the_frame_shown_then(tmp_path):
    path = make_video(tmp_path / "v.mp4", width=64, height=64, seconds=2)
    first, later = video.frame_at(path, 0), video.frame_at(path, 1.05)
    assert first.size == (64, 64) and first.getpixel((1, 1)) != later.getpixel((1, 1))


# --- Mastodon: a video is processed before the status is made ----------------------------------

class _FakeMastodon:
    """Mastodon.py's media calls as the server answers a video: `url` null until it is transcoded."""

    def __init__(self, ready_after: int):
        self.ready_after, self.asked, self.uploads, self.statuses = ready_after, 0, [], []

    def media_post(self, handle, **kwargs):
        thumbnail = kwargs.get("thumbnail")
        self.uploads.append({**kwargs, "thumbnail": thumbnail.read() if thumbnail else None, "bytes": handle.read()})
        return {"id": "9", "url": None}

    def media(self, media_id):
        self.asked += 1
        return {"id": media_id, "url": "https://files.example/9.mp4" if self.asked >= self.ready_after else None}

    def status_post(self, text, **kwargs):
        self.statuses.append((text, kwargs["media_ids"]))
        return {"id": "1", "url": "https://mastodon.example/@brand/1"}


@pytest.mark.parametrize("ready_after, cover, outcome", [
    (2, None, "published"),
    (1, "00:00:00.5", "published"),
    (10**6, None, "transient"),  # still processing after MEDIA_WAIT: nothing posted
])
def test_mastodon_waits_for_a_video_to_be_processed(tmp_path, monkeypatch, ready_after, cover, outcome):
    from smm.errors import TransientError
    from smm.platforms import Outgoing
    from smm.platforms import mastodon

    monkeypatch.setattr(mastodon, "MEDIA_POLL", 0.01)
    monkeypatch.setattr(mastodon, "MEDIA_WAIT", 0.1)
    fake = _FakeMastodon(ready_after)
    account = type("Account", (), {"name": "mastodon", "options": {"instance": "https://mastodon.example",
                                                                   "token_env": "T"}})()
    adapter = mastodon.Mastodon(account, {"T": "token"}, tmp_path, client_factory=lambda **kwargs: fake)
    path = make_video(tmp_path / "v.mp4", width=64, height=64)
    covers = ((path, video.parse_time(cover)),) if cover else ()
    outgoing = Outgoing("p", "mastodon", "T", "Hello", media=((path, "A clip"),), covers=covers)
    if outcome == "transient":
        with pytest.raises(TransientError) as caught:
            adapter.publish(outgoing, idempotency_key="k")
        assert not caught.value.outcome_unknown and "still being processed" in caught.value.message
        assert fake.statuses == []
        return
    assert adapter.publish(outgoing, idempotency_key="k").remote_id == "1"
    assert fake.statuses == [("Hello", ["9"])] and fake.asked == ready_after
    [upload] = fake.uploads
    assert (upload["mime_type"], upload["description"], upload["bytes"]) == ("video/mp4", "A clip", path.read_bytes())
    assert (upload["thumbnail"] or b"")[:2] == (b"\xff\xd8" if cover else b"")  # the chosen frame, as a JPEG


# --- the feed: media as enclosures -----------------------------------------------------------------

@pytest.mark.parametrize("options, base", [
    ("site: https://example.com", "https://example.com/"),
    ("site: https://example.com/blog, media_url: https://cdn.example.com/repo/", "https://cdn.example.com/repo/"),
])
def test_feed_entries_carry_the_media_as_enclosures(make_repo, smm, options, base):
    import json
    from xml.etree import ElementTree as ET

    platforms = f"timezone: UTC\naccounts:\n  feed: {{platform: feed, path: data/feed/feed.xml, {options}}}\n"
    media_yaml = _media("file: content/media/clip one.mp4", f"{{file: {PNG}, alt: a still}}")
    root = make_repo({"a.md": post_text(platforms="[feed]", publish_at="2026-11-30T12:00", media=media_yaml)},
                     platforms=platforms, calendar=None)
    _png(root)
    make_video(root / "content/media/clip one.mp4", width=64, height=64)
    code, out, err = smm("publish", "--now", "2026-12-01T00:00:00+00:00")
    assert code == 0, out + err
    [item] = json.loads((root / "data/feed/feed.json").read_text())["items"]
    sizes = [(root / "content/media/clip one.mp4").stat().st_size, (root / PNG).stat().st_size]
    assert item["attachments"] == [
        {"url": base + "content/media/clip%20one.mp4", "mime_type": "video/mp4", "size_in_bytes": sizes[0]},
        {"url": base + PNG, "mime_type": "image/png", "size_in_bytes": sizes[1]}]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = ET.parse(root / "data/feed/feed.xml").getroot().find("a:entry", ns)
    links = [(link.get("href"), link.get("type"), link.get("length")) for link in entry.findall("a:link", ns)
             if link.get("rel") == "enclosure"]
    assert links == [(a["url"], a["mime_type"], str(a["size_in_bytes"])) for a in item["attachments"]]
