"""Meta's Graph APIs (Threads, Facebook Pages, Instagram): one client, their errors, budgets and containers.

An error is HTTP 4xx/5xx with `{"error": {"message", "type", "code", "error_subcode", "is_transient"}}`
(developers.facebook.com/docs/graph-api/guides/error-handling; Instagram's codes in
.../instagram-platform/instagram-graph-api/reference/error-codes). Usage arrives on every answer:
`X-App-Usage` (the app's or user's Platform budget) and `X-Business-Use-Case-Usage` (a Page's or
Instagram account's budget, with `estimated_time_to_regain_access` in minutes), both percentages of a
rolling hour (.../graph-api/overview/rate-limiting). Past USAGE_CEILING smm makes no further call
until access is regained: it raises RateLimited, and the job waits for a later run.

Threads and Instagram publish in two steps: a container is made (Meta fetches its media from a public
URL), it becomes FINISHED (or ERROR, or EXPIRED after 24 hours), then `*_publish` turns it into a post.
A container is no post: a container call whose answer was lost is simply made again.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator
from urllib.parse import quote

from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import answers, http
from smm.platforms.base import Credentials, Incoming, Lookup, Outgoing, Platform, PublishResult

if TYPE_CHECKING:  # imported where a call is made: loading the platforms (to check posts) needs no HTTP client
    import httpx

log = logging.getLogger(__name__)

GRAPH_HOST, GRAPH_VERSION = "https://graph.facebook.com", "v23.0"
THREADS_HOST, THREADS_VERSION = "https://graph.threads.net", "v1.0"
USAGE_CEILING = 95  # percent of a budget past which smm calls no more
UNSAID_WAIT = 900.0  # seconds to wait for a budget when Meta does not say (a quarter of its rolling hour)
POLLS = (0.5, 1, 2, 4, 8, 15)  # seconds between container status reads; then every 15 s
PAGE = 100  # posts read back per call by find()
POSTS_BACK = timedelta(days=30)  # the inbox reads comments on the posts of the last 30 days

AUTH_CODES = {102, 190, 2500, 10} | set(range(200, 300))  # token invalid or expired; permission missing
RATE_CODES = {4, 17, 32, 613} | set(range(80001, 80015))  # app, user, page, custom and business budgets
PUBLISH_LIMIT_SUBCODES = {2207042}  # Instagram: the 24-hour publishing limit
MAYBE_DONE_CODES = {1, 2, -1}  # unknown error, service unavailable, Instagram's "retry later": it may have acted
TRANSIENT_CODES = {-2, 9007, 24}  # a download too slow, a container not ready yet or gone: nothing was made
DOWNLOAD_ERRORS = ("FAILED_DOWNLOADING", "EXPIRED", "UNKNOWN")  # container errors worth making it again

MEDIA_BASE_OPTION = {"media_base_url": {
    "description": "The public URL the repository's files are served from (GitHub Pages, or the raw URL of "
                   "the branch): a media file `content/x.jpg` is fetched by Meta from `<media_base_url>/content/x.jpg`.",
    "type": "string", "pattern": r"^https?://[^\s?#]+$"}}


def media_url(base: str, root: Path | None, path: Path | str) -> str:
    """The URL Meta fetches a media file from: `base` and the file's path in the repository."""
    path = Path(path)
    if root is not None and path.is_absolute():
        path = path.relative_to(root)
    return base.rstrip("/") + "/" + quote(path.as_posix())


def hosting_problem(label: str, options, file: str) -> str | None:
    """Why Meta could not fetch `file` for this account: no `media_base_url` to form its URL from."""
    if not options.get("media_base_url"):
        return (f"{label} fetches media from a public URL: set the account's `media_base_url` to where the "
                f"repository's files are served (the file's URL is then `<media_base_url>/{quote(file)}`)")
    return None


@dataclass(frozen=True)
class TokenInfo:
    """What Meta's debug_token says of an access token (for `smm doctor`)."""

    valid: bool
    user_id: str | None
    kind: str | None  # USER, PAGE, THREADS ...
    scopes: tuple[str, ...]
    expires_at: datetime | None  # None: never (a Page token from a long-lived user token)
    issued_at: datetime | None


def _epoch(value) -> datetime | None:
    return answers.epoch(value) if value else None


def usage(headers) -> tuple[int, float | None]:
    """The highest budget percentage the usage headers report, and when the busiest budget is
    regained (seconds), if Meta says."""
    highest, wait = 0, None
    try:
        app = json.loads(headers.get("X-App-Usage") or "{}")
        business = json.loads(headers.get("X-Business-Use-Case-Usage") or "{}")
    except ValueError:
        return 0, None
    groups = business.values() if isinstance(business, dict) else ()
    entries = [app] + [e for group in groups if isinstance(group, list) for e in group]
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        # a figure that is no number is none said (the answer, maybe a post just made, is read all the same)
        percents = [answers.number(entry.get(k)) or 0 for k in ("call_count", "total_cputime", "total_time")]
        highest = max(highest, int(max(percents)))
        minutes = answers.number(entry.get("estimated_time_to_regain_access"))
        if minutes and minutes > 0:
            wait = max(wait or 0.0, minutes * 60)
    return highest, wait


def error_of(response: httpx.Response, label: str, wait: float | None) -> Exception:
    """The typed error a Graph error answer means."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    error = error if isinstance(error, dict) else {"message": str(error)}  # `"error": "…"`: a proxy's, not Meta's
    code, subcode = answers.code(error.get("code")), answers.code(error.get("error_subcode"))
    message = error.get("error_user_msg") or error.get("message") or response.text[:200]
    detail = f"{label}: HTTP {response.status_code}" + (f" code {code}" if code is not None else "") + \
        (f"/{subcode}" if subcode else "") + f": {message}"
    if code in RATE_CODES or subcode in PUBLISH_LIMIT_SUBCODES or response.status_code == 429:
        return RateLimited(detail, retry_after=wait if wait is not None else UNSAID_WAIT)
    if code in AUTH_CODES or response.status_code in (401, 403):
        return AuthError(detail)
    if response.status_code >= 500 or code in MAYBE_DONE_CODES or error.get("is_transient"):
        return TransientError(detail, outcome_unknown=True)  # the server may have acted before failing
    if code in TRANSIENT_CODES:
        return TransientError(detail)
    return Rejected(detail)


class Graph:
    """Calls to one Graph API with one token (sent as a Bearer header, hidden from every message)."""

    def __init__(self, base: str, version: str, token: str, label: str,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.host = base.rstrip("/")
        self.base = f"{self.host}/{version}"
        self.token, self.label = token, label
        self.calls = http.SecretCalls(token, is_url=False, transport=transport)
        self.busy: tuple[int, float | None] = (0, None)  # the last answer's usage

    def check(self, response: httpx.Response, label: str) -> httpx.Response:
        self.busy = usage(response.headers)
        if response.is_success:
            return response
        raise error_of(response, label, self.busy[1])

    def call(self, method: str, path: str, what: str, **kwargs) -> dict:
        """One call (`path` under the version, or under the host when it starts with `/`); its JSON
        answer. Refused without sending while a budget is used up."""
        percent, wait = self.busy
        if percent >= USAGE_CEILING:
            raise RateLimited(f"{self.label}: {percent} % of Meta's hourly budget used; not calling ({what})",
                              retry_after=wait if wait is not None else UNSAID_WAIT)
        url = f"{self.host}{path}" if path.startswith("/") else f"{self.base}/{path}"
        response = self.calls.send(method, url, f"{self.label} ({what})",
                                   check=self.check, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        try:
            answer = response.json()
        except ValueError:
            raise TransientError(f"{self.label}: unreadable answer ({what})", outcome_unknown=True) from None
        if not isinstance(answer, dict):
            raise TransientError(f"{self.label}: unexpected answer ({what})", outcome_unknown=True)
        return answer

    def token_info(self) -> TokenInfo:
        """The token as Meta sees it (debug_token, asked with the token itself): one cheap call."""
        data = self.call("GET", "debug_token", "token", params={"input_token": self.token}).get("data") or {}
        return TokenInfo(bool(data.get("is_valid")), str(data["user_id"]) if data.get("user_id") else None,
                         data.get("type"), tuple(data.get("scopes") or ()), _epoch(data.get("expires_at")),
                         _epoch(data.get("issued_at")))

    def stage(self, path: str, what: str, **kwargs) -> str:
        """The id of something made before a post (a container, an unpublished photo). A lost answer
        is no post: the error says the outcome is known, and a retry makes it again."""
        try:
            return answers.ident(self.call("POST", path, what, **kwargs).get("id"))
        except TransientError as exc:
            raise TransientError(exc.message + f" (a {what}, not a post: made again on retry)") from None

    def container(self, path: str, fields: dict) -> str:
        return self.stage(path, "container", data=fields)

    def wait_finished(self, container: str, fields: str, sleep: Callable[[float], None], budget: float) -> None:
        """Read a container's status until FINISHED; its ERROR, EXPIRED or a wait over `budget` raised."""
        waited = 0.0
        for delay in (*POLLS, *[POLLS[-1]] * int(budget // POLLS[-1])):
            answer = self.call("GET", container, "container status", params={"fields": fields})
            status = str(answer.get("status_code") or answer.get("status") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                why = answer.get("error_message") or answer.get("status") or status
                error = TransientError if any(w in str(why) for w in DOWNLOAD_ERRORS) or status == "EXPIRED" else Rejected
                raise error(f"{self.label}: the media container failed: {why}")
            if waited + delay > budget:
                break
            sleep(delay)
            waited += delay
        raise TransientError(f"{self.label}: the media container was not ready after {waited:.0f} s; tried again later")

    def published(self, path: str, container: str) -> str:
        """Publish a FINISHED container: the post's id."""
        return answers.ident(self.call("POST", path, "publish", data={"creation_id": container}).get("id"))

    def permalink(self, post_id: str, field: str = "permalink") -> str | None:
        """A published post's URL; None when it cannot be read (the post exists all the same)."""
        try:
            return self.call("GET", post_id, "permalink", params={"fields": field}).get(field)
        except (AuthError, RateLimited, Rejected, TransientError) as exc:
            log.warning("%s: no URL for %s: %s", self.label, post_id, exc.message)
            return None

    def recent(self, path: str, fields: str, lookup: Lookup) -> list[dict]:
        """The owner's posts created in the lookup's window (newest first), one page of them."""
        answer = self.call("GET", path, "own posts", params={
            "fields": fields, "limit": PAGE, "since": int(lookup.since.timestamp()),
            "until": int(lookup.until.timestamp()) + 1})
        items = answer.get("data") or []
        if len(items) >= PAGE and (answer.get("paging") or {}).get("next"):
            raise NotSupported(f"more than {PAGE} posts in the window: too many to look through")
        return items

    def insights(self, remote_ids: list[str], metrics: tuple[str, ...]) -> Iterator[tuple[str, dict[str, int]]]:
        """(post id, {metric: value}) of each post that still exists (a deleted one is skipped)."""
        for remote_id in remote_ids:
            try:
                answer = self.call("GET", f"{remote_id}/insights", "insights", params={"metric": ",".join(metrics)})
            except Rejected:  # deleted since: no counts, and no reason to fail the others
                continue
            yield remote_id, insight_values(answer)

    def close(self) -> None:
        self.calls.client.close()


def created(item: dict, key: str = "timestamp") -> datetime | None:
    """A post's creation time: ISO 8601 (`2026-12-01T04:00:00+0000`) or epoch seconds."""
    value = item.get(key)
    if isinstance(value, (int, float)):
        return answers.epoch(value)  # None for no time (1e300 seconds): not a post to match
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def match(items: Iterable[dict], lookup: Lookup, text_key: str, is_sent: Callable[[dict, Outgoing], bool] = None,
          time_key: str = "timestamp", url_key: str = "permalink") -> PublishResult | None:
    """The oldest post in the lookup's window that no other record owns and that carries the text
    of a version sent (and passes `is_sent`, e.g. the same reply-to)."""
    found = None
    for item in items:
        moment = created(item, time_key)
        if moment is None or not lookup.since <= moment <= lookup.until or str(item.get("id")) in lookup.owned:
            continue
        if any(_same(item.get(text_key), sent.text) and (is_sent is None or is_sent(item, sent)) for sent in lookup.sent):
            if found is None or moment <= found[0]:
                found = (moment, PublishResult(answers.ident(item.get("id")), item.get(url_key)))
    return found[1] if found else None


def insight_values(answer: dict) -> dict[str, int]:
    """{metric: value} of an insights answer (`values: [{value}]`, or `total_value: {value}`); a value
    that is a breakdown ({reaction: count}) is summed."""
    found = {}
    for entry in answer.get("data") or []:
        value = ((entry.get("total_value") or {}).get("value") if "total_value" in entry
                 else ((entry.get("values") or [{}])[-1] or {}).get("value"))
        if isinstance(value, dict):
            value = sum(v for v in value.values() if isinstance(v, int))
        if isinstance(value, int) and entry.get("name"):
            found[entry["name"]] = value
    return found


class MetaPlatform(Platform):
    """What the Threads, Facebook and Instagram adapters share: their `graph` (a Graph, made on first
    use by the subclass), `token_info` for `smm doctor`, and the wait between container reads."""

    can_publish = reconciles = has_metrics = has_followers = has_inbox = True
    # the inbox: the owner's posts of the last POSTS_BACK (`{owner}/{posts_edge}`), then each one's comments
    posts_edge: str = "media"
    comments_edge: str = "comments"  # Threads: "replies"
    comment_kind: str = "comment"  # Threads: "reply"
    settle = 60.0  # assumed: Meta acts on a publish call within its answer timeout, or never
    sleep = staticmethod(time.sleep)  # between container status reads; tests replace it

    graph_host: str = GRAPH_HOST  # Threads: THREADS_HOST
    graph_version: str = GRAPH_VERSION

    def new_graph(self, token: str) -> Graph:
        """A Graph client on the account's `api_base` (else the network's host) with this token."""
        return Graph(self.options.get("api_base") or self.graph_host, self.graph_version, token, self.label,
                     self.transport)

    @property
    def graph(self) -> Graph:
        if not hasattr(self, "_graph"):
            self._graph = self.new_graph(self.secret("token_env"))
        return self._graph

    def token_info(self) -> TokenInfo:
        """For `smm doctor`: one cheap authenticated call (debug_token) saying whose token this is, its
        scopes and expiry; AuthError when Meta refuses the token."""
        return self.graph.token_info()

    def check_credentials(self) -> Credentials:
        """`smm doctor`'s call: debug_token, its scopes (`needed_scopes`), its expiry (none: a
        Page token that lasts); then what the platform checks besides (Instagram: its media host)."""
        info = self.token_info()
        if not info.valid:
            raise AuthError(f"{self.label}: Meta says the access token is not valid")
        return Credentials(f"{info.kind or 'token'} of {info.user_id}", frozenset(info.scopes), info.expires_at,
                           never_expires=info.expires_at is None, advice=self.hosting_advice())

    def hosting_advice(self) -> str | None:
        """A warning about where the network fetches media from, if any (Instagram, Threads)."""
        return None

    @property
    def owner(self) -> str:
        """The id of the page or user whose posts these are."""
        return str(self.options.get("page_id") or self.options["user_id"])

    def comment(self, outgoing: Outgoing) -> PublishResult:
        """A comment as the owner under its post `outgoing.reply_to` (`POST /{post-id}/comments`
        with `message`: developers.facebook.com/docs/graph-api/reference/object/comments,
        .../instagram-platform/instagram-graph-api/reference/ig-media/comments)."""
        answer = self.graph.call("POST", f"{outgoing.reply_to.remote_id}/comments", "comment",
                                 data={"message": outgoing.text})
        return PublishResult(answers.ident(answer.get("id")))

    def find_comment(self, lookup: Lookup) -> PublishResult | None:
        """The owner's comment under the post, sent in the lookup's window (the post's comments, oldest first)."""
        parent = lookup.sent[0].reply_to.remote_id
        answer = self.graph.call("GET", f"{parent}/comments", "comments", params={
            "fields": "id,text,message,timestamp,created_time", "limit": 100})
        items = [dict(c, text=c.get("message") or c.get("text")) for c in answer.get("data") or []]
        return match(items, lookup, "text", time_key="created_time" if any("created_time" in c for c in items) else "timestamp")

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Comments (Threads: replies) made since `since` on the account's posts of the last POSTS_BACK."""
        posts = self.graph.call("GET", f"{self.owner}/{self.posts_edge}", "own posts", params={
            "fields": "id", "limit": PAGE, "since": int((since - POSTS_BACK).timestamp())}).get("data") or []
        found = []
        for post in posts:
            answer = self.graph.call("GET", f"{post['id']}/{self.comments_edge}", "comments", params={
                "fields": "id,text,message,timestamp,created_time,username,from,permalink", "limit": 100})
            for comment in answer.get("data") or []:
                when = created(comment, "created_time" if "created_time" in comment else "timestamp")
                author = comment.get("username") or (comment.get("from") or {}).get("name") or ""
                if when is not None and when >= since and author.casefold() != str(self.options.get("handle", "")).casefold():
                    found.append(Incoming(comment.get("id"), self.comment_kind, author,
                                          comment.get("message") or comment.get("text") or "", comment.get("permalink"),
                                          when, None, str(post["id"])))
        return found

    def close(self) -> None:
        if "_graph" in vars(self):
            self._graph.close()
