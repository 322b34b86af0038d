"""Where each value of a parsed YAML file stood (smm.workspace.yamlsource makes them): apart from the
parser, so what only reads positions (settings kept between runs, diagnostics) never imports YAML."""

from __future__ import annotations

from dataclasses import dataclass, field

Path_ = tuple  # a path into the data: str keys and int indexes
Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based)


@dataclass
class Positions:
    """Where each value (and each mapping key) stood in the file."""

    values: dict[Path_, Span] = field(default_factory=dict)
    keys: dict[Path_, Span] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)  # source text of non-string scalars
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

    def at(self, path: Path_, key: bool = False) -> tuple[int, int, int | None]:
        """Line, column and end column of the value at path (or its key), for `Diagnostic.at`;
        no end column when the value ends on another line."""
        line, column, end_line, end = self.of_key(path) if key else self.of_value(path)
        return line, column, end if end_line == line else None
