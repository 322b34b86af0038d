"""Slack: 40,000 characters of mrkdwn text; an incoming webhook, or a bot token for threads.

Publishing POSTs `{"text": ...}` (already mrkdwn; links are in the text) to the webhook
(https://api.slack.com/messaging/webhooks). Slack answers `ok` and no message id or
timestamp, so the remote id is `slack:<idempotency key>` (stable, unique per post and
account, but not a Slack id) and the URL is None. Webhooks cannot upload files (media are
limited to 0 for `smm check`), cannot reply in a thread (that needs a bot token and
chat.postMessage with `thread_ts`) and cannot look messages up: `find()` is not supported,
so a call whose outcome is unknown becomes `unconfirmed`. The webhook URL is a secret and
is kept out of errors and logs as the Telegram token is.

With a bot token (`token_env`) and a `channel` instead, posts go through the Web API's
`chat.postMessage` (https://api.slack.com/methods/chat.postMessage): the remote id is the
message's `ts`, and thread parts reply with `thread_ts`, so `thread: auto` makes threads.
"""

from __future__ import annotations

from smm.errors import AuthError, NotSupported, Rejected
from smm.platforms.base import (
    TOKEN_OPTION,
    Credentials,
    Display,
    MediaRules,
    Outgoing,
    Platform,
    PublishResult,
    secret_option,
)
from smm.platforms import answers
from smm.platforms.http import SecretCalls, webhook_url

# Errors that mean the webhook URL no longer works (https://api.slack.com/messaging/webhooks#handling_errors):
# the account needs a new URL, the post is fine, so they are retryable like a bad token.
_DEAD_WEBHOOK = ("no_service", "no_team", "team_disabled", "channel_not_found", "channel_is_archived")
_BAD_TOKEN = ("not_authed", "invalid_auth", "account_inactive", "token_revoked", "not_in_channel", "missing_scope")
API = "https://slack.com/api/chat.postMessage"
AUTH_TEST = "https://slack.com/api/auth.test"


class Slack(Platform):
    name = "slack"
    label = "Slack"
    text_limit = 40_000
    unit = "characters"
    # Slack cuts a message over 40,000 characters (api.slack.com/changelog/2018-04-truncating-really-long-messages)
    # and says not how it counts them: smm counts the code points of the mrkdwn as sent, escapes included
    counting_rule = "code points of the text as sent"
    markup = "slack"
    media = MediaRules(max_count=0, alt_supported=False)
    secrets = ("webhook_env", "token_env")
    options = {
        "webhook_env": secret_option("the webhook URL"),
        **TOKEN_OPTION,
        "channel": {"description": "With a bot token: the channel id (C…) or name to post to.", "type": "string",
                    "minLength": 1},
    }
    options_rule = {"anyOf": [{"required": ["webhook_env"]}, {"required": ["token_env", "channel"]}]}
    display = Display("#4a154b", "#1264a3")
    can_publish = True
    needed_scopes = frozenset({"chat:write"})  # a bot token's; a webhook has none
    # find() stays the base one (NotSupported): `reconciles` is False.

    length = staticmethod(len)

    @classmethod
    def threads_for(cls, options) -> bool:
        return bool(options.get("token_env"))  # chat.postMessage can reply in a thread; a webhook cannot

    # -- the adapter ------------------------------------------------------------------

    @property
    def calls(self) -> SecretCalls:
        if not hasattr(self, "_calls"):
            self._calls = SecretCalls(webhook_url(self), is_url=True, transport=self.transport)
        return self._calls

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        if self.options.get("token_env"):
            return self.post_message(outgoing)
        try:
            self.calls.send("POST", webhook_url(self), "Slack webhook", json={"text": outgoing.text})
        except Rejected as exc:
            if any(code in exc.message for code in _DEAD_WEBHOOK):
                raise AuthError(f"{exc.message} (the webhook or its channel is gone: set a new webhook URL)",
                                account=self.account.name) from None
            raise
        return PublishResult(f"slack:{idempotency_key}")

    def _web_api(self, url: str, label: str, **kwargs) -> tuple[dict, dict]:
        """One Web API call with the bot token: its answer and headers; `ok: false` as the typed error."""
        token = self.secret("token_env")
        if not hasattr(self, "_bot"):
            self._bot = SecretCalls(token, is_url=False, transport=self.transport)
        response = self._bot.send("POST", url, label, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        answer = response.json()
        if not answer.get("ok"):  # the Web API answers 200 with ok: false
            error = str(answer.get("error"))
            if error in _BAD_TOKEN or error in _DEAD_WEBHOOK:
                raise AuthError(f"{label}: {error} (check the bot token and its channel)")
            raise Rejected(f"{label}: {error}")
        return answer, response.headers

    def check_credentials(self) -> Credentials:
        """auth.test with a bot token (its scopes from `x-oauth-scopes`); a webhook has no call but posting."""
        if not self.options.get("token_env"):
            raise NotSupported("a Slack incoming webhook can only be checked by posting to it")
        answer, headers = self._web_api(AUTH_TEST, "Slack auth.test")
        scopes = headers.get("x-oauth-scopes")
        return Credentials(f"{answer.get('user')} in {answer.get('team')}",
                           frozenset(s.strip() for s in scopes.split(",")) if scopes else None, never_expires=True)

    def post_message(self, outgoing: Outgoing) -> PublishResult:
        """chat.postMessage with the bot token; a thread part replies to the first part."""
        payload = {"channel": self.options["channel"], "text": outgoing.text, "unfurl_links": True}
        if outgoing.thread_root is not None:
            payload["thread_ts"] = outgoing.thread_root.remote_id
        answer, _headers = self._web_api(API, "Slack chat.postMessage", json=payload)
        return PublishResult(answers.ident(answer.get("ts"), "ts"))
