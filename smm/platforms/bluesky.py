"""Bluesky: 300 grapheme clusters and 3000 UTF-8 bytes; rich text as facets over UTF-8 byte ranges.

Like the Bluesky app, long links are shown shortened (`example.com/some-long-p...`) and
the facet carries the full URL, so a UTM-tagged link costs what its short form costs.

Publishing uses the `atproto` SDK. The record key of each post is a TID derived from
the idempotency key (and the post's time), written with putRecord: a repeat writes the
same record again instead of a second post, and `find()` asks getRecord for that key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

import regex

from smm import counting
from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.links import URL
from smm.platforms.base import Lookup, MediaRules, Metrics, Outgoing, Platform, PublishResult

MAX_BYTES = 3000
POST = "app.bsky.feed.post"
DEFAULT_SERVICE = "https://bsky.social"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TAG = regex.compile(
    r"(?:^|(?<=\s))[#＃]((?!\ufe0f)[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*"
    r"[^\d\s\p{P}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*)"
)
_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)\b")


def short_url(url: str) -> str:
    """How the Bluesky app shows a link: no scheme, path cut to 13 characters and `...`."""
    parts = urlsplit(url)
    path = ("" if parts.path == "/" else parts.path) + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
    return parts.netloc + (path[:13] + "..." if len(path) > 15 else path)


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


def _byte_range(text: str, start: int, end: int) -> dict:
    before = len(text[:start].encode("utf-8"))
    return {"byteStart": before, "byteEnd": before + len(text[start:end].encode("utf-8"))}


class Bluesky(Platform):
    name = "bluesky"
    label = "Bluesky"
    text_limit = 300
    unit = "grapheme clusters"
    counting_rule = f"grapheme clusters (and at most {MAX_BYTES} UTF-8 bytes); links shown shortened"
    threads = True
    # Lexicon app.bsky.embed.images: 2,000,000 bytes since 2026-04; alt has no lexicon limit,
    # 2000 is the official app's cap (MAX_ALT_TEXT).
    media = MediaRules(max_count=4, types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
                       max_bytes=2_000_000, alt_limit=2000)
    secrets = ("password_env",)
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
    def shorten_links(cls, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        links = []

        def shorten(match) -> str:
            links.append((short_url(match.group()), match.group()))
            return links[-1][0]

        return URL.sub(shorten, text), tuple(links)

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[str, str], ...] = ()) -> list[dict]:
        """Link, mention and hashtag facets with UTF-8 byte offsets, in text order.

        Mentions carry the handle; the adapter resolves it to a DID when publishing.
        """
        found = []
        position = 0
        for display, uri in links:
            start = text.find(display, position)
            if start < 0:
                continue
            position = start + len(display)
            found.append((start, {"index": _byte_range(text, start, position),
                                  "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]}))
        for m in URL.finditer(text):  # links written in full
            if not any(f["features"][0].get("uri") and _byte_range(text, m.start(), m.end())["byteStart"] ==
                       f["index"]["byteStart"] for _, f in found):
                found.append((m.start(), {"index": _byte_range(text, m.start(), m.end()),
                                          "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group()}]}))
        for m in _MENTION.finditer(text):
            found.append((m.start(), {"index": _byte_range(text, m.start(), m.end()),
                                      "features": [{"$type": "app.bsky.richtext.facet#mention", "handle": m.group(1)}]}))
        for m in _TAG.finditer(text):
            tag = regex.sub(r"\p{P}+$", "", m.group(1))
            if tag and len(tag) <= 64:
                end = m.start(1) + len(tag)
                found.append((m.start(), {"index": _byte_range(text, m.start(), end),
                                          "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}))
        return [facet for _, facet in sorted(found, key=lambda pair: pair[0])]

    # -- the adapter -------------------------------------------------------------

    @property
    def client(self):
        """One session per run (createSession is limited to 30 per 5 minutes); the SDK refreshes it."""
        if not hasattr(self, "_client"):
            from atproto import Client

            client = Client(base_url=self.options.get("service", DEFAULT_SERVICE).rstrip("/") + "/xrpc")
            self._call("login", client.login, self.options["handle"], self.secret("password_env"),
                       fetch_bsky_profile=False)
            self._did = self._call("session", client.com.atproto.server.get_session).did
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
            wait = exc.retry_after
            if wait is None and exc.reset_at is not None:
                wait = max(0.0, (exc.reset_at - datetime.now(exc.reset_at.tzinfo)).total_seconds())
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
            raise Rejected(f"Bluesky: refused ({what}): {exc}") from None

    def _url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self.options['handle']}/post/{uri.rsplit('/', 1)[1]}"

    def _strong_ref(self, result: PublishResult) -> dict:
        cid = result.extra.get("cid")
        if cid is None:  # a part published by an earlier run: ask for its cid
            rkey = result.remote_id.rsplit("/", 1)[1]
            cid = self._call("read", self.client.com.atproto.repo.get_record,
                             {"repo": self.did, "collection": POST, "rkey": rkey}).cid
        return {"uri": result.remote_id, "cid": cid}

    def record(self, outgoing: Outgoing) -> dict:
        """The app.bsky.feed.post record for one part."""
        record = {"$type": POST, "text": outgoing.text, "createdAt": outgoing.created_at or outgoing.published_at}
        facets = [self._resolve(f) for f in outgoing.facets]
        if facets := [f for f in facets if f]:
            record["facets"] = facets
        if outgoing.languages:
            record["langs"] = list(outgoing.languages[:3])
        if outgoing.reply_to:
            record["reply"] = {"root": self._strong_ref(outgoing.thread_root), "parent": self._strong_ref(outgoing.reply_to)}
        if outgoing.media:
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

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        found = []
        for start in range(0, len(remote_ids), 25):  # getPosts takes 25 URIs at a time
            posts = self._call("metrics", self.client.get_posts, remote_ids[start:start + 25]).posts
            found += [Metrics(p.uri, likes=p.like_count, reposts=p.repost_count, replies=p.reply_count,
                              quotes=p.quote_count) for p in posts]
        return found

    def followers(self) -> int | None:
        return self._call("profile", self.client.get_profile, self.did).followers_count

    def close(self) -> None:
        if hasattr(self, "_client"):
            self._client.request.close()
