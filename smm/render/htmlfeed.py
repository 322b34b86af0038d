"""Feed HTML to an `html.parser.HTMLParser` (made with convert_charrefs=True) without its tokenizer.

The HTML that Markdown and templates make is plain: text, start tags with double-quoted attributes,
end tags. For such HTML `feed` calls the parser's handlers as `parser.feed(text)` would, from one
regular expression instead of HTMLParser's character-by-character bookkeeping (several times faster).
Anything else (a comment, a declaration, a `<` that starts no such tag, an element whose content
HTMLParser reads as raw text, an entity it could hold back at the end) goes to `parser.feed` itself.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_SPACE = "[ \t\n\r\f]"
_NAME = "[a-zA-Z][a-zA-Z0-9]*"
_TAG = re.compile(rf'<(?:({_NAME})((?:{_SPACE}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*){_SPACE}*(/?)|/({_NAME}))>')
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
# Elements whose content HTMLParser (in some Python version) reads as raw text, not as tags
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                       "plaintext"})


def feed(parser: HTMLParser, text: str, tags: frozenset[str] | set[str] | None = None) -> None:
    """`parser.feed(text)`, faster for plain HTML; the caller closes the parser as before. With
    `tags`, only when every start tag is one of them (a parser that shows other tags as written
    asks html.parser for their text: `get_starttag_text`)."""
    events = _events(text, tags)
    if events is None:
        parser.feed(text)
        return
    replay(parser, events)


def replay(parser: HTMLParser, events: list[tuple]) -> None:
    """Call the parser's handlers with these (handler name, arguments...), as `feed` found them (the three
    that most events name looked up once: a third less time than looking up each)."""
    data, start, end = parser.handle_data, parser.handle_starttag, parser.handle_endtag
    for event in events:
        handler = event[0]
        if handler == "handle_data":
            data(event[1])
        elif handler == "handle_starttag":
            start(event[1], event[2])
        elif handler == "handle_endtag":
            end(event[1])
        else:
            getattr(parser, handler)(*event[1:])


def feed_start_tags(parser: HTMLParser, text: str, names: frozenset[str]) -> None:
    """`parser.feed(text)` and `parser.close()` for a parser that reads only the start tags named `names`
    (handle_starttag; a self-closing tag goes there too): only those are reported when the HTML is plain."""
    tags = start_tags(text, names)
    if tags is None:
        feed(parser, text)
        parser.close()
    for name, attributes in tags or ():
        parser.handle_starttag(name, attributes)


def start_tags(text: str, names: frozenset[str]) -> list[tuple[str, list]] | None:
    """(name, attributes) of each start tag (self-closing or not) named one of `names` that HTMLParser would
    report in `text`, found as `_events` finds tags (no `<` in one: each `<` starts one); None: not plain."""
    tags = list(_TAG.finditer(text))
    if len(tags) != text.count("<"):
        return None
    found = []
    for tag in tags:
        name = (tag.group(1) or "").lower()
        if name in _RAW_TEXT:
            return None
        if name in names:
            found.append((name, [(m.group(1).lower(), unescape(m.group(2)) if m.group(2) else m.group(2))
                                 for m in _ATTRIBUTE.finditer(tag.group(2))]))
    return found


def _events(text: str, tags: frozenset[str] | set[str] | None = None) -> list[tuple] | None:
    """(handler name, arguments...) for each thing HTMLParser would report in `text`; None: not plain (or,
    with `tags`, a start tag not one of them)."""
    events: list[tuple] = []
    position = 0
    while (start := text.find("<", position)) >= 0:
        tag = _TAG.match(text, start)
        if tag is None:
            return None
        if start > position:
            events.append(("handle_data", unescape(text[position:start])))
        name, attributes, closed, end_name = tag.groups()
        if end_name is not None:
            events.append(("handle_endtag", end_name.lower()))
        else:
            name = name.lower()
            if name in _RAW_TEXT or tags is not None and name not in tags:
                return None
            pairs = [(m.group(1).lower(), unescape(m.group(2)) if m.group(2) else m.group(2))  # None: no value
                     for m in _ATTRIBUTE.finditer(attributes)] if attributes else []
            events.append(("handle_startendtag" if closed else "handle_starttag", name, pairs))
        position = tag.end()
    if position < len(text):
        if "&" in text[position:]:  # HTMLParser may keep an entity at the end for close(): its way
            return None
        events.append(("handle_data", text[position:]))
    return events

