"""Telegram channels: 4096 characters (code points) of text, 1024 for a media caption.

Publishing uses the Bot API (https://core.telegram.org/bots/api): `sendMessage` for text,
`sendPhoto` for one image, `sendVideo` for one video (with its width, height and duration, and
a chosen `cover:` as its `cover`), `sendMediaGroup` for 2–10 pictures and videos (an album, the
caption on its first item), each with `parse_mode: HTML` since the rendered text is already
Telegram-HTML.
Thread parts reply to the previous part with `reply_parameters`. The remote id is the
message id (an album's first message); the URL is `https://t.me/<channel>/<id>` for a
public channel. Bots cannot read a channel's history, so `find()` is not supported and a
call whose outcome is unknown becomes `unconfirmed`.

The bot token is part of every request's URL. It must never reach an error message, a log
line or a record: requests go through `SecretCalls`, which hides it from httpx's own
request log and scrubs it from any error text.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from pathlib import Path

from smm.content import video
from smm.errors import AuthError, Rejected, TransientError
from smm.platforms.base import (
    TOKEN_OPTION,
    Credentials,
    Display,
    MediaRules,
    Outgoing,
    Platform,
    PublishResult,
    VideoRules,
)
from smm.platforms import answers
from smm.platforms.http import SecretCalls, hide, open_media

_TAG = re.compile(r"<[^>]*>")
# TDLib, which the Bot API server runs, reads the HTML (td/telegram/MessageEntity.cpp, decode_html_entity):
# an entity's ";" may be left out; a named one is lt, gt, amp or quot, as written (Bot API: "only the following
# named HTML entities"); a numeric one is 1 to 0x10FFFE written in fewer than 10 characters, hexadecimal after
# a small "x" only. Any other "&" is text.
_ENTITY = re.compile(r"&(?:#(x[0-9a-fA-F]*|[0-9]*)|(lt|gt|amp|quot)(?![a-zA-Z]));?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Then it cleans the text (td/telegram/misc.cpp, clean_input_string): a control character but "\n" becomes a
# space, and "\r", U+2028-U+202E and the combining marks U+030A, U+0333 and U+033F are removed.
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f]")
_REMOVED = re.compile("[\r\u2028-\u202e\u030a\u0333\u033f]")
API = "https://api.telegram.org"


def _decoded(entity: re.Match) -> str:
    number, name = entity.group(1, 2)
    if name:
        return _NAMED[name]
    value = int(number[1:] or "0", 16) if number.startswith("x") else int(number or "0")
    written = len(entity.group()) - entity.group().endswith(";")
    return chr(value) if 0 < value < 0x10FFFF and written < 10 else entity.group()


def kept_text(message: str) -> str:
    """The text Telegram keeps of a message sent with `parse_mode: HTML`: tags removed, entities decoded and
    the text cleaned as TDLib does (_ENTITY, _CONTROL, _REMOVED); then spaces and line breaks trimmed from
    its end, and from its start up to the first tag (fix_formatted_text: none inside an entity)."""
    def shown(html_text: str) -> str:
        return _REMOVED.sub("", _CONTROL.sub(" ", _ENTITY.sub(_decoded, _TAG.sub("", html_text))))

    first_tag = _TAG.search(message)
    cut = first_tag.start() if first_tag else len(message)
    return (shown(message[:cut]).lstrip(" \n") + shown(message[cut:])).rstrip(" \n")


# -- the platform ----------------------------------------------------------------------------


class Telegram(Platform):
    name = "telegram"
    label = "Telegram"
    text_limit = 4096
    caption_limit = 1024
    unit = "characters"
    counting_rule = "code points of the text Telegram keeps (after entity parsing and its clean-up)"
    markup = "telegram"
    threads = True
    # Bots send files up to 50 MB; "Telegram clients support MPEG4 videos" (sendVideo), in an album too
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_supported=False,
                       video=VideoRules(types=frozenset({"video/mp4"}), max_count=10, with_images=True,
                                        max_bytes=50 * 1000 * 1000, cover=True))
    secrets = ("token_env",)
    options = {
        **TOKEN_OPTION,
        "chat_id": {"description": "The channel (`@name`) or chat id to post to.", "type": ["string", "integer"]},
    }
    options_rule = {"required": ["token_env", "chat_id"]}
    display = Display("#229ed9", "#13719c")
    can_publish = True
    # find() stays the base one (NotSupported): a bot cannot read a channel's history.
    # `reconciles` stays False: an unknown outcome becomes `unconfirmed`, for `smm resolve`.

    @staticmethod
    def length(text: str) -> int:
        """Code points of the message as Telegram keeps it (kept_text): TDLib refuses a bot's text or caption
        of more code points than the limit (td/telegram/MessageContent.cpp: `utf8_length(...) >
        message_text_length_max`), so an emoji outside the BMP counts 1, not its 2 UTF-16 units."""
        return len(kept_text(text))

    # -- the adapter ------------------------------------------------------------------

    @property
    def token(self) -> str:
        return self.secret("token_env").strip()  # CI secrets often end with a newline

    @property
    def calls(self) -> SecretCalls:
        if not hasattr(self, "_calls"):
            self._calls = SecretCalls(self.token, is_url=False, transport=self.transport)
        return self._calls

    def _call(self, method: str, **kwargs):
        """One Bot API method; its `result`, or the typed error (https://core.telegram.org/bots/api#making-requests)."""
        calls = self.calls
        label = f"Telegram {method}"
        try:
            response = calls.send("POST", f"{API}/bot{self.token}/{method}", label, **kwargs)
        except Rejected as exc:
            if "chat not found" in exc.message:  # 400, but the account is wrong, not the post
                raise AuthError(f"{exc.message} (check chat_id and that the bot is an administrator of the channel)",
                                account=self.account.name) from None
            raise
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"{label}: HTTP {response.status_code} but the answer is not JSON; "
                                 "the message may have been sent", outcome_unknown=True) from None
        if not isinstance(body, dict) or not body.get("ok") or "result" not in body:
            description = body.get("description") if isinstance(body, dict) else None
            raise Rejected(hide(f"{label}: {description or 'the answer is not ok'}", calls.secrets))
        return body["result"]

    def check_credentials(self) -> Credentials:
        """getMe (the token), then getChat (the bot can reach the channel); bot tokens last until revoked."""
        bot = self._call("getMe")
        chat = self._call("getChat", json={"chat_id": self.options["chat_id"]})
        where = f"@{chat['username']}" if chat.get("username") else chat.get("title") or self.options["chat_id"]
        return Credentials(f"@{bot.get('username')} in {where}", never_expires=True)

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        chat_id = self.options["chat_id"]
        reply = {"message_id": int(outgoing.reply_to.remote_id)} if outgoing.reply_to else None
        if not outgoing.media:
            payload = {"chat_id": chat_id, "text": outgoing.text, "parse_mode": "HTML"}
            if reply:
                payload["reply_parameters"] = reply
            messages = [self._call("sendMessage", json=payload)]
        else:
            # Multipart: every field a string, objects JSON-serialized (#sending-files, #inputfile).
            fields = {"chat_id": str(chat_id)}
            if reply:
                fields["reply_parameters"] = json.dumps(reply)
            kinds = [_kind(path) for path, _alt in outgoing.media]
            with ExitStack() as stack:
                if len(outgoing.media) == 1:
                    files = open_media(stack, outgoing.media, lambda i: kinds[0])
                    if outgoing.text:
                        fields |= {"caption": outgoing.text, "parse_mode": "HTML"}
                    if kinds[0] == "video":  # #sendvideo
                        fields |= {key: json.dumps(value) for key, value in _video_fields(outgoing.media[0][0]).items()}
                        files |= _cover(outgoing, outgoing.media[0][0], "cover")
                    method = "sendVideo" if kinds[0] == "video" else "sendPhoto"
                    messages = [self._call(method, data=fields, files=files)]
                else:
                    files = open_media(stack, outgoing.media, lambda i: f"{kinds[i]}{i}")
                    items = [{"type": kind, "media": f"attach://{name}"} for kind, name in zip(kinds, list(files))]
                    for index, item in enumerate(items):  # #inputmediavideo
                        if item["type"] == "video":
                            path = outgoing.media[index][0]
                            item |= _video_fields(path)
                            cover = _cover(outgoing, path, f"cover{index}")
                            files |= cover
                            item |= {"cover": f"attach://cover{index}"} if cover else {}
                    if outgoing.text:
                        items[0] |= {"caption": outgoing.text, "parse_mode": "HTML"}
                    fields["media"] = json.dumps(items, ensure_ascii=False)
                    messages = self._call("sendMediaGroup", data=fields, files=files)
        try:
            first = messages[0]
            return PublishResult(answers.ident(first["message_id"], "message_id"), self.message_url(first),
                                 {"message_ids": [m["message_id"] for m in messages]})
        except (KeyError, IndexError, TypeError, ValueError):
            raise TransientError("Telegram: sent, but the answer has no message id", outcome_unknown=True) from None

    def message_url(self, message: dict) -> str | None:
        """`https://t.me/<username>/<id>` for a public channel or group, else None."""
        chat_id = str(self.options["chat_id"])
        chat = message.get("chat") or {}
        if chat_id.startswith("@"):
            username = chat_id[1:]
        elif chat.get("type") in ("channel", "supergroup") and chat.get("username"):
            username = chat["username"]
        else:
            return None  # a private chat or channel has no public link
        return f"https://t.me/{username}/{message['message_id']}"


def _kind(path) -> str:
    """`video` or `photo`, from the file's content."""
    from smm.content.media import inspect

    return "video" if inspect(Path(path)).is_video else "photo"


def _video_fields(path) -> dict:
    """sendVideo's width, height, duration (whole seconds) and supports_streaming."""
    from smm.content.media import inspect

    found = inspect(Path(path)).video
    return {"width": found.width, "height": found.height, "duration": round(found.duration), "supports_streaming": True}


def _cover(outgoing: Outgoing, path, name: str) -> dict:
    """The chosen cover of the video at `path` as a multipart JPEG (Bot API 8.3 `cover`), or none."""
    chosen = dict(outgoing.covers).get(Path(path))
    if chosen is None:
        return {}
    try:
        image = video.jpeg(video.cover_image(Path(path), chosen), 1280)
    except (OSError, video.NotVideo) as exc:  # nothing was sent
        raise Rejected(f"cannot make the cover of {Path(path).name}: {getattr(exc, 'strerror', None) or exc}") from None
    return {name: (f"{name}.jpg", image, "image/jpeg")}
