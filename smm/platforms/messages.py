"""What passes between smm and an adapter: whether an account can publish (Readiness), one part
to send (Outgoing) and what it made (PublishResult), what a reconciliation may match (Lookup),
counts (Metrics), what a token is (Credentials), what people said (Incoming), who entered a
giveaway (Entrant) and another account's public figures (Profile)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Readiness:
    """Whether an account can publish from here, and if not, why (the first reason wins)."""

    unsupported: str | None = None  # smm cannot publish to this network (check and preview only)
    not_installed: str | None = None  # the adapter's SDK is missing: what to install
    not_configured: str | None = None  # `not configured: set A; B holds …`
    secrets: tuple[str, ...] = ()  # the environment variables behind `not_configured`
    options: tuple[str, ...] = ()  # the account options behind it (`publish_options` not set)

    @property
    def reason(self) -> str | None:
        return self.unsupported or self.not_installed or self.not_configured

    @property
    def ready(self) -> bool:
        return self.reason is None


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
    covers: tuple = ()  # ((video path, seconds or a picture's path), ...): the covers chosen with `cover:`
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
    and is none of the posts other records already own. An operation the network named (`under_way`)
    is asked about first: find() raises UnderWay while the network is still carrying it out.
    """

    sent: tuple[Outgoing, ...]
    since: datetime
    until: datetime
    owned: frozenset[str] = frozenset()
    under_way: tuple[dict, ...] = ()  # what the network called this part's earlier calls (TransientError.under_way)


@dataclass(frozen=True)
class Metrics:
    remote_id: str
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    clicks: int | None = None


@dataclass(frozen=True)
class Credentials:
    """What one cheap authenticated call tells about an account's credentials."""

    identity: str  # who they belong to, as people know the account (@handle, channel, page)
    scopes: frozenset[str] | None = None  # the permissions they carry; None when the network does not say
    expires_at: datetime | None = None  # when they stop working, as the network says; None: unknown
    never_expires: bool = False  # the network's tokens last until revoked (no `token_issued` needed)
    renewed: bool = False  # smm renews the token itself on every run (a refresh token): its expiry is no concern
    advice: str | None = None  # a warning about how they are set up (a token that cannot last)


@dataclass(frozen=True)
class Incoming:
    """Something a person said to or about the account: what `inbox` returns.

    `kind` is mention, reply, comment, quote or dm; `in_reply_to` and `quotes` hold the remote id
    of the account's own post it answers or quotes, when there is one."""

    network_id: str
    kind: str
    author: str
    text: str
    url: str | None
    created_at: datetime  # aware
    author_followers: int | None = None
    in_reply_to: str | None = None
    quotes: str | None = None
    author_verified: bool = False  # the network marks the author as verified


ENTRY_KINDS = ("reply", "repost", "like")  # how a person enters a giveaway (a post's `giveaway.enter`)


@dataclass(frozen=True)
class Entrant:
    """One entry in a giveaway: a person's reply, repost or like on one of the brand's posts.

    `author_id` is the network's stable id of the person, the same from each of the brand's accounts
    (Mastodon: the address `user@instance`, case folded, as account ids are each instance's own; Bluesky: the DID);
    `entered_at` is None where the network does not say when (Mastodon likes and boosts,
    Bluesky reposts); `follows` is None where the network cannot tell the brand."""

    kind: str  # one of ENTRY_KINDS
    author: str  # the handle as the network shows it (`user@instance`, `name.bsky.social`)
    author_id: str
    entered_at: datetime | None = None
    account_created_at: datetime | None = None
    follows: bool | None = None  # follows the brand's account
    own: bool = False  # the brand's account itself


@dataclass(frozen=True)
class Profile:
    """Another account's public figures (a competitor's), as `Platform.profile` reads them."""

    handle: str
    followers: int | None
    posts: int | None = None  # every post the account ever made, where the network says
    id: str | None = None  # the network's id of the account
