"""A post's texts as rules see them (segments), and where each character stands in the file.

Segments: the title, the body, each override text, each alt text, each hashtag, and
(when a rule asks for them) each account's rendered text. Body positions are the body's
first line plus the line offset; front matter strings are located through the YAML
positions (quoted, escaped and multi-line values included, by aligning the value with
its source); rendered text is located by finding the matched words in the source.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

from smm.content.post import overrides, written
from smm.content.comments import strip_comments
from smm.voice.text import Normalized, normalize, prepare
from smm.workspace.files import read_text

_DIRECTIVE = re.compile(r"<!--\s*smm-(disable|enable)\b([^>]*?)-->")
# A comment meant as a switch but not written as one (`smm-disabled`, `SMM-DISABLE`, `smm disable`).
_NEAR_DIRECTIVE = re.compile(r"<!--\s*smm[\s_-]*(?:dis|en)abl", re.IGNORECASE)


def canonical(name: str) -> str:
    name = name.strip()
    return name if name == "voice" or name.startswith("voice.") else "voice." + name


def name_matches(name: str, rule_id: str) -> bool:
    """`Terms`, `voice.Terms`, a style folder `Vale` or `voice` (all) name the rule."""
    name = canonical(name)
    return name == "voice" or rule_id == name or rule_id.startswith(name + ".")


def parse_directives(text: str) -> list[tuple[int, int, bool, list[str] | None]]:
    """(offset, end, disable?, names or None for all) of each `<!-- smm-disable ... -->`."""
    found = []
    for match in _DIRECTIVE.finditer(text):
        names = [n for n in re.split(r"[\s,]+", match.group(2).strip()) if n]
        found.append((match.start(), match.end(), match.group(1) == "disable", names or None))
    return found


def misspelt_directives(text: str) -> list[int]:
    """Offsets of comments that look like `<!-- smm-disable … -->` but are not one: they turn nothing off."""
    if "<!--" not in text:
        return []
    exact = {m.start() for m in _DIRECTIVE.finditer(text)}
    return [m.start() for m in _NEAR_DIRECTIVE.finditer(text) if m.start() not in exact]


def _overlap(first: list[str] | None, second: list[str] | None) -> bool:
    """Two directives' names share a rule (None: every rule; a style folder holds its rules)."""
    if first is None or second is None:
        return True
    return any(name_matches(a, canonical(b)) or name_matches(b, canonical(a)) for a in first for b in second)


def idle_directives(text: str, directives) -> list[tuple[int, str]]:
    """(offset, why) of each switch that does nothing: a disable with no text before the next
    enable of its rules (or the end), an enable with no disable of its rules before it."""
    found = []
    for index, (position, end, disable, names) in enumerate(directives):
        earlier, later = directives[:index], directives[index + 1:]
        if disable:
            stop = next((p for p, _, d, n in later if not d and _overlap(names, n)), len(text))
            if not strip_comments(text[end:stop])[0].strip():
                found.append((position, "this `smm-disable` covers no text: nothing stands between it and "
                                        + ("its `smm-enable`" if stop < len(text) else "the end")))
        elif not any(d and _overlap(names, n) for _, _, d, n in earlier):
            found.append((position, "this `smm-enable` turns nothing back on: no `smm-disable` of its rules comes before it"))
    return found


def disabled_at(directives, rule_id: str, offset: int) -> bool:
    state = False
    latest = -1
    for seq, (position, _, disable, names) in enumerate(directives):
        if position > offset:
            break
        if names is None or any(name_matches(n, rule_id) for n in names):
            state, latest = disable, seq
    return state if latest >= 0 else False


class LineIndex:
    """Offsets in a text → (line, column), lines counted from first_line."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.first_line = first_line
        self.starts = [0]
        index = text.find("\n")
        while index >= 0:
            self.starts.append(index + 1)
            index = text.find("\n", index + 1)

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect_right(self.starts, offset) - 1
        return self.first_line + row, offset - self.starts[row] + 1

    def offset(self, line: int, column: int) -> int:
        row = line - self.first_line
        return self.starts[min(max(row, 0), len(self.starts) - 1)] + column - 1


class FrontMatter:
    """Where the characters of front matter strings stand in the post's file."""

    def __init__(self, post, file_text: str | None = None) -> None:
        self.post = post
        self._text = file_text
        self._lines: LineIndex | None = None
        self._offsets: dict[tuple, list[int] | None] = {}

    def file_text(self) -> str | None:
        if self._text is None:
            text, _ = read_text(Path(self.post.root or "."), self.post.file)
            self._text = text or ""
        return self._text or None

    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.file_text() or "")
        return self._lines

    def span(self, path) -> tuple[int, int, int, int]:
        values = self.post.positions.values
        return values.get(tuple(path)) or self.post.positions.of_value(path)

    def position(self, path, value: str, index: int) -> tuple[int, int]:
        line, column, end_line, end_column = self.span(path)
        if end_line == line:
            width = end_column - column
            if width == len(value):  # plain scalar
                return line, column + index
            if width == len(value) + 2:  # quoted, nothing escaped
                return line, column + 1 + index
        offsets = self.offsets(path, value)
        if offsets is None:
            return line, column + min(index, max(width_or_zero(end_line, line, end_column, column), 0))
        return self.lines().position(offsets[min(index, len(offsets) - 1)])

    def offsets(self, path, value: str) -> list[int] | None:
        """File offset of each character of the value (and one past its end), by aligning
        the value with its source (quotes, escapes, folded lines)."""
        key = tuple(path)
        if key not in self._offsets:
            text = self.file_text()
            if text is None:
                self._offsets[key] = None
            else:
                line, column, end_line, end_column = self.span(path)
                lines = self.lines()
                start, end = lines.offset(line, column), lines.offset(end_line, end_column)
                self._offsets[key] = align(value, text, start, end)
        return self._offsets[key]


def width_or_zero(end_line: int, line: int, end_column: int, column: int) -> int:
    return end_column - column if end_line == line else 0


def align(value: str, text: str, start: int, end: int) -> list[int]:
    """Greedy alignment of a decoded YAML scalar with its source text[start:end]."""
    out = []
    p = start
    for ch in value:
        q = text.find(ch, p, min(end, p + 16))
        if q < 0 and ch == " ":  # a folded line break
            q = text.find("\n", p, min(end, p + 16))
        if q < 0:
            out.append(min(p, max(end - 1, start)))
            p += 1
        else:
            out.append(q)
            p = q + 1
    out.append(min(max(p, start), end) if value else start)
    return out


class Segment:
    """One text of a post, as rules see it."""

    __slots__ = ("scope", "text", "flavor", "path", "account", "base", "locate", "_prepared", "_views",
                 "_directives", "source")

    def __init__(self, scope: str, text: str, flavor: str, locate, path=None, account=None, base: int = 0,
                 source=None) -> None:
        self.scope = scope
        self.text = text
        self.flavor = flavor  # markdown, plain, html or none
        self.path = path  # front matter path; None for the body
        self.account = account
        self.base = base  # offset of text inside the front matter value (a hashtag's `#`)
        self.locate = locate  # offset → (line, column)
        self.source = source  # rendered text: the source segments to find matches in
        self._prepared = None
        self._views: list[Normalized | None] = [None, None]
        self._directives = None

    @property
    def prepared(self) -> str:
        if self._prepared is None:
            self._prepared = self.text if self.flavor == "none" else prepare(self.text, self.flavor)
        return self._prepared

    def view(self, nfkc: bool = True) -> Normalized:
        view = self._views[nfkc]
        if view is None:
            prepared = self.prepared
            other = self._views[not nfkc]
            if other is not None and (prepared.isascii() or not nfkc and other._norm_starts is None
                                      and other.text == prepared):
                view = other  # NFKC changes nothing here: one view serves both
            else:
                view = normalize(prepared, nfkc)
            self._views[nfkc] = view
        return view

    @property
    def directives(self):
        if self._directives is None:
            self._directives = parse_directives(self.text) if self.flavor == "markdown" and "<!--" in self.text else []
        return self._directives

    def covers_skipped(self, start: int, end: int) -> bool:
        """A match over [start, end) takes in text that was skipped (blanked: a URL, a tag, a
        mention): its spaces are no text of the post, so such a match is none."""
        prepared = self.prepared
        return prepared is not self.text and prepared[start:end] != self.text[start:end]

    @property
    def fixable(self) -> bool:
        return self.scope in ("title", "body", "alt", "card", "hashtags")

    def place(self, start: int, end: int) -> tuple["Segment", int, int] | None:
        """The source segment and offsets where a match stands (itself, except rendered text)."""
        if self.source is None:
            return self, start, end
        snippet = self.text[start:end]
        for segment in self.source:
            index = segment.text.find(snippet) if snippet else -1
            if index >= 0:
                return segment, index, index + len(snippet)
        return None

    def __repr__(self) -> str:
        return f"Segment({self.scope}, {self.path}, {self.text[:20]!r})"


def _hashtag_paths(meta: dict):
    for path, account, tags in written(meta, "hashtags"):
        for index, tag in enumerate(tags or []):
            if not (isinstance(tag, str) and tag.startswith("+")):  # a hashtag set's name (brand/hashtags.yml)
                yield path + (index,), tag, account


def _alt_paths(meta: dict):
    for path, account, items in written(meta, "media"):
        for index, item in enumerate(items or []):
            if isinstance(item, dict) and isinstance(item.get("alt"), str):
                yield path + (index, "alt"), item["alt"], account


def _card_paths(meta: dict):
    """The texts a social card shows (`card:` media entries): published as a picture, held to the voice too."""
    for path, account, items in written(meta, "media"):
        for index, item in enumerate(items or []):
            for name in ("text", "subtitle") if isinstance(item, dict) and "card" in item else ():
                if isinstance(item.get(name), str):
                    yield path + (index, name), item[name], account


def build_segments(post, rendered, front: FrontMatter, scopes: frozenset) -> list[Segment]:
    """The post's texts in the given scopes (body and override texts always: disable comments)."""
    meta = post.meta
    segments: list[Segment] = []

    def field(path, value, base=0):
        return lambda offset: front.position(path, value, base + offset)

    title = meta.get("title")
    if "title" in scopes and isinstance(title, str) and title:
        segments.append(Segment("title", title, "plain", field(("title",), title), ("title",)))
    body_lines = None

    def body_at(offset: int) -> tuple[int, int]:
        nonlocal body_lines
        if body_lines is None:
            body_lines = LineIndex(post.body, post.body_line)
        return body_lines.position(offset)

    sources = []
    if post.body:
        body = Segment("body", post.body, "markdown", body_at)
        segments.append(body)
        sources.append(body)
        if "raw" in scopes:
            segments.append(Segment("raw", post.body, "none", body_at))
    own_texts = {}
    for account, override in overrides(meta).items():
        if isinstance(override.get("text"), str):
            path = ("overrides", account, "text")
            segment = Segment("body", override["text"], "markdown", field(path, override["text"]), path, account)
            segments.append(segment)
            own_texts[account] = segment
    for path, alt, account in _alt_paths(meta) if "alt" in scopes else ():
        segments.append(Segment("alt", alt, "plain", field(path, alt), path, account))
    for path, text, account in _card_paths(meta) if "card" in scopes else ():
        segments.append(Segment("card", text, "plain", field(path, text), path, account))
    for path, tag, account in _hashtag_paths(meta) if "hashtags" in scopes else ():
        if isinstance(tag, str):
            stripped = tag.lstrip("#")
            base = len(tag) - len(stripped)
            segments.append(Segment("hashtags", stripped, "none", field(path, tag, base), path, account, base))
    if "rendered" in scopes:
        for result in rendered or ():
            source = [own_texts[result.account]] if result.account in own_texts else sources
            for part in result.parts:
                segments.append(Segment("rendered", part.text, "html", None, None, result.account, source=source))
    return segments
