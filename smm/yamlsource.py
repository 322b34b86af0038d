"""YAML to plain data, remembering where every key and value stood.

One parse per file with libyaml's composer (when present); the node tree becomes plain
Python data and a position table, so later checks can point at the exact line and
column of any field. Timestamps stay strings (smm parses dates itself, with better
errors); duplicate keys, recursive aliases and unknown tags become diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml import nodes

from smm.diagnostics import ERROR, Diagnostic

try:  # libyaml's parser is several times faster; pure Python works the same way
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

Path_ = tuple  # a path into the data: str keys and int indexes
Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based)

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_MAX_NODES = 50_000  # alias expansion guard ("billion laughs")


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
class Positions:
    """Where each value (and each mapping key) stood in the file."""

    values: dict[Path_, Span] = field(default_factory=dict)
    keys: dict[Path_, Span] = field(default_factory=dict)
    start: Span = (1, 1, 1, 2)

    def of_value(self, path: Path_) -> Span:
        """The value at path, or the nearest enclosing one that exists."""
        path = tuple(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, self.start)

    def of_key(self, path: Path_) -> Span:
        path = tuple(path)
        return self.keys.get(path) or self.of_value(path)


@dataclass
class Parsed:
    data: object
    positions: Positions
    diagnostics: list[Diagnostic]


def _span(node: nodes.Node, line_offset: int) -> Span:
    s, e = node.start_mark, node.end_mark
    return (s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)


def load(text: str, *, file: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document; lines are numbered from ``first_line``."""
    offset = first_line - 1
    positions = Positions(start=(first_line, 1, first_line, 2))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, positions, [_syntax_diagnostic(exc, text, file, offset)])
    except yaml.YAMLError as exc:  # reader errors without a mark
        return Parsed(None, positions, [Diagnostic(file, first_line, 1, ERROR, "yaml.syntax", str(exc))])
    finally:
        loader.dispose()
    converter = _Converter(file, offset, positions)
    data = converter.convert(node, ()) if node is not None else None
    return Parsed(data, positions, converter.diagnostics)


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, text: str, file: str, offset: int) -> Diagnostic:
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    if not "".join(lines[line:]).strip():  # gave up at the end: point where it began
        if exc.context_mark and exc.context_mark.line < line:
            line, column = exc.context_mark.line, exc.context_mark.column
        else:
            line, column = _last_unclosed_bracket(lines, line, column)
    source_line = lines[line] if line < len(lines) else ""
    line, column = line + 1 + offset, column + 1
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
    def __init__(self, file: str, offset: int, positions: Positions) -> None:
        self.file = file
        self.offset = offset
        self.positions = positions
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()

    def report(self, node: nodes.Node, rule: str, message: str, hint: str | None = None) -> None:
        line, column, end_line, end_column = _span(node, self.offset)
        end = end_column if end_line == line else None
        self.diagnostics.append(Diagnostic(self.file, line, column, ERROR, rule, message, hint, end))

    def convert(self, node: nodes.Node, path: Path_) -> object:
        self.count += 1
        if self.count > _MAX_NODES:
            if self.count == _MAX_NODES + 1:
                self.report(node, "yaml.too-complex", "aliases expand to too many values")
            return None
        self.positions.values[path] = _span(node, self.offset)
        if isinstance(node, nodes.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            self.report(node, "yaml.recursive-alias", "an alias refers to a value that contains it")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, nodes.SequenceNode):
                return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

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
            self.positions.keys[path + (key,)] = _span(key_node, self.offset)
            result[key] = self.convert(value_node, path + (key,))
        return result

    def scalar(self, node: nodes.ScalarNode) -> object:
        tag = node.tag
        if tag == _STR or tag == _TIMESTAMP:
            return node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _SCALARS.bool_values[node.value.lower()]
        if tag == "tag:yaml.org,2002:int":
            return _SCALARS.construct_yaml_int(node)
        if tag == "tag:yaml.org,2002:float":
            return _SCALARS.construct_yaml_float(node)
        self.report(node, "yaml.unsupported", f"unsupported YAML tag {tag}")
        return node.value
