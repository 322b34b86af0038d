"""Media for X through the v2 upload endpoint, then alt text through the metadata endpoint.

An image other than a GIF goes in one multipart request (`media_category=tweet_image`); a GIF
or a video goes in chunks: INIT (media_type, total_bytes, media_category), APPEND each segment
(segment_index, 4 MiB at most), FINALIZE, then STATUS while `processing_info.state` is `pending`
or `in_progress`, waiting the `check_after_secs` X asks for; `failed` refuses the post.
"""

from __future__ import annotations

import time
from pathlib import Path

from smm.errors import Rejected, TransientError
from smm.platforms import answers

CHUNK = 4 * 1024 * 1024
MAX_PROCESSING = 300.0  # seconds of waiting for X to process a video before giving up (nothing was posted)


def category(mime: str) -> str:
    if mime == "image/gif":
        return "tweet_gif"
    return "tweet_video" if mime.startswith("video/") else "tweet_image"


def upload(adapter, path: Path, alt: str | None) -> str:
    """The media id of one file, processed and carrying its alt text."""
    from smm.content.media import inspect

    mime = inspect(path).mime
    try:
        data = path.read_bytes()
    except OSError as exc:  # nothing was sent
        raise Rejected(f"cannot read the media file {path.name}: {exc.strerror}") from None
    kind = category(mime)
    if kind == "tweet_image":
        answer = adapter.call("POST", "/2/media/upload", "media upload",
                              data={"media_category": kind, "media_type": mime},
                              files={"media": (path.name, data, mime)})
        media = adapter.data(answer, "media upload")
    else:
        media = _chunked(adapter, path.name, data, mime, kind)
    media_id = answers.ident(media.get("id"), "media id")
    if alt:
        adapter.call("POST", "/2/media/metadata", "alt text",
                     json={"id": media_id, "metadata": {"alt_text": {"text": alt}}})
    return media_id


def _chunked(adapter, name: str, data: bytes, mime: str, kind: str) -> dict:
    init = adapter.data(adapter.call("POST", "/2/media/upload", "media upload (INIT)", data={
        "command": "INIT", "media_type": mime, "total_bytes": str(len(data)), "media_category": kind}),
        "media upload (INIT)")
    media_id = answers.ident(init.get("id"), "media id")
    for index, start in enumerate(range(0, len(data), CHUNK)):
        adapter.call("POST", "/2/media/upload", "media upload (APPEND)",
                     data={"command": "APPEND", "media_id": media_id, "segment_index": str(index)},
                     files={"media": (name, data[start:start + CHUNK], "application/octet-stream")})
    media = adapter.data(adapter.call("POST", "/2/media/upload", "media upload (FINALIZE)",
                                      data={"command": "FINALIZE", "media_id": media_id}), "media upload (FINALIZE)")
    return _processed(adapter, media, name)


def _processed(adapter, media: dict, name: str) -> dict:
    """The media once X has processed it: STATUS polled as often as `check_after_secs` says."""
    waited = 0.0
    while True:
        info = media.get("processing_info") or {}
        state = info.get("state", "succeeded")
        if state == "succeeded":
            return media
        if state == "failed":
            error = info.get("error") or {}
            raise Rejected(f"X could not process {name}: {error.get('message') or error.get('name') or 'failed'}")
        wait = max(1.0, float(info.get("check_after_secs") or 1))
        if waited + wait > MAX_PROCESSING:
            raise TransientError(f"X was still processing {name} after {int(waited)} s")
        getattr(adapter, "sleep", time.sleep)(wait)
        waited += wait
        media = adapter.data(adapter.call("GET", "/2/media/upload", "media status",
                                          params={"command": "STATUS", "media_id": str(media["id"])}), "media status")
