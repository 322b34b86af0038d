"""Bluesky: 300 grapheme clusters and 3000 UTF-8 bytes; rich text as facets over UTF-8 byte ranges.

Like the Bluesky app, long links are shown shortened (`example.com/some-long-p...`) and
the facet carries the full URL, so a UTM-tagged link costs what its short form costs.

Publishing uses the `atproto` SDK. The record key of each post is a TID derived from
the idempotency key (and the post's time), written with putRecord: a repeat writes the
same record again instead of a second post, and `find()` asks getRecord for that key.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import regex

from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms.base import (
    HANDLE_OPTION,
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
    secret_option,
)
from smm.platforms import bluesky_text, http
from smm.render import counting

MAX_BYTES = 3000
POST = "app.bsky.feed.post"
DEFAULT_SERVICE = "https://bsky.social"
MAX_INBOX_PAGES = 20  # notifications pages read back per run (50 each)
MAX_SEARCH_PAGES = 10  # searchPosts pages (100 each), and feed pages (100 each) of the fallback, per query or feed
MAX_FEED_PAGES = 20  # author feed pages read back for a competitor (100 each)
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}  # a PDS's 400s for a session expired or revoked (an app password revoked)
MAX_ENTRANT_PAGES = 100  # reposts and likes pages read per giveaway post (100 each)
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_POST_URL = regex.compile(r"(?:https://bsky\.app/profile/(?P<owner>[^/]+)/post/|at://(?P<owner>[^/]+)/app\.bsky\.feed\.post/)"
                          r"(?P<rkey>[A-Za-z0-9._:~-]+)/?")


def _moment(value: str) -> datetime:
    """An AT Protocol datetime (ISO 8601, `Z` allowed) as an aware datetime."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)




def tid(key: str, moment: str | None) -> str:
    """A valid TID (13 base32-sortable characters) for an idempotency key, always the same for
    one key: `moment` (the job's first attempt, which the record keeps) in whole seconds, then
    about 30 bits of the key's hash in the microseconds and the clock id, so two posts (or two
    parts of a thread) of the same second collide about once in a billion."""
    seconds = int(datetime.fromisoformat(moment).timestamp()) if moment else 0
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    micros = seconds * 1_000_000 + digest % 1_000_000
    clock = (digest >> 32) & 0x3FF
    value = ((micros & ((1 << 53) - 1)) << 10) | clock
    return "".join(_TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))




class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    text_limit = 300
    unit = "grapheme clusters"
    counting_rule = f"grapheme clusters (and at most {MAX_BYTES} UTF-8 bytes); links shown shortened"
    threads = True
    # Lexicon app.bsky.embed.images: 2,000,000 bytes since 2026-04; alt has no lexicon limit,
    # 2000 is the official app's cap (MAX_ALT_TEXT).
    # app.bsky.embed.video: one MP4 blob of at most 100,000,000 bytes, alt ≤ 1000 graphemes; the app takes
    # 3 minutes. A cover cannot be chosen: the network makes the thumbnail.
    media = MediaRules(max_count=4, types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
                       max_bytes=2_000_000, alt_limit=2000,
                       video=VideoRules(types=frozenset({"video/mp4"}), max_bytes=100_000_000, max_seconds=180,
                                        alt_limit=1000))
    secrets = ("password_env",)
    options = {
        "service": {"description": "The PDS URL. Default `https://bsky.social`.", "$ref": "#/$defs/url"},
        **HANDLE_OPTION,
        "password_env": secret_option("the app password"),
    }
    options_rule = {"required": ["handle", "password_env"]}
    display = Display("#1185fe", "#0b62d6")
    has_metrics = has_followers = has_inbox = has_search = True
    entrant_kinds = frozenset({"reply", "repost", "like"})
    can_publish = True
    reconciles = True
    settle = 0.0  # putRecord at a record key of its own: a late request rewrites that record, never adds one
    requires = ("atproto",)

    length = staticmethod(counting.graphemes)

    @classmethod
    def cost(cls, text: str) -> int:
        graphemes, size = counting.bluesky_length(text)
        return max(graphemes, -(-size * cls.text_limit // MAX_BYTES))

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        size = len(text.encode("utf-8"))
        return [f"{size} UTF-8 bytes is over Bluesky's {MAX_BYTES}"] if size > MAX_BYTES else []

    @classmethod
    def shorten_links(cls, text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
        return bluesky_text.shorten_links(text)

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[int, int, str], ...] = ()) -> list[dict]:
        """Link, mention and hashtag facets (smm.platforms.bluesky_text)."""
        return bluesky_text.facets(text, links)

    # -- the adapter -------------------------------------------------------------

    @property
    def client(self):
        """One session per run (createSession is limited to 30 per 5 minutes); the SDK refreshes it.
        Made by `client_factory` (default `atproto.Client`) with its `base_url`."""
        if not hasattr(self, "_client"):
            factory = self.client_factory
            if factory is None:  # atproto reads each answer whole into memory: bounded as smm's own client
                from atproto import Client
                from atproto_client.request import Request

                factory = functools.partial(Client, request=Request(  # and as patient as smm's (httpx's default: 5 s)
                    transport=http.bounded_transport("Bluesky"), timeout=http.default_timeout()))
            client = factory(base_url=self.options.get("service", DEFAULT_SERVICE).rstrip("/") + "/xrpc")
            try:
                self._call("login", client.login, self.options["handle"], self.secret("password_env"),
                           fetch_bsky_profile=False)
                self._did = self._call("session", client.com.atproto.server.get_session).did
            except BaseException:  # no session: its connections are closed here, as close() would
                client.request.close()
                raise
            self._client = client
        return self._client

    @property
    def did(self) -> str:
        """The account's DID, known once logged in."""
        if not hasattr(self, "_did"):
            _ = self.client  # logs in, which learns the DID
        return self._did

    def _call(self, what: str, function, *args, **kwargs):
        """An SDK call with its errors as smm's."""
        import httpx
        from atproto_client import exceptions as errors

        try:
            return function(*args, **kwargs)
        except errors.RateLimitExceededError as exc:
            waits = [exc.retry_after] + ([max(0.0, (exc.reset_at - datetime.now(exc.reset_at.tzinfo)).total_seconds())]
                                         if exc.reset_at is not None else [])
            waits = [w for w in waits if w is not None]
            wait = min(waits) if waits else None  # the shorter signal (RateLimit-Reset is the window's end)
            raise RateLimited(f"Bluesky: rate limited ({what})", retry_after=wait) from None
        except errors.UnauthorizedError as exc:
            raise AuthError(f"Bluesky: not allowed ({what}): {exc}") from None
        except errors.InvokeTimeoutError:
            raise TransientError(f"Bluesky: no answer ({what}); it may have been received", outcome_unknown=True) from None
        except errors.NetworkError as exc:
            unknown = exc.response is None or exc.response.status_code >= 500  # 502 proves nothing; 409, 413 refuse
            raise TransientError(f"Bluesky: network error ({what}): {exc}", outcome_unknown=unknown) from None
        except httpx.HTTPError as exc:  # what the SDK does not map (a connection closed without an answer)
            raise TransientError(f"Bluesky: no answer ({what}): {type(exc).__name__}; it may have been received",
                                 outcome_unknown=True) from None
        except (errors.BadRequestError, errors.RequestException) as exc:
            status = getattr(exc.response, "status_code", 0) or 0
            if status >= 500:  # the PDS may have written the record before it failed
                raise TransientError(f"Bluesky: server error ({what}): {exc}", outcome_unknown=True) from None
            if getattr(getattr(exc.response, "content", None), "error", None) in TOKEN_ERRORS:
                raise AuthError(f"Bluesky: the session was refused ({what}): {exc}") from None
            raise Rejected(f"Bluesky: refused ({what}): {exc}") from None

    def _url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self.options['handle']}/post/{uri.rsplit('/', 1)[1]}"

    def _strong_ref(self, result: PublishResult) -> dict:
        cid = result.extra.get("cid")
        if cid is None:  # a part published by an earlier run, or someone else's post: ask for its cid
            cid = self._read(result.remote_id).cid
        return {"uri": result.remote_id, "cid": cid}

    def _read(self, uri: str):
        """The record at an at:// URI, from the repository it names."""
        repo, _, rkey = uri.removeprefix("at://").split("/", 2)
        return self._call("read", self.client.com.atproto.repo.get_record,
                          {"repo": repo, "collection": POST, "rkey": rkey.rsplit("/", 1)[-1]})

    def _root(self, first: PublishResult) -> dict:
        """The thread's root: the first part's, or, answering someone's reply, the root of their thread."""
        if first.remote_id.startswith(f"at://{self.did}/"):
            return self._strong_ref(first)
        found = self._read(first.remote_id)
        reply = getattr(found.value, "reply", None)
        root = getattr(reply, "root", None)
        return {"uri": root.uri, "cid": root.cid} if root is not None else {"uri": first.remote_id, "cid": found.cid}

    def record(self, outgoing: Outgoing) -> dict:
        """The app.bsky.feed.post record for one part."""
        record = {"$type": POST, "text": outgoing.text, "createdAt": outgoing.created_at or outgoing.published_at}
        facets = [self._resolve(f) for f in outgoing.facets]
        if facets := [f for f in facets if f]:
            record["facets"] = facets
        if outgoing.languages:
            record["langs"] = list(outgoing.languages[:3])
        if outgoing.reply_to:
            record["reply"] = {"root": self._root(outgoing.thread_root), "parent": self._strong_ref(outgoing.reply_to)}
        if outgoing.media and (found := _video(outgoing.media[0][0])) is not None:
            blob = self._call("video upload", self.client.upload_blob, Path(outgoing.media[0][0]).read_bytes()).blob
            record["embed"] = {"$type": "app.bsky.embed.video", "video": blob.model_dump(by_alias=True, exclude_none=True),
                               "aspectRatio": {"width": found.width, "height": found.height}}
            if outgoing.media[0][1]:
                record["embed"]["alt"] = outgoing.media[0][1]
        elif outgoing.media:
            images = []
            for path, alt in outgoing.media:
                blob = self._call("image upload", self.client.upload_blob, path.read_bytes()).blob
                images.append({"alt": alt or "", "image": blob.model_dump(by_alias=True, exclude_none=True)})
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        elif outgoing.link and outgoing.index == 0:
            record["embed"] = {"$type": "app.bsky.embed.external",
                               "external": {"uri": outgoing.link, "title": outgoing.title, "description": ""}}
        return record

    def _resolve(self, facet: dict) -> dict | None:
        """Mention facets carry a handle until here: the network wants the DID."""
        feature = facet["features"][0]
        if feature["$type"] != "app.bsky.richtext.facet#mention":
            return facet
        try:
            did = self.client.resolve_handle(feature["handle"]).did
        except Exception:  # an unknown handle stays plain text
            return None
        return {"index": facet["index"], "features": [{"$type": feature["$type"], "did": did}]}

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        rkey = tid(idempotency_key, outgoing.created_at or outgoing.published_at)
        response = self._call("post", self.client.com.atproto.repo.put_record,
                              {"repo": self.did, "collection": POST, "rkey": rkey, "record": self.record(outgoing)})
        return PublishResult(response.uri, self._url(response.uri), {"cid": response.cid})

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """The record at the key's record key: only this job's calls ever write there."""
        rkey = tid(idempotency_key, outgoing.created_at or outgoing.published_at)
        try:
            response = self._call("look up", self.client.com.atproto.repo.get_record,
                                  {"repo": self.did, "collection": POST, "rkey": rkey})
        except Rejected as exc:
            if "RecordNotFound" in exc.message or "Could not locate record" in exc.message:
                return None  # certainly not there: safe to publish
            raise
        if response.uri in lookup.owned:  # a record key shared with another job: nobody can tell
            raise NotSupported(f"the record {response.uri} belongs to another post")
        return PublishResult(response.uri, self._url(response.uri), {"cid": response.cid})

    def confirm(self, reference: str) -> PublishResult:
        """`https://bsky.app/profile/HANDLE/post/RKEY` or `at://DID/app.bsky.feed.post/RKEY`: the record
        must be in this account's repository."""
        match = _POST_URL.fullmatch(reference.strip())
        if match is None:
            raise Rejected(f"{reference} is not a Bluesky post URL (https://bsky.app/profile/…/post/…) or at:// URI")
        owner, rkey = match.group("owner"), match.group("rkey")
        if owner not in (self.options["handle"], self.did):
            raise Rejected(f"{reference} is a post of {owner}, not of {self.options['handle']}")
        try:
            response = self._call("look up", self.client.com.atproto.repo.get_record,
                                  {"repo": self.did, "collection": POST, "rkey": rkey})
        except Rejected as exc:
            if "RecordNotFound" in exc.message or "Could not locate record" in exc.message:
                raise Rejected(f"no post {rkey} in {self.options['handle']}'s repository") from None
            raise
        return PublishResult(response.uri, self._url(response.uri), {"cid": response.cid})

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found = []
        for start in range(0, len(remote_ids), 25):  # getPosts takes 25 URIs at a time
            posts = self._call("metrics", self.client.get_posts, remote_ids[start:start + 25]).posts
            found += [Metrics(p.uri, likes=p.like_count, reposts=p.repost_count, replies=p.reply_count,
                              quotes=p.quote_count) for p in posts]
        return found

    def check_credentials(self) -> Credentials:
        """createSession and getSession (the login every run makes): an app password lasts until revoked."""
        session = self._call("session", self.client.com.atproto.server.get_session)
        return Credentials(f"@{session.handle} ({session.did})", never_expires=True)

    def followers(self) -> int | None:
        return self._call("profile", self.client.get_profile, self.did).followers_count

    def profile(self, handle: str) -> Profile:
        """app.bsky.actor.getProfile: followersCount and postsCount."""
        try:
            found = self._call("profile", self.client.get_profile, handle.strip().lstrip("@"))
        except Rejected as exc:
            if "not found" in exc.message.lower() or "InvalidRequest" in exc.message:
                raise Rejected(f"Bluesky: no account {handle}") from None
            raise
        return Profile(handle, found.followers_count, found.posts_count, found.did)

    def recent_posts(self, handle: str, since: datetime) -> list[Found]:
        """app.bsky.feed.getAuthorFeed (the account's own posts and replies; reposts left out), back to `since`."""
        profile = self.profile(handle)
        found, cursor = [], None
        for _ in range(MAX_FEED_PAGES):
            page = self._call("author feed", self.client.get_author_feed, profile.id, cursor=cursor, limit=100)
            for item in page.feed:
                post = item.post
                when = _moment(getattr(post.record, "created_at", None) or post.indexed_at)
                if item.reason is None and post.author.did == profile.id and when >= since:
                    found.append(Found(post.uri, post.author.handle, profile.followers, when,
                                       getattr(post.record, "text", "") or "",
                                       f"https://bsky.app/profile/{post.author.handle}/post/{post.uri.rsplit('/', 1)[1]}",
                                       post.like_count or 0, post.repost_count or 0, post.reply_count or 0))
            oldest = [_moment(i.post.indexed_at) for i in page.feed if i.reason is None]
            if not page.cursor or not page.feed or (oldest and min(oldest) < since):
                return found
            cursor = page.cursor
        return found

    def inbox(self, since: datetime, published=()) -> list[Incoming]:
        """Mentions, replies and quotes from the notifications, newest first, back to `since`.
        Direct messages live in a separate chat service (chat.bsky) that smm does not read."""
        found, cursor = [], None
        for _ in range(MAX_INBOX_PAGES):
            page = self._call("notifications", self.client.app.bsky.notification.list_notifications,
                              {"limit": 50, "cursor": cursor, "reasons": ["mention", "reply", "quote"]})
            for n in page.notifications:
                when = _moment(n.indexed_at)
                if when >= since and n.reason in {"mention", "reply", "quote"} and n.author.did != self.did:
                    found.append(self._incoming(n, when))
            if not page.cursor or not page.notifications or _moment(page.notifications[-1].indexed_at) < since:
                return found
            cursor = page.cursor
        return found

    def search(self, query: str, since: datetime, *, authors: Sequence[str] = ()) -> list[Found]:
        """`app.bsky.feed.searchPosts` back to `since`; where the AppView finds nothing (one that does not
        serve search answers an empty list), the posts it can show are read instead, once per run: the
        account's timeline (whom it follows) and the feeds of `authors`, kept when their text holds the query."""
        from smm.listening.matching import holds

        hits, cursor = [], None
        for _ in range(MAX_SEARCH_PAGES):
            page = self._call("search", self.client.app.bsky.feed.search_posts,
                              {"q": query, "since": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               "limit": 100, "cursor": cursor, "sort": "latest"})
            hits += page.posts
            if not page.cursor or not page.posts:
                break
            cursor = page.cursor
        if not hits:
            tag = query.startswith("#")
            hits = [p for p in self._readable(since, tuple(authors)) if holds(p.record.text, query.lstrip("#"), tag)]
        hits = [p for p in hits if p.author.did != self.did and _moment(p.record.created_at) >= since]
        followers = self._followers({p.author.did for p in hits})
        return [_found(p, followers.get(p.author.did)) for p in hits]

    def _followers(self, dids: set[str]) -> dict[str, int | None]:
        """Follower counts by DID (getProfiles, 25 at a time): a post view does not carry them."""
        found, dids = {}, sorted(dids)
        for start in range(0, len(dids), 25):
            answer = self._call("profiles", self.client.app.bsky.actor.get_profiles, {"actors": dids[start:start + 25]})
            found.update((p.did, p.followers_count) for p in answer.profiles)
        return found

    def _readable(self, since: datetime, authors: tuple[str, ...]) -> list:
        """The posts of the timeline and of `authors`' feeds back to `since` (read once per run)."""
        if getattr(self, "_read_since", None) != (since, authors):
            posts = self._feed("timeline", self.client.app.bsky.feed.get_timeline, {}, since)
            for author in authors:
                posts += self._feed(f"{author}'s feed", self.client.app.bsky.feed.get_author_feed, {"actor": author}, since)
            self._read_since, self._posts = (since, authors), list({p.uri: p for p in posts}.values())
        return self._posts

    def _feed(self, what: str, call, params: dict, since: datetime) -> list:
        posts, cursor = [], None
        for _ in range(MAX_SEARCH_PAGES):
            page = self._call(what, call, {**params, "limit": 100, "cursor": cursor})
            posts += [item.post for item in page.feed if item.reason is None]  # reposts are not the reposter's words
            if not page.cursor or not page.feed or _moment(page.feed[-1].post.indexed_at) < since:
                break
            cursor = page.cursor
        return posts

    def entrants(self, remote_id: str, kinds) -> list[Entrant]:
        """Direct replies (getPostThread), reposts (getRepostedBy) and likes (getLikes); each
        person's createdAt (else indexedAt) and whether they follow the account from getProfiles."""
        found = []
        if "reply" in kinds:
            thread = self._call("replies", self.client.get_post_thread, remote_id, depth=1, parent_height=0).thread
            found += [("reply", r.post.author.did, r.post.author.handle, _moment(r.post.record.created_at))
                      for r in getattr(thread, "replies", None) or [] if getattr(r, "post", None) is not None]
        if "repost" in kinds:
            found += [("repost", p.did, p.handle, None)
                      for page in self._pages("reposts", self.client.get_reposted_by, remote_id) for p in page.reposted_by]
        if "like" in kinds:
            found += [("like", like.actor.did, like.actor.handle, _moment(like.created_at))
                      for page in self._pages("likes", self.client.get_likes, remote_id) for like in page.likes]
        profiles = self._profiles(sorted({did for _, did, _, _ in found}))
        return [Entrant(kind, handle, did, when, profiles.get(did, (None, None))[0], profiles.get(did, (None, None))[1],
                        did == self.did) for kind, did, handle, when in found]

    def _pages(self, what: str, call, uri: str) -> list:
        pages, cursor = [], None
        for _ in range(MAX_ENTRANT_PAGES):
            page = self._call(what, call, uri, cursor=cursor, limit=100)
            pages.append(page)
            if not page.cursor or page.cursor == cursor:
                break
            cursor = page.cursor
        return pages

    def _profiles(self, dids: list[str]) -> dict[str, tuple[datetime | None, bool]]:
        """DID → (when the account was made, else first indexed; whether it follows this account)."""
        found = {}
        for start in range(0, len(dids), 25):  # getProfiles takes 25 actors at a time
            for p in self._call("profiles", self.client.get_profiles, dids[start:start + 25]).profiles:
                made = p.created_at or p.indexed_at
                found[p.did] = (_moment(made) if made else None, bool(p.viewer and p.viewer.followed_by))
        return found

    def _incoming(self, n, when: datetime) -> Incoming:
        record = n.record
        reply = getattr(record, "reply", None)
        embed = getattr(record, "embed", None)
        quoted = getattr(getattr(embed, "record", None), "uri", None) if embed is not None else None
        rkey = n.uri.rsplit("/", 1)[1]
        return Incoming(n.uri, n.reason, n.author.handle, getattr(record, "text", "") or "",
                        f"https://bsky.app/profile/{n.author.handle}/post/{rkey}", when, None,
                        reply.parent.uri if reply is not None and n.reason == "reply" else None,
                        quoted if n.reason == "quote" else None)

    def close(self) -> None:
        if hasattr(self, "_client"):
            self._client.request.close()


def _found(post, followers: int | None) -> Found:
    """A post view as a search hit, with its author's follower count."""
    rkey = post.uri.rsplit("/", 1)[1]
    return Found(post.uri, post.author.handle, followers, _moment(post.record.created_at).astimezone(timezone.utc),
                 getattr(post.record, "text", "") or "", f"https://bsky.app/profile/{post.author.handle}/post/{rkey}",
                 post.like_count or 0, (post.repost_count or 0) + (post.quote_count or 0), post.reply_count or 0)


def _video(path):
    """The video's properties when the file is one (a video goes alone: smm check says so), else None."""
    from smm.content.media import inspect

    return inspect(Path(path)).video
