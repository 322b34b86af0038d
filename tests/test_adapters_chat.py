"""Telegram, Discord and Slack adapters: REPLAYS of the documented HTTP, through respx.

Nothing here talks to a real network. Each test replays the request and response shapes the
networks document (the section is cited beside each shape) and checks the exact request
the adapter sends and what the engine (smm.publish.pipeline.Publisher, or the real `smm publish`)
makes of the answer: published, retried after a rate limit, failed for good or not,
unconfirmed after a timeout. A replay proves the adapter matches the documentation as
written here, not that the network still behaves so; see the README's platform table.

    Telegram  https://core.telegram.org/bots/api  (#making-requests, #sendmessage, #sendphoto,
              #sendmediagroup, #inputmediaphoto, #sendvideo, #inputmediavideo, #replyparameters,
              #responseparameters, #message)
    Discord   https://discord.com/developers/docs/resources/webhook#execute-webhook,
              #get-webhook-with-token; /docs/reference#uploading-files; /docs/topics/rate-limits
    Slack     https://api.slack.com/messaging/webhooks (#posting_with_webhooks, #handling_errors);
              https://api.slack.com/apis/rate-limits (incoming webhooks: 429 with Retry-After)

Secrets are fake but treated as real: assertions compare URLs with the secret replaced by
a placeholder, so a failing assertion never prints one.
"""

from __future__ import annotations

import email
import io
import email.policy
import json
import logging
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import respx
from conftest import post_text
from PIL import Image
from videos import make_video

from smm.content import video
from smm.errors import AuthError, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, PublishResult
from smm.platforms.discord import Discord
from smm.platforms.slack import Slack
from smm.platforms.telegram import Telegram
from smm.publish.pipeline import Publisher
from smm.workspace.repo import load_repo

NOW = "2026-12-01T12:00:00+08:00"
TOKEN = "7012345678:AAFakeTokenForReplaysOnly_x9Qw-ZZZZZZZ"
DISCORD_HOOK = "https://discord.com/api/webhooks/1234567890123456789/FakeDiscordWebhookTokenForReplays-abcdef"
SLACK_HOOK = "https://hooks.slack.com/services/T00000000/B00000000/FakeSlackSecretXXXXXXXX"
ENV = {"T_TG_TOKEN": TOKEN, "T_DC_HOOK": DISCORD_HOOK, "T_SL_HOOK": SLACK_HOOK}
SECRETS = [TOKEN, DISCORD_HOOK, SLACK_HOOK, "FakeDiscordWebhookTokenForReplays-abcdef", "FakeSlackSecretXXXXXXXX"]

PLATFORMS = """\
timezone: Asia/Shanghai
accounts:
  tg: {platform: telegram, token_env: T_TG_TOKEN, chat_id: "@brandchannel"}
  tg_private: {platform: telegram, token_env: T_TG_TOKEN, chat_id: -1001234567890}
  dc: {platform: discord, webhook_env: T_DC_HOOK}
  sl: {platform: slack, webhook_env: T_SL_HOOK}
"""

TG = "https://api.telegram.org/bot" + TOKEN
TG_SEND = TG + "/sendMessage"
DC_POST = DISCORD_HOOK  # + ?wait=true
GUILD = "41771983423143937"
CHANNEL = "290926798999357250"


def shown(url) -> str:
    """A URL as safe to print: each secret replaced by a placeholder."""
    text = str(url)
    for secret, name in ((TOKEN, "<token>"), (DISCORD_HOOK, "<discord-webhook>"), (SLACK_HOOK, "<slack-webhook>")):
        text = text.replace(secret, name)
    return text


# --- documented response shapes -------------------------------------------------------------


def tg_message(message_id: int, chat: dict | None = None, **extra) -> dict:
    """A Message (#message) as `result`: {"ok": true, "result": ...} (#making-requests)."""
    chat = chat or {"id": -1001234567890, "title": "Brand", "username": "brandchannel", "type": "channel"}
    return {"message_id": message_id, "sender_chat": chat, "chat": chat, "date": 1796097600, **extra}


def tg_ok(result) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def tg_error(code: int, description: str, **parameters) -> httpx.Response:
    """The error shape: ok false, error_code, description, optional parameters (#responseparameters)."""
    body = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(code, json=body)


def dc_message(message_id: str = "1180000000000000001", **extra) -> httpx.Response:
    """The message object Execute Webhook returns with wait=true (#execute-webhook; message object)."""
    return httpx.Response(200, json={
        "id": message_id, "type": 0, "channel_id": CHANNEL, "content": "", "webhook_id": "1234567890123456789",
        "author": {"id": "1234567890123456789", "username": "Brand", "bot": True}, "attachments": [], "embeds": [],
        "timestamp": "2026-12-01T04:00:00.000000+00:00", **extra})


def dc_webhook() -> httpx.Response:
    """Get Webhook with Token: the webhook object without `user` (#get-webhook-with-token)."""
    return httpx.Response(200, json={"id": "1234567890123456789", "type": 1, "name": "Brand", "avatar": None,
                                     "channel_id": CHANNEL, "guild_id": GUILD, "application_id": None})


def dc_rate_limited(seconds: float) -> httpx.Response:
    """429 with the body and headers of /docs/topics/rate-limits (#exceeding-a-rate-limit)."""
    return httpx.Response(429, json={"message": "You are being rate limited.", "retry_after": seconds, "global": False},
                          headers={"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                                   "X-RateLimit-Reset-After": str(seconds), "X-RateLimit-Bucket": "abcd1234",
                                   "X-RateLimit-Scope": "shared"})


def sl_ok() -> httpx.Response:
    """Incoming webhooks answer 200 with the body `ok` (#posting_with_webhooks)."""
    return httpx.Response(200, text="ok", headers={"Content-Type": "text/html"})


def sl_error(status: int, code: str) -> httpx.Response:
    """Errors are a status and a short string body (#handling_errors)."""
    return httpx.Response(status, text=code, headers={"Content-Type": "text/html"})


# --- helpers ------------------------------------------------------------------------------


def png(path: Path, color: str = "red") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 12), color).save(path)
    return path


def form(request: httpx.Request) -> dict[str, dict]:
    """A multipart/form-data body as {field: {"filename", "type", "value"}}."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.read(), policy=email.policy.HTTP)
    assert message.is_multipart()
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        fields[name] = {"filename": filename, "type": part.get_content_type() if filename else None,
                        "value": payload if filename else payload.decode()}
    return fields


def body(request: httpx.Request) -> dict:
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.read())


@pytest.fixture
def repo(make_repo):
    def build(posts: dict[str, str], files: dict | None = None) -> Path:
        return make_repo(posts, platforms=PLATFORMS, calendar=None, files=files)
    return build


def due(accounts: str, body: str = "Hello **world** & <friends>", **fields) -> str:
    return post_text(body, publish_at="2026-12-01T11:00", platforms=accounts, **fields)


def publisher(root: Path, sleeps: list | None = None, env: dict | None = None) -> Publisher:
    return Publisher(load_repo(root), datetime.fromisoformat(NOW), ENV if env is None else env,
                     sleep=(sleeps if sleeps is not None else []).append)


def record(root: Path, post: str) -> dict:
    return json.loads((root / f"data/published/{post}.json").read_text())["accounts"]


def adapter(root: Path, account: str):
    repo = load_repo(root)
    cls = {"telegram": Telegram, "discord": Discord, "slack": Slack}[repo.config.accounts[account].platform]
    return cls(repo.config.accounts[account], ENV, root)


def outgoing(account: str, text: str, **fields) -> Outgoing:
    return Outgoing(post_id="p", account=account, title="Launch day", text=text, **fields)


@pytest.fixture
def mock():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


# --- Telegram -----------------------------------------------------------------------------


def test_telegram_text_is_sendmessage_with_html_parse_mode(repo, mock):
    root = repo({"a.md": due("[tg]")})
    route = mock.post(TG_SEND).mock(return_value=tg_ok(tg_message(42, text="Hello world & <friends>")))
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", "https://t.me/brandchannel/42")]
    request = route.calls.last.request
    assert shown(request.url) == "https://api.telegram.org/bot<token>/sendMessage"
    # #sendmessage: chat_id, text, parse_mode; the text is already Telegram-HTML (escaped)
    assert body(request) == {"chat_id": "@brandchannel", "text": "Hello <b>world</b> &amp; &lt;friends&gt;",
                             "parse_mode": "HTML"}
    assert record(root, "a")["tg"]["remote_id"] == "42"


def test_telegram_numeric_chat_id_is_sent_as_a_number_and_has_no_url(repo, mock):
    root = repo({"a.md": due("[tg_private]")})
    private = {"id": -1001234567890, "title": "Brand staff", "type": "channel"}
    route = mock.post(TG_SEND).mock(return_value=tg_ok(tg_message(7, chat=private)))
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", None)]
    assert body(route.calls.last.request)["chat_id"] == -1001234567890


def test_telegram_public_channel_by_number_gets_its_url_from_the_answer(repo, mock):
    root = repo({"a.md": due("[tg_private]")})
    mock.post(TG_SEND).mock(return_value=tg_ok(tg_message(8)))  # the chat has a username
    assert [j.url for j in publisher(root).run().jobs] == ["https://t.me/brandchannel/8"]


def test_telegram_thread_parts_reply_with_reply_parameters(repo, mock):
    root = repo({"t.md": due("[tg]", body="First part.\n\n<!-- split -->\n\nSecond part.", thread="auto")})
    route = mock.post(TG_SEND).mock(side_effect=[tg_ok(tg_message(100)), tg_ok(tg_message(101))])
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["published"]
    first, second = (body(call.request) for call in route.calls)
    assert "reply_parameters" not in first
    assert second["reply_parameters"] == {"message_id": 100}  # #replyparameters: the previous part
    assert [p["remote_id"] for p in record(root, "t")["tg"]["parts"]] == ["100", "101"]


def test_telegram_one_image_is_sendphoto_multipart_with_the_caption(repo, mock):
    root = repo({"a.md": due("[tg]", media='[{file: media/a.png, alt: "A red square"}]')})
    png(root / "media/a.png")
    route = mock.post(TG + "/sendPhoto").mock(return_value=tg_ok(tg_message(50, photo=[])))
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", "https://t.me/brandchannel/50")]
    request = route.calls.last.request
    assert shown(request.url) == "https://api.telegram.org/bot<token>/sendPhoto"
    fields = form(request)  # #sendphoto, uploaded as multipart/form-data (#sending-files)
    assert sorted(fields) == ["caption", "chat_id", "parse_mode", "photo"]
    assert fields["chat_id"]["value"] == "@brandchannel"
    assert fields["caption"]["value"] == "Hello <b>world</b> &amp; &lt;friends&gt;"
    assert fields["parse_mode"]["value"] == "HTML"
    assert (fields["photo"]["filename"], fields["photo"]["type"]) == ("a.png", "image/png")
    assert fields["photo"]["value"] == (root / "media/a.png").read_bytes()


def test_telegram_several_images_are_one_media_group(repo, mock):
    media = "[" + ", ".join(f'{{file: media/{n}.png, alt: "Image {n}"}}' for n in "abc") + "]"
    root = repo({"a.md": due("[tg]", media=media)})
    for n, color in zip("abc", ("red", "green", "blue")):
        png(root / f"media/{n}.png", color)
    group = [tg_message(60 + i, media_group_id="13579") for i in range(3)]  # #sendmediagroup: an array of Messages
    route = mock.post(TG + "/sendMediaGroup").mock(return_value=tg_ok(group))
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", "https://t.me/brandchannel/60")]
    fields = form(route.calls.last.request)
    assert sorted(fields) == ["chat_id", "media", "photo0", "photo1", "photo2"]
    # #inputmediaphoto: files attached as attach://<field>; the caption on the first item only
    assert json.loads(fields["media"]["value"]) == [
        {"type": "photo", "media": "attach://photo0", "caption": "Hello <b>world</b> &amp; &lt;friends&gt;",
         "parse_mode": "HTML"},
        {"type": "photo", "media": "attach://photo1"},
        {"type": "photo", "media": "attach://photo2"}]
    for i, n in enumerate("abc"):
        assert fields[f"photo{i}"]["value"] == (root / f"media/{n}.png").read_bytes()
    assert record(root, "a")["tg"]["remote_id"] == "60"


@pytest.mark.parametrize("cover", [None, '"00:00:01"', "media/cover.png"])
def test_telegram_one_video_is_sendvideo_with_its_size_and_chosen_cover(repo, mock, cover):
    item = "{file: media/v.mp4" + (f", cover: {cover}" if cover else "") + "}"
    root = repo({"a.md": due("[tg]", media=f"[{item}]")})
    make_video(root / "media/v.mp4", width=360, height=640, seconds=2)
    png(root / "media/cover.png", "blue")
    route = mock.post(TG + "/sendVideo").mock(return_value=tg_ok(tg_message(51, video={})))
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", "https://t.me/brandchannel/51")]
    fields = form(route.calls.last.request)  # #sendvideo
    assert sorted(fields) == sorted(["caption", "chat_id", "parse_mode", "video", "width", "height", "duration",
                                     "supports_streaming"] + (["cover"] if cover else []))
    assert (fields["width"]["value"], fields["height"]["value"], fields["duration"]["value"]) == ("360", "640", "2")
    assert fields["supports_streaming"]["value"] == "true"
    assert (fields["video"]["filename"], fields["video"]["type"]) == ("v.mp4", "video/mp4")
    assert fields["video"]["value"] == (root / "media/v.mp4").read_bytes()
    if cover:
        assert fields["cover"]["type"] == "image/jpeg"
        picture = cover.endswith(".png")
        expected = (0, 0, 255) if picture else video.frame_at(root / "media/v.mp4", 1.0).convert("RGB").getpixel((8, 8))
        with Image.open(io.BytesIO(fields["cover"]["value"])) as image:
            assert image.size == ((16, 12) if picture else (360, 640))
            assert all(abs(a - b) < 12 for a, b in zip(image.getpixel((8, 6)), expected))


def test_telegram_a_video_and_pictures_are_one_album(repo, mock):
    media = '[{file: media/a.png, alt: "A"}, {file: media/v.mp4, cover: 0.5}]'
    root = repo({"a.md": due("[tg]", media=media)})
    png(root / "media/a.png")
    make_video(root / "media/v.mp4", width=320, height=240)
    route = mock.post(TG + "/sendMediaGroup").mock(
        return_value=tg_ok([tg_message(70, media_group_id="1"), tg_message(71, media_group_id="1")]))
    assert [j.state for j in publisher(root).run().jobs] == ["published"]
    fields = form(route.calls.last.request)
    assert sorted(fields) == ["chat_id", "cover1", "media", "photo0", "video1"]
    assert json.loads(fields["media"]["value"]) == [  # #inputmediavideo
        {"type": "photo", "media": "attach://photo0", "caption": "Hello <b>world</b> &amp; &lt;friends&gt;",
         "parse_mode": "HTML"},
        {"type": "video", "media": "attach://video1", "width": 320, "height": 240, "duration": 1,
         "supports_streaming": True, "cover": "attach://cover1"}]


def test_discord_a_video_is_an_attachment(repo, mock):
    root = repo({"a.md": due("[dc]", media='[{file: media/v.mp4, alt: "A short clip"}]')})
    make_video(root / "media/v.mp4", width=320, height=240)
    post = mock.post(DC_POST, params={"wait": "true"}).mock(return_value=dc_message("1180000000000000009"))
    mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
    assert [j.state for j in publisher(root).run().jobs] == ["published"]
    fields = form(post.calls.last.request)
    assert json.loads(fields["payload_json"]["value"])["attachments"] == [
        {"id": 0, "filename": "v.mp4", "description": "A short clip"}]
    assert (fields["files[0]"]["type"], fields["files[0]"]["value"]) == ("video/mp4", (root / "media/v.mp4").read_bytes())


def test_telegram_media_reply_parameters_are_json_in_the_form(tmp_path, repo, mock):
    root = repo({})
    png(tmp_path / "x.png")
    route = mock.post(TG + "/sendPhoto").mock(return_value=tg_ok(tg_message(71)))
    result = adapter(root, "tg").publish(
        outgoing("tg", "Caption", media=((tmp_path / "x.png", None),), index=1, total=2,
                 reply_to=PublishResult("70")), idempotency_key="k")
    assert result == PublishResult("71", "https://t.me/brandchannel/71", {"message_ids": [71]})
    assert json.loads(form(route.calls.last.request)["reply_parameters"]["value"]) == {"message_id": 70}


def test_a_missing_media_file_fails_before_anything_is_sent(tmp_path, repo, mock):
    root = repo({})
    for account in ("tg", "dc"):
        with pytest.raises(Rejected, match="cannot read the media file gone.png"):
            adapter(root, account).publish(outgoing(account, "Hi", media=((tmp_path / "gone.png", "alt"),)),
                                           idempotency_key="k")
    assert not mock.calls


def test_telegram_429_waits_parameters_retry_after(repo, mock):
    root = repo({"a.md": due("[tg]")})
    mock.post(TG_SEND).mock(side_effect=[
        tg_error(429, "Too Many Requests: retry after 3", retry_after=3), tg_ok(tg_message(9))])
    sleeps = []
    assert [j.state for j in publisher(root, sleeps).run().jobs] == ["published"]
    assert sleeps == [3.0]


def test_telegram_chat_not_found_is_an_account_problem_not_the_posts(repo, mock):
    root = repo({"a.md": due("[tg]")})
    mock.post(TG_SEND).mock(return_value=tg_error(400, "Bad Request: chat not found"))
    with pytest.raises(AuthError, match="chat not found.*check chat_id"):
        adapter(root, "tg").publish(outgoing("tg", "Hi"), idempotency_key="k")
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert record(root, "a")["tg"]["retryable"] is True


def test_telegram_ok_false_or_non_json_success(repo, mock):
    root = repo({})
    route = mock.post(TG_SEND)
    route.mock(return_value=httpx.Response(200, json={"ok": False, "description": "Bad Request: odd"}))
    with pytest.raises(Rejected, match="odd"):
        adapter(root, "tg").publish(outgoing("tg", "Hi"), idempotency_key="k")
    route.mock(return_value=httpx.Response(200, text="<html>proxy</html>"))
    with pytest.raises(TransientError) as caught:
        adapter(root, "tg").publish(outgoing("tg", "Hi"), idempotency_key="k")
    assert caught.value.outcome_unknown  # a 200 means it was probably sent: never retried blindly


# --- Discord ------------------------------------------------------------------------------


def test_discord_text_with_link_is_content_and_one_embed(repo, mock):
    root = repo({"a.md": due("[dc]", link="https://example.com/launch")})
    post = mock.post(DC_POST, params={"wait": "true"}).mock(return_value=dc_message())
    who = mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
    report = publisher(root).run()
    url = f"https://discord.com/channels/{GUILD}/{CHANNEL}/1180000000000000001"
    assert [(j.state, j.url) for j in report.jobs] == [("published", url)]
    request = post.calls.last.request
    assert shown(request.url) == "<discord-webhook>?wait=true"  # wait=true: Discord answers with the message
    sent = body(request)
    assert sent["content"].startswith("Hello **world** & <friends>")
    assert "https://example.com/launch?utm_source=discord" in sent["content"]  # the template adds the link
    link = sent.pop("embeds")
    assert link == [{"title": "A post", "url": "https://example.com/launch?utm_source=discord&utm_medium=social"}]
    assert sent.pop("allowed_mentions") == {"parse": []}  # a post never pings @everyone
    assert set(sent) == {"content"}
    assert who.call_count == 1
    assert record(root, "a")["dc"]["remote_id"] == "1180000000000000001"


def test_discord_images_are_files_with_alt_text_in_payload_json(repo, mock):
    root = repo({"a.md": due("[dc]", media='[{file: media/a.png, alt: "A red square"}, {file: media/b.png, alt: "A blue one"}]')})
    png(root / "media/a.png")
    png(root / "media/b.png", "blue")
    post = mock.post(DC_POST, params={"wait": "true"}).mock(return_value=dc_message("1180000000000000002"))
    mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
    assert [j.state for j in publisher(root).run().jobs] == ["published"]
    fields = form(post.calls.last.request)  # /docs/reference#uploading-files
    assert sorted(fields) == ["files[0]", "files[1]", "payload_json"]
    payload = json.loads(fields["payload_json"]["value"])
    assert payload == {"content": "Hello **world** & <friends>", "allowed_mentions": {"parse": []}, "attachments": [
        {"id": 0, "filename": "a.png", "description": "A red square"},
        {"id": 1, "filename": "b.png", "description": "A blue one"}]}
    assert (fields["files[0]"]["filename"], fields["files[0]"]["type"]) == ("a.png", "image/png")
    assert fields["files[1]"]["value"] == (root / "media/b.png").read_bytes()


def test_discord_keeps_the_webhooks_own_query_and_survives_an_unknown_guild(repo, mock):
    root = repo({})
    hook = DISCORD_HOOK + "?thread_id=555"
    mock.post(DISCORD_HOOK, params={"thread_id": "555", "wait": "true"}).mock(return_value=dc_message("3"))
    mock.get(DISCORD_HOOK).mock(return_value=httpx.Response(500, json={"message": "oops"}))
    platform = Discord(load_repo(root).config.accounts["dc"], {"T_DC_HOOK": hook}, root)
    assert platform.publish(outgoing("dc", "Hi"), idempotency_key="k").url is None  # published; only the link is missing


def test_discord_429_waits_the_rate_limit_headers(repo, mock):
    root = repo({"a.md": due("[dc]")})
    mock.post(DC_POST, params={"wait": "true"}).mock(side_effect=[
        dc_rate_limited(1.5),
        httpx.Response(429, json={"message": "You are being rate limited.", "retry_after": 4, "global": True},
                       headers={"Retry-After": "4", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}),
        dc_message()])
    mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
    sleeps = []
    assert [j.state for j in publisher(root, sleeps).run().jobs] == ["published"]
    assert sleeps == [1.5, 4.0]  # X-RateLimit-Reset-After, then Retry-After


def test_discord_unknown_webhook_is_an_account_problem(repo, mock):
    root = repo({"a.md": due("[dc]")})
    mock.post(DC_POST, params={"wait": "true"}).mock(
        return_value=httpx.Response(404, json={"message": "Unknown Webhook", "code": 10015}))
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert "Unknown Webhook" in report.jobs[0].error and "not retried" not in report.jobs[0].error
    assert record(root, "a")["dc"]["retryable"] is True


# --- Slack --------------------------------------------------------------------------------


def test_slack_posts_mrkdwn_text_and_records_a_key_based_id(repo, mock):
    root = repo({"a.md": due("[sl]", body="Hello **world** & [docs](https://example.com/docs)")})
    route = mock.post(SLACK_HOOK).mock(return_value=sl_ok())
    report = publisher(root).run()
    assert [(j.state, j.url) for j in report.jobs] == [("published", None)]
    request = route.calls.last.request
    assert shown(request.url) == "<slack-webhook>"
    assert body(request) == {
        "text": "Hello *world* &amp; <https://example.com/docs?utm_source=slack&utm_medium=social|docs>"}
    saved = record(root, "a")["sl"]
    assert saved["remote_id"] == f"slack:{saved['key']}"  # the webhook answers `ok`, no id


def test_slack_dead_webhook_is_an_account_problem(repo, mock):
    root = repo({})
    for status, code in ((404, "no_service"), (404, "channel_not_found"), (410, "channel_is_archived"),
                         (403, "invalid_token"), (403, "action_prohibited")):
        mock.post(SLACK_HOOK).mock(return_value=sl_error(status, code))
        with pytest.raises(AuthError, match=code):
            adapter(root, "sl").publish(outgoing("sl", "Hi"), idempotency_key="k")


def test_webhook_env_must_hold_an_https_url(repo, mock):
    root = repo({})
    account = load_repo(root).config.accounts["sl"]
    for value in ("not-a-url", "http://hooks.slack.com/services/x", "https://hooks.slack.com/"):
        with pytest.raises(AuthError, match="T_SL_HOOK does not hold an https:// webhook URL") as caught:
            Slack(account, {"T_SL_HOOK": value}, root).publish(outgoing("sl", "Hi"), idempotency_key="k")
        assert value not in caught.value.message
    assert not mock.calls


# --- the same behaviours, each network ----------------------------------------------------


class Net:
    """One account's replay table: its route and its documented answers."""

    def __init__(self, account, method, url, params, ok, rate_limited, server_error, rejected):
        self.account, self.method, self.url, self.params = account, method, url, params
        self.ok, self.rate_limited, self.server_error, self.rejected = ok, rate_limited, server_error, rejected

    def route(self, mock):
        if self.account == "dc":
            mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
        return mock.request(self.method, self.url, params=self.params)


NETS = {
    "tg": Net("tg", "POST", TG_SEND, None, lambda: tg_ok(tg_message(5)),
              lambda s: tg_error(429, f"Too Many Requests: retry after {s}", retry_after=s),
              lambda: tg_error(503, "Service Unavailable"),
              lambda: tg_error(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")),
    "dc": Net("dc", "POST", DC_POST, {"wait": "true"}, dc_message, dc_rate_limited,
              lambda: httpx.Response(503, text="upstream connect error"),
              lambda: httpx.Response(400, json={"code": 50035, "message": "Invalid Form Body",
                                                "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}})),
    "sl": Net("sl", "POST", SLACK_HOOK, None, sl_ok,
              lambda s: httpx.Response(429, text="rate_limited", headers={"Retry-After": str(s)}),
              lambda: sl_error(503, "service_unavailable"),
              lambda: sl_error(400, "invalid_payload")),
}
each = pytest.mark.parametrize("net", list(NETS.values()), ids=list(NETS))


@each
def test_rate_limit_is_waited_out_then_published(repo, mock, net):
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(side_effect=[net.rate_limited(2), net.ok()])
    sleeps = []
    assert [j.state for j in publisher(root, sleeps).run().jobs] == ["published"]
    assert sleeps == [2.0] and route.call_count == 2


@each
def test_long_rate_limit_is_left_to_the_next_run(repo, mock, net):
    root = repo({"a.md": due(f"[{net.account}]")})
    net.route(mock).mock(return_value=net.rate_limited(900))
    with pytest.raises(RateLimited) as caught:
        adapter(root, net.account).publish(outgoing(net.account, "Hi"), idempotency_key="k")
    assert caught.value.retry_after == 900
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert record(root, "a")[net.account]["retryable"] is True


@each
def test_server_error_proves_nothing_and_is_never_retried_blindly(repo, mock, net):
    # a 5xx (503 too) may come after the network acted; these networks cannot be asked: a human decides
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(side_effect=[net.server_error(), net.ok()])
    for _ in range(2):
        report = publisher(root).run()
        assert [(j.post, j.state) for j in report.jobs] == [("a", "unconfirmed")]
        assert f"smm resolve a --account {net.account} --published URL" in report.jobs[0].error
    assert route.call_count == 1


@each
def test_permanent_refusal_is_not_retried(repo, mock, net):
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(return_value=net.rejected())
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["failed"]
    assert report.jobs[0].error.endswith(f"(not retried: change the post, or run `smm resolve a --account {net.account} "
                                         "--published URL | --not-published`)")
    assert record(root, "a")[net.account]["retryable"] is False
    again = publisher(root).run().jobs  # reported again, not called again
    assert [j.state for j in again] == ["failed"] and route.call_count == 1


@each
@pytest.mark.parametrize("fault", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_no_answer_after_sending_becomes_unconfirmed(repo, mock, net, fault):
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(side_effect=fault("no answer"))
    for _ in range(2):  # find() is not supported: never retried automatically
        report = publisher(root).run()
        assert [j.state for j in report.jobs] == ["unconfirmed"]
        assert f"smm resolve a --account {net.account} --published URL" in report.jobs[0].error
    assert route.call_count == 1
    assert record(root, "a")[net.account]["state"] == "unconfirmed"
    route.mock(side_effect=None, return_value=net.ok())
    report = Publisher(load_repo(root), datetime.fromisoformat(NOW), ENV, retry_unconfirmed=("a",)).run()
    assert [j.state for j in report.jobs] == ["published"] and route.call_count == 2


@each
def test_a_connection_that_never_opened_is_retried(repo, mock, net):
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(side_effect=[httpx.ConnectError("refused"), net.ok()])
    assert [j.state for j in publisher(root).run().jobs] == ["published"] and route.call_count == 2


@each
def test_the_secret_never_reaches_a_report_a_record_or_a_log(repo, mock, net, caplog, smm, monkeypatch):
    from smm.platforms import http

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(http._FILTER, "secrets", set())  # only this test's: an earlier test's one-letter token hid every `s`
    posts = {f"{name}.md": due(f"[{net.account}]", body=f"Post {name}") for name in
             ("ok", "auth", "echo", "timeout", "limited", "broken")}
    root = repo(posts)
    secret = {"tg": TOKEN, "dc": DISCORD_HOOK, "sl": SLACK_HOOK}[net.account]
    echo = {"tg": tg_error(400, f"Bad Request: bad url {TG_SEND}"),  # a body quoting the secret is scrubbed
            "dc": httpx.Response(400, json={"message": f"bad {DISCORD_HOOK}"}),
            "sl": sl_error(400, f"invalid_payload for {SLACK_HOOK}")}[net.account]
    unauthorized = {"tg": tg_error(401, "Unauthorized"),
                    "dc": httpx.Response(401, json={"message": "401: Unauthorized", "code": 0}),
                    "sl": sl_error(403, "invalid_token")}[net.account]
    answers = {"ok": net.ok, "auth": lambda: unauthorized, "echo": lambda: echo, "limited": lambda: net.rate_limited(900),
               "timeout": lambda: httpx.ReadTimeout("timed out"),
               "broken": lambda: httpx.RemoteProtocolError(f"Server disconnected while talking to {secret}")}

    def answer(request):
        text = request.read().decode()
        name = next(name for name in answers if f"Post {name}" in text)
        result = answers[name]()
        if isinstance(result, Exception):
            raise result
        return result

    net.route(mock).mock(side_effect=answer)
    report = publisher(root).run()
    assert sorted(j.state for j in report.jobs) == ["failed", "failed", "failed", "published", "unconfirmed",
                                                    "unconfirmed"]
    code, out, err = smm("publish", "--now", NOW, "--include-late", env=ENV)  # text output of a second run
    texts = {"report": json.dumps(report.as_json()), "logs": caplog.text, "cli": out + err,
             **{str(p.relative_to(root)): p.read_text() for p in (root / "data").rglob("*") if p.is_file()}}
    logged = [line for line in caplog.text.splitlines() if "HTTP Request: POST" in line]
    assert logged and all("[secret]" in line for line in logged)  # httpx logs each request's URL, secret hidden
    leaks = [where for where, text in texts.items() if any(value in text for value in SECRETS)]
    assert leaks == []  # names where a secret was found, never the secret


def test_every_message_of_an_adapter_error_is_scrubbed(repo, mock):
    root = repo({})
    mock.post(TG_SEND).mock(side_effect=httpx.RemoteProtocolError(f"oops at {TG_SEND}"))
    with pytest.raises(TransientError) as caught:
        adapter(root, "tg").publish(outgoing("tg", "Hi"), idempotency_key="k")
    assert TOKEN not in str(caught.value) and caught.value.outcome_unknown
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_none_can_find_so_push_runs_record_the_intent_first():
    # smm publish --push pushes the in_flight record before calling a network that cannot be asked afterwards
    assert not any(cls.reconciles for cls in (Telegram, Discord, Slack))
    assert all(cls.readiness({}, {}).reason is None for cls in (Telegram, Discord, Slack))


# --- end to end: the real `smm publish`, two runs -----------------------------------------


def test_smm_publish_sends_one_post_to_all_three_exactly_once(repo, mock, smm):
    root = repo({"launch.md": due("[tg, dc, sl]", link="https://example.com/launch")})
    tg = mock.post(TG_SEND).mock(return_value=tg_ok(tg_message(321)))
    dc = mock.post(DC_POST, params={"wait": "true"}).mock(return_value=dc_message("999"))
    mock.get(DISCORD_HOOK).mock(return_value=dc_webhook())
    sl = mock.post(SLACK_HOOK).mock(return_value=sl_ok())
    code, out, err = smm("publish", "--now", NOW, "--format", "json", env=ENV)
    assert code == 0, out + err
    jobs = {j["account"]: (j["state"], j["url"]) for j in json.loads(out)["jobs"]}
    assert jobs == {"tg": ("published", "https://t.me/brandchannel/321"),
                    "dc": ("published", f"https://discord.com/channels/{GUILD}/{CHANNEL}/999"),
                    "sl": ("published", None)}
    code, out, err = smm("publish", "--now", "2026-12-01T12:30:00+08:00", env=ENV)
    assert (code, out.strip().splitlines()[-1]) == (0, "nothing due")
    assert (tg.call_count, dc.call_count, sl.call_count) == (1, 1, 1)
    saved = record(root, "launch")
    assert {a: saved[a]["state"] for a in saved} == {"tg": "published", "dc": "published", "sl": "published"}
    assert saved["sl"]["remote_id"].startswith("slack:")


def test_missing_secrets_skip_the_accounts_and_name_the_variables(repo, mock, smm):
    repo({"a.md": due("[tg, dc, sl]")})
    code, out, _ = smm("publish", "--now", NOW, env={k: "" for k in ENV})
    assert code == 1
    assert "not configured: tg (set T_TG_TOKEN), tg_private (set T_TG_TOKEN), dc (set T_DC_HOOK), sl (set T_SL_HOOK)" in out
    assert not mock.calls


@each
@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_that_may_follow_the_post_becomes_unconfirmed(repo, mock, net, status):
    """500, 502 and 504 can come back after the message was created: no blind retry."""
    root = repo({"a.md": due(f"[{net.account}]")})
    route = net.route(mock).mock(return_value=httpx.Response(status, text="bad gateway"))
    report = publisher(root).run()
    assert [j.state for j in report.jobs] == ["unconfirmed"] and route.call_count == 1


def test_slack_bot_token_posts_threads_with_chat_post_message(make_repo, mock):
    """A replay of chat.postMessage (https://api.slack.com/methods/chat.postMessage): 200 with ok and ts."""
    platforms = "timezone: Asia/Shanghai\naccounts:\n  sb: {platform: slack, token_env: T_SLACK_BOT, channel: C024BE91L}\n"
    body = ("word " * 5000 + "\n\n") * 2  # 50,000 characters: two parts of a thread
    root = make_repo({"t.md": due("[sb]", body=body, thread="auto")}, platforms=platforms, calendar=None)
    route = mock.post("https://slack.com/api/chat.postMessage").mock(side_effect=[
        httpx.Response(200, json={"ok": True, "channel": "C024BE91L", "ts": "1503435956.000247"}),
        httpx.Response(200, json={"ok": True, "channel": "C024BE91L", "ts": "1503435957.000300"})])
    report = publisher(root, env={"T_SLACK_BOT": "xoxb-secret-token"}).run()
    assert [j.state for j in report.jobs] == ["published"]
    sent = [json.loads(call.request.content) for call in route.calls]
    assert [s.get("thread_ts") for s in sent] == [None, "1503435956.000247"]
    assert all(s["channel"] == "C024BE91L" for s in sent)
    assert route.calls[0].request.headers["Authorization"] == "Bearer xoxb-secret-token"
    assert record(root, "t")["sb"]["remote_id"] == "1503435956.000247"
    assert "xoxb-secret-token" not in (root / "data/published/t.json").read_text()


def test_slack_web_api_errors_are_typed(make_repo, mock):
    platforms = "timezone: Asia/Shanghai\naccounts:\n  sb: {platform: slack, token_env: T_SLACK_BOT, channel: C1}\n"
    root = make_repo({"a.md": due("[sb]")}, platforms=platforms, calendar=None)
    mock.post("https://slack.com/api/chat.postMessage").mock(
        return_value=httpx.Response(200, json={"ok": False, "error": "invalid_auth"}))
    (job,) = publisher(root, env={"T_SLACK_BOT": "xoxb-x"}).run().jobs
    assert (job.state, record(root, "a")["sb"]["retryable"]) == ("failed", True)
    assert "invalid_auth" in job.error
