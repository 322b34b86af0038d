"""What a platform declares besides its limits: the media it takes (MediaRules, VideoRules), how
its preview card looks (Display), and the schemas of account options several platforms share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping


@dataclass(frozen=True)
class MediaRules:
    min_count: int = 0  # Instagram: a post is an image or a video, never text alone
    max_count: int = 4
    types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    max_bytes: int = 5 * 1024 * 1024
    max_pixels: int | None = None  # width × height
    alt_supported: bool = True
    alt_limit: int | None = None
    video: VideoRules | None = None  # None: smm sends this network no video


@dataclass(frozen=True)
class VideoRules:
    """What a network takes of a video (read from the file by smm.content.video, never from its name)."""

    types: frozenset[str] = frozenset({"video/mp4", "video/quicktime", "video/webm"})
    max_count: int = 1
    with_images: bool = False  # a video and pictures in one post
    max_bytes: int = 100 * 1024 * 1024
    min_seconds: float = 0.0
    max_seconds: float | None = None
    min_aspect: float | None = None  # width / height
    max_aspect: float | None = None
    codecs: frozenset[str] | None = None  # FFmpeg's names (h264, hevc, vp9...); None: any
    max_frame_rate: float | None = None
    cover: bool = False  # takes a chosen cover (`cover:` of the media item); elsewhere it is ignored
    alt_limit: int | None = None  # characters of a video's description, where it differs from a picture's


def secret_option(holds: str) -> dict:
    """The schema of an account option that names the environment variable holding a secret."""
    return {"description": f"Name of the environment variable that holds {holds}.", "$ref": "#/$defs/env"}


def api_base_option(default: str) -> dict:
    """The schema of the `api_base` account option: where the network's API is (tests and proxies move it)."""
    return {"description": f"The API's base URL; default `{default}` (tests and proxies point it elsewhere).",
            "$ref": "#/$defs/url"}


TOKEN_OPTION = {"token_env": secret_option("the access token")}
API_BASE_OPTION = {"api_base": {"description": "The API's base URL; default the network's official host (tests and "
                                               "proxies point it elsewhere).", "$ref": "#/$defs/url"}}
HANDLE_OPTION = {"handle": {"description": "The account's handle, without `@`.", "type": "string",
                            "pattern": r"^[^@\s][^\s]*$"}}


def recorded_expiry(options: Mapping, lifetime: timedelta) -> datetime | None:
    """When the token expires by the date platforms.yml records it was issued (`token_issued`),
    None when it records none (or no real date)."""
    try:
        issued = date.fromisoformat(str(options.get("token_issued") or ""))
    except ValueError:
        return None
    return datetime.combine(issued, time(), timezone.utc) + lifetime


@dataclass(frozen=True)
class Display:
    """How `smm preview --format html` draws this network's card."""

    accent: str = "#65676b"  # borders, badges, the avatar
    ink: str = "#1a5c9e"  # text and links: a darker shade, 4.5:1 on white
    link_chars: int | None = None  # characters of a link (without https://) shown before "…"; None: all
    square_avatar: bool = False
    shows_title: bool = False  # an entry with its title and link (the feed)
