"""A local double of Meta's Graph APIs: Threads (graph.threads.net), Facebook Pages and Instagram
(graph.facebook.com), one server, paths with or without a version prefix (``/v1.0/...``, ``/v21.0/...``).

Threads (user THREADS_USER_ID, token THREADS_TOKEN, 60 days; a reply needs threads_manage_replies, reading
replies threads_read_replies: developers.facebook.com/documentation/threads/retrieve-and-manage-replies):
  POST /{user}/threads            media_type TEXT|IMAGE|VIDEO|CAROUSEL, text (≤ 500; emoji count as their
                                  UTF-8 bytes; ≤ 5 links), image_url, video_url, is_carousel_item, children
                                  (2..20), reply_to_id -> {id} (a container)
  GET  /{container}?fields=status,error_message   IN_PROGRESS -> FINISHED (or ERROR) -> PUBLISHED; EXPIRED
                                  when not published within 24 hours
  POST /{user}/threads_publish    creation_id -> {id}; GET /{media}/insights
  GET  /{user}/threads (top-level posts), /{user}/replies (replies: replied_to, root_post), since/until/limit
  GET  /{user}/threads_insights?metric=followers_count (total_value)
  GET  /{user}/threads_publishing_limit, GET /refresh_access_token?grant_type=th_refresh_token
Instagram (IG_USER_ID, the Facebook user token):
  POST /{ig-user}/media           image_url (JPEG, ≤ 8 MiB, FETCHED over HTTP now: failures answer the
                                  documented download errors), video_url + media_type REELS, media_type
                                  CAROUSEL + children (≤ 10), caption (≤ 2200, ≤ 30 hashtags, ≤ 20 mentions)
  GET  /{container}?fields=status_code,status      IN_PROGRESS -> FINISHED / ERROR / EXPIRED / PUBLISHED
  POST /{ig-user}/media_publish   creation_id -> {id}; 9007/2207027 when not FINISHED; 100 a day
  GET  /{ig-user}/content_publishing_limit, GET /{ig-user}/media, GET /{media}/insights, GET /{ig-user}
Facebook Pages (PAGE_ID, the page token PAGE_TOKEN; a user token is refused on page edges):
  POST /{page}/feed               message, link, attached_media[i]={"media_fbid"} -> {id: PAGE_POST}
  POST /{page}/photos             url (fetched) or multipart source, published=false -> {id}
  GET  /{page}?fields=followers_count,fan_count, GET /{page}?fields=access_token (the Page token, for an admin's
  user token), GET /{page}/published_posts (created_time, permalink_url), GET /{post}, GET /{post}/insights
  (post_reactions_by_type_total as {reaction: count}), DELETE /{post}
Any: GET /debug_token?input_token= (asked with the app token or any valid token, as a parameter or a Bearer
header) -> {data: {is_valid, type, scopes, expires_at, user_id, ...}}. Tokens go as `access_token` or
`Authorization: Bearer`. Times of posts are ISO 8601 with a +0000 offset, as the Graph API writes them.
Errors: HTTP 400 ``{"error": {"message", "type": "OAuthException", "code", "error_subcode", "fbtrace_id"}}``;
190 (invalid; subcode 463 expired), 10/200 permissions, 100 invalid parameter, rate limits 4 (app), 17
(user), 80001/80002 (business use case). As the rate-limiting page says, Instagram calls, and Page calls
made with a Page token, count in the Business Use Case budget of that object (``X-Business-Use-Case-Usage``);
the rest in the Platform budget of the user or app (``X-App-Usage``); both are percentages of an hourly
budget (POST /_mock/rate_limits {"app": N, "business": N} shrinks them); at 100 % calls fail with 17 (a user
token), 4 (no token: the ``ratelimit`` fault's answer), 80001 (Page) or 80002 (Instagram). Containers finish
after CONTAINER_POLLS status reads; POST /_mock/container_outcome {"status": "ERROR", "error_message":
"FAILED_DOWNLOADING_VIDEO"} makes the next one fail. Media to be fetched can be hosted here:
POST /_mock/files/{name} (the body is the file) then GET /_mock/files/{name}.

Documentation used:
  https://developers.facebook.com/documentation/threads/reference/publishing (container parameters, emoji
    counted as UTF-8 bytes) and https://developers.facebook.com/docs/threads/posts/ (two steps, image fetched)
  https://developers.facebook.com/docs/threads/troubleshooting (container states, error_message values,
    threads_publishing_limit)
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes/ (codes
    -2/2207003, -1/2207001, 9/2207042, 9004/2207052, 9007/2207027, 36000/2207004 and the error body)
  https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-container.md
  https://developers.facebook.com/docs/graph-api/overview/rate-limiting (Platform vs Business Use Case
    budgets and which token counts where; 200 calls an hour per user)
  From memory of Meta's pages, not re-read here: the rate-limit error codes and header fields, debug_token, Page feed/photos
  (https://developers.facebook.com/docs/pages-api/posts), IG caption limits (2200 chars, 30 hashtags, 20
  mentions), the 100 IG and 250 Threads posts a day, the 500-character and 5-link Threads rules.
Uncertain: the code for a non-JPEG Instagram image (36001/2207005 here), for a Threads text over 500 or with
too many links (100 here), for publishing a Threads container not yet FINISHED (the IG 9007/2207027 used),
the exact insights metric names accepted (a fixed list here).
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from mockapi import Abort, Network, Reply, Request, Upload, image_kind, route

APP_ID, APP_SECRET = "1234500000000001", "smm-meta-app-secret"
USER_ID = "10000000000000001"
PAGE_ID, IG_USER_ID, THREADS_USER_ID = "100000000000001", "17841400000000001", "2000000000000001"
USER_TOKEN, PAGE_TOKEN, THREADS_TOKEN = "smm-meta-user-token", "smm-meta-page-token", "smm-threads-token"
LONG_LIVED = 60 * 24 * 3600
USER_SCOPES = ["pages_show_list", "pages_manage_posts", "pages_read_engagement", "read_insights",
               "instagram_basic", "instagram_content_publish", "instagram_manage_insights", "business_management"]
THREADS_SCOPES = ["threads_basic", "threads_content_publish", "threads_manage_insights", "threads_read_replies",
                  "threads_manage_replies"]
CONTAINER_POLLS = 1
CONTAINER_TTL = 24 * 3600
FETCH_TIMEOUT = 5.0
IG_IMAGE_BYTES = 8 * 1024 * 1024
DAILY = {"instagram": 100, "threads": 250}
INSIGHTS = {"threads": ("views", "likes", "replies", "reposts", "quotes", "shares"),
            "instagram": ("reach", "likes", "comments", "saved", "shares", "views", "total_interactions"),
            "facebook": ("post_impressions", "post_impressions_unique", "post_clicks", "post_reactions_by_type_total")}
NODE = r"/(?:v\d+\.\d+/)?(?P<node>[\w.|-]+)"


def graph_error(code: int, message: str, subcode: int | None = None, status: int = 400,
                kind: str = "OAuthException", **extra: Any) -> Abort:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra, fbtrace_id=secrets.token_urlsafe(9))
    return Abort(Reply(status, {"error": error}))


def threads_length(text: str) -> int:
    """Threads counts characters, an emoji as its UTF-8 bytes (approximated: astral code points)."""
    return sum(len(ch.encode()) if ord(ch) >= 0x10000 else 1 for ch in text)


class Meta(Network):
    name = "meta"

    def seed(self) -> None:
        self.add_token(USER_TOKEN, USER_ID, USER_SCOPES, LONG_LIVED, kind="USER")
        self.add_token(PAGE_TOKEN, USER_ID, USER_SCOPES, None, kind="PAGE", page=PAGE_ID)
        self.add_token(THREADS_TOKEN, THREADS_USER_ID, THREADS_SCOPES, LONG_LIVED, kind="THREADS")
        self.containers: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}  # published: threads, instagram, facebook posts and photos
        self.files: dict[str, tuple[str, bytes]] = {}
        self.next_outcome: dict[str, str] | None = None
        self.budget = {"app": 200, "business": 4800}
        self.followers = {PAGE_ID: 900, IG_USER_ID: 2500, THREADS_USER_ID: 300}
        self.comments: list[dict[str, Any]] = []  # by others on a published post (/_mock/comment)

    def default_user(self) -> str:
        return USER_ID

    def settings(self) -> dict[str, str]:
        return {"APP_ID": APP_ID, "APP_SECRET": APP_SECRET, "USER_TOKEN": USER_TOKEN, "PAGE_ID": PAGE_ID,
                "PAGE_TOKEN": PAGE_TOKEN, "IG_USER_ID": IG_USER_ID, "THREADS_USER_ID": THREADS_USER_ID,
                "THREADS_TOKEN": THREADS_TOKEN, "FILES_URL": f"{self.base_url}/_mock/files"}

    def snapshot(self) -> dict[str, Any]:
        return {"published": [m for m in self.media.values() if m.get("published", True) and not m.get("deleted")],
                "containers": list(self.containers.values()), "comments": list(self.comments)}

    # ---------------------------------------------------------------- errors, auth, usage
    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        code = int(effect.get("code", {500: 2, 503: 2}.get(status, 1)))
        message = effect.get("message", "An unexpected error has occurred. Please retry your request later.")
        reply = graph_error(code, message, effect.get("error_subcode"), status,
                            is_transient=status >= 500).reply
        return reply

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        reply = graph_error(4, "(#4) Application request limit reached", status=400, is_transient=True).reply
        reply.headers["X-App-Usage"] = '{"call_count":100,"total_cputime":100,"total_time":100}'
        return reply

    def not_found(self, req: Request) -> Reply:
        return graph_error(100, f"Unknown path components: {req.path}", status=400).reply

    def params(self, req: Request) -> dict[str, Any]:
        try:
            fields = req.form()
            if req.header("content-type").startswith("application/json"):
                fields.update(req.json() or {})
        except ValueError:
            raise graph_error(100, "(#100) The parameters could not be read") from None
        return fields

    def token(self, req: Request, fields: dict[str, Any], *scopes: str) -> Any:
        auth = req.header("authorization")
        value = auth[7:].strip() if auth.startswith("Bearer ") else str(fields.get("access_token") or "")
        state, tok = self.token_state(value)
        if state == "missing":
            raise graph_error(2500, "An active access token must be used to query information about the current user.")
        if state == "expired" and tok is not None:
            raise graph_error(190, f"Error validating access token: Session has expired on {int(tok.expires_at)}. "
                              "The current time is later.", 463, status=401)
        if state != "ok":
            raise graph_error(190, "Invalid OAuth access token - Cannot parse access token", status=401)
        missing = [s for s in scopes if s not in tok.scopes]
        if missing:
            raise graph_error(10, f"(#10) Application does not have permission for this action ({', '.join(missing)})",
                              status=403)
        return tok

    def dispatch(self, req: Request) -> Reply:
        """Count the call in the budget the docs give it: Business Use Case (Instagram, or a Page with a Page
        token: X-Business-Use-Case-Usage, 80002/80001) or Platform (X-App-Usage; 4 for the app, 17 for a
        user); at 100 % the call fails without acting."""
        node = re.match(NODE, req.path)
        owner = node.group("node") if node else ""
        try:
            value = self.params(req).get("access_token") or req.header("authorization")[7:].strip()
        except Abort:
            value = ""
        tok = self.tokens.get(str(value))
        business = owner == IG_USER_ID or (owner == PAGE_ID and tok is not None and tok.extra.get("kind") == "PAGE")
        key, budget = (owner, self.budget["business"]) if business else (tok.user if tok else "app", self.budget["app"])
        with self.lock:
            allowed, left, reset = self.spend(key, "calls", budget, 3600)
        if allowed:
            reply = super().dispatch(req)
        elif business:
            code, what = (80001, "Page") if owner == PAGE_ID else (80002, "Instagram")
            reply = graph_error(code, f"There have been too many calls to this {what} account. Wait a bit and try "
                                "again.", is_transient=True).reply
        else:
            reply = self.rate_limited(req, reset) if tok is None else graph_error(
                17, "(#17) User request limit reached", is_transient=True).reply
        pct = 100 - 100 * left // budget
        if business:
            wait = 0 if allowed else max(int((reset - self.now()) / 60), 1)
            reply.headers["X-Business-Use-Case-Usage"] = (
                f'{{"{owner}":[{{"type":"{"pages" if owner == PAGE_ID else "instagram"}","call_count":{pct},'
                f'"total_cputime":{pct // 2},"total_time":{pct // 2},"estimated_time_to_regain_access":{wait}}}]}}')
        else:
            reply.headers["X-App-Usage"] = f'{{"call_count":{pct},"total_cputime":{pct // 2},"total_time":{pct // 2}}}'
        return reply

    # ---------------------------------------------------------------- fetching media
    def fetch(self, url: str, network: str) -> tuple[str, bytes]:
        """GET the media the way Meta does; the documented download errors when that fails."""
        if not re.match(r"https?://", url or ""):
            raise graph_error(9004, "Media download has failed. The media URI doesn't meet our requirements.", 2207052)
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as answer:
                return answer.headers.get_content_type(), answer.read()
        except TimeoutError:
            raise graph_error(-2, "It takes too long to download the media.", 2207003) from None
        except (urllib.error.URLError, OSError, ValueError):
            raise graph_error(9004, f"Media download has failed. The media URI doesn't meet our requirements. "
                              f"({network} could not fetch {url})", 2207052) from None

    def image(self, url: str, network: str) -> dict[str, Any]:
        ctype, data = self.fetch(url, network)
        kind = image_kind(data)  # the bytes decide, not the Content-Type the host sent
        if kind is None:
            raise graph_error(9004, "Only photo or video can be accepted as media type.", 2207052)
        if network == "instagram" and kind != "jpeg":
            raise graph_error(36001, "The image format is not supported.", 2207005)
        if network == "instagram" and len(data) > IG_IMAGE_BYTES:
            raise graph_error(36000, "The image size is too large.", 2207004)
        return {"image_url": url, "bytes": len(data), "content_type": ctype, "format": kind}

    # ---------------------------------------------------------------- containers (Threads and Instagram)
    def new_container(self, network: str, owner: str, fields: dict[str, Any], media: dict[str, Any]) -> Reply:
        cid = self.new_id(17)
        outcome, self.next_outcome = self.next_outcome, None
        self.containers[cid] = {"id": cid, "network": network, "owner": owner, "status": "IN_PROGRESS", "polls": 0,
                                "created": self.now(), "outcome": outcome or {"status": "FINISHED"},
                                "fields": {k: v for k, v in fields.items() if k != "access_token"}, **media}
        return Reply(200, {"id": cid})

    def container(self, cid: Any, network: str, owner: str) -> dict[str, Any]:
        item = self.containers.get(str(cid or ""))
        if item is None or item["network"] != network or item["owner"] != owner:
            raise graph_error(24, "The requested resource does not exist", 2207008)
        if item["status"] in ("IN_PROGRESS", "FINISHED") and self.now() - item["created"] > CONTAINER_TTL:
            item["status"] = "EXPIRED"
        return item

    def advance(self, item: dict[str, Any]) -> None:
        if item["status"] == "IN_PROGRESS":
            item["polls"] += 1
            if item["polls"] > CONTAINER_POLLS:
                item["status"] = item["outcome"]["status"]

    def publish(self, network: str, owner: str, fields: dict[str, Any]) -> Reply:
        item = self.container(fields.get("creation_id"), network, owner)
        if item["status"] == "PUBLISHED":
            raise graph_error(9007, "The media has already been published.", 2207027)
        if item["status"] == "EXPIRED":
            raise graph_error(-2, "The media you are trying to access has expired. Please try to upload again.", 2207020)
        if item["status"] != "FINISHED":
            raise graph_error(9007, "Media ID is not available", 2207027,
                              error_user_msg="The media is not ready for publishing, please wait for a moment")
        used = sum(1 for m in self.media.values() if m["network"] == network and m["owner"] == owner
                   and self.now() - m["timestamp"] < 86400)
        if used >= DAILY[network]:
            raise graph_error(9, "Application request limit reached", 2207042,
                              error_user_msg="You reached maximum number of posts that is allowed to be published "
                              "by Content Publishing API.")
        item["status"] = "PUBLISHED"
        media_id = self.new_id(17)
        self.media[media_id] = {"id": media_id, "network": network, "owner": owner, "container": item["id"],
                                "timestamp": self.now(), "fields": item["fields"],
                                "metrics": dict.fromkeys(INSIGHTS[network], 0),
                                "permalink": f"https://www.{network}.com/p/{secrets.token_urlsafe(8)}"}
        return Reply(200, {"id": media_id})

    def threads_container(self, fields: dict[str, Any]) -> Reply:
        kind = str(fields.get("media_type") or "")
        text = str(fields.get("text") or "")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            raise graph_error(100, "(#100) The parameter media_type is required (TEXT, IMAGE, VIDEO, CAROUSEL)")
        if threads_length(text) > 500:
            raise graph_error(100, "(#100) Param text must be at most 500 characters long.")
        if len(set(re.findall(r"https?://\S+", text))) > 5:
            raise graph_error(100, "(#100) The text can contain at most 5 unique links.")
        if kind == "TEXT" and not text:
            raise graph_error(100, "(#100) The parameter text is required for media_type TEXT")
        if fields.get("reply_to_id") and not any(m["id"] == fields["reply_to_id"] and m["network"] == "threads"
                                                 for m in self.media.values()):
            raise graph_error(100, "(#100) reply_to_id is not a Threads post you can reply to")
        media = self.carousel_or_media(fields, kind, "threads", THREADS_USER_ID, 20)
        return self.new_container("threads", THREADS_USER_ID, fields, media)

    def carousel_or_media(self, fields: dict[str, Any], kind: str, network: str, owner: str, most: int) -> dict:
        if kind == "CAROUSEL":
            children = [c for c in re.split(r"[,\s\[\]\"]+", str(fields.get("children") or "")) if c]
            if not 2 <= len(children) <= most:
                raise graph_error(100, f"(#100) A carousel needs 2 to {most} children")
            for child in children:
                item = self.container(child, network, owner)
                if not item["fields"].get("is_carousel_item") in ("true", True, "True"):
                    raise graph_error(100, f"(#100) Child {child} was not created with is_carousel_item=true")
            return {"children": children}
        if kind == "IMAGE" or (network == "instagram" and not kind):
            return self.image(str(fields.get("image_url") or ""), network)
        if kind in ("VIDEO", "REELS"):
            if not fields.get("video_url"):
                raise graph_error(100, "(#100) The parameter video_url is required")
            return {"video_url": fields["video_url"]}
        return {}

    # ---------------------------------------------------------------- routes: nodes and edges
    @route("GET", NODE)
    def read_node(self, req: Request) -> Reply:
        fields = self.params(req)
        node = req.params["node"]
        if node == "debug_token":
            return self.debug_token(req, fields)
        if node == "refresh_access_token":
            return self.refresh(req, fields)
        tok = self.token(req, fields)
        if node == "me":
            node = tok.user
        if node in self.containers:
            item = self.containers[node]
            self.container(node, item["network"], item["owner"])
            self.advance(item)
            if item["network"] == "threads":
                answer = {"id": node, "status": item["status"]}
                if item["status"] == "ERROR":
                    answer["error_message"] = item["outcome"].get("error_message", "UNKNOWN")
                return Reply(200, answer)
            text = {"ERROR": f"Error: {item['outcome'].get('error_message', 'UNKNOWN')}"}.get(item["status"], "")
            return Reply(200, {"id": node, "status_code": item["status"], "status": text or item["status"]})
        if node in self.media and not self.media[node].get("deleted"):
            return Reply(200, self.media_view(self.media[node]))
        if node == PAGE_ID and "access_token" in str(fields.get("fields") or ""):
            if tok.extra.get("kind") not in ("USER", "PAGE") or "pages_show_list" not in tok.scopes:
                raise graph_error(190, "(#190) This token cannot read the Page's access token", status=400)
            return Reply(200, {"id": PAGE_ID, "access_token": PAGE_TOKEN})
        if node in self.followers:
            key = "followers_count"
            extra = {"fan_count": self.followers[node]} if node == PAGE_ID else {}
            return Reply(200, {"id": node, key: self.followers[node], **extra})
        if node == USER_ID:
            return Reply(200, {"id": USER_ID, "name": "smm admin"})
        raise graph_error(100, f"(#100) Unsupported get request. Object with ID '{node}' does not exist, cannot be "
                          "loaded due to missing permissions, or does not support this operation", 33)

    def media_view(self, item: dict[str, Any]) -> dict[str, Any]:
        """A post as the Graph API shows it: ISO 8601 times with a +0000 offset; a Page post's
        `created_time` and `permalink_url`; a Threads reply's `replied_to` and `root_post`."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(item["timestamp"]))
        if item["network"] == "facebook":
            view = {"id": item["id"], "permalink_url": item["permalink"], "created_time": stamp}
        else:
            view = {"id": item["id"], "permalink": item["permalink"], "timestamp": stamp}
        for key in ("text", "caption", "message", "link", "media_type"):
            if key in item["fields"]:
                view[key] = item["fields"][key]
        parent = item["fields"].get("reply_to_id")
        if item["network"] == "threads":
            view["is_reply"] = bool(parent)
            if parent:
                view["replied_to"] = {"id": parent}
                view["root_post"] = {"id": self.root_of(parent)}
        return view

    def root_of(self, media_id: str) -> str:
        while (parent := self.media.get(media_id, {}).get("fields", {}).get("reply_to_id")):
            media_id = parent
        return media_id

    def comments_of(self, item: dict[str, Any], fields: dict[str, Any]) -> Reply:
        """A post's comments, oldest first, as each network shows them: Facebook `message`,
        `created_time`, `from {id, name}`; Instagram and Threads `text`, `timestamp`, `username`."""
        limit = int(fields.get("limit", 25))
        found = [c for c in self.comments if c["parent"] == item["id"]][:limit]
        views = []
        for c in found:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(c["timestamp"]))
            if item["network"] == "facebook":
                views.append({"id": c["id"], "message": c["text"], "created_time": stamp,
                              "from": {"id": c["user_id"], "name": c["username"]}})
            else:
                views.append({"id": c["id"], "text": c["text"], "timestamp": stamp, "username": c["username"],
                              **({"permalink": f"https://www.threads.net/@{c['username']}/post/{c['id']}"}
                                 if item["network"] == "threads" else {})})
        return Reply(200, {"data": views, "paging": {}})

    def listed(self, node: str, edge: str, fields: dict[str, Any]) -> Reply:
        """An owner's posts, newest first: `threads` without replies, `replies` only replies; `since`
        and `until` (epoch seconds) bound their creation time, `limit` the page."""
        since, until = float(fields.get("since") or 0), float(fields.get("until") or 1e12)
        mine = [m for m in reversed(self.media.values()) if m["owner"] == node and not m.get("deleted")
                and m.get("published", True) and since <= m["timestamp"] <= until
                and (edge != "threads" or not m["fields"].get("reply_to_id"))
                and (edge != "replies" or m["fields"].get("reply_to_id"))]
        limit = int(fields.get("limit", 25))
        paging = {"next": f"{self.base_url}/{node}/{edge}?after={limit}"} if len(mine) > limit else {}
        return Reply(200, {"data": [self.media_view(m) for m in mine[:limit]], "paging": paging})

    @route("DELETE", NODE)
    def delete_node(self, req: Request) -> Reply:
        fields = self.params(req)
        tok = self.token(req, fields, "pages_manage_posts")
        item = self.media.get(req.params["node"])
        if item is None or item["network"] != "facebook" or tok.extra.get("page") != item["owner"]:
            raise graph_error(100, "(#100) This object cannot be deleted with this token")
        item["deleted"] = True
        return Reply(200, {"success": True})

    @route("GET", NODE + r"/(?P<edge>\w+)")
    def read_edge(self, req: Request) -> Reply:
        fields = self.params(req)
        node, edge = req.params["node"], req.params["edge"]
        tok = self.token(req, fields)
        node = tok.user if node == "me" else node
        if edge == "replies" and "threads_read_replies" not in tok.scopes:  # the reply management docs
            raise graph_error(10, "(#10) Application does not have permission for this action (threads_read_replies)",
                              status=403)
        if edge in ("threads_publishing_limit", "content_publishing_limit"):
            network = "threads" if edge.startswith("threads") else "instagram"
            used = sum(1 for m in self.media.values() if m["network"] == network and m["owner"] == node
                       and self.now() - m["timestamp"] < 86400)
            return Reply(200, {"data": [{"quota_usage": used, "config": {"quota_total": DAILY[network],
                                                                          "quota_duration": 86400}}]})
        if edge == "insights" and node in self.media:
            return self.insights(self.media[node], fields)
        if node in self.media and edge in ("comments", "replies"):  # a post's comments (Threads: its replies)
            return self.comments_of(self.media[node], fields)
        if edge in ("threads", "replies", "media", "feed", "posts", "published_posts"):
            return self.listed(node, edge, fields)
        if edge == "threads_insights" and node == THREADS_USER_ID:
            if fields.get("metric") != "followers_count":
                raise graph_error(100, "(#100) metric must be one of the following values: followers_count, views, "
                                  "likes, replies, reposts, quotes")
            return Reply(200, {"data": [{"name": "followers_count", "period": "day", "title": "followers_count",
                                         "total_value": {"value": self.followers[node]}, "id": f"{node}/insights"}]})
        raise graph_error(100, f"(#100) Tried accessing nonexisting field ({edge}) on node {node}")

    def insights(self, item: dict[str, Any], fields: dict[str, Any]) -> Reply:
        allowed = INSIGHTS[item["network"]]
        wanted = [m for m in str(fields.get("metric") or "").split(",") if m]
        bad = [m for m in wanted if m not in allowed]
        if not wanted or bad:
            raise graph_error(100, f"(#100) metric[{len(wanted) - len(bad)}] must be one of the following values: "
                              f"{', '.join(allowed)}")
        reactions = "post_reactions_by_type_total"  # a breakdown by reaction, as the Pages insights give it
        if reactions in item["metrics"] and isinstance(item["metrics"][reactions], int):
            item["metrics"][reactions] = {"like": item["metrics"][reactions]}
        return Reply(200, {"data": [{"name": m, "period": "lifetime", "values": [{"value": item["metrics"][m]}],
                                     "title": m, "description": m, "id": f"{item['id']}/insights/{m}/lifetime"}
                                    for m in wanted]})

    @route("POST", NODE + r"/(?P<edge>\w+)")
    def write_edge(self, req: Request) -> Reply:
        fields = self.params(req)
        node, edge = req.params["node"], req.params["edge"]
        if node == THREADS_USER_ID or (node == "me" and edge.startswith("threads")):
            self.token(req, fields, "threads_basic", "threads_content_publish")
            if edge == "threads":
                if fields.get("reply_to_id"):
                    self.token(req, fields, "threads_manage_replies")
                return self.threads_container(fields)
            if edge == "threads_publish":
                return self.publish("threads", THREADS_USER_ID, fields)
        if node == IG_USER_ID:
            self.token(req, fields, "instagram_basic", "instagram_content_publish")
            if edge == "media":
                return self.instagram_container(fields)
            if edge == "media_publish":
                return self.publish("instagram", IG_USER_ID, fields)
        if node in self.media and edge == "comments":  # the owner's comment under its post (object/comments, ig-media/comments)
            return self.own_comment(self.media[node], fields)
        if node == PAGE_ID and edge in ("feed", "photos"):
            tok = self.token(req, fields, "pages_manage_posts")
            if tok.extra.get("page") != PAGE_ID:
                raise graph_error(200, "(#200) If posting to a page, requires both pages_read_engagement and "
                                  "pages_manage_posts as an admin with sufficient administrative permission",
                                  status=403)
            return self.page_feed(fields) if edge == "feed" else self.page_photo(fields)
        raise graph_error(100, f"(#100) Unsupported post request: {edge} on {node}", 33)

    def own_comment(self, item: dict[str, Any], fields: dict[str, Any]) -> Reply:
        """`POST /{post-id}/comments` with `message`: a comment as the post's owner (the Page, the
        Instagram user); Meta refuses an empty one."""
        message = str(fields.get("message") or "")
        if not message:
            raise graph_error(100, "(#100) Missing message or attachment")
        if item["network"] not in ("facebook", "instagram") or item.get("deleted"):
            raise graph_error(100, f"(#100) Unsupported post request: comments on {item['id']}", 33)
        comment = {"id": f"{item['id']}_{len(self.comments) + 1}", "parent": item["id"], "text": message,
                   "username": "brand", "user_id": item["owner"], "timestamp": self.now(), "own": True}
        self.comments.append(comment)
        return Reply(200, {"id": comment["id"]})

    def instagram_container(self, fields: dict[str, Any]) -> Reply:
        kind = str(fields.get("media_type") or "")
        caption = str(fields.get("caption") or "")
        if len(caption) > 2200 or len(re.findall(r"#\w+", caption)) > 30 or len(re.findall(r"@\w+", caption)) > 20:
            raise graph_error(100, "(#100) The caption is longer than 2200 characters or has more than 30 hashtags "
                              "or 20 mentions.", 2207035)
        if kind not in ("", "IMAGE", "REELS", "CAROUSEL", "STORIES", "VIDEO"):
            raise graph_error(100, "(#100) media_type must be one of IMAGE, REELS, CAROUSEL, STORIES")
        media = self.carousel_or_media(fields, kind, "instagram", IG_USER_ID, 10)
        return self.new_container("instagram", IG_USER_ID, fields, media)

    def page_feed(self, fields: dict[str, Any]) -> Reply:
        attached = [v for k, v in sorted(fields.items()) if k.startswith("attached_media")]
        photos = [re.search(r"\d+", str(a)) for a in attached]
        for match in photos:
            photo = self.media.get(match.group() if match else "")
            if photo is None or photo["network"] != "facebook" or photo.get("published", True):
                raise graph_error(100, "(#100) attached_media must be unpublished photos of this Page")
        if not fields.get("message") and not fields.get("link") and not attached:
            raise graph_error(100, "(#100) Posts where the message, link and attached_media are all empty are not allowed")
        post_id = f"{PAGE_ID}_{self.new_id(16)}"
        self.media[post_id] = {"id": post_id, "network": "facebook", "owner": PAGE_ID, "timestamp": self.now(),
                               "fields": {k: v for k, v in fields.items() if k != "access_token"},
                               "metrics": dict.fromkeys(INSIGHTS["facebook"], 0),
                               "permalink": f"https://www.facebook.com/{post_id}"}
        return Reply(200, {"id": post_id})

    def page_photo(self, fields: dict[str, Any]) -> Reply:
        source = fields.get("source")
        if isinstance(source, Upload):
            media = {"bytes": len(source.data), "content_type": source.content_type}
        elif fields.get("url"):
            media = self.image(str(fields["url"]), "facebook")
        else:
            raise graph_error(324, "(#324) Requires upload file", 2069019)
        published = str(fields.get("published", "true")).lower() != "false"
        photo_id = self.new_id(16)
        self.media[photo_id] = {"id": photo_id, "network": "facebook", "owner": PAGE_ID, "timestamp": self.now(),
                                "published": published, "fields": {"caption": fields.get("caption", ""), **media},
                                "metrics": dict.fromkeys(INSIGHTS["facebook"], 0),
                                "permalink": f"https://www.facebook.com/photo/?fbid={photo_id}"}
        return Reply(200, {"id": photo_id, **({"post_id": f"{PAGE_ID}_{photo_id}"} if published else {})})

    # ---------------------------------------------------------------- tokens
    def debug_token(self, req: Request, fields: dict[str, Any]) -> Reply:
        auth = req.header("authorization")
        caller = str(fields.get("access_token") or "") or (auth[7:].strip() if auth.startswith("Bearer ") else "")
        if caller != f"{APP_ID}|{APP_SECRET}" and self.token_state(caller)[0] != "ok":
            raise graph_error(190, "Invalid OAuth access token - Cannot parse access token", status=401)
        state, tok = self.token_state(str(fields.get("input_token") or ""))
        if tok is None:
            return Reply(200, {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid OAuth access token."}}})
        data = {"app_id": APP_ID, "type": tok.extra.get("kind", "USER"), "application": "smm",
                "is_valid": state == "ok", "scopes": tok.scopes, "user_id": tok.user,
                "issued_at": int(tok.issued_at), "expires_at": int(tok.expires_at) if tok.expires_at else 0,
                "data_access_expires_at": int(tok.issued_at) + 90 * 86400}
        if "page" in tok.extra:
            data["profile_id"] = tok.extra["page"]
        return Reply(200, {"data": data})

    def refresh(self, req: Request, fields: dict[str, Any]) -> Reply:
        tok = self.token(req, fields, "threads_basic")
        if fields.get("grant_type") != "th_refresh_token":
            raise graph_error(100, "(#100) grant_type must be th_refresh_token")
        if self.now() - tok.issued_at < 86400:
            raise graph_error(190, "The access token can be refreshed only after it is at least 24 hours old.")
        new = self.add_token(None, tok.user, tok.scopes, LONG_LIVED, kind="THREADS")
        return Reply(200, {"access_token": new.token, "token_type": "bearer", "expires_in": LONG_LIVED})

    # ---------------------------------------------------------------- test control
    def control(self, req: Request) -> Reply:
        name = req.path.removeprefix("/_mock/files/")
        if name != req.path and req.method == "GET":
            ctype, data = self.files.get(name, ("text/plain", b""))
            return Reply(200 if name in self.files else 404, data, content_type=ctype)
        if name != req.path and req.method in ("POST", "PUT"):
            self.files[name] = (req.header("content-type") or "application/octet-stream", req.body)
            return Reply(200, {"url": f"{self.base_url}/_mock/files/{name}", "bytes": len(req.body)})
        return super().control(req)

    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        if method == "POST" and what == "container_outcome":
            self.next_outcome = {"status": body.get("status", "ERROR"), "error_message": body.get("error_message",
                                                                                                  "UNKNOWN")}
            return Reply(200, self.next_outcome)
        if method == "POST" and what == "rate_limits":
            self.budget.update({k: int(v) for k, v in body.items() if k in self.budget})
            self.windows.clear()
            return Reply(200, self.budget)
        if method == "POST" and what == "comment":
            item = self.media.get(str(body.get("id")))
            if item is None:
                return Reply(404, {"error": "no such post"})
            comment = {"id": f"{item['id']}_{len(self.comments) + 1}", "parent": item["id"], "text": str(body.get("text", "")),
                       "username": str(body.get("username", "fan")), "user_id": str(9_000 + len(self.comments)),
                       "timestamp": self.now()}
            self.comments.append(comment)
            return Reply(200, comment)
        if method == "POST" and what == "engage":
            item = self.media.get(str(body.get("id")))
            if item:
                item["metrics"].update({k: int(v) for k, v in body.items() if k in item["metrics"]})
            self.followers.update({k: int(v) for k, v in (body.get("followers") or {}).items()})
            return Reply(200, {"media": item, "followers": self.followers})
        return None
