"""WeChat Official Accounts (公众号): articles through the draft box and free publishing (发布).

    publish ── a token (stable_token, cached while valid, asked again on 40001/42001), the cover
               (material/add_material) and the body's images (media/uploadimg, their `src`
               rewritten to the URLs returned), draft/add; with `mode: publish`, freepublish/submit,
               then freepublish/get polled until published or refused (past POLL_LIMIT, the
               publish_id is kept with the attempt: WeChat may take longer, and publishes it anyway)
    find    ── freepublish/get of a publish_id kept (still publishing: UnderWay, nothing sent again);
               else freepublish/batchget, newest first: this job's article (its title and 原文链接)
               published in the attempt's window and owned by no other record
    metrics ── datacube (smm.platforms.wechat_stats), a day behind

Every answer is HTTP 200; an error is `{"errcode": N, "errmsg": ...}` (answer()).
The body is HTML of fewer than 20,000 characters and under 1 MB (draft/add).
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from smm.render.article import attribute, first_paragraph, image_sources
from smm.errors import AuthError, NotSupported, PlatformError, RateLimited, Rejected, TransientError, UnderWay
from smm.platforms import answers, http
from smm.platforms.base import Display, Incoming, Lookup, MediaRules, Metrics, Outgoing, Platform, PublishResult, Readiness, \
    secret_option

MAX_BYTES = 1_000_000  # "小于1M": the smaller reading of 1 MB, so both readings pass
API = "https://api.weixin.qq.com"
BEIJING = ZoneInfo("Asia/Shanghai")  # WeChat's days (quotas, statistics) are China's
POLL_SECONDS = 2.0  # between freepublish/get calls
POLL_LIMIT = 90.0  # then the outcome is left to find()
COMMENTED_ARTICLES = 20  # the inbox reads the comments of the newest articles
PAGE, MAX_PAGES = 20, 10  # freepublish/batchget: at most 20 a page; find() looks 200 articles back
DIGEST_CHARS = 120  # of the first paragraph (WeChat takes 128; without one it cuts 54)
STALE_TOKEN = (40001, 42001)  # invalid or replaced, expired: ask for the current token once
BAD_CREDENTIALS = {40013: "the AppID is wrong", 40125: "the AppSecret is wrong", 41002: "the AppID is missing",
                   41004: "the AppSecret is missing", 41001: "the access token is missing",
                   48001: "the account may not use this API (公众平台 → 设置与开发 → 接口权限)"}
PUBLISH_STATUS = {2: "the originality (原创) declaration failed", 3: "publishing failed",
                  4: "WeChat's review refused it (平台审核不通过)", 5: "it was deleted after publishing",
                  6: "WeChat blocked it after publishing"}
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}  # (api_base, app_id) → (token, monotonic expiry)
_TOKENS_LOCK = threading.Lock()


def answer(response, what: str, creates: bool = False) -> dict:
    """A WeChat answer's JSON, or the typed error its errcode means (a create call's unreadable
    answer may hide a success)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise TransientError(f"WeChat {what}: an answer that is not JSON", outcome_unknown=creates)
    said = data.get("errcode") or 0
    code = answers.code(said)  # `"40001"` is 40001; a code that is no number is an error all the same
    if code == 0:
        return data
    code = said if code is None else code
    message = f"WeChat {what}: {code} {data.get('errmsg', '')}".strip()
    if code == -1:  # 系统繁忙: refused, try again later
        raise TransientError(message)
    if code == 45009:  # the API's daily quota: it resets at midnight, China time
        now = datetime.now(BEIJING)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), BEIJING)
        raise RateLimited(message, retry_after=(midnight - now).total_seconds())
    if code == 45011:  # the minute quota
        raise RateLimited(message, retry_after=60.0)
    if code == 40164:
        address = re.search(r"invalid ip ([0-9a-fA-F.:]+)", str(data.get("errmsg")))
        raise AuthError(f"WeChat {what}: configuration: calls from IP {address[1] if address else '(unknown)'} are not "
                        "allowed; add it to the account's IP whitelist (公众平台 → 设置与开发 → 基本配置 → IP白名单)")
    if code in BAD_CREDENTIALS or code in STALE_TOKEN:
        raise AuthError(f"{message}: {BAD_CREDENTIALS.get(code, 'the access token was refused')}")
    raise Rejected(message)


def published_as(state: dict, under_way: dict) -> PublishResult | None:
    """What freepublish/get says of a submitted article: published, None while WeChat is still
    publishing it, or Rejected when it did not publish it."""
    status = answers.code(state.get("publish_status"))
    if status == 0:
        items = (state.get("article_detail") or {}).get("item") or [{}]
        return PublishResult(answers.ident(state.get("article_id"), "article_id"), items[0].get("article_url"),
                             {key: str(under_way[key]) for key in ("publish_id", "msg_data_id") if under_way.get(key)})
    if status in PUBLISH_STATUS:
        raise Rejected(f"WeChat did not publish it: {PUBLISH_STATUS[status]} (publish_id {under_way['publish_id']}, "
                       f"articles {state.get('fail_idx') or []})")
    return None


def digest(content: str) -> str:
    """The article's 摘要: its first paragraph as text (none: WeChat takes the body's start), cut to
    DIGEST_CHARS between grapheme clusters (an emoji or a flag is never cut in two)."""
    from smm.render.counting import first_overflow

    text = first_paragraph(content)
    if len(text) <= DIGEST_CHARS:
        return text
    return text[:first_overflow(text, DIGEST_CHARS - 1, len)].rstrip() + "…"


def is_sent(item: dict, outgoing: Outgoing) -> bool:
    """Whether a published article is this version of the post: its title and 原文链接."""
    return (not item.get("is_deleted") and item.get("title") == outgoing.title
            and (item.get("content_source_url") or "") == (outgoing.link or ""))


class WeChat(Platform):
    name = "wechat"
    label = "WeChat 公众号"
    text_limit = 19_999  # "必须少于2万字符": 20,000 characters is already too many
    unit = "characters"
    counting_rule = "characters of the article body (HTML): fewer than 20,000, and under 1 MB"
    markup = "article"
    title_limit = 32  # draft/add: title ≤ 32 characters
    media = MediaRules(max_count=1, types=frozenset({"image/jpeg", "image/png"}), max_bytes=10 * 1024 * 1024,
                       alt_supported=False)  # the cover: material/add_material?type=image
    article_images = MediaRules(max_count=1000, types=frozenset({"image/jpeg", "image/png"}),
                                max_bytes=1024 * 1024 - 1, alt_supported=False)  # media/uploadimg: "< 1 MB"
    daily_limit = 1  # a subscription account's one group message (群发) a day
    day_zone = "Asia/Shanghai"
    secrets = ("secret_env",)
    options = {
        "app_id": {"description": "The account's AppID (公众平台 → 设置与开发 → 基本配置).", "type": "string",
                   "pattern": "^wx[0-9A-Za-z]{8,32}$"},
        "secret_env": secret_option("the AppSecret"),
        "api_base": {"description": "The API's base URL (default `https://api.weixin.qq.com`; tests use a local "
                                    "server).", "$ref": "#/$defs/url"},
        "mode": {"description": "`publish` (default): published with freepublish; `draft`: left in the 草稿箱 "
                                "for a human to send.", "enum": ["publish", "draft"]},
        "author": {"description": "The articles' author (at most 16 characters).", "type": "string"},
        "comments": {"description": "`true` opens comments on the articles (default `false`).", "type": "boolean"},
        "cover": {"description": "The cover of articles whose post has no `media`: an image path from the "
                                 "repository root.", "type": "string", "minLength": 1},
        "daily_limit": {"description": "Articles a day (China time) `smm check` allows (`calendar.daily-limit`); "
                                       "default 1, a subscription account's one group message a day.",
                        "type": "integer", "minimum": 1},
    }
    options_rule = {"properties": {"author": {"maxLength": 16}}}
    display = Display("#07c160", "#576b95")
    can_publish = True
    reconciles = True
    has_metrics = has_followers = has_inbox = True
    settle = POLL_LIMIT + 30.0  # a lost submit shows in batchget once published: polling's limit, with a margin
    clock = staticmethod(lambda: datetime.now(timezone.utc))  # the seam for datacube's "yesterday"

    length = staticmethod(len)
    # The title too: draft/add says 32 characters, not how it counts them; as the body, code points (a
    # cluster of several, 👩‍👩‍👧, counts as its code points, as tests/peers/wechat_api.py refuses it)
    title_length = staticmethod(len)

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        size = len(text.encode("utf-8"))
        return [f"{size} UTF-8 bytes; WeChat takes an article under 1 MB"] if size >= MAX_BYTES else []

    @classmethod
    def readiness(cls, options, env) -> Readiness:
        ready = super().readiness(options, env)
        unset = [f"`{key}`" for key in ("app_id", "secret_env") if not options.get(key)]
        if not cls.can_publish or ready.not_configured or not unset:
            return ready
        return Readiness(ready.unsupported, ready.not_installed,
                         f"not configured: set {' and '.join(unset)} in platforms.yml", ready.secrets)

    # -- calls --------------------------------------------------------------------

    @property
    def calls(self) -> http.SecretCalls:
        if not hasattr(self, "_calls"):
            self._calls = http.SecretCalls(self.secret("secret_env"), is_url=False, transport=self.transport)
        return self._calls

    @property
    def base(self) -> str:
        return (self.options.get("api_base") or API).rstrip("/")

    def token(self, stale: str | None = None) -> str:
        """The access token: the cached one while valid, else stable_token's (`stale`: refused just now)."""
        key = (self.base, self.options.get("app_id", ""))
        with _TOKENS_LOCK:
            cached = _TOKENS.get(key)
            if cached and cached[0] != stale and cached[1] > time.monotonic():
                return cached[0]
            body = {"grant_type": "client_credential", "appid": key[1], "secret": self.secret("secret_env")}
            token, data = "", {}
            for force in (False, True):  # forced only when the token refused is handed out again
                data = answer(self.calls.send("POST", f"{self.base}/cgi-bin/stable_token", "WeChat token",
                                              json={**body, "force_refresh": force}), "token")
                token = str(data.get("access_token") or "")
                if token != stale:
                    break
            if not token:
                raise AuthError("WeChat token: the answer holds no access_token")
            self.calls.hide(token)
            lifetime = max(0.0, (answers.number(data.get("expires_in")) or 0) - 60)  # renewed a minute early
            _TOKENS[key] = (token, time.monotonic() + lifetime)
            return token

    def call(self, what: str, path: str, body: dict | None = None, *, files=None, params=None,
             creates: bool = False) -> dict:
        """One API call with the token; a stale token is replaced once and the call made again (it was refused)."""
        stale = None
        for _ in range(2):
            token = self.token(stale)
            kwargs = {"files": files} if files else {
                "content": json.dumps(body or {}, ensure_ascii=False).encode(),  # not \\u escapes: WeChat keeps them
                "headers": {"Content-Type": "application/json; charset=utf-8"}}
            response = self.calls.send("POST", self.base + path, f"WeChat {what}",
                                       params={**(params or {}), "access_token": token}, **kwargs)
            try:
                return answer(response, what, creates)
            except AuthError:
                if answers.code(response.json().get("errcode")) not in STALE_TOKEN or stale:
                    raise
                stale = token
        raise AssertionError("unreachable")

    def upload(self, what: str, path: Path, endpoint: str, params=None) -> dict:
        try:
            data = path.read_bytes()
        except OSError as exc:  # nothing was sent
            raise Rejected(f"cannot read {path.name}: {exc.strerror}") from None
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return self.call(what, endpoint, files={"media": (path.name, data, kind)}, params=params)

    # -- publishing ------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        article = {"title": outgoing.title, "author": self.options.get("author", ""),
                   "digest": digest(outgoing.text), "content": self.with_uploaded_images(outgoing.text),
                   "content_source_url": outgoing.link or "", "thumb_media_id": self.cover(outgoing),
                   "need_open_comment": int(bool(self.options.get("comments"))), "only_fans_can_comment": 0}
        media_id = self.call("draft", "/cgi-bin/draft/add", {"articles": [article]}, creates=True)["media_id"]
        if self.options.get("mode") == "draft":
            return PublishResult(f"draft:{media_id}", None, {"mode": "draft"})
        submitted = self.call("publish", "/cgi-bin/freepublish/submit", {"media_id": media_id}, creates=True)
        return self.outcome(answers.ident(submitted.get("publish_id"), "publish_id"), str(submitted.get("msg_data_id") or ""))

    def cover(self, outgoing: Outgoing) -> str:
        path = outgoing.media[0][0] if outgoing.media else None
        if path is None and self.options.get("cover") and self.root is not None:
            path = Path(self.root) / self.options["cover"]
        if path is None:
            raise Rejected("a WeChat article needs a cover: add `media:` to the post or `cover` to the account")
        return self.upload("cover", Path(path), "/cgi-bin/material/add_material", {"type": "image"})["media_id"]

    def with_uploaded_images(self, content: str) -> str:
        """The body with each repository image uploaded and its `src` replaced by WeChat's URL."""
        from smm.render.markup import is_local_image  # (Markdown is not imported to list the platforms)

        for source in dict.fromkeys(s for s in image_sources(content) if is_local_image(s)):
            if self.root is None:
                raise Rejected(f"image {source}: no repository to read it from")
            url = self.upload("image", Path(self.root) / source, "/cgi-bin/media/uploadimg")["url"]
            content = content.replace(f'src="{attribute(source)}"', f'src="{attribute(url)}"')
        return content

    def outcome(self, publish_id: str, msg_data_id: str = "") -> PublishResult:
        """freepublish/get until the article is out or refused; past POLL_LIMIT, left to find(), which asks
        about the publish_id again (kept with the attempt: TransientError.under_way)."""
        under_way = {"publish_id": publish_id, **({"msg_data_id": msg_data_id} if msg_data_id else {})}
        deadline = time.monotonic() + POLL_LIMIT
        while True:
            try:
                state = self.poll(under_way)
            except PlatformError as exc:  # submitted: trying again could publish it twice
                raise TransientError(f"submitted (publish_id {publish_id}), but its outcome is unknown: {exc.message}",
                                     outcome_unknown=True, under_way=under_way) from None
            found = published_as(state, under_way)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TransientError(f"still publishing after {POLL_LIMIT:.0f} s (publish_id {publish_id})",
                                     outcome_unknown=True, under_way=under_way)
            time.sleep(POLL_SECONDS)

    def poll(self, under_way: dict) -> dict:
        """freepublish/get of a submitted article."""
        return self.call("publish status", "/cgi-bin/freepublish/get", {"publish_id": str(under_way["publish_id"])})

    # -- looking up ------------------------------------------------------------------

    def published(self, since: datetime | None = None) -> Iterator[dict]:
        """Published articles, newest first: {article_id, update_time, news_item}; back to `since`."""
        for page in range(MAX_PAGES):
            data = self.call("published articles", "/cgi-bin/freepublish/batchget",
                             {"offset": page * PAGE, "count": PAGE, "no_content": 1})
            items = data.get("item") or []
            for item in items:
                yield item
                made = answers.epoch(item.get("update_time", 0))
                if since and made is not None and made < since:
                    return
            if len(items) < PAGE:
                return
        raise NotSupported(f"more than {PAGE * MAX_PAGES} articles since then: too many to look through")

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Comments on the account's articles (comment/list, by each article's msg_data_id, which smm
        keeps from freepublish/submit), said since `since`; the 50 newest of the 20 newest articles."""
        found = []
        for post in [p for p in published if p.extra.get("msg_data_id")][-COMMENTED_ARTICLES:]:
            answer = self.call("comments", "/cgi-bin/comment/list", {
                "msg_data_id": int(post.extra["msg_data_id"]), "index": 0, "begin": 0, "count": 50, "type": 0})
            for comment in answer.get("comment") or []:
                when = answers.epoch(comment.get("create_time", 0))
                if when is not None and when >= since:
                    found.append(Incoming(f"{post.extra['msg_data_id']}_{comment['user_comment_id']}", "comment",
                                          comment.get("openid", ""), comment.get("content", ""), post.url, when,
                                          None, post.remote_id))
        return found

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """A submit whose publish_id smm kept is asked about (still publishing: UnderWay); else, or when none
        got that far, freepublish/batchget's articles in the attempts' window that read as one sent."""
        if self.options.get("mode") == "draft":
            raise NotSupported("smm does not look through the draft box")
        for under_way in lookup.under_way:
            found = published_as(self.poll(under_way), under_way)
            if found is None:
                raise UnderWay(f"WeChat is still publishing it (publish_id {under_way['publish_id']})")
            if found.remote_id not in lookup.owned:
                return found
        found = None
        for item in self.published(lookup.since):
            when = answers.epoch(item.get("update_time", 0))
            news = (item.get("content") or {}).get("news_item") or [{}]
            if (when is not None and lookup.since <= when <= lookup.until and item["article_id"] not in lookup.owned
                    and any(is_sent(news[0], sent) for sent in lookup.sent)):
                found = PublishResult(answers.ident(item.get("article_id"), "article_id"), news[0].get("url"))  # the oldest wins
        return found

    def confirm(self, reference: str) -> PublishResult:
        """An article URL (https://mp.weixin.qq.com/s/…) or article_id this account published."""
        reference = reference.strip()
        for item in self.published():
            news = (item.get("content") or {}).get("news_item") or [{}]
            if reference in (item.get("article_id"), news[0].get("url")) and not news[0].get("is_deleted"):
                return PublishResult(str(item["article_id"]), news[0].get("url"))
        raise Rejected(f"{reference} is none of this account's published articles")

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        from smm.platforms.wechat_stats import article_metrics

        return article_metrics(self, remote_ids)

    def followers(self) -> int | None:
        from smm.platforms.wechat_stats import follower_count

        return follower_count(self)

    def close(self) -> None:
        if hasattr(self, "_calls"):
            self._calls.client.close()

