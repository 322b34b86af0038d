"""Diagnostics: what `smm check` found, where, and how to print it.

A Diagnostic points at a file relative to the repository root, a 1-based line and
column (in characters), and carries a rule id such as ``schema.type``. Printers turn a
list of them into compiler-style text, GitHub workflow commands or JSON.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from json.encoder import (
    encode_basestring,  # a string as JSON, without escaping non-ASCII (C, fast)
)
from typing import Callable, ClassVar, Iterable, Iterator

from smm import output

ERROR = "error"
WARNING = "warning"

GITHUB_ANNOTATION_LIMIT = 10  # GitHub shows 10 errors and 10 warnings per step


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: str = field(compare=False)
    rule: str = field(compare=False)
    message: str = field(compare=False)
    hint: str | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)
    # The other files a problem across posts concerns (not a field: kept, pickled, on the few that
    # have them only): `smm check THOSE` reports it too, where it is (smm.check.run.select).
    involves: ClassVar[tuple[str, ...]] = ()

    def involving(self, files: Iterable[str]) -> Diagnostic:
        """This problem, concerning these other files too (a post the same day, data/inbox/)."""
        object.__setattr__(self, "involves", tuple(files))
        return self

    @classmethod
    def at(cls, file: str, place: tuple[int, int, int | None], severity: str, rule: str, message: str,
           hint: str | None = None) -> Diagnostic:
        """A diagnostic at a (line, column, end column) place, as `Positions.at` gives it; made
        without the frozen dataclass's `__init__` (a call of object.__setattr__ per field: thousands
        of past-due warnings every run), its fields set in their order (it pickles to the same bytes)."""
        line, column, end = place
        made = object.__new__(cls)
        made.__dict__.update(file=file, line=line, column=column, severity=severity, rule=rule, message=message,
                             hint=hint, end_column=end)
        return made

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        data = {"file": self.file, "line": self.line, "column": self.column, "severity": self.severity,
                "rule": self.rule, "message": self.message, "hint": self.hint}
        return data if self.end_column is None else {**data, "end_column": self.end_column}


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.rule)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    return _summary(errors, len(diagnostics) - errors, len({d.file for d in diagnostics}))


def _summary(errors: int, warnings: int, files: int) -> str:
    if not errors + warnings:
        return "no problems found"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


Lines = Callable[[str, int], "str | None"]  # (file, line number) → that line's text, e.g. files.SourceLines.line


# A control character from a file (a NUL in a media path, an escape sequence in a post) is
# printed as its symbol, one for one: never sent to the terminal or the CI log as is.
_CONTROLS = {**{c: 0x2400 + c for c in range(32)}, 127: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}}


def visible(text: str, keep: str = "") -> str:
    """The text with control characters (but those in `keep`) shown as symbols (NUL → ␀, ESC → ␛), one for one."""
    return text.translate({c: v for c, v in _CONTROLS.items() if chr(c) not in keep} if keep else _CONTROLS)


def _github_data(text: str) -> str:
    return _escape_data(visible(text, keep="\r\n"))  # GitHub's own escapes for these two: %0D, %0A


def _line(d: Diagnostic) -> str:
    return f"{visible(d.file)}:{d.line}:{d.column}: {d.severity}[{d.rule}]: {visible(d.message)}"


QUOTED = 120  # characters of a source line quoted at most: a problem in a long line is shown with what is around it


def _around(line: str, column: int) -> tuple[str, int]:
    """The part of a long line around `column` (1-based), "…" where it is cut, and the column in it:
    a problem of a 1 MB line (a minified paragraph) is not followed by that megabyte, once per problem."""
    if len(line) <= QUOTED:
        return line, column
    start = max(0, min(column - 1 - QUOTED // 3, len(line) - QUOTED))
    end = start + QUOTED
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else ""), column - start + (1 if start else 0)


def text_lines(diagnostics: Iterable[Diagnostic], source: Lines | None = None) -> Iterator[str]:
    """``path:line:col: error[rule]: message``, then the source line with a caret; a line at a time."""
    errors = warnings = 0
    files = set()
    for d in diagnostics:
        errors, warnings = errors + d.is_error, warnings + (not d.is_error)
        files.add(d.file)
        yield _line(d)
        text = source(d.file, d.line) if source else None
        if text is not None and text.strip():
            gutter = str(d.line)
            shown, column = _around(text.replace("\t", " "), d.column)
            shown = visible(shown)  # (one for one: after the cut, not over a long line per problem)
            width = max(1, (d.end_column or d.column + 1) - d.column)
            width = min(width, max(1, len(shown) - column + 1))
            yield f" {gutter} | {shown}"
            yield f" {' ' * len(gutter)} | {' ' * (column - 1)}{'^' * width}"
        if d.hint:
            yield f"  = hint: {visible(d.hint)}"
    yield _summary(errors, warnings, len(files))


def format_json(diagnostics: list[Diagnostic]) -> str:
    """A JSON array of `as_json` objects, laid out as `json.dumps(..., indent=2)` would (ten times faster)."""
    return "\n".join(json_lines(diagnostics))


def json_lines(diagnostics: list[Diagnostic]) -> Iterator[str]:
    """`format_json`'s lines (an object, its comma included, counts as one)."""
    if not diagnostics:
        yield "[]"
        return
    yield "["
    last = len(diagnostics) - 1
    for index, d in enumerate(diagnostics):
        yield _json_object(d) + ("," if index < last else "")
    yield "]"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_object(d: Diagnostic) -> str:
    hint = "null" if d.hint is None else _json_string(d.hint)
    end = "" if d.end_column is None else f',\n    "end_column": {int(d.end_column)}'
    return (f'  {{\n    "file": {_json_string(d.file)},\n    "line": {int(d.line)},\n'
            f'    "column": {int(d.column)},\n    "severity": {encode_basestring(d.severity)},\n'
            f'    "rule": {_json_string(d.rule)},\n    "message": {_json_string(d.message)},\n'
            f'    "hint": {hint}{end}\n  }}')


def _json_string(value: str) -> str:
    """`encode_basestring`, and a lone surrogate (a byte of a file name that is not UTF-8, as Python
    reads it) written as its `\\udcXX` escape, so that the report stays UTF-8 text (json.loads gives
    the surrogate back: os.fsencode makes the name's bytes of it)."""
    text = encode_basestring(value)
    return text if text.isascii() or not _SURROGATE.search(text) else _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _github_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub workflow commands; past the 10-per-severity limit, a grouped plain summary."""
    return "\n".join(github_lines(diagnostics))


def github_lines(diagnostics: list[Diagnostic]) -> Iterator[str]:
    """`format_github`'s lines."""
    shown = {ERROR: 0, WARNING: 0}
    rest: list[Diagnostic] = []
    for d in diagnostics:
        if shown[d.severity] >= GITHUB_ANNOTATION_LIMIT:
            rest.append(d)
            continue
        shown[d.severity] += 1
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", d.file),
                ("line", d.line),
                ("col", d.column),
                ("title", f"{d.rule}"),
            )
        )
        yield f"::{d.severity} {props}::{_github_data(message)}"
    if rest:
        errors = sum(d.is_error for d in rest)
        yield (f"::group::{_plural(len(rest), 'more problem')} not annotated "
               f"({_plural(errors, 'error')}, {_plural(len(rest) - errors, 'warning')}; "
               f"GitHub shows {GITHUB_ANNOTATION_LIMIT} of each per step)")
        yield from map(_line, rest)
        yield "::endgroup::"
    yield summary(diagnostics)


def write(diagnostics: Iterable[Diagnostic], fmt: str, source: Lines | None = None) -> str:
    """Diagnostics in a format; `source` gives the lines the text format quotes."""
    return "\n".join(lines(sorted(diagnostics, key=sort_key), fmt, source))


def lines(diagnostics: list[Diagnostic], fmt: str, source: Lines | None = None) -> Iterator[str]:
    """`write`'s lines for diagnostics already in order (sort_key), one at a time."""
    if fmt == "json":
        return json_lines(diagnostics)
    if fmt == "github":
        return github_lines(diagnostics)
    return text_lines(diagnostics, source)


def encoded(text: Iterable[str], batch: int = 1000) -> Iterator[bytes]:
    """Lines joined by newlines, UTF-8 (surrogates from undecodable file names as their bytes),
    a batch of lines at a time: tens of megabytes are never one string."""
    text = iter(text)
    separator = ""
    while chunk := list(itertools.islice(text, batch)):
        yield (separator + "\n".join(chunk)).encode("utf-8", "surrogateescape")
        separator = "\n"


@dataclass(frozen=True)
class Findings:
    """`smm check`'s result: its diagnostics, and the source lines the text format quotes."""

    diagnostics: list[Diagnostic]
    source: Lines | None = None


output.render.register(Findings, lambda found, fmt: write(found.diagnostics, fmt, found.source))
