"""A local double of LinkedIn's versioned REST API (api.linkedin.com/rest), from its documentation.

Every /rest call needs ``LinkedIn-Version: YYYYMM`` (missing: 400 VERSION_MISSING; not one of the last 12
months on the server clock: 426 NONEXISTENT_VERSION) and ``X-Restli-Protocol-Version: 2.0.0``.
Endpoints:
  POST   /rest/posts                      {author, commentary, visibility, distribution, lifecycleState,
                                          content?: {media: {id} | multiImage: {images} | article: {source,
                                          title}}} -> 201, empty body, ``x-restli-id: urn:li:share:N``
  GET    /rest/posts?q=author&author=URN  count, start -> {elements, paging}
  GET    /rest/posts/{urn}, DELETE /rest/posts/{urn}
  GET    /rest/socialActions/{urn}/comments   count, start -> {elements: [{id, actor, message: {text},
                                          created: {actor, time}, object}], paging}
                                          (docs: learn.microsoft.com/linkedin/marketing/community-management/
                                          shares/comments-api; test control: POST /_mock/comment {share, text,
                                          actor?})
  POST   /rest/socialActions/{urn}/comments   {actor, object, message: {text}} -> 201, the comment,
                                          ``x-restli-id`` its id (the author's own comment: a first comment)
  POST   /rest/images?action=initializeUpload  {initializeUploadRequest: {owner}} -> {value: {uploadUrl,
                                          uploadUrlExpiresAt, image}}; PUT the bytes to uploadUrl (Bearer);
                                          GET /rest/images/{urn}: WAITING_UPLOAD -> AVAILABLE after the upload
  GET    /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=URN
                                          [&shares=List(urn,...)]
  GET    /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER -> {firstDegreeSize}
  GET    /v2/me                           -> {id, localizedFirstName, localizedLastName} of the token's member
  POST   /oauth/v2/introspectToken        client_id, client_secret, token -> {active, status, expires_at, scope}
Commentary is "little" text: the reserved characters | { } @ [ ] ( ) < > # \\ * _ ~ must be escaped with a
backslash; mentions ``@[Name](urn:li:organization:N)`` and hashtags (``{hashtag|\\#|word}`` or ``#word``) are
elements; LinkedIn keeps
the post but cuts its text at the first unescaped reserved character (GET /_mock/state shows ``shown``, the
text a reader sees). Errors: ``{"status", "serviceErrorCode", "code", "message"}``; body validation 422
``{"message": "ERROR :: /field :: ...", "status": 422}``. Tokens last 60 days (401 EXPIRED_ACCESS_TOKEN).
Creating posts is limited to 150 a day per member (429 TOO_MANY_REQUESTS; LinkedIn sends no rate-limit
headers). A token made with POST /_mock/tokens {"extra": {"revoked": true}} is 401 REVOKED_ACCESS_TOKEN.
Test control beyond mockapi's: POST /_mock/engage {"share", counters...} or {"followers": N}.

Documentation used:
  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api (request fields,
    201 + x-restli-id, finder by author) and .../shares/images-api (initializeUpload, PUT, status values)
  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
    (elements, reserved characters, the hashtag template)
  https://learn.microsoft.com/en-us/linkedin/shared/integrations/people/profile-api (GET /v2/me)
  https://learn.microsoft.com/en-us/linkedin/marketing/versioning (LinkedIn-Version, VERSION_MISSING, 426)
  https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection (introspectToken)
  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics and
    .../organizations/organization-lookup-api (networkSizes)
  https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits (daily limits, 429)
  https://www.ayrshare.com/docs/es/apis/post/social-networks/linkedin (150 posts a day per LinkedIn account;
    commentary up to 3000 characters)
  https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling (the error body; its
    sample for a missing token)
  https://github.com/jclusso/omniauth-linkedin-openid/issues/6 and
  https://github.com/xcarpentier/react-native-linkedin/issues/80 (observed: 65601 REVOKED_ACCESS_TOKEN, 65600
    "Invalid access token")
  https://docs.composio.dev/kb/guide/toolkits-linkedin.md (observed: 426 NONEXISTENT_VERSION for an old header)
  https://github.com/apoorvdarshan/crossposter/releases/tag/v1.1.5 (observed: unescaped text is cut, 200 OK)
  https://community.n8n.io/t/linkedin-api-post-creation-via-http-request-node-error-with-text-format/303875
    (the 400 ILLEGAL_ARGUMENT and 422 "ERROR :: /field :: ..." bodies as LinkedIn returned them)
The Microsoft pages above are cited from memory of their content; of them only the little-text page was
re-read here. Uncertain: the serviceErrorCode numbers 65602 (expired), 100 (ACCESS_DENIED), 101 (throttle), the duplicate answer (422 "Content is a duplicate of
urn:li:share:N"), the answer to a missing X-Restli-Protocol-Version (400 ILLEGAL_ARGUMENT here), whether URLs
in commentary need escaping (here they are kept whole), the answer to an image not yet uploaded (422).
"""

from __future__ import annotations

import re
import secrets
import urllib.parse
from datetime import datetime, timezone
from typing import Any

from mockapi import Abort, Network, Reply, Request, route

ORG = "urn:li:organization:90000001"
PERSON = "urn:li:person:smmAdmin01"
TOKEN, CLIENT_ID, CLIENT_SECRET = "smm-linkedin-token", "smm-linkedin-client", "smm-linkedin-client-secret"
SCOPES = ["w_organization_social", "r_organization_social", "rw_organization_admin", "w_member_social",
          "r_basicprofile"]
TOKEN_TTL = 60 * 24 * 3600
POSTS_PER_DAY = 150
COMMENTARY_LIMIT = 3000
RESERVED = set("|{}@[]()<>#\\*_~")
ELEMENT = re.compile(r"@\[[^\]\\]*\]\(urn:li:(?:person|organization):[\w-]+\)|\{hashtag\|\\#\|\w+\}|#\w+|https?://\S+")
POST_FIELDS = {"author", "commentary", "visibility", "distribution", "lifecycleState", "content",
               "isReshareDisabledByAuthor", "contentLandingPage", "contentCallToActionLabel", "reshareContext",
               "container", "adContext"}
STAT_FIELDS = ("uniqueImpressionsCount", "shareCount", "engagement", "clickCount", "likeCount", "impressionCount",
               "commentCount")


def shown_text(commentary: str) -> str:
    """What LinkedIn shows: escapes resolved, elements kept, cut at the first unescaped reserved character."""
    out, i = [], 0
    while i < len(commentary):
        ch = commentary[i]
        element = ELEMENT.match(commentary, i)
        if ch == "\\" and i + 1 < len(commentary) and commentary[i + 1] in RESERVED:
            out.append(commentary[i + 1])
            i += 2
        elif element:
            mention = re.match(r"@\[([^\]]*)\]", element.group())
            tag = re.fullmatch(r"\{hashtag\|\\#\|(\w+)\}", element.group())
            out.append(mention.group(1) if mention else f"#{tag.group(1)}" if tag else element.group())
            i = element.end()
        elif ch in RESERVED:
            break
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def error(status: int, code: str, message: str, service_code: int | None = None) -> Abort:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return Abort(Reply(status, body))


def unprocessable(*problems: str) -> Abort:
    return Abort(Reply(422, {"message": "".join(f"ERROR :: {p}\n" for p in problems), "status": 422}))


class LinkedIn(Network):
    name = "linkedin"

    def seed(self) -> None:
        self.add_token(TOKEN, PERSON, SCOPES, TOKEN_TTL, admin_of=[ORG])
        self.posts: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []  # by members on the author's posts (/_mock/comment)
        self.images: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, tuple[str, float]] = {}  # upload path -> (image urn, expiry epoch)
        self.followers = 480

    def default_user(self) -> str:
        return PERSON

    def settings(self) -> dict[str, str]:
        return {"TOKEN": TOKEN, "AUTHOR": ORG, "PERSON": PERSON, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET}

    def snapshot(self) -> dict[str, Any]:
        return {"published": [p for p in self.posts if not p.get("deleted")], "images": list(self.images.values()),
                "comments": list(self.comments)}

    # ---------------------------------------------------------------- errors and checks
    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        codes = {400: "ILLEGAL_ARGUMENT", 401: "INVALID_ACCESS_TOKEN", 403: "ACCESS_DENIED", 404: "NOT_FOUND",
                 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
        return error(status, effect.get("code", codes.get(status, "ERROR")), effect.get("message", "Injected error"),
                     effect.get("serviceErrorCode")).reply

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        return error(429, "TOO_MANY_REQUESTS", "Resource level throttle MEMBER DAY limit for calls to this "
                     "resource is reached.", 101).reply

    def not_found(self, req: Request) -> Reply:
        return error(404, "RESOURCE_NOT_EXISTS" if not self.path_known(req.path) else "METHOD_NOT_ALLOWED",
                     f"No resource for {req.method} {req.path}").reply

    def caller(self, req: Request, *scopes: str) -> dict[str, Any]:
        if req.path.startswith("/rest/"):
            self.check_version(req)
        auth = req.header("authorization")
        state, tok = self.token_state(auth[7:].strip() if auth.startswith("Bearer ") else "")
        if state == "missing":  # the error-handling page's own sample (no ``code``)
            raise Abort(Reply(401, {"message": "Empty oauth2_access_token", "serviceErrorCode": 401, "status": 401}))
        if state == "expired":
            raise error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602)
        if tok is not None and tok.extra.get("revoked"):
            raise error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user", 65601)
        if state != "ok" or tok is None:
            raise error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        missing = [s for s in scopes if s not in tok.scopes]
        if missing:
            raise error(403, "ACCESS_DENIED", f"Not enough permissions to access: {req.method} {req.path} "
                        f"(needs {', '.join(missing)})", 100)
        return {"user": tok.user, "admin_of": tok.extra.get("admin_of", [])}

    def check_version(self, req: Request) -> None:
        version = req.header("linkedin-version")
        if not version:
            raise error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the "
                        "LinkedIn-Version header.")
        today = datetime.fromtimestamp(self.now(), timezone.utc)
        months = today.year * 12 + today.month - 1
        active = {f"{(months - n) // 12}{(months - n) % 12 + 1:02d}" for n in range(12)}
        if version[:6] not in active or not re.fullmatch(r"\d{6}(\.\d{2})?", version):
            raise error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
        if req.header("x-restli-protocol-version") != "2.0.0":
            raise error(400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version: 2.0.0 is required for this resource")

    def json_body(self, req: Request) -> dict[str, Any]:
        try:
            data = req.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise error(400, "ILLEGAL_ARGUMENT", "Request body could not be converted to data map")
        return data

    # ---------------------------------------------------------------- posts
    @route("POST", "/rest/posts")
    def create(self, req: Request) -> Reply:
        who = self.caller(req)
        data = self.json_body(req)
        self.validate(data)
        author = data["author"]
        needed = "w_organization_social" if author.startswith("urn:li:organization:") else "w_member_social"
        self.caller(req, needed)
        if author != who["user"] and author not in who["admin_of"]:
            raise error(403, "ACCESS_DENIED", "Unpermitted fields present in REQUEST_BODY: Data Processing "
                        "Exception while processing fields [/author]", 100)
        for post in self.posts:
            if post["author"] == author and post["commentary"] == data["commentary"] and not post.get("deleted"):
                raise unprocessable(f"/commentary :: Content is a duplicate of {post['id']}")
        allowed, _, reset = self.spend(who["user"], "posts/day", POSTS_PER_DAY, 86400)
        if not allowed:
            return self.rate_limited(req, reset)
        urn = f"urn:li:share:{self.new_id()}"
        millis = int(self.now() * 1000)
        post = {**data, "id": urn, "createdAt": millis, "publishedAt": millis, "lastModifiedAt": millis,
                "lifecycleStateInfo": {"isEditedByAuthor": False}, "shown": shown_text(data["commentary"]),
                "statistics": dict.fromkeys(STAT_FIELDS, 0)}
        self.posts.append(post)
        return Reply(201, None, {"x-restli-id": urn, "Location": f"/rest/posts/{urllib.parse.quote(urn, safe='')}"})

    def validate(self, data: dict[str, Any]) -> None:
        problems = [f"/{k} :: unrecognized field found but not allowed" for k in data if k not in POST_FIELDS]
        problems += [f"/{k} :: field is required but not found and has no default value"
                     for k in ("author", "commentary", "visibility", "distribution", "lifecycleState") if k not in data]
        if problems:
            raise unprocessable(*problems)
        if not re.fullmatch(r"urn:li:(person|organization):[\w-]+", str(data["author"])):
            problems.append(f"/author :: {data['author']!r} is not a person or organization URN")
        if not isinstance(data["commentary"], str) or len(data["commentary"]) > COMMENTARY_LIMIT:
            problems.append(f"/commentary :: must be a string of at most {COMMENTARY_LIMIT} characters")
        if data["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
            problems.append(f"/visibility :: {data['visibility']!r} is not an enum symbol")
        if data["lifecycleState"] not in ("PUBLISHED", "DRAFT", "PUBLISH_REQUESTED"):
            problems.append(f"/lifecycleState :: {data['lifecycleState']!r} is not an enum symbol")
        feed = (data["distribution"] or {}).get("feedDistribution") if isinstance(data["distribution"], dict) else None
        if feed not in ("MAIN_FEED", "NONE"):
            problems.append("/distribution/feedDistribution :: field is required and must be MAIN_FEED or NONE")
        problems += self.content_problems(data.get("content"))
        if problems:
            raise unprocessable(*problems)

    def content_problems(self, content: Any) -> list[str]:
        if content is None:
            return []
        if not isinstance(content, dict) or len(content) != 1:
            return ["/content :: exactly one of media, multiImage, article, poll, reference is allowed"]
        kind, value = next(iter(content.items()))
        if kind == "article":
            ok = isinstance(value, dict) and re.match(r"https?://", str(value.get("source", ""))) and value.get("title")
            return [] if ok else ["/content/article :: source (an http(s) URL) and title are required"]
        if kind == "media":
            ids = [(value or {}).get("id")] if isinstance(value, dict) else [None]
        elif kind == "multiImage":
            images = (value or {}).get("images") if isinstance(value, dict) else None
            if not isinstance(images, list) or not 2 <= len(images) <= 20:
                return ["/content/multiImage/images :: between 2 and 20 images are required"]
            ids = [i.get("id") if isinstance(i, dict) else None for i in images]
        else:
            return [f"/content/{kind} :: not supported by this double"]
        return [f"/content/{kind} :: {i} is not an AVAILABLE image or video of this account" for i in ids
                if str(i).startswith("urn:li:image:") and self.images.get(i, {}).get("status") != "AVAILABLE"
                or not str(i).startswith(("urn:li:image:", "urn:li:video:", "urn:li:document:"))]

    def visible(self, post: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in post.items() if k not in ("shown", "statistics", "deleted")}

    def find(self, urn: str) -> dict[str, Any]:
        urn = urllib.parse.unquote(urn)
        for post in self.posts:
            if post["id"] == urn and not post.get("deleted"):
                return post
        raise error(404, "NOT_FOUND", f"Post {urn} does not exist", 404)

    @route("GET", "/rest/posts")
    def by_author(self, req: Request) -> Reply:
        self.caller(req, "r_organization_social")
        if req.query.get("q") != "author" or not req.query.get("author"):
            raise error(400, "ILLEGAL_ARGUMENT", "The finder needs q=author and author=<URN>")
        start, count = int(req.query.get("start", 0)), min(int(req.query.get("count", 10)), 100)
        mine = [p for p in reversed(self.posts) if p["author"] == req.query["author"] and not p.get("deleted")]
        return Reply(200, {"paging": {"start": start, "count": count, "links": [], "total": len(mine)},
                           "elements": [self.visible(p) for p in mine[start:start + count]]})

    @route("GET", r"/rest/posts/(?P<urn>[^/]+)")
    def get_post(self, req: Request) -> Reply:
        self.caller(req, "r_organization_social")
        return Reply(200, self.visible(self.find(req.params["urn"])))

    @route("DELETE", r"/rest/posts/(?P<urn>[^/]+)")
    def delete_post(self, req: Request) -> Reply:
        self.caller(req, "w_organization_social")
        self.find(req.params["urn"])["deleted"] = True
        return Reply(204, None)

    @route("GET", r"/rest/socialActions/(?P<urn>[^/]+)/comments")
    def comments_on(self, req: Request) -> Reply:
        self.caller(req, "r_organization_social")
        post = self.find(req.params["urn"])
        start, count = int(req.query.get("start", 0)), min(int(req.query.get("count", 10)), 100)
        mine = [c for c in self.comments if c["object"] == post["id"]]
        return Reply(200, {"paging": {"start": start, "count": count, "links": [], "total": len(mine)},
                           "elements": mine[start:start + count]})

    @route("POST", r"/rest/socialActions/(?P<urn>[^/]+)/comments")
    def comment_on(self, req: Request) -> Reply:
        """A comment as the caller or one of its pages: {actor, object, message: {text}} -> 201, the comment,
        `x-restli-id` its id (docs: .../shares/comments-api, "Create Comments")."""
        who = self.caller(req, "w_organization_social")
        post = self.find(req.params["urn"])
        data = self.json_body(req)
        actor, text = data.get("actor"), (data.get("message") or {}).get("text")
        if actor not in [who["user"], *who["admin_of"]]:
            raise unprocessable(f"/actor :: {actor!r} is not the caller or one of its pages")
        if data.get("object") != post["id"]:
            raise unprocessable(f"/object :: {data.get('object')!r} is not the post commented on")
        if not isinstance(text, str) or not text:
            raise unprocessable("/message/text :: field is required but not found and has no default value")
        millis = int(self.now() * 1000)
        comment = {"id": str(6_000_000 + len(self.comments)), "actor": actor, "object": post["id"],
                   "message": {"text": text}, "created": {"actor": actor, "time": millis},
                   "lastModified": {"actor": actor, "time": millis}}
        self.comments.append(comment)
        return Reply(201, comment, {"x-restli-id": comment["id"]})

    # ---------------------------------------------------------------- images
    @route("POST", "/rest/images")
    def initialize_upload(self, req: Request) -> Reply:
        who = self.caller(req, "w_organization_social")
        if req.query.get("action") != "initializeUpload":
            raise error(400, "ILLEGAL_ARGUMENT", "action=initializeUpload is required")
        owner = (self.json_body(req).get("initializeUploadRequest") or {}).get("owner")
        if owner not in [who["user"], *who["admin_of"]]:
            raise unprocessable(f"/initializeUploadRequest/owner :: {owner!r} is not the caller or one of its pages")
        urn = f"urn:li:image:C4E10AQ{secrets.token_urlsafe(12)}"
        path = f"/dms-uploads/{secrets.token_urlsafe(24)}"
        expires = int((self.now() + 86400) * 1000)
        self.images[urn] = {"id": urn, "owner": owner, "status": "WAITING_UPLOAD", "size": 0}
        self.uploads[path] = (urn, expires / 1000)
        return Reply(200, {"value": {"uploadUrlExpiresAt": expires, "uploadUrl": f"{self.base_url}{path}",
                                     "image": urn}})

    @route("PUT", r"/dms-uploads/(?P<key>[\w-]+)")
    def upload(self, req: Request) -> Reply:
        self.caller(req)
        urn, expires = self.uploads.get(req.path, ("", 0.0))
        if not urn or self.now() > expires:
            raise error(400, "ILLEGAL_ARGUMENT", "The upload URL is unknown, used or expired (uploadUrlExpiresAt)")
        if not req.body:
            raise error(400, "ILLEGAL_ARGUMENT", "The upload is empty")
        del self.uploads[req.path]
        self.images[urn].update(status="AVAILABLE", size=len(req.body),
                                downloadUrl=f"https://media.licdn.com/dms/image/{urn.rsplit(':', 1)[1]}")
        return Reply(201, None)

    @route("GET", r"/rest/images/(?P<urn>[^/]+)")
    def image(self, req: Request) -> Reply:
        self.caller(req)
        image = self.images.get(urllib.parse.unquote(req.params["urn"]))
        if image is None:
            raise error(404, "NOT_FOUND", "Image does not exist", 404)
        return Reply(200, image)

    # ---------------------------------------------------------------- statistics
    @route("GET", "/rest/organizationalEntityShareStatistics")
    def share_statistics(self, req: Request) -> Reply:
        who = self.caller(req, "rw_organization_admin")
        org = req.query.get("organizationalEntity", "")
        if req.query.get("q") != "organizationalEntity" or org not in who["admin_of"]:
            raise error(403 if org else 400, "ACCESS_DENIED" if org else "ILLEGAL_ARGUMENT",
                        "q=organizationalEntity and an organization the caller administers are required")
        wanted = re.findall(r"urn:li:(?:share|ugcPost):\d+", req.query.get("shares", "") + req.query.get("ugcPosts", ""))
        posts = [p for p in self.posts if p["author"] == org and not p.get("deleted")]
        if not wanted:
            total = {k: sum(p["statistics"][k] for p in posts) for k in STAT_FIELDS}
            return Reply(200, {"paging": {"start": 0, "count": 10, "links": []},
                               "elements": [{"totalShareStatistics": total, "organizationalEntity": org}]})
        rows = [{"totalShareStatistics": p["statistics"], "share": p["id"], "organizationalEntity": org}
                for p in posts if p["id"] in wanted]
        return Reply(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": rows})

    @route("GET", r"/rest/networkSizes/(?P<urn>[^/]+)")
    def network_size(self, req: Request) -> Reply:
        self.caller(req, "r_organization_social")
        if req.query.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
            raise error(400, "ILLEGAL_ARGUMENT", "edgeType=COMPANY_FOLLOWED_BY_MEMBER is required")
        if urllib.parse.unquote(req.params["urn"]) != ORG:
            raise error(404, "NOT_FOUND", "Organization does not exist", 404)
        return Reply(200, {"firstDegreeSize": self.followers})

    @route("GET", "/v2/me")
    def me(self, req: Request) -> Reply:
        """The token's member (Profile API; r_liteprofile or r_basicprofile)."""
        who = self.caller(req)
        if not {"r_liteprofile", "r_basicprofile"} & set(self.tokens[req.header("authorization")[7:].strip()].scopes):
            raise error(403, "ACCESS_DENIED", "Not enough permissions to access: GET /v2/me", 100)
        return Reply(200, {"id": who["user"].rsplit(":", 1)[-1], "localizedFirstName": "Smm",
                           "localizedLastName": "Admin"})

    @route("POST", "/oauth/v2/introspectToken")
    def introspect(self, req: Request) -> Reply:
        fields = req.form()
        if fields.get("client_id") != CLIENT_ID or fields.get("client_secret") != CLIENT_SECRET:
            return Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        state, tok = self.token_state(str(fields.get("token") or ""))
        if tok is None:
            return Reply(200, {"active": False})
        return Reply(200, {"active": state == "ok", "client_id": CLIENT_ID, "authorized_at": int(tok.issued_at),
                           "created_at": int(tok.issued_at), "status": "active" if state == "ok" else state,
                           "expires_at": int(tok.expires_at) if tok.expires_at else None,
                           "scope": ",".join(tok.scopes), "auth_type": "3L"})

    # ---------------------------------------------------------------- test control
    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        if method == "POST" and what == "comment":
            millis = int(self.now() * 1000)
            actor = str(body.get("actor") or "urn:li:person:fan123")
            comment = {"id": str(6_000_000 + len(self.comments)), "actor": actor, "object": str(body.get("share")),
                       "message": {"text": str(body.get("text", ""))}, "created": {"actor": actor, "time": millis},
                       "lastModified": {"actor": actor, "time": millis}}
            self.comments.append(comment)
            return Reply(200, comment)
        if method != "POST" or what != "engage":
            return None
        self.followers = int(body.get("followers", self.followers))
        for post in self.posts:
            if post["id"] == body.get("share"):
                post["statistics"].update({k: int(v) for k, v in body.items() if k in STAT_FIELDS})
        return Reply(200, {"followers": self.followers})
