"""A local double of the X API v2 (api.x.com), from its documentation.

Endpoints:
  POST   /2/tweets                 {text, reply: {in_reply_to_tweet_id}, media: {media_ids: [1..4]}, quote_tweet_id}
                                   -> 201 {data: {id, text, edit_history_tweet_ids}}
  DELETE /2/tweets/:id             -> {data: {deleted: true}}
  GET    /2/tweets?ids=a,b         (1..100) and GET /2/tweets/:id, ``tweet.fields`` (public_metrics, created_at,
                                   author_id, conversation_id, in_reply_to_user_id, referenced_tweets, attachments)
  GET    /2/users/me               ``user.fields=public_metrics`` (followers_count, ...)
  GET    /2/users/:id/tweets       max_results 5..100, pagination_token, newest first, meta {result_count,
                                   newest_id, oldest_id, next_token}; ``start_time`` (inclusive), ``exclude``
                                   (retweets, replies: a reply is left out with ``replies``; no retweets here)
  GET    /2/users/by/username/:username  ``user.fields=public_metrics``; the brand or a /_mock/post_as user;
                                   an unknown one is 200 ``{errors: [{title: "Not Found Error", ...}]}``
  GET    /2/users/:id/mentions     the same paging, ``start_time``, posts that @mention the user (others'), with
                                   ``expansions=author_id`` giving ``includes.users`` (username, public_metrics)
  GET    /2/tweets/search/recent   query (1..512 characters; the subset below), start_time / end_time (no earlier
                                   than 7 days back: 400 otherwise), max_results 10..100, next_token; newest first,
                                   ``expansions=author_id`` giving ``includes.users``; app-only tokens allowed.
                                   Query subset: terms joined by spaces (AND), ``"quoted phrases"``, ``#hashtags``,
                                   ``-`` negation, ``OR`` between two terms, ``from:user``, ``is:retweet`` (no
                                   retweets here); any other ``op:`` is a 400. A term matches case-insensitively as
                                   a whole word (CJK: as a substring); a hashtag as ``#tag`` ending there.
  POST   /2/media/upload           one-shot multipart ``media`` + ``media_category``; or ``command``
                                   INIT (media_type, total_bytes, media_category) / APPEND (media_id,
                                   segment_index, media) / FINALIZE (media_id); GET ?command=STATUS&media_id=
  POST   /2/media/upload/initialize, /2/media/upload/:id/append, /2/media/upload/:id/finalize (the newer form)
  POST   /2/media/metadata         {id, metadata: {alt_text: {text ≤ 1000}}}
  POST   /2/oauth2/token           grant_type=refresh_token: a new access token and a rotated refresh token
Video and GIF FINALIZE answer processing_info {state: pending, check_after_secs}; STATUS moves pending ->
in_progress -> succeeded over MEDIA_POLLS polls (or ``failed``: POST /_mock/media_outcome {"state": "failed"});
a media id is refused once older than its expires_after_secs (a day on the server clock).
A post's ``text`` is shown as X shows it: each URL replaced by a t.co link and ``&``, ``<``, ``>`` as HTML
entities (the text as sent is kept as ``sent``, which the duplicate check compares).
Errors are problem JSON (``{"title", "type", "status", "detail"}``; 400 adds ``errors``). Auth: ``Bearer``
OAuth 2.0 user tokens (2 hours; scopes checked: tweet.read, tweet.write, users.read, media.write), an
app-only token (403 unsupported-authentication on user endpoints) and OAuth 1.0a user context (HMAC-SHA1
signature checked). Every answer carries x-rate-limit-limit/-remaining/-reset for its endpoint (per user,
15-minute windows, the numbers of X's table: POST /2/tweets 100, DELETE 50, GET /2/tweets 5000, GET
/2/tweets/:id 900, GET /2/users/:id/tweets 900), POST /2/tweets also x-app-limit-24hour-limit/-remaining/-reset
(10,000 a day per app); POST /_mock/rate_limits {"POST /2/tweets": [limit, window_s], "app_24h":
{"POST /2/tweets": n}} shrinks them. Over a limit: 429 ``{"title": "Too Many Requests", "detail": "Too Many
Requests", "type": "about:blank", "status": 429}`` (what the API answers; the rate-limit page shows the v1.1
``{"errors": [{"code": 88, ...}]}`` shape and a transcription names a rate-limit-exceeded problem type).

Test control: POST /_mock/post_as {"username", "text", "reply_to"?, "quote"?, "followers"?} posts as another
user (so the brand is mentioned, replied to, quoted).

Documentation used:
  https://docs.x.com/x-api/users/lookup/quickstart/user-lookup (GET /2/users/by/username/:username, the
    public_metrics followers_count, following_count, tweet_count, listed_count)
  https://docs.rs/crate/twapi-v2/latest/source/maker/api/get_2_users_id_tweets.yaml (GET /2/users/:id/tweets
    queries: start_time, end_time, exclude = retweets, replies, max_results 5..100, pagination_token)
  https://docs.x.com/x-api/posts/user-mention-timeline-by-user-id (GET /2/users/:id/mentions: max_results
    5..100, start_time, pagination_token, tweet.fields, expansions=author_id, includes.users; 800 posts back)
  https://docs.x.com/x-api/posts/search/introduction (recent search: the last 7 days, up to 100 posts a request,
    pagination, 512-character queries) and https://docs.x.com/x-api/posts/search/integrate/overview (app-only or
    user-context auth; queries built from operators with AND by spaces, OR, grouping, negation; next_token);
    from memory of X's search-recent reference, not re-read here: the 400 texts for start_time and max_results,
    the 300-per-15-minutes user window (X's table says 450 per app) and the unknown-operator message
  https://docs.x.com/x-api/media/quickstart/media-upload-chunked (INIT/APPEND/FINALIZE/STATUS, data.id,
    media_key, expires_after_secs)
  https://github.com/xdevplatform/samples/pull/199 (the /initialize, /{id}/append, /{id}/finalize endpoints)
  https://developer.x.com/en/docs/media/upload-media/api-reference/post-media-upload-finalize (processing_info)
  https://app.unpkg.com/twitter-api-v2-patch@1.20.2/files/dist/cjs/types/v2/media.v2.types.d.ts (states
    pending/in_progress/failed/succeeded, categories)
  https://github.com/akrherz/iembot/issues/163 (the duplicate-content 403 body, observed in 2026)
  https://github.com/joschan21/contentport/issues/49 ("You are not permitted to perform this action.")
  https://docs.x.com/fundamentals/rate-limits (the headers, 15-minute windows, per user / per app) and
  https://github.com/api-evangelist/x/blob/main/rate-limits/x-rate-limits.yml (X's per-endpoint table as
    transcribed on 2026-08-28: the numbers above)
  https://docs.rs/crate/twapi-v2/latest/source/maker/header/header.yaml (the x-app-limit-24hour-* and
    x-user-limit-24hour-* response headers)
  https://docs.x.com/x-api/posts/manage-tweets/introduction,
  https://docs.x.com/x-api/fundamentals/response-codes-and-errors (problem types) — from memory of those pages,
    not re-read here: the text-too-long 403 detail, the 401 body, the media and users/me limits (500, 75).
Uncertain: whether a bare domain (``example.com``) is shown as a t.co link too (it is here), and the entities
in ``text`` (the v1.1 escaping of ``&<>`` assumed); the exact answer to an empty post, to unknown or unprocessed media ids (400 "Your media IDs are
invalid." used), to deleting an unknown post (404 resource-not-found used); the weighted length is
twitter-text v3's ranges counted per code point (emoji ZWJ sequences count more than on X).
"""

from __future__ import annotations

import base64
import html
import hashlib
import hmac
import re
import secrets
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

from mockapi import Abort, Network, Reply, Request, Upload, route

USER_ID, USERNAME, NAME = "1600000000000000001", "smm_brand", "smm Brand"
TOKEN, APP_TOKEN, REFRESH = "smm-x-user-token", "smm-x-app-only-token", "smm-x-refresh-token"
CLIENT_ID = "smm-x-client-id"
OAUTH1 = {"consumer_key": "smm-x-api-key", "consumer_secret": "smm-x-api-secret",
          "token": "1600000000000000001-smmaccesstoken", "token_secret": "smm-x-access-secret"}
SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access", "media.write"]
TOKEN_TTL = 7200
MEDIA_POLLS = 2
MEDIA_TTL = 86400  # expires_after_secs: a media id older than this is refused
LIMITS = {"POST /2/tweets": (100, 900), "DELETE /2/tweets/:id": (50, 900), "GET /2/tweets": (5000, 900),
          "GET /2/tweets/:id": (900, 900), "GET /2/users/me": (75, 900), "GET /2/users/:id/tweets": (900, 900),
          "GET /2/tweets/search/recent": (300, 900),
          "GET /2/users/by/username/:username": (900, 900),
          "POST /2/media/upload": (500, 900), "GET /2/media/upload": (500, 900), "POST /2/media/metadata": (500, 900)}
APP_24H = {"POST /2/tweets": 10_000}  # per app and 24 hours, sent as x-app-limit-24hour-*
MEDIA_BYTES = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024, "tweet_video": 512 * 1024 * 1024,
               "amplify_video": 512 * 1024 * 1024, "subtitles": 1024 * 1024}
INVALID = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
URL = re.compile(r"https?://\S+|(?<![@\w])[\w-]+\.(?:com|org|net|io|dev|cn)\b\S*", re.I)
LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # twitter-text v3: weight 100, else 200


def weighted_length(text: str) -> int:
    """twitter-text v3 weighted length / 100 (URLs 23)."""
    total, rest = 0, URL.sub("", text)
    total += 23 * 100 * len(URL.findall(text))
    for ch in rest:
        total += 100 if any(lo <= ord(ch) <= hi for lo, hi in LIGHT) else 200
    return total // 100


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> Abort:
    return Abort(Reply(status, {"title": title, "type": kind, "status": status, "detail": detail, **extra},
                       content_type="application/problem+json"))


def invalid(parameter: str, message: str, value: Any = None) -> Abort:
    errors = [{"parameters": {parameter: [] if value is None else [str(value)]}, "message": message}]
    return problem(400, "Invalid Request", "One or more parameters to your request was invalid.", INVALID,
                   errors=errors)


_SEARCH_TOKEN = re.compile(r'(-?)(?:"([^"]*)"|(\S+))')
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _term_matches(term: str, text: str, author: str) -> bool:
    """One term of the query subset against a post's text (as sent) and its author's username."""
    lower = term.lower()
    if lower.startswith("from:"):
        return author.lower() == lower[5:].lstrip("@")
    if lower == "is:retweet":
        return False  # the double holds no retweets
    if ":" in lower and not lower.startswith("#"):
        raise problem(400, "Invalid Request", "One or more parameters to your request was invalid.", INVALID,
                      errors=[{"parameters": {"query": [term]},
                               "message": f"There were errors processing your request: Reference to invalid operator "
                                          f"'{lower.split(':')[0]}'. Operator is not available in current product or "
                                          "product packaging."}])
    if _CJK.search(lower):
        return lower in text.lower()
    return re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", text.lower()) is not None


def search_matcher(query: str):
    """A query of the subset as a test of (post, author username); terms are checked once, up front."""
    groups: list[list[tuple[bool, str]]] = [[]]  # AND of groups, each an OR of (negated, term)
    joined = False
    for negated, phrase, word in _SEARCH_TOKEN.findall(query):
        term = phrase if phrase else word
        if term == "OR" and not phrase:
            joined = True
            continue
        if joined and groups[-1]:
            groups[-1].append((bool(negated), term))
        else:
            groups.append([(bool(negated), term)])
        joined = False
    groups = [g for g in groups if g]
    for group in groups:  # an operator outside the subset is refused before anything is searched
        for _, term in group:
            _term_matches(term, "", "")
    return lambda tweet, author: all(any(_term_matches(t, tweet["sent"], author) != negated for negated, t in g)
                                     for g in groups)


class X(Network):
    name = "x"

    def seed(self) -> None:
        self.add_token(TOKEN, USER_ID, SCOPES, TOKEN_TTL)
        self.add_token(APP_TOKEN, "", [], None, app_only=True)
        self.refresh_tokens = {REFRESH: USER_ID}
        self.tweets: list[dict[str, Any]] = []
        self.others: dict[str, dict[str, Any]] = {}  # users other than the brand, by id (/_mock/post_as)
        self.media: dict[str, dict[str, Any]] = {}
        self.limits = dict(LIMITS)
        self.app_24h = dict(APP_24H)
        self.media_outcome = "succeeded"
        self.followers = 150

    def default_user(self) -> str:
        return USER_ID

    def settings(self) -> dict[str, str]:
        keys = {f"OAUTH1_{k.upper()}": v for k, v in OAUTH1.items()}
        return {"TOKEN": TOKEN, "REFRESH_TOKEN": REFRESH, "CLIENT_ID": CLIENT_ID, "APP_TOKEN": APP_TOKEN,
                "USER_ID": USER_ID, "USERNAME": USERNAME, **keys}

    def snapshot(self) -> dict[str, Any]:
        return {"published": [t for t in self.tweets if not t.get("deleted")], "deleted": [t["id"] for t in self.tweets
                                                                                        if t.get("deleted")],
                "media": list(self.media.values())}

    # ---------------------------------------------------------------- errors, auth, limits
    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        titles = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found Error",
                  500: "Internal Server Error", 503: "Service Unavailable"}
        title = titles.get(status, "Error")
        return problem(status, title, effect.get("detail", title)).reply

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        reply = problem(429, "Too Many Requests", "Too Many Requests").reply
        limit, _ = self.limits.get(self.bucket(req), (100, 900))
        reply.headers.update({"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0",
                              "x-rate-limit-reset": str(int(reset_at))})
        return reply

    def not_found(self, req: Request) -> Reply:
        return problem(404, "Not Found Error", f"Could not find the endpoint {req.method} {req.path}").reply

    def bucket(self, req: Request) -> str:
        path = re.sub(r"^/2/media/upload/.*", "/2/media/upload", req.path)
        path = re.sub(r"^/2/users/by/username/.*", "/2/users/by/username/:username", path)
        return f"{req.method} {re.sub(r'/[0-9]{4,}(?=/|$)', '/:id', path)}"

    def dispatch(self, req: Request) -> Reply:
        """Count the call against its endpoint's per-user window (and the app's 24 hours where X has one);
        every answer carries the x-rate-limit headers (and x-app-limit-24hour-*)."""
        user, bucket = self.caller_key(req), self.bucket(req)
        limit, window = self.limits.get(bucket, (0, 0))
        if not limit or user is None:
            return super().dispatch(req)
        with self.lock:
            allowed, remaining, reset = self.spend(user, bucket, limit, window)
            daily = self.app_24h.get(bucket)
            app_ok, app_left, app_reset = self.spend("app", bucket + " 24h", daily, 86400) if daily and allowed \
                else (True, 0, 0.0)
        reply = super().dispatch(req) if allowed and app_ok else self.rate_limited(req, reset if not allowed
                                                                                  else app_reset)
        reply.headers.update({"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                              "x-rate-limit-reset": str(int(reset))})
        if daily:
            reply.headers.update({"x-app-limit-24hour-limit": str(daily), "x-app-limit-24hour-remaining":
                                  str(app_left), "x-app-limit-24hour-reset": str(int(app_reset))})
        return reply

    def caller_key(self, req: Request) -> str | None:
        """Whose window a call counts in: the bearer token, or the OAuth 1.0a access token."""
        auth = req.header("authorization")
        oauth1 = re.search(r'oauth_token="([^"]*)"', auth)
        return oauth1.group(1) if oauth1 else auth[7:] if auth.startswith("Bearer ") else None

    def user_of(self, req: Request, *scopes: str) -> str:
        """The calling user's id; 401/403 in X's shapes otherwise."""
        auth = req.header("authorization")
        if auth.startswith("OAuth "):
            return self.oauth1_user(req, auth)
        state, tok = self.token_state(auth[7:].strip() if auth.startswith("Bearer ") else "")
        if state != "ok" or tok is None:
            raise problem(401, "Unauthorized", "Unauthorized")
        if tok.extra.get("app_only"):
            raise problem(403, "Unsupported Authentication",
                          "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                          "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                          "https://api.twitter.com/2/problems/unsupported-authentication")
        if not set(scopes) <= set(tok.scopes):
            raise problem(403, "Forbidden", "You are not permitted to perform this action.")
        return tok.user

    def oauth1_user(self, req: Request, auth: str) -> str:
        given = {k: urllib.parse.unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', auth)}
        if given.get("oauth_consumer_key") != OAUTH1["consumer_key"] or given.get("oauth_token") != OAUTH1["token"]:
            raise problem(401, "Unauthorized", "Unauthorized")
        params = list(req.query.items())
        if req.header("content-type").startswith("application/x-www-form-urlencoded"):
            params += urllib.parse.parse_qsl(req.body.decode(), keep_blank_values=True)
        params += [(k, v) for k, v in given.items() if k.startswith("oauth_") and k != "oauth_signature"]
        quote = lambda s: urllib.parse.quote(str(s), safe="~")  # noqa: E731
        normalized = "&".join(f"{k}={v}" for k, v in sorted((quote(k), quote(v)) for k, v in params))  # RFC 5849 3.4.1.3.2
        base = "&".join([req.method, quote(f"http://{req.header('host')}{req.path}"), quote(normalized)])
        key = f"{quote(OAUTH1['consumer_secret'])}&{quote(OAUTH1['token_secret'])}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, given.get("oauth_signature", "")):
            raise problem(401, "Unauthorized", "Unauthorized")
        return USER_ID

    def body(self, req: Request) -> dict[str, Any]:
        try:
            data = req.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise problem(400, "Invalid Request", "One or more parameters to your request was invalid.", INVALID,
                          errors=[{"message": "Request body is not valid JSON"}])
        return data

    # ---------------------------------------------------------------- posts
    @route("POST", "/2/tweets")
    def create(self, req: Request) -> Reply:
        user = self.user_of(req, "tweet.read", "tweet.write", "users.read")
        data = self.body(req)
        text = data.get("text", "")
        media_ids = (data.get("media") or {}).get("media_ids") or []
        if not isinstance(text, str) or (not text and not media_ids):
            raise invalid("text", "Post text is required when there is no media.")
        if weighted_length(text) > 280:
            raise problem(403, "Forbidden", "Your Tweet text is too long. For more information on how Twitter "
                          "determines text length see https://github.com/twitter/twitter-text.")
        if not isinstance(media_ids, list) or len(media_ids) > 4 or not all(self.usable(m) for m in media_ids):
            raise invalid("media.media_ids", "Your media IDs are invalid.", media_ids)
        parent = self.find((data.get("reply") or {}).get("in_reply_to_tweet_id"))
        if data.get("reply") and parent is None:
            raise problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.")
        if text and any(t["sent"] == text and t["author_id"] == user and not t.get("deleted") for t in self.tweets):
            raise problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet = self.new_tweet(user, text, parent, [str(m) for m in media_ids])
        self.tweets.append(tweet)
        return Reply(201, {"data": {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}})

    def new_tweet(self, user: str, text: str, parent: dict[str, Any] | None, media: list[str]) -> dict[str, Any]:
        tweet_id = str(max([int(t["id"]) for t in self.tweets] + [1_800_000_000_000_000_000]) + secrets.randbelow(999) + 1)
        shown = html.escape(URL.sub(lambda m: f"https://t.co/{secrets.token_hex(5)}", text), quote=False)
        tweet = {"id": tweet_id, "text": shown, "sent": text, "author_id": user, "edit_history_tweet_ids": [tweet_id],
                 "created_at": datetime.fromtimestamp(self.now(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 "conversation_id": parent["conversation_id"] if parent else tweet_id,
                 "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                                    "bookmark_count": 0, "impression_count": 0}}
        if parent:
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
            parent["public_metrics"]["reply_count"] += 1
        if media:
            tweet["attachments"] = {"media_keys": [self.media[m]["media_key"] for m in media]}
        return tweet

    def find(self, tweet_id: Any) -> dict[str, Any] | None:
        return next((t for t in self.tweets if t["id"] == str(tweet_id) and not t.get("deleted")), None)

    def shown(self, tweet: dict[str, Any], req: Request) -> dict[str, Any]:
        wanted = {f for f in req.query.get("tweet.fields", "").split(",") if f}
        return {k: v for k, v in tweet.items() if k in {"id", "text", "edit_history_tweet_ids"} | wanted}

    @route("DELETE", r"/2/tweets/(?P<id>\d+)")
    def delete(self, req: Request) -> Reply:
        user = self.user_of(req, "tweet.read", "tweet.write", "users.read")
        tweet = self.find(req.params["id"])
        if tweet is None:
            raise problem(404, "Not Found Error", f"Could not find tweet with id: [{req.params['id']}].", NOT_FOUND)
        if tweet["author_id"] != user:
            raise problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
        tweet["deleted"] = True
        return Reply(200, {"data": {"deleted": True}})

    @route("GET", "/2/tweets")
    def lookup(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        ids = [i for i in req.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100 or not all(i.isdigit() for i in ids):
            raise invalid("ids", "The `ids` query parameter value must be 1 to 100 comma-separated post ids.",
                          req.query.get("ids", ""))
        found = [self.shown(t, req) for i in ids if (t := self.find(i))]
        missing = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error",
                    "resource_type": "tweet", "parameter": "ids", "resource_id": i, "type": NOT_FOUND}
                   for i in ids if not self.find(i)]
        return Reply(200, {**({"data": found} if found else {}), **({"errors": missing} if missing else {})})

    @route("GET", r"/2/tweets/(?P<id>\d+)")
    def lookup_one(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        tweet = self.find(req.params["id"])
        if tweet is None:
            i = req.params["id"]
            return Reply(200, {"errors": [{"value": i, "detail": f"Could not find tweet with id: [{i}].",
                                           "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                                           "resource_id": i, "type": NOT_FOUND}]})
        return Reply(200, {"data": self.shown(tweet, req)})

    @route("GET", "/2/users/me")
    def me(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        user = {"id": USER_ID, "name": NAME, "username": USERNAME}
        if "public_metrics" in req.query.get("user.fields", ""):
            mine = [t for t in self.tweets if not t.get("deleted")]
            user["public_metrics"] = {"followers_count": self.followers, "following_count": 10,
                                      "tweet_count": len(mine), "listed_count": 0, "like_count": 0}
        return Reply(200, {"data": user})

    @route("GET", r"/2/users/(?P<id>\d+)/tweets")
    def timeline(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        since = req.query.get("start_time")
        start = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        no_replies = "replies" in req.query.get("exclude", "").split(",")
        mine = [t for t in reversed(self.tweets) if t["author_id"] == req.params["id"] and not t.get("deleted")
                and (start is None or datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) >= start)
                and not (no_replies and t.get("in_reply_to_user_id"))]
        return Reply(200, self.page_of(req, mine))

    @route("GET", r"/2/users/by/username/(?P<username>\w{1,15})")
    def by_username(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        name = req.params["username"]
        if name.lower() == USERNAME.lower():
            user = {"id": USER_ID, "name": NAME, "username": USERNAME,
                    "public_metrics": {"followers_count": self.followers, "following_count": 10, "listed_count": 0,
                                       "tweet_count": sum(t["author_id"] == USER_ID for t in self.tweets)}}
        else:
            user = next((dict(u) for u in self.others.values() if u["username"].lower() == name.lower()), None)
            if user is not None:
                user["public_metrics"] = {**user["public_metrics"], "tweet_count": sum(
                    t["author_id"] == user["id"] and not t.get("deleted") for t in self.tweets)}
        if user is None:
            return Reply(200, {"errors": [{"value": name, "detail": f"Could not find user with username: [{name}].",
                                           "title": "Not Found Error", "resource_type": "user", "parameter": "username",
                                           "resource_id": name, "type": NOT_FOUND}]})
        if "public_metrics" not in req.query.get("user.fields", ""):
            user.pop("public_metrics", None)
        user.pop("verified", None)
        return Reply(200, {"data": user})

    @route("GET", r"/2/users/(?P<id>\d+)/mentions")
    def mentions(self, req: Request) -> Reply:
        self.user_of(req, "tweet.read", "users.read")
        handle = f"@{USERNAME}".lower() if req.params["id"] == USER_ID else None
        since = req.query.get("start_time")
        start = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        found = [t for t in reversed(self.tweets) if not t.get("deleted") and t["author_id"] != req.params["id"]
                 and handle and handle in t["sent"].lower()
                 and (start is None or datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) >= start)]
        answer = self.page_of(req, found)
        if "author_id" in req.query.get("expansions", "") and answer.get("data"):
            authors = dict.fromkeys(self.find(t["id"])["author_id"] for t in answer["data"])
            answer["includes"] = {"users": [self.others[a] for a in authors if a in self.others]}
        return Reply(200, answer)

    def page_of(self, req: Request, posts: list[dict[str, Any]]) -> dict[str, Any]:
        """One page of posts, newest first: `max_results` 5..100 and `pagination_token`, with X's `meta`."""
        try:
            size = int(req.query.get("max_results", "10"))
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            raise invalid("max_results", "The `max_results` query parameter value must be between 5 and 100",
                          req.query.get("max_results"))
        start = int(req.query.get("pagination_token", "0") or 0)
        page = posts[start:start + size]
        if not page:
            return {"meta": {"result_count": 0}}
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + size < len(posts):
            meta["next_token"] = str(start + size)
        return {"data": [self.shown(t, req) for t in page], "meta": meta}

    @route("GET", "/2/tweets/search/recent")
    def search_recent(self, req: Request) -> Reply:
        """Recent search over every post here, newest first (the query subset and bounds in the module's docstring)."""
        self.reader_of(req)
        query, now = req.query.get("query", ""), datetime.fromtimestamp(self.now(), timezone.utc)
        if not 1 <= len(query) <= 512:
            raise invalid("query", "The `query` query parameter value must be between 1 and 512 characters long", query)
        match = search_matcher(query)
        start, end = (self.time_bound(req, key, now) for key in ("start_time", "end_time"))
        size = req.query.get("max_results", "10")
        if not size.isdigit() or not 10 <= int(size) <= 100:
            raise invalid("max_results", "The `max_results` query parameter value must be between 10 and 100", size)
        found = [t for t in reversed(self.tweets) if not t.get("deleted") and match(t, self.username_of(t["author_id"]))
                 and (start is None or self.created(t) >= start) and (end is None or self.created(t) < end)]
        req.query["pagination_token"] = req.query.get("next_token", "")
        answer = self.page_of(req, found)
        if "author_id" in req.query.get("expansions", "") and answer.get("data"):
            authors = dict.fromkeys(self.find(t["id"])["author_id"] for t in answer["data"])
            answer["includes"] = {"users": [self.user_object(a) for a in authors]}
        return Reply(200, answer)

    def reader_of(self, req: Request) -> None:
        """Reading public posts: a user token, or the app's own (app-only) bearer token."""
        state, tok = self.token_state(req.header("authorization")[7:].strip())
        if not (state == "ok" and tok is not None and tok.extra.get("app_only")):
            self.user_of(req, "tweet.read", "users.read")

    @staticmethod
    def created(tweet: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))

    @staticmethod
    def time_bound(req: Request, key: str, now: datetime) -> datetime | None:
        value = req.query.get(key)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(key, f"Invalid '{key}':'{value}'. '{key}' must be a valid RFC 3339 date-time", value) from None
        earliest = now - timedelta(days=7)
        if moment < earliest:
            raise invalid(key, f"Invalid '{key}':'{value}'. '{key}' must be on or after "
                               f"{earliest.strftime('%Y-%m-%dT%H:%MZ')}", value)
        return moment

    def username_of(self, user: str) -> str:
        return USERNAME if user == USER_ID else (self.others.get(user) or {}).get("username", "")

    def user_object(self, user: str) -> dict[str, Any]:
        if user == USER_ID:
            return {"id": USER_ID, "name": NAME, "username": USERNAME, "public_metrics": {"followers_count": self.followers}}
        return self.others[user]

    # ---------------------------------------------------------------- media
    @route("POST", "/2/media/upload")
    def upload(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        try:
            fields = req.form()
        except ValueError:
            raise invalid("media", "The multipart body could not be read.") from None
        command = str(fields.get("command") or "").upper()
        if command == "INIT":
            return self.media_init(fields)
        if command in ("APPEND", "FINALIZE"):
            item = self.media_item(fields.get("media_id"))
            return self.media_append(item, fields) if command == "APPEND" else self.media_finalize(item)
        media = fields.get("media")
        if not isinstance(media, Upload) or not media.data:
            raise invalid("media", "The `media` field is required.")
        category = str(fields.get("media_category") or "tweet_image").lower()
        if category not in ("tweet_image", "dm_image"):
            raise invalid("media_category", "Use the chunked upload (INIT/APPEND/FINALIZE) for this category.",
                          category)
        item = self.new_media(category, str(fields.get("media_type") or media.content_type), len(media.data))
        item["chunks"][0] = media.data
        return self.media_finalize(item)

    @route("POST", "/2/media/upload/initialize")
    def initialize(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        return self.media_init(self.body(req))

    @route("POST", r"/2/media/upload/(?P<id>\d+)/append")
    def append(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        try:
            fields = req.form()
        except ValueError:
            raise invalid("media", "The multipart body could not be read.") from None
        return self.media_append(self.media_item(req.params["id"]), fields)

    @route("POST", r"/2/media/upload/(?P<id>\d+)/finalize")
    def finalize(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        return self.media_finalize(self.media_item(req.params["id"]))

    @route("GET", "/2/media/upload")
    def status(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        if req.query.get("command", "STATUS").upper() != "STATUS":
            raise invalid("command", "Only STATUS is a GET command.", req.query.get("command"))
        item = self.media_item(req.query.get("media_id"))
        if item["state"] in ("pending", "in_progress"):
            item["polls"] += 1
            item["state"] = "in_progress" if item["polls"] < MEDIA_POLLS else self.media_outcome
        return Reply(200, {"data": self.media_view(item)})

    def new_media(self, category: str, media_type: str, total: int) -> dict[str, Any]:
        if category not in MEDIA_BYTES and not category.startswith("dm_"):
            raise invalid("media_category", "Unknown media_category.", category)
        if total <= 0 or total > MEDIA_BYTES.get(category, MEDIA_BYTES["tweet_image"]):
            raise invalid("total_bytes", f"total_bytes must be 1..{MEDIA_BYTES.get(category)} for {category}", total)
        media_id = self.new_id()
        prefix = "3" if "image" in category else "16" if "gif" in category else "7" if "video" in category else "13"
        item = {"id": media_id, "media_key": f"{prefix}_{media_id}", "category": category, "media_type": media_type,
                "total_bytes": total, "chunks": {}, "state": "uploading", "polls": 0, "alt_text": None,
                "created": self.now()}
        self.media[media_id] = item
        return item

    def usable(self, media_id: Any) -> bool:
        """Uploaded, processed, and younger than its expires_after_secs (a day)."""
        item = self.media.get(str(media_id), {})
        return item.get("state") == "succeeded" and self.now() - item["created"] <= MEDIA_TTL

    def media_item(self, media_id: Any) -> dict[str, Any]:
        item = self.media.get(str(media_id or ""))
        if item is None:
            raise invalid("media_id", "The media_id is unknown or has expired.", media_id)
        return item

    def media_init(self, fields: dict[str, Any]) -> Reply:
        try:
            total = int(fields.get("total_bytes") or 0)
        except (TypeError, ValueError):
            total = 0
        if not fields.get("media_type"):
            raise invalid("media_type", "The `media_type` field is required.")
        item = self.new_media(str(fields.get("media_category") or "tweet_image").lower(), str(fields["media_type"]),
                              total)
        return Reply(200, {"data": {"id": item["id"], "media_key": item["media_key"], "expires_after_secs": MEDIA_TTL}})

    def media_append(self, item: dict[str, Any], fields: dict[str, Any]) -> Reply:
        media = fields.get("media")
        try:
            index = int(fields.get("segment_index"))
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index <= 999 or not isinstance(media, Upload) or item["state"] != "uploading":
            raise invalid("segment_index", "APPEND needs segment_index 0..999 and a `media` part before FINALIZE.",
                          fields.get("segment_index"))
        item["chunks"][index] = media.data
        return Reply(200, {"data": {"expires_at": int(self.now()) + 86400}})

    def media_finalize(self, item: dict[str, Any]) -> Reply:
        size = sum(len(c) for c in item["chunks"].values())
        if item["state"] != "uploading" or size != item["total_bytes"] or sorted(item["chunks"]) != list(
                range(len(item["chunks"]))):
            raise invalid("media_id", f"File size mismatch or missing segments: got {size} of "
                          f"{item['total_bytes']} bytes.", item["id"])
        item["size"] = size
        item["state"] = "pending" if item["category"] in ("tweet_video", "amplify_video", "tweet_gif") else "succeeded"
        del item["chunks"]
        return Reply(200, {"data": self.media_view(item)})

    def media_view(self, item: dict[str, Any]) -> dict[str, Any]:
        view = {"id": item["id"], "media_key": item["media_key"], "size": item.get("size"), "expires_after_secs": MEDIA_TTL}
        if item["category"] in ("tweet_video", "amplify_video", "tweet_gif"):
            info: dict[str, Any] = {"state": item["state"]}
            if item["state"] in ("pending", "in_progress"):
                info.update(check_after_secs=1, progress_percent=50 * item["polls"])
            if item["state"] == "failed":
                info["error"] = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
            view["processing_info"] = info
        return view

    @route("POST", "/2/media/metadata")
    def metadata(self, req: Request) -> Reply:
        self.user_of(req, "media.write")
        data = self.body(req)
        item = self.media_item(data.get("id"))
        alt = ((data.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(alt, str) or not 1 <= len(alt) <= 1000:
            raise invalid("metadata.alt_text.text", "Alt text must be 1 to 1000 characters.", alt)
        item["alt_text"] = alt
        return Reply(200, {"data": {"id": item["id"], "associated_metadata": {"alt_text": {"text": alt}}}})

    # ---------------------------------------------------------------- tokens
    @route("POST", "/2/oauth2/token")
    def refresh(self, req: Request) -> Reply:
        fields = req.form()
        user = self.refresh_tokens.pop(str(fields.get("refresh_token") or ""), None)
        if fields.get("grant_type") != "refresh_token" or fields.get("client_id") != CLIENT_ID or user is None:
            return Reply(400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
        tok = self.add_token(None, user, SCOPES, TOKEN_TTL)
        new_refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[new_refresh] = user
        return Reply(200, {"token_type": "bearer", "expires_in": TOKEN_TTL, "access_token": tok.token,
                           "scope": " ".join(SCOPES), "refresh_token": new_refresh})

    # ---------------------------------------------------------------- test control
    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        if method == "POST" and what == "rate_limits":
            self.app_24h.update(body.pop("app_24h", {}))
            self.limits.update({k: tuple(v) for k, v in body.items()})
            self.windows.clear()
            return Reply(200, {k: list(v) for k, v in self.limits.items()})
        if method == "POST" and what == "media_outcome":
            self.media_outcome = body.get("state", "succeeded")
            return Reply(200, {"state": self.media_outcome})
        if method == "POST" and what == "post_as":
            username = str(body.get("username") or "fan")
            author = str(2_000_000_000_000_000_000 + sum(map(ord, username)))
            known = (self.others.get(author) or {}).get("public_metrics", {}).get("followers_count", 10)
            self.others[author] = {"id": author, "username": username, "name": username.title(),
                                   "verified": bool(body.get("verified", False)),
                                   "public_metrics": {"followers_count": int(body.get("followers", known))}}
            tweet = self.new_tweet(author, str(body.get("text", "")), self.find(body.get("reply_to")), [])
            if body.get("quote") and self.find(body["quote"]):
                tweet.setdefault("referenced_tweets", []).append({"type": "quoted", "id": str(body["quote"])})
            self.tweets.append(tweet)
            return Reply(200, {"data": {"id": tweet["id"], "author_id": author}})
        if method == "POST" and what == "engage":
            tweet = self.find(body.get("id"))
            if tweet:
                tweet["public_metrics"].update({k: int(v) for k, v in body.items() if k in tweet["public_metrics"]})
            self.followers = int(body.get("followers", self.followers))
            return Reply(200, {"tweet": tweet, "followers": self.followers})
        return None
