"""The platform contract: each network's limits (the single source for `smm check`) and its adapter.

A platform class declares its limits as class attributes and, where smm can publish to
it, implements `publish`, `find` and `metrics`. Built-in platforms register through the
`smm.platforms` entry-point group, as third-party ones would.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Mapping

from smm import counting
from smm.errors import AuthError, NotSupported


@dataclass(frozen=True)
class MediaRules:
    max_count: int = 4
    types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    max_bytes: int = 5 * 1024 * 1024
    max_pixels: int | None = None  # width × height
    alt_supported: bool = True
    alt_limit: int | None = None


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """One part of a post, ready for one account."""

    post_id: str
    account: str
    title: str
    text: str
    index: int = 0  # part number in a thread, from 0
    total: int = 1
    facets: tuple = ()
    media: tuple = ()  # ((path, alt), ...): on the first part only
    link: str | None = None
    published_at: str | None = None  # ISO 8601: when the post was due
    created_at: str | None = None  # ISO 8601: the job's first attempt (stable across retries)
    languages: tuple[str, ...] = ()  # BCP 47 tags from the front matter
    content_warning: str | None = None
    reply_to: PublishResult | None = None  # the previous part
    thread_root: PublishResult | None = None  # the first part
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Lookup:
    """What a reconciliation may match, so that find() only ever returns this job's post.

    `sent` holds every version of the part that may have gone out (the text and media as
    sent then, not as the post reads now); a match was created between `since` and `until`
    and is none of the posts other records already own.
    """

    sent: tuple[Outgoing, ...]
    since: datetime
    until: datetime
    owned: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Metrics:
    remote_id: str
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    clicks: int | None = None


class Platform:
    """One network. Subclasses set the class attributes; adapters override the methods."""

    name: ClassVar[str]
    label: ClassVar[str]
    text_limit: ClassVar[int | None] = None  # None: no limit
    caption_limit: ClassVar[int | None] = None  # text limit when media are attached, if different
    unit: ClassVar[str] = "characters"  # what `length` counts, in a word or two
    counting_rule: ClassVar[str] = "grapheme clusters"  # the whole rule, for previews and docs
    threads: ClassVar[bool] = False  # can publish a reply chain
    markup: ClassVar[str] = "plain"  # a smm.markup flavor
    max_links: ClassVar[int | None] = None
    max_hashtags: ClassVar[int | None] = None
    content_warnings: ClassVar[bool] = False  # a post's `content_warning` is shown, and counted, here
    media: ClassVar[MediaRules] = MediaRules()
    secrets: ClassVar[tuple[str, ...]] = ()  # account options that name environment variables
    can_publish: ClassVar[bool] = False

    @staticmethod
    def length(text: str) -> int:
        return counting.graphemes(text)

    @classmethod
    def threads_for(cls, options: Mapping) -> bool:
        """Whether this account can publish a reply chain (some networks need a setting for it)."""
        return cls.threads

    @classmethod
    def cost(cls, text: str) -> int:
        """What thread splitting keeps under the limit; `length` unless several limits apply."""
        return cls.length(text)

    @classmethod
    def finalize(cls, text: str) -> str:
        """Last transformation of the rendered text (escaping the network needs)."""
        return text

    @classmethod
    def shorten_links(cls, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Text with links as the network shows them, and (shown, full URL) pairs."""
        return text, ()

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[str, str], ...] = ()) -> list[dict]:
        """Rich-text annotations the network needs beside the text (Bluesky)."""
        return []

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        """Limits beyond the main length, as messages (e.g. Bluesky's byte limit)."""
        return []

    @classmethod
    def limit_for(cls, options: Mapping, with_media: bool = False) -> int | None:
        if options.get("char_limit"):
            return options["char_limit"]
        if with_media and cls.caption_limit is not None:
            return cls.caption_limit
        return cls.text_limit

    # --- the adapter: publishing ------------------------------------------------
    #
    # An adapter that can publish sets `can_publish = True` and implements `publish`;
    # `find` lets the engine reconcile a call whose outcome is unknown. Optional SDKs
    # are named in `requires`; when one is missing the adapter is disabled, not broken.

    requires: ClassVar[tuple[str, ...]] = ()  # importable modules the adapter needs
    reconciles: ClassVar[bool] = False  # `find` can tell whether an earlier call worked
    # Seconds after sending within which the network may still act on a request whose answer
    # was lost (its answer timeout, with a margin): a find() that sees nothing earlier proves nothing.
    settle: ClassVar[float] = 0.0
    in_repository: ClassVar[bool] = False  # publishes into the checkout (the feed): lost with the run, never claimed

    def __init__(self, account, env: Mapping[str, str], root=None) -> None:
        self.account = account
        self.options = account.options
        self.env = env
        self.root = root

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this adapter cannot publish here, or None when it can."""
        if not cls.can_publish:
            return f"publishing to {cls.label} is not implemented yet (check and preview only)"
        missing = [m for m in cls.requires if importlib.util.find_spec(m) is None]
        if missing:
            return f"the {cls.label} adapter needs the Python package(s) {', '.join(missing)}"
        return None

    @classmethod
    def missing_secrets(cls, options: Mapping, env: Mapping[str, str]) -> list[str]:
        """Names of environment variables this account needs that are not set."""
        names = [options[key] for key in cls.secrets if options.get(key)]
        return [name for name in names if not env.get(name)]

    def secret(self, key: str) -> str:
        name = self.options.get(key)
        value = self.env.get(name or "")
        if not value:
            raise AuthError(f"environment variable {name} is not set", account=self.account.name)
        return value

    def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
        """Publish one part; replies to `outgoing.reply_to` when set. Raise the typed errors."""
        raise NotSupported(f"publishing to {self.label} is not implemented yet")

    def find(self, outgoing: Outgoing, *, idempotency_key: str, lookup: Lookup) -> PublishResult | None:
        """This job's post if an earlier call made it, None if there is certainly none.

        Match only what belongs to the job (its key, or a version in `lookup.sent` created in
        the lookup's window), never a post in `lookup.owned`. Raise NotSupported when the
        network cannot tell: the job becomes unconfirmed.
        """
        raise NotSupported(f"{self.label} cannot look up a post by its idempotency key")

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        raise NotSupported(f"{self.label} metrics are not implemented")

    def followers(self) -> int | None:
        raise NotSupported(f"{self.label} follower counts are not implemented")

    def close(self) -> None:
        """Release connections at the end of a run."""
