"""A local double of the Weibo open API (api.weibo.com/2), from its documentation.

Endpoints:
  POST /2/statuses/share.json   access_token, status (≤ 140 汉字, no "#话题#", must contain a URL under the app's
                                safe domain SAFE_DOMAIN), pic (optional JPEG/GIF/PNG < 5 MB, multipart), rip
                                (the user's IP; required on the current page) -> the status object
  POST /2/statuses/update.json, /2/statuses/upload.json   closed: 10014
  GET  /2/statuses/count.json   ids (comma separated, ≤ 100) -> [{id, comments, reposts, attitudes}]
  GET  /2/users/show.json       uid or screen_name -> the user object (followers_count, statuses_count, ...)
  GET  /2/statuses/user_timeline.json   count (≤ 100), page -> {statuses (the token's own, newest first), total_number}
  GET  /2/statuses/show.json    id -> the status (20101 "Target weibo does not exist!")
  GET  /2/account/get_uid.json  -> {uid} of the token's user
  GET  /2/comments/to_me.json   count (≤ 200), page -> {comments (on the token's statuses, newest first: id, idstr,
                                created_at, text, user, status), total_number}
  GET  /2/statuses/mentions.json   count (≤ 200), page -> {statuses (others' statuses that @ the user), total_number}
  GET  /2/search/topics.json    q (a topic, without #), count (≤ 50), page -> {statuses (public statuses holding
                                #q#, newest first), total_number}; an advanced API: a token without that
                                permission gets 10014 "Insufficient app permissions!" (403)
  POST /oauth2/get_token_info   access_token -> {uid, appkey, scope, create_at, expire_in}
  GET  /2/account/rate_limit_status.json   the user's hourly budgets: remaining_user_hits, api_rate_limits, reset
Rate limits (no headers on Weibo): per user and hour, 150 calls (10023 "User requests out of rate limit!") and
30 posts (10024 "User requests for (statuses/share) out of rate limit!"), both 403; the call is not acted on.
POST /_mock/rate_limits {"all": N, "share": N} shrinks them.
Errors: HTTP 400 (parameters), 401 (token: 21327 expired, 21332 invalid), 403 (10014 scope, 10023/10024
rate limits) with ``{"error": "...", "error_code": N, "request": "/2/..."}``. Tokens come as the
``access_token`` parameter or ``Authorization: OAuth2 <token>``. Counting: a half-width (ASCII) character
is ½ 汉字, anything else 1, rounded up. 20019 when the text repeats the account's previous post.
Test control beyond mockapi's: POST /_mock/comment {"id", "text", "screen_name", "followers"?} (a comment by
another user on one of the token's statuses), POST /_mock/mention {"text", "screen_name", "followers"?},
POST /_mock/status {"text", "screen_name", "followers"?} (another user's public status: search finds it);
POST /_mock/engage {"id", "comments", "reposts", "attitudes"} or
{"followers": N}. ``ratelimit`` faults answer 10023; ``{"type": "status", "status": 403, "code": 10024}`` the per-API limit.

Documentation used:
  https://open.weibo.com/wiki/2/statuses/share (parameters, the safe-domain rule, the topic rule, pic < 5M,
    rip, the status object)
  https://open.weibo.com/wiki/index.php?title=2/statuses/upload_url_text&oldid=15926 ("连续两次发布的微博不可以重复")
  https://twblogs.net/a/5ef89f1c6edcddd9d858b069 (copy of the error-code table: 10006 ... 10024, 20003, 20005,
    20006, 20012, 20016, 20019, 21327, 21332 and their English texts; the ``{"request", "error_code",
    "error"}`` shape)
  https://open.weibo.com/wiki/2/statuses/user_timeline, .../2/statuses/show, .../2/account/get_uid (parameters and
    answers; user_timeline returns only the statuses the calling app posted)
  https://open.weibo.com/wiki/2/comments/to_me and https://open.weibo.com/wiki/2/statuses/mentions (count,
    page, since_id; the comment object: created_at, id, text, user, status, reply_comment)
  https://open.weibo.com/wiki/2/search/topics (搜索某一话题下的微博: q, count ≤ 50, page; 高级接口, which needs
    its own permission; from memory of the page, not re-read here: the exact answer shape, taken as user_timeline's)
  https://open.weibo.com/wiki/Rate-limiting (per user and app: 150 calls and 30 posts an hour at the normal
    level; the current page says the numbers now vary with the app's quality)
  https://github.com/sinaweibosdk/weibo_ios_sdk/issues/311 and https://github.com/xiaosier/libweibo/issues/22
    (observed: 10017 "text not find domain!" for a text without a safe-domain URL; statuses/update and upload
    answer 10014 "Insufficient app permissions!" since share.json replaced them)
Uncertain: which code share.json gives for a #topic# in the text (10017 "Parameter (status)'s value
invalid" used here); the HTTP statuses per code (the pages give none: 400/401/403 chosen as above); the
rate_limit_status fields follow the old v2 page from memory.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from mockapi import Abort, Network, Reply, Request, Upload, image_kind, route

APP_KEY = "3000000001"
SAFE_DOMAIN = "brand.example.com"
TOKEN = "smm-weibo-brand-token"
SEARCH_TOKEN = "smm-weibo-search-token"  # the same user, with the advanced search permission
UID = 6000000001
SCREEN_NAME = "smm品牌"
TOKEN_TTL = 30 * 24 * 3600  # test tokens; Weibo's own lifetime depends on the app's level
TEXT_LIMIT = 140
PIC_BYTES = 5 * 1024 * 1024
CHINA = timezone(timedelta(hours=8))
ERRORS = {  # code: (HTTP status, text)
    10006: (400, "Source paramter (appkey) is missing"),
    10014: (403, "Insufficient app permissions!"),
    10016: (400, "Miss required parameter (%s) , see doc for more info."),
    10017: (400, "Parameter (%s)'s value invalid, expect (%s) , but get (%s) , see doc for more info."),
    10023: (403, "User requests out of rate limit!"),
    10024: (403, "User requests for (%s) out of rate limit!"),
    10001: (500, "System error!"), 10002: (503, "Service unavailable!"),
    20003: (400, "User does not exists!"),
    20005: (400, "Unsupported image type, only suport JPG, GIF, PNG!"),
    20006: (400, "Image size too large."),
    20012: (400, "Text too long, please input text less than 140 characters!"),
    20019: (400, "Repeat content!"),
    21327: (401, "expired_token"),
    21332: (401, "invalid_access_token"),
    21301: (401, "Auth faild!"),
    10022: (403, "IP requests out of rate limit!"),
    10008: (400, "Param error, see doc for more info."),
}
URL = re.compile(r"https?://([^/\s?#]+)[^\s]*")
SHARE = "/2/statuses/share.json"
USER_LIMITS = {"all": 150, "share": 30}  # per user and app, an hour (the normal authorization level)
FREE_PATHS = {"/2/account/rate_limit_status.json", "/oauth2/get_token_info"}


def hanzi_length(text: str) -> int:
    half = len(text.encode("ascii", "ignore"))
    return (2 * len(text) - half + 1) // 2


class Weibo(Network):
    name = "weibo"

    def seed(self) -> None:
        self.add_token(TOKEN, str(UID), ["all"], TOKEN_TTL)
        self.add_token(SEARCH_TOKEN, str(UID), ["all", "search"], TOKEN_TTL)
        self.public: list[dict[str, Any]] = []  # other users' public statuses (/_mock/status)
        self.statuses: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []  # by others, on the token's statuses (/_mock/comment)
        self.mentions: list[dict[str, Any]] = []  # others' statuses that @ the token's user (/_mock/mention)
        self.followers = 1200
        self.limits = dict(USER_LIMITS)

    def dispatch(self, req: Request) -> Reply:
        """Each user's hourly budget (all calls; share.json apart), checked before acting: 10023 / 10024."""
        try:
            state, tok = self.token_state(self.token_value(req, req.form()))
        except ValueError:
            state, tok = "invalid", None
        if state != "ok" or tok is None or req.path in FREE_PATHS:
            return super().dispatch(req)
        with self.lock:
            user_ok = self.spend(tok.user, "all", self.limits["all"], 3600)[0]
            share_ok = req.path != SHARE or self.spend(tok.user, "share", self.limits["share"], 3600)[0]
        if not user_ok:
            return self.rate_limited(req, 0)
        if not share_ok:
            return self.fail(10024, req, "statuses/share").reply
        return super().dispatch(req)

    @route("GET", "/2/account/rate_limit_status.json")
    def rate_limit_status(self, req: Request) -> Reply:
        fields = self.authorize(req, req.query)
        user = self.tokens[self.token_value(req, fields)].user
        used = {b: self.windows.get((user, b), [0, 0])[1] for b in ("all", "share")}
        reset = max([w[0] + 3600 for (k, _), w in self.windows.items() if k == user] or [self.now() + 3600])
        return Reply(200, {"api_rate_limits": [{"api": "/statuses/share", "limit": self.limits["share"],
                                                "limit_time_unit": "HOURS",
                                                "remaining_hits": self.limits["share"] - used["share"]}],
                           "user_limit": self.limits["all"], "remaining_user_hits": self.limits["all"] - used["all"],
                           "limit_time_unit": "HOURS", "reset_time_in_seconds": max(int(reset - self.now()), 0),
                           "reset_time": datetime.fromtimestamp(reset, CHINA).strftime("%Y-%m-%d %H:%M:%S")})

    def default_user(self) -> str:
        return str(UID)

    def settings(self) -> dict[str, str]:
        return {"TOKEN": TOKEN, "SEARCH_TOKEN": SEARCH_TOKEN, "UID": str(UID), "APP_KEY": APP_KEY, "SAFE_DOMAIN": SAFE_DOMAIN}

    def snapshot(self) -> dict[str, Any]:
        return {"published": self.statuses, "followers": self.followers}

    # ---------------------------------------------------------------- errors
    def fail(self, code: int, req: Request, *args: str) -> Abort:
        status, text = ERRORS.get(code, (400, "error"))
        holes = text.count("%s")
        if holes:
            text = text % (args + ("",) * holes)[:holes]
        return Abort(Reply(status, {"error": text, "error_code": code, "request": req.path}))

    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        code = int(effect.get("code", {404: 10008, 503: 10002}.get(status, 10001)))
        reply = self.fail(code, req, "status").reply
        reply.status = status
        return reply

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        return self.fail(10023, req).reply

    def not_found(self, req: Request) -> Reply:
        return Reply(404 if not self.path_known(req.path) else 405,
                     {"error": "Request api not found!", "error_code": 10020, "request": req.path})

    def params(self, req: Request) -> dict[str, Any]:
        try:
            return req.form()
        except ValueError:
            raise self.fail(10008, req) from None

    @staticmethod
    def token_value(req: Request, fields: dict[str, Any]) -> str:
        """The ``access_token`` parameter, else ``Authorization: OAuth2 <token>``."""
        header = req.header("authorization")
        return str(fields.get("access_token") or "") or (header[7:].strip() if header.startswith("OAuth2 ") else "")

    def authorize(self, req: Request, fields: dict[str, Any]) -> dict[str, Any]:
        state, tok = self.token_state(self.token_value(req, fields))
        if state == "missing":
            raise self.fail(10006, req)
        if state != "ok":
            raise self.fail(21327 if state == "expired" else 21332, req)
        return fields

    # ---------------------------------------------------------------- objects
    def user(self) -> dict[str, Any]:
        return {"id": UID, "idstr": str(UID), "screen_name": SCREEN_NAME, "name": SCREEN_NAME,
                "followers_count": self.followers, "friends_count": 12, "statuses_count": len(self.statuses),
                "verified": True, "created_at": "Mon Jan 04 10:00:00 +0800 2021"}

    @route("POST", "/2/statuses/share.json")
    def share(self, req: Request) -> Reply:
        fields = self.authorize(req, self.params(req))
        for required in ("status", "rip"):
            if not str(fields.get(required) or "").strip() or isinstance(fields.get(required), Upload):
                raise self.fail(10016, req, required)
        text = str(fields["status"])
        if hanzi_length(text) > TEXT_LIMIT:
            raise self.fail(20012, req)
        domains = [m.group(1).lower() for m in URL.finditer(text)]
        if not any(d == SAFE_DOMAIN or d.endswith("." + SAFE_DOMAIN) for d in domains):
            raise Abort(Reply(400, {"error": "text not find domain!", "error_code": 10017, "request": req.path}))
        if re.search(r"#[^#\s]+#", text):
            raise self.fail(10017, req, "status", "no #topic#", text[:40])
        if self.statuses and self.statuses[-1]["text"] == text:
            raise self.fail(20019, req)
        status = self.new_status(text, fields.get("pic"), req)
        self.statuses.append(status)
        return Reply(200, status)

    def new_status(self, text: str, pic: Any, req: Request) -> dict[str, Any]:
        mid = self.new_id(16)
        status = {"created_at": datetime.fromtimestamp(self.now(), CHINA).strftime("%a %b %d %H:%M:%S %z %Y"),
                  "id": int(mid), "idstr": mid, "mid": mid, "text": text, "source": "smm", "favorited": False,
                  "truncated": False, "in_reply_to_status_id": "", "in_reply_to_user_id": "",
                  "in_reply_to_screen_name": "", "geo": None, "reposts_count": 0, "comments_count": 0,
                  "attitudes_count": 0, "user": self.user()}
        if pic is not None:
            if not isinstance(pic, Upload) or image_kind(pic.data) not in ("jpeg", "png", "gif"):
                raise self.fail(20005, req)
            if len(pic.data) >= PIC_BYTES:
                raise self.fail(20006, req)
            name = secrets.token_hex(12)
            status.update(thumbnail_pic=f"http://ww2.sinaimg.cn/thumbnail/{name}.jpg",
                          bmiddle_pic=f"http://ww2.sinaimg.cn/bmiddle/{name}.jpg",
                          original_pic=f"http://ww2.sinaimg.cn/large/{name}.jpg")
        return status

    @route("POST", "/2/statuses/update.json")
    @route("POST", "/2/statuses/upload.json")
    def closed(self, req: Request) -> Reply:
        """Closed to third-party apps since 2017 (share.json replaced them)."""
        raise self.fail(10014, req)

    @route("GET", "/2/statuses/count.json")
    def count(self, req: Request) -> Reply:
        fields = self.authorize(req, req.query)
        ids = [i.strip() for i in str(fields.get("ids") or "").split(",") if i.strip()]
        if not ids:
            raise self.fail(10016, req, "ids")
        if len(ids) > 100:
            raise self.fail(10017, req, "ids", "at most 100 ids", str(len(ids)))
        known = {s["idstr"]: s for s in self.statuses}
        return Reply(200, [{"id": int(i), "comments": known[i]["comments_count"], "reposts": known[i]["reposts_count"],
                            "attitudes": known[i]["attitudes_count"]} for i in ids if i in known])

    @route("GET", "/2/users/show.json")
    def show(self, req: Request) -> Reply:
        fields = self.authorize(req, req.query)
        if not fields.get("uid") and not fields.get("screen_name"):
            raise self.fail(10016, req, "uid")
        if fields.get("uid") not in (None, str(UID)) or fields.get("screen_name") not in (None, SCREEN_NAME):
            raise self.fail(20003, req)
        return Reply(200, self.user())

    @route("GET", "/2/statuses/user_timeline.json")
    def user_timeline(self, req: Request) -> Reply:
        """The token's own statuses, newest first; since 2014 only those this app posted."""
        fields = self.authorize(req, req.query)
        try:
            count, page = min(int(fields.get("count", 20)), 100), max(int(fields.get("page", 1)), 1)
        except ValueError:
            raise self.fail(10017, req, "count", "a number", str(fields.get("count"))) from None
        newest = list(reversed(self.statuses))
        return Reply(200, {"statuses": newest[(page - 1) * count:page * count], "total_number": len(newest),
                           "previous_cursor": 0, "next_cursor": 0})

    @route("GET", "/2/comments/to_me.json")
    def comments_to_me(self, req: Request) -> Reply:
        return self.listing(req, "comments", self.comments)

    @route("GET", "/2/statuses/mentions.json")
    def statuses_mentions(self, req: Request) -> Reply:
        return self.listing(req, "statuses", self.mentions)

    def listing(self, req: Request, key: str, items: list[dict[str, Any]]) -> Reply:
        """Newest first, `count` (≤ 200) a `page`."""
        fields = self.authorize(req, req.query)
        try:
            count, page = min(int(fields.get("count", 50)), 200), max(int(fields.get("page", 1)), 1)
        except ValueError:
            raise self.fail(10017, req, "count", "a number", str(fields.get("count"))) from None
        newest = list(reversed(items))
        return Reply(200, {key: newest[(page - 1) * count:page * count], "total_number": len(newest),
                           "previous_cursor": 0, "next_cursor": 0})

    @route("GET", "/2/search/topics.json")
    def search_topics(self, req: Request) -> Reply:
        """Public statuses holding the topic #q#, newest first; 10014 without the advanced permission."""
        fields = self.authorize(req, req.query)
        if "search" not in self.tokens[self.token_value(req, fields)].scopes:
            raise self.fail(10014, req)
        topic = str(fields.get("q") or "").strip().lstrip("#").rstrip("#")
        if not topic:
            raise self.fail(10016, req, "q")
        try:
            count, page = min(int(fields.get("count", 10)), 50), max(int(fields.get("page", 1)), 1)
        except ValueError:
            raise self.fail(10017, req, "count", "a number", str(fields.get("count"))) from None
        found = [st for st in reversed(self.public + self.mentions + self.statuses)
                 if f"#{topic.lower()}#" in st["text"].lower()]
        return Reply(200, {"statuses": found[(page - 1) * count:page * count], "total_number": len(found)})

    def someone(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str(body.get("screen_name") or "粉丝")
        uid = 5_000_000_000 + sum(map(ord, name))
        return {"id": uid, "idstr": str(uid), "screen_name": name, "name": name,
                "followers_count": int(body.get("followers", 20)), "verified": bool(body.get("verified", False))}

    @route("GET", "/2/statuses/show.json")
    def show_status(self, req: Request) -> Reply:
        fields = self.authorize(req, req.query)
        if not fields.get("id"):
            raise self.fail(10016, req, "id")
        for status in self.statuses:
            if status["idstr"] == str(fields["id"]):
                return Reply(200, status)
        raise Abort(Reply(400, {"error": "Target weibo does not exist!", "error_code": 20101, "request": req.path}))

    @route("GET", "/2/account/get_uid.json")
    def get_uid(self, req: Request) -> Reply:
        fields = self.authorize(req, req.query)
        return Reply(200, {"uid": int(self.tokens[self.token_value(req, fields)].user or UID)})

    @route("POST", "/oauth2/get_token_info")
    def token_info(self, req: Request) -> Reply:
        fields = self.params(req)
        state, tok = self.token_state(str(fields.get("access_token") or ""))
        if state != "ok" or tok is None:
            raise self.fail({"missing": 10016, "expired": 21327}.get(state, 21332), req, "access_token")
        return Reply(200, {"uid": int(tok.user or UID), "appkey": APP_KEY, "scope": ",".join(tok.scopes),
                           "create_at": int(tok.issued_at),
                           "expire_in": int(tok.expires_at - self.now()) if tok.expires_at else 0})

    # ---------------------------------------------------------------- test control
    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        if method == "POST" and what == "rate_limits":
            self.limits.update({k: int(v) for k, v in body.items() if k in self.limits})
            self.windows.clear()
            return Reply(200, self.limits)
        if method == "POST" and what in ("comment", "mention", "status"):
            when = datetime.fromtimestamp(self.now(), CHINA).strftime("%a %b %d %H:%M:%S %z %Y")
            item = {"created_at": when, "id": int(mid := self.new_id(16)), "idstr": mid, "mid": mid,
                    "text": str(body.get("text", "")), "user": self.someone(body)}
            if what == "comment":
                item["status"] = next((st for st in self.statuses if st["idstr"] == str(body.get("id"))), None)
                self.comments.append(item)
            elif what == "status":
                item.update({"reposts_count": 0, "comments_count": 0, "attitudes_count": int(body.get("likes", 0))})
                self.public.append(item)
            else:
                self.mentions.append(item)
            return Reply(200, item)
        if method != "POST" or what != "engage":
            return None
        if "followers" in body:
            self.followers = int(body["followers"])
        for status in self.statuses:
            if status["idstr"] == str(body.get("id")):
                for key in ("comments", "reposts", "attitudes"):
                    status[f"{key}_count"] = int(body.get(key, status[f"{key}_count"]))
        return Reply(200, {"followers": self.followers, "published": self.statuses})
