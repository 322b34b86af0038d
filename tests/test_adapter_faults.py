"""Every publishing adapter meets the same faults and turns each into the same typed error.

A table of networks (each reached through its test seam: an httpx transport for the HTTP
adapters, a client factory for the SDK ones, whose real SDK then talks to a replay) by a
table of faults on the call that publishes: the error the engine acts on, and no secret in
its text. The answers are the documented shapes (see test_adapters_chat.py, test_publish_ops.py).
"""

from __future__ import annotations

import base64
import io
import json
import time
from dataclasses import dataclass
from typing import Callable

import httpx
import pytest
import requests

from smm.errors import PlatformError, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, platform_class
from smm.workspace.repo import load_repo

SECRET = "s3cr3t-Fake-Token-For-Replays-0123456789"
HOOK = "https://hooks.example.com/services/T0/B0/" + SECRET
ENV = {"T_SECRET": SECRET, "T_HOOK": HOOK}


def _jwt() -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return ".".join([part({"alg": "ES256K", "typ": "at+jwt"}),
                     part({"scope": "com.atproto.access", "sub": "did:plc:brand", "exp": int(time.time()) + 3600}), "sig"])


def _bluesky_setup(request: httpx.Request) -> httpx.Response | None:
    """createSession and getSession answered; None for the call that publishes."""
    if request.url.path.endswith("com.atproto.server.createSession"):
        return httpx.Response(200, json={"accessJwt": _jwt(), "refreshJwt": _jwt(), "handle": "brand.example",
                                         "did": "did:plc:brand"})
    if request.url.path.endswith("com.atproto.server.getSession"):
        return httpx.Response(200, json={"handle": "brand.example", "did": "did:plc:brand"})
    return None


@dataclass
class Net:
    """One network: its account, the answers that mean success, refusal and a rate limit, and its seam."""

    account: str  # the platforms.yml line
    ok: httpx.Response
    rejected: httpx.Response
    rate_limited: Callable[[int], httpx.Response]
    seam: str = "transport"  # or "mastodon" / "bluesky": a client factory
    reconciles: bool = False  # find() can tell later: an unopened connection may count as unknown


NETS = {
    "telegram": Net("{platform: telegram, token_env: T_SECRET, chat_id: '@brand'}",
                    httpx.Response(200, json={"ok": True, "result": {"message_id": 5, "chat": {}}}),
                    httpx.Response(400, json={"ok": False, "error_code": 400, "description": "Bad Request: can't parse"}),
                    lambda s: httpx.Response(429, json={"ok": False, "error_code": 429, "parameters": {"retry_after": s}})),
    "discord": Net("{platform: discord, webhook_env: T_HOOK}",
                   httpx.Response(200, json={"id": "1", "channel_id": "2"}),
                   httpx.Response(400, json={"code": 50035, "message": "Invalid Form Body"}),
                   lambda s: httpx.Response(429, json={"retry_after": s}, headers={"X-RateLimit-Reset-After": str(s)})),
    "slack": Net("{platform: slack, webhook_env: T_HOOK}", httpx.Response(200, text="ok"),
                 httpx.Response(400, text="invalid_payload"),
                 lambda s: httpx.Response(429, text="rate_limited", headers={"Retry-After": str(s)})),
    "mastodon": Net("{platform: mastodon, instance: 'https://social.example', token_env: T_SECRET}",
                    httpx.Response(200, json={"id": "110", "url": "https://social.example/@brand/110"}),
                    httpx.Response(422, json={"error": "Validation failed: Text character limit of 500 exceeded"}),
                    lambda s: httpx.Response(429, json={"error": "Too many requests"}, headers={"Retry-After": str(s)}),
                    seam="mastodon", reconciles=True),
    "bluesky": Net("{platform: bluesky, handle: brand.example, password_env: T_SECRET}",
                   httpx.Response(200, json={"uri": "at://did:plc:brand/app.bsky.feed.post/3k", "cid": "bafy"}),
                   httpx.Response(400, json={"error": "InvalidRecord", "message": "Record/text must not be longer"}),
                   lambda s: httpx.Response(429, json={"error": "RateLimitExceeded"}, headers={"retry-after": str(s)}),
                   seam="bluesky", reconciles=True),
}

# fault on the publishing call → (the typed error, whether the outcome is unknown; None: the net decides)
FAULTS = {
    "rate limited": (lambda net: net.rate_limited(900), RateLimited, False),
    "refused": (lambda net: net.rejected, Rejected, False),
    # any 5xx may come after the server acted (a proxy, a worker): an unknown outcome, looked up first
    "unavailable (503)": (lambda net: httpx.Response(503, text="unavailable"), TransientError, True),
    "no answer after sending": (lambda net: httpx.ReadTimeout("timed out"), TransientError, True),
    "connection never opened": (lambda net: httpx.ConnectError("refused"), TransientError, None),
}


class _Requests(requests.adapters.BaseAdapter):
    """A requests transport (Mastodon.py's) answering from the same replay as the httpx ones."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        super().__init__()
        self.answer = answer

    def send(self, request, **kwargs):
        try:
            replayed = self.answer(httpx.Request(request.method, request.url, headers=dict(request.headers)))
        except httpx.ConnectError as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from None
        except httpx.TimeoutException as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from None
        response = requests.Response()
        response.status_code, response.url, response.request = replayed.status_code, request.url, request
        response.headers = requests.structures.CaseInsensitiveDict(replayed.headers)
        response.raw = io.BytesIO(replayed.content)
        return response

    def close(self) -> None:
        pass


def adapter(root, net: Net, answer: Callable[[httpx.Request], httpx.Response]):
    account = load_repo(root).config.accounts["acct"]
    cls = platform_class(account.platform)
    if net.seam == "mastodon":
        from mastodon import Mastodon

        def factory(**keywords):
            keywords["session"].mount("https://", _Requests(answer))
            return Mastodon(**keywords)
        return cls(account, ENV, root, client_factory=factory)
    if net.seam == "bluesky":
        from atproto import Client
        from atproto_client.request import Request

        def replay(request):
            return _bluesky_setup(request) or answer(request)
        return cls(account, ENV, root,
                   client_factory=lambda base_url: Client(base_url, Request(transport=httpx.MockTransport(replay))))
    return cls(account, ENV, root, transport=httpx.MockTransport(answer))


def _raising(result):
    def answer(request):
        if isinstance(result, Exception):
            raise result
        return result
    return answer


OUTGOING = Outgoing("p", "acct", "Launch", "Hello", published_at="2026-12-01T04:00:00+00:00")


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", list(NETS))
def test_each_fault_is_the_same_typed_error_on_every_network(make_repo, name, fault):
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None)
    answer, error, unknown = FAULTS[fault]
    with pytest.raises(PlatformError) as caught:
        adapter(root, net, _raising(answer(net))).publish(OUTGOING, idempotency_key="k")
    assert type(caught.value) is error, caught.value.message
    if error is TransientError:
        assert caught.value.outcome_unknown is (net.reconciles if unknown is None else unknown)
    if error is RateLimited:
        assert 899 <= caught.value.retry_after <= 900
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("name", list(NETS))
def test_the_documented_success_is_published(make_repo, name):
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None)
    result = adapter(root, net, _raising(net.ok)).publish(OUTGOING, idempotency_key="k")
    assert result.remote_id == {"telegram": "5", "discord": "1", "slack": "slack:k", "mastodon": "110",
                                "bluesky": "at://did:plc:brand/app.bsky.feed.post/3k"}[name]


def test_the_feed_refuses_a_feed_file_it_cannot_read(make_repo):
    """The feed has no network: its one fault is a JSON Feed it cannot read (never overwritten)."""
    root = make_repo({}, platforms="timezone: UTC\naccounts:\n  acct: {platform: feed, path: data/feed.xml}\n",
                     calendar=None, files={"data/feed.json": '{"items": ['})
    account = load_repo(root).config.accounts["acct"]
    with pytest.raises(Rejected, match=r"data/feed.json:1:\d+: .*restore it from git"):
        platform_class("feed")(account, ENV, root).publish(OUTGOING, idempotency_key="k")
    assert (root / "data/feed.json").read_text() == '{"items": ['
