"""X (Twitter): 280 weighted characters per twitter-text v3; publishing through API v2 with httpx.

tweepy is not used: its Client has no base URL to point at another host (`api_base`: a proxy,
or the local double the tests run). Posts go to `POST /2/tweets`, each thread part replying to
the one before; media through the v2 upload (smm.platforms.x_media); authentication as
smm.platforms.x_auth describes. X takes no idempotency key: `find()` looks through the
account's own posts created in the attempt's window for one no other record owns, with a
version of the text as sent (URLs compared as links: X shows them as t.co), the same reply-to
and as many media. A 429 waits until the `x-rate-limit-reset` (or the 24-hour app or user
window's reset) of whichever window is exhausted.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterator, Sequence

from smm.content.links import split_url
from smm.errors import NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import answers, http, rotation, x_media
from smm.platforms.answers import number
from smm.platforms.base import (
    HANDLE_OPTION,
    TOKEN_OPTION,
    Credentials,
    Display,
    Found,
    Incoming,
    Lookup,
    MediaRules,
    Metrics,
    Outgoing,
    Platform,
    Profile,
    PublishResult,
    Readiness,
    VideoRules,
    secret_option,
)
from smm.render import counting

if TYPE_CHECKING:  # imported where a call is made: loading the platforms (to check posts) needs no HTTP client
    import httpx

API_BASE = "https://api.x.com"
PAGE = 100  # posts per timeline page looked through by find()
MAX_PAGES = 10  # beyond this many pages back, find() cannot tell
_WINDOWS = ("x-rate-limit", "x-app-limit-24hour", "x-user-limit-24hour")
_SPACE = re.compile(r"\s+")
OAUTH1_KEYS = ("api_key_env", "api_secret_env", "access_token_env", "access_secret_env")
_LINK = re.compile(r"https?://\S+")
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=1)  # recent search: the last 7 days (start_time no earlier)
SEARCH_PAGES = 5  # pages of 100 per query and run
_NOT_PERMITTED = ("not permitted to perform this action", "unsupported-authentication", "client-forbidden")


def auth_mode(options) -> str:
    """`oauth1`, `refresh` (OAuth 2.0 with a refresh token) or `bearer` (an OAuth 2.0 access token)."""
    if any(options.get(key) for key in OAUTH1_KEYS):
        return "oauth1"
    return "refresh" if options.get("refresh_token_env") else "bearer"


def rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds until the exhausted window (per 15 minutes, or the app's or user's 24 hours) resets."""
    now = datetime.now(timezone.utc).timestamp()
    resets = [reset - now for w in _WINDOWS if response.headers.get(f"{w}-remaining") == "0"
              and (reset := number(response.headers.get(f"{w}-reset"))) is not None]
    return max(0.0, *resets) if resets else http.retry_after(response)


def answer(response: httpx.Response, label: str) -> httpx.Response:
    """X's dialect: a 403 is a refusal of the post (too long, a duplicate, a deleted parent) unless
    it says the credentials may not do this; a 429 waits for the exhausted window."""
    if response.status_code == 429:
        raise RateLimited(f"{label}: HTTP 429 rate limited", retry_after=rate_limit_wait(response))
    if response.status_code == 403:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        said = f"{problem.get('type', '')} {problem.get('detail', '')}".lower() if isinstance(problem, dict) else ""
        if said.strip() and not any(words in said for words in _NOT_PERMITTED):
            raise Rejected(f"{label}: HTTP 403 {problem.get('detail') or problem.get('title')}"[:300])
    return http.check(response, label)


def comparable(text: str) -> str:
    """A post's text as comparable text: entities unescaped, each URL a mark, no white space."""
    text, spans = counting.x_urls(html.unescape(text))
    for start, end in reversed(spans):
        text = text[:start] + "\u2197" + text[end:]
    return _SPACE.sub("", _LINK.sub("\u2197", text))  # a link twitter-text does not see: the same mark either way


def is_sent(tweet: dict, outgoing: Outgoing) -> bool:
    """Whether a post is this version of the part: its text, reply-to and number of media."""
    replied = next((r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"), "")
    return (comparable(tweet.get("text") or "") == comparable(outgoing.text)
            and str(replied) == (outgoing.reply_to.remote_id if outgoing.reply_to else "")
            and len((tweet.get("attachments") or {}).get("media_keys") or []) == len(outgoing.media))


def _created(tweet: dict) -> datetime:
    return datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))


def _incoming(tweet: dict, author: dict, me: str) -> Incoming:
    """A post that mentions the account, as an inbox item's raw material."""
    refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets") or []}
    replied = refs.get("replied_to") if tweet.get("in_reply_to_user_id") == me else None
    kind = "reply" if replied else "quote" if "quoted" in refs else "mention"
    username = author.get("username") or tweet.get("author_id", "")
    return Incoming(tweet["id"], kind, username, html.unescape(tweet.get("text", "")),
                    f"https://x.com/{username}/status/{tweet['id']}", _created(tweet),
                    (author.get("public_metrics") or {}).get("followers_count"), replied, refs.get("quoted"),
                    bool(author.get("verified")))


def search_query(query: str) -> str:
    """A keyword or `#tag` in recent search's syntax: a keyword quoted (so `-`, `:` or `OR` in it are no
    operators), retweets left out (their text is another's)."""
    term = query if query.startswith("#") else '"' + query.replace('"', " ").strip() + '"'
    return f"{term} -is:retweet"


def _found(tweet: dict, author: dict) -> Found:
    counts = tweet.get("public_metrics") or {}
    username = author.get("username") or tweet.get("author_id", "")
    return Found(tweet["id"], username, (author.get("public_metrics") or {}).get("followers_count"),
                 _created(tweet).astimezone(timezone.utc), html.unescape(tweet.get("text", "")),
                 f"https://x.com/{username}/status/{tweet['id']}", counts.get("like_count") or 0,
                 (counts.get("retweet_count") or 0) + (counts.get("quote_count") or 0), counts.get("reply_count") or 0)


class X(Platform):
    name = "x"
    label = "X"
    text_limit = 280
    unit = "weighted characters"
    counting_rule = "twitter-text v3 weighted length (CJK and emoji count 2, URLs 23)"
    threads = True
    media = MediaRules(max_count=4, max_bytes=5 * 1024 * 1024, alt_limit=1000,
                       video=VideoRules(types=frozenset({"video/mp4", "video/quicktime"}), max_bytes=512 * 1024 * 1024,
                                        min_seconds=0.5, max_seconds=140, min_aspect=1 / 3, max_aspect=3,
                                        codecs=frozenset({"h264"}), max_frame_rate=60))
    secrets = ("token_env", "refresh_token_env", "client_secret_env", *OAUTH1_KEYS)
    options = {
        **HANDLE_OPTION,
        **TOKEN_OPTION,
        "api_base": {"description": f"The API's base URL (default `{API_BASE}`): a proxy, or a local server in "
                                    "tests.", "$ref": "#/$defs/url"},
        "refresh_token_env": secret_option("the OAuth 2.0 refresh token (X rotates it: see SMM_ROTATED_SECRETS)"),
        "client_id": {"description": "The OAuth 2.0 client id of the app the refresh token was issued to.",
                      "type": "string", "minLength": 1},
        "client_secret_env": secret_option("the OAuth 2.0 client secret (confidential clients only)"),
        "api_key_env": secret_option("the OAuth 1.0a API key (consumer key)"),
        "api_secret_env": secret_option("the OAuth 1.0a API key secret (consumer secret)"),
        "access_token_env": secret_option("the OAuth 1.0a access token"),
        "access_secret_env": secret_option("the OAuth 1.0a access token secret"),
    }
    # check and preview need no credentials; publishing needs one of the three ways (readiness says which)
    options_rule = {"dependentRequired": {"refresh_token_env": ["client_id"],
                                          **{key: [k for k in OAUTH1_KEYS if k != key] for key in OAUTH1_KEYS}}}
    display = Display("#000", "#0b62d6", link_chars=30)
    can_publish = True
    reconciles = True
    settle = 60.0  # assumed: X acts on a request within twice the 30 s answer timeout, or never
    has_metrics = has_followers = has_inbox = has_search = True
    needed_scopes = frozenset({"tweet.read", "tweet.write", "users.read", "media.write"})

    length = staticmethod(counting.x_length)

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        """twitter-text refuses an empty post, or one holding U+FFFE, U+FEFF or U+FFFF.

        White space only is no empty post for twitter-text 3.1.0 (parseTweet("   ") is
        valid, weighted 3; its conformance suite refuses only ""), so it is counted here.
        A rendered post is stripped: white space alone arrives here empty."""
        if not text:
            return ["X refuses an empty post"]
        bad = sorted(f"U+{ord(ch):04X}" for ch in "\ufffe\ufeff\uffff" if ch in text)
        return [f"X refuses text containing {', '.join(bad)}"] if bad else []

    @classmethod
    def readiness(cls, options, env) -> Readiness:
        """As every network's, and a refresh token needs a folder for the rotated one."""
        ready = super().readiness(options, env)
        problem = rotation.folder_problem(env) if auth_mode(options) == "refresh" else None
        if not any(options.get(key) for key in ("token_env", "refresh_token_env", OAUTH1_KEYS[0])):
            problem = ("set `token_env`, or `refresh_token_env` and `client_id`, or the four OAuth 1.0a keys "
                       "(`api_key_env`, `api_secret_env`, `access_token_env`, `access_secret_env`) in platforms.yml")
        if ready.not_configured or not problem:
            return ready
        return Readiness(ready.unsupported, ready.not_installed, f"not configured: {problem}",
                         (rotation.FOLDER,) if "SMM_ROTATED" in problem else ())

    # -- the connection -----------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return (self.options.get("api_base") or API_BASE).rstrip("/")

    @property
    def session(self) -> httpx.Client:
        """One client for the run, authenticated as the account (a refresh happens here, once)."""
        if not hasattr(self, "_session"):
            session = http.client(transport=self.transport)
            self.grant = None
            try:
                session.auth = self._auth(session)
            except BaseException:
                session.close()
                raise
            self._session = session
        return self._session

    def _auth(self, session: httpx.Client) -> httpx.Auth:
        from smm.platforms import x_auth  # httpx's Auth: only when calling X

        how = auth_mode(self.options)
        if how == "oauth1":
            return x_auth.OAuth1(tuple(self.secret(key) for key in OAUTH1_KEYS))
        if how == "refresh":
            self.grant = x_auth.refresh(self, session, self.api_base)
            return x_auth.Bearer(self.grant.token)
        return x_auth.Bearer(self.secret("token_env"))

    def call(self, method: str, path: str, what: str, **kwargs) -> httpx.Response:
        import httpx

        try:
            return http.send(self.session, method, self.api_base + path, f"X ({what})", check=answer, **kwargs)
        except httpx.HTTPError as exc:  # not mapped by send(): the request may have gone out
            raise TransientError(f"X ({what}): {type(exc).__name__}; the request may have been received",
                                 outcome_unknown=True) from None

    @staticmethod
    def data(response: httpx.Response, what: str):
        """The answer's `data`; an unreadable success may still have been carried out."""
        try:
            return response.json()["data"]
        except (ValueError, KeyError, TypeError):
            raise TransientError(f"X ({what}): unreadable answer; it may have been carried out",
                                 outcome_unknown=True) from None

    def _me(self) -> dict:
        if not hasattr(self, "_user"):
            self._user = self.data(self.call("GET", "/2/users/me", "who am I",
                                             params={"user.fields": "public_metrics"}), "who am I")
        return self._user

    def url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.options.get('handle') or 'i/web'}/status/{tweet_id}"

    # -- the adapter ----------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        body: dict = {"text": outgoing.text}
        if outgoing.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": outgoing.reply_to.remote_id}
        media_ids = [x_media.upload(self, path, alt) for path, alt in outgoing.media]
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        tweet_id = answers.ident(self.data(self.call("POST", "/2/tweets", "post", json=body), "post").get("id"), "post id")
        return PublishResult(tweet_id, self.url(tweet_id))

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        found = None
        for tweet in self.own_posts(lookup.since):
            created = _created(tweet)
            if created < lookup.since:
                break
            if created <= lookup.until and tweet["id"] not in lookup.owned and any(
                    is_sent(tweet, sent) for sent in lookup.sent):
                found = PublishResult(tweet["id"], self.url(tweet["id"]))  # newest first: the oldest wins
        return found

    def own_posts(self, since: datetime) -> Iterator[dict]:
        """The account's posts, newest first, back to `since` (and one older, to know it ended)."""
        params = {"max_results": str(PAGE), "tweet.fields": "created_at,referenced_tweets,attachments"}
        for _ in range(MAX_PAGES):
            page = self.call("GET", f"/2/users/{self._me()['id']}/tweets", "own posts", params=params).json()
            posts = page.get("data") or []
            yield from posts
            token = (page.get("meta") or {}).get("next_token")
            if not posts or not token or _created(posts[-1]) < since:
                return
            params["pagination_token"] = token
        raise NotSupported(f"more than {MAX_PAGES * PAGE} posts since the call: too many to look through")

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Posts that mention the account (replies and quotes of its posts among them), newest first,
        back to `since` (GET /2/users/:id/mentions; direct messages need a paid tier: not read)."""
        me = self._me()["id"]
        params = {"max_results": str(PAGE), "start_time": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "tweet.fields": "created_at,referenced_tweets,in_reply_to_user_id,author_id",
                  "expansions": "author_id", "user.fields": "username,public_metrics,verified"}
        return [_incoming(t, users.get(t.get("author_id"), {}), me)
                for t, users in self._pages(f"/2/users/{me}/mentions", "mentions", params, "pagination_token", MAX_PAGES)
                if t.get("author_id") != me]

    def _pages(self, path: str, label: str, params: dict, token_param: str, pages: int):
        """(post, its page's users by id) of up to `pages` pages of a timeline or a search, following
        `meta.next_token` (sent back as `token_param`: timelines and search name it differently)."""
        for _ in range(pages):
            page = self.call("GET", path, label, params=params).json()
            users = {u["id"]: u for u in (page.get("includes") or {}).get("users") or []}
            yield from ((post, users) for post in page.get("data") or [])
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return
            params[token_param] = token

    def search(self, query: str, since: datetime, *, authors: Sequence[str] = ()) -> list[Found]:
        """`GET /2/tweets/search/recent` (the last 7 days: an older `since` is cut to that), newest first,
        never the account's own posts nor retweets."""
        me = self._me()["id"]
        start = max(since, datetime.now(timezone.utc) - SEARCH_WINDOW)
        params = {"query": search_query(query), "max_results": str(PAGE),
                  "start_time": start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "tweet.fields": "created_at,public_metrics,author_id", "expansions": "author_id",
                  "user.fields": "username,public_metrics"}
        return [_found(t, users.get(t.get("author_id"), {}))
                for t, users in self._pages("/2/tweets/search/recent", "search", params, "next_token", SEARCH_PAGES)
                if t.get("author_id") != me]

    def confirm(self, reference: str) -> PublishResult:
        """A post URL (`https://x.com/<user>/status/<id>`) or id; it must be this account's."""
        parts = split_url(reference.strip())
        tweet_id = parts.path.rstrip("/").rsplit("/", 1)[-1] if parts and parts.scheme else reference.strip()
        if not tweet_id.isdigit():
            raise Rejected(f"{reference} names no X post")
        answer_ = self.call("GET", f"/2/tweets/{tweet_id}", "post", params={"tweet.fields": "author_id"}).json()
        tweet = answer_.get("data")
        if not tweet:
            raise Rejected(f"there is no X post {tweet_id}")
        if str(tweet.get("author_id")) != str(self._me()["id"]):
            raise Rejected(f"X post {tweet_id} is not this account's")
        return PublishResult(tweet_id, self.url(tweet_id))

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found = []
        for start in range(0, len(remote_ids), 100):
            ids = ",".join(remote_ids[start:start + 100])
            page = self.call("GET", "/2/tweets", "metrics", params={"ids": ids, "tweet.fields": "public_metrics"}).json()
            for tweet in page.get("data") or []:  # deleted posts come back under `errors`
                counts = tweet.get("public_metrics") or {}
                found.append(Metrics(tweet["id"], likes=counts.get("like_count"), reposts=counts.get("retweet_count"),
                                     replies=counts.get("reply_count"), quotes=counts.get("quote_count"),
                                     views=counts.get("impression_count")))
        return found

    def followers(self) -> int | None:
        return (self._me().get("public_metrics") or {}).get("followers_count")

    def profile(self, handle: str) -> Profile:
        """`GET /2/users/by/username/:username` with `user.fields=public_metrics`; an unknown user is a 200
        answer holding only `errors`."""
        name = handle.strip().lstrip("@")
        answer_ = self.call("GET", f"/2/users/by/username/{name}", "user lookup",
                            params={"user.fields": "public_metrics"}).json()
        user = answer_.get("data")
        if not user:
            raise Rejected(f"X: no user @{name}")
        counts = user.get("public_metrics") or {}
        return Profile(handle, counts.get("followers_count"), counts.get("tweet_count"), str(user["id"]))

    def recent_posts(self, handle: str, since: datetime) -> list[Found]:
        """`GET /2/users/:id/tweets` from `start_time`, reposts excluded, with `public_metrics`."""
        user = self.profile(handle)
        params = {"max_results": str(PAGE), "exclude": "retweets", "tweet.fields": "created_at,public_metrics",
                  "start_time": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        found: list[Found] = []
        for tweet, _ in self._pages(f"/2/users/{user.id}/tweets", "user posts", params, "pagination_token", MAX_PAGES):
            counts = tweet.get("public_metrics") or {}
            found.append(Found(tweet["id"], handle.lstrip("@"), user.followers, _created(tweet),
                               html.unescape(tweet.get("text", "")),
                               f"https://x.com/{handle.lstrip('@')}/status/{tweet['id']}",
                               counts.get("like_count", 0), counts.get("retweet_count", 0),
                               counts.get("reply_count", 0)))
        return [f for f in found if f.created_at >= since]

    def check_credentials(self) -> Credentials:
        """`GET /2/users/me`; with a refresh token, the refresh itself says the scopes and expiry."""
        identity = f"@{self._me().get('username')}"
        how = auth_mode(self.options)
        if how == "refresh":  # the access token is fresh on every run; the refresh itself said the scopes
            return Credentials(identity, self.grant.scopes, renewed=True)
        if how == "oauth1":
            return Credentials(identity, never_expires=True)
        return Credentials(identity, advice="an OAuth 2.0 access token lasts 2 hours and cannot be renewed without "
                                            "a refresh token: for scheduled runs set `refresh_token_env` and "
                                            "`client_id`, or the four OAuth 1.0a keys")

    def close(self) -> None:
        if hasattr(self, "_session"):
            self._session.close()
            del self._session
