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
from dataclasses import dataclass, replace
from typing import Callable

import httpx
import pytest
import requests

from smm.errors import AuthError, PlatformError, RateLimited, Rejected, TransientError
from smm.platforms import Outgoing, PublishResult, platform_class
from smm.platforms.linkedin import until_midnight_utc
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


def _graph_setup(request: httpx.Request) -> httpx.Response | None:
    """Meta's Graph API: the calls before and after the one that publishes (a container made and
    FINISHED, a Page token asked, the permalink read) answered; None for the publishing call."""
    path = request.url.path
    if path.endswith(("/threads_publish", "/media_publish", "/feed", "/comments")):
        return None
    if request.method == "POST":
        return httpx.Response(200, json={"id": "container-1"})
    if "status" in request.url.params.get("fields", ""):
        return httpx.Response(200, json={"id": "container-1", "status": "FINISHED", "status_code": "FINISHED"})
    return httpx.Response(200, json={"id": path.rsplit("/", 1)[-1], "permalink": "https://example.com/p",
                                     "permalink_url": "https://example.com/p"})


def _graph_error(code: int, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "OAuthException", "code": code,
                                                  "fbtrace_id": "AbC"}})


def _business_usage(owner: str, kind: str, code: int):
    """Meta's answer past a Business Use Case budget: its code, and the minutes until access is regained."""
    def answer(seconds: int) -> httpx.Response:
        usage = {owner: [{"type": kind, "call_count": 100, "total_cputime": 20, "total_time": 20,
                          "estimated_time_to_regain_access": seconds // 60}]}
        return httpx.Response(400, json=_graph_error(code, "There have been too many calls").json(),
                              headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    return answer
def _wechat_setup(request: httpx.Request) -> httpx.Response | None:
    """The token, the cover, the draft and the outcome answered; None for freepublish/submit, the call that publishes."""
    answers = {"/cgi-bin/stable_token": {"access_token": "wx-token", "expires_in": 7200},
               "/cgi-bin/material/add_material": {"media_id": "cover", "url": "http://mmbiz.qpic.cn/c/0"},
               "/cgi-bin/draft/add": {"media_id": "draft"},
               "/cgi-bin/freepublish/get": {"publish_id": "1", "publish_status": 0, "article_id": "art",
                                            "article_detail": {"count": 1, "item": [{"idx": 1, "article_url": "u"}]}}}
    return httpx.Response(200, json=answers[request.url.path]) if request.url.path in answers else None


def _weibo_setup(request: httpx.Request) -> httpx.Response | None:
    """account/rate_limit_status (Weibo's only word on how long a rate limit lasts: it sends no headers)."""
    if request.url.path.endswith("/2/account/rate_limit_status.json"):
        return httpx.Response(200, json={"remaining_user_hits": 0, "reset_time_in_seconds": 900})
    return None


def _until_midnight_in_china() -> float:
    """WeChat's daily API quota starts again at midnight, China time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    return (datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo) - now).total_seconds()


@dataclass
class Net:
    """One network: its account, the answers that mean success, refusal and a rate limit, and its seam."""

    account: str  # the platforms.yml line
    ok: httpx.Response
    rejected: httpx.Response
    rate_limited: Callable[[int], httpx.Response]
    seam: str = "transport"  # or "mastodon" / "bluesky": a client factory
    reconciles: bool = False  # an unopened connection counts as unknown (the SDK cannot tell it apart)
    setup: Callable[[httpx.Request], httpx.Response | None] | None = None  # answers calls besides the one that publishes
    wait: Callable[[], float] = lambda: 900  # the wait a rate limit of `rate_limited(900)` means
    media: tuple = ()  # what the post carries (Instagram takes none without)
    files: dict | None = None  # the repository files the account needs


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
    "threads": Net("{platform: threads, token_env: T_SECRET, user_id: '2000'}",
                   httpx.Response(200, json={"id": "17900"}), _graph_error(100, "(#100) Param text is too long"),
                   lambda s: httpx.Response(400, json=_graph_error(4, "(#4) Application request limit reached").json(),
                                            headers={"X-App-Usage": '{"call_count":100,"total_cputime":9,"total_time":9}'}),
                   setup=_graph_setup),
    "facebook": Net("{platform: facebook, token_env: T_SECRET, page_id: '1000'}",
                    httpx.Response(200, json={"id": "1000_555"}),
                    _graph_error(100, "(#100) Posts where the message, link and attached_media are all empty"),
                    _business_usage("1000", "pages", 80001), setup=_graph_setup),
    "instagram": Net("{platform: instagram, token_env: T_SECRET, user_id: '1784', media_base_url: 'https://b.example'}",
                     httpx.Response(200, json={"id": "17950"}),
                     _graph_error(9004, "Media download has failed. The media URI doesn't meet our requirements."),
                     _business_usage("1784", "instagram", 80002), setup=_graph_setup, media=(("content/a.jpg", "Tea"),)),
    # every answer is HTTP 200 with an errcode (tests/peers/wechat_api.py); `cover` is a tiny PNG
    "wechat": Net("{platform: wechat, app_id: wx5mm0c0ffee0test, secret_env: T_SECRET, cover: c.png}",
                  httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "publish_id": "1", "msg_data_id": "2"}),
                  httpx.Response(200, json={"errcode": 53503, "errmsg": "该草稿未通过发布检查"}),
                  lambda s: httpx.Response(200, json={"errcode": 45009, "errmsg": "reach max api daily quota limit"}),
                  setup=_wechat_setup, wait=_until_midnight_in_china, files={"c.png": base64.b64decode(
                      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")}),
    "weibo": Net("{platform: weibo, token_env: T_SECRET, safe_domain: brand.example.com, rip: 203.0.113.7}",
                 httpx.Response(200, json={"id": 4990000000000001, "idstr": "4990000000000001", "text": "Hello"}),
                 httpx.Response(400, json={"error": "Text too long, please input text less than 140 characters!",
                                           "error_code": 20012, "request": "/2/statuses/share.json"}),
                 lambda s: httpx.Response(403, json={"error": "User requests out of rate limit!", "error_code": 10023,
                                                     "request": "/2/statuses/share.json"}),
                 setup=_weibo_setup),
    "linkedin": Net("{platform: linkedin, token_env: T_SECRET, author: 'urn:li:organization:90000001'}",
                    httpx.Response(201, headers={"x-restli-id": "urn:li:share:7000000000000000001"}),
                    httpx.Response(422, json={"message": "ERROR :: /commentary :: Content is a duplicate of "
                                                         "urn:li:share:6999", "status": 422}),
                    lambda s: httpx.Response(429, json={"status": 429, "code": "TOO_MANY_REQUESTS", "message":
                                                        "Resource level throttle MEMBER DAY limit"}),
                    wait=until_midnight_utc),
    # X reconciles too, but over httpx an unopened connection is certain: nothing was sent
    "x": Net("{platform: x, token_env: T_SECRET}",
             httpx.Response(201, json={"data": {"id": "1850", "text": "Hello", "edit_history_tweet_ids": ["1850"]}}),
             httpx.Response(403, json={"title": "Forbidden", "type": "about:blank", "status": 403,
                                       "detail": "You are not allowed to create a Tweet with duplicate content."}),
             lambda s: httpx.Response(429, json={"title": "Too Many Requests", "detail": "Too Many Requests",
                                                 "type": "about:blank", "status": 429},
                                      headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                                               "x-rate-limit-reset": str(int(time.time()) + s)})),
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
    return cls(account, ENV, root, transport=httpx.MockTransport(lambda r: net.setup and net.setup(r) or answer(r)))


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
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    answer, error, unknown = FAULTS[fault]
    with pytest.raises(PlatformError) as caught:
        adapter(root, net, _raising(answer(net))).publish(replace(OUTGOING, media=net.media), idempotency_key="k")
    assert type(caught.value) is error, caught.value.message
    if error is TransientError:
        assert caught.value.outcome_unknown is (net.reconciles if unknown is None else unknown)
    if error is RateLimited:
        # (X's reset is an instant: the seconds left shrink while a loaded machine runs the adapter)
        assert abs(caught.value.retry_after - net.wait()) <= 5
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("name", list(NETS))
def test_the_documented_success_is_published(make_repo, name):
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    result = adapter(root, net, _raising(net.ok)).publish(replace(OUTGOING, media=net.media), idempotency_key="k")
    assert result.remote_id == {"telegram": "5", "discord": "1", "slack": "slack:k", "mastodon": "110",
                                "bluesky": "at://did:plc:brand/app.bsky.feed.post/3k", "threads": "17900",
                                "facebook": "1000_555", "instagram": "17950", "wechat": "art",
                                "weibo": "4990000000000001", "linkedin": "urn:li:share:7000000000000000001", "x": "1850"}[name]


def _parent(name: str) -> PublishResult:
    """The post a first comment goes under, as the network's record has it."""
    if name == "bluesky":
        return PublishResult("at://did:plc:brand/app.bsky.feed.post/3j", None, {"cid": "bafyparent"})
    return PublishResult({"facebook": "1000_444", "linkedin": "urn:li:share:444"}.get(name, "444"))


COMMENTING = [name for name in NETS if platform_class(name).comments_for({})]  # Slack needs a bot token for it


def test_the_networks_that_comment_are_the_documented_ones():
    assert sorted(COMMENTING) == ["bluesky", "facebook", "instagram", "linkedin", "mastodon", "telegram", "threads", "x"]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", COMMENTING)
def test_a_first_comment_meets_each_fault_as_the_post_does(make_repo, name, fault):
    """The comment step's call (a reply, or `POST /{post}/comments`) turns each fault into the same typed error."""
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    answer, error, unknown = FAULTS[fault]
    sent = []

    def recording(request):
        sent.append(request)
        return _raising(answer(net))(request)
    with pytest.raises(PlatformError) as caught:
        parent = _parent(name)
        adapter(root, net, recording).publish(replace(OUTGOING, post_id="p+comment", reply_to=parent, thread_root=parent),
                                              idempotency_key="k-comment")
    assert type(caught.value) is error, caught.value.message
    if error is TransientError:
        assert caught.value.outcome_unknown is (net.reconciles if unknown is None else unknown)
    assert SECRET not in str(caught.value)
    if name in ("facebook", "instagram", "linkedin"):
        assert sent[-1].url.path.endswith(f"/{_parent(name).remote_id}/comments")


def test_the_feed_refuses_a_feed_file_it_cannot_read(make_repo):
    """The feed has no network: its one fault is a JSON Feed it cannot read (never overwritten)."""
    root = make_repo({}, platforms="timezone: UTC\naccounts:\n  acct: {platform: feed, path: data/feed.xml}\n",
                     calendar=None, files={"data/feed.json": '{"items": ['})
    account = load_repo(root).config.accounts["acct"]
    with pytest.raises(Rejected, match=r"data/feed.json:1:\d+: .*restore it from git"):
        platform_class("feed")(account, ENV, root).publish(OUTGOING, idempotency_key="k")
    assert (root / "data/feed.json").read_text() == '{"items": ['


@pytest.mark.parametrize("name, status, error, unknown", [
    ("threads", {"status": "IN_PROGRESS"}, TransientError, False),  # never ready within the wait
    ("instagram", {"status_code": "IN_PROGRESS", "status": "In progress"}, TransientError, False),
    ("threads", {"status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"}, TransientError, False),
    ("instagram", {"status_code": "EXPIRED", "status": "Expired"}, TransientError, False),
    ("instagram", {"status_code": "ERROR", "status": "Error: INVALID_ASPECT_RATIO"}, Rejected, None),
])
def test_a_container_that_is_not_finished_is_never_published(make_repo, name, status, error, unknown):
    """The publishing call is made only for a FINISHED container; waiting is bounded and slept, not spun."""
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None)
    calls, slept = [], []

    def answer(request):
        calls.append(request.url.path)
        if request.method == "GET" and "status" in request.url.params.get("fields", ""):
            return httpx.Response(200, json={"id": "container-1", **status})
        return _graph_setup(request) or net.ok
    made = platform_class(name)(load_repo(root).config.accounts["acct"], ENV, root, transport=httpx.MockTransport(answer))
    made.sleep = slept.append
    with pytest.raises(error) as caught:
        made.publish(replace(OUTGOING, media=net.media), idempotency_key="k")
    if unknown is not None:
        assert caught.value.outcome_unknown is unknown
    assert not any(path.endswith("_publish") for path in calls)
    budget = {"threads": 300, "instagram": 600}[name]
    assert (budget - 15 < sum(slept) <= budget) if "IN_PROGRESS" in status.values() else slept == []


@pytest.mark.parametrize("status, said, error", [
    (401, "The access token was revoked", AuthError),
    (403, "This action is outside the authorized scopes", AuthError),  # the token's, not the post's
    (403, "Your login is currently disabled", AuthError),
    (422, "Validation failed: Text character limit of 500 exceeded", Rejected),
    (404, "Record not found", Rejected),  # a reply's parent that is gone
])
def test_mastodon_says_whether_the_account_or_the_post_was_refused(make_repo, status, said, error):
    """README: 401/403 are the account's (retried once it is fixed, never using up the post's tries), a
    400/404/422 refuses the post."""
    net = NETS["mastodon"]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    with pytest.raises(PlatformError) as caught:
        adapter(root, net, _raising(httpx.Response(status, json={"error": said}))).publish(OUTGOING, idempotency_key="k")
    assert type(caught.value) is error and said in caught.value.message, caught.value.message


@pytest.mark.parametrize("status, headers, error, unknown", [
    # Mastodon.py raises its rate-limit error whenever it cannot read X-RateLimit-Reset (or Date), on a
    # status made too: waiting and sending again would make it twice, so it is an unknown outcome, looked up
    (200, {"X-RateLimit-Reset": "soon"}, TransientError, True),
    (200, {"X-RateLimit-Reset": "2026-12-01T04:05:00Z", "Date": "yesterday"}, TransientError, True),
    (429, {"X-RateLimit-Reset": "soon"}, RateLimited, False),  # a rate limit still, its wait unknown
])
def test_a_mastodon_answer_with_a_rate_limit_header_it_cannot_read(make_repo, status, headers, error, unknown):
    net = NETS["mastodon"]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    answer = httpx.Response(status, json={"id": "110", "url": "https://social.example/@brand/110"} if status == 200
                            else {"error": "Too many requests"}, headers=headers)
    with pytest.raises(PlatformError) as caught:
        adapter(root, net, _raising(answer)).publish(OUTGOING, idempotency_key="k")
    assert type(caught.value) is error and getattr(caught.value, "outcome_unknown", False) is unknown, caught.value.message


def test_bluesky_waits_for_a_slow_server_as_smm_waits(make_repo):
    """The atproto SDK's own client gave up after httpx's default 5 s ("no answer"), where smm's waits 30 s:
    a PDS that takes 5.5 s to refuse the password is heard (a refusal, not an unknown outcome)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(5.5)
            body = json.dumps({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        account = (f"{{platform: bluesky, handle: brand.example, password_env: T_SECRET, "
                   f"service: 'http://127.0.0.1:{server.server_port}'}}")
        root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {account}\n", calendar=None)
        acct = load_repo(root).config.accounts["acct"]
        with pytest.raises(PlatformError) as caught:
            platform_class("bluesky")(acct, ENV, root).check_credentials()
        assert type(caught.value) is AuthError, caught.value.message
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name, answer", [
    ("x", httpx.Response(201, json={"data": {"id": None, "text": "Hello"}})),
    ("x", httpx.Response(201, json={"data": {"text": "Hello"}})),
    ("weibo", httpx.Response(200, json={"id": None, "idstr": None, "text": "Hello"})),
    ("weibo", httpx.Response(200, json={"idstr": "", "text": "Hello"})),
])
def test_a_post_made_but_named_by_no_id_is_an_unknown_outcome(make_repo, name, answer):
    """Never the post `None` in a record: the answer is one smm cannot read, and the post is looked up."""
    net = NETS[name]
    root = make_repo(platforms=f"timezone: UTC\naccounts:\n  acct: {net.account}\n", calendar=None, files=net.files)
    with pytest.raises(PlatformError) as caught:
        adapter(root, net, _raising(answer)).publish(OUTGOING, idempotency_key="k")
    assert type(caught.value) is TransientError and caught.value.outcome_unknown, caught.value.message
