"""Discord webhooks: 2000 characters of content, 10 attachments.

Publishing executes the webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook)
with `?wait=true`, so Discord answers with the message it created: its `id` is the remote
id. The text goes in `content` (already Discord Markdown); a post's `link` adds one embed
`{title, url}` as a link card; images are uploaded as multipart `files[n]` with a
`payload_json` whose `attachments` carry each file's alt text as `description`
(https://discord.com/developers/docs/reference#uploading-files).

The message URL needs the server (guild) id, which the message does not carry: it is read
once per run from the webhook itself (`GET` the webhook URL), and the URL is None when that
fails. Webhooks cannot look messages up, so `find()` is not supported and a call whose
outcome is unknown becomes `unconfirmed`. The webhook URL is a secret (its path holds the
token) and is kept out of errors and logs as the Telegram token is.
"""

from __future__ import annotations

import json
from contextlib import ExitStack

from smm.errors import AuthError, PlatformError, Rejected, TransientError
from smm.platforms.base import (
    Credentials,
    Display,
    MediaRules,
    Outgoing,
    Platform,
    PublishResult,
    VideoRules,
    secret_option,
)
from smm.platforms import answers
from smm.platforms.http import SecretCalls, open_media, webhook_url

EMBED_TITLE_LIMIT = 256


class Discord(Platform):
    name = "discord"
    label = "Discord"
    text_limit = 2000
    unit = "characters"
    # "Our API uses Python 3, so the API calculates length based on the number of codepoints in the string"
    # (Discord staff, github.com/discord/discord-api-docs/issues/1315)
    counting_rule = "code points"
    markup = "discord"
    media = MediaRules(max_count=10, max_bytes=10 * 1024 * 1024, alt_limit=1024,  # 10 MiB per file by default
                       video=VideoRules(max_count=10, with_images=True, max_bytes=10 * 1024 * 1024))
    secrets = ("webhook_env",)
    options = {"webhook_env": secret_option("the webhook URL")}
    options_rule = {"required": ["webhook_env"]}
    display = Display("#5865f2", "#4752c4")
    can_publish = True
    # find() stays the base one (NotSupported): `reconciles` is False.

    length = staticmethod(len)

    # -- the adapter ------------------------------------------------------------------

    @property
    def webhook(self) -> str:
        return webhook_url(self)

    @property
    def calls(self) -> SecretCalls:
        if not hasattr(self, "_calls"):
            self._calls = SecretCalls(self.webhook, is_url=True, transport=self.transport)
        return self._calls

    def _send(self, method: str, label: str, params: dict | None = None, **kwargs):
        import httpx

        url = self.webhook
        if params:  # merged by hand: httpx 0.28's params= replaces the URL's own query (thread_id=...)
            url = str(httpx.URL(url).copy_merge_params(params))
        try:
            return self.calls.send(method, url, label, **kwargs)
        except Rejected as exc:
            if "Unknown Webhook" in exc.message:  # 404: deleted or wrong; the account needs a new URL
                raise AuthError(f"{exc.message} (the webhook was deleted or the URL is wrong)",
                                account=self.account.name) from None
            raise

    def check_credentials(self) -> Credentials:
        """Get Webhook with Token (no bot token needed): the webhook's name and channel; it lasts until deleted."""
        try:
            webhook = self._send("GET", "Discord webhook (who am I)").json()
        except ValueError:
            raise TransientError("Discord webhook (who am I): the answer is not JSON") from None
        return Credentials(f"webhook {webhook.get('name')} in channel {webhook.get('channel_id')}", never_expires=True)

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        payload: dict = {"content": outgoing.text, "allowed_mentions": {"parse": []}}  # never ping @everyone
        if outgoing.link:
            payload["embeds"] = [{"title": (outgoing.title or outgoing.link)[:EMBED_TITLE_LIMIT], "url": outgoing.link}]
        label = "Discord webhook"
        with ExitStack() as stack:
            if outgoing.media:
                files = open_media(stack, outgoing.media, lambda i: f"files[{i}]")
                payload["attachments"] = []
                for index, (_path, alt) in enumerate(outgoing.media):
                    attachment = {"id": index, "filename": files[f"files[{index}]"][0]}
                    payload["attachments"].append(attachment | ({"description": alt} if alt else {}))
                request = {"data": {"payload_json": json.dumps(payload, ensure_ascii=False)}, "files": files}
            else:
                request = {"json": payload}
            response = self._send("POST", label, params={"wait": "true"}, **request)
        try:
            message = response.json()
            remote_id = answers.ident(message["id"])
        except (ValueError, KeyError, TypeError):
            raise TransientError(f"{label}: HTTP {response.status_code}, sent, but the answer has no message id",
                                 outcome_unknown=True) from None
        return PublishResult(remote_id, self.message_url(message), {"channel_id": message.get("channel_id")})

    def message_url(self, message: dict) -> str | None:
        """`https://discord.com/channels/<guild>/<channel>/<message>`, the guild read from the webhook."""
        if not hasattr(self, "_guild"):
            try:  # Get Webhook with Token: no bot token needed (#get-webhook-with-token)
                self._guild = self._send("GET", "Discord webhook (who am I)").json().get("guild_id")
            except (PlatformError, ValueError, AttributeError):
                return None  # only the link is missing; try again next time
        channel = message.get("channel_id")
        if not (self._guild and channel):
            return None
        return f"https://discord.com/channels/{self._guild}/{channel}/{message['id']}"
