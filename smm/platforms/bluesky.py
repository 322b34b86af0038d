"""Bluesky: 300 grapheme clusters and 3000 UTF-8 bytes; rich text as facets over UTF-8 byte ranges.

Like the Bluesky app, long links are shown shortened (`example.com/some-long-p...`) and
the facet carries the full URL, so a UTM-tagged link costs what its short form costs.

Publishing uses the `atproto` SDK. The record key of each post is a TID derived from
the idempotency key (and the post's time), written with putRecord: a repeat writes the
same record again instead of a second post, and `find()` asks getRecord for that key.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import urlsplit

import regex

from smm.errors import AuthError, NotSupported, RateLimited, Rejected, TransientError
from smm.platforms.base import (
    HANDLE_OPTION,
    Display,
    Lookup,
    MediaRules,
    Metrics,
    Outgoing,
    Platform,
    PublishResult,
    secret_option,
)
from smm.render import counting

MAX_BYTES = 3000
POST = "app.bsky.feed.post"
DEFAULT_SERVICE = "https://bsky.social"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Link, mention and tag detection as @atproto/api's RichText detectFacets does it: its
# regular expressions (group "lead" is its "(^|\s|\()") with JavaScript's \s (no
# U+001C-001F or U+0085; U+FEFF), ASCII \b and \d and $ (only the end), its trailing
# punctuation rules and its TLD check.
_JS_SPACE = "\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_LEAD = rf"(?P<lead>^|[{_JS_SPACE}(])"
_TAG = regex.compile(
    rf"(?:^|(?<=[{_JS_SPACE}]))[#＃]((?!\ufe0f)[^{_JS_SPACE}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*"
    rf"[^0-9{_JS_SPACE}\p{{P}}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+"
    rf"[^{_JS_SPACE}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*)"
)
_POST_URL = regex.compile(r"(?:https://bsky\.app/profile/(?P<owner>[^/]+)/post/|at://(?P<owner>[^/]+)/app\.bsky\.feed\.post/)"
                          r"(?P<rkey>[A-Za-z0-9._:~-]+)/?")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_CASHTAG = re.compile(rf"{_LEAD}(\$([A-Za-z][A-Za-z0-9]{{0,4}}))(?=[{_JS_SPACE}.,;:!?)\"'\u2019]|\Z)")
_MENTION = re.compile(rf"{_LEAD}(@([a-zA-Z0-9.-]+))(?a:\b)")
_LINK = re.compile(rf"{_LEAD}(https?://[^{_JS_SPACE}]+|(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^{_JS_SPACE}]*)",
                   re.IGNORECASE | re.MULTILINE)
# smm also links a URL glued to the text before it, which detectFacets leaves plain:
# Chinese and Japanese put no space before a URL ("详见https://…"), and a facet is
# shown as a link by every client, whoever detected it.  Not after a Latin letter or
# a digit ("xhttps://" is a typo).  Such a URL ends before the closing partner of a
# quote or bracket just before it (“https://…” or 「https://…」).
_URL = re.compile(rf"https?://[^{_JS_SPACE}]+")
_NOT_GLUED = re.compile(rf"[{_JS_SPACE}(A-Za-z0-9]")
_CLOSING = dict(zip("“‘「『（《〈【〔«‹\"'", "”’」』）》〉】〕»›\"'"))
# And a URL ends before full-width punctuation, which no URL holds and Chinese puts right
# after one ("见https://example.com/a。谢谢"), and without a closing full-width bracket
# whose opening one it lacks; detectFacets would link "https://example.com/a。谢谢".
_FULL_WIDTH_STOP = re.compile("[。，！？、；：]")
_OPENING = {"）": "（", "」": "「", "』": "『", "】": "【"}
_TLDS = frozenset(line.strip() for line in (counting.RESOURCES / "bluesky_tlds.txt")
                  .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))


def _valid_domain(domain: str) -> bool:
    """detectFacets' isValidDomain: the last label is a known TLD (case-sensitive)."""
    return "." in domain and domain.rsplit(".", 1)[1] in _TLDS


def links_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, URI) of each link Bluesky's app would make, plus URLs glued to text."""
    found = []
    for m in _LINK.finditer(text):
        uri = m.group(2)
        if not uri.startswith("http"):  # "HTTP://…" matched the first branch: no domain, no link
            if not m.group("domain") or not _valid_domain(m.group("domain")):
                continue
            uri = "https://" + uri
        if link := _trimmed(m.start(2), m.end(), uri):
            found.append(link)
    for m in _URL.finditer(text) if "://" in text else ():
        if m.start() == 0 or _NOT_GLUED.match(text, m.start() - 1) \
                or any(start <= m.start() < end for start, end, _ in found):
            continue  # not glued, or inside a link found ("https://a.example/https://b.example")
        end = m.end()
        partner = _CLOSING.get(text[m.start() - 1])
        if partner and (close := text.find(partner, m.start(), end)) >= 0:
            end = close
        if link := _trimmed(m.start(), end, text[m.start():end]):
            found.append(link)
    return sorted(found)


def _trimmed(start: int, end: int, uri: str) -> tuple[int, int, str] | None:
    """detectFacets' end rules: one trailing [.,;:!?] off, then a ")" that closes no
    "(" off (detectFacets: any "(" keeps it, so "(see https://x/Foo_(bar))" would end
    in "))"); before them smm's: the URL ends before full-width punctuation, and loses
    closing full-width brackets it does not open."""
    if stop := _FULL_WIDTH_STOP.search(uri):
        end, uri = end - len(uri) + stop.start(), uri[:stop.start()]
    while uri[-1] in _OPENING and _OPENING[uri[-1]] not in uri:
        uri, end = uri[:-1], end - 1
    if uri[-1] in ".,;:!?":
        uri, end = uri[:-1], end - 1
    if uri.endswith(")") and uri.count(")") > uri.count("("):  # detectFacets: "(" not in uri
        uri, end = uri[:-1], end - 1
    return (start, end, uri) if uri.partition("://")[2] else None  # None: nothing after "https://"


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


def _facet(text: str, start: int, end: int, kind: str, **feature) -> dict:
    return {"index": _byte_range(text, start, end),
            "features": [{"$type": f"app.bsky.richtext.facet#{kind}", **feature}]}


def _placed(text: str, links: tuple[tuple[str, str], ...]) -> list[tuple[int, str, str]]:
    """(start, shown, URI) of each shown link, found in order in ``text``."""
    placed, position = [], 0
    for shown, uri in links:
        start = text.find(shown, position)
        if start >= 0:
            placed.append((start, shown, uri))
            position = start + len(shown)
    return placed


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
    options = {
        "service": {"description": "The PDS URL. Default `https://bsky.social`.", "$ref": "#/$defs/url"},
        **HANDLE_OPTION,
        "password_env": secret_option("the app password"),
    }
    options_rule = {"required": ["handle", "password_env"]}
    display = Display("#1185fe", "#0b62d6")
    has_metrics = has_followers = True
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
        parts, links, position = [], [], 0
        for start, end, uri in links_in(text):
            shown = short_url(uri) if uri == text[start:end] else text[start:end]  # a bare domain stays
            parts += (text[position:start], shown)
            links.append((shown, uri))
            position = end
        return "".join(parts) + text[position:], tuple(links)

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[str, str], ...] = ()) -> list[dict]:
        """Link, mention and hashtag facets with UTF-8 byte offsets, in text order.

        ``links`` are the (shown, URI) pairs of `shorten_links`; without them the links
        are found in ``text``. Mentions carry the handle; the adapter resolves it to a DID.
        """
        found = []
        spans = [(start, start + len(shown), uri) for start, shown, uri in _placed(text, links)] if links \
            else links_in(text)
        for start, end, uri in spans:
            found.append((start, _facet(text, start, end, "link", uri=uri)))
        for m in _MENTION.finditer(text) if "@" in text else ():
            if _valid_domain(m.group(3)) or m.group(3).endswith(".test"):
                found.append((m.start(2), _facet(text, m.start(2), m.end(2), "mention", handle=m.group(3))))
        for m in _TAG.finditer(text):
            tag = _TRAILING_PUNCTUATION.sub("", m.group(1))
            if tag and counting.graphemes(tag) <= 64:
                found.append((m.start(), _facet(text, m.start(), m.start(1) + len(tag), "tag", tag=tag)))
        for m in _CASHTAG.finditer(text) if "$" in text else ():
            found.append((m.start(2), _facet(text, m.start(2), m.end(2), "tag", tag="$" + m.group(3).upper())))
        return [facet for _, facet in sorted(found, key=lambda pair: pair[0])]

    # -- the adapter -------------------------------------------------------------

    @property
    def client(self):
        """One session per run (createSession is limited to 30 per 5 minutes); the SDK refreshes it.
        Made by `client_factory` (default `atproto.Client`) with its `base_url`."""
        if not hasattr(self, "_client"):
            factory = self.client_factory
            if factory is None:
                from atproto import Client as factory
            client = factory(base_url=self.options.get("service", DEFAULT_SERVICE).rstrip("/") + "/xrpc")
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

    def followers(self) -> int | None:
        return self._call("profile", self.client.get_profile, self.did).followers_count

    def close(self) -> None:
        if hasattr(self, "_client"):
            self._client.request.close()
