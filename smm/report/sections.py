"""A report section as plain parts (paragraphs and tables), written alike as text, Markdown and HTML
by smm.report.formats: the listening, competitor and alert sections are built this way."""

from __future__ import annotations

from dataclasses import dataclass, field


class Own(str):
    """A table cell of the repository's text (a competitor's name, what someone said): the HTML pages mark
    it with the brand's language where the page is in another (the Jinja test `own`); text as any other."""

    __slots__ = ()
    repository_text = True


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    right: frozenset[int] = frozenset()  # columns aligned right (numbers)


@dataclass(frozen=True)
class Section:
    title: str
    parts: list = field(default_factory=list)  # str (a paragraph) or Table, in order
    chart: str | None = None  # the key of its chart in Report.charts (HTML only)
    caption: str = ""  # the chart's caption
