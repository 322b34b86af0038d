"""Slack incoming webhooks: 40,000 characters of mrkdwn text; no media upload.

Publishing POSTs `{"text": ...}` (already mrkdwn; links are in the text) to the webhook
(https://api.slack.com/messaging/webhooks). Slack answers `ok` and no message id or
timestamp, so the remote id is `slack:<idempotency key>` (stable, unique per post and
account, but not a Slack id) and the URL is None. Webhooks cannot upload files (media are
limited to 0 for `smm check`), cannot reply in a thread (that needs a bot token and
chat.postMessage with `thread_ts`) and cannot look messages up: `find()` is not supported,
so a call whose outcome is unknown becomes `unconfirmed`. The webhook URL is a secret and
is kept out of errors and logs as the Telegram token is.
"""

from __future__ import annotations

from smm.errors import AuthError, Rejected
from smm.platforms.base import MediaRules, Outgoing, Platform, PublishResult
from smm.platforms.http import SecretCalls, webhook_url

# Errors that mean the webhook URL no longer works (https://api.slack.com/messaging/webhooks#handling_errors):
# the account needs a new URL, the post is fine, so they are retryable like a bad token.
_DEAD_WEBHOOK = ("no_service", "no_team", "team_disabled", "channel_not_found", "channel_is_archived")


class Slack(Platform):
    name = "slack"
    label = "Slack"
    text_limit = 40_000
    unit = "characters"
    counting_rule = "characters"
    markup = "slack"
    media = MediaRules(max_count=0, alt_supported=False)
    secrets = ("webhook_env",)
    can_publish = True
    # find() stays the base one (NotSupported): `reconciles` is False.

    length = staticmethod(len)

    # -- the adapter ------------------------------------------------------------------

    @property
    def calls(self) -> SecretCalls:
        if not hasattr(self, "_calls"):
            self._calls = SecretCalls(webhook_url(self), is_url=True)
        return self._calls

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        try:
            self.calls.send("POST", webhook_url(self), "Slack webhook", json={"text": outgoing.text})
        except Rejected as exc:
            if any(code in exc.message for code in _DEAD_WEBHOOK):
                raise AuthError(f"{exc.message} (the webhook or its channel is gone: set a new webhook URL)",
                                account=self.account.name) from None
            raise
        return PublishResult(f"slack:{idempotency_key}")
