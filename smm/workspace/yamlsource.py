"""YAML to plain data, remembering where every key and value stood.

One parse per file with libyaml's composer (when present); the node tree becomes plain
Python data and a position table, so later checks can point at the exact line and
column of any field. Timestamps stay strings (smm parses dates itself, with better
errors); duplicate keys, recursive aliases and unknown tags become diagnostics.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from dataclasses import dataclass

import yaml
from yaml import nodes

from smm.check.diagnostics import ERROR, Diagnostic
from smm.workspace import lookalikes
from smm.workspace.positions import Path_, Positions, Span

try:  # libyaml's parser is several times faster; pure Python works the same way
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_MAX_NODES = 50_000  # alias expansion guard ("billion laughs")
_MAX_DEPTH = 64  # nesting guard: deeper values are no front matter
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Loader(_BaseLoader):
    """SafeLoader without the implicit timestamp type: dates stay text."""


_YAML11_ONLY = {_TIMESTAMP, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# Numbers as YAML 1.1 has them, minus base-60: `time: 12:00` is text, not 720.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)

_SCALARS = yaml.constructor.SafeConstructor()
_RESOLVED: dict[tuple, str] = {}


def _resolve_memo(self, kind, value, implicit):
    """Resolver.resolve, memoised: front matter repeats the same keys and values."""
    key = (kind, value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        if len(_RESOLVED) > 50_000:
            _RESOLVED.clear()
        tag = _RESOLVED[key] = _BaseLoader.resolve(self, kind, value, implicit)
    return tag


_Loader.resolve = _resolve_memo


@dataclass
class Parsed:
    data: object
    positions: Positions
    diagnostics: list[Diagnostic]


class _Locator:
    """1-based (line, column) of a libyaml mark, counting only LF as a line break.

    libyaml also breaks lines at U+0085, U+2028 and U+2029, which editors, git and
    GitHub do not; text holding them is located by character index instead.
    """

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.starts = None
        if any(ch in text for ch in "\x85\u2028\u2029"):
            self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def at(self, mark) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1 + self.offset, mark.column + 1
        line = bisect_right(self.starts, mark.index) - 1
        return line + 1 + self.offset, mark.index - self.starts[line] + 1

    def span(self, node: nodes.Node) -> Span:
        if self.starts is None:
            s, e = node.start_mark, node.end_mark
            return (s.line + 1 + self.offset, s.column + 1, e.line + 1 + self.offset, e.column + 1)
        return self.at(node.start_mark) + self.at(node.end_mark)


def load(text: str, *, file: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document; lines are numbered from ``first_line``."""
    offset = first_line - 1
    positions = Positions(start=(first_line, 1, first_line, 2))
    locator = _Locator(text, offset)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, positions, _lookalikes_before(exc, text, file, locator)
                      or [_syntax_diagnostic(exc, text, file, locator)])
    except yaml.reader.ReaderError as exc:
        line, column = _index_position(text, exc.position, offset)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        return Parsed(None, positions, [Diagnostic(
            file, line, column, ERROR, "yaml.syntax",
            f"invalid YAML: control character U+{ord(char[:1] or ' '):04X} is not allowed",
            hint="remove the invisible character (copied from another program?)",
        )])
    except yaml.YAMLError as exc:
        return Parsed(None, positions, [Diagnostic(file, first_line, 1, ERROR, "yaml.syntax", f"invalid YAML: {exc}")])
    finally:
        loader.dispose()
    converter = _Converter(file, text, locator, positions)
    data = converter.convert(node, ()) if node is not None else None
    return Parsed(None if converter.too_complex else data, positions, converter.diagnostics)


def _alias_site(text: str, recursive: bool):
    """The first alias that refers to a value still open (recursive), or that takes the count
    of values past the limit, counted as _Converter counts (aliases expanded, keys not).
    Reads events only, so nothing is expanded; run only on a file that failed."""
    sizes: dict[str, int] = {}
    open_: list[list] = []  # [anchor, count before it, a mapping's next event is a key] per collection
    count = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, before, _ = open_.pop()
            if anchor is not None:
                sizes[anchor] = count - before
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        is_key = bool(open_) and open_[-1][2] is True
        if open_ and open_[-1][2] is not None:
            open_[-1][2] = not open_[-1][2]
        if isinstance(event, yaml.AliasEvent):
            if recursive and any(frame[0] == event.anchor for frame in open_):
                return event
            count += 0 if is_key else sizes.get(event.anchor, 1)
            if not recursive and count > _MAX_NODES:
                return event
            continue
        count += 0 if is_key else 1
        if isinstance(event, yaml.CollectionStartEvent):
            open_.append([event.anchor, count - 1, True if isinstance(event, yaml.MappingStartEvent) else None])
        elif event.anchor is not None:
            sizes[event.anchor] = 1
    return None


def _index_position(text: str, index: int, offset: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1 + offset, index - (text.rfind("\n", 0, index) + 1) + 1


def _lookalikes_before(exc: yaml.MarkedYAMLError, text: str, file: str, locator: _Locator) -> list[Diagnostic]:
    """Look-alike characters (`title：`, a no-break space after `:`) on the lines up to where the
    parser gave up: the cause, which the parser's own message misses and places a line late.
    Before that line only those that break a parse count; on it, any (`{a: x，b: y}`)."""
    marks = [m for m in (exc.problem_mark, exc.context_mark) if m is not None]
    last = max((locator.at(m)[0] - locator.offset for m in marks), default=1)
    found = []
    for number, line in enumerate(text.split("\n")[:last], start=1):
        found += lookalikes.diagnostics_for(file, number + locator.offset, line, strict=number < last)
    if found:
        text_spans = _quoted_and_block_scalars(text, locator)
        found = [d for d in found if not any(start <= (d.line, d.column) < end for start, end in text_spans)]
    return found


def _quoted_and_block_scalars(text: str, locator: _Locator) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where quoted and `|`/`>` scalars stand, up to a syntax error: text, where a full-width
    colon is meant. Tokens only, run on a file that failed to parse."""
    spans = []
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, yaml.ScalarToken) and not token.plain:
                spans.append((locator.at(token.start_mark), locator.at(token.end_mark)))
    except yaml.YAMLError:
        pass
    return spans


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, text: str, file: str, locator: _Locator) -> Diagnostic:
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    line, column = locator.at(mark) if mark else (locator.offset + 1, 1)
    opened = exc.context_mark if exc.context and ("flow" in exc.context or "quoted" in exc.context) else None
    if opened is not None and mark and opened.line < mark.line:  # never closed: point where it opened
        line, column = locator.at(opened)
    elif mark and mark.index >= len(text.rstrip()):  # gave up at the end: point where it began
        if exc.context_mark and exc.context_mark.index < mark.index:
            line, column = locator.at(exc.context_mark)
        else:
            row, col = _last_unclosed_bracket(lines, len(lines) - 1, 0)
            line, column = row + 1 + locator.offset, col + 1
    source_line = lines[line - 1 - locator.offset] if 0 <= line - 1 - locator.offset < len(lines) else ""
    if "\t" in source_line[:column]:
        return Diagnostic(
            file, line, column, ERROR, "yaml.tab",
            "tab character where YAML expects spaces",
            hint="indent with spaces; YAML does not allow tabs for indentation",
        )
    context = f" ({exc.context})" if exc.context else ""
    hint = COMMENT_HINT if "#" in source_line else None
    return Diagnostic(file, line, column, ERROR, "yaml.syntax", f"invalid YAML: {exc.problem or 'invalid YAML'}{context}", hint)


def _last_unclosed_bracket(lines: list[str], line: int, column: int) -> tuple[int, int]:
    for number in range(min(line, len(lines) - 1), -1, -1):
        text = lines[number].split(" #")[0]
        if text.count("[") > text.count("]") or text.count("{") > text.count("}"):
            return number, max(text.rfind("["), text.rfind("{"))
    return line, column


COMMENT_HINT = "`#` starts a comment in YAML: quote a value that begins with it, e.g. \"#茶\""


class _Converter:
    def __init__(self, file: str, text: str, locator: _Locator, positions: Positions) -> None:
        self.file = file
        self.text = text
        self.locator = locator
        self.positions = positions
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.too_complex = False
        self.active: set[int] = set()

    def report(self, node: nodes.Node, rule: str, message: str, hint: str | None = None) -> None:
        line, column, end_line, end_column = self.locator.span(node)
        end = end_column if end_line == line else None
        self.diagnostics.append(Diagnostic(self.file, line, column, ERROR, rule, message, hint, end))

    def convert(self, node: nodes.Node, path: Path_) -> object:
        self.count += 1
        if self.count > _MAX_NODES or len(path) > _MAX_DEPTH:
            if not self.too_complex:
                self.too_complex = True
                if self.count > _MAX_NODES:
                    self.report_explosion(node)
                else:
                    self.report(node, "yaml.too-complex", f"values are nested more than {_MAX_DEPTH} levels deep")
            return None
        self.positions.values[path] = self.locator.span(node)
        if isinstance(node, nodes.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in (_SEQ, _MAP):
            self.report(node, "yaml.unsupported", f"unsupported YAML tag {node.tag}")
        if id(node) in self.active:
            site = _alias_site(self.text, recursive=True)
            line, column = self.locator.at(site.start_mark) if site else self.locator.span(node)[:2]
            name = f"`*{site.anchor}` " if site else ""
            self.diagnostics.append(Diagnostic(self.file, line, column, ERROR, "yaml.recursive-alias",
                                               f"the alias {name}refers to a value that contains it"))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, nodes.SequenceNode):
                return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def report_explosion(self, node: nodes.Node) -> None:
        """Too many values: at the alias that expands past the limit, not at its anchor."""
        site = _alias_site(self.text, recursive=False)
        if site is None:
            self.report(node, "yaml.too-complex", f"more than {_MAX_NODES:,} values")
            return
        line, column = self.locator.at(site.start_mark)
        self.diagnostics.append(Diagnostic(
            self.file, line, column, ERROR, "yaml.too-complex",
            f"aliases expand to too many values: here `*{site.anchor}` takes the count past {_MAX_NODES:,}",
            "an alias (`*name`) repeats the value anchored with `&name`; front matter needs neither",
            column + 1 + len(site.anchor),
        ))

    def mapping(self, node: nodes.MappingNode, path: Path_) -> dict:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.report(key_node, "yaml.unsupported", "merge keys (<<) are not supported here")
                continue
            if not isinstance(key_node, nodes.ScalarNode):
                self.report(key_node, "yaml.complex-key", "a key must be plain text, not a list or mapping")
                continue
            key = key_node.value
            if key in result:
                first = self.positions.keys[path + (key,)][0]
                self.report(
                    key_node, "yaml.duplicate-key", f"duplicate key `{key}` (first defined on line {first})",
                    hint="YAML would silently keep only the last one; remove one of them",
                )
                continue
            self.positions.keys[path + (key,)] = self.locator.span(key_node)
            result[key] = self.convert(value_node, path + (key,))
        return result

    def scalar(self, node: nodes.ScalarNode, path: Path_) -> object:
        tag = node.tag
        if tag == _STR or tag == _TIMESTAMP:
            return node.value
        self.positions.raw[path] = node.value  # as written, for hints ("yes", not True)
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.bool_values[node.value.lower()]
        if tag == "tag:yaml.org,2002:int":
            try:
                return _SCALARS.construct_yaml_int(node)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                self.report(node, "yaml.too-complex", f"a number of more than {sys.get_int_max_str_digits():,} digits",
                            "no field takes a number this long: quote it if it is text")
                return node.value
        if tag == "tag:yaml.org,2002:float":
            return _SCALARS.construct_yaml_float(node)
        self.report(node, "yaml.unsupported", f"unsupported YAML tag {tag}")
        return node.value
