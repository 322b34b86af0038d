"""Markdown bodies → what each network accepts: plain text, a safe HTML subset, or chat markup.

Markdown is converted once to HTML (Python-Markdown), then walked with an HTML parser
that writes the wanted flavor (the Markdown most posts use is read by quickmark, without
either, to the same). Social text is protected from Markdown's surprises first:
a line starting with `#tag` is a hashtag, not a heading, and raw HTML is shown as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

from smm.content.comments import strip_comments
from smm.content.links import leaves_safely
from smm.platforms.base import FLAVORS  # noqa: F401  (the flavors written here, declared with the platform contract)
from smm.render import htmlfeed, quickmark

# A `#tag` that opens a block: at a line's start, or after the list markers and quote marks before it there
_HASHTAG_LINE = re.compile(r"^(\s*(?:(?:[-+*]|\d+[.)])\s+|>\s*)*)#(?=[^\s#])", re.MULTILINE)
_RAW_TAG = re.compile(r"<(?!https?://)")
_EDGE_SPACE = re.compile(r"^[ \t]|[ \t]$", re.MULTILINE)
# What the article's extensions (fenced_code, tables, footnotes) and its repository images read: a body
# without any is converted as for any other HTML flavor (and that conversion is shared)
_ARTICLE_SYNTAX = re.compile(r"```|~~~|\||\[\^|!\[")
# What makes Markdown read text as more than paragraphs: its syntax characters, a list, quote, heading or
# code line, a setext underline or a rule of dashes, an entity or character reference, and what it changes
# in white space first (tabs, CR, NUL, STX and ETX, white space but spaces and newlines); our own stand-ins.
# Looked for apart (needs_markdown), the syntax characters first: most bodies hold one, and `re` finds a set of
# characters by a quick scan, where one alternation of all tried each branch at each position (six times as slow).
_MARKDOWN_CHARACTERS = re.compile(r"[*_`\[\]<>\\\x00\x02\x03\ufdd0\ufdd1]")
_REFERENCE = re.compile(r"&(?:#|\w+;)")
_OTHER_SPACE = re.compile(r"[^\S \n]")
_MARKDOWN_LINE = re.compile(r"^\s*(?:[-+]|\d+[.)])\s|^\s*>|^ {4}|^\s*#|^ *[-=][-= ]*$", re.MULTILINE)


def needs_markdown(body: str) -> bool:
    """Whether Markdown may read the body as more than paragraphs (see above)."""
    return (_MARKDOWN_CHARACTERS.search(body) is not None or "&" in body and _REFERENCE.search(body) is not None
            or _OTHER_SPACE.search(body) is not None or _MARKDOWN_LINE.search(body) is not None)


# -- links: only http(s) and mailto leave the repository -----------------------------------


def _unwrap(parent: Element, child: Element, text: str) -> None:
    """Replace `child` by `text` and its own children, keeping the text around it."""
    index = list(parent).index(child)
    kids = list(child)
    parent.remove(child)
    parent[index:index] = kids
    before = parent[index - 1] if index else None
    if before is None:
        parent.text = (parent.text or "") + text
    else:
        before.tail = (before.tail or "") + text
    last = kids[-1] if kids else before
    if last is None:
        parent.text = (parent.text or "") + (child.tail or "")
    else:
        last.tail = (last.tail or "") + (child.tail or "")


_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def is_local_image(target: str) -> bool:
    """Whether an image target names a repository file (an article uploads it): no scheme, not absolute."""
    return bool(target.strip()) and not _SCHEME.match(target) and not target.lstrip().startswith(("/", "\\"))


class _SafeLinks(Treeprocessor):
    """Links and images whose target may not leave the repository become their text
    (an image: its alt text); the targets are kept in `md.refused` for `smm check`.
    With `local_images` (articles), an image of a repository file is kept (it is uploaded) and
    so are the links between a footnote and its mark."""

    local_images = False

    def run(self, root: Element) -> None:
        found = [(parent, child) for parent in root.iter() for child in parent if child.tag in ("a", "img")]
        for parent, child in found:
            target = child.get("href" if child.tag == "a" else "src") or ""
            if self.local_images and (child.tag == "img" and is_local_image(target)
                                      or child.get("class") in ("footnote-ref", "footnote-backref")):
                continue
            if not leaves_safely(target):
                self.md.refused.append(target)
                _unwrap(parent, child, (child.get("alt") if child.tag == "img" else child.text) or "")


# Stand-ins (Unicode noncharacters) for a raw `<` and a line's first `#` while Markdown runs: an
# entity or a backslash would be published as written inside code (`a<b` → `a&lt;b`, `\#include`).
_LT, _HASH, _LB, _RB = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
MANY_BRACKETS = 32  # Markdown looks for the `]` of each `[` to the end of its paragraph: quadratic beyond


def _protect(body: str) -> str:
    """Raw HTML shown as text, and a `#tag` opening a line, a list item or a quote kept a hashtag, not a heading."""
    body = body.replace(_LT, "").replace(_HASH, "").replace(_LB, "").replace(_RB, "")
    body = _HASHTAG_LINE.sub(lambda m: m[1] + _HASH, body)
    return _RAW_TAG.sub(_LT, _brackets(body) if body.count("[") > MANY_BRACKETS else body)


def _brackets(body: str) -> str:
    """The `[` no `]` closes, and pairs nested deeper than `[![alt](picture)](link)`, as stand-ins: they
    start no link, and thousands of them took Markdown minutes."""
    chars, opened, escaped = list(body), [], False
    for index, char in enumerate(chars):
        if char == "[" and not escaped:
            opened.append(index)
        elif char == "]" and not escaped and opened:
            start = opened.pop()
            if len(opened) >= 2:
                chars[start], chars[index] = _LB, _RB
        escaped = char == "\\" and not escaped
    for start in opened:
        chars[start] = _LB
    return "".join(chars)


def _restore(markup: str, lt: str) -> str:
    return markup.replace(_LT, lt).replace(_HASH, "#").replace(_LB, "[").replace(_RB, "]")


# Inline patterns and what a source holds wherever they can match (Markdown only removes characters and
# turns tabs into spaces before they run; what they stand in is letters, digits and STX/ETX)
_NEEDS = {"backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "image_link": ("[",),
          "image_reference": ("[",), "short_reference": ("[",), "short_image_ref": ("[",), "footnote": ("[",),
          "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
          "linebreak": ("  ", "\t")}


class _Renderer:
    """One reusable Python-Markdown instance (building one is the slow part)."""

    def __init__(self, *extensions: str, local_images: bool = False) -> None:
        self.md = markdown.Markdown(extensions=["sane_lists", "nl2br", *extensions])
        safe = _SafeLinks(self.md)
        safe.local_images = local_images
        self.md.treeprocessors.register(safe, "safe-links", 5)  # after inline (20)

        self.inline = self.md.treeprocessors["inline"]
        self.patterns: dict[frozenset, Registry] = {}  # by the inline patterns left out

    def html(self, body: str) -> tuple[str, tuple[str, ...]]:
        self.md.reset()
        self.md.refused = []  # an empty text is never parsed
        source = _protect(body)
        self.inline.inlinePatterns = self.inline_patterns(source)
        markup = _restore(self.md.convert(source), "&lt;")
        return markup, tuple(_restore(target, "<") for target in self.md.refused)

    def inline_patterns(self, source: str) -> Registry:
        """Markdown's inline patterns but those that cannot match in `source`: each is tried on every
        piece of text, most of them find nothing in a social post (the same HTML, in half the time)."""
        patterns = self.md.inlinePatterns
        absent = frozenset(name for name, needed in _NEEDS.items()
                           if name in patterns and not any(mark in source for mark in needed))
        if absent not in self.patterns:
            left_out = [patterns[name] for name in absent]
            kept = [pattern for pattern in patterns if all(pattern is not other for other in left_out)]
            self.patterns[absent] = Registry()
            for index, pattern in enumerate(kept):  # in the same order
                self.patterns[absent].register(pattern, f"kept-{index}", len(kept) - index)
        return self.patterns[absent]


_renderer = _Renderer()
_article_renderer = _Renderer("fenced_code", "tables", "footnotes", local_images=True)


@lru_cache(maxsize=32)
def _html(body: str) -> tuple[str, tuple[str, ...]]:
    """The HTML of a body: one conversion for every account a post goes to with the same text."""
    return _renderer.html(body)


@dataclass(frozen=True)
class Rendering:
    text: str
    refused_links: tuple[str, ...] = ()  # link and image targets shown as text, not published as links


def to_html(body: str) -> str:
    """Markdown → HTML for feeds; raw HTML in the body is escaped, not passed through."""
    return convert(body, "html").text


def to_text(body: str, flavor: str = "plain") -> str:
    """Markdown → a network's text flavor (see FLAVORS)."""
    return convert(body, flavor).text


@lru_cache(maxsize=64)
def convert(body: str, flavor: str) -> Rendering:
    """Markdown → a flavor, without comments, with the link targets that may not leave refused
    (the last results kept: the accounts a post goes to often need the same)."""
    body = strip_comments(body)[0]
    if flavor == "article" and not _ARTICLE_SYNTAX.search(body):  # converted as for HTML: that result, shared
        flavor = "html"
    return _converted(body, flavor)


@lru_cache(maxsize=64)
def _converted(body: str, flavor: str) -> Rendering:
    """convert's work, for a body without comments (an article's has the article's own syntax)."""
    if flavor != "article" and not needs_markdown(body) and not (flavor == "html" and _EDGE_SPACE.search(body)):
        return Rendering(_paragraphs(body, flavor))
    found = None if flavor == "article" else _quick(body)
    if found is None:
        return _through_markdown(body, flavor)
    if flavor in ("html", "article"):
        return Rendering(quickmark.to_html(found))
    writer = _TextWriter(flavor)
    htmlfeed.replay(writer, found)
    writer.close()
    return Rendering(writer.result())


@lru_cache(maxsize=32)
def _quick(body: str) -> list[tuple] | None:
    """What an HTML parser reports for the body's HTML, made without Python-Markdown (None: it needs that)."""
    return quickmark.events(body)


def _paragraphs(body: str, flavor: str) -> str:
    """Paragraphs with no Markdown in them (needs_markdown; for HTML no line's edge a space either) as
    Markdown (and for a text flavor _TextWriter) makes them, without either (property test)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    if flavor == "html":
        return "\n".join("<p>" + html.escape(p, quote=False).replace("\n", "<br />\n") + "</p>" for p in paragraphs)
    return _tidy(_escape("\n\n".join(paragraphs), flavor))


def _through_markdown(body: str, flavor: str) -> Rendering:
    """A body without comments → HTML (Python-Markdown), then written as the flavor."""
    article = flavor == "article" and _ARTICLE_SYNTAX.search(body)
    markup, refused = _article_renderer.html(body) if article else _html(body)
    if flavor not in ("html", "article"):
        writer = _TextWriter(flavor)
        htmlfeed.feed(writer, markup)
        writer.close()
        markup = writer.result()
    return Rendering(markup, refused)


def _escape(text: str, flavor: str) -> str:
    """Text as data in the flavor: HTML entities for Telegram, Slack's three for Slack."""
    if flavor == "telegram":
        return html.escape(text, quote=False)
    if flavor == "slack":
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class _TextWriter(HTMLParser):
    """Writes HTML from Python-Markdown as one text flavor."""

    _EMPHASIS = {
        "telegram": {"strong": ("<b>", "</b>"), "b": ("<b>", "</b>"), "em": ("<i>", "</i>"), "i": ("<i>", "</i>"),
                     "code": ("<code>", "</code>"), "del": ("<s>", "</s>")},
        "slack": {"strong": ("*", "*"), "b": ("*", "*"), "em": ("_", "_"), "i": ("_", "_"), "code": ("`", "`"),
                  "del": ("~", "~")},
        "discord": {"strong": ("**", "**"), "b": ("**", "**"), "em": ("*", "*"), "i": ("*", "*"),
                    "code": ("`", "`"), "del": ("~~", "~~")},
    }

    _BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"))

    def __init__(self, flavor: str) -> None:
        super().__init__(convert_charrefs=True)
        self.flavor = flavor
        self.emphasis = self._EMPHASIS.get(flavor, {})  # tag → (before, after)
        self.out: list[str] = []
        self.lists: list[list] = []  # [ordered, counter]
        self.links: list[tuple[str, int]] = []  # (href, position in out)
        self.after_break = False

    def _tail(self) -> str:
        """The last two characters written (fewer: all of them)."""
        tail = ""
        for piece in reversed(self.out):
            tail = piece + tail
            if len(tail) >= 2:
                break
        return tail[-2:]

    def _block_break(self) -> None:
        tail = self._tail()
        if tail and not tail.endswith("\n\n"):
            self.out.append("\n" if tail.endswith("\n") else "\n\n")

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._BLOCKS:
            if not self.lists:
                self._block_break()
            if tag == "hr":
                self.out.append("———")
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._block_break()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            if self._tail() and not self._tail().endswith("\n"):
                self.out.append("\n")
            kind = self.lists[-1] if self.lists else [False, 0]
            kind[1] += 1
            indent = "  " * (len(self.lists) - 1)
            self.out.append(f"{indent}{kind[1]}. " if kind[0] else f"{indent}• ")
        elif tag == "br":
            self.out.append("\n")
            self.after_break = True  # nl2br writes "<br />\n": drop that newline
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))
        elif tag == "img":
            pass
        elif tag in self.emphasis:
            self.out.append(self.emphasis[tag][0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:])
            del self.out[start:]
            self.out.append(self._link(href, label))
        elif tag in self.emphasis:
            self.out.append(self.emphasis[tag][1])

    def _link(self, href: str, label: str) -> str:
        plain_label = html.unescape(label) if self.flavor == "telegram" else label
        same = plain_label.strip() in (href, re.sub(r"^https?://", "", href))
        if self.flavor == "telegram":
            return f'<a href="{html.escape(href)}">{label}</a>'
        if self.flavor == "slack":
            return f"<{href}>" if same else f"<{href}|{label}>"
        if self.flavor == "discord":
            return href if same else f"[{label}]({href})"
        return href if same else f"{label} ({href})"

    def handle_data(self, data: str) -> None:
        if self.after_break and data.startswith("\n"):
            data = data[1:]
        self.after_break = False
        if data and (data.strip() or "\n" not in data):  # newlines between blocks are layout
            self.out.append(_escape(data, self.flavor))

    def result(self) -> str:
        return _tidy("".join(self.out))


def _tidy(text: str) -> str:
    """No spaces before line ends, at most one blank line, no outer white space."""
    if " \n" in text or "\t\n" in text:
        text = re.sub(r"[ \t]+\n", "\n", text)
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
