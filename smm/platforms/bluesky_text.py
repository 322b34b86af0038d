"""Bluesky's rich text as the app makes it: links (bare domains too), mentions, hashtags and
cashtags found as @atproto/api's RichText `detectFacets` finds them, links shown shortened, and
the facets (UTF-8 byte ranges) a post record carries."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import regex

from smm.content import whatwg
from smm.render import counting
from smm.render.bounds import _BLUESKY_MARK, marked_words

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
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_CASHTAG = re.compile(rf"{_LEAD}(\$([A-Za-z][A-Za-z0-9]{{0,4}}))(?=[{_JS_SPACE}.,;:!?)\"'\u2019]|\Z)")
# The lead looked back at from after the `@` (the same matches): `re` then looks for an `@` alone, far faster
_MENTION = re.compile(rf"@(?<![^{_JS_SPACE}(]@)([a-zA-Z0-9.-]+)(?a:\b)")
_LINK = re.compile(rf"{_LEAD}(https?://[^{_JS_SPACE}]+|(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^{_JS_SPACE}]*)",
                   re.IGNORECASE | re.MULTILINE)
_MAYBE_LINK = re.compile(r"://|[a-z0-9]\.[a-z0-9]", re.IGNORECASE)  # what every _LINK holds: text without it has none
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
    """(start, end, URI) of each link Bluesky's app would make, plus URLs glued to text; of
    links that overlap (a glued URL holding a bare domain), the first."""
    found = []
    for m in _link_matches(text):
        uri = m.group(2)
        if not uri.startswith("http"):  # "HTTP://…" matched the first branch: no domain, no link
            if not m.group("domain") or not _valid_domain(m.group("domain")):
                continue
            uri = "https://" + uri
        if link := _trimmed(m.start(2), m.end(), uri):
            found.append(link)
    for m in _URL.finditer(text) if "://" in text else ():
        if m.start() == 0 or _NOT_GLUED.match(text, m.start() - 1):
            continue
        end = m.end()
        partner = _CLOSING.get(text[m.start() - 1])
        if partner and (close := text.find(partner, m.start(), end)) >= 0:
            end = close
        if link := _trimmed(m.start(), end, text[m.start():end]):
            found.append(link)
    return _apart(sorted(found))


def _link_matches(text: str) -> Iterator[re.Match]:
    """`_LINK.finditer(text)`, looked for only in the words (runs without JavaScript's white space) where
    what _MAYBE_LINK matches stands (bounds._BLUESKY_MARK): every match holds that, lies in one word and
    starts after the white space before it, a `(` in it, or the text's start. A full scan tries each position."""
    for start, end in marked_words(text, _BLUESKY_MARK, _JS_SPACE):
        yield from _LINK.finditer(text, max(0, start - 1), end)


def _apart(spans: list) -> list:
    """Spans (sorted by start) without those that begin before the last one kept ends: the facets
    @atproto/api's RichText.segments() shows (sorted by start, one overlapping the last skipped),
    so a link is never shown or linked twice ("见https://a.com/(b.com" holds the domain b.com)."""
    kept = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


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


@lru_cache(maxsize=256)
def short_url(url: str) -> str:
    """How the Bluesky app shows a link (its `toShortUrl`): the URL as a browser writes it back
    (smm.content.whatwg), without the scheme, its path, query and fragment cut to 13
    characters and `...` when longer than 15; a URL a browser cannot read is shown as written.
    (Kept for the last URLs: a thread's candidate parts hold the same links again and again.)"""
    parts = whatwg.parse(url)
    if parts is None:
        return url
    path = ("" if parts.pathname == "/" else parts.pathname) + parts.search + parts.hash
    return parts.host + (path[:13] + "..." if len(path) > 15 else path)


def _facet(start: int, end: int, kind: str, feature: dict) -> dict:
    """A facet at UTF-8 byte offsets [start, end)."""
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [{"$type": f"app.bsky.richtext.facet#{kind}", **feature}]}


def _blanked(text: str, spans: list) -> str:
    """The text with the code points of each (start, end, ...) span (sorted by start) made U+200B."""
    pieces, position = [], 0
    for start, end, *_ in spans:
        start = max(start, position)
        pieces += (text[position:start], "\u200b" * max(0, end - start))
        position = max(position, end)
    return "".join(pieces) + text[position:]


def shorten_links(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The text with each link shown (once) as the app shows it, and the (start, end, URI)
    of each shown link in that text."""
    parts, links, position, shift = [], [], 0, 0
    for start, end, uri in links_in(text):
        shown = short_url(uri) if uri == text[start:end] else text[start:end]  # a bare domain stays
        parts += (text[position:start], shown)
        links.append((start + shift, start + shift + len(shown), uri))
        shift += len(shown) - (end - start)
        position = end
    return "".join(parts) + text[position:], tuple(links)


def facets(text: str, links: tuple[tuple[int, int, str], ...] = ()) -> list[dict]:
    """Link, mention and hashtag facets with UTF-8 byte offsets, in text order, none
    overlapping another (the first kept, as `_apart`). Each link keeps its facet: mentions and
    tags are found with the links blanked, so a tag glued to a URL ("#茶https://…") ends before it.

    ``links`` are the (start, end, URI) of `shorten_links`; without them the links
    are found in ``text``. Mentions carry the handle; the adapter resolves it to a DID.
    """
    found = [(start, end, "link", {"uri": uri}) for start, end, uri in sorted(links or links_in(text))]
    blanked = _blanked(text, found) if found else text  # U+200B: no white space, and ends a mention or a tag
    for m in _MENTION.finditer(blanked) if "@" in blanked else ():
        if _valid_domain(m.group(1)) or m.group(1).endswith(".test"):
            found.append((m.start(), m.end(), "mention", {"handle": m.group(1)}))
    for m in _TAG.finditer(blanked):
        tag = _TRAILING_PUNCTUATION.sub("", m.group(1))
        if tag and counting.graphemes(tag) <= 64:
            found.append((m.start(), m.start(1) + len(tag), "tag", {"tag": tag}))
    for m in _CASHTAG.finditer(blanked) if "$" in blanked else ():
        found.append((m.start(2), m.end(2), "tag", {"tag": "$" + m.group(3).upper()}))
    made, position, before = [], 0, 0  # (the spans are apart: each byte offset follows from the last)
    for start, end, kind, feature in _apart(sorted(found, key=lambda span: span[0])):
        before += len(text[position:start].encode("utf-8"))
        after = before + len(text[start:end].encode("utf-8"))
        made.append(_facet(before, after, kind, feature))
        position, before = end, after
    return made
