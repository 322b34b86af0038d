"""The Markdown most posts use, read without Python-Markdown (issue 14).

Paragraphs (a line break is nl2br's), `-` and `1.` lists (sane_lists: a list right after another of its
kind joins it, as a loose list), `**strong**`, `*em*`, `` `code` `` and `[text](https://…)` links. `events`
gives what an HTML parser reports (htmlfeed's events) for the HTML `markup._Renderer` makes of the body, and
`to_html` that HTML; a body with anything else, or anything whose reading has a quirk, gives None: it goes to
Python-Markdown (tests/test_render_fast.py compares the two on many thousands of bodies).
"""

from __future__ import annotations

import html
import re

# Anything outside the subset anywhere: control characters (tab and CR too), raw HTML or an autolink,
# escapes, smm's stand-ins; white space Markdown changes; entities; `_` not inside a word (emphasis)
_OUTSIDE = (re.compile(r"[\x00-\x09\x0b-\x1f\x7f<\\\ufdd0\ufdd1\ufeff]"), re.compile(r"[^\S \n]"),
            re.compile(r"&(?:#|\w+;)"), re.compile(r"_(?:(?!\w)|(?<!\w_))"))
# ... and reference definitions, images, a space at a line's edge (a hard break, an indented line), two backticks
_OUTSIDE_TEXT = ("]:", "![", " \n", "\n ", "``")
# A line Markdown could read as the start of a block (a hashtag is not: markup._protect keeps it text)
_BLOCKISH = re.compile(r"[-+_=>#\s]|\*+(?![*\S])|\d+[.)]")
_HASHTAG = re.compile(r"#[^\s#]")
_ITEM = re.compile(r"(?:(-)|([0-9]+)\.) (?=\S)")
_CODE = re.compile(r"`([^`\n]+)`")
# A link's text, and a target that leaves the repository (links.leaves_safely: a host after `http(s)://`)
_LINK = re.compile(r"\[([^\[\]\n`*]+)\]\((https?://[^\s()<>\"'\[\]`/?#][^\s()<>\"'\[\]`]*)\)")
_STARS = re.compile(r"(\*\*?)([^*\n]+?)\1(?!\*)")


def events(body: str) -> list[tuple] | None:
    """(handler name, arguments...) as htmlfeed reports them for the body's HTML; None: not in the subset."""
    if (any(piece in body for piece in _OUTSIDE_TEXT) or body.startswith(" ") or body.endswith(" ")
            or any(pattern.search(body) for pattern in _OUTSIDE)):
        return None
    out: list[tuple] = []
    blocks = [block for block in re.split(r"\n\n+", body) if block.strip("\n")]
    kinds = [_kind(block.strip("\n").split("\n")) for block in blocks]
    if None in kinds:
        return None
    for index, (block, kind) in enumerate(zip(blocks, kinds)):
        lines = block.strip("\n").split("\n")
        joins = index > 0 and kinds[index - 1] == kind != "p"  # a list after one of its kind: the same list
        if out and not joins:
            _data(out, "\n")
        if kind == "p" and not _inline(out, "p", "\n".join(lines)):
            return None
        if kind != "p" and not _list(out, kind, lines, joins, index + 1 < len(kinds) and kinds[index + 1] == kind):
            return None
    return out


def _kind(lines: list[str]) -> str | None:
    """"p", "ul" or "ol" for a block of lines, None: a line Markdown could read as something else."""
    first = _ITEM.match(lines[0])
    if first is None:
        plain = all(not _BLOCKISH.match(line) or _HASHTAG.match(line) for line in lines)
        return "p" if plain else None
    kind = "ul" if first.group(1) else "ol"
    for line in lines:
        item = _ITEM.match(line)
        if item is None or (item.group(1) is None) != (kind == "ol") or _BLOCKISH.match(line, item.end()):
            return None
    return kind


def _list(out: list[tuple], kind: str, lines: list[str], joins: bool, joined: bool) -> bool:
    """A list block's items; `joins` the list before it, `joined` by the next: those items are loose."""
    if joins:
        del out[-2:]  # the list's last line break and end tag: this block's items go on in it
    else:
        start = _ITEM.match(lines[0]).group(2)
        out.append(("handle_starttag", kind, [("start", start)] if start not in (None, "1") else []))
    for number, line in enumerate(lines):
        _data(out, "\n")
        out.append(("handle_starttag", "li", []))
        text = line[_ITEM.match(line).end():]
        loose = joins and number == 0 or joined and number == len(lines) - 1
        if loose:
            _data(out, "\n")
        if not _inline(out, "p" if loose else None, text):
            return False
        if loose:
            _data(out, "\n")
        out.append(("handle_endtag", "li"))
    _data(out, "\n")
    out.append(("handle_endtag", kind))
    return True


def _inline(out: list[tuple], tag: str | None, text: str) -> bool:
    """The events of a paragraph's or an item's text (in `tag`); False: not in the subset."""
    if tag:
        out.append(("handle_starttag", tag, []))
    for index, piece in enumerate(_CODE.split(text) if "`" in text else (text,)):
        if index % 2:  # the code of a code span
            if piece != piece.strip():
                return False
            out += [("handle_starttag", "code", []), ("handle_data", piece), ("handle_endtag", "code")]
        elif not _links(out, piece):
            return False
    if tag:
        out.append(("handle_endtag", tag))
    return True


def _links(out: list[tuple], text: str) -> bool:
    """Text outside code spans: its links, and emphasis in what is between them."""
    position = 0
    for link in _LINK.finditer(text) if "[" in text else ():
        label, href = link.groups()
        if label != label.strip() or not _emphasis(out, text[position:link.start()]):
            return False
        out += [("handle_starttag", "a", [("href", href)]), ("handle_data", label), ("handle_endtag", "a")]
        position = link.end()
    return _emphasis(out, text[position:])


def _emphasis(out: list[tuple], text: str) -> bool:
    """Text with `*em*` and `**strong**` (each pair next to each other); False: brackets, a backtick or a
    star in any other shape."""
    if "[" in text or "]" in text or "`" in text:
        return False
    position = 0
    for pair in _STARS.finditer(text) if "*" in text else ():
        stars, inner = pair.groups()
        if "*" in text[position:pair.start()] or inner != inner.strip():
            return False
        _text(out, text[position:pair.start()])
        tag = "strong" if len(stars) == 2 else "em"
        out += [("handle_starttag", tag, []), ("handle_data", inner), ("handle_endtag", tag)]
        position = pair.end()
    if "*" in text[position:]:
        return False
    _text(out, text[position:])
    return True


def _text(out: list[tuple], text: str) -> None:
    """Text with nl2br's line breaks."""
    for index, line in enumerate(text.split("\n")):
        if index:
            out.append(("handle_startendtag", "br", []))
            line = "\n" + line
        _data(out, line)


def _data(out: list[tuple], text: str) -> None:
    """Text as one event with the text before it (HTMLParser reports the text between two tags at once)."""
    if not text:
        return
    if out and out[-1][0] == "handle_data":
        out[-1] = ("handle_data", out[-1][1] + text)
    else:
        out.append(("handle_data", text))


def to_html(found: list[tuple]) -> str:
    """The HTML that gives these events (as Python-Markdown writes it)."""
    parts = []
    for event in found:
        handler = event[0]
        if handler == "handle_data":
            parts.append(html.escape(event[1], quote=False))
        elif handler == "handle_endtag":
            parts.append(f"</{event[1]}>")
        elif handler == "handle_startendtag":
            parts.append(f"<{event[1]} />")
        elif event[2]:
            parts.append(f"<{event[1]}" + "".join(f' {key}="{html.escape(value, quote=False)}"'
                                                  for key, value in event[2]) + ">")
        else:
            parts.append(f"<{event[1]}>")
    return "".join(parts)
