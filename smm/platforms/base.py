"""The platform contract: what one network declares and implements, in one module of its own.

Adding a network touches only its module and one line under `[project.entry-points."smm.platforms"]`
in pyproject.toml (a plugin package registers the same way); the registry refuses a second
class with the same `name`, a `markup` smm does not write and a `has_metrics`/`has_followers`
without the method. A platform class declares, as class attributes:

- `name` (what platforms.yml says) and `label` (what people read);
- its limits: `text_limit`, `caption_limit`, `length` (with `unit` and `counting_rule`),
  `title_limit` (with `title_length`, where the network shows the post's title),
  `cost`, `extra_problems`, `max_links`, `max_hashtags`, `max_mentions`, `media` (MediaRules),
  `article_images` (MediaRules of an article's images, for markup `article`), `daily_limit`
  (with `day_zone`, the zone of the network's days), `threads`
  (or `threads_for(options)`), `comments` (or `comments_for(options)`), `content_warnings`; `smm check`, `preview` and `count` read them;
- its text: `markup`, the flavour smm.render.markup writes (one of `FLAVORS`), and `finalize`,
  `shorten_links`, `facets` for what the network needs beyond it;
- its account options: `options` (name → JSON Schema with a description) and `options_rule`
  (a schema applied to its accounts, such as the options they require); platforms.yml is
  validated against their union (smm.platforms.options), and an option two platforms declare
  must have one schema; `secrets` names the options that hold environment variable names, and
  `publish_options` those an account needs to publish (not to be checked: `readiness` says so);
- `display` (Display: the preview card's colours and how links are shown), `max_lateness`
  (its accounts' default), `has_metrics` / `has_followers` / `has_inbox` / `has_search`;
- for publishing: `can_publish`, `requires` (SDK modules, installed by the pip extra
  `extra`), `reconciles` (`find` can tell whether an earlier call worked), `exports` (publishing
  writes a bundle a human uploads: the job is recorded `exported`, not `published`);
- for `smm doctor`: `needed_scopes` (the permissions smm's calls need) and `token_lifetime(options)`
  (how long a token lasts from the account's `token_issued` date when the network cannot say).

`readiness(options, env)` answers "can this account publish from here?" in one Readiness:
unsupported, not installed or not configured (which secrets), first reason first. An adapter
implements `publish` (and `find`, `confirm`, `metrics`, `followers`, `close` where it can),
raising smm.errors' typed errors: RateLimited (with `retry_after`), TransientError (with
`outcome_unknown` when the request may have been carried out), AuthError, Rejected,
NotSupported; whatever else a reading method (READS) raises on an answer it cannot read becomes a
TransientError, and the records it returns are checked (smm.platforms.answers) before smm keeps
them. It makes its connections from the seams it is given, never from globals:
`transport` for httpx (smm.platforms.http.client and SecretCalls take it) and `client_factory`
for an SDK client; tests pass `httpx.MockTransport` or a factory. A network that reports an
account's text limit says where (`limit_source`) and reads it (`reported_limit`); smm asks once
per run, before rendering. `check_credentials()` makes one cheap authenticated call and answers
Credentials: who the token belongs to and, where the network says, its scopes and expiry
(`smm doctor` falls back on `token_issued` + `token_lifetime`); it raises AuthError when the
network refuses them and NotSupported when there is no such call (a webhook). A minimal adapter:

    class Example(Platform):
        name, label = "example", "Example"
        text_limit = 1000
        options = {**TOKEN_OPTION, "room": {"description": "The room to post to.", "type": "string"}}
        options_rule = {"required": ["token_env", "room"]}
        secrets = ("token_env",)
        display = Display("#0a7cff", "#0b5ed7")
        can_publish = True

        def publish(self, outgoing: Outgoing, *, idempotency_key: str) -> PublishResult:
            with http.client(transport=self.transport) as session:
                answer = http.send(session, "POST", "https://api.example.com/posts", "Example",
                                   json={"room": self.options["room"], "text": outgoing.text},
                                   headers={"Authorization": f"Bearer {self.secret('token_env')}"})
            return PublishResult(str(answer.json()["id"]))

Table tests hold every publishing adapter to the same faults (tests/test_adapter_faults.py).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, ClassVar, Mapping, Sequence

if TYPE_CHECKING:  # httpx is imported where calls are made: checking needs no network
    import httpx

from smm import DISTRIBUTION
from smm.errors import AuthError, NotSupported, SmmError, TransientError
from smm.platforms import rotation
from smm.platforms.messages import (  # noqa: F401  (the contract's records: adapters import them from here)
    Readiness,
    PublishResult,
    Outgoing,
    Lookup,
    Metrics,
    Credentials,
    Incoming,
    Profile,
    Entrant,
    ENTRY_KINDS,
)
from smm.platforms.rules import (  # noqa: F401
    MediaRules,
    VideoRules,
    secret_option,
    api_base_option,
    TOKEN_OPTION,
    API_BASE_OPTION,
    HANDLE_OPTION,
    recorded_expiry,
    Display,
)
from smm.render import counting

# the text flavors smm.render.markup writes (a platform's `markup`); article: HTML with tables, code, footnotes
FLAVORS = ("plain", "html", "article", "telegram", "slack", "discord")

log = logging.getLogger(__name__)
UNSET = "is not set"


@dataclass(frozen=True)
class Found:
    """A public post a network gave back (a search hit, a competitor's post): its network id, the
    author's handle as the network shows it (and follower count, None when not said), when it was made
    (aware), its text, URL and counts (`reposts` holds quotes too where the network counts them apart)."""

    id: str
    author: str
    author_followers: int | None
    created_at: datetime
    text: str
    url: str | None
    likes: int = 0
    reposts: int = 0
    replies: int = 0


# The methods that read what a network answers: what each adapter defines of them raises only smm's typed errors
# (see Platform.__init_subclass__). `find` is one: a lookup that cannot be read leaves its job unconfirmed, as
# one that times out does. `publish` too, but an answer it cannot read may follow a post made: its outcome is
# unknown, looked up before anything is sent again (a webhook network's job becomes unconfirmed).
READS = ("check_credentials", "confirm", "find", "metrics", "followers", "profile", "recent_posts", "inbox", "search",
         "entrants")


class Platform:
    """One network. Subclasses set the class attributes; adapters override the methods."""

    name: ClassVar[str]
    label: ClassVar[str]
    text_limit: ClassVar[int | None] = None  # None: no limit
    title_limit: ClassVar[int | None] = None  # the post's `title` as the network shows it; None: not shown
    caption_limit: ClassVar[int | None] = None  # text limit when media are attached, if different
    unit: ClassVar[str] = "characters"  # what `length` counts, in a word or two
    unit_lang: ClassVar[str] = "en"  # the language `unit` is written in (a preview marks it so)
    counting_rule: ClassVar[str] = "grapheme clusters"  # the whole rule, for previews and docs
    threads: ClassVar[bool] = False  # can publish a reply chain
    comments: ClassVar[bool] = False  # can publish a reply or comment under its own post (`first_comment`)
    markup: ClassVar[str] = "plain"  # a smm.render.markup flavor
    max_links: ClassVar[int | None] = None
    max_hashtags: ClassVar[int | None] = None
    max_mentions: ClassVar[int | None] = None  # @mentions in a post (smm.content.tokens.mentions)
    content_warnings: ClassVar[bool] = False  # a post's `content_warning` is shown, and counted, here
    media: ClassVar[MediaRules] = MediaRules()
    article_images: ClassVar[MediaRules | None] = None  # markup `article`: images in the body, uploaded
    daily_limit: ClassVar[int | None] = None  # posts a day an account takes (`daily_limit` option overrides)
    day_zone: ClassVar[str | None] = None  # the time zone of the network's days (None: platforms.yml's)
    secrets: ClassVar[tuple[str, ...]] = ()  # account options that name environment variables
    publish_options: ClassVar[tuple[str, ...]] = ()  # account options publishing needs (checking does not)
    can_publish: ClassVar[bool] = False
    has_metrics: ClassVar[bool] = False  # implements `metrics`
    has_followers: ClassVar[bool] = False  # implements `followers`
    has_inbox: ClassVar[bool] = False  # implements `inbox`
    has_search: ClassVar[bool] = False  # implements `search`
    entrant_kinds: ClassVar[frozenset[str]] = frozenset()  # the giveaway entries `entrants` lists (ENTRY_KINDS)
    # platforms.yml: this network's account options (name → JSON Schema with a description),
    # and what its accounts must hold (a schema applied when `platform` is this one).
    options: ClassVar[dict[str, dict]] = {}
    options_rule: ClassVar[dict] = {}
    max_lateness: ClassVar[str] = "6h"  # the account's default `max_lateness`
    display: ClassVar[Display] = Display()
    for_tests: ClassVar[bool] = False  # a test double: said so wherever platforms are listed

    def __init_subclass__(cls, **kwargs) -> None:
        """Each reading method the class defines (READS) turns an answer it could not read (an HTML page
        or a cut-off body where JSON was due, a key missing, null where an object was expected, a malformed
        time) into a TransientError naming the network and the call, as every other failure is typed:
        the command names the account and goes on with the others. So does `publish`, whose outcome is
        then unknown."""
        super().__init_subclass__(**kwargs)
        for name in (*READS, "publish"):
            if name in vars(cls):
                setattr(cls, name, _typed(vars(cls)[name], outcome_unknown=name == "publish"))

    @staticmethod
    def length(text: str) -> int:
        return counting.graphemes(text)

    @staticmethod
    def title_length(title: str) -> int:
        return counting.graphemes(title)

    @classmethod
    def threads_for(cls, options: Mapping) -> bool:
        """Whether this account can publish a reply chain (some networks need a setting for it)."""
        return cls.threads

    @classmethod
    def comments_for(cls, options: Mapping) -> bool:
        """Whether this account can publish a post's `first_comment` under it: a network that
        chains replies can; others say so with `comments`."""
        return cls.comments or cls.threads_for(options)

    @classmethod
    def cost(cls, text: str) -> int:
        """What thread splitting keeps under the limit; `length` unless several limits apply."""
        return cls.length(text)

    @classmethod
    def finalize(cls, text: str) -> str:
        """Last transformation of the rendered text (escaping the network needs)."""
        return text

    @classmethod
    def shorten_links(cls, text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
        """Text with links as the network shows them, and (start, end, full URL) of each in it."""
        return text, ()

    @classmethod
    def facets(cls, text: str, links: tuple[tuple[int, int, str], ...] = ()) -> list[dict]:
        """Rich-text annotations the network needs beside the text (Bluesky)."""
        return []

    @classmethod
    def element(cls, handle: str) -> str | None:
        """A brand/handles.yml handle this network writes as its own markup (LinkedIn's mentions), as it is
        sent: kept whole through Markdown and escaping. None: the handle is text like any other."""
        return None

    @classmethod
    def extra_problems(cls, text: str) -> list[str]:
        """Limits beyond the main length, as messages (e.g. Bluesky's byte limit)."""
        return []

    @classmethod
    def account_problems(cls, text: str, options: Mapping) -> list[tuple[str, str, str | None, str | None]]:
        """(rule, message, hint, the text at fault or None) for what this account requires of a post's
        whole rendered text (Weibo's safe domain)."""
        return []

    @classmethod
    def limit_for(cls, options: Mapping, with_media: bool = False, reported: int | None = None) -> int | None:
        """The account's `char_limit`, else what the network `reported`, else the declared limit."""
        if options.get("char_limit"):
            return options["char_limit"]
        if reported:
            return reported
        if with_media and cls.caption_limit is not None:
            return cls.caption_limit
        return cls.text_limit

    @classmethod
    def media_problem(cls, options: Mapping, file: str) -> str | None:
        """Why this account cannot be given the media file `file` (a path in the repository) though the
        file itself is fine, e.g. a network that fetches media from a URL the account does not set."""
        return None

    @classmethod
    def limit_source(cls, options: Mapping) -> str | None:
        """Where the network reports this account's text limit (a URL), None when it does not."""
        return None

    @classmethod
    def reported_limit(cls, source: str, transport: httpx.BaseTransport | None = None) -> int | None:
        """The limit `source` reports (asked once per run, before rendering); None when it cannot tell."""
        return None

    # --- the adapter: publishing ------------------------------------------------
    #
    # An adapter that can publish sets `can_publish = True` and implements `publish`;
    # `find` lets the engine reconcile a call whose outcome is unknown. Optional SDKs
    # are named in `requires`; when one is missing the adapter is disabled, not broken.

    requires: ClassVar[tuple[str, ...]] = ()  # importable modules the adapter needs
    extra: ClassVar[str] = "networks"  # the pip extra of smm that installs them
    reconciles: ClassVar[bool] = False  # `find` can tell whether an earlier call worked
    # Seconds after sending within which the network may still act on a request whose answer
    # was lost (its answer timeout, with a margin): a find() that sees nothing earlier proves nothing.
    settle: ClassVar[float] = 0.0
    in_repository: ClassVar[bool] = False  # publishes into the checkout (the feed): lost with the run, never claimed
    exports: ClassVar[bool] = False  # writes a bundle for a human to upload: the job becomes `exported`

    def __init__(self, account, env: Mapping[str, str], root=None, *,
                 transport: httpx.BaseTransport | None = None, client_factory: Callable | None = None) -> None:
        """`transport` (HTTP adapters) and `client_factory` (SDK adapters) are the test seams:
        None means the real network."""
        self.account = account
        self.options = account.options
        self.env = env
        self.root = root
        self.transport = transport
        self.client_factory = client_factory

    @classmethod
    def readiness(cls, options: Mapping, env: Mapping[str, str]) -> Readiness:
        """Whether an account with these options can publish with this environment.

        White space around a secret (a newline pasted into a CI secret) is ignored; white
        space or a control character inside it makes it unusable, found before any call is
        made (the HTTP libraries refuse such a header only while sending).
        """
        unsupported = None if cls.can_publish else \
            f"publishing to {cls.label} is not implemented yet (check and preview only)"
        not_installed = None
        if any(importlib.util.find_spec(m) is None for m in cls.requires):
            not_installed = f"the {cls.label} adapter is not installed: pip install '{DISTRIBUTION}[{cls.extra}]'"
        problems = {name: problem for name in (options[key] for key in cls.secrets if options.get(key))
                    if (problem := _secret_problem(env.get(name)))}
        unset = [name for name, problem in problems.items() if problem == UNSET]
        absent = tuple(option for option in cls.publish_options if not options.get(option))
        said = ([f"set {', '.join(f'`{o}`' for o in absent)} in platforms.yml"] if absent else []) + (
            [f"set {', '.join(unset)}"] if unset else []) + [
            f"{name} {problem}" for name, problem in problems.items() if problem != UNSET]
        return Readiness(unsupported, not_installed, "not configured: " + "; ".join(said) if said else None,
                         tuple(problems), absent)

    def secret(self, key: str) -> str:
        """The value of the environment variable the option `key` names (a newer value a network
        rotated and an earlier command kept comes first: smm.platforms.rotation)."""
        name = self.options.get(key)
        if name and (newer := rotation.kept(self.env, name)):
            return newer
        problem = _secret_problem(self.env.get(name)) if name else UNSET
        if problem:
            raise AuthError(f"environment variable {name} {problem}", account=self.account.name)
        value = self.env[name]
        if value != value.strip():
            log.warning("%s: white space around the value of %s ignored", self.account.name, name)
        return value.strip()

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

    def confirm(self, reference: str) -> PublishResult:
        """The post a human says this account published (its URL or id), as the network knows it.

        Raise Rejected when there is no such post or another account's; NotSupported when the
        network cannot be asked (`smm resolve` then records it unchecked).
        """
        raise NotSupported(f"smm cannot look up posts on {self.label}")

    # --- the adapter: `smm doctor` ------------------------------------------------

    needed_scopes: ClassVar[frozenset[str]] = frozenset()  # what smm's calls need, as the network names them
    lifetime: ClassVar[timedelta | None] = None  # how long a token lasts from `token_issued`; None: unknown

    @classmethod
    def token_lifetime(cls, options: Mapping) -> timedelta | None:
        """How long this account's token lasts from the day it was issued (`lifetime` unless it
        depends on the account's options); None when it lasts until revoked or is unknown."""
        return cls.lifetime

    def check_credentials(self) -> Credentials:
        """One cheap authenticated call: whose credentials these are, with their scopes and expiry
        where the network says. Raise AuthError when refused, NotSupported when there is no such call."""
        raise NotSupported(f"{self.label} offers no call to check credentials with")

    def metrics(self, remote_ids: list[str]) -> list[Metrics]:
        raise NotSupported(f"{self.label} metrics are not implemented")

    def followers(self) -> int | None:
        raise NotSupported(f"{self.label} follower counts are not implemented")

    def profile(self, handle: str) -> Profile:
        """Another account's public figures (a competitor's); Rejected when there is no such account."""
        raise NotSupported(f"smm cannot read other accounts' profiles on {self.label}")

    def recent_posts(self, handle: str, since: datetime) -> list[Found]:
        """Another account's own public posts created since `since` (not its reposts), newest first."""
        raise NotSupported(f"smm cannot read other accounts' posts on {self.label}")

    def inbox(self, since: datetime, published: Sequence[PublishResult] = ()) -> list[Incoming]:
        """Mentions, replies, comments, quotes and direct messages to the account since `since`,
        by other people (never the account's own posts). `published`: the account's posts smm
        recorded (remote id, URL, extra), for a network that can only be asked post by post."""
        raise NotSupported(f"smm cannot read {self.label} mentions and messages")

    def search(self, query: str, since: datetime, *, authors: Sequence[str] = ()) -> list[Found]:
        """Public posts since `since` that hold `query` (a keyword, or a hashtag with its `#`), by others than
        the account itself. A network whose search finds nothing here may read `authors` (handles on this
        network, such as competitors') instead. The caller matches every post's text again."""
        raise NotSupported(f"{self.label} cannot search")

    def entrants(self, remote_id: str, kinds: Sequence[str]) -> list[Entrant]:
        """Who entered a giveaway on the account's post `remote_id` in each of `kinds` (of
        `entrant_kinds`): one Entrant per person and kind, the account itself marked `own`."""
        raise NotSupported(f"smm cannot list who replied to, reposted or liked a {self.label} post")

    def close(self) -> None:
        """Release connections at the end of a run."""


def _typed(method: Callable, outcome_unknown: bool = False) -> Callable:
    """`method`, raising a TransientError for anything but smm's own errors (the secrets hidden from it);
    `outcome_unknown` for a call that may have acted before its answer could not be read."""
    @functools.wraps(method)
    def reading(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SmmError:
            raise
        except Exception as exc:  # not smm's: what the network answered is not what the adapter reads
            log.debug("%s: %s", self.label, method.__name__, exc_info=True)
            from smm.platforms.answers import said
            from smm.platforms.http import hide

            secrets = {self.env.get(self.options.get(key) or "") or "" for key in self.secrets}
            raise TransientError(hide(f"{self.label} ({method.__name__}): an answer smm cannot read "
                                      f"({type(exc).__name__}: {said(str(exc), 160)})", secrets),
                                 outcome_unknown=outcome_unknown) from None
    return reading


def _secret_problem(value: str | None) -> str | None:
    """What makes a secret's value unusable, if anything (white space around it is fine)."""
    value = (value or "").strip()
    if not value:
        return UNSET
    if any(c.isspace() or unicodedata.category(c).startswith("C") for c in value):
        return "holds white space or a control character inside its value: paste the secret again"
    return None
