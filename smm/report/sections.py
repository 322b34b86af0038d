"""A report section as plain parts (paragraphs and tables), written alike as text, Markdown and HTML
by smm.report.formats: the listening, competitor and alert sections are built this way."""

from __future__ import annotations

from dataclasses import dataclass, field


class Own(str):
    """A table cell of the repository's text (a competitor's name, what someone said): the HTML pages mark
    it with the brand's language where the page is in another (the Jinja test `own`); text as any other."""

    __slots__ = ()
    repository_text = True


class Sentence(str):
    """A paragraph of the interface's words around the repository's (listening.yml's keywords): text as any other
    (`template` formatted with each of `pieces` joined); the HTML pages mark each Own piece with the brand's language
    where the page is in another (marked())."""

    def __new__(cls, template: str, **pieces: list[str]) -> Sentence:
        made = super().__new__(cls, template.format(**{name: "".join(parts) for name, parts in pieces.items()}))
        made.template, made.pieces = template, pieces
        return made

    def marked(self, mark: str):
        """The paragraph as HTML, each Own piece marked with `mark` (smm.site.catalogue.text_mark(); empty: as it is)."""
        from markupsafe import Markup, escape

        from smm.pages import own

        if not mark:
            return escape(str(self))
        return Markup(escape(self.template)).format(**{
            name: Markup("").join(own(p, mark) if isinstance(p, Own) else escape(p) for p in parts)
            for name, parts in self.pieces.items()})


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
