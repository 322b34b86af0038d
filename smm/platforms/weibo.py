"""Weibo 微博: limits are stated in 汉字; half-width characters count one half (rounded up).

Publishing uses the open API's `statuses/share` (https://open.weibo.com/wiki/2/statuses/share),
the one write call left to third-party apps: the text (≤ 140 汉字) must hold a link under the
app's registered safe domain (account option `safe_domain`, checked by `smm check`), with at
most one picture (multipart `pic`) and the posting user's IP (`rip`). The token travels in the
`Authorization: OAuth2` header, never in a URL. Errors come as `{"error_code", "error"}` and are
mapped by code: 10022/10023/10024 rate limits (Weibo sends no headers: the wait is asked from
`account/rate_limit_status`, else the hour), 20019 repeated content, 21327 an expired token.
`find()` pages through the account's own timeline (`statuses/user_timeline`) for a status made
in the attempt's window with the text as sent (links compared without their address: Weibo
shortens them to t.cn) and the same picture count. Metrics come from `statuses/count`,
followers from `users/show`; `token_expiry` asks `oauth2/get_token_info`.
"""

from __future__ import annotations

import re
import socket
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from smm.content.links import split_url
from smm.content.tokens import URL, urls
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import answers, http
from smm.platforms.base import (API_BASE_OPTION, TOKEN_OPTION, Credentials, Display, Found, Incoming, Lookup, MediaRules, Metrics, Outgoing,
                                Platform, PublishResult)
from smm.render import counting

API = "https://api.weibo.com"
SHARE_LIMIT = 140  # 汉字, statuses/share's "内容不超过140个汉字"
PAGE = 100  # statuses per timeline page (the API's most)
MAX_PAGES = 10
IDS_PER_CALL = 100  # statuses/count takes at most 100 ids
INBOX_PAGES = 5  # pages of 200 comments (and of mentions) read back per run
RATE_LIMITS = {10022, 10023, 10024}
NO_PERMISSION = 10014  # "Insufficient app permissions!": search/topics is an advanced API
SEARCH_PAGES = 3  # pages of 50 per topic and run
EXPIRED, AUTH = {21327, 21315, 21316, 21317}, {10006, 10013, 10014, 21301, 21314, 21319, 21332}
BUSY = {10001, 10002, 10009, 10010}  # system error, unavailable, task queue full, timeout: may have acted
_SPACE = re.compile(r"\s+")
TOPIC = re.compile(r"#[^#\s]+#")  # a topic, 话题: statuses/share refuses one in the text
_DOMAIN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


def on_domain(link: str, domain: str) -> bool:
    parts = split_url(link)
    host = (parts and parts.hostname or "").lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def comparable(text: str) -> str:
    """A status's text as comparable: links without their address (t.cn rewrites them), no white space."""
    return _SPACE.sub("", URL.sub("🔗", text or ""))


def created(status: dict) -> datetime:
    return datetime.strptime(status["created_at"], "%a %b %d %H:%M:%S %z %Y")


def _incoming(item: dict, kind: str) -> Incoming:
    """A comment or a status that mentions the account, as an inbox item's raw material."""
    user = item.get("user") or {}
    status = item.get("status") or {}
    answered = str(status.get("idstr") or status.get("id") or "") or None
    return Incoming(item.get("idstr") or item.get("id"), kind, user.get("screen_name") or str(user.get("id", "")),
                    item.get("text") or "", f"https://weibo.com/{user.get('id', '')}/{item.get('mid') or item['id']}",
                    created(item), user.get("followers_count"), answered if kind == "comment" else None,
                    author_verified=bool(user.get("verified")))


def _found(status: dict) -> Found:
    user = status.get("user") or {}
    mid = str(status.get("idstr") or status["id"])
    return Found(mid, user.get("screen_name") or str(user.get("id", "")), user.get("followers_count"),
                 created(status).astimezone(timezone.utc), status.get("text") or "",
                 f"https://weibo.com/{user.get('id', '')}/{status.get('mid') or mid}", status.get("attitudes_count") or 0,
                 status.get("reposts_count") or 0, status.get("comments_count") or 0)


def outbound_address(api: str) -> str:
    """This machine's address towards the API (what `rip` reports when the account sets none); no packet is sent."""
    host = urlsplit(api).hostname or "api.weibo.com"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((socket.gethostbyname(host), 443))
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


class Weibo(Platform):
    name = "weibo"
    label = "Weibo 微博"
    text_limit = SHARE_LIMIT
    unit = "汉字"
    unit_lang = "zh"
    counting_rule = "汉字: full-width counts 1, half-width ½, outside the BMP (most emoji) 2, rounded up (community-measured)"
    media = MediaRules(max_count=1, types=frozenset({"image/jpeg", "image/png", "image/gif"}),
                       max_bytes=5 * 1024 * 1024 - 1, alt_supported=False)
    secrets = ("token_env",)
    options = {
        **TOKEN_OPTION,
        "safe_domain": {"description": "The safe domain registered for the app (安全域名): every post must link to "
                                       "it or a subdomain, or Weibo refuses it.", "type": "string", "pattern": _DOMAIN},
        "rip": {"description": "The IP address reported as the posting user's (`rip`); default this machine's.",
                "type": "string", "pattern": r"^[0-9a-fA-F.:]{2,45}$"},
        **API_BASE_OPTION,
    }
    options_rule = {"required": ["token_env", "safe_domain"],
                    "properties": {"char_limit": {"maximum": SHARE_LIMIT}}}
    display = Display("#e6162d", "#3a6ea5")
    can_publish = True
    reconciles = True
    settle = 60.0  # assumed: Weibo acts on a request within twice the 30 s answer timeout, or never
    has_metrics = has_followers = has_inbox = has_search = True

    length = staticmethod(counting.weibo_length)

    @classmethod
    def account_problems(cls, text: str, options: Mapping) -> list[tuple[str, str, str | None, str | None]]:
        """statuses/share's rules: a link to the app's safe domain (an empty post is `post.empty-body`'s
        business) and no `#话题#` topic."""
        found = [("render.weibo-topic", f"`{topic}` is a Weibo topic (#话题#), which statuses/share refuses",
                  f"write `{topic[:-1]}` (a hashtag), or leave the topic out", topic)
                 for topic in dict.fromkeys(TOPIC.findall(URL.sub(" ", text)))]
        domain = str(options.get("safe_domain") or "").lower()
        if domain and text.strip() and not any(on_domain(link, domain) for link in urls(text)):
            found.append(("render.safe-domain", f"no link to the safe domain {domain}: Weibo refuses a post "
                          "without one", f"set `link:` to a page on {domain}, or link one in the text", None))
        return found

    # -- the adapter ------------------------------------------------------------

    @property
    def api(self) -> str:
        return (self.options.get("api_base") or API).rstrip("/")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = http.client(transport=self.transport)  # made now: `smm metrics` calls from several threads

    def call(self, method: str, path: str, what: str, **kwargs):
        """One API call; its JSON, or the typed error its `error_code` means."""
        label = f"Weibo {what}"
        headers = {"Authorization": f"OAuth2 {self.secret('token_env')}"}
        response = http.request(self.session, method, f"{self.api}{path}", label, headers=headers, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and body is not None and not (isinstance(body, dict) and "error_code" in body):
            return body
        if body is None and (response.is_success or response.status_code >= 500):
            raise TransientError(f"{label}: HTTP {response.status_code}, the answer is not JSON; it may have been "
                                 "carried out", outcome_unknown=True)
        raise self.error(label, response, body if isinstance(body, dict) else {})

    def error(self, label: str, response, body: dict) -> Exception:
        code = answers.code(body.get("error_code"))
        detail = f"{label}: {body.get('error') or 'HTTP ' + str(response.status_code)} (error {code})"
        if code in RATE_LIMITS or response.status_code == 429:
            return RateLimited(detail, retry_after=self.wait())
        if code in EXPIRED:
            return AuthError(f"{detail}: the access token has expired; authorize the app again and update the secret")
        if code in AUTH or response.status_code == 401:
            return AuthError(detail)
        if code == 20019:
            return Rejected(f"{label}: repeated content: Weibo refuses a text identical to the account's previous "
                            "post (error 20019)")
        if code in BUSY or response.status_code >= 500:
            return TransientError(detail, outcome_unknown=True)
        return Rejected(detail)

    def wait(self) -> float:
        """Seconds until the hourly budget is back (Weibo sends no rate-limit headers): asked, else an hour."""
        if getattr(self, "_asking", False):  # the question itself was refused
            return 3600.0
        self._asking = True
        try:
            status = self.call("GET", "/2/account/rate_limit_status.json", "rate limit status")
            return float(status["reset_time_in_seconds"])
        except Exception:  # any failure: assume the whole hour
            return 3600.0
        finally:
            self._asking = False

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        fields = {"status": outgoing.text, "rip": self.options.get("rip") or outbound_address(self.api)}
        if not outgoing.media:
            return self.result(self.call("POST", "/2/statuses/share.json", "share", data=fields))
        with ExitStack() as stack:
            files = http.open_media(stack, outgoing.media[:1], lambda index: "pic")
            return self.result(self.call("POST", "/2/statuses/share.json", "share", data=fields, files=files))

    def result(self, status) -> PublishResult:
        try:
            mid = answers.ident(status.get("idstr") or status.get("id"), "status id")
        except (AttributeError, ValueError):
            raise TransientError("Weibo share: sent, but the answer has no status id", outcome_unknown=True) from None
        return PublishResult(mid, f"https://m.weibo.cn/status/{mid}")

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """The oldest status of the account's timeline in the lookup's window that is a version sent."""
        found = None
        for page in range(1, MAX_PAGES + 1):
            statuses = self.call("GET", "/2/statuses/user_timeline.json", "own statuses",
                                 params={"count": PAGE, "page": page}).get("statuses") or []
            for status in statuses:
                moment = created(status)
                if (lookup.since <= moment <= lookup.until and str(status.get("idstr") or status["id"]) not in lookup.owned
                        and any(self.is_sent(status, sent) for sent in lookup.sent)):
                    found = self.result(status)
            if len(statuses) < PAGE or created(statuses[-1]) < lookup.since:
                return found
        raise NotSupported(f"more than {MAX_PAGES * PAGE} statuses since the call: too many to look through")

    @staticmethod
    def is_sent(status: dict, outgoing: Outgoing) -> bool:
        pictures = 1 if status.get("original_pic") or status.get("pic_ids") else 0
        return comparable(status.get("text", "")) == comparable(outgoing.text) and pictures == min(len(outgoing.media), 1)

    def confirm(self, reference: str) -> PublishResult:
        """A status id or URL (`https://weibo.com/<uid>/<id>`, `https://m.weibo.cn/status/<id>`) of this account."""
        parts = split_url(reference.strip())
        status_id = (parts.path.rstrip("/").rsplit("/", 1)[-1] if parts else "") or reference.strip()
        if not status_id.isdigit():
            raise Rejected(f"{reference} names no Weibo status by its number")
        status = self.call("GET", "/2/statuses/show.json", "status", params={"id": status_id})
        if str((status.get("user") or {}).get("id")) != self.uid():
            raise Rejected(f"status {status_id} is not this account's")
        return self.result(status)

    def uid(self) -> str:
        if not hasattr(self, "_uid"):
            self._uid = str(self.call("GET", "/2/account/get_uid.json", "who am I")["uid"])
        return self._uid

    def whoami(self) -> str:
        """A cheap authenticated call: the account the token posts as, `name (uid N)`."""
        user = self.call("GET", "/2/users/show.json", "user", params={"uid": self.uid()})
        return f"{user.get('screen_name')} (uid {self.uid()})"

    def check_credentials(self) -> Credentials:
        """For `smm doctor`: the account the token posts as, and when the token expires."""
        return Credentials(self.whoami(), expires_at=self.token_expiry())

    def token_expiry(self) -> datetime | None:
        """When the token expires, from `oauth2/get_token_info` (Weibo's own introspection)."""
        info = self.call("POST", "/oauth2/get_token_info", "token info", data={"access_token": self.secret("token_env")})
        return datetime.now(timezone.utc) + timedelta(seconds=int(info["expire_in"])) if info.get("expire_in") else None

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found = []
        for start in range(0, len(remote_ids), IDS_PER_CALL):
            ids = ",".join(remote_ids[start:start + IDS_PER_CALL])
            for row in self.call("GET", "/2/statuses/count.json", "counts", params={"ids": ids}):
                found.append(Metrics(str(row["id"]), likes=row.get("attitudes"), reposts=row.get("reposts"),
                                     replies=row.get("comments")))
        return found

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Comments on the account's statuses and statuses that @ it, newest first, back to `since`."""
        found = []
        for path, key, kind in (("/2/comments/to_me.json", "comments", "comment"),
                                ("/2/statuses/mentions.json", "statuses", "mention")):
            for page in range(1, INBOX_PAGES + 1):
                items = self.call("GET", path, f"{kind}s", params={"count": 200, "page": page}).get(key) or []
                found += [_incoming(item, kind) for item in items if created(item) >= since]
                if len(items) < 200 or created(items[-1]) < since:
                    break
        return found

    def search(self, query: str, since: datetime, *, authors: Sequence[str] = ()) -> list[Found]:
        """Statuses under the topic #query# (`search/topics`, the open API's only search, an advanced API the
        app must be granted: without it NotSupported says so), newest first, back to `since`."""
        found = []
        for page in range(1, SEARCH_PAGES + 1):
            try:
                statuses = self.call("GET", "/2/search/topics.json", "search",
                                     params={"q": query.lstrip("#"), "count": 50, "page": page}).get("statuses") or []
            except AuthError as exc:
                if f"(error {NO_PERMISSION})" in exc.message:
                    raise NotSupported(f"Weibo: this app may not search (search/topics is an advanced API Weibo "
                                       f"grants on application; error {NO_PERMISSION})") from None
                raise
            found += [_found(st) for st in statuses if created(st) >= since
                      and str((st.get("user") or {}).get("id")) != self.uid()]
            if len(statuses) < 50 or created(statuses[-1]) < since:
                break
        return found

    def followers(self) -> int | None:
        return self.call("GET", "/2/users/show.json", "user", params={"uid": self.uid()}).get("followers_count")

    def close(self) -> None:
        self.session.close()
