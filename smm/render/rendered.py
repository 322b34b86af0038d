"""Post → what each account will publish: text or thread parts, media, link, and problems.

For each (post, account): pick the override or the body, resolve `@{name}` mentions,
UTM-tag links, convert Markdown to the network's flavor, apply the Jinja2 template
(brand/templates/<platform>.j2, else the built-in one) in a sandbox, escape for the
network, count with the network's own rule, split into a thread where allowed, and
check media against the network's rules.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator, Mapping, TypeVar

from markupsafe import Markup

from smm.check.diagnostics import ERROR, Diagnostic
from smm.content.links import leaves_safely, tag_all, utm_tag
from smm.content.post import Post, published
from smm.content.tokens import HANDLE, hashtag, hashtags, mentions, urls
from smm.platforms import Platform, platform_class, reported_limits
from smm.render import article, htmlfeed, markup, media_checks
from smm.render.counting import first_overflow
from smm.render.media_checks import MediaRef
from smm.render.bounds import bounds_for
from smm.render.split import SPLIT_MARKER, fitting, split
from smm.render.templating import HTML_FLAVORS, TEMPLATES_DIR, Templates
from smm.workspace.brand import Brand
from smm.workspace.config import Config
from smm.workspace.hashtags import capped, expand, unknown_set

_ELEMENT = ("\ue000", "\ue001")  # private-use marks around the number of an element kept aside
# What differs between the accounts a post goes to is stood in for while Markdown runs, so that one
# conversion serves them all (markup.convert keeps its last results): a handle and the `utm_source`
# value, each only where Markdown provably treats the stand-in as it treats the value (same
# character classes at both ends, no character Markdown reads as syntax), and put back after.
_INERT_HANDLE = re.compile(r"@[A-Za-z0-9]+(?:[.@-][A-Za-z0-9]+)*")
_INERT_SOURCE = re.compile(r"[a-z]+")
_STAND_IN = "smmstandin"
T = TypeVar("T")


def _occurrences(piece: str, text: str) -> Iterator[int]:
    """Where `piece` starts in `text`, left to right, occurrences not overlapping."""
    index = text.find(piece)
    while index >= 0:
        yield index
        index = text.find(piece, index + len(piece))


def _nearest(piece: str, text: str, target: float) -> int:
    """Of `_occurrences(piece, text)`, the first of those nearest `target`, or -1: the two around it,
    found from it (listing every occurrence for each problem was quadratic: 10,000 problems of a
    long thread took minutes). A piece that may overlap itself is looked for as _occurrences does."""
    if any(piece[:k] == piece[-k:] for k in range(1, len(piece))):
        found = list(_occurrences(piece, text))
        return min(found, key=lambda i: abs(i - target)) if found else -1
    before = text.rfind(piece, 0, int(target) + len(piece))  # the last that starts at or before target
    after = text.find(piece, int(target) + 1)  # the first that starts after it
    candidates = [i for i in (before, after) if i >= 0]
    return min(candidates, key=lambda i: (abs(i - target), i)) if candidates else -1


@dataclass(frozen=True)
class Part:
    text: str
    length: int
    limit: int | None
    facets: tuple = ()


@dataclass(frozen=True)
class Rendered:
    post: str
    account: str
    platform: str
    parts: tuple[Part, ...]
    media: tuple[MediaRef, ...]
    link: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    title: str = ""
    languages: tuple[str, ...] = ()  # BCP 47 tags from the front matter
    content_warning: str | None = None  # only for networks that show one (Platform.content_warnings)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.parts)

    def as_json(self) -> dict:
        return {
            "account": self.account,
            "platform": self.platform,
            "parts": [{"text": p.text, "length": p.length, "limit": p.limit} | ({"facets": list(p.facets)} if p.facets else {})
                      for p in self.parts],
            "media": [{"file": m.file, "alt": m.alt} | ({"cover": m.cover} if m.cover is not None else {})
                      for m in self.media],
            "link": self.link,
        }


class _LinkTargets(HTMLParser):
    """The `href` of each `<a>` and `src` of each `<img>` in HTML, as a browser's tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        self.targets += [value or "" for name, value in attrs if name == wanted]

    @classmethod
    def of(cls, text: str) -> list[str]:
        parser = cls()
        htmlfeed.feed_start_tags(parser, text, frozenset(("a", "img")))
        return parser.targets


class Renderer:
    """Renders posts for the accounts of one repository; templates compile once."""

    def __init__(self, root: Path, config: Config, brand: Brand, limits: Mapping[str, int] | None = None) -> None:
        """`limits`: the text limits the networks report, by account (default: asked now, before rendering)."""
        self.root = root
        self.config = config
        self.brand = brand
        self.templates = Templates(root)
        self.limits = reported_limits(config.accounts) if limits is None else limits
        self.media_verdicts: dict[str, tuple] = {}  # media file → whether a network could be given it (media_checks)
        self.media_asked: set[str] = set()  # every file asked of media_verdicts since the caller last emptied it
        self.recent: dict[tuple, object] = {}  # the last results of `once`

    def once(self, key: tuple, make: Callable[[], T]) -> T:
        """`make()`, made once for the accounts that ask with the same `key` (all that `make` reads): the
        accounts a post goes to share its text (see _Job.stand_in), so the last results are kept."""
        if key not in self.recent:
            if len(self.recent) >= 64:
                self.recent.clear()
            self.recent[key] = make()
        return self.recent[key]

    def render(self, post: Post, account_name: str) -> Rendered:
        account = self.config.accounts[account_name]
        platform = platform_class(account.platform)
        job = _Job(self, post, account_name, platform)
        return job.run()


class _Job:
    """One post for one account; collects diagnostics as it goes."""

    def __init__(self, renderer: Renderer, post: Post, account: str, platform: type[Platform]) -> None:
        self.r = renderer
        self.post = post
        self.account = account
        self.options = renderer.config.accounts[account].options
        self.platform = platform
        self.view = post.for_account(account)
        self.found: list[Diagnostic] = []
        self.elements: list[str] = []  # the network's own markup for mentions, kept aside while rendering
        self.stand_ins: dict[str, str] | None = {}  # value → its stand-in (None: the text has one already)
        self.shown: dict[str, tuple] = {}  # text → the network's shorten_links of it
        self.counts: dict[tuple[bool, str], int] = {}  # (cost?, shown text) → its count
        self.cost_differs = getattr(platform.cost, "__func__", None) is not Platform.cost.__func__  # from `length`

    def problem(self, path, rule: str, message: str, hint: str | None = None, at: tuple | None = None) -> None:
        self.found.append(Diagnostic.at(self.post.file, at or self.post.at(path), ERROR, rule, f"{self.account}: {message}", hint))

    # -- where text came from, for positions -------------------------------------

    def position_in_source(self, snippet: str, near: float = 0.0) -> tuple:
        """Line and column of `snippet` in the post's source; of its occurrences, the one nearest
        the fraction `near` of the text (rendering shifts positions, repeated text repeats)."""
        text, path = self.view.text, self.view.text_path
        if path:
            return self.post.at(path)
        for size in (24, 12, 6, 3):
            piece = snippet[:size].strip()
            index = _nearest(piece, text, near * len(text)) if piece else -1
            if index >= 0:
                line = self.post.body_line + text.count("\n", 0, index)
                return line, index - (text.rfind("\n", 0, index) + 1) + 1, None
        return self.post.body_line, 1, None

    def account_index(self) -> int:
        accounts = self.post.accounts
        return accounts.index(self.account) if self.account in accounts else 0

    # -- the pipeline --------------------------------------------------------------

    def run(self) -> Rendered:
        flavor = self.platform.markup
        text = self.markdown_source()
        if self.stand_ins and ("]:" in text or self.has_own_stand_in(text)):  # a reference definition could name a handle
            self.stand_ins, self.elements, self.found = None, [], []  # (nor when the text has one of its own)
            text = self.markdown_source()
        utm = self.utm()
        link = self.view.link
        if link and utm:
            link = utm_tag(link, **utm)
        renderings = [self.put_back(markup.convert(s, flavor)) for s in text.split(SPLIT_MARKER) if s.strip()]
        self.check_links([target for r in renderings for target in r.refused_links])
        segments = [r.text for r in renderings] or [""]
        joiner = f"\n\n{SPLIT_MARKER}\n\n" if self.threaded() else "\n\n"
        body = joiner.join(segments)
        full = self.apply_template(body, link)
        if self.platform.markup in HTML_FLAVORS:
            self.check_template_links(full)
        full = self.restore_elements(self.platform.finalize(full))
        if flavor == "article":
            full = self.article(full)
        media_refs = media_checks.check_media(self)
        parts = self.fit(full, bool(media_refs))
        languages = tuple(published(self.post.meta.get("languages")) or ())
        return Rendered(self.post.id, self.account, self.platform.name, tuple(parts), tuple(media_refs),
                        link, tuple(self.found), self.post.title, languages, self.content_warning())

    def markdown_source(self) -> str:
        """The post's text as Markdown is given it: comments out, mentions resolved, links UTM-tagged."""
        text = self.resolve_mentions(self.without_comments())
        utm = self.utm()
        if utm:
            utm["source"] = self.stand_in(utm["source"], _INERT_SOURCE)
            text = self.r.once(("utm", text, repr(sorted(utm.items()))), lambda: tag_all(text, **utm))
        return text

    def stand_in(self, value: str, inert: re.Pattern) -> str:
        """What Markdown is given in place of `value`: the same for every account, when `inert` says it may be."""
        if self.stand_ins is None or not inert.fullmatch(value):
            return value
        if value not in self.stand_ins:
            index = len(self.stand_ins)
            letters = "".join(chr(97 + index // 26 ** k % 26) for k in (2, 1, 0))  # fixed width: no stand-in prefixes another
            self.stand_ins[value] = ("@" if value.startswith("@") else "") + _STAND_IN + letters
        return self.stand_ins[value]

    def has_own_stand_in(self, text: str) -> bool:
        """Whether `text` (given the stand-ins) has a stand-in of its own (asked once for the accounts that share it)."""
        tokens = "|".join(self.stand_ins.values())
        return self.r.once(("own stand-in", text, tokens), lambda: _STAND_IN in re.sub(tokens, "", text).lower())

    def put_back(self, rendering: markup.Rendering) -> markup.Rendering:
        """The rendering with each stand-in replaced by its value."""
        if not self.stand_ins:
            return rendering
        text, refused = rendering.text, list(rendering.refused_links)
        for value, token in self.stand_ins.items():
            text = text.replace(token, value)
            refused = [target.replace(token, value) for target in refused]
        return markup.Rendering(text, tuple(refused))

    def without_comments(self) -> str:
        """The source text without HTML comments: they are for the repository, never published."""
        text, path = self.view.text, self.view.text_path
        stripped, unclosed = self.r.once(("comments", text), lambda: markup.strip_comments(text))
        if unclosed is not None:
            self.same_for_all(path, "render.unclosed-comment", "`<!--` is never closed, so it would be published as text",
                              "end the comment with `-->`, or write `&lt;!--` to show it", self.at_offset(unclosed))
        return stripped

    def check_links(self, refused: list[str]) -> None:
        for target in refused:
            self.same_for_all((), "render.unsafe-link", f"link target `{target}` is not published: only http(s) "
                              "and mailto links leave the repository, so only its text is shown",
                              "write the full address, e.g. `https://example.com/page`", self.position_in_source(target))

    def check_template_links(self, markup_text: str) -> None:
        """A template's own `<a href>` or `<img src>` may not lead anywhere but http(s) or mailto either
        (an article's images may be repository files: they are uploaded, and checked as such)."""
        template = self.r.templates.get(self.platform)
        if isinstance(template, Diagnostic):
            return
        is_article = self.platform.markup == "article"
        uploaded = None  # an article's images, read when a target does not leave
        for target in _LinkTargets.of(markup_text):
            if leaves_safely(target) or is_article and target.startswith("#"):  # footnotes: made text
                continue
            if is_article:
                uploaded = set(article.image_sources(markup_text)) if uploaded is None else uploaded
            if not (uploaded and target in uploaded and markup.is_local_image(target)):
                self.found.append(Diagnostic(
                    f"{TEMPLATES_DIR}/{template.name}", 1, 1, ERROR, "render.unsafe-link",
                    f"template {template.name} links to `{target}` for {self.post.file}: only http(s) and mailto "
                    "links leave the repository", "link only to `https://…` or `mailto:` addresses"))

    def same_for_all(self, path, rule: str, message: str, hint: str, at: tuple) -> None:
        """A problem of the post's text itself, reported once whatever the account."""
        self.found.append(Diagnostic.at(self.post.file, self.post.at(path) if path else at, ERROR, rule, message, hint))

    def at_offset(self, offset: int) -> tuple:
        """Line and column of an offset into the body."""
        body = self.post.body
        return (self.post.body_line + body.count("\n", 0, offset), offset - (body.rfind("\n", 0, offset) + 1) + 1, None)

    def threaded(self) -> bool:
        return self.post.meta.get("thread") == "auto" and self.platform.threads_for(self.options)

    def resolve_mentions(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            handle = self.r.brand.handle(match.group(1), self.account, self.platform.name)
            if handle is None and self.r.brand.handles_broken:  # the file counts as empty: its error is the post's
                self.found.append(self.r.brand.handles_broken)  # too (never sent with the bare name), reported once
                return match.group(1)
            if handle is None:
                at = self.position_in_source(match.group())
                self.problem((), "render.mention", f"no handle for `{match.group()}` on {self.platform.label}",
                             f"add `{match.group(1)}: {{{self.platform.name}: ...}}` (or `default:`) to brand/handles.yml",
                             at=at)
                return match.group(1)
            element = self.platform.element(handle)
            if element is None:
                after_space = match.start() == 0 or match.string[match.start() - 1].isspace()
                return self.stand_in(handle, _INERT_HANDLE) if after_space else handle
            self.elements.append(element)
            return f"{_ELEMENT[0]}{len(self.elements) - 1}{_ELEMENT[1]}"
        return HANDLE.sub(replace, text)

    def restore_elements(self, text: str) -> str:
        """The network's own markup for the mentions `resolve_mentions` kept aside."""
        def restore(match: re.Match) -> str:  # a mark the author typed is left as it is
            index = int(match.group(1))
            return self.elements[index] if index < len(self.elements) else match.group()
        return re.sub(f"{_ELEMENT[0]}([0-9]+){_ELEMENT[1]}", restore, text)

    def utm(self) -> dict | None:
        settings = self.r.config.utm
        if settings.get("enabled", True) is False or self.options.get("utm") is False:
            return None
        return {"source": self.platform.name, "medium": settings.get("medium", "social"),
                "campaign": self.post.meta.get("campaign"), "domains": settings.get("domains")}

    def hashtags(self, body: str) -> list[str]:
        """The hashtags to add: `+set` entries expanded (smm.workspace.hashtags), those already in the
        text left out, and the ones from sets cut to what the account's cap leaves room for."""
        sets = self.r.brand.hashtag_sets
        tags, unknown = expand(self.view.hashtags, sets)
        for index, name in unknown:
            self.found.append(unknown_set(self.post.file, self.post.at(self.view.hashtags_path + (index,)), name, sets))
        in_text = hashtags(body)
        present = {t.casefold() for t in in_text}
        tags = [t for t in tags if hashtag(t.text).casefold() not in present]
        limit = self.hashtag_limit()
        return [hashtag(t.text) for t in capped(tags, None if limit is None else max(0, limit - len(in_text)))]

    def hashtag_limit(self) -> int | None:
        return self.options.get("hashtag_limit", self.platform.max_hashtags)

    def apply_template(self, body: str, link: str | None) -> str:
        tags = self.hashtags(body)
        markup = self.platform.markup in HTML_FLAVORS
        if link and (link in body or (markup and html.escape(link) in body)):
            link = None
        context = {  # in an HTML template everything but the (already HTML) text is escaped on output
            "text": Markup(body) if markup else body, "link": link, "hashtags": tags,
            "hashtag_placement": self.r.brand.hashtag_placement, "title": self.post.title,
            "account": self.account, "platform": self.platform.name,
        }
        result = self.r.templates.render(self.platform, context, len(body), self.post.file, lambda: {"post": {
            k: published(v) for k, v in self.post.meta.items() if isinstance(v, (str, int, float, bool, list))}})
        if isinstance(result, Diagnostic):
            self.found.append(result)
            return body
        return result.strip()

    def article(self, body: str) -> str:
        """The article as sent (smm.render.article), with what WeChat needs checked: a cover
        (the first `media`, else the account's `cover`) and the images it uploads from the body."""
        built = article.build(body, article.theme_of(self.r.brand.theme))
        cover = self.options.get("cover")
        if not self.view.media and not cover and not self.post.meta.get("draft"):  # a draft may wait for one
            self.problem(self.view.media_path or ("platforms", self.account_index()), "media.none",
                         f"{self.platform.label} articles need a cover image; this one has none",
                         f"add `media:` (the first image is the cover), or give `{self.account}` a `cover` in platforms.yml")
        elif not self.view.media and cover:
            media_checks.check_file(self, cover, self.platform.media,
                                    lambda: self.post.at(("platforms", self.account_index())), "cover ")
        for source in article.image_sources(built):
            if markup.is_local_image(source):
                media_checks.check_file(self, source, self.platform.article_images,
                                        lambda source=source: self.position_in_source(source), "image ")
            else:
                self.problem((), "render.external-image", f"image `{source}`: {self.platform.label} removes images "
                             "it does not host", "save it in the repository (e.g. content/media/) and write its path: "
                             "smm uploads it", at=self.position_in_source(source))
        return built

    def content_warning(self) -> str | None:
        return published(self.post.meta.get("content_warning")) or None if self.platform.content_warnings else None

    def fit(self, text: str, with_media: bool) -> list[Part]:
        limit = self.platform.limit_for(self.options, with_media, self.r.limits.get(self.account))
        warning = self.content_warning()
        if limit and warning:  # the warning counts toward each status
            limit -= self.platform.length(warning)

        def cost(piece: str) -> int:  # links as the network shows them, part by part
            return self.count(self.shorten(piece)[0], cost=True)

        bounds = bounds_for(self.platform)  # a thread's parts are counted only where these do not settle it
        if SPLIT_MARKER in text or (limit and self.threaded() and not fitting(cost, bounds)(text, limit)):
            try:
                pieces = split(text, limit or 10**9, cost, self.r.brand.thread_numbering, bounds,
                               html=self.platform.markup in HTML_FLAVORS)
            except ValueError as exc:
                self.problem((), "render.unsplittable", f"{exc}")
                pieces = [t.strip() for t in text.split(SPLIT_MARKER)]
        else:
            pieces = [text]
        parts = []
        for piece in pieces:
            shown, links = self.shorten(piece)
            parts.append(Part(shown, self.count(shown), limit, tuple(self.platform.facets(shown, links))))
        for index, part in enumerate(parts):
            self.check_part(part, index, len(parts))
        self.check_counts(text)  # hashtags and mentions over the whole post (links: per part, in check_part)
        return parts

    def shorten(self, text: str) -> tuple[str, tuple]:
        if text not in self.shown:
            self.shown[text] = self.platform.shorten_links(text)
        return self.shown[text]

    def count(self, shown: str, cost: bool = False) -> int:
        """The network's `length` (or `cost`) of shown text, counted once however often fitting, splitting
        and checking ask (numbering re-packs; each part is measured as a candidate and again as a part)."""
        cost = cost and self.cost_differs
        if (cost, shown) not in self.counts:
            self.counts[cost, shown] = self.platform.cost(shown) if cost else self.platform.length(shown)
        return self.counts[cost, shown]

    def check_part(self, part: Part, index: int, total: int) -> None:
        which = f"part {index + 1}/{total} " if total > 1 else ""
        if part.limit and part.length > part.limit:  # another limit it is over (Bluesky's bytes): extra_problems says so
            offset = first_overflow(part.text, part.limit, self.platform.length) or 0
            snippet = part.text[offset:offset + 24]
            hint = None
            if self.platform.threads_for(self.options) and self.post.meta.get("thread") != "auto":
                hint = "add `thread: auto` to publish it as a thread, or shorten it"
            elif not self.platform.threads_for(self.options):
                hint = f"shorten it, or give `{self.account}` its own text under `overrides`"
            self.problem((), "render.too-long",
                         f"{which}text is {part.length} {self.platform.unit}, over the limit of {part.limit} "
                         f"by {part.length - part.limit}; it overflows at “{snippet.strip()}”",
                         hint, at=self.position_in_source(snippet, offset / max(1, len(part.text))))
        if self.platform.max_links is not None:  # each part is a post of its own; a URL written twice is one link
            links = len(set(urls(part.text)))
            if links > self.platform.max_links:
                self.problem((), "render.too-many-links",
                             f"{which}{links} links; {self.platform.label} allows {self.platform.max_links}")
        if not part.text and self.post.meta.get("draft"):
            return  # a draft may be empty (`smm new` writes one); un-drafted, `post.empty-body` says so
        for message in self.platform.extra_problems(part.text):
            self.problem((), "render.too-long", f"{which}{message}")

    def check_counts(self, text: str) -> None:
        for rule, message, hint, snippet in self.platform.account_problems(text, self.options):
            at = self.position_in_source(snippet) if snippet else None  # else the link, or the account in `platforms`
            self.problem(self.view.link_path or ("platforms", self.account_index()), rule, message, hint, at)
        title_limit = self.platform.title_limit
        if title_limit is not None and self.platform.title_length(self.post.title) > title_limit:
            self.problem(("title",), "render.title-too-long",
                         f"the title counts {self.platform.title_length(self.post.title)} as {self.platform.label} "
                         f"counts it; its limit is {title_limit}", "`title` is what the network shows as the title")
        if self.platform.max_mentions is not None:
            tagged = len(mentions(text))
            if tagged > self.platform.max_mentions:
                self.problem((), "render.too-many-mentions",
                             f"{tagged} @mentions; {self.platform.label} allows {self.platform.max_mentions}")
        limit = self.hashtag_limit()
        if limit is not None:
            tags = len(hashtags(text))
            if tags > limit:
                who = "the account's `hashtag_limit`" if "hashtag_limit" in self.options else self.platform.label
                self.problem(self.view.hashtags_path or ("hashtags",), "render.too-many-hashtags",
                             f"{tags} hashtags; {who} allows {limit}")
