"""The HTML preview's cards: one per account, looking roughly like the network shows a post.

Everything from posts and templates is escaped or passed through an allow-list (`safe_html`);
pictures are inlined once each (`Images`) for the page's stylesheet to show by class.
"""

from __future__ import annotations

import base64
import bisect
import functools
import html
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from smm.content.media import inspect
from smm.content.tokens import MENTION, NOT_BEFORE_HASHTAG, URL
from smm.pages import visible
from smm.platforms import platform_class, registry
from smm.render import htmlfeed
from smm.workspace.files import inside, open_regular

if TYPE_CHECKING:  # the renderer itself (Markdown and all) is not needed to draw a card
    from smm.render.rendered import Rendered

_INLINE_IMAGE_BYTES = 512 * 1024
NO_ALT = "no alt text"  # a picture's name when its alt text is missing or blank


def fits(rendered: Rendered) -> bool:
    return not any(d.is_error for d in rendered.diagnostics)


# Links, hashtags and mentions: each pattern alone (its literal first: `re` skips to it at once), the
# matches merged as one alternation of the three finds them (tests/test_cards_fast.py: the same spans)
_TOKENS = (("url", URL), ("tag", re.compile(rf"#(?<!{NOT_BEFORE_HASHTAG}#)\w+")),
           ("mention", re.compile(rf"@(?<![\w@/]@){MENTION.pattern.removeprefix('@')}")))


def plain_tokens(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, token) of each link, hashtag and mention in the text, left to right, none
    overlapping: what `(?P<url>URL)|(?P<tag>HASHTAG)|(?P<mention>MENTION)` finds (no two start alike)."""
    heads = [[pattern.search(text), kind, pattern] for kind, pattern in _TOKENS]
    spans: list[tuple[int, int, str, str]] = []
    while True:
        found = [head for head in heads if head[0] is not None]
        if not found:
            return spans
        match, kind, _ = min(found, key=lambda head: head[0].start())
        spans.append((match.start(), match.end(), kind, match.group()))
        end = match.end()
        for head in found:  # a token starting inside this one: search again after it
            if head[0].start() < end:
                head[0] = head[2].search(text, end)


class Images:
    """The page's inlined images, each embedded once in a `<style>` rule and shown by class
    wherever a card uses it (three accounts with one photo: its bytes once, not three times)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.shown: dict[str, tuple[str, str]] = {}  # file → (class, why not shown)
        self.rules: list[str] = []

    def use(self, file: str) -> tuple[str, str]:
        """(CSS class, "") for an image shown in this preview, else ("", why not)."""
        if file not in self.shown:
            uri, why = self._data_uri(file)
            name = f"img-{len(self.rules) + 1}" if uri else ""
            if uri:
                self.rules.append(f'.{name}{{background-image:url("{uri}")}}')
            self.shown[file] = (name, why)
        return self.shown[file]

    def rules_css(self) -> str:
        """The CSS rules that show the images used so far."""
        return "".join(self.rules)

    def _data_uri(self, file: str) -> tuple[str, str]:
        path, reason = inside(self.root, file)
        if reason:
            return "", reason
        info = inspect(path)
        if info.problem:
            return "", info.problem
        if info.size > _INLINE_IMAGE_BYTES:
            return "", f"over {_INLINE_IMAGE_BYTES // 1024} KiB: not inlined in this preview"
        if not re.fullmatch(r"image/[a-z0-9.+-]+", info.mime):
            return "", f"{info.mime}: not shown in this preview"
        try:
            with open_regular(path) as handle:
                data = handle.read(_INLINE_IMAGE_BYTES + 1)
        except OSError as exc:
            return "", f"cannot be read: {exc.strerror or exc}"
        return f"data:{info.mime};base64,{base64.b64encode(data).decode()}", ""


# -- HTML from the renderer (the feed, WeChat, Telegram): rendered through an allow-list ---------------

_BLOCK_TAGS = {"p", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure",
               "figcaption", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "div"}
_INLINE_TAGS = {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "span", "br", "sub", "sup",
                "mark", "small", "abbr", "q", "cite", "kbd", "tg-spoiler", "tg-emoji"}
_VOID_TAGS = {"br", "hr"}
_LINK_SCHEMES = ("http://", "https://", "mailto:")  # a link the cards keep; any other is shown as text


class _AllowList(HTMLParser):
    """HTML → HTML with only allowed tags and no attribute but a checked link target.

    Anything else (script, style, iframe, event handlers, javascript: links) is shown as
    escaped text in red, so that the reviewer sees what the template or post produced.
    """

    def __init__(self, allowed: set[str], linkify: str | None = None, styles: bool = False,
                 images: Images | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.images = images  # shows an image of a repository file (an article's), else a placeholder
        self.allowed = allowed
        self.linkify = linkify
        self.styles = styles  # keep `style` attributes (an article's look is in them)
        self.out: list[str] = []
        self.open: list[str] = []
        self.refused: list[str] = []

    def _raw(self, text: str, tag: str | None = None) -> None:
        if tag and tag not in self.refused:
            self.refused.append(tag)
        self.out.append(f'<code class="raw">{html.escape(text)}</code>')

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "img":
            alt = values.get("alt") or ""
            shown = self.images.use(values.get("src") or "")[0] if self.images and values.get("src") else ""
            if shown:
                label = html.escape(visible(alt, NO_ALT))
                self.out.append(f'<span class="shot inline {shown}" role="img" aria-label="{label}"></span>')
                return
            self.out.append(f'<span class="imgph">[image{": " + html.escape(alt) if alt else ""}]</span>')
            return
        if tag not in self.allowed:
            self._raw(self.get_starttag_text() or f"<{tag}>", tag)
            return
        name, extra = tag, ""
        if tag == "a":
            href = (values.get("href") or "").strip()
            if href.lower().startswith(_LINK_SCHEMES):
                extra = f' href="{html.escape(href)}"'
            elif href:
                self._raw(f'href="{href}"', "a href")
        elif tag in ("tg-spoiler", "span"):
            name, extra = "span", ' class="spoiler"' if tag == "tg-spoiler" or values.get("class") == "tg-spoiler" else ""
        elif tag == "tg-emoji":
            name = "span"
        if self.styles and values.get("style") and "class" not in extra:
            extra += f' style="{html.escape(values["style"])}"'
        self.out.append(f"<{name}{extra}>")
        if tag not in _VOID_TAGS:
            self.open.append(name)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS and tag in self.allowed:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "img" or tag in _VOID_TAGS:
            return
        if tag not in self.allowed:
            self._raw(f"</{tag}>", tag)
            return
        name = "span" if tag in ("tg-spoiler", "tg-emoji") else tag
        if name in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == name:
                    break

    def handle_data(self, data: str) -> None:
        if self.linkify and "a" not in self.open and "code" not in self.open and "pre" not in self.open:
            self.out.append(rich_text(data, self.linkify))
        else:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        self._raw(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._raw(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self._raw(f"<?{data}>")

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))


def safe_html(markup: str, allowed: set[str] = _BLOCK_TAGS | _INLINE_TAGS, linkify: str | None = None,
              styles: bool = False, images: Images | None = None) -> tuple[str, list[str]]:
    """`markup` through the allow-list; also the names of the refused tags.

    With `linkify` (a platform name), links, hashtags and mentions in the text are marked
    up as that network does it by itself (Telegram); with `styles`, `style` attributes are
    kept (the page's Content-Security-Policy still fetches nothing they name); with `images`, an
    image of a repository file is shown.
    """
    if not linkify and (kept := _kept_as_written(markup, allowed, styles)) is not None:
        return kept, []
    parser = _AllowList(allowed, linkify, styles, images)
    htmlfeed.feed(parser, markup, allowed | {"img"})  # refused tags are shown as written: html.parser's text
    return parser.result(), parser.refused


# Text whose characters and references (`&amp;`, `&lt;`, `&gt;`) `_AllowList` writes back as they are, then
# a start tag (lower case, at most one double-quoted `style` or `href` attribute with no `<`, `>`, `"` and no
# reference but `&amp;`), an end tag, or the end of the markup: the HTML smm's renderer writes
_KEPT_PIECE = re.compile(r'([^<>&]*(?:&(?:amp|lt|gt);[^<>&]*)*)'
                         r'(?:<(?:([a-z][a-z0-9]*)(?: (style|href)="([^<>&"]*(?:&amp;[^<>&"]*)*)")?|/([a-z][a-z0-9]*))>|\Z)')
_NOT_KEPT = frozenset({"img", "span", "tg-spoiler", "tg-emoji"})  # tags `_AllowList` writes otherwise


def _kept_as_written(markup: str, allowed: set[str], styles: bool) -> str | None:
    """What `_AllowList` (without `linkify`) makes of markup that is only text it keeps and allowed tags
    closed in order (`<a>` with a kept link), with nothing refused; None: anything else (its parser decides)."""
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    while piece := _KEPT_PIECE.match(markup, position):
        text, name, attribute, value, end_name = piece.groups()
        out.append(text)
        position = piece.end()
        if end_name is not None:
            if not open_tags or open_tags[-1] != end_name:
                return None
            out.append(f"</{open_tags.pop()}>")
        elif name is not None:
            if name not in allowed or name in _NOT_KEPT:
                return None
            value = html.unescape(value) if value else value
            if name == "a":
                href = (value or "").strip()
                if attribute != "href" or not href.lower().startswith(_LINK_SCHEMES):
                    return None
                out.append(f'<a href="{html.escape(href)}">')
            else:
                out.append(f'<{name} style="{html.escape(value)}">' if styles and attribute == "style" and value
                           else f"<{name}>")
            if name not in _VOID_TAGS:
                open_tags.append(name)
        else:  # the end of the markup
            return "".join(out) + "".join(f"</{name}>" for name in reversed(open_tags))
    return None


# -- plain text: escaped, with links, hashtags and mentions shown as the network shows them --------


def network_style() -> str:
    """Each network's colours (`Platform.display`), as classes of the card."""
    out = []
    for name, cls in sorted(registry().items()):
        look = cls.display
        out.append(f".net-{name}{{--c:{look.accent};--ink:{look.ink}}}")
        out += [f".net-{name} .avatar{{border-radius:8px}}"] if look.square_avatar else []
    return "".join(out)


def _shown_link(url: str, platform: str) -> str:
    room = platform_class(platform).display.link_chars
    if room is None:
        return url
    bare = re.sub(r"^https?://(www\.)?", "", url)
    return bare if len(bare) <= room else bare[:room] + "…"


def _link(url: str, shown: str) -> str:
    e = html.escape
    if not url.lower().startswith(("http://", "https://")):
        return f"<span class=\"tag\">{e(shown)}</span>"
    return f'<a href="{e(url)}">{e(shown)}</a>'  # the browser shows the full address on hover


def _spans_from_facets(text: str, facets) -> list[tuple[int, int, str, str]]:
    """Bluesky facets (UTF-8 byte offsets) → (start, end, kind, target) in characters."""
    chars_before = _chars_before(text)
    spans = []
    for facet in facets:
        try:
            index, feature = facet["index"], facet["features"][0]
            start, end = chars_before(index["byteStart"]), chars_before(index["byteEnd"])
        except (KeyError, IndexError, TypeError):
            continue
        kind = str(feature.get("$type", "")).rsplit("#", 1)[-1]
        spans.append((start, end, kind, str(feature.get("uri") or "")))
    spans.sort()
    return [s for i, s in enumerate(spans) if i == 0 or s[0] >= spans[i - 1][1]]


def _chars_before(text: str):
    """A function: byte offset into the text's UTF-8 → the characters wholly before it, as
    `len(data[:offset].decode("utf-8", "ignore"))` counts them (a negative offset from the end), in
    a search of each character's end (decoding the text before each facet was quadratic)."""
    size = len(text.encode("utf-8"))
    ends = None if len(text) == size else list(itertools.accumulate(map(len, map(str.encode, text))))

    def chars_before(offset: int) -> int:
        if not isinstance(offset, int):
            raise TypeError(offset)
        offset = min(max(0, size + offset if offset < 0 else offset), size)
        return offset if ends is None else bisect.bisect_right(ends, offset)
    return chars_before


def rich_text(text: str, platform: str, facets=()) -> str:
    """Escaped text with links, hashtags and mentions marked up (links as the network displays them)."""
    e = html.escape
    if facets:
        spans = _spans_from_facets(text, facets)
    else:
        spans = plain_tokens(text)
    out, position = [], 0
    for start, end, kind, target in spans:
        out.append(e(text[position:start]))
        piece = text[start:end]
        if kind in ("url", "link"):
            out.append(_link(target, _shown_link(piece, platform) if kind == "url" else piece))
        elif kind == "mention":
            out.append(f'<span class="mention">{e(piece)}</span>')
        else:
            out.append(f'<span class="tag">{e(piece)}</span>')
        position = end
    out.append(e(text[position:]))
    return "".join(out)


def _body(part, platform, images: Images | None = None, lang: str = "") -> tuple[str, list[str]]:
    """The text of one part as the network shows it, and the tags refused from its HTML (`lang`: its
    ` lang="…"` attribute, or "")."""
    if platform.markup == "html":
        body, refused = safe_html(part.text)
        return f'<div class="text html-body"{lang}>{body}</div>', refused
    if platform.markup == "article":  # as a phone shows it: the article's own inline styles
        body, refused = safe_html(part.text, _BLOCK_TAGS | _INLINE_TAGS | {"section"}, styles=True, images=images)
        return (f'<div class="phone" tabindex="0" role="region" aria-label="article">'  # it scrolls: keyboard too
                f'<div class="text html-body article"{lang}>{body}</div></div>', refused)
    if platform.markup == "telegram":
        body, refused = safe_html(part.text, _INLINE_TAGS | {"pre", "blockquote"}, linkify=platform.name)
        return f'<div class="text"{lang}>{body}</div>', refused
    text = part.text
    if platform.markup == "slack":
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return f'<div class="text"{lang}>{rich_text(text, platform.name, part.facets)}</div>', []


def _counter(part, platform) -> str:
    return _count_line(part.length, part.limit, platform.unit, platform.unit_lang)


@functools.lru_cache(maxsize=4096)
def _count_line(length: int, limit: int | None, unit: str, unit_lang: str) -> str:
    """A part's counter (ten thousand pages show a few thousand lengths: each drawn once)."""
    e = html.escape
    unit = e(unit) if unit_lang == "en" else f'<span lang="{unit_lang}">{e(unit)}</span>'
    if not limit:
        return f'<div class="count">{length:,} {unit} · no limit</div>'
    over = length > limit
    share = min(length / limit, 1) * 100 if limit else 0
    note = f" · over by {length - limit:,}" if over else f" · {limit - length:,} left"
    return (f'<div class="count{" over" if over else ""}"><span class="meter"><i style="width:{share:.0f}%"></i></span>'
            f"{length:,}/{limit:,} {unit}{note}</div>")


def _media(images: Images, r: Rendered, lang: str | None = None) -> str:
    """The card's pictures; `lang`: the language of their alt texts (the post's)."""
    if not r.media:
        return ""
    marked = not_english(lang)
    return ('<div class="media">' + "".join(_figure(m.file, m.alt, *images.use(m.file), marked) for m in r.media)
            + "</div>")


def not_english(lang: str | None) -> str:
    """` lang="…"` for the repository's text inside a card (whose own words are `en`) in another language, else ""."""
    return f' lang="{html.escape(lang)}"' if lang and lang != "en" else ""


@functools.lru_cache(maxsize=1024)
def _figure(file: str, alt: str | None, name: str, why: str, marked: str = "") -> str:
    """One picture of a card (`name`: its class, else `why` it is not shown; `marked`: the alt text's
    ` lang` attribute, not_english()); pages share pictures."""
    e = html.escape
    alt = visible(alt, "")
    shown = (f'<div class="shot {name}" role="img"{marked if alt else ""} aria-label="{e(alt or NO_ALT)}"></div>'
             if name else f'<div class="file">{e(file)}<br>({e(why)})</div>')
    caption = (f'<figcaption><b>ALT</b><span{marked}>{e(alt)}</span></figcaption>' if alt and marked
               else f'<figcaption><b>ALT</b>{e(alt)}</figcaption>' if alt
               else f'<figcaption class="missing">{NO_ALT}</figcaption>')
    return f'<figure title="{e(file)}">{shown}{caption}</figure>'


@functools.lru_cache(maxsize=256)
def _head(platform: str, label: str, title: str, account: str, bad: bool, title_lang: str | None = None) -> str:
    """A card's start and header (an account's cards on ten thousand pages: drawn once)."""
    e = html.escape
    marked = not_english(title_lang)
    return (f'<article class="card net-{e(platform)}{" bad" if bad else ""}">'
            f'<header><span class="avatar">{e((title.strip() or "?")[0].upper())}</span>'
            f'<span class="who"><b{marked}>{e(title)}</b><small>{e(account)}</small></span>'
            f'<span class="net">{e(label)}</span></header>')


def card(r: Rendered, images: Images, title: str, lang: str | None = None, title_lang: str | None = None) -> str:
    """One account's preview; `lang`: the language of the post's text, marked on it (the card's own
    words, its counters and notes, are English: a page in another language marks the cards `en`);
    `title_lang`: the brand's name's (the brand's language), marked on it unless English."""
    e = html.escape
    marked = f' lang="{e(lang)}"' if lang else ""
    platform = platform_class(r.platform)
    bad = not fits(r)
    out = [_head(r.platform, platform.label, title, r.account, bad, title_lang)]
    if r.content_warning:
        out.append(f'<div class="cw">CW: <span{marked}>{e(str(r.content_warning))}</span></div>')
    many = len(r.parts) > 1
    refused_all: list[str] = []
    out.append(f'<ol class="thread{" many" if many else ""}">')
    for index, part in enumerate(r.parts):
        body, refused = _body(part, platform, images, marked)
        refused_all += [t for t in refused if t not in refused_all]
        number = f'<span class="num" title="part {index + 1} of {len(r.parts)}">{index + 1}</span>' if many else ""
        entry = (f'<div class="entry-title"{marked}>{e(r.title)}</div>'
                 if platform.display.shows_title and index == 0 else "")
        out.append(f'<li class="part">{number}{entry}{body}{_counter(part, platform)}</li>')
    out.append("</ol>")
    if platform.display.shows_title and r.link and r.link not in r.text and e(r.link) not in r.text:
        out.append(f'<div class="part entry-link">link: {rich_text(r.link, platform.name)}</div>')
    out.append(_media(images, r, lang))
    notes = [f"<li>{e(d.message)}" + (f"<small>{e(d.hint)}</small>" if d.hint else "") + "</li>"
             if d.is_error else f'<li class="warn">{e(d.message)}</li>' for d in r.diagnostics]
    if refused_all:
        notes.append('<li class="warn">shown as text, not rendered here: '
                     + ", ".join(f"<code>{e(t)}</code>" for t in refused_all) + "</li>")
    if notes:
        out.append(f'<ul class="problems">{"".join(notes)}</ul>')
    out.append("</article>")
    return "".join(out)


