"""Mastodon: 500 grapheme clusters by default (the instance may allow more), URLs count 23.

Publishing uses Mastodon.py. Each call carries an `Idempotency-Key`, but the server keeps
it an hour and a proxy may strip it: it is a second line of defence only. `find()` pages
through the account's own statuses created in the attempt's time window and matches one
that is no other record's, with a version of the text as sent, the same reply-to (thread
position) and the same media descriptions; the oldest such status wins.
"""

from __future__ import annotations

import html
import io
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from smm.content import video
from smm.content.links import split_url
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms import answers, http
from smm.platforms.base import (
    TOKEN_OPTION,
    Credentials,
    Display,
    Entrant,
    Found,
    Incoming,
    Lookup,
    MediaRules,
    Metrics,
    Outgoing,
    Platform,
    Profile,
    PublishResult,
    VideoRules,
)
from smm.render import counting

_TAG = re.compile(r"<[^>]+>")
_REMOTE_MENTION = re.compile(r"@(\w+)@[\w.-]+\w")
_SPACE = re.compile(r"\s+")
PAGE = 40  # statuses per page looked through by find()
MAX_PAGES = 25  # beyond this many pages back, find() cannot tell (the job becomes unconfirmed)
TIMEOUT = 30.0  # seconds Mastodon.py waits for an answer
MEDIA_WAIT = 120.0  # seconds a run waits for the server to process an uploaded video
MEDIA_POLL = 2.0  # seconds between two questions about it


_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def readable_text(content: str) -> str:
    """A status's HTML content as a person reads it: paragraphs and line breaks kept, tags gone."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content))).strip()


def visible_text(content: str) -> str:
    """A status's HTML content as comparable text: no tags, no white space."""
    return _SPACE.sub("", html.unescape(_TAG.sub(" ", content)))


def shown(text: str) -> str:
    """What Mastodon shows for a text smm sends, as comparable text (@user@domain is shown @user)."""
    return visible_text(html.escape(_REMOTE_MENTION.sub(r"@\1", text)))


def _created(status: dict) -> datetime:
    value = status["created_at"]
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _incoming(notification: dict, me: str) -> Incoming:
    status = notification["status"]
    quoted = ((status.get("quote") or {}).get("quoted_status") or {}).get("id")
    if status.get("visibility") == "direct":
        kind = "dm"
    elif notification["type"] == "quote":
        kind = "quote"
    elif str(status.get("in_reply_to_account_id")) == me:
        kind = "reply"
    else:
        kind = "mention"
    return Incoming(status.get("id"), kind, status["account"]["acct"], readable_text(status.get("content") or ""),
                    status.get("url") or status.get("uri"), _created(status),
                    status["account"].get("followers_count"),
                    str(status["in_reply_to_id"]) if kind in {"reply", "dm"} and status.get("in_reply_to_id") else None,
                    str(quoted) if quoted else None)


def found(status: dict) -> Found:
    """A status as a search hit."""
    account = status["account"]
    return Found(status.get("id"), account.get("acct") or account.get("username") or "", account.get("followers_count"),
                 _created(status).astimezone(timezone.utc), readable_text(status.get("content") or ""), status.get("url") or status.get("uri"),
                 status.get("favourites_count") or 0, (status.get("reblogs_count") or 0) + (status.get("quotes_count") or 0),
                 status.get("replies_count") or 0)


def is_sent(status: dict, outgoing: Outgoing) -> bool:
    """Whether a status is this version of the part: its text, content warning, thread position and media."""
    replying = outgoing.reply_to.remote_id if outgoing.reply_to else ""
    alts = [alt or "" for _path, alt in outgoing.media]
    return (visible_text(status.get("content") or "") == shown(outgoing.text)
            and (status.get("spoiler_text") or "") == (outgoing.content_warning or "")
            and str(status.get("in_reply_to_id") or "") == replying
            and [m.get("description") or "" for m in status.get("media_attachments") or []] == alts)


def match(statuses, lookup: Lookup) -> PublishResult | None:
    """The oldest status (statuses come newest first) created in the lookup's window that no
    other record owns and that is one of the versions sent."""
    found = None
    for status in statuses:
        created = _created(status)
        if created < lookup.since:
            break
        if (created <= lookup.until and not status.get("reblog") and str(status["id"]) not in lookup.owned
                and any(is_sent(status, sent) for sent in lookup.sent)):
            found = PublishResult(answers.ident(status["id"]), status.get("url") or status.get("uri"))
    return found


class Mastodon(Platform):
    name = "mastodon"
    label = "Mastodon"
    text_limit = 500
    unit = "characters"
    counting_rule = "grapheme clusters; each URL counts 23, @user@domain counts as @user"
    threads = True
    content_warnings = True
    # Upstream defaults (app/models/media_attachment.rb, concerns/attachmentable.rb); instances may differ.
    media = MediaRules(max_count=4, types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
                                                     "image/heif", "image/avif"}),
                       max_bytes=16 * 1024 * 1024, max_pixels=33_177_600, alt_limit=1500,
                       video=VideoRules(max_bytes=99 * 1024 * 1024, max_frame_rate=120, cover=True))
    secrets = ("token_env",)
    options = {
        "instance": {"description": "The instance's base URL, for example `https://mastodon.social`.",
                     "$ref": "#/$defs/url"},
        **TOKEN_OPTION,
        "visibility": {"description": "`public` (default), `unlisted`, `private` (followers only) or `direct`.",
                       "enum": ["public", "unlisted", "private", "direct"]},
    }
    options_rule = {"required": ["instance", "token_env"]}
    display = Display("#6364ff", "#563acc", link_chars=30, square_avatar=True)
    has_metrics = has_followers = has_inbox = has_search = True
    entrant_kinds = frozenset({"reply", "repost", "like"})
    can_publish = True
    reconciles = True
    settle = 2 * TIMEOUT  # assumed: Mastodon acts on a request within twice the answer timeout, or never
    requires = ("mastodon",)

    length = staticmethod(counting.mastodon_length)

    @classmethod
    def limit_source(cls, options) -> str | None:
        return options["instance"].rstrip("/") + "/api/v2/instance" if options.get("instance") else None

    @classmethod
    def reported_limit(cls, source: str, transport=None) -> int | None:
        """configuration.statuses.max_characters (3 s at most, 32 MiB at most: http.request); None when
        unreachable, not Mastodon, or no count (`true` is no limit of 1)."""
        try:
            with http.client(timeout=3.0, transport=transport) as session:
                said = http.send(session, "GET", source, "Mastodon instance").json()["configuration"]["statuses"]["max_characters"]
            return answers.count(said) or None
        except Exception:  # unreachable, not Mastodon, an old version, or no count: keep the default
            return None

    # -- the adapter -------------------------------------------------------------

    @property
    def api(self):
        """The Mastodon.py client, made by `client_factory` (default `mastodon.Mastodon`) with its keywords."""
        if not hasattr(self, "_api"):
            import requests

            factory = self.client_factory
            if factory is None:
                from mastodon import Mastodon as factory
            session = requests.Session()  # its last answer's headers tell how long a rate limit lasts
            session.hooks["response"].append(lambda response, *args, **kwargs: setattr(self, "_answer", response))
            http.bound_answers(session, "Mastodon")  # Mastodon.py reads each answer whole into memory
            self._api = factory(access_token=self.secret("token_env"), api_base_url=self.options["instance"],
                                ratelimit_method="throw", request_timeout=TIMEOUT, user_agent="smm", session=session)
        return self._api

    def _call(self, what: str, function, *args, **kwargs):
        """A Mastodon.py call with its errors as smm's."""
        import mastodon.errors as errors

        try:
            return function(*args, **kwargs)
        except errors.MastodonRatelimitError as exc:
            answer = getattr(self, "_answer", None)
            if answer is not None and answer.status_code != 429:  # Mastodon.py could not read a rate-limit header
                raise TransientError(f"Mastodon: an answer (HTTP {answer.status_code}) smm cannot read ({what}): {exc}; "
                                     "it may have been carried out", outcome_unknown=True) from None
            wait = http.wait_from_headers(answer.headers if answer is not None else {})  # Retry-After or X-RateLimit-Reset
            if wait is None and getattr(self.api, "ratelimit_reset", None):
                wait = max(0.0, self.api.ratelimit_reset - datetime.now(timezone.utc).timestamp())
            raise RateLimited(f"Mastodon: rate limited ({what})", retry_after=wait) from None
        except errors.MastodonUnauthorizedError as exc:
            said = f": {exc.args[3]}" if len(exc.args) > 3 and exc.args[3] else ""
            raise AuthError(f"Mastodon: the access token was refused ({what}){said}") from None
        except (errors.MastodonReadTimeout, errors.MastodonNetworkError) as exc:
            if isinstance(exc.__context__, TransientError):  # an answer over smm's bound (http.bound_answers)
                raise exc.__context__ from None
            raise TransientError(f"Mastodon: no answer ({what}); it may have been received", outcome_unknown=True) from None
        except errors.MastodonServerError as exc:
            # any 5xx (503 too: a proxy or a worker may answer it after the status was made) proves nothing
            raise TransientError(f"Mastodon: server error ({what}): {exc.args[1] if len(exc.args) > 1 else ''}",
                                 outcome_unknown=True) from None
        except errors.MastodonAPIError as exc:
            if str(exc.args[0]).startswith("Could not parse response"):  # garbled answer: it may have worked
                raise TransientError(f"Mastodon: unreadable answer ({what})", outcome_unknown=True) from None
            detail = exc.args[3] if len(exc.args) > 3 else exc.args[-1]
            if len(exc.args) > 1 and exc.args[1] == 403:  # a scope the token lacks, a login disabled: the account's
                raise AuthError(f"Mastodon: not allowed ({what}): {detail} (check the token's scopes and the account)") from None
            raise Rejected(f"Mastodon: refused ({what}): {detail}") from None

    def upload(self, path, alt: str | None, cover: float | Path | None = None) -> str:
        """One media file; the file is ours to open and close (Mastodon.py leaves paths open). A video
        comes back while the server still transcodes it: it is asked again until it has a URL, for
        MEDIA_WAIT seconds at most (no status is made before, so giving up sends nothing)."""
        from smm.content.media import inspect

        info = inspect(Path(path))
        thumbnail = None
        if info.video is not None and cover is not None:  # the chosen cover, as the video's thumbnail
            thumbnail = io.BytesIO(video.jpeg(video.cover_image(Path(path), cover), 1280))
        with open(path, "rb") as handle:
            media = self._call("media upload", self.api.media_post, handle, mime_type=info.mime, description=alt,
                               file_name=Path(path).name, thumbnail=thumbnail,
                               thumbnail_mime_type="image/jpeg" if thumbnail else None)
        media_id, waited = answers.ident(media.get("id"), "media id"), 0.0
        while media.get("url") is None:
            if waited >= MEDIA_WAIT:
                raise TransientError(f"Mastodon: {Path(path).name} was still being processed after {MEDIA_WAIT:.0f} s; "
                                     "nothing was posted")
            time.sleep(MEDIA_POLL)
            waited += MEDIA_POLL
            media = self._call("media processing", self.api.media, media_id)
        return media_id

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        covers = dict(outgoing.covers)
        media_ids = [self.upload(path, alt, covers.get(Path(path))) for path, alt in outgoing.media]
        status = self._call(
            "post", self.api.status_post, outgoing.text,
            in_reply_to_id=outgoing.reply_to.remote_id if outgoing.reply_to else None,
            # `public` unless the account says otherwise: left out, the instance would use the account's own
            # default, which may be followers only
            media_ids=media_ids or None, visibility=self.options.get("visibility", "public"),
            spoiler_text=outgoing.content_warning,
            language=(outgoing.languages or [None])[0], idempotency_key=idempotency_key)
        return PublishResult(answers.ident(status.get("id")), status.get("url") or status.get("uri"))

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        return match(self.statuses_since(lookup.since), lookup)

    def statuses_since(self, since: datetime) -> Iterator[dict]:
        """The account's own statuses, newest first, back to `since` (and one older, to know it ended)."""
        me = self._call("who am I", self.api.me)
        older_than = None
        for _ in range(MAX_PAGES):
            page = self._call("own statuses", self.api.account_statuses, me["id"], limit=PAGE, max_id=older_than)
            yield from page
            if not page or _created(page[-1]) < since:
                return
            older_than = page[-1]["id"]
        raise NotSupported(f"more than {MAX_PAGES * PAGE} statuses since the call: too many to look through")

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Mentions (replies and direct messages are mentions too) and quotes, newest first, back to `since`."""
        me = self._call("who am I", self.api.me)
        found, older_than = [], None
        for _ in range(MAX_PAGES):
            page = self._call("notifications", self.api.notifications, types=["mention", "quote"], limit=PAGE,
                              max_id=older_than)
            found += [_incoming(n, str(me["id"])) for n in page
                      if n.get("status") and _created(n) >= since and str(n["account"]["id"]) != str(me["id"])]
            if not page or _created(page[-1]) < since:
                return found
            older_than = page[-1]["id"]
        return found  # older ones wait for the next run with a shorter --since

    def search(self, query: str, since: datetime, *, authors: Sequence[str] = ()) -> list[Found]:
        """A hashtag through its tag timeline (`/api/v1/timelines/tag/:tag`), anything else through
        `/api/v2/search?type=statuses` (full-text search: what the instance has indexed and lets this
        account find); newest first, back to `since`, never the account's own statuses nor boosts."""
        me = str(self._call("who am I", self.api.me)["id"])

        def page(older):
            if query.startswith("#"):
                return self._call("tag timeline", self.api.timeline_hashtag, query[1:], max_id=older, limit=PAGE)
            return self._call("search", self.api.search_v2, query, resolve=False, result_type="statuses",
                              max_id=older, limit=PAGE)["statuses"]

        hits: list[Found] = []
        seen, older = set(), None
        for _ in range(MAX_PAGES):  # a server that ignores max_id answers the same page: nothing new ends it
            statuses = [s for s in page(older) if str(s["id"]) not in seen]
            seen.update(str(s["id"]) for s in statuses)
            hits += [found(s) for s in statuses if not s.get("reblog") and str(s["account"]["id"]) != me
                     and _created(s) >= since]
            if not statuses or all(_created(s) < since for s in statuses):
                break
            older = min(statuses, key=lambda s: int(s["id"]) if str(s["id"]).isdigit() else 0)["id"]
        return hits

    def entrants(self, remote_id: str, kinds) -> list[Entrant]:
        """Replies (the status's context descendants that answer it), boosts (reblogged_by) and
        favourites (favourited_by, every page); who follows the account from the relationships."""
        me = str(self._call("who am I", self.api.me)["id"])
        found = []
        if "reply" in kinds:
            context = self._call("replies", self.api.status_context, remote_id)
            found += [("reply", s["account"], _created(s)) for s in context["descendants"]
                      if str(s.get("in_reply_to_id")) == str(remote_id)]
        for kind, call in (("repost", self.api.status_reblogged_by), ("like", self.api.status_favourited_by)):
            if kind in kinds:
                found += [(kind, account, None) for account in self._pages(kind + "s", call, remote_id)]
        followers = self._followed_by([str(a["id"]) for _, a, _ in found if str(a["id"]) != me])
        host = urlsplit(self.options["instance"]).netloc
        # a person is their address `user@instance`, the same from every instance: an account id is the
        # instance's own (one fan is 2 here and 9 there; 2 there is someone else)
        return [Entrant(kind, address, address.casefold(), when, _created(a) if a.get("created_at") else None,
                        followers.get(str(a["id"])), str(a["id"]) == me)
                for kind, a, when in found
                for address in [a["acct"] if "@" in a["acct"] else f"{a['acct']}@{host}"]]

    def _pages(self, what: str, call, *args) -> list:
        """Every page of a list the server pages with Link headers (MAX_PAGES at most)."""
        page, found = self._call(what, call, *args), []
        for _ in range(MAX_PAGES):
            found += page or []
            if not page or getattr(page, "_pagination_next", None) is None:
                break
            page = self._call(what, self.api.fetch_next, page)
        return found

    def _followed_by(self, ids: list[str]) -> dict[str, bool]:
        """Whether each account follows this one (relationships, 40 accounts a call)."""
        unique, found = sorted(set(ids)), {}
        for start in range(0, len(unique), 40):
            for relation in self._call("relationships", self.api.account_relationships, unique[start:start + 40]):
                found[str(relation["id"])] = bool(relation.get("followed_by"))
        return found

    def confirm(self, reference: str) -> PublishResult:
        """A status URL of this instance (`https://instance/@user/ID`) or an id; it must be this account's."""
        parts = split_url(reference.strip())
        if parts is None or parts.scheme and parts.netloc.lower() != urlsplit(self.options["instance"]).netloc.lower():
            raise Rejected(f"{reference} is not a status URL of {self.options['instance']}")
        status_id = (parts.path.rstrip("/").rsplit("/", 1)[-1] if parts.scheme else reference.strip())
        if not status_id:
            raise Rejected(f"{reference} names no status")
        status = self._call("status", self.api.status, status_id)
        me = self._call("who am I", self.api.me)
        if str(status["account"]["id"]) != str(me["id"]):
            raise Rejected(f"status {status_id} belongs to @{status['account'].get('acct')}, not to this account")
        return PublishResult(answers.ident(status["id"]), status.get("url") or status.get("uri"))

    def check_credentials(self) -> Credentials:
        """verify_credentials: whose token it is; Mastodon tokens last until revoked and the API does not
        say their scopes to the token itself."""
        me = self._call("who am I", self.api.me)
        return Credentials(f"@{me.get('acct') or me.get('username')}", never_expires=True)

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        from mastodon.errors import MastodonNotFoundError

        found = []
        for remote_id in remote_ids:
            try:
                status = self._call("status", self.api.status, remote_id)
            except Rejected as exc:
                if isinstance(exc.__context__, MastodonNotFoundError):
                    continue  # deleted since: no counts, and no reason to fail the others
                raise
            found.append(Metrics(remote_id, likes=status.get("favourites_count"), reposts=status.get("reblogs_count"),
                                 replies=status.get("replies_count"), quotes=status.get("quotes_count")))
        return found

    def followers(self) -> int | None:
        return self._call("who am I", self.api.me).get("followers_count")

    def _acct(self, handle: str) -> str:
        """`@name@domain` as accounts/lookup takes it: without the `@`, and without the domain when it is
        this instance's (a local account is `name`)."""
        acct = handle.strip().lstrip("@")
        name, _, domain = acct.partition("@")
        return name if domain.lower() == urlsplit(self.options["instance"]).netloc.lower() else acct

    def profile(self, handle: str) -> Profile:
        """GET /api/v1/accounts/lookup?acct=…: followers_count and statuses_count."""
        from mastodon.errors import MastodonNotFoundError

        try:
            account = self._call("account lookup", self.api.account_lookup, self._acct(handle))
        except Rejected as exc:
            if isinstance(exc.__context__, MastodonNotFoundError):
                raise Rejected(f"Mastodon: no account {handle} on {self.options['instance']}") from None
            raise
        return Profile(handle, account.get("followers_count"), account.get("statuses_count"), str(account["id"]))

    def recent_posts(self, handle: str, since: datetime) -> list[Found]:
        """GET /api/v1/accounts/:id/statuses (boosts left out), newest first, back to `since`."""
        account = self.profile(handle)
        found, older_than = [], None
        for _ in range(MAX_PAGES):
            page = self._call("account statuses", self.api.account_statuses, account.id, limit=PAGE,
                              max_id=older_than, exclude_reblogs=True)
            found += [Found(s.get("id"), s["account"]["acct"], s["account"].get("followers_count"), _created(s),
                            readable_text(s.get("content") or ""), s.get("url") or s.get("uri"),
                            s.get("favourites_count") or 0, s.get("reblogs_count") or 0, s.get("replies_count") or 0)
                      for s in page if not s.get("reblog") and _created(s) >= since]
            if not page or _created(page[-1]) < since:
                break
            older_than = page[-1]["id"]
        return found

    def close(self) -> None:
        if hasattr(self, "_api"):
            self._api.session.close()
