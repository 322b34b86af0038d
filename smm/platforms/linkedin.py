"""LinkedIn: 3000 characters of "little text", where reserved characters must be escaped.

Publishing uses the versioned REST API (https://learn.microsoft.com/en-us/linkedin/marketing/
versioning): every call carries `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`.
A post (`POST /rest/posts`, 201 with the URN in `x-restli-id`) is made by `author`, an
organization or person URN; its images go up through the Images API (`initializeUpload`, then
a PUT of the bytes, then the image is `AVAILABLE`), one as `media`, 2–20 as `multiImage`, each
with its alt text; a post with a `link` and no image becomes an article (link preview).
Organizations are mentioned as `@[Name](urn:li:organization:N)`, written so in
brand/handles.yml. `find()` pages through the author's posts (`q=author`) for one made in the
attempt's window with the commentary as sent. A first comment is the author's comment under its
post (`POST /rest/socialActions/{post}/comments`), found again among the post's comments. Metrics come from
`organizationalEntityShareStatistics` and followers from `networkSizes` (organization pages
only). Tokens last 60 days: `token_expiry` asks the token introspection endpoint when the
account names its app (`client_id`, `client_secret_env`), else counts from `token_issued`.
LinkedIn sends no rate-limit headers: a 429 waits for its daily window (midnight UTC).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from smm.content.tokens import URL
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import answers, http
from smm.platforms.base import (
    API_BASE_OPTION,
    TOKEN_OPTION,
    Credentials,
    Display,
    Incoming,
    Lookup,
    MediaRules,
    Metrics,
    Outgoing,
    Platform,
    PublishResult,
    VideoRules,
    recorded_expiry,
    secret_option,
)

_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
MENTION = re.compile(r"@\[([^\]\\\n]+)\]\((urn:li:(?:organization|person):[\w-]+)\)")
API = "https://api.linkedin.com"
VERSION = "202611"  # LinkedIn keeps a version at least a year: set `linkedin_version` when this one is retired
TOKEN_LIFETIME = timedelta(days=60)
PAGE = 50  # posts per page looked through by find()
POSTS_BACK = timedelta(days=30)  # the inbox reads comments on the posts of the last 30 days
MAX_PAGES = 10
IMAGE_WAITS = 10  # seconds an uploaded image may take to become AVAILABLE
_URN = r"^urn:li:(organization|person):[A-Za-z0-9_-]+$"


def escape_little_text(text: str) -> str:
    """Escape every reserved character, or LinkedIn silently cuts the text at it."""
    return _RESERVED.sub(r"\\\1", text)


def plain_text(little: str) -> str:
    """Little text back to what a reader sees (a comment's `message.text` is plain text, not little
    text: comments-api): hashtag elements as `#word`, escaped characters as themselves."""
    return re.sub(r"\\([\\|{}@\[\]()<>#*_~])", r"\1", re.sub(r"\{hashtag\|\\#\|(\w+)\}", r"#\1", little))


def until_midnight_utc(now: datetime | None = None) -> float:
    """Seconds until LinkedIn's daily limits start again (midnight UTC)."""
    now = now or datetime.now(timezone.utc)
    return (datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc) - now).total_seconds()


class LinkedIn(Platform):
    name = "linkedin"
    label = "LinkedIn"
    text_limit = 3000
    comments = True  # a first comment: the author's comment under its post
    unit = "characters"
    # LinkedIn says 3,000 characters of `commentary`, not how it counts them: smm counts the grapheme clusters of
    # the text as sent, escaped and with mention and hashtag elements, never fewer than those shown
    counting_rule = "grapheme clusters of the text as sent (after escaping)"
    media = MediaRules(max_count=20, types=frozenset({"image/jpeg", "image/png", "image/gif"}),
                       max_bytes=36_152_320, alt_limit=4086,
                       # Videos API: one MP4 alone, 3 s to 30 min, 75 KB to 500 MB
                       video=VideoRules(types=frozenset({"video/mp4"}), max_bytes=500 * 1024 * 1024, min_seconds=3,
                                        max_seconds=30 * 60))
    secrets = ("token_env", "client_secret_env")
    options = {
        **TOKEN_OPTION,
        "author": {"description": "Who posts: an organization (`urn:li:organization:N`, a page the token's member "
                                  "administers) or a person (`urn:li:person:ID`) URN.", "type": "string"},
        "client_id": {"description": "The app's client id, with `client_secret_env`, to ask LinkedIn when the token "
                                     "expires (token introspection).", "type": "string", "minLength": 1},
        "client_secret_env": secret_option("the app's client secret"),
        "linkedin_version": {"description": f"The `LinkedIn-Version` sent (`YYYYMM`); default {VERSION}.",
                             "type": "string", "pattern": r"^[0-9]{6}(\.[0-9]{2})?$"},
        **API_BASE_OPTION,
    }
    options_rule = {"required": ["token_env", "author"], "properties": {"author": {"pattern": _URN}}}
    display = Display("#0a66c2", "#0a66c2")
    can_publish = True
    has_inbox = True
    reconciles = True
    settle = 60.0  # assumed: LinkedIn acts on a request within twice the 30 s answer timeout, or never
    has_metrics = has_followers = True
    lifetime = TOKEN_LIFETIME  # for `smm doctor`: how long a token lasts from `token_issued`

    @classmethod
    def finalize(cls, text: str) -> str:
        """Little text: reserved characters escaped, hashtags as LinkedIn's hashtag elements; links kept
        whole, as LinkedIn finds them (an escaped `_` in a URL would be sent as `\\_`)."""
        pieces, last = [], 0
        for link in URL.finditer(text):
            pieces += [cls.escaped(text[last:link.start()]), link.group()]
            last = link.end()
        return "".join(pieces + [cls.escaped(text[last:])])

    @staticmethod
    def escaped(text: str) -> str:
        return re.sub(r"\\#(\w+)", r"{hashtag|\\#|\1}", escape_little_text(text))

    @classmethod
    def element(cls, handle: str) -> str | None:
        """A handle written `@[Name](urn:li:organization:N)` (the name as LinkedIn shows it) is a mention."""
        match = MENTION.fullmatch(handle.strip())
        return match.group() if match else None

    # -- the adapter ------------------------------------------------------------

    @property
    def api(self) -> str:
        return (self.options.get("api_base") or API).rstrip("/")

    @property
    def author(self) -> str:
        return self.options["author"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = http.client(transport=self.transport)  # made now: `smm metrics` calls from several threads

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.secret('token_env')}", "X-Restli-Protocol-Version": "2.0.0",
                "LinkedIn-Version": self.options.get("linkedin_version") or VERSION}

    def call(self, method: str, url: str, what: str, **kwargs):
        """One call (a path under the API, or a full URL); the response, or the typed error it means."""
        label = f"LinkedIn {what}"
        target = url if url.startswith("http") else f"{self.api}{url}"
        response = http.request(self.session, method, target, label, headers=self.headers(), **kwargs)
        if response.is_success:
            return response
        raise self.error(label, response)

    def error(self, label: str, response) -> Exception:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code, status = body.get("code") or "", response.status_code
        detail = f"{label}: HTTP {status} {code} {str(body.get('message') or response.text[:200]).strip()}".strip()
        if status == 429:
            return RateLimited(detail, retry_after=http.retry_after(response) or until_midnight_utc())
        if code == "EXPIRED_ACCESS_TOKEN":
            return AuthError(f"{detail}: LinkedIn tokens last 60 days; authorize the app again, update the secret "
                             "and `token_issued`")
        if status == 426 or code in ("VERSION_MISSING", "NONEXISTENT_VERSION"):
            return AuthError(f"{detail}: set the account's `linkedin_version` to a version LinkedIn still serves")
        if status in (401, 403):
            return AuthError(detail)
        if status >= 500:
            return TransientError(detail, outcome_unknown=True)
        return Rejected(detail)

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        if outgoing.reply_to:
            return self.comment(outgoing)
        post = {"author": self.author, "commentary": outgoing.text, "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
        images = [{"id": self.upload(Path(path)), "altText": alt or ""} for path, alt in outgoing.media]
        if len(images) == 1:
            post["content"] = {"media": images[0]}
        elif images:
            post["content"] = {"multiImage": {"images": images}}
        elif outgoing.link:
            post["content"] = {"article": {"source": outgoing.link, "title": outgoing.title or outgoing.link}}
        response = self.call("POST", "/rest/posts", "post", json=post)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise TransientError("LinkedIn post: HTTP 201 without the post's id (x-restli-id)", outcome_unknown=True)
        return self.result(urn)

    @staticmethod
    def result(urn: str) -> PublishResult:
        return PublishResult(urn, f"https://www.linkedin.com/feed/update/{urn}/")

    def upload(self, path: Path) -> str:
        """An image through the Images API; its URN once LinkedIn says it is AVAILABLE."""
        try:
            data = path.read_bytes()
        except OSError as exc:  # nothing was sent
            raise Rejected(f"cannot read the media file {path.name}: {exc.strerror}") from None
        asked = self.call("POST", "/rest/images?action=initializeUpload", "image upload",
                          json={"initializeUploadRequest": {"owner": self.author}}).json()["value"]
        self.call("PUT", asked["uploadUrl"], "image upload", content=data)
        for _ in range(IMAGE_WAITS):
            image = self.call("GET", f"/rest/images/{quote(asked['image'], safe='')}", "image status").json()
            if image.get("status") == "AVAILABLE":
                return asked["image"]
            if image.get("status") == "PROCESSING_FAILED":
                raise Rejected(f"LinkedIn could not process the image {path.name}")
            time.sleep(1)
        raise TransientError(f"LinkedIn: the image {path.name} is not available after {IMAGE_WAITS} s")

    def comment(self, outgoing: Outgoing) -> PublishResult:
        """A first comment as the author under its post (`POST /rest/socialActions/{post}/comments`,
        learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api)."""
        post = outgoing.reply_to.remote_id
        response = self.call("POST", f"/rest/socialActions/{quote(post, safe='')}/comments", "comment",
                             json={"actor": self.author, "object": post, "message": {"text": plain_text(outgoing.text)}})
        try:
            body = response.json()
        except ValueError:
            body = {}
        comment = response.headers.get("x-restli-id") or (body.get("id") if isinstance(body, dict) else None)
        if not comment:
            raise TransientError("LinkedIn comment: HTTP 201 without the comment's id", outcome_unknown=True)
        return PublishResult(str(comment))

    def find_comment(self, lookup: Lookup) -> PublishResult | None:
        """The author's oldest comment under the post in the lookup's window with a text sent."""
        post = lookup.sent[0].reply_to.remote_id
        comments = self.call("GET", f"/rest/socialActions/{quote(post, safe='')}/comments", "comments",
                             params={"count": 100}).json().get("elements") or []
        texts = {plain_text(sent.text) for sent in lookup.sent}
        for comment in comments:  # oldest first
            made = answers.epoch((comment.get("created") or {}).get("time"), 1000)
            if (comment.get("actor") == self.author and made is not None and lookup.since <= made <= lookup.until
                    and str(comment["id"]) not in lookup.owned and (comment.get("message") or {}).get("text") in texts):
                return PublishResult(str(comment["id"]))
        return None

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """The oldest of the author's posts in the lookup's window whose commentary and image count are a version sent."""
        if outgoing.reply_to:
            return self.find_comment(lookup)
        found = None
        for page in range(MAX_PAGES):
            posts = self.call("GET", "/rest/posts", "own posts", params={
                "q": "author", "author": self.author, "count": PAGE, "start": page * PAGE}).json().get("elements") or []
            for post in posts:
                made = answers.epoch(post.get("createdAt"), 1000)
                if (made is not None and lookup.since <= made <= lookup.until and post["id"] not in lookup.owned
                        and any(self.is_sent(post, sent) for sent in lookup.sent)):
                    found = self.result(post["id"])
            last = answers.epoch(posts[-1].get("createdAt"), 1000) if posts else None
            if len(posts) < PAGE or (last is not None and last < lookup.since):
                return found
        raise NotSupported(f"more than {MAX_PAGES * PAGE} posts since the call: too many to look through")

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Comments made since `since` on the author's posts of the last POSTS_BACK (socialActions)."""
        posts = self.call("GET", "/rest/posts", "own posts", params={
            "q": "author", "author": self.author, "count": PAGE, "start": 0}).json().get("elements") or []
        found = []
        for post in posts:
            made = answers.epoch(post.get("createdAt"), 1000)
            if made is not None and made < since - POSTS_BACK:
                break
            comments = self.call("GET", f"/rest/socialActions/{quote(post['id'], safe='')}/comments", "comments",
                                 params={"count": 100}).json().get("elements") or []
            for comment in comments:
                when = answers.epoch((comment.get("created") or {}).get("time"), 1000)
                if when is not None and when >= since and comment.get("actor") != self.author:
                    found.append(Incoming(comment.get("id"), "comment", comment.get("actor", ""),
                                          (comment.get("message") or {}).get("text", ""), None, when, None,
                                          post["id"]))
        return found

    @staticmethod
    def is_sent(post: dict, outgoing: Outgoing) -> bool:
        content = post.get("content") or {}
        images = 1 if "media" in content else len((content.get("multiImage") or {}).get("images") or [])
        return post.get("commentary") == outgoing.text and images == len(outgoing.media)

    def confirm(self, reference: str) -> PublishResult:
        """A post URN or its URL (`https://www.linkedin.com/feed/update/urn:li:share:N/`) by this account's author."""
        match = re.search(r"urn:li:(?:share|ugcPost):\d+", reference)
        if not match:
            raise Rejected(f"{reference} names no LinkedIn post (urn:li:share:N)")
        post = self.call("GET", f"/rest/posts/{quote(match.group(), safe='')}", "post").json()
        if post.get("author") != self.author:
            raise Rejected(f"{match.group()} was posted by {post.get('author')}, not {self.author}")
        return self.result(match.group())

    def organization(self) -> str:
        if not self.author.startswith("urn:li:organization:"):
            raise NotSupported("LinkedIn gives share statistics and followers for organization pages only")
        return self.author

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        org = quote(self.organization(), safe="")
        found = []
        for start in range(0, len(remote_ids), 20):
            shares = ",".join(quote(urn, safe="") for urn in remote_ids[start:start + 20])
            url = (f"/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={org}"
                   f"&shares=List({shares})")
            for row in self.call("GET", url, "share statistics").json().get("elements") or []:
                totals = row.get("totalShareStatistics") or {}
                found.append(Metrics(row["share"], likes=totals.get("likeCount"), reposts=totals.get("shareCount"),
                                     replies=totals.get("commentCount"), views=totals.get("impressionCount"),
                                     clicks=totals.get("clickCount")))
        return found

    def followers(self) -> int | None:
        org = quote(self.organization(), safe="")
        return self.call("GET", f"/rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
                         "followers").json().get("firstDegreeSize")

    def whoami(self) -> str:
        """A cheap authenticated call: the member the token belongs to, `Name (urn:li:person:ID)`."""
        me = self.call("GET", "/v2/me", "who am I").json()
        name = " ".join(filter(None, (me.get("localizedFirstName"), me.get("localizedLastName"))))
        return f"{name} (urn:li:person:{me.get('id')})"

    def check_credentials(self) -> Credentials:
        """For `smm doctor`: who the token belongs to (`/v2/me`) and when it expires (token_expiry)."""
        return Credentials(self.whoami(), expires_at=self.token_expiry())

    def token_expiry(self) -> datetime | None:
        """When the token expires: asked (token introspection) when the account names its app, else 60 days
        from `token_issued`; None when neither is known."""
        if not (self.options.get("client_id") and self.options.get("client_secret_env")):
            return recorded_expiry(self.options, TOKEN_LIFETIME)
        label = "LinkedIn token introspection"
        answer = http.send(self.session, "POST", f"{self.api}/oauth/v2/introspectToken", label, data={
            "client_id": self.options["client_id"], "client_secret": self.secret("client_secret_env"),
            "token": self.secret("token_env")}).json()
        if not answer.get("active"):
            raise AuthError(f"{label}: the token is {answer.get('status') or 'not active'}")
        return answers.epoch(answer["expires_at"]) if answer.get("expires_at") else None

    @classmethod
    def recorded_expiry(cls, options) -> datetime | None:
        """60 days from `token_issued`, without asking LinkedIn."""
        return recorded_expiry(options, TOKEN_LIFETIME)

    def close(self) -> None:
        self.session.close()
